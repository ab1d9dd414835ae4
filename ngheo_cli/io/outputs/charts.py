"""The report's charts as inline SVG strings, written directly (:mod:`svg`; no plotting
library, no network, no script).

Deterministic: the same numbers give the same bytes. Text is kept as text, so the page's
fonts draw it; margins are sized from an estimate of the labels' widths. Every chart is drawn
from the report dictionary (:func:`ngheo_cli.core.report.build_context`), never from the
store. Numbers are written as the rest of the report writes them (:mod:`ngheo_cli.core.fmt`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ngheo_cli.core import fmt
from ngheo_cli.io.outputs.svg import Canvas, decimals_for, fit, nice_ticks, text_width

POOR_COLOR, NEAR_COLOR, TARGET_COLOR = "#b2182b", "#ef8a62", "#2166ac"
GRID_COLOR, AXIS_COLOR, MUTED_COLOR, TOTAL_COLOR = "#dddddd", "#333333", "#555555", "#333333"
WIDTH = 720.0  # user units; the page scales the chart to its width
TICK_SIZE, NOTE_SIZE = 13, 12  # font sizes of the axes' labels, of notes and the legend
DOTTED, DASHED = "1.5 2.5", "5 3"
TREND_HEIGHT = 260.0
TREND_SERIES = (
    ("poor_rate", "Tỷ lệ hộ nghèo", POOR_COLOR),
    ("near_poor_rate", "Tỷ lệ hộ cận nghèo", NEAR_COLOR),
)


@dataclass(frozen=True)
class Key:
    """One legend entry: ``mark`` is "line" (a line with a dot), "diamond", "box" or "dash"."""

    label: str
    color: str
    mark: str


@dataclass(frozen=True)
class Frame:
    """The plot area (user units) and the data ranges it shows."""

    left: float
    top: float
    right: float
    bottom: float
    x0: float
    x1: float
    y0: float
    y1: float

    def x(self, value: float) -> float:
        return self.left + (value - self.x0) / (self.x1 - self.x0) * (self.right - self.left)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)


def _rate(value: float | None) -> float | None:
    """A rate to draw, or None when it is unknown (None or NaN)."""
    return None if value is None or not math.isfinite(value) else float(value)


def _bar(value: float | None) -> float:
    """A bar's length: an unknown rate draws no bar."""
    return _rate(value) or 0.0


def _percent(ticks: Sequence[float]) -> list[str]:
    decimals = decimals_for(ticks)
    return [fmt.number(t, decimals) + " %" for t in ticks]


def _legend_height(keys: Sequence[Key], left: float) -> float:
    return _legend(None, keys, left, 0.0)


def _legend(canvas: Canvas | None, keys: Sequence[Key], left: float, top: float) -> float:
    """Lay the legend out in rows from (``left``, ``top``), wrapping at the chart's width;
    draw it on ``canvas`` when given. Returns the rows' height."""
    row_height = NOTE_SIZE + 8
    x, y, rows = left, top, 1 if keys else 0
    for key in keys:
        width = 24 + text_width(key.label, NOTE_SIZE)
        if x > left and x + width > WIDTH - 4:
            x, y, rows = left, y + row_height, rows + 1
        if canvas is not None:
            _legend_mark(canvas, key, x, y + row_height / 2)
            canvas.text(x + 24, y + row_height / 2 + NOTE_SIZE * 0.35, key.label, NOTE_SIZE)
        x += width + 18
    return rows * row_height


def _legend_mark(canvas: Canvas, key: Key, x: float, middle: float) -> None:
    if key.mark == "box":
        canvas.rect(x + 4, middle - 5, 14, 10, key.color)
    elif key.mark == "diamond":
        canvas.diamond(x + 11, middle, 4.5, key.color)
    elif key.mark == "dash":
        canvas.line(x, middle, x + 20, middle, key.color, dash=DASHED)
    else:
        canvas.line(x, middle, x + 20, middle, key.color, width=1.5)
        canvas.circle(x + 10, middle, 3.5, key.color)


def _clip(
    x0: float, y0: float, x1: float, y1: float, lo: float, hi: float
) -> tuple[float, float, float, float] | None:
    """The segment (x0, y0)–(x1, y1) cut to lo ≤ x ≤ hi (None if nothing is left)."""
    if x0 > x1:
        x0, y0, x1, y1 = x1, y1, x0, y0
    if x1 < lo or x0 > hi:
        return None

    def at(x: float) -> float:
        return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)

    a, b = max(x0, lo), min(x1, hi)
    return a, at(a), b, at(b)


