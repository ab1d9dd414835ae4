"""The history store: each year's classified households and the runs that recorded them.

This is the only module that knows SQL. It uses SQLite (a file in the working folder,
nothing to install or start); another database can be added later behind the same methods.

- **Schema versions.** :data:`MIGRATIONS` is a list of steps; step *i* brings the store
  from version *i* to *i + 1* (``PRAGMA user_version``). Opening a store applies the
  missing steps in one transaction. Before that, an existing store with anything in it is
  copied with SQLite's backup API to ``<store>.bak-v<old version>``. A step may add or
  rebuild tables but never lose rows: the row count of every table is compared before and
  after, and a step that lowers one (or drops a column) is rolled back.
- **One transaction per commune-year.** :meth:`Store.record_year` deletes the commune-year
  and inserts the new rows and the run inside one ``BEGIN IMMEDIATE … COMMIT``: a re-import
  replaces, never double counts, and a process killed in the middle leaves the old year.
  With WAL journaling a reader sees either the old or the new year, never a mix.
- **Codes stay text.** ``ma_ho`` and ``commune`` are stored as TEXT: leading zeros survive.
- **Indicator marks** are one INTEGER bitmask per household: bit *j* is the *j*-th id in the
  run's ``indicators`` list (kept with the run, so a store can be read without the rules
  file). NULL means the household had no usable marks (its deprivations came from Điểm B).
- **Assignments** (``ngheo assign``, schema v2 and v5). The members list of a commune-year
  is stored with the twinnings read from the same workbook (``twinnings``) and a row in
  ``member_lists`` (when, from which file, how many twinnings): pairing again from the store
  sees the same members and twinned villages as the workbook. A list stored before v5 has no
  ``member_lists`` row, so its twinnings are known to be unknown. :meth:`Store.record_year`
  marks the commune-year's stored pairs ``stale`` in its transaction: they were made from
  households that have just been replaced (:meth:`Store.assignment_status`).
- **Gap to the line** (v5): ``chenh_lech_quy_doi`` (đồng, comparable across routes,
  :mod:`ngheo_cli.core.gap`) and ``nguon_chenh_lech`` (the route, "thu_nhap" / "diem_a");
  NULL for households recorded before v5 or from a recognised list.
- **Time.** ``recorded_at`` is ISO 8601 in Vietnam time (UTC+07:00, no daylight saving:
  a fixed offset, so no time-zone database is needed on Windows).
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import repeat
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ngheo_cli import __version__
from ngheo_cli.core.schema import INDICATOR_KEYS
from ngheo_cli.errors import InputError, LockHeld, NgheoError, UsageError
from ngheo_cli.io.atomic import atomic_write
from ngheo_cli.io.collector import cycle_collection_paused

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
BUSY_TIMEOUT_MS = 30_000

# Household columns stored one to one: (column, kind). Order = the INSERT order.
_TEXT, _INT, _REAL, _BOOL = "text", "int", "real", "bool"
HOUSEHOLD_FIELDS: tuple[tuple[str, str], ...] = (
    ("ma_ho", _TEXT),
    ("ho_ten_chu_ho", _TEXT),
    ("thon", _TEXT),
    ("dan_toc", _TEXT),
    ("is_dtts", _BOOL),
    ("khu_vuc", _TEXT),
    ("so_nhan_khau", _INT),
    ("thu_nhap_binh_quan", _REAL),
    ("diem_a", _REAL),
    ("diem_b", _REAL),
    ("so_thieu_hut", _INT),
    ("phan_loai", _TEXT),
    ("nguyen_nhan", _TEXT),
    ("nhu_cau", _TEXT),
    # v4: the flags the official forms count by, and the class the review recorded.
    ("khong_kha_nang_lao_dong", _BOOL),
    ("co_nguoi_co_cong", _BOOL),
    ("nlnn", _BOOL),
    ("dan_toc_tai_cho", _BOOL),
    ("gioi_tinh_chu_ho", _TEXT),
    ("ket_qua_ra_soat", _TEXT),
    # v5: the route that decided the income side ("thu_nhap" / "diem_a", classify's
    # ``tuyen``) and the comparable gap to the line (core.gap).
    ("nguon_chenh_lech", _TEXT),
    ("chenh_lech_quy_doi", _REAL),
)

# Schema steps. Step i takes the store from version i to i + 1. Append only: never edit a
# released step, never drop a table or a column that holds people's data.
Migration = Sequence[str]
MIGRATIONS: tuple[Migration, ...] = (
    (
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            source TEXT,
            input_sha256 TEXT,
            tool_version TEXT NOT NULL,
            standard TEXT NOT NULL,
            households INTEGER NOT NULL,
            rejected INTEGER NOT NULL DEFAULT 0,
            indicators TEXT NOT NULL DEFAULT '[]'
        )
        """,
        "CREATE INDEX runs_commune_year ON runs (commune, year)",
        """
        CREATE TABLE households (
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            ma_ho TEXT NOT NULL,
            ho_ten_chu_ho TEXT,
            thon TEXT,
            dan_toc TEXT,
            is_dtts INTEGER,
            khu_vuc TEXT,
            so_nhan_khau INTEGER,
            thu_nhap_binh_quan REAL,
            diem_a REAL,
            diem_b REAL,
            so_thieu_hut INTEGER,
            phan_loai TEXT NOT NULL,
            nguyen_nhan TEXT,
            nhu_cau TEXT,
            standard TEXT NOT NULL,
            thieu_hut INTEGER,
            run_id INTEGER NOT NULL REFERENCES runs (id),
            PRIMARY KEY (commune, year, ma_ho)
        )
        """,
    ),
    # v2: party members and the member ↔ household pairs of each commune-year (ngheo assign).
    (
        """
        CREATE TABLE members (
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            ma_dang_vien TEXT NOT NULL,
            ho_ten TEXT,
            chi_bo TEXT,
            thon TEXT,
            huong_luong INTEGER,
            gioi_tinh TEXT,
            dan_toc TEXT,
            nam_sinh INTEGER,
            mien INTEGER,
            tran_so_ho INTEGER,
            PRIMARY KEY (commune, year, ma_dang_vien)
        )
        """,
        """
        CREATE TABLE assignments (
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            ma_dang_vien TEXT NOT NULL,
            ma_ho TEXT NOT NULL,
            thon TEXT,
            via_twinning INTEGER NOT NULL DEFAULT 0,
            kept_from_last_year INTEGER NOT NULL DEFAULT 0,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (commune, year, ma_dang_vien, ma_ho)
        )
        """,
    ),
    # v3: the support ledger (ngheo support): one row per distinct record of a commune-year,
    # keyed by its content (core.support.record_key), and a log of every import.
    (
        """
        CREATE TABLE support_imports (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            source TEXT,
            input_sha256 TEXT,
            tool_version TEXT NOT NULL,
            rows_read INTEGER NOT NULL,
            added INTEGER NOT NULL,
            already_recorded INTEGER NOT NULL,
            rejected INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE support (
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            record_key TEXT NOT NULL,
            ngay TEXT NOT NULL,
            loai_nguoi TEXT NOT NULL,
            nguoi_ho_tro TEXT NOT NULL,
            ma_ho TEXT NOT NULL,
            loai TEXT NOT NULL,
            so_luong REAL,
            don_vi TEXT,
            gia_tri REAL,
            ghi_chu TEXT,
            source_row INTEGER,
            import_id INTEGER NOT NULL REFERENCES support_imports (id),
            PRIMARY KEY (commune, year, record_key)
        )
        """,
    ),
    # v4: household flags of the official forms (khong_kha_nang_lao_dong, co_nguoi_co_cong,
    # nlnn, dan_toc_tai_cho, gioi_tinh_chu_ho), the recorded class code (ket_qua_ra_soat:
    # ngheo / can_ngheo / … as the review or the recognised list said it), and the origin of
    # a run: "computed" (classified by ngheo) or "recorded" (a recognised list, issue 16),
    # with the decision's number and date when given.
    (
        "ALTER TABLE households ADD COLUMN khong_kha_nang_lao_dong INTEGER",
        "ALTER TABLE households ADD COLUMN co_nguoi_co_cong INTEGER",
        "ALTER TABLE households ADD COLUMN nlnn INTEGER",
        "ALTER TABLE households ADD COLUMN dan_toc_tai_cho INTEGER",
        "ALTER TABLE households ADD COLUMN gioi_tinh_chu_ho TEXT",
        "ALTER TABLE households ADD COLUMN ket_qua_ra_soat TEXT",
        "ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT 'computed'",
        "ALTER TABLE runs ADD COLUMN decision_no TEXT",
        "ALTER TABLE runs ADD COLUMN decision_date TEXT",
    ),
    # v5 (issue 12): each household's route and comparable gap to the line (rule 1's last
    # tie-break, core.gap; NULL for rows recorded before), the twinnings read with the members
    # of a commune-year, what is known about each stored members list (member_lists: when,
    # from which file; a list stored before v5 has no row, so its twinnings are unknown), and
    # assignments made before the year's households were last imported marked stale
    # (record_year marks them; the UPDATE marks those already older than the households).
    (
        "ALTER TABLE households ADD COLUMN nguon_chenh_lech TEXT",
        "ALTER TABLE households ADD COLUMN chenh_lech_quy_doi REAL",
        """
        CREATE TABLE twinnings (
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            position INTEGER NOT NULL,
            chi_bo TEXT,
            thon TEXT,
            ghi_chu TEXT,
            PRIMARY KEY (commune, year, position)
        )
        """,
        """
        CREATE TABLE member_lists (
            commune TEXT NOT NULL,
            year INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            source TEXT,
            twinnings INTEGER NOT NULL,
            PRIMARY KEY (commune, year)
        )
        """,
        "ALTER TABLE assignments ADD COLUMN stale INTEGER NOT NULL DEFAULT 0",
        """
        UPDATE assignments SET stale = 1 WHERE recorded_at < (
            SELECT r.recorded_at FROM runs r WHERE r.id = (
                SELECT h.run_id FROM households h
                WHERE h.commune = assignments.commune AND h.year = assignments.year LIMIT 1
            )
        )
        """,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

MEMBER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ma_dang_vien", "text"),
    ("ho_ten", "text"),
    ("chi_bo", "text"),
    ("thon", "text"),
    ("huong_luong", "bool"),
    ("gioi_tinh", "text"),
    ("dan_toc", "text"),
    ("nam_sinh", "int"),
    ("mien", "bool"),
    ("tran_so_ho", "int"),
)
PAIR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ma_dang_vien", "text"),
    ("ma_ho", "text"),
    ("thon", "text"),
    ("via_twinning", "bool"),
    ("kept_from_last_year", "bool"),
)
TWINNING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("chi_bo", "text"),
    ("thon", "text"),
    ("ghi_chu", "text"),
)
#: Support ledger columns stored one to one (besides commune, year, record_key, the Excel row
#: and the import), in the order of core.support.RECORD_COLUMNS.
SUPPORT_COLUMNS: tuple[str, ...] = (
    "ngay",
    "loai_nguoi",
    "nguoi_ho_tro",
    "ma_ho",
    "loai",
    "so_luong",
    "don_vi",
    "gia_tri",
    "ghi_chu",
)

