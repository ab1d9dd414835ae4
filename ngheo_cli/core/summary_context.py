"""The plain dictionary the HTML summary page renders from a classification result: numbers
and labels only, no objects and no logic left for the template."""

from __future__ import annotations

import pandas as pd

from ngheo_cli.core.results import ClassificationResult
from ngheo_cli.core.schema import CLASS_LABELS
from ngheo_cli.core.summary import by_group, class_counts, deprivation_table


def classification_context(result: ClassificationResult) -> dict[str, object]:
    """The plain dictionary the HTML summary template renders (no objects, no logic there)."""
    h = result.households
    r = result.ruleset
    total = len(h)
    classes = [
        {
            "code": code,
            "label": CLASS_LABELS[code],
            "count": n,
            "rate": (n / total if total and n is not None else None),
        }
        for code, n in class_counts(h, r).items()
        if n is None or n or code != "tren_chuan"
    ]
    villages = by_group(
        h, r, h["thon"] if "thon" in h.columns else pd.Series(None, index=h.index, dtype=object)
    )
    dep = deprivation_table(h, r, result.mpi)
    return {
        "source": result.source,
        "sheet": result.sheet,
        "year": result.year,
        "standard": {"id": r.id, "title": r.title, "legal_basis": r.legal_basis},
        "input_rows": result.input_rows,
        "households": total,
        "rejected_rows": len(result.rejected),
        "classes": classes,
        "villages": villages.to_dict("records"),
        "deprivations": dep.to_dict("records"),
        "mpi": {"H": result.mpi.H, "A": result.mpi.A, "M0": result.mpi.M0},
        "min_deprivations": r.min_deprivations,
        "indicator_count": len(r.indicators),
        "errors": [f.to_dict() for f in result.errors],
    }
