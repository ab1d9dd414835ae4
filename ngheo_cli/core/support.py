"""The support ledger (sổ theo dõi hỗ trợ): who gave what to which household, and when.

Pure: a :class:`~.table.RawTable` (read by :func:`ngheo_cli.io.workbook.read_table` with
``fields=SUPPORT_FIELDS``) in, a typed frame of records and :class:`~.findings.Finding`\\ s
with Excel cell references out; then the checks and tables of ``ngheo support summary``.
No file I/O, no printing.

A record: date, giver (a party member's code, a party cell, an agency or a fund, with the
kind of giver), household code, kind of support (:data:`KINDS`), quantity and unit (a unit
that fits the kind), value in đồng (read like incomes, :func:`.parse.money_value`) and a
note. A row with an error is left out of the records *and* named by a finding.

Duplicates: every record has a content key (:func:`record_key`) over date, giver,
household, kind, quantity, unit and value. The store keeps one record per key and
commune-year, so importing a file twice, or the same record from two files, counts once.

Commitments (standards.md §7, seed 001): a member on a state salary gives at least one
day's salary a year; a member without one gives labour days; either may instead give at
least 10 seedlings. The amounts are settings (:class:`CommitmentRules`); the salary
default is a placeholder that each commune must replace with its own figure.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .collector import FindingCollector
from .findings import CATALOGUE, Finding
from .parse import AMBIGUOUS, NEGATIVE, UNREADABLE, Cell, decimal_value, format_vn, money_value
from .schema import CLASS_LABELS, Field
from .table import RawTable
from .text import fold, fold_words

# --- vocabulary ------------------------------------------------------------------------------

GIVER_KINDS: dict[str, str] = {
    "dang_vien": "Đảng viên",
    "chi_bo": "Chi bộ",
    "co_quan": "Cơ quan, đơn vị",
    "quy": "Quỹ, ngân hàng",
    "khac": "Khác (doanh nghiệp, cá nhân)",
}
_GIVER_ALIASES: dict[str, tuple[str, ...]] = {
    "dang_vien": ("Đảng viên", "ĐV", "DV", "Đảng viên giúp đỡ", "Cá nhân đảng viên"),
    "chi_bo": ("Chi bộ", "Đảng bộ", "Chi bộ, đảng bộ", "Chi bộ kết nghĩa"),
    "co_quan": (
        "Cơ quan",
        "Đơn vị",
        "Cơ quan, đơn vị",
        "Cơ quan đơn vị",
        "Cơ quan kết nghĩa",
        "Tổ chức",
        "Đoàn thể",
        "Mặt trận",
        "MTTQ",
        "Hội",
        "Trường",
        "Cơ quan, tổ chức",
    ),
    "quy": (
        "Quỹ",
        "Quỹ vì người nghèo",
        "Ngân hàng",
        "Ngân hàng CSXH",
        "NHCSXH",
        "Ngân hàng chính sách",
        "Ngân hàng chính sách xã hội",
        "Quỹ, ngân hàng",
    ),
    "khac": (
        "Khác",
        "Doanh nghiệp",
        "Cá nhân",
        "Nhà hảo tâm",
        "Mạnh thường quân",
        "Công ty",
        "Khác (doanh nghiệp, cá nhân)",
    ),
}


@dataclass(frozen=True)
class Unit:
    code: str
    label: str
    aliases: tuple[str, ...] = ()


UNITS: tuple[Unit, ...] = (
    Unit("dong", "đồng", ("đ", "đồng", "VNĐ", "VND", "₫", "tiền")),
    Unit("cay", "cây", ("cây", "cây giống", "gốc", "bầu", "bầu cây")),
    Unit("con", "con", ("con", "con giống")),
    Unit("ngay", "ngày công", ("ngày", "ngày công", "công", "NC", "công lao động")),
    Unit("can", "căn", ("căn", "căn nhà", "nhà", "ngôi", "ngôi nhà", "cái nhà")),
    Unit("the", "thẻ", ("thẻ", "thẻ BHYT")),
    Unit("nguoi", "người", ("người", "học viên", "lao động")),
    Unit("luot", "lượt", ("lượt",)),
    Unit("khoa", "khoá", ("khoá", "khóa", "khoá học", "khóa học", "lớp")),
    Unit("suat", "suất", ("suất",)),
    Unit("phan", "phần", ("phần", "phần quà", "túi")),
    Unit("kg", "kg", ("kg", "kilôgam", "kilogam", "ký", "cân")),
    Unit("bao", "bao", ("bao",)),
    Unit("thung", "thùng", ("thùng",)),
    Unit("cai", "cái", ("cái", "chiếc", "bộ")),
    Unit("goi", "gói", ("gói",)),
)
UNIT_BY_CODE: dict[str, Unit] = {u.code: u for u in UNITS}


@dataclass(frozen=True)
class SupportKind:
    """A kind of support. ``units``: the units that fit (the first is the default when the
    unit cell is blank); empty = any unit (``khac``). ``money``: the quantity *is* the value
    in đồng (money, loans)."""

    code: str
    label: str
    aliases: tuple[str, ...]
    units: tuple[str, ...]
    money: bool = False


KINDS: tuple[SupportKind, ...] = (
    SupportKind(
        "tien",
        "Tiền",
        ("Tiền mặt", "Hỗ trợ tiền", "Ngày lương", "Một ngày lương", "Tiền lương", "Tiền hỗ trợ"),
        ("dong",),
        money=True,
    ),
    SupportKind(
        "cay_giong",
        "Cây giống",
        ("Cây", "Giống cây", "Cây giống các loại", "Cây ăn quả", "Cây con", "Cây trồng"),
        ("cay",),
    ),
    SupportKind(
        "vat_nuoi",
        "Vật nuôi",
        ("Con giống", "Giống vật nuôi", "Bò", "Bò giống", "Dê", "Heo", "Lợn", "Gà", "Vịt"),
        ("con",),
    ),
    SupportKind(
        "ngay_cong",
        "Ngày công",
        ("Công lao động", "Ngày công lao động", "Lao động", "Giúp công", "Công"),
        ("ngay",),
    ),
    SupportKind(
        "nha_o",
        "Nhà ở (xây/sửa)",
        (
            "Nhà ở",
            "Xây nhà",
            "Sửa nhà",
            "Xây sửa nhà",
            "Xây, sửa nhà",
            "Nhà đại đoàn kết",
            "Nhà Đại đoàn kết",
            "Nhà tình thương",
            "Xây/sửa nhà",
        ),
        ("can",),
    ),
    SupportKind(
        "the_bhyt",
        "Thẻ BHYT",
        ("BHYT", "Thẻ bảo hiểm y tế", "Bảo hiểm y tế", "Mua thẻ BHYT"),
        ("the",),
    ),
    SupportKind(
        "vay_von",
        "Vay vốn",
        ("Vay", "Vốn vay", "Cho vay", "Tín dụng", "Tín dụng chính sách", "Vay ưu đãi"),
        ("dong",),
        money=True,
    ),
    SupportKind(
        "dao_tao_nghe",
        "Đào tạo nghề",
        ("Dạy nghề", "Học nghề", "Đào tạo", "Tập huấn", "Hỗ trợ học nghề"),
        ("nguoi", "luot", "khoa", "suat"),
    ),
    SupportKind(
        "qua",
        "Quà",
        ("Quà Tết", "Tặng quà", "Quà tặng", "Phần quà", "Gạo", "Nhu yếu phẩm"),
        ("phan", "suat", "thung", "bao", "kg", "cai", "goi"),
    ),
    SupportKind("khac", "Khác", ("Hỗ trợ khác", "Khác"), ()),
)
KIND_BY_CODE: dict[str, SupportKind] = {k.code: k for k in KINDS}
KIND_LABELS: dict[str, str] = {k.code: k.label for k in KINDS}
POOR_OR_NEAR = frozenset({"ngheo", "can_ngheo"})


def _index(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, names in pairs:
        for name in names:
            key = fold(name)
            if key:
                out.setdefault(key, code)
    return out


_GIVER_INDEX = _index((c, (c, GIVER_KINDS[c], *a)) for c, a in _GIVER_ALIASES.items())
_KIND_INDEX = _index((k.code, (k.code, k.label, *k.aliases)) for k in KINDS)
_UNIT_INDEX = _index((u.code, (u.code, u.label, *u.aliases)) for u in UNITS)


def giver_kind_code(text: str) -> str | None:
    return _GIVER_INDEX.get(fold(text))


def kind_code(text: str) -> str | None:
    return _KIND_INDEX.get(fold(text))


def unit_code(text: str) -> str | None:
    return _UNIT_INDEX.get(fold(text))


def units_text(kind: SupportKind) -> str:
    return ", ".join(UNIT_BY_CODE[u].label for u in kind.units) or "tuỳ ý"


# --- columns ---------------------------------------------------------------------------------

SUPPORT_FIELDS: tuple[Field, ...] = (
    Field("stt", "STT", "text", ("Số thứ tự", "TT", "No")),
    Field(
        "ngay",
        "Ngày hỗ trợ",
        "text",
        ("Ngày", "Ngày giúp đỡ", "Ngày nhận", "Ngày tháng", "Thời gian", "Ngày, tháng, năm"),
    ),
    Field(
        "loai_nguoi",
        "Loại người hỗ trợ",
        "text",
        (
            "Loại người/đơn vị hỗ trợ",
            "Loại người, đơn vị hỗ trợ",
            "Loại đơn vị hỗ trợ",
            "Loại người giúp",
            "Người hỗ trợ là",
            "Nguồn hỗ trợ",
        ),
    ),
    Field(
        "nguoi_ho_tro",
        "Người hỗ trợ",
        "code",
        (
            "Người/đơn vị hỗ trợ",
            "Người, đơn vị hỗ trợ",
            "Đơn vị hỗ trợ",
            "Người giúp đỡ",
            "Người giúp",
            "Mã đảng viên",
            "Nhà tài trợ",
            "Người, đơn vị giúp đỡ",
            "Mã đảng viên hoặc tên đơn vị",
        ),
    ),
    Field(
        "ma_ho",
        "Mã hộ",
        "code",
        ("Mã số hộ", "Mã hộ được hỗ trợ", "Mã hộ nhận", "Mã HGĐ", "Mã hộ gia đình"),
    ),
    Field(
        "ho_ten_chu_ho",
        "Họ và tên chủ hộ",
        "text",
        ("Họ tên chủ hộ", "Chủ hộ", "Hộ được hỗ trợ", "Tên chủ hộ"),
    ),
    Field(
        "loai",
        "Loại hỗ trợ",
        "text",
        ("Hình thức hỗ trợ", "Nội dung hỗ trợ", "Hình thức", "Loại hình hỗ trợ"),
    ),
    Field("so_luong", "Số lượng", "number", ("SL", "Số lượng hỗ trợ")),
    Field("don_vi", "Đơn vị tính", "text", ("ĐVT", "Đơn vị", "Đơn vị đo")),
    Field(
        "gia_tri",
        "Giá trị (đồng)",
        "money",
        ("Giá trị", "Thành tiền", "Số tiền", "Trị giá", "Giá trị quy đổi", "Giá trị (đ)"),
    ),
    Field("ghi_chu", "Ghi chú", "text", ()),
)
SUPPORT_FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in SUPPORT_FIELDS}
# ma_ho first: the reader uses the first required key to tell data rows from totals rows.
SUPPORT_REQUIRED: tuple[str, ...] = ("ma_ho", "ngay", "nguoi_ho_tro", "loai")

#: Columns of the typed records frame, in order (index = Excel row).
RECORD_COLUMNS: tuple[str, ...] = (
    "ngay",  # ISO date text, YYYY-MM-DD
    "loai_nguoi",  # code of GIVER_KINDS
    "nguoi_ho_tro",  # a member code, or the name of a cell, agency or fund
    "ma_ho",
    "loai",  # code of KINDS
    "so_luong",  # float64
    "don_vi",  # code of UNITS (for "khac": as written, or "")
    "gia_tri",  # float64 đồng, NaN when not given
    "ghi_chu",
    "record_key",
)

# --- dates -----------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})")
_WORDS = re.compile(r"(?:ngay )?(\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_SERIAL = re.compile(r"(\d{5})(?:\.0+)?")
_EXCEL_EPOCH = date(1899, 12, 30)


def date_value(text: str) -> Cell:
    """One date: an Excel date cell (read as "2024-03-15 00:00:00"), "15/03/2024",
    "15-3-2024", "15.03.24", "ngày 15 tháng 3 năm 2024", or an Excel serial number
    (20000–80000). Value: ISO text "2024-03-15"; anything else is unreadable."""
    s = text.strip()
    parts: tuple[int, int, int] | None = None
    if m := _ISO.fullmatch(s):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif m := _DMY.fullmatch(s):
        y = int(m[3])
        parts = (y + 2000 if len(m[3]) == 2 else y, int(m[2]), int(m[1]))
    elif m := _WORDS.fullmatch(fold_words(s)):
        parts = (int(m[3]), int(m[2]), int(m[1]))
    elif (m := _SERIAL.fullmatch(s)) and 20_000 <= int(m[1]) <= 80_000:
        return Cell((_EXCEL_EPOCH + timedelta(days=int(m[1]))).isoformat())
    if parts is None:
        return Cell(None, UNREADABLE)
    try:
        return Cell(date(*parts).isoformat())
    except ValueError:
        return Cell(None, UNREADABLE)


def show_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


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


def _text(value: object) -> str | None:
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
                if _text(name):
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
            key: (None if column is None else _text(column.iloc[pos]))
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


# --- commitments ------------------------------------------------------------------------------

DEFAULT_SALARY_DAY = 200_000
DEFAULT_LABOUR_DAYS = 1
DEFAULT_SEEDLINGS = 10
SETTING_KEYS: tuple[str, ...] = ("salary_day_dong", "labour_days", "seedlings")

ROUTE_LABELS: dict[str, str] = {
    "ngay_luong": "một ngày lương (đồng)",
    "ngay_cong": "ngày công",
    "cay_giong": "cây giống",
}


@dataclass(frozen=True)
class CommitmentRules:
    """What each member gives at least once a year (standards.md §7, seed 001).

    ``salary_day_dong``: one day's salary in đồng; the default 200.000 đ is a placeholder,
    not a legal figure (``placeholder`` stays True until the commune sets its own).
    ``labour_days``: for members without a state salary. ``seedlings``: for anyone.
    """

    salary_day_dong: float = DEFAULT_SALARY_DAY
    labour_days: float = DEFAULT_LABOUR_DAYS
    seedlings: float = DEFAULT_SEEDLINGS
    placeholder: bool = True
    source: str = "mac_dinh"

    def to_dict(self) -> dict[str, object]:
        return {
            "salary_day_dong": self.salary_day_dong,
            "labour_days": self.labour_days,
            "seedlings": self.seedlings,
            "salary_day_is_placeholder": self.placeholder,
            "source": self.source,
        }


class SettingsError(ValueError):
    """A ``support:`` setting that is not usable (message in Vietnamese)."""


def commitment_rules(
    config: Mapping[str, Any] | None, source: str = "ngheo.yaml"
) -> CommitmentRules:
    """Rules from a ``support:`` mapping (None or empty: the defaults). Unknown keys or
    values that are not positive numbers raise :class:`SettingsError`."""
    if not config:
        return CommitmentRules()
    if not isinstance(config, Mapping):
        raise SettingsError("mục support phải là một bảng khoá: giá trị.")
    unknown = [str(k) for k in config if k not in SETTING_KEYS]
    if unknown:
        raise SettingsError(
            f"mục support có khoá không biết: {', '.join(unknown)} "
            f"(dùng được: {', '.join(SETTING_KEYS)})."
        )
    values: dict[str, float] = {}
    for key in SETTING_KEYS:
        if key not in config:
            continue
        raw = config[key]
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not raw > 0:
            raise SettingsError(f"support.{key} phải là một số dương (đang ghi {raw!r}).")
        values[key] = float(raw)
    return CommitmentRules(
        salary_day_dong=values.get("salary_day_dong", DEFAULT_SALARY_DAY),
        labour_days=values.get("labour_days", DEFAULT_LABOUR_DAYS),
        seedlings=values.get("seedlings", DEFAULT_SEEDLINGS),
        placeholder="salary_day_dong" not in values,
        source=source,
    )


COMMITMENT_COLUMNS: tuple[str, ...] = (
    "ma_dang_vien",
    "ho_ten",
    "chi_bo",
    "thon",
    "huong_luong",
    "mien",
    "tien",
    "ngay_cong",
    "cay_giong",
    "so_lan",
    "so_ho",
    "ho_duoc_phan_cong",
    "giup_ho_phan_cong",
    "trang_thai",
    "dat",
    "muc",
    "yeu_cau",
    "da_gop",
    "chenh_lech",
)


def member_contributions(records: pd.DataFrame) -> pd.DataFrame:
    """Per giving member (records with ``loai_nguoi == "dang_vien"``): ``tien`` (đồng: all
    values, money and the value of goods), ``ngay_cong``, ``cay_giong`` (quantities),
    ``so_lan`` (records), ``so_ho`` (households); index = member code."""
    mine = records[records["loai_nguoi"] == "dang_vien"]
    cols = ["tien", "ngay_cong", "cay_giong", "so_lan", "so_ho"]
    if mine.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    g = mine.groupby("nguoi_ho_tro", sort=True)
    out = pd.DataFrame(
        {
            "tien": g["gia_tri"].sum(min_count=0),
            "ngay_cong": mine["so_luong"]
            .where(mine["loai"] == "ngay_cong", 0.0)
            .groupby(mine["nguoi_ho_tro"])
            .sum(),
            "cay_giong": mine["so_luong"]
            .where(mine["loai"] == "cay_giong", 0.0)
            .groupby(mine["nguoi_ho_tro"])
            .sum(),
            "so_lan": g.size().astype("float64"),
            "so_ho": g["ma_ho"].nunique().astype("float64"),
        }
    )
    out.index = out.index.astype(str)
    return out


def check_commitments(
    records: pd.DataFrame,
    members: pd.DataFrame,
    rules: CommitmentRules,
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each member's commitment for the year: met, short, or exempt, and by how much.

    ``members``: ``ma_dang_vien``, ``ho_ten``, ``chi_bo``, ``thon``, ``huong_luong``,
    ``mien`` (as the store keeps them). ``pairs``: ``ma_dang_vien``, ``ma_ho`` (optional):
    fills ``ho_duoc_phan_cong`` and whether the member gave to a household paired with them.

    Routes: salaried → value of what was given ≥ one day's salary, or seedlings ≥ N;
    not salaried → labour days ≥ N, or seedlings ≥ N, or a value ≥ one day's salary.
    ``muc`` is the route that came closest (the first route on a tie), ``yeu_cau`` its
    threshold, ``da_gop`` the amount given on it and ``chenh_lech`` = da_gop − yeu_cau
    (negative: short by that much). Exempt members: ``trang_thai`` "mien"; ``dat``,
    ``muc`` and the amounts on it are missing.
    Members who gave but are not on the list are not included (see the ledger).
    """
    given = member_contributions(records)
    codes = members["ma_dang_vien"].astype(str).tolist()
    aligned = given.reindex(codes).fillna(0.0)
    paired: dict[str, list[str]] = {}
    if pairs is not None and len(pairs):
        for m, h in zip(pairs["ma_dang_vien"].astype(str), pairs["ma_ho"].astype(str), strict=True):
            paired.setdefault(m, []).append(h)
    helped: dict[str, set[str]] = {}
    mine = records[records["loai_nguoi"] == "dang_vien"]
    for m, h in zip(mine["nguoi_ho_tro"].astype(str), mine["ma_ho"].astype(str), strict=True):
        helped.setdefault(m, set()).add(h)

    rows: list[dict[str, object]] = []
    for i, code in enumerate(codes):
        salaried = "huong_luong" in members and _flag(members["huong_luong"].iloc[i])
        exempt = "mien" in members and _flag(members["mien"].iloc[i])
        amounts = {
            "ngay_luong": float(aligned["tien"].iloc[i]),
            "ngay_cong": float(aligned["ngay_cong"].iloc[i]),
            "cay_giong": float(aligned["cay_giong"].iloc[i]),
        }
        thresholds = {
            "ngay_luong": rules.salary_day_dong,
            "ngay_cong": rules.labour_days,
            "cay_giong": rules.seedlings,
        }
        routes = (
            ("ngay_luong", "cay_giong") if salaried else ("ngay_cong", "cay_giong", "ngay_luong")
        )
        best = max(routes, key=lambda r: (amounts[r] / thresholds[r], -routes.index(r)))
        met = amounts[best] >= thresholds[best]
        own = paired.get(code, [])
        rows.append(
            {
                "ma_dang_vien": code,
                "ho_ten": _text(members["ho_ten"].iloc[i]) if "ho_ten" in members else None,
                "chi_bo": _text(members["chi_bo"].iloc[i]) if "chi_bo" in members else None,
                "thon": _text(members["thon"].iloc[i]) if "thon" in members else None,
                "huong_luong": salaried,
                "mien": exempt,
                "tien": amounts["ngay_luong"],
                "ngay_cong": amounts["ngay_cong"],
                "cay_giong": amounts["cay_giong"],
                "so_lan": int(aligned["so_lan"].iloc[i]),
                "so_ho": int(aligned["so_ho"].iloc[i]),
                "ho_duoc_phan_cong": ", ".join(sorted(own)),
                "giup_ho_phan_cong": bool(set(own) & helped.get(code, set())) if own else None,
                "trang_thai": "mien" if exempt else ("dat" if met else "chua_dat"),
                "dat": None if exempt else met,
                "muc": None if exempt else best,
                "yeu_cau": np.nan if exempt else thresholds[best],
                "da_gop": np.nan if exempt else amounts[best],
                "chenh_lech": np.nan if exempt else amounts[best] - thresholds[best],
            }
        )
    frame = pd.DataFrame(rows, columns=list(COMMITMENT_COLUMNS))
    frame["dat"] = frame["dat"].astype("boolean")
    frame["giup_ho_phan_cong"] = frame["giup_ho_phan_cong"].astype("boolean")
    return frame


