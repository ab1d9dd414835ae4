"""Write a classification as the workbooks officers use: results, public posting list,
errors with the offending cells highlighted, or a CSV. Everything is staged and replaced
together, so a failed run leaves the previous outputs as they were."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

import pandas as pd

from ngheo_cli import __version__
from ngheo_cli.core import fmt
from ngheo_cli.core.compare import Comparison
from ngheo_cli.core.explain import deprivation_names, reasons
from ngheo_cli.core.findings import Finding
from ngheo_cli.core.results import ClassificationResult
from ngheo_cli.core.schema import AREA_LABELS, CLASS_LABELS, FIELD_BY_KEY
from ngheo_cli.core.summary import defined_classes
from ngheo_cli.core.summary_context import Summaries, classification_context, summaries
from ngheo_cli.core.table import SKIP_LABELS, RawTable
from ngheo_cli.io.atomic import StagedOutputs
from ngheo_cli.io.outputs.csv import write_csv
from ngheo_cli.io.outputs.html import render
from ngheo_cli.io.outputs.labels import csv_frame
from ngheo_cli.io.xlsx.writer import Column, Sheet, write_workbook

ROUTE_LABELS = {"thu_nhap": "Thu nhập bình quân", "diem_a": "Điểm A (Phiếu B)"}
SOURCE_LABELS = {"chi_so": "Các cột chỉ số", "diem_b": "Điểm B"}
SEVERITY_LABELS = {"error": "Lỗi (dòng bị loại)", "warning": "Cảnh báo"}
SIGNATURE = ["NGƯỜI LẬP BIỂU", "CÔNG CHỨC VĂN HOÁ – XÃ HỘI", "CHỦ TỊCH UBND XÃ"]


def output_paths(out_dir: Path, stem: str, fmt_: str) -> dict[str, Path]:
    if fmt_ == "csv":
        return {"ket_qua": out_dir / f"{stem}_ket_qua.csv"}
    return {
        "ket_qua": out_dir / f"{stem}_ket_qua.xlsx",
        "niem_yet": out_dir / f"{stem}_niem_yet.xlsx",
        "tom_tat": out_dir / f"{stem}_tom_tat.html",
        "loi": out_dir / f"{stem}_loi.xlsx",
    }


def result_frame(result: ClassificationResult) -> pd.DataFrame:
    """The per-household result table with display columns added."""
    h = result.households.copy()
    raw = result.raw
    h["dong_goc"] = [raw.excel_row(int(r)) for r in h.index]
    if raw.parts:  # read from several sheets: each row's own sheet
        h["sheet_goc"] = [raw.sheet_of(int(r)) for r in h.index]
    h["phan_loai_ten"] = h["phan_loai"].map(CLASS_LABELS)
    h["khu_vuc_ten"] = h["khu_vuc"].map(AREA_LABELS)
    h["thieu_hut"] = deprivation_names(h, result.ruleset)
    h["ly_do"] = reasons(h, result.ruleset)
    h["tuyen_ten"] = h["tuyen"].map(ROUTE_LABELS)
    h["nguon_thieu_hut_ten"] = h["nguon_thieu_hut"].map(SOURCE_LABELS)
    if "is_dtts" in h.columns:
        h["dtts"] = h["is_dtts"].map(lambda v: "" if pd.isna(v) else ("x" if v else ""))
    return h.reset_index(drop=True)


def _present(frame: pd.DataFrame, columns: Sequence[Column]) -> list[Column]:
    return [c for c in columns if c.key in frame.columns]


def result_columns(result: ClassificationResult) -> list[Column]:
    base = [
        Column("ma_ho", "Mã hộ", "code"),
        Column("ho_ten_chu_ho", "Họ và tên chủ hộ"),
        Column("thon", "Thôn"),
        Column("dan_toc", "Dân tộc"),
        Column("dtts", "DTTS", "text"),
        Column("khu_vuc_ten", "Khu vực"),
        Column("so_nhan_khau", "Số nhân khẩu", "int"),
        Column("thu_nhap_binh_quan", "Thu nhập bình quân (đ/người/tháng)", "money"),
        Column("diem_a", "Điểm A", "score"),
        Column("diem_b", "Điểm B", "score"),
    ]
    indicators = [Column(i.id, i.name, "mark") for i in result.ruleset.indicators]
    tail = [
        Column("so_thieu_hut", "Số chỉ số thiếu hụt", "int"),
        Column("thieu_hut", "Các chỉ số thiếu hụt"),
        Column("phan_loai_ten", "Phân loại"),
        Column("tuyen_ten", "Căn cứ xác định thu nhập"),
        Column("nguon_thieu_hut_ten", "Căn cứ xác định thiếu hụt"),
        Column("chuan", "Chuẩn áp dụng", "money"),
        Column("chenh_lech", "Chênh lệch so với chuẩn", "money"),
        Column("ly_do", "Lý do"),
        Column("nguyen_nhan", "Nguyên nhân nghèo"),
        Column("nhu_cau", "Nhu cầu hỗ trợ"),
        Column("dong_goc", "Dòng trong tệp gốc", "int"),
        Column("sheet_goc", "Sheet trong tệp gốc"),
    ]
    return base + indicators + tail


def _group_columns(ruleset_classes: list[str], first: str) -> list[Column]:
    cols = [
        Column("nhom", first),
        Column("so_ho", "Tổng số hộ", "int"),
        Column("so_nhan_khau", "Tổng số nhân khẩu", "int"),
    ]
    for code in ruleset_classes:
        label = CLASS_LABELS[code]
        cols += [
            Column(code, f"{label}: số hộ", "int"),
            Column(f"{code}_nhan_khau", f"{label}: số nhân khẩu", "int"),
            Column(f"ty_le_{code}", f"{label}: tỷ lệ", "percent"),
        ]
    return cols


def _findings_sheet(findings: list[Finding], name: str) -> Sheet:
    frame = pd.DataFrame(
        [
            {
                "muc_do": SEVERITY_LABELS[f.severity],
                "ma_loi": f.code,
                "o": f.cell,
                "ma_ho": f.ma_ho or "",
                "noi_dung": f.message,
            }
            for f in findings
        ],
        columns=["muc_do", "ma_loi", "o", "ma_ho", "noi_dung"],
    )
    return Sheet(
        name=name,
        frame=frame,
        columns=[
            Column("muc_do", "Mức độ"),
            Column("ma_loi", "Mã lỗi", "code"),
            Column("o", "Ô trong tệp gốc", "code"),
            Column("ma_ho", "Mã hộ", "code"),
            Column("noi_dung", "Nội dung và cách sửa", width=90),
        ],
        title_rows=[f"LỖI VÀ CẢNH BÁO KHI ĐỌC TỆP ({len(findings)})"],
    )


def _info_sheet(result: ClassificationResult, input_sha256: str) -> Sheet:
    r = result.ruleset
    counts = result.counts()
    skipped: dict[str, int] = {}
    for s in result.skipped:
        skipped[s.reason] = skipped.get(s.reason, 0) + 1
    rows = [
        ("Tệp đầu vào", result.source),
        ("Sheet", result.sheet),
        ("Mã SHA-256 của tệp", input_sha256),
        ("Năm rà soát", str(result.year)),
        ("Chuẩn áp dụng", f"{r.title} ({r.id})"),
        ("Căn cứ pháp lý", r.legal_basis),
        ("Chuẩn nghèo nông thôn", f"{fmt.money(r.income_line.nong_thon.value)}/người/tháng"),
        ("Chuẩn nghèo thành thị", f"{fmt.money(r.income_line.thanh_thi.value)}/người/tháng"),
        (
            "Mức sống trung bình",
            "Không quy định trong chuẩn này"
            if r.middle_band_upper is None
            else (
                f"đến {fmt.money(r.middle_band_upper.nong_thon.value)} (nông thôn), "
                f"{fmt.money(r.middle_band_upper.thanh_thi.value)} (thành thị)"
            ),
        ),
        ("Số chỉ số thiếu hụt để là hộ nghèo", f"từ {r.min_deprivations} trở lên"),
        ("Số dòng hộ trong tệp", str(result.input_rows)),
        ("Số hộ đã phân loại", str(len(result.households))),
        ("Số dòng bị loại (xem tệp lỗi)", str(len(result.rejected))),
    ]
    rows += [(f"Bỏ qua: {SKIP_LABELS[k]}", str(v)) for k, v in sorted(skipped.items())]
    rows += [
        (f"{CLASS_LABELS[code]}", "Không quy định" if n is None else str(n))
        for code, n in counts.items()
        if n or n is None
    ]
    rows.append(("Phiên bản ngheo", __version__))
    frame = pd.DataFrame(rows, columns=["muc", "gia_tri"])
    return Sheet(
        name="Thông tin",
        frame=frame,
        columns=[Column("muc", "Mục", width=38), Column("gia_tri", "Giá trị", width=80)],
        autofilter=False,
    )


def result_sheets(
    result: ClassificationResult, input_sha256: str, shared: Summaries | None = None
) -> list[Sheet]:
    """The result workbook's sheets; ``shared``: the aggregates when already computed."""
    r = result.ruleset
    frame = result_frame(result)
    classes = defined_classes(r, result.households)
    year = result.year
    if shared is None:
        shared = summaries(result)
    village, ethnic, dep = shared.villages, shared.ethnic, shared.deprivations
    mpi = result.mpi
    dep_notes = [
        f"Tính trên {dep.attrs['so_ho_co_chi_so']} hộ có đánh dấu từng chỉ số "
        "(hộ chỉ có Điểm B không biết thiếu hụt chỉ số nào).",
        f"Chỉ số Alkire–Foster (trọng số bằng nhau 1/{len(r.indicators)}, ngưỡng k = "
        f"{r.min_deprivations}/{len(r.indicators)}): H = {fmt.percent(mpi.H)}, "
        f"A = {fmt.percent(mpi.A)}, M0 = {fmt.number(mpi.M0, 4)}.",
        "H, A, M0 chỉ xét thiếu hụt; hộ nghèo theo chuẩn còn phải có thu nhập không quá chuẩn.",
    ]
    sheets = [
        Sheet(
            name="Kết quả phân loại",
            frame=frame,
            columns=_present(frame, result_columns(result)),
            title_rows=[
                f"KẾT QUẢ PHÂN LOẠI HỘ GIA ĐÌNH NĂM {year}",
                f"Theo {r.title} — {r.legal_basis}",
            ],
        ),
        Sheet(
            name="Tổng hợp theo thôn",
            frame=village,
            columns=_group_columns(classes, "Thôn"),
            title_rows=[f"KẾT QUẢ RÀ SOÁT THEO THÔN NĂM {year}"],
            signature=SIGNATURE,
        ),
        Sheet(
            name="Theo dân tộc",
            frame=ethnic,
            columns=_group_columns(classes, "Nhóm dân tộc"),
            title_rows=[f"KẾT QUẢ RÀ SOÁT THEO NHÓM DÂN TỘC NĂM {year}"],
            signature=SIGNATURE,
        ),
        Sheet(
            name="Thiếu hụt",
            frame=dep,
            columns=[
                Column("ten_chi_so", "Chỉ số"),
                Column("chieu", "Chiều"),
                Column("ngheo_so_ho", "Hộ nghèo thiếu hụt: số hộ", "int"),
                Column("ngheo_ty_le", "Hộ nghèo thiếu hụt: tỷ lệ", "percent"),
                Column("can_ngheo_so_ho", "Hộ cận nghèo thiếu hụt: số hộ", "int"),
                Column("can_ngheo_ty_le", "Hộ cận nghèo thiếu hụt: tỷ lệ", "percent"),
                Column("tat_ca_so_ho", "Tất cả hộ thiếu hụt: số hộ", "int"),
                Column("tat_ca_ty_le", "Tất cả hộ thiếu hụt: tỷ lệ", "percent"),
                Column("af_censored", "Tỷ lệ nghèo và thiếu hụt (AF)", "percent"),
                Column("af_dong_gop", "Đóng góp vào M0 (AF)", "percent"),
            ],
            title_rows=[f"THIẾU HỤT CÁC DỊCH VỤ XÃ HỘI CƠ BẢN NĂM {year}"],
            notes=dep_notes,
        ),
        _findings_sheet(result.findings, "Lỗi và cảnh báo"),
        _info_sheet(result, input_sha256),
    ]
    return sheets


