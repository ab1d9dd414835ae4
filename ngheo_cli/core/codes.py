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

import numpy as np
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
    values = text.to_numpy(dtype=object, na_value=None)
    # Fast path: plain codes (digits, or ASCII letters and digits that cannot be read as
    # 1E5) need no fixing; only the other cells go through the string operations below.
    plain = np.fromiter(
        (
            v is not None
            and (v.isdigit() or (v.isascii() and v.isalnum() and "e" not in v.lower()))
            for v in values
        ),
        bool,
        len(values),
    )
    if plain.all():
        none = pd.Series(False, index=raw.index, dtype=bool)
        return CodeCheck(codes=pd.Series(text.array, index=raw.index), fixed=none, unusable=none)
    if plain.any():
        rest = normalize_codes(raw[~plain])
        codes = text.copy()
        codes[~plain] = rest.codes
        fixed = pd.Series(False, index=raw.index, dtype=bool)
        unusable = pd.Series(False, index=raw.index, dtype=bool)
        fixed[~plain] = rest.fixed
        unusable[~plain] = rest.unusable
        return CodeCheck(codes=codes, fixed=fixed, unusable=unusable)
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


#: Columns that number a row's place in the list, not the household: a row pasted twice
#: gets two numbers, so they are left out when rows are compared.
ROW_NUMBER_KEYS: tuple[str, ...] = ("stt",)


def _row_keys(raw: pd.DataFrame) -> pd.DataFrame:
    """Each cell as compared between rows: trimmed, inner spaces folded, NFC, blanks equal."""
    normal = raw.astype("string").apply(
        lambda col: col.str.replace(_SPACES, " ", regex=True).str.strip().str.normalize("NFC")
    )
    return normal.fillna("\x00<blank>")


def exact_duplicate_rows(raw: pd.DataFrame) -> pd.Series:
    """True for every row that repeats an earlier row cell for cell (after trimming spaces
    and NFC), the first occurrence False. An exact duplicate is one household typed or
    exported twice: keep the first, report the others as findings, never count them twice."""
    if raw.empty:
        return pd.Series(False, index=raw.index, dtype=bool)
    return _row_keys(raw).duplicated(keep="first").astype(bool)


def restart_positions(codes: pd.Series) -> list[int]:
    """Positions where the household codes start again from the beginning: a district file
    holding several communes' lists one after another (1, 2, …, 50, 1, 2, …, 40).

    A run starts again where a code already seen in the current run comes back *and* is no
    greater than the code above it, and the next code also repeats the previous run (two
    repeats in a row: a single typo is a duplicate, not a new list). Blank codes are passed
    over. Returns positions in ``codes`` (0-based), empty when the codes never restart.
    """
    values = codes.to_numpy(dtype=object, na_value=None)
    order = _order_keys(values)
    starts: list[int] = []
    seen: set[object] = set()
    previous: tuple[int, object] | None = None
    present = [p for p, v in enumerate(values) if v is not None]
    for i, pos in enumerate(present):
        code = values[pos]
        if code in seen and previous is not None and order[pos] <= previous:
            nxt = present[i + 1] if i + 1 < len(present) else None
            if nxt is not None and values[nxt] in seen and values[nxt] != code:
                starts.append(pos)
                seen = set()
        seen.add(code)
        previous = order[pos]
    return starts


def _order_keys(values: object) -> list[tuple[int, object]]:
    """Sort keys for codes: numbers by value, text after numbers by text."""
    out: list[tuple[int, object]] = []
    for v in values:  # type: ignore[attr-defined]
        if v is None:
            out.append((2, ""))
        elif str(v).isdigit():
            out.append((0, int(str(v))))
        else:
            out.append((1, str(v)))
    return out


def first_equal_rows(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(exact duplicate mask as :func:`exact_duplicate_rows`, and for each duplicate the
    index label of the first row it repeats; <NA> elsewhere)."""
    first = pd.Series(pd.NA, index=raw.index, dtype=object)
    if raw.empty:
        return pd.Series(False, index=raw.index, dtype=bool), first
    keys = _row_keys(raw)
    dup = keys.duplicated(keep="first").astype(bool)
    if dup.any():
        group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup()
        labels = pd.Series(raw.index.to_numpy(dtype=object), index=raw.index)
        first_label = labels.groupby(group.to_numpy()).transform("first")
        first[dup] = first_label[dup]
    return dup, first
