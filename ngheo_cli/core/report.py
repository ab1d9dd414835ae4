"""The review report's numbers, as one plain dictionary (the documents and ``--json`` show it).

Pure: DataFrames and plain values in, a JSON-ready ``dict`` out (no NaN: missing is None).
:mod:`ngheo_cli.services.report` gathers the inputs from the store; the HTML template and the
Excel writer only lay the dictionary out (style.md §10).

Sections: ``summary`` (households and persons per class, rates of all households and of all
persons), ``trend`` (every recorded year, with its standard), ``by_unit`` (villages of a
commune, or communes of a province), ``by_ethnic`` (DTTS / Kinh, and per ethnic group),
``balances`` (the "diễn biến" lines 1…9 in households and persons), ``deprivations`` (per
indicator among poor and near-poor households, with the Alkire–Foster contribution),
``causes`` and ``needs`` (poor and near-poor households grouped by nguyen_nhan and
nhu_cau; a need written "a; b" counts in both groups), ``assignment`` (households with a
helper, members' loads), ``targets`` (see :mod:`targets`), ``support``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.classify import classify
from ngheo_cli.core.forms import FORM_LINE_FROM_HISTORY, build_forms, vn_sorted
from ngheo_cli.core.history import BALANCE_LINES
from ngheo_cli.core.mpi import MPIResult
from ngheo_cli.core.recognised import recorded_note
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.schema import CLASS_LABELS
from ngheo_cli.core.summary import (
    DTTS_LABELS,
    class_counts,
    defined_classes,
    deprivation_table,
    dtts_group,
    mpi_for,
)
from ngheo_cli.core.targets import Evaluation, Observation, Target, evaluate, rate_pct

POOR, NEAR_POOR = "ngheo", "can_ngheo"
NO_SUPPORT_DATA = "Chưa có số liệu hỗ trợ"
MEASURE_KEYS = ("poor_rate", "near_poor_rate", "dtts_poor_rate", "dtts_area_poor_rate",
                "poor_count", "near_poor_count")
AREA_NOTE = ("Đo trên toàn bộ hộ của địa bàn (áp dụng khi địa bàn thuộc vùng đồng bào dân tộc "
             "thiểu số và miền núi); khác tỷ lệ hộ nghèo trong số hộ dân tộc thiểu số.")


_PLAIN = frozenset((str, int, bool, type(None)))


def _clean(value: Any) -> Any:
    """Plain JSON values: numpy scalars unwrapped, NaN/NA → None, containers recursed."""
    kind = type(value)
    # The context holds ~40.000 plain values per commune (the forms' lists): the exact
    # built-in types first, each the same as the general path below would return.
    if kind in _PLAIN:
        return value
    if kind is float:
        return None if value != value else value
    if kind is dict:
        return {
            k if type(k) is str else str(k): v if type(v) in _PLAIN else _clean(v)
            for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else _clean(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(r) for r in frame.astype(object).to_dict("records")]


def _persons(frame: pd.DataFrame) -> np.ndarray:
    if "so_nhan_khau" not in frame.columns:
        return np.zeros(len(frame), dtype="int64")
    persons: np.ndarray = (
        pd.to_numeric(frame["so_nhan_khau"]).astype("Float64").fillna(0).to_numpy("int64")
    )
    return persons


def year_counts(frame: pd.DataFrame) -> dict[str, Any]:
    """Counts of one stored year: households, persons, poor and near-poor (households and
    persons), DTTS households and DTTS poor, and the standard. Needs ``phan_loai`` (and uses
    ``so_nhan_khau``, ``is_dtts``, ``standard`` when present)."""
    # Compared as text arrays (no Python string per household): a province adds up ~1M.
    cls = frame["phan_loai"].astype("string")
    poor = cls.eq(POOR).to_numpy(dtype=bool, na_value=False)
    near = cls.eq(NEAR_POOR).to_numpy(dtype=bool, na_value=False)
    persons = _persons(frame)
    if "is_dtts" in frame.columns:
        dtts = frame["is_dtts"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        dtts = np.zeros(len(frame), dtype=bool)
    standard = None
    if "standard" in frame.columns and len(frame):
        standard = str(frame["standard"].iloc[0])
    return {
        "households": len(frame),
        "persons": int(persons.sum()),
        "poor": int(poor.sum()),
        "near_poor": int(near.sum()),
        "poor_persons": int(persons[poor].sum()),
        "near_poor_persons": int(persons[near].sum()),
        "dtts_households": int(dtts.sum()),
        "dtts_poor": int((dtts & poor).sum()),
        "standard": standard,
    }


def add_counts(parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts of several units added up (a province from its communes)."""
    out: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "standard":
                out.setdefault("standards", set()).add(value)
            else:
                out[key] = out.get(key, 0) + int(value)
    standards = sorted(s for s in out.pop("standards", set()) if s)
    out["standard"] = standards[0] if len(standards) == 1 else ", ".join(standards) or None
    return out