def posting_sheet(result: ClassificationResult) -> Sheet:
    """The public list (niêm yết công khai, QĐ 24/2021): names, village, class; nothing private."""
    h = result.households
    listed = h[h["phan_loai"].isin(["ngheo", "can_ngheo"])]
    frame = pd.DataFrame(
        {
            "ho_ten_chu_ho": listed.get("ho_ten_chu_ho", pd.Series("", index=listed.index)),
            "thon": listed.get("thon", pd.Series("", index=listed.index)),
            "phan_loai": listed["phan_loai"].map(CLASS_LABELS),
            "order": listed["phan_loai"].map({"ngheo": 0, "can_ngheo": 1}),
        }
    ).fillna("")
    frame = frame.sort_values(["thon", "order", "ho_ten_chu_ho"], kind="stable").reset_index(
        drop=True
    )
    frame.insert(0, "stt", range(1, len(frame) + 1))
    return Sheet(
        name="Niêm yết",
        frame=frame,
        columns=[
            Column("stt", "STT", "int"),
            Column("ho_ten_chu_ho", "Họ và tên chủ hộ", width=32),
            Column("thon", "Thôn", width=24),
            Column("phan_loai", "Kết quả rà soát", width=22),
        ],
        title_rows=[
            f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {result.year} (DỰ KIẾN, NIÊM YẾT CÔNG KHAI)",
            f"Theo {result.ruleset.title}",
        ],
        notes=[
            "Mọi ý kiến về danh sách xin gửi Ban chỉ đạo giảm nghèo xã trong thời gian niêm yết."
        ],
        signature=["TRƯỞNG THÔN", "CHỦ TỊCH UBND XÃ"],
    )


