"""A commune's first day: last year's recognised list + this year's survey → this year's balance.

The 2023 list is built here in the layout of a real provincial export (title rows, the
export's own header, codes like ``12.0``, an exact duplicate row, recorded classes only: no
income, no scores, no marks); the 2024 survey is a classified workbook of the same
households. Every expected figure below is worked out by hand from the rows.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ngheo_cli.core.history import BALANCE_CODES
from ngheo_cli.core.schema import FIELD_BY_KEY
from ngheo_cli.io import rulesets
from ngheo_cli.io.workspace import load_workspace
from ngheo_cli.services.recognised import record_list

from ..conftest import SAMPLE_DATA

EXPORT_HEADER = [
    "Thời gian rà soát",
    "Chủ hộ",
    "Mã hộ",
    "Thôn",
    "Dân tộc tại chỗ",
    "Giới tính",
    "Số nhân khẩu",
    "Kết quả rà soát",
    "Người rà soát",
]
# (code as the export writes it, head, village, tại chỗ, persons, recognised class)
LIST_2023 = [
    ("0001", "Y Bhăm Niê", "Buôn Kô", "x", 4, "Hộ nghèo"),
    ("0002", "H Lan Ê Ban", "Buôn Kô", "", 3, "Hộ nghèo"),
    ("0003", "Trần Văn Cường", "Thôn 2", "", 5, "Hộ cận nghèo"),
    ("0004", "Lê Thị Dung", "Thôn 2", "", 2, "HCN"),
    ("0005", "Nguyễn Văn Em", "Buôn Kô", "", 6, "Hộ không nghèo"),
    ("0006", "Phạm Thị Phượng", "Thôn 2", "", 3, "Hộ nghèo"),
    ("12.0", "Đỗ Văn Giang", "Buôn Kô", "", 4, "Hộ cận nghèo"),
]

# 2024: (code, head, village, persons, income, number of deprivations)
SURVEY_2024 = [
    ("0001", "Y Bhăm Niê", "Buôn Kô", 5, "1.000.000", 3),  # con_ngheo, one more person
    ("0002", "H Lan Ê Ban", "Buôn Kô", 3, "1.200.000", 1),  # ngheo_sang_can_ngheo
    ("0003", "Trần Văn Cường", "Thôn 2", 5, "3.000.000", 0),  # thoat_can_ngheo
    ("0004", "Lê Thị Dung", "Thôn 2", 2, "1.000.000", 4),  # can_ngheo_sang_ngheo
    ("0005", "Nguyễn Văn Em", "Buôn Kô", 6, "1.000.000", 3),  # ngheo_moi
    ("12", "Đỗ Văn Giang", "Buôn Kô", 4, "1.400.000", 0),  # con_can_ngheo
    ("0013", "Hoàng Văn Hải", "Thôn 2", 2, "900.000", 5),  # vao_danh_sach (0006 left)
]
EXPECTED_2024 = {
    "0001": "con_ngheo",
    "0002": "ngheo_sang_can_ngheo",
    "0003": "thoat_can_ngheo",
    "0004": "can_ngheo_sang_ngheo",
    "0005": "ngheo_moi",
    "12": "con_can_ngheo",
    "0013": "vao_danh_sach",
    "0006": "ra_danh_sach",
}


def write_export(path: Path, rows: list[tuple], *, duplicate: int | None = 1) -> Path:
    """The list as a provincial export: two title rows, a blank row, the header, the rows
    (one of them twice, cell for cell), a totals line."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["UBND XÃ ĐẮK LIÊNG"])
    ws.append(["DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO ĐÃ ĐƯỢC CÔNG NHẬN NĂM 2023"])
    ws.append([])
    ws.append(EXPORT_HEADER)
    body = [
        ["15/10/2023", head, code, village, mark, "Nam", persons, label, "Cán bộ A"]
        for code, head, village, mark, persons, label in rows
    ]
    if duplicate is not None:
        body.insert(duplicate + 1, list(body[duplicate]))
    for line in body:
        ws.append(line)
    total = sum(r[4] for r in rows if isinstance(r[4], int))
    ws.append(["Tổng cộng", None, None, None, None, None, total])
    wb.save(path)
    return path


