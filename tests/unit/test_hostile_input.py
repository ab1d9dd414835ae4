"""Hostile and broken inputs (issue 11, item 1; issue 10, Excel error cells): each case is
generated here, small, and asserts the exit code, the Vietnamese message, that no traceback
is printed and that every input row is either classified or rejected."""

from __future__ import annotations

import csv
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ngheo_cli.core import collector
from ngheo_cli.core.text import cell_ref
from ngheo_cli.errors import EXIT_INPUT
from ngheo_cli.io.read import xlsx_scan

HEADER = ["Mã hộ", "Họ tên chủ hộ", "Khu vực", "Số nhân khẩu", "Thu nhập bình quân", "Điểm B"]
GOOD = [
    ["0001", "Nguyễn Văn An", "Nông thôn", "4", "1200000", "0"],
    ["0002", "Trần Thị Bình", "Nông thôn", "3", "2500000", "10"],
    ["0003", "Lê Văn Cường", "Nông thôn", "5", "900000", "40"],
]

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _letter(i: int) -> str:
    return "ABCDEFGHIJ"[i]


def _row_xml(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{_letter(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def raw_xlsx(path: Path, extra_rows: str = "", dimension: str = "") -> Path:
    """A workbook written by hand (the far cells no library would write for us)."""
    rows = _row_xml(1, HEADER) + "".join(_row_xml(i + 2, r) for i, r in enumerate(GOOD))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}{extra_rows}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def classify(cli, path: Path, tmp_path: Path):
    return cli("classify", path, "--year", "2024", "--out", tmp_path / "out", "--json")


def said(res) -> str:
    """stderr with the console's line wrapping undone."""
    return " ".join(res.stderr.split())


def assert_no_traceback(res) -> None:
    assert "Traceback" not in res.stderr + res.stdout
    assert res.exit_code != 70


def assert_nothing_lost(res, input_rows: int) -> None:
    data = res.json()
    assert data["input_rows"] == input_rows
    assert data["households"] + data["rejected_rows"] == input_rows


# --- far cells: refused up front, never an abort -----------------------------------------


@pytest.mark.parametrize(
    ("far", "cell"),
    [
        ('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "XFD1048576"),
        ('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t></t></is></c></row>', ""),
        ('<row r="900000"><c r="ZZ900000"><v>7</v></c></row>', "ZZ900000"),
        (
            '<row r="5"><c s="0" r="XFA5"><v>7</v></c></row><row r="1048000"><c r="B1048000">'
            "<v>1</v></c></row>",
            "",
        ),
    ],
    ids=["value-at-XFD1048576", "empty-text-at-XFD1048576", "far-row-and-column", "attr-order"],
)
def test_a_value_far_from_the_data_is_refused_naming_the_cell(
    cli, tmp_path: Path, far: str, cell: str
) -> None:
    path = raw_xlsx(tmp_path / "xa.xlsx", far)
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == EXIT_INPUT
    assert "rất xa vùng dữ liệu" in said(res)
    assert "Ctrl+End" in said(res)
    if cell:
        assert cell in said(res)


@pytest.mark.parametrize(
    "far",
    [
        '<row r="1048576"><c r="XFD1048576" s="0"/></row>',  # a formatted far cell
        '<row r="1048576"><c r="XFD1048576"><v></v></c></row>',
        '<row r="1048576"><c r="XFD1048576"><f>1+1</f></c></row>',  # no value: out of range
    ],
    ids=["formatted", "empty-value", "formula-in-far-cell"],
)
def test_a_far_cell_without_a_value_costs_nothing(cli, tmp_path: Path, far: str) -> None:
    path = raw_xlsx(tmp_path / "xa.xlsx", far, dimension="A1:XFD1048576")
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code in (0, 1), res.stderr
    assert_nothing_lost(res, len(GOOD))


def test_a_declared_dimension_alone_is_harmless(cli, tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "xa.xlsx", dimension="A1:XFD1048576")
    res = classify(cli, path, tmp_path)
    assert res.exit_code == 0, res.stderr
    assert_nothing_lost(res, len(GOOD))


# --- Excel error cells and formulas without a value ---------------------------------------


def _error_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Thôn 'Cư' Bua"
    ws.append(HEADER)
    for row in GOOD:
        ws.append(row)
    ws.append(["0004", "Phạm Văn Dũng", "Nông thôn", "4", "#DIV/0!", "0"])  # error cell
    ws.append(["0005", "#N/A", "Nông thôn", "4", "1800000", "0"])  # error in a text column
    ws.append(["0006", "Võ Thị Én", "Nông thôn", "4", "=C2*1000", "0"])  # never calculated
    ws.append(["", "", "", "", "#REF!", ""])  # a row holding only an error
    wb.save(path)
    return path


def test_error_cells_and_uncalculated_formulas_are_findings_at_their_cell(
    cli, tmp_path: Path
) -> None:
    path = _error_workbook(tmp_path / "xa.xlsx")
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == 1, res.stderr
    assert_nothing_lost(res, len(GOOD) + 4)
    data = res.json()
    sheet = "Thôn 'Cư' Bua"
    found = {(f["cell"], f["code"]) for f in data["rejected"]}
    assert (cell_ref(sheet, "E", 5), "o-loi-excel") in found
    assert (cell_ref(sheet, "B", 6), "o-loi-excel") in found
    assert (cell_ref(sheet, "E", 7), "cong-thuc-chua-tinh") in found
    assert (cell_ref(sheet, "E", 8), "o-loi-excel") in found
    messages = " ".join(f["message"] for f in data["rejected"])
    assert "#DIV/0!" in messages and "Ctrl+Alt+F9" in messages
    # A blank income never sends the household down the score route.
    assert data["households"] == len(GOOD)


def test_error_literals_in_a_csv_are_findings(cli, tmp_path: Path) -> None:
    path = tmp_path / "xa.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(GOOD)
        writer.writerow(["0004", "Phạm Văn Dũng", "Nông thôn", "4", "#VALUE!", "0"])
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == 1
    assert_nothing_lost(res, len(GOOD) + 1)
    assert [f["code"] for f in res.json()["rejected"]][:1] == ["o-loi-excel"]


# --- numbers beyond any sense -------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [(4, "1e308"), (4, "9" * 400), (3, "1" + "0" * 400), (5, "1e999")],
    ids=["income-1e308", "income-400-digits", "persons-401-digits", "score-1e999"],
)
def test_overflowing_numbers_are_findings(cli, tmp_path: Path, column: int, value: str) -> None:
    path = tmp_path / "xa.csv"
    bad = ["0004", "Phạm Văn Dũng", "Nông thôn", "4", "1500000", "0"]
    bad[column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *GOOD, bad])
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == 1, res.stderr
    assert_nothing_lost(res, len(GOOD) + 1)
    rejected = res.json()["rejected"]
    assert rejected[0]["code"] == "so-qua-lon"
    assert len(rejected[0]["message"]) < 400  # the 400 digits are not echoed whole


# --- references ----------------------------------------------------------------------------


def test_sheet_names_with_quotes_are_quoted_as_excel_does() -> None:
    assert cell_ref("Hộ", "B", 3) == "Hộ!B3"
    assert cell_ref("Thôn A", "B", 3) == "'Thôn A'!B3"
    assert cell_ref("Buôn 'Ea' Tiêu", "C", 12) == "'Buôn ''Ea'' Tiêu'!C12"


# --- legacy encodings -----------------------------------------------------------------------

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Vietnamese Windows code page: base letters precomposed, tone marks combining."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += (base + "".join(c for c in parts if c in _TONES)).encode("cp1258")
    return out


def _csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(r) + "\n" for r in rows)


