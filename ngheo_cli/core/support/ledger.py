"""The support ledger (sổ theo dõi hỗ trợ) read and checked: who gave what to which household,
and when.

Pure: a :class:`~ngheo_cli.core.table.RawTable` (read by
:func:`ngheo_cli.io.read.workbook.read_table` with ``fields=SUPPORT_FIELDS``) in, a typed frame
of records and :class:`~ngheo_cli.core.findings.Finding`\\ s with Excel cell references out.
A record: date, giver (a party member's code, a party cell, an agency or a fund, with the kind
of giver), household code, kind of support, quantity and unit (a unit that fits the kind),
value in đồng (read like incomes, :func:`ngheo_cli.core.parse.money_value`) and a note. A row
with an error is left out of the records *and* named by a finding.

Duplicates: every record has a content key (:func:`record_key`) over date, giver, household,
kind, quantity, unit and value. The store keeps one record per key and commune-year, so
importing a file twice, or the same record from two files, counts once.
"""


from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.collector import FindingCollector
from ngheo_cli.core.findings import CATALOGUE, Finding
from ngheo_cli.core.parse import (
    AMBIGUOUS,
    NEGATIVE,
    UNREADABLE,
    Cell,
    decimal_value,
    format_vn,
    money_value,
)
from ngheo_cli.core.support.vocabulary import (
    _UNIT_INDEX,
    GIVER_KINDS,
    KIND_BY_CODE,
    KIND_LABELS,
    RECORD_COLUMNS,
    SUPPORT_FIELD_BY_KEY,
    UNIT_BY_CODE,
    SupportKind,
    date_value,
    giver_kind_code,
    kind_code,
    show_date,
    unit_code,
    units_text,
)
from ngheo_cli.core.table import RawTable
from ngheo_cli.core.text import fold

# --- content key -----------------------------------------------------------------------------


