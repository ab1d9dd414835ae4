"""A generated province on disk, laid out the way `ngheo batch` reads it.

``<root>/ngheo.yaml`` lists the communes; ``<root>/so_lieu/<year>/<code>/so_<code>.xlsx`` is
each commune's review list for each year, in the messy layout of a real export
(:func:`ngheo_cli.sample.writer.write_messy`). The first year comes from
:func:`~ngheo_cli.sample.generator.province_commune`, each later one from
:func:`~ngheo_cli.sample.generator.next_year` of the year before.

Every commune's draws depend on the seed and its position only, so communes are made in
parallel worker processes (``jobs``) and the files are the same bytes whatever ``jobs`` is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ngheo_cli.io.workspace import CommuneConfig, Workspace, init_workspace
from ngheo_cli.sample.generator import next_year, province_commune
from ngheo_cli.sample.writer import write_messy

PROVINCE_CODE = "66"
PROVINCE_NAME = "Đắk Lắk"


@dataclass(frozen=True)
class CommuneWritten:
    """One commune of the province: its identity and households per year written."""

    code: str
    name: str
    kind: str  # "xa" / "phuong", as ngheo.yaml spells it
    households: tuple[tuple[int, int], ...]  # (year, households)


@dataclass(frozen=True)
class _Task:
    root: Path
    seed: int
    index: int
    households: int
    first_year: int
    years: int


def survey_path(root: Path, year: int, code: str) -> Path:
    return root / "so_lieu" / str(year) / code / f"so_{code}.xlsx"


def _write_commune(task: _Task) -> CommuneWritten:
    sample = province_commune(task.seed, task.index, task.households, task.first_year)
    counts = []
    for k in range(task.years):
        if k:
            sample = next_year(sample, task.seed + k)
        path = survey_path(task.root, sample.year, sample.commune_code)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_messy(sample, path, seed=task.seed)
        counts.append((sample.year, len(sample.households)))
    kind = "phuong" if sample.unit_word == "phường" else "xa"
    return CommuneWritten(sample.commune_code, sample.commune_name, kind, tuple(counts))


def write_province(
    root: str | os.PathLike[str],
    *,
    seed: int,
    communes: int,
    households: int,
    first_year: int = 2023,
    years: int = 2,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Workspace, list[CommuneWritten]]:
    """Write ``communes`` communes × ``years`` years of ``households`` households (the first
    year; later years drift) and the working folder's ``ngheo.yaml`` under ``root``.

    ``jobs`` worker processes make the communes (1: in this process). ``progress(done,
    total)`` is called as communes finish. Returns the workspace and what was written."""
    if communes < 1 or households < 1 or years < 1 or jobs < 1:
        raise ValueError("communes, households, years and jobs must be >= 1")
    base = Path(root)
    tasks = [_Task(base, seed, i, households, first_year, years) for i in range(communes)]
    written: list[CommuneWritten] = []
    if jobs == 1:
        for task in tasks:
            written.append(_write_commune(task))
            if progress is not None:
                progress(len(written), communes)
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, communes)) as pool:
            for result in pool.map(_write_commune, tasks):
                written.append(result)
                if progress is not None:
                    progress(len(written), communes)
    configs = [CommuneConfig.create(c.code, c.name, c.kind) for c in written]
    workspace = init_workspace(base, PROVINCE_CODE, PROVINCE_NAME, configs, force=True)
    return workspace, written
