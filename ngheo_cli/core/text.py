"""Text helpers shared by the reader, the validator and the views.

Vietnamese headers and values are compared after *folding*: diacritics removed
(đ → d), lower case, and every character that is not a letter or a digit dropped,
so "Mã hộ", "MA HO", "mã_hộ" and "Mã  hộ:" all fold to "maho".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold text for matching: no diacritics, lower case, letters and digits only."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", stripped.lower())


def fold_words(text: str) -> str:
    """Fold but keep single spaces between words ("Tổng  cộng:" → "tong cong")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_ALNUM.sub(" ", stripped.lower()).split())


def column_letter(index: int) -> str:
    """Excel column letter for a zero-based column index (0 → A, 26 → AA)."""
    if index < 0:
        raise ValueError("column index must be >= 0")
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(sheet: str, column: str, row: int) -> str:
    """Excel reference such as ``Hộ!F12``; sheet names with spaces are quoted as Excel does,
    with a quote inside the name doubled (sheet ``Thôn 'A'`` → ``'Thôn ''A'''!B3``)."""
    needs_quotes = not re.fullmatch(r"\w+", sheet)
    name = "'" + sheet.replace("'", "''") + "'" if needs_quotes else sheet
    return f"{name}!{column}{row}"