def _year_ticks(lo: float, hi: float) -> list[int]:
    first, last = math.ceil(lo), math.floor(hi)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if (last - first) // s < 10)
    return list(range(first, last + 1, step))


Point = tuple[float, float]


@dataclass(frozen=True)
class Projection:
    """A target's straight-line projection, already cut to the chart's years."""

    x0: float
    y0: float
    x1: float
    y1: float
    color: str
    crosses: bool  # past a change of standard: only a reference, drawn fainter


def _trend_series(trend: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, list[list[Point]]]]:
    """(label, colour, segments) per rate; a series break starts a new segment."""
    series = []
    for key, label, color in TREND_SERIES:
        segments: list[list[Point]] = [[]]
        for row in trend:
            if row.get("series_break") and segments[-1]:
                segments.append([])
            value = _rate(row.get(key))
            if value is not None:
                segments[-1].append((row["year"], value))
        series.append((label, color, [s for s in segments if s]))
    return series


def _trend_targets(
    ctx: Mapping[str, Any],
) -> tuple[list[Point], list[tuple[Point, Point, str, bool]]]:
    """The rate targets marked at their year (at most six years ahead) and the projections
    (from, to, colour, crosses a change of standard) of the poor and near-poor rates."""
    year = ctx["year"]
    marks: list[Point] = []
    projections: list[tuple[Point, Point, str, bool]] = []
    for ev in ctx["targets"]:
        t = ev["target"]
        if t["measure"] not in ("poor_rate", "near_poor_rate") or t["year"] > year + 6:
            continue
        color = POOR_COLOR if t["measure"] == "poor_rate" else NEAR_COLOR
        if t["kind"] in ("at_most", "below"):
            marks.append((t["year"], t["value"]))
        projection, current = ev.get("projection"), ev.get("current")
        if projection and current:
            start = (current["year"], current["value"])
            end = (projection["year"], projection["value"])
            projections.append((start, end, color, bool(ev.get("crosses_standard_change"))))
    return marks, projections


def trend_chart(ctx: Mapping[str, Any]) -> str:
    """Poor and near-poor rates by year; targets as markers at their year; dashed
    projections; a vertical line where the standard changes (the series is not joined)."""
    trend: Sequence[Mapping[str, Any]] = ctx["trend"]
    years = [r["year"] for r in trend]
    series = _trend_series(trend)
    marks, projected = _trend_targets(ctx)
    x_max = max([*years, *(x for x, _ in marks)], default=ctx["year"])
    x_lo, x_hi = min(years, default=ctx["year"]) - 0.5, x_max + 0.8
    projections = []
    for (x0, y0), (x1, y1), color, crosses in projected:
        cut = _clip(x0, y0, x1, y1, x_lo, x_hi)  # the part inside the chart
        if cut is not None:
            projections.append(Projection(*cut, color, crosses))
    values = [y for _, _, segs in series for seg in segs for _, y in seg]
    values += [v for _, v in marks] + [v for p in projections for v in (p.y0, p.y1)]
    y_ticks = nice_ticks(max(values, default=0.0))
    y_labels = _percent(y_ticks)
    keys = [Key(label, color, "line") for label, color, segs in series if segs]
    keys += [Key("Chỉ tiêu", TARGET_COLOR, "diamond")] if marks else []

    left = max(text_width(t, TICK_SIZE) for t in y_labels) + 14
    legend_top = TREND_HEIGHT - _legend_height(keys, left) - 4
    frame = Frame(left, 26, WIDTH - 14, legend_top - TICK_SIZE - 14, x_lo, x_hi, 0.0, y_ticks[-1])
    canvas = Canvas(WIDTH, TREND_HEIGHT)
    x_ticks = _year_ticks(x_lo, x_hi)
    for tick in y_ticks:
        canvas.line(frame.left, frame.y(tick), frame.right, frame.y(tick), GRID_COLOR, 0.6)
    for tick in x_ticks:
        canvas.line(frame.x(tick), frame.top, frame.x(tick), frame.bottom, GRID_COLOR, 0.6)
    change = ctx.get("next_standard_change")
    if change and change["year"] <= x_max:
        _year_divider(canvas, frame, change["year"])
        canvas.text(
            frame.x(change["year"] - 0.45),
            frame.top + NOTE_SIZE,
            f"đổi chuẩn {change['year']}",
            NOTE_SIZE,
            MUTED_COLOR,
        )
    for row in trend:
        if row.get("series_break"):
            _year_divider(canvas, frame, row["year"])
    _axes(canvas, frame)
    for p in projections:
        canvas.line(
            frame.x(p.x0),
            frame.y(p.y0),
            frame.x(p.x1),
            frame.y(p.y1),
            p.color,
            dash=DOTTED if p.crosses else DASHED,
            opacity=0.4 if p.crosses else 0.8,
        )
    for _, color, segments in series:
        for seg in segments:
            canvas.polyline([(frame.x(x), frame.y(y)) for x, y in seg], color)
            for x, y in seg:
                canvas.circle(frame.x(x), frame.y(y), 3.5, color)
    _value_labels(canvas, frame, series)
    _target_marks(canvas, frame, marks)
    for tick, label in zip(y_ticks, y_labels, strict=True):
        canvas.text(
            frame.left - 6, frame.y(tick) + TICK_SIZE * 0.35, label, TICK_SIZE, anchor="end"
        )
    for tick in x_ticks:
        canvas.text(
            frame.x(tick), frame.bottom + TICK_SIZE + 4, str(tick), TICK_SIZE, anchor="middle"
        )
    _legend(canvas, keys, frame.left, legend_top)
    return canvas.render("Xu hướng tỷ lệ hộ nghèo, cận nghèo và chỉ tiêu")


