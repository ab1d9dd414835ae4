"""Aggregates of a classified table: counts and rates by village and ethnic group,
deprivations among poor and near-poor households. Pure: DataFrames in, DataFrames out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.classify import deprivation_matrix
from ngheo_cli.core.mpi import MPIResult, alkire_foster
from ngheo_cli.core.ruleset import Ruleset

TOTAL_LABEL = "Toàn xã"
DTTS_LABELS = {True: "Dân tộc thiểu số", False: "Kinh", None: "Chưa ghi dân tộc"}


def defined_classes(ruleset: Ruleset, classified: pd.DataFrame | None = None) -> list[str]:
    """Class codes this standard can produce; ``tren_chuan`` only where some row has it."""
    codes = ["ngheo", "can_ngheo"]
    if ruleset.middle_band_upper is not None:
        codes.append("trung_binh")
    codes.append("khac")
    if classified is not None and (classified["phan_loai"] == "tren_chuan").any():
        codes.append("tren_chuan")
    return codes


def class_counts(classified: pd.DataFrame, ruleset: Ruleset) -> dict[str, int | None]:
    """Households per class code; None for a class the standard does not define."""
    counts = classified["phan_loai"].value_counts()
    out: dict[str, int | None] = {}
    for code in ("ngheo", "can_ngheo", "trung_binh", "khac", "tren_chuan"):
        if code == "trung_binh" and ruleset.middle_band_upper is None:
            out[code] = None
        else:
            out[code] = int(counts.get(code, 0))
    return out


def _persons(classified: pd.DataFrame) -> pd.Series:
    if "so_nhan_khau" in classified.columns:
        return classified["so_nhan_khau"].astype("Float64").fillna(0).astype("int64")
    return pd.Series(0, index=classified.index, dtype="int64")


def by_group(
    classified: pd.DataFrame, ruleset: Ruleset, group: pd.Series, total_label: str = TOTAL_LABEL
) -> pd.DataFrame:
    """One row per group value (sorted) plus a total row: households, persons, counts, rates.

    Columns: ``nhom``, ``so_ho``, ``so_nhan_khau``, then for each defined class ``<code>``
    (households), ``<code>_nhan_khau`` (persons) and ``ty_le_<code>`` (share of households).
    Blank group values are one group, "(trống)". Counted in one pass per class (bincount).
    """
    codes = defined_classes(ruleset, classified)
    persons = _persons(classified).to_numpy(dtype="int64")
    labels = group.fillna("(trống)").astype(str).to_numpy(dtype=object)
    numbers, uniques = pd.factorize(labels)
    order = sorted(range(len(uniques)), key=lambda i: uniques[i])
    keys = [str(uniques[i]) for i in order]
    rank = np.empty(len(uniques), dtype="int64")
    rank[order] = np.arange(len(uniques), dtype="int64")
    at = rank[numbers]
    n = len(keys)

    def sums(sel: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        where = at if sel is None else at[sel]
        weights = persons if sel is None else persons[sel]
        counts = np.bincount(where, minlength=n)
        people = np.bincount(where, weights=weights.astype("float64"), minlength=n)
        return counts, people.round().astype("int64")

    households, people = sums(None)
    cls = classified["phan_loai"]
    per_class = {}
    for code in codes:
        sel = (cls == code).fillna(False).to_numpy(dtype=bool)
        per_class[code] = (*sums(sel), int(sel.sum()), int(persons[sel].sum()))
    rows = []
    for i, key in [*enumerate(keys), (-1, total_label)]:
        size = int(households[i]) if i >= 0 else len(classified)
        row: dict[str, Any] = {
            "nhom": key,
            "so_ho": size,
            "so_nhan_khau": int(people[i]) if i >= 0 else int(persons.sum()),
        }
        for code in codes:
            counts, cpeople, total_n, total_p = per_class[code]
            row[code] = int(counts[i]) if i >= 0 else total_n
            row[f"{code}_nhan_khau"] = int(cpeople[i]) if i >= 0 else total_p
            row[f"ty_le_{code}"] = row[code] / size if size else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def dtts_group(classified: pd.DataFrame) -> pd.Series:
    if "is_dtts" not in classified.columns:
        return pd.Series(DTTS_LABELS[None], index=classified.index)
    flags = classified["is_dtts"]
    return flags.map(lambda v: DTTS_LABELS[None if pd.isna(v) else bool(v)])


def deprivation_table(classified: pd.DataFrame, ruleset: Ruleset, mpi: MPIResult) -> pd.DataFrame:
    """Per indicator: households deprived (count and rate) among poor, near-poor and all,
    with the Alkire–Foster censored headcount and contribution. Rows whose deprivations
    come only from Điểm B cannot say which indicator: they are left out of this table
    (``so_ho_co_chi_so`` says how many rows it covers)."""
    with_marks = classified["nguon_thieu_hut"] == "chi_so"
    # The marked rows of the matrix and of the classes, not a copy of the whole frame's rows.
    sel = _marked(classified)
    marks = deprivation_matrix(classified, ruleset)[sel]
    cls = classified["phan_loai"].to_numpy()[sel]
    groups = {
        "ngheo": cls == "ngheo",
        "can_ngheo": cls == "can_ngheo",
        "tat_ca": np.ones(len(cls), bool),
    }
    # Per group: its households, and its households deprived in each indicator (a column).
    counted = {
        gname: (int(sel.sum()), marks[sel].sum(axis=0).tolist()) for gname, sel in groups.items()
    }
    rows = []
    for j, ind in enumerate(ruleset.indicators):
        row: dict[str, object] = {
            "chi_so": ind.id,
            "ten_chi_so": ind.name,
            "chieu": ruleset.dimensions[ind.dimension],
        }
        for gname, (n, deprived) in counted.items():
            c = int(deprived[j])
            row[f"{gname}_so_ho"] = c
            row[f"{gname}_ty_le"] = c / n if n else np.nan
        row["af_censored"] = mpi.censored_headcount.get(ind.id, np.nan)
        row["af_dong_gop"] = mpi.contribution.get(ind.id, np.nan)
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["so_ho_co_chi_so"] = int(with_marks.sum())
    return out


def _marked(classified: pd.DataFrame) -> np.ndarray:
    """The households whose indicator marks are known: the AF figures are over these."""
    marked: np.ndarray = (classified["nguon_thieu_hut"] == "chi_so").to_numpy(
        dtype=bool, na_value=False
    )
    return marked


def mpi_for(classified: pd.DataFrame, ruleset: Ruleset) -> MPIResult:
    """AF figures over the households whose indicator marks are known."""
    marks = deprivation_matrix(classified, ruleset)[_marked(classified)]  # row by row: sliced
    return alkire_foster(marks, k=ruleset.af_cutoff, indicators=ruleset.indicator_ids)


def mpi_by_village(
    classified: pd.DataFrame, villages: Sequence[str], rulesets: Mapping[str, Ruleset]
) -> dict[str, MPIResult]:
    """:func:`mpi_for` of each village's households of a stored year, under the standard
    (from ``rulesets``, by id) of the village's first household; the year's deprivation
    matrix is built once per standard and sliced per village (same rows, same order, same
    figures). A village with no households, or under a standard not in ``rulesets``, is
    left out."""
    if not len(classified):
        return {}
    standards = classified["standard"].astype(str).to_numpy()
    # Each household's village as a number (missing: -1), compared per village as numbers.
    numbers, distinct = pd.factorize(classified["thon"], use_na_sentinel=True)
    number_of = {value: i for i, value in enumerate(distinct)}
    marked = _marked(classified)
    matrices: dict[str, np.ndarray] = {}  # by standard: the marked rows' deprivations
    out: dict[str, MPIResult] = {}
    for village in villages:
        if village not in number_of:
            continue
        rows = numbers == number_of[village]
        standard = standards[int(np.argmax(rows))]  # the village's first household's
        if standard not in rulesets:
            continue
        ruleset = rulesets[standard]
        if standard not in matrices:
            matrices[standard] = deprivation_matrix(classified, ruleset)[marked]
        out[village] = alkire_foster(
            matrices[standard][rows[marked]],
            k=ruleset.af_cutoff,
            indicators=ruleset.indicator_ids,
        )
    return out