def _number_key(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format(Decimal(str(round(float(value), 6))).normalize(), "f")


def giver_key(text: str) -> str:
    """Givers compare after folding: "Trạm Y tế xã" and "TRAM Y TE XA" are one giver."""
    return fold(text)


def record_key(
    ngay: str,
    nguoi_ho_tro: str,
    ma_ho: str,
    loai: str,
    so_luong: float | None,
    don_vi: str,
    gia_tri: float | None,
) -> str:
    """The content key of a record: same date, giver, household, kind, quantity, unit and
    value → same key (the note and the kind of giver do not count)."""
    parts = (
        ngay,
        giver_key(nguoi_ho_tro),
        ma_ho.strip(),
        loai,
        _number_key(so_luong),
        fold(don_vi),
        _number_key(gia_tri),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


# --- findings --------------------------------------------------------------------------------


def _suggest_code(value: str, known: Collection[str]) -> str:
    """A hint for a code that is not known: lost leading zeros, or a close spelling."""
    bare = value.lstrip("0")
    padded = [k for k in known if k.lstrip("0") == bare and k != value]
    if len(padded) == 1:
        return f' Có phải là "{padded[0]}" (Excel có thể đã bỏ số 0 ở đầu)?'
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.85)
    return f' Có phải là "{close[0]}"?' if close else ""


def text_or_none(value: object) -> str | None:
    """A cell as stripped text, or None when it is blank or missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


_QUANTITY_UNIT = re.compile(r"\s*[+\-\u2212]?\s*[0-9][0-9.,\s]*(?P<unit>.*)", re.S)


def _quantity(text: str, money: bool) -> tuple[Cell, str]:
    """(the number, a unit written after it or ""). Money kinds read the number like incomes."""
    if money:
        return money_value(text), ""
    cell = decimal_value(text, units=_UNIT_INDEX.keys())
    unit = ""
    if cell.error is None:
        m = _QUANTITY_UNIT.fullmatch(text)
        unit = m["unit"].strip() if m else ""
    elif (m := _QUANTITY_UNIT.fullmatch(text)) and unit_code(m["unit"]) is not None:
        # "10 cây giống": several words, not each a unit on its own.
        number = text[: len(text) - len(m["unit"])]
        cell = decimal_value(number)
        unit = m["unit"].strip()
    return cell, unit


def prepare_support(
    raw: RawTable,
    year: int,
    *,
    households: Collection[str] | None,
    members: pd.DataFrame | None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Check every cell of a support sheet; return (records, findings).

    ``households``: the household codes recorded for the commune-year (None: none are
    recorded, codes are not checked and one warning says so). ``members``: the members
    recorded for the year (columns ``ma_dang_vien``, ``ho_ten``; None or empty: member codes
    are not checked, one warning says so).

    Errors (row left out): blank or unreadable date, a date outside ``year``; no giver, a
    kind of giver that cannot be told, an unknown member code; no or unknown household; no
    or unknown kind; a unit that does not fit the kind; a missing, unreadable, zero or
    negative quantity; an unreadable, ambiguous or negative value, or no value where the
    kind is money. Warning: the same record twice in the sheet (counted once).

    ``records``: columns :data:`RECORD_COLUMNS` (text as ``string``), index = Excel row.
    """
    frame = raw.frame
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    out = FindingCollector(raw, raw.frame, SUPPORT_FIELD_BY_KEY, ma_ho_key=None)
    first_row = (max(raw.header_rows) + 1) if raw.header_rows else 2
    known_households = set(households) if households is not None else None
    member_codes: set[str] | None = None
    member_names: dict[str, list[str]] = {}
    if members is not None and len(members):
        member_codes = {str(c) for c in members["ma_dang_vien"].dropna()}
        if "ho_ten" in members.columns:
            for code, name in zip(members["ma_dang_vien"], members["ho_ten"], strict=True):
                if text_or_none(name):
                    member_names.setdefault(fold(str(name)), []).append(str(code))
    if known_households is None:
        out.add_at("ht-chua-co-ho", None, first_row, None, year=year)
    if member_codes is None:
        out.add_at("ht-chua-co-dang-vien", None, first_row, None, year=year)

    columns = {key: frame[key] if key in frame.columns else None for key in RECORD_COLUMNS}
    ctx = _Context(out, year, known_households, member_codes, member_names)
    kept: list[dict[str, object]] = []
    kept_rows: list[int] = []
    first_by_key: dict[str, int] = {}
    for pos, excel_row in enumerate(frame.index.to_numpy()):
        texts = {
            key: (None if column is None else text_or_none(column.iloc[pos]))
            for key, column in columns.items()
        }
        record = _check_row(ctx, int(excel_row), texts)
        if record is None:
            continue
        key = str(record["record_key"])
        if key in first_by_key:
            out.add_at(
                "ht-trung",
                "ma_ho",
                int(excel_row),
                str(record["ma_ho"]),
                other_row=first_by_key[key],
            )
            continue
        first_by_key[key] = int(excel_row)
        kept_rows.append(int(excel_row))
        kept.append(record)
    records = records_frame(kept, index=kept_rows)
    return records, out.sorted_findings()


@dataclass
class _Context:
    out: FindingCollector
    year: int
    households: set[str] | None
    member_codes: set[str] | None
    member_names: dict[str, list[str]]


class _Row:
    """Findings of one row; ``bad`` once an error is added."""

    def __init__(self, ctx: _Context, row: int, ma_ho: str | None) -> None:
        self.ctx, self.row, self.ma_ho, self.bad = ctx, row, ma_ho, False

    def __call__(self, code: str, key: str | None, **fields: object) -> None:
        self.ctx.out.add_at(code, key, self.row, self.ma_ho, **fields)
        if CATALOGUE[code].severity == "error":
            self.bad = True


def _check_row(
    ctx: _Context, row: int, cells: Mapping[str, str | None]
) -> dict[str, object] | None:
    """One row's record (with its content key), or None when it has an error."""
    year = ctx.year
    ma_ho = cells.get("ma_ho")
    err = _Row(ctx, row, ma_ho)

    # Date.
    ngay_text = cells.get("ngay")
    ngay: str | None = None
    if ngay_text is None:
        err("ht-ngay-trong", "ngay", year=year)
    else:
        parsed = date_value(ngay_text)
        if parsed.error is not None:
            err("ht-ngay-khong-doc-duoc", "ngay", value=ngay_text, year=year)
        else:
            ngay = str(parsed.value)
            if int(ngay[:4]) != year:
                err(
                    "ht-ngay-ngoai-nam",
                    "ngay",
                    value=show_date(ngay),
                    year=year,
                    other_year=int(ngay[:4]),
                )

    # Giver and the kind of giver.
    giver = cells.get("nguoi_ho_tro")
    giver_kind_text = cells.get("loai_nguoi")
    giver_kind: str | None = None
    choices = ", ".join(GIVER_KINDS.values())
    if giver_kind_text is not None:
        giver_kind = giver_kind_code(giver_kind_text)
        if giver_kind is None:
            err(
                "ht-loai-nguoi-khong-ro",
                "loai_nguoi",
                value=giver_kind_text,
                shown=f' "{giver_kind_text}"',
                choices=choices,
            )
    if giver is None:
        err("ht-nguoi-ho-tro-trong", "nguoi_ho_tro")
    elif giver_kind_text is None:
        giver_kind = _infer_giver_kind(giver, ctx.member_codes)
        if giver_kind is None:
            err(
                "ht-loai-nguoi-khong-ro",
                "loai_nguoi",
                value="",
                shown=f' của "{giver}" (ô trống, tên không cho biết)',
                choices=choices,
            )
    if giver is not None and giver_kind == "dang_vien" and ctx.member_codes is not None:
        if giver not in ctx.member_codes:
            err(
                "ht-dang-vien-khong-co",
                "nguoi_ho_tro",
                value=giver,
                year=year,
                suggest=_suggest_member(giver, ctx.member_codes, ctx.member_names),
            )

    # Household.
    if ma_ho is None:
        err("ht-ma-ho-trong", "ma_ho")
    elif ctx.households is not None and ma_ho not in ctx.households:
        err(
            "ht-ho-khong-co",
            "ma_ho",
            value=ma_ho,
            year=year,
            suggest=_suggest_code(ma_ho, ctx.households),
        )

    # Kind.
    kind_text = cells.get("loai")
    kind: SupportKind | None = None
    kinds = ", ".join(KIND_LABELS.values())
    if kind_text is None:
        err("ht-loai-trong", "loai", choices=kinds)
    else:
        code = kind_code(kind_text)
        if code is None:
            err("ht-loai-khong-ro", "loai", value=kind_text, choices=kinds)
        else:
            kind = KIND_BY_CODE[code]

    # Quantity (a unit may follow the number: "10 cây").
    quantity: float | None = None
    quantity_unit = ""
    q_text = cells.get("so_luong")
    if q_text is not None:
        q_cell, quantity_unit = _quantity(q_text, kind.money if kind else False)
        if q_cell.error == NEGATIVE or (q_cell.error is None and float(str(q_cell.value)) < 0):
            err(NEGATIVE, "so_luong", value=q_text)
        elif q_cell.error is not None:
            _number_error(err, q_cell, "so_luong", q_text, "10")
        elif float(str(q_cell.value)) == 0:
            err("ht-so-luong-bang-0", "so_luong", value=q_text)
        else:
            quantity = float(str(q_cell.value))

    # Value in đồng, read like incomes.
    value: float | None = None
    v_text = cells.get("gia_tri")
    if v_text is not None:
        v_cell = money_value(v_text)
        if v_cell.error is not None:
            _number_error(err, v_cell, "gia_tri", v_text, "500.000")
        else:
            value = float(str(v_cell.value))

    # Unit: must fit the kind; blank → the kind's own unit.
    unit_cell = cells.get("don_vi")
    unit_text = unit_cell or quantity_unit or None
    unit = ""
    if kind is not None:
        if unit_text is None:
            unit = kind.units[0] if kind.units else ""
        else:
            found = unit_code(unit_text)
            if kind.units and found not in kind.units:
                err(
                    "ht-don-vi-khong-hop",
                    "don_vi" if unit_cell else "so_luong",
                    value=unit_text,
                    kind=kind.label,
                    units=units_text(kind),
                )
            else:
                unit = found or unit_text
        if kind.money:
            # Money and loans: the amount is the value; a quantity is read as đồng too.
            if value is None and quantity is not None:
                value = quantity
            if q_text is None and v_text is None:
                err("ht-thieu-gia-tri", "gia_tri", kind=kind.label)
            elif value is not None and quantity is not None and value != quantity:
                err("ht-tien-lech", "gia_tri", value=v_text, quantity=format_vn(quantity))
            quantity = value
        elif q_text is None:
            err(
                "ht-thieu-so-luong",
                "so_luong",
                kind=kind.label,
                unit=UNIT_BY_CODE[kind.units[0]].label if kind.units else "",
            )

    if err.bad or ngay is None or giver is None or ma_ho is None or kind is None:
        return None
    return {
        "ngay": ngay,
        "loai_nguoi": giver_kind,
        "nguoi_ho_tro": giver,
        "ma_ho": ma_ho,
        "loai": kind.code,
        "so_luong": quantity,
        "don_vi": unit,
        "gia_tri": value,
        "ghi_chu": cells.get("ghi_chu"),
        "record_key": record_key(ngay, giver, ma_ho, kind.code, quantity, unit, value),
    }


def records_frame(rows: list[dict[str, object]], index: list[int] | None = None) -> pd.DataFrame:
    """Typed records (see :data:`RECORD_COLUMNS`) from plain dicts."""
    data: dict[str, Any] = {}
    for key in RECORD_COLUMNS:
        values = [r.get(key) for r in rows]
        if key in ("so_luong", "gia_tri"):
            data[key] = pd.Series(
                [np.nan if v is None else float(str(v)) for v in values], dtype="float64"
            )
        else:
            data[key] = pd.Series(
                pd.array([None if v is None else str(v) for v in values], dtype="string")
            )
    frame = pd.DataFrame(data)
    if index is not None:
        frame.index = pd.Index(index, dtype="int64")
    return frame


def _number_error(
    err: Callable[..., None], parsed: Cell, key: str, text: str, example: str
) -> None:
    if parsed.error == NEGATIVE:
        err(NEGATIVE, key, value=text)
    elif parsed.error == AMBIGUOUS:
        err(AMBIGUOUS, key, value=text, hint=parsed.hint)
    else:
        err(UNREADABLE, key, value=text, example=example)


def _infer_giver_kind(giver: str, member_codes: set[str] | None) -> str | None:
    """Kind of giver when the column is blank: a known member code; "Chi bộ …"; "Quỹ …",
    "Ngân hàng …"; a bare code (digits) when no members are recorded. Else unknown."""
    if member_codes is not None and giver in member_codes:
        return "dang_vien"
    folded = fold(giver)
    if folded.startswith(("chibo", "dangbo")):
        return "chi_bo"
    if folded.startswith(("quy", "nganhang", "nhcsxh")):
        return "quy"
    if member_codes is None and giver.replace(" ", "").isdigit():
        return "dang_vien"
    return None


def _suggest_member(code: str, known: set[str], names: dict[str, list[str]]) -> str:
    by_name = names.get(fold(code), [])
    if len(by_name) == 1:
        return f' Cột này cần mã đảng viên: "{code}" có mã {by_name[0]}.'
    return _suggest_code(code, known)