def _year_divider(canvas: Canvas, frame: Frame, year: int) -> None:
    """A dotted vertical line between ``year - 1`` and ``year``."""
    x = frame.x(year - 0.5)
    canvas.line(x, frame.top, x, frame.bottom, MUTED_COLOR, dash=DOTTED)


def _value_labels(
    canvas: Canvas, frame: Frame, series: Sequence[tuple[str, str, list[list[Point]]]]
) -> None:
    """Each value written above its point (ngheo_cli.core.fmt, one decimal); below it where
    the other series' point of the same year is just above (its label would be written over
    this one), unless that would run into the axis."""
    for i, (_, color, segments) in enumerate(series):
        for seg in segments:
            for x, y in seg:
                below = any(
                    (other > y or (other == y and j < i))
                    and frame.y(y) - frame.y(other) < NOTE_SIZE + 12
                    for j, (_, _, segs) in enumerate(series)
                    if j != i
                    for s in segs
                    for ox, other in s
                    if ox == x
                )
                below = below and frame.y(y) + NOTE_SIZE + 6 < frame.bottom - 2
                shift = NOTE_SIZE + 6 if below else -8
                canvas.text(
                    frame.x(x), frame.y(y) + shift, fmt.number(y, 1), NOTE_SIZE, color, "middle"
                )


def _target_marks(canvas: Canvas, frame: Frame, marks: Sequence[Point]) -> None:
    """A diamond at each target's year and value, labelled "value % (year)" on its right (on
    its left when the chart ends too soon)."""
    for target_year, value in marks:
        x, y = frame.x(target_year), frame.y(value)
        canvas.diamond(x, y, 4.5, TARGET_COLOR)
        label = f"{fmt.number(value, 0)} % ({int(target_year)})"
        if x + 8 + text_width(label, NOTE_SIZE) <= WIDTH - 2:
            canvas.text(x + 8, y + 4, label, NOTE_SIZE, TARGET_COLOR)
        else:
            canvas.text(x - 8, y + 4, label, NOTE_SIZE, TARGET_COLOR, "end")


def _axes(canvas: Canvas, frame: Frame) -> None:
    canvas.line(frame.left, frame.top, frame.left, frame.bottom, AXIS_COLOR)
    canvas.line(frame.left, frame.bottom, frame.right, frame.bottom, AXIS_COLOR)


@dataclass(frozen=True)
class Bar:
    """One bar of a row: from ``start`` to ``start + length`` (data units), drawn in the
    band's fraction ``top``…``top + height`` (0 is the band's top, 1 its bottom)."""

    start: float
    length: float
    color: str
    top: float
    height: float


