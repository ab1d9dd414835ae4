"""`ngheo classify` end to end: exit codes, outputs, --json ≡ library, nothing lost."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from ngheo_cli.sample import writer as sample_writer
from ngheo_cli.sample.generator import classify_nd07, generate_commune
from ngheo_cli.services import classify as classify_service

INDICATOR_HEADERS = [
    "Việc làm",
    "Người phụ thuộc",
    "Dinh dưỡng",
    "BHYT",
    "Trình độ giáo dục người lớn",
    "Tình trạng đi học trẻ em",
    "Chất lượng nhà ở",
    "Diện tích nhà ở bình quân",
    "Nước sạch",
    "Nhà tiêu hợp vệ sinh",
    "Dịch vụ viễn thông",
    "Tiếp cận thông tin",
]


def write_real_looking(path: Path, rows: list[list[object]]) -> None:
    """A commune export: title rows, a merged two-row header, a column-number row,
    text amounts, mixed marks, blank rows, a totals row and signatures."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet("DS hộ")
    ws.write(0, 0, "UBND XÃ ĐẮK LIÊNG")
    ws.write(1, 0, "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM 2024")
    top = 3
    fixed = ["STT", "Mã số hộ", "Họ và tên chủ hộ", "Thôn, buôn", "Dân tộc", "Khu vực", "Số khẩu"]
    for c, name in enumerate(fixed):
        ws.merge_range(top, c, top + 1, c, name)
    ws.merge_range(top, 7, top, 8, "Thu nhập")
    ws.write(top + 1, 7, "Bình quân (đ/người/tháng)")
    ws.write(top + 1, 8, "Điểm A")
    ws.merge_range(top, 9, top, 9 + len(INDICATOR_HEADERS) - 1, "Các chỉ số thiếu hụt")
    for j, name in enumerate(INDICATOR_HEADERS):
        ws.write(top + 1, 9 + j, name)
    for c in range(9 + len(INDICATOR_HEADERS)):
        ws.write(top + 2, c, f"({c + 1})")
    r = top + 3
    for row in rows:
        if row:
            for c, v in enumerate(row):
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif v is not None:
                    ws.write_number(r, c, v)
        r += 1
    ws.write(r, 1, "Tổng cộng")
    ws.write(r, 6, 99)
    ws.write(r + 2, 2, "Người lập biểu")
    ws.write(r + 2, 8, "Chủ tịch UBND xã")
    wb.close()


def marks(n: int, style: str = "x") -> list[str]:
    return [style] * n + [""] * (12 - n)


# (row, expected class)
CASES: list[tuple[list[object], str | None] | None] = [
    (
        [
            "1",
            "0001",
            "Y Bhim Niê",
            "Buôn Jun",
            "Ê Đê",
            "Nông thôn",
            5,
            "1.500.000",
            None,
            *marks(3),
        ],
        "ngheo",
    ),
    (
        [
            "2",
            "0002",
            "Nguyễn Văn Hùng",
            "Thôn 1",
            "Kinh",
            "Nông thôn",
            4,
            "1,5 triệu",
            None,
            *marks(2, " X "),
        ],
        "can_ngheo",
    ),
    (
        [
            "3",
            "0003",
            "H'Mai Adrơng",
            "Buôn Jun",
            "Ê Đê",
            "nông thôn",
            3,
            1500001,
            None,
            *marks(9, "✓"),
        ],
        "trung_binh",
    ),
    (
        ["4", "0004", "Trần Thị Lan", "Thôn 1", "Kinh", "NT", 2, "2.250.001 đ", None, *marks(0)],
        "khac",
    ),
    None,  # a blank row inside the list
    (
        [
            "5",
            "0005",
            "Y Sơn Liêng",
            "Buôn Lê",
            "M'Nông",
            "Nông thôn",
            6,
            None,
            140,
            *marks(4, "1"),
        ],
        "ngheo",
    ),
    (
        [
            "6",
            "0006",
            "Lê Văn Nam",
            "Thôn 1",
            "Kinh",
            "Thành thị",
            3,
            "2.000.000",
            None,
            *marks(3, "có"),
        ],
        "ngheo",
    ),
    # rejected: unreadable amount and a mark that means nothing
    (
        [
            "7",
            "0007",
            "Phạm Văn Tú",
            "Thôn 1",
            "Kinh",
            "Nông thôn",
            4,
            "một triệu",
            None,
            "x",
            "?",
            *[""] * 10,
        ],
        None,
    ),
    # rejected: duplicate code (the first 0001 is kept)
    (
        ["8", "0001", "Y Bhim Niê", "Buôn Jun", "Ê Đê", "Nông thôn", 5, "900.000", None, *marks(5)],
        None,
    ),
]


