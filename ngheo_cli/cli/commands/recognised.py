"""`ngheo record-list`: record a year from the recognised list the commune already has."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.options import ColumnMap, Commune, JsonFlag, OutDir, Sheet, WorkspaceDir
from ngheo_cli.core import fmt
from ngheo_cli.core.schema import CLASS_LABELS

if TYPE_CHECKING:
    from ngheo_cli.services import recognised as recognised_service


def record_list(
    survey: Annotated[
        Path,
        typer.Argument(
            metavar="DANH_SÁCH",
            help="Danh sách hộ đã được công nhận (.xlsx hoặc .csv): mã hộ, chủ hộ, thôn, số "
            "nhân khẩu và cột Kết quả rà soát (Hộ nghèo, Hộ cận nghèo, Hộ không nghèo…)."
        ),
    ],
    commune: Commune,
    year: Annotated[
        int, typer.Option("--year", "-y", help="Năm của danh sách (năm rà soát đã công nhận).")
    ],
    decision_no: Annotated[
        str | None,
        typer.Option("--decision-no", help='Số quyết định công nhận, ví dụ "123/QĐ-UBND".'),
    ] = None,
    decision_date: Annotated[
        str | None,
        typer.Option("--decision-date", help="Ngày quyết định, ví dụ 20/12/2023."),
    ] = None,
    sheet: Sheet = None,
    column_map: ColumnMap = None,
    out: OutDir = None,
    workspace: WorkspaceDir = None,
    as_json: JsonFlag = False,
) -> int:
    """Ghi một năm vào kho từ danh sách hộ nghèo, cận nghèo đã được công nhận (không tính lại).

    Dùng khi xã bắt đầu dùng ngheo: danh sách năm trước là đầu kỳ của bảng diễn biến năm nay.
    Ghi lại cùng xã, cùng năm thì thay cả năm đó.

    Example: ngheo record-list ds_2023.xlsx --commune 24181 --year 2023
    --decision-no "123/QĐ-UBND" --decision-date 20/12/2023
    """
    from ngheo_cli.services import recognised as recognised_service
    from ngheo_cli.services.history import require_workspace

    ws = require_workspace(workspace)
    with console.working(f"Đang đọc danh sách {survey.name}…"):
        run = recognised_service.record_list(
            survey,
            commune=commune,
            year=year,
            workspace=ws,
            decision_no=decision_no,
            decision_date=decision_date,
            sheet=sheet,
            column_map=column_map,
            out_dir=out,
        )
    if as_json:
        console.emit_json(run.to_dict())
        return run.exit_code
    console.err.print("\n".join(summary_lines(run)), markup=False)
    return run.exit_code


def summary_lines(run: recognised_service.RecognisedRun) -> list[str]:
    from ngheo_cli.core.recognised import recorded_note
    from ngheo_cli.core.table import SKIP_LABELS

    r = run.result
    decision = ""
    if run.decision_no:
        decision = f" theo quyết định số {run.decision_no}"
        if run.decision_date:
            y, m, d = run.decision_date.split("-")
            decision += f" ngày {d}/{m}/{y}"
    lines = [
        f"{r.source}: danh sách đã công nhận năm {r.year} của {run.commune.name} "
        f"({run.commune.code}){decision}.",
    ]
    persons = r.persons()
    for code, n in r.counts().items():
        if n:
            extra = f", {fmt.number(persons[code])} nhân khẩu" if persons else ""
            lines.append(f"  {CLASS_LABELS[code]}: {fmt.number(n)} hộ{extra}")
    lines.append(f"  Số hộ đã ghi nhận: {fmt.number(len(r.households))}")
    if r.duplicates:
        lines.append(
            f"  Dòng trùng hệt dòng khác (chỉ tính một hộ): {fmt.number(len(r.duplicates))}"
        )
    lines.append(f"  Số dòng bị loại (có lỗi): {fmt.number(len(r.rejected))}")
    skipped: dict[str, int] = {}
    for s in r.skipped:
        skipped[s.reason] = skipped.get(s.reason, 0) + 1
    for reason, n in sorted(skipped.items()):
        lines.append(f"  Bỏ qua: {SKIP_LABELS[reason]}: {fmt.number(n)}")
    for finding in r.errors[:10]:
        lines.append(f"  {finding.cell}: {finding.message}")
    if len(r.errors) > 10:
        lines.append(f"  … và {len(r.errors) - 10} lỗi khác (xem tệp lỗi).")
    lines.extend(r.notes)
    if run.computed is not None:
        lines.append(
            f"Tệp có cả số liệu để tự phân loại: {fmt.number(len(run.computed.changes))} trong "
            f"{fmt.number(run.computed.compared)} hộ sẽ có phân loại khác nếu tính lại "
            "(kho vẫn ghi kết quả đã công nhận):"
        )
        lines.extend(run.computed.lines())
    if run.computed_note:
        lines.append(run.computed_note)
    for path in run.outputs:
        lines.append(f"Đã ghi: {path}")
    if run.recorded is not None:
        lines.append(
            f"Đã lưu năm {run.recorded['year']} của xã {run.commune.code} vào kho "
            f"{run.recorded['store']}: {recorded_note(r.year, run.decision_no)}"
        )
        if run.replaced is not None:
            was = "ghi nhận theo danh sách" if run.replaced["origin"] == "recorded" else "tính toán"
            lines.append(
                f"Năm {r.year} đã có trong kho ({was}, {fmt.number(run.replaced['households'])} "
                "hộ) và đã được thay bằng danh sách này."
            )
    if len(r.rejected):
        lines.append(
            f"Lưu ý: {len(r.rejected)} dòng bị loại chưa được lưu; sửa tệp rồi chạy lại lệnh "
            "này (năm đó sẽ được thay, không cộng trùng)."
        )
    return lines
