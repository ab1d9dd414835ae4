"""Report workbooks: read back with openpyxl, byte determinism, names, atomicity, speed."""

from __future__ import annotations

import math
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ngheo_cli.io.xlsx import rowstream
from ngheo_cli.io.xlsx import writer as xlsx_writer
from ngheo_cli.io.xlsx.writer import (
    FIXED_CREATED,
    Column,
    Sheet,
    display_width,
    sanitize_sheet_name,
    unique_sheet_names,
    write_workbook,
)

COLUMNS = [
    Column("ma_ho", "Mã hộ", "code"),
    Column("ho_ten", "Họ và tên chủ hộ"),
    Column("so_nhan_khau", "Số nhân khẩu", "int"),
    Column("thu_nhap", "Thu nhập bình quân (đồng/người/tháng)", "money"),
    Column("diem_b", "Điểm B", "score"),
    Column("ty_le", "Tỷ lệ", "percent"),
    Column("he_so", "Hệ số", "number"),
    Column("bhyt", "Thiếu BHYT", "mark"),
    Column("ngay", "Ngày rà soát", "date"),
    Column("ghi_chu", "Ghi chú", width=30),
]
# 1-based Excel rows: 2 title lines, a blank row, the header, then the data.
HEADER_ROW = 4
FIRST = 5


def households() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ma_ho": ["0383126749", "001", "0000000007"],
            "ho_ten": ["=1+1", "-Nguyễn Văn A", "@Trần Thị B"],
            "so_nhan_khau": [4, 2, 6],
            "thu_nhap": [1_500_000.0, np.nan, 2_250_000.5],
            "diem_b": [30.0, 15.5, np.inf],
            "ty_le": [0.0523, 1.0, None],
            "he_so": [1.25, -3.0, 0.0],
            "bhyt": [True, False, True],
            "ngay": pd.to_datetime(["2024-10-01", None, "2024-12-31"]),
            "ghi_chu": ["+84 912 345 678", None, ""],
        }
    )


def survey_sheet(**overrides: object) -> Sheet:
    values: dict[str, object] = {
        "name": "Kết quả",
        "frame": households(),
        "columns": COLUMNS,
        "title_rows": ["KẾT QUẢ PHÂN LOẠI HỘ NĂM 2024", "Xã An Bình"],
        "notes": ["Nguồn: phiếu rà soát B1.", "Số liệu do ngheo tính."],
        "highlight": {(1, "thu_nhap"): "Thiếu thu nhập: cần bổ sung"},
        "signature": ["NGƯỜI LẬP BIỂU", "CHỦ TỊCH UBND XÃ"],
        "total_row": {"ma_ho": "Tổng cộng", "so_nhan_khau": "sum", "thu_nhap": "sum",
                      "bhyt": "sum"},
    }
    values.update(overrides)
    return Sheet(**values)  # type: ignore[arg-type]


@pytest.fixture
def book(tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "ket_qua.xlsx"
    write_workbook(path, [survey_sheet()])
    return openpyxl.load_workbook(path)


def sheet_xml(path: Path, number: int = 1) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")


# ------------------------------------------------------------------ values


def test_layout_titles_offset_the_table(book: openpyxl.Workbook) -> None:
    ws = book["Kết quả"]
    assert ws["A1"].value == "KẾT QUẢ PHÂN LOẠI HỘ NĂM 2024" and ws["A1"].font.b
    assert ws["A2"].value == "Xã An Bình" and ws["A2"].font.b
    assert all(cell.value is None for cell in ws[3])
    assert [cell.value for cell in ws[HEADER_ROW]] == [c.header for c in COLUMNS]
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}  # title centred over the table


