"""The forms writer's body rows: the typed fast path writes what the per-value rules write."""

from __future__ import annotations

import gc
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from ngheo_cli.io.xlsx import forms
from ngheo_cli.io.xlsx.forms import (
    COUNT_FORMAT,
    Form,
    HeaderCell,
    Letterhead,
    Missing,
    Rate,
    Row,
    write_forms,
)


class Label(str):
    """A str subclass other than Missing: written as text, like any other value."""


HEAD = Letterhead(
    authority=["ỦY BAN NHÂN DÂN", "XÃ ĐẮK LIÊNG"],
    place="Đắk Liêng",
    year_line="năm 2024",
    signatures=[["NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"], ["CHỦ TỊCH", "(Ký tên)"]],
)


def _form() -> Form:
    values: list[list[Any]] = [
        ["1", "Buôn Tơ Lơ", "Hộ", 12, 3.5, Rate(25.2449), Missing("không có số liệu"), True],
        [None, None, "Nhân khẩu", 0, -1, Rate(None), Rate(float("nan")), False],
        ["2", "Thôn Đắk Sắk rất dài để gói dòng", "Hộ", np.int64(7), np.float64(2.25),
         Label("chữ"), None, ""],
        [None, None, "Nhân khẩu", 1_234_567, 0.5, "dòng 1\ndòng 2", 7.0, None],
        ["", "Tổng cộng", "Hộ", 19, 5.75, Rate(12.0), Missing("chuẩn không quy định"), None],
    ]
    rows = [
        Row(values[0], merge_down=1),
        Row(values[1]),
        Row(values[2], merge_down=1),
        Row(values[3]),
        Row(values[4], bold=True),
    ]
    header = [HeaderCell(0, c, 0, c, f"Cột {c}") for c in range(8)]
    return Form(
        name="Biểu thử", title="BIỂU THỬ", subtitle=["Xã Đắk Liêng"], header=header,
        header_rows=1, numbers=[str(c) for c in range(8)], widths=[5.0, 14.0] + [9.0] * 6,
        rows=rows, notes=["Ghi chú."], centered=frozenset({0, 2}),
    )


def _reference_body(ws: Any, styles: Any, form: Form, widths: Any,
                    row: int) -> tuple[int, list[tuple[int, bool]]]:
    """Every body cell through ``forms._value``, the lines counted over the whole row."""
    pending, body_rows = 0, []
    for body in form.rows:
        body_rows.append((row, not pending))
        for col, value in enumerate(body.values):
            if pending and col < 2:
                continue
            kind = "center" if col in form.centered else "text"
            if body.merge_down and col < 2:
                ws.merge_range(row, col, row + body.merge_down, col,
                               "" if value is None else str(value),
                               styles.cell(kind, body.bold))
                continue
            forms._value(ws, styles, row, col, value, body.bold, kind)
        lines = max((forms._lines(v, widths[c]) for c, v in enumerate(body.values)
                     if isinstance(v, str) and v), default=1)
        ws.set_row(row, forms.LINE_PT * lines + 2)
        pending = body.merge_down or max(0, pending - 1)
        row += 1
    return row, body_rows


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_fast_body_writes_the_bytes_of_the_per_value_rules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_forms(tmp_path / "fast.xlsx", [_form(), _form()], HEAD)
    monkeypatch.setattr(forms, "_write_body", _reference_body)
    write_forms(tmp_path / "reference.xlsx", [_form(), _form()], HEAD)
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "reference.xlsx")


def test_body_values_by_kind(tmp_path: Path) -> None:
    write_forms(tmp_path / "f.xlsx", [_form()], HEAD)
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx").worksheets[0]
    first = next(r for r in range(1, 30) if ws.cell(r, 2).value == "Buôn Tơ Lơ")
    rows = [[ws.cell(first + i, c).value for c in range(3, 9)] for i in range(5)]
    assert rows[0] == ["Hộ", 12, 3.5, "25,24", "không có số liệu", "x"]
    assert rows[1] == ["Nhân khẩu", 0, -1, "-", "-", ""]  # False: an empty mark
    # A numpy float is a float; a numpy integer is not an int: written as its text.
    assert rows[2] == ["Hộ", "7", 2.25, "chữ", None, ""]
    assert rows[3] == ["Nhân khẩu", 1_234_567, 0.5, "dòng 1\ndòng 2", 7, None]
    assert ws.cell(first, 4).number_format == COUNT_FORMAT
    assert ws.cell(first, 7).font.i  # missing: italic words
    assert ws.cell(first + 4, 4).font.b  # the total row is bold
    # The two-line text makes its row two lines tall (heights are whole pixels).
    assert ws.row_dimensions[first + 3].height == pytest.approx(forms.LINE_PT * 2 + 2, abs=0.75)


@pytest.mark.parametrize("enabled", [True, False])
def test_cycle_collector_paused_while_writing_and_restored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool) -> None:
    seen: list[bool] = []
    write_form = forms._write_form

    def spy(*args: Any) -> None:
        seen.append(gc.isenabled())
        write_form(*args)

    monkeypatch.setattr(forms, "_write_form", spy)
    (gc.enable if enabled else gc.disable)()
    try:
        write_forms(tmp_path / "f.xlsx", [_form(), _form()], HEAD)
        assert seen == [False, False]
        assert gc.isenabled() is enabled

        def broken(*args: Any) -> None:
            raise RuntimeError("hỏng")

        monkeypatch.setattr(forms, "_write_form", broken)
        with pytest.raises(RuntimeError):
            write_forms(tmp_path / "g.xlsx", [_form()], HEAD)
        assert gc.isenabled() is enabled
        assert not (tmp_path / "g.xlsx").exists()  # nothing half written
    finally:
        gc.enable()
