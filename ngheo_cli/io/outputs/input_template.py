"""A blank workbook in the canonical layout, for commune officers to fill.

Sheet "Hộ": the schema labels in row 1 (frozen, with a filter), code columns formatted as
text so that leading zeros survive typing, drop-down lists (khu vực, the indicator marks,
dân tộc, nguyên nhân nghèo), number checks and a Vietnamese prompt on every column.
Sheet "Hướng dẫn": what to write in each column. Sheet "Danh mục" (hidden): the lists
behind the drop-downs. Same arguments → same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import xlsxwriter

from ngheo_cli.core.schema import FIELD_BY_KEY, INDICATOR_KEYS
from ngheo_cli.core.text import column_letter
from ngheo_cli.io.atomic import atomic_write

FIXED_CREATED = datetime(2000, 1, 1)

SHEET = "Hộ"
GUIDE_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
# Data validation covers rows 2 … TEMPLATE_ROWS + 1 (a large commune has 20.000 households).
TEMPLATE_ROWS = 30_000

MARK = "x"
AREA_CHOICES: tuple[str, ...] = ("Nông thôn", "Thành thị")

# The 54 ethnic groups of Viet Nam (Kinh first, then the groups of the Central Highlands).
ETHNIC_CHOICES: tuple[str, ...] = (
    "Kinh", "Ê Đê", "M'Nông", "Gia Rai", "Ba Na", "Xơ Đăng", "Cơ Ho", "Mạ", "Chu Ru",
    "Brâu", "Rơ Măm", "Giẻ Triêng", "Tày", "Nùng", "Thái", "Mường", "Dao", "Mông", "Khmer",
    "Hoa", "Chăm", "Sán Chay", "Sán Dìu", "Hrê", "Ra Glai", "X'Tiêng", "Bru - Vân Kiều",
    "Thổ", "Khơ Mú", "Cơ Tu", "Giáy", "Tà Ôi", "Co", "Chơ Ro", "Xinh Mun", "Hà Nhì", "Lào",
    "Kháng", "La Chí", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn", "Chứt", "Lự", "Lô Lô", "Mảng",
    "Cờ Lao", "Bố Y", "Cống", "Ngái", "Si La", "Pu Péo", "Ơ Đu",
)
CAUSE_CHOICES: tuple[str, ...] = (
    "Thiếu đất sản xuất", "Thiếu vốn", "Thiếu lao động", "Thiếu công cụ",
    "Thiếu kiến thức sản xuất", "Thiếu kỹ năng lao động", "Ốm đau, tai nạn", "Khác",
)
NEED_CHOICES: tuple[str, ...] = ("Y tế", "Giáo dục", "Sản xuất", "Tín dụng", "Nhà ở", "Khác")

_BEFORE_INDICATORS: tuple[str, ...] = (
    "stt", "ma_ho", "ho_ten_chu_ho", "thon", "dan_toc", "khu_vuc", "so_nhan_khau",
    "thu_nhap_binh_quan", "diem_a", "diem_b", "dien_tich_binh_quan", "so_nguoi_phu_thuoc",
)
_AFTER_INDICATORS: tuple[str, ...] = (
    "khong_kha_nang_lao_dong", "co_nguoi_co_cong", "nguyen_nhan", "nhu_cau", "cccd",
    "so_dien_thoai", "ma_xa", "ghi_chu",
)

# What to write in each column (prompt ≤ 255 characters, Excel's limit).
_HELP: dict[str, str] = {
    "stt": "Số thứ tự (không bắt buộc).",
    "ma_ho": "Mã hộ theo danh sách của xã. Ô đã định dạng văn bản: giữ nguyên số 0 ở đầu "
    "(ví dụ 01023). Mỗi hộ một mã, không trùng.",
    "ho_ten_chu_ho": "Họ và tên chủ hộ, viết đủ dấu (ví dụ Nguyễn Văn Hùng, Y Bhim Niê).",
    "thon": "Tên thôn, buôn, tổ dân phố; viết thống nhất trong cả danh sách (ví dụ Buôn Jun).",
    "dan_toc": "Dân tộc của chủ hộ: chọn trong danh sách hoặc gõ tên dân tộc.",
    "khu_vuc": "Nông thôn (xã) hoặc Thành thị (phường, thị trấn).",
    "so_nhan_khau": "Số người trong hộ: số nguyên, từ 1 trở lên.",
    "thu_nhap_binh_quan": "Thu nhập bình quân đầu người một tháng, bằng đồng (ví dụ 1500000). "
    "Có thể để trống nếu đã ghi Điểm A.",
    "diem_a": "Điểm A (B1) theo Phiếu B, Thông tư 07/2021/TT-BLĐTBXH. Có thể để trống nếu đã "
    "ghi thu nhập bình quân.",
    "diem_b": "Điểm B (B2): 10 điểm cho mỗi chỉ số thiếu hụt. Có thể để trống nếu đã đánh dấu "
    "các chỉ số.",
    "dien_tich_binh_quan": "Diện tích nhà ở chia cho số người trong hộ (m²/người), ví dụ 12,5.",
    "so_nguoi_phu_thuoc": "Số người phụ thuộc: trẻ em dưới 16 tuổi, người cao tuổi, người khuyết "
    "tật đang hưởng trợ cấp hằng tháng.",
    "khong_kha_nang_lao_dong": "Ghi x nếu hộ không có người có khả năng lao động.",
    "co_nguoi_co_cong": "Ghi x nếu hộ có thành viên là người có công với cách mạng.",
    "nguyen_nhan": "Chỉ ghi với hộ nghèo, hộ cận nghèo: nguyên nhân chính (chọn trong danh "
    "sách).",
    "nhu_cau": "Chỉ ghi với hộ nghèo, hộ cận nghèo: y tế, giáo dục, sản xuất, tín dụng, nhà ở, "
    "khác; nhiều nhu cầu thì cách nhau bằng dấu chấm phẩy.",
    "cccd": "Số căn cước công dân của chủ hộ: 12 chữ số, giữ số 0 ở đầu.",
    "so_dien_thoai": "Số điện thoại của hộ: 10 chữ số, giữ số 0 ở đầu. Để trống nếu không có.",
    "ma_xa": "Mã đơn vị hành chính của xã, phường (5 chữ số, giữ số 0 ở đầu).",
    "ghi_chu": "Ghi chú khác (ví dụ: hộ mới tách, hộ chuyển đến).",
}
_INDICATOR_HELP = "Ghi x nếu hộ thiếu hụt chỉ số này; để trống nếu không thiếu hụt."


def template_keys(indicator_ids: Sequence[str]) -> list[str]:
    """Column keys of the template, in order, for a standard's indicators."""
    ids = list(indicator_ids)
    unknown = [i for i in ids if i not in INDICATOR_KEYS]
    if unknown:
        raise ValueError(f"unknown indicator ids: {unknown} (known: {list(INDICATOR_KEYS)})")
    if len(set(ids)) != len(ids):
        raise ValueError("indicator ids must be unique")
    return [*_BEFORE_INDICATORS, *ids, *_AFTER_INDICATORS]


