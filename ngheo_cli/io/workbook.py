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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import numpy as np
import pandas as pd
import yaml

from ..core.schema import FIELDS, Field
from ..core.table import SHEET_STRIDE, RawTable, SheetNote, SheetPart, SkippedRow, SkipReason
from ..core.text import column_letter, fold, fold_words
from ..errors import InputError, RulesetError

__all__ = ["read_table", "load_column_map"]

# How many rows from the top of a sheet may hold titles and the header.
HEADER_WINDOW = 30

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

SAVE_AS_XLSX = "Lưu lại tệp dưới dạng .xlsx (Excel: Tệp > Lưu thành > Sổ làm việc Excel)."
COLUMN_MAP_HINT = (
    "Nếu tên cột trong tệp khác, dùng --column-map TỆP (YAML hoặc CSV, mỗi dòng: "
    'tên cột trong tệp → khoá chuẩn, ví dụ "Mã số HGĐ": ma_ho).'
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
    all_sheets: bool = False,
) -> RawTable:
    """Read one table (households by default) from a workbook or CSV file.

    ``fields`` are the canonical columns to look for (each with its aliases); ``required``
    are the keys that must be found, else :class:`InputError`. ``sheet`` forces a sheet;
    otherwise the sheet whose header matches the most keys wins. ``column_map`` (header
    text → key, see :func:`load_column_map`) adds aliases; a target that names no field
    raises :class:`RulesetError`. ``display_name`` (default: the file name) is used in
    messages and as ``RawTable.source``.

    ``all_sheets`` (households, without ``sheet``): every other visible sheet in the same
    layout is read too (one sheet per village), each row keeping its sheet
    (``RawTable.parts``), and the non-empty sheets not read are named
    (``RawTable.sheet_notes``).

    Returns a :class:`RawTable`: ``frame`` holds one column per mapped key (text or
    missing), indexed by Excel row number; skipped rows are listed in ``skipped``.
    """
    try:
        return _read_table(path, fields, required, sheet, column_map, display_name, all_sheets)
    finally:
        _OPEN_READERS.clear()  # a reader holds the workbook's strings: not kept past a read


def _read_table(
    path: Path,
    fields: Sequence[Field],
    required: Sequence[str],
    sheet: str | None,
    column_map: Mapping[str, str] | None,
    display_name: str | None,
    all_sheets: bool,
) -> RawTable:
    name = display_name or path.name
    index = _header_index(fields, column_map)
    kind = _check_file(path, name)
    if kind == "csv":
        sheet_name = Path(name).stem[:31] or "Sheet1"
        grid = _read_csv_grid(path, name, index)
        header = _detect_header(grid.iloc[:HEADER_WINDOW], index)
        if header is None:
            raise _no_header_error(name, [sheet_name], fields, required)
    else:
        sheet_name, grid, header = _read_xlsx(path, name, sheet, index, fields, required)

    _check_required(header, fields, required, index, name, sheet_name)
    table = _build_table(grid, header, fields, required, name, sheet_name)
    if kind == "csv" or sheet is not None or not all_sheets:
        return table
    return _with_other_sheets(path, name, table, header, index, fields, required)


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


def _is_panic(exc: BaseException) -> bool:
    # pyo3 turns a Rust panic inside calamine into PanicException, a BaseException.
    return type(exc).__name__ == "PanicException"


def _read_xlsx(
    path: Path,
    name: str,
    sheet: str | None,
    index: dict[str, str],
    fields: Sequence[Field],
    required: Sequence[str],
) -> tuple[str, pd.DataFrame, _Header]:
    """Pick the sheet (forced or best header score); return its name, full grid and header."""
    try:
        reader = _open_reader(path)
        sheet_names = list(reader.sheet_names)
    except Exception as exc:
        raise _corrupt(name) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _corrupt(name) from exc
        raise
    if not sheet_names:
        raise _corrupt(name)

    if sheet is not None or len(sheet_names) == 1:
        idx = _find_sheet(sheet, sheet_names, name) if sheet is not None else 0
        grid, _ = _load_grid(reader, idx, name, None)
        header = _detect_header(grid.iloc[:HEADER_WINDOW], index)
        if header is None:
            raise _no_header_error(name, [sheet_names[idx]], fields, required)
        return sheet_names[idx], grid, header

    # Several sheets: score each on its first rows only, then load the winner in full.
    best: tuple[tuple[int, int, int], int] | None = None
    failures: list[InputError] = []
    for idx in range(len(sheet_names)):
        try:
            window, visible = _load_grid(reader, idx, name, HEADER_WINDOW)
        except InputError as exc:  # one odd sheet must not hide a good one
            failures.append(exc)
            continue
        found = _detect_header(window, index)
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
    grid, _ = _load_grid(reader, idx, name, None)
    header = _detect_header(grid.iloc[:HEADER_WINDOW], index)
    if header is None:  # cannot happen: same rows as the window; keep the message anyway
        raise _no_header_error(name, [sheet_names[idx]], fields, required)
    return sheet_names[idx], grid, header


