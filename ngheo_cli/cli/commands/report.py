"""``ngheo report``: options and the printed summary of the review report of a commune or the
province (the work is :mod:`ngheo_cli.services.report`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.options import JsonFlag, WorkspaceDir
from ngheo_cli.core import fmt
from ngheo_cli.errors import UsageError


def report(
    year: Annotated[int, typer.Option("--year", "-y", help="Năm rà soát đã lưu trong kho.")],
    commune: Annotated[
        str | None,
        typer.Option("--commune", "-c", help="Báo cáo của một xã (mã trong ngheo.yaml)."),
    ] = None,
    province: Annotated[
        bool, typer.Option("--province", help="Báo cáo toàn tỉnh (mọi xã trong ngheo.yaml).")
    ] = False,
    workspace: WorkspaceDir = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Thư mục ghi báo cáo (mặc định: bao_cao/ trong thư mục "
                     "làm việc)."),
    ] = None,
    template_dir: Annotated[
        Path | None,
        typer.Option("--template-dir", help="Thư mục mẫu báo cáo riêng (bao_cao.html.j2)."),
    ] = None,
    as_json: JsonFlag = False,
) -> int:
    """Báo cáo rà soát: tỷ lệ nghèo, diễn biến, thiếu hụt, phân công và tiến độ so với chỉ tiêu.

    Ghi một tệp HTML (in A4, không cần mạng) và một sổ Excel theo mẫu biểu của tỉnh.

    Ví dụ: ngheo report --year 2024 --commune 24181 --out bao_cao
    """
    from ngheo_cli.io.outputs.report import write_report
    from ngheo_cli.io.store import VIETNAM_TIME
    from ngheo_cli.services import history as history_service
    from ngheo_cli.services import report as report_service

    if template_dir is not None and not template_dir.is_dir():
        raise UsageError(f"--template-dir {template_dir} không phải thư mục.")
    ws = history_service.require_workspace(workspace)
    today = datetime.now(VIETNAM_TIME).date()
    with console.working("Đang lập báo cáo…"):
        result = report_service.build_report(ws, year, commune, province, generated_on=today)
        result.outputs = write_report(result.context, out or ws.root / "bao_cao", template_dir)
    if as_json:
        console.emit_json(result.to_dict())
        return 0
    ctx = result.context
    summary = {c["code"]: c for c in ctx["summary"]["classes"]}
    households = fmt.number(ctx["summary"]["households"])
    poor = fmt.number(summary["ngheo"]["rate_households"], 2)
    near = fmt.number(summary["can_ngheo"]["rate_households"], 2)
    lines = [f"Báo cáo năm {year} — {ctx['unit']['name']}: {households} hộ; nghèo {poor}%, "
             f"cận nghèo {near}%."]
    for ev in ctx["targets"]:
        lines.append(f"  {ev['status_label']}: {ev['target']['label']}")
    lines += [f"  Lưu ý: {n}" for n in ctx["notes"]]
    lines += [f"Đã ghi: {p}" for p in result.outputs]
    # Instructions for whoever prepares the report: here, never in the report's text.
    lines += [f"  Gợi ý cho người lập báo cáo: {n}" for n in ctx.get("preparer_notes") or []]
    console.err.print("\n".join(lines), markup=False)
    return 0
