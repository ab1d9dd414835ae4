"""Reader tests: every workbook is built in tmp_path by a builder below (no binary fixtures)."""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter

from ngheo_cli.core.schema import INDICATOR_FIELDS, Field
from ngheo_cli.errors import EXIT_INPUT, EXIT_RULES, InputError, RulesetError
from ngheo_cli.io.read.workbook import load_column_map, read_table

Row = Sequence[Any]

# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def build_xlsx(
    path: Path,
    sheets: dict[str, list[Row]],
    *,
    merges: Sequence[tuple[str, str, str]] = (),
    hidden: Sequence[str] = (),
) -> Path:
    """Write ``sheets`` (name → rows from A1); str cells as text, numbers as numbers.

    ``merges``: (sheet, range, text), written the way Excel stores them (text in the
    first cell, the others blank).
    """
    wb = xlsxwriter.Workbook(str(path))
    handles = {}
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        handles[name] = ws
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
    for name in hidden:  # the active sheet cannot be hidden: activate a visible one
        next(h for n, h in handles.items() if n not in hidden).activate()
        handles[name].hide()
    for name, cell_range, text in merges:
        handles[name].merge_range(cell_range, text)
    wb.close()
    return path


TITLE_ROWS: list[Row] = [
    ["UBND XÃ AN BÌNH"],
    ["DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM 2025"],
    [],
]
HEADER: Row = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Thôn", "Số nhân khẩu", "Thu nhập bình quân"]


def household(stt: int, code: str, name: str = "Nguyễn Văn An", income: Any = 1500000) -> Row:
    return [stt, code, name, "Thôn 1", 4, income]


def simple_workbook(tmp_path: Path, body: list[Row], name: str = "ds.xlsx") -> Path:
    return build_xlsx(tmp_path / name, {"Hộ": [*TITLE_ROWS, HEADER, *body]})


def reasons(table: Any) -> dict[int, str]:
    return {s.row: s.reason for s in table.skipped}


# --------------------------------------------------------------------------------------
# 1. Sheet and header row
# --------------------------------------------------------------------------------------


def test_finds_household_sheet_among_several_below_title_rows(tmp_path: Path) -> None:
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "Hướng dẫn": [["Điền mỗi hộ một dòng"], ["Mã hộ ghi dạng văn bản"]],
            "Đảng viên": [["Họ và tên", "Thôn", "Chi bộ"], ["Trần Văn Bình", "Thôn 1", "Chi bộ 1"]],
            "Hộ": [*TITLE_ROWS, HEADER, household(1, "0001"), household(2, "0002")],
        },
    )
    table = read_table(path)
    assert table.sheet == "Hộ"
    assert table.header_rows == (4,)
    assert list(table.frame.index) == [5, 6]
    assert table.columns == {
        "stt": "A",
        "ma_ho": "B",
        "ho_ten_chu_ho": "C",
        "thon": "D",
        "so_nhan_khau": "E",
        "thu_nhap_binh_quan": "F",
    }
    assert table.headers["ma_ho"] == "Mã hộ"
    assert table.cell("ma_ho", 6) == "Hộ!B6"


def test_hidden_sheet_loses_to_visible_one(tmp_path: Path) -> None:
    old = [HEADER, ["Ghi chú"], household(1, "9999")]
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {"Năm 2024": old, "Năm 2025": [HEADER[:3], ["1", "0001", "Lê Thị Hoa"]]},
        hidden=["Năm 2024"],
    )
    assert read_table(path).sheet == "Năm 2025"


def test_sheet_option_forces_a_sheet_and_ignores_case_and_accents(tmp_path: Path) -> None:
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "Hộ": [HEADER, household(1, "0001")],
            "Hộ bổ sung": [[], ["Mã hộ", "Họ và tên chủ hộ"], ["0100", "Đinh Văn Tư"]],
        },
    )
    table = read_table(path, sheet="ho bo sung")
    assert table.sheet == "Hộ bổ sung"
    assert table.frame.loc[3, "ma_ho"] == "0100"


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "xa.xlsx", {"Hộ": [HEADER], "Đảng viên": [["Họ và tên"]]})
    with pytest.raises(InputError) as info:
        read_table(path, sheet="Danh sach")
    assert "Danh sach" in info.value.message
    assert "\"Hộ\"" in (info.value.hint or "") and "\"Đảng viên\"" in (info.value.hint or "")
    assert info.value.exit_code == EXIT_INPUT


