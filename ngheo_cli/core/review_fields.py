"""Fields of real review exports that never change the computed class: the review date,
the head's sex, and text cells compared after Unicode normalisation.

Pure and per distinct text: a column of 20.000 cells holds a few dozen spellings.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from ngheo_cli.core.support import date_value
from ngheo_cli.core.text import fold, fold_words

_WORDS_IN_TEXT = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})\b")

# Head's sex as officers write it, after fold(): the words, their initials, English.
_MALE = frozenset({"nam", "trai", "m", "male", "ong"})
_FEMALE = frozenset({"nu", "gai", "f", "female", "ba", "x nu"})
SEX_MALE = "Nam"
SEX_FEMALE = "Nữ"


def nfc(series: pd.Series) -> pd.Series:
    """Text cells in NFC (a village typed in two Unicode forms is one village), as
    ``string``. Cheap when nothing changes, as almost always: an all-ASCII column is left
    alone; otherwise its distinct texts are checked in one C call (joined by NUL, which
    never composes with a neighbour) and only a column holding other forms is rebuilt."""
    text = series.astype("string")
    if bool(text.str.isascii().all()):
        return text
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    distinct = [str(u) for u in uniques.tolist()]  # one call, not an iteration of the array
    joined = "\x00".join(distinct)
    if unicodedata.is_normalized("NFC", joined):
        return text
    if "\x00" in "".join(distinct):  # a NUL inside a cell: cell by cell
        fixed = [unicodedata.normalize("NFC", v) for v in distinct]
    else:
        fixed = unicodedata.normalize("NFC", joined).split("\x00")
    table = np.array([*fixed, None], dtype=object)  # code -1 (missing) picks None
    return pd.Series(pd.array(table[codes].tolist(), dtype="string"), index=series.index)


def review_date(text: str) -> str | None:
    """A review date as officers type it → ISO text, or None when unreadable.

    ``15/10/2024``, ``15-10-2024``, ``15.10.2024``, ``15/10/24``, ``2024-10-15``, an Excel
    date cell, an Excel serial number (``45580``) and text with "ngày … tháng … năm …"
    anywhere in it ("Ea Kly, ngày 15 tháng 10 năm 2024")."""
    cell = date_value(text)
    if cell.error is None:
        return str(cell.value)
    found = _WORDS_IN_TEXT.search(fold_words(text))
    if found is None:
        return None
    iso = date_value(f"{found[3]}-{found[2]}-{found[1]}")
    return str(iso.value) if iso.error is None else None


def review_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(ISO dates as ``string``, <NA> when blank or unreadable; mask of unreadable cells)."""
    text = series.astype("string")
    present = text.notna().to_numpy(dtype=bool)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = np.array([review_date(str(u)) for u in uniques] + [None], dtype=object)
    values = parsed[codes]  # code -1 (blank) picks the trailing None
    unreadable = present & pd.isna(values)
    return pd.Series(pd.array(values.tolist(), dtype="string"), index=series.index), unreadable


def sex_value(text: str) -> str | None:
    folded = fold_words(text)
    if folded in _MALE or fold(text) in _MALE:
        return SEX_MALE
    if folded in _FEMALE or fold(text) in _FEMALE:
        return SEX_FEMALE
    return None


def sexes(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """("Nam"/"Nữ"/<NA>, mask of cells present but not understood)."""
    text = series.astype("string")
    present = text.notna().to_numpy(dtype=bool)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = np.array([sex_value(str(u)) for u in uniques] + [None], dtype=object)
    values = parsed[codes]
    unknown = present & pd.isna(values)
    return pd.Series(pd.array(values.tolist(), dtype="string"), index=series.index), unknown
