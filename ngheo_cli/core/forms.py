"""The numbers of the official report forms (standards.md §8), one row per unit and a total.

Pure: the year's households (classified, with the form flags when the survey carried them),
the unit column (``thon`` for a commune, ``commune_name`` for a province), the "diễn biến"
tables per unit, and the ruleset in; a JSON-ready ``dict`` out. The Excel writer
(:mod:`ngheo_cli.io.outputs.report_forms`) only lays it out.

Conventions: units are sorted in Vietnamese order (:func:`vn_sort_key`) and numbered
``1``, ``2``…; every form's total row is the sum of its unit rows (the rates are computed
again from the summed counts); rates are percent (× 100), rounded only when shown. A field
the data do not carry is listed under ``missing`` and its cells are ``None``: the form
says "không có số liệu", never 0.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.history import BALANCE_CODES, BLANK_GROUP
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.text import fold

POOR, NEAR_POOR, MIDDLE = "ngheo", "can_ngheo", "trung_binh"
KINDS: tuple[tuple[str, str, str], ...] = (
    ("poor", POOR, "Hộ nghèo"),
    ("near_poor", NEAR_POOR, "Hộ cận nghèo"),
)
BLANK_UNIT = BLANK_GROUP  # "(trống)", as history names households without a village

# --- Vietnamese order -------------------------------------------------------------------------

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_SHAPES = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


Letters = tuple[tuple[int, int], ...]


def _scan(decomposed: str) -> tuple[list[tuple[int, int]], list[int]]:
    """The letters and tones of a casefolded NFD text: a base letter with its shape marks
    (breve, circumflex, horn) is one letter of the alphabet, its tone mark its tone; a run of
    decimal digits is one number (no tone). A shape mark that makes no single letter with
    its base ("q̂") and any other combining mark are left out; other digits ("²", "①")
    are characters like any other."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    i, n = 0, len(decomposed)
    while i < n:
        ch = decomposed[i]
        i += 1
        if ch.isdecimal():
            j = i
            while j < n and decomposed[j].isdecimal():
                j += 1
            letters.append((0, int(decomposed[i - 1 : j])))
            i = j
            continue
        tone = 0
        while i < n and unicodedata.combining(decomposed[i]):
            mark = decomposed[i]
            if mark in _SHAPES:
                shaped = unicodedata.normalize("NFC", ch + mark)
                if len(shaped) == 1:
                    ch = shaped
            elif mark in _TONES:
                tone = _TONES[mark]
            i += 1
        if ch in _RANK:
            letters.append((1, _RANK[ch]))
        elif ch.isspace():
            letters.append((-1, 0))
        else:
            letters.append((2, ord(ch)))
        tones.append(tone)
    return letters, tones


_ASCII_DIGITS = frozenset("0123456789")
# Each character's letters and tones, as :func:`_scan` gives them for its NFD form alone, or
# None for a character that does not stand alone (its NFD form begins with a combining mark,
# or holds a decimal digit other than 0-9: it may join its neighbours). Filled as characters
# are met.
_CHAR_PARTS: dict[str, tuple[Letters, tuple[int, ...]] | None] = {}


def _char_parts(ch: str) -> tuple[Letters, tuple[int, ...]] | None:
    decomposed = unicodedata.normalize("NFD", ch)
    if unicodedata.combining(decomposed[0]) or any(c.isdecimal() for c in decomposed):
        parts = None
    else:
        letters, tones = _scan(decomposed)
        parts = (tuple(letters), tuple(tones))
    _CHAR_PARTS[ch] = parts
    return parts


