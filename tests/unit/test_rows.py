"""Rows of real review exports (issue 10 item 3/5): codes as Excel bends them, exact
duplicate rows, codes restarting in a district file, the recorded result, review dates,
the head's sex, completeness and Unicode forms."""

from __future__ import annotations

import unicodedata

import pytest

from ngheo_cli.core.results import classify_table
from ngheo_cli.core.validate import prepare
from ngheo_cli.io.rulesets import recorded_class_index
from tests.unit.test_validate import ND07, check_invariants, codes, household, make_raw


def test_codes_written_as_numbers_are_the_code_with_a_warning() -> None:
    raw = make_raw([household("12.0"), household("13."), household("\u00a014\u00a0")])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert list(p.households["ma_ho"]) == ["12", "13", "14"]
    assert codes(p) == ["ma-ho-da-sua"] * 2 or codes(p) == ["ma-ho-da-sua"] * 3
    assert all('"1' in f.message for f in p.findings)


def test_scientific_or_fraction_code_is_rejected() -> None:
    raw = make_raw([household("1.2E+11"), household("12.5"), household("0007")])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert codes(p) == ["ma-ho-hong", "ma-ho-hong"]
    assert list(p.rejected.index) == [5, 6]
    assert list(p.households["ma_ho"]) == ["0007"]


def test_exact_duplicate_row_is_one_household_and_one_finding() -> None:
    raw = make_raw([household("0001"), household("0002"), household("0001")])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert list(p.households.index) == [5, 6]
    assert p.rejected.empty
    assert list(p.duplicates.index) == [7]
    assert codes(p) == ["dong-lap-lai"]
    assert "dòng 5" in p.findings[0].message and p.findings[0].row == 7


def test_row_number_does_not_make_a_pasted_row_different() -> None:
    raw = make_raw(
        [household("0001", stt="1"), household("0002", stt="2"), household("0001", stt="3")]
    )
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert codes(p) == ["dong-lap-lai"] and list(p.duplicates.index) == [7]


def test_exact_duplicate_of_a_rejected_row_is_not_a_second_rejection() -> None:
    bad = household("0001", thu_nhap_binh_quan="abc")
    raw = make_raw([bad, dict(bad)])
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert list(p.rejected.index) == [5]
    assert sorted(codes(p)) == ["dong-lap-lai", "so-khong-doc-duoc"]


def test_duplicate_row_with_spaces_and_nfd_is_still_exact() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    raw = make_raw([household("0001"), household("0001", ho_ten_chu_ho=f" {nfd} ")])
    p = prepare(raw, ND07)
    assert codes(p) == ["dong-lap-lai"]


def _district(runs: list[int]) -> list[dict[str, str]]:
    rows = []
    for r, size in enumerate(runs):
        for i in range(1, size + 1):
            rows.append(household(str(i), thon=f"Thôn {r}", ho_ten_chu_ho=f"Hộ {r}-{i}"))
    return rows


def test_codes_restarting_are_said_once_with_the_run_starts() -> None:
    raw = make_raw(_district([4, 3, 5]))
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert codes(p) == ["ma-ho-bat-dau-lai"]
    f = p.findings[0]
    assert f.row == 9 and "5, 9, 12" in f.message and "Mã xã" in f.message
    assert len(p.households) == 12 and p.rejected.empty  # every household still classifies


def test_commune_column_scopes_codes() -> None:
    rows = _district([3, 3])
    for i, row in enumerate(rows):
        row["ma_xa"] = "00001" if i < 3 else "00002"
    raw = make_raw(rows)
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    assert codes(p) == []
    rows[4]["ma_xa"] = "00001"  # code 2 now twice in commune 00001, content differs
    p = prepare(make_raw(rows), ND07)
    assert codes(p) == ["ma-ho-trung"]


def test_single_repeated_code_is_a_conflict_not_a_restart() -> None:
    rows = [household(str(i), ho_ten_chu_ho=f"Hộ {i}") for i in range(1, 6)]
    rows.append(household("3", ho_ten_chu_ho="Người khác"))
    p = prepare(make_raw(rows), ND07)
    assert codes(p) == ["ma-ho-trung"]
    assert "dòng 7" in p.findings[0].message


