"""The review report of a commune or a province: gather from the store, compute, write.

``build_report(ws, year, commune="24181")`` or ``build_report(ws, year, province=True)``
returns a :class:`Report` whose ``to_dict()`` holds the same numbers the HTML and Excel
documents show (they are rendered from it). Targets: the packaged national defaults
(``rulesets/targets/national.yaml``) plus the ``targets:`` of ``ngheo.yaml``.
"""

from __future__ import annotations

import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from multiprocessing import get_context
from pathlib import Path
from pickle import PicklingError
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from ngheo_cli.core.history import balances, transitions
from ngheo_cli.core.history_result import HistoryResult
from ngheo_cli.core.report import (
    ReportInputs,
    StaleAssignment,
    add_counts,
    build_context,
    year_counts,
)
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.targets import Target, parse_targets
from ngheo_cli.errors import NgheoError, RulesetError, UsageError
from ngheo_cli.io import rulesets
from ngheo_cli.io.store import HOUSEHOLD_FIELDS, AssignmentStatus, Store

if TYPE_CHECKING:
    from ngheo_cli.services.history import StoredYears
from ngheo_cli.io.workspace import Workspace
from ngheo_cli.services import support as support_service

NATIONAL_TARGETS = "national.yaml"
_PREVIOUS_COLUMNS = ["ma_ho", "ho_ten_chu_ho", "thon", "phan_loai", "so_nhan_khau", "is_dtts"]
_EARLIER_COLUMNS = ["ma_ho", "phan_loai", "so_nhan_khau", "is_dtts"]
# Fields a province's report never reads from this year's households (its units are
# communes and it has no lists of households): village and head of household (lists and a
# commune's villages), scores and count of deprivations (the what-if drops the scores; the
# lists show the count), the recorded class code (read from recognised lists only) and the
# gap to the line (assignment's tie-break). Text columns cost the most to read.
_PROVINCE_UNUSED = frozenset({
    "ho_ten_chu_ho", "thon", "diem_a", "diem_b", "so_thieu_hut", "ket_qua_ra_soat",
    "nguon_chenh_lech", "chenh_lech_quy_doi",
})
_PROVINCE_CURRENT_COLUMNS = [c for c, _ in HOUSEHOLD_FIELDS if c not in _PROVINCE_UNUSED]


@lru_cache(maxsize=1)
def national_targets() -> tuple[Target, ...]:
    """The national targets shipped with ngheo (standards.md §5)."""
    entry = resources.files("ngheo_cli") / "rulesets" / "targets" / NATIONAL_TARGETS
    try:
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:  # a packaging mistake, but said plainly
        raise RulesetError(f"Tệp chỉ tiêu quốc gia không đọc được: {exc}") from None
    return tuple(parse_targets(data.get("targets"), f"chỉ tiêu quốc gia ({NATIONAL_TARGETS})"))


def workspace_targets(ws: Workspace) -> list[Target]:
    """The working folder's own targets (``targets:`` in ngheo.yaml, read with the rest)."""
    return list(ws.settings.targets)


def standard_of_year(year: int) -> str:
    """The national standard id a review year is classified under ("" outside every one)."""
    try:
        return rulesets.resolve(year).id
    except NgheoError:
        return ""


@dataclass
class Report:
    level: str
    year: int
    context: dict[str, Any]
    outputs: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.context, "outputs": [str(p) for p in self.outputs]}


def _ruleset_of(frame: pd.DataFrame, year: int) -> Ruleset | None:
    shipped = rulesets.packaged()
    if len(frame) and "standard" in frame.columns:
        sid = str(frame["standard"].iloc[0])
        if sid in shipped:
            return shipped[sid]
    try:
        return rulesets.resolve(year)
    except NgheoError:
        return None


@dataclass
class _Unit:
    """One commune's frames for the report year."""

    current: pd.DataFrame
    trend: dict[int, dict[str, Any]]
    balances: dict[str, pd.DataFrame] | None
    previous_year: int | None
    pairs: pd.DataFrame
    members: pd.DataFrame
    recorded_years: dict[int, str | None] = field(default_factory=dict)
    status: pd.Series | None = None  # this year's bien_dong per household code
    #: The stored pairs' status (None: no pairs); stale = made before the last import.
    assignment: AssignmentStatus | None = None


