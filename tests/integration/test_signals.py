"""SIGTERM while an output is being written: the temp files go, the target is untouched, and
one Vietnamese line (with --json: the failure object) says the run was stopped (issue 11,
item 5); `ngheo sample` says when Excel cannot hold the rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer

from ngheo_cli.cli.app import guarded
from ngheo_cli.errors import EXIT_USAGE
from ngheo_cli.io.atomic import EXIT_TERMINATED, TEMP_GLOB, atomic_write
from ngheo_cli.sample import writer as sample_writer


def _stop_while_writing(tmp_path: Path, sig: signal.Signals, *extra: str) -> tuple[int, str, str]:
    """Run `ngheo sample` until its temp file exists, send ``sig``; return (code, out, err)."""
    target = tmp_path / "xa.xlsx"
    target.write_bytes(b"old")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ngheo_cli", "sample", "-n", "200000", "--out", str(target), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A shell may start background jobs with SIGINT ignored; Ctrl+C must reach this one.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 600  # generous: only a guard against hanging forever
        while not list(tmp_path.glob(TEMP_GLOB)):
            if proc.poll() is not None:
                pytest.fail(f"finished before it was writing: {proc.returncode}")
            if time.monotonic() > deadline:
                pytest.fail("the temp file never appeared")
            time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert list(tmp_path.glob(TEMP_GLOB)) == []
    assert target.read_bytes() == b"old"
    return proc.returncode, out.decode("utf-8"), err.decode("utf-8")


SIGTERM_LINE = (
    "Đã dừng lệnh vì nhận tín hiệu dừng SIGTERM. Không để lại tệp kết quả dở dang nào và không "
    "có gì được ghi dở dang vào kho dữ liệu. Hãy chạy lại lệnh"
)


def test_sigterm_while_writing_removes_the_temp_file_and_says_so(tmp_path: Path) -> None:
    code, out, err = _stop_while_writing(tmp_path, signal.SIGTERM)
    assert code == EXIT_TERMINATED, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(SIGTERM_LINE), err  # one line for the log
    assert out == ""


def test_sigterm_with_json_gives_the_failure_object_on_stdout(tmp_path: Path) -> None:
    code, out, err = _stop_while_writing(tmp_path, signal.SIGTERM, "--json")
    assert code == EXIT_TERMINATED, err
    assert "Traceback" not in err and SIGTERM_LINE in err
    data = json.loads(out)
    assert data["ok"] is False and data["exit_code"] == EXIT_TERMINATED
    assert data["error"]["code"] == "bi-dung"
    assert data["error"]["message"].startswith(SIGTERM_LINE)


def test_ctrl_c_while_writing_says_the_same_in_words_and_json(tmp_path: Path) -> None:
    code, out, err = _stop_while_writing(tmp_path, signal.SIGINT, "--json")
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "Đã dừng lệnh vì nhận Ctrl+C" in err and "Hãy chạy lại lệnh" in err
    data = json.loads(out)
    assert (data["ok"], data["exit_code"], data["error"]["code"]) == (False, 130, "bi-dung")


def test_sigterm_before_any_output_is_said_too(capsys: pytest.CaptureFixture[str]) -> None:
    # Reading an input, waiting on workers: SIGTERM anywhere in a command is said the same way
    # (the handler covers the whole command, not only the writing of an output).
    def reading(as_json: bool = False) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between two bytecodes of this loop
            time.sleep(0.01)
        return 0

    with pytest.raises(typer.Exit) as stopped:
        guarded(reading)(as_json=True)
    assert stopped.value.exit_code == EXIT_TERMINATED
    captured = capsys.readouterr()
    assert captured.err.startswith(SIGTERM_LINE) and "Traceback" not in captured.err
    assert json.loads(captured.out)["error"]["code"] == "bi-dung"
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # put back after the command


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


def test_sigterm_in_a_batch_is_one_more_log_event_and_a_rerun_finishes(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ngheo_cli.batch import commune as batch_commune
    from ngheo_cli.batch import executors as batch_executors
    from ngheo_cli.batch import plan as batch_plan

    from ..cli.test_cli_batch import events, make_province

    province = make_province(tmp_path / "tinh", communes=2, households=40, sample_commune=False)
    real = batch_commune.run_commune
    ran: list[str] = []

    def then_sigterm(task: batch_plan.CommuneTask) -> dict:
        outcome = real(task)
        ran.append(task.code)
        os.kill(os.getpid(), signal.SIGTERM)  # cron's `timeout` after the first commune
        return outcome

    monkeypatch.setattr(batch_executors, "run_commune", then_sigterm)
    res = cli("batch", province.root, "--year", 2023, "--json")
    assert res.exit_code == EXIT_TERMINATED, res.stderr
    assert len(ran) == 1  # the second commune never started
    log = events(res.stderr)  # the log stays JSON lines, no traceback line in it
    assert log[-1]["step"] == "stop" and log[-1]["error"].startswith(SIGTERM_LINE)
    assert json.loads(res.stdout)["error"]["code"] == "bi-dung"
    assert list(province.out(2023).rglob(TEMP_GLOB)) == []

    monkeypatch.setattr(batch_executors, "run_commune", real)
    rerun = cli("batch", province.root, "--year", 2023, "--json")
    assert rerun.exit_code in (0, 1), rerun.stderr
    statuses = [c["status"] for c in json.loads(rerun.stdout)["communes"]]
    assert len(statuses) == 2 and "failed" not in statuses