def test_data_row_under_one_row_header_is_not_taken_for_a_second_header_row(
    tmp_path: Path,
) -> None:
    # The first data row holds words that are aliases ("Buôn" → thon, "Nhân khẩu" →
    # so_nhan_khau): it must still be data, not the lower half of a two-row header.
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {"Hộ": [["Mã hộ", "Thôn", "Ghi chú"], ["0001", "Buôn", "Nhân khẩu"], ["0002", "Buôn"]]},
    )
    table = read_table(path)
    assert table.header_rows == (1,)
    assert list(table.frame.index) == [2, 3]
    assert table.frame.loc[2, "thon"] == "Buôn"


# --------------------------------------------------------------------------------------
# 2. Two-row headers with merged cells
# --------------------------------------------------------------------------------------


def test_two_row_header_with_merged_group_and_vertical_merges(tmp_path: Path) -> None:
    rows: list[Row] = [
        *TITLE_ROWS,
        [None, None, None, None, None],  # row 4: written by merges
        [None, None, None, "Bình quân", "Điểm A"],  # row 5
        ["1", "0012", "Hà Văn Dũng", 1200000, 85],
    ]
    merges = [
        ("Hộ", "A4:A5", "STT"),
        ("Hộ", "B4:B5", "Mã hộ"),
        ("Hộ", "C4:C5", "Họ và tên chủ hộ"),
        ("Hộ", "D4:E4", "Thu nhập"),
    ]
    table = read_table(build_xlsx(tmp_path / "xa.xlsx", {"Hộ": rows}, merges=merges))
    assert table.header_rows == (4, 5)
    assert table.columns["thu_nhap_binh_quan"] == "D"
    assert table.columns["diem_a"] == "E"
    assert table.headers["thu_nhap_binh_quan"] == "Thu nhập / Bình quân"
    assert table.headers["ma_ho"] == "Mã hộ"
    assert table.frame.loc[6].to_dict() == {
        "stt": "1",
        "ma_ho": "0012",
        "ho_ten_chu_ho": "Hà Văn Dũng",
        "thu_nhap_binh_quan": "1200000",
        "diem_a": "85",
    }


def test_two_row_header_with_indicator_group_over_twelve_columns(tmp_path: Path) -> None:
    indicators = INDICATOR_FIELDS[:12]
    width = 3 + len(indicators) + 1
    upper: list[Any] = [None] * width
    lower: list[Any] = [None, None, None, *(f.label for f in indicators), None]
    numbers: list[Any] = [f"({i})" for i in range(1, width + 1)]
    data: list[Any] = ["1", "0001", "Lò Văn Sáu", *(["x", None] * 6), "mới"]
    first, last = "D", chr(ord("D") + len(indicators) - 1)
    merges = [
        ("DS", "A1:A2", "STT"),
        ("DS", "B1:B2", "Mã hộ"),
        ("DS", "C1:C2", "Họ và tên chủ hộ"),
        ("DS", f"{first}1:{last}1", "Các chỉ số thiếu hụt"),
        ("DS", "P1:P2", "Ghi chú"),
    ]
    path = build_xlsx(tmp_path / "cs.xlsx", {"DS": [upper, lower, numbers, data]}, merges=merges)
    table = read_table(path)
    assert table.header_rows == (1, 2)
    assert reasons(table) == {3: "so_cot"}
    assert [table.columns[f.key] for f in indicators] == [chr(ord("D") + i) for i in range(12)]
    assert table.headers["viec_lam"] == "Các chỉ số thiếu hụt / Việc làm"
    assert table.columns["ghi_chu"] == "P"
    assert table.frame.loc[4, "viec_lam"] == "x"
    assert pd.isna(table.frame.loc[4, "nguoi_phu_thuoc"])
    assert table.unmapped == []


