"""Value parsers for the household table: text cells → typed values + error codes.

Every parser takes a column of text (``str`` or missing, as :class:`~.table.RawTable`
holds it) and returns a :class:`Parsed`: typed values, which cells were blank, and an
error code (a key of :data:`ngheo_cli.core.findings.CATALOGUE`) for each cell that
could not be read. Parsers know nothing about rows, rules or findings: they say what a
cell means, the validator decides what is wrong with the household.

Speed: the common shapes (plain digits, as the reader renders numeric cells) are parsed
vectorised; everything else is parsed once per *unique* text and mapped back, so a
100.000-row column costs one pass plus one Python call per distinct spelling.

Vietnamese writes "." for thousands and "," for decimals; Excel numeric cells arrive as
"1500000" or "1500000.5". The money rules (:func:`money_value`) resolve that without
guessing where the text is ambiguous: an ambiguous cell is an error that says what to
write, never a silent choice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import numpy as np
import pandas as pd

from ngheo_cli.core.text import fold, fold_words

# Error codes the parsers emit (all in the findings catalogue).
UNREADABLE = "so-khong-doc-duoc"
AMBIGUOUS = "so-mo-ho"
NEGATIVE = "so-am"
NOT_WHOLE = "so-khong-nguyen"
BAD_MARK = "danh-dau-khong-ro"
BAD_AREA = "khu-vuc-khong-ro"
TOO_LARGE = "so-qua-lon"

# No cell of a survey holds a number this large (a year's income of a whole province is
# far below): beyond it a value is a typing or export error, never read as a number, so
# that nothing downstream can overflow. Plausibility bounds per column are rules data
# (the ruleset's ``bounds``).
MAX_NUMBER = Decimal(10) ** 15

# Money below this (and above 0), written without a multiplier unit, is not a plausible
# number of đồng per person per month: "1,5" is 1,5 triệu or "500" is 500 nghìn.
AMBIGUOUS_BELOW = 1000


@dataclass(frozen=True)
class Parsed:
    """One column, parsed. All four series share the input's index.

    ``values``: typed (float64 with NaN, Int64, boolean or string with NA); missing where
    the cell was blank *or* could not be read. ``blank``: the cell was empty.
    ``error``: the error code for a cell that could not be read, else None (object dtype).
    ``hint``: extra text for the message of that error ("" when none; object dtype).
    """

    values: pd.Series
    blank: pd.Series
    error: pd.Series
    hint: pd.Series

    @property
    def ok(self) -> pd.Series:
        """Cells with a usable value (not blank, no error)."""
        return ~self.blank & self.error.isna()


class Cell(NamedTuple):
    """The reading of one text: a value, or an error code with an optional hint."""

    value: object  # float / int / bool / str; None when error
    error: str | None = None
    hint: str = ""


# --- shared plumbing -------------------------------------------------------------------------


def as_text(series: pd.Series) -> pd.Series:
    """Normalise a raw column: ``str`` dtype, surrounding spaces removed, "" → missing."""
    text = series.astype("str").str.strip()
    empty = (text == "").to_numpy(dtype=bool, na_value=False)
    return text.where(~empty, np.nan) if empty.any() else text


def _cells(
    text: pd.Series, positions: np.ndarray, parse_one: Callable[[str], Cell]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse the texts at ``positions`` once per distinct text; (values, errors, hints) arrays."""
    sub = text.iloc[positions]
    codes, uniques = pd.factorize(sub, use_na_sentinel=True)
    results = [parse_one(str(u)) for u in uniques]
    u_values = np.empty(len(results), dtype=object)
    u_values[:] = [r.value for r in results]
    u_errors = np.empty(len(results), dtype=object)
    u_errors[:] = [r.error for r in results]
    u_hints = np.empty(len(results), dtype=object)
    u_hints[:] = [r.hint for r in results]
    if (codes < 0).any():  # callers pass non-missing positions only
        raise ValueError("missing text passed to a cell parser")
    return u_values[codes], u_errors[codes], u_hints[codes]


