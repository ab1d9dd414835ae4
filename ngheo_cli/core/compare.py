"""What-if: the same households under another standard, and who moves between classes, why.

The first question every province asks in 2026: what does the 2027–2030 standard
(NĐ 351/2025: higher income lines, a waste-treatment indicator instead of the
information-access one, no middle band) do to this year's list? Indicators the
workbook does not carry count as not deprived, and the comparison says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core import fmt
from ngheo_cli.core.results import ClassificationResult, classify_table
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.schema import CLASS_LABELS, CLASS_ORDER
from ngheo_cli.core.table import RawTable


@dataclass
class Comparison:
    base: ClassificationResult
    other: ClassificationResult
    moves: pd.DataFrame  # one row per household whose class differs, with the reason
    matrix: pd.DataFrame  # households by class under base (rows) × other (columns)
    assumed_not_deprived: list[str]  # indicator ids of `other` the workbook lacks

    def to_dict(self) -> dict[str, Any]:
        matrix = {
            str(r): {str(c): int(v) for c, v in row.items() if v}
            for r, row in self.matrix.iterrows()
        }
        return {
            "base": self.base.ruleset.id,
            "other": self.other.ruleset.id,
            "households": len(self.base.households),
            "counts_base": self.base.counts(),
            "counts_other": self.other.counts(),
            "matrix": matrix,
            "moved": len(self.moves),
            # Rows the other standard cannot classify (e.g. only Điểm A: NĐ 351 has no
            # scoring sheet known to us), listed by Excel row.
            "not_classified_other": sorted(
                int(r) for r in self.base.households.index.difference(self.other.households.index)
            ),
            "assumed_not_deprived": self.assumed_not_deprived,
        }


def _why(row: pd.Series, base: Ruleset, other: Ruleset) -> str:
    parts = []
    if row["below_base"] != row["below_other"]:
        side = "không quá" if row["below_other"] else "trên"
        parts.append(
            f"thu nhập {side} chuẩn mới {fmt.money(row['chuan_other'])} "
            f"(chuẩn cũ {fmt.money(row['chuan_base'])})"
        )
    if row["count_base"] != row["count_other"]:
        parts.append(
            f"số chỉ số thiếu hụt theo chuẩn mới {row['count_other']} "
            f"(chuẩn cũ {row['count_base']})"
        )
    if row["class_base"] == "trung_binh" and other.middle_band_upper is None:
        parts.append(f"{other.id} không quy định mức sống trung bình")
    return "; ".join(parts) or "quy tắc phân loại của chuẩn mới"


def compare(
    raw: RawTable,
    base: Ruleset,
    other: Ruleset,
    year: int,
    *,
    area: str | None = None,
    recorded_index: Mapping[str, str] | None = None,
) -> Comparison:
    """Classify ``raw`` under ``base`` (its own year's standard) and under ``other``."""
    first = classify_table(raw, base, year, area=area, recorded_index=recorded_index)
    second = classify_table(raw, other, year, area=area, what_if=True)
    a, b = first.households, second.households
    common = a.index.intersection(b.index)
    joined = pd.DataFrame(
        {
            "ma_ho": a.loc[common, "ma_ho"],
            "ho_ten_chu_ho": a.loc[common].get("ho_ten_chu_ho"),
            "thon": a.loc[common].get("thon"),
            "class_base": a.loc[common, "phan_loai"].astype(str),
            "class_other": b.loc[common, "phan_loai"].astype(str),
            "count_base": a.loc[common, "so_thieu_hut"],
            "count_other": b.loc[common, "so_thieu_hut"],
            "chuan_base": a.loc[common, "chuan"],
            "chuan_other": b.loc[common, "chuan"],
            "below_base": a.loc[common, "chenh_lech"] <= 0,
            "below_other": b.loc[common, "chenh_lech"] <= 0,
        }
    )
    order = [c for c in CLASS_ORDER if c in set(joined["class_base"]) | set(joined["class_other"])]
    matrix = pd.crosstab(
        pd.Categorical(joined["class_base"], categories=order),
        pd.Categorical(joined["class_other"], categories=order),
        dropna=False,
    )
    matrix.index = matrix.index.astype(str)
    matrix.columns = matrix.columns.astype(str)
    moved = joined[joined["class_base"] != joined["class_other"]].copy()
    moved["ly_do"] = [_why(row, base, other) for _, row in moved.iterrows()]
    moved["tu"] = moved["class_base"].map(CLASS_LABELS)
    moved["sang"] = moved["class_other"].map(CLASS_LABELS)
    moved["dong_goc"] = moved.index.astype(np.int64)
    source = second.indicator_source
    assumed = sorted(source.get("assumed_not_deprived", []) or [])
    return Comparison(
        base=first,
        other=second,
        moves=moved.reset_index(drop=True),
        matrix=matrix,
        assumed_not_deprived=list(assumed),
    )