# --------------------------------------------------------------------------------------
# 3. Column-number row
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numbers",
    [
        ["1", "2", "3", "4", "5", "6"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        ["A", "B", "C", "D", "E", "F"],
        ["A", "B", "C", "1", "2", "3"],
        [1, 2, 3, 4, 5, 6],  # typed as numbers
    ],
)
def test_column_number_row_is_skipped(tmp_path: Path, numbers: list[Any]) -> None:
    table = read_table(simple_workbook(tmp_path, [numbers, household(1, "0001")]))
    assert reasons(table) == {5: "so_cot"}
    assert list(table.frame.index) == [6]


def test_first_household_is_not_a_column_number_row(tmp_path: Path) -> None:
    table = read_table(simple_workbook(tmp_path, [["1", "2", "Lê Văn A", "Thôn 1", "3", "4"]]))
    assert table.skipped == []
    assert list(table.frame.index) == [5]


# --------------------------------------------------------------------------------------
# 4. Blank, totals and footer rows; nothing else is dropped
# --------------------------------------------------------------------------------------


def test_blank_totals_and_footer_rows_are_skipped_but_data_is_kept(tmp_path: Path) -> None:
    body: list[Row] = [
        household(1, "0001"),  # 5
        [],  # 6
        household(2, "0002"),  # 7
        [None, None, None, None, None, None, None, None, "ghi tạm"],  # 8: outside the table
        [None, None, "Lê Thị Hoa", "Thôn 2", 3, 900000],  # 9: content, no code: kept
        ["Tổng cộng", None, None, None, 7, 2400000],  # 10
        ["Cộng thôn 1"],  # 11
        [None, "Tổng số hộ: 3"],  # 12: in the code column, still a label
        [None, None, "An Bình, ngày 15 tháng 10 năm 2025"],  # 13
        [None, "Người lập biểu", None, "Trưởng thôn", None, "Chủ tịch UBND xã"],  # 14
        [None, "(Ký, ghi rõ họ tên)"],  # 15
        [None, "Phạm Văn Nam", None, "Vũ Thị Lan"],  # 16: signers' names
        household(3, "0003"),  # 17: a household added below the footer
        ["Ghi chú: hộ 0002 mới tách"],  # 18
    ]
    table = read_table(simple_workbook(tmp_path, body))
    assert reasons(table) == {
        6: "trong",
        8: "trong",
        10: "tong_cong",
        11: "tong_cong",
        12: "tong_cong",
        13: "chu_ky",
        14: "chu_ky",
        15: "chu_ky",
        16: "chu_ky",
        18: "chu_ky",
    }
    assert list(table.frame.index) == [5, 7, 9, 17]
    assert pd.isna(table.frame.loc[9, "ma_ho"])
    assert table.frame.loc[17, "ma_ho"] == "0003"
    texts = {s.row: s.text for s in table.skipped}
    assert texts[10] == "Tổng cộng" and texts[14] == "Người lập biểu" and texts[6] == ""


def test_row_without_code_below_footer_with_numbers_is_kept(tmp_path: Path) -> None:
    body: list[Row] = [
        household(1, "0001"),
        [None, "Người lập biểu"],
        [None, None, "Đỗ Văn Hải", "Thôn 3", 5, 1100000],
    ]
    table = read_table(simple_workbook(tmp_path, body))
    assert reasons(table) == {6: "chu_ky"}
    assert list(table.frame.index) == [5, 7]


def test_household_named_like_a_keyword_is_kept(tmp_path: Path) -> None:
    body: list[Row] = [
        [1, "0001", "Tổng Văn Cộng", "Cộng Hoà", 4, 1000000],
        [None, None, "Cộng Hoà"],  # no code, first cell is a village-like name: kept
    ]
    table = read_table(simple_workbook(tmp_path, body))
    assert table.skipped == []
    assert list(table.frame.index) == [5, 6]


# --------------------------------------------------------------------------------------
# 5. Values, codes, columns
# --------------------------------------------------------------------------------------


