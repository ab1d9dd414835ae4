from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ... import api
from ...history_api import require_workspace
from .. import console, views
from ..options import JsonFlag, OutDir, Sheet, Standard, WorkspaceDir, Year


def current_year() -> int:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year


def classify(
    survey: Annotated[Path, typer.Argument(help="Tệp danh sách hộ (.xlsx hoặc .csv).")],
    year: Year = None,
    standard: Standard = None,
    khu_vuc: Annotated[
        str | None,
        typer.Option(
            "--khu-vuc", help="Khu vực cho cả tệp khi không có cột Khu vực: nong_thon | thanh_thi."
        ),
    ] = None,
    sheet: Sheet = None,
    column_map: Annotated[
        Path | None,
        typer.Option("--column-map", help="Tệp .yaml/.csv ánh xạ tên cột lạ → mã cột chuẩn."),
    ] = None,
    out: OutDir = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Định dạng kết quả: xlsx (mặc định) hoặc csv.")
    ] = "xlsx",
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
    as_json: JsonFlag = False,
) -> int:
    """Đọc, kiểm tra và phân loại từng hộ; ghi sổ kết quả, danh sách niêm yết và tệp lỗi.

    Example: ngheo classify xa_dak_lieng_2024.xlsx --year 2024 --out ket_qua

    Xem trước chuẩn 2027–2030: ngheo classify so_2026.xlsx --year 2026 --compare nd351-2025
    """
    with console.working(f"Đang đọc và phân loại {survey.name}…"):
        run = api.classify_file(
            survey,
            year=year if year is not None else current_year(),
            standard=standard,
            area=khu_vuc,
            sheet=sheet,
            column_map=column_map,
            out_dir=out,
            fmt=fmt,
            compare_with=compare_with,
            commune=commune,
            workspace=require_workspace(workspace) if commune is not None else None,
        )
    if as_json:
        console.emit_json(run.to_dict())
    else:
        console.err.print(views.classify_summary(run))
        if run.comparison is not None:
            console.err.print(views.comparison_summary(run.comparison))
        for finding in run.result.errors[:10]:
            console.err.print(f"  {finding.cell}: {finding.message}", markup=False)
        if len(run.result.errors) > 10:
            console.err.print(f"  … và {len(run.result.errors) - 10} lỗi khác (xem tệp lỗi).")
        for path in run.outputs:
            console.err.print(f"Đã ghi: {path}", markup=False)
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
