"""`ngheo batch` at province scale: N commune workbooks (messy layout) for 2023 and 2024,
2023 recorded beforehand (untimed), then the timed 2024 run (classify + record + history;
with ``--with-report`` also the commune and province reports) with `--jobs 1` and
`--jobs 2`, each from a fresh copy of the same working folder.

    python benchmarks/bench_batch.py [--communes 120] [--households 8300] [--jobs 1,2]
                                     [--with-report]

Goal (issue 7): 1.000.000 households in 120 workbooks under 90 s with --jobs 2 on the
2-core machine, peak memory under 2 GB. Prints the speed-up over --jobs 1 and a national
estimate (3.321 communes, 27 million households) from the measured per-commune costs.

Peak memory is the whole process tree (the batch process and its pool workers), sampled
every 0.1 s from /proc (VmRSS summed over the tree); the largest single-process high-water
mark (VmHWM) is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import file_digest, fmt_s, print_table, verdict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NATION_COMMUNES = 3_321
NATION_HOUSEHOLDS = 27_000_000
YEARS = (2023, 2024)


# --------------------------------------------------------------------------- inputs


def _build(folder: Path, communes: int, households: int, seed: int) -> None:
    """The working folder: ngheo.yaml and so_lieu/<year>/<code>/so_<code>.xlsx (child process,
    so that the parent stays light)."""
    code = f"""
import sys
from pathlib import Path
from ngheo_cli.sample.writer import write_messy
from ngheo_cli.io.workspace import CommuneConfig, init_workspace
from ngheo_cli.sample.generator import generate_province, next_year
root = Path({str(folder)!r})
configs = []
for i, s in enumerate(generate_province({seed}, {communes}, {households}, year=2023)):
    kind = "phuong" if s.commune_name.startswith("Phường") else "xa"
    configs.append(CommuneConfig.create(s.commune_code, s.commune_name, kind))
    for smp in (s, next_year(s, {seed} + 1)):
        d = root / "so_lieu" / str(smp.year) / s.commune_code
        d.mkdir(parents=True, exist_ok=True)
        write_messy(smp, d / f"so_{{s.commune_code}}.xlsx", seed={seed})
    print(f"  generated {{i + 1}}/{communes}", file=sys.stderr, flush=True)
init_workspace(root, "66", "Đắk Lắk", configs, force=True)
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def _batch_argv(root: Path, year: int, jobs: int, report: bool = False) -> list[str]:
    argv = [sys.executable, "-m", "ngheo_cli", "batch", str(root), "--year", str(year),
            "--jobs", str(jobs), "--json"]
    return argv if report else [*argv, "--no-report"]


