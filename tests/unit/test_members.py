"""prepare_members / prepare_twinnings: RawTable text → typed frames + findings with cells."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter

from ngheo_cli.core.findings import CATALOGUE, Finding
from ngheo_cli.core.members import (
    MEMBER_COLUMNS,
    MEMBER_FIELDS,
    MEMBER_REQUIRED,
    TWINNING_FIELDS,
    TWINNING_REQUIRED,
    cell_key,
    prepare_members,
    prepare_twinnings,
)
from ngheo_cli.core.table import RawTable
from ngheo_cli.core.text import column_letter
from ngheo_cli.io.read.workbook import read_table

VILLAGES = {"Buôn Jun", "Buôn Lê", "Thôn Yên Thành", "Thôn Đoàn Kết"}
FIRST_ROW = 5
MEMBER_KEYS = ["ma_dang_vien", "ho_ten", "chi_bo", "thon", "huong_luong", "gioi_tinh",
               "dan_toc", "nam_sinh", "mien", "tran_so_ho"]


def member(code: str = "00000001", **cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ma_dang_vien": code,
        "ho_ten": "Nguyễn Văn An",
        "chi_bo": "Chi bộ Buôn Jun",
        "thon": "Buôn Jun",
        "huong_luong": "",
        "gioi_tinh": "Nam",
        "dan_toc": "Kinh",
        "nam_sinh": "1975",
        "mien": "",
        "tran_so_ho": "",
    }
    row.update(cells)
    return row


def make_raw(rows: list[dict[str, Any]], columns: list[str], sheet: str = "Đảng viên") -> RawTable:
    data = {c: [r.get(c) or None for r in rows] for c in columns}
    frame = pd.DataFrame(data, index=pd.Index(range(FIRST_ROW, FIRST_ROW + len(rows))),
                         columns=columns, dtype=object).astype("str")
    return RawTable(
        source="dang_vien.xlsx",
        sheet=sheet,
        frame=frame,
        columns={c: column_letter(i) for i, c in enumerate(columns)},
        headers={},
        header_rows=(FIRST_ROW - 1,),
    )


def members_raw(rows: list[dict[str, Any]]) -> RawTable:
    return make_raw(rows, MEMBER_KEYS)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, (code, codes(findings))
    return found[0]


def test_new_codes_are_in_the_catalogue_with_vietnamese_text() -> None:
    for code in ("dv-ma-trong", "dv-ma-trung", "dv-thon-khong-co", "dv-thon-trong",
                 "dv-chi-bo-trong", "dv-danh-dau-khong-ro", "dv-tran-bang-0",
                 "dv-nam-sinh-bat-thuong", "dv-khong-co", "dv-tat-ca-mien", "kn-chi-bo-trong",
                 "kn-thon-trong", "kn-thon-khong-co", "kn-chi-bo-khong-co", "kn-trung"):
        assert code in CATALOGUE
        assert not CATALOGUE[code].template.isascii()


def test_clean_members_are_typed_and_kept() -> None:
    raw = members_raw([
        member("00000001", huong_luong="x", tran_so_ho="2"),
        member("00000002", thon="buon le", mien="có"),  # folded match → commune spelling
        member("00000003", thon="THÔN YÊN THÀNH", nam_sinh="1960.0"),
    ])
    frame, findings = prepare_members(raw, VILLAGES)
    assert findings == []
    assert list(frame.columns) == list(MEMBER_COLUMNS)
    assert list(frame.index) == [5, 6, 7]
    assert frame["thon"].tolist() == ["Buôn Jun", "Buôn Lê", "Thôn Yên Thành"]
    assert frame["huong_luong"].tolist() == [True, False, False]
    assert frame["mien"].tolist() == [False, True, False]
    assert frame["tran_so_ho"].tolist()[0] == 2 and pd.isna(frame["tran_so_ho"].iloc[1])
    assert frame["nam_sinh"].tolist()[2] == 1960
    assert frame["ma_dang_vien"].dtype == "string"


def test_duplicate_code_is_an_error_on_the_repeat_with_both_rows() -> None:
    raw = members_raw([member("00000001"), member("00000002"), member("00000001")])
    frame, findings = prepare_members(raw, VILLAGES)
    f = only(findings, "dv-ma-trung")
    assert (f.cell, f.row, f.severity) == ("'Đảng viên'!A7", 7, "error")
    assert "dòng 5" in f.message and "00000001" in f.message
    assert list(frame.index) == [5, 6]  # the first one is kept, the repeat is not


def test_blank_code_is_an_error() -> None:
    frame, findings = prepare_members(members_raw([member(""), member("2")]), VILLAGES)
    f = only(findings, "dv-ma-trong")
    assert f.cell == "'Đảng viên'!A5"
    assert list(frame.index) == [6]


def test_village_the_commune_does_not_have_is_an_error_with_a_suggestion() -> None:
    raw = members_raw([member("1", thon="Buôn Jum"), member("2", thon="Thôn Xa Lạ")])
    frame, findings = prepare_members(raw, VILLAGES)
    errors = [f for f in findings if f.code == "dv-thon-khong-co"]
    assert [f.cell for f in errors] == ["'Đảng viên'!D5", "'Đảng viên'!D6"]
    assert "Có phải là \"Buôn Jun\"?" in errors[0].message
    assert "Có phải là" not in errors[1].message
    assert "Thôn Đoàn Kết" in errors[1].message  # lists the commune's villages
    assert frame.empty
    assert "dv-khong-co" in codes(findings)  # nothing valid left: said once more


def test_blank_village_and_cell_are_warnings_and_the_row_is_kept() -> None:
    frame, findings = prepare_members(members_raw([member("1", thon="", chi_bo="")]), VILLAGES)
    assert sorted(codes(findings)) == ["dv-chi-bo-trong", "dv-thon-trong"]
    assert all(f.severity == "warning" for f in findings)
    assert only(findings, "dv-thon-trong").cell == "'Đảng viên'!D5"
    assert len(frame) == 1 and pd.isna(frame["thon"].iloc[0])


def test_bad_marks_and_numbers_point_at_their_cells() -> None:
    raw = members_raw([
        member("1", mien="hmm"),
        member("2", tran_so_ho="hai"),
        member("3", tran_so_ho="1,5"),
        member("4", tran_so_ho="-1"),
        member("5", tran_so_ho="0"),
        member("6", huong_luong="?"),
    ])
    frame, findings = prepare_members(raw, VILLAGES)
    cells = {(f.code, f.cell) for f in findings}
    assert ("dv-danh-dau-khong-ro", "'Đảng viên'!I5") in cells
    assert ("so-khong-doc-duoc", "'Đảng viên'!J6") in cells
    assert ("so-khong-nguyen", "'Đảng viên'!J7") in cells
    assert ("so-am", "'Đảng viên'!J8") in cells
    assert ("dv-tran-bang-0", "'Đảng viên'!J9") in cells
    assert ("dv-danh-dau-khong-ro", "'Đảng viên'!E10") in cells
    assert list(frame.index) == [9]  # only the cap-0 row (a warning) is kept
    assert "ví dụ 2" in only(findings, "so-khong-doc-duoc").message


def test_year_of_birth_check_needs_the_year() -> None:
    raw = members_raw([member("1", nam_sinh="2015"), member("2", nam_sinh="1890")])
    _, none = prepare_members(raw, VILLAGES)
    assert none == []
    _, findings = prepare_members(raw, VILLAGES, year=2025)
    assert codes(findings) == ["dv-nam-sinh-bat-thuong", "dv-nam-sinh-bat-thuong"]


def test_empty_list_and_all_exempt_are_said() -> None:
    _, findings = prepare_members(members_raw([]), VILLAGES)
    f = only(findings, "dv-khong-co")
    assert (f.row, f.cell) == (FIRST_ROW, "'Đảng viên'!A5")
    _, findings = prepare_members(members_raw([member("1", mien="x")]), VILLAGES)
    assert codes(findings) == ["dv-tat-ca-mien"]


def test_missing_optional_columns_get_defaults() -> None:
    raw = make_raw([{"ma_dang_vien": "1", "thon": "Buôn Lê"}], ["ma_dang_vien", "thon"])
    frame, findings = prepare_members(raw, VILLAGES)
    assert codes(findings) == ["dv-chi-bo-trong"]
    assert frame["mien"].tolist() == [False]
    assert pd.isna(frame["tran_so_ho"].iloc[0])


def test_findings_are_sorted_by_row_then_column() -> None:
    raw = members_raw([member("1", mien="?", thon="Nowhere"), member("1"), member("2")])
    frame, findings = prepare_members(raw, VILLAGES)
    assert [(f.row, f.code) for f in findings] == [
        (5, "dv-thon-khong-co"), (5, "dv-danh-dau-khong-ro"), (6, "dv-ma-trung")]
    assert list(frame.index) == [7]


# --- twinnings ---------------------------------------------------------------------------------

CELLS = {"Chi bộ Trạm Y tế xã", "Chi bộ Buôn Jun", "Chi bộ Trường THCS"}


def twin_raw(rows: list[dict[str, Any]], columns: tuple[str, ...] = ("chi_bo", "thon")) -> RawTable:
    return make_raw(rows, list(columns), sheet="Kết nghĩa")


def test_twinnings_match_cells_without_the_chi_bo_prefix() -> None:
    assert cell_key("Chi bộ Trạm Y tế xã") == cell_key("trạm y tế XÃ") == "tramytexa"
    raw = twin_raw([
        {"chi_bo": "Trạm Y tế xã", "thon": "buôn lê"},
        {"chi_bo": "Chi bộ Trường THCS", "thon": "Thôn Đoàn Kết"},
    ])
    frame, findings = prepare_twinnings(raw, VILLAGES, CELLS)
    assert findings == []
    assert frame["thon"].tolist() == ["Buôn Lê", "Thôn Đoàn Kết"]
    assert frame["chi_bo"].tolist() == ["Trạm Y tế xã", "Chi bộ Trường THCS"]


def test_twinning_problems() -> None:
    raw = twin_raw([
        {"chi_bo": "Chi bộ Trạm Y tế xã", "thon": "Buôn Lêe"},  # unknown village → error
        {"chi_bo": "Chi bộ Trạm Y tế", "thon": "Buôn Jun"},  # unknown cell → warning, kept
        {"chi_bo": "", "thon": "Buôn Jun"},  # no cell → error
        {"chi_bo": "Chi bộ Buôn Jun", "thon": ""},  # no village → error
        {"chi_bo": "Chi bộ Trường THCS", "thon": "Buôn Lê"},
        {"chi_bo": "Trường THCS", "thon": "BUÔN LÊ"},  # same twinning again → warning, dropped
    ])
    frame, findings = prepare_twinnings(raw, VILLAGES, CELLS)
    got = [(f.code, f.cell, f.severity) for f in findings]
    assert got == [
        ("kn-thon-khong-co", "'Kết nghĩa'!B5", "error"),
        ("kn-chi-bo-khong-co", "'Kết nghĩa'!A6", "warning"),
        ("kn-chi-bo-trong", "'Kết nghĩa'!A7", "error"),
        ("kn-thon-trong", "'Kết nghĩa'!B8", "error"),
        ("kn-trung", "'Kết nghĩa'!B10", "warning"),
    ]
    assert "Có phải là \"Buôn Lê\"?" in findings[0].message
    assert "Có phải là \"Chi bộ Trạm Y tế xã\"?" in findings[1].message
    assert "dòng 9" in findings[4].message
    assert list(frame.index) == [6, 9]


def test_twinning_cell_from_the_agency_column() -> None:
    raw = twin_raw([{"co_quan": "Trạm Y tế xã", "thon": "Buôn Jun"}], ("co_quan", "thon"))
    frame, findings = prepare_twinnings(raw, VILLAGES, CELLS)
    assert findings == []
    assert frame["chi_bo"].tolist() == ["Trạm Y tế xã"]


# --- through the workbook reader ---------------------------------------------------------------


def test_reader_maps_usual_headers(tmp_path: Path) -> None:
    path = tmp_path / "dang_vien.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Đảng viên")
    ws.write_row(0, 0, ["DANH SÁCH ĐẢNG VIÊN"])
    ws.write_row(2, 0, ["STT", "Mã đảng viên", "Họ và tên", "Chi bộ", "Thôn", "Hưởng lương",
                        "Năm sinh", "Miễn", "Trần số hộ"])
    ws.write_row(3, 0, ["1", "00012345", "Y Bhim Niê", "Chi bộ Buôn Jun", "Buôn Jun", "x",
                        "1970", "", "2"])
    ws.write_row(4, 0, ["2", "00012345", "H'Mai Êban", "Chi bộ Buôn Lê", "Buôn Lê", "", "1980",
                        "x", ""])
    ws2 = wb.add_worksheet("Kết nghĩa")
    ws2.write_row(0, 0, ["Chi bộ", "Thôn kết nghĩa"])
    ws2.write_row(1, 0, ["Chi bộ Buôn Lê", "Buôn Jun"])
    wb.close()
    raw = read_table(path, fields=MEMBER_FIELDS, required=MEMBER_REQUIRED, sheet="Đảng viên")
    assert {"ma_dang_vien", "ho_ten", "chi_bo", "thon", "huong_luong", "nam_sinh", "mien",
            "tran_so_ho"} <= set(raw.columns)
    frame, findings = prepare_members(raw, VILLAGES)
    f = only(findings, "dv-ma-trung")
    assert f.cell == "'Đảng viên'!B5"
    assert frame["ma_dang_vien"].tolist() == ["00012345"]  # leading zeros kept
    tw_raw = read_table(path, fields=TWINNING_FIELDS, required=TWINNING_REQUIRED, sheet="Kết nghĩa")
    tw, tw_findings = prepare_twinnings(tw_raw, VILLAGES, {"Chi bộ Buôn Lê"})
    assert tw_findings == [] and tw["thon"].tolist() == ["Buôn Jun"]


@pytest.mark.parametrize("fields", [MEMBER_FIELDS, TWINNING_FIELDS])
def test_aliases_do_not_collide_between_keys(fields: tuple[Any, ...]) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        for alias in f.folded_aliases():
            assert seen.setdefault(alias, f.key) == f.key, alias