def test_codes_keep_leading_zeros_and_text_is_never_a_formula(
    book: openpyxl.Workbook, tmp_path: Path
) -> None:
    ws = book.active
    assert [ws.cell(r, 1).value for r in range(FIRST, FIRST + 3)] == [
        "0383126749", "001", "0000000007"
    ]
    assert ws.cell(FIRST, 1).data_type == "s" and ws.cell(FIRST, 1).number_format == "@"
    assert [ws.cell(r, 2).value for r in range(FIRST, FIRST + 3)] == [
        "=1+1", "-Nguyễn Văn A", "@Trần Thị B"
    ]
    assert ws.cell(FIRST, 2).data_type == "s"
    assert ws.cell(FIRST, 10).value == "+84 912 345 678"
    # The only formulas in the file are the generated totals.
    xml = sheet_xml(tmp_path / "ket_qua.xlsx")
    assert xml.count("<f>") == 3 and "<f>1+1" not in xml


def test_numbers_dates_marks_and_empty_cells(book: openpyxl.Workbook) -> None:
    ws = book.active
    row1, row2, row3 = FIRST, FIRST + 1, FIRST + 2
    assert ws.cell(row1, 3).value == 4 and ws.cell(row1, 3).number_format == "0"
    money = ws.cell(row1, 4)
    assert money.value == 1_500_000 and money.data_type == "n"
    assert money.number_format == "#,##0"
    assert ws.cell(row3, 4).value == pytest.approx(2_250_000.5)
    assert ws.cell(row1, 5).value == 30 and ws.cell(row1, 5).number_format == "0.0"
    assert ws.cell(row1, 6).value == pytest.approx(0.0523)
    assert ws.cell(row1, 6).number_format == "0.00%"
    assert ws.cell(row2, 7).value == -3 and ws.cell(row2, 7).number_format == "General"
    assert [ws.cell(r, 8).value for r in (row1, row2, row3)] == ["x", None, "x"]
    assert ws.cell(row1, 9).value == datetime(2024, 10, 1)
    assert ws.cell(row1, 9).number_format == "dd/mm/yyyy"
    # NaN, inf, None, NaT and "" are empty cells (still bordered like the rest of the table).
    for row, col in [(row2, 4), (row3, 5), (row3, 6), (row2, 9), (row2, 10), (row3, 10)]:
        assert ws.cell(row, col).value is None, (row, col)
        assert ws.cell(row, col).border.left.style == "thin"


def test_header_frozen_filtered_and_formatted(book: openpyxl.Workbook) -> None:
    ws = book.active
    header = ws.cell(HEADER_ROW, 4)
    assert header.font.b and header.alignment.wrap_text and header.border.bottom.style == "thin"
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:J{FIRST + 2}"  # header + data, not the total
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_highlight_fills_the_cell_and_adds_a_comment(book: openpyxl.Workbook) -> None:
    ws = book.active
    cell = ws.cell(FIRST + 1, 4)
    assert cell.fill.fgColor.rgb == "FFFFC7CE"
    assert cell.comment is not None and cell.comment.text == "Thiếu thu nhập: cần bổ sung"
    plain = ws.cell(FIRST, 4)
    assert plain.fill.fgColor.rgb != "FFFFC7CE" and plain.comment is None


def test_total_notes_and_signature_rows(book: openpyxl.Workbook, tmp_path: Path) -> None:
    ws = book.active
    total = FIRST + 3
    assert ws.cell(total, 1).value == "Tổng cộng" and ws.cell(total, 1).font.b
    assert ws.cell(total, 3).value == f"=SUM(C{FIRST}:C{FIRST + 2})"
    assert ws.cell(total, 8).value == f"=COUNTA(H{FIRST}:H{FIRST + 2})"
    cached = openpyxl.load_workbook(tmp_path / "ket_qua.xlsx", data_only=True).active
    assert cached.cell(total, 3).value == 12
    assert cached.cell(total, 4).value == pytest.approx(3_750_000.5)
    assert cached.cell(total, 8).value == 2

    notes = total + 2  # one blank row under the table
    assert ws.cell(notes, 1).value == "Nguồn: phiếu rà soát B1."
    assert ws.cell(notes + 1, 1).value == "Số liệu do ngheo tính."
    signature = notes + 3
    assert ws.cell(signature, 1).value == "NGƯỜI LẬP BIỂU" and ws.cell(signature, 1).font.b
    assert ws.cell(signature, 6).value == "CHỦ TỊCH UBND XÃ"  # 10 columns split 5 + 5
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"A{signature}:E{signature}", f"F{signature}:J{signature}"} <= merged
    assert ws.max_row == signature


