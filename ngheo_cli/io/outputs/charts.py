"""The report's charts as inline SVG strings (matplotlib, Agg backend; no network, no JS).

Deterministic: the same numbers give the same bytes (``svg.hashsalt`` fixed, no date in
the metadata, text kept as text so the page's fonts render it). Every chart is drawn from
the report dictionary (:func:`ngheo_cli.core.report.build_context`), never from the store.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from ngheo_cli.core import fmt  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "ngheo",
    "svg.fonttype": "none",
    "font.family": "serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
}
POOR_COLOR, NEAR_COLOR, TARGET_COLOR = "#b2182b", "#ef8a62", "#2166ac"
_PERCENT = FuncFormatter(lambda v, _pos: fmt.number(v, 0) + " %")
_XML_HEAD = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    """A figure outside pyplot's registry (nothing to close; no GUI manager): cheaper than
    ``plt.subplots`` in a batch drawing three charts per commune, same drawing."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _svg(fig: Any, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None,
                                                "Title": title}, bbox_inches="tight")
    text = _XML_HEAD.sub("", buffer.getvalue())
    # Inline in HTML: scale with the page, announce itself to screen readers.
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
                  r'<svg \1style="width:100%;height:auto"', text, count=1)
    return text.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;")
            .replace("<", "&lt;").replace(">", "&gt;"))