def _help(key: str, notes: Mapping[str, str]) -> str:
    if key in INDICATOR_KEYS:
        note = notes.get(key, "")
        return f"{_INDICATOR_HELP} Thiếu hụt khi: {note}" if note else _INDICATOR_HELP
    return _HELP.get(key, "")


def _prompt(title: str, message: str) -> dict[str, str]:
    return {"input_title": title[:32], "input_message": message[:255]}


def _validation(key: str, kind: str, sizes: Mapping[str, int], notes: Mapping[str, str]
                ) -> dict[str, Any]:
    label = FIELD_BY_KEY[key].label
    message = _help(key, notes)
    if len(message) > 255:  # Excel's limit for a prompt; the guidance sheet has the full text
        message = _help(key, {})
    prompt = _prompt(label, message)
    if kind == "mark":
        return {"validate": "list", "source": [MARK], "error_title": "Chỉ ghi x",
                "error_message": "Ghi x nếu có, để trống nếu không.", **prompt}
    if key == "khu_vuc":
        return {"validate": "list", "source": list(AREA_CHOICES),
                "error_message": "Chọn Nông thôn hoặc Thành thị.", **prompt}
    if key == "dan_toc":
        return {"validate": "list",
                "source": f"='{LIST_SHEET}'!$A$2:$A${sizes['dan_toc'] + 1}",
                "error_type": "warning",
                "error_message": "Tên dân tộc không có trong danh sách. Vẫn ghi?", **prompt}
    if key == "nguyen_nhan":
        return {"validate": "list",
                "source": f"='{LIST_SHEET}'!$C$2:$C${sizes['nguyen_nhan'] + 1}",
                "error_type": "warning",
                "error_message": "Nguyên nhân không có trong danh sách. Vẫn ghi?", **prompt}
    if key == "so_nhan_khau":
        return {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 50,
                "error_message": "Số nhân khẩu là số nguyên từ 1 đến 50.", **prompt}
    if key == "so_nguoi_phu_thuoc":
        return {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 50,
                "error_message": "Số người phụ thuộc là số nguyên từ 0.", **prompt}
    if key == "thu_nhap_binh_quan":
        return {"validate": "decimal", "criteria": "between", "minimum": 0,
                "maximum": 1_000_000_000, "error_type": "warning",
                "error_message": "Thu nhập là số đồng/người/tháng, ví dụ 1500000.", **prompt}
    if key == "diem_a":
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1000,
                "error_type": "warning", "error_message": "Điểm A từ 0 đến 1000.", **prompt}
    if key == "diem_b":
        return {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 120,
                "error_type": "warning",
                "error_message": "Điểm B = 10 × số chỉ số thiếu hụt (0 đến 120).", **prompt}
    if key == "dien_tich_binh_quan":
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1000,
                "error_type": "warning", "error_message": "Diện tích là số m²/người.", **prompt}
    if key == "cccd":
        return {"validate": "length", "criteria": "==", "value": 12, "error_type": "warning",
                "error_message": "Số CCCD có 12 chữ số.", **prompt}
    if key == "so_dien_thoai":
        return {"validate": "length", "criteria": "between", "minimum": 10, "maximum": 11,
                "error_type": "warning", "error_message": "Số điện thoại có 10 chữ số.",
                **prompt}
    return {"validate": "any", **prompt}


