"""A worksheet whose cell table is serialised with fewer Python calls per cell.

xlsxwriter writes every cell of ``sheetN.xml`` through ``Worksheet._write_cell``: an
attribute list, a cell reference, a class-name test and an escaping call per attribute,
then one file write (about 15 µs a cell). The official forms (:mod:`ngheo_cli.io.xlsx.forms`)
hold some 30.000 cells per commune, all shared strings, numbers or formatted blanks;
:class:`FormWorksheet` writes those three kinds directly (the same XML, byte for byte), a row
at a time, and leaves every other kind of cell, and the constant_memory and comment cases, to
xlsxwriter. ``tests/unit/test_xlsx_sheetxml.py`` compares the sheet XML with xlsxwriter's own.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# The cell kinds written here, by their namedtuple names (the names xlsxwriter dispatches
# on in ``_write_cell``).
_NUMBER_KINDS = frozenset({"Number", "Datetime"})
_STRING = "String"
_BLANK = "Blank"


class FormWorksheet(Worksheet):
    """``xlsxwriter.worksheet.Worksheet`` with a faster ``_write_rows`` (identical XML)."""

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
                kind = cell.__class__.__name__
                if kind not in _NUMBER_KINDS and kind != _STRING and kind != _BLANK:
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
                if kind == _STRING:
                    parts.append(f'{attrs} t="s"><v>{cell.string}</v></c>')
                elif kind == _BLANK:
                    parts.append(f"{attrs}/>")
                else:
                    parts.append(f"{attrs}><v>{cell.number:.16G}</v></c>")
            parts.append("</row>")
            write("".join(parts))
