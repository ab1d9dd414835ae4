"""The aggregates of one classification computed once (:class:`Summaries`: by village, by
ethnic group, by deprivation), shared by the result workbook's sheets and the HTML summary,
and the plain dictionary the HTML summary page renders: numbers and labels only, no objects
and no logic left for the template."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ngheo_cli.core.results import ClassificationResult
from ngheo_cli.core.schema import CLASS_LABELS
from ngheo_cli.core.summary import by_group, class_counts, deprivation_table, dtts_group


@dataclass(frozen=True)
class Summaries:
    """The aggregates of one classification, computed once and shared by the result
    workbook's sheets and the HTML summary."""

    villages: pd.DataFrame  # by_group over the village column
    ethnic: pd.DataFrame  # by_group over the ethnic group (dtts_group)
    deprivations: pd.DataFrame  # deprivation_table


def summaries(result: ClassificationResult) -> Summaries:
    h = result.households
    villages = h.get("thon", pd.Series(None, index=h.index, dtype=object))
    return Summaries(
        villages=by_group(h, result.ruleset, villages),
        ethnic=by_group(h, result.ruleset, dtts_group(h)),
        deprivations=deprivation_table(h, result.ruleset, result.mpi),
    )


def classification_context(
    result: ClassificationResult, shared: Summaries | None = None
) -> dict[str, object]:
    """The plain dictionary the HTML summary template renders (no objects, no logic there).
    ``shared``: the aggregates when already computed (:func:`summaries`)."""
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
    if shared is None:
        shared = summaries(result)
    villages, dep = shared.villages, shared.deprivations
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
