"""Domain errors. Each carries the exit code the CLI turns it into (decided only here).

Exit codes (README "Mã thoát"): 0 ok · 1 finished, some rows rejected · 2 usage ·
3 an input that cannot be used at all · 4 a rules or config file is wrong ·
5 another run holds the lock · 6 (batch) some communes failed, the others finished ·
70 an internal bug.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_RULES = 4
EXIT_LOCKED = 5
EXIT_COMMUNES_FAILED = 6  # batch: some communes failed alone, the others finished
EXIT_BUG = 70


class NgheoError(Exception):
    """Base of every error a user can cause; ``str(err)`` is the Vietnamese message."""

    exit_code = EXIT_BUG

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class InputError(NgheoError):
    """A workbook or file that cannot be used at all (wrong format, corrupt, no usable sheet)."""

    exit_code = EXIT_INPUT


class UsageError(NgheoError):
    """Options that contradict each other or name things that do not exist."""

    exit_code = EXIT_USAGE


class RulesetError(NgheoError):
    """A rules file (national or local) or a config file that is wrong."""

    exit_code = EXIT_RULES


class LockHeld(NgheoError):
    """Another run holds the lock for this scope."""

    exit_code = EXIT_LOCKED


class OutputError(NgheoError):
    """The output folder cannot be written (read-only, full, a file open in Excel)."""

    exit_code = EXIT_INPUT