def _flag(value: object) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(value)


# --- summaries ------------------------------------------------------------------------------


def giver_names(records: pd.DataFrame, members: pd.DataFrame | None) -> pd.Series:
    """How each record's giver is shown: "Nguyễn Văn A (000123)" for a known member."""
    names: dict[str, str] = {}
    if members is not None and len(members):
        for code, name in zip(members["ma_dang_vien"].astype(str), members["ho_ten"], strict=True):
            if _text(name):
                names[code] = f"{name} ({code})"
    shown = [
        names.get(str(g), str(g)) if k == "dang_vien" else str(g)
        for g, k in zip(records["nguoi_ho_tro"], records["loai_nguoi"], strict=True)
    ]
    return pd.Series(shown, index=records.index, dtype="string")


def describe_item(kind: str, quantity: float, unit: str) -> str:
    """ "10 cây giống", "2 ngày công", "Tiền 500.000 đ"."""
    k = KIND_BY_CODE[kind]
    if k.money:
        return f"{k.label} {format_vn(quantity)} đ"
    unit_label = UNIT_BY_CODE[unit].label if unit in UNIT_BY_CODE else unit
    return f"{k.label}: {format_vn(quantity)} {unit_label}".rstrip()


HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "ma_ho",
    "ho_ten_chu_ho",
    "thon",
    "phan_loai_truoc",
    "phan_loai",
    "so_lan",
    "tong_gia_tri",
    "da_nhan",
    "nguoi_ho_tro",
    "nguoi_giup",
)