def vn_sort_key(text: str) -> tuple[Letters, tuple[int, ...], str]:
    """A collation key for Vietnamese: base letters in the alphabet's order (a ă â b c d đ
    e ê … o ô ơ … u ư …), case ignored, then tones (ngang, huyền, hỏi, ngã, sắc, nặng);
    digit runs compare as numbers ("Thôn 2" before "Thôn 10").

    The key is :func:`_scan` of the casefolded NFD text. In NFC every character but a
    stray combining mark begins with a base character, so the NFD text is its characters'
    NFD forms one after the other: the key is put together from each character's parts
    (:data:`_CHAR_PARTS`, computed once per character) and the runs of digits 0-9; a text
    with a character that does not stand alone is scanned whole."""
    folded = unicodedata.normalize("NFC", str(text).casefold())
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    i, n = 0, len(folded)
    while i < n:
        ch = folded[i]
        if ch in _ASCII_DIGITS:
            j = i + 1
            while j < n and folded[j] in _ASCII_DIGITS:
                j += 1
            letters.append((0, int(folded[i:j])))
            i = j
            continue
        parts = _CHAR_PARTS[ch] if ch in _CHAR_PARTS else _char_parts(ch)
        if parts is None:
            whole = _scan(unicodedata.normalize("NFD", folded))
            return tuple(whole[0]), tuple(whole[1]), str(text)
        letters += parts[0]
        tones += parts[1]
        i += 1
    return tuple(letters), tuple(tones), str(text)


def vn_sorted(names: Sequence[str]) -> list[str]:
    return sorted(names, key=vn_sort_key)


# --- helpers ----------------------------------------------------------------------------------