def measures(counts: Mapping[str, Any]) -> dict[str, float]:
    """The target measures of one year's counts (rates in %)."""
    return {
        "poor_rate": rate_pct(counts["poor"], counts["households"]),
        "near_poor_rate": rate_pct(counts["near_poor"], counts["households"]),
        "dtts_poor_rate": rate_pct(counts["dtts_poor"], counts["dtts_households"]),
        # The area's rate is over every household of the unit, not over DTTS households.
        "dtts_area_poor_rate": rate_pct(counts["poor"], counts["households"]),
        "poor_count": float(counts["poor"]),
        "near_poor_count": float(counts["near_poor"]),
    }


@dataclass(frozen=True)
class StaleAssignment:
    """A unit's stored member ↔ household pairs, made before its households of the report year
    were imported again (the store marks them stale): they may name households that changed
    class or left the list, and miss new ones. Times are ISO 8601 (Vietnam time)."""

    unit_name: str
    assigned_at: str
    imported_at: str | None = None


def _day(iso: str | None) -> str:
    """"2026-12-04T05:17:35+07:00" → "04/12/2026" (the text as it is when not a date)."""
    if not iso:
        return ""
    try:
        return date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def stale_note(stale: Sequence[StaleAssignment], year: int, level: str) -> str | None:
    """The report's words for pairs made before the year's households were last imported."""
    if not stale:
        return None
    if level == "commune" and len(stale) == 1:
        item = stale[0]
        imported = f" ngày {_day(item.imported_at)}" if item.imported_at else ""
        return (
            f"Phân công đảng viên giúp đỡ hộ đang lưu (lập ngày {_day(item.assigned_at)}) có "
            f"trước lần nhập lại danh sách hộ năm {year}{imported}: các cặp đảng viên – hộ có "
            "thể không còn khớp với danh sách hiện nay (hộ đổi loại, hộ ra khỏi danh sách, hộ "
            "mới chưa có người giúp). Cần phân công lại trước khi dùng số liệu này."
        )
    names = ", ".join(item.unit_name for item in stale)
    return (
        f"Phân công đảng viên giúp đỡ hộ của {len(stale)} xã, phường ({names}) có trước lần "
        f"nhập lại danh sách hộ năm {year}: các cặp đảng viên – hộ của các xã, phường đó có thể "
        "không còn khớp với danh sách hiện nay. Cần phân công lại trước khi dùng số liệu này."
    )


@dataclass
class ReportInputs:
    """Everything the report is computed from, gathered by the API (no store in here).

    ``current``: the households of ``year`` (indicator marks included; a province report
    adds ``commune`` and ``commune_name``). ``trend``: year → :func:`year_counts` for every
    recorded year up to ``year``. ``balances``: kind → one-row total table of
    :func:`history.balances` (None without a previous year). ``pairs``: recorded member ↔
    household pairs (``ma_ho``, ``ma_dang_vien``, and ``commune`` for a province);
    ``members``: the party members (``mien``). ``support``: the support summary, or None
    when no support data exists.
    """

    level: str
    unit_code: str
    unit_name: str
    province_code: str
    province_name: str
    year: int
    current: pd.DataFrame
    ruleset: Ruleset | None
    trend: dict[int, dict[str, Any]]
    standard_of_year: Callable[[int], str]
    balances: dict[str, pd.DataFrame] | None = None
    previous_year: int | None = None
    pairs: pd.DataFrame | None = None
    members: pd.DataFrame | None = None
    targets: list[Target] = field(default_factory=list)
    support: dict[str, Any] | None = None
    support_note: str | None = None
    generated_on: date | None = None
    communes_without_year: list[str] = field(default_factory=list)
    next_ruleset: Ruleset | None = None  # the standard after the coming change, for what-if
    #: Years recorded from a recognised list (ngheo record-list) → the decision's number
    #: (None when not given): their figures that need deprivations are said to be missing.
    recorded_years: dict[int, str | None] = field(default_factory=dict)
    #: Province report: communes whose report year was recorded from a list, when others'
    #: were computed (their deprivations cover only the computed communes).
    recorded_units: list[str] = field(default_factory=list)
    status: pd.Series | None = None  # this year's bien_dong per household code (a commune)
    #: Units whose stored pairs predate the last import of the year's households.
    stale_assignments: list[StaleAssignment] = field(default_factory=list)
    # Standard id → its legal name ("nd07-2021" → "Nghị định 07/2021/NĐ-CP"): the report
    # text names standards by law, never by the rules file's id.
    standard_names: dict[str, str] = field(default_factory=dict)
    # Instructions for whoever prepares the report (commands to run): never in its text.
    preparer_notes: list[str] = field(default_factory=list)
    communes_without_previous: list[str] = field(default_factory=list)


