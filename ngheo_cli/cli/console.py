"""Console output for every command: stdout is for data (``--json``), stderr is for people
(messages, progress, error lines)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from rich.console import Console

from ngheo_cli.errors import InputError, LockHeld, NgheoError, OutputError, RulesetError, UsageError

# Consoles resolve sys.stdout / sys.stderr when they write, so tests can capture them.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


ERROR_CODES: dict[type, str] = {
    OutputError: "output",  # before InputError, which it shares an exit code with
    UsageError: "usage",
    InputError: "input",
    RulesetError: "rules",
    LockHeld: "locked",
}


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def emit_json(data: dict[str, Any]) -> None:
    """The machine-readable summary on stdout: UTF-8, Vietnamese kept as is."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")
    sys.stdout.flush()


def emit_failure(exit_code: int, code: str, message: str, hint: str | None = None) -> None:
    """The JSON a failed command prints with --json: scripts never read an empty stdout."""
    error: dict[str, Any] = {"code": code, "message": message}
    if hint:
        error["hint"] = hint
    emit_json({"ok": False, "exit_code": exit_code, "error": error})


# A run stopped by a signal: the stable --json code and the one line for the officer's (or
# cron's) log. What is said holds because outputs are written atomically (temp files removed
# on the way out) and every store write is one transaction, rolled back when interrupted.
STOPPED_CODE = "bi-dung"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl+C


def stopped_message(cause: str) -> str:
    """``cause``: how the run was stopped, e.g. "tín hiệu SIGTERM"."""
    return (
        f"Đã dừng lệnh vì nhận {cause}. Không để lại tệp kết quả dở dang nào và không có gì "
        "được ghi dở dang vào kho dữ liệu. Hãy chạy lại lệnh (nếu bị dừng do giới hạn thời "
        "gian, hãy cho lệnh thêm thời gian)."
    )


def say_stopped(exit_code: int, cause: str, as_json: bool) -> None:
    """One unwrapped line on stderr; with --json also the failure object on stdout."""
    message = stopped_message(cause)
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    if as_json:
        emit_failure(exit_code, STOPPED_CODE, message)


def error_code(exc: NgheoError) -> str:
    """A stable code for a domain error, from its kind (for --json and scripts)."""
    for kind in type(exc).__mro__:
        if kind in ERROR_CODES:
            return ERROR_CODES[kind]
    return "error"


def _default(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def working(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while work runs, only when a person is watching a terminal."""
    if not stderr_is_terminal():
        return nullcontext()
    return err.status(message, spinner="dots")


Step = Callable[[str], None]


@contextmanager
def steps(title: str, total: int) -> Iterator[Step]:
    """A progress bar over the stages of a run, each step saying what it counted ("đã đọc
    603 dòng"), on stderr and only when a person watches a terminal; otherwise nothing is
    drawn and ``step`` does nothing."""
    if not stderr_is_terminal():
        yield lambda note: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(title, total=total, note="")

    def step(note: str) -> None:
        bar.update(task, advance=1, note=note)
        bar.refresh()  # each count is drawn, however fast the stages go

    with bar:
        yield step
