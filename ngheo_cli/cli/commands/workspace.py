"""``ngheo init``, ``ngheo history`` and ``ngheo export``: the working folder, a year's
"diễn biến" against the year before, and a stored year written back out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.options import (
    Commune,
    CsvHeaders,
    JsonFlag,
    OutDirOrSummaryOnly,
    WorkspaceDir,
    check_headers,
)
from ngheo_cli.core import fmt
from ngheo_cli.errors import UsageError

if TYPE_CHECKING:
    from ngheo_cli.core.history_result import HistoryResult


def init(
    directory: Annotated[
        Path, typer.Argument(metavar="THƯ_MỤC", help="Thư mục làm việc sẽ tạo.")
    ] = Path("."),
    province_code: Annotated[str, typer.Option("--province-code", help="Mã tỉnh.")] = "",
    province_name: Annotated[str, typer.Option("--province-name", help="Tên tỉnh.")] = "",
    communes: Annotated[
        list[str] | None,
        typer.Option(
            "--commune",
            help="Một xã: MÃ:TÊN:LOẠI[:KHU_VỰC], LOẠI là xa | phuong | dac_khu "
            "(đặc khu phải ghi khu vực). Lặp lại cho nhiều xã.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè ngheo.yaml đã có.")] = False,
    as_json: JsonFlag = False,
) -> int:
    """Tạo thư mục làm việc: tệp cấu hình ngheo.yaml và kho dữ liệu các năm.

    Ví dụ: ngheo init dak_lak --province-code 66 --province-name "Đắk Lắk"
    --commune "24181:Xã Đắk Liêng:xa"
    """
    from ngheo_cli.io.workspace import CommuneConfig, init_workspace

    if not province_code or not province_name:
        raise UsageError("Cần --province-code và --province-name.")
    configs = []
    for spec in communes or []:
        parts = spec.split(":")
        if len(parts) not in (3, 4):
            raise UsageError(f'--commune "{spec}" phải có dạng MÃ:TÊN:LOẠI[:KHU_VỰC].')
        configs.append(CommuneConfig.create(*parts))
    ws = init_workspace(directory, province_code, province_name, configs, force=force)
    console.err.print(f"Đã tạo thư mục làm việc {ws.root} ({len(configs)} xã).", markup=False)
    if as_json:
        console.emit_json({"ok": True, "workspace": str(ws.root), "communes": len(configs)})
    return 0


def history(
    commune: Commune,
    year: Annotated[int, typer.Option("--year", "-y", help="Năm rà soát so với năm trước.")],
    workspace: WorkspaceDir = None,
    out: OutDirOrSummaryOnly = None,
    fmt_: Annotated[str, typer.Option("--format", help="xlsx (mặc định) hoặc csv.")] = "xlsx",
    headers: CsvHeaders = "ma",
    as_json: JsonFlag = False,
) -> int:
    """So sánh năm với năm trước từng hộ: thoát nghèo, phát sinh, tái nghèo; bảng diễn biến.

    Ví dụ: ngheo history --commune 24181 --year 2024 --out ket_qua
    """
    from ngheo_cli.io.outputs.history import write_history
    from ngheo_cli.services import history as history_service

    if fmt_ not in ("xlsx", "csv"):
        raise UsageError("--format phải là xlsx hoặc csv.")
    ws = history_service.require_workspace(workspace)
    result = history_service.history(ws, commune, year)
    if out is not None:
        result.outputs = write_history(result, out, fmt_, check_headers(headers))
    if as_json:
        console.emit_json(result.to_dict())
        return 0
    console.err.print(render_balance(result), markup=False)
    if result.series_break:
        console.err.print("Lưu ý: hai năm dùng hai chuẩn khác nhau: tỷ lệ không so sánh trực tiếp.")
    for note in result.notes:
        console.err.print(f"Lưu ý: {note}", markup=False)
    for path in result.outputs:
        console.err.print(f"Đã ghi: {path}", markup=False)
    return 0


def render_balance(result: HistoryResult) -> str:
    from ngheo_cli.core.history import BALANCE_LINES

    lines = [f"Diễn biến năm {result.year} — {result.commune.name} ({result.commune.code})"]
    for kind, title in (("poor", "Hộ nghèo"), ("near_poor", "Hộ cận nghèo")):
        total = result.balances[kind].iloc[-1]
        lines.append(f"  {title}:")
        for i in range(1, 10):
            lines.append(
                f"    ({i}) {BALANCE_LINES[kind][i]}: {fmt.number(total[f'ho_{i}'])} hộ, "
                f"{fmt.number(total[f'nk_{i}'])} khẩu"
            )
    n = len(result.renumbering)
    if n:
        lines.append(f"  {n} cặp mã hộ có thể là cùng một hộ được đổi mã: cần kiểm tra.")
    return "\n".join(lines)


def export(
    commune: Commune,
    year: Annotated[int, typer.Option("--year", "-y", help="Năm cần xuất.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp sẽ ghi (.xlsx hoặc .csv).")],
    workspace: WorkspaceDir = None,
    headers: CsvHeaders = "ma",
    as_json: JsonFlag = False,
) -> int:
    """Xuất một năm đã lưu trong kho ra .xlsx hoặc .csv (không gì bị khoá trong kho).

    Ví dụ: ngheo export --commune 24181 --year 2023 --out xa_2023.xlsx
    """
    from ngheo_cli.services import history as history_service

    ws = history_service.require_workspace(workspace)
    cfg, frame = history_service.load_stored_year(ws, commune, year)
    history_service.export_frame(frame, out, check_headers(headers))
    console.err.print(f"Đã xuất {len(frame)} hộ năm {year} của {cfg.name}: {out}", markup=False)
    if as_json:
        console.emit_json({"ok": True, "households": len(frame), "outputs": [str(out)]})
    return 0
