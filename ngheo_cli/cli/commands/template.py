"""``ngheo template``: write a blank survey workbook (or members list) in the canonical layout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.commands.classify import current_year
from ngheo_cli.cli.options import JsonFlag, Standard, Year


def template(
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp mẫu sẽ ghi (.xlsx).")] = Path(
        "mau_ra_soat.xlsx"
    ),
    year: Year = None,
    standard: Standard = None,
    members: Annotated[
        bool, typer.Option("--members", help="Mẫu danh sách đảng viên và kết nghĩa (ngheo assign).")
    ] = False,
    as_json: JsonFlag = False,
) -> int:
    """Ghi sổ trống đúng mẫu chuẩn (có danh sách chọn) để xã điền danh sách hộ.

    Ví dụ: ngheo template --out mau_2024.xlsx --year 2024

    Mẫu danh sách đảng viên: ngheo template --members --out dang_vien_mau.xlsx
    """
    from ngheo_cli.io import rulesets
    from ngheo_cli.io.outputs.input_template import write_members_template, write_template

    if members:
        write_members_template(out)
        console.err.print(f"Đã ghi mẫu danh sách đảng viên: {out}", markup=False)
        if as_json:
            console.emit_json({"ok": True, "outputs": [str(out)]})
        return 0
    ruleset = rulesets.resolve(year if year is not None else current_year(), standard)
    write_template(out, ruleset.indicator_ids)
    console.err.print(f"Đã ghi mẫu theo {ruleset.title} ({ruleset.id}): {out}", markup=False)
    if as_json:
        console.emit_json({"ok": True, "standard": ruleset.id, "outputs": [str(out)]})
    return 0