def _bar_chart(
    rows: Sequence[tuple[str, Sequence[Bar]]],
    band: float,
    keys: Sequence[Key],
    title: str,
    total: float | None = None,
) -> str:
    """Horizontal bars, ``rows`` from the top down, labelled on the left, on a percent
    axis with vertical gridlines; ``total`` a dashed vertical line."""
    ends = [b.start + b.length for _, bars in rows for b in bars]
    ticks = nice_ticks(max([*ends, total or 0.0], default=0.0))
    labels = _percent(ticks)
    room = WIDTH * 0.45
    names = [(fit(name, TICK_SIZE, room), name) for name, _ in rows]
    left = (
        max([text_width(s, TICK_SIZE) for s, _ in names] + [text_width(labels[0], TICK_SIZE) / 2])
        + 16
    )
    right = WIDTH - max(16.0, text_width(labels[-1], TICK_SIZE) / 2 + 4)
    top = 8.0
    bottom = top + band * len(rows)
    frame = Frame(left, top, right, bottom, 0.0, ticks[-1], 0.0, 1.0)
    legend_top = bottom + TICK_SIZE + 16
    canvas = Canvas(WIDTH, legend_top + _legend_height(keys, left) + 4)
    for tick in ticks:
        canvas.line(frame.x(tick), top, frame.x(tick), bottom, GRID_COLOR, 0.6)
    for i, (_, bars) in enumerate(rows):
        for b in bars:
            canvas.rect(
                frame.x(b.start),
                top + band * (i + b.top),
                frame.x(b.start + b.length) - frame.x(b.start),
                band * b.height,
                b.color,
            )
    if total is not None:
        canvas.line(frame.x(total), top, frame.x(total), bottom, TOTAL_COLOR, dash=DASHED)
    _axes(canvas, frame)
    for i, (shown, name) in enumerate(names):
        canvas.text(
            left - 6,
            top + band * (i + 0.5) + TICK_SIZE * 0.35,
            shown,
            TICK_SIZE,
            anchor="end",
            full=name,
        )
    for tick, label in zip(ticks, labels, strict=True):
        canvas.text(frame.x(tick), bottom + TICK_SIZE + 4, label, TICK_SIZE, anchor="middle")
    _legend(canvas, keys, left, legend_top)
    return canvas.render(title)


def deprivation_chart(ctx: Mapping[str, Any]) -> str:
    """Share of poor and near-poor households deprived in each indicator (largest first)."""
    rows = ctx["deprivations"]["rows"]
    if not rows:
        return ""
    # Ascending, then read from the top down: the largest first, ties in reverse order.
    ordered = sorted(rows, key=lambda r: _bar(r["ngheo_ty_le"]))[::-1]
    drawn = [
        (
            r["ten_chi_so"],
            (
                Bar(0.0, _bar(r["ngheo_ty_le"]), POOR_COLOR, 0.1, 0.4),
                Bar(0.0, _bar(r["can_ngheo_ty_le"]), NEAR_COLOR, 0.5, 0.4),
            ),
        )
        for r in ordered
    ]
    keys = (Key("Hộ nghèo", POOR_COLOR, "box"), Key("Hộ cận nghèo", NEAR_COLOR, "box"))
    return _bar_chart(drawn, 20.0, keys, "Tỷ lệ hộ thiếu hụt từng chỉ số")


def unit_chart(ctx: Mapping[str, Any], limit: int = 40) -> str:
    """Poor and near-poor rates per village (or per commune), highest poor rate first."""
    rows = [r for r in ctx["by_unit"][:-1]]  # the last row is the total
    if not rows:
        return ""
    rows = sorted(rows, key=lambda r: (-_bar(r.get("ty_le_ngheo")), r["nhom"]))[:limit]
    total = ctx["by_unit"][-1]
    drawn = []
    for r in rows:
        poor, near = _bar(r.get("ty_le_ngheo")), _bar(r.get("ty_le_can_ngheo"))
        drawn.append(
            (
                r["nhom"],
                (Bar(0.0, poor, POOR_COLOR, 0.1, 0.8), Bar(poor, near, NEAR_COLOR, 0.1, 0.8)),
            )
        )
    keys = [Key("Nghèo", POOR_COLOR, "box"), Key("Cận nghèo", NEAR_COLOR, "box")]
    line = _rate(total.get("ty_le_ngheo"))
    if line is not None:
        rate = fmt.number(line, 1)
        keys.insert(0, Key(f"Nghèo {total['nhom'].lower()}: {rate} %", TOTAL_COLOR, "dash"))
    what = "thôn" if ctx["level"] == "commune" else "xã"
    return _bar_chart(drawn, 20.0, keys, f"Tỷ lệ hộ nghèo, cận nghèo theo {what}", line)


def all_charts(ctx: Mapping[str, Any]) -> dict[str, str]:
    return {
        "trend": trend_chart(ctx),
        "deprivations": deprivation_chart(ctx),
        "units": unit_chart(ctx),
    }
