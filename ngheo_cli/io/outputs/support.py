"""Workbooks of the support ledger: the blank book officers fill (also used for the sample
data), and the year's summary (commitments, households, villages and kinds, the outcome
comparison, the ledger itself)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from ngheo_cli.core import support as core
from ngheo_cli.core.parse import format_vn
from ngheo_cli.core.support.results import ImportResult, SupportSummary
from ngheo_cli.io.atomic import StagedOutputs, atomic_write
from ngheo_cli.io.xlsx.writer import Column, Sheet, write_workbook

FIXED_CREATED = datetime(2000, 1, 1)
SHEET = "Sổ hỗ trợ"
GUIDE_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
TEMPLATE_ROWS = 5_000

#: Columns of the book, in order (keys of core.SUPPORT_FIELDS).
BOOK_KEYS: tuple[str, ...] = (
    "stt", "ngay", "loai_nguoi", "nguoi_ho_tro", "ma_ho", "ho_ten_chu_ho", "loai", "so_luong",
    "don_vi", "gia_tri", "ghi_chu",
)
BOOK_HELP: dict[str, str] = {
    "stt": "Số thứ tự (không bắt buộc).",
    "ngay": "Ngày hỗ trợ, dạng ngày/tháng/năm (ví dụ 15/03/2024); phải thuộc năm đang nhập.",
    "loai_nguoi": "Đảng viên, Chi bộ, Cơ quan, đơn vị, Quỹ, ngân hàng, hoặc Khác (doanh "
    "nghiệp, cá nhân). Chọn trong danh sách.",
    "nguoi_ho_tro": "Đảng viên: ghi MÃ đảng viên (như trong danh sách đảng viên). Chi bộ, cơ "
    "quan, quỹ: ghi tên (ví dụ Chi bộ Trạm Y tế xã, Ngân hàng CSXH).",
    "ma_ho": "Mã hộ được hỗ trợ, như trong danh sách hộ của xã (giữ số 0 ở đầu).",
    "ho_ten_chu_ho": "Họ và tên chủ hộ (để đối chiếu, không bắt buộc).",
    "loai": "Tiền, Cây giống, Vật nuôi, Ngày công, Nhà ở (xây/sửa), Thẻ BHYT, Vay vốn, Đào tạo "
    "nghề, Quà, Khác. Chọn trong danh sách.",
    "so_luong": "Số lượng theo đơn vị tính (ví dụ 10 cây, 2 ngày công, 1 căn). Với Tiền và Vay "
    "vốn: để trống, ghi số tiền ở cột Giá trị.",
    "don_vi": "Đơn vị hợp với loại: Tiền, Vay vốn: đồng; Cây giống: cây; Vật nuôi: con; Ngày "
    "công: ngày công; Nhà ở: căn; Thẻ BHYT: thẻ; Đào tạo nghề: người, lượt, khoá; Quà: phần, "
    "suất, kg, …",
    "gia_tri": "Giá trị bằng đồng (ví dụ 500000 hoặc 500.000). Bắt buộc với Tiền, Vay vốn; nên "
    "ghi cả với hiện vật để tính cam kết một ngày lương.",
    "ghi_chu": "Ghi chú (ví dụ: giống cây sầu riêng; quà Tết; nhà Đại đoàn kết).",
}
_WIDTHS = {"stt": 6, "ngay": 12, "loai_nguoi": 18, "nguoi_ho_tro": 26, "ma_ho": 11,
           "ho_ten_chu_ho": 24, "loai": 18, "so_luong": 10, "don_vi": 12, "gia_tri": 14,
           "ghi_chu": 34}


def _label(key: str) -> str:
    return core.SUPPORT_FIELD_BY_KEY[key].label


def write_support_book(
    path: str | os.PathLike[str],
    records: pd.DataFrame | None = None,
    *,
    title: str = "Sổ theo dõi hỗ trợ hộ nghèo, hộ cận nghèo",
) -> None:
    """The support book: sheet "Sổ hỗ trợ" (header, drop-down lists, text-formatted codes,
    then ``records`` if given), "Hướng dẫn" (what to write in each column) and a hidden
    "Danh mục" (the lists). ``records``: columns of :data:`BOOK_KEYS` (``ngay`` as ISO date
    text or a date; labels, not codes, for kinds and units). Same input → same bytes."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as temp:
        wb = xlsxwriter.Workbook(
            str(temp),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        wb.set_properties({"created": FIXED_CREATED, "author": "ngheo", "title": title})
        head = wb.add_format({"bold": True, "text_wrap": True, "align": "center",
                              "valign": "vcenter", "border": 1, "bg_color": "#DDEBF7"})
        text_fmt = wb.add_format({"num_format": "@"})
        date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
        money_fmt = wb.add_format({"num_format": "#,##0"})
        bold = wb.add_format({"bold": True})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})

        sheet = wb.add_worksheet(SHEET)
        guide = wb.add_worksheet(GUIDE_SHEET)
        lists = wb.add_worksheet(LIST_SHEET)

        choices = {
            "loai_nguoi": list(core.GIVER_KINDS.values()),
            "loai": [k.label for k in core.KINDS],
            "don_vi": [u.label for u in core.UNITS],
        }
        for c, key in enumerate(choices):
            lists.set_column(c, c, 28)
            lists.write_string(0, c, _label(key), bold)
            for r, value in enumerate(choices[key], start=1):
                lists.write_string(r, c, value)
        lists.hide()

        sheet.set_row(0, 36)
        for c, key in enumerate(BOOK_KEYS):
            kind = core.SUPPORT_FIELD_BY_KEY[key].kind
            fmt = text_fmt if kind in ("code", "text") and key != "ngay" else None
            if key == "ngay":
                fmt = date_fmt
            elif key == "gia_tri":
                fmt = money_fmt
            sheet.set_column(c, c, _WIDTHS[key], fmt)
            sheet.write_string(0, c, _label(key), head)
            prompt = {"input_title": _label(key)[:32], "input_message": BOOK_HELP[key][:255]}
            if key in choices:
                col = "ABC"[list(choices).index(key)]
                n = len(choices[key])
                sheet.data_validation(1, c, TEMPLATE_ROWS, c, {
                    "validate": "list", "source": f"='{LIST_SHEET}'!${col}$2:${col}${n + 1}",
                    "error_type": "warning",
                    "error_message": "Giá trị không có trong danh sách. Vẫn ghi?", **prompt})
            elif key == "ngay":
                sheet.data_validation(1, c, TEMPLATE_ROWS, c, {
                    "validate": "date", "criteria": "between",
                    "minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31),
                    "error_type": "warning",
                    "error_message": "Hãy ghi ngày dạng ngày/tháng/năm.", **prompt})
            else:
                sheet.data_validation(1, c, TEMPLATE_ROWS, c, {"validate": "any", **prompt})
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(TEMPLATE_ROWS, 1), len(BOOK_KEYS) - 1)

        if records is not None:
            for r, rec in enumerate(records.to_dict("records"), start=1):
                for c, key in enumerate(BOOK_KEYS):
                    _write_value(sheet, r, c, key, rec.get(key), date_fmt, money_fmt)

        guide.set_column(0, 0, 24)
        guide.set_column(1, 1, 90)
        guide.write_string(0, 0, title.upper(), bold)
        guide.write_string(1, 0, "Cột", bold)
        guide.write_string(1, 1, "Cách ghi", bold)
        for r, key in enumerate(BOOK_KEYS, start=2):
            guide.write_string(r, 0, _label(key), bold)
            guide.write_string(r, 1, BOOK_HELP[key], wrap)
        tail = len(BOOK_KEYS) + 3
        guide.write_string(tail, 0, "Lưu ý", bold)
        guide.write_string(
            tail, 1,
            "Mỗi dòng là một lần hỗ trợ cho một hộ. Nhập lại cùng tệp (hoặc cùng một dòng ở tệp "
            "khác) không bị tính hai lần. Dòng sai được chỉ rõ ô cần sửa; các dòng đúng vẫn "
            "được ghi.",
            wrap,
        )
        wb.close()


