"""One commune start to finish inside a worker: classify and record, history, assignment,
support and the commune report, each step timed; a commune's own problem (bad input, rules,
output) is an outcome, never an exception; a bug is raised, for the CLI to say (exit 70)."""


from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from ngheo_cli.batch.plan import CommuneTask
from ngheo_cli.errors import (
    NgheoError,
)
from ngheo_cli.io.workspace import load_workspace


def _step(steps: list[dict[str, Any]], name: str, start: float, **counts: Any) -> None:
    steps.append({"step": name, "duration_s": round(time.perf_counter() - start, 3), **counts})


def run_commune(task: CommuneTask) -> dict[str, Any]:
    """Classify and record, history, assign, support import and report for one commune.

    Never raises for a commune's own problem: returns ``status`` "ok", "rejected" (done, some
    rows rejected) or "failed" (with ``error`` and the ``step`` it failed in).
    """
    from ngheo_cli.io.outputs.assign import write_assignment
    from ngheo_cli.io.outputs.history import write_history
    from ngheo_cli.services import assign as assign_service
    from ngheo_cli.services import classify as classify_service
    from ngheo_cli.services import history as history_service
    from ngheo_cli.services import support as support_service

    begun = time.perf_counter()
    out_dir = Path(task.out_dir)
    steps: list[dict[str, Any]] = []
    outputs: list[Path] = []
    rejected = 0
    households = 0
    current = "classify"
    try:
        ws = load_workspace(task.root)
        start = time.perf_counter()
        wanted = task.outputs  # None: every file
        run = classify_service.classify_file(
            Path(task.survey), year=task.year, out_dir=out_dir, commune=task.code, workspace=ws,
            outputs=wanted,
        )
        outputs += run.outputs
        households = len(run.result.households)
        rejected += len(run.result.rejected)
        # A year recorded from a recognised list stays in the store (ngheo record-list): the
        # log says how many households the computed class would change.
        kept = run.recognised is not None and run.recognised.kept
        _step(steps, "classify", start, households=households,
              rejected=len(run.result.rejected), counts=run.result.counts(),
              **({"recognised_kept": True, "recognised_changed": len(run.recognised.changes)}
                 if kept and run.recognised is not None else {}))
        with ws.open_store() as store:
            has_previous = (task.year - 1) in store.years(task.code)
        stored = history_service.StoredYears()  # each stored year read once: history, report
        hist = None  # the history, when it runs, gives the report its transitions and balances
        if has_previous and (wanted is None or "bien_dong" in wanted):
            current, start = "history", time.perf_counter()
            hist = history_service.history(ws, task.code, task.year, stored)
            outputs += write_history(hist, out_dir, "xlsx")
            moves = hist.transitions["bien_dong"].value_counts()
            _step(steps, "history", start, bien_dong={str(k): int(v) for k, v in moves.items()})
        if task.members:
            current, start = "assign", time.perf_counter()
            pairing = assign_service.run_assign(
                ws, task.code, task.year, members_file=Path(task.members)
            )
            if wanted is None or "phan_cong" in wanted:
                outputs += write_assignment(pairing, out_dir, "xlsx")
            errors = sum(1 for f in pairing.findings if f.severity == "error")
            rejected += errors
            _step(steps, "assign", start, assigned=pairing.result.assigned,
                  households_to_help=pairing.result.households_to_help, rejected=errors)
        if task.support:
            current, start = "support", time.perf_counter()
            imported = support_service.import_support(ws, task.code, task.year, Path(task.support))
            rejected += imported.rejected
            _step(steps, "support", start, added=imported.added,
                  already_recorded=imported.already_recorded, rejected=imported.rejected)
        if task.report and (wanted is None or "bao_cao" in wanted):
            from ngheo_cli.io.outputs.report import write_report
            from ngheo_cli.services import report as report_service

            current, start = "report", time.perf_counter()
            rep = report_service.build_report(
                ws, task.year, task.code, generated_on=date.fromisoformat(task.today),
                stored=stored, history=hist,
            )
            outputs += write_report(rep.context, out_dir)
            _step(steps, "report", start)
    except NgheoError as exc:
        return outcome(task, "failed", steps, outputs, households, rejected, begun,
                        step=current, error=str(exc), exit_code=exc.exit_code)
    status = "rejected" if rejected else "ok"
    return outcome(task, status, steps, outputs, households, rejected, begun)


def outcome(
    task: CommuneTask, status: str, steps: list[dict[str, Any]], outputs: list[Path],
    households: int, rejected: int, begun: float, **extra: Any,
) -> dict[str, Any]:
    year_dir = Path(task.out_dir).parent
    rel = sorted({os.path.relpath(p, year_dir) for p in outputs})
    return {
        "commune": task.code,
        "status": status,
        "households": households,
        "rejected": rejected,
        "steps": steps,
        "outputs": rel,
        "duration_s": round(time.perf_counter() - begun, 3),
        "pid": os.getpid(),
        **extra,
    }


