"""SIGTERM while an output is being written: the temp files go, the target is untouched
(issue 11, item 5); `ngheo sample` says when Excel cannot hold the rows."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ngheo_cli.errors import EXIT_USAGE
from ngheo_cli.io import sample_writer
from ngheo_cli.io.atomic import EXIT_TERMINATED, TEMP_GLOB, atomic_write


def test_sigterm_while_writing_removes_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "xa.xlsx"
    target.write_bytes(b"old")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ngheo_cli", "sample", "-n", "200000", "--out", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 600  # generous: only a guard against hanging forever
        while not list(tmp_path.glob(TEMP_GLOB)):
            if proc.poll() is not None:
                pytest.fail(f"finished before it was writing: {proc.returncode}")
            if time.monotonic() > deadline:
                pytest.fail("the temp file never appeared")
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_TERMINATED, err.decode()
    assert b"Traceback" not in err
    assert list(tmp_path.glob(TEMP_GLOB)) == []
    assert target.read_bytes() == b"old"


def test_sigterm_handler_is_only_installed_while_writing(tmp_path: Path) -> None:
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    with atomic_write(tmp_path / "a.txt") as temp:
        assert signal.getsignal(signal.SIGTERM) != signal.SIG_DFL
        temp.write_text("x")
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_sample_beyond_excel_rows_says_so(cli, tmp_path: Path) -> None:
    res = cli("sample", "-n", 2_000_000, "--out", tmp_path / "x.xlsx")
    assert res.exit_code == EXIT_USAGE
    assert "tối đa" in res.stderr and "Traceback" not in res.stderr
    with pytest.raises(Exception, match="1.048.576 dòng"):
        sample_writer.check_fits(1_000_000, years=3)
    with pytest.raises(Exception, match=".csv"):
        sample_writer.check_fits(1_047_000, messy=True)
    sample_writer.check_fits(1_048_575)
    with pytest.raises(Exception, match="1.048.576 hộ"):
        sample_writer.check_fits(1_048_576)