def test_a_cp1258_csv_is_read(cli, tmp_path: Path) -> None:
    path = tmp_path / "xa.csv"
    path.write_bytes(_cp1258(_csv_text([HEADER, *GOOD])))
    res = classify(cli, path, tmp_path)
    assert res.exit_code == 0, res.stderr
    assert_nothing_lost(res, len(GOOD))


@pytest.mark.parametrize(
    "data",
    [
        # VNI: tone and vowel marks as separate Latin-1 letters after the vowel.
        "Ma\xf5 ho\xe4,Ho\xe4 te\xean chu\xfb ho\xe4\n01,Nguye\xe3n Va\xean A\xf9nh\n"
        "02,Tra\xe0n Th\xf2 \xd1a\xf8o\n".encode("latin-1"),
        # TCVN3 (ABC): Vietnamese letters in the upper half of the byte range.
        b"M\xb8 h\xe9,H\xe9 t\xaan ch\xf1 h\xe9\n01,Nguy\xd5n V\xa8n \xb8nh\n"
        b"02,Tr\xcbn Th\xfb \xae\xb5o\n",
        "Code,Name\n01,Müller Groß\n02,Señor Ñandú\n03,Øre Ålesund\n".encode("latin-1"),
    ],
    ids=["vni", "tcvn3", "latin-1"],
)
def test_a_legacy_encoded_csv_says_so(cli, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "xa.csv"
    path.write_bytes(data)
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == EXIT_INPUT
    assert "bảng mã chữ cũ" in said(res)
    assert "Unicode" in said(res)


# --- findings stop at a cap ----------------------------------------------------------------


def test_findings_stop_at_the_cap_and_count_the_rest(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector, "FINDINGS_CAP", 5)
    junk = [[f"{i:04d}", "Hộ lỗi", "Nông thôn", "4", "không rõ", "0"] for i in range(10, 30)]
    path = tmp_path / "xa.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *GOOD, *junk])
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == 1
    assert_nothing_lost(res, len(GOOD) + len(junk))
    data = res.json()
    assert data["rejected_rows"] == len(junk)
    listed = data["rejected"] + data.get("warnings", [])
    assert sum(f["code"] != "con-loi-khac" for f in listed) == 5
    rest = [f for f in listed if f["code"] == "con-loi-khac"]
    # 20 junk rows + one warning for the missing Thôn column = 21 findings: 5 listed, 16 counted.
    assert len(rest) == 1 and "Còn 16 lỗi" in rest[0]["message"]


def test_a_junk_sheet_beyond_the_cell_limit_is_refused(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_scan, "MAX_CELLS", 100)
    junk = "".join(_row_xml(n, ["rác", "x", "y"]) for n in range(5, 60))
    path = raw_xlsx(tmp_path / "xa.xlsx", junk)
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == EXIT_INPUT
    assert "C59" in said(res) or "A59" in said(res)


@pytest.mark.parametrize(
    ("column", "value"),
    [(3, "1000000000000"), (4, "50.000.000.000"), (3, "101")],
    ids=["10^12-persons", "income-50-billion", "101-persons"],
)
def test_impossible_sizes_are_rejected_by_the_rules_bounds(
    cli, tmp_path: Path, column: int, value: str
) -> None:
    path = tmp_path / "xa.csv"
    bad = ["0004", "Phạm Văn Dũng", "Nông thôn", "4", "1500000", "0"]
    bad[column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *GOOD, bad])
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == 1, res.stderr
    assert_nothing_lost(res, len(GOOD) + 1)
    assert "vuot-gioi-han" in [f["code"] for f in res.json()["rejected"]]


