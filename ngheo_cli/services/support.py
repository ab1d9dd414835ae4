"""The support ledger (``ngheo support``): import records, add one, summarise a year.

Records are kept per commune and year in the working folder's store (tables ``support``
and ``support_imports``, store schema v3), one row per content key
(:func:`ngheo_cli.core.support.record_key`): importing a file twice, or the same record
from two files, never counts twice. The SQL lives in :class:`ngheo_cli.io.store.Store`
(``record_support``, ``load_support``), the checks and tables in :mod:`ngheo_cli.core.support`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ngheo_cli.core import support as core
from ngheo_cli.core.parse import format_vn
from ngheo_cli.core.support.results import ImportResult, SupportSummary
from ngheo_cli.core.table import RawTable
from ngheo_cli.errors import UsageError
from ngheo_cli.io.atomic import sha256_file
from ngheo_cli.io.read.workbook import load_column_map, read_table
from ngheo_cli.io.settings import read_settings
from ngheo_cli.io.store import SUPPORT_COLUMNS, Store, YearNotFound
from ngheo_cli.io.workspace import CommuneConfig, Workspace
from ngheo_cli.services.history import require_workspace

__all__ = [
    "ImportResult",
    "SupportSummary",
    "add_support",
    "import_support",
    "require_workspace",
    "support_settings",
    "support_summary",
]

# --- settings --------------------------------------------------------------------------------

def support_settings(ws: Workspace) -> core.CommitmentRules:
    """The ``support:`` section of ``ngheo.yaml`` (defaults when it is absent), as the one
    settings reader (:mod:`ngheo_cli.io.settings`) checked it. A workspace built in code, not
    read from its file (``support`` None), has its file read now."""
    if ws.support is None:
        return read_settings(ws.config_path).support
    return ws.settings.support


# --- store -----------------------------------------------------------------------------------


def record_support(
    store: Store,
    commune: str,
    year: int,
    records: pd.DataFrame,
    *,
    source: str | None,
    input_sha256: str | None,
    rows_read: int,
    rejected: int,
) -> tuple[int, int]:
    """Add the records not yet in the store (by content key) in one transaction and log the
    import; return (import id, number added)."""
    done = store.record_support(
        commune,
        year,
        records,
        source=source,
        input_sha256=input_sha256,
        rows_read=rows_read,
        rejected=rejected,
    )
    return done.import_id, done.added


def load_support(store: Store, commune: str, year: int) -> pd.DataFrame:
    """The recorded support of a commune-year (typed as :data:`core.RECORD_COLUMNS`), by date
    then in the order recorded."""
    return core.records_frame(store.load_support(commune, year))


def _known_households(store: Store, commune: str, year: int) -> set[str] | None:
    try:
        frame = store.load_year(commune, year, columns=["ma_ho"])
    except YearNotFound:
        return None
    return set(frame["ma_ho"].astype(str))


def _members_or_none(store: Store, commune: str, year: int) -> pd.DataFrame | None:
    members = store.load_members(commune, year)
    return members if len(members) else None


# --- import and add --------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not 2000 <= int(year) <= 2100:
        raise UsageError(f"Năm {year} không hợp lệ: hãy ghi năm có bốn chữ số, ví dụ 2024.")


def nth_record(records: pd.DataFrame, sequence: int) -> pd.DataFrame:
    """The same gift given a ``sequence``-th time on purpose: its own content key (so it is
    stored beside the first) and "lần N" in the note, so the ledger shows why."""
    if sequence == 1:
        return records
    out = records.copy()
    out["record_key"] = [
        hashlib.sha256(f"{key}\x1flần {sequence}".encode()).hexdigest()[:32]
        for key in out["record_key"]
    ]
    mark = f"lần {sequence}"
    out["ghi_chu"] = [
        mark if pd.isna(note) or str(note) == "" else f"{note} ({mark})"
        for note in out["ghi_chu"]
    ]  # fmt: skip
    return out


def _import_raw(
    ws: Workspace,
    cfg: CommuneConfig,
    year: int,
    raw: RawTable,
    sha: str | None,
    sequence: int = 1,
) -> ImportResult:
    with ws.open_store() as store:
        households = _known_households(store, cfg.code, year)
        members = _members_or_none(store, cfg.code, year)
        records, findings = core.prepare_support(raw, year, households=households, members=members)
        records = nth_record(records, sequence)
        result = ImportResult(
            commune=cfg,
            year=year,
            source=raw.source,
            input_sha256=sha,
            rows_read=len(raw.frame),
            records=records,
            findings=findings,
            skipped=list(raw.skipped),
            raw=raw,
        )
        import_id, added = record_support(
            store,
            cfg.code,
            year,
            records,
            source=raw.source,
            input_sha256=sha,
            rows_read=result.rows_read,
            rejected=result.rejected,
        )
    result.import_id = import_id
    result.added = added
    result.already_recorded = len(records) - added
    return result


def import_support(
    ws: Workspace,
    commune: str,
    year: int,
    path: Path,
    *,
    sheet: str | None = None,
    column_map: Path | None = None,
) -> ImportResult:
    """Read a support workbook, check every cell and add its valid records to the commune-year.

    Household codes are checked against the households stored for the year, member codes
    against the members stored for the year (either check is skipped, with a warning, when
    the store has none). Rows with an error are left out and named; the others are recorded.
    """
    _check_year(year)
    cfg = ws.commune(commune)
    mapping = load_column_map(column_map) if column_map is not None else None
    raw = read_table(
        path,
        fields=core.SUPPORT_FIELDS,
        required=core.SUPPORT_REQUIRED,
        sheet=sheet,
        column_map=mapping,
        display_name=path.name,
    )
    return _import_raw(ws, cfg, year, raw, sha256_file(path))


# `ngheo support add` takes exactly the fields a record is stored with.
ADD_FIELDS: tuple[str, ...] = SUPPORT_COLUMNS


def add_support(
    ws: Workspace,
    commune: str,
    year: int,
    *,
    cell_names: Mapping[str, str] | None = None,
    sequence: int = 1,
    **fields: object,
) -> ImportResult:
    """Record one entry given as values (keys of :data:`ADD_FIELDS`; numbers or text, read as
    in a workbook). Findings name the field (``cell_names`` maps a key to what to show,
    e.g. the command-line option) instead of an Excel cell, in the cell and in the message.

    An entry identical to one already recorded is the same entry (not counted twice) unless
    ``sequence`` says it is the 2nd, 3rd… identical gift given on purpose."""
    _check_year(year)
    if sequence < 1:
        raise UsageError(f"--lan phải từ 1 trở lên (đang là {sequence}).")
    unknown = sorted(set(fields) - set(ADD_FIELDS))
    if unknown:
        raise UsageError(f"Không có trường {', '.join(unknown)}; dùng: {', '.join(ADD_FIELDS)}.")
    cfg = ws.commune(commune)
    values = {k: (None if v is None else str(v)) for k, v in fields.items() if k in ADD_FIELDS}
    frame = pd.DataFrame({k: [values.get(k)] for k in ADD_FIELDS}, index=pd.Index([1]))
    source = "dòng lệnh"
    raw = RawTable(
        source=source,
        sheet=source,
        frame=frame,
        columns={k: chr(65 + i) for i, k in enumerate(ADD_FIELDS)},
        headers={k: core.SUPPORT_FIELD_BY_KEY[k].label for k in ADD_FIELDS},
        header_rows=(),
    )
    result = _import_raw(ws, cfg, year, raw, None, sequence)
    names = dict(cell_names or {})
    result.findings = [
        replace(
            f,
            sheet=source,
            cell=names.get(f.column or "", f.column or source),
            row=0,
            message=_name_options(f.message, names),
        )
        for f in result.findings
    ]
    return result


def _name_options(message: str, names: Mapping[str, str]) -> str:
    """"ở cột Số lượng" → "ở tuỳ chọn --quantity": a command line has options, not columns."""
    for key, option in names.items():
        if key in core.SUPPORT_FIELD_BY_KEY:
            label = core.SUPPORT_FIELD_BY_KEY[key].label
            message = message.replace(f"cột {label}", f"tuỳ chọn {option}")
    return message


# --- summary ---------------------------------------------------------------------------------


def _stored_year(store: Store, commune: str, year: int, years: list[int]) -> pd.DataFrame | None:
    if year not in years:
        return None
    return store.load_year(commune, year, columns=["ma_ho", "ho_ten_chu_ho", "thon", "phan_loai"])


def support_summary(ws: Workspace, commune: str, year: int) -> SupportSummary:
    """Per member (commitment met or not, by how much), per household (what, from whom, class
    this year and last), per village and kind, per kind of giver, and the outcome
    comparison (see :func:`ngheo_cli.core.support.outcome_comparison`)."""
    _check_year(year)
    cfg = ws.commune(commune)
    rules = support_settings(ws)
    notes: list[str] = []
    with ws.open_store() as store:
        records = load_support(store, cfg.code, year)
        members = _members_or_none(store, cfg.code, year)
        years = store.years(cfg.code)
        frames = {y: _stored_year(store, cfg.code, y, years) for y in (year - 1, year)}
        pairs_by_year = {y: store.load_pairs(cfg.code, y) for y in (year - 1, year)}

    if records.empty:
        notes.append(
            f"Kho chưa có bản ghi hỗ trợ nào năm {year} của {cfg.name}: chạy "
            f"ngheo support import SỔ_HỖ_TRỢ.xlsx --commune {cfg.code} --year {year}."
        )
    if rules.placeholder:
        notes.append(
            f"Mức một ngày lương {format_vn(rules.salary_day_dong)} đ là giá trị TẠM "
            "(mặc định), không phải quy định: hãy ghi mức của xã vào mục support.salary_day_dong "
            "trong ngheo.yaml."
        )
    pairs = pairs_by_year[year]
    commitments = None
    not_on_list: list[str] = []
    if members is None:
        notes.append(
            f"Kho chưa có danh sách đảng viên năm {year}: chưa tính được cam kết của từng "
            "đảng viên (chạy ngheo assign cho năm này)."
        )
    else:
        commitments = core.check_commitments(records, members, rules, pairs)
        on_list = set(members["ma_dang_vien"].astype(str))
        givers = records.loc[records["loai_nguoi"] == "dang_vien", "nguoi_ho_tro"].astype(str)
        not_on_list = sorted(set(givers) - on_list)

    shown = core.giver_names(records, members)
    this_year, last_year = frames[year], frames[year - 1]
    households = core.household_support(records, shown, this_year, last_year, pairs)
    villages: dict[str, str] = {}
    for frame in (last_year, this_year):  # this year's village wins
        if frame is not None:
            villages.update(
                {
                    str(c): str(v)
                    for c, v in zip(frame["ma_ho"], frame["thon"], strict=True)
                    if v is not pd.NA and v is not None
                }
            )
    outcome = _outcome(year, frames, pairs_by_year, records, notes)
    return SupportSummary(
        commune=cfg,
        year=year,
        rules=rules,
        records=records,
        giver_shown=shown,
        commitments=commitments,
        givers_not_on_list=not_on_list,
        households=households,
        by_village_kind=core.village_kind_table(records, villages),
        by_giver_kind=core.giver_kind_table(records),
        outcome=outcome,
        notes=notes,
    )


def _outcome(
    year: int,
    frames: Mapping[int, pd.DataFrame | None],
    pairs_by_year: Mapping[int, pd.DataFrame],
    records: pd.DataFrame,
    notes: list[str],
) -> dict[str, Any] | None:
    """The comparison window: support in year Y to the class at the next review (Y → Y+1)
    when the store has Y+1, else the review of Y against Y−1 (Y−1 → Y)."""
    if frames.get(year) is not None and frames.get(year + 1) is not None:
        start_year, end_year, when = year, year + 1, "nam_sau"
    elif frames.get(year - 1) is not None and frames.get(year) is not None:
        start_year, end_year, when = year - 1, year, "nam_nay"
    else:
        notes.append(
            f"Kho chưa có danh sách hộ của năm {year - 1} và {year}, hay {year} và {year + 1}: "
            "chưa so sánh được kết quả thoát nghèo."
        )
        return None
    start, end = frames[start_year], frames[end_year]
    assert start is not None and end is not None
    # Helpers come from the pairing made on the starting list (its households are the ones
    # compared); failing that, from the pairing of the support year.
    recorded = {y for y, p in pairs_by_year.items() if len(p)}
    pair_year = start_year if start_year in recorded else year if year in recorded else None
    helped: set[str] = set()
    if pair_year is None:
        notes.append(
            f"Kho chưa có phân công đảng viên giúp hộ năm {start_year} hay {year}: mọi hộ được "
            "tính là không có người giúp (chạy ngheo assign)."
        )
    else:
        helped = set(pairs_by_year[pair_year]["ma_ho"].astype(str))
        if pair_year != start_year:
            notes.append(
                f"Chưa có phân công năm {start_year} nên dùng phân công năm {pair_year}, lập "
                f"từ danh sách năm {pair_year}: hộ đã thoát nghèo trong năm {pair_year} thường "
                f"không có trong đó, nên so sánh {start_year} → {end_year} nghiêng về phía bất "
                f"lợi cho nhóm có người giúp. Chạy ngheo assign --year {start_year} để so sánh "
                "đúng hơn."
            )
    result = core.outcome_comparison(start, end, helped, set(records["ma_ho"].astype(str)))
    return {
        "from_year": start_year,
        "to_year": end_year,
        "window": when,
        "pair_year": pair_year,
        **result,
        "sentence": core.outcome_sentence(result, start_year, end_year),
    }