def _summary(frame: pd.DataFrame, ruleset: Ruleset | None) -> dict[str, Any]:
    counts = year_counts(frame)
    total_h, total_p = counts["households"], counts["persons"]
    persons = _persons(frame)
    cls = frame["phan_loai"].astype("string").fillna("")
    defined = (
        class_counts(frame, ruleset) if ruleset is not None
        else {c: int((cls == c).sum()) for c in CLASS_LABELS}
    )
    classes: list[dict[str, Any]] = []
    for code, n in defined.items():
        if n is None:
            classes.append({"code": code, "label": CLASS_LABELS[code], "households": None,
                            "persons": None, "rate_households": None, "rate_persons": None,
                            "note": "không quy định"})
            continue
        if code == "tren_chuan" and not n:
            continue
        p = int(persons[(cls == code).to_numpy()].sum())
        classes.append({
            "code": code, "label": CLASS_LABELS[code], "households": n, "persons": p,
            "rate_households": rate_pct(n, total_h), "rate_persons": rate_pct(p, total_p),
            "note": None,
        })
    return {"households": total_h, "persons": total_p, "classes": classes,
            "dtts_households": counts["dtts_households"], "dtts_poor": counts["dtts_poor"],
            "dtts_poor_rate": rate_pct(counts["dtts_poor"], counts["dtts_households"])}


@dataclass(frozen=True)
class _Classes:
    """What every grouping of one frame counts: the classes the standard defines, each
    household's persons, and per class its households (a mask) and their totals."""

    size: int
    persons: np.ndarray
    per_class: dict[str, tuple[np.ndarray, int, int]]  # code → (mask, households, persons)

    @classmethod
    def of(cls, frame: pd.DataFrame, ruleset: Ruleset) -> _Classes:
        if "so_nhan_khau" in frame.columns:
            persons = frame["so_nhan_khau"].astype("Float64").fillna(0).astype("int64").to_numpy()
        else:
            persons = np.zeros(len(frame), dtype="int64")
        phan_loai = frame["phan_loai"]
        per_class = {}
        for code in defined_classes(ruleset, frame):
            sel = (phan_loai == code).fillna(False).to_numpy(dtype=bool)
            per_class[code] = (sel, int(sel.sum()), int(persons[sel].sum()))
        return cls(len(frame), persons, per_class)


_PERCENT_CLASSES = ("ngheo", "can_ngheo", "trung_binh", "khac", "tren_chuan")


def _by_group(classes: _Classes, group: pd.Series, total_label: str) -> list[dict[str, Any]]:
    """:func:`summary.by_group` as rows, rates in percent, counted in one pass (bincount)
    instead of one boolean mask over every household per group: a province has ~1M
    households in 120 communes."""
    persons = classes.persons
    # Label each distinct value once (blank → "(trống)"), then number the rows by the
    # sorted labels.
    numbers, uniques = pd.factorize(group, use_na_sentinel=True)
    labels = [str(v) for v in uniques] + ["(trống)"]
    numbers = np.where(numbers < 0, len(uniques), numbers)
    keys = vn_sorted(sorted({labels[i] for i in np.unique(numbers).tolist()}))
    position = {k: i for i, k in enumerate(keys)}
    at = np.array([position.get(label, -1) for label in labels], dtype="int64")[numbers]
    n = len(keys)

    def sums(sel: np.ndarray | None) -> tuple[list[int], list[int]]:
        where = at if sel is None else at[sel]
        weights = persons if sel is None else persons[sel]
        counts = np.bincount(where, minlength=n).astype("int64")
        people = np.bincount(where, weights=weights.astype("float64"), minlength=n)
        return counts.tolist(), people.round().astype("int64").tolist()

    households, people = sums(None)
    per_class = {
        code: (*sums(sel), total_n, total_p)
        for code, (sel, total_n, total_p) in classes.per_class.items()
    }
    rows = []
    for i, key in [*enumerate(keys), (-1, total_label)]:
        size = households[i] if i >= 0 else classes.size
        row: dict[str, Any] = {
            "nhom": key,
            "so_ho": size,
            "so_nhan_khau": people[i] if i >= 0 else int(persons.sum()),
        }
        for code, (counts, cpeople, total_n, total_p) in per_class.items():
            row[code] = counts[i] if i >= 0 else total_n
            row[f"{code}_nhan_khau"] = cpeople[i] if i >= 0 else total_p
            rate = row[code] / size if size else math.nan
            # percent, like every rate in the report
            row[f"ty_le_{code}"] = rate * 100 if code in _PERCENT_CLASSES else rate
        rows.append(row)
    return rows


