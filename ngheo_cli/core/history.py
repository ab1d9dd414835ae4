"""What changed for each household between two review years, and the "diễn biến" balance.

Pure: DataFrames in, DataFrames out; column arithmetic, no loop per household.

**Transitions.** Households are matched by ``ma_ho`` between year Y (``current``) and year
Y−1 (``previous``); years before Y−1 (``earlier``) only decide relapse. Each household in
either list gets exactly one ``bien_dong`` code (:data:`BIEN_DONG_LABELS`). "Above the line"
means above the near-poor line: ``trung_binh``, ``khac`` or ``tren_chuan``.

* Not in Y−1's list → ``vao_danh_sach``; in Y−1's list, not in Y's → ``ra_danh_sach``,
  whatever the classes (the list decides first: a household that moved in is not "new poor").
* Above the line in Y−1 and poor now: ``tai_ngheo`` when it was *poor* in an earlier year
  (standards.md §4: "was poor in an earlier year, escaped, now poor again"), else
  ``ngheo_moi``. Likewise near-poor now: ``tai_can_ngheo`` when it was *near-poor* earlier,
  else ``can_ngheo_moi``. ``relapse="below_line"`` instead counts either class earlier
  (poor or near-poor before, poor now → ``tai_ngheo``), for a province that reads it so.

**Balance** ("diễn biến hộ nghèo / hộ cận nghèo", standards.md §4): lines 1…9 in
households (``ho_1``…``ho_9``) and persons (``nk_1``…``nk_9``), one row per village and a
commune total. For the poor table: 1 poor at the start (in Y−1); decreases 2 → near-poor,
3 → above the line, 4 other (``ra_danh_sach``); increases 5 near-poor → poor, 6 relapse,
7 new, 8 other (``vao_danh_sach``); 9 poor at the end. The near-poor table mirrors it
(:data:`BALANCE_LINES`). The identity 9 = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 holds by
construction, because every household in the group at the start is either still in it or
in exactly one of 2–4, and every household in it at the end is either a stayer or in
exactly one of 5–8.

Persons: households that leave are counted with last year's size, households that enter
with this year's size. Households that stay in the group change size between the years
(births, deaths, a member leaving): their net change is put into line 8 when it is a gain
and into line 4 when it is a loss (column ``nk_thay_doi_quy_mo`` shows it), so the persons
identity also holds by construction.

Villages: a household whose ``thon`` changed between the years counts, in the village rows,
as leaving the old village (line 4) and entering the new one (line 8); the commune total
uses its real code. So in every row line 1 equals last year's line 9 for that village, and
the total row is computed for the commune as a whole (lines 1 and 9 add up across villages;
lines 4 and 8 may differ from the village sum by the households that moved within the
commune).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from ngheo_cli.core.mpi import MPIResult
from ngheo_cli.core.summary import TOTAL_LABEL
from ngheo_cli.core.text import fold

POOR = "ngheo"
NEAR_POOR = "can_ngheo"
ABOVE_LINE: tuple[str, ...] = ("trung_binh", "khac", "tren_chuan")
KNOWN_CLASSES: frozenset[str] = frozenset((POOR, NEAR_POOR, *ABOVE_LINE))
BLANK_GROUP = "(trống)"

# Every transition code, with its Vietnamese label (for tables and the terminal).
BIEN_DONG_LABELS: dict[str, str] = {
    "con_ngheo": "Còn nghèo",
    "con_can_ngheo": "Còn cận nghèo",
    "ngheo_sang_can_ngheo": "Thoát nghèo, vào cận nghèo",
    "thoat_ngheo": "Thoát nghèo (lên trên chuẩn cận nghèo)",
    "can_ngheo_sang_ngheo": "Cận nghèo rơi xuống nghèo",
    "thoat_can_ngheo": "Thoát cận nghèo",
    "tai_ngheo": "Tái nghèo",
    "tai_can_ngheo": "Tái cận nghèo",
    "ngheo_moi": "Nghèo phát sinh mới",
    "can_ngheo_moi": "Cận nghèo phát sinh mới",
    "vao_danh_sach": "Mới vào danh sách (chuyển đến, tách hộ, mã mới)",
    "ra_danh_sach": "Ra khỏi danh sách (chuyển đi, chết, nhập hộ, đổi mã)",
    "khong_ngheo": "Không nghèo cả hai năm",
}
BIEN_DONG_CODES: tuple[str, ...] = tuple(BIEN_DONG_LABELS)

Kind = Literal["poor", "near_poor"]
KINDS: tuple[Kind, ...] = ("poor", "near_poor")
GROUP_CLASS: dict[str, str] = {"poor": POOR, "near_poor": NEAR_POOR}
STAY_CODE: dict[str, str] = {"poor": "con_ngheo", "near_poor": "con_can_ngheo"}

# Lines 2…8 of each balance table: the bien_dong code behind each line.
BALANCE_CODES: dict[str, dict[int, str]] = {
    "poor": {
        2: "ngheo_sang_can_ngheo",
        3: "thoat_ngheo",
        4: "ra_danh_sach",
        5: "can_ngheo_sang_ngheo",
        6: "tai_ngheo",
        7: "ngheo_moi",
        8: "vao_danh_sach",
    },
    "near_poor": {
        2: "can_ngheo_sang_ngheo",
        3: "thoat_can_ngheo",
        4: "ra_danh_sach",
        5: "ngheo_sang_can_ngheo",
        6: "tai_can_ngheo",
        7: "can_ngheo_moi",
        8: "vao_danh_sach",
    },
}

# Vietnamese labels of lines 1…9 (the official layout).
BALANCE_LINES: dict[str, dict[int, str]] = {
    "poor": {
        1: "Số hộ nghèo đầu kỳ",
        2: "Giảm: thoát nghèo, chuyển sang cận nghèo",
        3: "Giảm: thoát nghèo, lên trên chuẩn cận nghèo",
        4: "Giảm khác (chuyển đi, chết, nhập hộ…)",
        5: "Tăng: từ cận nghèo rơi xuống nghèo",
        6: "Tăng: tái nghèo",
        7: "Tăng: nghèo phát sinh mới",
        8: "Tăng khác (chuyển đến, tách hộ…)",
        9: "Số hộ nghèo cuối kỳ",
    },
    "near_poor": {
        1: "Số hộ cận nghèo đầu kỳ",
        2: "Giảm: từ cận nghèo rơi xuống nghèo",
        3: "Giảm: thoát cận nghèo",
        4: "Giảm khác (chuyển đi, chết, nhập hộ…)",
        5: "Tăng: từ nghèo chuyển sang cận nghèo",
        6: "Tăng: tái cận nghèo",
        7: "Tăng: cận nghèo phát sinh mới",
        8: "Tăng khác (chuyển đến, tách hộ…)",
        9: "Số hộ cận nghèo cuối kỳ",
    },
}
DECREASE_LINES = (2, 3, 4)
INCREASE_LINES = (5, 6, 7, 8)
HH_COLUMNS: tuple[str, ...] = tuple(f"ho_{i}" for i in range(1, 10))
PERSON_COLUMNS: tuple[str, ...] = tuple(f"nk_{i}" for i in range(1, 10))
SIZE_CHANGE_COLUMN = "nk_thay_doi_quy_mo"

TRANSITION_COLUMNS: tuple[str, ...] = (
    "ma_ho",
    "thon",
    "thon_truoc",
    "ho_ten_chu_ho",
    "phan_loai",
    "phan_loai_truoc",
    "bien_dong",
    "so_nhan_khau",
    "so_nhan_khau_truoc",
)


# --- transitions ---------------------------------------------------------------------------

# Class codes by number: 0 poor, 1 near-poor, 2… above the line; -1 not listed.
_CLASS_INDEX = pd.Index([POOR, NEAR_POOR, *ABOVE_LINE])
# Indexing with -1 (not listed) picks the trailing None.
_CLASS_NAMES = np.array([*_CLASS_INDEX, None], dtype=object)
_ABSENT, _POOR, _NEAR = -1, 0, 1
_CODE_INDEX = pd.Index(BIEN_DONG_CODES)


@dataclass(frozen=True)
class _Year:
    """One year's list: text as pandas string arrays, numbers as numpy arrays."""

    codes: pd.api.extensions.ExtensionArray
    cls: np.ndarray  # int64, see _CLASS_INDEX
    persons: np.ndarray  # int64, missing → 0
    thon: pd.api.extensions.ExtensionArray
    head: pd.api.extensions.ExtensionArray