def write_survey(path: Path, rows: list[tuple]) -> Path:
    """A canonical 2024 review workbook: income and the twelve indicator marks."""
    indicators = list(rulesets.resolve(2024).indicator_ids)
    keys = ["ma_ho", "ho_ten_chu_ho", "thon", "so_nhan_khau", "thu_nhap_binh_quan", *indicators]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hộ"
    ws.append([FIELD_BY_KEY[k].label for k in keys])
    for code, head, village, persons, income, deprived in rows:
        marks = ["x" if i < deprived else "" for i in range(len(indicators))]
        ws.append([code, head, village, persons, income, *marks])
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"
    wb.save(path)
    return path


@pytest.fixture
def folder(empty_ws: Path) -> Path:
    return empty_ws


def assign_2023(cli, folder: Path, tmp_path: Path, members: list[tuple[str, ...]]):
    """``ngheo assign`` for 2023 with these members (code, name, party cell, village)."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Đảng viên"
    sheet.append(["Mã đảng viên", "Họ và tên", "Chi bộ", "Thôn"])
    for member in members:
        sheet.append(list(member))
    path = tmp_path / "dv.xlsx"
    wb.save(path)
    return cli(
        "assign", "-c", "24181", "-y", "2023", "-w", folder,
        "--members", path, "--out", tmp_path / "pc", "--json",
    )


def record_2023(cli, folder: Path, tmp_path: Path, *extra: object):
    path = write_export(tmp_path / "ds_2023.xlsx", LIST_2023)
    return cli(
        "record-list",
        path,
        "--commune",
        "24181",
        "--year",
        "2023",
        "--workspace",
        folder,
        "--decision-no",
        "123/QĐ-UBND",
        "--decision-date",
        "20/12/2023",
        *extra,
    )


def test_first_day_balance_from_last_years_list(cli, folder: Path, tmp_path: Path) -> None:
    res = record_2023(cli, folder, tmp_path, "--json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    # 8 data rows: 7 households + one exact repeat; totals row skipped.
    assert data["input_rows"] == 8 and data["households"] == 7
    assert data["counts"] == {"ngheo": 3, "can_ngheo": 3, "trung_binh": 0, "khac": 1}
    assert data["persons"]["ngheo"] == 4 + 3 + 3
    assert [w["code"] for w in data["warnings"]].count("ds-dong-trung") == 1
    assert [w["code"] for w in data["warnings"]].count("ds-ma-ho-da-sua") == 1
    assert data["rejected"] == [] and data["origin"] == "recorded"
    assert data["decision_no"] == "123/QĐ-UBND" and data["decision_date"] == "2023-12-20"
    with load_workspace(folder / "ngheo.yaml").open_store() as store:
        run = store.year_run("24181", 2023)
        assert run is not None and run.origin == "recorded"
        assert (run.decision_no, run.decision_date) == ("123/QĐ-UBND", "2023-12-20")
        stored = store.load_year("24181", 2023)
    assert sorted(stored["ma_ho"]) == ["0001", "0002", "0003", "0004", "0005", "0006", "12"]
    assert stored.set_index("ma_ho").loc["0004", "ket_qua_ra_soat"] == "can_ngheo"
    assert bool(stored.set_index("ma_ho").loc["0001", "dan_toc_tai_cho"]) is True

    survey = write_survey(tmp_path / "so_2024.xlsx", SURVEY_2024)
    res = cli(
        "classify",
        survey,
        "--year",
        "2024",
        "--commune",
        "24181",
        "--workspace",
        folder,
        "--out",
        tmp_path / "out",
        "--json",
    )
    assert res.exit_code == 0, res.stderr
    assert res.json()["counts"]["ngheo"] == 4

    res = cli("history", "-c", "24181", "-y", "2024", "-w", folder, "--json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    poor, near = data["poor"], data["near_poor"]
    assert (poor["start"], poor["end"]) == (3, 4)
    assert (near["start"], near["end"]) == (3, 2)
    for kind, table in (("poor", poor), ("near_poor", near)):
        codes = BALANCE_CODES[kind]
        down = sum(table[codes[i]] for i in (2, 3, 4))
        up = sum(table[codes[i]] for i in (5, 6, 7, 8))
        assert table["end"] == table["start"] - down + up
        p = table["persons"]
        p_down = sum(p[codes[i]] for i in (2, 3, 4))
        p_up = sum(p[codes[i]] for i in (5, 6, 7, 8))
        assert p["end"] == p["start"] - p_down + p_up + p["thay_doi_quy_mo"]
    # Persons, by hand: poor at the start 4 + 3 + 3; at the end 5 + 2 + 6 + 2.
    assert (poor["persons"]["start"], poor["persons"]["end"]) == (10, 15)
    assert (near["persons"]["start"], near["persons"]["end"]) == (5 + 2 + 4, 3 + 4)
    assert data["recorded_years"]["2023"]["decision_no"] == "123/QĐ-UBND"
    assert "2023" not in data["mpi"]
    assert any("ghi nhận theo danh sách đã công nhận" in n for n in data["notes"])

    out = tmp_path / "bd"
    res = cli("history", "-c", "24181", "-y", "2024", "-w", folder, "--out", out, "--format", "csv")
    assert res.exit_code == 0, res.stderr
    assert "ghi nhận theo danh sách đã công nhận" in res.stderr
    lines = (out / "24181_2024_bien_dong.csv").read_text(encoding="utf-8-sig").splitlines()
    got = {line.split(",")[0]: line.split(",")[3] for line in lines[1:]}
    assert got == EXPECTED_2024


def test_json_equals_library_result(cli, folder: Path, tmp_path: Path) -> None:
    res = record_2023(cli, folder, tmp_path, "--json", "--out", tmp_path / "o")
    run = record_list(
        tmp_path / "ds_2023.xlsx",
        commune="24181",
        year=2023,
        workspace=load_workspace(folder / "ngheo.yaml"),
        decision_no="123/QĐ-UBND",
        decision_date="20/12/2023",
        out_dir=tmp_path / "o",
    )
    expected = run.to_dict()
    got = res.json()
    # The second recording replaced the first: only the run id and what it replaced differ.
    assert got["recorded"]["run_id"] + 1 == expected["recorded"]["run_id"]
    assert expected["replaced"]["run_id"] == got["recorded"]["run_id"]
    for key in ("recorded", "replaced"):
        got.pop(key), expected.pop(key)
    assert got == expected


def test_later_classification_of_a_recognised_year_is_kept_unless_asked(
    cli, folder: Path, tmp_path: Path
) -> None:
    assert record_2023(cli, folder, tmp_path).exit_code == 0
    # The same households surveyed for 2023: 0002 computes near-poor, 0005 poor.
    rows = [
        ("0001", "Y Bhăm Niê", "Buôn Kô", 4, "1.000.000", 3),
        ("0002", "H Lan Ê Ban", "Buôn Kô", 3, "1.200.000", 1),
        ("0003", "Trần Văn Cường", "Thôn 2", 5, "1.300.000", 0),
        ("0004", "Lê Thị Dung", "Thôn 2", 2, "1.300.000", 1),
        ("0005", "Nguyễn Văn Em", "Buôn Kô", 6, "1.000.000", 4),
        ("0006", "Phạm Thị Phượng", "Thôn 2", 3, "1.000.000", 3),
        ("12", "Đỗ Văn Giang", "Buôn Kô", 4, "1.400.000", 0),
    ]
    survey = write_survey(tmp_path / "so_2023.xlsx", rows)
    args = (
        "classify",
        survey,
        "--year",
        "2023",
        "--commune",
        "24181",
        "--workspace",
        folder,
        "--out",
        tmp_path / "out",
    )
    res = cli(*args, "--json")
    assert res.exit_code == 0, res.stderr
    seen = res.json()["recognised"]
    assert seen["kept"] is True and seen["compared"] == 7
    assert {(c["ma_ho"], c["cong_nhan"], c["tinh_toan"]) for c in seen["changes"]} == {
        ("0002", "ngheo", "can_ngheo"),
        ("0005", "khac", "ngheo"),
    }
    assert seen["changes"][0]["ho_ten_chu_ho"] == "H Lan Ê Ban"
    assert "recorded" not in res.json()
    with load_workspace(folder / "ngheo.yaml").open_store() as store:
        assert store.year_run("24181", 2023).origin == "recorded"

    res = cli(*args)
    assert res.exit_code == 0
    assert "0002 (H Lan Ê Ban): Hộ nghèo → Hộ cận nghèo" in res.stderr
    assert "--replace-recognised" in res.stderr

    res = cli(*args, "--replace-recognised", "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["recognised"]["kept"] is False and res.json()["recorded"]["year"] == 2023
    with load_workspace(folder / "ngheo.yaml").open_store() as store:
        assert store.year_run("24181", 2023).origin == "computed"


def test_bad_rows_are_findings_with_cells(cli, folder: Path, tmp_path: Path) -> None:
    rows = [
        *LIST_2023,
        ("0007", "Vũ Thị Hoa", "Thôn 2", "", 3, "Hộ khó khăn"),  # unknown label
        ("0001", "Người Khác", "Thôn 2", "", 2, "Hộ cận nghèo"),  # same code, other content
        ("1.2E+11", "Mai Văn Khoa", "Thôn 2", "", 2, "Hộ nghèo"),  # code Excel destroyed
        ("0009", "Đinh Văn Lâm", "Thôn 2", "có", "", "Hộ nghèo"),  # no size: warning
    ]
    path = write_export(tmp_path / "ds_loi.xlsx", rows, duplicate=None)
    res = cli(
        "record-list",
        path,
        "-c",
        "24181",
        "-y",
        "2023",
        "-w",
        folder,
        "--out",
        tmp_path / "o",
        "--json",
    )
    assert res.exit_code == 1, res.stderr
    data = res.json()
    errors = {(e["code"], e["cell"]) for e in data["rejected"]}
    # Header on row 4, data from row 5: the extra rows are 12…15.
    assert ("ds-ket-qua-khong-ro", "'Danh sách'!H12") in errors
    assert ("ds-ma-ho-trung-khac", "'Danh sách'!C5") in errors
    assert ("ds-ma-ho-trung-khac", "'Danh sách'!C13") in errors
    assert ("ds-ma-ho-khong-dung-duoc", "'Danh sách'!C14") in errors
    assert data["rejected_rows"] == 4
    assert data["input_rows"] == data["households"] + data["rejected_rows"] == 11
    assert "ds-thieu-nhan-khau" in {w["code"] for w in data["warnings"]}
    assert (tmp_path / "o" / "ds_loi_loi.xlsx").exists()
    with load_workspace(folder / "ngheo.yaml").open_store() as store:
        assert "0001" not in set(store.load_year("24181", 2023)["ma_ho"])


def test_real_export_header_without_village(cli, folder: Path, tmp_path: Path) -> None:
    """Exactly the export's header (no village column); a machine-free layout still reads."""
    wb = openpyxl.Workbook()
    ws = wb.active
    header = [h for h in EXPORT_HEADER if h != "Thôn"]
    ws.append(header)
    ws.append(["10/10/2023", "A", 12.0, None, "Nữ", 3, "Hộ nghèo", "B"])
    ws.append(["10/10/2023", "C", "0015", None, "Nam", 2, "Cận nghèo", "B"])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    res = cli("record-list", path, "-c", "24181", "-y", "2023", "-w", folder, "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["counts"]["ngheo"] == 1 and res.json()["counts"]["can_ngheo"] == 1


def test_list_without_class_column_is_unusable(cli, folder: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Mã hộ", "Chủ hộ", "Số nhân khẩu"])
    wb.active.append(["0001", "A", 3])
    path = tmp_path / "no_class.xlsx"
    wb.save(path)
    res = cli("record-list", path, "-c", "24181", "-y", "2023", "-w", folder)
    assert res.exit_code == 3
    assert "Kết quả rà soát" in res.stderr


def test_bad_decision_date_is_a_usage_error(cli, folder: Path, tmp_path: Path) -> None:
    res = record_2023(cli, folder, tmp_path)
    path = tmp_path / "ds_2023.xlsx"
    res = cli(
        "record-list",
        path,
        "-c",
        "24181",
        "-y",
        "2023",
        "-w",
        folder,
        "--decision-date",
        "31/02/2023",
    )
    assert res.exit_code == 2
    assert "Ngày quyết định" in res.stderr


def test_list_that_also_carries_scores_says_what_a_computation_would_change(
    cli, folder: Path, tmp_path: Path
) -> None:
    indicators = list(rulesets.resolve(2023).indicator_ids)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "Mã hộ",
            "Chủ hộ",
            "Thôn",
            "Số nhân khẩu",
            "Thu nhập bình quân",
            *[FIELD_BY_KEY[i].label for i in indicators],
            "Kết quả rà soát",
        ]
    )
    # 01 recognised poor, computes poor; 02 recognised poor, computes near-poor (1 mark).
    ws.append(["01", "A", "Thôn 1", 3, "1.000.000", *["x"] * 3, *[""] * 9, "Hộ nghèo"])
    ws.append(["02", "B", "Thôn 1", 2, "1.000.000", "x", *[""] * 11, "Hộ nghèo"])
    path = tmp_path / "ds_diem.xlsx"
    wb.save(path)
    res = cli("record-list", path, "-c", "24181", "-y", "2023", "-w", folder, "--json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["counts"]["ngheo"] == 2  # the recognised classes are what is recorded
    assert [(c["ma_ho"], c["cong_nhan"], c["tinh_toan"]) for c in data["computed"]["changes"]] == [
        ("02", "ngheo", "can_ngheo")
    ]
    res = cli("record-list", path, "-c", "24181", "-y", "2023", "-w", folder)
    assert "02 (B): Hộ nghèo → Hộ cận nghèo" in res.stderr


def test_report_and_assignment_of_a_recorded_year_never_show_zero_deprivations(
    cli, folder: Path, tmp_path: Path
) -> None:
    assert record_2023(cli, folder, tmp_path).exit_code == 0
    res = cli(
        "report",
        "--year",
        "2023",
        "--commune",
        "24181",
        "-w",
        folder,
        "--out",
        tmp_path / "bc",
        "--json",
    )
    assert res.exit_code == 0, res.stderr
    data = res.json()
    note = (
        "Năm 2023 ghi nhận theo danh sách đã công nhận (quyết định số 123/QĐ-UBND), "
        "không có số liệu chỉ số thiếu hụt."
    )
    assert note in data["notes"]
    assert data["deprivations"]["available"] is False
    assert data["deprivations"]["message"] == note and data["deprivations"]["rows"] == []
    assert data["what_if"] is None
    html = (tmp_path / "bc" / "24181_2023_bao_cao.html").read_text(encoding="utf-8")
    assert "chỉ có Điểm B" not in html and "ghi nhận theo danh sách đã công nhận" in html

    members = [("DV01", "Nguyễn A", "Chi bộ Buôn Kô", "Buôn Kô"),
               ("DV02", "Trần B", "Chi bộ Thôn 2", "Thôn 2")]
    res = assign_2023(cli, folder, tmp_path, members)
    assert res.exit_code == 0, res.stderr
    assert res.json()["assigned"] == 6
    assert any("ghi nhận theo danh sách" in n for n in res.json()["notes"])
    book = openpyxl.load_workbook(tmp_path / "pc" / "24181_2023_phan_cong.xlsx")
    cells = [c for ws in book for r in ws.iter_rows(values_only=True) for c in r if c]
    assert not any("chỉ có Điểm B" in str(c) for c in cells)


def test_unassigned_households_of_a_recorded_year_show_no_deprivation_count(
    cli, folder: Path, tmp_path: Path
) -> None:
    assert record_2023(cli, folder, tmp_path).exit_code == 0
    res = assign_2023(cli, folder, tmp_path, [("DV01", "Nguyễn A", "Chi bộ Buôn Kô", "Buôn Kô")])
    assert res.exit_code == 0, res.stderr
    assert len(res.json()["unassigned"]) == 3
    ws = openpyxl.load_workbook(tmp_path / "pc" / "24181_2023_phan_cong.xlsx")[
        "Hộ chưa có người giúp"
    ]
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] in ("0003", "0004", "0006")]
    assert len(rows) == 3 and all(r[3] is None for r in rows)