def error_sheets(result: ClassificationResult) -> list[Sheet]:
    """Rows with findings as they were read, offending cells highlighted, plus the list."""
    return marked_rows_sheets(
        result.raw,
        result.findings,
        set(result.rejected.index.tolist()),
        f"{result.source} (sheet {result.sheet})",
    )


def marked_rows_sheets(
    raw: RawTable,
    findings: Sequence[Finding],
    rejected: set[int],
    where: str,
    labels: Mapping[str, str] | None = None,
) -> list[Sheet]:
    """The error workbook of any table read from a sheet (households, support ledger): the
    rows with findings as read, the cell of each finding filled red with its message as a
    comment, and the list of findings. ``labels`` names columns the sheet did not have."""
    labels = labels if labels is not None else {k: f.label for k, f in FIELD_BY_KEY.items()}
    rows = sorted({f.row for f in findings if f.row in raw.frame.index})
    keys = list(raw.frame.columns)
    frame = raw.frame.loc[rows, keys].copy() if rows else raw.frame.iloc[0:0][keys].copy()
    frame.insert(0, "tinh_trang", ["Bị loại" if r in rejected else "Cảnh báo" for r in rows])
    frame.insert(1, "dong_goc", [raw.excel_row(r) for r in rows])
    frame = frame.reset_index(drop=True)
    position = {r: i for i, r in enumerate(rows)}
    highlight: dict[tuple[int, str], str] = {}
    for f in findings:
        if f.row not in position:
            continue  # about the whole sheet: in the list only
        key = f.column if f.column is not None and f.column in keys else "tinh_trang"
        cell = (position[f.row], key)
        highlight[cell] = f"{highlight[cell]}\n{f.message}" if cell in highlight else f.message
    columns = [Column("tinh_trang", "Tình trạng"), Column("dong_goc", "Dòng", "int")] + [
        Column(k, raw.headers.get(k, labels.get(k, k)), "code") for k in keys
    ]
    return [
        Sheet(
            name="Dòng cần sửa",
            frame=frame,
            columns=columns,
            title_rows=[
                f"CÁC DÒNG CẦN SỬA TRONG {where}",
                "Ô tô đỏ là ô có lỗi; rê chuột vào ô để xem cách sửa.",
            ],
            highlight=highlight,
        ),
        _findings_sheet(list(findings), "Danh sách lỗi"),
    ]