def _parse_column(
    text: pd.Series,
    parse_one: Callable[[str], Cell],
    dtype: str,
    fast: tuple[np.ndarray, np.ndarray] | None = None,
) -> Parsed:
    """Assemble a :class:`Parsed`: ``fast`` = (mask, float values) for vectorised cells;
    every other non-blank cell goes through ``parse_one`` once per distinct text."""
    n = len(text)
    blank = text.isna().to_numpy()
    error = np.full(n, None, dtype=object)
    hint = np.full(n, "", dtype=object)
    values = np.full(n, None, dtype=object)
    todo = ~blank
    if fast is not None:
        fast_mask, fast_values = fast
        values[fast_mask] = fast_values
        todo &= ~fast_mask
    positions = np.flatnonzero(todo)
    if len(positions):
        v, e, h = _cells(text, positions, parse_one)
        values[positions] = v
        error[positions] = e
        hint[positions] = h
    if dtype == "float64":
        out = pd.Series(_to_float(values), index=text.index)
    else:
        out = pd.Series(pd.array(values.tolist(), dtype=dtype), index=text.index)
    return Parsed(
        values=out,
        blank=pd.Series(blank, index=text.index),
        error=pd.Series(error, index=text.index, dtype=object),
        hint=pd.Series(hint, index=text.index, dtype=object),
    )


def _to_float(values: np.ndarray) -> np.ndarray:
    missing = pd.isna(values)
    out = np.full(len(values), np.nan)
    out[~missing] = values[~missing].astype("float64")
    return out


# --- Vietnamese number formatting (for messages and round trips) ------------------------------


def format_vn(number: float | int | Decimal, decimals: int = 2) -> str:
    """Vietnamese style: "." between thousands, "," before decimals (1500000.5 → 1.500.000,5).

    At most ``decimals`` decimals, trailing zeros dropped.
    """
    if isinstance(number, Decimal):
        number = float(number) if abs(number) < 10**15 else number
    if isinstance(number, float):
        if not math.isfinite(number):
            return str(number)
        if number.is_integer() and abs(number) < 2**53:
            number = int(number)
    if isinstance(number, int):
        return f"{number:,}".replace(",", ".")
    text = f"{number:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", ".")
    if whole == "-0" and not frac:
        whole = "0"
    return f"{whole},{frac}" if frac else whole


# --- money -----------------------------------------------------------------------------------

_MONEY = re.compile(
    r"(?P<sign>[+\-\u2212])?\s*(?P<num>[0-9](?:[0-9.,\s]*[0-9])?)\s*(?P<unit>.*)", re.S
)
_SCI = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+")
_UNIT_CHARS = re.compile(r"[\w\s/.₫]*")
_MULTIPLIERS: dict[str, int] = {
    "trieu": 1_000_000,
    "tr": 1_000_000,
    "trd": 1_000_000,  # "1,5trđ"
    "nghin": 1_000,
    "ngan": 1_000,
    "k": 1_000,
}
_CURRENCY = frozenset({"d", "dong", "vnd"})
_PER = frozenset({"nguoi", "thang", "ng", "th"})  # "đ/người/tháng"
# Money the reader renders from numeric cells, safe to read without the Vietnamese rules:
# digits; or digits "." digits where the dot cannot be a thousands separator.
# "1.500.000", "1.500.000 đ", "1,500,000 VNĐ": the commonest typed forms, read vectorised.
_MONEY_GROUPED = re.compile(
    r"(?i)[0-9]{1,3}(?:(?:\.[0-9]{3})+|(?:,[0-9]{3})+)(?:\s*(?:đ|đồng|vnđ|vnd|₫))?"
)
# At most 15 integer digits on the vectorised paths (exact in a float64, and never an
# overflow); longer numbers go through the per-text parser, which reports them.
_MONEY_FAST = re.compile(
    r"[0-9]{1,15}|[0-9]{4,15}\.[0-9]{1,15}|[0-9]{1,3}\.(?:[0-9]{1,2}|[0-9]{4,15})"
)


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _thousands(groups: list[str]) -> str | None:
    """Join digit groups split by a thousands separator; None unless 1–3 digits then 3s."""
    if not groups or not (1 <= len(groups[0]) <= 3):
        return None
    if any(len(g) != 3 for g in groups[1:]):
        return None
    if not all(_is_digits(g) for g in groups):
        return None
    return "".join(groups)


def _money_unit(unit: str) -> tuple[int | None, bool]:
    """(multiplier or None, readable?) of the text after the number."""
    if not _UNIT_CHARS.fullmatch(unit):
        return None, False
    tokens = fold_words(unit.replace("₫", " đ ")).split()
    multiplier: int | None = None
    for token in tokens:
        if token in _MULTIPLIERS:
            if multiplier is not None:
                return None, False
            multiplier = _MULTIPLIERS[token]
        elif token not in _CURRENCY and token not in _PER:
            return None, False
    return multiplier, True


def _small_hint(value: Decimal, text: str) -> str:
    if value < 100:
        return (
            f" (có vẻ đang ghi theo triệu đồng: nếu là {format_vn(value, 6)} triệu thì ghi "
            f"{format_vn(value * 1_000_000)} thay vì {text})"
        )
    return (
        f" (có vẻ đang ghi theo nghìn đồng: nếu là {format_vn(value, 6)} nghìn thì ghi "
        f"{format_vn(value * 1_000)} thay vì {text})"
    )


