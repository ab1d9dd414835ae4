"""A cheap streaming look at each worksheet's XML before the fast reader loads it.

Two things the fast reader (fastexcel over calamine) cannot be asked about:

* **The extent it will allocate.** calamine holds a sheet as one dense rectangle from the
  first to the last cell that has a value; a single stray value at ``XFD1048576`` makes it
  allocate 16 384 × 1 048 576 cells (512 GiB) and abort the process. The declared
  ``<dimension>`` is not what it uses, and formatted cells without a value do not count.
  :func:`scan_workbook` finds the last row and column that hold a value and refuses the
  file up front, naming the far cell, when the rectangle is beyond :data:`MAX_CELLS`.
* **Cells that are not values.** Error cells (``#N/A``, ``#DIV/0!``…) and formulas that
  were never calculated (no cached value: a file written by a program that does not compute
  formulas) are read as blank. The scan lists them so that the reader can report them.

The scan decompresses each sheet part in chunks (bounded memory) and uses byte searches and
regular expressions that only fire on rare tokens, so a normal sheet costs one inflate.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from ngheo_cli.errors import InputError

__all__ = ["MAX_CELLS", "SheetScan", "scan_workbook", "cell_name"]

# The largest rectangle (rows × columns, from A1 to the last cell with a value) read at
# all: about 1 GiB in the fast reader, e.g. 600 000 households × 33 columns.
MAX_CELLS = 20_000_000

_CHUNK = 1 << 22
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

# A cell with a value: an inline string, or a non-empty <v>, possibly after a formula.
_VALUE_TAIL = rb"(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?(?:<is>|<v>[^<])"
# Cell references are the only ` r="` attributes that start with a letter (rows have digits);
# matching on that literal keeps each pattern a fast scan, whatever the attribute order.
# Columns from CA (the 79th) on are rare in a survey sheet: only those are looked at, so a
# sheet without any is at most BZ (78 columns) wide.
_WIDE_COLUMN = re.compile(rb' r="([C-Z][A-Z]|[A-Z]{3})([0-9]+)"')
_WIDE_FROM = 78  # column index of CA
_VALUED_AFTER = re.compile(rb"[^>]*>" + _VALUE_TAIL)
_ANY_VALUE_CELL = re.compile(rb' r="([A-Z]{1,3})[0-9]+"[^>]*>' + _VALUE_TAIL)
# Rows from 100 000 on: only those can make a sheet of at most BZ columns too large.
_FAR_ROW = re.compile(rb'<row\b[^>]*?\br="([0-9]{6,7})"')
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"')


@dataclass
class SheetScan:
    """What the scan found on one sheet (rows and columns zero-based, as in the grid)."""

    name: str
    last_row: int = -1  # last row with a value (-1: none found)
    last_col: int = -1  # last column with a value, where it could be told cheaply
    far_cell: str = ""  # the cell that extends the sheet furthest
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # → "#DIV/0!"
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)  # → formula text


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def scan_workbook(path: Path, source: str, sheet_names: list[str]) -> dict[str, SheetScan]:
    """Scan every worksheet of an .xlsx file; refuse one whose data extent is too large.

    Returns the scans by sheet name (sheets whose part cannot be found are left out: the
    fast reader reports a broken file itself). Raises :class:`InputError` naming the sheet
    and the far cell when a sheet's rectangle from A1 to its last value exceeds
    :data:`MAX_CELLS`.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _sheet_parts(archive)
            scans: dict[str, SheetScan] = {}
            for name in sheet_names:
                part = parts.get(name)
                if part is None:
                    continue
                try:
                    with archive.open(part) as stream:
                        scan = _scan_sheet(name, stream)
                    if _too_large(scan):  # the column estimate may be loose: count exactly
                        with archive.open(part) as stream:
                            scan.last_col = _exact_last_col(stream)
                except KeyError:
                    continue
                scans[name] = scan
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return {}  # the fast reader says how the file is broken
    for scan in scans.values():
        _check_extent(scan, source)
    return scans


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of its XML, from workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets: dict[str, str] = {}
    for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
        target = rel.get("Target") or ""
        if target.startswith("/"):
            member = target.lstrip("/")
        else:
            member = str(PurePosixPath("xl") / target)
        parts: list[str] = []
        for piece in member.split("/"):
            if piece == "..":
                if parts:
                    parts.pop()
            elif piece not in ("", "."):
                parts.append(piece)
        targets[rel.get("Id") or ""] = "/".join(parts)
    names: dict[str, str] = {}
    for sheet in book.iter(f"{{{_MAIN_NS}}}sheet"):
        rid = sheet.get(f"{{{_REL_NS}}}id")
        name = sheet.get("name")
        if rid in targets and name is not None:
            names[name] = targets[rid]
    return names


