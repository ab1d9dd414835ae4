"""Official report forms as Excel sheets, ready to sign and print (standards.md §8).

A :class:`Form` describes one sheet: its title, a multi-level header (merged cells), the
column-number row (``A``, ``B``, ``1``, ``2``, … with labels such as ``4 = 3/1 × 100``), the
body rows and notes. :func:`write_forms` lays every sheet out the same way:

- the UBND block and the quốc hiệu on top, ``Số: …/BC-UBND`` and the place-and-date line;
- the title, the header and the column-number row repeated on every printed page;
- A4 landscape; type never under 9 pt: a sheet is scaled to the page width only when the
  scale keeps its smallest type at 9 pt or more, otherwise it spans several pages across
  (columns A and B repeated);
- pages break above a unit's first row, never between the rows of one unit (``Hộ`` and
  ``Nhân khẩu``, a count and its rate): manual breaks from the estimated row heights;
- numbers that read the same on every PC: counts in a number format with literal dots
  (``1.234``; the thousands separator of the PC's locale is not used), rates as text with a
  decimal comma (``25,24``);
- signature blocks whose every line has a row of its own, across half the table width.

Deterministic bytes (fixed document date), written atomically.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ngheo_cli.io.atomic import atomic_write
from ngheo_cli.io.collector import cycle_collection_paused
from ngheo_cli.io.xlsx.book import Workbook
from ngheo_cli.io.xlsx.sheetxml import FormWorksheet
from ngheo_cli.io.xlsx.writer import FIXED_CREATED, display_width, unique_sheet_names

FONT = "Times New Roman"
BODY_PT = 12
TITLE_PT = 13
MIN_PRINT_PT = 9.0
# A4 landscape, 0.5" left and 0.4" right margins: the printable width in points.
PAGE_WIDTH_PT = 11.69 * 72 - (0.5 + 0.4) * 72
LINE_PT = 16.5  # the height of one line of 12 pt type

# Counts: literal dots every three digits (numbers stay numbers).
COUNT_FORMAT = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
NO_DATA = "không có số liệu"
NOT_DEFINED = "chuẩn không quy định"


class Missing(str):
    """A cell the data cannot fill: its words are shown (never a zero)."""


@dataclass(frozen=True)
class Rate:
    """A rate in percent, shown with two decimals and a decimal comma."""

    value: float | None

    def text(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "-"
        return f"{self.value:.2f}".replace(".", ",")


@dataclass
class HeaderCell:
    row: int
    col: int
    last_row: int
    last_col: int
    text: str


@dataclass
class Row:
    values: list[Any]
    bold: bool = False
    merge_down: int = 0  # columns A and B merged with the next ``merge_down`` rows


@dataclass
class Form:
    name: str
    title: str
    subtitle: list[str]
    header: list[HeaderCell]
    header_rows: int
    numbers: list[str]
    widths: list[float]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    centered: frozenset[int] = frozenset({0})  # text columns written centred (TT, unit of count)


@dataclass
class Letterhead:
    """The document's frame: who reports, where, and who signs."""

    authority: list[str]  # ["ỦY BAN NHÂN DÂN", "XÃ ĐẮK LIÊNG"]
    place: str  # "Đắk Liêng"
    year_line: str  # "năm 2024" or "năm …"
    signatures: list[list[str]]  # each block: title lines, then the italic hint last


def chars_to_points(width: float) -> float:
    """An Excel column width (characters of the default font, Calibri 11) in points as
    printed: xlsxwriter stores the width plus its 0.71 padding; measured on LibreOffice's
    PDFs (Carlito), one stored character is about 6.2 pt."""
    return (width + 0.71) * 6.2


def print_scale(widths: Sequence[float]) -> float:
    """The scale that fits the columns into the page width (1.0 when they fit)."""
    total = sum(chars_to_points(w) for w in widths)
    return min(1.0, PAGE_WIDTH_PT / total) if total else 1.0


