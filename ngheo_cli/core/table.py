"""The raw table handed from the reader to the validator.

The reader (``ngheo_cli.io.workbook``) knows about files, sheets, header rows and
Excel coordinates; it hands over a :class:`RawTable`: every data row as text, under
canonical keys, indexed by its Excel row number, with the column letters needed to
point back at a cell. Nothing is parsed yet: parsing and checking are the validator's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from .text import cell_ref

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

    def row_label(self, row: int) -> str:
        """How a row is named in a message: its Excel row number."""
        return str(row)

    def cell(self, key: str | None, row: int) -> str:
        """Excel reference of ``key`` in ``row``; the first column of the row when key is None."""
        if key is not None and key in self.columns:
            return cell_ref(self.sheet, self.columns[key], row)
        first = min(self.columns.values(), key=lambda c: (len(c), c)) if self.columns else "A"
        return cell_ref(self.sheet, first, row)