def write_template(
    path: str | os.PathLike[str],
    ruleset_indicator_ids: Sequence[str],
    *,
    indicator_notes: Mapping[str, str] | None = None,
    title: str | None = None,
) -> None:
    """Write the blank canonical workbook to ``path``.

    ``ruleset_indicator_ids``: the indicators of the standard (``Ruleset.indicator_ids``),
    one mark column each. ``indicator_notes``: indicator id → when a household is deprived
    (``Indicator.deprived_when``), shown on the guidance sheet.
    """
    keys = template_keys(ruleset_indicator_ids)
    notes = dict(indicator_notes or {})
    with atomic_write(path) as temp:
        wb = xlsxwriter.Workbook(
            str(temp),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        wb.set_properties({
            "created": FIXED_CREATED,
            "author": "ngheo",
            "title": title or "Sổ rà soát hộ gia đình (mẫu trống)",
        })
        head = wb.add_format({"bold": True, "text_wrap": True, "align": "center",
                              "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"})
        head_mark = wb.add_format({"bold": True, "text_wrap": True, "align": "center",
                                   "valign": "vcenter", "border": 1, "bg_color": "#FCE4D6"})
        text_fmt = wb.add_format({"num_format": "@"})
        mark_fmt = wb.add_format({"align": "center"})
        money_fmt = wb.add_format({"num_format": "#,##0"})
        bold = wb.add_format({"bold": True})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        wrap_bold = wb.add_format({"text_wrap": True, "valign": "top", "bold": True})

        ws = wb.add_worksheet(SHEET)
        guide = wb.add_worksheet(GUIDE_SHEET)
        lists = wb.add_worksheet(LIST_SHEET)

        # Lists behind the drop-downs.
        columns = {"A": ("Dân tộc", ETHNIC_CHOICES), "B": ("Khu vực", AREA_CHOICES),
                   "C": ("Nguyên nhân nghèo", CAUSE_CHOICES),
                   "D": ("Nhu cầu hỗ trợ", NEED_CHOICES)}
        for c, (name, values) in enumerate(columns.values()):
            lists.set_column(c, c, 26)
            lists.write_string(0, c, name, bold)
            for r, value in enumerate(values, start=1):
                lists.write_string(r, c, value)
        lists.hide()
        sizes = {"dan_toc": len(ETHNIC_CHOICES), "nguyen_nhan": len(CAUSE_CHOICES)}

        # Household sheet.
        last_row = TEMPLATE_ROWS
        ws.set_row(0, 48)
        for c, key in enumerate(keys):
            field = FIELD_BY_KEY[key]
            if field.kind == "code":
                width, fmt = 15, text_fmt
            elif field.kind == "mark":
                width, fmt = 11, mark_fmt
            elif key in ("ho_ten_chu_ho", "nguyen_nhan", "nhu_cau", "ghi_chu"):
                width, fmt = 26, None
            elif key == "thu_nhap_binh_quan":
                width, fmt = 16, money_fmt
            elif key == "stt":
                width, fmt = 6, None
            else:
                width, fmt = 13, None
            ws.set_column(c, c, width, fmt)
            ws.write_string(0, c, field.label, head_mark if field.kind == "mark" else head)
            ws.data_validation(1, c, last_row, c, _validation(key, field.kind, sizes, notes))
        ws.freeze_panes(1, 3)
        ws.autofilter(0, 0, 0, len(keys) - 1)
        ws.activate()

        # Guidance sheet.
        guide.set_column(0, 0, 8)
        guide.set_column(1, 1, 34)
        guide.set_column(2, 2, 26)
        guide.set_column(3, 3, 90)
        intro = (
            "HƯỚNG DẪN ĐIỀN SỔ RÀ SOÁT HỘ GIA ĐÌNH",
            f"- Mỗi hộ ghi một dòng trên trang \"{SHEET}\", từ dòng 2; không đổi, không xoá "
            "dòng tiêu đề.",
            "- Các cột chỉ số thiếu hụt: ghi x nếu hộ thiếu hụt, để trống nếu không.",
            "- Ghi thu nhập bình quân đầu người hoặc Điểm A (hoặc cả hai).",
            "- Mã hộ, số CCCD, số điện thoại là văn bản: giữ nguyên số 0 ở đầu.",
            "- Khi bấm vào một ô, Excel hiện lời nhắc cách ghi của cột đó.",
        )
        for r, line in enumerate(intro):
            guide.write_string(r, 0, line, bold if r == 0 else None)
        table = len(intro) + 1
        for c, name in enumerate(("Cột", "Tiêu đề cột", "Tên chuẩn (khoá)", "Cách ghi")):
            guide.write_string(table, c, name, head)
        for r, key in enumerate(keys, start=table + 1):
            field = FIELD_BY_KEY[key]
            guide.write_string(r, 0, column_letter(keys.index(key)), wrap)
            guide.write_string(r, 1, field.label, wrap_bold)
            guide.write_string(r, 2, key, wrap)
            guide.write_string(r, 3, _help(key, notes), wrap)
        guide.freeze_panes(table + 1, 0)
        wb.close()


def write_members_template(path: str | os.PathLike[str]) -> None:
    """A blank party-members workbook: sheet "Đảng viên" and sheet "Kết nghĩa" (party cell
    or agency ↔ village), headers the reader recognises, codes as text, drop-downs for the
    yes/no columns. Deterministic bytes, written atomically."""
    from ngheo_cli.core.members import MEMBER_FIELDS, TWINNING_FIELDS

    prompts = {
        "ma_dang_vien": "Mã đảng viên (giữ số 0 ở đầu).",
        "thon": "Thôn, buôn, tổ dân phố nơi đảng viên sinh sống (đúng tên như trong sổ hộ).",
        "chi_bo": "Tên chi bộ (ví dụ Chi bộ Buôn Jun).",
        "huong_luong": "Ghi x nếu đảng viên hưởng lương từ ngân sách.",
        "mien": "Ghi x nếu được miễn (tuổi cao, ốm đau, đi xa): không phân công hộ.",
        "tran_so_ho": "Số hộ tối đa riêng của đảng viên này (để trống: theo quy tắc chung).",
        "nam_sinh": "Năm sinh, ví dụ 1975.",
    }
    with atomic_write(path) as temp:
        wb = xlsxwriter.Workbook(
            str(temp),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        wb.set_properties({"created": FIXED_CREATED, "author": "ngheo",
                           "title": "Danh sách đảng viên và kết nghĩa (mẫu trống)"})
        head = wb.add_format({"bold": True, "text_wrap": True, "align": "center",
                              "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"})
        text_fmt = wb.add_format({"num_format": "@"})
        for name, fields in (("Đảng viên", MEMBER_FIELDS), ("Kết nghĩa", TWINNING_FIELDS)):
            ws = wb.add_worksheet(name)
            ws.set_row(0, 36)
            for c, field in enumerate(fields):
                ws.set_column(c, c, 24 if field.kind == "text" else 14,
                              text_fmt if field.kind == "code" else None)
                ws.write_string(0, c, field.label, head)
                check: dict[str, Any] = {"validate": "any"}
                if field.kind == "mark":
                    check = {"validate": "list", "source": [MARK],
                             "error_message": "Ghi x nếu có, để trống nếu không."}
                elif field.kind == "count":
                    check = {"validate": "integer", "criteria": ">=", "value": 0,
                             "error_message": "Ghi một số nguyên."}
                help_text = prompts.get(field.key)
                if help_text:
                    check.update(_prompt(field.label, help_text))
                ws.data_validation(1, c, 2000, c, check)
            ws.freeze_panes(1, 0)
        wb.close()
