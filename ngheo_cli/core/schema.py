"""The canonical household table: column keys, kinds, Vietnamese labels and header aliases.

Whatever a commune's workbook looks like, the reader maps its headers onto these keys
(ASCII snake_case Vietnamese, see design.md "Data contract"). Aliases are compared
after :func:`ngheo_cli.core.text.fold`, so case, diacritics, spaces and punctuation
never matter. A user mapping file can add more aliases at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .text import fold

Kind = Literal[
    "code",  # identifiers: always text, leading zeros kept (ma_ho, cccd, so_dien_thoai)
    "text",  # free text (names, village)
    "count",  # whole number >= 0 (so_nhan_khau)
    "money",  # đồng: "1.500.000", "1,5 triệu", 1500000
    "score",  # points (diem_a, diem_b)
    "number",  # a measure with decimals (m², ratio)
    "mark",  # yes/no: x, 1, có, ✓ … / blank, 0, không
    "area",  # khu vực: nông thôn / thành thị
]


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # header written in canonical workbooks
    kind: Kind
    aliases: tuple[str, ...] = ()
    description: str = ""

    def folded_aliases(self) -> set[str]:
        return {fold(a) for a in (self.key, self.label, *self.aliases)}


# Indicator mark columns. Keys equal the indicator ids of the rule files.
INDICATOR_FIELDS: tuple[Field, ...] = (
    Field("viec_lam", "Việc làm", "mark", ("Thiếu hụt việc làm", "TH việc làm", "CS1", "Chỉ số 1")),
    Field(
        "nguoi_phu_thuoc",
        "Người phụ thuộc",
        "mark",
        ("Thiếu hụt người phụ thuộc", "Người phụ thuộc trong hộ", "Tỷ lệ phụ thuộc", "CS2"),
    ),
    Field("dinh_duong", "Dinh dưỡng", "mark", ("Thiếu hụt dinh dưỡng", "CS3")),
    Field(
        "bao_hiem_y_te",
        "Bảo hiểm y tế",
        "mark",
        ("BHYT", "Thiếu hụt BHYT", "Thiếu hụt bảo hiểm y tế", "CS4"),
    ),
    Field(
        "giao_duc_nguoi_lon",
        "Trình độ giáo dục người lớn",
        "mark",
        ("Trình độ giáo dục của người lớn", "Giáo dục người lớn", "TĐGD người lớn", "CS5"),
    ),
    Field(
        "di_hoc_tre_em",
        "Tình trạng đi học của trẻ em",
        "mark",
        ("Tình trạng đi học trẻ em", "Đi học trẻ em", "Trẻ em đi học", "CS6"),
    ),
    Field(
        "chat_luong_nha_o",
        "Chất lượng nhà ở",
        "mark",
        ("Chất lượng nhà", "CL nhà ở", "Nhà không bền chắc", "CS7"),
    ),
    Field(
        "dien_tich_nha_o",
        "Diện tích nhà ở bình quân",
        "mark",
        ("Diện tích nhà ở", "Diện tích nhà ở bình quân đầu người", "DT nhà ở", "CS8"),
    ),
    Field(
        "nguon_nuoc",
        "Nguồn nước sinh hoạt",
        "mark",
        ("Nước sinh hoạt", "Nguồn nước", "Nước sạch", "CS9"),
    ),
    Field(
        "nha_tieu",
        "Nhà tiêu hợp vệ sinh",
        "mark",
        ("Nhà tiêu", "Nhà vệ sinh", "Hố xí hợp vệ sinh", "CS10"),
    ),
    Field(
        "vien_thong",
        "Sử dụng dịch vụ viễn thông",
        "mark",
        (
            "Dịch vụ viễn thông",
            "Viễn thông",
            "Sử dụng dịch vụ viễn thông, internet",
            "Dịch vụ số, internet",
            "CS11",
        ),
    ),
    Field(
        "tiep_can_thong_tin",
        "Phương tiện tiếp cận thông tin",
        "mark",
        ("Tài sản phục vụ tiếp cận thông tin", "Tiếp cận thông tin", "CS12"),
    ),
    Field(
        "xu_ly_rac_thai",
        "Xử lý rác thải",
        "mark",
        ("Thu gom, xử lý rác thải", "Rác thải", "Môi trường"),
    ),
)

BASE_FIELDS: tuple[Field, ...] = (
    Field("stt", "STT", "text", ("Số thứ tự", "TT", "No")),
    Field(
        "ma_ho",
        "Mã hộ",
        "code",
        ("Mã số hộ", "Mã HGĐ", "Mã hộ gia đình", "Số hiệu hộ", "Ma ho", "ID hộ"),
    ),
    Field("ma_xa", "Mã xã", "code", ("Mã đơn vị", "Mã xã/phường")),
    Field(
        "ho_ten_chu_ho",
        "Họ và tên chủ hộ",
        "text",
        ("Họ tên chủ hộ", "Chủ hộ", "Tên chủ hộ", "Họ và tên", "Họ tên"),
    ),
    Field(
        "thon",
        "Thôn",
        "text",
        (
            "Thôn, buôn",
            "Thôn/buôn",
            "Thôn, tổ dân phố",
            "Thôn/bản",
            "Ấp",
            "Buôn",
            "Tổ dân phố",
            "Thôn/ấp/bản/tổ dân phố",
            "Địa bàn",
        ),
    ),
    Field("dia_chi", "Địa chỉ", "text", ("Nơi ở",)),
    Field("dan_toc", "Dân tộc", "text", ("Dân tộc chủ hộ", "Thành phần dân tộc")),
    Field(
        "khu_vuc",
        "Khu vực",
        "area",
        ("Khu vực (nông thôn/thành thị)", "Địa bàn sinh sống", "NT/TT"),
    ),
    Field(
        "so_nhan_khau",
        "Số nhân khẩu",
        "count",
        ("Nhân khẩu", "Số khẩu", "Số người", "Số thành viên", "Số nhân khẩu trong hộ", "NK"),
    ),
    Field(
        "thu_nhap_binh_quan",
        "Thu nhập bình quân (đồng/người/tháng)",
        "money",
        (
            "Thu nhập bình quân",
            "Thu nhập bình quân đầu người",
            "Thu nhập bình quân người tháng",
            "Thu nhập BQ",
            "TNBQ",
            "Thu nhập bình quân đầu người/tháng",
            "Thu nhập (đồng/người/tháng)",
        ),
    ),
    Field("diem_a", "Điểm A", "score", ("Điểm B1", "Tổng điểm A", "Điểm thu nhập", "Điểm A (B1)")),
    Field(
        "diem_b",
        "Điểm B",
        "score",
        ("Điểm B2", "Tổng điểm B", "Điểm thiếu hụt", "Điểm B (B2)"),
    ),
    Field(
        "dien_tich_binh_quan",
        "Diện tích nhà ở bình quân (m²/người)",
        "number",
        ("Diện tích bình quân", "m2/người", "Diện tích bình quân đầu người (m2)"),
    ),
    Field(
        "so_nguoi_phu_thuoc",
        "Số người phụ thuộc",
        "count",
        ("Người phụ thuộc (số người)", "Số người phụ thuộc trong hộ"),
    ),
    Field(
        "cccd",
        "Số CCCD",
        "code",
        ("CCCD", "CMND", "Số CMND/CCCD", "Căn cước công dân", "Số định danh"),
    ),
    Field("so_dien_thoai", "Số điện thoại", "code", ("Điện thoại", "SĐT", "Di động")),
    Field("nguyen_nhan", "Nguyên nhân nghèo", "text", ("Nguyên nhân", "Nguyên nhân nghèo chính")),
    Field("nhu_cau", "Nhu cầu hỗ trợ", "text", ("Nhu cầu", "Nhu cầu cần hỗ trợ")),
    Field(
        "khong_kha_nang_lao_dong",
        "Không có khả năng lao động",
        "mark",
        ("Hộ không có khả năng lao động", "Không có KNLĐ"),
    ),
    Field("co_nguoi_co_cong", "Có người có công", "mark", ("Hộ có người có công", "Người có công")),
    # Fields of real review exports (standards.md §4 and §8). They never change the computed
    # class; the reports and the recorded-list import read them.
    Field(
        "ket_qua_ra_soat",
        "Kết quả rà soát",
        "text",
        ("Kết quả phân loại", "Phân loại hộ", "Phân loại", "Kết quả RS"),
        "the class the review recorded (Hộ nghèo, Hộ cận nghèo, …), compared, never trusted",
    ),
    Field("phieu_a", "Phiếu A", "text", ("Kết quả Phiếu A", "Phiếu nhận diện nhanh")),
    Field("dan_toc_tai_cho", "Dân tộc tại chỗ", "mark", ("DTTS tại chỗ", "Người dân tộc tại chỗ")),
    Field("gioi_tinh_chu_ho", "Giới tính chủ hộ", "text", ("Giới tính", "Nam/Nữ")),
    Field(
        "nlnn",
        "Hộ làm nông, lâm, ngư, diêm nghiệp",
        "mark",
        (
            "Hộ làm nông lâm ngư diêm nghiệp",
            "Làm nông, lâm, ngư, diêm nghiệp",
            "Hộ nông, lâm, ngư, diêm nghiệp",
            "Hộ NLNDN",
        ),
        "QĐ 24/2021: only these households are counted in the middle-standard band",
    ),
    Field("nguoi_ra_soat", "Người rà soát", "text", ("Cán bộ rà soát", "Điều tra viên")),
    Field("ngay_ra_soat", "Thời gian rà soát", "text", ("Ngày rà soát", "Ngày điều tra")),
    Field("ten_xa", "Xã/Phường", "text", ("Tên xã", "Xã", "Xã, phường", "Tên đơn vị")),
    Field("ghi_chu", "Ghi chú", "text", ()),
)

FIELDS: tuple[Field, ...] = BASE_FIELDS + INDICATOR_FIELDS
FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
INDICATOR_KEYS: tuple[str, ...] = tuple(f.key for f in INDICATOR_FIELDS)

# Columns that never leave the office: not on the public posting list (QĐ 24/2021: names
# and classes only).
PRIVATE_KEYS: frozenset[str] = frozenset(
    {"cccd", "so_dien_thoai", "thu_nhap_binh_quan", "diem_a", "diem_b", "dia_chi"}
)

# Class codes and their Vietnamese labels, poorest first.
CLASS_LABELS: dict[str, str] = {
    "ngheo": "Hộ nghèo",
    "can_ngheo": "Hộ cận nghèo",
    "trung_binh": "Hộ có mức sống trung bình",
    "khac": "Hộ khác (không nghèo)",
    # The score route cannot split "trung_binh" from "khac": Điểm A has no middle-band line.
    "tren_chuan": "Trên chuẩn cận nghèo (chưa phân biệt trung bình / khác)",
}
CLASS_ORDER: tuple[str, ...] = ("ngheo", "can_ngheo", "trung_binh", "khac", "tren_chuan")

AREA_LABELS: dict[str, str] = {"nong_thon": "Nông thôn", "thanh_thi": "Thành thị"}


def alias_index(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Folded header → canonical key, with a user's own mapping (header → key) on top."""
    index: dict[str, str] = {}
    for f in FIELDS:
        for alias in f.folded_aliases():
            index.setdefault(alias, f.key)
    for header, key in (extra or {}).items():
        index[fold(header)] = key
    return index