# --------------------------------------------------------------------------------------
# Several sheets: one per village, same layout
# --------------------------------------------------------------------------------------

# The workbook opened once per read_table call (opening parses every shared string):
# choosing the sheet and reading the other village sheets share it.
_OPEN_READERS: dict[str, fastexcel.ExcelReader] = {}


def _open_reader(path: Path) -> fastexcel.ExcelReader:
    key = str(path)
    reader = _OPEN_READERS.get(key)
    if reader is None:
        reader = fastexcel.read_excel(path)
        _OPEN_READERS[key] = reader
    return reader


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
    path: Path,
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
    try:
        reader = _open_reader(path)
        names = list(reader.sheet_names)
    except Exception:  # already read once: cannot fail but for a race; keep the main sheet
        return main
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
            window, visible = _load_grid(reader, idx, name, HEADER_WINDOW)
        except InputError:
            notes.append(SheetNote(sheet_name, "sheet bị hỏng, không đọc được"))
            continue
        if not window.notna().to_numpy().any():
            continue  # an empty sheet holds nothing to lose
        found = _detect_header(window, index)
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
        grid, _ = _load_grid(reader, idx, name, None)
        header = _detect_header(grid.iloc[:HEADER_WINDOW], index)
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
    reader: fastexcel.ExcelReader, idx: int, name: str, n_rows: int | None
) -> tuple[pd.DataFrame, bool]:
    """Every cell of a sheet as stripped text or NaN.

    Row position p is Excel row p + 1 (``skip_rows=0`` keeps leading blank rows); the
    columns are the zero-based absolute column indices (calamine drops leading blank
    columns, ``absolute_index`` puts them back).
    """
    try:
        loaded = reader.load_sheet(
            idx, header_row=None, skip_rows=0, n_rows=n_rows, dtypes="string"
        )
        columns = [c.absolute_index for c in loaded.selected_columns]
        visible = loaded.visible == "visible"
        frame = loaded.to_pandas()
    except Exception as exc:
        raise _corrupt(name) from exc
    except BaseException as exc:
        if _is_panic(exc):
            raise _corrupt(name) from exc
        raise
    if frame.shape[1] != len(columns):  # defensive: fall back to positions
        columns = list(range(frame.shape[1]))
    frame.columns = pd.Index(columns)
    return _clean(frame), visible


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip surrounding whitespace (NBSP included) and turn empty strings into NaN."""
    out: dict[int, pd.Series] = {}
    for col in frame.columns:
        values = frame[col].astype("str").str.strip(_STRIP_CHARS)
        out[int(col)] = values.where(values != "")
    cleaned = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    return cleaned


def _read_csv_grid(path: Path, name: str, index: dict[str, str]) -> pd.DataFrame:
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
    return _clean(frame)


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
            return unicodedata.normalize("NFC", data.decode("cp1258"))
        except UnicodeDecodeError:
            pass
    raise InputError(
        f'Không đọc được bảng mã chữ của tệp CSV "{name}".',
        hint="Lưu lại tệp dưới dạng .xlsx, hoặc CSV UTF-8 (Excel: Lưu thành > CSV UTF-8).",
    )


def _sniff_delimiter(text: str, index: dict[str, str]) -> str:
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
    duplicates: dict[int, tuple[str, int]] = field(default_factory=dict)  # column → (key, first)


def _header_index(fields: Sequence[Field], column_map: Mapping[str, str] | None) -> dict[str, str]:
    """Folded header text → key: the fields' aliases, then the user's mapping on top."""
    index: dict[str, str] = {}
    for f in fields:
        for alias in f.folded_aliases():
            if alias:
                index.setdefault(alias, f.key)
    if not column_map:
        return index
    own = dict(index)
    keys = {f.key for f in fields}
    for header, target in column_map.items():
        folded_header = fold(str(header))
        if not folded_header:
            raise RulesetError(
                f'Tệp ánh xạ cột: tên cột "{header}" không có chữ hoặc số nào để so khớp.'
            )
        key = target if target in keys else own.get(fold(str(target)))
        if key is None:
            sample = ", ".join(f.key for f in list(fields)[:12])
            raise RulesetError(
                f'Tệp ánh xạ cột: "{target}" (cho cột "{header}") không phải khoá chuẩn nào.',
                hint=f"Các khoá chuẩn: {sample}, …",
            )
        index[folded_header] = key
    return index


def _row_texts(window: pd.DataFrame) -> tuple[list[int], list[list[str | None]]]:
    columns = [int(c) for c in window.columns]
    values = window.astype(object).where(window.notna(), None).to_numpy(dtype=object)
    return columns, [list(row) for row in values]


def _detect_header(window: pd.DataFrame, index: dict[str, str]) -> _Header | None:
    """The best one- or two-row header among the first rows of a sheet, or None.

    Each non-empty row r is tried as a one-row header, and with row r-1 as the upper row
    of a two-row header. Highest score wins; on a tie the one-row form, then the earliest.
    """
    if window.empty:
        return None
    columns, rows = _row_texts(window)
    best: tuple[tuple[int, int, int], _Header] | None = None
    for r, lower in enumerate(rows):
        if not any(lower):
            continue
        candidates = [_match_header(columns, lower, None, (r,), index)]
        if r > 0 and any(rows[r - 1]):
            candidates.append(_match_header(columns, lower, rows[r - 1], (r - 1, r), index))
        for cand in candidates:
            rank = (cand.score, -len(cand.rows), -r)
            if best is None or rank > best[0]:
                best = (rank, cand)
    if best is None or best[1].score == 0:
        return None
    return best[1]


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


_PARENTHETICAL = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _lookup(index: dict[str, str], text: str) -> str | None:
    """The key of a header text; units in brackets are a second chance, never required:
    "Bình quân (đ/người/tháng)" matches the alias "Bình quân"."""
    key = index.get(fold(text))
    if key is None:
        bare = _PARENTHETICAL.sub(" ", text)
        if bare != text:
            key = index.get(fold(bare))
    return key


def _match_header(
    columns: list[int],
    lower: list[str | None],
    upper: list[str | None] | None,
    rows: tuple[int, ...],
    index: dict[str, str],
) -> _Header:
    """Map one header configuration.

    One row: each cell's folded text. Two rows: (upper + lower), then lower, then upper.
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
            key = _lookup(index, text)
            if key is None:
                continue
            if key in header.mapping.values():
                first = next(c for c, k in header.mapping.items() if k == key)
                header.duplicates[col] = (key, first)
            else:
                header.mapping[col] = key
                header.score += int(counts)
            break
    return header


