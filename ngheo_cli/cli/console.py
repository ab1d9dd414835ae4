"""stdout is for data, stderr is for people."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from rich.console import Console

# Consoles resolve sys.stdout / sys.stderr when they write, so tests can capture them.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def emit_json(data: dict[str, Any]) -> None:
    """The machine-readable summary on stdout: UTF-8, Vietnamese kept as is."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")
    sys.stdout.flush()


def _default(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()  # type: ignore[no-any-return, attr-defined]
    return str(value)


def working(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while work runs, only when a person is watching a terminal."""
    if not stderr_is_terminal():
        return nullcontext()
    return err.status(message, spinner="dots")
