"""Which communes to run: each one's inputs, settings and the tool version hashed and compared
with the manifest; an unchanged commune is skipped unless forced."""


from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ngheo_cli import __version__
from ngheo_cli.batch.discover import Discovery
from ngheo_cli.io.atomic import sha256_file
from ngheo_cli.io.outputs import runfiles

OUTPUT_DIR = "ket_qua"


@dataclass(frozen=True)
class CommuneTask:
    """Everything a worker needs to run one commune (plain, picklable)."""

    root: str
    year: int
    code: str
    survey: str
    members: str | None
    support: str | None
    out_dir: str
    report: bool
    today: str  # ISO date of the run start, Vietnam time (the report's date)
    # The per-commune files to write (ngheo.yaml ``batch: {outputs: …}``); None: all.
    outputs: tuple[str, ...] | None = None


@dataclass
class Plan:
    discovery: Discovery
    year_dir: Path
    tasks: list[CommuneTask]
    entries: dict[str, dict[str, Any]]  # code -> manifest entry to write once it succeeds
    skipped: list[str]
    problems: dict[str, str]  # code -> why it cannot run


def _earlier_years(runs: Any, code: str, year: int) -> dict[str, str | None]:
    """The input hash of the last import of each earlier year (history and trends use them)."""
    mine = runs[(runs["commune"] == code) & (runs["year"] < year)]
    last = mine.sort_values("id").groupby("year").tail(1)
    return {str(int(r.year)): r.input_sha256 for r in last.itertuples()}


def plan(
    discovery: Discovery, *, force: bool = False, today: date | None = None,
    reports: bool = True,
) -> Plan:
    """Which communes to run: those whose inputs, settings or tool version changed."""
    from ngheo_cli.io import rulesets

    ws, year = discovery.workspace, discovery.year
    standard = rulesets.resolve(year).id  # a year no standard covers: RulesetError, exit 4
    year_dir = ws.root / OUTPUT_DIR / str(year)
    manifest = runfiles.read_manifest(year_dir) if year_dir.is_dir() else {}
    shared = {
        "year": year,
        "standard": standard,
        "province": {"code": ws.province_code, "name": ws.province_name},
        "assign": ws.assign,
        "support": ws.support or None,  # as written (None when absent)
        "targets": ws.targets,
        "report": reports,
        # Only when set, so that a manifest written before the setting existed still matches.
        **({"outputs": list(ws.batch_outputs)} if ws.batch_outputs is not None else {}),
    }
    today = today or runfiles.now().date()
    with ws.open_store() as store:
        runs = store.runs()
    tasks, skipped, problems, entries = [], [], {}, {}
    for item in discovery.communes:
        if item.problem is not None or item.survey is None:
            problems[item.code] = item.problem or "Không có sổ rà soát."
            continue
        try:
            inputs = {k: sha256_file(p) for k, p in item.files().items()}
        except OSError as exc:
            problems[item.code] = f"Không đọc được sổ của xã {item.code}: {exc.strerror or exc}."
            continue
        settings = {
            **shared,
            "commune": ws.commune(item.code).to_dict(),
            "earlier_years": _earlier_years(runs, item.code, year),
        }
        old = manifest.get(item.code)
        if not force and runfiles.unchanged(old, inputs, settings, __version__, year_dir):
            skipped.append(item.code)
            continue
        entries[item.code] = {"inputs": inputs, "settings": settings}
        tasks.append(
            CommuneTask(
                root=str(ws.root),
                year=year,
                code=item.code,
                survey=str(item.survey),
                members=str(item.members) if item.members else None,
                support=str(item.support) if item.support else None,
                out_dir=str(year_dir / item.code),
                report=reports,
                today=today.isoformat(),
                outputs=ws.batch_outputs,
            )
        )
    return Plan(discovery, year_dir, tasks, entries, skipped, problems)