def prepare(workdir: Path, communes: int, households: int, seed: int) -> Path:
    """A working folder with both years' workbooks and 2023 recorded; cached."""
    sources = [ROOT / "ngheo_cli" / "sample" / "generator.py",
               ROOT / "ngheo_cli" / "sample" / "writer.py"]
    base = workdir / f"batch_{communes}x{households}_s{seed}"
    stamp = base / ".inputs"
    digest = file_digest(sources)
    if stamp.is_file() and stamp.read_text() == digest:
        return base
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    print(f"Generating {communes} communes × {households} households × 2 years "
          f"into {base} (once)…", file=sys.stderr)
    start = time.perf_counter()
    _build(base, communes, households, seed)
    print(f"  generated in {fmt_s(time.perf_counter() - start)}; recording 2023 (untimed)…",
          file=sys.stderr)
    done = subprocess.run(_batch_argv(base, 2023, 2), capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"setup run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    stamp.write_text(digest)
    return base


# --------------------------------------------------------------------------- measuring


def _tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(argv: list[str]) -> dict:
    """Run ``argv``; wall time, sampled peak RSS of the process tree, the JSON summary."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
    peak_tree = 0
    peak_one: dict[int, int] = {}
    import threading

    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))  # type: ignore[union-attr]
    reader.start()
    while proc.poll() is None:
        pids = _tree(proc.pid)
        peak_tree = max(peak_tree, sum(_status_kb(p, "VmRSS:") for p in pids))
        for p in pids:
            peak_one[p] = max(peak_one.get(p, 0), _status_kb(p, "VmHWM:"))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    reader.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"batch failed with exit {proc.returncode}: {' '.join(argv)}")
    return {
        "wall_s": wall,
        "peak_tree_mb": peak_tree / 1024,
        "peak_process_mb": max(peak_one.values(), default=0) / 1024,
        "summary": json.loads(out[0]),
        "exit": proc.returncode,
    }


def step_costs(summary: dict) -> dict[str, float]:
    """Seconds per commune, by step (mean over the communes run)."""
    totals: dict[str, float] = {}
    communes = summary["communes"]
    for c in communes:
        for s in c["steps"]:
            totals[s["step"]] = totals.get(s["step"], 0.0) + s["duration_s"]
        totals["commune (all steps)"] = totals.get("commune (all steps)", 0.0) + c["duration_s"]
    return {k: v / max(len(communes), 1) for k, v in totals.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--communes", type=int, default=120)
    ap.add_argument("--households", type=int, default=8300, help="households per commune")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to compare")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--with-report", action="store_true",
                    help="also the commune and province reports (default: classify + record "
                    "+ history, as the issue's goal)")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "_work")
    args = ap.parse_args(argv)

    base = prepare(args.workdir, args.communes, args.households, args.seed)
    results = {}
    for jobs in [int(j) for j in args.jobs.split(",")]:
        run_dir = args.workdir / f"batch_run_j{jobs}"
        shutil.rmtree(run_dir, ignore_errors=True)
        shutil.copytree(base, run_dir)
        print(f"Timing --jobs {jobs}…", file=sys.stderr)
        results[jobs] = measure(_batch_argv(run_dir, 2024, jobs, args.with_report))

    first = next(iter(results.values()))["summary"]
    households = first["totals"]["households"]
    print(f"\nngheo batch, year 2024: {args.communes} communes, {households:,} households "
          f"classified (2023 recorded beforehand); report step: "
          f"{first['province_report'].get('status', 'n/a')}")
    rows = []
    one = results.get(1)
    for jobs, r in results.items():
        speed = one["wall_s"] / r["wall_s"] if one else float("nan")
        rows.append([f"--jobs {jobs}", fmt_s(r["wall_s"]), f"{r['peak_tree_mb']:.0f} MB",
                     f"{r['peak_process_mb']:.0f} MB", f"{households / r['wall_s']:,.0f}",
                     f"{speed:.2f}×", r["exit"]])
    print_table(["run", "wall", "peak RSS (tree)", "peak RSS (1 proc)", "households/s",
                 "speed-up", "exit"], rows)

    best_jobs = max(results)
    best = results[best_jobs]
    ref = one or best
    print("\nPer-commune cost by step (mean seconds per commune, inside the worker; classify "
          "includes recording in the store, so its growth with --jobs includes waiting for the "
          "store's write lock and the shared CPU):")
    costs = {jobs: step_costs(r["summary"]) for jobs, r in results.items()}
    steps = list(next(iter(costs.values())))
    print_table(["step", *[f"--jobs {j}" for j in costs]],
                [[k, *[f"{c.get(k, 0):.3f}" for c in costs.values()]] for k in steps])

    ok_time = best["wall_s"] < 90
    ok_mem = best["peak_tree_mb"] < 2048
    scale = "" if households >= 990_000 else f" (this run: {households:,} households)"
    print(f"\nGoal (1.000.000 households, --jobs 2 under 90 s, under 2 GB){scale}: "
          f"{fmt_s(best['wall_s'])} {verdict(ok_time)}, "
          f"{best['peak_tree_mb']:.0f} MB {verdict(ok_mem)}")

    # National estimate: per-household cost of the busy worker time, scaled to 27 million.
    per_household = sum(c["duration_s"] for c in ref["summary"]["communes"]) / households
    efficiency = (one["wall_s"] / best["wall_s"]) / best_jobs if one and best_jobs > 1 else 1.0
    overhead = one["wall_s"] - sum(c["duration_s"] for c in one["summary"]["communes"]) \
        if one else 0.0
    print(f"\nNational estimate ({NATION_COMMUNES:,} communes, {NATION_HOUSEHOLDS:,} households),"
          f" from {per_household * 1e6:.1f} µs of worker time per household (--jobs 1) and a "
          f"parallel efficiency of {efficiency:.0%} at --jobs {best_jobs}:")
    est_rows = []
    for cores in (2, 8, 16, 32, 64):
        work = per_household * NATION_HOUSEHOLDS
        wall = work / (cores * efficiency) + overhead
        est_rows.append([cores, fmt_s(work), f"{wall / 60:.0f} min"])
    print_table(["cores", "worker time", "estimated wall"], est_rows)
    store = args.workdir / f"batch_run_j{best_jobs}" / "ngheo.sqlite"
    if store.exists():
        per_hh_bytes = store.stat().st_size / (2 * households)  # two years recorded
        print(f"Store: {per_hh_bytes:.0f} bytes per household-year → about "
              f"{per_hh_bytes * NATION_HOUSEHOLDS / 1e9:.1f} GB per national year "
              "(one SQLite file; its writes are serialised, one commune-year per transaction).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