_HOUSEHOLD_COLUMNS = (
    "commune",
    "year",
    *[c for c, _ in HOUSEHOLD_FIELDS],
    "standard",
    "thieu_hut",
    "run_id",
)
_INSERT_HOUSEHOLD = (
    f"INSERT INTO households ({', '.join(_HOUSEHOLD_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_HOUSEHOLD_COLUMNS))})"
)
_RUN_COLUMNS = (
    "id",
    "commune",
    "year",
    "recorded_at",
    "source",
    "input_sha256",
    "tool_version",
    "standard",
    "households",
    "rejected",
    "indicators",
    "origin",
    "decision_no",
    "decision_date",
)
_DROP_COLUMN = re.compile(r"\bDROP\s+COLUMN\b", re.IGNORECASE)


class StoreError(InputError):
    """The store cannot be used (not a database, made by a newer version, damaged)."""


class YearNotFound(UsageError):
    """The store has no households for the commune-year asked for."""


@dataclass(frozen=True)
class RunInfo:
    """What :meth:`Store.record_year` keeps about a run, besides the households.

    ``indicators``: the standard's indicator ids in order (bit order of the marks); empty →
    the indicator columns of the frame, in the canonical order. ``recorded_at``: None → now.
    """

    standard: str
    source: str | None = None
    input_sha256: str | None = None
    tool_version: str = __version__
    rejected: int = 0
    indicators: tuple[str, ...] = ()
    recorded_at: datetime | None = None
    #: "computed" (classified by ngheo) or "recorded" (a recognised list, not computed).
    origin: str = "computed"
    decision_no: str | None = None
    decision_date: str | None = None


