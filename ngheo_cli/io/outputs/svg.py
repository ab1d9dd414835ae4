"""A small SVG writer for the report's charts: escaped text, rounded coordinates, a viewBox.

No drawing library: a chart is a list of elements written as text, so the same numbers give
the same bytes. Text stays text (the page's fonts draw it); its width is only estimated,
generously, to size margins so that no label is cut.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence

# Advance widths in em of a serif text face. The page asks for Times New Roman, then Noto
# Serif; a machine with neither may draw DejaVu Serif, the widest of the three: the classes
# below, times SAFETY, are at least Noto Serif's width and within 2 % of DejaVu Serif's for the
# report's labels (measured on the fonts' files), and 1.25 to 1.4 times Times New Roman's.
SAFETY = 1.1
_EM_NARROW = frozenset("ijlI.,:;'!|`")
_EM_SEMI = frozenset('frt()[]{}-/ "')
_EM_WIDE_LOWER = frozenset("mw")
_EM_WIDE_UPPER = frozenset("MW%@")
_EM_DEFAULT = 0.55


def _char_em(ch: str) -> float:
    if ch in _EM_NARROW:
        return 0.3
    if ch in _EM_SEMI:
        return 0.38
    if ch in _EM_WIDE_LOWER:
        return 0.8
    if ch in _EM_WIDE_UPPER:
        return 0.95
    if ch.isupper():
        return 0.74
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return _EM_DEFAULT


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font size ``size`` (user units). Vietnamese letters
    count as their base letter (diacritics and combining marks take no advance)."""
    width = 0.0
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            continue
        width += _char_em({"đ": "d", "Đ": "D"}.get(ch, ch))
    return width * size * SAFETY


def fit(text: str, size: float, room: float) -> str:
    """``text``, or its longest prefix with "…" that fits in ``room`` by the estimate."""
    if text_width(text, size) <= room:
        return text
    cut = text
    while cut and text_width(cut + "…", size) > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def nice_ticks(high: float, most: int = 8) -> list[float]:
    """Ticks 0, step, 2·step… up to the first at or above ``high`` (at least one step), the
    step being 1, 2, 2.5 or 5 times a power of ten, with at most ``most`` steps."""
    if not high > 0 or not math.isfinite(high):
        high = 1.0
    raw = high / most
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = max(1, math.ceil(high / step - 1e-9))
    return [round(i * step, 10) for i in range(count + 1)]


def decimals_for(values: Sequence[float]) -> int:
    """The fewest decimals (at most 3) that write every value exactly."""
    for d in range(4):
        if all(abs(round(v, d) - v) < 1e-9 for v in values):
            return d
    return 3


def esc(text: str) -> str:
    """Text for an element's content or a double-quoted attribute."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def n(value: float) -> str:
    """A coordinate: one decimal, without a trailing ".0" (and never "-0")."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


class Canvas:
    """The elements of one chart, in drawing order, and its size in user units."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        color: str,
        width: float = 1,
        dash: str | None = None,
        opacity: float | None = None,
    ) -> None:
        extra = _stroke_extras(dash, opacity)
        self.parts.append(
            f'<line x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}" '
            f'stroke="{color}" stroke-width="{width}"{extra}/>'
        )

    def polyline(
        self, points: Iterable[tuple[float, float]], color: str, width: float = 1.5
    ) -> None:
        coords = " ".join(f"{n(x)},{n(y)}" for x, y in points)
        self.parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{color}" '
            f'stroke-width="{width}" stroke-linejoin="round"/>'
        )

    def rect(self, x: float, y: float, width: float, height: float, color: str) -> None:
        if width <= 0 or height <= 0:
            return
        self.parts.append(
            f'<rect x="{n(x)}" y="{n(y)}" width="{n(width)}" height="{n(height)}" fill="{color}"/>'
        )

    def circle(self, x: float, y: float, r: float, color: str) -> None:
        self.parts.append(f'<circle cx="{n(x)}" cy="{n(y)}" r="{r}" fill="{color}"/>')

    def diamond(self, x: float, y: float, r: float, color: str) -> None:
        self.parts.append(
            f'<path d="M{n(x)} {n(y - r)}L{n(x + r)} {n(y)}L{n(x)} {n(y + r)}'
            f'L{n(x - r)} {n(y)}Z" fill="{color}"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        color: str = "#111",
        anchor: str = "start",
        full: str | None = None,
    ) -> None:
        """``text`` with its baseline at ``y``; ``full`` (a shortened label's whole text)
        becomes its tooltip."""
        tip = f"<title>{esc(full)}</title>" if full is not None and full != text else ""
        anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
        self.parts.append(
            f'<text x="{n(x)}" y="{n(y)}" font-size="{size}" fill="{color}"'
            f"{anchor_attr}>{tip}{esc(text)}</text>"
        )

    def render(self, title: str) -> str:
        """The ``<svg>`` element: scales with the page (viewBox), announces itself to
        screen readers, and carries its title. Ends with a newline, as the charts always
        have in the page."""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n(self.width)} '
            f'{n(self.height)}" role="img" aria-label="{esc(title)}" '
            'style="width:100%;height:auto">'
        )
        return "\n".join([head, f"<title>{esc(title)}</title>", *self.parts, "</svg>\n"])


def _stroke_extras(dash: str | None, opacity: float | None) -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return extra + (f' stroke-opacity="{opacity}"' if opacity is not None else "")
