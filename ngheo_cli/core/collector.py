"""Collect findings for one sheet: one shared collector for every table ngheo reads
(households, party members, twinnings, support records)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.findings import CATALOGUE, EXCEL_ERRORS, Finding
from ngheo_cli.core.parse import Parsed, as_text
from ngheo_cli.core.schema import Field
from ngheo_cli.core.table import RawTable

NO_COLUMN_RANK = -1  # findings about a whole row sort before the row's cell findings
# Findings listed per sheet: an error workbook stays far below Excel's 1 048 576 rows
# however broken the input is; the rows past the cap are still rejected and counted.
FINDINGS_CAP = 100_000
SHOWN_VALUE_CHARS = 60  # a cell's text quoted in a message is cut to this length


def _shown(text: str) -> str:
    text = str(text)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"


class FindingCollector:
    """Findings for one sheet of a :class:`RawTable`, sorted by (row, Excel column, code);
    ``bad`` marks the rows (positions of ``frame``) that have an error.

    ``fields``: the table's fields, for column labels when a header is missing.
    ``ma_ho_key``: the column whose text names the household in each finding (None: none).
    """

    def __init__(
        self,
        raw: RawTable,
        frame: pd.DataFrame,
        fields: Mapping[str, Field],
        *,
        ma_ho_key: str | None = "ma_ho",
    ) -> None:
        self.raw = raw
        self.frame = frame
        self.fields = fields
        self.rows = frame.index.to_numpy()
        self.bad = np.zeros(len(frame), dtype=bool)
        self._items: list[tuple[int, int, str, Finding]] = []
        self._text: dict[str, np.ndarray] = {}
        self._rank = {
            key: rank
            for rank, key in enumerate(
                sorted(raw.columns, key=lambda k: (len(raw.columns[k]), raw.columns[k]))
            )
        }
        self.ma_ho = (
            self.text(ma_ho_key) if ma_ho_key is not None and ma_ho_key in frame.columns else None
        )
        self._cell_problems()

    def _cell_problems(self) -> None:
        """Excel error cells and uncalculated formulas: each an error at its cell (the
        reader left them blank; a blank must never pass for a value)."""
        if not self.raw.cell_problems:
            return
        position = {int(r): p for p, r in enumerate(self.rows)}
        for (row, key), (kind, detail) in sorted(self.raw.cell_problems.items()):
            pos = position.get(row)
            if pos is None or key not in self.frame.columns:
                continue
            mask = np.zeros(len(self.frame), dtype=bool)
            mask[pos] = True
            if kind == "loi":
                meaning = EXCEL_ERRORS.get(detail, "giá trị lỗi")
                self.add("o-loi-excel", key, mask, error=detail, meaning=meaning)
            else:
                shown = detail if len(detail) <= 60 else detail[:57] + "…"
                self.add("cong-thuc-chua-tinh", key, mask, formula=shown)

    def text(self, key: str) -> np.ndarray:
        """The raw cell texts of a column (object array; None when blank or absent)."""
        if key not in self._text:
            if key in self.frame.columns:
                values = as_text(self.frame[key]).to_numpy(dtype=object, na_value=None)
            else:
                values = np.full(len(self.frame), None, dtype=object)
            self._text[key] = values
        return self._text[key]

    def label(self, key: str | None) -> str:
        if key is None:
            return ""
        found = self.raw.headers.get(key)
        if found:
            return found
        fld = self.fields.get(key)
        return fld.label if fld else key

    def _append(
        self, code: str, key: str | None, row: int, ma_ho: str | None, values: dict[str, object]
    ) -> None:
        kind = CATALOGUE[code]
        finding = Finding(
            code=code,
            severity=kind.severity,
            sheet=self.raw.sheet_of(row),
            cell=self.raw.cell(key, row),
            row=row,
            column=key,
            ma_ho=ma_ho,
            message=kind.template.format(**values),
        )
        rank = self._rank.get(key, NO_COLUMN_RANK) if key is not None else NO_COLUMN_RANK
        self._items.append((row, rank, code, finding))

    def add(
        self,
        code: str,
        key: str | None,
        mask: np.ndarray | pd.Series,
        fields: Callable[[int], dict[str, object]] | None = None,
        *,
        row: int | None = None,
        **common: object,
    ) -> None:
        """One finding per True position of ``mask`` in column ``key`` (None: the row).

        ``row``: a single finding about the sheet, placed at that Excel row (``mask`` unused).
        ``fields(position)`` adds per-row template values; ``common`` adds shared ones.
        """
        if row is not None:
            positions: Iterable[int] = [-1]
        else:
            positions = np.flatnonzero(np.asarray(mask, dtype=bool))
            if CATALOGUE[code].severity == "error":
                self.bad[positions] = True
        texts = self.text(key) if key is not None else None
        label = self.label(key)
        for pos in positions:
            excel_row = row if row is not None else int(self.rows[pos])
            values: dict[str, object] = {"label": label, "value": ""}
            if texts is not None and pos >= 0 and texts[pos] is not None:
                values["value"] = _shown(texts[pos])
            values.update(common)
            if fields is not None:
                values.update(fields(int(pos)))
            ma_ho = self.ma_ho[pos] if self.ma_ho is not None and pos >= 0 else None
            self._append(code, key, excel_row, ma_ho, values)

    def add_at(
        self, code: str, key: str | None, row: int, ma_ho: str | None, **fields: object
    ) -> None:
        """One finding at an Excel row, for checks made record by record."""
        values: dict[str, object] = {"label": self.label(key), "value": ""}
        values.update(fields)
        self._append(code, key, row, ma_ho, values)

    def parse_errors(
        self,
        key: str,
        parsed: Parsed,
        *,
        renames: Mapping[str, str] | None = None,
        **common: Any,
    ) -> None:
        """A finding for every cell a parser refused (``renames``: table-specific codes)."""
        error = parsed.error.to_numpy(dtype=object)
        hint = parsed.hint.to_numpy(dtype=object)
        for code in sorted({e for e in error if e is not None}):
            own = (renames or {}).get(code)
            if own is not None:
                self.add(own, key, error == code)
            else:
                self.add(code, key, error == code, lambda p: {"hint": hint[p]}, **common)

    def beyond_bounds(self, typed: dict[str, pd.Series], bounds: Mapping[str, object]) -> None:
        """A value past its column's sensible maximum (the ruleset's ``bounds``) is an
        error at its cell, and is removed from ``typed`` so that nothing downstream uses it."""
        for key, bound in bounds.items():
            if key not in typed:
                continue
            high = float(bound.max)  # type: ignore[attr-defined]
            values = pd.to_numeric(typed[key], errors="coerce").astype("Float64")
            over = (values > high).fillna(False).to_numpy(dtype=bool)
            if not over.any():
                continue
            shown = f"{high:,.0f}".replace(",", ".")
            self.add("vuot-gioi-han", key, over, high=shown, why=bound.note)  # type: ignore[attr-defined]
            typed[key] = typed[key].where(~over)

    def sorted_findings(self) -> list[Finding]:
        """The findings in sheet order, at most :data:`FINDINGS_CAP`; past the cap, one
        last finding says how many more there are (rows stay rejected all the same)."""
        items = sorted(self._items, key=lambda it: it[:3])
        if len(items) <= FINDINGS_CAP:
            return [item[3] for item in items]
        kept = [item[3] for item in items[:FINDINGS_CAP]]
        first_dropped = items[FINDINGS_CAP][0]
        rest = len(items) - FINDINGS_CAP
        kind = CATALOGUE["con-loi-khac"]
        kept.append(
            Finding(
                code=kind.code,
                severity=kind.severity,
                sheet=self.raw.sheet,
                cell=self.raw.cell(None, first_dropped),
                row=first_dropped,
                column=None,
                ma_ho=None,
                message=kind.template.format(
                    count=f"{rest:,}".replace(",", "."),
                    row=first_dropped,
                    cap=f"{FINDINGS_CAP:,}".replace(",", "."),
                ),
            )
        )
        return kept