@dataclass(frozen=True)
class StoredRun:
    id: int
    commune: str
    year: int
    recorded_at: str
    source: str | None
    input_sha256: str | None
    tool_version: str
    standard: str
    households: int
    rejected: int
    indicators: tuple[str, ...] = field(default_factory=tuple)
    origin: str = "computed"
    decision_no: str | None = None
    decision_date: str | None = None


@dataclass(frozen=True)
class MemberList:
    """A stored members list of a commune-year (schema v5 and later)."""

    recorded_at: str
    source: str | None
    #: Number of twinnings stored with it (0: the workbook had no twinning sheet).
    twinnings: int


@dataclass(frozen=True)
class AssignmentStatus:
    """The stored pairs of a commune-year: when they were made and whether they are stale
    (the year's households were imported again after them)."""

    recorded_at: str
    pairs: int
    stale: bool
    households_recorded_at: str | None


@dataclass(frozen=True)
class SupportImport:
    """One import into the support ledger: its id and how many records were new."""

    import_id: int
    added: int


def now_iso() -> str:
    return datetime.now(VIETNAM_TIME).isoformat(timespec="seconds")


# --- rows ------------------------------------------------------------------------------------


def _column_values(frame: pd.DataFrame, key: str, kind: str) -> list[object]:
    """One column as a list of plain Python values (None where blank)."""
    if key not in frame.columns:
        return [None] * len(frame)
    series = frame[key]
    if kind == _TEXT:
        series = series.astype("string")
    elif kind == _INT:
        series = pd.to_numeric(series).astype("Float64").round().astype("Int64")
    elif kind == _REAL:
        series = pd.to_numeric(series).astype("Float64")
    else:
        series = series.astype("boolean").astype("Int64")
    return series.to_numpy(dtype=object, na_value=None).tolist()