def _dtts_group(frame: pd.DataFrame) -> pd.Series:
    """:func:`summary.dtts_group` without a Python call per household."""
    flags = frame["is_dtts"] if "is_dtts" in frame.columns else None
    if flags is None or not (pd.api.types.is_bool_dtype(flags.dtype)):
        return dtts_group(frame)
    known = flags.notna().to_numpy(dtype=bool)
    yes = flags.astype("boolean").fillna(False).to_numpy(dtype=bool)
    labels = np.where(known, np.where(yes, DTTS_LABELS[True], DTTS_LABELS[False]),
                      DTTS_LABELS[None]).astype(object)
    return pd.Series(labels, index=frame.index)


def _group_rows(classes: _Classes | None, group: pd.Series,
                total_label: str) -> list[dict[str, Any]]:
    """One row per group and the total row; none without a standard or households."""
    if classes is None or not classes.size:
        return []
    return _by_group(classes, group, total_label)


def _balances(tables: Mapping[str, pd.DataFrame] | None) -> dict[str, Any]:
    """The level's total (the last row of each table), numbered as the official forms do
    (the near-poor form's (2) is history's line 3 and its (3) history's line 2)."""
    if not tables:
        return {"available": False, "poor": [], "near_poor": []}
    out: dict[str, Any] = {"available": True}
    for kind in ("poor", "near_poor"):
        row = tables[kind].iloc[-1]
        mapping = FORM_LINE_FROM_HISTORY[kind]
        out[kind] = [
            {"line": i, "label": BALANCE_LINES[kind][mapping[i]],
             "households": int(row[f"ho_{mapping[i]}"]),
             "persons": int(row[f"nk_{mapping[i]}"])}
            for i in range(1, 10)
        ]
    return out


def _deprivations(frame: pd.DataFrame, ruleset: Ruleset | None) -> dict[str, Any]:
    if ruleset is None or not len(frame) or "nguon_thieu_hut" not in frame.columns:
        return {"available": False, "rows": [], "mpi": None, "households_with_marks": 0}
    present = [i for i in ruleset.indicator_ids if i in frame.columns]
    if len(present) < len(ruleset.indicator_ids):
        return {"available": False, "rows": [], "mpi": None, "households_with_marks": 0}
    mpi: MPIResult = mpi_for(frame, ruleset)
    table = deprivation_table(frame, ruleset, mpi)
    for key in ("ngheo_ty_le", "can_ngheo_ty_le", "tat_ca_ty_le", "af_censored", "af_dong_gop"):
        table[key] = table[key] * 100
    # In the legal order of the standard (its ``indicators:``, under their dimension), as in
    # the official forms; never sorted by frequency (the chart ranks them on its own).
    rows = _records(table)
    return {
        "available": True,
        "rows": rows,
        "households_with_marks": int(table.attrs.get("so_ho_co_chi_so", 0)),
        # Rounded as published: H and A in % with two decimals, M0 with three.
        "mpi": _clean({"H": round(mpi.H * 100, 2), "A": round(mpi.A * 100, 2),
                       "M0": round(mpi.M0, 3), "n": mpi.n, "q": mpi.q}),
    }


def _split_needs(values: pd.Series) -> pd.Series:
    return (
        values.astype("string").fillna("").str.split(r"[;,]")
        .explode().astype("string").str.strip()
    )


