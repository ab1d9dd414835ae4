"""``ngheo batch``: every commune of a working folder for one year, safe to run from cron.

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
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .core.text import fold
from .errors import EXIT_COMMUNES_FAILED, InputError, LockHeld, NgheoError, RulesetError, UsageError
from .io import runfiles
from .io.atomic import cleanup_stale_temps, sha256_file
from .io.workspace import CONFIG_NAME, Workspace, find_workspace, load_workspace

INPUT_DIR = "so_lieu"
OUTPUT_DIR = "ket_qua"
TIMEZONE = "Asia/Ho_Chi_Minh"
MEMBER_PREFIXES = ("dangvien",)
SUPPORT_PREFIXES = ("hotro",)
_CONFIG_KEYS = ("workspace", "communes")
_ENTRY_KEYS = ("code", "survey", "members", "support")

Event = Callable[[dict[str, Any]], None]


def use_vietnam_time() -> None:
    """Dates in this process (and in processes it starts) in Vietnam time, whatever cron has."""
    os.environ["TZ"] = TIMEZONE
    if hasattr(time, "tzset"):
        time.tzset()


# --- discover --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneInputs:
    """One commune's workbooks for the year; ``problem`` says why it cannot be run."""

    code: str
    survey: Path | None = None
    members: Path | None = None
    support: Path | None = None
    problem: str | None = None

    def files(self) -> dict[str, Path]:
        named = {"survey": self.survey, "members": self.members, "support": self.support}
        return {k: v for k, v in named.items() if v is not None}


@dataclass
class Discovery:
    workspace: Workspace
    year: int
    communes: list[CommuneInputs]
    origin: str  # the folder layout or the config file that listed the communes
    missing: list[str] = field(default_factory=list)  # communes of ngheo.yaml with no inputs


def _is_workbook(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and path.suffix.lower() == ".xlsx"
        and not name.startswith(("~$", ".~", "."))
    )


def _folder_inputs(code: str, folder: Path, ws: Workspace) -> CommuneInputs:
    books = sorted(p for p in folder.iterdir() if _is_workbook(p))
    kinds: dict[str, list[Path]] = {"survey": [], "members": [], "support": []}
    for book in books:
        key = fold(book.stem).replace(" ", "")
        if key.startswith(MEMBER_PREFIXES):
            kinds["members"].append(book)
        elif key.startswith(SUPPORT_PREFIXES):
            kinds["support"].append(book)
        else:
            kinds["survey"].append(book)
    problem = None
    if code not in {c.code for c in ws.communes}:
        problem = f"Thư mục {folder} mang mã xã {code}, không có trong {ws.config_path}."
    elif not kinds["survey"]:
        problem = f"Thư mục {folder} không có sổ rà soát (*.xlsx)."
    else:
        for books_of_kind in kinds.values():
            if len(books_of_kind) > 1:
                names = ", ".join(b.name for b in books_of_kind)
                problem = f"Thư mục {folder} có nhiều hơn một sổ cùng loại: {names}. Giữ một sổ."
                break
    if problem is not None:
        return CommuneInputs(code, problem=problem)
    first = {k: (v[0] if v else None) for k, v in kinds.items()}
    return CommuneInputs(code, first["survey"], first["members"], first["support"])


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def fill_placeholders(template: str, values: dict[str, str], where: str) -> str:
    """Fill ``{year}``, ``{code}``… in a path from a batch config.

    Only a fixed set of names, by plain text substitution: never ``str.format``, so no
    attribute or index access (``{code.__class__}``, ``{year[0]}``) is ever evaluated and no
    width or padding (``{code:>999999999}``) can exhaust memory. ``{{`` and ``}}`` are
    literal braces. Any other name in braces, or a brace left open, is exit 4 naming it.
    """
    known = ", ".join("{" + k + "}" for k in values)

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name is not None and name in values:
            return values[name]
        what = f"chỗ điền {token}" if name is not None else f'dấu ngoặc "{token}" lẻ'
        raise RulesetError(
            f'{where}: {what} trong đường dẫn "{template}" không hợp lệ.',
            hint=f"Chỉ dùng được: {known}, viết đúng như vậy; ngoặc nhọn thật viết {{{{ và }}}}.",
        )

    return _PLACEHOLDER.sub(one, template)


