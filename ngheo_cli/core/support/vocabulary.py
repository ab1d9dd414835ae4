"""The support ledger's vocabulary: kinds of giver, kinds of support and their units, the
ledger's columns (``SUPPORT_FIELDS``) and its dates. Pure data and lookups."""


from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ngheo_cli.core.parse import (
    UNREADABLE,
    Cell,
)
from ngheo_cli.core.schema import Field
from ngheo_cli.core.text import fold, fold_words

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


