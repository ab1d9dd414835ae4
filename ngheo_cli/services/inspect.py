"""`ngheo inspect`: how the reader understands a workbook, before anything is classified.

Returns an :class:`~ngheo_cli.core.inspection.Inspection`: which sheet and header rows
were chosen and why, every column's key and how it was matched (or why not used), the
first rows as read, and what each classification route of the standard still lacks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ngheo_cli.core.inspection import Inspection, column_map_text, routes
from ngheo_cli.errors import InputError
from ngheo_cli.io import rulesets
from ngheo_cli.io.atomic import atomic_write_text
from ngheo_cli.io.read.workbook import inspect_headers, load_column_map, read_table

__all__ = ["inspect_file", "write_column_map"]


def inspect_file(
    path: Path,
    *,
    year: int,
    standard: str | None = None,
    sheet: str | None = None,
    column_map: Path | None = None,
    area: str | None = None,
    rows: int = 5,
) -> Inspection:
    """Inspect ``path`` under the standard of ``year`` (or ``standard``).

    Unusable files (missing, corrupt, old format) raise as for ``classify``; a workbook
    whose header cannot be used is reported (``error``), not raised."""
    ruleset = rulesets.resolve(year, standard)
    mapping = load_column_map(column_map) if column_map is not None else None
    vocabulary = rulesets.header_vocabulary(ruleset)
    seen = inspect_headers(
        path, sheet=sheet, column_map=mapping, display_name=path.name, vocabulary=vocabulary
    )
    error: str | None = None
    hint: str | None = None
    first: list[dict[str, object]] = []
    found = {c.key for c in seen.columns if c.status == "used" and c.key}
    try:
        raw = read_table(
            path, sheet=sheet, column_map=mapping, display_name=path.name, vocabulary=vocabulary
        )
    except InputError as exc:
        error, hint = exc.message, exc.hint
    else:
        found = set(raw.frame.columns)
        for number, values in raw.frame.head(max(rows, 0)).iterrows():
            row: dict[str, object] = {"dong": int(number)}
            row.update({k: (None if pd.isna(v) else str(v)) for k, v in values.items()})
            first.append(row)
    route_list, can = routes(found, ruleset, area_given=area is not None)
    used = {c.map_text: c.key for c in seen.columns if c.status == "used" and c.key}
    return Inspection(
        source=path.name,
        standard=ruleset.id,
        sheets=seen.sheets,
        sheet=seen.sheet,
        header_rows=seen.header_rows,
        key_rows=seen.key_rows,
        columns=seen.columns,
        rows=first,
        routes=route_list,
        can_classify=can and error is None,
        error=error,
        error_hint=hint,
        column_map=used,
    )


def write_column_map(inspection: Inspection, target: Path) -> Path:
    """Write the mapping ``inspection`` used as a YAML column map (atomically)."""
    atomic_write_text(target, column_map_text(inspection))
    return target
