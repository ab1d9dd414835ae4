"""Poverty-reduction targets as data, and where a unit stands against each (standards.md §5).

Pure: plain values in, dataclasses out; no files (the packaged national defaults and the
workspace's own are read by :mod:`ngheo_cli.services.report`).

A target (one item of ``targets:`` in ``ngheo.yaml``, or of the packaged national file)::

    - level: commune            # national | province | commune
      code: '24181'             # the province or commune code (not for national)
      year: 2025                # the target year (end of the period)
      from_year: 2023           # optional: first year of the period
      measure: poor_rate        # poor_rate | near_poor_rate | dtts_poor_rate
                                # | dtts_area_poor_rate (poor households over every
                                #   household of an ethnic-minority and mountain area)
                                # | poor_count | near_poor_count
      kind: at_most             # at_most | below | reduce_pp_per_year
      value: 20                 # %, households, or points % per year
      baseline: {year: 2022, count: 4868, households: 19284}   # optional (or value: 25.24)
      source: "NQ 14-NQ/HU ngày 06/9/2023"                      # required

Rates are in percent (20 = 20 %). **Evaluation** of a target at review year Y, from the
unit's recorded years (and the target's baseline):

* ``needed_per_year``: the yearly reduction still needed from Y to reach the target by its
  year; ``achieved_per_year``: the yearly reduction from the start point to Y.
* ``projection``: a least-squares line through the start point and the recorded years, read
  at the target year. Only years under the standard of year Y are used: a change of
  standard (NĐ 07/2021 → NĐ 351/2025 in 2027) is a break in the series, never a trend. A
  projection whose target year falls under another standard is still drawn but flagged
  (``crosses_standard_change``) and said in ``notes``.
* ``status``: ``met`` (the value already satisfies the target; for a yearly cut, the cut so
  far is at least the target over a finished period), ``on_track`` (the projection reaches
  it / the cut so far is fast enough), ``off_track``, or ``unknown`` (too few years).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ngheo_cli.core import fmt
from ngheo_cli.errors import RulesetError

Level = Literal["national", "province", "commune"]
Measure = Literal[
    "poor_rate", "near_poor_rate", "dtts_poor_rate", "dtts_area_poor_rate", "poor_count",
    "near_poor_count",
]
Kind = Literal["at_most", "below", "reduce_pp_per_year"]
Status = Literal["met", "on_track", "off_track", "unknown"]

LEVELS: tuple[str, ...] = ("national", "province", "commune")
MEASURES: tuple[str, ...] = (
    "poor_rate",
    "near_poor_rate",
    "dtts_poor_rate",
    "dtts_area_poor_rate",
    "poor_count",
    "near_poor_count",
)
KINDS: tuple[str, ...] = ("at_most", "below", "reduce_pp_per_year")
RATE_MEASURES = frozenset(
    ("poor_rate", "near_poor_rate", "dtts_poor_rate", "dtts_area_poor_rate")
)

LEVEL_LABELS = {"national": "Quốc gia", "province": "Tỉnh", "commune": "Xã"}
MEASURE_LABELS = {
    "poor_rate": "Tỷ lệ hộ nghèo",
    "near_poor_rate": "Tỷ lệ hộ cận nghèo",
    "dtts_poor_rate": "Tỷ lệ hộ nghèo dân tộc thiểu số",
    # Two measures (standards.md §5): the rate among ethnic-minority households (2021–2025)
    # and the rate over every household of an ethnic-minority and mountain area (2026–2030).
    "dtts_area_poor_rate": "Tỷ lệ nghèo đa chiều vùng đồng bào dân tộc thiểu số và miền núi",
    "poor_count": "Số hộ nghèo",
    "near_poor_count": "Số hộ cận nghèo",
}
KIND_LABELS = {"at_most": "không quá", "below": "dưới", "reduce_pp_per_year": "giảm mỗi năm"}
STATUS_LABELS = {
    "met": "Đã đạt",
    "on_track": "Đúng hướng",
    "off_track": "Chậm so với chỉ tiêu",
    "unknown": "Chưa đủ số liệu",
}

_KEYS = (
    "level", "code", "year", "from_year", "measure", "kind", "value", "value_high",
    "baseline", "source", "label",
)
_BASELINE_KEYS = ("year", "value", "count", "households", "note")
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
_EPS = 1e-9


# --------------------------------------------------------------------------- arithmetic


def rate_pct(count: float, total: float) -> float:
    """``count`` as a percentage of ``total`` (NaN when there is no total)."""
    return 100.0 * count / total if total else math.nan


def implied_total(count: int, rate: float, decimals: int = 2) -> tuple[float, float]:
    """The totals consistent with a published ``rate`` (in %, rounded to ``decimals``) of
    ``count``: (smallest, largest). Used to check published tables against each other."""
    half = 0.5 * 10.0**-decimals
    return 100.0 * count / (rate + half), 100.0 * count / (rate - half)


def yearly_reduction(start: float, end: float, years: float) -> float:
    """Points per year to go from ``start`` to ``end`` in ``years`` years."""
    return (start - end) / years if years > 0 else math.nan


def linear_fit(points: Sequence[tuple[int, float]]) -> tuple[float, float] | None:
    """Least-squares (slope, intercept) through (year, value) points; None under 2 years."""
    if len({y for y, _ in points}) < 2:
        return None
    n = len(points)
    mx = sum(y for y, _ in points) / n
    my = sum(v for _, v in points) / n
    sxx = sum((y - mx) ** 2 for y, _ in points)
    sxy = sum((y - mx) * (v - my) for y, v in points)
    slope = sxy / sxx
    return slope, my - slope * mx


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Baseline:
    year: int
    value: float
    count: int | None = None
    households: int | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "value": self.value, "count": self.count,
                "households": self.households, "note": self.note}


@dataclass(frozen=True)
class Target:
    level: Level
    year: int
    measure: Measure
    kind: Kind
    value: float
    source: str
    code: str | None = None
    from_year: int | None = None
    value_high: float | None = None
    baseline: Baseline | None = None
    label: str | None = None

    @property
    def is_rate(self) -> bool:
        return self.measure in RATE_MEASURES

    @property
    def unit(self) -> str:
        return "%" if self.is_rate else "hộ"

    def describe(self) -> str:
        """Vietnamese one-liner: "Tỷ lệ hộ nghèo không quá 20 % năm 2025"."""
        if self.label:
            return self.label
        what = MEASURE_LABELS[self.measure]
        if self.kind == "reduce_pp_per_year":
            high = f"–{fmt.number(self.value_high, 1)}" if self.value_high else ""
            unit = "điểm %" if self.is_rate else "hộ"
            span = f"{self.from_year}–{self.year}" if self.from_year else f"đến {self.year}"
            return f"{what} giảm {fmt.number(self.value, 1)}{high} {unit} mỗi năm ({span})"
        value = _show(self.value, self.is_rate)
        return f"{what} {KIND_LABELS[self.kind]} {value} năm {self.year}"

    def applies_to(self, level: str, province: str | None, commune: str | None) -> bool:
        """National targets apply everywhere; a province's to its report and its communes'
        (as a yardstick); a commune's only to that commune."""
        if self.level == "national":
            return True
        if self.level == "province":
            return self.code == province
        return level == "commune" and self.code == commune

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "year": self.year,
            "from_year": self.from_year,
            "measure": self.measure,
            "kind": self.kind,
            "value": self.value,
            "value_high": self.value_high,
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
            "source": self.source,
            "label": self.describe(),
        }


