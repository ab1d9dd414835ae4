"""Working-folder commands: init, recording a classified year, history, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .core.history import (
    balance_dict,
    balances,
    mpi_change,
    renumbering_candidates,
    transitions,
)
from .core.mpi import MPIResult
from .core.summary import mpi_for
from .errors import UsageError
from .io import rulesets
from .io.store import Store
from .io.workspace import CONFIG_NAME, CommuneConfig, Workspace, find_workspace


def require_workspace(explicit: Path | None) -> Workspace:
    """The working folder named by ``--workspace``, or found upward from the current folder."""
    ws = find_workspace(Path.cwd(), explicit)
    if ws is None:
        raise UsageError(
            f"Không tìm thấy thư mục làm việc (tệp {CONFIG_NAME}).",
            hint="Chạy `ngheo init THƯ_MỤC …` để tạo, hoặc chỉ đường bằng --workspace.",
        )
    return ws


def _mpi_of(frame: pd.DataFrame) -> MPIResult | None:
    """AF figures of a stored year under the standard it was classified with."""
    standard = str(frame["standard"].iloc[0]) if len(frame) else None
    if standard is None or standard not in rulesets.packaged():
        return None
    return mpi_for(frame, rulesets.packaged()[standard])


@dataclass
class HistoryResult:
    commune: CommuneConfig
    year: int
    previous_year: int | None
    transitions: pd.DataFrame
    balances: dict[str, pd.DataFrame]
    renumbering: pd.DataFrame
    mpi_by_year: dict[int, MPIResult]
    mpi_change: pd.DataFrame
    standards: dict[int, str]
    outputs: list[Path] = field(default_factory=list)

    @property
    def series_break(self) -> bool:
        """True when the years compared were classified under different standards."""
        return len(set(self.standards.values())) > 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "commune": self.commune.code,
            "commune_name": self.commune.name,
            "year": self.year,
            "previous_year": self.previous_year,
            "standards": {str(y): s for y, s in sorted(self.standards.items())},
            "series_break": self.series_break,
        }
        out.update(balance_dict(self.transitions))
        counts = self.transitions["bien_dong"].value_counts()
        out["bien_dong"] = {str(k): int(v) for k, v in sorted(counts.items()) if v}
        out["renumbering"] = [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in self.renumbering.astype(object).to_dict("records")
        ]
        out["mpi"] = {
            str(y): {"H": m.H, "A": m.A, "M0": m.M0} for y, m in sorted(self.mpi_by_year.items())
        }
        change = self.mpi_change
        out["mpi_change"] = [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in change[change["nhom"] == "Toàn xã"].astype(object).to_dict("records")
        ]
        out["outputs"] = [str(p) for p in self.outputs]
        return out


def history(ws: Workspace, commune: str, year: int) -> HistoryResult:
    """Compare year Y with Y−1 (and earlier years, for relapse), household by household."""
    cfg = ws.commune(commune)
    with ws.open_store() as store:
        years = [y for y in store.years(cfg.code) if y <= year]
        frames = {y: store.load_year(cfg.code, y) for y in years}
    if year not in frames:
        known = ", ".join(map(str, years)) or "chưa có năm nào"
        raise UsageError(
            f"Kho chưa có số liệu năm {year} của {cfg.name} ({cfg.code}); đã có: {known}.",
            hint=f"Chạy ngheo classify SỔ.xlsx --commune {cfg.code} --year {year} trước.",
        )
    previous = frames.get(year - 1)
    earlier = [frames[y] for y in sorted(frames) if y < year - 1]
    trans = transitions(frames[year], previous, earlier)
    standards = {y: str(f["standard"].iloc[0]) for y, f in frames.items() if len(f)}
    compared = {y: f for y, f in frames.items() if y >= year - 1}
    mpi_by_year = {y: m for y, f in compared.items() if (m := _mpi_of(f)) is not None}
    changes = [mpi_change(mpi_by_year).assign(nhom="Toàn xã")]
    villages = sorted(set().union(*[set(f["thon"].dropna()) for f in compared.values()]))
    for village in villages:
        per = {}
        for y, f in compared.items():
            part = f[f["thon"] == village]
            if len(part) and (m := _mpi_of(part)) is not None:
                per[y] = m
        if len(per) > 1:
            changes.append(mpi_change(per).assign(nhom=village))
    return HistoryResult(
        commune=cfg,
        year=year,
        previous_year=year - 1 if previous is not None else None,
        transitions=trans,
        balances=balances(trans, by="thon"),
        renumbering=renumbering_candidates(trans),
        mpi_by_year=mpi_by_year,
        mpi_change=pd.concat(changes, ignore_index=True),
        standards={y: s for y, s in standards.items() if y >= year - 1},
    )


def load_stored_year(ws: Workspace, commune: str, year: int) -> tuple[CommuneConfig, pd.DataFrame]:
    cfg = ws.commune(commune)
    with Store.open(ws.store_path) as store:
        return cfg, store.load_year(cfg.code, year)


def export_frame(frame: pd.DataFrame, out: Path) -> None:
    """A stored year as CSV (UTF-8 with BOM) or xlsx, keys as headers, codes as text."""
    from .io.atomic import atomic_write
    from .io.csv_out import write_csv
    from .io.xlsx_writer import Column, Sheet, write_workbook

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UsageError("--out phải là tệp .csv hoặc .xlsx.")
    data = frame.drop(columns=[c for c in ("co_chi_so",) if c in frame.columns])
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with atomic_write(out) as tmp:
            write_csv(data, tmp)
        return
    kinds = {"ma_ho": "code", "so_nhan_khau": "int", "thu_nhap_binh_quan": "money"}
    columns = [
        Column(c, c, "mark" if data[c].dtype == bool else kinds.get(c, "text"))
        for c in data.columns
    ]
    write_workbook(out, [Sheet(name="Hộ", frame=data, columns=columns)])