def print_percent(widths: Sequence[float]) -> int:
    """The print scale in whole percent (as Excel stores it), to the nearest percent: the
    widths are an estimate (measured on LibreOffice's PDFs), and the nearest percent keeps a
    form fitted at the 9 pt limit at 9 pt when printed."""
    return max(10, round(print_scale(widths) * 100))


def fits_readably(widths: Sequence[float], smallest_pt: float = BODY_PT) -> bool:
    """Fitting to the page width keeps the smallest type at ``MIN_PRINT_PT`` or more."""
    return print_scale(widths) * smallest_pt >= MIN_PRINT_PT


# The most a character can count in _lines: a double-width character (display_width),
# capitals and bold.
_WIDEST_PER_CHAR = 2 * 1.12 * 1.3 * BODY_PT / 11


def _lines(text: str, width_chars: float, bold: bool = False) -> int:
    """Lines ``text`` takes in a cell ``width_chars`` wide (12 pt type; capitals and bold
    are wider)."""
    usable = max(1.0, width_chars - 1.0)
    text = str(text)
    one_line = "\n" not in text
    if one_line and len(text) * _WIDEST_PER_CHAR < usable * 0.99:
        return 1  # even at the widest (every character double, capitals, bold): one line
    factor = (1.12 if bold else 1.0) * (1.3 if text.isupper() else 1.0) * BODY_PT / 11
    if one_line:
        return max(1, math.ceil(display_width(text) * factor / usable))
    return sum(max(1, math.ceil(display_width(part) * factor / usable))
               for part in text.split("\n"))


class _Styles:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": FONT, "font_size": BODY_PT}
        self._wb = wb
        self._cache: dict[tuple[Any, ...], Format] = {}
        self._cells: dict[tuple[str, bool], Format] = {}  # body cells, by (kind, bold)
        self.base = base
        # Wrapped, with row heights computed for the wrapped lines: never clipped.
        self.center_bold = self.make(bold=True, align="center", valign="vcenter", text_wrap=True)
        self.center_bold_u = self.make(bold=True, align="center", underline=True, text_wrap=True)
        self.center_italic = self.make(italic=True, align="center", valign="vcenter",
                                       text_wrap=True)
        self.center = self.make(align="center", valign="vcenter", text_wrap=True)
        self.title = self.make(bold=True, font_size=TITLE_PT, align="center", valign="vcenter",
                               text_wrap=True)
        self.subtitle = self.make(italic=True, align="center", valign="vcenter", text_wrap=True)
        self.header = self.make(bold=True, align="center", valign="vcenter", text_wrap=True,
                                border=1)
        self.number_row = self.make(italic=True, align="center", valign="vcenter", border=1,
                                    text_wrap=True)
        self.note = self.make(italic=True, text_wrap=True, valign="top")

    def make(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._wb.add_format({**self.base, **props})
        return found

    def cell(self, kind: str, bold: bool) -> Format:
        found = self._cells.get((kind, bold))
        if found is None:
            found = self._cells[(kind, bold)] = self._cell(kind, bold)
        return found

    def _cell(self, kind: str, bold: bool) -> Format:
        if kind == "count":
            return self.make(border=1, bold=bold, num_format=COUNT_FORMAT, valign="vcenter")
        if kind == "rate":
            return self.make(border=1, bold=bold, align="right", valign="vcenter")
        if kind == "missing":
            return self.make(border=1, bold=bold, italic=True, align="center",
                             valign="vcenter", text_wrap=True)
        if kind == "center":
            return self.make(border=1, bold=bold, align="center", valign="vcenter",
                             text_wrap=True)
        return self.make(border=1, bold=bold, valign="vcenter", text_wrap=True)


def _spans(widths: Sequence[float], need: float) -> tuple[int, int]:
    """Columns for the left block (from the first) and the right block (to the last), each
    at least ``need`` characters wide where the table allows, never overlapping."""
    n = len(widths)
    left, acc = 0, widths[0]
    while acc < need and left + 1 < n // 2:
        left += 1
        acc += widths[left]
    right, acc = n - 1, widths[-1]
    while acc < need and right - 1 > left + 1:
        right -= 1
        acc += widths[right]
    return left, right


def _block_width(widths: Sequence[float], first: int, last: int) -> float:
    return float(sum(widths[first : last + 1]))


def _write_block(ws: Worksheet, row: int, first: int, last: int, text: str, fmt: Format) -> None:
    if last > first:
        ws.merge_range(row, first, row, last, text, fmt)
    else:
        ws.write_string(row, first, text, fmt)


def _value(ws: Worksheet, styles: _Styles, row: int, col: int, value: Any, bold: bool,
           text_kind: str = "text") -> None:
    if isinstance(value, Missing):
        ws.write_string(row, col, str(value), styles.cell("missing", bold))
    elif isinstance(value, Rate):
        ws.write_string(row, col, value.text(), styles.cell("rate", bold))
    elif isinstance(value, bool):
        ws.write_string(row, col, "x" if value else "", styles.cell("center", bold))
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, styles.cell("count", bold))
    elif value is None:
        ws.write_blank(row, col, None, styles.cell(text_kind, bold))
    else:
        ws.write_string(row, col, str(value), styles.cell(text_kind, bold))


