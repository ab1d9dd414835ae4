"""Data rows of a sample workbook written as worksheet XML, not cell by cell.

xlsxwriter handles each cell through several Python calls (about 4 µs a cell, plus the XML
it writes at close): a commune of 8.300 households × 36 columns took about 3 s to write, and
the 1.000.000-household province of the batch benchmark (two years) about 14 minutes. Here the
sample writer lets xlsxwriter write everything around the data (guidance sheet, titles, the
two-row header with its merged cells, the totals row and the signatures), leaving the data
rows out, and then :func:`splice_rows` streams the finished package into the target file,
inserting the data rows into the worksheet's ``<sheetData>`` before the row that follows
them.

A data row is built from per-column *fragments*: a fragment is the XML of one cell after its
column letter and before the next cell's row number. A row is then
``<row r="9"><c r="A9`` + ``"9".join(fragments)``: each fragment closes its own ``r``
attribute and ends with the opening of the next cell (``…</c><c r="B``) or with ``</row>``.
Fragments of repeated values (villages, marks, ethnic groups…) are made once.

Cells are the ones xlsxwriter would write: numbers as ``{:.16G}``, text in the shared-string
table (appended to the one xlsxwriter wrote, :class:`SharedStrings`) escaped the way
xlsxwriter escapes it (``& < >``, control characters as ``_xHHHH_``, ``xml:space="preserve"``
for leading or trailing white space), and every cell carries its style id (the xlsxwriter
format's, see :func:`style_id`), blank cells included (the border).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.format import Format

from ngheo_cli.core.text import column_letter

_CONTROL_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL_CHARS = re.compile(r"([\x00-\x08\x0b-\x1f])")
_NOT_PLAIN = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_MAX_TEXT = 32_767  # UTF-16 units in a cell

# Rows of XML built and written at a time: memory stays bounded on a very long list.
BLOCK_ROWS = 8192
# zlib level of a long data sheet: level 1 deflates the XML three times faster than the
# default 6 for a file about 35 % larger. Short lists (the shipped sample) keep the default.
FAST_COMPRESSLEVEL = 1
FAST_FROM_ROWS = 5_000


def style_id(fmt: Format) -> int:
    """The xf index xlsxwriter gives ``fmt`` (assigned now if the format is not used yet, so
    that it is in the package's styles even though no cell is written through xlsxwriter)."""
    return int(fmt._get_xf_index())


def text_xml(text: str) -> tuple[str, bool]:
    """``text`` as cell XML content, and whether ``<t>`` needs ``xml:space="preserve"``
    (cut, as xlsxwriter cuts it, to Excel's 32767 UTF-16 units)."""
    if len(text) > _MAX_TEXT // 2:  # a pair cut in two loses its first half ("ignore")
        units = text.encode("utf-16-le", "surrogatepass")[: 2 * _MAX_TEXT]
        text = units.decode("utf-16-le", "ignore")
    if _NOT_PLAIN.search(text) is None:
        return text, False
    text = _CONTROL_ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL_CHARS.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = _EDGE_SPACE.search(text) is not None
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


class SharedStrings:
    """The strings the data rows add to the package's shared-string table (as Excel and
    xlsxwriter store text), numbered after the ``base`` strings already in it."""

    def __init__(self) -> None:
        self.base = 0
        self.index: dict[str, int] = {}
        self.cells = 0  # string cells written (the table's ``count``)

    def numbers(self, texts: Iterable[str]) -> list[int]:
        """Each text's number in the package's table (new texts are added)."""
        index, base = self.index, self.base
        add = index.setdefault
        return [base + add(text, len(index)) for text in texts]

    def merged_into(self, sst: bytes) -> bytes:
        """The package's ``sharedStrings.xml`` with these strings appended."""
        head = _SST_HEAD.search(sst)
        if head is None or not sst.rstrip().endswith(b"</sst>"):
            raise ValueError("unexpected sharedStrings.xml")
        count, unique = int(head.group(2)), int(head.group(3))
        if unique != self.base:
            raise ValueError("the shared-string table changed under the data rows")
        items = []
        for text in self.index:  # insertion order = index order
            body, preserve = text_xml(text)
            space = ' xml:space="preserve"' if preserve else ""
            items.append(f"<si><t{space}>{body}</t></si>")
        new_head = (head.group(1) + f'count="{count + self.cells}" '
                    f'uniqueCount="{unique + len(self.index)}">'.encode())
        end = sst.rstrip().rfind(b"</sst>")
        return (sst[: head.start()] + new_head + sst[head.end() : end]
                + "".join(items).encode("utf-8") + b"</sst>")


_SST_HEAD = re.compile(rb'(<sst\b[^>]*?)count="([0-9]+)" uniqueCount="([0-9]+)">')


class Column:
    """Fragment maker for one column (its position gives what follows each cell)."""

    def __init__(self, index: int, ncols: int, strings: SharedStrings) -> None:
        self.after = f'<c r="{column_letter(index + 1)}' if index + 1 < ncols else "</row>"
        self.strings = strings

    def blank(self, style: int) -> str:
        return f'" s="{style}"/>{self.after}'

    def numbers(
        self, values: np.ndarray, missing: np.ndarray, style: int, blank: str
    ) -> list[str]:
        """Number cells, as xlsxwriter writes ``float(value)``; ``blank`` where ``missing``.
        Each distinct number is formatted once."""
        numbers = np.full(len(values), np.nan)
        numbers[~missing] = np.asarray(values[~missing], dtype=float)
        codes, uniques = pd.factorize(numbers, use_na_sentinel=True)
        head, tail = f'" s="{style}"><v>', f"</v></c>{self.after}"
        fragments = [f"{head}{v:.16G}{tail}" for v in uniques.tolist()]
        fragments.append(blank)  # code -1: no value
        return np.asarray(fragments, dtype=object)[codes].tolist()

    def texts(
        self, values: Sequence[str | None] | np.ndarray, style: int, blank: str
    ) -> list[str]:
        """Text cells (``None``: ``blank``); each distinct text's fragment is made once."""
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        head, tail = f'" s="{style}" t="s"><v>', f"</v></c>{self.after}"
        fragments = [f"{head}{number}{tail}" for number in self.strings.numbers(uniques)]
        fragments.append(blank)  # code -1: no value
        self.strings.cells += int((codes >= 0).sum())
        return np.asarray(fragments, dtype=object)[codes].tolist()


def rows_xml(row_numbers: Sequence[int], fragments: Sequence[Sequence[str]]) -> str:
    """The ``<row>`` elements of a block: ``row_numbers`` are zero-based sheet rows,
    ``fragments`` one list per column (from :class:`Column`)."""
    out = []
    for row, cells in zip(row_numbers, zip(*fragments, strict=True), strict=True):
        number = str(row + 1)
        out.append(f'<row r="{number}"><c r="A{number}{number.join(cells)}')
    return "".join(out)


def splice_rows(
    package: bytes, part: str, before_row: int, blocks: Iterable[str],
    strings: SharedStrings, target: Any, *, rows: int = 0,
) -> None:
    """Copy the xlsx ``package`` (bytes written by xlsxwriter) to ``target``, inserting the
    XML ``blocks`` into worksheet ``part`` before zero-based row ``before_row`` (which must
    be written in the package) and the ``strings`` they use into the shared-string table.
    Every zip entry keeps its name, order, date and compression, so the file stays
    byte-deterministic. ``rows``: how many rows the blocks hold (a long sheet is deflated
    faster, :data:`FAST_COMPRESSLEVEL`, and may pass 2 GiB: ZIP64)."""
    marker = f'<row r="{before_row + 1}"'.encode()
    with zipfile.ZipFile(io.BytesIO(package)) as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        names = [info.filename for info in src.infolist()]
        if names.index(_SST_PART) < names.index(part):
            raise ValueError("the shared strings come before the worksheet in the package")
        head = _SST_HEAD.search(src.read(_SST_PART))
        strings.base = int(head.group(3)) if head else 0
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == _SST_PART:
                dst.writestr(info, strings.merged_into(data))
                continue
            if info.filename != part:
                dst.writestr(info, data)
                continue
            at = data.find(marker)
            if at < 0:
                raise ValueError(f"row {before_row + 1} not found in {part}")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            if rows >= FAST_FROM_ROWS:  # no public setting for a ZipInfo before Python 3.13
                entry._compresslevel = FAST_COMPRESSLEVEL  # type: ignore[attr-defined]
            with dst.open(entry, "w", force_zip64=rows > 500_000) as out:
                out.write(data[:at])
                for block in blocks:
                    out.write(block.encode("utf-8"))
                out.write(data[at:])


_SST_PART = "xl/sharedStrings.xml"