def test_values_are_stripped_text_and_codes_keep_leading_zeros(tmp_path: Path) -> None:
    body: list[Row] = [
        [" 1 ", "\u00a00012\u00a0", "  Nguyễn Thị Ánh ", "   ", 4, 1500000],
        [2, 12, "Bùi Văn Cường", "", 3.0, 140.5],
    ]
    frame = read_table(simple_workbook(tmp_path, body)).frame
    assert frame.loc[5, "stt"] == "1"
    assert frame.loc[5, "ma_ho"] == "0012"
    assert frame.loc[5, "ho_ten_chu_ho"] == "Nguyễn Thị Ánh"
    assert pd.isna(frame.loc[5, "thon"])
    assert frame.loc[5, "thu_nhap_binh_quan"] == "1500000"
    assert frame.loc[6, "ma_ho"] == "12"  # a numeric cell: that is what the file says
    assert frame.loc[6, "so_nhan_khau"] == "3"
    assert frame.loc[6, "thu_nhap_binh_quan"] == "140.5"
    assert pd.isna(frame.loc[6, "thon"])
    assert frame.index.dtype == "int64"


def test_only_mapped_columns_duplicates_and_unknown_headers_go_to_unmapped(
    tmp_path: Path,
) -> None:
    rows: list[Row] = [
        ["Mã hộ", "Họ và tên chủ hộ", "Cột lạ", "Mã số hộ", None, "Thôn"],
        ["0001", "Lý Văn Bảy", "?", "A-01", "không tên", "Thôn 4"],
    ]
    table = read_table(build_xlsx(tmp_path / "xa.xlsx", {"Hộ": rows}))
    assert list(table.frame.columns) == ["ma_ho", "ho_ten_chu_ho", "thon"]
    assert table.columns == {"ma_ho": "A", "ho_ten_chu_ho": "B", "thon": "F"}
    assert table.unmapped[0] == "Cột lạ (cột C)"
    assert table.unmapped[1].startswith("Mã số hộ (cột D): trùng khoá ma_ho")
    assert len(table.unmapped) == 2


def test_display_name_is_the_source(tmp_path: Path) -> None:
    path = simple_workbook(tmp_path, [household(1, "0001")], name="tmp123.xlsx")
    assert read_table(path).source == "tmp123.xlsx"
    assert read_table(path, display_name="xa_an_binh.xlsx").source == "xa_an_binh.xlsx"


def test_custom_field_set_for_another_workbook(tmp_path: Path) -> None:
    fields = (
        Field("ma_dang_vien", "Mã đảng viên", "code", ("Số thẻ đảng viên",)),
        Field("ho_ten", "Họ và tên", "text"),
        Field("chi_bo", "Chi bộ", "text"),
    )
    rows: list[Row] = [["DANH SÁCH ĐẢNG VIÊN"], ["Số thẻ đảng viên", "Họ và tên", "Chi bộ"]]
    rows += [["079001", "Trần Văn Bình", "Chi bộ thôn 1"], ["Tổng cộng: 1"]]
    table = read_table(
        build_xlsx(tmp_path / "dv.xlsx", {"Đảng viên": rows}),
        fields=fields,
        required=("ma_dang_vien",),
    )
    assert table.frame.loc[3, "ma_dang_vien"] == "079001"
    assert reasons(table) == {4: "tong_cong"}


# --------------------------------------------------------------------------------------
# Column maps
# --------------------------------------------------------------------------------------


def test_column_map_adds_headers_by_key_or_label(tmp_path: Path) -> None:
    rows: list[Row] = [["Số HGĐ (mới)", "Người đứng tên"], ["0007", "Mai Văn Tám"]]
    path = build_xlsx(tmp_path / "xa.xlsx", {"Hộ": rows})
    table = read_table(
        path, column_map={"Số HGĐ (mới)": "ma_ho", "người đứng tên": "Họ và tên chủ hộ"}
    )
    assert table.columns == {"ma_ho": "A", "ho_ten_chu_ho": "B"}
    assert table.frame.loc[2, "ma_ho"] == "0007"


def test_column_map_with_unknown_key_is_a_rules_error(tmp_path: Path) -> None:
    path = simple_workbook(tmp_path, [household(1, "0001")])
    with pytest.raises(RulesetError) as info:
        read_table(path, column_map={"Mã": "ma_hoo"})
    assert "ma_hoo" in info.value.message
    assert info.value.exit_code == EXIT_RULES