def _grouped(frame: pd.DataFrame, column: str, split: bool) -> list[dict[str, Any]]:
    """Poor and near-poor households by ``column`` (blank → "(chưa ghi)"), largest first."""
    if column not in frame.columns:
        return []
    cls = frame["phan_loai"].astype("string")
    chosen = cls.isin([POOR, NEAR_POOR]).fillna(False).to_numpy(dtype=bool)
    poor = (cls == POOR).to_numpy(dtype=bool, na_value=False)[chosen]
    near = (cls == NEAR_POOR).to_numpy(dtype=bool, na_value=False)[chosen]
    # A few distinct texts among thousands of households: each distinct text (blank as
    # one more) is split and labelled once, then its households are counted to its groups.
    raw, distinct = pd.factorize(frame[column].astype("string")[chosen])
    raw = np.where(raw < 0, len(distinct), raw)
    values = pd.Series(pd.array([*distinct, pd.NA], dtype="string"))
    if split:
        values = _split_needs(values)
    values = values.mask(values.fillna("") == "", "(chưa ghi)")
    source = values.index.to_numpy()  # each label's distinct text
    numbers, uniques = pd.factorize(values.to_numpy(dtype=object))
    keep = numbers >= 0
    size = len(distinct) + 1
    by_text_poor = np.bincount(raw[poor], minlength=size)
    by_text_near = np.bincount(raw[near], minlength=size)
    poor_n = np.bincount(numbers[keep], weights=by_text_poor[source[keep]],
                         minlength=len(uniques)).astype("int64")
    near_n = np.bincount(numbers[keep], weights=by_text_near[source[keep]],
                         minlength=len(uniques)).astype("int64")
    rows: list[dict[str, Any]] = []
    n_poor = int(poor.sum())
    n_near = int(near.sum())
    for key, p_n, c_n in zip(uniques, poor_n.tolist(), near_n.tolist(), strict=True):
        if not p_n and not c_n:
            continue
        p, c = int(p_n), int(c_n)
        rows.append({"nhom": str(key), "poor": p, "near_poor": c, "total": p + c,
                     "poor_share": rate_pct(p, n_poor), "near_poor_share": rate_pct(c, n_near)})
    rows.sort(key=lambda r: (-r["total"], r["nhom"]))
    return rows


def _assignment(frame: pd.DataFrame, pairs: pd.DataFrame | None,
                members: pd.DataFrame | None, keys: Sequence[str]) -> dict[str, Any]:
    if pairs is None or not len(pairs):
        return {"available": False,
                "note": "Chưa có phân công đảng viên giúp đỡ hộ năm này."}

    def key(f: pd.DataFrame) -> pd.Series:
        out = f[keys[0]].astype("string")
        for k in keys[1:]:
            out = out + "|" + f[k].astype("string")
        return out

    helped = set(key(pairs).dropna())
    cls = frame["phan_loai"].astype("string").fillna("")
    codes = key(frame)
    result: dict[str, Any] = {"available": True}
    for name, code in (("poor", POOR), ("near_poor", NEAR_POOR)):
        sel = (cls == code).to_numpy()
        total = int(sel.sum())
        with_helper = int(codes[sel].isin(helped).sum())
        result[name] = {"households": total, "with_helper": with_helper,
                        "without_helper": total - with_helper,
                        "rate": rate_pct(with_helper, total)}
    member_keys = ["ma_dang_vien", *keys[1:]]
    loads = pairs.groupby(member_keys, dropna=False).size()
    n_members = n_exempt = None
    idle = None
    if members is not None and len(members):
        n_members = len(members)
        exempt = members["mien"].astype("boolean").fillna(False) if "mien" in members else None
        n_exempt = int(exempt.sum()) if exempt is not None else 0
        idle = n_members - n_exempt - int(len(loads))
    distribution = loads.value_counts().sort_index()
    result.update({
        "pairs": len(pairs),
        "members": n_members,
        "members_exempt": n_exempt,
        "members_helping": int(len(loads)),
        "members_idle": None if idle is None else max(idle, 0),
        "max_load": int(loads.max()) if len(loads) else 0,
        "mean_load": float(loads.mean()) if len(loads) else None,
        "load_distribution": [{"households": int(k), "members": int(v)}
                              for k, v in distribution.items()],
        "via_twinning": int(pairs["via_twinning"].astype("boolean").fillna(False).sum())
        if "via_twinning" in pairs else None,
        "kept_from_last_year": int(pairs["kept_from_last_year"].astype("boolean")
                                   .fillna(False).sum())
        if "kept_from_last_year" in pairs else None,
    })
    return result