def _text(frame: pd.DataFrame, key: str) -> pd.api.extensions.ExtensionArray:
    if key not in frame.columns:  # all missing, made without a Python object per row
        return pd.arrays.ArrowStringArray(pa.nulls(len(frame), pa.large_string()))
    return frame[key].astype("string").array


def _lookup(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each value in ``index``; -1 for blank or unknown (hashes each distinct
    value once: the columns hold a handful of codes)."""
    numbers, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.full(len(values), -1, dtype="int64")
    table: np.ndarray = np.append(index.get_indexer(pd.Index(uniques, dtype=object)), -1)
    positions: np.ndarray = table[numbers].astype("int64")
    return positions  # the sentinel -1 picks the trailing -1


def _class_numbers(values: pd.Series) -> np.ndarray:
    """Class numbers (see ``_CLASS_INDEX``); -1 for blank or an unknown code."""
    return _lookup(values, _CLASS_INDEX)


def _year_part(frame: pd.DataFrame | None, label: str) -> _Year:
    """The columns transitions need from one year, checked: ma_ho text and unique."""
    if frame is None:
        empty = pd.array([], dtype="string")
        none = np.array([], dtype="int64")
        return _Year(empty, none, none, empty, empty)
    for key in ("ma_ho", "phan_loai"):
        if key not in frame.columns:
            raise ValueError(f"{label}: column {key!r} is missing")
    codes = frame["ma_ho"].astype("string")
    if codes.isna().any():
        raise ValueError(f"{label}: blank ma_ho")
    dup = codes.duplicated()
    if dup.any():
        raise ValueError(f"{label}: ma_ho {codes[dup].iloc[0]!r} appears more than once")
    cls = _class_numbers(frame["phan_loai"])
    if (cls < 0).any():
        bad = frame["phan_loai"].astype("string")[cls < 0].fillna("<NA>").unique().tolist()
        raise ValueError(f"{label}: unknown phan_loai {sorted(bad)}")
    if "so_nhan_khau" in frame.columns:
        persons = pd.to_numeric(frame["so_nhan_khau"]).astype("Int64").fillna(0)
        persons_arr = persons.to_numpy(dtype="int64")
    else:
        persons_arr = np.zeros(len(frame), dtype="int64")
    return _Year(
        codes=codes.array,
        cls=cls.astype("int64"),
        persons=persons_arr,
        thon=_text(frame, "thon"),
        head=_text(frame, "ho_ten_chu_ho"),
    )


def _ever(earlier: Sequence[pd.DataFrame], classes: Sequence[str]) -> pd.Index:
    """Household codes that had one of ``classes`` in any earlier year."""
    parts = [
        f["ma_ho"].astype("string")[
            f["phan_loai"].astype("string").isin(classes).fillna(False).to_numpy(dtype=bool)
        ]
        for f in earlier
        if len(f)
    ]
    if not parts:
        return pd.Index([], dtype="string")
    return pd.Index(pd.concat(parts, ignore_index=True)).unique()


def _gather(values: np.ndarray, positions: np.ndarray, fill: int) -> np.ndarray:
    """``values[positions]``, with ``fill`` where the position is -1."""
    out = np.full(len(positions), fill, dtype=values.dtype)
    hit = positions >= 0
    out[hit] = values[positions[hit]]
    return out


def transitions(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    earlier: Sequence[pd.DataFrame] = (),
    *,
    relapse: Literal["same_class", "below_line"] = "same_class",
) -> pd.DataFrame:
    """One row per household in Y ∪ Y−1, with its ``bien_dong`` code (see the module doc).

    ``previous=None`` (no Y−1 data) treats Y−1's list as empty: every household is then
    ``vao_danh_sach``. Columns: :data:`TRANSITION_COLUMNS`; ``thon`` and ``ho_ten_chu_ho``
    are this year's, or last year's for a household that left; ``so_nhan_khau`` /
    ``so_nhan_khau_truoc`` are NA where the household is not listed that year (0 where it is
    listed without a count). Order: this year's households as given, then those that left in
    last year's order.
    """
    if relapse not in ("same_class", "below_line"):
        raise ValueError(f"relapse must be 'same_class' or 'below_line', not {relapse!r}")
    cur = _year_part(current, "current year")
    prev = _year_part(previous, "previous year")

    # This year's households in their order, then those that left in last year's order.
    # pos_cur / pos_prev: each output row's position in either year's list (-1: not there).
    prev_at_cur = pd.Index(cur.codes).get_indexer(pd.Index(prev.codes))
    gone = prev_at_cur < 0
    n_cur = len(cur.codes)
    m = n_cur + int(gone.sum())
    pos_cur = np.full(m, -1, dtype="int64")
    pos_cur[:n_cur] = np.arange(n_cur)
    row_of_prev = prev_at_cur.copy()
    row_of_prev[gone] = np.arange(n_cur, m)
    pos_prev = np.full(m, -1, dtype="int64")
    pos_prev[row_of_prev] = np.arange(len(prev_at_cur))
    in_now, in_before = pos_cur >= 0, pos_prev >= 0
    now = _gather(cur.cls, pos_cur, _ABSENT)
    before = _gather(prev.cls, pos_prev, _ABSENT)

    def pick(values: pd.api.extensions.ExtensionArray, pos: np.ndarray) -> pd.Series:
        return pd.Series(values.take(pos, allow_fill=True))

    def merged(
        now_values: pd.api.extensions.ExtensionArray,
        before_values: pd.api.extensions.ExtensionArray,
    ) -> pd.Series:
        """Per row this year's value, or last year's for a household that left: one take
        from both years' values (every row is in one of them)."""
        if now_values.dtype != before_values.dtype:
            return pick(now_values, pos_cur).where(in_now, pick(before_values, pos_prev))
        both = pd.concat([pd.Series(now_values), pd.Series(before_values)], ignore_index=True)
        return pd.Series(both.array.take(np.where(in_now, pos_cur, n_cur + pos_prev)))

    codes = merged(cur.codes, prev.codes)
    index = pd.Index(codes)

    now_poor, now_near = now == _POOR, now == _NEAR
    now_above = in_now & ~now_poor & ~now_near
    was_poor, was_near = before == _POOR, before == _NEAR
    was_above = in_before & ~was_poor & ~was_near

    earlier = [f for f in earlier if f is not None]
    if relapse == "same_class":
        poor_before = _ever(earlier, (POOR,))
        near_before = _ever(earlier, (NEAR_POOR,))
    else:
        poor_before = near_before = _ever(earlier, (POOR, NEAR_POOR))
    relapse_poor = index.isin(poor_before)
    relapse_near = index.isin(near_before)

    rules = [
        (~in_before, "vao_danh_sach"),
        (~in_now, "ra_danh_sach"),
        (was_poor & now_poor, "con_ngheo"),
        (was_near & now_near, "con_can_ngheo"),
        (was_poor & now_near, "ngheo_sang_can_ngheo"),
        (was_poor & now_above, "thoat_ngheo"),
        (was_near & now_poor, "can_ngheo_sang_ngheo"),
        (was_near & now_above, "thoat_can_ngheo"),
        (was_above & now_poor & relapse_poor, "tai_ngheo"),
        (was_above & now_poor, "ngheo_moi"),
        (was_above & now_near & relapse_near, "tai_can_ngheo"),
        (was_above & now_near, "can_ngheo_moi"),
        (was_above & now_above, "khong_ngheo"),
    ]
    # Codes by number (their place in BIEN_DONG_CODES), named once at the end.
    code = np.select([c for c, _ in rules], [_CODE_INDEX.get_loc(v) for _, v in rules], default=-1)
    if m and (code < 0).any():  # pragma: no cover - the rules above cover every case
        raise AssertionError("a household fell through the transition rules")

    thon_before = pick(prev.thon, pos_prev)
    head = merged(cur.head, prev.head)
    persons_now = pd.arrays.IntegerArray(_gather(cur.persons, pos_cur, 0), ~in_now)
    persons_before = pd.arrays.IntegerArray(_gather(prev.persons, pos_prev, 0), ~in_before)

    def text(names: Sequence[str | None], numbers: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """``names[numbers]`` as text (a handful of names: each made text once)."""
        return pd.array(list(names), dtype="string").take(numbers)

    return pd.DataFrame(
        {
            "ma_ho": codes.array,
            "thon": merged(cur.thon, prev.thon).array,
            "thon_truoc": thon_before.array,
            "ho_ten_chu_ho": head.array,
            "phan_loai": text(_CLASS_NAMES.tolist(), now),  # -1 (not listed): the last, NA
            "phan_loai_truoc": text(_CLASS_NAMES.tolist(), before),
            "bien_dong": text(BIEN_DONG_CODES, code),
            "so_nhan_khau": persons_now,
            "so_nhan_khau_truoc": persons_before,
        }
    )


def renumbering_candidates(trans: pd.DataFrame) -> pd.DataFrame:
    """Pairs (a code that left, a code that arrived) with the same head of household and
    village (compared after :func:`fold`): possibly one household given a new code. Listed
    for a person to check; never merged. ``so_ung_vien`` counts the pairs sharing that
    name and village (more than 1: a common name, check carefully)."""
    columns = [
        "ma_ho_cu",
        "ma_ho_moi",
        "ho_ten_chu_ho",
        "thon",
        "phan_loai_truoc",
        "phan_loai",
        "so_ung_vien",
    ]

    def keyed(code: str, village_col: str) -> pd.DataFrame:
        part = trans.loc[(trans["bien_dong"] == code).fillna(False).to_numpy()]
        names = part["ho_ten_chu_ho"].astype("string")
        villages = part[village_col].astype("string")
        return pd.DataFrame(
            {
                "ma_ho": part["ma_ho"].to_numpy(),
                "ho_ten_chu_ho": names.to_numpy(),
                "thon": villages.to_numpy(),
                "phan_loai_truoc": part["phan_loai_truoc"].to_numpy(),
                "phan_loai": part["phan_loai"].to_numpy(),
                "k_name": names.fillna("").map(fold).to_numpy(),
                "k_village": villages.fillna("").map(fold).to_numpy(),
            }
        )

    gone = keyed("ra_danh_sach", "thon_truoc" if "thon_truoc" in trans.columns else "thon")
    new = keyed("vao_danh_sach", "thon")
    gone = gone[gone["k_name"] != ""]
    new = new[new["k_name"] != ""]
    # Joined on (name, village) by hand: a few dozen households left or arrived, where a
    # merge of the two frames costs more than the pairs themselves.
    arrived: dict[tuple[str, str], list[int]] = {}
    for j, key in enumerate(zip(new["k_name"].tolist(), new["k_village"].tolist(), strict=True)):
        arrived.setdefault(key, []).append(j)
    left: list[int] = []
    right: list[int] = []
    keys: list[tuple[str, str]] = []
    for i, key in enumerate(zip(gone["k_name"].tolist(), gone["k_village"].tolist(), strict=True)):
        for j in arrived.get(key, ()):
            left.append(i)
            right.append(j)
            keys.append(key)
    if not left:
        return pd.DataFrame({c: pd.Series([], dtype="string") for c in columns}).astype(
            {"so_ung_vien": "int64"}
        )
    per_key = Counter(keys)

    def taken(part: pd.DataFrame, column: str, rows: list[int]) -> pd.Series:
        return part[column].take(rows).reset_index(drop=True)

    out = pd.DataFrame(
        {
            "ma_ho_cu": taken(gone, "ma_ho", left),
            "ma_ho_moi": taken(new, "ma_ho", right),
            "ho_ten_chu_ho": taken(new, "ho_ten_chu_ho", right),
            "thon": taken(new, "thon", right),
            "phan_loai_truoc": taken(gone, "phan_loai_truoc", left),
            "phan_loai": taken(new, "phan_loai", right),
            "so_ung_vien": np.array([per_key[key] for key in keys], dtype="int64"),
        }
    )
    return out.sort_values(["thon", "ma_ho_cu", "ma_ho_moi"], ignore_index=True)


# --- balance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entries:
    """Rows for the balance, as arrays: group label, classes (numbers), code, persons."""

    group: np.ndarray
    before: np.ndarray
    after: np.ndarray
    code: np.ndarray  # index into BIEN_DONG_CODES
    nk_before: np.ndarray
    nk_after: np.ndarray


def _persons(values: pd.Series) -> np.ndarray:
    persons: np.ndarray = pd.to_numeric(values).astype("Int64").fillna(0).to_numpy(dtype="int64")
    return persons


def _base(trans: pd.DataFrame) -> _Entries:
    """One row per household (group not set yet)."""
    code = _lookup(trans["bien_dong"], _CODE_INDEX)
    if (code < 0).any():
        raise ValueError("unknown bien_dong code in the transitions")
    return _Entries(
        group=np.full(len(trans), TOTAL_LABEL, dtype=object),
        before=_class_numbers(trans["phan_loai_truoc"]),
        after=_class_numbers(trans["phan_loai"]),
        code=code,
        nk_before=_persons(trans["so_nhan_khau_truoc"]),
        nk_after=_persons(trans["so_nhan_khau"]),
    )


def _by_group(base: _Entries, trans: pd.DataFrame, by: str) -> _Entries:
    """Group the rows by ``by``. A household whose group changed between the years becomes
    two rows: it leaves the old group (``ra_danh_sach``) and enters the new one
    (``vao_danh_sach``)."""
    if by not in trans.columns:
        raise ValueError(f"no column {by!r} to group the balance by")
    prior = f"{by}_truoc"
    gn = trans[by].astype("string").fillna(BLANK_GROUP).to_numpy(dtype=object)
    gb = (
        trans[prior].astype("string").fillna(BLANK_GROUP).to_numpy(dtype=object)
        if prior in trans.columns
        else gn
    )
    before, after = base.before, base.after
    in_before, in_after = before != _ABSENT, after != _ABSENT
    group = np.where(in_after, gn, gb)
    moved = in_before & in_after & (gn != gb)
    if not moved.any():
        return replace(base, group=group)
    k = int(moved.sum())
    absent = np.full(k, _ABSENT, dtype=before.dtype)
    zeros = np.zeros(k, dtype="int64")

    def both(stay: np.ndarray, left: np.ndarray, arrived: np.ndarray) -> np.ndarray:
        return np.concatenate([stay[~moved], left, arrived])

    return _Entries(
        group=both(group, gb[moved], gn[moved]),
        before=both(before, before[moved], absent),
        after=both(after, absent, after[moved]),
        code=both(
            base.code,
            np.full(k, _CODE_INDEX.get_loc("ra_danh_sach")),
            np.full(k, _CODE_INDEX.get_loc("vao_danh_sach")),
        ),
        nk_before=both(base.nk_before, base.nk_before[moved], zeros),
        nk_after=both(base.nk_after, zeros, base.nk_after[moved]),
    )


def _groups(e: _Entries) -> tuple[np.ndarray, list[str]]:
    """Each row's group as a number, and the groups' labels, sorted."""
    numbers, labels = pd.factorize(e.group, sort=True)
    return numbers, [str(label) for label in labels]


def _balance_rows(
    e: _Entries, groups: tuple[np.ndarray, list[str]], kind: Kind
) -> dict[str, np.ndarray]:
    """Lines 1…9 per group, in households and persons, plus the stayers' size change."""
    target = _POOR if kind == "poor" else _NEAR
    before_in = e.before == target
    after_in = e.after == target
    numbers, labels = groups
    size = len(labels)

    def total(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = mask.astype("int64") if weights is None else np.where(mask, weights, 0)
        return np.bincount(numbers, weights=w, minlength=size).round().astype("int64")

    cols: dict[str, np.ndarray] = {
        "ho_1": total(before_in),
        "nk_1": total(before_in, e.nk_before),
        "ho_9": total(after_in),
        "nk_9": total(after_in, e.nk_after),
    }
    for line, line_code in BALANCE_CODES[kind].items():
        # 2–4 leave the group (they were in it in Y−1), 5–8 enter it (in it in Y).
        leaving = line in DECREASE_LINES
        hit = (before_in if leaving else after_in) & (e.code == _CODE_INDEX.get_loc(line_code))
        cols[f"ho_{line}"] = total(hit)
        cols[f"nk_{line}"] = total(hit, e.nk_before if leaving else e.nk_after)
    stay = before_in & after_in
    net = total(stay, e.nk_after - e.nk_before)
    cols["nk_4"] = cols["nk_4"] + np.clip(-net, 0, None)
    cols["nk_8"] = cols["nk_8"] + np.clip(net, 0, None)
    cols[SIZE_CHANGE_COLUMN] = net
    return cols


_BALANCE_ORDER = (*HH_COLUMNS, *PERSON_COLUMNS, SIZE_CHANGE_COLUMN)


def _tables(trans: pd.DataFrame, kinds: Sequence[Kind], by: str | None) -> dict[str, pd.DataFrame]:
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"kind must be 'poor' or 'near_poor', not {kind!r}")
    label = by or "nhom"
    base = _base(trans)
    grouped = _by_group(base, trans, by) if by is not None else None
    # Numbered once for both kinds; the total row's group is the same for every row.
    by_groups = None if grouped is None else _groups(grouped)
    whole = (np.zeros(len(trans), dtype="int64"), [TOTAL_LABEL] if len(trans) else [])
    out: dict[str, pd.DataFrame] = {}
    for kind in kinds:
        parts = []
        if grouped is not None and by_groups is not None:
            parts.append((by_groups[1], _balance_rows(grouped, by_groups, kind)))
        if len(trans):
            parts.append((whole[1], _balance_rows(base, whole, kind)))
        else:  # no household at all: still one total row of zeros
            parts.append(([TOTAL_LABEL], {c: np.zeros(1, dtype="int64") for c in _BALANCE_ORDER}))
        table = pd.DataFrame(
            {
                label: pd.array([x for names, _ in parts for x in names], dtype="string"),
                **{c: np.concatenate([cols[c] for _, cols in parts]) for c in _BALANCE_ORDER},
            }
        )
        table.attrs["kind"] = kind
        out[kind] = table
    return out


def balance(trans: pd.DataFrame, kind: Kind = "poor", by: str | None = "thon") -> pd.DataFrame:
    """The "diễn biến" table for ``kind`` ("poor" or "near_poor"): one row per value of
    ``by`` (sorted; blank as "(trống)") and a last row ``Toàn xã`` for the commune; with
    ``by=None`` only that row. Columns: ``by`` (or ``nhom``), ``ho_1``…``ho_9``,
    ``nk_1``…``nk_9``, ``nk_thay_doi_quy_mo`` (already inside ``nk_4`` / ``nk_8``)."""
    return _tables(trans, (kind,), by)[kind]


def balances(trans: pd.DataFrame, by: str | None = "thon") -> dict[str, pd.DataFrame]:
    """Both tables at once (``{"poor": …, "near_poor": …}``), reading ``trans`` once."""
    return _tables(trans, KINDS, by)


def identity_holds(table: pd.DataFrame) -> pd.Series:
    """Per row: 9 = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8, in households and in persons."""
    ok = pd.Series(True, index=table.index)
    for unit in ("ho", "nk"):
        c = {i: table[f"{unit}_{i}"] for i in range(1, 10)}
        expected = c[1] - c[2] - c[3] - c[4] + c[5] + c[6] + c[7] + c[8]
        ok &= expected == c[9]
    return ok


def balance_dict(trans: pd.DataFrame) -> dict[str, dict[str, object]]:
    """For ``--json``: per table, households at the ``start`` and ``end`` and per
    ``bien_dong`` code that enters it (the stayers' code included), and the same under
    ``persons``. There the stayers' code counts their persons in Y−1 and
    ``thay_doi_quy_mo`` is their net change in size, kept apart (the table folds it into
    line 4 or 8), so persons ``end = start − (2, 3, 4) + (5…8) + thay_doi_quy_mo``."""
    out: dict[str, dict[str, object]] = {}
    for kind, table in balances(trans, by=None).items():
        row = table.iloc[-1]
        codes = BALANCE_CODES[kind]
        households: dict[str, object] = {"start": int(row["ho_1"]), "end": int(row["ho_9"])}
        persons: dict[str, object] = {"start": int(row["nk_1"]), "end": int(row["nk_9"])}
        net = int(row[SIZE_CHANGE_COLUMN])
        stay_h = int(row["ho_1"] - sum(row[f"ho_{i}"] for i in DECREASE_LINES))
        stay_code = STAY_CODE[kind]
        households[stay_code] = stay_h
        persons[stay_code] = int(
            row["nk_1"] - sum(row[f"nk_{i}"] for i in DECREASE_LINES) + max(-net, 0)
        )
        for line, line_code in codes.items():
            households[line_code] = int(row[f"ho_{line}"])
            value = int(row[f"nk_{line}"])
            if line == 4:
                value -= max(-net, 0)
            elif line == 8:
                value -= max(net, 0)
            persons[line_code] = value
        persons["thay_doi_quy_mo"] = net
        households["persons"] = persons
        out[kind] = households
    return out


# --- change in deprivations ------------------------------------------------------------------


def _relative(new: float, old: float) -> float:
    if old == 0 or np.isnan(old) or np.isnan(new):
        return float("nan")
    return (new - old) / old


def mpi_change(af_by_year: Mapping[int, MPIResult]) -> pd.DataFrame:
    """Absolute (new − old) and relative ((new − old) / old; NaN when old is 0) change of H,
    A, M0 and each indicator's censored headcount between consecutive years present.

    Long format, one row per (pair of years, measure): ``nam_truoc``, ``nam``, ``chi_tieu``
    ("H", "A", "M0", "censored"), ``chi_so`` (the indicator; NA for H, A, M0),
    ``gia_tri_truoc``, ``gia_tri``, ``tuyet_doi``, ``tuong_doi``, ``cung_chuan`` (False
    when the indicator list or the cut-off changed: a break in the series, not a trend).
    An indicator only one of the two years has gets NaN for the other year.
    """
    return _change_frame(_change_rows(af_by_year))


def mpi_changes(
    groups: Sequence[tuple[str, Mapping[int, MPIResult]]], column: str = "nhom"
) -> pd.DataFrame:
    """:func:`mpi_change` of each group (a commune, its villages), one after the other,
    with the group's label in a last column ``column``: the same table as each group's
    with the label assigned, concatenated, built as one frame."""
    rows: list[dict[str, object]] = []
    labels: list[str] = []
    for label, af_by_year in groups:
        part = _change_rows(af_by_year)
        rows += part
        labels += [label] * len(part)
    out = _change_frame(rows)
    out[column] = pd.array(labels, dtype="str")
    return out


_CHANGE_DTYPES: dict[str, str] = {
    "nam_truoc": "int64",
    "nam": "int64",
    "chi_tieu": "string",
    "chi_so": "string",
    "gia_tri_truoc": "float64",
    "gia_tri": "float64",
    "tuyet_doi": "float64",
    "tuong_doi": "float64",
    "cung_chuan": "bool",
}


def _change_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(_CHANGE_DTYPES)).astype(_CHANGE_DTYPES)


def _change_rows(af_by_year: Mapping[int, MPIResult]) -> list[dict[str, object]]:
    years = sorted(af_by_year)
    rows: list[dict[str, object]] = []
    for old_year, new_year in zip(years, years[1:], strict=False):
        old, new = af_by_year[old_year], af_by_year[new_year]
        same = tuple(old.indicators) == tuple(new.indicators) and np.isclose(old.k, new.k)
        measures: list[tuple[str, Any, float, float]] = [
            ("H", pd.NA, old.H, new.H),
            ("A", pd.NA, old.A, new.A),
            ("M0", pd.NA, old.M0, new.M0),
        ]
        indicators = list(old.indicators) + [i for i in new.indicators if i not in old.indicators]
        for ind in indicators:
            measures.append(
                (
                    "censored",
                    ind,
                    old.censored_headcount.get(ind, float("nan")),
                    new.censored_headcount.get(ind, float("nan")),
                )
            )
        for name, ind, before, after in measures:
            b, a = float(before), float(after)
            rows.append(
                {
                    "nam_truoc": old_year,
                    "nam": new_year,
                    "chi_tieu": name,
                    "chi_so": ind,
                    "gia_tri_truoc": b,
                    "gia_tri": a,
                    "tuyet_doi": a - b,
                    "tuong_doi": _relative(a, b),
                    "cung_chuan": bool(same),
                }
            )
    return rows