def _scan_sheet(name: str, stream: object) -> SheetScan:
    scan = SheetScan(name)
    far_col = -1
    far_col_cell = ""
    two_letter = -1
    tail = b""
    read = stream.read  # type: ignore[attr-defined]
    while True:
        chunk = read(_CHUNK)
        data = tail + chunk
        if chunk:
            cut = data.rfind(b"</row>")
            if cut < 0:
                tail = data
                continue
            cut += len(b"</row>")
            data, tail = data[:cut], data[cut:]
        else:
            tail = b""
        if data:
            _last_value(data, scan)
            for m in _WIDE_COLUMN.finditer(data):
                letters = m.group(1).decode()
                col = column_index(letters)
                if col <= far_col:
                    continue
                if len(letters) == 2:  # counted valued or not: an estimate from above
                    two_letter = max(two_letter, col)
                elif _VALUED_AFTER.match(data, m.end()):  # XFD1 only counts with a value
                    far_col = col
                    far_col_cell = letters + m.group(2).decode()
            _problem_cells(data, scan)
        if not chunk:
            break
    if far_col >= 0:
        scan.last_col = far_col
        if scan.last_row >= 0:
            scan.far_cell = far_col_cell
    else:
        scan.last_col = max(two_letter, _WIDE_FROM - 1)  # none from CA on: at most BZ
    return scan


def _cells_around(data: bytes, token: bytes) -> list[int]:
    """Start offsets of the <c> elements holding ``token`` (found with a byte search: these
    tokens are rare, so no pattern runs over every cell)."""
    starts: list[int] = []
    pos = data.find(token)
    while pos >= 0:
        start = data.rfind(b"<c ", 0, pos)
        if start >= 0 and (not starts or starts[-1] != start):
            starts.append(start)
        pos = data.find(token, pos + len(token))
    return starts


_CELL_OPEN = re.compile(rb"<c\b([^>]*?)(/?)>")
_REF_ATTR = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_TYPE_ATTR = re.compile(rb'\bt="([A-Za-z]+)"')
_CELL_BODY = re.compile(
    rb"(?:<f\b[^>]*/>|<f\b[^>]*>([^<]*)</f>)?(?:<v>([^<]*)</v>|<v\s*/>)?(?:<is>|</c>)"
)


def _problem_cells(data: bytes, scan: SheetScan) -> None:
    """Error cells (t="e") and formulas saved without a calculated value, in whole rows
    (attributes in any order)."""
    starts = sorted(set(_cells_around(data, b't="e"')) | set(_cells_around(data, b"<f")))
    for start in starts:
        head = _CELL_OPEN.match(data, start)
        if head is None or head.group(2):
            continue
        ref = _REF_ATTR.search(head.group(1))
        body = _CELL_BODY.match(data, head.end())
        if ref is None or body is None:
            continue
        kind = _TYPE_ATTR.search(head.group(1))
        cell_type = kind.group(1) if kind is not None else b"n"
        formula, value = body.group(1), body.group(2)
        row, col = int(ref.group(2)) - 1, column_index(ref.group(1).decode())
        has_formula = data.startswith(b"<f", head.end())
        if cell_type == b"e" and value:
            scan.errors[(row, col)] = value.decode("utf-8", "replace").strip()
        elif has_formula and not value:
            if cell_type == b"str" and b"<v" in data[head.end() : body.end()]:
                continue  # a text formula whose result is the empty text
            text = (formula or b"").decode("utf-8", "replace")
            scan.uncached[(row, col)] = _unescape(text)


