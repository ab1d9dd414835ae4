"""Atomic output: a failed or killed write never damages the previous file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ngheo_cli.io import atomic
from ngheo_cli.io.atomic import (
    StagedOutputs,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    cleanup_stale_temps,
    commit_group,
    scratch_directory,
    sha256_file,
)

ROOT = Path(__file__).resolve().parents[2]
OLD = "nội dung cũ\n".encode()


def leftovers(directory: Path) -> list[Path]:
    return sorted(directory.glob(".~ngheo-*"))


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    target = tmp_path / "ket_qua.xlsx"
    target.write_bytes(OLD)
    return target


# ------------------------------------------------------------------ atomic_write


def test_success_replaces_target_and_leaves_no_temp(old_file: Path) -> None:
    with atomic_write(old_file) as temp:
        assert temp.parent == old_file.parent  # same file system: os.replace is atomic
        assert temp.name.startswith(".~ngheo-ket_qua.xlsx-") and temp.name.endswith(".tmp")
        assert temp.exists() and old_file.read_bytes() == OLD  # target untouched meanwhile
        temp.write_bytes(b"new")
    assert old_file.read_bytes() == b"new"
    assert leftovers(old_file.parent) == []


def test_temp_names_are_unique(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    with atomic_write(target) as first, atomic_write(target) as second:
        assert first != second
        first.write_text("1")
        second.write_text("2")
    assert target.read_text() == "1"  # the outer block commits last


def test_crash_mid_write_keeps_old_bytes_and_removes_temp(old_file: Path) -> None:
    with pytest.raises(RuntimeError, match="hỏng"):
        with atomic_write(old_file) as temp:
            temp.write_bytes(b"half a wor")
            raise RuntimeError("hỏng giữa chừng")
    assert old_file.read_bytes() == OLD
    assert leftovers(old_file.parent) == []


def test_crash_with_no_previous_file_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "moi.json"
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as temp:
            temp.write_text("{")
            raise KeyboardInterrupt
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_new_file_gets_normal_permissions_not_mkstemp_0600(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    atomic_write_text(target, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_text_and_bytes(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.csv", "Mã hộ\r\nHộ 1\n")
    assert (tmp_path / "a.csv").read_bytes() == "Mã hộ\r\nHộ 1\n".encode()  # newlines as given
    atomic_write_text(tmp_path / "b.txt", "Thôn Đông", encoding="utf-16")
    assert (tmp_path / "b.txt").read_text(encoding="utf-16") == "Thôn Đông"
    atomic_write_bytes(tmp_path / "c.bin", b"\x00\x01")
    assert (tmp_path / "c.bin").read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == []


def test_missing_directory_is_an_error_not_a_silent_mkdir(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(tmp_path / "khong_co" / "a.txt", b"x")


# ------------------------------------------------------------------ groups


def test_group_replaces_all_targets_on_success(tmp_path: Path) -> None:
    a, b = tmp_path / "ket_qua.xlsx", tmp_path / "loi.xlsx"
    a.write_bytes(b"old a")
    with StagedOutputs() as staged:
        staged.write_bytes(a, b"new a")
        staged.write_text(b, "mới b")
        assert a.read_bytes() == b"old a" and not b.exists()  # nothing before commit
        assert staged.targets == [a.resolve(), b.resolve()]
    assert a.read_bytes() == b"new a"
    assert b.read_text(encoding="utf-8") == "mới b"
    assert leftovers(tmp_path) == []


def test_group_failure_touches_no_target(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"old a")
    with pytest.raises(ValueError, match="sheet 2"):
        with StagedOutputs() as staged:
            staged.write_bytes(a, b"new a")  # fully written ...
            staged.stage(b).write_bytes(b"partial")
            raise ValueError("sheet 2 failed")  # ... but its sibling failed
    assert a.read_bytes() == b"old a"
    assert not b.exists()
    assert leftovers(tmp_path) == []


def test_commit_group_yields_temp_paths(tmp_path: Path) -> None:
    targets = [tmp_path / "x.txt", tmp_path / "y.txt"]
    with commit_group(targets) as temps:
        assert [t.parent for t in temps] == [tmp_path, tmp_path]
        for temp, text in zip(temps, ["1", "2"], strict=True):
            temp.write_text(text)
    assert [t.read_text() for t in targets] == ["1", "2"]

    with pytest.raises(OSError):
        with commit_group(targets) as temps:
            temps[0].write_text("new 1")
            raise OSError("disk full")
    assert [t.read_text() for t in targets] == ["1", "2"]
    assert leftovers(tmp_path) == []


def test_failure_while_replacing_rolls_back_earlier_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows a target open in Excel cannot be replaced: the targets already replaced
    must come back, so the group stays all-or-nothing."""
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    a.write_bytes(b"old a")
    c.write_bytes(b"old c")
    real_replace = atomic._replace

    def refuse_c(src: Path, dst: Path) -> None:
        if dst.name == "c.txt":
            raise PermissionError("c.txt is open in Excel")
        real_replace(src, dst)

    monkeypatch.setattr(atomic, "_replace", refuse_c)
    staged = StagedOutputs()
    staged.write_bytes(a, b"new a")
    staged.write_bytes(b, b"new b")  # did not exist before
    staged.write_bytes(c, b"new c")
    with pytest.raises(PermissionError):
        staged.commit()
    assert a.read_bytes() == b"old a"
    assert not b.exists()
    assert c.read_bytes() == b"old c"
    assert leftovers(tmp_path) == []


