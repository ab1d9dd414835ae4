"""prepare(): RawTable → typed households, rejected rows and findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from ngheo_cli.core.findings import CATALOGUE, Finding
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.table import RawTable
from ngheo_cli.core.text import column_letter
from ngheo_cli.core.validate import Prepared, prepare
from ngheo_cli.errors import InputError, UsageError
from ngheo_cli.io.rulesets import packaged, recorded_class_index

ND07: Ruleset = packaged()["nd07-2021"]
ND351: Ruleset = packaged()["nd351-2025"]

FIRST_ROW = 5  # Excel row of the first household (header above)
BASE_COLUMNS = ["ma_ho", "ho_ten_chu_ho", "thon", "dan_toc", "khu_vuc", "so_nhan_khau",
                "thu_nhap_binh_quan"]


def household(ma_ho: str = "0001", **cells: Any) -> dict[str, Any]:
    """A clean household: rural, 4 members, 1.200.000 đ, no deprivation."""
    row: dict[str, Any] = {
        "ma_ho": ma_ho,
        "ho_ten_chu_ho": "Nguyễn Văn An",
        "thon": "Thôn 1",
        "dan_toc": "Kinh",
        "khu_vuc": "Nông thôn",
        "so_nhan_khau": "4",
        "thu_nhap_binh_quan": "1.200.000",
    }
    row.update(cells)
    return row


def make_raw(
    rows: list[dict[str, Any]],
    ruleset: Ruleset = ND07,
    *,
    columns: list[str] | None = None,
    drop: tuple[str, ...] = (),
    first_row: int = FIRST_ROW,
    sheet: str = "Hộ",
) -> RawTable:
    """A RawTable as the reader makes it: text cells (None when blank), Excel row index."""
    if columns is None:
        columns = list(BASE_COLUMNS)
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
        for ind in ruleset.indicator_ids:
            if ind not in columns:
                columns.append(ind)
    columns = [c for c in columns if c not in drop]
    data = {c: [r.get(c) or None for r in rows] for c in columns}
    frame = pd.DataFrame(data, index=pd.Index(range(first_row, first_row + len(rows))),
                         columns=columns, dtype=object).astype("str")
    letters = {c: column_letter(i) for i, c in enumerate(columns)}
    return RawTable(
        source="xa.xlsx",
        sheet=sheet,
        frame=frame,
        columns=letters,
        headers={c: c for c in columns},
        header_rows=(first_row - 1,),
    )


def codes(prepared: Prepared) -> list[str]:
    return [f.code for f in prepared.findings]


def only(prepared: Prepared, code: str) -> Finding:
    found = [f for f in prepared.findings if f.code == code]
    assert len(found) == 1, (code, codes(prepared))
    return found[0]


def check_invariants(raw: RawTable, prepared: Prepared) -> None:
    assert prepared.input_rows == len(raw.frame)
    assert set(prepared.households.index) | set(prepared.rejected.index) | set(
        prepared.duplicates.index
    ) == set(raw.frame.index)
    assert not set(prepared.households.index) & set(prepared.rejected.index)
    error_rows = {f.row for f in prepared.findings if f.severity == "error"}
    assert error_rows == set(prepared.rejected.index)
    cells = [(f.row, f.column, f.code) for f in prepared.findings]
    assert len(set(cells)) == len(cells)  # one finding per cell and code


# --- a clean table ----------------------------------------------------------------------------


def test_clean_household_is_typed() -> None:
    raw = make_raw([
        household("0012", viec_lam="x", nha_tieu="có", nguon_nuoc="✓"),
        household("0013", dan_toc="Ê Đê", khu_vuc="Thành thị", so_nhan_khau="4.0",
                  thu_nhap_binh_quan="2,1 triệu"),
    ])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert p.findings == []
    h = p.households
    assert list(h.index) == [5, 6]
    assert h.loc[5, "ma_ho"] == "0012"  # leading zeros kept
    assert str(h["ma_ho"].dtype) == "string"
    assert h["so_nhan_khau"].dtype == "Int64" and h.loc[6, "so_nhan_khau"] == 4
    assert h["thu_nhap_binh_quan"].dtype == "float64"
    assert h.loc[6, "thu_nhap_binh_quan"] == 2_100_000.0
    assert h["khu_vuc"].tolist() == ["nong_thon", "thanh_thi"]
    for ind in ND07.indicator_ids:
        assert h[ind].dtype == bool
    assert h.loc[5, ["viec_lam", "nha_tieu", "nguon_nuoc", "dinh_duong"]].tolist() == [
        True, True, True, False
    ]
    assert h["co_chi_so"].dtype == bool and h["co_chi_so"].all()
    assert h["is_dtts"].dtype == "boolean" and h["is_dtts"].tolist() == [False, True]
    assert p.indicator_source["mark"] == list(ND07.indicator_ids)
    assert p.indicator_source["missing"] == []
    assert p.rejected.empty


def test_empty_table() -> None:
    raw = make_raw([])
    p = prepare(raw, ND07)
    assert p.input_rows == 0 and p.findings == [] and p.households.empty


def test_no_dan_toc_column_gives_unknown_ethnicity() -> None:
    p = prepare(make_raw([household()], drop=("dan_toc",)), ND07)
    assert p.households["is_dtts"].isna().all()


# --- every finding code fires, on the right cell ----------------------------------------------

CASES: list[tuple[str, dict[str, Any], str | None, dict[str, Any]]] = [
    # (code, cells of the one household, column of the finding, prepare() options)
    ("ma-ho-trong", {"ma_ho": ""}, "ma_ho", {}),
    ("so-khong-doc-duoc", {"thu_nhap_binh_quan": "một triệu"}, "thu_nhap_binh_quan", {}),
    ("vuot-gioi-han", {"so_nhan_khau": "1000000000000"}, "so_nhan_khau", {}),
    ("so-qua-lon", {"thu_nhap_binh_quan": "1e308"}, "thu_nhap_binh_quan", {}),
    ("so-am", {"thu_nhap_binh_quan": "-1.000.000"}, "thu_nhap_binh_quan", {}),
    ("so-mo-ho", {"thu_nhap_binh_quan": "1,5"}, "thu_nhap_binh_quan", {}),
    ("so-khong-nguyen", {"so_nhan_khau": "4,5"}, "so_nhan_khau", {}),
    ("nhan-khau-khong-hop-le", {"so_nhan_khau": "0"}, "so_nhan_khau", {}),
    ("nhan-khau-bat-thuong", {"so_nhan_khau": "31"}, "so_nhan_khau", {}),
    ("thu-nhap-bat-thuong", {"thu_nhap_binh_quan": "50.000"}, "thu_nhap_binh_quan", {}),
    ("diem-ngoai-khoang", {"thu_nhap_binh_quan": "", "diem_a": "1001"}, "diem_a", {}),
    ("diem-b-khong-chan", {"viec_lam": "", "diem_b": "25"}, "diem_b", {}),
    ("dien-tich-bat-thuong", {"dien_tich_binh_quan": "0"}, "dien_tich_binh_quan", {}),
    ("phu-thuoc-vuot-nhan-khau", {"so_nguoi_phu_thuoc": "5"}, "so_nguoi_phu_thuoc", {}),
    ("danh-dau-khong-ro", {"dinh_duong": "?"}, "dinh_duong", {}),
    ("khu-vuc-khong-ro", {"khu_vuc": "Đặc khu"}, "khu_vuc", {}),
    ("khu-vuc-trong", {"khu_vuc": ""}, "khu_vuc", {}),
    ("thieu-thu-nhap", {"thu_nhap_binh_quan": "", "diem_a": ""}, "thu_nhap_binh_quan", {}),
    ("thieu-chi-so", {"diem_b": "", "dien_tich_binh_quan": ""}, "diem_b", {}),
    ("diem-b-lech", {"viec_lam": "x", "diem_b": "30"}, "diem_b", {}),
    ("tuyen-lech", {"thu_nhap_binh_quan": "1.000.000", "diem_a": "200"}, "diem_a", {}),
    ("chi-so-lech-so-do", {"dien_tich_binh_quan": "6", "dien_tich_nha_o": "0"},
     "dien_tich_nha_o", {}),
    ("ma-ho-da-sua", {"ma_ho": "12.0"}, "ma_ho", {}),
    ("ma-ho-hong", {"ma_ho": "1.2E+11"}, "ma_ho", {}),
    ("ho-ten-trong", {"ho_ten_chu_ho": ""}, "ho_ten_chu_ho", {}),
    ("thon-trong", {"thon": ""}, "thon", {}),
    ("nhan-khau-trong", {"so_nhan_khau": ""}, "so_nhan_khau", {}),
    ("ket-qua-khong-ro", {"ket_qua_ra_soat": "Hộ chưa rõ"}, "ket_qua_ra_soat",
     {"recorded_index": recorded_class_index()}),
    ("ngay-ra-soat-khong-doc-duoc", {"ngay_ra_soat": "hôm qua"}, "ngay_ra_soat", {"year": 2024}),
    ("ngay-ra-soat-ngoai-nam", {"ngay_ra_soat": "15/10/2023"}, "ngay_ra_soat", {"year": 2024}),
    ("gioi-tinh-khong-ro", {"gioi_tinh_chu_ho": "?"}, "gioi_tinh_chu_ho", {}),
]
# Codes about several rows or the whole sheet, tested on their own (test_rows.py).
MULTI_ROW_CODES = {
    "ma-ho-trung", "dong-lap-lai", "ma-ho-bat-dau-lai", "thieu-cot", "ket-qua-lech",
    "sheet-khong-doc",
}


def _case_raw(code: str, cells: dict[str, Any]) -> RawTable:
    if code == "ma-ho-trung":
        raise AssertionError
    if code == "thieu-chi-so":
        # Điểm B column present (so the file is usable) but the mark column of one indicator
        # is missing and this row has neither its measure nor Điểm B.
        return make_raw([household(**cells)], drop=("dien_tich_nha_o",))
    return make_raw([household(**cells)])


# Findings of other tables (party members "dv-", twinnings "kn-", support records "ht-")
# are tested beside their own validators.
OTHER_TABLES = ("dv-", "kn-", "ht-", "ds-")  # ds-: recognised lists (core.recognised)


# Cells the reader could not use (Excel error values, formulas never calculated) are
# tested with real workbooks in tests/unit/test_hostile_input.py.
READER_CODES = frozenset({"o-loi-excel", "cong-thuc-chua-tinh", "con-loi-khac"})


def test_every_household_code_is_covered() -> None:
    household_codes = {
        c for c in CATALOGUE if not c.startswith(OTHER_TABLES) and c not in READER_CODES
    }
    assert {c[0] for c in CASES} | MULTI_ROW_CODES == household_codes


@pytest.mark.parametrize(("code", "cells", "column", "options"), CASES, ids=[c[0] for c in CASES])
def test_each_code_fires_on_its_cell(
    code: str, cells: dict[str, Any], column: str | None, options: dict[str, Any]
) -> None:
    raw = _case_raw(code, cells)
    p = prepare(raw, ND07, **options)
    check_invariants(raw, p)
    assert codes(p) == [code], p.findings
    f = p.findings[0]
    assert f.column == column
    assert f.row == FIRST_ROW
    assert f.sheet == "Hộ"
    letter = raw.columns[column] if column else "A"
    assert f.cell == f"Hộ!{letter}{FIRST_ROW}" == raw.cell(column, FIRST_ROW)
    assert f.severity == CATALOGUE[code].severity
    assert f.message and "{" not in f.message
    expected_ma_ho = cells.get("ma_ho", "0001") or None
    assert f.ma_ho == expected_ma_ho
    if f.severity == "error":
        assert list(p.rejected.index) == [FIRST_ROW] and p.households.empty
    else:
        assert list(p.households.index) == [FIRST_ROW] and p.rejected.empty


def test_duplicates_keep_the_first_and_name_it() -> None:
    raw = make_raw([household("0001"), household("0002"), household("0001", thon="Thôn 2"),
                    household("1"), household("0001", thon="Thôn 3")])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    dups = [f for f in p.findings if f.code == "ma-ho-trung"]
    assert [f.row for f in dups] == [7, 9]
    assert all("dòng 5" in f.message for f in dups)
    assert [f.cell for f in dups] == ["Hộ!A7", "Hộ!A9"]
    assert list(p.households.index) == [5, 6, 8]  # "1" is not "0001"
    assert list(p.rejected.index) == [7, 9]


def test_duplicate_is_rejected_even_if_the_first_is_rejected() -> None:
    raw = make_raw([household("0001", thu_nhap_binh_quan="abc"), household("0001")])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert sorted(codes(p)) == ["ma-ho-trung", "so-khong-doc-duoc"]
    assert p.households.empty


def test_three_errors_in_one_row_give_three_findings() -> None:
    raw = make_raw([household("", so_nhan_khau="abc", viec_lam="?")])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert codes(p) == ["ma-ho-trong", "so-khong-doc-duoc", "danh-dau-khong-ro"]
    assert [f.cell for f in p.findings] == [
        raw.cell("ma_ho", 5), raw.cell("so_nhan_khau", 5), raw.cell("viec_lam", 5)
    ]


def test_every_cell_is_checked_in_one_pass() -> None:
    raw = make_raw([
        household("A", viec_lam="?", dinh_duong="??", nha_tieu="xx", khu_vuc="?"),
        household("B", so_nhan_khau="0", thu_nhap_binh_quan="-5", so_nguoi_phu_thuoc="-1"),
        household("C"),
    ])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert [(f.row, f.code) for f in p.findings] == [
        (5, "khu-vuc-khong-ro"),
        (5, "danh-dau-khong-ro"),
        (5, "danh-dau-khong-ro"),
        (5, "danh-dau-khong-ro"),
        (6, "nhan-khau-khong-hop-le"),
        (6, "so-am"),
        (6, "so-am"),
    ]
    assert list(p.households.index) == [7]


def test_findings_are_sorted_by_row_column_code() -> None:
    raw = make_raw([household("A"), household("", diem_b="35", viec_lam="")])
    p = prepare(raw, ND07)
    keys = [(f.row, raw.columns[f.column] if f.column else "", f.code) for f in p.findings]
    assert keys == sorted(keys, key=lambda k: (k[0], (len(k[1]), k[1]), k[2]))
    assert codes(p) == ["ma-ho-trong", "diem-b-khong-chan"]


def test_warnings_keep_the_row() -> None:
    raw = make_raw([household(thu_nhap_binh_quan="60.000.000", so_nhan_khau="35")])
    p = prepare(raw, ND07)
    assert sorted(codes(p)) == ["nhan-khau-bat-thuong", "thu-nhap-bat-thuong"]
    assert len(p.households) == 1 and p.rejected.empty


def test_zero_income_is_plausible() -> None:
    p = prepare(make_raw([household(thu_nhap_binh_quan="0")]), ND07)
    assert p.findings == [] and p.households["thu_nhap_binh_quan"].iloc[0] == 0.0


def test_rejected_rows_are_raw_text() -> None:
    raw = make_raw([household("0007", so_nhan_khau="4,5")])
    p = prepare(raw, ND07)
    assert p.rejected.loc[5, "so_nhan_khau"] == "4,5"
    assert p.rejected.loc[5, "ma_ho"] == "0007"


def test_income_message_uses_the_header_found() -> None:
    raw = make_raw([household(thu_nhap_binh_quan="abc")])
    raw.headers["thu_nhap_binh_quan"] = "Thu nhập BQ"
    f = only(prepare(raw, ND07), "so-khong-doc-duoc")
    assert "Thu nhập BQ" in f.message and "1.500.000" in f.message


# --- input_rows == accepted + rejected, always -------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_input_rows_invariant_on_messy_tables(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pick = lambda options: options[rng.integers(len(options))]  # noqa: E731
    rows = [
        household(
            pick(["0001", "0002", "", "0003", f"{i:04d}"]),
            khu_vuc=pick(["NT", "TT", "", "?", "Phường 1"]),
            so_nhan_khau=pick(["4", "0", "4.5", "", "40", "x"]),
            thu_nhap_binh_quan=pick(["1.500.000", "1,5", "", "abc", "-3", "0", "2 triệu"]),
            diem_a=pick(["", "140", "2000", "a"]),
            diem_b=pick(["", "30", "35", "200"]),
            viec_lam=pick(["", "x", "?", "0"]),
            dien_tich_binh_quan=pick(["", "8", "7,9", "-1", "z"]),
            so_nguoi_phu_thuoc=pick(["", "2", "3", "9"]),
        )
        for i in range(60)
    ]
    raw = make_raw(rows)
    p = prepare(raw, ND07, area=pick([None, "nong_thon"]))
    check_invariants(raw, p)


# --- file-level problems ----------------------------------------------------------------------


def test_no_income_and_no_score_a_is_an_input_error() -> None:
    raw = make_raw([household()], drop=("thu_nhap_binh_quan",))
    with pytest.raises(InputError) as info:
        prepare(raw, ND07)
    assert "Thu nhập bình quân" in str(info.value) and "Điểm A" in str(info.value)


def test_score_a_alone_is_enough_under_nd07() -> None:
    raw = make_raw([household(diem_a="120")], drop=("thu_nhap_binh_quan",))
    p = prepare(raw, ND07)
    assert p.findings == [] and p.households["diem_a"].iloc[0] == 120.0


def test_score_a_is_unusable_under_nd351() -> None:
    raw = make_raw([household(diem_a="120")], ruleset=ND351, drop=("thu_nhap_binh_quan",))
    with pytest.raises(InputError) as info:
        prepare(raw, ND351)
    assert "Điểm A" in str(info.value) and "nd351-2025" in str(info.value)


def test_missing_indicator_columns_are_named() -> None:
    raw = make_raw([household()], drop=("viec_lam", "nha_tieu"))
    with pytest.raises(InputError) as info:
        prepare(raw, ND07)
    message = str(info.value)
    assert "«Việc làm»" in message and "«Nhà tiêu hợp vệ sinh»" in message
    assert "Dinh dưỡng" not in message


def test_score_b_replaces_missing_indicator_columns() -> None:
    raw = make_raw([household(diem_b="30")], columns=BASE_COLUMNS + ["diem_b"])
    p = prepare(raw, ND07)
    assert p.findings == []
    assert not p.households["co_chi_so"].iloc[0]
    assert p.households["diem_b"].iloc[0] == 30.0
    assert p.indicator_source["diem_b"] is True
    assert p.indicator_source["missing"] == list(ND07.indicator_ids)


def test_score_b_is_unusable_under_nd351() -> None:
    raw = make_raw([household(diem_b="30")], ND351, columns=BASE_COLUMNS + ["diem_b"])
    with pytest.raises(InputError) as info:
        prepare(raw, ND351)
    assert "Điểm B" in str(info.value) and "Việc làm" in str(info.value)


def test_score_columns_are_ignored_under_nd351_when_marks_exist() -> None:
    raw = make_raw([household(diem_b="35", diem_a="9999")], ND351)
    p = prepare(raw, ND351)
    assert p.findings == []
    assert "diem_b" not in p.households.columns and "diem_a" not in p.households.columns
    assert set(p.ignored) == {"diem_a", "diem_b"}


def test_indicator_of_another_standard_is_ignored() -> None:
    raw = make_raw([household(xu_ly_rac_thai="???")], ND07)
    p = prepare(raw, ND07)
    assert p.findings == [] and "xu_ly_rac_thai" in p.ignored
    assert "xu_ly_rac_thai" not in p.households.columns


def test_what_if_mode_counts_missing_indicators_as_not_deprived() -> None:
    raw = make_raw([household(viec_lam="x")], ND351, drop=("xu_ly_rac_thai", "nha_tieu"))
    with pytest.raises(InputError):
        prepare(raw, ND351)
    p = prepare(raw, ND351, missing_indicators="not_deprived")
    assert p.findings == []
    h = p.households
    assert h["co_chi_so"].iloc[0] and h["viec_lam"].iloc[0]
    assert not h["xu_ly_rac_thai"].iloc[0] and not h["nha_tieu"].iloc[0]
    assert p.indicator_source["missing"] == ["nha_tieu", "xu_ly_rac_thai"]
    assert p.indicator_source["assumed_not_deprived"] == ["nha_tieu", "xu_ly_rac_thai"]


def test_no_area_column_needs_an_area() -> None:
    raw = make_raw([household()], drop=("khu_vuc",))
    with pytest.raises(InputError) as info:
        prepare(raw, ND07)
    assert "Khu vực" in str(info.value)
    p = prepare(raw, ND07, area="thanh_thi")
    assert p.households["khu_vuc"].tolist() == ["thanh_thi"]


def test_all_file_problems_are_named_at_once() -> None:
    raw = make_raw([household()], columns=["ma_ho", "so_nhan_khau"])
    with pytest.raises(InputError) as info:
        prepare(raw, ND07)
    message = str(info.value)
    assert "Thu nhập bình quân" in message and "Việc làm" in message and "Khu vực" in message


def test_blank_area_falls_back_to_the_run_area() -> None:
    raw = make_raw([household(khu_vuc=""), household("0002", khu_vuc="TT")])
    p = prepare(raw, ND07, area="nông thôn")
    assert p.findings == []
    assert p.households["khu_vuc"].tolist() == ["nong_thon", "thanh_thi"]


def test_bad_run_area_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        prepare(make_raw([household()]), ND07, area="đặc khu")


# --- measures decide, marks are checked against them ------------------------------------------


@pytest.mark.parametrize(
    ("area", "deprived"),
    [("8", False), ("8,0", False), ("7,99", True), ("7.9", True), ("12", False), ("0.5", True)],
)
def test_living_area_below_8_is_deprived(area: str, deprived: bool) -> None:
    p = prepare(make_raw([household(dien_tich_binh_quan=area)]), ND07)
    assert bool(p.households["dien_tich_nha_o"].iloc[0]) is deprived
    assert "dien_tich_nha_o" in p.indicator_source["measure"]


@pytest.mark.parametrize(
    ("dependants", "members", "deprived"),
    [("2", "4", False), ("3", "6", False), ("3", "5", True), ("1", "1", True), ("0", "3", False)],
)
def test_dependants_above_half_is_deprived(dependants: str, members: str, deprived: bool) -> None:
    raw = make_raw([household(so_nguoi_phu_thuoc=dependants, so_nhan_khau=members)])
    p = prepare(raw, ND07)
    assert p.findings == []
    assert bool(p.households["nguoi_phu_thuoc"].iloc[0]) is deprived


def test_measure_beats_a_disagreeing_mark_with_a_warning() -> None:
    raw = make_raw([
        household("0001", dien_tich_binh_quan="6", dien_tich_nha_o=""),
        household("0002", dien_tich_binh_quan="8", dien_tich_nha_o="x"),
        household("0003", dien_tich_binh_quan="", dien_tich_nha_o="x"),
        household("0004", dien_tich_binh_quan="20", dien_tich_nha_o="0"),
    ])
    p = prepare(raw, ND07)
    lech = [f for f in p.findings if f.code == "chi-so-lech-so-do"]
    assert [f.row for f in lech] == [5, 6]
    assert all(f.cell == raw.cell("dien_tich_nha_o", f.row) for f in lech)
    assert p.households["dien_tich_nha_o"].tolist() == [True, False, True, False]


def test_mark_column_all_blank_is_not_a_disagreement() -> None:
    raw = make_raw([household(dien_tich_binh_quan="6")])
    p = prepare(raw, ND07)
    assert p.findings == [] and bool(p.households["dien_tich_nha_o"].iloc[0])


def test_measure_without_mark_column_counts_as_the_indicator() -> None:
    raw = make_raw([household(dien_tich_binh_quan="6")], drop=("dien_tich_nha_o",))
    p = prepare(raw, ND07)
    assert p.findings == [] and bool(p.households["dien_tich_nha_o"].iloc[0])
    assert p.indicator_source["missing"] == []


# --- the score route and its cross-checks ------------------------------------------------------


def test_score_b_only_row_is_decided_by_score_b() -> None:
    raw = make_raw([household("0001", diem_b="30"), household("0002", viec_lam="x", diem_b="")])
    p = prepare(raw, ND07)
    assert p.findings == []
    assert p.households["co_chi_so"].tolist() == [False, True]
    assert not p.households.loc[5, list(ND07.indicator_ids)].any()


def test_score_b_disagreeing_with_marks_warns_and_marks_win() -> None:
    raw = make_raw([household(viec_lam="x", dinh_duong="x", diem_b="30"),
                    household("0002", viec_lam="x", dinh_duong="x", diem_b="20")])
    p = prepare(raw, ND07)
    f = only(p, "diem-b-lech")
    assert f.row == 5 and "2 chỉ số thiếu hụt" in f.message and "20 điểm" in f.message
    assert p.households["co_chi_so"].all()


def test_score_b_range() -> None:
    raw = make_raw([household(viec_lam="", diem_b="130")])
    p = prepare(raw, ND07)
    assert codes(p) == ["diem-ngoai-khoang"]
    assert "0–120" in p.findings[0].message


def test_score_values_are_plain_decimals() -> None:
    raw = make_raw([household(thu_nhap_binh_quan="", diem_a="140,5")])
    p = prepare(raw, ND07)
    assert p.findings == [] and p.households["diem_a"].iloc[0] == 140.5


@pytest.mark.parametrize(
    ("income", "score_a", "area", "warn"),
    [
        ("1.500.000", "140", "NT", False),  # both exactly on the line
        ("1.500.001", "141", "NT", False),
        ("1.500.000", "141", "NT", True),
        ("1.600.000", "140", "NT", True),
        ("1.900.000", "170", "TT", False),  # urban line 2.000.000 / 175
        ("1.900.000", "180", "TT", True),
    ],
)
def test_income_and_score_a_on_different_sides(
    income: str, score_a: str, area: str, warn: bool
) -> None:
    raw = make_raw([household(thu_nhap_binh_quan=income, diem_a=score_a, khu_vuc=area)])
    p = prepare(raw, ND07)
    assert codes(p) == (["tuyen-lech"] if warn else [])


def test_thieu_chi_so_names_the_undetermined_indicators() -> None:
    raw = make_raw([household(diem_b="")], drop=("viec_lam", "nha_tieu"))
    f = only(prepare(raw, ND07), "thieu-chi-so")
    assert "«Việc làm»" in f.message and "«Nhà tiêu hợp vệ sinh»" in f.message


def test_other_mark_columns_are_parsed() -> None:
    raw = make_raw([household(co_nguoi_co_cong="x"), household("0002", co_nguoi_co_cong="?")])
    p = prepare(raw, ND07)
    assert codes(p) == ["danh-dau-khong-ro"]
    assert p.households["co_nguoi_co_cong"].tolist() == [True]


def test_sheet_names_with_spaces_are_quoted() -> None:
    raw = make_raw([household("")], sheet="Danh sách hộ")
    assert only(prepare(raw, ND07), "ma-ho-trong").cell == "'Danh sách hộ'!A5"


def test_unsorted_index_is_handled() -> None:
    raw = make_raw([household("0001"), household("0001", thon="Thôn 2")])
    raw.frame = raw.frame.iloc[::-1]
    p = prepare(raw, ND07)
    assert only(p, "ma-ho-trung").row == 6
    check_invariants(raw, p)


# --- speed ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_hundred_thousand_rows_validate() -> None:
    # Timed in benchmarks/bench_suite_timings.py: no wall-clock assert in the suite.
    n = 100_000
    rng = np.random.default_rng(0)
    columns: dict[str, Any] = {
        "ma_ho": [f"{i:06d}" for i in range(n)],
        "ho_ten_chu_ho": ["Nguyễn Văn An"] * n,
        "thon": rng.choice(["Thôn 1", "Buôn Ea", "Tổ 3"], n),
        "dan_toc": rng.choice(["Kinh", "Ê Đê", "Gia Rai"], n),
        "khu_vuc": rng.choice(["Nông thôn", "Thành thị"], n),
        "so_nhan_khau": rng.integers(2, 9, n).astype(str),
        "so_nguoi_phu_thuoc": np.ones(n, dtype=int).astype(str),
        "thu_nhap_binh_quan": [f"{v:,}".replace(",", ".") for v in rng.integers(2, 50, n) * 10**5],
        "dien_tich_binh_quan": np.round(rng.uniform(8, 40, n), 1).astype(str),
    }
    for ind in ND07.indicator_ids:
        columns[ind] = rng.choice(["x", None, None, None], n)
    columns["nguoi_phu_thuoc"] = None
    columns["dien_tich_nha_o"] = None
    frame = pd.DataFrame(columns, index=np.arange(5, n + 5)).astype("str")
    raw = RawTable("x.xlsx", "Hộ", frame, {c: column_letter(i) for i, c in enumerate(frame)},
                   {c: c for c in frame}, (4,))
    p = prepare(raw, ND07)
    assert p.input_rows == n and len(p.households) == n