def money_value(text: str) -> Cell:
    """Read one money text (đồng/người/tháng). See the module doc and the rules below.

    - "1500000", "1500000.5" (as the reader renders numbers), "1.500.000", "1,500,000",
      "1.500.000 đ", "1500000 VNĐ", "1 500 000": đồng.
    - "1,5 triệu", "1.5 triệu", "1,5tr", "1500 nghìn", "1.500 ngàn", "1500k": with a unit.
    - Several separators of one kind: thousands (groups of 3 digits, else unreadable).
      One "." and one ",": the last is the decimal mark.
    - One separator followed by exactly 3 digits (and 1–3 digits before it): thousands
      ("1.500" = 1500); but with "triệu" it could be 1,5 triệu or 1.500 triệu: ambiguous.
      Any other single separator: decimal mark.
    - 0 < value < 1000 without a multiplier unit: ambiguous (looks like triệu or nghìn).
    - Negative: so-am. Anything else: so-khong-doc-duoc.
    """
    s = text.strip()
    if _SCI.fullmatch(s):
        number = Decimal(s)
        unit_mult: int | None = None
    else:
        m = _MONEY.fullmatch(s)
        if m is None:
            return Cell(None, UNREADABLE)
        unit_mult, readable = _money_unit(m["unit"])
        if not readable:
            return Cell(None, UNREADABLE)
        parsed = _money_number(m["num"], unit_mult)
        if isinstance(parsed, Cell):
            return parsed
        number = parsed
        if m["sign"] in ("-", "\u2212") and number != 0:
            return Cell(None, NEGATIVE)
    if number < 0:
        return Cell(None, NEGATIVE)
    value = number * (unit_mult or 1)
    if value > MAX_NUMBER:
        return Cell(None, TOO_LARGE)
    as_float = float(value)
    if not math.isfinite(as_float):
        return Cell(None, UNREADABLE)
    if unit_mult is None and 0 < value < AMBIGUOUS_BELOW:
        return Cell(None, AMBIGUOUS, _small_hint(value, s))
    return Cell(as_float)


def _money_number(num: str, multiplier: int | None) -> Decimal | Cell:
    """The number part of a money text (digits, ".", ",", spaces) as an exact Decimal."""
    if any(ch.isspace() for ch in num):
        parts = num.split()
        joined = _thousands(parts)
        if joined is None:
            return Cell(None, UNREADABLE)
        return Decimal(joined)
    dots, commas = num.count("."), num.count(",")
    if dots and commas:
        last = max(num.rfind("."), num.rfind(","))
        decimal_mark = num[last]
        group_mark = "," if decimal_mark == "." else "."
        if num.count(decimal_mark) != 1:
            return Cell(None, UNREADABLE)
        whole, frac = num[:last], num[last + 1 :]
        joined = _thousands(whole.split(group_mark))
        if joined is None or not _is_digits(frac):
            return Cell(None, UNREADABLE)
        return Decimal(f"{joined}.{frac}")
    if dots + commas >= 2:
        joined = _thousands(num.split("." if dots else ","))
        if joined is None:
            return Cell(None, UNREADABLE)
        return Decimal(joined)
    if dots + commas == 1:
        head, tail = re.split(r"[.,]", num)
        if not _is_digits(head) or not _is_digits(tail):
            return Cell(None, UNREADABLE)
        if len(tail) == 3 and 1 <= len(head) <= 3:
            if multiplier == 1_000_000:
                small, large = Decimal(f"{head}.{tail}"), Decimal(head + tail)
                return Cell(
                    None,
                    AMBIGUOUS,
                    f" (không rõ là {format_vn(small, 3)} triệu hay {format_vn(large)} triệu:"
                    f" {format_vn(small, 3)} triệu thì ghi {format_vn(small * 10**6)},"
                    f" {format_vn(large)} triệu thì ghi {format_vn(large * 10**6)})",
                )
            return Decimal(head + tail)
        return Decimal(f"{head}.{tail}")
    return Decimal(num)


def parse_money(series: pd.Series) -> Parsed:
    """Money column → float64 đồng (exact for whole đồng; "2,2 triệu" is 2200000.0 exactly)."""
    text = as_text(series)
    return _parse_column(text, money_value, "float64", _fast(text, _MONEY_FAST, money=True))


