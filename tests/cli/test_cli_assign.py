"""`ngheo assign` end to end on the sample commune."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from ngheo_cli.core.text import fold
from ngheo_cli.io.workspace import load_workspace

from ..conftest import SAMPLE_DATA
from .test_cli_classify import INDICATOR_HEADERS

MEMBERS = SAMPLE_DATA / "dang_vien_2024.xlsx"


def _assign(cli, ws: Path, year: int, *extra: object):
    return cli(
        "assign",
        "-c",
        "24181",
        "-y",
        year,
        "-w",
        ws,
        "--members",
        MEMBERS,
        "--out",
        ws / "out",
        "--json",
        *extra,
    )


def test_assign_covers_priority_and_rules(cli, ws: Path) -> None:
    res = _assign(cli, ws, 2024)
    assert res.exit_code == 0, res.stderr
    data = res.json()
    for key in (
        "households_to_help",
        "assigned",
        "unassigned",
        "members_available",
        "kept_from_last_year",
        "max_load",
    ):
        assert key in data
    assert data["assigned"] + len(data["unassigned"]) == data["households_to_help"]
    # Every pair respects the members' village or a twinned village, and the cap.
    book = openpyxl.load_workbook(ws / "out" / "24181_2024_phan_cong.xlsx")
    twinned = {
        (fold(str(r[0])), fold(str(r[1])))
        for r in openpyxl.load_workbook(MEMBERS)["Kết nghĩa"].iter_rows(min_row=2, values_only=True)
        if r[0]
    }
    members = {
        str(r[0]): (str(r[2]), str(r[3]))
        for r in openpyxl.load_workbook(MEMBERS)["Đảng viên"].iter_rows(min_row=2, values_only=True)
        if r[0]
    }
    loads: dict[str, int] = {}
    for pair in data["pairs"]:
        loads[pair["ma_dang_vien"]] = loads.get(pair["ma_dang_vien"], 0) + 1
    assert max(loads.values()) == data["max_load"] <= 3
    assert "Hộ chưa có người giúp" in book.sheetnames and "Quy tắc" in book.sheetnames
    rule_text = " ".join(
        str(v) for r in book["Quy tắc"].iter_rows(values_only=True) for v in r if v is not None
    )
    for code in ("members_per_household", "same_village", "True", "False", "README", "overload"):
        assert code not in rule_text, code
    assert "Số đảng viên giúp mỗi hộ" in rule_text and "Bước 1:" in rule_text
    sheet_pairs = 0
    for name in book.sheetnames:
        ws_ = book[name]
        rows = list(ws_.iter_rows(values_only=True))
        header = next((r for r in rows if r and "Mã đảng viên" in r and "Mã hộ" in r), None)
        if header is None:
            continue
        i_m, i_t = header.index("Mã đảng viên"), header.index("Thôn của hộ")
        start = rows.index(header) + 1
        for row in rows[start:]:
            if not row[i_m] or row[i_m] not in members:
                continue
            sheet_pairs += 1
            cell, village = members[row[i_m]]
            hh_village = str(row[i_t])
            assert fold(hh_village) == fold(village) or (fold(cell), fold(hh_village)) in twinned
    assert sheet_pairs == len(data["pairs"])


def test_rerun_gives_identical_pairs_and_keeps_last_year(cli, ws: Path) -> None:
    first_2023 = _assign(cli, ws, 2023).json()
    again_2023 = _assign(cli, ws, 2023).json()
    assert first_2023["pairs"] == again_2023["pairs"]
    y2024 = _assign(cli, ws, 2024).json()
    assert y2024["kept_from_last_year"] > 0.8 * len(
        {p["ma_ho"] for p in first_2023["pairs"]} & {p["ma_ho"] for p in y2024["pairs"]}
    )


def test_lower_cap_leaves_households_with_reasons_and_what_if(cli, ws: Path) -> None:
    res = _assign(cli, ws, 2024, "--cap", "1", "--what-if-cap", "3")
    data = res.json()
    assert data["max_load"] <= 1
    assert data["unassigned"], "with one household per member some must be left"
    assert all(u["reason"] and u["reason_code"] for u in data["unassigned"])
    assert 0 < data["what_if_cap"]["more_households"] <= len(data["unassigned"])
    # Priority: anyone who helps a near-poor household in a village could help a poor one
    # there, so no village may have a poor household left while a near-poor one is helped.
    with load_workspace(ws / "ngheo.yaml").open_store() as store:
        year = store.load_year("24181", 2024)
    village = dict(zip(year["ma_ho"], year["thon"], strict=True))
    cls = dict(zip(year["ma_ho"], year["phan_loai"], strict=True))
    poor_left = {u["thon"] for u in data["unassigned"] if u["phan_loai"] == "ngheo"}
    near_helped = {village[p["ma_ho"]] for p in data["pairs"] if cls[p["ma_ho"]] == "can_ngheo"}
    assert not poor_left & near_helped


def test_csv_one_row_per_pair(cli, ws: Path) -> None:
    res = cli(
        "assign",
        "-c",
        "24181",
        "-y",
        "2024",
        "-w",
        ws,
        "--members",
        MEMBERS,
        "--out",
        ws / "csv",
        "--format",
        "csv",
    )
    assert res.exit_code == 0, res.stderr
    rows = list(
        csv.DictReader(
            (ws / "csv" / "24181_2024_phan_cong.csv").read_text("utf-8-sig").splitlines()
        )
    )
    assert rows and {"ma_dang_vien", "ma_ho"} <= set(rows[0])


def test_bad_members_file_gives_cells_not_a_crash(cli, ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "dv_loi.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet("Đảng viên")
    sheet.write_row(0, 0, ["Mã đảng viên", "Họ và tên", "Chi bộ", "Thôn", "Miễn"])
    sheet.write_row(1, 0, ["001", "A", "Chi bộ Buôn Jun", "Buôn Jun", ""])
    sheet.write_row(2, 0, ["001", "B", "Chi bộ Buôn Jun", "Buôn Jun", ""])  # duplicate code
    sheet.write_row(3, 0, ["002", "C", "Chi bộ X", "Thôn Không Có", ""])  # unknown village
    wb.close()
    res = cli(
        "assign",
        "-c",
        "24181",
        "-y",
        "2024",
        "-w",
        ws,
        "--members",
        path,
        "--out",
        tmp_path / "o",
        "--json",
    )
    assert res.exit_code == 1, res.stderr
    cells = {r["cell"] for r in res.json()["rejected"]}
    assert "'Đảng viên'!A3" in cells and "'Đảng viên'!D4" in cells


def test_no_members_is_a_usage_error(cli, ws: Path) -> None:
    res = cli("assign", "-c", "24181", "-y", "2024", "-w", ws)
    assert res.exit_code == 2
    assert "đảng viên" in res.stderr


def test_blank_members_template_reads_back(cli, ws: Path, tmp_path: Path) -> None:
    """The blank template, once filled, is read by `ngheo assign` with no finding."""
    path = tmp_path / "dv_mau.xlsx"
    assert cli("template", "--members", "--out", path).exit_code == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Đảng viên", "Kết nghĩa"]
    sheet = book["Đảng viên"]
    header = [c.value for c in sheet[1]]
    sheet.append(
        [
            "0001"
            if h == "Mã đảng viên"
            else ("Buôn Jun" if h == "Thôn" else ("Chi bộ Buôn Jun" if h == "Chi bộ" else None))
            for h in header
        ]
    )
    book.save(path)
    res = cli(
        "assign",
        "-c",
        "24181",
        "-y",
        "2024",
        "-w",
        ws,
        "--members",
        path,
        "--out",
        tmp_path / "o",
        "--json",
    )
    assert res.exit_code == 0, res.stderr
    assert res.json()["members_available"] == 1


# --- issue 12: the store keeps twinnings and gaps; stale pairs are said -------------------------


def _from_store(cli, ws: Path, year: int, *extra: object):
    return cli(
        "assign", "-c", "24181", "-y", year, "-w", ws, "--out", ws / "out2", "--json", *extra
    )


def _stored_pairs(ws: Path, year: int) -> list[tuple[str, str, bool]]:
    with load_workspace(ws / "ngheo.yaml").open_store() as store:
        pairs = store.load_pairs("24181", year)
    return sorted(
        zip(pairs["ma_dang_vien"], pairs["ma_ho"], pairs["via_twinning"].tolist(), strict=True)
    )


def test_assign_from_the_store_gives_the_pairs_of_the_members_file(cli, ws: Path) -> None:
    """Twinnings are stored with the members: without --members the twinned villages are
    still served and the stored pairs are not overwritten by fewer."""
    assert _assign(cli, ws, 2023).exit_code == 0  # last year's pairs, to keep
    with_file = _assign(cli, ws, 2024)
    assert with_file.exit_code == 0, with_file.stderr
    stored = _stored_pairs(ws, 2024)
    from_store = _from_store(cli, ws, 2024)
    assert from_store.exit_code == 0, from_store.stderr
    a, b = with_file.json(), from_store.json()
    assert b["pairs"] == a["pairs"]
    assert b["assigned"] == a["assigned"] == a["households_to_help"]
    assert b["kept_from_last_year"] == a["kept_from_last_year"] > 0
    assert b["via_twinning"] == a["via_twinning"] > 0
    assert "dang_vien_2024.xlsx" in b["members_source"]
    assert _stored_pairs(ws, 2024) == stored


def test_a_members_list_stored_before_twinnings_were_kept_is_not_used(cli, ws: Path) -> None:
    assert _assign(cli, ws, 2024).exit_code == 0
    stored = _stored_pairs(ws, 2024)
    # As a store migrated from v4 holds it: members, no record of their twinnings.
    conn = sqlite3.connect(ws / "ngheo.sqlite")
    with conn:
        conn.execute("DELETE FROM member_lists")
        conn.execute("DELETE FROM twinnings")
    conn.close()
    res = _from_store(cli, ws, 2024)
    assert res.exit_code == 2, res.stderr
    text = " ".join(res.stderr.split())
    assert "kết nghĩa" in text and "--members" in text and "Traceback" not in text
    assert _stored_pairs(ws, 2024) == stored  # not overwritten


def _gap_workbook(path: Path, score_a: float) -> None:
    """Two poor households of Buôn Jun, equal but for the gap: 0001 by income (100.000 đ
    under the line), 0002 by Điểm A (``score_a`` points, line 140)."""
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet("DS hộ")
    header = [
        "Mã hộ",
        "Họ và tên chủ hộ",
        "Thôn",
        "Dân tộc",
        "Khu vực",
        "Số khẩu",
        "Thu nhập bình quân (đ/người/tháng)",
        "Điểm A",
        *INDICATOR_HEADERS,
    ]
    sheet.write_row(0, 0, header)
    marks = ["x", "x", "x"] + [""] * 9
    sheet.write_row(1, 0, ["0001", "Y Bhim Niê", "Buôn Jun", "Ê Đê", "Nông thôn", 4])
    sheet.write_number(1, 6, 1_400_000)
    sheet.write_row(1, 8, marks)
    sheet.write_row(2, 0, ["0002", "H'Mai Adrơng", "Buôn Jun", "Ê Đê", "Nông thôn", 4])
    sheet.write_number(2, 7, score_a)
    sheet.write_row(2, 8, marks)
    wb.close()
    members = path.with_name("dv.xlsx")
    wb = xlsxwriter.Workbook(str(members))
    sheet = wb.add_worksheet("Đảng viên")
    sheet.write_row(0, 0, ["Mã đảng viên", "Họ và tên", "Chi bộ", "Thôn"])
    sheet.write_row(1, 0, ["0101", "Y Tru", "Chi bộ Buôn Jun", "Buôn Jun"])
    wb.close()


@pytest.mark.parametrize(
    ("score_a", "helped"),
    [
        (112.0, "0002"),  # 20 % under 140 points ≈ 300.000 đ under: further below than 0001
        (138.0, "0001"),  # about 21.000 đ under: 0001 (100.000 đ under) is further below
    ],
)
def test_the_gap_decides_between_two_otherwise_equal_households(
    cli, empty_ws: Path, tmp_path: Path, score_a: float, helped: str
) -> None:
    book = tmp_path / "ho.xlsx"
    _gap_workbook(book, score_a)
    res = cli(
        "classify",
        book,
        "-y",
        2024,
        "--commune",
        "24181",
        "-w",
        empty_ws,
        "--out",
        tmp_path / "kq",
        "--json",
    )
    assert res.exit_code == 0, res.stderr
    with load_workspace(empty_ws / "ngheo.yaml").open_store() as store:
        year = store.load_year("24181", 2024)
    assert list(year["phan_loai"]) == ["ngheo", "ngheo"]
    assert list(year["so_thieu_hut"]) == [3, 3]
    assert list(year["nguon_chenh_lech"]) == ["thu_nhap", "diem_a"]
    for extra in (["--members", tmp_path / "dv.xlsx"], []):  # from the file, then the store
        res = cli(
            "assign",
            "-c",
            "24181",
            "-y",
            2024,
            "-w",
            empty_ws,
            "--cap",
            1,
            "--out",
            tmp_path / "pc",
            "--json",
            *extra,
        )
        assert res.exit_code == 0, res.stderr
        data = res.json()
        assert [p["ma_ho"] for p in data["pairs"]] == [helped]
        assert [u["ma_ho"] for u in data["unassigned"]] == [
            {"0001", "0002"}.difference([helped]).pop()
        ]


def test_report_says_the_pairs_predate_the_households(cli, ws: Path, tmp_path: Path) -> None:
    assert _assign(cli, ws, 2024).exit_code == 0
    fresh = cli("report", "-y", 2024, "-c", "24181", "-w", ws, "--out", tmp_path / "r1", "--json")
    assert fresh.exit_code == 0, fresh.stderr
    assert fresh.json()["assignment"]["stale_note"] is None
    again = cli(
        "classify",
        SAMPLE_DATA / "xa_dak_lieng_2024.xlsx",
        "--year",
        2024,
        "--commune",
        "24181",
        "-w",
        ws,
        "--out",
        tmp_path / "kq",
    )
    assert again.exit_code == 0, again.stderr
    res = cli("report", "-y", 2024, "-c", "24181", "-w", ws, "--out", tmp_path / "r2", "--json")
    assert res.exit_code == 0, res.stderr
    note = res.json()["assignment"]["stale_note"]
    assert note and "có trước lần nhập lại danh sách hộ năm 2024" in note
    assert "phân công lại" in note and "ngheo" not in note
    html = (tmp_path / "r2" / "24181_2024_bao_cao.html").read_text("utf-8")
    assert "có trước lần nhập lại danh sách hộ năm 2024" in html
    province = cli("report", "-y", 2024, "--province", "-w", ws, "--out", tmp_path / "r3", "--json")
    assert province.exit_code == 0, province.stderr
    assert "Xã Đắk Liêng (24181)" in province.json()["assignment"]["stale_note"]
    # Made again from the stored members: fresh, the report says nothing more.
    assert _from_store(cli, ws, 2024).exit_code == 0
    res = cli("report", "-y", 2024, "-c", "24181", "-w", ws, "--out", tmp_path / "r4", "--json")
    assert res.json()["assignment"]["stale_note"] is None