def _marks(frame: pd.DataFrame, indicators: Sequence[str]) -> list[object]:
    """The indicator marks as one bitmask per row; None where the row has no usable marks."""
    n = len(frame)
    if not indicators:
        return [None] * n
    if len(indicators) > 62:
        raise ValueError("at most 62 indicators fit in the bitmask")
    mask = np.zeros(n, dtype="int64")
    for bit, key in enumerate(indicators):
        if key in frame.columns:
            marks = frame[key].astype("boolean").fillna(False).to_numpy(dtype=bool)
            mask |= marks.astype("int64") << bit
    if "co_chi_so" in frame.columns:
        usable = frame["co_chi_so"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        usable = np.ones(n, dtype=bool)
    values = mask.astype(object)
    values[~usable] = None
    return values.tolist()


def _household_columns(frame: pd.DataFrame, indicators: Sequence[str]) -> list[list[object]]:
    """The stored columns of ``frame`` as lists of plain Python values, in
    :data:`HOUSEHOLD_FIELDS` order, then the marks bitmask."""
    columns = [_column_values(frame, key, kind) for key, kind in HOUSEHOLD_FIELDS]
    columns.append(_marks(frame, indicators))
    return columns


def _household_rows(
    columns: list[list[object]], commune: str, year: int, standard: str, run_id: int
) -> Iterator[tuple[object, ...]]:
    """Plain tuples in :data:`_HOUSEHOLD_COLUMNS` order, for ``executemany``."""
    n = len(columns[0])
    *fields, marks = columns
    return zip(
        repeat(commune, n),
        repeat(year, n),
        *fields,
        repeat(standard, n),
        marks,
        repeat(run_id, n),
        strict=False,
    )


def _check_frame(frame: pd.DataFrame) -> None:
    for key in ("ma_ho", "phan_loai"):
        if key not in frame.columns:
            raise ValueError(f"the households to record have no {key!r} column")
    codes = frame["ma_ho"]
    if pd.api.types.is_numeric_dtype(codes.dtype):
        raise ValueError("ma_ho must be text (a number would lose its leading zeros)")
    codes = codes.astype("string")
    if codes.isna().any() or codes.duplicated().any():
        raise ValueError("ma_ho must be present and unique in the households to record")
    if frame["phan_loai"].isna().any():
        raise ValueError("every household to record needs a phan_loai")
    if frame.empty:
        # Recording nothing would wipe a good year with an empty one.
        raise InputError(
            "Không có hộ nào hợp lệ để ghi vào kho dữ liệu: số liệu đã ghi trước đó được giữ "
            "nguyên."
        )


# --- failures in words ---------------------------------------------------------------------


def _restore_hint(path: Path) -> str:
    backups = sorted(path.parent.glob(f"{path.name}.bak-v*"))
    if backups:
        latest = backups[-1].name
        return (
            f"Khôi phục từ bản sao lưu: đổi tên tệp hỏng {path.name} (giữ lại để kiểm tra), chép "
            f"{latest} thành {path.name}, rồi ghi lại các năm đã lưu sau lần sao lưu đó "
            "(ngheo classify … --commune)."
        )
    return (
        f"Không có bản sao lưu .bak-v… cạnh kho: lấy bản chép gần nhất của {path.name} (ổ "
        "USB, máy khác) đặt vào chỗ tệp hỏng, hoặc tạo kho mới và ghi lại các năm "
        "(ngheo classify … --commune)."
    )


def store_error(exc: sqlite3.Error, path: Path) -> NgheoError:
    """A SQLite failure as a Vietnamese message that says what happened and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    low = text.lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in low:
        return LockHeld(
            f"Kho dữ liệu {path} đang được một lượt chạy khác ghi.",
            hint="Chờ lượt chạy đó xong rồi chạy lại.",
        )
    if name == "SQLITE_FULL" or "disk is full" in low:
        return StoreError(
            f"Ổ đĩa đã đầy: không ghi được kho dữ liệu {path}. Lần ghi dở đã được huỷ, kho "
            "giữ nguyên như trước.",
            hint="Giải phóng dung lượng ổ đĩa (xoá tệp tạm, tệp không cần) rồi chạy lại.",
        )
    if (
        name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR"))
        or "readonly" in low
        or "read-only" in low
        or "unable to open" in low
    ) and not _writable(path):
        return StoreError(
            f"Kho dữ liệu {path} chỉ đọc được, không ghi được (tệp hoặc thư mục chứa nó không "
            "cho ghi).",
            hint=f"Cấp quyền ghi cho tệp {path.name} và thư mục chứa nó (SQLite cần tạo tệp "
            "-wal, -journal bên cạnh), hoặc chép cả thư mục làm việc sang nơi ghi được.",
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in low:
        return StoreError(
            f"Kho dữ liệu {path} bị hỏng (SQLite báo: {text}).", hint=_restore_hint(path)
        )
    if "no such table" in low or "no such column" in low:
        return StoreError(
            f"Kho dữ liệu {path} thiếu một phần ({text}): tệp đã bị sửa bằng công cụ khác hoặc "
            "bị hỏng.",
            hint=_restore_hint(path),
        )
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o" in low:
        if _disk_full(path):
            return StoreError(
                f"Ổ đĩa đã đầy: không mở hoặc ghi được kho dữ liệu {path} (SQLite cần chỗ "
                "trống cho tệp nhật ký -wal, -shm bên cạnh). Kho không bị thay đổi.",
                hint="Giải phóng dung lượng ổ đĩa (xoá tệp tạm, tệp không cần) rồi chạy lại.",
            )
        return StoreError(
            f"Không đọc/ghi được tệp kho dữ liệu {path} (lỗi ổ đĩa: {text}).",
            hint="Kiểm tra ổ đĩa (còn chỗ trống, không bị rút ra, đủ quyền ghi) rồi chạy lại.",
        )
    return StoreError(f"Lỗi kho dữ liệu {path}: {text}.", hint=_restore_hint(path))


def _writable(path: Path) -> bool:
    """Both the store and its folder can be written (SQLite writes -wal/-shm beside it)."""
    if not os.access(path.parent, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def _disk_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except (OSError, AttributeError):  # AttributeError: no statvfs on Windows
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


class _Cursor:
    """A cursor whose reads turn SQLite failures into :func:`store_error`."""

    def __init__(self, cursor: sqlite3.Cursor, path: Path) -> None:
        self._cursor = cursor
        self._path = path

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._cursor, attr)

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except sqlite3.Error as exc:
            raise store_error(exc, self._path) from None

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall()
        except sqlite3.Error as exc:
            raise store_error(exc, self._path) from None

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._cursor
        except sqlite3.Error as exc:
            raise store_error(exc, self._path) from None


class _Connection:
    """The store's connection: every SQLite failure becomes a message in words (a
    corrupt page, a dropped table, a read-only file or folder, a full disk), never a
    traceback. A ROLLBACK after SQLite already rolled back (full disk) is a no-op."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._conn, attr)

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        try:
            return _Cursor(self._conn.execute(sql, params), self._path)
        except sqlite3.Error as exc:
            if sql.strip().upper() == "ROLLBACK" and not self._conn.in_transaction:
                return _Cursor(self._conn.execute("SELECT 1"), self._path)
            raise store_error(exc, self._path) from None

    def executemany(self, sql: str, rows: Any) -> _Cursor:
        try:
            return _Cursor(self._conn.executemany(sql, rows), self._path)
        except sqlite3.Error as exc:
            raise store_error(exc, self._path) from None

    def backup(self, target: sqlite3.Connection) -> None:
        try:
            self._conn.backup(target)
        except sqlite3.Error as exc:
            raise store_error(exc, self._path) from None

    def close(self) -> None:
        self._conn.close()


# --- the store -------------------------------------------------------------------------------


