"""Household codes as officers and exports really write them.

A code is text (design.md: leading zeros are never lost). Exports and spreadsheets bend it:
a code stored as a number comes out ``12.0`` or ``12.``; a pasted code carries a no-break
space; a long code that Excel took for a number shows as ``1.2E+11``. This module says, for
every cell, what the code is and whether the cell needed fixing:

- ``12.0``, ``12.``, ``12.00``, `` 12 `` (any Unicode space, NBSP included) → ``12``, with a
  *warning* (the code is certain, but the officer should fix the cell);
- scientific notation (``1.2E+11``) or a decimal fraction (``12.5``) → *rejected*: the real
  code cannot be recovered.

Pure and vectorised: one pass of string operations over the column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

_SPACES = r"[\s\u00a0\u2007\u202f\u200b\ufeff]+"
_TRAILING_ZERO_DECIMAL = r"^(\d+)\.0*$"
_SCIENTIFIC = r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"
_FRACTION = r"^\d+[.,]\d*[1-9]\d*$"


@dataclass(frozen=True)
class CodeCheck:
    """``codes``: the cleaned codes (<NA> where blank); ``fixed``: cells whose code was
    cleaned (warn); ``unusable``: cells whose code cannot be trusted (reject)."""

    codes: pd.Series
    fixed: pd.Series
    unusable: pd.Series


def normalize_codes(raw: pd.Series) -> CodeCheck:
    text = raw.astype("string")
    stripped = text.str.replace(_SPACES, " ", regex=True).str.strip()
    # A space inside a code is kept (some communes write "TB 012"); only the edges are fixed.
    blank = stripped.isna() | (stripped == "")
    decimal = stripped.str.extract(_TRAILING_ZERO_DECIMAL, expand=False)
    cleaned = decimal.fillna(stripped).where(~blank)
    fixed = (~blank) & (cleaned != text).fillna(False)
    scientific = stripped.str.fullmatch(_SCIENTIFIC).fillna(False) & ~blank
    fraction = stripped.str.fullmatch(_FRACTION).fillna(False) & ~blank
    unusable = (scientific | fraction).astype(bool)
    return CodeCheck(
        codes=pd.Series(pd.array(cleaned, dtype="string"), index=raw.index),
        fixed=(fixed & ~unusable).astype(bool),
        unusable=unusable,
    )


def exact_duplicate_rows(raw: pd.DataFrame) -> pd.Series:
    """True for every row that repeats an earlier row cell for cell (after trimming spaces
    and NFC), the first occurrence False. An exact duplicate is one household typed or
    exported twice: keep the first, report the others as findings, never count them twice."""
    if raw.empty:
        return pd.Series(False, index=raw.index, dtype=bool)
    normal = raw.astype("string").apply(
        lambda col: col.str.replace(_SPACES, " ", regex=True).str.strip().str.normalize("NFC")
    )
    return normal.fillna("\x00<blank>").duplicated(keep="first").astype(bool)
