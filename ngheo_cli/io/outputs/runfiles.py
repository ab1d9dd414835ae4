"""Files of a batch run: the run lock, the manifest, the JSON-lines log and the run summary.

- **Lock** (:func:`run_lock`): one ``ngheo batch`` per working folder and year. It is an OS
  lock (``filelock``: ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) on
  ``.ngheo-batch-<year>.lock`` in the working folder, so the kernel frees it when its holder
  dies, however it dies (SIGKILL, power cut). A second run does not wait: it raises
  :class:`~ngheo_cli.errors.LockHeld` at once (exit 5).
- **Manifest** (``ket_qua/<year>/_manifest/<commune>.json``): per commune, the SHA-256 of
  each input, the settings that shape its outputs and the tool version. An entry is written
  only after the commune's outputs are committed and its data recorded, so a run killed at
  any moment leaves either the previous entry (the commune is done again) or the new one.
- **Log**: one JSON object per line (:func:`log_line`), keys sorted, UTF-8.
- **Summary** (``ket_qua/<year>/_runs/<run id>.json``): what the run did, per commune.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from filelock import FileLock, Timeout

from ngheo_cli.errors import LockHeld, OutputError
from ngheo_cli.io.atomic import atomic_write_text
from ngheo_cli.io.store import VIETNAM_TIME

MANIFEST_DIR = "_manifest"
RUNS_DIR = "_runs"
MANIFEST_VERSION = 1


def lock_path(root: Path, year: int) -> Path:
    return root / f".ngheo-batch-{int(year)}.lock"


@contextmanager
def run_lock(root: Path, year: int) -> Iterator[Path]:
    """Hold the batch lock of ``root`` and ``year`` for the block; LockHeld if another has it."""
    path = lock_path(root, year)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(
            f"Một lượt ngheo batch khác đang chạy cho {root} năm {year} (khoá {path.name}): "
            "lượt này dừng, không làm gì."
        ) from None
    except OSError as exc:
        raise OutputError(
            f"Không tạo được tệp khoá {path}: {exc.strerror or exc}.",
            hint="Kiểm tra quyền ghi của thư mục làm việc.",
        ) from None
    try:
        yield path
    finally:
        lock.release()


def now() -> datetime:
    return datetime.now(VIETNAM_TIME)


_RUN_SEQUENCE = itertools.count(1)


def new_run_id(moment: datetime | None = None) -> str:
    """``20261124T013000-1a2b-1``: Vietnam time of the start, the process id in hex and the
    run's number in this process (two runs in the same second never share an id)."""
    moment = moment or now()
    return f"{moment.strftime('%Y%m%dT%H%M%S')}-{os.getpid():x}-{next(_RUN_SEQUENCE)}"


# --- manifest --------------------------------------------------------------------------------


def manifest_dir(year_dir: Path) -> Path:
    return year_dir / MANIFEST_DIR


def read_manifest(year_dir: Path) -> dict[str, Any]:
    """The communes' entries (code -> entry); an unreadable entry counts as absent (redo it)."""
    entries: dict[str, Any] = {}
    folder = manifest_dir(year_dir)
    if not folder.is_dir():
        return entries
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION:
            entries[path.stem] = data
    return entries


def write_entry(year_dir: Path, code: str, entry: Mapping[str, Any]) -> Path:
    """Replace one commune's entry atomically. One small file per commune: a national run
    (3.321 communes) never rewrites a big file after each commune."""
    folder = manifest_dir(year_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}.json"
    atomic_write_text(path, dumps({"version": MANIFEST_VERSION, **entry}, indent=2) + "\n")
    return path


def manifest_entry(
    inputs: Mapping[str, str], settings: Mapping[str, Any], tool_version: str,
    outputs: list[str],
) -> dict[str, Any]:
    return {
        "inputs": dict(sorted(inputs.items())),
        "settings": settings,
        "tool_version": tool_version,
        "outputs": sorted(outputs),
    }


def unchanged(entry: Any, inputs: Mapping[str, str], settings: Mapping[str, Any],
              tool_version: str, year_dir: Path) -> bool:
    """True when ``entry`` was made from the same inputs, settings and version, and every
    output it names is still there."""
    if not isinstance(entry, dict):
        return False
    if entry.get("inputs") != dict(inputs) or entry.get("tool_version") != tool_version:
        return False
    if json.loads(dumps(settings)) != entry.get("settings"):
        return False
    return all((year_dir / rel).is_file() for rel in entry.get("outputs") or [])


# --- log and summary -------------------------------------------------------------------------


def dumps(data: Any, indent: int | None = None) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=indent, default=_plain)


def _plain(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def log_line(stream: IO[str] | None = None, **event: Any) -> None:
    """One JSON object per line on ``stream`` (stderr): ``ts`` first added, then the event."""
    stream = stream or sys.stderr
    event.setdefault("ts", now().isoformat(timespec="seconds"))
    stream.write(dumps(event) + "\n")
    stream.flush()


def write_summary(year_dir: Path, run_id: str, summary: Mapping[str, Any]) -> Path:
    runs = year_dir / RUNS_DIR
    runs.mkdir(parents=True, exist_ok=True)
    path = runs / f"{run_id}.json"
    atomic_write_text(path, dumps(summary, indent=2) + "\n")
    return path