def household_support(
    records: pd.DataFrame,
    names: pd.Series,
    this_year: pd.DataFrame | None,
    last_year: pd.DataFrame | None,
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per household that received something: what (``da_nhan``: items summed per
    kind and unit), from whom (``nguoi_ho_tro``), the total value in đồng, its paired helpers
    (``nguoi_giup``), and its class this year and last (``phan_loai``, ``phan_loai_truoc``:
    codes, missing when the store has no such year or household). ``this_year`` and
    ``last_year``: stored households (``ma_ho``, ``ho_ten_chu_ho``, ``thon``, ``phan_loai``).
    """
    if records.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in HOUSEHOLD_COLUMNS})
    frame = records.assign(_giver=names.to_numpy())
    now = _by_code(this_year)
    before = _by_code(last_year)
    helpers: dict[str, list[str]] = {}
    if pairs is not None and len(pairs):
        for m, h in zip(pairs["ma_dang_vien"].astype(str), pairs["ma_ho"].astype(str), strict=True):
            helpers.setdefault(h, []).append(m)
    rows: list[dict[str, object]] = []
    for code, part in frame.groupby("ma_ho", sort=True):
        items = part.groupby(["loai", "don_vi"], sort=False)["so_luong"].sum().reset_index()
        order = {k.code: i for i, k in enumerate(KINDS)}
        items = items.sort_values("loai", key=lambda s: s.map(order), kind="stable")
        info = now.get(str(code)) or before.get(str(code)) or {}
        rows.append(
            {
                "ma_ho": str(code),
                "ho_ten_chu_ho": info.get("ho_ten_chu_ho"),
                "thon": info.get("thon"),
                "phan_loai_truoc": (before.get(str(code)) or {}).get("phan_loai"),
                "phan_loai": (now.get(str(code)) or {}).get("phan_loai"),
                "so_lan": len(part),
                "tong_gia_tri": float(part["gia_tri"].sum(min_count=1))
                if part["gia_tri"].notna().any()
                else None,
                "da_nhan": "; ".join(
                    describe_item(str(r.loai), float(r.so_luong), str(r.don_vi))
                    for r in items.itertuples(index=False)
                ),
                "nguoi_ho_tro": "; ".join(dict.fromkeys(part["_giver"].astype(str))),
                "nguoi_giup": ", ".join(sorted(helpers.get(str(code), []))),
            }
        )
    return pd.DataFrame(rows, columns=list(HOUSEHOLD_COLUMNS))


def _by_code(frame: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    if frame is None or frame.empty:
        return {}
    cols = [c for c in ("ho_ten_chu_ho", "thon", "phan_loai") if c in frame.columns]
    out: dict[str, dict[str, Any]] = {}
    for rec in frame[["ma_ho", *cols]].astype(object).itertuples(index=False):
        values = rec._asdict()
        code = str(values.pop("ma_ho"))
        out[code] = {k: _text(v) for k, v in values.items()}
    return out


def village_kind_table(records: pd.DataFrame, villages: Mapping[str, str]) -> pd.DataFrame:
    """Per village and kind: ``so_lan`` (records), ``so_ho`` (households), ``so_luong``
    (summed; money kinds in đồng), ``don_vi`` (the unit, "nhiều" when mixed),
    ``tong_gia_tri`` (đồng). ``villages``: household code → village ("Chưa rõ thôn" when
    unknown). Sorted by village, then kind order. A "Toàn xã" row per kind closes it."""
    cols = ["thon", "loai", "loai_ten", "so_lan", "so_ho", "so_luong", "don_vi", "tong_gia_tri"]
    if records.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    frame = records.assign(
        thon=records["ma_ho"].map(lambda c: villages.get(str(c)) or "Chưa rõ thôn")
    )
    order = {k.code: i for i, k in enumerate(KINDS)}
    parts = []
    for scope, data in (("thon", frame), ("all", frame.assign(thon="Toàn xã"))):
        g = data.groupby(["thon", "loai"], sort=True)
        table = pd.DataFrame(
            {
                "so_lan": g.size(),
                "so_ho": g["ma_ho"].nunique(),
                "so_luong": g["so_luong"].sum(),
                "don_vi": g["don_vi"].agg(lambda s: _one_unit(s)),
                "tong_gia_tri": g["gia_tri"].sum(min_count=1),
            }
        ).reset_index()
        table["_scope"] = 0 if scope == "thon" else 1
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    out["_k"] = out["loai"].map(order)
    out = out.sort_values(["_scope", "thon", "_k"], kind="stable").drop(columns=["_scope", "_k"])
    out["loai_ten"] = out["loai"].map(KIND_LABELS)
    return out[cols].reset_index(drop=True)


def _one_unit(units: pd.Series) -> str:
    distinct = sorted({str(u) for u in units})
    if len(distinct) != 1:
        return "nhiều đơn vị"
    unit = distinct[0]
    return UNIT_BY_CODE[unit].label if unit in UNIT_BY_CODE else unit


def giver_kind_table(records: pd.DataFrame) -> pd.DataFrame:
    """Per kind of giver: records, givers, households, total value (đồng)."""
    cols = ["loai_nguoi", "loai_nguoi_ten", "so_lan", "so_nguoi_ho_tro", "so_ho", "tong_gia_tri"]
    if records.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    g = records.groupby("loai_nguoi", sort=False)
    table = pd.DataFrame(
        {
            "so_lan": g.size(),
            "so_nguoi_ho_tro": g["nguoi_ho_tro"].agg(lambda s: len({giver_key(x) for x in s})),
            "so_ho": g["ma_ho"].nunique(),
            "tong_gia_tri": g["gia_tri"].sum(min_count=1),
        }
    ).reset_index()
    order = {k: i for i, k in enumerate(GIVER_KINDS)}
    table = table.sort_values("loai_nguoi", key=lambda s: s.map(order), kind="stable")
    table["loai_nguoi_ten"] = table["loai_nguoi"].map(GIVER_KINDS)
    return table[cols].reset_index(drop=True)


# --- outcome: a comparison, not proof of cause ----------------------------------------------

OUTCOME_GROUPS: dict[str, str] = {
    "co_nguoi_giup_va_ho_tro": "Có người giúp và có hỗ trợ",
    "chi_co_nguoi_giup": "Có người giúp, không có hỗ trợ",
    "chi_co_ho_tro": "Có hỗ trợ, không có người giúp",
    "khong_co_ca_hai": "Không có người giúp, không có hỗ trợ",
    "con_lai": "Các hộ còn lại (thiếu người giúp hoặc hỗ trợ)",
}
OUTCOME_CAUTION = (
    "Đây là so sánh giữa các nhóm hộ, không chứng minh được hỗ trợ là nguyên nhân: hộ được "
    "giúp có thể khác hộ không được giúp ở nhiều mặt (lao động, đất, sức khoẻ, thiên tai…), "
    "và khi nhóm ít hộ thì tỷ lệ dao động nhiều."
)
_COUNTS = ("households", "poor", "found", "poor_found", "escaped_poverty", "left_list", "not_found")


def outcome_comparison(
    start: pd.DataFrame,
    end: pd.DataFrame,
    helped: Collection[str],
    supported: Collection[str],
) -> dict[str, Any]:
    """Of the households poor or near-poor in ``start`` (``ma_ho``, ``phan_loai``), how many
    left poverty, and left the poor + near-poor list, by ``end``: for those with a helper
    (``helped``: household codes) and support (``supported``), against the others.

    Groups (disjoint): ``co_nguoi_giup_va_ho_tro``, ``chi_co_nguoi_giup``, ``chi_co_ho_tro``,
    ``khong_co_ca_hai``; ``con_lai`` adds up the last three. Per group: ``households`` (on
    the start list), ``poor`` (poor at start), ``found`` (still on the ``end`` list: rates
    use only these; households that moved away or changed code are ``not_found``),
    ``escaped_poverty`` (poor at start, not poor at end), ``left_list`` (neither poor nor
    near-poor at end), ``rate_escaped_poverty`` (of the poor found) and ``rate_left_list``
    (of those found); a rate is None when there is nothing to count.
    ``difference_points``: rate of leaving the list, helped-and-supported minus the others,
    in percentage points (None when either rate is None).
    """
    base = start[start["phan_loai"].isin(POOR_OR_NEAR)]
    after = dict(zip(end["ma_ho"].astype(str), end["phan_loai"].astype(str), strict=True))
    helped_set, supported_set = set(map(str, helped)), set(map(str, supported))
    counts = {g: dict.fromkeys(_COUNTS, 0) for g in OUTCOME_GROUPS}
    for code, cls in zip(base["ma_ho"].astype(str), base["phan_loai"].astype(str), strict=True):
        h, s = code in helped_set, code in supported_set
        name = (
            "co_nguoi_giup_va_ho_tro"
            if h and s
            else "chi_co_nguoi_giup"
            if h
            else "chi_co_ho_tro"
            if s
            else "khong_co_ca_hai"
        )
        targets = [counts[name]]
        if name != "co_nguoi_giup_va_ho_tro":
            targets.append(counts["con_lai"])
        for g in targets:
            g["households"] += 1
            g["poor"] += int(cls == "ngheo")
            if code not in after:
                g["not_found"] += 1
                continue
            g["found"] += 1
            now = after[code]
            if cls == "ngheo":
                g["poor_found"] += 1
                g["escaped_poverty"] += int(now != "ngheo")
            g["left_list"] += int(now not in POOR_OR_NEAR)
    groups: dict[str, dict[str, Any]] = {}
    for name, g in counts.items():
        poor_found = g.pop("poor_found")
        groups[name] = {
            **g,
            "rate_escaped_poverty": _rate(g["escaped_poverty"], poor_found),
            "rate_left_list": _rate(g["left_list"], g["found"]),
        }
    a = groups["co_nguoi_giup_va_ho_tro"]["rate_left_list"]
    b = groups["con_lai"]["rate_left_list"]
    return {
        "groups": groups,
        "difference_points": None if a is None or b is None else round((a - b) * 100, 2),
        "caution": OUTCOME_CAUTION,
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def outcome_sentence(outcome: Mapping[str, Any], start_year: int, end_year: int) -> str:
    """The comparison in careful Vietnamese: a comparison between groups, not a cause."""
    groups = outcome["groups"]

    def part(g: Mapping[str, Any]) -> str:
        if not g["found"]:
            return "không có hộ nào để so sánh"
        return (
            f"{g['left_list']}/{g['found']} hộ ra khỏi danh sách nghèo, cận nghèo "
            f"({format_vn(g['rate_left_list'] * 100, 1)} %)"
        )

    neither = groups["khong_co_ca_hai"]
    return (
        f"Trong các hộ nghèo, cận nghèo năm {start_year}, đến năm {end_year}: nhóm có người "
        f"giúp và có hỗ trợ {part(groups['co_nguoi_giup_va_ho_tro'])}; các hộ còn lại "
        f"{part(groups['con_lai'])}, trong đó nhóm không có người giúp, không có hỗ trợ "
        f"{part(neither)}. " + OUTCOME_CAUTION
    )


def class_label(code: object) -> str:
    text = _text(code)
    return CLASS_LABELS.get(text, text) if text else ""