@pytest.fixture
def real_looking(tmp_path: Path) -> Path:
    path = tmp_path / "xa_that.xlsx"
    write_real_looking(path, [case[0] if case is not None else [] for case in CASES])
    return path


def test_real_looking_workbook_classifies_every_household_correctly(
    cli, real_looking: Path, tmp_path: Path
) -> None:
    result = cli("classify", real_looking, "--year", "2024", "--out", tmp_path / "out", "--json")
    assert result.exit_code == 1, result.stderr  # some rows rejected
    data = result.json()
    expected = {row[1]: cls for row, cls in filter(None, CASES) if cls}
    run = classify_service.classify_file(real_looking, year=2024, write=False)
    got = dict(zip(run.result.households["ma_ho"], run.result.households["phan_loai"], strict=True))
    assert got == expected
    assert data["households"] == 6
    assert data["rejected_rows"] == 2
    assert data["input_rows"] == data["households"] + data["rejected_rows"]
    codes = {(r["cell"], r["code"]) for r in data["rejected"]}
    assert ("'DS hộ'!H14", "so-khong-doc-duoc") in codes
    assert ("'DS hộ'!K14", "danh-dau-khong-ro") in codes
    assert any(code == "ma-ho-trung" for _, code in codes)
    reasons = {s["reason"] for s in data["skipped"]}
    assert {"trong", "tong_cong", "chu_ky", "so_cot"} <= reasons
    assert data["routes"] == {"diem_a": 1, "thu_nhap": 5}


