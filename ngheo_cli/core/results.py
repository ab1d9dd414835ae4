"""The result of classifying one table: the one shape behind JSON, the terminal and workbooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.classify import classify
from ngheo_cli.core.collector import NO_COLUMN_RANK, FindingCollector
from ngheo_cli.core.findings import Finding, FindingsMixin
from ngheo_cli.core.mpi import MPIResult
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.schema import CLASS_LABELS, FIELD_BY_KEY
from ngheo_cli.core.summary import class_counts, mpi_for
from ngheo_cli.core.table import RawTable, SkippedRow
from ngheo_cli.core.text import fold
from ngheo_cli.core.validate import prepare


@dataclass
class ClassificationResult(FindingsMixin):
    """Every input row ends here: classified (``households``) or rejected (``rejected``).

    ``households`` is the typed table plus the columns of :mod:`classify`;
    ``rejected`` the rejected rows as raw text; ``findings`` every error and warning;
    ``duplicates`` the rows that repeat an earlier row exactly (counted once, each with a
    finding): input rows = households + rejected + duplicates.
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
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def skipped(self) -> list[SkippedRow]:
        return self.raw.skipped

    @property
    def input_rows(self) -> int:
        return len(self.households) + len(self.rejected) + len(self.duplicates)

    def counts(self) -> dict[str, int | None]:
        return class_counts(self.households, self.ruleset)

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable summary (``--json``)."""
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
            "duplicate_rows": len(self.duplicates),
            "rejected": [f.brief() for f in self.errors],
            "warnings": [f.brief() for f in self.warnings],
            "skipped": [
                {"row": s.row, "reason": s.reason, "text": s.text, "sheet": s.sheet or self.sheet}
                for s in self.raw.skipped
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
    recorded_index: Mapping[str, str] | None = None,
) -> ClassificationResult:
    """Validate and classify one raw table. ``what_if``: indicators the workbook lacks
    (e.g. a 2026 survey seen under the 2027 standard) count as not deprived.
    ``recorded_index`` (recorded-class labels → codes): read a recorded result column and
    name every household whose recorded class differs from the computed one."""
    prepared = prepare(
        raw,
        ruleset,
        area=area,
        missing_indicators="not_deprived" if what_if else "error",
        year=year,
        recorded_index=recorded_index,
    )
    classified = classify(prepared.households, ruleset)
    findings = prepared.findings
    if "ket_qua_ra_soat" in classified.columns and len(classified):
        findings = _merge(raw, findings, _recorded_disagreements(raw, classified, ruleset))
    return ClassificationResult(
        source=raw.source,
        sheet=raw.sheet,
        year=year,
        ruleset=ruleset,
        raw=raw,
        households=classified,
        rejected=prepared.rejected,
        findings=findings,
        mpi=mpi_for(classified, ruleset),
        indicator_source=dict(prepared.indicator_source),
        duplicates=prepared.duplicates,
    )


# Recorded and computed classes agree when they say the same; the score route's
# "tren_chuan" and a recorded "Hộ không nghèo" (khac) cover the middle band too.
_SAME = {("trung_binh", "tren_chuan"), ("khac", "tren_chuan"), ("khac", "trung_binh")}


def _recorded_disagreements(
    raw: RawTable, households: pd.DataFrame, ruleset: Ruleset
) -> list[Finding]:
    """A ``ket-qua-lech`` finding for every household whose recorded class (a class code
    in ``ket_qua_ra_soat``) differs from the computed ``phan_loai``; nothing is changed."""
    recorded = households["ket_qua_ra_soat"].astype("string").to_numpy(dtype=object, na_value=None)
    computed = households["phan_loai"].astype(str).to_numpy(dtype=object)
    differs = np.array(
        [
            r is not None and r != c and (r, c) not in _SAME
            for r, c in zip(recorded, computed, strict=True)
        ],
        dtype=bool,
    )
    if not differs.any():
        return []
    out = FindingCollector(raw, raw.frame.loc[households.index], FIELD_BY_KEY)
    texts = out.text("ket_qua_ra_soat")

    def recorded_as(p: int) -> str:
        label = CLASS_LABELS.get(str(recorded[p]), str(recorded[p]))
        return "" if fold(str(texts[p])) == fold(label) else f" (tức {label.lower()})"

    out.add(
        "ket-qua-lech",
        "ket_qua_ra_soat",
        differs,
        lambda p: {
            "recorded": recorded_as(p),
            "computed": CLASS_LABELS.get(str(computed[p]), str(computed[p])).lower(),
        },
        standard=ruleset.title,
    )
    return out.sorted_findings()


def _merge(raw: RawTable, first: list[Finding], second: list[Finding]) -> list[Finding]:
    """Both lists in the collector's order: (row, Excel column, code)."""
    rank = {
        key: i
        for i, key in enumerate(
            sorted(raw.columns, key=lambda k: (len(raw.columns[k]), raw.columns[k]))
        )
    }
    return sorted(
        [*first, *second],
        key=lambda f: (f.row, rank.get(f.column, NO_COLUMN_RANK) if f.column else -1, f.code),
    )