def test_recorded_result_disagreeing_is_named_and_never_changes_the_class() -> None:
    index = recorded_class_index()
    raw = make_raw(
        [
            household("1", thu_nhap_binh_quan="1.000.000", ket_qua_ra_soat="Hộ nghèo"),
            household("2", thu_nhap_binh_quan="1.000.000", ket_qua_ra_soat="HCN"),
            household("3", thu_nhap_binh_quan="5.000.000", ket_qua_ra_soat="Hộ không nghèo"),
            household("4", thu_nhap_binh_quan="5.000.000", ket_qua_ra_soat="Hộ giàu có"),
        ]
    )
    result = classify_table(raw, ND07, 2024, recorded_index=index)
    h = result.households
    # 1.000.000 đ, no deprivation: near-poor under NĐ 07 (rural line 1.500.000)
    assert list(h["phan_loai"].astype(str)) == ["can_ngheo", "can_ngheo", "khac", "khac"]
    assert list(h["ket_qua_ra_soat"].fillna("?")) == ["ngheo", "can_ngheo", "khac", "?"]
    lech = [f for f in result.findings if f.code == "ket-qua-lech"]
    assert [(f.row, f.cell) for f in lech] == [(5, raw.cell("ket_qua_ra_soat", 5))]
    assert "Hộ nghèo" in lech[0].message and "hộ cận nghèo" in lech[0].message
    unknown = [f for f in result.findings if f.code == "ket-qua-khong-ro"]
    assert [f.row for f in unknown] == [8]
    assert len(result.rejected) == 0


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("15/10/2024", "2024-10-15"),
        ("15-10-2024", "2024-10-15"),
        ("15.10.2024", "2024-10-15"),
        ("2024-10-15", "2024-10-15"),
        ("2024-10-15 00:00:00", "2024-10-15"),
        ("45580", "2024-10-15"),
        ("15/10/24", "2024-10-15"),
        ("Ngày 15 tháng 10 năm 2024", "2024-10-15"),
        ("Ea Kly, ngày 15 tháng 10 năm 2024", "2024-10-15"),
    ],
)
def test_review_dates_in_the_formats_officers_type(text: str, iso: str) -> None:
    p = prepare(make_raw([household("1", ngay_ra_soat=text)]), ND07, year=2024)
    assert codes(p) == []
    assert list(p.households["ngay_ra_soat"]) == [iso]


def test_review_date_outside_the_year_is_a_warning() -> None:
    raw = make_raw(
        [household("1", ngay_ra_soat="15/10/2023"), household("2", ngay_ra_soat="31/02/2024")]
    )
    p = prepare(raw, ND07, year=2024)
    assert codes(p) == ["ngay-ra-soat-ngoai-nam", "ngay-ra-soat-khong-doc-duoc"]
    assert "15/10/2023" in p.findings[0].message
    assert len(p.households) == 2


def test_head_sex_is_normalised() -> None:
    rows = [household(str(i), gioi_tinh_chu_ho=v) for i, v in enumerate(["Nam", "NỮ", "nu", "x"])]
    p = prepare(make_raw(rows), ND07)
    assert list(p.households["gioi_tinh_chu_ho"].astype(object).fillna("?")) == [
        "Nam",
        "Nữ",
        "Nữ",
        "?",
    ]
    assert codes(p) == ["gioi-tinh-khong-ro"]


def test_local_ethnic_mark_is_read() -> None:
    rows = [household("1", dan_toc_tai_cho="x"), household("2", dan_toc_tai_cho="")]
    p = prepare(make_raw(rows), ND07)
    assert list(p.households["dan_toc_tai_cho"]) == [True, False]


def test_missing_columns_the_list_needs_are_said_once() -> None:
    raw = make_raw([household("1"), household("2")], drop=("thon", "so_nhan_khau"))
    p = prepare(raw, ND07)
    check_invariants(raw, p)
    missing = [f for f in p.findings if f.code == "thieu-cot"]
    assert len(missing) == 2 and all(f.row == 4 for f in missing)
    assert any("Số nhân khẩu" in f.message for f in missing)
    assert len(p.households) == 2


def test_village_in_two_unicode_forms_is_one_village() -> None:
    nfd = unicodedata.normalize("NFD", "Thôn Ẳng")
    raw = make_raw([household("1", thon="Thôn Ẳng"), household("2", thon=nfd)])
    p = prepare(raw, ND07)
    assert p.households["thon"].nunique() == 1
