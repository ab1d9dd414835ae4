"""``ngheo assign``: options and the printed summary of pairing party members with households
(the work is :mod:`ngheo_cli.services.assign`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ngheo_cli.cli import console
from ngheo_cli.cli.options import (
    Commune,
    CsvHeaders,
    JsonFlag,
    OutDirOrWorkspace,
    WorkspaceDir,
    check_headers,
)
from ngheo_cli.core import fmt
from ngheo_cli.errors import UsageError


def assign(
    commune: Commune,
    year: Annotated[int, typer.Option("--year", "-y", help="Năm rà soát đã lưu trong kho.")],
    members: Annotated[
        Path | None,
        typer.Option(
            "--members",
            "-m",
            help="Danh sách đảng viên (.xlsx; sheet Kết nghĩa nếu có). Bỏ trống: dùng danh sách và "
            "kết nghĩa đã lưu trong kho ở lần phân công trước của năm đó.",
        ),
    ] = None,
    cap: Annotated[
        int | None, typer.Option("--cap", help="Số hộ tối đa một đảng viên nhận (ghi đè cấu hình).")
    ] = None,
    what_if_cap: Annotated[
        int | None,
        typer.Option(
            "--what-if-cap", help="Xem nếu nâng trần lên N hộ thì giúp thêm bao nhiêu hộ."
        ),
    ] = None,
    workspace: WorkspaceDir = None,
    out: OutDirOrWorkspace = None,
    fmt_: Annotated[str, typer.Option("--format", help="xlsx (mặc định) hoặc csv.")] = "xlsx",
    headers: CsvHeaders = "ma",
    as_json: JsonFlag = False,
) -> int:
    """Phân công đảng viên giúp đỡ hộ nghèo, cận nghèo: cùng thôn trước, nghèo trước, công bằng.

    Ví dụ: ngheo assign --commune 24181 --year 2024 --members dang_vien_2024.xlsx --out ket_qua
    """
    from ngheo_cli.io.outputs.assign import write_assignment
    from ngheo_cli.services import assign as assign_service
    from ngheo_cli.services import history as history_service

    if fmt_ not in ("xlsx", "csv"):
        raise UsageError("--format phải là xlsx hoặc csv.")
    ws = history_service.require_workspace(workspace)
    with console.steps("Phân công đảng viên", 4) as step:  # read, pair, record, write
        run = assign_service.run_assign(
            ws, commune, year, members_file=members, cap=cap, what_if=what_if_cap, step=step
        )
        target = out if out is not None else ws.root
        run.outputs = write_assignment(run, target, fmt_, check_headers(headers))
        step(f"đã ghi {len(run.outputs)} tệp")
    if as_json:
        console.emit_json(run.to_dict())
        return run.exit_code
    r = run.result
    table = Table(title=f"Phân công năm {year} — {run.commune.name}", title_justify="left")
    table.add_column("Mục")
    table.add_column("Số", justify="right")
    rows = [
        ("Hộ nghèo, cận nghèo cần giúp", r.households_to_help),
        ("  trong đó hộ nghèo", r.poor_to_help),
        ("Hộ đã có đảng viên giúp", r.assigned),
        ("  trong đó hộ nghèo", r.assigned_poor),
        ("Hộ chưa có người giúp", len(r.unassigned)),
        ("Đảng viên tham gia được", r.members_available),
        ("Đảng viên chưa nhận hộ", len(r.idle_members)),
        ("Cặp giữ từ năm trước", r.kept_from_last_year),
        ("Cặp qua thôn kết nghĩa", r.via_twinning),
        ("Số hộ nhiều nhất một đảng viên nhận", r.max_load),
    ]
    for label, n in rows:
        table.add_row(label, fmt.number(n))
    console.err.print(table)
    if run.what_if is not None:
        console.err.print(
            f"Nếu nâng trần lên {run.what_if.cap} hộ/đảng viên: thêm "
            f"{run.what_if.more_households} hộ có người giúp.",
            markup=False,
        )
    if run.recorded_note is not None:
        console.err.print(f"Lưu ý: {run.recorded_note}", markup=False)
    for f in run.findings[:10]:
        console.err.print(f"  {f.cell}: {f.message}", markup=False)
    for path in run.outputs:
        console.err.print(f"Đã ghi: {path}", markup=False)
    return run.exit_code