class _CellFormats(dict[str, Format]):
    """The body cell formats of one weight, by kind (``_Styles.cell``), made when first
    asked for, as before: the workbook's formats keep their order."""

    def __init__(self, styles: _Styles, bold: bool) -> None:
        super().__init__()
        self._styles, self._bold = styles, bold

    def __missing__(self, kind: str) -> Format:
        found = self[kind] = self._styles.cell(kind, self._bold)
        return found


def _write_body(ws: Worksheet, styles: _Styles, form: Form, widths: Sequence[float],
                row: int) -> tuple[int, list[tuple[int, bool]]]:
    """The body rows from ``row``. Columns A and B: text (merged down over a unit's rows); a
    missing value is said in words (:func:`_value`'s rules). Each row is as tall as its
    tallest text. Returns the next row and each body row with whether it begins a unit (a
    page may break above it).

    The common values (``str``, ``int``, ``float``, ``bool``, None, :class:`Missing`,
    :class:`Rate`) are written through xlsxwriter's undecorated ``_write_*`` methods (the
    public ones first test whether the row is an A1 reference); any other value through
    :func:`_value`. Same cells, same order, same bytes."""
    write_string, write_number = ws._write_string, ws._write_number
    write_blank = ws._write_blank
    plain, bold_formats = _CellFormats(styles, False), _CellFormats(styles, True)
    centered = form.centered
    # Lines of text per column, by text: villages, groups and labels repeat.
    known_lines: list[dict[str, int]] = [{} for _ in widths]
    pending_merge = 0
    body_rows: list[tuple[int, bool]] = []
    for body in form.rows:
        body_rows.append((row, not pending_merge))
        bold, merge_down = body.bold, body.merge_down
        formats = bold_formats if bold else plain
        lines = 1
        for col, value in enumerate(body.values):
            if isinstance(value, str) and value:
                known = known_lines[col]
                found = known.get(value)
                if found is None:
                    found = known[value] = _lines(value, widths[col])
                if found > lines:
                    lines = found
            if col < 2:
                if pending_merge:
                    continue
                if merge_down:
                    text = "" if value is None else str(value)
                    ws.merge_range(row, col, row + merge_down, col, text,
                                   formats["center" if col in centered else "text"])
                    continue
            kind = value.__class__
            if kind is str:
                write_string(row, col, value, formats["center" if col in centered else "text"])
            elif kind is int or kind is float:
                write_number(row, col, value, formats["count"])
            elif value is None:
                write_blank(row, col, None, formats["center" if col in centered else "text"])
            elif kind is Missing:
                write_string(row, col, str(value), formats["missing"])
            elif kind is Rate:
                write_string(row, col, value.text(), formats["rate"])
            elif kind is bool:
                write_string(row, col, "x" if value else "", formats["center"])
            else:
                _value(ws, styles, row, col, value, bold,
                       "center" if col in centered else "text")
        ws.set_row(row, LINE_PT * lines + 2)
        if merge_down:
            pending_merge = merge_down
        elif pending_merge:
            pending_merge -= 1
        row += 1
    return row, body_rows