def test_stage_rules(tmp_path: Path) -> None:
    staged = StagedOutputs()
    staged.stage(tmp_path / "a.txt")
    with pytest.raises(ValueError, match="already staged"):
        staged.stage(tmp_path / "." / "a.txt")
    staged.discard()
    assert leftovers(tmp_path) == []
    with pytest.raises(RuntimeError):
        staged.stage(tmp_path / "b.txt")


# ------------------------------------------------------------------ hashing, scratch, cleanup


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256_file(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()


def test_scratch_directory_is_beside_target_and_removed(tmp_path: Path) -> None:
    with scratch_directory(tmp_path / "out.xlsx") as scratch:
        assert scratch.parent == tmp_path and scratch.is_dir()
        (scratch / "part").write_text("x")
    assert list(tmp_path.iterdir()) == []


def test_cleanup_stale_temps_removes_only_old_leftovers(tmp_path: Path) -> None:
    old = time.time() - 7200
    stale_file = tmp_path / ".~ngheo-ket_qua.xlsx-abc123.tmp"
    stale_file.write_bytes(b"half")
    stale_dir = tmp_path / ".~ngheo-ket_qua.xlsx-def456.tmp"
    stale_dir.mkdir()
    (stale_dir / "sheet1.xml").write_text("<x/>")
    fresh = tmp_path / ".~ngheo-loi.xlsx-zzz.tmp"
    fresh.write_bytes(b"a live run is writing this")
    unrelated = tmp_path / "ket_qua.xlsx"
    unrelated.write_bytes(b"keep")
    old_but_not_ours = tmp_path / "other.tmp"
    old_but_not_ours.write_bytes(b"keep")
    for path in (stale_file, stale_dir, unrelated, old_but_not_ours):
        os.utime(path, (old, old))

    removed = cleanup_stale_temps(tmp_path, older_than=3600)

    assert removed == sorted([stale_file, stale_dir])
    assert not stale_file.exists() and not stale_dir.exists()
    assert fresh.exists() and unrelated.exists() and old_but_not_ours.exists()
    assert cleanup_stale_temps(tmp_path, older_than=0) == [fresh]
    assert cleanup_stale_temps(tmp_path / "missing") == []


# ------------------------------------------------------------------ a real kill


CHILD = r"""
import sys
from pathlib import Path
from ngheo_cli.io.atomic import atomic_write

target, mode = Path(sys.argv[1]), sys.argv[2]
chunk = b"N" * (1 << 20)
with atomic_write(target) as temp, open(temp, "wb") as handle:
    for i in range(512):
        handle.write(chunk)
        handle.flush()
        if i == 4:
            print("writing", flush=True)
            if mode == "paused":
                sys.stdin.readline()  # killed while parked here, mid-file
"""


@pytest.mark.parametrize("mode", ["paused", "streaming"])
@pytest.mark.parametrize("had_old_file", [True, False])
def test_sigkill_mid_write_leaves_old_file_or_nothing(
    tmp_path: Path, mode: str, had_old_file: bool
) -> None:
    target = tmp_path / "ket_qua.xlsx"
    if had_old_file:
        target.write_bytes(OLD)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), mode],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"writing"
        child.kill()  # SIGKILL on POSIX: no finally, no cleanup
    finally:
        child.wait(timeout=30)
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    assert child.returncode != 0

    if had_old_file:
        assert target.read_bytes() == OLD
    else:
        assert not target.exists()
    # The killed process could not remove its temp file; the cleanup finds it by name.
    stale = leftovers(tmp_path)
    assert len(stale) == 1 and stale[0].stat().st_size >= 5 << 20
    assert cleanup_stale_temps(tmp_path, older_than=0) == stale
    assert sorted(tmp_path.iterdir()) == ([target] if had_old_file else [])
