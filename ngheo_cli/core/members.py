"""Party members and twinnings (kết nghĩa): canonical columns, validation, typed frames.

The members list and the twinning list are read with the survey machinery
(:func:`ngheo_cli.io.read.workbook.read_table` with ``fields=MEMBER_FIELDS`` or
``TWINNING_FIELDS``); this module turns the :class:`~.table.RawTable` text into typed
frames for :func:`ngheo_cli.core.assign.assign`, and says in Vietnamese, with the Excel
cell, what is wrong. A row with an error is left out of the frame *and* named by a
finding; nothing is dropped silently. Pure: no file I/O, no printing.

Villages and party cells are compared after :func:`~.text.fold` (case, diacritics, spaces
and punctuation never matter); a party cell is also matched without its "Chi bộ" prefix,
so a twinning written "Trạm Y tế xã" finds members of "Chi bộ Trạm Y tế xã".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.collector import FindingCollector
from ngheo_cli.core.findings import Finding
from ngheo_cli.core.parse import parse_count, parse_mark
from ngheo_cli.core.schema import Field
from ngheo_cli.core.table import RawTable
from ngheo_cli.core.text import fold

# Village header names of the member tables (the household table's are rules data).
_VILLAGE_ALIASES: tuple[str, ...] = (
    "Thôn, buôn",
    "Thôn/buôn",
    "Thôn, tổ dân phố",
    "Thôn/bản",
    "Ấp",
    "Buôn",
    "Tổ dân phố",
    "Thôn/ấp/bản/tổ dân phố",
    "Địa bàn",
)
# A mark the parser cannot read is a member-table finding here.
_MEMBER_CODES = {"danh-dau-khong-ro": "dv-danh-dau-khong-ro"}

MEMBER_FIELDS: tuple[Field, ...] = (
    Field("stt", "STT", "text", ("Số thứ tự", "TT", "No")),
    Field(
        "ma_dang_vien",
        "Mã đảng viên",
        "code",
        ("Mã ĐV", "Mã số đảng viên", "Số thẻ đảng viên", "Số thẻ đảng", "Số thẻ ĐV", "Mã số ĐV"),
    ),
    Field(
        "ho_ten",
        "Họ và tên",
        "text",
        ("Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên"),
    ),
    Field(
        "chi_bo",
        "Chi bộ",
        "text",
        ("Chi bộ sinh hoạt", "Tên chi bộ", "Chi bộ, cơ quan", "Chi bộ/cơ quan", "Đảng bộ, chi bộ"),
    ),
    Field(
        "thon",
        "Thôn",
        "text",
        (*_VILLAGE_ALIASES, "Thôn cư trú", "Nơi cư trú", "Thôn, buôn cư trú"),
    ),
    Field(
        "huong_luong",
        "Hưởng lương",
        "mark",
        (
            "Hưởng lương ngân sách",
            "Hưởng lương NSNN",
            "Hưởng lương từ ngân sách nhà nước",
            "Hưởng lương từ NSNN",
            "Có hưởng lương",
        ),
    ),
    Field("gioi_tinh", "Giới tính", "text", ("Nam/Nữ", "Nam, nữ")),
    Field("dan_toc", "Dân tộc", "text", ("Thành phần dân tộc",)),
    Field("nam_sinh", "Năm sinh", "count", ("Sinh năm", "Năm sinh (năm)")),
    Field(
        "mien",
        "Miễn",
        "mark",
        ("Miễn phân công", "Được miễn", "Miễn giúp đỡ", "Miễn công tác", "Miễn sinh hoạt"),
    ),
    Field(
        "tran_so_ho",
        "Trần số hộ",
        "count",
        ("Số hộ tối đa", "Tối đa số hộ", "Số hộ nhận tối đa", "Trần số hộ giúp đỡ"),
    ),
    Field("ghi_chu", "Ghi chú", "text", ()),
)

TWINNING_FIELDS: tuple[Field, ...] = (
    Field("stt", "STT", "text", ("Số thứ tự", "TT", "No")),
    Field(
        "chi_bo",
        "Chi bộ",
        "text",
        ("Chi bộ kết nghĩa", "Tên chi bộ", "Chi bộ/cơ quan", "Chi bộ, cơ quan"),
    ),
    Field(
        "co_quan",
        "Cơ quan",
        "text",
        ("Cơ quan, đơn vị", "Đơn vị", "Đơn vị kết nghĩa", "Cơ quan kết nghĩa"),
    ),
    Field(
        "thon",
        "Thôn kết nghĩa",
        "text",
        ("Thôn", *_VILLAGE_ALIASES, "Thôn, buôn kết nghĩa", "Buôn kết nghĩa", "Địa bàn kết nghĩa"),
    ),
    Field("ghi_chu", "Ghi chú", "text", ()),
)

MEMBER_FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in MEMBER_FIELDS}
TWINNING_FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in TWINNING_FIELDS}

# What the reader must find (``read_table(required=...)``).
MEMBER_REQUIRED: tuple[str, ...] = ("ma_dang_vien", "thon")
TWINNING_REQUIRED: tuple[str, ...] = ("thon",)

# Columns of the typed frames, in order.
MEMBER_COLUMNS: tuple[str, ...] = (
    "ma_dang_vien",
    "ho_ten",
    "chi_bo",
    "thon",
    "huong_luong",
    "gioi_tinh",
    "dan_toc",
    "nam_sinh",
    "mien",
    "tran_so_ho",
    "ghi_chu",
)
TWINNING_COLUMNS: tuple[str, ...] = ("chi_bo", "thon", "ghi_chu")

_TEXT_KEYS = ("ma_dang_vien", "ho_ten", "chi_bo", "thon", "gioi_tinh", "dan_toc", "ghi_chu")
_MARK_KEYS = ("huong_luong", "mien")

# Years of birth outside [year − OLDEST, year − YOUNGEST] are flagged (warning).
YOUNGEST = 18
OLDEST = 110

_EXAMPLES = {"nam_sinh": "1975", "tran_so_ho": "2"}


def cell_key(name: object) -> str:
    """Folded party-cell name without a leading "Chi bộ" ("Chi bộ Trạm Y tế xã" and
    "Trạm Y tế xã" give the same key); "" when blank."""
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ""
    folded = fold(str(name))
    if folded.startswith("chibo") and len(folded) > len("chibo"):
        folded = folded[len("chibo") :]
    return folded


def village_index(villages: Iterable[str]) -> dict[str, str]:
    """Folded village name → the commune's own spelling (first in sorted order wins)."""
    index: dict[str, str] = {}
    for name in sorted(str(v) for v in villages):
        key = fold(name)
        if key:
            index.setdefault(key, name)
    return index