def _check_required(
    header: _Header,
    fields: Sequence[Field],
    required: Sequence[str],
    index: dict[str, str],
    source: str,
    sheet: str,
) -> None:
    found = set(header.mapping.values())
    missing = [k for k in required if k not in found]
    if not missing:
        return
    by_key = {f.key: f for f in fields}
    named = ", ".join(f'"{k}" ({by_key[k].label})' if k in by_key else f'"{k}"' for k in missing)
    rows = "–".join(str(r + 1) for r in header.rows)
    message = f'Thiếu cột bắt buộc {named} ở sheet "{sheet}" (tệp "{source}", dòng tiêu đề {rows}).'
    close = _closest_headers(header, missing, by_key, index)
    if close:
        listed = ", ".join(f'"{text}" (cột {column_letter(col)})' for col, text in close)
        hint = f"Cột gần giống trong tệp: {listed}. {COLUMN_MAP_HINT}"
    else:
        seen = ", ".join(f'"{t}"' for t in list(header.texts.values())[:8])
        hint = f"Các cột tìm thấy: {seen}. {COLUMN_MAP_HINT}"
    raise InputError(message, hint=hint)


def _closest_headers(
    header: _Header,
    missing: Sequence[str],
    by_key: Mapping[str, Field],
    index: dict[str, str],
    limit: int = 3,
    cutoff: float = 0.5,
) -> list[tuple[int, str]]:
    """Header cells most like the missing keys' aliases (difflib ratio on folded text)."""
    targets = {a for k in missing if k in by_key for a in by_key[k].folded_aliases()}
    targets |= {alias for alias, key in index.items() if key in missing}
    scored: list[tuple[float, int]] = []
    for col, variants in header.variants.items():
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
            scored.append((ratio, col))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(col, header.texts[col]) for _, col in scored[:limit]]


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

    unmapped: list[str] = []
    for col, text in header.texts.items():
        letter = column_letter(col)
        if col in header.duplicates:
            key, first = header.duplicates[col]
            unmapped.append(
                f"{text} (cột {letter}): trùng khoá {key} đã lấy ở cột {column_letter(first)}"
            )
        elif col not in header.mapping:
            unmapped.append(f"{text} (cột {letter})")

    return RawTable(
        source=source,
        sheet=sheet,
        frame=frame,
        columns={key: column_letter(col) for col, key in header.mapping.items()},
        headers={key: header.texts[col] for col, key in header.mapping.items()},
        header_rows=tuple(r + 1 for r in header.rows),
        unmapped=unmapped,
        skipped=skipped,
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
            digits = pd.Series(False, index=tail.index)
            for col in tail.columns:
                digits |= tail[col].str.contains(_DIGIT_RE, na=False, regex=True).astype(bool)
            names = digits.index[~digits.to_numpy()]
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
    except Exception as exc:
        raise _corrupt(path.name) from exc
