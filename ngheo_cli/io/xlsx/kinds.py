"""Cell conventions shared by the sheet layouts and the row stream: the kinds of column a sheet
shows (how a value is written and formatted) and the size of a highlighted cell's comment."""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["text", "code", "int", "money", "score", "percent", "number", "mark", "date"]
KINDS: frozenset[str] = frozenset(
    ("text", "code", "int", "money", "score", "percent", "number", "mark", "date")
)
NUMERIC_KINDS: frozenset[str] = frozenset(("int", "money", "score", "percent", "number"))

COMMENT_OPTIONS: dict[str, Any] = {"x_scale": 2.0, "y_scale": 1.5}