def test_json_equals_library_result(cli, real_looking: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    via_cli = cli("classify", real_looking, "--year", "2024", "--out", out, "--json").json()
    via_lib = classify_service.classify_file(real_looking, year=2024, out_dir=out).to_dict()
    assert via_cli == _jsonish(via_lib)


def _jsonish(data: object) -> object:
    import json

    from ngheo_cli.cli.console import _default

    return json.loads(json.dumps(data, ensure_ascii=False, default=_default))


def test_outputs_are_deterministic_bytes(real_looking: Path, tmp_path: Path) -> None:
    first = classify_service.classify_file(real_looking, year=2024, out_dir=tmp_path / "a").outputs
    second = classify_service.classify_file(real_looking, year=2024, out_dir=tmp_path / "b").outputs
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_result_workbook_content(real_looking: Path, tmp_path: Path) -> None:
    run = classify_service.classify_file(real_looking, year=2024, out_dir=tmp_path)
    names = {p.name for p in run.outputs}
    assert names == {
        "xa_that_ket_qua.xlsx",
        "xa_that_niem_yet.xlsx",
        "xa_that_tom_tat.html",
        "xa_that_loi.xlsx",
    }
    wb = openpyxl.load_workbook(tmp_path / "xa_that_ket_qua.xlsx")
    assert wb.sheetnames[:4] == [
        "Kết quả phân loại",
        "Tổng hợp theo thôn",
        "Theo dân tộc",
        "Thiếu hụt",
    ]
    ws = wb["Kết quả phân loại"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header_row = next(i for i, row in enumerate(values) if "Mã hộ" in row)
    header = values[header_row]
    codes = [row[header.index("Mã hộ")] for row in values[header_row + 1 :] if row[0] is not None]
    assert codes[0] == "0001"  # leading zeros survive as text
    # The public list carries no ID, phone or income column.
    posting = openpyxl.load_workbook(tmp_path / "xa_that_niem_yet.xlsx").active
    text = " ".join(str(c.value) for row in posting.iter_rows() for c in row if c.value)
    assert "1.500.000" not in text and "Thu nhập" not in text and "CCCD" not in text
    assert "Y Bhim Niê" in text
    # The error workbook highlights the offending cell with a comment.
    err = openpyxl.load_workbook(tmp_path / "xa_that_loi.xlsx")["Dòng cần sửa"]
    comments = [c.comment.text for row in err.iter_rows() for c in row if c.comment]
    assert any("một triệu" in t for t in comments)


def test_csv_format(cli, real_looking: Path, tmp_path: Path) -> None:
    res = cli("classify", real_looking, "--year", "2024", "--out", tmp_path, "--format", "csv")
    assert res.exit_code == 1
    raw = (tmp_path / "xa_that_ket_qua.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel opens it as UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {"ma_ho", "phan_loai", "so_thieu_hut"} <= set(rows[0])
    assert rows[0]["ma_ho"] == "0001" and rows[0]["phan_loai"] == "ngheo"
    assert all("." not in r["thu_nhap_binh_quan"] for r in rows)  # whole đồng
    res = cli(
        "classify", real_looking, "--year", "2024", "--out", tmp_path / "nhan",
        "--format", "csv", "--headers", "nhan",
    )  # fmt: skip
    assert res.exit_code == 1
    text = (tmp_path / "nhan" / "xa_that_ket_qua.csv").read_text("utf-8-sig")
    labelled = list(csv.DictReader(text.splitlines()))
    assert labelled[0]["Mã hộ"] == "0001" and labelled[0]["Phân loại"] == "Hộ nghèo"
    assert "ma_ho" not in text and "nong_thon" not in text


def test_clean_file_exits_zero_and_removes_stale_error_workbook(tmp_path: Path, cli) -> None:
    sample = generate_commune(3, 300, 2024)
    path = tmp_path / "sach.xlsx"
    sample_writer.write_clean(sample, path)
    stale = tmp_path / "out" / "sach_loi.xlsx"
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    res = cli("classify", path, "--year", "2024", "--out", tmp_path / "out", "--json")
    assert res.exit_code == 0, res.stderr
    assert not stale.exists()
    data = res.json()
    expected = classify_nd07(sample.households)
    assert data["counts"]["ngheo"] == int((expected == "ngheo").sum())
    assert data["counts"]["can_ngheo"] == int((expected == "can_ngheo").sum())


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512),
        ("hong.xlsx", b"this is not a zip"),
        ("bang.ods", b"PK\x03\x04whatever"),
        ("ghi_chu.txt", b"hello"),
    ],
)
def test_unusable_file_exit_3_and_no_output(cli, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    res = cli("classify", path, "--year", "2024", "--out", out)
    assert res.exit_code == 3
    assert "Lỗi:" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) <= 3
    assert not out.exists() or not any(out.iterdir())


def test_missing_required_column_names_it(cli, tmp_path: Path) -> None:
    path = tmp_path / "thieu_cot.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Hộ")
    for c, h in enumerate(["Mã hộ", "Họ tên chủ hộ", "Khu vực", "Số khẩu"]):
        ws.write(0, c, h)
    ws.write_row(1, 0, ["01", "A", "Nông thôn", 3])
    wb.close()
    res = cli("classify", path, "--year", "2024", "--out", tmp_path / "out")
    assert res.exit_code == 3
    assert "Thu nhập" in res.stderr or "thu_nhap" in res.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--khu-vuc", "mien_nui"], 2),
        (["--format", "pdf"], 2),
        (["--standard", "nd99-2040"], 4),
        (["--year", "2015"], 2),  # no standard covers the year: a usage error
    ],
)
def test_bad_options_exit_codes(cli, real_looking: Path, tmp_path: Path, args, code) -> None:
    res = cli("classify", real_looking, "--out", tmp_path / "o", *args)
    assert res.exit_code == code, res.stderr
    assert not (tmp_path / "o").exists()


