"""`ngheo inspect FILE`: how each column of a workbook is understood (renders the library's
:class:`~ngheo_cli.core.inspection.Inspection` in Vietnamese)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.commands.classify import current_year
from ngheo_cli.cli.options import ColumnMap, JsonFlag, Sheet, Standard, Year
from ngheo_cli.core.schema import FIELD_BY_KEY

if TYPE_CHECKING:
    from ngheo_cli.core.inspection import Inspection


def inspect(
    survey: Annotated[
        Path, typer.Argument(metavar="SỔ_HỘ", help="Tệp danh sách hộ (.xlsx hoặc .csv).")
    ],
    year: Year = None,
    standard: Standard = None,
    sheet: Sheet = None,
    column_map: ColumnMap = None,
    write_column_map: Annotated[
        Path | None,
        typer.Option(
            "--write-column-map",
            help="Ghi ánh xạ cột đang dùng ra tệp .yaml để sửa rồi dùng lại bằng --column-map.",
        ),
    ] = None,
    khu_vuc: Annotated[
        str | None,
        typer.Option("--khu-vuc", help="Khu vực cho cả tệp khi phân loại: nong_thon | thanh_thi."),
    ] = None,
    rows: Annotated[
        int, typer.Option("--rows", min=0, max=50, help="Số dòng đầu hiển thị (mặc định 5).")
    ] = 5,
    as_json: JsonFlag = False,
) -> int:
    """Xem chương trình hiểu tệp thế nào: sheet, dòng tiêu đề, từng cột và còn thiếu gì.

    Example: ngheo inspect so_xa.xlsx --year 2024 --write-column-map cot.yaml
    """
    from ngheo_cli.services import inspect as inspect_service
    from ngheo_cli.services.classify import output_errors

    found = inspect_service.inspect_file(
        survey,
        year=year if year is not None else current_year(),
        standard=standard,
        sheet=sheet,
        column_map=column_map,
        area=khu_vuc,
        rows=rows,
    )
    written = None
    if write_column_map is not None:
        with output_errors(write_column_map.parent):
            written = inspect_service.write_column_map(found, write_column_map)
    if as_json:
        data = found.to_dict()
        if written is not None:
            data["column_map_file"] = str(written)
        console.emit_json(data)
    else:
        console.out.print(render(found), markup=False)
        if written is not None:
            console.err.print(f"Đã ghi ánh xạ cột: {written}", markup=False)
    return 0 if found.can_classify else 3


def render(found: Inspection) -> str:
    """The inspection as Vietnamese text for the terminal."""
    from ngheo_cli.core.inspection import STATUS_LABELS

    lines = [f"Tệp {found.source} · chuẩn {found.standard}"]
    lines.append("Sheet:")
    for s in found.sheets:
        mark = "→" if s.chosen else " "
        lines.append(f"  {mark} {s.name}: {s.reason}")
    if found.sheet is None or not found.header_rows:
        lines.append("Không tìm thấy dòng tiêu đề cột nào nhận ra được.")
    else:
        rows = "–".join(str(r) for r in found.header_rows)
        line = f"Dòng tiêu đề: {rows} (sheet {found.sheet})"
        if found.key_rows:
            keys = ", ".join(str(r) for r in found.key_rows)
            line += f"; dòng {keys} là tên khoá/tiêu đề phụ, không phải hộ"
        lines.append(line)
        lines.append("Cột:")
        for c in found.columns:
            if c.status == "used":
                lines.append(f"  {c.column} {c.header!r} → {c.key} ({c.label}): {c.how}")
            else:
                lines.append(f"  {c.column} {c.header!r} → {STATUS_LABELS[c.status]}: {c.how}")
    guesses = found.guesses
    if guesses:
        lines.append(
            f"Có {len(guesses)} cột nhận theo cách đoán ({', '.join(c.column for c in guesses)}): "
            "hãy kiểm tra; sửa bằng --write-column-map rồi --column-map."
        )
    if found.rows:
        lines.append(f"{len(found.rows)} dòng đầu (như đã đọc):")
        for row in found.rows:
            cells = ", ".join(f"{k}={v}" for k, v in row.items() if k != "dong" and v is not None)
            lines.append(f"  dòng {row['dong']}: {cells}")
    lines.append("Các cách phân loại:")
    for r in found.routes:
        state = "đủ" if r.usable else "thiếu " + ", ".join(_named(k) for k in r.missing)
        if not r.usable and not r.missing:
            state = "không dùng được"
        text = f"  {r.label}: {state}"
        if r.note:
            text += f" — {r.note}"
        lines.append(text)
    if found.error:
        lines.append(f"Lỗi khi đọc: {found.error}")
        if found.error_hint:
            lines.append(f"  {found.error_hint}")
    verdict = "Tệp phân loại được." if found.can_classify else "Tệp CHƯA phân loại được."
    lines.append(verdict)
    return "\n".join(lines)


def _named(key: str) -> str:
    field = FIELD_BY_KEY.get(key)
    return f"{key} ({field.label})" if field is not None else key
