"""Findings: what is wrong (or odd) in an input, as data with stable codes.

Every finding names the sheet, the Excel cell, the household code and says, in
Vietnamese, what to write instead. Tests assert on ``code``, never on wording.
Severity ``error`` rejects the row; ``warning`` keeps it and asks a person to look.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from ngheo_cli.core.table import SHEET_STRIDE

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: Severity
    template: str  # str.format template; fields: value, label, and per-code extras


# Excel's error values and what each means, for the finding that names one.
EXCEL_ERRORS: dict[str, str] = {
    "#N/A": "không tìm thấy giá trị, thường do hàm dò tìm như VLOOKUP",
    "#DIV/0!": "phép chia cho 0",
    "#VALUE!": "sai kiểu giá trị trong công thức",
    "#REF!": "công thức trỏ tới ô đã bị xoá",
    "#NAME?": "công thức có tên hàm hoặc tên vùng không tồn tại",
    "#NUM!": "số không hợp lệ trong công thức",
    "#NULL!": "vùng giao nhau rỗng trong công thức",
    "#SPILL!": "kết quả mảng bị chặn",
    "#CALC!": "lỗi tính toán",
    "#GETTING_DATA": "dữ liệu chưa tải xong",
}

CATALOGUE: dict[str, FindingType] = {
    t.code: t
    for t in (
        FindingType(
            "con-loi-khac",
            "warning",
            "Còn {count} lỗi và cảnh báo khác từ dòng {row} trở đi không được liệt kê (mỗi "
            "sheet chỉ liệt kê {cap} lỗi đầu); các dòng có lỗi vẫn bị loại và được đếm. Hãy sửa "
            "các lỗi trên rồi chạy lại.",
        ),
        # --- cells that hold no value --------------------------------------------------
        FindingType(
            "o-loi-excel",
            "error",
            "Ô ở cột {label} có giá trị lỗi Excel {error} ({meaning}), không phải một giá trị. "
            "Hãy sửa công thức hoặc ghi giá trị thật vào ô.",
        ),
        FindingType(
            "cong-thuc-chua-tinh",
            "error",
            "Ô ở cột {label} có công thức ={formula} nhưng tệp không lưu kết quả đã tính "
            "(tệp do chương trình khác ghi ra). Hãy mở tệp bằng Excel, nhấn Ctrl+Alt+F9 rồi "
            "lưu lại, hoặc ghi giá trị thật vào ô.",
        ),
        # --- household code -------------------------------------------------------------
        FindingType(
            "ma-ho-trong", "error", "Thiếu mã hộ. Hãy ghi mã hộ (ví dụ 0012) cho dòng này."
        ),
        FindingType(
            "ma-ho-trung",
            "error",
            'Mã hộ "{value}" bị trùng với dòng {other_row}. Mỗi hộ chỉ được có một mã; '
            "hãy sửa lại mã hoặc xoá dòng lặp.",
        ),
        FindingType(
            "ma-ho-da-sua",
            "warning",
            'Mã hộ "{value}" được đọc là "{code}" (ô có phần thập phân ".0" hoặc dấu cách '
            "lạ do Excel đổi mã thành số). Hãy định dạng cột Mã hộ là Văn bản (Text) và ghi "
            '"{code}".',
        ),
        FindingType(
            "ma-ho-hong",
            "error",
            'Mã hộ "{value}" đã bị Excel đổi thành số ({why}) nên không biết mã thật. Hãy '
            "định dạng cột Mã hộ là Văn bản (Text) rồi gõ lại mã đầy đủ, ví dụ 0012.",
        ),
        FindingType(
            "dong-lap-lai",
            "warning",
            "Dòng này lặp lại y hệt dòng {other_row}: chỉ tính là một hộ. Hãy xoá dòng lặp.",
        ),
        FindingType(
            "ma-ho-bat-dau-lai",
            "warning",
            "Mã hộ bắt đầu lại từ đầu ở {where}: tệp có vẻ gộp danh sách của nhiều xã. "
            "Các hộ vẫn được phân loại nhưng mã hộ không chỉ ra được hộ nào, nên không lưu "
            "được vào thư mục làm việc. Hãy thêm cột Mã xã (hoặc Xã/Phường) ghi xã của từng "
            "dòng, hoặc tách tệp thành mỗi xã một tệp.",
        ),
        # --- numbers --------------------------------------------------------------------
        FindingType(
            "so-khong-doc-duoc",
            "error",
            'Không đọc được "{value}" ở cột {label}. Hãy ghi một số, ví dụ {example}.',
        ),
        FindingType(
            "vuot-gioi-han",
            "error",
            '{label} "{value}" vượt quá mức có thể có ({high}; {why}). Hãy kiểm tra và ghi '
            "lại số đúng.",
        ),
        FindingType(
            "so-qua-lon",
            "error",
            'Số "{value}" ở cột {label} lớn quá mức có thể có (có lẽ gõ nhầm hoặc ô bị định '
            "dạng sai). Hãy ghi lại số đúng.",
        ),
        FindingType(
            "so-am",
            "error",
            '{label} không thể âm ("{value}"). Hãy ghi số từ 0 trở lên.',
        ),
        FindingType(
            "so-mo-ho",
            "error",
            'Không rõ "{value}" ở cột {label} là bao nhiêu đồng{hint}. '
            "Hãy ghi đủ số đồng, ví dụ 1.500.000.",
        ),
        FindingType(
            "so-khong-nguyen",
            "error",
            '{label} phải là số nguyên ("{value}"). Hãy ghi ví dụ 4.',
        ),
        FindingType(
            "nhan-khau-khong-hop-le",
            "error",
            'Số nhân khẩu phải từ 1 trở lên (đang ghi "{value}"). Hãy ghi số người thực tế '
            "trong hộ.",
        ),
        FindingType(
            "nhan-khau-bat-thuong",
            "warning",
            "Số nhân khẩu {value} là rất lớn. Hãy kiểm tra lại (có thể gõ nhầm).",
        ),
        FindingType(
            "thu-nhap-bat-thuong",
            "warning",
            "Thu nhập bình quân {value} đồng/người/tháng là bất thường ({why}). Hãy kiểm tra lại.",
        ),
        FindingType(
            "diem-ngoai-khoang",
            "error",
            '{label} "{value}" nằm ngoài khoảng {low}–{high} ({basis}). Hãy kiểm tra lại phiếu.',
        ),
        FindingType(
            "diem-b-khong-chan",
            "error",
            'Điểm B "{value}" phải là bội số của {step} (mỗi chỉ số thiếu hụt {step} điểm).',
        ),
        FindingType(
            "dien-tich-bat-thuong",
            "warning",
            "Diện tích bình quân {value} m²/người là bất thường ({why}). Hãy kiểm tra lại.",
        ),
        FindingType(
            "phu-thuoc-vuot-nhan-khau",
            "error",
            "Số người phụ thuộc ({value}) lớn hơn số nhân khẩu ({members}). Hãy sửa một trong hai.",
        ),
        # --- marks and categories -------------------------------------------------------
        FindingType(
            "danh-dau-khong-ro",
            "error",
            'Không hiểu dấu "{value}" ở cột {label}. Ghi x (hoặc 1, có) nếu hộ thiếu hụt, '
            "để trống (hoặc 0, không) nếu không.",
        ),
        FindingType(
            "khu-vuc-khong-ro",
            "error",
            'Không hiểu khu vực "{value}". Hãy ghi "Nông thôn" hoặc "Thành thị".',
        ),
        FindingType(
            "khu-vuc-trong",
            "error",
            'Thiếu khu vực. Hãy ghi "Nông thôn" hoặc "Thành thị", hoặc chạy lệnh với '
            "--khu-vuc nong_thon|thanh_thi cho cả tệp.",
        ),
        # --- what the classifier needs -------------------------------------------------
        FindingType(
            "thieu-thu-nhap",
            "error",
            "Thiếu {what}. Hãy ghi {fix} để phân loại hộ.",
        ),
        FindingType(
            "thieu-chi-so",
            "error",
            "Thiếu dữ liệu thiếu hụt: không xác định được chỉ số {missing}{and_b}. Hãy {fix}.",
        ),
        FindingType(
            "diem-b-lech",
            "warning",
            "Điểm B ghi {value} nhưng các cột chỉ số cho {count} chỉ số thiếu hụt "
            "({expected} điểm). "
            "Đã dùng các cột chỉ số; hãy kiểm tra lại.",
        ),
        FindingType(
            "tuyen-lech",
            "warning",
            'Thu nhập bình quân cho kết quả "{by_income}" nhưng Điểm A cho "{by_score}". '
            "Đã dùng thu nhập bình quân; hãy kiểm tra lại phiếu.",
        ),
        FindingType(
            "chi-so-lech-so-do",
            "warning",
            "Cột {label}: {value}, nhưng số đo ({measure}) cho thấy hộ {verdict}. "
            "Đã dùng số đo theo quy định; hãy kiểm tra lại.",
        ),
        # --- review export fields and completeness (issue 10) ----------------------------
        FindingType(
            "ket-qua-khong-ro",
            "warning",
            'Không hiểu kết quả rà soát "{value}". Hãy ghi một trong: Hộ nghèo, Hộ cận nghèo, '
            "Hộ có mức sống trung bình, Hộ không nghèo (hoặc để trống).",
        ),
        FindingType(
            "ket-qua-lech",
            "warning",
            'Kết quả rà soát ghi "{value}"{recorded} nhưng theo {standard} hộ là '
            "{computed}. Chương trình giữ kết quả tính theo chuẩn; hãy kiểm tra lại phiếu "
            "của hộ.",
        ),
        FindingType(
            "ngay-ra-soat-khong-doc-duoc",
            "warning",
            'Không đọc được ngày rà soát "{value}". Hãy ghi dạng ngày/tháng/năm, ví dụ '
            "15/10/{year}.",
        ),
        FindingType(
            "ngay-ra-soat-ngoai-nam",
            "warning",
            "Ngày rà soát {shown} không thuộc năm {year} đang phân loại (rà soát định kỳ từ "
            "01/9 đến 14/12). Hãy kiểm tra lại ngày, hoặc chạy lệnh với --year đúng năm.",
        ),
        FindingType(
            "gioi-tinh-khong-ro",
            "warning",
            'Không hiểu giới tính "{value}". Hãy ghi "Nam" hoặc "Nữ".',
        ),
        FindingType(
            "ho-ten-trong",
            "error",
            "Thiếu họ và tên chủ hộ: danh sách niêm yết công khai cần tên chủ hộ. Hãy ghi "
            "họ và tên chủ hộ cho dòng này.",
        ),
        FindingType(
            "thon-trong",
            "error",
            "Thiếu thôn: danh sách được niêm yết và tổng hợp theo thôn. Hãy ghi tên thôn "
            "(ấp, bản, tổ dân phố) của hộ.",
        ),
        FindingType(
            "nhan-khau-trong",
            "error",
            "Thiếu số nhân khẩu: cần để tính số người nghèo, tỷ lệ theo nhân khẩu và chỉ "
            "số người phụ thuộc. Hãy ghi số người trong hộ, ví dụ 4.",
        ),
        FindingType(
            "thieu-cot",
            "warning",
            "Tệp không có cột {label}: {why} Hãy thêm cột này nếu có số liệu.",
        ),
        FindingType(
            "sheet-khong-doc",
            "warning",
            'Sheet "{sheet_name}" không được đọc: {why}. Nếu sheet này có hộ, hãy sửa cho cùng bố '
            'cục cột với sheet "{main}" (hoặc chọn sheet bằng --sheet).',
        ),
        # --- party members list (core.members) -----------------------------------------
        FindingType(
            "dv-ma-trong",
            "error",
            "Thiếu mã đảng viên. Hãy ghi mã (ví dụ số thẻ đảng viên) cho dòng này.",
        ),
        FindingType(
            "dv-ma-trung",
            "error",
            'Mã đảng viên "{value}" bị trùng với dòng {other_row}. Mỗi đảng viên chỉ được '
            "ghi một lần; hãy sửa lại mã hoặc xoá dòng lặp.",
        ),
        FindingType(
            "dv-thon-khong-co",
            "error",
            'Thôn "{value}" không có trong danh sách thôn của xã.{suggest} Các thôn của xã: '
            "{villages}. Nếu đảng viên ở ngoài xã và chỉ giúp hộ ở thôn kết nghĩa, hãy để "
            "trống ô này.",
        ),
        FindingType(
            "dv-thon-trong",
            "warning",
            "Chưa ghi thôn của đảng viên: đảng viên này chỉ được phân công giúp hộ ở các thôn "
            "kết nghĩa với chi bộ của mình.",
        ),
        FindingType(
            "dv-chi-bo-trong",
            "warning",
            "Chưa ghi chi bộ của đảng viên: đảng viên này không được phân công theo kết nghĩa "
            "và không có trong trang của chi bộ nào.",
        ),
        FindingType(
            "dv-danh-dau-khong-ro",
            "error",
            'Không hiểu dấu "{value}" ở cột {label}. Ghi x (hoặc 1, có) nếu đúng, để trống '
            "(hoặc 0, không) nếu không.",
        ),
        FindingType(
            "dv-tran-bang-0",
            "warning",
            "Trần số hộ bằng 0: đảng viên này sẽ không được phân công hộ nào. Nếu đảng viên "
            "được miễn, hãy đánh dấu ở cột Miễn.",
        ),
        FindingType(
            "dv-nam-sinh-bat-thuong",
            "warning",
            "Năm sinh {value} là bất thường cho đảng viên năm {year}. Hãy kiểm tra lại.",
        ),
        FindingType(
            "dv-khong-co",
            "error",
            "Danh sách đảng viên không có dòng hợp lệ nào. Hãy ghi ít nhất một đảng viên "
            "(mã đảng viên, họ tên, chi bộ, thôn).",
        ),
        FindingType(
            "dv-tat-ca-mien",
            "warning",
            "Tất cả đảng viên trong danh sách đều được miễn: không có ai để phân công giúp hộ.",
        ),
        # --- twinnings (kết nghĩa) -----------------------------------------------------
        FindingType(
            "kn-chi-bo-trong",
            "error",
            "Thiếu tên chi bộ hoặc cơ quan kết nghĩa. Hãy ghi tên chi bộ (như trong danh sách "
            "đảng viên).",
        ),
        FindingType(
            "kn-thon-trong",
            "error",
            "Thiếu thôn kết nghĩa. Hãy ghi tên thôn, buôn của xã mà chi bộ kết nghĩa.",
        ),
        FindingType(
            "kn-thon-khong-co",
            "error",
            'Thôn kết nghĩa "{value}" không có trong danh sách thôn của xã.{suggest} Các thôn '
            "của xã: {villages}.",
        ),
        FindingType(
            "kn-chi-bo-khong-co",
            "warning",
            'Chi bộ/cơ quan "{value}" không có đảng viên nào trong danh sách đảng viên, nên '
            "chưa có ai để phân công theo kết nghĩa này.{suggest}",
        ),
        FindingType(
            "kn-trung",
            "warning",
            "Kết nghĩa này trùng với dòng {other_row}; chỉ tính một lần.",
        ),
        # --- recognised list (core.recognised, ngheo ghi-danh-sach) ---------------------
        FindingType(
            "ds-ma-ho-da-sua",
            "warning",
            'Mã hộ "{value}" đã được đọc là "{code}" (mã hộ là chữ, không phải số: Excel hoặc '
            "phần mềm xuất tệp đã thêm đuôi thập phân hay dấu cách). Hãy định dạng cột Mã hộ "
            "là Văn bản và ghi {code}.",
        ),
        FindingType(
            "ds-ma-ho-khong-dung-duoc",
            "error",
            'Mã hộ "{value}" không dùng được: Excel đã đổi mã thành số (dạng 1,2E+11 hoặc số '
            "lẻ) nên không biết mã thật. Hãy định dạng cột Mã hộ là Văn bản rồi gõ lại mã.",
        ),
        FindingType(
            "ds-dong-trung",
            "warning",
            "Dòng này trùng hệt dòng {other_row}: chỉ ghi nhận một hộ. Hãy xoá dòng lặp.",
        ),
        FindingType(
            "ds-ma-ho-trung-khac",
            "error",
            'Mã hộ "{code}" có ở các dòng {rows} với nội dung khác nhau: không biết dòng nào '
            "đúng nên chưa ghi hộ này. Hãy giữ lại một dòng, đúng như quyết định công nhận.",
        ),
        FindingType(
            "ds-ket-qua-trong",
            "error",
            "Thiếu kết quả rà soát (phân loại hộ). Hãy ghi như trong quyết định công nhận, ví "
            "dụ: {choices}.",
        ),
        FindingType(
            "ds-ket-qua-khong-ro",
            "error",
            'Không hiểu kết quả rà soát "{value}". Hãy ghi một trong: {choices}.',
        ),
        FindingType(
            "ds-danh-dau-khong-ro",
            "warning",
            'Không hiểu dấu "{value}" ở cột {label}: ô này được để trống khi ghi vào kho. Ghi x '
            "(hoặc 1, có) nếu đúng, để trống (hoặc 0, không) nếu không.",
        ),
        FindingType(
            "ds-thieu-nhan-khau",
            "warning",
            "Thiếu số nhân khẩu: hộ vẫn được ghi nhận nhưng không được tính vào số nhân khẩu "
            "của bảng diễn biến. Hãy ghi số người trong hộ.",
        ),
        # --- support ledger (core.support) ---------------------------------------------
        FindingType(
            "ht-chua-co-ho",
            "warning",
            "Kho chưa có danh sách hộ năm {year} của xã nên chưa kiểm tra được mã hộ. Hãy chạy "
            "ngheo classify SỔ.xlsx --commune MÃ --year {year} trước rồi nhập lại.",
        ),
        FindingType(
            "ht-chua-co-dang-vien",
            "warning",
            "Kho chưa có danh sách đảng viên năm {year} nên chưa kiểm tra được mã đảng viên và "
            "chưa tính được cam kết của từng người. Hãy chạy ngheo assign cho năm {year}.",
        ),
        FindingType(
            "ht-ngay-trong",
            "error",
            "Thiếu ngày hỗ trợ. Hãy ghi ngày dạng ngày/tháng/năm, ví dụ 15/03/{year}.",
        ),
        FindingType(
            "ht-ngay-khong-doc-duoc",
            "error",
            'Không đọc được ngày "{value}". Hãy ghi dạng ngày/tháng/năm, ví dụ 15/03/{year}.',
        ),
        FindingType(
            "ht-ngay-ngoai-nam",
            "error",
            "Ngày {value} không thuộc năm {year} đang nhập. Hãy sửa ngày, hoặc nhập dòng này "
            "vào năm {other_year} (--year {other_year}).",
        ),
        FindingType(
            "ht-nguoi-ho-tro-trong",
            "error",
            "Thiếu người hỗ trợ. Hãy ghi mã đảng viên, hoặc tên chi bộ, cơ quan, quỹ đã hỗ trợ.",
        ),
        FindingType(
            "ht-loai-nguoi-khong-ro",
            "error",
            "Không rõ loại người hỗ trợ{shown}. Hãy ghi ở cột Loại người hỗ trợ một trong: "
            "{choices}.",
        ),
        FindingType(
            "ht-dang-vien-khong-co",
            "error",
            'Mã đảng viên "{value}" không có trong danh sách đảng viên năm {year} đã lưu.'
            "{suggest} Hãy sửa mã; nếu là đảng viên mới, hãy cập nhật danh sách đảng viên.",
        ),
        FindingType(
            "ht-ma-ho-trong",
            "error",
            "Thiếu mã hộ được hỗ trợ. Hãy ghi mã hộ như trong danh sách hộ của xã.",
        ),
        FindingType(
            "ht-ho-khong-co",
            "error",
            'Mã hộ "{value}" không có trong danh sách hộ năm {year} của xã đã lưu.{suggest} '
            "Hãy sửa lại mã hộ.",
        ),
        FindingType(
            "ht-loai-trong",
            "error",
            "Thiếu loại hỗ trợ. Hãy ghi một trong: {choices}.",
        ),
        FindingType(
            "ht-loai-khong-ro",
            "error",
            'Không hiểu loại hỗ trợ "{value}". Hãy ghi một trong: {choices}.',
        ),
        FindingType(
            "ht-so-luong-bang-0",
            "error",
            'Số lượng bằng 0 ("{value}"): không có gì được ghi nhận. Hãy ghi số lượng thực tế '
            "hoặc xoá dòng.",
        ),
        FindingType(
            "ht-thieu-so-luong",
            "error",
            'Thiếu số lượng cho loại hỗ trợ "{kind}". Hãy ghi số {unit}, ví dụ 10.',
        ),
        FindingType(
            "ht-don-vi-khong-hop",
            "error",
            'Đơn vị "{value}" không hợp với loại hỗ trợ "{kind}". Hãy ghi: {units}.',
        ),
        FindingType(
            "ht-thieu-gia-tri",
            "error",
            '"{kind}" cần ghi số tiền (đồng) ở cột {label}, ví dụ 500.000.',
        ),
        FindingType(
            "ht-tien-lech",
            "error",
            'Số tiền ở cột {label} ("{value}") khác số lượng ({quantity} đ). Với tiền và vay '
            "vốn, hãy ghi số tiền ở cột {label} và để trống cột Số lượng.",
        ),
        FindingType(
            "ht-trung",
            "warning",
            "Dòng này trùng hệt dòng {other_row} (cùng ngày, người hỗ trợ, hộ, loại, số lượng, "
            "đơn vị, giá trị): chỉ tính một lần. Nếu thật là hai lần hỗ trợ, hãy gộp thành một "
            "dòng với số lượng cộng lại.",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    """One thing wrong or odd in one cell (or row) of an input sheet."""

    code: str
    severity: Severity
    sheet: str
    cell: str  # full reference, e.g. "Hộ!F12"; the row's first cell when no column applies
    row: int  # Excel row number (1-based)
    column: str | None  # canonical key of the column, if any
    ma_ho: str | None
    message: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def brief(self) -> dict[str, object]:
        """What ``--json`` lists of a finding: where, which household, what. ``row`` is the
        Excel row number on its sheet (``self.row`` is the table's row key, which for the
        second and later sheets of a workbook read whole carries the sheet's offset)."""
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row % SHEET_STRIDE,
            "ma_ho": self.ma_ho,
            "code": self.code,
            "message": self.message,
        }


def make_finding(
    code: str,
    *,
    sheet: str,
    cell: str,
    row: int,
    column: str | None,
    ma_ho: str | None,
    **fields: object,
) -> Finding:
    """Build a finding from the catalogue; unknown codes are a programming error."""
    kind = CATALOGUE[code]
    return Finding(
        code=code,
        severity=kind.severity,
        sheet=sheet,
        cell=cell,
        row=row,
        column=column,
        ma_ho=ma_ho,
        message=kind.template.format(**fields),
    )


class FindingsMixin:
    """``errors`` and ``warnings`` for any result that holds a ``findings`` list."""

    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]