def _connect(path: Path) -> _Connection:
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True
        )
    except sqlite3.Error as exc:
        raise StoreError(f"Không mở được kho dữ liệu {path}: {exc}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL: readers see the last committed state while a commune is being recorded.
        # (On a network share WAL may be refused; SQLite then keeps its rollback journal.)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith("SQLITE_NOTADB") or "not a database" in str(exc):
            raise StoreError(
                f"Tệp {path} không phải kho dữ liệu ngheo (SQLite) hoặc đã hỏng: {exc}.",
                hint="Kiểm tra lại đường dẫn. " + _restore_hint(path),
            ) from None
        raise store_error(exc, path) from None
    return _Connection(conn, path)


def _table_counts(conn: _Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.bak-v{version}")


def _backup(conn: _Connection, target: Path) -> None:
    """A consistent copy of the open store, written atomically to ``target``."""
    with atomic_write(target) as temp:
        dest = sqlite3.connect(temp)
        try:
            conn.backup(dest)
        finally:
            dest.close()


def _migrate(conn: _Connection, path: Path, migrations: Sequence[Migration]) -> None:
    latest = len(migrations)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > latest:
        raise StoreError(
            f"Kho dữ liệu {path} được tạo bởi phiên bản ngheo mới hơn (lược đồ v{version}, "
            f"bản này chỉ đọc được đến v{latest}).",
            hint="Cập nhật ngheo rồi chạy lại.",
        )
    if version == latest:
        return
    # The copy is taken outside the write transaction (SQLite's backup cannot read a
    # database its own connection is writing); it is a consistent snapshot all the same.
    if version > 0 or _table_counts(conn):
        _backup(conn, backup_path(path, version))
    conn.execute("BEGIN IMMEDIATE")  # one writer migrates; the others wait, then see it done
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < latest:
            before = _table_counts(conn)
            for step in migrations[version:]:
                for statement in step:
                    if _DROP_COLUMN.search(statement):
                        raise StoreError(
                            "Bước nâng cấp kho dữ liệu có lệnh xoá cột: không được phép."
                        )
                    conn.execute(statement)
            after = _table_counts(conn)
            lost = [t for t, n in before.items() if after.get(t, 0) < n]
            if lost:
                raise StoreError(
                    f"Nâng cấp kho dữ liệu {path} làm mất dữ liệu ở bảng {', '.join(lost)}: "
                    "đã huỷ nâng cấp, kho giữ nguyên."
                )
            conn.execute(f"PRAGMA user_version = {latest}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class Store:
    """A history store. Use :meth:`open`; close it (or use ``with``) when done.

    One ``Store`` per thread. Several processes may open the same file: writers wait for
    each other (busy timeout), readers never wait and never see half a commune-year.
    """

    def __init__(self, path: Path, conn: _Connection) -> None:
        self.path = path
        self._conn = conn

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, migrations: Sequence[Migration] = MIGRATIONS
    ) -> Store:
        """Open (or create) the store at ``path`` and bring its schema up to date."""
        target = Path(path)
        if target.is_dir():
            raise StoreError(f"{target} là một thư mục, không phải tệp kho dữ liệu.")
        if not target.parent.exists():
            raise StoreError(f"Thư mục {target.parent} không tồn tại.")
        conn = _connect(target)
        try:
            _migrate(conn, target, migrations)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise store_error(exc, target) from None
        except BaseException:
            conn.close()
            raise
        return cls(target, conn)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def integrity_check(self) -> str:
        """``"ok"``, or SQLite's description of what is damaged."""
        rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)

    # -- writing -----------------------------------------------------------------------------

    def record_year(self, commune: str, year: int, frame: pd.DataFrame, run_info: RunInfo) -> int:
        """Replace commune-year with ``frame`` (classified households) in one transaction and
        keep a record of the run; return the run id."""
        commune = str(commune)
        year = int(year)
        _check_frame(frame)
        indicators = tuple(run_info.indicators) or tuple(
            k for k in INDICATOR_KEYS if k in frame.columns
        )
        columns = _household_columns(frame, indicators)  # before taking the write lock
        recorded_at = (
            (run_info.recorded_at or datetime.now(VIETNAM_TIME))
            .astimezone(VIETNAM_TIME)
            .isoformat(timespec="seconds")
        )
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                "INSERT INTO runs (commune, year, recorded_at, source, input_sha256,"
                " tool_version, standard, households, rejected, indicators, origin,"
                " decision_no, decision_date)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    commune,
                    year,
                    recorded_at,
                    run_info.source,
                    run_info.input_sha256,
                    run_info.tool_version,
                    run_info.standard,
                    len(frame),
                    int(run_info.rejected),
                    json.dumps(list(indicators)),
                    run_info.origin,
                    run_info.decision_no,
                    run_info.decision_date,
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            conn.execute("DELETE FROM households WHERE commune = ? AND year = ?", (commune, year))
            conn.executemany(
                _INSERT_HOUSEHOLD,
                _household_rows(columns, commune, year, run_info.standard, run_id),
            )
            # Pairs made from the households just replaced no longer match them.
            conn.execute(
                "UPDATE assignments SET stale = 1 WHERE commune = ? AND year = ?", (commune, year)
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return run_id

    # -- reading -----------------------------------------------------------------------------

    def _read(self, sql: str, params: Iterable[object] = ()) -> list[tuple[object, ...]]:
        return self._conn.execute(sql, tuple(params)).fetchall()

    def communes(self) -> list[str]:
        """Communes with at least one recorded year, sorted."""
        return [
            str(r[0])
            for r in self._read("SELECT DISTINCT commune FROM households ORDER BY commune")
        ]

    def years(self, commune: str) -> list[int]:
        """Years recorded for ``commune``, ascending."""
        return [
            int(str(r[0]))
            for r in self._read(
                "SELECT DISTINCT year FROM households WHERE commune = ? ORDER BY year",
                (str(commune),),
            )
        ]

    def household_count(self, commune: str, year: int) -> int:
        row = self._read(
            "SELECT count(*) FROM households WHERE commune = ? AND year = ?",
            (str(commune), int(year)),
        )
        return int(str(row[0][0]))

    def runs(self, commune: str | None = None) -> pd.DataFrame:
        """Every run (or those of ``commune``), oldest first."""
        sql = f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs"
        params: tuple[object, ...] = ()
        if commune is not None:
            sql += " WHERE commune = ?"
            params = (str(commune),)
        rows = self._read(sql + " ORDER BY id", params)
        frame = pd.DataFrame(rows, columns=list(_RUN_COLUMNS))
        return frame.astype(
            {
                "id": "int64",
                "year": "int64",
                "households": "int64",
                "rejected": "int64",
                "commune": "string",
                "standard": "string",
            }
        )

    def year_run(self, commune: str, year: int) -> StoredRun | None:
        """The run whose households the commune-year holds now (None when it holds none):
        tells, without loading the households, whether the year was computed or recorded
        from a recognised list."""
        row = self._read(
            f"SELECT {', '.join('r.' + c for c in _RUN_COLUMNS)} FROM runs r"
            " WHERE r.id = (SELECT run_id FROM households WHERE commune = ? AND year = ?"
            " LIMIT 1)",
            (str(commune), int(year)),
        )
        return _stored_run(row[0]) if row else None

    def load_year(
        self,
        commune: str,
        year: int,
        columns: Sequence[str] | None = None,
        *,
        marks: bool | None = None,
    ) -> pd.DataFrame:
        """The households recorded for commune-year, in the order they were recorded.

        Columns: those of :data:`HOUSEHOLD_FIELDS` (text as ``string``, counts as ``Int64``,
        ``is_dtts`` as ``boolean``), ``standard``, one bool column per indicator of the run,
        ``co_chi_so`` and ``nguon_thieu_hut`` ("chi_so" / "diem_b"). ``attrs["run"]`` is the
        :class:`StoredRun` that recorded them. Raises :class:`YearNotFound`.
        ``columns``: only these household fields (and no indicator marks), for callers that
        need a few columns of many households (history over a province reads 4 of ~20).
        ``marks``: add the indicator marks (``co_chi_so``, ``nguon_thieu_hut``) to the
        ``columns`` asked for (default: only when every column is read).
        """
        commune, year = str(commune), int(year)
        wanted = None if columns is None else set(columns)
        if marks is None:
            marks = wanted is None
        fields = [(c, k) for c, k in HOUSEHOLD_FIELDS if wanted is None or c in wanted]
        # The rows are a few hundred thousand plain values in tuples (no cycles).
        with cycle_collection_paused():
            return self._load_year(commune, year, fields, marks)

    def _load_year(
        self, commune: str, year: int, fields: list[tuple[str, str]], marks: bool
    ) -> pd.DataFrame:
        names = [c for c, _ in fields]
        conn = self._conn
        conn.execute("BEGIN")  # one snapshot for the households and their run
        try:
            # A commune-year is written by one INSERT (record_year): its rows lie between these
            # rowids, read in order straight from the table (the primary key's index would
            # give them by ma_ho, then sort them back). Rows of others in the range are
            # filtered out, so the result does not depend on it.
            low, high = conn.execute(
                "SELECT min(rowid), max(rowid) FROM households WHERE commune = ? AND year = ?",
                (commune, year),
            ).fetchone()
            rows = conn.execute(
                f"SELECT {', '.join([*names, 'standard', *(['thieu_hut'] if marks else [])])},"
                " run_id FROM households NOT INDEXED"
                " WHERE rowid BETWEEN ? AND ? AND commune = ? AND year = ? ORDER BY rowid",
                (low, high, commune, year),
            ).fetchall()
            run_row = None
            if rows:
                run_row = conn.execute(
                    f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs WHERE id = ?", (rows[0][-1],)
                ).fetchone()
        finally:
            conn.execute("COMMIT")
        if not rows or run_row is None:
            known = self.years(commune)
            raise YearNotFound(
                f"Kho dữ liệu chưa có số liệu năm {year} của xã {commune}.",
                hint=(
                    f"Các năm đã có: {', '.join(map(str, known))}."
                    if known
                    else "Hãy chạy ngheo classify … --commune … --year … để ghi số liệu vào kho."
                ),
            )
        run = _stored_run(run_row)
        # Column-wise once, each column built straight as its typed array (no object frame).
        values = list(zip(*rows, strict=True))
        out: dict[str, object] = {
            key: _typed_array(column, kind)
            for (key, kind), column in zip(fields, values, strict=False)
        }
        out["standard"] = _typed_array(values[len(fields)], _TEXT)
        if marks:
            mask = _typed_array(values[len(fields) + 1], _INT)
            usable = ~mask.isna()
            bits = mask.to_numpy(dtype="int64", na_value=0)
            for bit, key in enumerate(run.indicators):
                out[key] = ((bits >> bit) & 1).astype(bool)
            out["co_chi_so"] = usable
            out["nguon_thieu_hut"] = pd.array(np.where(usable, "chi_so", "diem_b"), dtype="string")
        frame = pd.DataFrame(out)
        frame.attrs["run"] = run
        return frame

    # -- members, twinnings and pairs (ngheo assign) -----------------------------------------

    def record_assignment(
        self,
        commune: str,
        year: int,
        members: pd.DataFrame,
        pairs: pd.DataFrame,
        twinnings: pd.DataFrame | None = None,
        *,
        source: str | None = None,
        households_run: int | None = None,
    ) -> None:
        """Replace a commune-year's members, twinnings and pairs in one transaction (a rerun
        never adds). ``twinnings``: the members workbook's twinning sheet (chi_bo, thon,
        ghi_chu); None = the workbook had none. ``households_run``: the run whose households
        the pairs were made from (``load_year(...).attrs["run"].id``): when the year was
        imported again in the meantime, the pairs are stored already stale."""
        commune, year = str(commune), int(year)
        member_cols = _plain_rows(members, MEMBER_COLUMNS)
        pair_cols = _plain_rows(pairs, PAIR_COLUMNS)
        twin = twinnings if twinnings is not None else pd.DataFrame(columns=["chi_bo", "thon"])
        twin_cols = _plain_rows(twin, TWINNING_COLUMNS)
        stamp = now_iso()
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in ("members", "assignments", "twinnings", "member_lists"):
                conn.execute(f"DELETE FROM {table} WHERE commune = ? AND year = ?", (commune, year))
            names = [c for c, _ in MEMBER_COLUMNS]
            conn.executemany(
                f"INSERT INTO members (commune, year, {', '.join(names)}) "
                f"VALUES (?, ?, {', '.join('?' * len(names))})",
                ([commune, year, *row] for row in zip(*member_cols, strict=True)),
            )
            now = conn.execute(
                "SELECT run_id FROM households WHERE commune = ? AND year = ? LIMIT 1",
                (commune, year),
            ).fetchone()
            stale = int(households_run is not None and (now is None or now[0] != households_run))
            names = [c for c, _ in PAIR_COLUMNS]
            conn.executemany(
                f"INSERT INTO assignments (commune, year, {', '.join(names)}, recorded_at, stale)"
                f" VALUES (?, ?, {', '.join('?' * len(names))}, ?, ?)",
                ([commune, year, *row, stamp, stale] for row in zip(*pair_cols, strict=True)),
            )
            names = [c for c, _ in TWINNING_COLUMNS]
            conn.executemany(
                f"INSERT INTO twinnings (commune, year, position, {', '.join(names)}) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(names))})",
                (
                    [commune, year, position, *row]
                    for position, row in enumerate(zip(*twin_cols, strict=True))
                ),
            )
            conn.execute(
                "INSERT INTO member_lists (commune, year, recorded_at, source, twinnings)"
                " VALUES (?, ?, ?, ?, ?)",
                (commune, year, stamp, source, len(twin)),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def load_members(self, commune: str, year: int) -> pd.DataFrame:
        """The members stored for a commune-year, by code (an empty frame when none)."""
        names = ", ".join(c for c, _ in MEMBER_COLUMNS)
        rows = self._read(
            f"SELECT {names} FROM members WHERE commune = ? AND year = ? ORDER BY ma_dang_vien",
            (str(commune), int(year)),
        )
        return _typed_frame(rows, MEMBER_COLUMNS)

    def member_list(self, commune: str, year: int) -> MemberList | None:
        """What is known about the stored members list of a commune-year: None when no list
        was stored with schema v5 or later (its twinnings, if any, were not kept)."""
        rows = self._read(
            "SELECT recorded_at, source, twinnings FROM member_lists"
            " WHERE commune = ? AND year = ?",
            (str(commune), int(year)),
        )
        if not rows:
            return None
        recorded_at, source, twinnings = rows[0]
        return MemberList(
            recorded_at=str(recorded_at),
            source=None if source is None else str(source),
            twinnings=int(str(twinnings)),
        )

    def load_twinnings(self, commune: str, year: int) -> pd.DataFrame:
        """The twinnings stored with a commune-year's members (chi_bo, thon, ghi_chu as
        ``string``), in the order of the workbook; an empty frame when none."""
        names = ", ".join(c for c, _ in TWINNING_COLUMNS)
        rows = self._read(
            f"SELECT {names} FROM twinnings WHERE commune = ? AND year = ? ORDER BY position",
            (str(commune), int(year)),
        )
        return _typed_frame(rows, TWINNING_COLUMNS)

    def load_pairs(self, commune: str, year: int) -> pd.DataFrame:
        """The recorded pairs of a commune-year (an empty frame when none were recorded)."""
        names = ", ".join(c for c, _ in PAIR_COLUMNS)
        rows = self._read(
            f"SELECT {names} FROM assignments WHERE commune = ? AND year = ?"
            " ORDER BY ma_dang_vien, ma_ho",
            (str(commune), int(year)),
        )
        return _typed_frame(rows, PAIR_COLUMNS)

    def assignment_status(self, commune: str, year: int) -> AssignmentStatus | None:
        """When the commune-year's pairs were recorded, and whether its households were
        imported again after that (stale); None when no pairs are stored."""
        commune, year = str(commune), int(year)
        rows = self._read(
            "SELECT max(recorded_at), count(*), max(stale) FROM assignments"
            " WHERE commune = ? AND year = ?",
            (commune, year),
        )
        recorded_at, count, stale = rows[0]
        if not count:
            return None
        run = self.year_run(commune, year)
        return AssignmentStatus(
            recorded_at=str(recorded_at),
            pairs=int(str(count)),
            stale=bool(stale),
            households_recorded_at=None if run is None else run.recorded_at,
        )

    # -- support ledger (ngheo support) ------------------------------------------------------

    def record_support(
        self,
        commune: str,
        year: int,
        records: pd.DataFrame,
        *,
        source: str | None,
        input_sha256: str | None,
        rows_read: int,
        rejected: int,
    ) -> SupportImport:
        """Add the records not yet in the store (by ``record_key``) in one transaction and
        log the import. ``records``: :data:`SUPPORT_COLUMNS` and ``record_key``, indexed by
        the Excel row each came from."""
        commune, year = str(commune), int(year)
        stamp = now_iso()
        rows = [
            (
                commune,
                year,
                str(rec["record_key"]),
                *(_sql_value(rec.get(c)) for c in SUPPORT_COLUMNS),
                int(excel_row),
            )
            for excel_row, rec in zip(records.index, records.to_dict("records"), strict=True)
        ]
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                "INSERT INTO support_imports (commune, year, recorded_at, source, input_sha256,"
                " tool_version, rows_read, added, already_recorded, rejected)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?)",
                (commune, year, stamp, source, input_sha256, __version__, rows_read, rejected),
            )
            import_id = int(cursor.lastrowid or 0)
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO support (commune, year, record_key, "
                f"{', '.join(SUPPORT_COLUMNS)}, source_row, import_id) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(SUPPORT_COLUMNS))}, ?, {import_id})",
                rows,
            )
            added = conn.total_changes - before
            conn.execute(
                "UPDATE support_imports SET added = ?, already_recorded = ? WHERE id = ?",
                (added, len(rows) - added, import_id),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return SupportImport(import_id=import_id, added=added)

    def load_support(self, commune: str, year: int) -> list[dict[str, object]]:
        """The support records of a commune-year (:data:`SUPPORT_COLUMNS` and ``record_key``
        as plain values), by date then in the order recorded."""
        names = [*SUPPORT_COLUMNS, "record_key"]
        rows = self._read(
            f"SELECT {', '.join(names)} FROM support WHERE commune = ? AND year = ?"
            " ORDER BY ngay, rowid",
            (str(commune), int(year)),
        )
        return [dict(zip(names, row, strict=True)) for row in rows]


def _sql_value(value: object) -> object:
    """A plain value SQLite stores: NaN/NA → None, numpy scalars → Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    item = getattr(value, "item", None)
    if item is not None and not isinstance(value, str):
        value = item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _typed_array(values: Sequence[object], kind: str) -> Any:
    """One stored column (plain values, None where NULL) as the array :meth:`Store.load_year`
    returns: text as ``string``, counts as ``Int64``, flags as ``boolean``, reals as
    ``float64`` (NaN where NULL). Built through Arrow from the values (no object frame); a
    value of another type than its column's (a store edited by another tool) takes pandas'
    own conversion, with its result or its error."""
    try:
        if kind == _REAL:
            return np.array(values, dtype="float64")
        # Arrow infers the values' type: a column holding only its own kind (or NULL) is
        # taken as it is, anything else goes the slow way (never a silent truncation).
        arrow = pa.array(values)
    except (pa.ArrowException, TypeError, ValueError):
        return _typed_array_slow(values, kind)
    if kind == _TEXT:
        if not (pa.types.is_string(arrow.type) or pa.types.is_null(arrow.type)):
            return _typed_array_slow(values, kind)
        return pd.arrays.ArrowStringArray(arrow.cast(pa.large_string()))
    if not (pa.types.is_int64(arrow.type) or pa.types.is_null(arrow.type)):
        return _typed_array_slow(values, kind)
    numbers = arrow.cast(pa.int64()).fill_null(0).to_numpy().copy()  # writeable, like pandas
    missing = arrow.is_null().to_numpy(zero_copy_only=False)
    if kind == _INT:
        return pd.arrays.IntegerArray(numbers, missing)
    return pd.arrays.BooleanArray(numbers != 0, missing)


def _typed_array_slow(values: Sequence[object], kind: str) -> Any:
    column = pd.Series(list(values), dtype=object).infer_objects()
    if kind == _TEXT:
        return column.astype("string").array
    if kind == _INT:
        return column.astype("Int64").array
    if kind == _REAL:
        return pd.to_numeric(column).astype("float64").to_numpy()
    return column.astype("Int64").astype("boolean").array


def _stored_run(row: Sequence[object]) -> StoredRun:
    values = dict(zip(_RUN_COLUMNS, row, strict=True))
    return StoredRun(
        id=int(str(values["id"])),
        commune=str(values["commune"]),
        year=int(str(values["year"])),
        recorded_at=str(values["recorded_at"]),
        source=None if values["source"] is None else str(values["source"]),
        input_sha256=None if values["input_sha256"] is None else str(values["input_sha256"]),
        tool_version=str(values["tool_version"]),
        standard=str(values["standard"]),
        households=int(str(values["households"])),
        rejected=int(str(values["rejected"])),
        indicators=tuple(json.loads(str(values["indicators"]))),
        origin=str(values["origin"]),
        decision_no=None if values["decision_no"] is None else str(values["decision_no"]),
        decision_date=None if values["decision_date"] is None else str(values["decision_date"]),
    )


def _plain_rows(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> list[list[object]]:
    """Column-wise plain Python values (None for missing) for executemany."""
    out: list[list[object]] = []
    for key, kind in columns:
        if key not in frame.columns:
            out.append([None] * len(frame))
            continue
        series = frame[key]
        if kind == "text":
            values = series.astype(object).where(series.notna(), None).tolist()
            out.append([None if v is None else str(v) for v in values])
        elif kind == "bool":
            out.append([None if pd.isna(v) else int(bool(v)) for v in series.astype(object)])
        else:
            out.append([None if pd.isna(v) else int(v) for v in series.astype(object)])
    return out


def _typed_frame(
    rows: list[tuple[object, ...]], columns: Sequence[tuple[str, str]]
) -> pd.DataFrame:
    """Rows of ``columns`` ("text" / "bool" / "int") as a frame of typed columns (as
    :meth:`Store.load_year` builds its own)."""
    values = list(zip(*rows, strict=True)) or [()] * len(columns)
    return pd.DataFrame(
        {
            key: _typed_array(column, kind)
            for (key, kind), column in zip(columns, values, strict=True)
        }
    )


def record_assignment(
    store: Store,
    commune: str,
    year: int,
    members: pd.DataFrame,
    pairs: pd.DataFrame,
    twinnings: pd.DataFrame | None = None,
    *,
    source: str | None = None,
) -> None:
    """:meth:`Store.record_assignment` (kept as a function for callers of schema v2–v4)."""
    store.record_assignment(commune, year, members, pairs, twinnings, source=source)


def load_members(store: Store, commune: str, year: int) -> pd.DataFrame:
    """:meth:`Store.load_members`."""
    return store.load_members(commune, year)


def load_pairs(store: Store, commune: str, year: int) -> pd.DataFrame:
    """:meth:`Store.load_pairs`."""
    return store.load_pairs(commune, year)
