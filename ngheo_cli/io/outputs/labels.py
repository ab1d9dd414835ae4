"""Officer-facing words for the columns and values of household tables.

Machines read the stable keys (``ma_ho``, ``is_dtts``, ``nong_thon``); an officer opening the
file reads labels and words ("Mã hộ", "Có", "Nông thôn") and money as whole đồng. Used by
every writer that offers labels (the export workbook, and CSVs with ``--headers nhan``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ngheo_cli.core.history import BIEN_DONG_LABELS
from ngheo_cli.core.schema import AREA_LABELS, CLASS_LABELS, FIELD_BY_KEY

HEADER_STYLES = ("ma", "nhan")

# Keys that are not survey fields (results and derived columns), in words.
EXTRA_LABELS: dict[str, str] = {
    "is_dtts": "Dân tộc thiểu số",
    "dtts": "Dân tộc thiểu số",
    "phan_loai": "Phân loại",
    "phan_loai_ten": "Phân loại",
    "khu_vuc_ten": "Khu vực",
    "so_thieu_hut": "Số chỉ số thiếu hụt",
    "thieu_hut": "Các chỉ số thiếu hụt",
    "tuyen": "Căn cứ xác định thu nhập",
    "nguon_thieu_hut": "Căn cứ xác định thiếu hụt",
    "chuan": "Chuẩn áp dụng (đồng)",
    "chenh_lech": "Chênh lệch so với chuẩn (đồng)",
    "ly_do": "Lý do",
    "dong_goc": "Dòng trong tệp gốc",
    "standard": "Chuẩn nghèo áp dụng",
    "ket_qua_ra_soat": "Kết quả rà soát ghi trong sổ",
    "phan_loai_truoc": "Phân loại năm trước",
    "bien_dong": "Biến động",
    "so_nhan_khau_truoc": "Số khẩu năm trước",
    "ma_dang_vien": "Mã đảng viên",
    "ho_ten": "Đảng viên",
    "chi_bo": "Chi bộ",
    "relation": "Địa bàn",
    "kept_from_last_year": "Giữ từ năm trước",
    # Stored with each household (store v5, core.gap): rule 1's last tie-break in ngheo assign.
    "nguon_chenh_lech": "Căn cứ tính chênh lệch so với chuẩn",
    "chenh_lech_quy_doi": "Chênh lệch so với chuẩn, quy ra đồng (Điểm A theo tỷ lệ với chuẩn)",
}

MONEY_KEYS = ("thu_nhap_binh_quan", "chuan", "chenh_lech", "gia_tri", "chenh_lech_quy_doi")
CLASS_KEYS = ("phan_loai", "phan_loai_truoc", "ket_qua_ra_soat")
VALUE_WORDS: dict[str, dict[str, str]] = {
    "khu_vuc": AREA_LABELS,
    "tuyen": {"thu_nhap": "Thu nhập bình quân", "diem_a": "Điểm A (Phiếu B)"},
    "nguon_chenh_lech": {"thu_nhap": "Thu nhập bình quân", "diem_a": "Điểm A (Phiếu B)"},
    "nguon_thieu_hut": {"chi_so": "Các cột chỉ số", "diem_b": "Điểm B"},
    "relation": {
        "same_village": "Cùng thôn",
        "twinned": "Thôn kết nghĩa",
        "other_village": "Thôn khác",
    },
    "bien_dong": BIEN_DONG_LABELS,
    **{k: CLASS_LABELS for k in CLASS_KEYS},
}


def header_label(key: str) -> str:
    """The Vietnamese header of a column key (the survey label, else a result label)."""
    if key in FIELD_BY_KEY:
        return FIELD_BY_KEY[key].label
    return EXTRA_LABELS.get(key, key)


def whole_dong(values: pd.Series) -> pd.Series:
    """Money as whole đồng: ``1200000.0`` → ``1200000`` (blank stays blank)."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.round().astype("Int64")


def _is_boolean(values: pd.Series) -> bool:
    if values.dtype == bool or str(values.dtype) == "boolean":
        return True
    present = values.dropna()
    return values.dtype == object and len(present) > 0 and present.map(type).eq(bool).all()


def yes_no(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "" if pd.isna(v) else ("Có" if v else "Không")).astype(object)


def money_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with money columns as whole đồng (done for machines and people alike)."""
    out = frame.copy()
    for key in MONEY_KEYS:
        if key in out.columns:
            out[key] = whole_dong(out[key])
    return out


def officer_values(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose values read as words: booleans Có/Không, codes of areas, classes and
    routes as their names, money as whole đồng. Column keys are unchanged."""
    out = money_columns(frame)
    for key in out.columns:
        if key in VALUE_WORDS:
            words = VALUE_WORDS[key]
            out[key] = out[key].map(lambda v, w=words: "" if pd.isna(v) else w.get(v, v))
        elif _is_boolean(out[key]):
            out[key] = yes_no(out[key])
    return out


def labelled(frame: pd.DataFrame, keys: Iterable[str] | None = None) -> pd.DataFrame:
    """Values in words and headers as labels (duplicate labels get the key in brackets)."""
    out = officer_values(frame if keys is None else frame[list(keys)])
    labels = [header_label(k) for k in out.columns]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    out.columns = [
        f"{label} ({key})" if seen[label] > 1 else label
        for key, label in zip(out.columns, labels, strict=True)
    ]
    return out


def csv_frame(frame: pd.DataFrame, headers: str) -> pd.DataFrame:
    """The frame a CSV writer writes: stable keys (``ma``) or labels and words (``nhan``);
    money as whole đồng either way."""
    if headers not in HEADER_STYLES:
        raise ValueError(f"headers must be one of {HEADER_STYLES}, not {headers!r}")
    return labelled(frame) if headers == "nhan" else money_columns(frame)
