"""What ``ngheo assign`` returns (:class:`AssignRun`): the pairs of members and households and
what could not be done, with the findings of the members list. A plain value, here where the
writers in ``ngheo_cli.io.outputs`` may import it (the pairing itself, with its solver, is
:mod:`ngheo_cli.core.assign`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ngheo_cli.core.assign import AssignmentResult, CapWhatIf
from ngheo_cli.core.commune import CommuneConfig
from ngheo_cli.core.findings import Finding


@dataclass
class AssignRun:
    commune: CommuneConfig
    year: int
    result: AssignmentResult
    households: pd.DataFrame  # the year's households (all classes), for the workbook
    members: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    members_source: str = ""
    what_if: CapWhatIf | None = None
    outputs: list[Path] = field(default_factory=list)
    #: Set when the year was recorded from a recognised list (ngheo record-list).
    recorded_note: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity == "error" for f in self.findings) else 0

    def to_dict(self) -> dict[str, Any]:
        out = {"commune": self.commune.code, "year": self.year, **self.result.to_dict()}
        out["members_source"] = self.members_source
        out["rejected"] = [
            {"sheet": f.sheet, "cell": f.cell, "code": f.code, "message": f.message}
            for f in self.findings
            if f.severity == "error"
        ]
        out["warnings"] = [
            {"sheet": f.sheet, "cell": f.cell, "code": f.code, "message": f.message}
            for f in self.findings
            if f.severity == "warning"
        ]
        if self.what_if is not None:
            out["what_if_cap"] = self.what_if.to_dict()
        out["outputs"] = [str(p) for p in self.outputs]
        return out