# --- findings --------------------------------------------------------------------------------


def _first_data_row(raw: RawTable) -> int:
    return (max(raw.header_rows) + 1) if raw.header_rows else 2


def _suggestion(value: str, index: dict[str, str]) -> str:
    """ " Có phải là “Buôn Jun”?" for a near miss among the commune's villages, else ""."""
    close = difflib.get_close_matches(fold(value), list(index), n=1, cutoff=0.75)
    return f' Có phải là "{index[close[0]]}"?' if close else ""


def _village_list(index: dict[str, str], limit: int = 12) -> str:
    names = list(index.values())
    shown = ", ".join(names[:limit])
    return shown + (", …" if len(names) > limit else "")


def _duplicates(codes: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, dict[Any, int]]:
    """Positions repeating an earlier code, and code → position of its first occurrence."""
    series = pd.Series(codes, dtype=object)
    dup = series.duplicated(keep="first").to_numpy() & ~blank
    firsts = series[~blank].drop_duplicates(keep="first")
    return dup, dict(zip(firsts.to_numpy(), firsts.index.to_numpy(), strict=True))


# --- members ---------------------------------------------------------------------------------


def prepare_members(
    raw: RawTable, villages: set[str], *, year: int | None = None
) -> tuple[pd.DataFrame, list[Finding]]:
    """Check every cell of a members sheet; return (members, findings).

    ``villages``: the commune's villages (their spelling is used in the output; a member's
    village is matched after folding). ``year``: the review year, to flag implausible
    years of birth (optional).

    Errors (the row is left out of ``members``): blank or duplicate member code (the first
    row with a code is kept), a village the commune does not have, an unreadable mark or
    number, a negative cap. Warnings (the row is kept): no village (the member can only
    help in villages twinned with their party cell), no party cell, a cap of 0 (never
    assigned), an odd year of birth. An empty list gets one ``dv-khong-co`` error.

    ``members``: columns :data:`MEMBER_COLUMNS` (text as ``string``, ``huong_luong`` and
    ``mien`` as ``bool``, ``nam_sinh`` and ``tran_so_ho`` as ``Int64``), index = Excel row.
    """
    frame = raw.frame
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    out = FindingCollector(raw, frame, MEMBER_FIELD_BY_KEY, ma_ho_key=None)
    n = len(frame)
    index = village_index(villages)
    typed: dict[str, pd.Series] = {}

    for key in _TEXT_KEYS:
        typed[key] = pd.Series(pd.array(out.text(key).tolist(), dtype="string"), index=frame.index)
    for key in _MARK_KEYS:
        if key in frame.columns:
            p = parse_mark(frame[key])
            out.parse_errors(key, p, renames=_MEMBER_CODES)
            typed[key] = p.values.fillna(False).astype(bool)
        else:
            typed[key] = pd.Series(np.zeros(n, dtype=bool), index=frame.index)
    for key, units in (("nam_sinh", ()), ("tran_so_ho", ("ho",))):
        if key in frame.columns:
            p = parse_count(frame[key], units)
            out.parse_errors(key, p, renames=_MEMBER_CODES, example=_EXAMPLES[key])
            values = p.values
            negative = (values.notna() & (values < 0)).to_numpy(dtype=bool)
            out.add("so-am", key, negative)
            typed[key] = values.where(~negative)
        else:
            typed[key] = pd.Series(pd.array([pd.NA] * n, dtype="Int64"), index=frame.index)

    # Member code: present, unique.
    codes = out.text("ma_dang_vien")
    blank = pd.isna(codes)
    out.add("dv-ma-trong", "ma_dang_vien", blank)
    dup, first = _duplicates(codes, blank)
    rows = out.rows
    out.add("dv-ma-trung", "ma_dang_vien", dup, lambda p: {"other_row": int(rows[first[codes[p]]])})

    # Village: one of the commune's (canonical spelling), or blank (warning).
    thon = out.text("thon")
    folded = np.array([fold(t) if t is not None else "" for t in thon], dtype=object)
    known = np.array([f in index for f in folded], dtype=bool)
    missing = np.array([t is None for t in thon], dtype=bool)
    unknown = ~missing & ~known
    listed = _village_list(index)
    out.add(
        "dv-thon-khong-co",
        "thon",
        unknown,
        lambda p: {"suggest": _suggestion(str(thon[p]), index), "villages": listed},
    )
    out.add("dv-thon-trong", "thon", missing)
    canonical = [index[f] if k else None for f, k in zip(folded, known, strict=True)]
    typed["thon"] = pd.Series(pd.array(canonical, dtype="string"), index=frame.index)

    # Party cell, cap, year of birth: warnings.
    out.add("dv-chi-bo-trong", "chi_bo", typed["chi_bo"].isna().to_numpy(dtype=bool))
    cap = typed["tran_so_ho"]
    out.add("dv-tran-bang-0", "tran_so_ho", (cap.notna() & (cap == 0)).to_numpy(dtype=bool))
    if year is not None:
        born = typed["nam_sinh"]
        odd = (born.notna() & ((born > year - YOUNGEST) | (born < year - OLDEST))).to_numpy(
            dtype=bool
        )
        out.add("dv-nam-sinh-bat-thuong", "nam_sinh", odd, year=year)

    members = pd.DataFrame({k: typed[k] for k in MEMBER_COLUMNS}, index=frame.index)
    members = members.loc[~out.bad]
    if members.empty:
        out.add("dv-khong-co", None, np.zeros(0, dtype=bool), row=_first_data_row(raw))
    elif bool(members["mien"].all()):
        out.add("dv-tat-ca-mien", "mien", np.zeros(0, dtype=bool), row=int(members.index[0]))
    return members, out.sorted_findings()