def test_minimal_sheet_has_no_title_gap_and_no_extras(tmp_path: Path) -> None:
    path = tmp_path / "min.xlsx"
    frame = pd.DataFrame({"ma_ho": ["01"]})
    write_workbook(path, [Sheet("Hộ", frame, [Column("ma_ho", "Mã hộ", "code")],
                                freeze_header=False, autofilter=False)])
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "Mã hộ" and ws["A2"].value == "01"
    assert ws.freeze_panes is None and ws.auto_filter.ref is None
    assert ws.max_row == 2


def test_empty_frame_writes_header_and_zero_totals(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    frame = households().iloc[0:0]
    write_workbook(path, [survey_sheet(frame=frame, highlight={})])
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[HEADER_ROW]] == [c.header for c in COLUMNS]
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:J{HEADER_ROW}"
    assert ws.cell(HEADER_ROW + 1, 1).value == "Tổng cộng"
    assert ws.cell(HEADER_ROW + 1, 3).value == 0


def test_loose_object_columns_are_converted_sensibly(tmp_path: Path) -> None:
    path = tmp_path / "loose.xlsx"
    frame = pd.DataFrame(
        {
            "code": [383126749.0, 12, None],  # already lost its zero upstream: no ".0" added
            "mark": ["có", 1, np.nan],
            "money": ["", 5, pd.NA],
            "day": [date(2024, 1, 2), "chưa rõ", pd.NaT],
            "n": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    columns = [Column("code", "Mã", "code"), Column("mark", "Dấu", "mark"),
               Column("money", "Tiền", "money"), Column("day", "Ngày", "date"),
               Column("n", "Số", "int")]
    write_workbook(path, [Sheet("S", frame, columns)])
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert rows == [
        ("383126749", "có", None, datetime(2024, 1, 2), 1),
        ("12", "x", 5, "chưa rõ", None),
        (None, None, None, None, 3),
    ]


def test_rows_are_written_in_chunks_without_loss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_writer, "CHUNK_ROWS", 3)
    n = 10
    frame = pd.DataFrame({"ma_ho": [f"{i:03d}" for i in range(n)], "v": np.arange(n) * 1.5})
    highlight = {(i, "v"): f"dòng {i}" for i in (2, 3, 9)}
    path = tmp_path / "chunks.xlsx"
    write_workbook(path, [Sheet("S", frame, [Column("ma_ho", "Mã", "code"),
                                             Column("v", "Giá trị", "money")],
                                highlight=highlight, total_row={"v": "sum"})])
    ws = openpyxl.load_workbook(path).active
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(2, n + 2)] == [
        (f"{i:03d}", i * 1.5) for i in range(n)
    ]
    assert {r: ws.cell(r, 2).comment.text for r in range(2, n + 2) if ws.cell(r, 2).comment} == {
        i + 2: f"dòng {i}" for i in (2, 3, 9)
    }
    cached = openpyxl.load_workbook(path, data_only=True).active
    assert cached.cell(n + 2, 2).value == pytest.approx(sum(i * 1.5 for i in range(n)))


# ------------------------------------------------------------------ streamed rows

# Text that XML, Excel or a formula parser could misread.
TRICKY = [
    'a & b <c> "q"', "ctl\x01\x1f", "lit _x0041_ here", "  lead", "trail  ", "line\nbreak",
    "=1+1", "-1", "0012", "x" * 40_000, "emoji 😀", "",
]


