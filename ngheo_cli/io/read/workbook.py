"""Read a survey workbook (.xlsx, .xlsm or .csv) into a :class:`~ngheo_cli.core.table.RawTable`.

Real commune workbooks have title rows above the header, one- or two-row headers with
merged cells, a column-number row, blank rows, totals rows and signature blocks. This
module finds the household sheet and its header, maps header texts onto canonical keys
(``core.schema`` aliases plus a user's mapping file) and hands over every data row as
stripped text, indexed by its Excel row number. Nothing is parsed here: that is the
validator's job.

Data is read with fastexcel (calamine), every cell as text, so codes keep their leading
zeros. openpyxl is never used for data: it is an order of magnitude slower (design.md).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import fastexcel
import numpy as np
import pandas as pd
import yaml

from ngheo_cli.core.findings import EXCEL_ERRORS
from ngheo_cli.core.headers import (
    IGNORE,
    STRENGTH,
    Candidate,
    HeaderMatch,
    HeaderMatcher,
    HeaderVocabulary,
    describe_candidates,
)
from ngheo_cli.core.inspection import ColumnReport, SheetHeader
from ngheo_cli.core.schema import FIELDS, Field
from ngheo_cli.core.table import (
    SHEET_STRIDE,
    RawTable,
    SheetNote,
    SheetPart,
    SkippedRow,
    SkipReason,
)
from ngheo_cli.core.text import column_letter, fold, fold_words
from ngheo_cli.errors import InputError, RulesetError
from ngheo_cli.io.read.xlsx_scan import SheetScan, scan_workbook

__all__ = ["read_table", "load_column_map"]

# How many rows from the top of a sheet may hold titles and the header.
HEADER_WINDOW = 30

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

SAVE_AS_XLSX = "Lưu lại tệp dưới dạng .xlsx (Excel: Tệp > Lưu thành > Sổ làm việc Excel)."
COLUMN_MAP_HINT = (
    "Chạy `ngheo inspect TỆP` để xem từng cột được hiểu thế nào; nếu tên cột trong tệp khác, "
    "dùng --column-map TỆP (YAML hoặc CSV, mỗi dòng: tên cột trong tệp → khoá chuẩn, ví dụ "
    '"Mã số HGĐ": ma_ho; khoá bo_qua để bỏ một cột).'
)

# Whitespace stripped around every value: Python's own, plus no-break, zero-width and BOM.
_STRIP_CHARS = (
    " \t\n\r\v\f\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)

# Row classification works on fold_words() of the first non-empty cell of a row.
_TOTALS_RE = re.compile(
    r"^(tong( .*)?|cong( (thon|xa|phuong|thi tran|to|ban|ap|buon|toan|chung|lai|so|tong)\b.*)?)$"
)
_FOOTER_RE = re.compile(
    r"^(nguoi lap|nguoi tong hop|nguoi ky|nguoi duyet|truong (thon|ban|ap|buon|khu|to)\b"
    r"|to truong|chu tich|pho chu tich|xac nhan|ghi chu|luu y|noi nhan|can bo|ke toan"
    r"|thu truong|bi thu|dieu tra vien|ra soat vien|giam sat vien|ky ghi ro|ky ten|ky va ghi"
    r"|ky dong dau|ubnd|uy ban nhan dan|(tm|t m|kt|k t|tl|t l)\b)"
)
_DATE_RE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")
# A column-number cell: 1, (2), [3], A, (B), optionally followed by a formula note "(5)=(3)x(4)".
_NUMBER_TOKEN_RE = re.compile(r"^[\(\[]?([1-9]\d{0,2}|[A-Z])[\)\]]?\.?(\s*[=+\-*/x×:].*)?$")
_DIGIT_RE = r"\d"


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    fields: Sequence[Field] = FIELDS,
    required: Sequence[str] = ("ma_ho",),
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    display_name: str | None = None,
    vocabulary: HeaderVocabulary | None = None,
    all_sheets: bool = False,
) -> RawTable:
    """Read one table (households by default) from a workbook or CSV file.

    ``fields`` are the canonical columns to look for (each with its aliases); ``required``
    are the keys that must be found, else :class:`InputError`. ``sheet`` forces a sheet;
    otherwise the sheet whose header matches the most keys wins. ``column_map`` (header
    text → key, see :func:`load_column_map`) adds aliases; a target that names no field
    raises :class:`RulesetError`. ``display_name`` (default: the file name) is used in
    messages and as ``RawTable.source``. ``vocabulary``: how the columns are named (a
    standard's, from :func:`ngheo_cli.io.rulesets.header_vocabulary`); by default the names
    shared by every standard.

    ``all_sheets`` (households, without ``sheet``): every other visible sheet in the same
    layout is read too (one sheet per village), each row keeping its sheet
    (``RawTable.parts``), and the non-empty sheets not read are named
    (``RawTable.sheet_notes``).

    Returns a :class:`RawTable`: ``frame`` holds one column per mapped key (text or
    missing), indexed by Excel row number; skipped rows are listed in ``skipped``.
    """
    name = display_name or path.name
    index = _header_index(fields, column_map, vocabulary)
    kind = _check_file(path, name)
    if kind == "csv":
        sheet_name = Path(name).stem[:31] or "Sheet1"
        grid = _read_csv_grid(path, name, index)
        header = _detect_header(grid.iloc[:HEADER_WINDOW], index)
        if header is None:
            raise _no_header_error(name, [sheet_name], fields, required)
        book = None
    else:
        book = _open_book(path, name)
        sheet_name, grid, header = _read_xlsx(book, name, sheet, index, fields, required)

    _check_required(header, fields, required, index, name, sheet_name)
    table = _build_table(grid, header, fields, required, name, sheet_name)
    if book is not None and sheet is None and all_sheets:
        table = _with_other_sheets(book, name, table, header, index, fields, required)
    return take_cell_problems(table)


def load_column_map(path: Path) -> dict[str, str]:
    """Read a user's column mapping file: header text in their workbook → canonical key.

    YAML: a mapping (``"Mã số HGĐ": ma_ho``). CSV: two columns, header text then key,
    with an optional title row (``tieu_de,khoa``). Any problem raises :class:`RulesetError`.
    """
    if not path.is_file():
        raise RulesetError(f'Không tìm thấy tệp ánh xạ cột "{path}".')
    suffix = path.suffix.lower()
    if suffix not in {".yaml", ".yml", ".csv"}:
        raise RulesetError(
            f'Tệp ánh xạ cột "{path.name}" phải là .yaml, .yml hoặc .csv.',
            hint='Ví dụ nội dung YAML: "Mã số HGĐ": ma_ho',
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise RulesetError(f'Không mở được tệp ánh xạ cột "{path}": {exc.strerror}.') from exc
    except UnicodeDecodeError:
        raise RulesetError(
            f'Tệp ánh xạ cột "{path.name}" không phải văn bản UTF-8.',
            hint="Lưu lại tệp với bảng mã UTF-8.",
        ) from None
    if suffix == ".csv":
        pairs = _map_pairs_csv(text, path.name)
    else:
        pairs = _map_pairs_yaml(text, path.name)
    if not pairs:
        raise RulesetError(f'Tệp ánh xạ cột "{path.name}" không có dòng ánh xạ nào.')
    return pairs


@dataclass
class HeaderInspection:
    """What the header search saw (for `ngheo inspect`): every sheet, the chosen one and
    its columns. Built by :func:`inspect_headers`; no household is parsed here."""

    sheets: list[SheetHeader]
    sheet: str | None
    header_rows: tuple[int, ...]
    key_rows: tuple[int, ...]
    columns: list[ColumnReport]


def inspect_headers(
    path: Path,
    *,
    fields: Sequence[Field] = FIELDS,
    sheet: str | None = None,
    column_map: Mapping[str, str] | None = None,
    display_name: str | None = None,
    vocabulary: HeaderVocabulary | None = None,
) -> HeaderInspection:
    """Find the header on every sheet as :func:`read_table` does and report each column:
    its key and how it was matched, or why it is not used. Unusable files raise as in
    :func:`read_table`; a sheet without a recognisable header is reported, not raised."""
    name = display_name or path.name
    index = _header_index(fields, column_map, vocabulary)
    kind = _check_file(path, name)
    found: list[tuple[str, bool, _Header | None]] = []
    if kind == "csv":
        grid = _read_csv_grid(path, name, index)
        window = grid.iloc[:HEADER_WINDOW]
        found.append((Path(name).stem[:31] or "Sheet1", True, _detect_header(window, index)))
        forced: int | None = None
    else:
        try:
            reader = fastexcel.read_excel(path)
            names = list(reader.sheet_names)
        except _READ_ERRORS as exc:
            raise _corrupt(name) from exc
        except BaseException as exc:
            if _is_panic(exc):
                raise _corrupt(name) from exc
            raise
        forced = _find_sheet(sheet, names, name) if sheet is not None else None
        for idx, sheet_name in enumerate(names):
            try:
                window, visible = _load_grid(reader, idx, name, HEADER_WINDOW)
            except InputError:
                found.append((sheet_name, False, None))
                continue
            found.append((sheet_name, visible, _detect_header(window, index)))
    ranked = [
        ((int(visible), header.score, -idx), idx)
        for idx, (_, visible, header) in enumerate(found)
        if header is not None
    ]
    if forced is not None:
        chosen: int | None = forced
    else:
        chosen = max(ranked)[1] if ranked else None
    sheets: list[SheetHeader] = []
    for idx, (sheet_name, visible, header) in enumerate(found):
        sheets.append(_sheet_header(sheet_name, visible, header, idx == chosen, forced is not None))
    if chosen is None:
        return HeaderInspection(sheets, None, (), (), [])
    sheet_name, _, header = found[chosen]
    if header is None:
        return HeaderInspection(sheets, sheet_name, (), (), [])
    return HeaderInspection(
        sheets=sheets,
        sheet=sheet_name,
        header_rows=tuple(r + 1 for r in header.rows),
        key_rows=tuple(sorted(r + 1 for r in header.key_rows)),
        columns=_column_reports(header),
    )


def _sheet_header(
    name: str, visible: bool, header: _Header | None, chosen: bool, forced: bool
) -> SheetHeader:
    if header is None:
        return SheetHeader(
            name,
            visible,
            reason=f"không thấy dòng tiêu đề nhận ra được trong {HEADER_WINDOW} dòng đầu",
        )
    rows = tuple(r + 1 for r in header.rows)
    shown = "–".join(str(r) for r in rows)
    if chosen:
        why = "chọn bằng --sheet" if forced else "dòng tiêu đề nhận ra nhiều cột nhất"
    else:
        why = "ít cột nhận ra hơn sheet được chọn"
    if not visible:
        why += " (sheet ẩn)"
    return SheetHeader(
        name=name,
        visible=visible,
        header_rows=rows,
        key_rows=tuple(sorted(r + 1 for r in header.key_rows)),
        score=header.score,
        chosen=chosen,
        reason=f"dòng tiêu đề {shown}, {header.score} cột nhận ra theo tên; {why}",
    )


def _column_reports(header: _Header) -> list[ColumnReport]:
    out: list[ColumnReport] = []
    for col, text in header.texts.items():
        letter = column_letter(col)
        map_text = header.variants[col][0]
        if col in header.mapping:
            out.append(ColumnReport.from_match(letter, text, map_text, header.matches[col], "used"))
        elif col in header.duplicates:
            key, winner = header.duplicates[col]
            report = ColumnReport.from_match(
                letter, text, map_text, header.matches[col], "duplicate"
            )
            out.append(
                replace(
                    report,
                    how=f"{report.how}; khoá {key} đã lấy ở cột {column_letter(winner)}",
                )
            )
        elif col in header.ignored:
            out.append(ColumnReport(letter, text, map_text, "ignored", how="bỏ qua theo ánh xạ"))
        elif col in header.guesses:
            cands = header.guesses[col]
            out.append(
                ColumnReport(
                    letter,
                    text,
                    map_text,
                    "uncertain",
                    how="có thể là " + describe_candidates(cands, _LABELS),
                    candidates=cands,
                )
            )
        else:
            out.append(ColumnReport(letter, text, map_text, "unknown", how="không nhận ra"))
    return out


# --------------------------------------------------------------------------------------
# Files and formats
# --------------------------------------------------------------------------------------


def _check_file(path: Path, name: str) -> str:
    """Refuse unusable files with a precise message; return "xlsx" or "csv"."""
    if not path.exists():
        raise InputError(f'Không tìm thấy tệp "{name}".', hint="Kiểm tra lại đường dẫn và tên tệp.")
    if path.is_dir():
        raise InputError(f'"{name}" là một thư mục, không phải tệp bảng tính.')
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputError(
            f'Tệp "{name}" là định dạng Excel cũ (.xls), chương trình chỉ đọc .xlsx.',
            hint=SAVE_AS_XLSX,
        )
    if suffix == ".ods":
        raise InputError(
            f'Tệp "{name}" là bảng tính OpenDocument (.ods), chương trình chỉ đọc .xlsx.',
            hint=SAVE_AS_XLSX,
        )
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix not in XLSX_SUFFIXES:
        shown = path.suffix or "(không có)"
        raise InputError(
            f'Không đọc được tệp "{name}": đuôi "{shown}" không được hỗ trợ.',
            hint="Hãy dùng tệp Excel .xlsx (hoặc .xlsm, .csv).",
        )
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise _unreadable(name, exc) from exc
    if magic == OLE_MAGIC:
        if _is_encrypted(path):
            raise InputError(
                f'Tệp "{name}" có đặt mật khẩu nên không đọc được.',
                hint="Mở tệp bằng Excel, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc > "
                "Mã hoá bằng mật khẩu: để trống) rồi lưu lại.",
            )
        raise InputError(
            f'Tệp "{name}" thực chất là định dạng Excel cũ (.xls) được đổi đuôi.',
            hint=SAVE_AS_XLSX,
        )
    if not magic.startswith(ZIP_MAGICS):
        raise _corrupt(name)
    return "xlsx"


def _is_encrypted(path: Path) -> bool:
    """An encrypted OOXML file is a Compound File holding an "EncryptedPackage" stream."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data


def _corrupt(name: str) -> InputError:
    hint = "Mở lại tệp bằng Excel và lưu thành .xlsx; nếu Excel báo lỗi, lấy lại bản gốc."
    if name.startswith("~$"):
        hint = "Đây là tệp khoá tạm của Excel (tên bắt đầu bằng ~$); hãy chọn tệp gốc."
    return InputError(f'Tệp "{name}" bị hỏng hoặc không phải tệp Excel .xlsx.', hint=hint)


def _unreadable(name: str, exc: OSError) -> InputError:
    return InputError(
        f'Không mở được tệp "{name}" ({exc.strerror or exc}).',
        hint="Kiểm tra quyền đọc tệp; nếu tệp đang mở ở chương trình khác, hãy đóng lại.",
    )


#: What opening or reading a broken or foreign file raises: fastexcel's own errors (calamine's
#: parse errors, a missing sheet, a cell it cannot convert), the file system's, and the value
#: errors of a text or number it cannot decode. A Rust panic is :func:`_is_panic`.
_READ_ERRORS: tuple[type[Exception], ...] = (fastexcel.FastExcelError, OSError, ValueError)


def _arrow_errors() -> tuple[type[Exception], ...]:
    """pyarrow's errors (a sheet turned into a frame goes through Arrow); pyarrow is loaded
    by then, so naming it costs nothing."""
    from pyarrow import ArrowException

    return (ArrowException,)


def _is_panic(exc: BaseException) -> bool:
    # pyo3 turns a Rust panic inside calamine into PanicException, a BaseException.
    return type(exc).__name__ == "PanicException"


@dataclass(frozen=True)
class _Book:
    """A workbook opened once per :func:`read_table` call (opening parses every shared
    string): choosing the sheet and reading the other village sheets share it, and each
    sheet's scan (error cells, uncalculated formulas), made before any sheet is loaded."""

    reader: fastexcel.ExcelReader
    sheet_names: list[str]
    scans: dict[str, SheetScan]
    # Sheets parsed in full while only their header window was needed, by index: the fast
    # reader parses the whole sheet even for a window, so the full grid reuses the parse.
    parsed: dict[int, Any] = field(default_factory=dict)
    # Each sheet's header window, whether it is visible and the header found in it, by
    # index: choosing the sheet and looking at the other sheets read each window once.
    windows: dict[int, tuple[pd.DataFrame, bool, _Header | None]] = field(default_factory=dict)


def _window(
    book: _Book, idx: int, name: str, index: HeaderMatcher
) -> tuple[pd.DataFrame, bool, _Header | None]:
    """The first rows of sheet ``idx`` (no cell marks), whether it is visible and the header
    found there; a sheet that cannot be read raises :class:`InputError` every time."""
    found = book.windows.get(idx)
    if found is None:
        window, visible = _load_grid(book.reader, idx, name, HEADER_WINDOW, None, book.parsed)
        found = book.windows[idx] = (window, visible, _detect_header(window, index))
    return found


def _grid_header(book: _Book, idx: int, grid: pd.DataFrame, index: HeaderMatcher) -> _Header | None:
    """The header of a sheet's full grid: the one found in its window when the grid's first
    rows are that window cell for cell (no error cell marked there), else found anew."""
    top = grid.iloc[:HEADER_WINDOW]
    seen = book.windows.get(idx)
    if seen is not None and top.columns.equals(seen[0].columns) and top.equals(seen[0]):
        return seen[2]
    return _detect_header(top, index)


def _open_book(path: Path, name: str) -> _Book:
    try:
        reader = fastexcel.read_excel(path)
        sheet_names = list(reader.sheet_names)
    except _READ_ERRORS as exc:
        raise _corrupt(name) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _corrupt(name) from exc
        raise
    if not sheet_names:
        raise _corrupt(name)
    # Before any sheet is loaded: refuse a sheet the fast reader cannot hold in memory,
    # and find the error cells and uncalculated formulas it would read as blank.
    return _Book(reader, sheet_names, scan_workbook(path, name, sheet_names))


def _read_xlsx(
    book: _Book,
    name: str,
    sheet: str | None,
    index: HeaderMatcher,
    fields: Sequence[Field],
    required: Sequence[str],
) -> tuple[str, pd.DataFrame, _Header]:
    """Pick the sheet (forced or best header score); return its name, full grid and header."""
    reader, sheet_names, scans = book.reader, book.sheet_names, book.scans

    if sheet is not None or len(sheet_names) == 1:
        idx = _find_sheet(sheet, sheet_names, name) if sheet is not None else 0
        grid, _ = _load_grid(reader, idx, name, None, scans.get(sheet_names[idx]), book.parsed)
        header = _detect_header(grid.iloc[:HEADER_WINDOW], index)
        if header is None:
            raise _no_header_error(name, [sheet_names[idx]], fields, required)
        return sheet_names[idx], grid, header

    # Several sheets: score each on its first rows only, then load the winner in full.
    best: tuple[tuple[int, int, int], int] | None = None
    failures: list[InputError] = []
    for idx in range(len(sheet_names)):
        try:
            window, visible, found = _window(book, idx, name, index)
        except InputError as exc:  # one odd sheet must not hide a good one
            failures.append(exc)
            continue
        if found is None:
            continue
        rank = (int(visible), found.score, -idx)  # visible sheets first, then score, then order
        if best is None or rank > best[0]:
            best = (rank, idx)
    if best is None:
        if len(failures) == len(sheet_names):
            raise failures[0]
        raise _no_header_error(name, sheet_names, fields, required)
    idx = best[1]
    grid, _ = _load_grid(reader, idx, name, None, scans.get(sheet_names[idx]), book.parsed)
    header = _grid_header(book, idx, grid, index)
    if header is None:  # cannot happen: same rows as the window; keep the message anyway
        raise _no_header_error(name, [sheet_names[idx]], fields, required)
    return sheet_names[idx], grid, header


# --------------------------------------------------------------------------------------
# Several sheets: one per village, same layout
# --------------------------------------------------------------------------------------

_VILLAGE_FROM_SHEET = "(tên sheet)"
# A sheet with no header is named only when it looks like a list: at least this many rows
# of three or more filled cells, one holding a figure (cover, instructions and lookup
# sheets do not).
_LIST_ROWS = 3


def _looks_like_list(window: pd.DataFrame) -> bool:
    filled = window.notna()
    wide = filled.sum(axis=1) >= 3
    figures = pd.Series(False, index=window.index)
    for col in window.columns:
        figures |= window[col].str.contains(_DIGIT_RE, na=False, regex=True).astype(bool)
    return int((wide & figures).sum()) >= _LIST_ROWS


def _with_other_sheets(
    book: _Book,
    name: str,
    main: RawTable,
    main_header: _Header,
    index: Any,
    fields: Sequence[Field],
    required: Sequence[str],
) -> RawTable:
    """Read every other sheet of the workbook that lists households in the main sheet's
    layout (a workbook with one sheet per village), and name every non-empty sheet that
    is not read, with why. One sheet read: ``main`` itself (with the notes)."""
    reader, names = book.reader, book.sheet_names
    if len(names) < 2 or main.sheet not in names:
        return main
    main_idx = names.index(main.sheet)
    main_keys = set(main_header.mapping.values())
    tables: dict[int, RawTable] = {main_idx: main}
    notes: list[SheetNote] = []
    for idx, sheet_name in enumerate(names):
        if idx == main_idx:
            continue
        try:
            window, visible, found = _window(book, idx, name, index)
        except InputError:
            notes.append(SheetNote(sheet_name, "sheet bị hỏng, không đọc được"))
            continue
        if not window.notna().to_numpy().any():
            continue  # an empty sheet holds nothing to lose
        keys = set(found.mapping.values()) if found is not None else set()
        if not set(required) <= keys and not _looks_like_list(window):
            continue  # a cover, instructions or lookup sheet: no household header, no figures
        if found is None or not set(required) <= keys:
            wanted = ", ".join(f.label for f in fields if f.key in required)
            notes.append(
                SheetNote(sheet_name, f"không có dòng tiêu đề của danh sách hộ (cột {wanted})")
            )
            continue
        shared = keys & main_keys
        if len(shared) * 2 < len(main_keys):
            notes.append(
                SheetNote(
                    sheet_name,
                    f'bố cục cột khác sheet "{main.sheet}" (chỉ {len(shared)} trong '
                    f"{len(main_keys)} cột giống nhau)",
                )
            )
            continue
        if not visible:
            notes.append(SheetNote(sheet_name, "sheet đang ẩn; hiện sheet ra nếu có hộ cần đọc"))
            continue
        grid, _ = _load_grid(reader, idx, name, None, book.scans.get(sheet_name), book.parsed)
        header = _grid_header(book, idx, grid, index)
        if header is None:  # same rows as the window
            continue
        tables[idx] = _build_table(grid, header, fields, required, name, sheet_name)
        lacking = main_keys - set(header.mapping.values())
        if lacking:
            labels = {f.key: f.label for f in fields}
            listed = ", ".join(labels.get(k, k) for k in sorted(lacking))
            notes.append(
                SheetNote(
                    sheet_name,
                    f'thiếu cột {listed} mà sheet "{main.sheet}" có: các ô đó coi như để trống',
                )
            )
    if len(tables) == 1:
        main.sheet_notes = notes
        return main
    return _combine([tables[i] for i in sorted(tables)], main, notes)


def _combine(tables: list[RawTable], main: RawTable, notes: list[SheetNote]) -> RawTable:
    """One table from several sheets: row keys k * SHEET_STRIDE + Excel row, the sheet
    kept for each row (``RawTable.parts``); a sheet without a village column gives its
    name as the village of its rows."""
    frames: list[pd.DataFrame] = []
    parts: list[SheetPart] = []
    skipped: list[SkippedRow] = []
    unmapped: list[str] = []
    headers: dict[str, str] = {}
    for k, table in enumerate(tables):
        offset = k * SHEET_STRIDE
        frame = table.frame.copy()
        frame.index = pd.Index(frame.index.to_numpy(dtype=np.int64) + offset)
        if "thon" not in frame.columns:
            frame["thon"] = unicodedata.normalize("NFC", table.sheet.strip())
            headers.setdefault("thon", _VILLAGE_FROM_SHEET)
        frames.append(frame)
        parts.append(SheetPart(table.sheet, table.columns, offset, table.header_rows))
        skipped.extend(
            SkippedRow(row=s.row, reason=s.reason, text=s.text, sheet=table.sheet)
            for s in table.skipped
        )
        unmapped.extend(f'{u} (sheet "{table.sheet}")' for u in table.unmapped)
        for key, text in table.headers.items():
            headers.setdefault(key, text)
    order = list(main.frame.columns)
    for frame in frames:
        order += [c for c in frame.columns if c not in order]
    combined = pd.concat([f.reindex(columns=order) for f in frames])
    return RawTable(
        source=main.source,
        sheet=", ".join(t.sheet for t in tables),
        frame=combined,
        columns=main.columns,
        headers=headers,
        header_rows=main.header_rows,
        unmapped=unmapped,
        skipped=skipped,
        parts=tuple(parts),
        sheet_notes=notes,
        header_matches=main.header_matches,
    )


def _find_sheet(wanted: str, names: list[str], source: str) -> int:
    if wanted in names:
        return names.index(wanted)
    folded = [i for i, n in enumerate(names) if fold(n) == fold(wanted) and fold(wanted)]
    if len(folded) == 1:
        return folded[0]
    listed = ", ".join(f'"{n}"' for n in names)
    raise InputError(
        f'Không có sheet "{wanted}" trong tệp "{source}".',
        hint=f"Các sheet có trong tệp: {listed}.",
    )


def _load_grid(
    reader: fastexcel.ExcelReader,
    idx: int,
    name: str,
    n_rows: int | None,
    scan: SheetScan | None = None,
    parsed: dict[int, Any] | None = None,
) -> tuple[pd.DataFrame, bool]:
    """Every cell of a sheet as stripped text or NaN.

    With ``parsed`` (the read's :attr:`_Book.parsed`), a window (``n_rows``) parses the
    whole sheet once and keeps it there, and the full load takes it back out: the fast
    reader parses every row of a sheet even when asked for a few.

    Row position p is Excel row p + 1 (``skip_rows=0`` keeps leading blank rows); the
    columns are the zero-based absolute column indices (calamine drops leading blank
    columns, ``absolute_index`` puts them back). Error cells and formulas without a
    calculated value (from ``scan``) hold a marked text (:func:`_mark_cells`), not a blank.
    """
    try:
        kept = parsed.pop(idx, None) if parsed is not None else None
        if kept is None:
            loaded = reader.load_sheet(
                idx,
                header_row=None,
                skip_rows=0,
                n_rows=n_rows if parsed is None else None,
                dtypes="string",
            )
            kept = (
                loaded.to_arrow(),
                [c.absolute_index for c in loaded.selected_columns],
                loaded.visible == "visible",
            )
        table, columns, visible = kept
        if parsed is not None and n_rows is not None:
            parsed[idx] = kept
            table = table.slice(0, n_rows)
        if table.num_columns != len(columns):  # defensive: fall back to positions
            columns = list(range(table.num_columns))
        grid = _clean_arrow(table, columns)
    except (*_READ_ERRORS, *_arrow_errors()) as exc:
        raise _corrupt(name) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _corrupt(name) from exc
        raise
    if scan is not None and (scan.errors or scan.uncached):
        grid = _mark_cells(grid, scan)
    return grid, visible


# A cell that is not a value (an Excel error, a formula never calculated) travels through
# row classification as marked text, so that its row is never taken for a blank one;
# :func:`take_cell_problems` then lifts the marks off the table into ``cell_problems``.
CELL_MARK = "\x00ngheo:"


def _mark_cells(grid: pd.DataFrame, scan: SheetScan) -> pd.DataFrame:
    marks = {pos: f"{CELL_MARK}loi:{text}" for pos, text in scan.errors.items()}
    for pos, formula in scan.uncached.items():
        marks.setdefault(pos, f"{CELL_MARK}cong-thuc:{formula}")
    n = len(grid)
    for (row, col), text in sorted(marks.items()):
        if row >= n:
            continue  # outside the rows loaded (a header window)
        if col not in grid.columns:
            grid[col] = pd.Series(np.nan, index=grid.index, dtype="str")
        grid.iat[row, grid.columns.get_loc(col)] = text
    return grid.reindex(columns=sorted(grid.columns))


def _mark_error_literals(grid: pd.DataFrame) -> pd.DataFrame:
    """CSV: Excel writes an error cell as its literal ("#N/A"); mark those like xlsx ones."""
    literals = list(EXCEL_ERRORS)
    for col in grid.columns:
        hit = grid[col].isin(literals).to_numpy()
        if hit.any():
            values = grid[col].astype(object)
            values[hit] = CELL_MARK + "loi:" + values[hit]
            grid[col] = values
    return grid


def take_cell_problems(table: RawTable) -> RawTable:
    """Move marked cells out of ``table.frame`` (left blank) into ``table.cell_problems``:
    (Excel row, key) → ("loi", "#DIV/0!") or ("cong-thuc", formula text)."""
    frame = table.frame
    for key in frame.columns:
        column = frame[key]
        marked = column.str.startswith(CELL_MARK, na=False).to_numpy(dtype=bool)
        if not marked.any():
            continue
        for row, text in zip(frame.index[marked], column[marked], strict=True):
            kind, _, detail = text[len(CELL_MARK) :].partition(":")
            table.cell_problems[(int(row), str(key))] = (kind, detail)
        frame[key] = column.where(~marked)
    return table


def _clean_arrow(table: Any, columns: list[int]) -> pd.DataFrame:
    """:func:`_clean` done on the fast reader's Arrow table, column by column in Arrow, before
    the one conversion to pandas: the same frame (``str`` columns, NaN for blank cells,
    columns ``columns``, rows 0…n-1) without pandas' per-column string operations."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cleaned = []
    for chunked in table.columns:
        if not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
            chunked = chunked.cast(pa.string())
        trimmed = pc.utf8_trim(chunked, characters=_STRIP_CHARS)
        cleaned.append(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed))
    names = [str(i) for i in range(len(cleaned))]
    frame = pa.table(cleaned, names=names).to_pandas()
    frame.columns = pd.Index([int(c) for c in columns])
    return frame


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip surrounding whitespace (NBSP included) and turn empty strings into NaN."""
    out: dict[int, pd.Series] = {}
    for col in frame.columns:
        values = frame[col].astype("str").str.strip(_STRIP_CHARS)
        out[int(col)] = values.where(values != "")
    cleaned = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    return cleaned


def _read_csv_grid(path: Path, name: str, index: HeaderMatcher) -> pd.DataFrame:
    """A CSV file as a grid: encoding UTF-8 (BOM or not), UTF-16 or cp1258; , ; or tab."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(name, exc) from exc
    text = _decode_csv(data, name)
    if not text.strip():
        raise InputError(f'Tệp "{name}" không có dữ liệu.')
    delimiter = _sniff_delimiter(text, index)
    try:
        width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)), default=0)
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quotechar='"',
        )
    except (csv.Error, pd.errors.ParserError, ValueError) as exc:
        raise InputError(
            f'Tệp CSV "{name}" sai cấu trúc, không đọc được.',
            hint="Mở bằng Excel và lưu lại thành .xlsx.",
        ) from exc
    return _mark_error_literals(_clean(frame))


def _decode_csv(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode Text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            # Vietnamese Windows code page; it writes tone marks as combining characters.
            text = unicodedata.normalize("NFC", data.decode("cp1258"))
        except UnicodeDecodeError:
            pass
        else:
            if not _looks_legacy(text):
                return text
            raise InputError(
                f'Tệp CSV "{name}" dùng bảng mã chữ cũ (TCVN3/ABC, VNI hoặc Windows-1252), '
                "không phải Unicode: chữ tiếng Việt sẽ bị đọc sai nên tệp không được dùng.",
                hint="Chuyển tệp sang Unicode (ví dụ Unikey: Công cụ chuyển mã, từ TCVN3 hoặc "
                "VNI sang Unicode) rồi lưu thành .xlsx hoặc CSV UTF-8 "
                "(Excel: Lưu thành > CSV UTF-8).",
            )
    raise InputError(
        f'Không đọc được bảng mã chữ của tệp CSV "{name}".',
        hint="Lưu lại tệp dưới dạng .xlsx, hoặc CSV UTF-8 (Excel: Lưu thành > CSV UTF-8).",
    )


# Combining marks that Vietnamese letters carry (tones, circumflex, breve, horn).
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
# Non-ASCII characters common in any text: spaces, dashes, quotes, units.
_COMMON_SYMBOLS = frozenset("\u00a0–—‘’“”…°²³·•№×")


def _is_vietnamese(ch: str) -> bool:
    if ch in "đĐ":
        return True
    parts = unicodedata.normalize("NFD", ch)
    return parts[0] in "aeiouyAEIOUY" and all(m in _VIETNAMESE_MARKS for m in parts[1:])


def _looks_legacy(text: str) -> bool:
    """Text decoded as cp1258 that is really TCVN3, VNI or Latin-1: Vietnamese written in
    those encodings decodes to letters Vietnamese never uses (ø, ö, ñ, µ, ¸, Õ…)."""
    odd = seen = 0
    for ch in text:
        if ch.isascii() or ch in _COMMON_SYMBOLS:
            continue
        seen += 1
        if not _is_vietnamese(ch):
            odd += 1
    return odd >= 3 and odd * 5 >= seen


def _sniff_delimiter(text: str, index: HeaderMatcher) -> str:
    """The delimiter under which the header is recognised best, then the widest rows."""
    sample = "\n".join(text.splitlines()[: HEADER_WINDOW + 10])
    best: tuple[tuple[int, int, int], str] | None = None
    for order, delimiter in enumerate((",", ";", "\t")):
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            continue
        width = max((len(r) for r in rows), default=0)
        if not rows or width == 0:
            continue
        window = _clean(pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str"))
        found = _detect_header(window, index)
        rank = (found.score if found else 0, width, -order)
        if best is None or rank > best[0]:
            best = (rank, delimiter)
    return best[1] if best else ","


# --------------------------------------------------------------------------------------
# Header detection
# --------------------------------------------------------------------------------------


@dataclass
class _Header:
    """The header found on a sheet: rows, mapped columns and what else was there."""

    rows: tuple[int, ...]  # 0-based row positions (Excel row = position + 1)
    score: int  # keys matched with support from the lowest header row (see _match_header)
    mapping: dict[int, str] = field(default_factory=dict)  # column → key, workbook order
    texts: dict[int, str] = field(default_factory=dict)  # column → header text as shown
    variants: dict[int, tuple[str, ...]] = field(default_factory=dict)  # texts tried per column
    duplicates: dict[int, tuple[str, int]] = field(default_factory=dict)  # column → (key, winner)
    matches: dict[int, HeaderMatch] = field(default_factory=dict)  # column → how it matched
    guesses: dict[int, tuple[Candidate, ...]] = field(default_factory=dict)  # weak, not used
    conflicts: dict[str, list[int]] = field(default_factory=dict)  # key → equally strong columns
    ignored: set[int] = field(default_factory=set)  # columns the column map says to skip
    key_rows: tuple[int, ...] = ()  # rows of machine keys (or a second label row) beside it

    def claim(self, col: int, match: HeaderMatch) -> bool:
        """Give ``col`` its key unless another column holds it more strongly.

        The stronger match (see core.headers.STRENGTH) wins; the loser is a duplicate.
        Equally strong claims are a conflict: never a silent pick (_check_required)."""
        key = match.key
        holder = next((c for c, k in self.mapping.items() if k == key), None)
        if holder is None:
            self.mapping[col] = key
            self.matches[col] = match
            return True
        mine, theirs = STRENGTH[match.method], STRENGTH[self.matches[holder].method]
        if mine > theirs:
            del self.mapping[holder]
            for other, (k, _) in list(self.duplicates.items()):
                if k == key:  # earlier losers now lose to the new holder
                    self.duplicates[other] = (key, col)
            self.duplicates[holder] = (key, col)
            self.mapping = dict(sorted({**self.mapping, col: key}.items()))
            self.matches[col] = match
            self.conflicts.pop(key, None)
            return False
        self.duplicates[col] = (key, holder)
        self.matches[col] = match
        if mine == theirs:
            self.conflicts.setdefault(key, [holder]).append(col)
        return False


def _header_index(
    fields: Sequence[Field],
    column_map: Mapping[str, str] | None,
    vocabulary: HeaderVocabulary | None = None,
) -> HeaderMatcher:
    """The matcher for ``fields``: their names (``vocabulary``, by default the names every
    standard shares), then the user's mapping on top. A map target is a key, a label or
    alias of one, or ``bo_qua`` (the column is not used)."""
    if vocabulary is None:
        from ngheo_cli.io.rulesets import header_vocabulary

        vocabulary = header_vocabulary(None, fields)
    if not column_map:
        return HeaderMatcher(vocabulary)
    plain = HeaderMatcher(vocabulary)
    keys = {f.key for f in fields}
    resolved: dict[str, str] = {}
    for header, target in column_map.items():
        if not fold(str(header)):
            raise RulesetError(
                f'Tệp ánh xạ cột: tên cột "{header}" không có chữ hoặc số nào để so khớp.'
            )
        key: str | None = None
        if target in keys or fold(str(target)) == fold(IGNORE):
            key = target if target in keys else IGNORE
        else:
            found = plain.match(str(target), fuzzy=False).match
            if found is not None and found.method in ("exact", "alias"):
                key = found.key
        if key is None:
            sample = ", ".join(f.key for f in list(fields)[:12])
            raise RulesetError(
                f'Tệp ánh xạ cột: "{target}" (cho cột "{header}") không phải khoá chuẩn nào.',
                hint=f"Các khoá chuẩn: {sample}, …; hoặc {IGNORE} để bỏ qua cột.",
            )
        resolved[str(header)] = key
    return HeaderMatcher(vocabulary.with_column_map(resolved))


def _row_texts(window: pd.DataFrame) -> tuple[list[int], list[list[str | None]]]:
    columns = [int(c) for c in window.columns]
    values = window.astype(object).where(window.notna(), None).to_numpy(dtype=object)
    return columns, [list(row) for row in values]


_MACHINE_KEY_RE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|[a-z]+[0-9]*")


def _labelness(cells: Sequence[str | None]) -> int:
    """How many cells read like labels for people rather than machine keys (``ma_ho``)."""
    return sum(1 for c in cells if c and not _MACHINE_KEY_RE.fullmatch(c))


def _detect_header(window: pd.DataFrame, index: HeaderMatcher) -> _Header | None:
    """The best one- or two-row header among the first rows of a sheet, or None.

    Each non-empty row r is tried as a one-row header, and with row r-1 as the upper row
    of a two-row header, matching names exactly, by alias or token by token (cheap, per
    distinct text). Highest score wins; on a tie the one-row form, then the row that reads
    like labels rather than machine keys, then the earliest. A row of machine keys (or
    labels) just above or below that names the same keys in the same columns belongs to
    the header (never a household); then columns still unknown get a scored fuzzy guess.
    """
    if window.empty:
        return None
    columns, rows = _row_texts(window)
    best: tuple[tuple[int, int, int, int], _Header] | None = None
    for r, lower in enumerate(rows):
        if not any(lower):
            continue
        candidates = [_match_header(columns, lower, None, (r,), index)]
        if r > 0 and any(rows[r - 1]):
            candidates.append(_match_header(columns, lower, rows[r - 1], (r - 1, r), index))
        for cand in candidates:
            rank = (cand.score, -len(cand.rows), _labelness(lower), -r)
            if best is None or rank > best[0]:
                best = (rank, cand)
    if best is None or best[1].score == 0:
        return None
    header = best[1]
    _add_key_rows(header, columns, rows, index)
    _guess_unknown(header, index)
    return header


def _add_key_rows(
    header: _Header, columns: list[int], rows: list[list[str | None]], index: HeaderMatcher
) -> None:
    """Join a companion header row (machine keys over or under the labels) to ``header``.

    A row qualifies when at least two of its cells name the same keys in the same columns
    as the header, hardly any name a different key, and at least half of its filled cells
    are recognised: no household row looks like that."""
    for r in (min(header.rows) - 1, max(header.rows) + 1):
        if r < 0 or r >= len(rows) or not any(rows[r]):
            continue
        other = _match_header(columns, rows[r], None, (r,), index)
        agree = sum(1 for c, k in other.mapping.items() if header.mapping.get(c) == k)
        clash = sum(1 for c, k in other.mapping.items() if header.mapping.get(c, k) != k)
        filled = sum(1 for v in rows[r] if v)
        if agree < 2 or clash * 4 > agree or len(other.mapping) * 2 < filled:
            continue
        header.rows = tuple(sorted((*header.rows, r)))
        header.key_rows = (*header.key_rows, r)
        for col in other.mapping:
            if col not in header.mapping and col not in header.duplicates:
                header.guesses.pop(col, None)
                if header.claim(col, other.matches[col]):
                    header.texts.setdefault(col, other.texts[col])
                    header.variants.setdefault(col, other.variants[col])


def _guess_unknown(header: _Header, index: HeaderMatcher) -> None:
    """A scored fuzzy guess for every column no name matched (once per header, not per row)."""
    for col, variants in header.variants.items():
        if col in header.mapping or col in header.duplicates or col in header.ignored:
            continue
        for text in variants:
            guess = index.match(text, fuzzy=True)
            if guess.match is not None:
                header.guesses.pop(col, None)
                header.claim(col, guess.match)
                break
            if guess.candidates and col not in header.guesses:
                header.guesses[col] = guess.candidates


def _fill_upper(upper: list[str | None], lower: list[str | None]) -> list[str | None]:
    """Forward-fill a merged upper row: a merge holds its text in the first cell only.

    The fill runs only across columns that have a lower label (the sub-columns of a
    group) and stops at a column blank in both rows.
    """
    filled: list[str | None] = []
    carry: str | None = None
    for up, lo in zip(upper, lower, strict=True):
        if up:
            carry = up
            filled.append(up)
        elif lo and carry:
            filled.append(carry)
        else:
            carry = None
            filled.append(None)
    return filled


def _lookup(index: HeaderMatcher, text: str) -> HeaderMatch | None:
    """How a header text is understood without fuzzy guessing (exact, alias, map,
    positional, token by token; units in brackets are a second chance, never required:
    "Bình quân (đ/người/tháng)" matches the alias "Bình quân")."""
    return index.match(text, fuzzy=False).match


def _match_header(
    columns: list[int],
    lower: list[str | None],
    upper: list[str | None] | None,
    rows: tuple[int, ...],
    index: HeaderMatcher,
) -> _Header:
    """Map one header configuration.

    One row: each cell's text. Two rows: (upper + lower), then lower, then upper.
    The score counts keys whose match the lower row supports (its text matched, or it is
    blank under a vertically merged upper cell). A key matched by the upper text alone
    over a non-blank lower cell is still mapped but not counted: that is how a header
    row sitting above a data row looks, and it must not beat the real one-row header.
    """
    header = _Header(rows=rows, score=0)
    filled = _fill_upper(upper, lower) if upper is not None else None
    for pos, col in enumerate(columns):
        lo = lower[pos] or ""
        up = (filled[pos] or "") if filled is not None else ""
        tries: list[tuple[str, bool]] = []
        if up and lo:
            tries.append((f"{up} {lo}", True))
        if lo:
            tries.append((lo, True))
        if up:
            tries.append((up, not lo))
        if not tries:
            continue
        header.texts[col] = f"{up} / {lo}" if up and lo else (lo or up)
        header.variants[col] = tuple(t for t, _ in tries)
        for text, counts in tries:
            match = _lookup(index, text)
            if match is None:
                continue
            if match.key == IGNORE:
                header.ignored.add(col)
            elif header.claim(col, match):
                header.score += int(counts)
            break
    return header


def _unmapped(header: _Header) -> list[str]:
    """Header cells not used, each with why (Vietnamese, for the run log and inspect)."""
    out: list[str] = []
    for col, text in header.texts.items():
        letter = column_letter(col)
        if col in header.duplicates:
            key, first = header.duplicates[col]
            out.append(
                f"{text} (cột {letter}): trùng khoá {key} đã lấy ở cột {column_letter(first)}"
            )
        elif col in header.ignored:
            out.append(f"{text} (cột {letter}): bỏ qua theo tệp ánh xạ cột")
        elif col in header.guesses:
            out.append(
                f"{text} (cột {letter}): chưa chắc, có thể là "
                + describe_candidates(header.guesses[col], _LABELS)
            )
        elif col not in header.mapping:
            out.append(f"{text} (cột {letter})")
    return out


_LABELS: dict[str, str] = {f.key: f.label for f in FIELDS}


def _check_required(
    header: _Header,
    fields: Sequence[Field],
    required: Sequence[str],
    index: HeaderMatcher,
    source: str,
    sheet: str,
) -> None:
    """Refuse a header where two columns claim one key equally, or a required key is
    missing; the message names the columns, the guesses and `ngheo inspect`."""
    rows = "–".join(str(r + 1) for r in header.rows)
    by_key = {f.key: f for f in fields}
    if header.conflicts:
        parts = []
        for key, cols in sorted(header.conflicts.items()):
            label = by_key[key].label if key in by_key else key
            listed = ", ".join(
                f'"{header.texts[c]}" (cột {column_letter(c)}, {header.matches[c].describe()})'
                for c in cols
            )
            parts.append(f'khoá "{key}" ({label}): {listed}')
        raise InputError(
            f'Nhiều cột cùng được hiểu là một cột ở sheet "{sheet}" (tệp "{source}", dòng '
            f"tiêu đề {rows}): " + "; ".join(parts) + ".",
            hint="Chương trình không tự chọn. Dùng --column-map để chỉ rõ cột nào dùng "
            f"(cột còn lại ghi {IGNORE}). " + COLUMN_MAP_HINT,
        )
    found = set(header.mapping.values())
    missing = [k for k in required if k not in found]
    if not missing:
        return
    named = ", ".join(f'"{k}" ({by_key[k].label})' if k in by_key else f'"{k}"' for k in missing)
    message = f'Thiếu cột bắt buộc {named} ở sheet "{sheet}" (tệp "{source}", dòng tiêu đề {rows}).'
    close = _closest_headers(header, missing, by_key, index)
    if close:
        listed = ", ".join(f'"{text}" (cột {column_letter(col)})' for col, text in close)
        hint = f"Cột gần giống trong tệp: {listed}. {COLUMN_MAP_HINT}"
    else:
        unknown = [header.texts[c] for c in header.texts if c not in header.mapping]
        seen = ", ".join(f'"{t}"' for t in (unknown or list(header.texts.values()))[:8])
        hint = f"Các cột không nhận ra: {seen}. {COLUMN_MAP_HINT}"
    raise InputError(message, hint=hint)


def _closest_headers(
    header: _Header,
    missing: Sequence[str],
    by_key: Mapping[str, Field],
    index: HeaderMatcher,
    limit: int = 3,
    cutoff: float = 0.5,
) -> list[tuple[int, str]]:
    """Header cells most like the missing keys' names: the matcher's own weak guesses
    first, then a looser difflib ratio on folded text."""
    wanted = set(missing)
    scored: dict[int, float] = {}
    for col, candidates in header.guesses.items():
        for cand in candidates:
            if cand.key in wanted:
                scored[col] = max(scored.get(col, 0.0), 1.0 + cand.score)
    vocab = index.vocabulary
    targets = {fold(k) for k in missing}
    targets |= {fold(vocab.labels[k]) for k in missing if k in vocab.labels}
    targets |= {fold(n) for k in missing for n in vocab.aliases.get(k, ())}
    targets |= {fold(by_key[k].label) for k in missing if k in by_key}
    targets.discard("")
    for col, variants in header.variants.items():
        if col in header.mapping:
            continue
        ratio = 0.0
        for variant in variants:
            folded = fold(variant)
            if not folded:
                continue
            matcher = difflib.SequenceMatcher(None, "", folded)  # b is cached
            for target in targets:
                matcher.set_seq1(target)
                if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
                    ratio = max(ratio, matcher.ratio())
        if ratio >= cutoff:
            scored[col] = max(scored.get(col, 0.0), ratio)
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return [(col, header.texts[col]) for col, _ in ranked[:limit]]


def _no_header_error(
    source: str, sheets: list[str], fields: Sequence[Field], required: Sequence[str]
) -> InputError:
    by_key = {f.key: f for f in fields}
    wanted = ", ".join(f'"{by_key[k].label}"' for k in required if k in by_key)
    where = (
        f'sheet "{sheets[0]}"'
        if len(sheets) == 1
        else "sheet nào (" + ", ".join(f'"{s}"' for s in sheets) + ")"
    )
    return InputError(
        f'Không tìm thấy dòng tiêu đề cột nhận ra được ở {where} của tệp "{source}".',
        hint=(
            f"Dòng tiêu đề cần có các cột như {wanted or 'Mã hộ'} trong {HEADER_WINDOW} dòng "
            f"đầu của sheet; chọn sheet bằng --sheet. {COLUMN_MAP_HINT}"
        ),
    )


# --------------------------------------------------------------------------------------
# Body rows
# --------------------------------------------------------------------------------------


def _build_table(
    grid: pd.DataFrame,
    header: _Header,
    fields: Sequence[Field],
    required: Sequence[str],
    source: str,
    sheet: str,
) -> RawTable:
    start = header.rows[-1] + 1
    body = grid.iloc[start:]
    mapped_cols = list(header.mapping)
    id_key = next((k for k in required if k in header.mapping.values()), None)
    id_col = next((c for c, k in header.mapping.items() if k == id_key), None)

    reasons, first_text = _classify_rows(body, mapped_cols, id_col)
    skipped_pos = reasons.index[reasons.notna()]
    skipped = [
        SkippedRow(row=int(pos) + 1, reason=reasons[pos], text=first_text.get(pos, ""))
        for pos in skipped_pos
    ]
    kept = body.loc[reasons.isna(), mapped_cols]
    frame = kept.rename(columns=header.mapping)
    frame.index = pd.Index(kept.index.to_numpy(dtype=np.int64) + 1)

    unmapped = _unmapped(header)

    return RawTable(
        source=source,
        sheet=sheet,
        frame=frame,
        columns={key: column_letter(col) for col, key in header.mapping.items()},
        headers={key: header.texts[col] for col, key in header.mapping.items()},
        header_rows=tuple(r + 1 for r in header.rows),
        unmapped=unmapped,
        skipped=skipped,
        header_matches={key: header.matches[col] for col, key in header.mapping.items()},
    )


def _classify_rows(
    body: pd.DataFrame, mapped_cols: list[int], id_col: int | None
) -> tuple[pd.Series, dict[int, str]]:
    """Reason to skip each body row (None to keep it), and the first text of skipped rows.

    In order: blank rows; the column-number row right under the header. Then rows with a
    plausible household code (a digit in the id column) are kept, and the others are
    checked on their first non-empty cell: totals ("Tổng cộng", "Cộng", "Tổng số",
    "Tổng"), signature/footer ("Người lập biểu", "Trưởng thôn", "…, ngày … tháng … năm …",
    "Ghi chú:"). Below the first footer row, digit-free text rows are the signers' names.
    Rows with content only outside the mapped columns are skipped as blank. Anything else
    stays, even without a code, for the validator to reject with a cell reference. Every
    row is judged on its own: data below a footer is never lost.
    """
    reasons = pd.Series([None] * len(body), index=body.index, dtype=object)
    if body.empty:
        return reasons, {}
    present = body.notna()
    any_cell = present.any(axis=1)
    reasons[~any_cell] = "trong"
    number_pos = _number_row(body, present, mapped_cols)
    if number_pos is not None:
        reasons[number_pos] = "so_cot"

    has_code = _plausible_codes(body[id_col]) if id_col is not None else None
    if has_code is None:
        has_code = pd.Series(False, index=body.index)
    cand_index = reasons.index[reasons.isna() & ~has_code.to_numpy()]
    if len(cand_index):
        firsts = _first_cells(body.loc[cand_index], present.loc[cand_index])
        folded = firsts.map(lambda v: fold_words(str(v)))
        verdict = folded.map(_first_cell_reason)
        totals = (verdict == "tong_cong").to_numpy(dtype=bool)
        if totals.any():  # "Tống Văn A" folds like "Tổng": a name, kept for the validator
            named = ~firsts[totals].map(_totals_word).to_numpy(dtype=bool)
            verdict[verdict.index[totals][named]] = None
        decided = verdict.notna()
        reasons[verdict.index[decided]] = verdict[decided]
        footer_rows = verdict.index[verdict == "chu_ky"]
        undecided = verdict.index[~decided]
        if len(footer_rows):
            # Signers' names under the footer: text without a single digit, and no code.
            tail = body.loc[undecided[undecided > footer_rows[0]]]
            names = tail.index[~_rows_with_digit(tail)]
            reasons[names] = "chu_ky"
            undecided = undecided.difference(names)
        if mapped_cols and len(undecided):
            outside = ~present.loc[undecided, mapped_cols].any(axis=1)
            reasons[outside.index[outside.to_numpy()]] = "trong"

    skipped = reasons.index[reasons.notna() & any_cell.to_numpy()]
    first_text: dict[int, str] = {}
    if len(skipped):
        firsts = _first_cells(body.loc[skipped], present.loc[skipped])
        first_text = {int(k): str(v)[:80] for k, v in firsts.items()}
    return reasons, first_text


# A digit as the grid's text columns find it (``str.contains(r"\d")`` runs in Arrow, whose
# regular expressions take \d as [0-9] only).
_ASCII_DIGIT = re.compile(r"[0-9]")


def _rows_with_digit(rows: pd.DataFrame) -> np.ndarray:
    """Whether each row holds a digit in any cell (cells are text or missing): one pass
    over the few rows asked about, not one pandas string operation per column."""
    search = _ASCII_DIGIT.search
    return np.array(
        [
            any(type(v) is str and search(v) is not None for v in row)
            for row in rows.to_numpy(dtype=object)
        ],
        dtype=bool,
    ).reshape(len(rows))


def _plausible_codes(codes: pd.Series) -> pd.Series:
    """A digit in the id cell, unless the cell is a label ("Tổng số hộ: 3", "Tổng cộng: 12")."""
    plausible = codes.str.contains(_DIGIT_RE, na=False, regex=True).astype(bool)
    # Codes seldom hold spaces; only those cells need the (per-cell) label check.
    spaced = plausible & codes.str.contains(r"\s", na=False, regex=True).astype(bool)
    if spaced.any():
        labels = codes[spaced].map(lambda v: _first_cell_reason(fold_words(str(v))) is not None)
        plausible[labels.index[labels.to_numpy(dtype=bool)]] = False
    return plausible


def _first_cells(rows: pd.DataFrame, present: pd.DataFrame) -> pd.Series:
    """The first non-empty cell of each (non-blank) row."""
    first_col = present.to_numpy().argmax(axis=1)
    values = rows.to_numpy(dtype=object)[np.arange(len(rows)), first_col]
    return pd.Series(values, index=rows.index, dtype=object)


_TOTALS_WORDS = frozenset({"tổng", "cộng", "tong", "cong"})


def _totals_word(text: object) -> bool:
    """The first word is "Tổng"/"Cộng" with its own tone marks (or none at all), not a
    name that folds alike ("Tống", "Công")."""
    words = unicodedata.normalize("NFC", str(text)).lower().split()
    return bool(words) and words[0].strip(":.,;-") in _TOTALS_WORDS


def _first_cell_reason(folded: str) -> SkipReason | None:
    if _TOTALS_RE.match(folded):
        return "tong_cong"
    if _FOOTER_RE.match(folded) or _DATE_RE.search(folded):
        return "chu_ky"
    return None


def _number_row(body: pd.DataFrame, present: pd.DataFrame, mapped_cols: list[int]) -> int | None:
    """Position of a column-number row ("1 2 3…", "(1) (2)…", "A B C 1 2…") under the header.

    Only the first non-blank row within two rows of the header is considered. All its
    cells must be such tokens, numbers and letters each strictly increasing left to right,
    at least two of them and at least half as many as mapped columns.
    """
    for pos in body.index[:2]:
        if not present.loc[pos].any():
            continue
        cells = [str(v) for v in body.loc[pos].dropna().tolist()]
        numbers: list[int] = []
        letters: list[str] = []
        for cell in cells:
            match = _NUMBER_TOKEN_RE.match(cell)
            if match is None:
                return None
            token = match.group(1)
            if token.isdigit():
                numbers.append(int(token))
            else:
                letters.append(token)
        increasing = all(a < b for a, b in zip(numbers, numbers[1:], strict=False)) and all(
            a < b for a, b in zip(letters, letters[1:], strict=False)
        )
        if increasing and len(cells) >= max(2, len(mapped_cols) // 2):
            return int(pos)
        return None
    return None


# --------------------------------------------------------------------------------------
# Column map files
# --------------------------------------------------------------------------------------

_CSV_MAP_TITLES = frozenset(
    {"key", "khoa", "khoachuan", "makhoa", "canonical", "cotchuan", "tenchuan", "tenkhoa"}
)


def _map_pairs_yaml(text: str, name: str) -> dict[str, str]:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark is not None else ""
        raise RulesetError(f'Tệp ánh xạ cột "{name}" sai cú pháp YAML{where}.') from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulesetError(
            f'Tệp ánh xạ cột "{name}" phải là các dòng "tên cột: khoá chuẩn".',
            hint='Ví dụ: "Mã số HGĐ": ma_ho',
        )
    pairs: dict[str, str] = {}
    for header, key in data.items():
        if header is None or not isinstance(key, str) or not key.strip():
            raise RulesetError(
                f'Tệp ánh xạ cột "{name}": dòng "{header}" phải có dạng '
                '"tên cột: khoá chuẩn" (một chuỗi).',
                hint='Ví dụ: "Mã số HGĐ": ma_ho',
            )
        pairs[str(header).strip()] = key.strip()
    return pairs


def _map_pairs_csv(text: str, name: str) -> dict[str, str]:
    first_line = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise RulesetError(f'Tệp ánh xạ cột "{name}" sai cấu trúc CSV.') from exc
    pairs: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if not pairs and number == 1 and len(cells) >= 2 and fold(cells[1]) in _CSV_MAP_TITLES:
            continue  # title row
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise RulesetError(
                f'Tệp ánh xạ cột "{name}", dòng {number}: cần hai cột '
                '"tên cột trong tệp" và "khoá chuẩn".',
                hint="Ví dụ: Mã số HGĐ,ma_ho",
            )
        pairs[cells[0]] = cells[1]
    return pairs


def sheet_names(path: Path) -> list[str]:
    """The sheet names of an xlsx file (empty for a CSV); unreadable files raise InputError."""
    if path.suffix.lower() == ".csv":
        return []
    _check_file(path, path.name)
    try:
        return list(fastexcel.read_excel(path).sheet_names)
    except _READ_ERRORS as exc:
        raise _corrupt(path.name) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _corrupt(path.name) from exc
        raise
