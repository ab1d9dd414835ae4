"""The result of classifying one table: the one shape behind JSON, the terminal and workbooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .classify import classify
from .findings import Finding, FindingsMixin
from .mpi import MPIResult
from .ruleset import Ruleset
from .summary import class_counts, mpi_for
from .table import RawTable, SkippedRow
from .validate import prepare


@dataclass
class ClassificationResult(FindingsMixin):
    """Every input row ends here: classified (``households``) or rejected (``rejected``).

    ``households`` is the typed table plus the columns of :mod:`classify`;
    ``rejected`` the rejected rows as raw text; ``findings`` every error and warning.
    """

    source: str
    sheet: str
    year: int
    ruleset: Ruleset
    raw: RawTable
    households: pd.DataFrame
    rejected: pd.DataFrame
    findings: list[Finding]
    mpi: MPIResult
    indicator_source: dict[str, Any] = field(default_factory=dict)

    @property
    def skipped(self) -> list[SkippedRow]:
        return self.raw.skipped

    @property
    def input_rows(self) -> int:
        return len(self.households) + len(self.rejected)

    def counts(self) -> dict[str, int | None]:
        return class_counts(self.households, self.ruleset)

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable summary (``--json``)."""

        def brief(f: Finding) -> dict[str, Any]:
            return {
                "sheet": f.sheet,
                "cell": f.cell,
                "row": f.row,
                "ma_ho": f.ma_ho,
                "code": f.code,
                "message": f.message,
            }

        return {
            "source": self.source,
            "sheet": self.sheet,
            "year": self.year,
            "standard": {
                "id": self.ruleset.id,
                "title": self.ruleset.title,
                "legal_basis": self.ruleset.legal_basis,
            },
            "input_rows": self.input_rows,
            "households": len(self.households),
            "counts": self.counts(),
            "rejected_rows": len(self.rejected),
            "rejected": [brief(f) for f in self.errors],
            "warnings": [brief(f) for f in self.warnings],
            "skipped": [
                {"row": s.row, "reason": s.reason, "text": s.text} for s in self.raw.skipped
            ],
            "routes": {
                str(k): int(v)
                for k, v in sorted(self.households["tuyen"].value_counts().items())
                if v
            },
            "mpi": self.mpi.to_dict(),
            "indicator_source": self.indicator_source,
            "header_guesses": self.header_guesses(),
        }

    def header_guesses(self) -> list[dict[str, Any]]:
        """Columns understood by a guess (token, abbreviation, fuzzy), to be checked."""
        return [
            {
                "key": key,
                "column": self.raw.columns.get(key),
                "header": self.raw.headers.get(key),
                "method": match.method,
                "score": match.score,
                "how": match.describe(self.raw.headers.get(key, "")),
            }
            for key, match in self.raw.header_matches.items()
            if match.is_guess
        ]


def classify_table(
    raw: RawTable,
    ruleset: Ruleset,
    year: int,
    *,
    area: str | None = None,
    what_if: bool = False,
) -> ClassificationResult:
    """Validate and classify one raw table. ``what_if``: indicators the workbook lacks
    (e.g. a 2026 survey seen under the 2027 standard) count as not deprived."""
    prepared = prepare(
        raw, ruleset, area=area, missing_indicators="not_deprived" if what_if else "error"
    )
    classified = classify(prepared.households, ruleset)
    return ClassificationResult(
        source=raw.source,
        sheet=raw.sheet,
        year=year,
        ruleset=ruleset,
        raw=raw,
        households=classified,
        rejected=prepared.rejected,
        findings=prepared.findings,
        mpi=mpi_for(classified, ruleset),
        indicator_source=dict(prepared.indicator_source),
    )