def _fast(
    text: pd.Series, pattern: re.Pattern[str], *, money: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Cells matching ``pattern`` read vectorised (plain numbers as the reader renders them;
    for money also digit groups such as "1.500.000 đ")."""
    mask = text.str.fullmatch(pattern.pattern).fillna(False).to_numpy(dtype=bool).copy()
    values = np.full(len(text), np.nan)
    values[mask] = pd.to_numeric(text[mask].to_numpy(dtype=object)).astype("float64")
    if money:
        grouped = text.str.fullmatch(_MONEY_GROUPED.pattern).fillna(False).to_numpy(dtype=bool)
        grouped = grouped & ~mask & (text.str.len().fillna(0).to_numpy() <= 24)
        digits = text[grouped].str.replace(r"[^0-9]", "", regex=True)
        values[grouped] = pd.to_numeric(digits.to_numpy(dtype=object)).astype("float64")
        mask |= grouped
        # 0 < v < 1000: ambiguous; let money_value give the error and its hint
        mask &= ~((values > 0) & (values < AMBIGUOUS_BELOW))
    return mask, values[mask]


# --- plain decimals: scores, measures, counts -------------------------------------------------

_DECIMAL = re.compile(
    r"(?P<sign>[+\-\u2212])?\s*(?P<int>[0-9]+)(?:[.,](?P<frac>[0-9]+))?\s*(?P<unit>.*)", re.S
)
_DECIMAL_FAST = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")

SCORE_UNITS = frozenset({"diem", "d"})
AREA_UNITS = frozenset({"m2", "m", "nguoi", "m2nguoi"})
COUNT_UNITS = frozenset({"nguoi", "khau", "nhan", "nhankhau"})


def decimal_value(text: str, units: Iterable[str] = ()) -> Cell:
    """A plain decimal ("140", "140.5", "140,5"; never a thousands separator).

    An optional unit word after the number must be one of ``units`` (folded, e.g. "m2").
    Negative values are read (the validator decides whether they are allowed).
    """
    s = text.strip().replace("²", "2")
    if _SCI.fullmatch(s):
        return _finite(Decimal(s))
    m = _DECIMAL.fullmatch(s)
    if m is None:
        return Cell(None, UNREADABLE)
    unit = m["unit"]
    if unit:
        if not _UNIT_CHARS.fullmatch(unit):
            return Cell(None, UNREADABLE)
        allowed = set(units)
        if not all(t in allowed for t in fold_words(unit).split()) and fold(unit) not in allowed:
            return Cell(None, UNREADABLE)
    number = Decimal(f"{m['int']}.{m['frac'] or 0}")
    if m["sign"] in ("-", "\u2212"):
        number = -number
    return _finite(number)


def _finite(number: Decimal) -> Cell:
    if abs(number) > MAX_NUMBER:
        return Cell(None, TOO_LARGE)
    try:
        value = float(number)
    except (InvalidOperation, OverflowError):
        return Cell(None, UNREADABLE)
    return Cell(value) if math.isfinite(value) else Cell(None, UNREADABLE)


def parse_decimal(series: pd.Series, units: Iterable[str] = ()) -> Parsed:
    """Scores and measures → float64. Negative values are *read*, not rejected."""
    text = as_text(series)
    frozen = frozenset(units)
    return _parse_column(
        text, lambda t: decimal_value(t, frozen), "float64", _fast(text, _DECIMAL_FAST)
    )


def parse_count(series: pd.Series, units: Iterable[str] = COUNT_UNITS) -> Parsed:
    """Whole numbers → Int64 ("4", "4.0", "4,0" are 4; "4.5" is so-khong-nguyen)."""
    dec = parse_decimal(series, units)
    values = dec.values
    not_whole = (values.notna() & (values % 1 != 0)).to_numpy()
    too_big = (values.notna() & (values.abs() >= 2**53)).to_numpy()
    error = dec.error.copy()
    error[not_whole] = NOT_WHOLE
    error[too_big] = TOO_LARGE
    clean = values.where(~(not_whole | too_big))
    return Parsed(values=clean.astype("Int64"), blank=dec.blank, error=error, hint=dec.hint)


# --- marks -----------------------------------------------------------------------------------

MARK_YES = frozenset({"x", "1", "co", "c", "v", "yes", "true"})
MARK_NO = frozenset({"0", "khong", "k", "ko", "no", "false"})
_TICKS = frozenset({"✓", "✔", "☑", "✅"})
_DASHES = frozenset({"-", "–", "—"})
_MARK_WORD = re.compile(r"\w+\.?")


def mark_value(text: str) -> Cell:
    """One mark: yes (x, 1, có, ✓ …) → True; no (0, không, k, -, …) → False.

    "1.0"/"0.0" (numeric cells) read as 1/0. Any other text is an error: a mark that
    cannot be read is never taken as "no".
    """
    s = "".join(text.split()).lower()
    if s in _TICKS:
        return Cell(True)
    if s in _DASHES or s == "":
        return Cell(False)
    if s in ("1.0", "1,0"):
        return Cell(True)
    if s in ("0.0", "0,0"):
        return Cell(False)
    if not _MARK_WORD.fullmatch(s):
        return Cell(None, BAD_MARK)
    folded = fold(s)
    if folded in MARK_YES:
        return Cell(True)
    if folded in MARK_NO:
        return Cell(False)
    return Cell(None, BAD_MARK)


def parse_mark(series: pd.Series) -> Parsed:
    """Mark column → boolean; blank is False (not deprived), unreadable is NA + error.

    A mark column holds a handful of distinct texts: each is read once (``mark_value``)
    and the boolean array is assembled from the distinct results with numpy, not cell by
    cell."""
    text = as_text(series)
    n = len(text)
    blank = text.isna().to_numpy()
    data = np.zeros(n, dtype=bool)  # blank: False (not deprived)
    unknown = np.zeros(n, dtype=bool)
    error = np.full(n, None, dtype=object)
    hint = np.full(n, "", dtype=object)
    positions = np.flatnonzero(~blank)
    if len(positions):
        codes, uniques = pd.factorize(text.iloc[positions], use_na_sentinel=True)
        if (codes < 0).any():  # cannot happen: blanks are left out
            raise ValueError("missing text passed to a cell parser")
        results = [mark_value(str(u)) for u in uniques]
        u_true = np.array([r.value is True for r in results], dtype=bool)
        u_unknown = np.array([r.value is None for r in results], dtype=bool)
        u_error = np.empty(len(results), dtype=object)
        u_error[:] = [r.error for r in results]
        u_hint = np.empty(len(results), dtype=object)
        u_hint[:] = [r.hint for r in results]
        data[positions] = u_true[codes]
        unknown[positions] = u_unknown[codes]
        error[positions] = u_error[codes]
        hint[positions] = u_hint[codes]
    index = text.index
    return Parsed(
        values=pd.Series(pd.arrays.BooleanArray(data, unknown), index=index),
        blank=pd.Series(blank, index=index),
        error=pd.Series(error, index=index, dtype=object),
        hint=pd.Series(hint, index=index, dtype=object),
    )


# --- khu vực ---------------------------------------------------------------------------------

_RURAL = frozenset({"nongthon", "nt", "xa", "rural", "khuvucnongthon"})
_URBAN = frozenset(
    {"thanhthi", "dothi", "tt", "phuong", "thitran", "urban", "thanhthidothi", "khuvucdothi"}
)


def area_value(text: str) -> Cell:
    """ "Nông thôn", "NT", "xã", "rural" → nong_thon; "Thành thị", "Đô thị", "TT",
    "phường", "thị trấn", "urban" → thanh_thi; also "Xã Ea Kao", "Phường 3" (a commune
    name tells its kind). "Đặc khu" and anything else: not guessed (error)."""
    folded = fold(text)
    if folded in _RURAL:
        return Cell("nong_thon")
    if folded in _URBAN:
        return Cell("thanh_thi")
    words = fold_words(text).split()
    if len(words) >= 2:
        if words[0] == "xa":
            return Cell("nong_thon")
        if words[0] == "phuong" or words[:2] == ["thi", "tran"]:
            return Cell("thanh_thi")
    return Cell(None, BAD_AREA)


def parse_area(series: pd.Series) -> Parsed:
    """Khu vực column → "nong_thon" / "thanh_thi" (string dtype), NA when blank or unknown."""
    return _parse_column(as_text(series), area_value, "string")


# --- dân tộc ---------------------------------------------------------------------------------

_KINH = frozenset({"kinh", "viet", "kinhviet", "vietkinh", "nguoikinh", "dantockinh"})


def ethnic_minority(series: pd.Series) -> pd.Series:
    """Dân tộc → is ethnic minority (DTTS): boolean, NA when blank.

    Kinh ("Kinh", "KINH", "Việt", "Kinh (Việt)") → False; any other name → True. A number
    (an ethnicity code) is NA: code lists differ between surveys and are not guessed.
    """
    text = as_text(series)

    def one(t: str) -> Cell:
        folded = fold(t)
        if not folded or folded.isdigit():
            return Cell(None, "unknown")
        return Cell(folded not in _KINH)

    return _parse_column(text, one, "boolean").values
