"""FormWorksheet writes the same sheet XML as xlsxwriter's own Worksheet, byte for byte."""

from __future__ import annotations

import math
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter

from ngheo_cli.io.xlsx.sheetxml import FormWorksheet


def _book(
    path: Path,
    worksheet_class: type | None,
    *,
    constant_memory: bool = False,
    comments: bool = False,
) -> dict[str, bytes]:
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": constant_memory, "nan_inf_to_errors": True}
    )
    wb.set_properties({"created": datetime(2024, 1, 1)})
    bold = wb.add_format({"bold": True, "border": 1})
    count = wb.add_format({"num_format": '#"."###', "border": 1})
    column = wb.add_format({"italic": True})
    row_fmt = wb.add_format({"font_color": "red"})
    ws = wb.add_worksheet("Biểu 1", worksheet_class=worksheet_class)
    ws.set_column(0, 0, 6)
    ws.set_column(3, 3, 12, column)  # a column format: unformatted cells take it
    ws.set_row(2, 30)
    ws.set_row(5, None, row_fmt)  # a row format: unformatted cells take it (before columns)
    ws.set_row(40, 20)  # a row with a height and no cells
    ws.merge_range(0, 0, 0, 4, 'TỔNG HỢP <KẾT QUẢ> & "RÀ SOÁT"', bold)
    for r in range(1, 60):
        if r in (7, 8, 40):
            continue  # rows without cells
        ws.write_string(r, 0, str(r), bold)
        ws.write_string(r, 1, "Thôn Ea Tar" if r % 3 else " có khoảng trắng ")
        ws.write_number(r, 2, r * 1234.5 if r % 2 else r, count)
        ws.write_blank(r, 3, None)
        ws.write_blank(r, 4, None, bold)
        if r % 7 == 0:
            ws.write_formula(r, 5, "=C2*2", count, 5)
            ws.write_boolean(r, 6, r % 2 == 0)
            ws.write_number(r, 7, math.nan)  # an error cell (nan_inf_to_errors)
            ws.write_datetime(r, 8, datetime(2024, 5, r % 28 + 1), count)
        if r == 12:
            ws.write_number(r, 20, 1e-20)  # a cell far right: spans change
            ws.write_string(r, 3, "dùng định dạng cột")
            ws.write_number(r, 5, 0.1 + 0.2)
        if r == 5:
            ws.write_string(r, 3, "dùng định dạng dòng")
    if comments:
        ws.write_comment(3, 1, "ghi chú")
    wb.close()
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("constant_memory", [False, True])
@pytest.mark.parametrize("comments", [False, True])
def test_same_bytes_as_xlsxwriter(tmp_path: Path, constant_memory: bool, comments: bool) -> None:
    ours = _book(
        tmp_path / "a.xlsx", FormWorksheet, constant_memory=constant_memory, comments=comments
    )
    theirs = _book(tmp_path / "b.xlsx", None, constant_memory=constant_memory, comments=comments)
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name
    sheet = theirs["xl/worksheets/sheet1.xml"].decode()
    # The sample exercises every branch: shared strings, numbers, blanks, row and column
    # formats, rows without cells, and the kinds left to xlsxwriter.
    if not constant_memory:
        assert 't="s"' in sheet
    for piece in ("<f>", 't="b"', 't="e"', "/>", 'customHeight="1"'):
        assert piece in sheet