def _load_unit(
    store: Store, code: str, year: int, province: bool = False,
    stored: StoredYears | None = None, history: HistoryResult | None = None,
) -> _Unit | None:
    """``province``: the province report only adds up each commune's balance totals, so
    last year's village and head of household (text, costly to read) are not needed.
    ``stored``: a commune run's shared reads of the store (:class:`StoredYears`).
    ``history``: the same run's history of this commune and year (the same stored years),
    whose transitions and village balances are used instead of being computed again."""
    years = [y for y in store.years(code) if y <= year]
    if year not in years:
        return None
    def load_year(
        c: str, y: int, columns: list[str] | None = None, marks: bool | None = None
    ) -> pd.DataFrame:
        if stored is None:
            frame = store.load_year(c, y, columns=columns, marks=marks)
        else:
            frame = stored.load(store, c, y, columns, marks=marks)
        # Not read here (the run comes from ``store.year_run``); pandas would deep-copy it
        # into every column and result taken from the frame.
        frame.attrs = {}
        return frame

    # A province's report reads this year's households without the fields it never uses.
    current = (load_year(code, year, _PROVINCE_CURRENT_COLUMNS, marks=True) if province
               else load_year(code, year))
    trend = {year: year_counts(current)}
    previous = None
    earlier = []
    for y in years[:-1]:
        cols = _PREVIOUS_COLUMNS if y == year - 1 and not province else _EARLIER_COLUMNS
        frame = load_year(code, y, columns=cols)
        trend[y] = year_counts(frame)
        if y == year - 1:
            previous = frame
        else:
            earlier.append(frame)
    tables = None
    status = None
    if previous is not None:
        if history is not None and _same_run(history, code, year, province):
            trans, tables = history.transitions, history.balances
        else:
            trans = transitions(current, previous, earlier)
            # A commune's forms have a row per village; the last row is the commune's total.
            tables = balances(trans, by=None if province else "thon")
        if not province:  # each household's status marks a commune's lists only
            now = trans[trans["bien_dong"].astype("string").fillna("") != "ra_danh_sach"]
            status = pd.Series(now["bien_dong"].to_numpy(), index=now["ma_ho"].astype("string"))
    # Years recorded from a recognised list (ngheo record-list): the report says so where a
    # figure would need their deprivations.
    recorded = {
        y: run.decision_no
        for y in (year, year - 1)
        if (run := store.year_run(code, y)) is not None and run.origin == "recorded"
    }
    return _Unit(current, trend, tables, year - 1 if previous is not None else None,
                 store.load_pairs(code, year), store.load_members(code, year), recorded,
                 status, assignment=store.assignment_status(code, year))


def _same_run(history: HistoryResult, code: str, year: int, province: bool) -> bool:
    """``history`` compared this commune's ``year`` with the year before (its balances are
    by village, as a commune's report needs)."""
    return (
        not province
        and history.commune.code == code
        and history.year == year
        and history.previous_year == year - 1
    )


def _stale(name: str, unit: _Unit) -> list[StaleAssignment]:
    """The unit's stored pairs as a stale entry of the report, when they are stale."""
    status = unit.assignment
    if status is None or not status.stale:
        return []
    return [StaleAssignment(name, status.recorded_at, status.households_recorded_at)]


# A province of at least this many communes is read by two processes (the report's own and
# one helper): reading the store is most of a province report's time (~9 s for 1M
# households), and the batch's workers are done by then.
PARALLEL_MIN_COMMUNES = 16


def _load_part(ws: Workspace, codes: list[str], year: int) -> list[_Unit | None]:
    with ws.open_store() as store:
        return [_load_unit(store, code, year, province=True) for code in codes]


