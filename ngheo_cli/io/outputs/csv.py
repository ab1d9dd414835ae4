"""Every CSV file ngheo writes goes through :func:`write_csv`.

Officers open CSV files in Excel, which runs a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``), and tab or carriage return
lead to the same on some imports. A text cell starting so is written with a leading ``'``,
which Excel shows as plain text (the OWASP advice for CSV injection); the xlsx outputs are
safe by construction (every text cell is written as a string). Numbers stay numbers: a
numeric column is written as it is, and a text cell that is a plain number ("-5", "+84…")
runs nothing in Excel and is left alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["neutralise", "write_csv"]

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"[+\-]?[0-9][0-9.,\s]*"
_PLAIN_NUMBER_RE = re.compile(_PLAIN_NUMBER)


def _neutral(text: str) -> str:
    if text.startswith(_RISKY_START) and not _PLAIN_NUMBER_RE.fullmatch(text):
        return "'" + text
    return text


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells can never run as a formula in a spreadsheet."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        is_text = series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if not is_text.any():
            continue
        texts = series[is_text].astype(str)
        risky = texts.str.startswith(_RISKY_START).to_numpy(dtype=bool)
        if risky.any():
            fixed = series.astype(object).copy()
            positions = texts.index[risky]
            fixed.loc[positions] = [_neutral(v) for v in texts[risky]]
            out[col] = fixed
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel reads the Vietnamese right), CRLF rows, text cells neutralised."""
    neutralise(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
