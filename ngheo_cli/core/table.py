"""The raw table handed from the reader to the validator.

The reader (``ngheo_cli.io.read.workbook``) knows about files, sheets, header rows and
Excel coordinates; it hands over a :class:`RawTable`: every data row as text, under
canonical keys, indexed by its Excel row number, with the column letters needed to
point back at a cell. Nothing is parsed yet: parsing and checking are the validator's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from ngheo_cli.core.headers import HeaderMatch
from ngheo_cli.core.text import cell_ref

SkipReason = Literal["trong", "tong_cong", "chu_ky", "so_cot"]

SKIP_LABELS: dict[str, str] = {
    "trong": "dòng trống",
    "tong_cong": "dòng tổng cộng",
    "chu_ky": "dòng chữ ký / ghi chú cuối bảng",
    "so_cot": "dòng đánh số cột",
}


@dataclass(frozen=True)
class SkippedRow:
    row: int  # Excel row number (1-based)
    reason: SkipReason
    text: str  # first non-empty text of the row, for the log
    sheet: str = ""  # the sheet, when the table was read from several


# Row keys of a table read from several sheets: the k-th sheet's Excel row r is
# k * SHEET_STRIDE + r (the first sheet's rows keep their Excel numbers).
SHEET_STRIDE = 10_000_000


@dataclass(frozen=True)
class SheetPart:
    """One sheet of a table read from several sheets of the same layout."""

    name: str
    columns: dict[str, str]  # canonical key → Excel column letter in this sheet
    offset: int  # added to the Excel row number to make the row's key
    header_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class SheetNote:
    """A sheet of the workbook that was not read as households, and why (Vietnamese)."""

    name: str
    reason: str


@dataclass
class RawTable:
    """Data rows of one sheet, as text, under canonical column keys.

    ``frame``: one column per mapped canonical key (values ``str`` or missing, stripped of
    surrounding spaces; numbers as the reader renders them, e.g. "1500000" or "140.5"),
    index = Excel row number (1-based, int). Only household rows: blank, totals,
    signature and column-number rows are in ``skipped`` instead.
    """

    source: str  # file name as given by the user (for messages)
    sheet: str
    frame: pd.DataFrame
    columns: dict[str, str]  # canonical key → Excel column letter
    headers: dict[str, str]  # canonical key → header text as found in the workbook
    header_rows: tuple[int, ...]  # Excel row numbers of the header (1 or 2 rows)
    unmapped: list[str] = field(default_factory=list)  # headers that matched no key
    skipped: list[SkippedRow] = field(default_factory=list)
    # canonical key → how its header was understood (core.headers.HeaderMatch)
    header_matches: dict[str, HeaderMatch] = field(default_factory=dict)
    # Cells that held no value the reader could use, left blank in ``frame``:
    # (Excel row, key) → ("loi", "#DIV/0!") for an Excel error value, or
    # ("cong-thuc", formula text) for a formula saved without its calculated value.
    cell_problems: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    # Several sheets of one layout (one per village): each row's sheet; empty for one sheet.
    parts: tuple[SheetPart, ...] = ()
    # Sheets of the workbook not read as households, each with its reason.
    sheet_notes: list[SheetNote] = field(default_factory=list)

    def _part(self, row: int) -> SheetPart | None:
        if not self.parts:
            return None
        return self.parts[min(row // SHEET_STRIDE, len(self.parts) - 1)]

    def sheet_of(self, row: int) -> str:
        """The sheet a row (a key of ``frame``) was read from."""
        part = self._part(row)
        return part.name if part is not None else self.sheet

    def excel_row(self, row: int) -> int:
        """The Excel row number of a row key."""
        part = self._part(row)
        return row - part.offset if part is not None else row

    def row_label(self, row: int) -> str:
        """How a row is named in a message: its Excel row number (and its sheet, when the
        table was read from several sheets)."""
        part = self._part(row)
        if part is None:
            return str(row)
        return f'{row - part.offset} (sheet "{part.name}")'

    def cell(self, key: str | None, row: int) -> str:
        """Excel reference of ``key`` in ``row``; the first column of the row when key is None."""
        part = self._part(row)
        sheet, columns = (
            (part.name, part.columns) if part is not None else (self.sheet, self.columns)
        )
        excel_row = row - part.offset if part is not None else row
        if key is not None and key in columns:
            return cell_ref(sheet, columns[key], excel_row)
        first = min(columns.values(), key=lambda c: (len(c), c)) if columns else "A"
        return cell_ref(sheet, first, excel_row)
