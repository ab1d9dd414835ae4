"""The blank canonical workbook officers fill in."""

from __future__ import annotations

import openpyxl
import pytest

from ngheo_cli.core.schema import FIELD_BY_KEY, INDICATOR_KEYS
from ngheo_cli.io.outputs.input_template import (
    AREA_CHOICES,
    ETHNIC_CHOICES,
    GUIDE_SHEET,
    LIST_SHEET,
    SHEET,
    TEMPLATE_ROWS,
    template_keys,
    write_template,
)
from ngheo_cli.io.rulesets import packaged


@pytest.fixture(scope="module")
def nd07():
    return packaged()["nd07-2021"]


@pytest.fixture(scope="module")
def book(tmp_path_factory, nd07):
    path = tmp_path_factory.mktemp("tpl") / "mau.xlsx"
    notes = {i.id: i.deprived_when for i in nd07.indicators}
    write_template(path, nd07.indicator_ids, indicator_notes=notes)
    return path


class _HeaderKeys:
    """Header text → key, as the reader understands it without a fuzzy guess."""

    def __init__(self) -> None:
        from ngheo_cli.core.headers import HeaderMatcher
        from ngheo_cli.io.rulesets import header_vocabulary

        self._matcher = HeaderMatcher(header_vocabulary(None))

    def get(self, text: str) -> str | None:
        found = self._matcher.match(text, fuzzy=False).match
        return found.key if found is not None else None

    def __getitem__(self, text: str) -> str | None:
        return self.get(text)


def test_same_arguments_same_bytes(tmp_path, nd07, book):
    again = tmp_path / "again.xlsx"
    notes = {i.id: i.deprived_when for i in nd07.indicators}
    write_template(again, nd07.indicator_ids, indicator_notes=notes)
    assert again.read_bytes() == book.read_bytes()


def test_sheets_and_header(book, nd07):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [SHEET, GUIDE_SHEET, LIST_SHEET]
    assert wb[LIST_SHEET].sheet_state == "hidden"
    ws = wb[SHEET]
    keys = template_keys(nd07.indicator_ids)
    assert [c.value for c in ws[1]] == [FIELD_BY_KEY[k].label for k in keys]
    assert ws.max_row == 1  # blank below the header
    assert ws.freeze_panes == "D2"
    index = _HeaderKeys()
    assert [index[c.value] for c in ws[1]] == keys  # the reader maps every header back
    for key in nd07.indicator_ids:
        assert key in keys


def test_code_columns_are_text(book, nd07):
    ws = openpyxl.load_workbook(book)[SHEET]
    keys = template_keys(nd07.indicator_ids)
    for key in ("ma_ho", "cccd", "so_dien_thoai", "ma_xa"):
        col = keys.index(key) + 1
        # Adjacent columns with the same settings share one <col min max> element.
        dims = [d for d in ws.column_dimensions.values() if d.min <= col <= d.max]
        assert dims and dims[0].number_format == "@", key


def test_validations(book, nd07):
    ws = openpyxl.load_workbook(book)[SHEET]
    keys = template_keys(nd07.indicator_ids)
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            assert rng.min_row == 2 and rng.max_row == TEMPLATE_ROWS + 1
            by_col[rng.min_col] = dv

    def dv_of(key):
        return by_col[keys.index(key) + 1]

    assert len(by_col) == len(keys)
    assert all(dv.showInputMessage and dv.prompt for dv in by_col.values())
    area = dv_of("khu_vuc")
    assert area.type == "list" and area.formula1 == '"' + ",".join(AREA_CHOICES) + '"'
    for key in nd07.indicator_ids:
        dv = dv_of(key)
        assert dv.type == "list" and dv.formula1 == '"x"', key
        assert "Ghi x" in dv.prompt
    ethnic = dv_of("dan_toc")
    assert ethnic.type == "list" and LIST_SHEET in ethnic.formula1
    assert ethnic.errorStyle == "warning"
    assert dv_of("so_nhan_khau").type == "whole"
    assert dv_of("cccd").type == "textLength"
    assert all(len(dv.promptTitle or "") <= 32 for dv in by_col.values())
    assert all(len(dv.prompt or "") <= 255 for dv in by_col.values())


def test_lists_and_guide(book, nd07):
    wb = openpyxl.load_workbook(book)
    lists = wb[LIST_SHEET]
    ethnic = [c.value for c in lists["A"][1:] if c.value]
    assert ethnic == list(ETHNIC_CHOICES)
    assert len(ethnic) == 54 and {"Kinh", "Ê Đê", "M'Nông"} <= set(ethnic)
    guide = wb[GUIDE_SHEET]
    texts = [c.value for row in guide.iter_rows() for c in row if c.value]
    for key in template_keys(nd07.indicator_ids):
        assert FIELD_BY_KEY[key].label in texts, key
    joined = "\n".join(texts)
    assert nd07.indicators[0].deprived_when in joined


def test_other_standard_and_bad_ids(tmp_path):
    nd351 = packaged()["nd351-2025"]
    path = tmp_path / "mau_2027.xlsx"
    write_template(path, nd351.indicator_ids)
    header = [c.value for c in openpyxl.load_workbook(path)[SHEET][1]]
    assert FIELD_BY_KEY["xu_ly_rac_thai"].label in header
    assert FIELD_BY_KEY["tiep_can_thong_tin"].label not in header
    with pytest.raises(ValueError):
        write_template(tmp_path / "x.xlsx", ["khong_co"])
    with pytest.raises(ValueError):
        write_template(tmp_path / "y.xlsx", [INDICATOR_KEYS[0], INDICATOR_KEYS[0]])
    assert not (tmp_path / "x.xlsx").exists()