def _trend(trend: Mapping[int, Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for y in sorted(trend):
        c = dict(trend[y])
        c["year"] = y
        c.update(measures(c))
        rows.append(c)
    for before, after in zip(rows, rows[1:], strict=False):
        after["series_break"] = before["standard"] != after["standard"]
    if rows:
        rows[0]["series_break"] = False
    return rows


def named(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every standard id replaced by its legal name."""
    for sid in sorted(names, key=len, reverse=True):
        text = text.replace(sid, names[sid])
    return text


def evaluate_targets(inputs: ReportInputs) -> list[Evaluation]:
    series: dict[str, list[Observation]] = {m: [] for m in MEASURE_KEYS}
    for y, counts in inputs.trend.items():
        values = measures(counts)
        standard = counts.get("standard") or inputs.standard_of_year(y)
        for m in MEASURE_KEYS:
            series[m].append(Observation(y, values[m], str(standard)))
    out = []
    for t in inputs.targets:
        if not t.applies_to(inputs.level, inputs.province_code,
                            inputs.unit_code if inputs.level == "commune" else None):
            continue
        if t.year < inputs.year:
            continue  # a past period: its own report said it
        if t.kind == "reduce_pp_per_year" and t.from_year and t.from_year > inputs.year:
            continue  # the period has not started
        if t.level == "province" and inputs.level == "commune":
            pass  # the province's target is a yardstick for its communes
        ev = evaluate(t, series[t.measure], inputs.year, inputs.standard_of_year)
        ev.notes[:] = [named(n, inputs.standard_names) for n in ev.notes]
        if t.measure == "dtts_area_poor_rate":
            ev.notes.append(AREA_NOTE)
        out.append(ev)
    return out


def what_if(frame: pd.DataFrame, ruleset: Ruleset) -> dict[str, Any] | None:
    """This year's households classified under another standard (the one after the coming
    change): counts and rates, with what had to be assumed. Only rows with a per-capita
    income and indicator marks can be reclassified; the others are counted as excluded."""
    if "thu_nhap_binh_quan" not in frame.columns:
        return None
    usable = frame["thu_nhap_binh_quan"].notna().to_numpy().copy()
    if "co_chi_so" in frame.columns:
        usable &= frame["co_chi_so"].to_numpy(dtype=bool, na_value=False)
    part = frame[usable]
    if not len(part):
        return None
    missing = [i for i in ruleset.indicator_ids if i not in part.columns]
    part = part.assign(**{i: False for i in missing}, co_chi_so=True)
    part = part.drop(columns=[c for c in ("diem_a", "diem_b") if c in part.columns])
    counts = class_counts(classify(part, ruleset), ruleset)
    n = len(part)
    return {
        "standard": ruleset.id,
        "title": ruleset.title,
        "households": n,
        "excluded": int(len(frame) - n),
        "counts": counts,
        # Percent points, like every other rate of the report context.
        "rates": {k: (None if v is None else 100 * v / n) for k, v in counts.items()},
        "assumed_not_deprived": missing,
        "assumed_not_deprived_names": [
            ind.name for ind in ruleset.indicators if ind.id in set(missing)],
    }


def build_context(inputs: ReportInputs) -> dict[str, Any]:
    """The report's numbers (see the module docstring); JSON-ready."""
    frame, ruleset = inputs.current, inputs.ruleset
    trend = _trend(inputs.trend)
    standards_seen = sorted({r["standard"] for r in trend if r["standard"]})
    next_change = None
    current_std = inputs.standard_of_year(inputs.year)
    for y in range(inputs.year + 1, inputs.year + 8):
        if inputs.standard_of_year(y) != current_std:
            sid = inputs.standard_of_year(y)
            next_change = {"year": y, "standard": sid,
                           "name": inputs.standard_names.get(sid, sid)}
            break
    series_break = len(standards_seen) > 1
    notes = []
    if series_break:
        notes.append(
            "Các năm trong báo cáo dùng các chuẩn nghèo khác nhau (" + ", ".join(standards_seen)
            + "): số liệu trước và sau khi đổi chuẩn không so sánh trực tiếp; đây là điểm gãy "
            "của chuỗi số liệu, không phải xu hướng."
        )
    if next_change is not None:
        notes.append(
            f"Từ năm {next_change['year']} áp dụng chuẩn nghèo theo {next_change['standard']}: "
            "chuỗi số liệu sẽ gãy; các dự báo vượt qua năm đó chỉ để tham khảo."
        )
    for y, decision in sorted(inputs.recorded_years.items()):
        notes.append(recorded_note(y, decision))
    if inputs.recorded_units:
        notes.append(
            f"Năm {inputs.year} của {', '.join(inputs.recorded_units)} ghi nhận theo danh sách "
            "đã công nhận, không có số liệu chỉ số thiếu hụt: phần thiếu hụt và Alkire–Foster "
            "chỉ tính các xã còn lại."
        )
    if inputs.communes_without_previous:
        notes.append(
            f"Chưa có số liệu năm {inputs.year - 1} của "
            + ", ".join(inputs.communes_without_previous)
            + ": biểu diễn biến của tỉnh chưa lập được."
        )
    notes = [named(n, inputs.standard_names) for n in notes]
    if inputs.level == "province":
        unit_group = frame["commune_name"] if "commune_name" in frame else frame["commune"]
        total_label = "Toàn tỉnh"
        cause_keys = ["ma_ho", "commune"]
    else:
        unit_group = (frame["thon"] if "thon" in frame.columns
                      else pd.Series(None, index=frame.index, dtype=object))
        total_label = "Toàn xã"
        cause_keys = ["ma_ho"]
    dtts = _dtts_group(frame)
    classes = _Classes.of(frame, ruleset) if ruleset is not None and len(frame) else None
    ethnic = (frame["dan_toc"].astype("string") if "dan_toc" in frame.columns
              else pd.Series(None, index=frame.index, dtype=object))
    evaluations = evaluate_targets(inputs)
    support: dict[str, Any]
    if inputs.support is None:
        support = {"available": False, "message": NO_SUPPORT_DATA,
                   "note": inputs.support_note}
    else:
        support = {"available": True, **inputs.support}
    ctx: dict[str, Any] = {
        "level": inputs.level,
        "unit": {"code": inputs.unit_code, "name": inputs.unit_name,
                 "province_code": inputs.province_code, "province_name": inputs.province_name},
        "year": inputs.year,
        "previous_year": inputs.previous_year,
        "generated_on": (inputs.generated_on.strftime("%d/%m/%Y")
                         if inputs.generated_on else None),
        "standard": None if ruleset is None else {
            "id": ruleset.id, "title": ruleset.title, "legal_basis": ruleset.legal_basis,
            "name": inputs.standard_names.get(ruleset.id, ruleset.legal_basis)},
        "standard_names": dict(inputs.standard_names),
        "preparer_notes": list(inputs.preparer_notes),
        "series_break": series_break,
        "next_standard_change": next_change,
        "notes": notes,
        "summary": _summary(frame, ruleset),
        "trend": trend,
        "by_unit": _group_rows(classes, unit_group, total_label),
        "by_dtts": _group_rows(classes, dtts, total_label),
        "by_ethnic": _group_rows(classes, ethnic, total_label),
        "balances": _balances(inputs.balances),
        "deprivations": _deprivations(frame, ruleset)
        if inputs.year not in inputs.recorded_years
        else {"available": False, "rows": [], "mpi": None, "households_with_marks": None,
              "recorded": True,
              "message": recorded_note(inputs.year, inputs.recorded_years[inputs.year])},
        "causes": _grouped(frame, "nguyen_nhan", split=False),
        "needs": _grouped(frame, "nhu_cau", split=True),
        "assignment": {
            **_assignment(frame, inputs.pairs, inputs.members, cause_keys),
            "stale_note": stale_note(inputs.stale_assignments, inputs.year, inputs.level),
        },
        "targets": [e.to_dict() for e in evaluations],
        "support": support,
        "communes_without_year": list(inputs.communes_without_year),
        "what_if": (
            what_if(frame, inputs.next_ruleset)
            if inputs.next_ruleset is not None and inputs.year not in inputs.recorded_years
            else None
        ),
        "forms": build_forms(
            frame,
            "commune_name" if inputs.level == "province" else "thon",
            ruleset,
            inputs.balances,
            balance_unit_column="commune_name" if inputs.level == "province" else "thon",
            status=inputs.status,
            with_lists=inputs.level == "commune",
        ),
    }
    cleaned: dict[str, Any] = _clean(ctx)
    return cleaned