def _show(value: float | None, is_rate: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{fmt.number(value, 2)} %" if is_rate else f"{fmt.number(value)} hộ"


def _int(value: object, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesetError(f"{where}: {what} phải là số nguyên, không phải {value!r}.")
    return value


def _number(value: object, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise RulesetError(f"{where}: {what} phải là một số, không phải {value!r}.")
    return float(value)


def _choice(value: object, what: str, choices: Sequence[str], where: str) -> str:
    if value not in choices:
        raise RulesetError(
            f"{where}: {what} {value!r} không hợp lệ.",
            hint=f"Dùng một trong: {', '.join(choices)}.",
        )
    return str(value)


def parse_target(item: object, where: str) -> Target:
    """One target from its YAML mapping; a :class:`RulesetError` naming the mistake."""
    if not isinstance(item, Mapping):
        raise RulesetError(f"{where}: mỗi chỉ tiêu phải là một bảng khoá: giá trị.")
    unknown = [str(k) for k in item if k not in _KEYS]
    if unknown:
        raise RulesetError(
            f"{where}: khoá không biết: {', '.join(unknown)}.",
            hint=f"Các khoá dùng được: {', '.join(_KEYS)}.",
        )
    missing = [k for k in ("level", "year", "measure", "kind", "value", "source") if k not in item]
    if missing:
        raise RulesetError(f"{where}: thiếu {', '.join(missing)}.")
    level = _choice(item["level"], "level", LEVELS, where)
    code = item.get("code")
    if level != "national":
        if not isinstance(code, str) or not _CODE.match(code.strip()):
            raise RulesetError(
                f"{where}: chỉ tiêu cấp {LEVEL_LABELS[level].lower()} cần code (mã, viết trong "
                f"dấu nháy), không phải {code!r}.",
                hint="Ví dụ code: '24181' (giữ số 0 ở đầu).",
            )
        code = code.strip()
    elif code is not None:
        raise RulesetError(f"{where}: chỉ tiêu quốc gia không ghi code.")
    year = _int(item["year"], "year", where)
    from_year = item.get("from_year")
    if from_year is not None:
        from_year = _int(from_year, "from_year", where)
        if from_year > year:
            raise RulesetError(f"{where}: from_year {from_year} sau năm chỉ tiêu {year}.")
    measure = _choice(item["measure"], "measure", MEASURES, where)
    kind = _choice(item["kind"], "kind", KINDS, where)
    value = _number(item["value"], "value", where)
    if value < 0 or (measure in RATE_MEASURES and kind != "reduce_pp_per_year" and value > 100):
        raise RulesetError(f"{where}: value {value} ngoài khoảng cho phép.")
    high = item.get("value_high")
    high = None if high is None else _number(high, "value_high", where)
    source = item["source"]
    if not isinstance(source, str) or not source.strip():
        raise RulesetError(
            f"{where}: thiếu source (số và ngày của nghị quyết, quyết định đặt chỉ tiêu)."
        )
    label = item.get("label")
    if label is not None and not isinstance(label, str):
        raise RulesetError(f"{where}: label phải là chữ.")
    baseline = None
    raw = item.get("baseline")
    if raw is not None:
        baseline = _parse_baseline(raw, measure, f"{where}, baseline")
        if baseline.year >= year:
            raise RulesetError(f"{where}: năm gốc {baseline.year} phải trước năm chỉ tiêu {year}.")
    return Target(
        level=level,  # type: ignore[arg-type]
        code=code,
        year=year,
        from_year=from_year,
        measure=measure,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        value=value,
        value_high=high,
        baseline=baseline,
        source=" ".join(source.split()),
        label=label,
    )


def _parse_baseline(raw: object, measure: str, where: str) -> Baseline:
    if not isinstance(raw, Mapping):
        raise RulesetError(f"{where}: phải là một bảng khoá: giá trị.")
    unknown = [str(k) for k in raw if k not in _BASELINE_KEYS]
    if unknown:
        raise RulesetError(f"{where}: khoá không biết: {', '.join(unknown)}.")
    if "year" not in raw:
        raise RulesetError(f"{where}: thiếu year.")
    year = _int(raw["year"], "year", where)
    count = None if raw.get("count") is None else _int(raw["count"], "count", where)
    households = (
        None if raw.get("households") is None else _int(raw["households"], "households", where)
    )
    if measure in RATE_MEASURES and count is not None and households:
        value = rate_pct(count, households)  # from the counts: no rounding carried in
    elif measure not in RATE_MEASURES and count is not None:
        value = float(count)
    elif raw.get("value") is not None:
        value = _number(raw["value"], "value", where)
    else:
        raise RulesetError(f"{where}: cần value, hoặc count và households.")
    note = raw.get("note")
    return Baseline(year, value, count, households, None if note is None else str(note))


def parse_targets(items: object, origin: str) -> list[Target]:
    """Every target of a list (the ``targets:`` section); errors name the item."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise RulesetError(f"{origin}, mục targets: phải là một danh sách.")
    return [parse_target(item, f"{origin}, mục targets, chỉ tiêu thứ {i}")
            for i, item in enumerate(items, start=1)]


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Observation:
    """A unit's value of one measure in one review year, and the standard it was under."""

    year: int
    value: float
    standard: str


@dataclass
class Evaluation:
    target: Target
    status: Status
    current: Observation | None
    start: tuple[int, float, str] | None  # (year, value, "baseline" | "recorded")
    needed_per_year: float | None
    achieved_per_year: float | None
    projection: tuple[int, float] | None
    projection_years: list[int]
    series_break: bool
    crosses_standard_change: bool
    notes: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict[str, Any]:
        def num(x: float | None) -> float | None:
            return None if x is None or math.isnan(x) else round(x, 4)

        return {
            "target": self.target.to_dict(),
            "status": self.status,
            "status_label": self.status_label,
            "current": None
            if self.current is None
            else {"year": self.current.year, "value": num(self.current.value),
                  "standard": self.current.standard},
            "start": None
            if self.start is None
            else {"year": self.start[0], "value": num(self.start[1]), "from": self.start[2]},
            "needed_per_year": num(self.needed_per_year),
            "achieved_per_year": num(self.achieved_per_year),
            "projection": None
            if self.projection is None
            else {"year": self.projection[0], "value": num(self.projection[1])},
            "projection_years": list(self.projection_years),
            "series_break": self.series_break,
            "crosses_standard_change": self.crosses_standard_change,
            "notes": list(self.notes),
        }


def _meets(kind: str, value: float, goal: float) -> bool:
    if kind == "below":
        return value < goal - _EPS
    return value <= goal + _EPS


def evaluate(
    target: Target,
    observed: Sequence[Observation],
    year: int,
    standard_of_year: Callable[[int], str],
) -> Evaluation:
    """Where a unit stands against ``target`` at review year ``year``.

    ``observed``: the unit's values of ``target.measure`` by review year (any order; years
    after ``year`` are ignored). ``standard_of_year``: the standard id a year is classified
    under (decides the series break for the baseline and the target year).
    """
    series = sorted((o for o in observed if o.year <= year and not math.isnan(o.value)),
                    key=lambda o: o.year)
    notes: list[str] = []
    current = series[-1] if series else None
    if current is None:
        return Evaluation(target, "unknown", None, None, None, None, None, [], False, False,
                          [f"Chưa có số liệu năm {year} hoặc trước đó."])
    if current.year != year:
        notes.append(f"Số liệu mới nhất là năm {current.year}.")
    standard = current.standard
    same = [o for o in series if o.standard == standard]
    series_break = len(same) < len(series)
    if series_break:
        earlier = sorted({o.standard for o in series if o.standard != standard})
        notes.append(
            f"Chuỗi số liệu gãy: các năm trước theo chuẩn {', '.join(earlier)}, năm "
            f"{current.year} theo chuẩn {standard}; không nối hai chuẩn, chỉ dùng các năm "
            f"theo chuẩn {standard}."
        )
    points = [(o.year, o.value) for o in same]
    start: tuple[int, float, str] | None = None
    base = target.baseline
    if base is not None and base.year < current.year:
        if standard_of_year(base.year) == standard:
            start = (base.year, base.value, "baseline")
            if base.year not in {y for y, _ in points}:
                points = [(base.year, base.value), *points]
        else:
            series_break = True
            notes.append(
                f"Số gốc năm {base.year} theo chuẩn {standard_of_year(base.year)}, khác chuẩn "
                f"{standard} năm {current.year}: không so sánh trực tiếp."
            )
    if start is None:
        first_allowed = (target.from_year - 1) if target.from_year else -math.inf
        usable = [p for p in points if p[0] >= first_allowed and p[0] < current.year]
        if usable:
            start = (usable[0][0], usable[0][1], "recorded")
    points = sorted(points)
    achieved = None
    if start is not None:
        achieved = yearly_reduction(start[1], current.value, current.year - start[0])
    crosses = standard_of_year(target.year) != standard
    if crosses:
        notes.append(
            f"Năm chỉ tiêu {target.year} theo chuẩn {standard_of_year(target.year)}, khác chuẩn "
            f"{standard} hiện nay: dự báo chỉ để tham khảo, chuỗi số liệu sẽ gãy khi đổi chuẩn."
        )
    fit = linear_fit(points)
    projection = None
    if fit is not None and target.year > current.year:
        slope, intercept = fit
        value = slope * target.year + intercept
        if value < 0:  # a rate or a count never falls under 0: the line reaches 0 before
            notes.append("Theo xu hướng hiện nay, chỉ tiêu đạt trước năm chỉ tiêu.")
        projection = (target.year, max(0.0, value))
    projection_years = [y for y, _ in points] if fit is not None else []

    needed: float | None
    remaining = target.year - current.year
    if target.kind == "reduce_pp_per_year":
        rate = target.value
        if start is None:
            status: Status = "unknown"
            needed = rate
            notes.append("Cần ít nhất hai năm cùng chuẩn để tính mức giảm mỗi năm.")
        else:
            goal = start[1] - rate * (target.year - start[0])
            needed = (
                max(0.0, yearly_reduction(current.value, goal, remaining))
                if remaining > 0 else None
            )
            assert achieved is not None
            if achieved + _EPS >= rate:
                status = "met" if current.year >= target.year else "on_track"
            else:
                status = "off_track"
        return Evaluation(target, status, current, start, needed, achieved, projection,
                          projection_years, series_break, crosses, notes)

    needed = yearly_reduction(current.value, target.value, remaining) if remaining > 0 else None
    if _meets(target.kind, current.value, target.value):
        status = "met"
        needed = 0.0 if remaining > 0 else None
    elif remaining <= 0:
        status = "off_track"
        notes.append(f"Đã đến năm chỉ tiêu {target.year} mà chưa đạt.")
    elif projection is None:
        status = "unknown"
        notes.append("Cần ít nhất hai năm cùng chuẩn (hoặc số gốc) để dự báo.")
    else:
        status = "on_track" if _meets(target.kind, projection[1], target.value) else "off_track"
    return Evaluation(target, status, current, start, needed, achieved, projection,
                      projection_years, series_break, crosses, notes)
