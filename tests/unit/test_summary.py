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


def test_af_by_village_is_each_villages_own_af_and_the_table_covers_marked_rows() -> None:
    """mpi_by_village against its definition (mpi_for of each village's own rows, under the
    standard of its first household): villages written in NFC and NFD are two texts, blank
    villages and rows without marks are left out, a village under an unknown standard or
    with no households is not given, and deprivation_table counts only marked rows."""
    import unicodedata

    from ngheo_cli.core.mpi import MPIResult
    from ngheo_cli.core.summary import deprivation_table, mpi_by_village, mpi_for
    from ngheo_cli.io.rulesets import packaged

    rules = resolve(2024)
    rng = np.random.default_rng(11)
    n = 240
    nfc = "Buôn Đắk"
    nfd = unicodedata.normalize("NFD", nfc)
    frame = pd.DataFrame(
        {
            "thon": pd.array(rng.choice([nfc, nfd, "Thôn 1", "Thôn 2", None], n), dtype="string"),
            "phan_loai": rng.choice(["ngheo", "can_ngheo", "trung_binh", "khac"], n),
            "nguon_thieu_hut": pd.array(rng.choice(["chi_so", "diem_b", None], n), dtype="string"),
            "standard": rules.id,
        }
    )
    for ind in rules.indicator_ids:
        frame[ind] = rng.random(n) < 0.4
    frame.loc[frame["thon"] == "Thôn 2", "standard"] = "khong-co-chuan-nay"
    villages = [nfc, nfd, "Thôn 1", "Thôn 2", "Thôn vắng"]
    got = mpi_by_village(frame, villages, packaged())
    assert sorted(got) == sorted([nfc, nfd, "Thôn 1"])
    for village, result in got.items():
        own = frame[(frame["thon"] == village).fillna(False).to_numpy(dtype=bool)]
        expected: MPIResult = mpi_for(own, rules)
        assert result == expected
    marked = (frame["nguon_thieu_hut"] == "chi_so").fillna(False).to_numpy(dtype=bool)
    whole = mpi_for(frame, rules)
    assert whole.n == int(marked.sum())
    table = deprivation_table(frame, rules, whole)
    first = rules.indicator_ids[0]
    poor = marked & (frame["phan_loai"] == "ngheo").to_numpy()
    row = table.set_index("chi_so").loc[first]
    assert row["ngheo_so_ho"] == int(frame.loc[poor, first].sum())
    assert row["tat_ca_so_ho"] == int(frame.loc[marked, first].sum())
    assert table.attrs["so_ho_co_chi_so"] == int(marked.sum())
