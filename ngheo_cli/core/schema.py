"""The canonical household table: column keys, kinds and Vietnamese labels.

Whatever a commune's workbook looks like, the reader maps its headers onto these keys
(ASCII snake_case Vietnamese, see design.md "Data contract"). The other names officers
write for a column are data, not code: ``rulesets/headers/common.yaml`` and each rules
file's ``headers:`` section, matched by :mod:`ngheo_cli.core.headers`. ``Field.aliases``
is for the other tables' fields (members, support) that have no rules file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ngheo_cli.core.text import fold

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


# Indicator mark columns. Keys equal the indicator ids of the rule files. The names
# officers write for these columns are data: rulesets/headers/common.yaml, the `headers:`
# section and indicator names of each rules file (see core/headers.py).
INDICATOR_FIELDS: tuple[Field, ...] = (
    Field("viec_lam", "Việc làm", "mark"),
    Field("nguoi_phu_thuoc", "Người phụ thuộc", "mark"),
    Field("dinh_duong", "Dinh dưỡng", "mark"),
    Field("bao_hiem_y_te", "Bảo hiểm y tế", "mark"),
    Field("giao_duc_nguoi_lon", "Trình độ giáo dục người lớn", "mark"),
    Field("di_hoc_tre_em", "Tình trạng đi học của trẻ em", "mark"),
    Field("chat_luong_nha_o", "Chất lượng nhà ở", "mark"),
    Field("dien_tich_nha_o", "Diện tích nhà ở bình quân", "mark"),
    Field("nguon_nuoc", "Nguồn nước sinh hoạt", "mark"),
    Field("nha_tieu", "Nhà tiêu hợp vệ sinh", "mark"),
    Field("vien_thong", "Sử dụng dịch vụ viễn thông", "mark"),
    Field("tiep_can_thong_tin", "Phương tiện tiếp cận thông tin", "mark"),
    Field("xu_ly_rac_thai", "Xử lý rác thải", "mark"),
)

BASE_FIELDS: tuple[Field, ...] = (
    Field("stt", "STT", "text"),
    Field("ma_ho", "Mã hộ", "code"),
    Field("ma_xa", "Mã xã", "code"),
    Field("ho_ten_chu_ho", "Họ và tên chủ hộ", "text"),
    Field("thon", "Thôn", "text"),
    Field("dia_chi", "Địa chỉ", "text"),
    Field("dan_toc", "Dân tộc", "text"),
    Field("khu_vuc", "Khu vực", "area"),
    Field("so_nhan_khau", "Số nhân khẩu", "count"),
    Field("thu_nhap_binh_quan", "Thu nhập bình quân (đồng/người/tháng)", "money"),
    Field("diem_a", "Điểm A", "score"),
    Field("diem_b", "Điểm B", "score"),
    Field("dien_tich_binh_quan", "Diện tích nhà ở bình quân (m²/người)", "number"),
    Field("so_nguoi_phu_thuoc", "Số người phụ thuộc", "count"),
    Field("cccd", "Số CCCD", "code"),
    Field("so_dien_thoai", "Số điện thoại", "code"),
    Field("nguyen_nhan", "Nguyên nhân nghèo", "text"),
    Field("nhu_cau", "Nhu cầu hỗ trợ", "text"),
    Field("khong_kha_nang_lao_dong", "Không có khả năng lao động", "mark"),
    Field("co_nguoi_co_cong", "Có người có công", "mark"),
    # Fields of real review exports (standards.md §4 and §8). They never change the computed
    # class; the reports and the recorded-list import read them.
    Field(
        "ket_qua_ra_soat",
        "Kết quả rà soát",
        "text",
        (),
        "the class the review recorded (Hộ nghèo, Hộ cận nghèo, …), compared, never trusted",
    ),
    Field("phieu_a", "Phiếu A", "text"),
    Field("dan_toc_tai_cho", "Dân tộc tại chỗ", "mark"),
    Field("gioi_tinh_chu_ho", "Giới tính chủ hộ", "text"),
    Field(
        "nlnn",
        "Hộ làm nông, lâm, ngư, diêm nghiệp",
        "mark",
        (),
        "QĐ 24/2021: only these households are counted in the middle-standard band",
    ),
    Field("nguoi_ra_soat", "Người rà soát", "text"),
    Field("ngay_ra_soat", "Thời gian rà soát", "text"),
    Field("ten_xa", "Xã/Phường", "text"),
    Field("ghi_chu", "Ghi chú", "text"),
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