def write_outputs(
    result: ClassificationResult,
    out_dir: Path,
    stem: str,
    fmt_: str,
    input_sha256: str,
    headers: str = "ma",
    before_commit: Callable[[], None] | None = None,
    only: Collection[str] | None = None,
) -> list[Path]:
    """Write every output of a classification; returns the paths written, in a fixed order.

    ``only`` (a batch's ``batch: {outputs: …}``): the files to write among ``ket_qua``,
    ``niem_yet`` and ``tom_tat``; None writes them all. The error workbook is written
    whenever there are findings.

    A stale error workbook from an earlier run of the same input is removed when this run
    finds nothing, so the folder never shows errors that are already fixed.
    ``before_commit`` runs once every file is written but none is in place yet (recording
    the year in the store): if it fails, no output replaces anything.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = output_paths(out_dir, stem, fmt_)
    written: list[Path] = []
    with StagedOutputs() as staged:
        if fmt_ == "csv":
            frame = result_frame(result)
            cols = ["ma_ho", "phan_loai", "so_thieu_hut"] + [
                c
                for c in (
                    "ho_ten_chu_ho",
                    "thon",
                    "dan_toc",
                    "khu_vuc",
                    "so_nhan_khau",
                    "thu_nhap_binh_quan",
                    "diem_a",
                    "diem_b",
                    *result.ruleset.indicator_ids,
                    "thieu_hut",
                    "tuyen",
                    "nguon_thieu_hut",
                    "chuan",
                    "chenh_lech",
                    "ly_do",
                    "dong_goc",
                )
                if c in frame.columns
            ]
            tmp = staged.stage(paths["ket_qua"])
            # keys, or labels (--headers nhan); text made formula-safe
            write_csv(csv_frame(frame[cols], headers), tmp)
            written.append(paths["ket_qua"])
        else:
            wanted = set(paths) if only is None else set(only)
            props = {"title": f"Kết quả phân loại hộ năm {result.year}", "author": "ngheo"}
            shared = (  # for the workbook and the HTML summary
                summaries(result) if wanted & {"ket_qua", "tom_tat"} else None
            )
            if "ket_qua" in wanted:
                write_workbook(
                    staged.stage(paths["ket_qua"]),
                    result_sheets(result, input_sha256, shared),
                    properties=props,
                )
                written.append(paths["ket_qua"])
            if "niem_yet" in wanted:
                write_workbook(
                    staged.stage(paths["niem_yet"]), [posting_sheet(result)], properties=props
                )
                written.append(paths["niem_yet"])
            if "tom_tat" in wanted:
                context = classification_context(result, shared)
                context["version"] = __version__
                staged.write_text(
                    paths["tom_tat"], render("tom_tat_phan_loai.html.j2", context)
                )
                written.append(paths["tom_tat"])
            if result.findings:
                write_workbook(staged.stage(paths["loi"]), error_sheets(result), properties=props)
                written.append(paths["loi"])
        if before_commit is not None:
            before_commit()
    if fmt_ != "csv" and not result.findings and paths["loi"].exists():
        paths["loi"].unlink()
    return written


def comparison_sheets(comp: Comparison) -> list[Sheet]:
    """Who moves between classes under another standard, and the class-by-class matrix."""
    base, other = comp.base.ruleset, comp.other.ruleset
    matrix = comp.matrix.copy()
    matrix.insert(0, "tu", [CLASS_LABELS[c] for c in matrix.index])
    matrix = matrix.reset_index(drop=True)
    matrix_cols = [Column("tu", f"Theo {base.id} \\ theo {other.id}", width=36)] + [
        Column(c, CLASS_LABELS[c], "int") for c in comp.matrix.columns
    ]
    notes = [
        "Đây là mô phỏng: danh sách chính thức của năm vẫn theo chuẩn của năm rà soát.",
        "Tỷ lệ theo hai chuẩn khác nhau không nối thành một chuỗi số liệu.",
    ]
    if comp.assumed_not_deprived:
        names = [i.name for i in other.indicators if i.id in comp.assumed_not_deprived]
        notes.append(
            "Sổ không có cột " + ", ".join(names) + ": tạm coi là không thiếu hụt chỉ số này."
        )
    return [
        Sheet(
            name="Ma trận chuyển",
            frame=matrix,
            columns=matrix_cols,
            title_rows=[
                f"PHÂN LOẠI CÙNG CÁC HỘ NĂM {comp.base.year} THEO HAI CHUẨN",
                f"{base.title} ({base.id}) so với {other.title} ({other.id})",
            ],
            notes=notes,
            autofilter=False,
        ),
        Sheet(
            name="Hộ thay đổi",
            frame=comp.moves,
            columns=_present(
                comp.moves,
                [
                    Column("ma_ho", "Mã hộ", "code"),
                    Column("ho_ten_chu_ho", "Họ và tên chủ hộ"),
                    Column("thon", "Thôn"),
                    Column("tu", f"Theo {base.id}"),
                    Column("sang", f"Theo {other.id}"),
                    Column("ly_do", "Vì sao", width=80),
                    Column("dong_goc", "Dòng trong tệp gốc", "int"),
                ],
            ),
            title_rows=[f"CÁC HỘ ĐỔI PHÂN LOẠI KHI ÁP DỤNG {other.id.upper()} ({len(comp.moves)})"],
        ),
    ]


def write_comparison(comp: Comparison, out_dir: Path, stem: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}_so_sanh_{comp.other.ruleset.id}.xlsx"
    props = {"title": f"So sánh chuẩn {comp.base.ruleset.id} và {comp.other.ruleset.id}"}
    write_workbook(path, comparison_sheets(comp), properties=props)
    return path
