"""Atomic file output: write to a hidden temp file beside the target, then ``os.replace`` it.

A reader (an officer opening the workbook, a cron job collecting it) sees either the old
file or the complete new one, never a half-written file, even if the process is killed.

- ``atomic_write(path)`` yields a temp path in the target's directory (``os.replace`` is only
  atomic within one file system). On success the temp file is fsynced and renamed onto the
  target; on an exception it is removed and the target is left untouched.
- ``StagedOutputs`` / ``commit_group`` do the same for several files that belong together
  (result workbook + error workbook + manifest): nothing is replaced until every file has been
  written, and a failure while replacing rolls back the targets already replaced.
- A process killed by SIGKILL (or a power cut) cannot remove its temp files: they are named
  ``.~ngheo-<target name>-<random>.tmp`` so that ``cleanup_stale_temps`` can find them later.
  Call it while holding the run lock, so that it never removes the temp file of a live run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

TEMP_PREFIX = ".~ngheo-"
TEMP_SUFFIX = ".tmp"
TEMP_GLOB = f"{TEMP_PREFIX}*{TEMP_SUFFIX}"

# On Windows a target that is open in Excel, or being scanned by an antivirus, cannot be
# replaced for a moment: retry briefly before giving up with the PermissionError.
_REPLACE_RETRIES = 5 if sys.platform == "win32" else 1
_REPLACE_PAUSE = 0.2


def _read_umask() -> int:
    # There is no "get umask" call: set and restore it once, at import (single-threaded then).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# A writer that failed on a full disk leaves objects (xlsxwriter's ZipFile) whose __del__
# tries to flush again and fails the same way: Python would print "Exception ignored in …"
# with a traceback after the one Vietnamese message already given. Those disk errors are
# dropped; every other unraisable exception still reaches the previous hook.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})
_previous_unraisablehook = sys.unraisablehook


def _quiet_disk_errors(unraisable: sys.UnraisableHookArgs) -> None:
    exc = unraisable.exc_value
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
        return
    _previous_unraisablehook(unraisable)


sys.unraisablehook = _quiet_disk_errors


# SIGTERM (cron's `timeout`, a service manager stopping the job) kills Python without
# running `finally` blocks, leaving `.~ngheo-*.tmp` files behind. While an output is being
# written (and, in the CLI, for the whole command), SIGTERM is turned into ``Terminated``,
# a SystemExit(143) (128 + 15, what a shell reports), so the temp files are removed and open
# store transactions rolled back on the way out, and no target is touched.
EXIT_TERMINATED = 128 + signal.SIGTERM
_term_depth = 0
_term_previous: object = None


class Terminated(SystemExit):
    """SIGTERM arrived inside ``terminate_cleanly``: exit code 143."""

    def __init__(self) -> None:
        super().__init__(EXIT_TERMINATED)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated`` (SystemExit(143)) instead of killing
    the process (main thread only; a handler the application installed itself is left alone)."""
    global _term_depth, _term_previous
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _term_depth == 0:
        current = signal.getsignal(signal.SIGTERM)
        _term_previous = current
        if current in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _on_sigterm)
    _term_depth += 1
    try:
        yield
    finally:
        _term_depth -= 1
        if _term_depth == 0 and signal.getsignal(signal.SIGTERM) is _on_sigterm:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


# mkstemp creates 0600 files; an output should get the mode a plain open() would give it.
_NEW_FILE_MODE = 0o666 & ~_read_umask()


def _temp_prefix(target: Path) -> str:
    # Cut long names: the temp name must stay under the 255-byte limit of most file systems.
    return f"{TEMP_PREFIX}{target.name[:80]}-"


def _new_temp(target: Path, *, tag: str = "") -> Path:
    fd, name = tempfile.mkstemp(
        prefix=_temp_prefix(target) + tag, suffix=TEMP_SUFFIX, dir=target.parent
    )
    os.close(fd)
    return Path(name)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover - e.g. still open on Windows; cleanup_stale_temps finds it
        pass


def _fsync_file(path: Path) -> None:
    # O_RDWR rather than O_RDONLY: Windows refuses to flush a handle opened read-only.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX). Windows cannot open a directory: nothing to do there."""
    if sys.platform == "win32":  # pragma: no cover
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems (network shares) refuse it
        pass
    finally:
        os.close(fd)


def _replace(src: Path, dst: Path) -> None:
    for attempt in range(_REPLACE_RETRIES):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt + 1 >= _REPLACE_RETRIES:
                raise
            time.sleep(_REPLACE_PAUSE)  # pragma: no cover - Windows only


def _finish_temp(temp: Path) -> None:
    """Give the written temp file normal permissions and flush it to disk."""
    try:
        os.chmod(temp, _NEW_FILE_MODE)
    except OSError:  # pragma: no cover - file systems without modes
        pass
    _fsync_file(temp)


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success move it onto ``path`` atomically.

    The caller writes the complete file to the yielded path (it exists, empty). If the block
    raises, the temp file is removed and an existing ``path`` keeps its bytes. The target's
    directory must exist.
    """
    target = Path(path)
    with terminate_cleanly():
        temp = _new_temp(target)
        try:
            yield temp
            _finish_temp(temp)
            _replace(temp, target)
        except BaseException:
            _unlink_quietly(temp)
            raise
    _fsync_dir(target.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path) as temp:
        temp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically. Newlines are written as given (no translation),
    so the bytes are the same on Windows and Linux."""
    with atomic_write(path) as temp, open(temp, "w", encoding=encoding, newline="") as handle:
        handle.write(text)