def _write_form(wb: xlsxwriter.Workbook, styles: _Styles, name: str, form: Form,
                head: Letterhead) -> None:
    ws = wb.add_worksheet(name, worksheet_class=FormWorksheet)
    row_heights: dict[int, float] = {}  # every row height set, for the page estimate
    set_row = ws.set_row

    def record(r: int, height: float, *args: Any) -> None:
        row_heights[r] = height
        set_row(r, height, *args)

    ws.set_row = record
    widths = list(form.widths)
    n = len(widths)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    need: float = max(
        display_width(t) for t in (*head.authority, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    )
    left, right = _spans(widths, need * 1.3 * 1.12 * BODY_PT / 11 + 2)
    left_w, right_w = _block_width(widths, 0, left), _block_width(widths, right, n - 1)

    # Letterhead: authority (left), quốc hiệu (right), number and place-and-date line.
    top = [
        (head.authority[0], "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (head.authority[1] if len(head.authority) > 1 else "", "Độc lập – Tự do – Hạnh phúc"),
        ("Số: …/BC-UBND", f"{head.place}, ngày … tháng … {head.year_line}"),
    ]
    for r, (lt, rt) in enumerate(top):
        lf = styles.center_bold if r == 0 else (styles.center_bold_u if r == 1 else styles.center)
        rf = styles.center_bold if r == 0 else (
            styles.center_bold_u if r == 1 else styles.center_italic)
        _write_block(ws, r, 0, left, lt, lf)
        _write_block(ws, r, right, n - 1, rt, rf)
        lines = max(_lines(lt, left_w, True), _lines(rt, right_w, True))
        ws.set_row(r, LINE_PT * lines + 2)
    row = 4
    full = float(sum(widths))
    ws.merge_range(row, 0, row, n - 1, form.title, styles.title)
    ws.set_row(row, (TITLE_PT + 5) * _lines(form.title, full * BODY_PT / TITLE_PT, True) + 4)
    first_repeat = row
    row += 1
    for line in form.subtitle:
        ws.merge_range(row, 0, row, n - 1, line, styles.subtitle)
        ws.set_row(row, LINE_PT * _lines(line, full) + 2)
        row += 1
    row += 1  # a blank row between the title and the table

    # Header: merged cells over ``header_rows`` rows, then the column-number row.
    h0 = row
    heights: list[float] = [LINE_PT + 4] * form.header_rows
    for cell in sorted(form.header, key=lambda c: (c.last_row - c.row, c.row)):
        width = _block_width(widths, cell.col, cell.last_col)
        need = _lines(cell.text, width, True) * LINE_PT + 4
        have = sum(heights[cell.row : cell.last_row + 1])
        if need > have:
            heights[cell.last_row] += need - have
    for cell in form.header:
        r0, r1 = h0 + cell.row, h0 + cell.last_row
        if (r0, cell.col) == (r1, cell.last_col):
            ws.write_string(r0, cell.col, cell.text, styles.header)
        else:
            ws.merge_range(r0, cell.col, r1, cell.last_col, cell.text, styles.header)
    for i, height in enumerate(heights):
        ws.set_row(h0 + i, height)
    row = h0 + form.header_rows
    number_lines = max((_lines(t, widths[c]) for c, t in enumerate(form.numbers)), default=1)
    for col, text in enumerate(form.numbers):
        ws.write_string(row, col, text, styles.number_row)
    ws.set_row(row, LINE_PT * number_lines + 2)
    last_repeat = row
    row += 1

    row, body_rows = _write_body(ws, styles, form, widths, row)

    # Notes, then the signature blocks (a row for each line, never wrapped nor clipped).
    table_end = row
    row += 1
    for note in form.notes:
        ws.merge_range(row, 0, row, n - 1, note, styles.note)
        ws.set_row(row, LINE_PT * _lines(note, full) + 2)
        row += 1
    row += 1
    blocks = head.signatures
    shares = _signature_shares(widths, len(blocks))
    depth = max(len(b) for b in blocks)
    for i in range(depth):
        lines = 1
        for (first, last), block in zip(shares, blocks, strict=True):
            if i >= len(block):
                continue
            hint = i == len(block) - 1 and block[i].startswith("(")
            _write_block(ws, row + i, first, last, block[i],
                         styles.center_italic if hint else styles.center_bold)
            lines = max(lines, _lines(block[i], _block_width(widths, first, last), not hint))
        ws.set_row(row + i, LINE_PT * lines + 2)
    scale = print_percent(widths) / 100 if fits_readably(widths) else 1.0
    tail = [row_heights.get(r, DEFAULT_ROW_PT) for r in range(table_end, row + depth)]
    breaks = unit_breaks(row_heights, body_rows, first_repeat, last_repeat, scale)
    brk = signature_break(row_heights, body_rows, first_repeat, last_repeat, tail, scale,
                          breaks)
    if brk is not None and brk not in breaks:
        breaks.append(brk)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    _page_setup(ws, widths, first_repeat, last_repeat)


DEFAULT_ROW_PT = 15.0
# A4 landscape height less the top and bottom margins (0.45" and 0.55"), in points, and a
# little room for the page footer.
PAGE_HEIGHT_PT = 8.27 * 72 - (0.45 + 0.55) * 72 - 12


def _paginate(heights: dict[int, float], body_rows: Sequence[tuple[int, bool]],
              first_repeat: int, last_repeat: int, scale: float,
              breaks: Sequence[int] = ()) -> tuple[list[int], float]:
    """Lay the rows out on pages (heights at the print scale; the title and header rows
    repeated on every page after the first), starting a page above each row of ``breaks``
    and wherever the next row does not fit. A page that would end inside a unit (between
    its first row and the next) ends above the unit's first row instead, unless that row
    began the page (a unit taller than a page). Returns the rows that begin a page within
    the body and the height used on the last page."""
    if not body_rows:
        return [], 0.0

    def h(r: int) -> float:
        return heights.get(r, DEFAULT_ROW_PT) * scale

    repeat = sum(h(r) for r in range(first_repeat, last_repeat + 1))
    unit_start: dict[int, int] = {}
    start = body_rows[0][0]
    for r, breakable in body_rows:
        if breakable:
            start = r
        unit_start[r] = start
    forced = set(breaks)
    out: list[int] = []
    y, page_top, r, last = 0.0, 0, 0, body_rows[-1][0]
    while r <= last:
        if r in forced and r > page_top:
            y, page_top = repeat, r
            out.append(r)
        elif y + h(r) > PAGE_HEIGHT_PT and r > page_top:
            top = unit_start.get(r, r)
            if not (page_top < top < r and top > body_rows[0][0]):
                top = r
            if top in unit_start:
                out.append(top)
            y, page_top, r = repeat, top, top
        y += h(r)
        r += 1
    return out, y


def unit_breaks(heights: dict[int, float], body_rows: Sequence[tuple[int, bool]],
                first_repeat: int, last_repeat: int, scale: float) -> list[int]:
    """The rows above which a page must break so that no page ends between the rows of one
    unit (a unit's ``Hộ`` and ``Nhân khẩu`` rows, a count and its rate): each a unit's first
    row. Pages are estimated from the row heights at the print scale, as for the
    signatures; a break is set at every page the body spans, so that the estimate decides."""
    return _paginate(heights, body_rows, first_repeat, last_repeat, scale)[0]


def signature_break(heights: dict[int, float], body_rows: Sequence[tuple[int, bool]],
                    first_repeat: int, last_repeat: int, tail: Sequence[float],
                    scale: float, breaks: Sequence[int] = ()) -> int | None:
    """The row above which to break the page so that the notes and signatures are not left
    alone on a page of their own (below the repeated header and no data), or None when
    they fit after the table. Pages are estimated from the row heights (at the print
    scale, with the page breaks ``breaks`` already set); the break moves the fewest unit
    rows (never splitting a unit's rows) that, with the signatures, fit on a fresh page."""
    if not body_rows:
        return None

    def h(r: int) -> float:
        return heights.get(r, DEFAULT_ROW_PT) * scale

    repeat = sum(h(r) for r in range(first_repeat, last_repeat + 1))
    room = PAGE_HEIGHT_PT
    _, y = _paginate(heights, body_rows, first_repeat, last_repeat, scale, breaks)
    need = sum(t * scale for t in tail)
    if y + need <= room:
        return None
    moved = 0.0
    for r, breakable in reversed(body_rows):
        moved += h(r)
        if repeat + moved + need > room:
            return None  # even one unit with the signatures fills a page: leave it
        if breakable and r > body_rows[0][0] and y - moved >= repeat:
            return r
    return None


def _signature_shares(widths: Sequence[float], blocks: int) -> list[tuple[int, int]]:
    """Each signature block's columns: the table split in ``blocks`` runs of columns of
    about equal width (the first block from column A, the last to the last column)."""
    n = len(widths)
    if blocks <= 1:
        return [(0, n - 1)]
    total = sum(widths)
    out: list[tuple[int, int]] = []
    start, acc = 0, 0.0
    for col, width in enumerate(widths):
        acc += width
        remaining_blocks = blocks - len(out) - 1
        if remaining_blocks and acc >= total * (len(out) + 1) / blocks and n - col - 1 >= (
                remaining_blocks):
            out.append((start, col))
            start = col + 1
    out.append((start, n - 1))
    return out


def _page_setup(ws: Worksheet, widths: Sequence[float], first: int, last: int) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.set_margins(left=0.5, right=0.4, top=0.45, bottom=0.55)
    ws.repeat_rows(first, last)
    ws.set_footer(f"&C&\"{FONT}\"&10Trang &P/&N")
    ws.freeze_panes(last + 1, 2)
    if print_scale(widths) < 1.0:
        if fits_readably(widths):
            # A fixed scale, not "fit to 1 page wide": Excel and LibreOffice ignore manual
            # page breaks on a sheet fitted to pages, and the breaks keep units whole.
            ws.set_print_scale(print_percent(widths))
        else:
            ws.repeat_columns(0, 1)  # a wide form spans pages across, at full size


def write_forms(path: Path, forms: Sequence[Form], head: Letterhead,
                properties: dict[str, Any] | None = None) -> None:
    """Write the forms (one sheet each) to ``path``, atomically and deterministically."""
    names = unique_sheet_names([f.name for f in forms])
    with atomic_write(path) as temp, cycle_collection_paused():
        # in_memory: the parts are assembled in memory, not as a temporary file each (a
        # report's forms are ~25 parts of at most a few MB; creating, reading back and
        # deleting the files cost more than writing them).
        wb = Workbook(str(temp), {"strings_to_numbers": False,
                                  "strings_to_formulas": False,
                                  "strings_to_urls": False,
                                  "in_memory": True})
        try:
            wb.set_properties({"created": FIXED_CREATED, **(properties or {})})
            styles = _Styles(wb)
            for name, form in zip(names, forms, strict=True):
                _write_form(wb, styles, name, form, head)
        finally:
            wb.close()