def test_export_of_a_recorded_year_has_no_deprivation_columns(
    cli, folder: Path, tmp_path: Path
) -> None:
    assert record_2023(cli, folder, tmp_path).exit_code == 0
    out = tmp_path / "xa_2023.csv"
    res = cli("export", "-c", "24181", "-y", "2023", "-w", folder, "--out", out)
    assert res.exit_code == 0, res.stderr
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert {"ma_ho", "phan_loai", "ket_qua_ra_soat", "so_nhan_khau"} <= set(header)
    assert not {"nguon_thieu_hut", "so_thieu_hut", "thu_nhap_binh_quan"} & set(header)


def test_province_report_names_communes_recorded_from_a_list(cli, tmp_path: Path) -> None:
    root = tmp_path / "tinh"
    res = cli(
        "init",
        root,
        "--province-code",
        "66",
        "--province-name",
        "Đắk Lắk",
        "--commune",
        "24181:Xã Đắk Liêng:xa",
        "--commune",
        "24184:Xã Buôn Triết:xa",
    )
    assert res.exit_code == 0, res.stderr
    assert record_2023(cli, root, tmp_path).exit_code == 0
    rows_2023 = [(c, h, v, p, "1.000.000", 3) for c, h, v, _, p, _ in LIST_2023 if c != "12.0"]
    survey = write_survey(tmp_path / "b_2023.xlsx", rows_2023)
    res = cli("classify", survey, "-y", "2023", "-c", "24184", "-w", root, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.stderr
    res = cli(
        "report", "--year", "2023", "--province", "-w", root, "--out", tmp_path / "bc", "--json"
    )
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert any(
        "Xã Đắk Liêng (24181)" in n and "chỉ tính các xã còn lại" in n for n in data["notes"]
    )
    assert data["deprivations"]["available"] is True  # from the commune that was computed
    assert data["summary"]["households"] == 7 + 6


def test_a_list_of_the_computed_classes_gives_the_same_balance(
    cli, ws: Path, tmp_path: Path
) -> None:
    """The sample's 2023 classes written as a recognised list, recorded in a new folder, then
    the same 2024 survey: the 2024 balance equals the one from two classified years."""
    with load_workspace(ws / "ngheo.yaml").open_store() as store:
        last = store.load_year("24181", 2023)
    words = {"ngheo": "Hộ nghèo", "can_ngheo": "HCN", "trung_binh": "MSTB", "khac": "Hộ khác"}
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["Mã hộ", "Chủ hộ", "Thôn", "Số nhân khẩu", "Phân loại"])
    for r in last.itertuples(index=False):
        sheet.append([r.ma_ho, r.ho_ten_chu_ho, r.thon, int(r.so_nhan_khau), words[r.phan_loai]])
    listing = tmp_path / "ds.xlsx"
    wb.save(listing)
    fresh = tmp_path / "moi"
    assert (
        cli(
            "init",
            fresh,
            "--province-code",
            "66",
            "--province-name",
            "Đắk Lắk",
            "--commune",
            "24181:Xã Đắk Liêng:xa",
        ).exit_code
        == 0
    )
    res = cli("record-list", listing, "-c", "24181", "-y", "2023", "-w", fresh, "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["households"] == len(last)
    res = cli(
        "classify",
        SAMPLE_DATA / "xa_dak_lieng_2024.xlsx",
        "-y",
        "2024",
        "-c",
        "24181",
        "-w",
        fresh,
        "--out",
        tmp_path / "o",
    )
    assert res.exit_code == 0, res.stderr
    before = cli("history", "-c", "24181", "-y", "2024", "-w", ws, "--json").json()
    after = cli("history", "-c", "24181", "-y", "2024", "-w", fresh, "--json").json()
    for key in ("poor", "near_poor", "bien_dong"):
        assert after[key] == before[key]


def test_an_excel_error_in_the_class_column_is_named_not_read_as_blank(
    cli, folder: Path, tmp_path: Path
) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "DS"
    sheet.append(["Mã hộ", "Chủ hộ", "Thôn", "Số nhân khẩu", "Kết quả rà soát"])
    sheet.append(["0001", "Y A", "Thôn 1", 4, "Hộ nghèo"])
    sheet.append(["0002", "H B", "Thôn 1", 3, "#N/A"])
    path = tmp_path / "ds.xlsx"
    wb.save(path)
    res = cli("record-list", path, "-c", "24181", "-y", "2023", "-w", folder, "--json")
    assert res.exit_code == 1, res.stderr
    data = res.json()
    assert ("DS!E3", "o-loi-excel") in {(f["cell"], f["code"]) for f in data["rejected"]}
    assert data["households"] == 1