def _parallel_ok() -> bool:
    """A helper process may be started: ngheo's own command line is running (a "spawn"
    child imports the main module again; ours is guarded, a caller's script may not be)."""
    if _cpus() < 2:
        return False
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and str(spec.name).split(".")[0] == "ngheo_cli":
        return True  # python -m ngheo_cli
    file = getattr(main, "__file__", None)
    return file is not None and Path(file).name in ("ngheo", "ngheo.exe", "ngheo-script.py")


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _load_province(ws: Workspace, year: int) -> list[_Unit | None]:
    """Each commune's unit (None without the year), in the order of ``ws.communes``."""
    codes = [c.code for c in ws.communes]
    if len(codes) < PARALLEL_MIN_COMMUNES or not _parallel_ok():
        return _load_part(ws, codes, year)
    split = len(codes) * 4 // 7  # the helper starts ~1 s later: it takes fewer communes
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    except (OSError, ValueError):  # no processes here: read alone
        return _load_part(ws, codes, year)
    with pool:
        future = pool.submit(_load_part, ws, codes[split:], year)
        first = _load_part(ws, codes[:split], year)
        try:
            rest = future.result()
        except (BrokenProcessPool, PicklingError, OSError, NgheoError):
            # The helper died, or its error did not travel: read again here, where the same
            # error (if any) is said plainly. Anything else is a bug, raised as it is.
            rest = _load_part(ws, codes[split:], year)
    return first + rest


def _support(ws: Workspace, code: str, year: int) -> tuple[dict[str, Any] | None, str | None]:
    """A compact support summary (totals, members' commitments, outcome) when the support
    store has records for the year; else (None, why). Never invents numbers."""
    if not _has_support_records(ws, code, year):
        quick = _no_records_note(ws, code, year)
        if quick is not None:
            return None, quick
    try:
        data = support_service.support_summary(ws, code, year).to_dict()
    except NgheoError as exc:
        return None, exc.message
    totals = dict(data.get("totals") or {})
    notes = [str(n) for n in data.get("notes") or []]
    if not totals.get("records"):
        return None, notes[0] if notes else f"Kho chưa có bản ghi hỗ trợ năm {year}."
    members = {k: v for k, v in (data.get("members") or {}).items() if k != "list"}
    outcome = data.get("outcome") or None
    return {
        "totals": totals,
        "members": members,
        "by_giver_kind": list(data.get("by_giver_kind") or []),
        "outcome": outcome,
        "outcome_sentence": None if outcome is None else outcome.get("sentence"),
        "notes": notes,
    }, None


def _no_records_note(ws: Workspace, code: str, year: int) -> str | None:
    """What ``support_summary`` says first of a commune-year without support records, said
    without building the whole summary (~0.1 s a commune in a batch); None when it might
    say something else (a bad ``support:`` section or year): then ask it."""
    if not 2000 <= int(year) <= 2100:
        return None
    try:
        support_service.support_settings(ws)  # read with the workspace: nothing re-read
    except NgheoError:
        return None
    cfg = ws.commune(code)
    return f"Chưa có bản ghi hỗ trợ nào năm {year} của {cfg.name}."


def _has_support_records(
    ws: Workspace, code: str, year: int, store: Store | None = None
) -> bool:
    """Cheap check through the support ledger's loader (on a store error: True, ask).
    ``store``: an open store to ask (a province asks for each commune)."""
    try:
        if store is not None:
            return bool(len(support_service.load_support(store, code, year)))
        with ws.open_store() as opened:
            return bool(len(support_service.load_support(opened, code, year)))
    except NgheoError:
        return True


def standard_names() -> dict[str, str]:
    """Each packaged standard's legal name ("Nghị định 07/2021/NĐ-CP"), from its rules
    file's ``legal_basis`` (the part before the date and the article)."""
    out = {}
    for sid, ruleset in rulesets.packaged().items():
        name = ruleset.legal_basis.split(" ngày ")[0].split(",")[0].strip()
        out[sid] = name or ruleset.title
    return out


_COMMAND = re.compile(r"\bngheo\s+[a-z]|--[a-z]|\.ya?ml\b")


def split_official(notes: list[str]) -> tuple[list[str], list[str]]:
    """(notes an official report may carry, instructions for the preparer): a note that
    names a command, an option or a settings file is for the preparer."""
    official: list[str] = []
    preparer: list[str] = []
    for note in notes:
        (preparer if _COMMAND.search(note) else official).append(note)
    return official, preparer


def _support_preparer(code: str, year: int) -> str:
    return (f"Để báo cáo có số liệu hỗ trợ: ngheo support import SỔ_HỖ_TRỢ.xlsx --commune {code} "
            f"--year {year}.")


