"""Data rows streamed straight into xlsxwriter's constant_memory row file as XML.

xlsxwriter handles each cell through several Python calls (about 4 µs a cell); here a block
of rows is formatted into one string, each distinct value's cell XML made once (a bounded
cache), and appended to the worksheet's row file. The bytes are those xlsxwriter writes cell
by cell (compared in tests/unit/test_xlsx_writer.py). The sheet layouts (titles, header,
notes, signature) are in :mod:`ngheo_cli.io.xlsx.writer`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ngheo_cli.io.xlsx.kinds import COMMENT_OPTIONS, NUMERIC_KINDS


class CellFormats(Protocol):
    """The cell formats a sheet layout hands the stream (``writer._Styles``), by kind."""

    def cell(self, kind: str, *, highlight: bool = False, bold: bool = False) -> Format: ...


_CONTROL_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")  # a literal "_x0041_" must stay literal
_CONTROL_CHARS = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_SPACE = re.compile(r"^\s")
_TRAILING_SPACE = re.compile(r"\s$")
_NOT_PLAIN = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
# _NOT_PLAIN over texts joined by "\n": no match means no text of them matches _NOT_PLAIN
# (every text starts after a line break and ends before one); a match may be a false alarm
# (a text holding a line break), and then each text is checked on its own.
_ANY_NOT_PLAIN = re.compile(
    r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$", re.MULTILINE
)
# The same without ``& < >``: no match means the texts need at most those three escaped.
_ANY_NOT_ESCAPED = re.compile(
    r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$", re.MULTILINE
)
EXCEL_MAX_TEXT = 32_767  # characters (UTF-16 units) in one cell
STREAM_BLOCK_ROWS = 1_000  # rows formatted into one string before it goes to the file
CELL_CACHE = 4_096  # cell XML kept per column, by value


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _truncate_utf16(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units, never inside a character above U+FFFF."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def _xml_text(text: str) -> tuple[str, bool]:
    """Cell text as Excel stores it in XML, and whether it needs ``xml:space="preserve"``.

    The rules of xlsxwriter's own string cells: at most 32767 UTF-16 units; control
    characters as ``_xHHHH_`` (and a literal ``_xHHHH_`` protected as ``_x005F_xHHHH_``);
    ``& < >`` escaped. Unlike xlsxwriter, text that looks like rich-text XML ("<r>…</r>") is
    escaped too: it stays the text that was given."""
    if len(text) > EXCEL_MAX_TEXT // 2 and _utf16_len(text) > EXCEL_MAX_TEXT:
        text = _truncate_utf16(text, EXCEL_MAX_TEXT)
    elif _NOT_PLAIN.search(text) is None:
        return text, False
    text = _CONTROL_ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL_CHARS.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = bool(_LEADING_SPACE.search(text) or _TRAILING_SPACE.search(text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


class CellXml(dict[Any, str]):
    """The XML of one column's cells, by value, made on first use.

    A row is written as ``<row r="5"><c r="A5`` followed by the cells joined with the row
    number, so each cell's XML closes its own ``r`` attribute and ends with the opening of
    the next cell (``…</c><c r="B``) or with ``</row>``. ``None`` is an empty cell, which
    still carries the style (the table border). The cache is emptied when it holds
    ``CELL_CACHE`` values: memory stays bounded on a column of unique values."""

    def __init__(self, ws: Worksheet, kind: str, style: int, after: str) -> None:
        super().__init__()
        self._convert_date = ws._convert_date_time
        self.numeric = kind in NUMERIC_KINDS
        self.style = style
        self.number_head = f'" s="{style}"><v>'
        self.number_tail = f"</v></c>{after}"
        self.text_head = f'" s="{style}" t="inlineStr"><is><t>'
        self.text_tail = f"</t></is></c>{after}"
        self.blank = f'" s="{style}"/>{after}'
        self[None] = self.blank

    def __missing__(self, value: Any) -> str:
        if isinstance(value, str):
            text, preserve = _xml_text(value)
            space = ' xml:space="preserve"' if preserve else ""
            xml = f'" s="{self.style}" t="inlineStr"><is><t{space}>{text}{self.text_tail}'
        else:  # a date or datetime (numbers go through ``render``)
            xml = f"{self.number_head}{self._convert_date(value):.16G}{self.number_tail}"
            if getattr(value, "tzinfo", None) is not None:
                return xml  # not kept: equal instants in two time zones show differently
        if len(self) >= CELL_CACHE:
            self.clear()
            self[None] = self.blank
        self[value] = xml
        return xml

    def render(self, values: list[Any]) -> list[str]:
        if self.numeric:  # numbers are mostly distinct: formatted directly, not cached
            head, tail, blank = self.number_head, self.number_tail, self.blank
            return [blank if v is None else f"{head}{v:.16G}{tail}" for v in values]
        new = [value for value in dict.fromkeys(values) if type(value) is str and value not in self]
        if new:
            made = self._texts(new)
            if len(made) > CELL_CACHE:  # more new texts than the cache holds: not kept
                return [made.get(value) or self[value] for value in values]
            if len(self) + len(made) > CELL_CACHE:
                self.clear()
                self[None] = self.blank
            self.update(made)
        return list(map(self.__getitem__, values))  # dates not seen yet: ``__missing__``

    def _texts(self, texts: list[str]) -> dict[str, str]:
        """The cell XML of each of ``texts``. Those that need no escaping (names, codes: the
        common case) are found with one pattern search over all of them, else one by one."""
        head, tail = self.text_head, self.text_tail
        if max(map(len, texts)) <= EXCEL_MAX_TEXT // 2:
            joined = "\n".join(texts)
            if _ANY_NOT_PLAIN.search(joined) is None:
                return {text: f"{head}{text}{tail}" for text in texts}
            if _ANY_NOT_ESCAPED.search(joined) is None:  # only & < > to escape ("Thu nhập > …")
                escaped = (
                    joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                ).split("\n")
                if len(escaped) == len(texts):  # no text holds a line break: one part each
                    return {
                        text: f"{head}{xml}{tail}"
                        for text, xml in zip(texts, escaped, strict=True)
                    }
        made: dict[str, str] = {}
        for text in texts:
            xml, preserve = _xml_text(text)
            space = ' xml:space="preserve"' if preserve else ""
            made[text] = f'" s="{self.style}" t="inlineStr"><is><t{space}>{xml}{tail}'
        return made


class RowStream:
    """Data rows written straight into the worksheet's constant_memory row file as XML.

    xlsxwriter handles each cell through several Python calls (about 4 µs a cell); here a
    block of rows is formatted into one string, each cell's XML looked up by value. The XML
    is what xlsxwriter writes for the same cells: the same ``<row>`` and ``<c>`` elements,
    inline strings, number text and style ids (numbered in the order xlsxwriter would number
    them), so the file is byte for byte the one the cell-by-cell path writes.

    This relies on how constant_memory mode works: finished rows are appended to
    ``row_data_fh`` (the worksheet's ``fh`` while it is written) and ``previous_row`` is the
    row still held in ``table``. ``supported`` checks for that; without it the caller writes
    cell by cell.
    """

    def __init__(self, ws: Worksheet, styles: CellFormats, kinds: list[str]) -> None:
        self.ws = ws
        self.styles = styles
        self.kinds = kinds
        letters = [xl_col_to_name(index) for index in range(len(kinds))]
        self.first_cell = f'<c r="{letters[0]}'
        self.after = [f'<c r="{letter}' for letter in letters[1:]] + ["</row>"]
        self.style_ids: dict[tuple[str, bool], int] = {}
        self.cells: dict[tuple[int, bool], CellXml] = {}
        self.plain_row_seen = False

    @staticmethod
    def supported(ws: Worksheet) -> bool:
        return (
            bool(getattr(ws, "constant_memory", False))
            and getattr(ws, "fh", None) is not None
            and ws.fh is getattr(ws, "row_data_fh", None)
            and isinstance(getattr(ws, "previous_row", None), int)
            and isinstance(getattr(ws, "table", None), dict)
            and callable(getattr(ws, "_write_single_row", None))
            and callable(getattr(ws, "_check_dimensions", None))
            and callable(getattr(ws, "_convert_date_time", None))
            and getattr(ws, "excel_version", None) == 2007  # rows without x14ac:dyDescent
            and getattr(ws, "default_row_height", None) == getattr(ws, "original_row_height", 0)
        )

    def write(
        self, first_row: int, values: list[list[Any]], marked: Mapping[int, Mapping[int, str]],
        position: int,
    ) -> None:
        """Rows from ``first_row`` holding ``values`` (one list per column). ``position`` is
        the frame position of the first row: ``marked`` (highlights) is keyed by position."""
        n = len(values[0]) if values else 0
        for offset in range(0, n, STREAM_BLOCK_ROWS):
            block = [column[offset : offset + STREAM_BLOCK_ROWS] for column in values]
            self._write_block(first_row + offset, block, marked, position + offset)

    def _write_block(
        self, first_row: int, values: list[list[Any]], marked: Mapping[int, Mapping[int, str]],
        position: int,
    ) -> None:
        ws = self.ws
        n = len(values[0])
        last_row = first_row + n - 1
        if first_row > ws.previous_row:
            ws._write_single_row(first_row)  # write out the row xlsxwriter holds (the header)
        if first_row < ws.previous_row or ws.table:
            raise RuntimeError("streamed rows must come after every row already written")
        self._number_styles(n, marked, position)
        ws._check_dimensions(first_row, 0)
        ws._check_dimensions(last_row, len(self.kinds) - 1)
        cells = [self._cells(col, highlight=False).render(block)
                 for col, block in enumerate(values)]
        for index in range(n):
            comments = marked.get(position + index)
            if comments is None:
                continue
            for col, comment in sorted(comments.items()):
                cells[col][index] = self._cells(col, highlight=True).render(
                    [values[col][index]])[0]
                ws.write_comment(first_row + index, col, comment, COMMENT_OPTIONS)
        head = self.first_cell
        numbers = map(str, range(first_row + 1, last_row + 2))  # Excel counts rows from 1
        ws.fh.write("".join([
            f'<row r="{row}">{head}{row}{row.join(row_cells)}'
            for row, row_cells in zip(numbers, zip(*cells, strict=True), strict=True)
        ]))
        ws.previous_row = last_row + 1  # nothing held: the next write starts a new row

    def _number_styles(
        self, n: int, marked: Mapping[int, Mapping[int, str]], position: int
    ) -> None:
        """Number the formats the way xlsxwriter does, when their first cell is written, row
        by row and left to right. Only the first plain row and highlighted rows can use a
        format for the first time."""
        for index in range(n):
            comments = marked.get(position + index)
            if comments is None:
                if self.plain_row_seen:
                    continue
                self.plain_row_seen = True
            for col, kind in enumerate(self.kinds):
                key = (kind, comments is not None and col in comments)
                if key not in self.style_ids:
                    fmt = self.styles.cell(kind, highlight=key[1])
                    self.style_ids[key] = fmt._get_xf_index()

    def _cells(self, col: int, *, highlight: bool) -> CellXml:
        found = self.cells.get((col, highlight))
        if found is None:
            kind = self.kinds[col]
            style = self.style_ids.get((kind, highlight))
            if style is None:  # no cell uses this format yet: all of them are highlighted
                return CellXml(self.ws, kind, 0, self.after[col])
            found = self.cells[(col, highlight)] = CellXml(self.ws, kind, style, self.after[col])
        return found
