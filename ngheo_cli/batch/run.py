"""A batch run for one working folder and year, safe to run from cron: the lock, the plan, the
communes (through an executor), the manifest, the province report and the run summary.

Three steps, each usable alone:

- :func:`discover` finds each commune's workbooks, in the documented folder layout
  (``<folder>/so_lieu/<year>/<commune code>/``: the survey ``*.xlsx``, and optionally
  ``dang_vien*.xlsx`` and ``ho_tro*.xlsx``) or from a YAML config that lists them.
- :func:`plan` hashes the inputs and compares them, with the settings and the tool version,
  to the manifest: an unchanged commune is skipped (unless ``force``).
- :func:`run_batch` takes the run lock, runs :func:`run_commune` for each planned commune
  (in this process, over a spawn process pool, or on a Dask cluster: the same function),
  writes each commune's manifest entry once its outputs are committed, then the province
  report and the run summary.

Store writes: each worker records its own commune through the store, whose writes are one
``BEGIN IMMEDIATE`` transaction per commune-year with a 30 s busy timeout (WAL), so
writers queue inside SQLite and readers never wait. A commune's transactions take well
under a second, so with a few workers the wait is short (the summary reports it as part of
each step's duration). The alternative (workers return frames, the parent records) would
ship every commune's households through a pipe and serialise all writes behind one process;
it is not needed for safety, since a killed writer rolls back on its own.
"""


from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ngheo_cli import __version__
from ngheo_cli.batch.discover import Discovery
from ngheo_cli.batch.executors import dask_client, in_process, on_dask, process_pool
from ngheo_cli.batch.plan import OUTPUT_DIR, Plan, plan
from ngheo_cli.errors import (
    EXIT_COMMUNES_FAILED,
    NgheoError,
    UsageError,
)
from ngheo_cli.io.atomic import cleanup_stale_temps
from ngheo_cli.io.outputs import runfiles
from ngheo_cli.io.store import VIETNAM_TIME
from ngheo_cli.io.workspace import Workspace

Event = Callable[[dict[str, Any]], None]


