"""The workbook class of every ngheo output: deflated at COMPRESS_LEVEL, the XML unchanged,
other xlsxwriter workbooks in the process untouched."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import xlsxwriter

from ngheo_cli.io.xlsx.book import COMPRESS_LEVEL, Workbook


def _fill(wb: xlsxwriter.Workbook) -> None:
    ws = wb.add_worksheet("Dữ liệu")
    for row in range(400):
        ws.write_string(row, 0, f"Hộ {row:05d} thôn {row % 12}")
        ws.write_number(row, 1, row * 1500.5)
    wb.close()


def _deflated_size(data: bytes, level: int) -> int:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return len(packer.compress(data) + packer.flush())


def test_members_are_the_same_xml_deflated_at_the_level(tmp_path: Path) -> None:
    _fill(Workbook(str(tmp_path / "ours.xlsx")))
    _fill(xlsxwriter.Workbook(str(tmp_path / "plain.xlsx")))  # after ours: still level 6
    with (
        zipfile.ZipFile(tmp_path / "ours.xlsx") as ours,
        zipfile.ZipFile(tmp_path / "plain.xlsx") as plain,
    ):
        assert ours.namelist() == plain.namelist()
        for info in ours.infolist():
            data = ours.read(info)
            assert data == plain.read(info.filename), info.filename
            assert info.compress_size == _deflated_size(data, COMPRESS_LEVEL), info.filename
            default = plain.getinfo(info.filename).compress_size
            assert default == _deflated_size(data, zlib.Z_DEFAULT_COMPRESSION), info.filename
    big = "xl/worksheets/sheet1.xml"
    assert ours.getinfo(big).compress_size != plain.getinfo(big).compress_size