def _config_inputs(path: Path, year: int) -> tuple[Workspace, list[CommuneInputs]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"Không đọc được {path}: {exc.strerror or exc}.") from None
    except yaml.YAMLError as exc:
        raise RulesetError(f"{path}: YAML sai cú pháp: {exc}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("communes"), list):
        raise RulesetError(
            f"{path}: cấu hình batch phải có mục communes (danh sách các xã).",
            hint="Ví dụ: communes: [{code: '24181', survey: so/{year}/24181.xlsx}]",
        )
    unknown = sorted(str(k) for k in data if k not in _CONFIG_KEYS)
    if unknown:
        raise RulesetError(f"{path}: khoá không biết: {', '.join(unknown)}.")
    base = path.parent
    ws_dir = base / str(data.get("workspace") or ".")
    ws = find_workspace(ws_dir, ws_dir)
    assert ws is not None  # find_workspace with an explicit folder raises instead
    out: list[CommuneInputs] = []
    for i, item in enumerate(data["communes"], start=1):
        where = f"{path}, mục communes, xã thứ {i}"
        if not isinstance(item, dict) or "code" not in item or "survey" not in item:
            raise RulesetError(f"{where}: cần code và survey.")
        bad = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
        if bad:
            raise RulesetError(f"{where}: khoá không biết: {', '.join(bad)}.")
        if not isinstance(item["code"], str):
            raise RulesetError(f"{where}: mã xã phải viết trong dấu nháy, ví dụ code: '00123'.")
        code = item["code"].strip()

        def file_of(
            key: str, code: str = code, item: dict[str, Any] = item, where: str = where
        ) -> Path | None:
            value = item.get(key)
            if value in (None, ""):
                return None
            return base / fill_placeholders(str(value), {"year": str(year), "code": code}, where)

        entry = CommuneInputs(code, file_of("survey"), file_of("members"), file_of("support"))
        problem = None
        if code not in {c.code for c in ws.communes}:
            problem = f"{where}: mã xã {code} không có trong {ws.config_path}."
        else:
            absent = [str(p) for p in entry.files().values() if not p.is_file()]
            if absent:
                problem = f"Không tìm thấy tệp: {', '.join(absent)}."
        out.append(CommuneInputs(code, problem=problem) if problem else entry)
    codes = [c.code for c in out]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise RulesetError(f"{path}: xã khai báo hai lần: {', '.join(twice)}.")
    return ws, out


def discover(target: Path | None, year: int) -> Discovery:
    """The communes to run: ``target`` is a working folder (the folder layout), a batch
    config ``.yaml``, or None (the working folder found from the current folder)."""
    from .io import rulesets

    rulesets.resolve(year)  # a year no standard covers: RulesetError (exit 4) before anything
    if target is None:
        found = find_workspace(Path.cwd())
        if found is None:
            raise InputError(
                f"Không tìm thấy thư mục làm việc ({CONFIG_NAME}) từ {Path.cwd()} trở lên.",
                hint="Ghi rõ: ngheo batch THƯ_MỤC --year Y (xem README, mục ngheo batch).",
            )
        target = found.root
    if target.is_file() and target.name != CONFIG_NAME:
        ws, communes = _config_inputs(target, year)
        origin = str(target)
    else:
        if target.is_dir() and not (target / CONFIG_NAME).is_file() or not target.exists():
            raise InputError(
                f"{target} không phải thư mục làm việc (không có {CONFIG_NAME}).",
                hint="Tạo bằng ngheo init, hoặc chỉ tới tệp cấu hình batch .yaml.",
            )
        ws = load_workspace(target)
        folder = ws.root / INPUT_DIR / str(year)
        if not folder.is_dir():
            raise InputError(
                f"Không có thư mục {folder}.",
                hint=f"Xếp sổ của mỗi xã vào {INPUT_DIR}/{year}/<mã xã>/ (xem README, "
                "mục ngheo batch).",
            )
        communes = [
            _folder_inputs(sub.name, sub, ws)
            for sub in sorted(folder.iterdir())
            if sub.is_dir() and not sub.name.startswith(".")
        ]
        origin = str(folder)
    seen = {c.code for c in communes}
    missing = [c.code for c in ws.communes if c.code not in seen]
    return Discovery(ws, year, communes, origin, missing)


# --- plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneTask:
    """Everything a worker needs to run one commune (plain, picklable)."""

    root: str
    year: int
    code: str
    survey: str
    members: str | None
    support: str | None
    out_dir: str
    report: bool
    today: str  # ISO date of the run start, Vietnam time (the report's date)


@dataclass
class Plan:
    discovery: Discovery
    year_dir: Path
    tasks: list[CommuneTask]
    entries: dict[str, dict[str, Any]]  # code -> manifest entry to write once it succeeds
    skipped: list[str]
    problems: dict[str, str]  # code -> why it cannot run


def report_available() -> bool:
    """True when the report module (another issue) is installed and imports cleanly."""
    try:
        from . import report_api  # noqa: F401
        from .io import report_outputs  # noqa: F401
    except Exception:  # noqa: BLE001 - absent or broken: the batch runs without reports
        return False
    return True


def _raw_config_section(ws: Workspace, key: str) -> Any:
    try:
        data = yaml.safe_load(ws.config_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    return data.get(key) if isinstance(data, dict) else None


def _earlier_years(runs: Any, code: str, year: int) -> dict[str, str | None]:
    """The input hash of the last import of each earlier year (history and trends use them)."""
    mine = runs[(runs["commune"] == code) & (runs["year"] < year)]
    last = mine.sort_values("id").groupby("year").tail(1)
    return {str(int(r.year)): r.input_sha256 for r in last.itertuples()}


def plan(
    discovery: Discovery, *, force: bool = False, today: date | None = None,
    reports: bool = True,
) -> Plan:
    """Which communes to run: those whose inputs, settings or tool version changed."""
    from .io import rulesets

    ws, year = discovery.workspace, discovery.year
    standard = rulesets.resolve(year).id  # a year no standard covers: RulesetError, exit 4
    year_dir = ws.root / OUTPUT_DIR / str(year)
    manifest = runfiles.read_manifest(year_dir) if year_dir.is_dir() else {}
    with_report = reports and report_available()
    shared = {
        "year": year,
        "standard": standard,
        "province": {"code": ws.province_code, "name": ws.province_name},
        "assign": ws.assign,
        "support": _raw_config_section(ws, "support"),
        "targets": ws.targets,
        "report": with_report,
    }
    today = today or runfiles.now().date()
    with ws.open_store() as store:
        runs = store.runs()
    tasks, skipped, problems, entries = [], [], {}, {}
    for item in discovery.communes:
        if item.problem is not None or item.survey is None:
            problems[item.code] = item.problem or "Không có sổ rà soát."
            continue
        try:
            inputs = {k: sha256_file(p) for k, p in item.files().items()}
        except OSError as exc:
            problems[item.code] = f"Không đọc được sổ của xã {item.code}: {exc.strerror or exc}."
            continue
        settings = {
            **shared,
            "commune": ws.commune(item.code).to_dict(),
            "earlier_years": _earlier_years(runs, item.code, year),
        }
        old = manifest.get(item.code)
        if not force and runfiles.unchanged(old, inputs, settings, __version__, year_dir):
            skipped.append(item.code)
            continue
        entries[item.code] = {"inputs": inputs, "settings": settings}
        tasks.append(
            CommuneTask(
                root=str(ws.root),
                year=year,
                code=item.code,
                survey=str(item.survey),
                members=str(item.members) if item.members else None,
                support=str(item.support) if item.support else None,
                out_dir=str(year_dir / item.code),
                report=with_report,
                today=today.isoformat(),
            )
        )
    return Plan(discovery, year_dir, tasks, entries, skipped, problems)


# --- one commune (runs in a worker) ----------------------------------------------------------


def _step(steps: list[dict[str, Any]], name: str, start: float, **counts: Any) -> None:
    steps.append({"step": name, "duration_s": round(time.perf_counter() - start, 3), **counts})


def run_commune(task: CommuneTask) -> dict[str, Any]:
    """Classify and record, history, assign, support import and report for one commune.

    Never raises for a commune's own problem: returns ``status`` "ok", "rejected" (done, some
    rows rejected) or "failed" (with ``error`` and the ``step`` it failed in).
    """
    from . import api, assign_api, history_api, support_api
    from .io.assign_outputs import write_assignment
    from .io.history_outputs import write_history

    use_vietnam_time()
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
        run = api.classify_file(
            Path(task.survey), year=task.year, out_dir=out_dir, commune=task.code, workspace=ws
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
        if has_previous:
            current, start = "history", time.perf_counter()
            hist = history_api.history(ws, task.code, task.year)
            outputs += write_history(hist, out_dir, "xlsx")
            moves = hist.transitions["bien_dong"].value_counts()
            _step(steps, "history", start, bien_dong={str(k): int(v) for k, v in moves.items()})
        if task.members:
            current, start = "assign", time.perf_counter()
            pairing = assign_api.run_assign(
                ws, task.code, task.year, members_file=Path(task.members)
            )
            outputs += write_assignment(pairing, out_dir, "xlsx")
            errors = sum(1 for f in pairing.findings if f.severity == "error")
            rejected += errors
            _step(steps, "assign", start, assigned=pairing.result.assigned,
                  households_to_help=pairing.result.households_to_help, rejected=errors)
        if task.support:
            current, start = "support", time.perf_counter()
            imported = support_api.import_support(ws, task.code, task.year, Path(task.support))
            rejected += imported.rejected
            _step(steps, "support", start, added=imported.added,
                  already_recorded=imported.already_recorded, rejected=imported.rejected)
        if task.report:
            from . import report_api
            from .io.report_outputs import write_report

            current, start = "report", time.perf_counter()
            rep = report_api.build_report(
                ws, task.year, task.code, generated_on=date.fromisoformat(task.today)
            )
            outputs += write_report(rep.context, out_dir)
            _step(steps, "report", start)
    except NgheoError as exc:
        return _outcome(task, "failed", steps, outputs, households, rejected, begun,
                        step=current, error=str(exc), exit_code=exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - one commune's bug must not stop the others
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _outcome(
            task, "failed", steps, outputs, households, rejected, begun, step=current,
            error=f"Lỗi nội bộ của ngheo (xin báo lại): {type(exc).__name__}: {exc} "
                  f"[{Path(where.filename).name}:{where.lineno}]",
            exit_code=70,
        )
    status = "rejected" if rejected else "ok"
    return _outcome(task, status, steps, outputs, households, rejected, begun)


def _outcome(
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


# --- executors -------------------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """A pool worker whose parent died (SIGKILL) stops too, so it never writes after the lock
    that covered it is gone."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


# Workers of a killed run must be gone before a rerun's workers start: a worker busy in a
# long C call (reading a workbook, solving an assignment) cannot run its watcher thread, so
# it could outlive its parent by seconds and write a commune's outputs or store rows in the
# middle of the rerun. Each worker holds a shared lock on this file for its whole life (the
# kernel drops it when the process dies, however it dies); a run takes the lock exclusively,
# waiting for any such leftover worker, before it starts its own pool.
_WORKERS_LOCK_WAIT = 600.0
_worker_lock_fd: int | None = None


def _workers_lock(root: str, year: int) -> Path:
    return Path(root) / f".ngheo-batch-{int(year)}.workers"


def _hold_shared(path: str) -> None:
    global _worker_lock_fd
    try:
        import fcntl

        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_SH)
        _worker_lock_fd = fd
    except (ImportError, OSError):  # no flock (Windows): the watcher thread alone
        pass


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker the moment its parent dies (no GIL needed)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait_for_leftover_workers(path: Path) -> None:
    """Block until no worker of an earlier (killed) run holds the workers lock."""
    try:
        import fcntl
    except ImportError:
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return
    try:
        deadline = time.monotonic() + _WORKERS_LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockHeld(
                        "Tiến trình xử lý của một lượt ngheo batch trước (đã bị dừng) vẫn còn "
                        "chạy: lượt này dừng, không làm gì.",
                        hint="Chờ một lát rồi chạy lại.",
                    ) from None
                time.sleep(0.2)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _worker_init(parent: int, workers_lock: str | None = None) -> None:
    _die_with_parent()
    if workers_lock is not None:
        _hold_shared(workers_lock)
    use_vietnam_time()
    _quiet_stderr()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _quiet_stderr() -> None:
    """A worker's stderr is the batch's JSON-lines log: nothing a worker prints itself (a
    warning, a traceback of a dying library, "Exception ignored …") may land in it raw.
    What went wrong in a commune reaches the log as that commune's outcome instead."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
    except OSError:
        pass


# A Dask worker is not ours to set up (no initializer), and on a LocalCluster its stderr is
# the batch's JSON-lines log: while a commune runs there, sys.stderr (Python's tracebacks,
# warnings, "Exception ignored …") and file descriptor 2 (a native library's panic message)
# go to /dev/null, as a pool worker's do for its whole life; both are put back after the last
# commune running in that worker process (a worker may run several in threads).
_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved: tuple[int | None, Any] | None = None  # (dup of fd 2, sys.stderr) to put back


def _flush_stderr() -> None:
    with suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()


@contextmanager
def _stderr_quiet() -> Iterator[None]:
    global _quiet_depth, _quiet_saved
    with _quiet_lock:
        if _quiet_depth == 0:
            _flush_stderr()
            saved_fd: int | None = None
            try:
                saved_fd = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            except OSError:  # no fd 2 to point elsewhere
                pass
            _quiet_saved = (saved_fd, sys.stderr)
            sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _quiet_saved is not None:
                saved_fd, saved_stream = _quiet_saved
                _quiet_saved = None
                quiet, sys.stderr = sys.stderr, saved_stream
                with suppress(OSError):
                    quiet.close()
                if saved_fd is not None:
                    with suppress(OSError):
                        os.dup2(saved_fd, 2)
                        os.close(saved_fd)


def run_commune_quietly(task: CommuneTask) -> dict[str, Any]:
    """The Dask task: ``run_commune`` with the worker's stderr silenced meanwhile. What went
    wrong in the commune still reaches the log, in words, as its outcome."""
    with _stderr_quiet():
        return run_commune(task)


def _in_process(tasks: list[CommuneTask]) -> Iterator[dict[str, Any]]:
    for task in tasks:
        yield run_commune(task)


def _process_pool(tasks: list[CommuneTask], jobs: int) -> Iterator[dict[str, Any]]:
    workers_lock = _workers_lock(tasks[0].root, tasks[0].year) if tasks else None
    if workers_lock is not None:
        _wait_for_leftover_workers(workers_lock)
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=get_context("spawn"), initializer=_worker_init,
        initargs=(os.getpid(), str(workers_lock) if workers_lock is not None else None),
    ) as pool:
        futures = {pool.submit(run_commune, t): t for t in tasks}
        try:
            for future in as_completed(futures):
                yield _result_of(future, futures[future])
        except BaseException:  # stopped (SIGTERM, Ctrl+C) or closed early
            # Communes not started yet never start; the ones running finish whole (each is
            # recorded in one transaction and its outputs committed together), then the pool
            # closes instead of working through the rest of the queue.
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _result_of(future: Any, task: CommuneTask) -> dict[str, Any]:
    try:
        return future.result()  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001 - a worker that died (OOM kill, segfault)
        return _outcome(task, "failed", [], [], 0, 0, time.perf_counter(), step="worker",
                        error=f"Tiến trình xử lý xã {task.code} dừng bất thường: {exc!r}",
                        exit_code=70)


def dask_client_check(address: str) -> None:
    """UsageError (exit 2) unless ``address`` is ``dask://HOST:PORT`` and Dask is installed."""
    if not address.startswith("dask://") or len(address) <= len("dask://"):
        raise UsageError(f"--executor phải có dạng dask://HOST:PORT (đang là {address}).")
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise UsageError(
            "--executor dask://… cần Dask (dask.distributed), chưa được cài.",
            hint="pip install ngheo[dask]",
        ) from None


def dask_client(address: str) -> Any:
    """A Dask client for ``dask://HOST:PORT``; UsageError when dask is missing or unreachable."""
    dask_client_check(address)
    from dask.distributed import Client

    try:
        return Client("tcp://" + address[len("dask://"):], timeout=10)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"Không kết nối được cụm Dask {address}: {exc}") from None


def _dask(tasks: list[CommuneTask], client: Any) -> Iterator[dict[str, Any]]:
    from dask.distributed import as_completed as dask_completed

    futures = {client.submit(run_commune_quietly, t, pure=False): t for t in tasks}
    for future in dask_completed(list(futures)):
        yield _result_of(future, futures[future])


# --- the run ---------------------------------------------------------------------------------


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
) -> BatchResult:
    """Run (under the lock) every commune whose inputs changed, then the province report
    (``reports=False``: no commune or province reports)."""
    if jobs < 1:
        raise UsageError("--jobs phải từ 1 trở lên.")
    use_vietnam_time()
    client = dask_client(executor) if executor else None
    ws, year = discovery.workspace, discovery.year
    started = runfiles.now()
    result = BatchResult(
        run_id=runfiles.new_run_id(started), year=year, workspace=str(ws.root),
        origin=discovery.origin, executor=executor or ("process" if jobs > 1 else "local"),
        jobs=jobs, started=started.isoformat(timespec="seconds"), missing=discovery.missing,
    )
    clock = time.perf_counter()
    try:
        with runfiles.run_lock(ws.root, year):
            _run_locked(discovery, result, jobs, force, client, emit, reports)
    finally:
        if client is not None:
            client.close()
    result.finished = runfiles.now().isoformat(timespec="seconds")
    result.duration_s = round(time.perf_counter() - clock, 3)
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
    from .api import output_errors

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
        outcomes: Iterable[dict[str, Any]] = _dask(work.tasks, client)
    elif jobs > 1 and len(work.tasks) > 1:
        outcomes = _process_pool(work.tasks, min(jobs, len(work.tasks)))
    else:
        outcomes = _in_process(work.tasks)
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
    if not report_available():
        note = "Chưa có lệnh ngheo report (report_api): bỏ qua báo cáo xã và báo cáo tỉnh."
        _notify(emit, run_id=result.run_id, step="province_report", status="unavailable",
                note=note)
        return {"status": "unavailable", "note": note}
    from . import report_api
    from .io.report_outputs import stem, write_report

    existing = (year_dir / f"tinh_{ws.province_code}_{year}_bao_cao.html").is_file()
    if not ran and not force and existing:
        return {"status": "unchanged"}
    start = time.perf_counter()
    try:
        rep = report_api.build_report(
            ws, year, province=True, generated_on=date.fromisoformat(result.started[:10])
        )
        paths = write_report(rep.context, year_dir)
    except Exception as exc:  # noqa: BLE001 - the communes' work is done: report, go on
        if isinstance(exc, NgheoError):
            error, code = str(exc), exc.exit_code
        else:
            error, code = f"Lỗi nội bộ của ngheo (xin báo lại): {type(exc).__name__}: {exc}", 70
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