def test_load_column_map_yaml(tmp_path: Path) -> None:
    path = tmp_path / "cot.yaml"
    path.write_text('"Mã số HGĐ": ma_ho\nThu nhập BQ/tháng: thu_nhap_binh_quan\n', "utf-8")
    assert load_column_map(path) == {
        "Mã số HGĐ": "ma_ho",
        "Thu nhập BQ/tháng": "thu_nhap_binh_quan",
    }


def test_load_column_map_csv_with_title_row_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "cot.csv"
    path.write_text("tiêu đề;khoá\nMã số HGĐ;ma_ho\n\nThôn, xóm;thon\n", "utf-8-sig")
    assert load_column_map(path) == {"Mã số HGĐ": "ma_ho", "Thôn, xóm": "thon"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cot.yaml", "a: [b\n"),  # syntax error
        ("cot.yaml", "- ma_ho\n- thon\n"),  # not a mapping
        ("cot.yaml", "Mã: {x: 1}\n"),  # value not a string
        ("cot.yaml", ""),  # empty
        ("cot.csv", "Mã số HGĐ\n"),  # one column
        ("cot.txt", "Mã: ma_ho\n"),  # unknown type
    ],
)
def test_load_column_map_bad_files(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(RulesetError) as info:
        load_column_map(path)
    assert "\n" not in info.value.message


def test_load_column_map_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RulesetError):
        load_column_map(tmp_path / "khong_co.yaml")


# --------------------------------------------------------------------------------------
# Unusable inputs: one-line Vietnamese message, exit 3, never a traceback
# --------------------------------------------------------------------------------------


def _input_error(path: Path, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        read_table(path, **kwargs)
    err = info.value
    assert err.exit_code == EXIT_INPUT
    assert "\n" not in err.message
    return err


def test_missing_file(tmp_path: Path) -> None:
    err = _input_error(tmp_path / "khong_co.xlsx")
    assert "Không tìm thấy tệp" in err.message


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_old_or_opendocument_format_asks_to_save_as_xlsx(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"ds{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    err = _input_error(path)
    assert "Lưu lại tệp dưới dạng .xlsx" in (err.hint or "")


def build_encrypted_lookalike(path: Path) -> Path:
    """A Compound File holding an "EncryptedPackage" stream, as Excel writes a protected xlsx."""
    directory = "EncryptionInfo".encode("utf-16-le") + b"\0" * 50
    directory += "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory + b"\0" * 512)
    return path


def test_password_protected_xlsx(tmp_path: Path) -> None:
    err = _input_error(build_encrypted_lookalike(tmp_path / "ds.xlsx"))
    assert "mật khẩu" in err.message


def test_old_xls_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "ds.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    err = _input_error(path)
    assert ".xls" in err.message and "Lưu lại" in (err.hint or "")


def build_broken_files(tmp_path: Path) -> list[Path]:
    text = tmp_path / "van_ban.xlsx"
    text.write_text("không phải excel", "utf-8")
    other_zip = tmp_path / "nen.xlsx"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("a.txt", "x")
    good = simple_workbook(tmp_path, [household(1, "0001")], name="tot.xlsx").read_bytes()
    truncated = tmp_path / "cat_do.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    empty = tmp_path / "rong.xlsx"
    empty.write_bytes(b"")
    lock = tmp_path / "~$ds.xlsx"
    lock.write_bytes(b"\x05user" + b"\0" * 160)
    return [text, other_zip, truncated, empty, lock]


def test_corrupt_files(tmp_path: Path) -> None:
    for path in build_broken_files(tmp_path):
        err = _input_error(path)
        assert "bị hỏng" in err.message, path.name


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "ds.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert "không được hỗ trợ" in _input_error(path).message


def test_no_recognisable_header(tmp_path: Path) -> None:
    path = build_xlsx(
        tmp_path / "ds.xlsx", {"A": [["Ngày", "Việc"], ["1/1", "họp"]], "B": [["xyz"]]}
    )
    err = _input_error(path)
    assert "tiêu đề" in err.message and "\"A\"" in err.message and "\"B\"" in err.message
    assert "--column-map" in (err.hint or "")


def test_missing_required_column_suggests_close_headers(tmp_path: Path) -> None:
    # "Mã hộ cũ" only resembles "Mã hộ" (a weak guess): never used, named in the error.
    rows: list[Row] = [["STT", "Mã hộ cũ", "Họ và tên chủ hộ"], ["1", "0001", "Lê Văn A"]]
    err = _input_error(build_xlsx(tmp_path / "ds.xlsx", {"Hộ": rows}))
    assert "\"ma_ho\"" in err.message and "Mã hộ" in err.message and "\"Hộ\"" in err.message
    assert "\"Mã hộ cũ\" (cột B)" in (err.hint or "")
    assert "--column-map" in (err.hint or "") and "ngheo inspect" in (err.hint or "")


def test_required_keys_are_parameterised(tmp_path: Path) -> None:
    path = simple_workbook(tmp_path, [household(1, "0001")])
    err = _input_error(path, required=("ma_ho", "diem_a"))
    assert "\"diem_a\" (Điểm A)" in err.message


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed, tone marks combining."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONE_MARKS))
        out += (base + "".join(p for p in parts if p in _TONE_MARKS)).encode("cp1258")
    return bytes(out)


def write_csv(path: Path, lines: list[str], encoding: str) -> Path:
    text = "\r\n".join(lines)
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "utf-8-sig"), (",", "utf-8"), ("\t", "cp1258")]
)
def test_csv_with_title_rows(tmp_path: Path, delimiter: str, encoding: str) -> None:
    d = delimiter
    lines = [
        "DANH SÁCH HỘ NGHÈO",
        "",
        d.join(["Mã hộ", "Họ và tên chủ hộ", "Thôn", "Thu nhập BQ"]),
        d.join(["0012", "Nguyễn Văn Ấn", "Thôn Đông", "1.500.000"]),
        "",
        d.join(["Tổng cộng", "", "", "1.500.000"]),
    ]
    table = read_table(write_csv(tmp_path / "ho.csv", lines, encoding))
    assert table.sheet == "ho"
    assert table.header_rows == (3,)
    assert table.frame.loc[4].to_dict() == {
        "ma_ho": "0012",
        "ho_ten_chu_ho": "Nguyễn Văn Ấn",
        "thon": "Thôn Đông",
        "thu_nhap_binh_quan": "1.500.000",
    }
    assert reasons(table) == {5: "trong", 6: "tong_cong"}