def trend_chart(ctx: Mapping[str, Any]) -> str:
    """Poor and near-poor rates by year; targets as markers at their year; dashed
    projections; a vertical line where the standard changes (the series is not joined)."""
    trend: Sequence[Mapping[str, Any]] = ctx["trend"]
    with matplotlib.rc_context(RC):
        fig, ax = _figure(7.2, 2.6)
        years = [r["year"] for r in trend]
        for key, label, color in (("poor_rate", "Tỷ lệ hộ nghèo", POOR_COLOR),
                                  ("near_poor_rate", "Tỷ lệ hộ cận nghèo", NEAR_COLOR)):
            segment_x: list[int] = []
            segment_y: list[float] = []
            first = True
            for row in trend:
                if row.get("series_break") and segment_x:
                    ax.plot(segment_x, segment_y, "o-", color=color,
                            label=label if first else None)
                    first, segment_x, segment_y = False, [], []
                if row.get(key) is not None:
                    segment_x.append(row["year"])
                    segment_y.append(row[key])
            if segment_x:
                ax.plot(segment_x, segment_y, "o-", color=color, label=label if first else None)
            for x, y in zip(years, [r.get(key) for r in trend], strict=True):
                if y is not None:
                    ax.annotate(fmt.number(y, 1), (x, y), textcoords="offset points",
                                xytext=(0, 6), ha="center", fontsize=8, color=color)
        x_max = max(years, default=ctx["year"])
        shown_target = False
        for ev in ctx["targets"]:
            t = ev["target"]
            if t["measure"] not in ("poor_rate", "near_poor_rate"):
                continue
            color = POOR_COLOR if t["measure"] == "poor_rate" else NEAR_COLOR
            if t["kind"] in ("at_most", "below") and t["year"] <= ctx["year"] + 6:
                ax.plot([t["year"]], [t["value"]], marker="D", linestyle="none",
                        color=TARGET_COLOR, label=None if shown_target else "Chỉ tiêu")
                ax.annotate(f"{fmt.number(t['value'], 0)} % ({t['year']})",
                            (t["year"], t["value"]), textcoords="offset points",
                            xytext=(6, -3), fontsize=8, color=TARGET_COLOR)
                shown_target = True
                x_max = max(x_max, t["year"])
            projection, current = ev.get("projection"), ev.get("current")
            if projection and current and t["year"] <= ctx["year"] + 6:
                # Past a change of standard the line is only a reference: drawn fainter,
                # and the table beside it says so.
                crosses = ev.get("crosses_standard_change")
                ax.plot([current["year"], projection["year"]],
                        [current["value"], projection["value"]], ":" if crosses else "--",
                        color=color, linewidth=1, alpha=0.4 if crosses else 0.8)
        change = ctx.get("next_standard_change")
        if change and change["year"] <= x_max:
            ax.axvline(change["year"] - 0.5, color="#555555", linestyle=":", linewidth=1)
            ax.text(change["year"] - 0.45, ax.get_ylim()[1], f"đổi chuẩn {change['year']}",
                    fontsize=8, va="top", color="#555555")
        for row in trend:
            if row.get("series_break"):
                ax.axvline(row["year"] - 0.5, color="#555555", linestyle=":", linewidth=1)
        ax.set_xlim(min(years, default=ctx["year"]) - 0.5, x_max + 0.8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(_PERCENT)
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower left", fontsize=8, frameon=False, ncol=3)
        return _svg(fig, "Xu hướng tỷ lệ hộ nghèo, cận nghèo và chỉ tiêu")


def deprivation_chart(ctx: Mapping[str, Any]) -> str:
    """Share of poor and near-poor households deprived in each indicator (largest first)."""
    rows = ctx["deprivations"]["rows"]
    if not rows:
        return ""
    rows = sorted(rows, key=lambda r: r["ngheo_ty_le"] or 0)
    with matplotlib.rc_context(RC):
        fig, ax = _figure(7.2, 0.26 * len(rows) + 0.8)
        y = range(len(rows))
        ax.barh([i + 0.2 for i in y], [r["ngheo_ty_le"] or 0 for r in rows], height=0.4,
                color=POOR_COLOR, label="Hộ nghèo")
        ax.barh([i - 0.2 for i in y], [r["can_ngheo_ty_le"] or 0 for r in rows], height=0.4,
                color=NEAR_COLOR, label="Hộ cận nghèo")
        ax.set_yticks(list(y), [r["ten_chi_so"] for r in rows])
        ax.xaxis.set_major_formatter(_PERCENT)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        return _svg(fig, "Tỷ lệ hộ thiếu hụt từng chỉ số")


def unit_chart(ctx: Mapping[str, Any], limit: int = 40) -> str:
    """Poor and near-poor rates per village (or per commune), highest poor rate first."""
    rows = [r for r in ctx["by_unit"][:-1]]  # the last row is the total
    if not rows:
        return ""
    rows = sorted(rows, key=lambda r: (-(r.get("ty_le_ngheo") or 0), r["nhom"]))[:limit]
    rows.reverse()
    total = ctx["by_unit"][-1]
    with matplotlib.rc_context(RC):
        fig, ax = _figure(7.2, 0.24 * len(rows) + 0.9)
        y = list(range(len(rows)))
        poor = [r.get("ty_le_ngheo") or 0 for r in rows]
        near = [r.get("ty_le_can_ngheo") or 0 for r in rows]
        ax.barh(y, poor, color=POOR_COLOR, label="Nghèo")
        ax.barh(y, near, left=poor, color=NEAR_COLOR, label="Cận nghèo")
        ax.set_yticks(y, [r["nhom"] for r in rows])
        if total.get("ty_le_ngheo") is not None:
            rate = fmt.number(total["ty_le_ngheo"], 1)
            ax.axvline(total["ty_le_ngheo"], color="#333333", linestyle="--", linewidth=1,
                       label=f"Nghèo {total['nhom'].lower()}: {rate} %")
        ax.xaxis.set_major_formatter(_PERCENT)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        what = "thôn" if ctx["level"] == "commune" else "xã"
        return _svg(fig, f"Tỷ lệ hộ nghèo, cận nghèo theo {what}")


def all_charts(ctx: Mapping[str, Any]) -> dict[str, str]:
    return {"trend": trend_chart(ctx), "deprivations": deprivation_chart(ctx),
            "units": unit_chart(ctx)}