@dataclass
class BatchResult:
    run_id: str
    year: int
    workspace: str
    origin: str
    executor: str
    jobs: int
    started: str
    finished: str = ""
    duration_s: float = 0.0
    communes: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    province_report: dict[str, Any] = field(default_factory=dict)
    removed_temps: int = 0
    summary_file: str = ""
    tool_version: str = __version__

    @property
    def failed(self) -> list[str]:
        return [c["commune"] for c in self.communes if c["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        """0 all good · 1 some communes had rejected rows · 6 some communes failed."""
        if self.failed or self.province_report.get("status") == "failed":
            return EXIT_COMMUNES_FAILED
        if any(c["status"] == "rejected" for c in self.communes):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        counts: dict[str, int] = {}
        for c in self.communes:
            counts[c["status"]] = counts.get(c["status"], 0) + 1
        counts["skipped"] = len(self.skipped)
        out["totals"] = {
            **counts,
            "households": sum(c.get("households", 0) for c in self.communes),
            "rejected_rows": sum(c.get("rejected", 0) for c in self.communes),
        }
        out["exit_code"] = self.exit_code
        return out


def _notify(emit: Event | None, **event: Any) -> None:
    if emit is not None:
        emit(event)


def run_batch(
    discovery: Discovery,
    *,
    jobs: int = 1,
    force: bool = False,
    executor: str | None = None,
    emit: Event | None = None,
    reports: bool = True,
    clock: Callable[[], datetime] = runfiles.now,
) -> BatchResult:
    """Run (under the lock) every commune whose inputs changed, then the province report
    (``reports=False``: no commune or province reports).

    ``clock``: the time now, zone-aware; the run's id, its times and the reports' date are
    in Vietnam time whatever zone the clock (or the process, under cron) is in. The process
    environment is never changed."""
    if jobs < 1:
        raise UsageError("--jobs phải từ 1 trở lên.")
    client = dask_client(executor) if executor else None
    ws, year = discovery.workspace, discovery.year
    started = clock().astimezone(VIETNAM_TIME)
    result = BatchResult(
        run_id=runfiles.new_run_id(started), year=year, workspace=str(ws.root),
        origin=discovery.origin, executor=executor or ("process" if jobs > 1 else "local"),
        jobs=jobs, started=started.isoformat(timespec="seconds"), missing=discovery.missing,
    )
    begun = time.perf_counter()
    try:
        with runfiles.run_lock(ws.root, year):
            _run_locked(discovery, result, jobs, force, client, emit, reports)
    finally:
        if client is not None:
            client.close()
    result.finished = clock().astimezone(VIETNAM_TIME).isoformat(timespec="seconds")
    result.duration_s = round(time.perf_counter() - begun, 3)
    summary = result.to_dict()
    summary.pop("summary_file")
    year_dir = ws.root / OUTPUT_DIR / str(year)
    try:
        result.summary_file = str(runfiles.write_summary(year_dir, result.run_id, summary))
    except OSError as exc:
        _notify(emit, run_id=result.run_id, step="summary", status="failed",
                error=f"Không ghi được tệp tóm tắt lượt chạy: {exc.strerror or exc}")
    _notify(emit, run_id=result.run_id, step="end", status="done", exit_code=result.exit_code,
            duration_s=result.duration_s, totals=result.to_dict()["totals"],
            summary_file=result.summary_file)
    return result


def _prepare_output(year_dir: Path) -> int:
    """Create ``ket_qua/<year>`` and clear temp files left by a killed run (lock held)."""
    from ngheo_cli.services.classify import output_errors

    with output_errors(year_dir):
        year_dir.mkdir(parents=True, exist_ok=True)
    removed = len(cleanup_stale_temps(year_dir, older_than=0))
    for sub in year_dir.iterdir():
        if sub.is_dir() and not sub.name.startswith((".", "_")):
            removed += len(cleanup_stale_temps(sub, older_than=0))
    return removed


def _run_locked(
    discovery: Discovery, result: BatchResult, jobs: int, force: bool, client: Any,
    emit: Event | None, reports: bool = True,
) -> None:
    ws, year = discovery.workspace, discovery.year
    year_dir = ws.root / OUTPUT_DIR / str(year)
    result.removed_temps = _prepare_output(year_dir)
    work = plan(discovery, force=force, today=date.fromisoformat(result.started[:10]),
                reports=reports)
    result.skipped = work.skipped
    _notify(emit, run_id=result.run_id, step="start", status="running", year=year,
            communes=len(discovery.communes), to_run=len(work.tasks),
            skipped=len(work.skipped), problems=len(work.problems), jobs=jobs,
            executor=result.executor)
    for code in work.skipped:
        _notify(emit, run_id=result.run_id, commune=code, step="skip", status="unchanged")
    for code, problem in sorted(work.problems.items()):
        result.communes.append({"commune": code, "status": "failed", "step": "discover",
                                "error": problem, "exit_code": 3, "steps": [],
                                "outputs": [], "households": 0, "rejected": 0})
        _notify(emit, run_id=result.run_id, commune=code, step="discover", status="failed",
                error=problem)
    if client is not None:
        outcomes: Iterable[dict[str, Any]] = on_dask(work.tasks, client)
    elif jobs > 1 and len(work.tasks) > 1:
        outcomes = process_pool(work.tasks, min(jobs, len(work.tasks)))
    else:
        outcomes = in_process(work.tasks)
    try:
        ran = _collect(outcomes, work, year_dir, result, emit)
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:  # a stopped run: the executor stops now, not when collected
            close()
    result.communes.sort(key=lambda c: c["commune"])
    # Every commune of this run has finished: temp files still here belong to workers that
    # were killed mid-write (a Dask worker's process, an OOM kill) and will never be renamed.
    result.removed_temps += _prepare_output(year_dir)
    result.province_report = (
        _province_report(ws, year, year_dir, ran, force, result, emit)
        if reports else {"status": "not_requested"}
    )


def _collect(
    outcomes: Iterable[dict[str, Any]], work: Plan, year_dir: Path, result: BatchResult,
    emit: Event | None,
) -> int:
    """Log each commune's outcome as it comes and record its manifest entry; return how
    many communes ran (not failed)."""
    ran = 0
    for outcome in outcomes:
        code = outcome["commune"]
        for step in outcome["steps"]:
            _notify(emit, run_id=result.run_id, commune=code, status="done", **step)
        if outcome["status"] != "failed":
            ran += 1
            entry = work.entries[code]
            runfiles.write_entry(  # only now: the outputs are committed and the data recorded
                year_dir, code, runfiles.manifest_entry(
                    entry["inputs"], entry["settings"], __version__, outcome["outputs"]
                ),
            )
        result.communes.append(outcome)
        failure = (
            {"error": outcome.get("error"), "failed_step": outcome.get("step")}
            if outcome["status"] == "failed" else {}
        )
        _notify(emit, run_id=result.run_id, commune=code, step="commune",
                status=outcome["status"], households=outcome["households"],
                rejected=outcome["rejected"], duration_s=outcome["duration_s"], **failure)
    return ran


def _province_report(
    ws: Workspace, year: int, year_dir: Path, ran: int, force: bool, result: BatchResult,
    emit: Event | None,
) -> dict[str, Any]:
    from ngheo_cli.io.outputs.report import stem, write_report
    from ngheo_cli.services import report as report_service

    existing = (year_dir / f"tinh_{ws.province_code}_{year}_bao_cao.html").is_file()
    if not ran and not force and existing:
        return {"status": "unchanged"}
    start = time.perf_counter()
    try:
        rep = report_service.build_report(
            ws, year, province=True, generated_on=date.fromisoformat(result.started[:10])
        )
        paths = write_report(rep.context, year_dir)
    except NgheoError as exc:  # the communes' work is done: say why, go on (a bug: exit 70)
        error, code = str(exc), exc.exit_code
        _notify(emit, run_id=result.run_id, step="province_report", status="failed",
                error=error)
        return {"status": "failed", "error": error, "exit_code": code}
    outcome = {
        "status": "ok", "stem": stem(rep.context),
        "outputs": [os.path.relpath(p, year_dir) for p in paths],
        "duration_s": round(time.perf_counter() - start, 3),
    }
    _notify(emit, run_id=result.run_id, **{"step": "province_report", **outcome})
    return outcome


