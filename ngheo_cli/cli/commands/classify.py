"""``ngheo classify``: options and the printed summary of classifying one workbook (the work is
:mod:`ngheo_cli.services.classify`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from ngheo_cli.cli import console, views
from ngheo_cli.cli.options import (
    ColumnMap,
    CsvHeaders,
    JsonFlag,
    OutDir,
    Sheet,
    Standard,
    WorkspaceDir,
    Year,
    check_headers,
)

if TYPE_CHECKING:
    from ngheo_cli.services import classify as classify_service


def current_year() -> int:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year


def classify(
    survey: Annotated[
        Path, typer.Argument(metavar="SỔ_HỘ", help="Tệp danh sách hộ (.xlsx hoặc .csv).")
    ],
    year: Year = None,
    standard: Standard = None,
    khu_vuc: Annotated[
        str | None,
        typer.Option(
            "--khu-vuc", help="Khu vực cho cả tệp khi không có cột Khu vực: nong_thon | thanh_thi."
        ),
    ] = None,
    sheet: Sheet = None,
    column_map: ColumnMap = None,
    out: OutDir = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Định dạng kết quả: xlsx (mặc định) hoặc csv.")
    ] = "xlsx",
    headers: CsvHeaders = "ma",
    compare_with: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Phân loại thêm theo một chuẩn khác (ví dụ nd351-2025) để xem hộ nào đổi "
            "phân loại và vì sao.",
        ),
    ] = None,
    commune: Annotated[
        str | None,
        typer.Option(
            "--commune",
            "-c",
            help="Mã xã trong thư mục làm việc: ghi kết quả vào kho dữ liệu; theo-cot: tệp "
            "của huyện có cột Mã xã, mỗi xã lưu thành một năm riêng.",
        ),
    ] = None,
    workspace: WorkspaceDir = None,
    replace_recognised: Annotated[
        bool,
        typer.Option(
            "--replace-recognised",
            help="Năm này đã ghi nhận theo danh sách đã công nhận (ngheo record-list): vẫn "
            "thay bằng kết quả tính toán. Không có tuỳ chọn này thì kho giữ danh sách đã công "
            "nhận và chỉ báo hộ nào sẽ đổi phân loại.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> int:
    """Đọc, kiểm tra và phân loại từng hộ; ghi sổ kết quả, danh sách niêm yết và tệp lỗi.

    Ví dụ: ngheo classify xa_dak_lieng_2024.xlsx --year 2024 --out ket_qua

    Xem trước chuẩn 2027–2030: ngheo classify so_2026.xlsx --year 2026 --compare nd351-2025
    """
    from ngheo_cli.services import classify as classify_service
    from ngheo_cli.services.history import require_workspace

    stages = 3 + (commune is not None)  # read, classify, write (, record)
    with console.steps(f"Phân loại {survey.name}", stages) as step:
        run = classify_service.classify_file(
            survey,
            year=year if year is not None else current_year(),
            standard=standard,
            area=khu_vuc,
            sheet=sheet,
            column_map=column_map,
            out_dir=out,
            fmt=fmt,
            headers=check_headers(headers),
            compare_with=compare_with,
            commune=commune,
            workspace=require_workspace(workspace) if commune is not None else None,
            replace_recognised=replace_recognised,
            step=step,
        )
    if as_json:
        console.emit_json(run.to_dict())
    else:
        from ngheo_cli.core.headers import score_text

        console.err.print(views.classify_summary(run))
        guesses = run.result.header_guesses()  # every column taken on a guess is said
        if guesses:
            listed = "; ".join(
                f"{g['column']} \"{g['header']}\" → {g['key']}"
                + (f" (độ giống {score_text(g['score'])})" if g["method"] == "fuzzy" else "")
                for g in guesses
            )
            console.err.print(
                f"{len(guesses)} cột nhận theo cách đoán (chi tiết: ngheo inspect {survey.name}): "
                f"{listed}.",
                markup=False,
            )
        if run.comparison is not None:
            console.err.print(views.comparison_summary(run.comparison))
        for finding in run.result.errors[:10]:
            console.err.print(f"  {finding.cell}: {finding.message}", markup=False)
        if len(run.result.errors) > 10:
            console.err.print(f"  … và {len(run.result.errors) - 10} lỗi khác (xem tệp lỗi).")
        for path in run.outputs:
            console.err.print(f"Đã ghi: {path}", markup=False)
        if run.recognised is not None:
            for line in recognised_lines(run):
                console.err.print(line, markup=False)
        if run.recorded is not None:
            console.err.print(
                f"Đã lưu năm {run.recorded['year']} của xã {run.recorded['commune']} vào kho "
                f"{run.recorded['store']}.",
                markup=False,
            )
            if len(run.result.rejected):
                console.err.print(
                    f"Lưu ý: {len(run.result.rejected)} dòng bị loại chưa được lưu; sửa tệp rồi "
                    "chạy lại lệnh này (năm đó sẽ được thay, không cộng trùng).",
                    markup=False,
                )
    return run.exit_code


def recognised_lines(run: classify_service.ClassifyRun) -> list[str]:
    """What a classification of a year recorded from a recognised list would change."""
    changes = run.recognised
    if changes is None:
        return []
    lines = [
        f"Năm {changes.year} của xã trong kho là danh sách đã công nhận (ghi bằng ngheo "
        f"record-list). Phân loại vừa tính khác kết quả đã công nhận ở "
        f"{changes.to_dict()['changed']} trong {changes.compared} hộ có ở cả hai:"
    ]
    lines += changes.lines()
    if changes.only_recognised or changes.only_computed:
        lines.append(
            f"  {changes.only_recognised} hộ chỉ có trong danh sách đã công nhận, "
            f"{changes.only_computed} hộ chỉ có trong sổ vừa phân loại."
        )
    if changes.kept:
        lines.append(
            "Kho vẫn giữ danh sách đã công nhận (không ghi đè). Muốn thay bằng kết quả tính "
            "toán: chạy lại lệnh với --replace-recognised."
        )
    else:
        lines.append(
            "Đã thay danh sách đã công nhận bằng kết quả tính toán (--replace-recognised)."
        )
    return lines
