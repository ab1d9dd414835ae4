"""stdout is for data, stderr is for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import InputError, LockHeld, NgheoError, OutputError, RulesetError, UsageError

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


def error_code(exc: NgheoError) -> str:
    """A stable code for a domain error, from its kind (for --json and scripts)."""
    for kind in type(exc).__mro__:
        if kind in ERROR_CODES:
            return ERROR_CODES[kind]
    return "error"


def _default(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[no-any-return, attr-defined]
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
