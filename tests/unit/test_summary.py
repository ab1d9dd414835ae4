"""Aggregates of a classified table (core/summary.py): the counted-in-one-pass by_group
against its definition (one boolean mask per group), on frames with blank groups, blank
household sizes, every class and a standard without the middle band."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ngheo_cli.core.summary import by_group, defined_classes, dtts_group
from ngheo_cli.io.rulesets import resolve


def _by_definition(classified: pd.DataFrame, ruleset, group: pd.Series) -> pd.DataFrame:
    codes = defined_classes(ruleset, classified)
    if "so_nhan_khau" in classified.columns:
        persons = classified["so_nhan_khau"].astype("Float64").fillna(0).astype("int64")
    else:
        persons = pd.Series(0, index=classified.index, dtype="int64")
    frame = pd.DataFrame(
        {
            "nhom": group.fillna("(trống)").astype(str).to_numpy(),
            "phan_loai": classified["phan_loai"],
        }
    )
    frame["so_nhan_khau"] = persons.to_numpy()
    rows = []
    keys = sorted(frame["nhom"].unique().tolist())
    for key, part in [(k, frame[frame["nhom"] == k]) for k in keys] + [("Toàn xã", frame)]:
        row = {"nhom": key, "so_ho": len(part), "so_nhan_khau": int(part["so_nhan_khau"].sum())}
        for code in codes:
            sel = part["phan_loai"] == code
            row[code] = int(sel.sum())
            row[f"{code}_nhan_khau"] = int(part.loc[sel, "so_nhan_khau"].sum())
            row[f"ty_le_{code}"] = row[code] / len(part) if len(part) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _classified(n: int, seed: int, *, sizes: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    villages = np.array(
        ["Thôn 2", "Thôn 10", "Buôn Ê Đê", "thôn 1", "", None, "Đắk Sơn"], dtype=object
    )
    frame = pd.DataFrame(
        {
            "thon": villages[rng.integers(0, len(villages), n)],
            "phan_loai": rng.choice(["ngheo", "can_ngheo", "trung_binh", "khac", "tren_chuan"], n),
            "is_dtts": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        }
    )
    if sizes:
        size = pd.array(rng.integers(1, 9, n), dtype="Int64")
        size[rng.random(n) < 0.1] = pd.NA
        frame["so_nhan_khau"] = size
    return frame


@pytest.mark.parametrize("year", [2024, 2027])
@pytest.mark.parametrize("sizes", [True, False])
def test_by_group_equals_its_definition(year: int, sizes: bool) -> None:
    ruleset = resolve(year)
    for seed, n in ((1, 500), (2, 1), (3, 0)):
        frame = _classified(n, seed, sizes=sizes)
        for group in (
            frame["thon"],
            dtts_group(frame),
            pd.Series(None, index=frame.index, dtype=object),
        ):
            got = by_group(frame, ruleset, group)
            pd.testing.assert_frame_equal(got, _by_definition(frame, ruleset, group))
