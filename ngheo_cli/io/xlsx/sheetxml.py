"""A worksheet whose cell table is serialised with fewer Python calls per cell.

xlsxwriter writes every cell of ``sheetN.xml`` through ``Worksheet._write_cell``: an
attribute list, a cell reference, a class-name test and an escaping call per attribute,
then one file write per cell. The official forms (:mod:`ngheo_cli.io.xlsx.forms`) hold
some 40.000 cells per commune of 8.300 households, all shared strings, numbers or
formatted blanks; :class:`FormWorksheet` writes those three kinds directly (the same XML,
byte for byte), a row at a time, and the rows' column spans from each row's cells rather
than column by column; it leaves every other kind of cell, and the constant_memory and
comment cases, to xlsxwriter. ``tests/unit/test_xlsx_sheetxml.py`` compares the sheet XML
with xlsxwriter's own.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellDatetimeTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)


class FormWorksheet(Worksheet):
    """``xlsxwriter.worksheet.Worksheet`` with a faster ``_write_rows`` and
    ``_calculate_spans`` (identical XML)."""

    def _calculate_spans(self) -> None:
        # Each block of 16 rows: the first and last column with a cell (1-based), as
        # xlsxwriter computes it column by column.
        if self.comments:
            super()._calculate_spans()
            return
        spans: dict[int, str] = {}
        span_min = span_max = -1
        table = self.table
        col_min, col_max = self.dim_colmin, self.dim_colmax
        row_max = self.dim_rowmax
        for row_num in range(self.dim_rowmin, row_max + 1):
            cells = table.get(row_num)
            if cells:
                cols = [c for c in cells if col_min <= c <= col_max]
                if cols:
                    low, high = min(cols), max(cols)
                    if span_min < 0:
                        span_min, span_max = low, high
                    else:
                        span_min, span_max = min(span_min, low), max(span_max, high)
            if (row_num + 1) % 16 == 0 or row_num == row_max:
                if span_min >= 0:
                    spans[row_num // 16] = f"{span_min + 1}:{span_max + 1}"
                    span_min = -1
        self.row_spans = spans

    def _write_rows(self) -> None:
        if self.constant_memory or self.comments:
            super()._write_rows()
            return
        self._calculate_spans()
        write = self.fh.write
        table = self.table
        row_info = self.row_info
        col_info = self.col_info
        spans = self.row_spans
        col_min, col_max = self.dim_colmin, self.dim_colmax
        names = {col: xl_col_to_name(col) for col in range(col_min, col_max + 1)}
        # id(format) -> ' s="N"' (the table holds the formats): looked up in the order
        # xlsxwriter does, so that each format gets the same index.
        style_of: dict[int, str] = {}

        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            info = row_info.get(row_num)
            if not cells:
                if info is not None:
                    self._write_empty_row(row_num, spans.get(row_num // 16), info)
                continue
            self._write_row(row_num, spans.get(row_num // 16), info)
            number = str(row_num + 1)
            row_format = info.row_format if info is not None else None
            parts: list[str] = []
            for col_num in sorted(cells):
                if col_num < col_min or col_num > col_max:
                    continue
                cell = cells[col_num]
                kind = cell.__class__
                if (kind is not CellStringTuple and kind is not CellNumberTuple
                        and kind is not CellBlankTuple and kind is not CellDatetimeTuple):
                    # Formulas, booleans, errors, rich strings…: xlsxwriter's own.
                    write("".join(parts))
                    parts = []
                    self._write_cell(row_num, col_num, cell)
                    continue
                fmt = cell.format
                if not fmt:
                    if row_format:
                        fmt = row_format
                    elif col_num in col_info:
                        fmt = col_info[col_num].column_format
                if fmt is not None:
                    style = style_of.get(id(fmt))
                    if style is None:
                        style = style_of[id(fmt)] = f' s="{fmt._get_xf_index()}"'
                    attrs = f'<c r="{names[col_num]}{number}"{style}'
                else:
                    attrs = f'<c r="{names[col_num]}{number}"'
                if kind is CellStringTuple:
                    parts.append(f'{attrs} t="s"><v>{cell.string}</v></c>')
                elif kind is CellBlankTuple:
                    parts.append(f"{attrs}/>")
                else:
                    parts.append(f"{attrs}><v>{cell.number:.16G}</v></c>")
            parts.append("</row>")
            write("".join(parts))
