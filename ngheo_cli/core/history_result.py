"""What ``ngheo history`` returns (:class:`HistoryResult`): a commune's year against the year
before, household by household, with the balances and the change in deprivations. A plain
value, here where the writers in ``ngheo_cli.io.outputs`` may import it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ngheo_cli.core.commune import CommuneConfig
from ngheo_cli.core.history import balance_dict
from ngheo_cli.core.mpi import MPIResult
from ngheo_cli.core.recognised import recorded_note


class RecordedRun(Protocol):
    """A year recorded from a recognised list, as the store describes it."""

    @property
    def origin(self) -> str: ...
    @property
    def decision_no(self) -> str | None: ...
    @property
    def decision_date(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...


@dataclass
class HistoryResult:
    commune: CommuneConfig
    year: int
    previous_year: int | None
    transitions: pd.DataFrame
    balances: dict[str, pd.DataFrame]
    renumbering: pd.DataFrame
    mpi_by_year: dict[int, MPIResult]
    mpi_change: pd.DataFrame
    standards: dict[int, str]
    outputs: list[Path] = field(default_factory=list)
    #: Years compared that were recorded from a recognised list (ngheo record-list): their
    #: classes are the recognised ones; they carry no deprivations, so no AF figures.
    recorded: dict[int, RecordedRun] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        return [
            recorded_note(y, r.decision_no)
            + " Các chỉ số Alkire–Foster và thay đổi thiếu hụt chỉ tính cho năm có số liệu."
            for y, r in sorted(self.recorded.items())
        ]

    @property
    def series_break(self) -> bool:
        """True when the years compared were classified under different standards."""
        return len(set(self.standards.values())) > 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "commune": self.commune.code,
            "commune_name": self.commune.name,
            "year": self.year,
            "previous_year": self.previous_year,
            "standards": {str(y): s for y, s in sorted(self.standards.items())},
            "series_break": self.series_break,
        }
        out.update(balance_dict(self.transitions))
        counts = self.transitions["bien_dong"].value_counts()
        out["bien_dong"] = {str(k): int(v) for k, v in sorted(counts.items()) if v}
        out["renumbering"] = [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in self.renumbering.astype(object).to_dict("records")
        ]
        out["mpi"] = {
            str(y): {"H": m.H, "A": m.A, "M0": m.M0} for y, m in sorted(self.mpi_by_year.items())
        }
        change = self.mpi_change
        out["mpi_change"] = [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in change[change["nhom"] == "Toàn xã"].astype(object).to_dict("records")
        ]
        out["recorded_years"] = {
            str(y): {
                "origin": r.origin,
                "decision_no": r.decision_no,
                "decision_date": r.decision_date,
                "source": r.source,
            }
            for y, r in sorted(self.recorded.items())
        }
        out["notes"] = self.notes
        out["outputs"] = [str(p) for p in self.outputs]
        return out
