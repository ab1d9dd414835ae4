"""Classify households against a poverty standard: column arithmetic, no loop per household.

The rule (NĐ 07/2021 Điều 3; NĐ 351/2025) is an AND, not an OR:

* hộ nghèo: income at or below the line **and** deprived in at least ``k`` indicators;
* hộ cận nghèo: income at or below the line **and** deprived in fewer than ``k``;
* hộ có mức sống trung bình: above the line and at or below the middle-band upper bound,
  where the standard defines one (NĐ 351/2025 does not: see the rules file);
* hộ khác: everything else. Above the line a household is never poor, whatever its
  deprivations.

Two routes lead to the income side: the per-capita monthly income (the legal definition,
which decides when present) or Điểm A of the scoring sheet (at or below 140 / 175 points).
Deprivations come from the indicator marks, or from Điểm B (10 points each) when a row
has no marks. Where the score route leaves a household above the line, the standard's
middle band cannot be applied (the point table behind Điểm A is not known), so the class
is ``tren_chuan`` — said, not guessed.

Input columns (as made by :func:`ngheo_cli.core.validate.prepare`): ``khu_vuc``
("nong_thon"/"thanh_thi"); optionally ``thu_nhap_binh_quan``, ``diem_a``, ``diem_b``
(float, NaN when blank); one bool column per indicator id; ``co_chi_so`` (bool: the row's
marks are usable). Output: the input plus the columns in :data:`RESULT_COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ngheo_cli.core.ruleset import Ruleset

RESULT_COLUMNS: tuple[str, ...] = (
    "so_thieu_hut",  # number of deprivations (Int64)
    "nguon_thieu_hut",  # "chi_so" (marks) | "diem_b"
    "tuyen",  # which route decided the income side: "thu_nhap" | "diem_a"
    "chuan",  # the line applied: đồng (thu_nhap) or points (diem_a)
    "chenh_lech",  # income − line (đ) or Điểm A − line (points); ≤ 0 means at/below the line
    "phan_loai",  # class code
)

ROUTE_INCOME = "thu_nhap"
ROUTE_SCORE = "diem_a"

# Result codes are categoricals: a handful of values over millions of rows (cheap to build,
# compare and count; they read back as the plain code strings).
CLASS_DTYPE = pd.CategoricalDtype(["ngheo", "can_ngheo", "trung_binh", "khac", "tren_chuan"])
ROUTE_DTYPE = pd.CategoricalDtype([ROUTE_INCOME, ROUTE_SCORE])
SOURCE_DTYPE = pd.CategoricalDtype(["chi_so", "diem_b"])
_NGHEO, _CAN_NGHEO, _TRUNG_BINH, _KHAC, _TREN_CHUAN = range(5)


def _column(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key in frame.columns:
        values: np.ndarray = frame[key].to_numpy(dtype="float64", na_value=np.nan)
        return values
    return np.full(len(frame), np.nan)


def deprivation_matrix(frame: pd.DataFrame, ruleset: Ruleset) -> np.ndarray:
    """Households × indicators, True where deprived; a missing column counts as not deprived."""
    n = len(frame)
    cols = [
        frame[i].to_numpy(dtype=bool, na_value=False) if i in frame.columns else np.zeros(n, bool)
        for i in ruleset.indicator_ids
    ]
    return np.column_stack(cols) if cols else np.zeros((n, 0), bool)


def classify(frame: pd.DataFrame, ruleset: Ruleset) -> pd.DataFrame:
    """Return ``frame`` with the result columns added (a new frame; the input is not changed)."""
    n = len(frame)
    urban = frame["khu_vuc"].eq("thanh_thi").to_numpy(dtype=bool, na_value=False)
    income = _column(frame, "thu_nhap_binh_quan")
    score_a = _column(frame, "diem_a")
    score_b = _column(frame, "diem_b")
    has_marks = (
        frame["co_chi_so"].to_numpy(dtype=bool, na_value=False)
        if "co_chi_so" in frame.columns
        else np.ones(n, bool)
    )

    line = np.where(urban, ruleset.income_line.thanh_thi.value, ruleset.income_line.nong_thon.value)
    by_income = ~np.isnan(income)
    route = ruleset.score_route
    if route is not None:
        a_line = np.where(
            urban, route.score_a_line.thanh_thi.value, route.score_a_line.nong_thon.value
        )
        by_score = ~by_income & ~np.isnan(score_a)
    else:
        a_line = np.full(n, np.nan)
        by_score = np.zeros(n, bool)
    if not np.all(by_income | by_score):
        raise ValueError("every household needs an income or a usable Điểm A (validate first)")

    # Deprivations: marks where the row has them, Điểm B otherwise.
    marks = deprivation_matrix(frame, ruleset)
    count_marks = marks.sum(axis=1)
    k = ruleset.min_deprivations
    if route is not None:
        points = route.points_per_deprivation.value
        count_b = np.floor_divide(np.nan_to_num(score_b, nan=0.0), points)
        enough_b = score_b >= route.poor_min_score_b.value
    else:
        count_b = np.zeros(n)
        enough_b = np.zeros(n, bool)
    use_b = ~has_marks & ~np.isnan(score_b)
    if not np.all(has_marks | use_b):
        raise ValueError("every household needs indicator marks or Điểm B (validate first)")
    count = np.where(has_marks, count_marks, count_b).astype("int64")
    deprived_enough = np.where(has_marks, count_marks >= k, enough_b)

    gap = np.where(by_income, income - line, score_a - a_line)
    at_or_below = gap <= 0  # exactly on the line counts as at or below (≤)

    classes = np.full(n, _KHAC, dtype=np.int8)
    if ruleset.middle_band_upper is not None:
        upper = np.where(
            urban,
            ruleset.middle_band_upper.thanh_thi.value,
            ruleset.middle_band_upper.nong_thon.value,
        )
        classes[by_income & ~at_or_below & (income <= upper)] = _TRUNG_BINH
        classes[by_score & ~at_or_below] = _TREN_CHUAN
    classes[at_or_below] = _CAN_NGHEO
    classes[at_or_below & deprived_enough] = _NGHEO

    out = frame.copy()
    out["so_thieu_hut"] = pd.array(count, dtype="Int64")
    out["nguon_thieu_hut"] = pd.Categorical.from_codes(
        (~has_marks).astype(np.int8), dtype=SOURCE_DTYPE
    )
    out["tuyen"] = pd.Categorical.from_codes((~by_income).astype(np.int8), dtype=ROUTE_DTYPE)
    out["chuan"] = np.where(by_income, line, a_line)
    out["chenh_lech"] = gap
    out["phan_loai"] = pd.Categorical.from_codes(classes, dtype=CLASS_DTYPE)
    return out