def rate(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or not whole:
        return None
    return 100.0 * float(part) / float(whole)


def _carried(frame: pd.DataFrame, key: str) -> bool:
    """The survey carried the field: the column exists and is not blank everywhere."""
    if key not in frame.columns or not len(frame):
        return False
    values = frame[key]
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        return bool(values.astype("string").fillna("").str.strip().ne("").any())
    return bool(values.notna().any())


def _flag(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    flags: np.ndarray = frame[key].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return flags


# Arrays every form reads, made once per build_forms call (string columns are costly to
# convert: a province has ~1M households).
_MEMO: dict[tuple[int, str], np.ndarray] = {}


def _memo(frame: pd.DataFrame, key: str, make: Any) -> np.ndarray:
    found = _MEMO.get((id(frame), key))
    if found is None:
        found = _MEMO[(id(frame), key)] = make()
    return found


def _text(values: pd.Series, strip: bool = False) -> pd.Series:
    text = values.astype("string").fillna("")
    return text.str.strip() if strip else text


def _factors(frame: pd.DataFrame, column: str, strip: bool = False
             ) -> tuple[np.ndarray, np.ndarray]:
    """A text column (NA as "", stripped or not) as codes into its distinct values (an
    object array of str, in order of first appearance): a million households have a few
    distinct classes, ethnic groups or causes, so a comparison or a mapping is made once
    per distinct value (and converting a million strings to Python objects is avoided)."""
    tag = f"{column}/{'strip' if strip else 'text'}"

    def make() -> tuple[np.ndarray, np.ndarray]:
        codes, uniques = pd.factorize(_text(frame[column], strip))
        return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)

    codes = _MEMO.get((id(frame), "codes:" + tag))
    if codes is None:
        codes, uniques = make()
        _MEMO[(id(frame), "codes:" + tag)] = codes
        _MEMO[(id(frame), "uniques:" + tag)] = uniques
    return codes, _MEMO[(id(frame), "uniques:" + tag)]


def _is_class(frame: pd.DataFrame, *codes: str) -> np.ndarray:
    """Households of any of the classes ``codes`` (``_classes(frame) == code``)."""
    def make() -> np.ndarray:
        at, uniques = _factors(frame, "phan_loai")
        wanted = np.array([u in codes for u in uniques.tolist()], dtype=bool)
        mask: np.ndarray = wanted[at] if len(at) else np.zeros(0, dtype=bool)
        return mask
    return _memo(frame, "is:" + "|".join(codes), make)


def _persons(frame: pd.DataFrame) -> np.ndarray:
    if "so_nhan_khau" not in frame.columns:
        return np.zeros(len(frame), dtype="int64")
    return _memo(frame, "so_nhan_khau", lambda: pd.to_numeric(
        frame["so_nhan_khau"], errors="coerce").fillna(0).to_numpy("int64"))


def _per_unit(at: np.ndarray, n: int, mask: np.ndarray | None = None,
              weights: np.ndarray | None = None) -> list[int]:
    """Per unit position (0…n−1): rows (or ``weights``) summed, over ``mask`` only; one
    bincount instead of a mask per unit (a province has ~1M households in 120 communes)."""
    where = at if mask is None else at[mask]
    w = None if weights is None else (weights if mask is None else weights[mask])
    sums = np.bincount(where, weights=None if w is None else w.astype("float64"), minlength=n)
    return [int(v) for v in np.rint(sums[:n]).astype(np.int64).tolist()]


def _mapped_table(frame: pd.DataFrame, column: str, fn: Any) -> tuple[np.ndarray, np.ndarray]:
    """``fn`` of each distinct value of a text column (NA as ""), and each row's index into
    that table: ``table[index]`` is ``fn`` of each row's value."""
    codes, uniques = _factors(frame, column)
    table = np.array([fn(str(u)) for u in uniques.tolist()] + [fn("")], dtype=object)
    return table, np.where(codes < 0, len(uniques), codes)


def _mapped(frame: pd.DataFrame, column: str, fn: Any) -> np.ndarray:
    """``fn`` of each row's value, computed once per distinct value."""
    table, index = _mapped_table(frame, column, fn)
    mapped: np.ndarray = table[index]
    return mapped


def _unit_series(frame: pd.DataFrame, column: str) -> pd.Series:
    """Each household's unit: the column's text, stripped; blank as :data:`BLANK_UNIT`."""
    values = frame[column].astype("string").fillna("").str.strip()
    return values.mask(values == "", BLANK_UNIT)


def _unit_codes(frame: pd.DataFrame, column: str | None) -> tuple[np.ndarray, list[str]]:
    """Each household's unit (:func:`_unit_series`; all :data:`BLANK_UNIT` without the
    column) as codes into the distinct units."""
    if column is None or column not in frame.columns:
        return np.zeros(len(frame), dtype=np.intp), [BLANK_UNIT] if len(frame) else []
    codes, uniques = pd.factorize(_unit_series(frame, column))
    return np.asarray(codes, dtype=np.intp), [str(u) for u in uniques.tolist()]


def _unit_list(labels: Sequence[str], extra: Sequence[str] = ()) -> list[str]:
    """The units in Vietnamese order: the distinct ``labels`` and ``extra``."""
    return vn_sorted(sorted({*map(str, labels), *extra}))


def _rows(units: list[str], make: Any) -> list[dict[str, Any]]:
    """One dict per unit (numbered 1, 2, …) from ``make(position)``."""
    return [{"no": str(i + 1), "name": unit, **make(i)} for i, unit in enumerate(units)]


def _total(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for key in keys:
        values = [r[key] for r in rows]
        total[key] = None if any(v is None for v in values) else int(sum(values))
    return total


# --- form 1: results --------------------------------------------------------------------------


def _results(frame: pd.DataFrame, at: np.ndarray, units: list[str],
             middle: bool, nlnn: bool) -> dict[str, Any]:
    persons = _persons(frame)
    farm_middle = _is_class(frame, MIDDLE) & _flag(frame, "nlnn")
    keys = ("households", "persons", "poor", "near_poor", "nlnn_middle", "poor_persons",
            "near_poor_persons", "nlnn_middle_persons")
    count_middle = middle and nlnn

    n = len(units)
    poor, near = _is_class(frame, POOR), _is_class(frame, NEAR_POOR)
    sums = {
        "households": _per_unit(at, n),
        "persons": _per_unit(at, n, None, persons),
        "poor": _per_unit(at, n, poor),
        "near_poor": _per_unit(at, n, near),
        "nlnn_middle": _per_unit(at, n, farm_middle) if count_middle else None,
        "poor_persons": _per_unit(at, n, poor, persons),
        "near_poor_persons": _per_unit(at, n, near, persons),
        "nlnn_middle_persons": _per_unit(at, n, farm_middle, persons) if count_middle else None,
    }
    rows = _rows(units, lambda i: {k: None if v is None else v[i] for k, v in sums.items()})
    total = {"no": "", "name": None, **_total(rows, keys)}
    for r in [*rows, total]:
        r["poor_rate"] = rate(r["poor"], r["households"])
        r["near_poor_rate"] = rate(r["near_poor"], r["households"])
        r["nlnn_middle_rate"] = rate(r["nlnn_middle"], r["households"])
        r["poor_persons_rate"] = rate(r["poor_persons"], r["persons"])
        r["near_poor_persons_rate"] = rate(r["near_poor_persons"], r["persons"])
        r["nlnn_middle_persons_rate"] = rate(r["nlnn_middle_persons"], r["persons"])
    return {"rows": rows, "total": total}


# --- forms 2 and 3: balances ------------------------------------------------------------------

# The form's own numbering, from history's lines: the near-poor form has (2) thoát cận
# nghèo and (3) trở thành hộ nghèo, history the other way round.
FORM_LINE_FROM_HISTORY: dict[str, dict[int, int]] = {
    "poor": {i: i for i in range(1, 10)},
    "near_poor": {1: 1, 2: 3, 3: 2, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9},
}
FORM_LINE_CODES: dict[str, dict[int, str]] = {
    kind: {line: BALANCE_CODES[kind][FORM_LINE_FROM_HISTORY[kind][line]] for line in range(2, 9)}
    for kind in ("poor", "near_poor")
}


def _balances(tables: Mapping[str, pd.DataFrame] | None, unit_column: str,
              units: list[str]) -> dict[str, Any] | None:
    """Per kind, the unit rows (``households`` and ``persons``: lines (1)…(9) in the form's
    numbering) and their total. ``tables``: history's tables with one row per unit (in
    ``unit_column``) and a last total row, which is not used: the form's total is the sum
    of its rows, so a household that moved between units shows as (4) in one and (8) in
    the other."""
    if not tables:
        return None
    out: dict[str, Any] = {}
    for kind in ("poor", "near_poor"):
        table = tables[kind].iloc[:-1] if len(tables[kind]) > 1 else tables[kind].iloc[0:0]
        by_unit = {str(r[unit_column]): r for _, r in table.iterrows()}
        mapping = FORM_LINE_FROM_HISTORY[kind]

        def lines(unit: str, prefix: str, by_unit: dict[str, Any] = by_unit,
                  mapping: dict[int, int] = mapping) -> list[int]:
            row = by_unit.get(unit)
            if row is None:
                return [0] * 9
            return [int(row[f"{prefix}_{mapping[i]}"]) for i in range(1, 10)]

        rows: list[dict[str, Any]] = [{"no": str(i), "name": u, "households": lines(u, "ho"),
                 "persons": lines(u, "nk")} for i, u in enumerate(units, start=1)]
        total = {
            "no": "", "name": None,
            "households": [sum(r["households"][i] for r in rows) for i in range(9)],
            "persons": [sum(r["persons"][i] for r in rows) for i in range(9)],
        }
        out[kind] = {"rows": rows, "total": total}
    return out


def balance_identity(lines: Sequence[int]) -> bool:
    """(9) = (1) − (2) − (3) − (4) + (5) + (6) + (7) + (8) (a list of lines 1…9)."""
    c = dict(enumerate(lines, start=1))
    return c[9] == c[1] - c[2] - c[3] - c[4] + c[5] + c[6] + c[7] + c[8]


# --- form 4: deprivations ---------------------------------------------------------------------


def _deprivations(frame: pd.DataFrame, at: np.ndarray, units: list[str],
                  ruleset: Ruleset | None) -> dict[str, Any] | None:
    """Households deprived in each indicator, in the standard's order (the rules file lists
    them as the decree does), among poor and among near-poor households with indicator
    marks. None when the survey has no indicator columns (only Điểm B)."""
    if ruleset is None or any(i not in frame.columns for i in ruleset.indicator_ids):
        return None
    with_marks = (
        frame["nguon_thieu_hut"].astype("string").fillna("").eq("chi_so").to_numpy(dtype=bool)
        if "nguon_thieu_hut" in frame.columns else np.ones(len(frame), dtype=bool)
    )
    marks = np.column_stack([_flag(frame, i) for i in ruleset.indicator_ids]) if len(
        ruleset.indicator_ids) else np.zeros((len(frame), 0), dtype=bool)
    out: dict[str, Any] = {
        "indicators": [{"id": ind.id, "name": ind.name,
                        "dimension": ruleset.dimensions[ind.dimension]}
                       for ind in ruleset.indicators],
        "households_without_marks": int((~with_marks & _is_class(frame, POOR, NEAR_POOR)).sum()),
    }
    n = len(units)
    n_ind = len(ruleset.indicator_ids)
    for kind, code, _ in KINDS:
        in_kind = _is_class(frame, code) & with_marks
        households = _per_unit(at, n, in_kind)
        # Among the kind's households only (the same rows, in the same order).
        at_kind, marks_kind = at[in_kind], marks[in_kind]
        per_ind = [_per_unit(at_kind, n, marks_kind[:, j]) for j in range(n_ind)]

        def counts(i: int, households: list[int] = households,
                   per_ind: list[list[int]] = per_ind) -> dict[str, Any]:
            per = [per_ind[j][i] for j in range(n_ind)]
            return {"households": households[i], "deprivations": sum(per), "counts": per}

        rows = _rows(units, counts)
        total = {"no": "", "name": None,
                 "households": sum(r["households"] for r in rows),
                 "deprivations": sum(r["deprivations"] for r in rows),
                 "counts": [sum(r["counts"][j] for r in rows) for j in range(n_ind)]}
        for r in [*rows, total]:
            r["rates"] = [rate(c, r["households"]) for c in r["counts"]]
            r["deprivations_per_household"] = (
                None if not r["households"] else r["deprivations"] / r["households"])
        out[kind] = {"rows": rows, "total": total}
    return out


# --- forms 5, 6, 8: groups --------------------------------------------------------------------

TARGET_GROUPS: tuple[tuple[str, str], ...] = (
    ("dtts", "Hộ dân tộc thiểu số"),
    ("khong_kha_nang_lao_dong", "Hộ không có khả năng lao động"),
    ("co_nguoi_co_cong", "Hộ có người có công với cách mạng"),
    ("khac", "Hộ khác"),
)


def _dtts(frame: pd.DataFrame) -> np.ndarray:
    if "is_dtts" in frame.columns:
        flags: np.ndarray = frame["is_dtts"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        return flags
    return np.zeros(len(frame), dtype=bool)


def _grouped(frame: pd.DataFrame, at: np.ndarray, units: list[str],
             groups: Sequence[tuple[str, np.ndarray | None]]) -> dict[str, Any]:
    """Per kind (poor, near-poor) and unit: households and persons in each group (a group
    of None is one the data do not carry: its cells are None)."""
    persons = _persons(frame)
    keys = [g for g, _ in groups]
    out: dict[str, Any] = {}
    n = len(units)
    for kind, code, _ in KINDS:
        # The kind's households only (a fraction of a province's million), then each group
        # among them: the same rows in the same order as masking the whole frame.
        in_kind = _is_class(frame, code)
        at_kind, persons_kind = at[in_kind], persons[in_kind]
        base = (_per_unit(at_kind, n), _per_unit(at_kind, n, None, persons_kind))
        parts: dict[str, Any] = {}
        for key, mask in groups:
            if mask is None:
                parts[key] = None
                continue
            mask_kind = mask[in_kind]
            parts[key] = (_per_unit(at_kind, n, mask_kind),
                          _per_unit(at_kind, n, mask_kind, persons_kind))

        def counts(
            i: int, base: tuple[Any, ...] = base, parts: dict[str, Any] = parts
        ) -> dict[str, Any]:
            row: dict[str, Any] = {"households": base[0][i], "persons": base[1][i]}
            for key, sums in parts.items():
                row[key] = None if sums is None else {"households": sums[0][i],
                                                      "persons": sums[1][i]}
            return row

        rows = _rows(units, counts)
        total: dict[str, Any] = {"no": "", "name": None,
                                 "households": sum(r["households"] for r in rows),
                                 "persons": sum(r["persons"] for r in rows)}
        for key in keys:
            if any(r[key] is None for r in rows):
                total[key] = None
            else:
                total[key] = {k: sum(r[key][k] for r in rows) for k in ("households", "persons")}
        out[kind] = {"rows": rows, "total": total}
    return out


def _target_groups(frame: pd.DataFrame, at: np.ndarray, units: list[str],
                   missing: set[str]) -> dict[str, Any]:
    dtts = _dtts(frame) if "dtts" not in missing else None
    unable = None if "khong_kha_nang_lao_dong" in missing else _flag(
        frame, "khong_kha_nang_lao_dong")
    merit = None if "co_nguoi_co_cong" in missing else _flag(frame, "co_nguoi_co_cong")
    other = None
    if dtts is not None and unable is not None and merit is not None:
        other = ~(dtts | unable | merit)
    groups = [("dtts", dtts), ("khong_kha_nang_lao_dong", unable),
              ("co_nguoi_co_cong", merit), ("khac", other)]
    return {"groups": [{"key": k, "label": label} for k, label in TARGET_GROUPS],
            **_grouped(frame, at, units, groups)}


KINH_FOLDED = "kinh"


def _ethnic(frame: pd.DataFrame, at: np.ndarray, units: list[str],
            missing: set[str]) -> dict[str, Any]:
    """Kinh, DTTS, and each minority group present among poor or near-poor households."""
    if "dan_toc" in missing:
        return {"groups": [], "available": False, **_grouped(frame, at, units, [])}
    # The stripped names, as codes into the distinct names (see _factors).
    name_at, distinct = _factors(frame, "dan_toc", strip=True)
    dtts = _dtts(frame)
    listed = _is_class(frame, POOR, NEAR_POOR)
    present = vn_sorted(sorted({str(n) for n in distinct[np.unique(name_at[listed & dtts])]
                                if n}))
    kinh = _mapped(frame, "dan_toc", lambda v: fold(v) == KINH_FOLDED).astype(bool) & ~dtts
    groups: list[tuple[str, np.ndarray | None]] = [("kinh", kinh), ("dtts", dtts)]
    labels_of = [{"key": "kinh", "label": "Kinh"},
                 {"key": "dtts", "label": "Dân tộc thiểu số"}]
    for i, name in enumerate(present):
        groups.append((f"g{i}", (distinct == name)[name_at]))
        labels_of.append({"key": f"g{i}", "label": name})
    return {"groups": labels_of, "available": True, **_grouped(frame, at, units, groups)}


# The eight causes of the form, in its order.
CAUSES: tuple[tuple[str, str], ...] = (
    ("dat", "Thiếu đất sản xuất"),
    ("von", "Thiếu vốn"),
    ("lao_dong", "Thiếu lao động"),
    ("cong_cu", "Thiếu công cụ, phương tiện sản xuất"),
    ("kien_thuc", "Thiếu kiến thức sản xuất"),
    ("ky_nang", "Thiếu kỹ năng lao động"),
    ("om_dau", "Có người ốm đau, tai nạn"),
    ("khac", "Nguyên nhân khác"),
)
# Folded words a written cause may use, most specific first ("thiếu kỹ năng lao động" is
# ky_nang, not lao_dong).
_CAUSE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ky_nang", ("kynang", "taynghe")),
    ("kien_thuc", ("kienthuc", "kinhnghiem")),
    ("cong_cu", ("congcu", "phuongtien")),
    ("om_dau", ("omdau", "benh", "tainan", "omyeu")),
    ("von", ("von",)),
    ("dat", ("dat",)),
    ("lao_dong", ("laodong",)),
)


def cause_key(text: str) -> str | None:
    """The form's cause for a written cause ("Thiếu vốn sản xuất" → ``von``); blank → None;
    anything not recognised → ``khac``."""
    folded = fold(text or "")
    if not folded:
        return None
    for key, words in _CAUSE_WORDS:
        if any(w in folded for w in words):
            return key
    return "khac"


def _causes(frame: pd.DataFrame, at: np.ndarray, units: list[str],
            missing: set[str]) -> dict[str, Any]:
    if "nguyen_nhan" in missing:
        return {"causes": [{"key": k, "label": label} for k, label in CAUSES],
                "available": False,
                **_grouped(frame, at, units, [(k, None) for k, _ in CAUSES])}
    # Each distinct cause's key, then each household's through its index into them.
    keys, index = _mapped_table(frame, "nguyen_nhan", cause_key)
    groups: list[tuple[str, np.ndarray | None]] = [(k, (keys == k)[index]) for k, _ in CAUSES]
    groups.append(("chua_ghi", np.array([k is None for k in keys], dtype=bool)[index]))
    return {"causes": [{"key": k, "label": label} for k, label in CAUSES],
            "available": True, **_grouped(frame, at, units, groups)}


def _multidimensional(frame: pd.DataFrame, at: np.ndarray, units: list[str],
                      missing: set[str]) -> dict[str, Any]:
    """Kinh / DTTS / dân tộc tại chỗ, có người có công, không có khả năng lao động, chủ hộ
    là nữ: each where the data carry the field."""
    dtts = None if "dtts" in missing else _dtts(frame)
    kinh = None
    if dtts is not None and "dan_toc" not in missing:
        kinh = _mapped(frame, "dan_toc", lambda v: fold(v) == KINH_FOLDED).astype(bool) & ~dtts
    local = None if "dan_toc_tai_cho" in missing else _flag(frame, "dan_toc_tai_cho")
    merit = None if "co_nguoi_co_cong" in missing else _flag(frame, "co_nguoi_co_cong")
    unable = None if "khong_kha_nang_lao_dong" in missing else _flag(
        frame, "khong_kha_nang_lao_dong")
    female = None
    if "gioi_tinh_chu_ho" not in missing:
        female = _mapped(frame, "gioi_tinh_chu_ho",
                         lambda v: fold(v) in ("nu", "f", "female")).astype(bool)
    groups = [("kinh", kinh), ("dtts", dtts), ("dan_toc_tai_cho", local),
              ("co_nguoi_co_cong", merit), ("khong_kha_nang_lao_dong", unable),
              ("chu_ho_nu", female)]
    return {"groups": [
        {"key": "kinh", "label": "Hộ dân tộc Kinh"},
        {"key": "dtts", "label": "Hộ dân tộc thiểu số"},
        {"key": "dan_toc_tai_cho", "label": "Trong đó: hộ dân tộc thiểu số tại chỗ"},
        {"key": "co_nguoi_co_cong", "label": "Hộ có người có công với cách mạng"},
        {"key": "khong_kha_nang_lao_dong", "label": "Hộ không có khả năng lao động"},
        {"key": "chu_ho_nu", "label": "Hộ có chủ hộ là nữ"},
    ], **_grouped(frame, at, units, groups)}


# --- form 9: detailed lists -------------------------------------------------------------------

LIST_STATUS: dict[str, dict[str, str]] = {
    # bien_dong code → the list's column (mới, tái, cũ)
    "poor": {"con_ngheo": "cu", "tai_ngheo": "tai"},
    "near_poor": {"con_can_ngheo": "cu", "tai_can_ngheo": "tai"},
}


def _lists(frame: pd.DataFrame, at: np.ndarray, units: list[str],
           status: pd.Series | None) -> dict[str, Any]:
    """Poor and near-poor households, grouped by unit (numbered 1, then 1.1, 1.2, …), with
    the list's status: ``moi`` (new: phát sinh, from the other list, moved in), ``tai``
    (again after leaving), ``cu`` (on the list last year); None without last year."""
    codes = frame["ma_ho"].astype("string").fillna("").to_numpy(dtype=object)
    names = (frame["ho_ten_chu_ho"].astype("string").fillna("").to_numpy(dtype=object)
             if "ho_ten_chu_ho" in frame.columns else np.full(len(frame), "", dtype=object))
    ethnic = (frame["dan_toc"].astype("string").fillna("").to_numpy(dtype=object)
              if "dan_toc" in frame.columns else np.full(len(frame), "", dtype=object))
    sex = (frame["gioi_tinh_chu_ho"].astype("string").fillna("").to_numpy(dtype=object)
           if "gioi_tinh_chu_ho" in frame.columns else np.full(len(frame), "", dtype=object))
    persons = _persons(frame)
    deprived = (pd.to_numeric(frame["so_thieu_hut"], errors="coerce").to_numpy(dtype=float)
                if "so_thieu_hut" in frame.columns else np.full(len(frame), np.nan))
    by_code = (None if status is None
               else dict(zip(status.index.tolist(), status.astype("string").tolist(),
                             strict=True)))
    out: dict[str, Any] = {"with_status": status is not None}
    for kind, code, _ in KINDS:
        groups = []
        rank = 0
        listed = _is_class(frame, code)
        for position, unit in enumerate(units):
            idx = np.flatnonzero(listed & (at == position))
            if not len(idx):
                continue
            rank += 1
            # The unit's households as Python values (one conversion per column, not one
            # numpy scalar per cell), ordered by name then code.
            unit_codes = [str(c) for c in codes[idx].tolist()]
            unit_names = [str(n) for n in names[idx].tolist()]
            unit_ethnic = [str(e) for e in ethnic[idx].tolist()]
            unit_sex = [str(x) for x in sex[idx].tolist()]
            unit_persons = persons[idx].tolist()
            unit_deprived = deprived[idx].tolist()
            ordered = sorted(range(len(idx)),
                             key=lambda i: (vn_sort_key(unit_names[i]), unit_codes[i]))
            households = []
            for j, i in enumerate(ordered, start=1):
                state = None
                if by_code is not None:
                    state = LIST_STATUS[kind].get(str(by_code.get(unit_codes[i], "")), "moi")
                households.append({
                    "no": f"{rank}.{j}", "ma_ho": unit_codes[i], "ho_ten": unit_names[i],
                    "dan_toc": unit_ethnic[i] or None, "gioi_tinh": unit_sex[i] or None,
                    "persons": int(unit_persons[i]),
                    "deprivations": (None if math.isnan(unit_deprived[i])
                                     else int(unit_deprived[i])),
                    "status": state,
                })
            groups.append({"no": str(rank), "name": unit, "households": households})
        out[kind] = groups
    return out


# --- everything -------------------------------------------------------------------------------


def build_forms(
    frame: pd.DataFrame,
    unit_column: str | None,
    ruleset: Ruleset | None,
    balances: Mapping[str, pd.DataFrame] | None = None,
    balance_unit_column: str = "thon",
    status: pd.Series | None = None,
    with_lists: bool = True,
) -> dict[str, Any]:
    """The forms' numbers. ``balances``: history's tables with one row per unit (column
    ``balance_unit_column``) and a total row; ``status``: this year's ``bien_dong`` code
    per household code (None without last year); ``with_lists``: the detailed lists."""
    if frame.attrs:
        # pandas deep-copies a frame's ``attrs`` (the store's run) into every column and
        # result taken from it, a few hundred times here; the forms do not read them.
        frame = frame.copy(deep=False)
        frame.attrs = {}
    codes, uniques = _unit_codes(frame, unit_column)
    extra: list[str] = []
    if balances:
        for table in balances.values():
            extra += [str(v) for v in table[balance_unit_column].iloc[:-1].tolist()]
    units = _unit_list(uniques, extra)
    position = {u: i for i, u in enumerate(units)}
    at = np.array([position[u] for u in uniques], dtype=np.int64)[codes] if len(
        codes) else np.zeros(0, dtype=np.int64)
    missing = {key for key in ("nlnn", "dan_toc_tai_cho", "gioi_tinh_chu_ho",
                               "khong_kha_nang_lao_dong", "co_nguoi_co_cong", "nguyen_nhan",
                               "dan_toc") if not _carried(frame, key)}
    if "dan_toc" in missing and not _carried(frame, "is_dtts"):
        missing.add("dtts")
    middle = ruleset is not None and ruleset.middle_band_upper is not None
    try:
        return _build(frame, at, units, missing, middle, ruleset, balances,
                      balance_unit_column, status, with_lists)
    finally:
        for key in [k for k in _MEMO if k[0] == id(frame)]:
            del _MEMO[key]


def _build(frame: pd.DataFrame, at: np.ndarray, units: list[str], missing: set[str],
           middle: bool, ruleset: Ruleset | None,
           balances: Mapping[str, pd.DataFrame] | None, balance_unit_column: str,
           status: pd.Series | None, with_lists: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "units": [{"no": str(i), "name": u} for i, u in enumerate(units, start=1)],
        "missing": sorted(missing),
        "middle_defined": middle,
        "results": _results(frame, at, units, middle, "nlnn" not in missing),
        "balances": _balances(balances, balance_unit_column, units),
        "deprivations": _deprivations(frame, at, units, ruleset),
        "target_groups": _target_groups(frame, at, units, missing),
        "ethnic": _ethnic(frame, at, units, missing),
        "causes": _causes(frame, at, units, missing),
        "multidimensional": _multidimensional(frame, at, units, missing),
        "lists": _lists(frame, at, units, status) if with_lists else None,
    }
    return result