def test_bounds_are_rules_data() -> None:
    from ngheo_cli.io import rulesets

    for ruleset in rulesets.packaged().values():
        assert ruleset.bounds["so_nhan_khau"].max == 100
        assert ruleset.bounds["thu_nhap_binh_quan"].note


def test_error_and_formula_cells_are_found_whatever_the_attribute_order(
    cli, tmp_path: Path
) -> None:
    rows = (
        '<row r="5"><c r="A5" t="inlineStr"><is><t>0004</t></is></c>'
        '<c r="B5" t="inlineStr"><is><t>Hộ bốn</t></is></c><c r="C5" t="inlineStr"><is><t>Nông '
        'thôn</t></is></c><c r="D5"><v>4</v></c><c t="e" s="0" r="E5"><v>#NUM!</v></c>'
        '<c r="F5"><v>0</v></c></row>'
        '<row r="6"><c r="A6" t="inlineStr"><is><t>0005</t></is></c>'
        '<c r="B6" t="inlineStr"><is><t>Hộ năm</t></is></c><c r="C6" t="inlineStr"><is><t>Nông '
        'thôn</t></is></c><c r="D6"><v>4</v></c><c s="0" r="E6"><f>D6*1000000</f><v></v></c>'
        '<c r="F6"><v>0</v></c></row>'
    )
    path = raw_xlsx(tmp_path / "xa.xlsx", rows)
    res = classify(cli, path, tmp_path)
    assert_no_traceback(res)
    assert res.exit_code == 1, res.stderr
    assert_nothing_lost(res, len(GOOD) + 2)
    found = {(f["cell"], f["code"]) for f in res.json()["rejected"]}
    assert ("'Danh sách'!E5", "o-loi-excel") in found
    assert ("'Danh sách'!E6", "cong-thuc-chua-tinh") in found