def _write_value(
    sheet: Any, r: int, c: int, key: str, value: Any, date_fmt: Any, money_fmt: Any
) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return
    if key == "ngay" and isinstance(value, date):
        sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), date_fmt)
    elif key == "ngay" and isinstance(value, str) and _is_iso(value):
        day = date.fromisoformat(value)
        sheet.write_datetime(r, c, datetime(day.year, day.month, day.day), date_fmt)
    elif key in ("so_luong", "gia_tri", "stt") and isinstance(value, int | float):
        sheet.write_number(r, c, float(value), money_fmt if key == "gia_tri" else None)
    else:
        sheet.write_string(r, c, str(value))


def _is_iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- the summary workbook --------------------------------------------------------------------

STATUS_LABELS = {"dat": "Đạt", "chua_dat": "Chưa đạt", "mien": "Miễn"}
SIGNATURE = ["NGƯỜI LẬP BIỂU", "BÍ THƯ ĐẢNG ỦY", "CHỦ TỊCH UBND XÃ"]


def summary_sheets(summary: SupportSummary) -> list[Sheet]:
    name, year = summary.commune.name, summary.year
    rules = summary.rules
    settings_note = (
        f"Cam kết: đảng viên hưởng lương góp từ một ngày lương "
        f"({format_vn(rules.salary_day_dong)} đ"
        + (", giá trị TẠM, chưa phải mức của xã" if rules.placeholder else "")
        + f"); đảng viên không hưởng lương góp từ {format_vn(rules.labour_days)} ngày công;"
        f" hoặc từ {format_vn(rules.seedlings)} cây giống."
    )
    sheets: list[Sheet] = []
    if summary.commitments is not None:
        c = summary.commitments.copy()
        c["trang_thai_ten"] = c["trang_thai"].map(STATUS_LABELS)
        c["muc_ten"] = c["muc"].map(core.ROUTE_LABELS)
        sheets.append(
            Sheet(
                name="Cam kết đảng viên",
                frame=c,
                columns=[
                    Column("ma_dang_vien", "Mã đảng viên", "code"),
                    Column("ho_ten", "Họ và tên"),
                    Column("chi_bo", "Chi bộ"),
                    Column("thon", "Thôn"),
                    Column("huong_luong", "Hưởng lương", "mark"),
                    Column("trang_thai_ten", "Kết quả"),
                    Column("muc_ten", "Tính theo"),
                    Column("yeu_cau", "Mức cam kết", "number"),
                    Column("da_gop", "Đã góp", "number"),
                    Column("chenh_lech", "Chênh lệch (+ vượt, − thiếu)", "number"),
                    Column("tien", "Giá trị đã góp (đồng)", "money"),
                    Column("ngay_cong", "Ngày công", "number"),
                    Column("cay_giong", "Cây giống", "number"),
                    Column("so_ho", "Số hộ đã giúp", "int"),
                    Column("ho_duoc_phan_cong", "Hộ được phân công"),
                    Column("giup_ho_phan_cong", "Đã giúp hộ được phân công", "mark"),
                ],
                title_rows=[f"THỰC HIỆN CAM KẾT HỖ TRỢ CỦA ĐẢNG VIÊN NĂM {year} — {name.upper()}"],
                notes=[settings_note, "Đảng viên được miễn không tính cam kết."],
                signature=SIGNATURE,
            )
        )
    h = summary.households.copy()
    h["phan_loai_ten"] = h["phan_loai"].map(core.class_label)
    h["phan_loai_truoc_ten"] = h["phan_loai_truoc"].map(core.class_label)
    sheets.append(
        Sheet(
            name="Hộ được hỗ trợ",
            frame=h,
            columns=[
                Column("ma_ho", "Mã hộ", "code"),
                Column("ho_ten_chu_ho", "Họ và tên chủ hộ"),
                Column("thon", "Thôn"),
                Column("phan_loai_truoc_ten", f"Năm {year - 1}"),
                Column("phan_loai_ten", f"Năm {year}"),
                Column("da_nhan", "Đã nhận"),
                Column("tong_gia_tri", "Tổng giá trị (đồng)", "money"),
                Column("nguoi_ho_tro", "Người, đơn vị hỗ trợ"),
                Column("nguoi_giup", "Đảng viên được phân công giúp"),
                Column("so_lan", "Số lần", "int"),
            ],
            title_rows=[f"CÁC HỘ ĐƯỢC HỖ TRỢ NĂM {year} — {name.upper()}"],
            total_row={"ma_ho": "Tổng cộng", "tong_gia_tri": "sum", "so_lan": "sum"},
        )
    )
    sheets.append(
        Sheet(
            name="Theo thôn và loại",
            frame=summary.by_village_kind,
            columns=[
                Column("thon", "Thôn"),
                Column("loai_ten", "Loại hỗ trợ"),
                Column("so_lan", "Số lần", "int"),
                Column("so_ho", "Số hộ", "int"),
                Column("so_luong", "Số lượng", "number"),
                Column("don_vi", "Đơn vị"),
                Column("tong_gia_tri", "Giá trị (đồng)", "money"),
            ],
            title_rows=[f"HỖ TRỢ THEO THÔN VÀ LOẠI NĂM {year} — {name.upper()}"],
            notes=["Dòng \"Toàn xã\" cộng mọi thôn theo từng loại."],
        )
    )
    sheets.append(
        Sheet(
            name="Theo người hỗ trợ",
            frame=summary.by_giver_kind,
            columns=[
                Column("loai_nguoi_ten", "Loại người hỗ trợ"),
                Column("so_nguoi_ho_tro", "Số người, đơn vị", "int"),
                Column("so_lan", "Số lần", "int"),
                Column("so_ho", "Số hộ", "int"),
                Column("tong_gia_tri", "Giá trị (đồng)", "money"),
            ],
            title_rows=[f"HỖ TRỢ THEO NGƯỜI, ĐƠN VỊ HỖ TRỢ NĂM {year} — {name.upper()}"],
        )
    )
    if summary.outcome is not None:
        o = summary.outcome
        rows = [
            {"nhom": label, **{k: v for k, v in o["groups"][code].items()}}
            for code, label in core.OUTCOME_GROUPS.items()
        ]
        sheets.append(
            Sheet(
                name="So sánh kết quả",
                frame=pd.DataFrame(rows),
                columns=[
                    Column("nhom", "Nhóm hộ"),
                    Column("households", f"Hộ nghèo, cận nghèo năm {o['from_year']}", "int"),
                    Column("found", f"Còn trong danh sách năm {o['to_year']}", "int"),
                    Column("left_list", "Ra khỏi nghèo, cận nghèo", "int"),
                    Column("rate_left_list", "Tỷ lệ ra khỏi nghèo, cận nghèo", "percent"),
                    Column("poor", f"Hộ nghèo năm {o['from_year']}", "int"),
                    Column("escaped_poverty", "Thoát nghèo", "int"),
                    Column("rate_escaped_poverty", "Tỷ lệ thoát nghèo", "percent"),
                    Column("not_found", "Không còn trong danh sách (chuyển đi, đổi mã)", "int"),
                ],
                title_rows=[
                    f"SO SÁNH: HỘ CÓ VÀ KHÔNG CÓ NGƯỜI GIÚP, HỖ TRỢ — NĂM {o['from_year']} → "
                    f"{o['to_year']}"
                ],
                notes=[
                    core.OUTCOME_CAUTION,
                    "Tỷ lệ tính trên các hộ còn trong danh sách năm sau; tỷ lệ thoát nghèo tính "
                    "trên các hộ nghèo.",
                    *summary.notes,
                ],
            )
        )
    ledger = summary.records.copy()
    ledger["ngay_d"] = [date.fromisoformat(str(d)) for d in ledger["ngay"]]
    ledger["loai_nguoi_ten"] = ledger["loai_nguoi"].map(core.GIVER_KINDS)
    ledger["nguoi"] = summary.giver_shown.to_numpy() if len(ledger) else []
    ledger["loai_ten"] = ledger["loai"].map(core.KIND_LABELS)
    ledger["don_vi_ten"] = [
        core.UNIT_BY_CODE[u].label if u in core.UNIT_BY_CODE else u
        for u in ledger["don_vi"].fillna("").astype(str)
    ]
    sheets.append(
        Sheet(
            name="Sổ hỗ trợ",
            frame=ledger,
            columns=[
                Column("ngay_d", "Ngày", "date"),
                Column("loai_nguoi_ten", "Loại người hỗ trợ"),
                Column("nguoi", "Người, đơn vị hỗ trợ"),
                Column("ma_ho", "Mã hộ", "code"),
                Column("loai_ten", "Loại hỗ trợ"),
                Column("so_luong", "Số lượng", "number"),
                Column("don_vi_ten", "Đơn vị"),
                Column("gia_tri", "Giá trị (đồng)", "money"),
                Column("ghi_chu", "Ghi chú"),
            ],
            title_rows=[f"SỔ THEO DÕI HỖ TRỢ NĂM {year} — {name.upper()}"],
            total_row={"ngay_d": "Tổng cộng", "gia_tri": "sum"},
        )
    )
    return sheets


