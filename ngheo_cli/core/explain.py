"""Reasons per household, in Vietnamese: which deprivations, the gap to the line, the route.

Kept apart from :mod:`classify` so that classification stays pure column arithmetic; the
reasons are built once per output, over unique values where they repeat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ngheo_cli.core import fmt
from ngheo_cli.core.classify import ROUTE_INCOME, deprivation_matrix
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.schema import AREA_LABELS, CLASS_LABELS


def deprivation_names(frame: pd.DataFrame, ruleset: Ruleset) -> pd.Series:
    """ "Việc làm; Bảo hiểm y tế; …" per household (marks route); "" where none or Điểm B."""
    marks = deprivation_matrix(frame, ruleset)
    names = [i.name for i in ruleset.indicators]
    weights: np.ndarray | list[int] = (
        (1 << np.arange(marks.shape[1], dtype=np.int64)) if marks.shape[1] else []
    )
    masks = marks.astype(np.int64) @ np.asarray(weights, dtype=np.int64) if len(names) else None
    if masks is None:
        return pd.Series("", index=frame.index)
    lookup = {
        int(m): "; ".join(n for j, n in enumerate(names) if int(m) >> j & 1)
        for m in np.unique(masks)
    }
    out = pd.Series([lookup[int(m)] for m in masks], index=frame.index, dtype=object)
    if "nguon_thieu_hut" in frame.columns:
        out[frame["nguon_thieu_hut"] == "diem_b"] = "(không rõ chỉ số: chỉ có Điểm B)"
    return out


def reasons(classified: pd.DataFrame, ruleset: Ruleset) -> pd.Series:
    """One sentence per household saying why it is in its class."""
    k = ruleset.min_deprivations
    rows = []
    # The lines, areas and many amounts repeat: each distinct value is formatted once.
    money: dict[float, str] = {}
    labels = {code: label.lower() for code, label in AREA_LABELS.items()}

    def dong(amount: float) -> str:
        text = money.get(amount)
        if text is None:
            text = money[amount] = fmt.money(amount)
        return text

    # Columns as Python lists: iterating a pandas column boxes each value in Python calls.
    for route, value, line, count, cls, area, source in zip(
        classified["tuyen"].tolist(),
        np.where(
            classified["tuyen"] == ROUTE_INCOME,
            classified.get("thu_nhap_binh_quan", pd.Series(np.nan, index=classified.index)),
            classified.get("diem_a", pd.Series(np.nan, index=classified.index)),
        ),
        classified["chuan"].tolist(),
        classified["so_thieu_hut"].tolist(),
        classified["phan_loai"].tolist(),
        classified["khu_vuc"].tolist(),
        classified["nguon_thieu_hut"].tolist(),
        strict=True,
    ):
        area_label = labels[area]
        if route == ROUTE_INCOME:
            side = (
                f"Thu nhập bình quân {dong(value)}/người/tháng "
                f"{'≤' if value <= line else '>'} chuẩn {dong(line)} ({area_label})"
            )
        else:
            side = (
                f"Điểm A {fmt.number(value, 1)} {'≤' if value <= line else '>'} "
                f"{fmt.number(line)} điểm ({area_label})"
            )
        dep = f"thiếu hụt {count} chỉ số" + (" (theo Điểm B)" if source == "diem_b" else "")
        if cls == "ngheo":
            tail = f"{dep} (từ {k} trở lên)"
        elif cls == "can_ngheo":
            tail = f"{dep} (dưới {k})"
        elif cls == "trung_binh":
            tail = "trong khoảng mức sống trung bình"
        elif cls == "tren_chuan":
            tail = "Điểm A không đủ để phân biệt hộ trung bình với hộ khác"
        else:
            tail = (
                "trên chuẩn mức sống trung bình"
                if ruleset.middle_band_upper is not None
                else "chuẩn này không quy định mức sống trung bình"
            )
        rows.append(f"{CLASS_LABELS[cls]}: {side}; {tail}.")
    return pd.Series(rows, index=classified.index, dtype=object)