def tricky_sheet() -> Sheet:
    """Every kind, empty values, and highlights on the first row, the last row and on every
    row of one column (the shape of the error workbook)."""
    n = len(TRICKY)
    frame = pd.DataFrame(
        {
            "code": TRICKY,
            "ten": ["Nguyễn Văn An", None, "Thôn Đông"] * (n // 3),
            "so": pd.array([1, None, 3, -4] * (n // 4), dtype="Int64"),
            "tien": [1_500_000.0, np.nan, -0.0, 2.5e20] * (n // 4),
            "dau": ["có", None, True, False] * (n // 4),
            "ngay": [datetime(2024, 10, 1, 8, 30), pd.NaT, "chưa rõ", date(2024, 1, 2)] * (n // 4),
            "loai": pd.Categorical(["ngheo", "can_ngheo", None] * (n // 3)),
            # The same instant in two time zones: each shows its own wall-clock time.
            "luc": [datetime(2024, 1, 1, 8, tzinfo=timezone(timedelta(hours=7))),
                    datetime(2024, 1, 1, 1, tzinfo=UTC), None, "?"] * (n // 4),
            "tinh_trang": ["Bị loại"] * n,
        }
    )
    columns = [Column("code", "Mã", "code"), Column("ten", "Tên"), Column("so", "Số", "int"),
               Column("tien", "Tiền", "money"), Column("dau", "Dấu", "mark"),
               Column("ngay", "Ngày", "date"), Column("loai", "Loại"), Column("luc", "Lúc", "date"),
               Column("tinh_trang", "Tình trạng")]
    highlight = {(i, "tinh_trang"): f"dòng {i}" for i in range(n)}
    highlight |= {(0, "code"): "mã", (0, "tien"): "tiền", (5, "dau"): "dấu",
                  (n - 1, "ngay"): "ngày"}
    return Sheet("Khó", frame, columns, title_rows=["DỮ LIỆU KHÓ"], highlight=highlight,
                 total_row={"code": "Tổng", "so": "sum", "dau": "sum"}, notes=["Ghi chú"])


def test_streamed_rows_are_the_bytes_xlsxwriter_writes_cell_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data rows go into the sheet as XML in blocks (``_RowStream``); the file must be the
    one xlsxwriter writes when every cell goes through its own calls."""
    monkeypatch.setattr(xlsx_writer, "CHUNK_ROWS", 5)
    monkeypatch.setattr(rowstream, "STREAM_BLOCK_ROWS", 2)
    every_row = Sheet("Mọi dòng", pd.DataFrame({"a": ["x", None, "y"]}), [Column("a", "A")],
                      highlight={(i, "a"): "!" for i in range(3)})  # the plain format unused
    sheets = [every_row, survey_sheet(), tricky_sheet(),
              survey_sheet(name="Không tiêu đề", title_rows=[])]
    blocks: list[int] = []
    write_block = rowstream.RowStream._write_block

    def counted(self: object, first_row: int, *args: object) -> None:
        blocks.append(first_row)
        write_block(self, first_row, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(rowstream.RowStream, "_write_block", counted)
    write_workbook(tmp_path / "streamed.xlsx", sheets)
    # Chunks of 5 rows, written in blocks of at most 2: 3 rows make 2 blocks, 12 rows 3+3+1.
    assert len(blocks) == 2 + 2 + 7 + 2

    monkeypatch.setattr(rowstream.RowStream, "supported", staticmethod(lambda ws: False))
    write_workbook(tmp_path / "per_cell.xlsx", sheets)
    assert (tmp_path / "streamed.xlsx").read_bytes() == (tmp_path / "per_cell.xlsx").read_bytes()


def test_streamed_blocks_mixing_plain_and_escaped_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A block's new texts are checked for escaping all at once; texts beside a line break
    (a space before or after it), escapes and edge spaces among plain names, blocks where
    only & < > need escaping, repeats and a small cache that is emptied mid-sheet still give
    xlsxwriter's bytes."""
    monkeypatch.setattr(rowstream, "CELL_CACHE", 8)
    monkeypatch.setattr(rowstream, "STREAM_BLOCK_ROWS", 4)
    spaced = ["a \nb", "x\n y", " lead", "tail ", "line\nbreak", "\u00a0nbsp"]
    escaped = ["a&b", "_x0041_", "ctl\x01", ""]
    names = [f"Nguyễn Văn {i}" for i in range(40)]
    # Blocks of plain names with one spaced text each, then blocks with escapes.
    texts = [t for i, name in enumerate(names[:24]) for t in (name, *spaced[i % 6 : i % 6 + 1])
             if i % 2 == 0 or t == name]
    # Blocks needing only & < > escaped, one with a line break, one with an edge space.
    angled = ["Thu nhập > chuẩn", "a & b", "<b>x</b>", "p<q\nr", "x > y", " s&t", "u>v"]
    texts += [t for i, name in enumerate(names[24:]) for t in (name, angled[i % 7])]
    texts += [*spaced, *escaped, *names, *escaped]
    frame = pd.DataFrame({"t": texts, "thon": ["Thôn 1", "Thôn 2", None] * (len(texts) // 3)
                          + ["Thôn 1"] * (len(texts) % 3)})
    sheets = [Sheet("S", frame, [Column("t", "T"), Column("thon", "Thôn")],
                    highlight={(3, "t"): "!"})]
    write_workbook(tmp_path / "streamed.xlsx", sheets)
    monkeypatch.setattr(rowstream.RowStream, "supported", staticmethod(lambda ws: False))
    write_workbook(tmp_path / "per_cell.xlsx", sheets)
    assert (tmp_path / "streamed.xlsx").read_bytes() == (tmp_path / "per_cell.xlsx").read_bytes()


def test_streamed_text_reads_back_as_written(tmp_path: Path) -> None:
    import fastexcel

    path = tmp_path / "text.xlsx"
    frame = pd.DataFrame({"t": [*TRICKY, "<r>x</r>"]})
    write_workbook(path, [Sheet("S", frame, [Column("t", "T")], autofilter=False)])
    expected = [*TRICKY, "<r>x</r>"]
    expected[9] = "x" * 32_767  # Excel's limit for one cell
    expected[11] = None  # "" is an empty cell
    # fastexcel (calamine) decodes Excel's _xHHHH_ escapes of control characters.
    table = fastexcel.read_excel(path).load_sheet(0, header_row=0).to_arrow()
    assert table.column(0).to_pylist() == expected
    # openpyxl does not decode them, but sees every value as text, none as a formula.
    ws = openpyxl.load_workbook(path).active
    cells = [ws.cell(row, 1) for row in range(2, len(expected) + 2)]
    assert [c.value for c in cells][3:] == expected[3:11] + [None, "<r>x</r>"]
    assert {c.data_type for c in cells if c.value is not None} == {"s"}
    xml = sheet_xml(path)
    assert "<f>" not in xml and "&lt;r&gt;x&lt;/r&gt;" in xml  # escaped, not rich-text XML


# ------------------------------------------------------------------ widths


def test_column_widths(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"short": ["a"], "long": ["x" * 500], "wide": ["中文中文中文中文中文中文"],
         "narrow": ["abcdefghijkl"], "fixed": ["y"], "money": [123_456_789_012.0]}
    )
    columns = [Column("short", "A"), Column("long", "Dài"), Column("wide", "W"),
               Column("narrow", "N"), Column("fixed", "Cố định", width=42.5),
               Column("money", "Tiền", "money")]
    path = tmp_path / "w.xlsx"
    write_workbook(path, [Sheet("S", frame, columns)])
    dims = openpyxl.load_workbook(path).active.column_dimensions

    def width(letter: str) -> float:
        return float(dims[letter].width)

    assert 8 <= width("A") < 10  # the minimum (plus Excel's padding)
    assert 60 <= width("B") < 61  # capped
    assert width("C") > width("D")  # 12 CJK characters take 24 columns, 12 letters take 12
    assert 42.5 <= width("E") < 43.5
    assert width("F") >= len("123,456,789,012")


def _reference_width(text: str) -> int:
    """display_width by its definition, character by character (no fast path)."""
    import unicodedata

    lines = unicodedata.normalize("NFC", text).split("\n")
    return max(
        sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF"
            else 1 for c in line)
        for line in lines
    )


def test_display_width_fast_path_agrees_with_the_definition() -> None:
    """Texts of plain and precomposed Latin letters take a shortcut; mixed ones do not."""
    import random

    rng = random.Random(7)
    alphabet = ("abcXYZ 019.,;\n\t\u00a0éÀÐđĐơƯưǅʼ˚ẠặễỵỹỸ"
                "\u0300\u0301\u0302\u0303\u0323\u200b中文한ｆ\u3000")
    texts = ["", "\n", "Hộ nghèo\nThôn 1", "Nguye\u0302\u0303n", "ÐĐ\u0110", "a\u0301"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
              for _ in range(3000)]
    for text in texts:
        assert display_width(text) == _reference_width(text), repr(text)


def test_display_width() -> None:
    assert display_width("Nguyễn Văn An") == 13
    assert display_width("Nguye\u0302\u0303n") == 6  # decomposed Vietnamese: NFC first
    assert display_width("中文") == 4
    assert display_width("ab\nabcd") == 4


# ------------------------------------------------------------------ determinism


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sheets = [survey_sheet(), survey_sheet(name="Kết quả", title_rows=[])]
    write_workbook(tmp_path / "a" / "out.xlsx", sheets)
    write_workbook(tmp_path / "b" / "out.xlsx", sheets)
    first = (tmp_path / "a" / "out.xlsx").read_bytes()
    assert first == (tmp_path / "b" / "out.xlsx").read_bytes()

    # Nothing in the file depends on the clock: fixed zip stamps and document dates.
    with zipfile.ZipFile(tmp_path / "a" / "out.xlsx") as archive:
        stamps = {info.date_time[:3] for info in archive.infolist()}
        core = archive.read("docProps/core.xml").decode()
    assert stamps <= {(1980, 1, 1), (1980, 1, 31)}
    assert f"{FIXED_CREATED:%Y-%m-%d}T00:00:00Z" in core
    assert str(datetime.now().year) not in core


def test_properties_override_and_dates_widened(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    write_workbook(path, [survey_sheet()], properties={
        "title": "Kết quả rà soát 2024", "author": "ngheo", "created": date(2024, 10, 1)})
    book = openpyxl.load_workbook(path)
    assert book.properties.title == "Kết quả rà soát 2024"
    assert book.properties.creator == "ngheo"
    assert book.properties.created == datetime(2024, 10, 1)


# ------------------------------------------------------------------ sheet names


def test_sheet_names_are_sanitised() -> None:
    assert sanitize_sheet_name("Hộ nghèo/cận nghèo") == "Hộ nghèo-cận nghèo"
    assert sanitize_sheet_name("[a]:b*c?d\\e") == "-a--b-c-d-e"
    assert sanitize_sheet_name("'Thôn 1'") == "Thôn 1"
    assert sanitize_sheet_name("   ") == "Trang"
    assert sanitize_sheet_name("history") == "history-"
    long = "Danh sách hộ nghèo và cận nghèo thôn Đông"
    assert sanitize_sheet_name(long) == long[:31].rstrip()
    assert sanitize_sheet_name("Nguye\u0302\u0303n") == "Nguyễn"


def test_sheet_names_are_unique_ignoring_case() -> None:
    long = "Danh sách hộ nghèo và cận nghèo thôn Đông"
    names = unique_sheet_names(["Kết quả", "kết quả", "KẾT QUẢ", long, long, "a/b", "a:b"])
    assert names[:3] == ["Kết quả", "kết quả (2)", "KẾT QUẢ (3)"]
    assert names[3] == long[:31].rstrip() and names[4].endswith(" (2)")
    assert all(len(name) <= 31 for name in names)
    assert names[5:] == ["a-b", "a-b (2)"]


def test_workbook_uses_sanitised_unique_names(tmp_path: Path) -> None:
    path = tmp_path / "names.xlsx"
    write_workbook(path, [survey_sheet(name="Hộ/nghèo"), survey_sheet(name="hộ/NGHÈO")])
    assert openpyxl.load_workbook(path).sheetnames == ["Hộ-nghèo", "hộ-NGHÈO (2)"]


# ------------------------------------------------------------------ errors and atomicity


def test_bad_frame_mid_write_leaves_previous_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ket_qua.xlsx"
    write_workbook(path, [survey_sheet()])
    before = path.read_bytes()
    bad = households()
    bad["thu_nhap"] = bad["thu_nhap"].astype(object)
    bad.loc[2, "thu_nhap"] = "1.500.000"  # text in a money column, found while writing sheet 2
    with pytest.raises(ValueError, match=r"'thu_nhap'.*row 2 .*'1\.500\.000'"):
        write_workbook(path, [survey_sheet(title_rows=["MỚI"]), survey_sheet(frame=bad)])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ket_qua.xlsx"]  # no temp, no scratch


def test_bad_frame_with_no_previous_file_creates_nothing(tmp_path: Path) -> None:
    bad = households().assign(so_nhan_khau=["bốn", 2, 6])
    with pytest.raises(ValueError, match="not a number"):
        write_workbook(tmp_path / "x.xlsx", [survey_sheet(frame=bad)])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frame": households().drop(columns=["thu_nhap"])}, "not in the frame"),
        ({"highlight": {(3, "thu_nhap"): "x"}}, "row position 3"),
        ({"highlight": {(0, "khong_co"): "x"}}, "not shown"),
        ({"total_row": {"ty_le": "sum"}}, "cannot sum"),
        ({"total_row": {"khong_co": "Tổng"}}, "not shown"),
        ({"columns": []}, "no columns"),
    ],
)
def test_invalid_sheets_are_refused_before_writing(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(ValueError, match=message):
        write_workbook(path, [survey_sheet(**change)])
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_more_rows_than_excel_allows_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"n": np.zeros(xlsx_writer.EXCEL_MAX_ROWS, dtype=np.int8)})
    with pytest.raises(ValueError, match="Excel allows 1048576"):
        write_workbook(tmp_path / "big.xlsx", [Sheet("S", frame, [Column("n", "N", "int")])])
    assert list(tmp_path.iterdir()) == []


def test_no_sheets_and_unknown_kind_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one sheet"):
        write_workbook(tmp_path / "x.xlsx", [])
    with pytest.raises(ValueError, match="unknown kind"):
        Column("a", "A", "tien")  # type: ignore[arg-type]


# ------------------------------------------------------------------ speed


@pytest.mark.slow
def test_large_sheet_is_written_fast(tmp_path: Path) -> None:
    """20.000 rows × 30 columns (600.000 cells): ~0.8 s on 2 cores (100.000 × 30: ~4 s)."""
    n = 20_000
    rng = np.random.default_rng(7)
    data: dict[str, object] = {}
    columns: list[Column] = []
    for j in range(30):
        kind = ["code", "text", "int", "money", "score", "percent", "mark", "date"][j % 8]
        key = f"c{j}"
        data[key] = {
            "code": [f"{i:010d}" for i in range(n)],
            "text": rng.choice(["Nguyễn Văn An", "Thôn Đông", None], n),
            "int": rng.integers(0, 9, n),
            "money": rng.integers(0, 5_000_000, n).astype(float),
            "score": rng.random(n) * 100,
            "percent": rng.random(n),
            "mark": rng.random(n) < 0.3,
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
        }[kind]
        columns.append(Column(key, f"Cột {j}", kind))  # type: ignore[arg-type]
    frame = pd.DataFrame(data)
    write_workbook(tmp_path / "big.xlsx", [Sheet("S", frame, columns)])  # timed in benchmarks/
    book = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)
    try:
        last = next(book.active.iter_rows(min_row=n + 1, max_row=n + 1, values_only=True))
    finally:
        book.close()
    assert last[0] == f"{n - 1:010d}"
    assert math.isclose(last[3], frame["c3"].iloc[-1])