def write_support_summary(summary: SupportSummary, out_dir: Path) -> list[Path]:
    """``<commune>_<year>_ho_tro.xlsx`` in ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{summary.commune.code}_{summary.year}_ho_tro.xlsx"
    with StagedOutputs() as staged:
        write_workbook(staged.stage(path), summary_sheets(summary))
    return [path]


def write_support_errors(result: ImportResult, out_dir: Path, stem: str) -> list[Path]:
    """``<stem>_loi.xlsx``: the ledger rows with findings, each cell marked as classify marks
    the household list. Nothing to say: no file, and a stale one from an earlier run of the
    same ledger is removed (the folder never shows errors that are already fixed)."""
    from ngheo_cli.io.outputs.classify import marked_rows_sheets  # the one error-workbook layout

    path = out_dir / f"{stem}_loi.xlsx"
    if not result.findings or result.raw is None:
        if path.exists():
            path.unlink()
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = {f.key: f.label for f in core.SUPPORT_FIELDS}
    where = f"{result.source} (sheet {result.raw.sheet})"
    sheets = marked_rows_sheets(result.raw, result.findings, result.rejected_rows, where, labels)
    with StagedOutputs() as staged:
        write_workbook(staged.stage(path), sheets, properties={"title": "Lỗi sổ hỗ trợ"})
    return [path]