def _next_ruleset(year: int) -> Ruleset | None:
    """The national standard that replaces this year's one within the next few years."""
    now = standard_of_year(year)
    for later in range(year + 1, year + 8):
        nxt = standard_of_year(later)
        if nxt != now:
            return rulesets.packaged().get(nxt)
    return None


def build_report(
    ws: Workspace,
    year: int,
    commune: str | None = None,
    province: bool = False,
    *,
    generated_on: date | None = None,
    stored: StoredYears | None = None,
    history: HistoryResult | None = None,
) -> Report:
    """The report of one commune (``commune``) or of the whole province (``province``).
    ``stored``: a commune run's shared reads of the store (:class:`StoredYears`);
    ``history``: the same run's :func:`history` of the commune and year, if it ran (its
    transitions and balances are the report's)."""
    if (commune is None) == (not province):
        raise UsageError("Chọn một: --commune MÃ hoặc --province.")
    targets = [*national_targets(), *workspace_targets(ws)]
    if commune is not None:
        cfg = ws.commune(commune)
        with ws.open_store() as store:
            unit = _load_unit(store, cfg.code, year, stored=stored, history=history)
            known = store.years(cfg.code)
        if unit is None:
            raise UsageError(
                f"Kho chưa có số liệu năm {year} của {cfg.name} ({cfg.code}); đã có: "
                f"{', '.join(map(str, known)) or 'chưa có năm nào'}.",
                hint=f"Chạy ngheo classify SỔ.xlsx --commune {cfg.code} --year {year} trước.",
            )
        support, note = _support(ws, cfg.code, year)
        preparer: list[str] = []
        if note is not None:
            kept, moved = split_official([note])
            note, preparer = (kept[0] if kept else None), moved
        if support is None:
            preparer.append(_support_preparer(cfg.code, year))
        else:
            support["notes"], moved = split_official(list(support.get("notes") or []))
            preparer += moved
        if not len(unit.pairs):
            preparer.append(f"Để báo cáo có phân công giúp đỡ: ngheo assign --commune "
                            f"{cfg.code} --year {year}.")
        stale = _stale(cfg.name, unit)
        if stale:
            preparer.append(f"Phân công trong kho lập trước lần nhập lại danh sách hộ: chạy lại "
                            f"ngheo assign --commune {cfg.code} --year {year}.")
        inputs = ReportInputs(
            level="commune", unit_code=cfg.code, unit_name=cfg.name,
            province_code=ws.province_code, province_name=ws.province_name, year=year,
            current=unit.current, ruleset=_ruleset_of(unit.current, year), trend=unit.trend,
            standard_of_year=standard_of_year, balances=unit.balances,
            previous_year=unit.previous_year, pairs=unit.pairs, members=unit.members,
            targets=targets, support=support, support_note=note, generated_on=generated_on,
            next_ruleset=_next_ruleset(year), recorded_years=unit.recorded_years,
            status=unit.status, standard_names=standard_names(), preparer_notes=preparer,
            stale_assignments=stale,
        )
        return Report("commune", year, build_context(inputs))
    return _province_report(ws, year, targets, generated_on)