def test_local_standard_file_overrides_national(cli, real_looking: Path, tmp_path: Path) -> None:
    local = tmp_path / "dak_lak.yaml"
    local.write_text(
        "id: nd07-2021-dak-lak\nextends: nd07-2021\nlocal_note: chuẩn cao hơn của tỉnh\n"
        "income_line:\n  nong_thon: {value: 1600000, source: 'NQ HĐND tỉnh (giả định)', "
        "certainty: U}\n",
        encoding="utf-8",
    )
    res = cli(
        "classify",
        real_looking,
        "--year",
        "2024",
        "--standard",
        local,
        "--out",
        tmp_path / "o",
        "--json",
    )
    data = res.json()
    assert data["standard"]["id"] == "nd07-2021-dak-lak"
    # 0003 earns 1.500.001 đ with 9 deprivations: poor under the province's higher line.
    assert data["counts"]["ngheo"] == 4  # 0001, 0005, 0006 as nationally, plus 0003


def test_broken_local_standard_exit_4(cli, real_looking: Path, tmp_path: Path) -> None:
    local = tmp_path / "sai.yaml"
    local.write_text("id: x\nextends: nd07-2021\nincome_line: {nong_thon: {value: -1}}\n")
    res = cli("classify", real_looking, "--standard", local, "--out", tmp_path / "o")
    assert res.exit_code == 4
    assert "sai.yaml" in res.stderr
    assert "Input should" not in res.stderr and "income_line.nong_thon.value" in res.stderr


def test_compare_with_the_2027_standard(cli, real_looking: Path, tmp_path: Path) -> None:
    res = cli(
        "classify",
        real_looking,
        "--year",
        "2026",
        "--compare",
        "nd351-2025",
        "--out",
        tmp_path / "o",
        "--json",
    )
    assert res.exit_code == 1, res.stderr
    data = res.json()
    comp = data["compare"]
    assert comp["base"] == "nd07-2021" and comp["other"] == "nd351-2025"
    # 0003: 1.500.001 đ with 9 deprivations is "trung bình" in 2026 and poor under NĐ 351.
    assert comp["matrix"]["trung_binh"] == {"ngheo": 1}
    assert comp["counts_other"]["trung_binh"] is None  # no middle band in NĐ 351
    # 0005 has only Điểm A: NĐ 351 has no scoring sheet, so it is listed, not guessed.
    assert comp["not_classified_other"] == [12]
    assert comp["assumed_not_deprived"] == ["xu_ly_rac_thai"]
    moves = openpyxl.load_workbook(tmp_path / "o" / "xa_that_so_sanh_nd351-2025.xlsx")
    text = " ".join(
        str(c.value) for row in moves["Hộ thay đổi"].iter_rows() for c in row if c.value
    )
    assert "0003" in text and "2.200.000 đ" in text


def test_read_only_output_folder_exit_3_and_message(
    cli, real_looking: Path, tmp_path: Path
) -> None:
    import os

    if os.geteuid() == 0:
        # root ignores directory permissions: use a path whose parent is a file instead.
        blocker = tmp_path / "la_tep"
        blocker.write_text("x")
        out = blocker / "ket_qua"
    else:
        out = tmp_path / "chi_doc"
        out.mkdir()
        out.chmod(0o500)
    res = cli("classify", real_looking, "--year", "2024", "--out", out)
    assert res.exit_code == 3
    assert "Không ghi được kết quả" in res.stderr and "Traceback" not in res.stderr


def test_template_and_sample_commands(cli, tmp_path: Path) -> None:
    assert cli("template", "--out", tmp_path / "mau.xlsx", "--year", "2027").exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "mau.xlsx")
    header = [c.value for c in next(wb["Hộ"].iter_rows(max_row=1))]
    assert "Xử lý rác thải" in header and "Phương tiện tiếp cận thông tin" not in header
    res = cli("sample", "--households", "50", "--messy", "--out", tmp_path / "x.xlsx")
    assert res.exit_code == 0
    run = classify_service.classify_file(tmp_path / "x.xlsx", year=2024, write=False)
    assert run.result.input_rows == 50 and len(run.result.rejected) == 0
