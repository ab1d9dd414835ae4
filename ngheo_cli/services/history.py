"""Working-folder commands: init, recording a classified year, history, export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ngheo_cli.core.history import (
    balances,
    mpi_changes,
    renumbering_candidates,
    transitions,
)
from ngheo_cli.core.history_result import HistoryResult
from ngheo_cli.core.mpi import MPIResult
from ngheo_cli.core.summary import mpi_by_village, mpi_for
from ngheo_cli.errors import UsageError
from ngheo_cli.io import rulesets
from ngheo_cli.io.store import HOUSEHOLD_FIELDS, Store
from ngheo_cli.io.workspace import CONFIG_NAME, CommuneConfig, Workspace, find_workspace


def require_workspace(explicit: Path | None) -> Workspace:
    """The working folder named by ``--workspace``, or found upward from the current folder."""
    ws = find_workspace(Path.cwd(), explicit)
    if ws is None:
        raise UsageError(
            f"Không tìm thấy thư mục làm việc (tệp {CONFIG_NAME}).",
            hint="Chạy `ngheo init THƯ_MỤC …` để tạo, hoặc chỉ đường bằng --workspace.",
        )
    return ws


class StoredYears:
    """The stored years of one commune's run, read once and shared by its steps (history,
    then the report): each (commune, year) is loaded in full on first use; a caller asking
    for a few columns (and the marks or not: ``marks``) gets them cut from it, as
    :meth:`Store.load_year` would return them.
    Every caller gets its own copy. Nothing may change the households between the steps
    (assignment and support record other tables)."""

    def __init__(self) -> None:
        self._frames: dict[tuple[str, int], pd.DataFrame] = {}

    def load(
        self,
        store: Store,
        commune: str,
        year: int,
        columns: list[str] | None = None,
        marks: bool | None = None,
    ) -> pd.DataFrame:
        key = (str(commune), int(year))
        full = self._frames.get(key)
        if full is None:
            full = self._frames[key] = store.load_year(commune, year)
        if columns is None and marks is not False:
            frame = full.copy()
        else:
            # As load_year cuts them: the fields asked for, standard, then the marks (the
            # columns after standard) when asked for.
            wanted = {c for c, _ in HOUSEHOLD_FIELDS} if columns is None else set(columns)
            after = list(full.columns[full.columns.get_loc("standard") + 1 :]) if marks else []
            fields = [c for c, _ in HOUSEHOLD_FIELDS if c in wanted]
            frame = full[[*fields, "standard", *after]].copy()
        frame.attrs = dict(full.attrs)
        return frame


def _mpi_of(frame: pd.DataFrame) -> MPIResult | None:
    """AF figures of a stored year under the standard it was classified with."""
    standard = str(frame["standard"].iloc[0]) if len(frame) else None
    packaged = rulesets.packaged()
    if standard is None or standard not in packaged:
        return None
    return mpi_for(frame, packaged[standard])


def history(
    ws: Workspace, commune: str, year: int, stored: StoredYears | None = None
) -> HistoryResult:
    """Compare year Y with Y−1 (and earlier years, for relapse), household by household.
    ``stored``: the run's shared reads of the store (:class:`StoredYears`)."""
    cfg = ws.commune(commune)
    with ws.open_store() as store:
        years = [y for y in store.years(cfg.code) if y <= year]
        if stored is None:
            frames = {y: store.load_year(cfg.code, y) for y in years}
        else:
            frames = {y: stored.load(store, cfg.code, y) for y in years}
    if year not in frames:
        known = ", ".join(map(str, years)) or "chưa có năm nào"
        raise UsageError(
            f"Kho chưa có số liệu năm {year} của {cfg.name} ({cfg.code}); đã có: {known}.",
            hint=f"Chạy ngheo classify SỔ.xlsx --commune {cfg.code} --year {year} trước.",
        )
    recorded = {
        y: run
        for y, f in frames.items()
        if y >= year - 1 and (run := f.attrs.get("run")) is not None and run.origin == "recorded"
    }
    for f in frames.values():
        # pandas deep-copies ``attrs`` (the stored run) into every column and result taken
        # from a frame: read once above, then dropped.
        f.attrs = {}
    previous = frames.get(year - 1)
    earlier = [frames[y] for y in sorted(frames) if y < year - 1]
    trans = transitions(frames[year], previous, earlier)
    standards = {y: str(f["standard"].iloc[0]) for y, f in frames.items() if len(f)}
    # A year recorded from a list has no deprivations: no AF figures (never zeros).
    compared = {y: f for y, f in frames.items() if y >= year - 1 and y not in recorded}
    mpi_by_year = {y: m for y, f in compared.items() if (m := _mpi_of(f)) is not None}
    changes: list[tuple[str, dict[int, MPIResult]]] = [("Toàn xã", mpi_by_year)]
    villages = sorted(set().union(*[set(f["thon"].dropna().unique()) for f in compared.values()]))
    by_year = {y: mpi_by_village(f, villages, rulesets.packaged()) for y, f in compared.items()}
    for village in villages:
        per = {y: found[village] for y, found in by_year.items() if village in found}
        if len(per) > 1:
            changes.append((village, per))
    return HistoryResult(
        commune=cfg,
        year=year,
        previous_year=year - 1 if previous is not None else None,
        transitions=trans,
        balances=balances(trans, by="thon"),
        renumbering=renumbering_candidates(trans),
        mpi_by_year=mpi_by_year,
        mpi_change=mpi_changes(changes),
        standards={y: s for y, s in standards.items() if y >= year - 1},
        recorded=recorded,
    )