def _last_value(data: bytes, scan: SheetScan) -> None:
    """Update the last row with a value from the last such cell of a chunk of whole rows.

    Rows are in order in every file a spreadsheet program writes; an out-of-order far row
    is still caught because each chunk's last value is checked, and any row number past
    the current one is checked on its own.
    """
    end = len(data)
    while True:
        v = data.rfind(b"<v>", 0, end)
        s = data.rfind(b"<is>", 0, end)
        pos = max(v, s)
        if pos < 0:
            break
        if pos == v and data[v + 3 : v + 4] == b"<":  # <v></v>: no value
            end = v
            continue
        m = None
        start = data.rfind(b"<c ", 0, pos)
        if start >= 0:
            m = _CELL_REF.match(data, start)
        if m is not None:
            row = int(m.group(2)) - 1
            if row > scan.last_row:
                scan.last_row = row
                scan.far_cell = m.group(1).decode() + m.group(2).decode()
        break
    # Out-of-order rows: a far row element (from row 100 000) placed before the last one.
    for m in _FAR_ROW.finditer(data):
        row = int(m.group(1)) - 1
        if row <= scan.last_row:
            continue
        close = data.find(b"</row>", m.end())
        body = data[m.end() : close if close >= 0 else len(data)]
        for cell in _CELL_REF.finditer(body):
            after = body[cell.end() : cell.end() + 4096]
            if re.match(rb"[^>]*>" + _VALUE_TAIL, after):
                scan.last_row = row
                scan.far_cell = cell.group(1).decode() + cell.group(2).decode()
                break


def _too_large(scan: SheetScan) -> bool:
    rows, cols = scan.last_row + 1, scan.last_col + 1
    return rows > 0 and rows * cols > MAX_CELLS


def _exact_last_col(stream: object) -> int:
    """The last column holding a value, over every cell (only run on suspicious sheets)."""
    last = -1
    tail = b""
    read = stream.read  # type: ignore[attr-defined]
    while True:
        chunk = read(_CHUNK)
        data = tail + chunk
        cut = data.rfind(b"</row>") + len(b"</row>") if chunk else len(data)
        if chunk and cut < len(b"</row>"):
            tail = data
            continue
        data, tail = data[:cut], data[cut:]
        letters = set(_ANY_VALUE_CELL.findall(data))
        if letters:
            last = max(last, max(column_index(c.decode()) for c in letters))
        if not chunk:
            return last


def _check_extent(scan: SheetScan, source: str) -> None:
    if not _too_large(scan):
        return
    rows, cols = scan.last_row + 1, scan.last_col + 1
    far = scan.far_cell or cell_name(scan.last_row, scan.last_col)

    def vn(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    raise InputError(
        f'Sheet "{scan.name}" của tệp "{source}" có dữ liệu ở ô {far}, rất xa vùng dữ liệu: '
        f"vùng từ A1 tới đó ({vn(rows)} dòng × {vn(cols)} cột) vượt giới hạn "
        f"{vn(MAX_CELLS)} ô nên không đọc được.",
        hint=(
            f"Mở tệp bằng Excel, nhấn Ctrl+End để tới ô cuối cùng ({far}), xoá các dòng, cột "
            "thừa ngoài bảng (chọn rồi Xoá) và lưu lại; hoặc chép riêng bảng danh sách hộ sang "
            "một tệp mới."
        ),
    )


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )
