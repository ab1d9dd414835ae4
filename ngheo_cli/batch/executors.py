"""Where communes run: in this process, in a spawn process pool whose workers die with their
parent, or on a Dask cluster. The same :func:`run_commune` everywhere, its stderr kept quiet."""


from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ngheo_cli.batch.commune import outcome, run_commune
from ngheo_cli.batch.plan import CommuneTask
from ngheo_cli.errors import (
    LockHeld,
    UsageError,
)


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


def in_process(tasks: list[CommuneTask]) -> Iterator[dict[str, Any]]:
    for task in tasks:
        yield run_commune(task)


def process_pool(tasks: list[CommuneTask], jobs: int) -> Iterator[dict[str, Any]]:
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
                yield _result_of(future, futures[future], (BrokenProcessPool,))
        except BaseException:  # stopped (SIGTERM, Ctrl+C) or closed early
            # Communes not started yet never start; the ones running finish whole (each is
            # recorded in one transaction and its outputs committed together), then the pool
            # closes instead of working through the rest of the queue.
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _result_of(
    future: Any, task: CommuneTask, died: tuple[type[BaseException], ...]
) -> dict[str, Any]:
    """The commune's outcome; a worker that died under it (OOM kill, segfault: ``died``, what
    the executor raises then) fails that commune alone. Anything else the worker raised is a
    bug: raised here, said by the CLI's error handler (exit 70)."""
    if future.cancelled():
        return _worker_lost(task, "bị huỷ")
    error = future.exception()
    if isinstance(error, died):
        return _worker_lost(task, repr(error))
    return future.result()


def _worker_lost(task: CommuneTask, why: str) -> dict[str, Any]:
    return outcome(task, "failed", [], [], 0, 0, time.perf_counter(), step="worker",
                   error=f"Tiến trình xử lý xã {task.code} dừng bất thường: {why}",
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


def on_dask(tasks: list[CommuneTask], client: Any) -> Iterator[dict[str, Any]]:
    from dask.distributed import as_completed as dask_completed
    from distributed.scheduler import KilledWorker  # the scheduler gave up: workers died

    futures = {client.submit(run_commune_quietly, t, pure=False): t for t in tasks}
    for future in dask_completed(list(futures)):
        yield _result_of(future, futures[future], (KilledWorker,))