def _province_report(
    ws: Workspace, year: int, targets: list[Target], generated_on: date | None
) -> Report:
    frames, pairs, members, missing = [], [], [], []
    recorded_units: list[str] = []
    recorded_years: dict[int, str | None] = {}
    trend_parts: dict[int, list[dict[str, Any]]] = {}
    balance_parts: list[dict[str, pd.DataFrame]] = []
    balance_names: list[str] = []
    supports: list[dict[str, Any]] = []
    note = None
    units = _load_province(ws, year)
    without_previous: list[str] = []
    stale: list[StaleAssignment] = []
    for cfg, unit in zip(ws.communes, units, strict=True):
        if unit is None:
            missing.append(f"{cfg.name} ({cfg.code})")
            continue
        frames.append(unit.current.assign(commune=cfg.code, commune_name=cfg.name))
        if year in unit.recorded_years:
            recorded_units.append(f"{cfg.name} ({cfg.code})")
        if year - 1 in unit.recorded_years:
            recorded_years[year - 1] = None
        for y, counts in unit.trend.items():
            trend_parts.setdefault(y, []).append(counts)
        if unit.balances is not None:
            balance_parts.append(unit.balances)
            balance_names.append(cfg.name)
        else:
            without_previous.append(cfg.name)
        if len(unit.pairs):
            pairs.append(unit.pairs.assign(commune=cfg.code))
        stale += _stale(f"{cfg.name} ({cfg.code})", unit)
        if len(unit.members):
            members.append(unit.members.assign(commune=cfg.code))
    if not frames:
        raise UsageError(f"Kho chưa có số liệu năm {year} của xã nào trong tỉnh.")
    without_support: list[str] = []
    present = {cfg.code for cfg, unit in zip(ws.communes, units, strict=True) if unit}
    with ExitStack() as stack:
        try:  # one store asked for every commune (when it cannot open: each check says so)
            store: Store | None = stack.enter_context(ws.open_store())
        except NgheoError:
            store = None
        with_records = {
            cfg.code: _has_support_records(ws, cfg.code, year, store)
            for cfg in ws.communes if cfg.code in present
        }
    for cfg in ws.communes:
        if cfg.code not in present:
            continue
        if not with_records[cfg.code]:
            without_support.append(cfg.name)
            continue  # a full summary per commune costs ~0.2 s: skip those without records
        data, why = _support(ws, cfg.code, year)
        if data is not None:
            data["notes"] = split_official(list(data.get("notes") or []))[0]
            supports.append({"commune": cfg.code, "commune_name": cfg.name, **data})
        else:
            without_support.append(cfg.name)
    # The note names every commune concerned.
    if without_support:
        note = (f"Chưa có bản ghi hỗ trợ năm {year} của {len(without_support)} xã, phường: "
                + ", ".join(without_support) + ".")
    current = pd.concat(frames, ignore_index=True)
    # A year enters the trend only when every commune reporting this year has it: a rate
    # over a different set of communes is not comparable.
    n = len(frames)
    trend = {y: add_counts(parts) for y, parts in trend_parts.items() if len(parts) == n}
    tables = None
    if balance_parts and len(balance_parts) == n:
        # One row per commune (its own total row), then the province's total.
        tables = {}
        for kind in ("poor", "near_poor"):
            rows = pd.concat([b[kind].iloc[[-1]] for b in balance_parts], ignore_index=True)
            rows = rows.select_dtypes("number")
            total = rows.sum().to_frame().T
            rows.insert(0, "commune_name", balance_names)
            total.insert(0, "commune_name", "Toàn tỉnh")
            tables[kind] = pd.concat([rows, total], ignore_index=True)
    inputs = ReportInputs(
        level="province", unit_code=ws.province_code, unit_name=ws.province_name,
        province_code=ws.province_code, province_name=ws.province_name, year=year,
        current=current, ruleset=_ruleset_of(current, year), trend=trend,
        standard_of_year=standard_of_year, balances=tables,
        previous_year=year - 1 if tables is not None else None,
        pairs=pd.concat(pairs, ignore_index=True) if pairs else None,
        members=pd.concat(members, ignore_index=True) if members else None,
        targets=targets,
        support=_province_support(supports), support_note=note,
        generated_on=generated_on, communes_without_year=missing,
        # Every commune's year recorded from a list: said like a commune's; else named.
        recorded_years=(
            {year: None, **recorded_years} if len(recorded_units) == len(frames)
            else recorded_years
        ),
        recorded_units=recorded_units if len(recorded_units) < len(frames) else [],
        standard_names=standard_names(),
        communes_without_previous=without_previous if balance_parts else [],
        preparer_notes=(["Để báo cáo có số liệu hỗ trợ của các xã còn thiếu: ngheo support "
                         "import SỔ_HỖ_TRỢ.xlsx --commune MÃ_XÃ --year " + str(year) + "."]
                        if without_support else []),
        stale_assignments=stale,
    )
    return Report("province", year, build_context(inputs))


def _province_support(parts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Communes' support totals added up, and each commune's line; None without any."""
    if not parts:
        return None
    keys = ("records", "households", "givers", "value_dong")
    totals = {k: sum(p["totals"].get(k) or 0 for p in parts) for k in keys}
    return {"totals": totals, "communes": parts, "members": None, "outcome": None,
            "outcome_sentence": None, "by_giver_kind": [],
            "notes": ["Tổng của các xã có bản ghi hỗ trợ; người hỗ trợ có thể được đếm ở "
                      "nhiều xã."]}
