"""How far below the line a household is, in one unit for every route (rule 1's last tie-break).

``classify`` gives ``chenh_lech`` = income − line in đồng where the per-capita income decided,
but Điểm A − line in *points* where the score sheet decided (TT 07/2021/TT-BLĐTBXH, Phiếu B).
Points and đồng cannot be compared as they are, so the store keeps, beside the route, a
*comparable gap* (``chenh_lech_quy_doi``, đồng) and the route it came from
(``nguon_chenh_lech``):

* income decided: the gap itself, income − line (đ);
* Điểm A decided: the same share of the line, in đồng of the household's area:
  ``(Điểm A − điểm chuẩn) / điểm chuẩn × chuẩn thu nhập``. Phiếu B states one
  correspondence only, at the line (140 points ↔ 1.500.000 đ nông thôn, 175 ↔ 2.000.000 đ
  thành thị, standards.md §2); the point table behind Điểm A is not known, so the gap is read
  in proportion to the line, which keeps the order of Điểm A households among themselves
  (fewer points = poorer) and puts a household 10 % under its line by points level with one
  10 % under its line by income.

This only breaks ties left by the rules before it (class, last year's helper, number of
deprivations), so it can decide which of two otherwise equal households gets the last place
of a member, never whether a poor household goes before a near-poor one. A household with
neither (a recognised list, a store written before v5) has no gap (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ngheo_cli.core.classify import ROUTE_INCOME, ROUTE_SCORE
from ngheo_cli.core.ruleset import Ruleset

#: Stored column names: the comparable gap (đồng), and the route it was computed from
#: ("thu_nhap" / "diem_a", classify's ``tuyen``).
COMPARABLE_GAP = "chenh_lech_quy_doi"
GAP_ROUTE = "nguon_chenh_lech"


def comparable_gap(classified: pd.DataFrame, ruleset: Ruleset) -> np.ndarray:
    """The comparable gap (đồng, ≤ 0 at or below the line) of each classified household.

    ``classified``: the output of :func:`ngheo_cli.core.classify.classify` (``tuyen``,
    ``chenh_lech``, ``chuan``, ``khu_vuc``). NaN where a column is missing or blank.
    """
    n = len(classified)
    if not {"tuyen", "chenh_lech", "chuan"} <= set(classified.columns):
        return np.full(n, np.nan)
    route = classified["tuyen"].astype("string").to_numpy(dtype=object, na_value=None)
    gap = pd.to_numeric(classified["chenh_lech"]).to_numpy(dtype="float64", na_value=np.nan)
    line = pd.to_numeric(classified["chuan"]).to_numpy(dtype="float64", na_value=np.nan)
    urban = (
        classified["khu_vuc"].eq("thanh_thi").to_numpy(dtype=bool, na_value=False)
        if "khu_vuc" in classified.columns
        else np.zeros(n, dtype=bool)
    )
    income_line = np.where(
        urban, ruleset.income_line.thanh_thi.value, ruleset.income_line.nong_thon.value
    ).astype("float64")
    by_income = route == ROUTE_INCOME
    by_score = (route == ROUTE_SCORE) & (line > 0)
    out = np.full(n, np.nan)
    out[by_income] = gap[by_income]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = gap / line
    out[by_score] = share[by_score] * income_line[by_score]
    return out