# --- twinnings -------------------------------------------------------------------------------


def prepare_twinnings(
    raw: RawTable, villages: set[str], cells: set[str]
) -> tuple[pd.DataFrame, list[Finding]]:
    """Check a twinning (kết nghĩa) sheet: party cell or agency ↔ village.

    ``villages``: the commune's villages; ``cells``: the party cells of the members list
    (as written there). The cell is the ``chi_bo`` column, else ``co_quan``.

    Errors (row left out): no cell, no village, a village the commune does not have.
    Warnings: a cell with no member in the members list (kept: nobody can help through
    it until the members list has them), the same twinning twice (the repeat is left out).

    Returns (twinnings, findings); twinnings has columns :data:`TWINNING_COLUMNS`
    (``thon`` in the commune's spelling), index = Excel row.
    """
    frame = raw.frame
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    out = FindingCollector(raw, frame, TWINNING_FIELD_BY_KEY, ma_ho_key=None)
    index = village_index(villages)
    cell_names = {cell_key(c): str(c) for c in sorted(cells) if cell_key(c)}

    chi_bo = out.text("chi_bo")
    co_quan = out.text("co_quan")
    cell = np.array(
        [c if c is not None else q for c, q in zip(chi_bo, co_quan, strict=True)], dtype=object
    )
    has_cell = "chi_bo" in frame.columns or "co_quan" not in frame.columns
    cell_col = "chi_bo" if has_cell else "co_quan"
    no_cell = np.array([c is None for c in cell], dtype=bool)
    out.add("kn-chi-bo-trong", cell_col, no_cell)

    thon = out.text("thon")
    missing = np.array([t is None for t in thon], dtype=bool)
    out.add("kn-thon-trong", "thon", missing)
    folded = np.array([fold(t) if t is not None else "" for t in thon], dtype=object)
    known = np.array([f in index for f in folded], dtype=bool)
    listed = _village_list(index)
    out.add(
        "kn-thon-khong-co",
        "thon",
        ~missing & ~known,
        lambda p: {"suggest": _suggestion(str(thon[p]), index), "villages": listed},
    )

    keys = np.array([cell_key(c) for c in cell], dtype=object)
    unknown_cell = ~no_cell & np.array([k not in cell_names for k in keys], dtype=bool)
    cell_index = {k: v for k, v in cell_names.items()}

    def cell_hint(p: int) -> dict[str, object]:
        close = difflib.get_close_matches(str(keys[p]), list(cell_index), n=1, cutoff=0.75)
        return {"suggest": f' Có phải là "{cell_index[close[0]]}"?' if close else ""}

    out.add("kn-chi-bo-khong-co", cell_col, unknown_cell, cell_hint)

    ok = ~out.bad
    pair = np.array([f"{k}\x1f{f}" for k, f in zip(keys, folded, strict=True)], dtype=object)
    dup, first = _duplicates(pair, ~ok)
    rows = out.rows
    out.add("kn-trung", "thon", dup, lambda p: {"other_row": int(rows[first[pair[p]]])})

    canonical = [index[f] if k else None for f, k in zip(folded, known, strict=True)]
    twinnings = pd.DataFrame(
        {
            "chi_bo": pd.array(cell.tolist(), dtype="string"),
            "thon": pd.array(canonical, dtype="string"),
            "ghi_chu": pd.array(out.text("ghi_chu").tolist(), dtype="string"),
        },
        index=frame.index,
    )
    return twinnings.loc[ok & ~dup], out.sorted_findings()