def load_stored_year(ws: Workspace, commune: str, year: int) -> tuple[CommuneConfig, pd.DataFrame]:
    cfg = ws.commune(commune)
    with Store.open(ws.store_path) as store:
        return cfg, store.load_year(cfg.code, year)


def export_frame(frame: pd.DataFrame, out: Path, headers: str = "ma") -> None:
    """A stored year as CSV (UTF-8 with BOM) or xlsx, codes as text.

    The workbook is for people: Vietnamese headers, values in words (Có/Không, Nông thôn,
    Hộ nghèo), money as whole đồng. The CSV keeps the stable keys for machines unless
    ``headers="nhan"`` asks for the same labels and words.
    """
    from ngheo_cli.io.atomic import atomic_write
    from ngheo_cli.io.outputs.csv import write_csv
    from ngheo_cli.io.outputs.labels import csv_frame, header_label, officer_values
    from ngheo_cli.io.xlsx.kinds import Kind
    from ngheo_cli.io.xlsx.writer import Column, Sheet, write_workbook

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UsageError("--out phải là tệp .csv hoặc .xlsx.")
    drop = ["co_chi_so"]
    run = frame.attrs.get("run")
    if run is not None and run.origin == "recorded":
        # A recognised list has no incomes, scores or deprivations: no empty columns, and no
        # "nguon_thieu_hut" that would say where deprivations came from.
        drop += ["nguon_thieu_hut", "so_thieu_hut", "thu_nhap_binh_quan", "diem_a", "diem_b"]
    data = frame.drop(columns=[c for c in drop if c in frame.columns])
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with atomic_write(out) as tmp:
            write_csv(csv_frame(data, headers), tmp)
        return
    kinds: dict[str, Kind] = {
        "ma_ho": "code",
        "so_nhan_khau": "int",
        "so_thieu_hut": "int",
        "thu_nhap_binh_quan": "money",
        "diem_a": "score",
        "diem_b": "score",
    }
    shown = officer_values(data)
    columns = [Column(c, header_label(c), kinds.get(c, "text")) for c in shown.columns]
    write_workbook(out, [Sheet(name="Hộ", frame=shown, columns=columns)])