class StagedOutputs:
    """Several output files replaced together, or not at all.

    >>> with StagedOutputs() as staged:                          # doctest: +SKIP
    ...     write_workbook(staged.stage(out / "ket_qua.xlsx"), sheets)
    ...     staged.write_text(out / "manifest.json", manifest)

    ``stage(target)`` returns a temp path to write ``target`` to. Leaving the block normally
    calls ``commit()``; leaving it with an exception calls ``discard()``: every temp file is
    removed and no target is touched.

    ``commit()`` fsyncs every temp file first, so a failure to write or flush any one of them
    happens before any target changes. The replacements themselves are one rename per file;
    if one fails (on Windows: a target open in Excel), the targets already replaced are put
    back from hard-link (or copy) backups and the error is raised. Only a process killed in
    the middle of those renames can leave a mix of old and new files, each of them whole.
    """

    def __init__(self) -> None:
        self._staged: dict[Path, Path] = {}  # absolute target -> temp
        self._closed = False
        self._terminate = terminate_cleanly()

    def __enter__(self) -> StagedOutputs:
        self._terminate.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.discard()
        finally:
            self._terminate.__exit__(None, None, None)

    @property
    def targets(self) -> list[Path]:
        """The staged targets, in the order they were staged."""
        return list(self._staged)

    def stage(self, path: str | os.PathLike[str]) -> Path:
        """Reserve ``path`` and return the temp path its content must be written to."""
        if self._closed:
            raise RuntimeError("this StagedOutputs is already committed or discarded")
        target = Path(os.path.abspath(path))
        if target in self._staged:
            raise ValueError(f"{target} is already staged in this group")
        self._staged[target] = _new_temp(target)
        return self._staged[target]

    def write_bytes(self, path: str | os.PathLike[str], data: bytes) -> None:
        self.stage(path).write_bytes(data)

    def write_text(self, path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
        with open(self.stage(path), "w", encoding=encoding, newline="") as handle:
            handle.write(text)

    def discard(self) -> None:
        """Remove every temp file; targets are left as they were."""
        for temp in self._staged.values():
            _unlink_quietly(temp)
        self._closed = True

    def commit(self) -> None:
        """Replace every staged target with its temp file (all or nothing, see the class doc)."""
        if self._closed:
            raise RuntimeError("this StagedOutputs is already committed or discarded")
        try:
            for temp in self._staged.values():
                _finish_temp(temp)
        except BaseException:
            self.discard()
            raise
        backups: dict[Path, Path | None] = {}  # target -> backup of the old file (None: new)
        try:
            for target in self._staged:
                backups[target] = _backup(target)
            replaced: list[Path] = []
            try:
                for target, temp in self._staged.items():
                    _replace(temp, target)
                    replaced.append(target)
            except BaseException:
                _roll_back(replaced, backups)
                raise
        except BaseException:
            self.discard()
            for backup in backups.values():
                if backup is not None:
                    _unlink_quietly(backup)
            raise
        for backup in backups.values():
            if backup is not None:
                _unlink_quietly(backup)
        self._closed = True
        for directory in sorted({target.parent for target in self._staged}):
            _fsync_dir(directory)


def _backup(target: Path) -> Path | None:
    """A second name for the current ``target`` (hard link; a copy where links are refused)."""
    if not target.exists():
        return None
    backup = _new_temp(target, tag="bak-")
    backup.unlink()
    try:
        os.link(target, backup)
    except OSError as exc:
        if exc.errno == errno.ENOENT:  # pragma: no cover - removed under our feet
            return None
        shutil.copy2(target, backup)  # pragma: no cover - FAT, some network shares
    return backup


def _roll_back(replaced: Sequence[Path], backups: dict[Path, Path | None]) -> None:
    for target in reversed(replaced):
        backup = backups.get(target)
        try:
            if backup is None:
                target.unlink()
            else:
                os.replace(backup, target)
                backups[target] = None
        except OSError:  # pragma: no cover - best effort; the original error is re-raised
            pass


@contextmanager
def commit_group(paths: Iterable[str | os.PathLike[str]]) -> Iterator[list[Path]]:
    """Yield one temp path per target; replace all targets only if the block succeeds."""
    with StagedOutputs() as staged:
        yield [staged.stage(path) for path in paths]


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in chunks (memory does not grow with the file)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@contextmanager
def scratch_directory(near: str | os.PathLike[str]) -> Iterator[Path]:
    """A private temp directory beside ``near`` (same disk, not a RAM-backed /tmp), removed on
    exit. Named like the temp files, so ``cleanup_stale_temps`` also finds a leftover one."""
    target = Path(near)
    scratch = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=TEMP_SUFFIX,
                                    dir=target.parent))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cleanup_stale_temps(
    directory: str | os.PathLike[str], older_than: float = 3600.0
) -> list[Path]:
    """Remove ``.~ngheo-*.tmp`` files (and scratch directories) in ``directory`` whose last
    change is more than ``older_than`` seconds ago; return what was removed, sorted.

    Leftovers only appear when a run was killed. A live run keeps touching its temp files,
    but run this under the run lock anyway: that makes it safe whatever ``older_than`` is.
    """
    limit = time.time() - older_than
    removed: list[Path] = []
    for entry in sorted(Path(directory).glob(TEMP_GLOB)):
        try:
            if entry.is_symlink() or entry.lstat().st_mtime > limit:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue
        except OSError:  # pragma: no cover - still open elsewhere (Windows): try next time
            continue
        removed.append(entry)
    return removed
