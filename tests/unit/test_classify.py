"""The law's rules, boundaries included, from the text of NĐ 07/2021 Điều 3, TT 07/2021
(Phiếu B) and NĐ 351/2025 (standards.md §2–3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ngheo_cli.core.classify import classify
from ngheo_cli.core.explain import deprivation_names, reasons
from ngheo_cli.io.rulesets import resolve

ND07 = resolve(2024)
ND351 = resolve(2027)


def household(
    ruleset=ND07,
    *,
    income: float | None = None,
    area: str = "nong_thon",
    deprived: int | None = None,
    diem_a: float | None = None,
    diem_b: float | None = None,
) -> pd.DataFrame:
    """One typed household with the first ``deprived`` indicators marked."""
    row: dict[str, object] = {"ma_ho": "001", "khu_vuc": area}
    if income is not None:
        row["thu_nhap_binh_quan"] = float(income)
    if diem_a is not None:
        row["diem_a"] = float(diem_a)
    if diem_b is not None:
        row["diem_b"] = float(diem_b)
    row["co_chi_so"] = deprived is not None
    for j, ind in enumerate(ruleset.indicator_ids):
        row[ind] = deprived is not None and j < deprived
    return pd.DataFrame([row])


def cls(frame: pd.DataFrame, ruleset=ND07) -> str:
    return str(classify(frame, ruleset)["phan_loai"].iloc[0])


# --- NĐ 07/2021: income route ------------------------------------------------------------
@pytest.mark.parametrize(
    ("income", "deprived", "expected"),
    [
        (1_500_000, 3, "ngheo"),  # exactly on the line, exactly 3 deprivations
        (1_500_000, 2, "can_ngheo"),  # on the line, one short of 3
        (1_500_001, 12, "trung_binh"),  # above the line: never poor, however deprived
        (0, 0, "can_ngheo"),
        (2_250_000, 0, "trung_binh"),  # exactly the middle band's upper bound
        (2_250_001, 0, "khac"),
        (1_499_999, 3, "ngheo"),
    ],
)
def test_nd07_rural_income_boundaries(income: int, deprived: int, expected: str) -> None:
    assert cls(household(income=income, deprived=deprived)) == expected


@pytest.mark.parametrize(
    ("income", "deprived", "expected"),
    [
        (2_000_000, 3, "ngheo"),
        (2_000_000, 2, "can_ngheo"),
        (2_000_001, 5, "trung_binh"),
        (3_000_000, 0, "trung_binh"),
        (3_000_001, 0, "khac"),
        (1_500_001, 3, "ngheo"),  # above the rural line but below the urban one
    ],
)
def test_nd07_urban_income_boundaries(income: int, deprived: int, expected: str) -> None:
    assert cls(household(income=income, deprived=deprived, area="thanh_thi")) == expected


# --- NĐ 07/2021: scoring route (TT 07/2021 Phiếu B) ---------------------------------------
@pytest.mark.parametrize(
    ("area", "diem_a", "diem_b", "expected"),
    [
        ("nong_thon", 140, 30, "ngheo"),  # A ≤ 140 and B ≥ 30
        ("nong_thon", 140, 20, "can_ngheo"),
        ("nong_thon", 140.5, 60, "tren_chuan"),  # above: middle band cannot be told from score
        ("thanh_thi", 175, 30, "ngheo"),
        ("thanh_thi", 175, 20, "can_ngheo"),
        ("thanh_thi", 176, 30, "tren_chuan"),
        ("nong_thon", 0, 0, "can_ngheo"),
    ],
)
def test_nd07_score_route(area: str, diem_a: float, diem_b: float, expected: str) -> None:
    frame = household(diem_a=diem_a, diem_b=diem_b, area=area)
    result = classify(frame, ND07)
    assert result["phan_loai"].iloc[0] == expected
    assert result["tuyen"].iloc[0] == "diem_a"
    assert result["nguon_thieu_hut"].iloc[0] == "diem_b"
    assert result["so_thieu_hut"].iloc[0] == diem_b // 10


def test_income_decides_when_both_routes_present() -> None:
    frame = household(income=1_600_000, diem_a=120, deprived=4)
    result = classify(frame, ND07)
    assert result["tuyen"].iloc[0] == "thu_nhap"
    assert result["phan_loai"].iloc[0] == "trung_binh"


def test_marks_decide_over_diem_b_when_both_present() -> None:
    frame = household(income=1_000_000, deprived=2, diem_b=50)
    assert cls(frame) == "can_ngheo"


# --- the 2026 / 2027 switch -----------------------------------------------------------------
def test_year_picks_standard() -> None:
    assert resolve(2022).id == "nd07-2021"
    assert resolve(2026).id == "nd07-2021"  # transitional rule of NĐ 351/2025
    assert resolve(2027).id == "nd351-2025"
    assert resolve(2030).id == "nd351-2025"


@pytest.mark.parametrize(
    ("income", "area", "deprived", "expected_07", "expected_351"),
    [
        (1_800_000, "nong_thon", 3, "trung_binh", "ngheo"),
        (2_200_000, "nong_thon", 3, "trung_binh", "ngheo"),  # exactly the new rural line
        (2_200_001, "nong_thon", 3, "trung_binh", "khac"),
        (2_250_001, "nong_thon", 3, "khac", "khac"),
        (2_800_000, "thanh_thi", 1, "trung_binh", "can_ngheo"),
        (2_800_001, "thanh_thi", 1, "trung_binh", "khac"),
    ],
)
def test_same_household_2026_vs_2027(
    income: int, area: str, deprived: int, expected_07: str, expected_351: str
) -> None:
    assert cls(household(ND07, income=income, area=area, deprived=deprived), ND07) == expected_07
    frame = household(ND351, income=income, area=area, deprived=deprived)
    assert cls(frame, ND351) == expected_351


def test_nd351_has_no_middle_band_and_says_so() -> None:
    frame = household(ND351, income=2_300_000, deprived=0)
    result = classify(frame, ND351)
    assert result["phan_loai"].iloc[0] == "khac"
    assert "không quy định mức sống trung bình" in reasons(result, ND351).iloc[0]


def test_nd351_indicators_replace_information_access_with_waste() -> None:
    assert "tiep_can_thong_tin" not in ND351.indicator_ids
    assert "xu_ly_rac_thai" in ND351.indicator_ids
    assert len(ND351.indicator_ids) == 12 and len(ND07.indicator_ids) == 12


# --- reasons -----------------------------------------------------------------------------
def test_reasons_name_the_deprivations_and_the_gap() -> None:
    result = classify(household(income=1_200_000, deprived=3), ND07)
    names = deprivation_names(result, ND07).iloc[0]
    assert names.split("; ") == [ND07.indicators[j].name for j in range(3)]
    text = reasons(result, ND07).iloc[0]
    assert "1.200.000 đ" in text and "1.500.000 đ" in text and "3 chỉ số" in text
    assert result["chenh_lech"].iloc[0] == -300_000


# --- properties ----------------------------------------------------------------------------
RANK = {"ngheo": 0, "can_ngheo": 1, "trung_binh": 2, "tren_chuan": 2, "khac": 3}


def _frame(incomes: list[int], counts: list[int], area: str) -> pd.DataFrame:
    n = len(incomes)
    data: dict[str, object] = {
        "khu_vuc": [area] * n,
        "thu_nhap_binh_quan": np.asarray(incomes, float),
        "co_chi_so": [True] * n,
    }
    for j, ind in enumerate(ND07.indicator_ids):
        data[ind] = [c > j for c in counts]
    return pd.DataFrame(data)


@settings(max_examples=200, deadline=None)
@given(
    income=st.integers(0, 5_000_000),
    extra=st.integers(0, 2_000_000),
    count=st.integers(0, 12),
    area=st.sampled_from(["nong_thon", "thanh_thi"]),
)
def test_more_income_never_makes_a_household_poorer(
    income: int, extra: int, count: int, area: str
) -> None:
    out = classify(_frame([income, income + extra], [count, count], area), ND07)["phan_loai"]
    assert RANK[out.iloc[1]] >= RANK[out.iloc[0]]


@settings(max_examples=200, deadline=None)
@given(
    income=st.integers(0, 5_000_000),
    count=st.integers(0, 11),
    area=st.sampled_from(["nong_thon", "thanh_thi"]),
)
def test_one_more_deprivation_never_makes_a_household_richer(
    income: int, count: int, area: str
) -> None:
    out = classify(_frame([income, income], [count, count + 1], area), ND07)
    assert RANK[out["phan_loai"].iloc[1]] <= RANK[out["phan_loai"].iloc[0]]
    assert out["so_thieu_hut"].iloc[1] == out["so_thieu_hut"].iloc[0] + 1
