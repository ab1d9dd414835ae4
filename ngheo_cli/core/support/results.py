"""What the support use cases return: a finished import (:class:`ImportResult`) and a
commune-year's summary (:class:`SupportSummary`). Plain values, here where the writers in
``ngheo_cli.io.outputs`` may import them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ngheo_cli.core.commune import CommuneConfig
from ngheo_cli.core.findings import Finding, FindingsMixin
from ngheo_cli.core.support.commitments import CommitmentRules
from ngheo_cli.core.support.ledger import giver_key
from ngheo_cli.core.table import RawTable, SkippedRow


def plain_value(value: Any) -> Any:
    """JSON-safe: NaN/NA → None, numpy scalars → Python, whole floats kept as floats."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): plain_value(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


@dataclass
class ImportResult(FindingsMixin):
    """A finished ``support import`` or ``support add``.

    ``rows_read`` = ``valid`` + ``duplicates_in_file`` + ``rejected``; of the valid records,
    ``added`` were new to the store and ``already_recorded`` were there before.
    """

    commune: CommuneConfig
    year: int
    source: str
    input_sha256: str | None
    rows_read: int
    records: pd.DataFrame
    findings: list[Finding]
    added: int = 0
    already_recorded: int = 0
    import_id: int | None = None
    skipped: list[SkippedRow] = field(default_factory=list)
    raw: RawTable | None = None  # the table as read (for the error workbook)
    outputs: list[Path] = field(default_factory=list)

    @property
    def rejected_rows(self) -> set[int]:
        return {f.row for f in self.errors}

    @property
    def rejected(self) -> int:
        """Rows left out for an error (a row with several errors counts once)."""
        return len({f.row for f in self.errors})

    @property
    def duplicates_in_file(self) -> int:
        return sum(1 for f in self.findings if f.code == "ht-trung")

    @property
    def exit_code(self) -> int:
        """0 when every row was usable, 1 when some were rejected (README "Mã thoát")."""
        return 1 if self.rejected else 0

    def to_dict(self) -> dict[str, Any]:
        codes = {f.code for f in self.findings}
        return {
            "commune": self.commune.code,
            "commune_name": self.commune.name,
            "year": self.year,
            "source": self.source,
            "input_sha256": self.input_sha256,
            "rows": self.rows_read,
            "valid": len(self.records),
            "added": self.added,
            "already_recorded": self.already_recorded,
            "duplicates_in_file": self.duplicates_in_file,
            "rejected": self.rejected,
            "households_checked": "ht-chua-co-ho" not in codes,
            "members_checked": "ht-chua-co-dang-vien" not in codes,
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
            "skipped": [{"row": s.row, "reason": s.reason, "text": s.text} for s in self.skipped],
            "outputs": [str(p) for p in self.outputs],
        }


@dataclass
class SupportSummary:
    """Everything ``ngheo support summary`` shows for one commune-year (see :meth:`to_dict`)."""

    commune: CommuneConfig
    year: int
    rules: CommitmentRules
    records: pd.DataFrame
    giver_shown: pd.Series
    commitments: pd.DataFrame | None  # None: no members recorded for the year
    givers_not_on_list: list[str]
    households: pd.DataFrame
    by_village_kind: pd.DataFrame
    by_giver_kind: pd.DataFrame
    outcome: dict[str, Any] | None
    notes: list[str]
    outputs: list[Path] = field(default_factory=list)

    def member_counts(self) -> dict[str, int]:
        c = self.commitments
        if c is None:
            return {"members": 0, "exempt": 0, "met": 0, "short": 0}
        status = c["trang_thai"].value_counts()
        return {
            "members": len(c),
            "exempt": int(status.get("mien", 0)),
            "met": int(status.get("dat", 0)),
            "short": int(status.get("chua_dat", 0)),
        }

    def totals(self) -> dict[str, Any]:
        r = self.records
        value = float(r["gia_tri"].sum()) if len(r) else 0.0
        return {
            "records": len(r),
            "households": int(r["ma_ho"].nunique()),
            "givers": len({giver_key(str(g)) for g in r["nguoi_ho_tro"]}),
            "value_dong": value,
        }

    def to_dict(self) -> dict[str, Any]:
        counts = self.member_counts()
        return {
            "commune": self.commune.code,
            "commune_name": self.commune.name,
            "year": self.year,
            "settings": self.rules.to_dict(),
            "totals": self.totals(),
            "members": {
                "checked": self.commitments is not None,
                **counts,
                "list": frame_records(self.commitments) if self.commitments is not None else [],
                "givers_not_on_list": list(self.givers_not_on_list),
            },
            "households": frame_records(self.households),
            "by_village_kind": frame_records(self.by_village_kind),
            "by_giver_kind": frame_records(self.by_giver_kind),
            "outcome": self.outcome,
            "notes": list(self.notes),
            "outputs": [str(p) for p in self.outputs],
        }