def test_csv_in_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "ho.csv"
    path.write_bytes(b"M\x81 h\x8d,Th\x90n\r\n0012,A\r\n")  # not UTF-8, undefined in cp1258
    assert "bảng mã" in _input_error(path).message


# --------------------------------------------------------------------------------------
# Speed and completeness on a commune-sized file
# --------------------------------------------------------------------------------------


def build_large_xlsx(path: Path, rows: int) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Hộ")
    ws.write_string(0, 0, "DANH SÁCH HỘ GIA ĐÌNH")
    header = [*HEADER, *(f.label for f in INDICATOR_FIELDS)]
    header += [f"Cột phụ {i}" for i in range(40 - len(header))]
    ws.write_row(2, 0, header)
    for r in range(rows):
        ws.write_number(3 + r, 0, r + 1)
        ws.write_string(3 + r, 1, f"{r:06d}")
        ws.write_string(3 + r, 2, "Nguyễn Văn An")
        ws.write_string(3 + r, 3, f"Thôn {r % 9 + 1}")
        ws.write_number(3 + r, 4, r % 7 + 1)
        ws.write_number(3 + r, 5, 1000000 + r)
        for c in range(6, 40):
            if (r + c) % 3 == 0:
                ws.write_string(3 + r, c, "x")
    ws.write_string(rows + 4, 0, "Tổng cộng")
    wb.close()
    return path


@pytest.mark.slow
def test_twenty_thousand_rows_read_complete(tmp_path: Path) -> None:
    # Timed in benchmarks/bench_suite_timings.py: no wall-clock assert in the suite.
    path = build_large_xlsx(tmp_path / "lon.xlsx", 20_000)
    table = read_table(path)
    assert len(table.frame) == 20_000
    assert table.frame.index[0] == 4 and table.frame.index[-1] == 20_003
    assert table.frame["ma_ho"].iloc[-1] == "019999"
    assert reasons(table) == {20_004: "trong", 20_005: "tong_cong"}
