"""`ngheo batch` at province scale, measured against the issue's bars (issue 15).

N commune workbooks (messy layout, both years) are generated once by
``python -m ngheo_cli.sample --communes N`` and reused while the generator is unchanged; 2023
is recorded beforehand (untimed). Then the timed 2024 run (classify + record + history; with
``--with-report`` also the commune and province reports), each from a fresh copy of the same
working folder: ``--jobs 1``, ``--jobs 2`` (or ``--jobs LIST``) and, when Dask is installed
for the interpreter used (``--python``), the same run through the batch's Dask executor
against a ``distributed.LocalCluster(n_workers=2, threads_per_worker=1)`` the benchmark
starts (cluster start-up not timed, as a running cluster would be).

    python benchmarks/bench_batch.py [--communes 120] [--households 8300] [--jobs 1,2]
                                     [--with-report] [--python build/dask-venv/bin/python]

Printed: total wall time, peak memory of the whole process tree (VmRSS summed over the
batch process, its pool workers and, for Dask, the cluster's processes; sampled every 0.1
s) and the largest single process, the speed-up of each run over ``--jobs 1``, the Dask run
beside ``--jobs 2`` with its overhead ratio, per-commune worker time by stage
(classify+record, history, report), a profile of one commune's classify step (read,
classify, store write, derived output write), the I/O floor of one commune (fastexcel read
+ one xlsxwriter constant_memory write of the same rows), the verdicts against the bars and
the national estimate with its formula.

Bars (issue 15): 1.000.000 households in 120 communes with reports at ``--jobs 2`` under
120 s (goal 60 s); peak memory under 2 GB; worker time per commune of 8.300 households under
2 s (goal 1 s). A smaller run (``--communes 12``) projects its total to 1.000.000 households
and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import file_digest, fmt_s, print_table, verdict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The country since 01/7/2025 (standards.md §6: 3.321 communes, about 8.000 households each;
# design.md: ≈ 27.000.000 households).
NATION_COMMUNES = 3_321
NATION_HOUSEHOLDS = 27_000_000
PROVINCE_HOUSEHOLDS = 1_000_000
BAR_TOTAL_S, GOAL_TOTAL_S = 120.0, 60.0
BAR_COMMUNE_S, GOAL_COMMUNE_S = 2.0, 1.0
BAR_PEAK_MB = 2048.0
YEAR = 2024
DATA_SHEET = "DS ho ra soat"  # the messy layout's household sheet (ngheo_cli.sample.writer)
GENERATOR_SOURCES = ("generator.py", "writer.py", "rows_xml.py", "province.py")


def _load() -> str:
    """The 1-minute load average (a busy shared machine inflates every time printed)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return f.read().split()[0]
    except OSError:
        return "?"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- inputs


def _batch_argv(python: str, root: Path, year: int, jobs: int, report: bool,
                executor: str | None = None) -> list[str]:
    argv = [python, "-m", "ngheo_cli", "batch", str(root), "--year", str(year), "--jobs",
            str(jobs), "--json"]
    if executor is not None:
        argv += ["--executor", executor]
    return argv if report else [*argv, "--no-report"]


def prepare(args: argparse.Namespace) -> tuple[Path, dict[str, float]]:
    """A working folder with both years' workbooks and 2023 recorded; cached while the
    generator's sources and the parameters are unchanged."""
    sources = [ROOT / "ngheo_cli" / "sample" / name for name in GENERATOR_SOURCES]
    base = args.workdir / f"batch_{args.communes}x{args.households}_s{args.seed}"
    stamp = base / ".inputs"
    digest = file_digest(sources)
    facts_file = base / ".inputs.json"
    if stamp.is_file() and stamp.read_text() == digest and facts_file.is_file():
        _say(f"Reusing the inputs in {base} (generator unchanged).")
        return base, json.loads(facts_file.read_text())
    shutil.rmtree(base, ignore_errors=True)
    base.parent.mkdir(parents=True, exist_ok=True)
    command = [args.python, "-m", "ngheo_cli.sample", "--out", str(base), "--communes",
               str(args.communes), "--households", str(args.households), "--seed",
               str(args.seed), "--jobs", str(args.gen_jobs)]
    _say(f"Generating {args.communes} communes × {args.households} households × 2 years "
         f"(once): {' '.join(command[1:])}")
    start = time.perf_counter()
    subprocess.run(command, check=True)
    generated = time.perf_counter() - start
    _say(f"  generated in {fmt_s(generated)}; recording 2023 (untimed)…")
    start = time.perf_counter()
    done = subprocess.run(_batch_argv(args.python, base, 2023, 2, False), capture_output=True,
                          text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"setup run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    facts = {"generate_s": generated, "record_2023_s": time.perf_counter() - start,
             "generate_jobs": args.gen_jobs}
    facts_file.write_text(json.dumps(facts))
    stamp.write_text(digest)
    return base, facts


# --------------------------------------------------------------------------- measuring


def _tree(root_pids: list[int]) -> list[int]:
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
    out, todo = [], list(root_pids)
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


def measure(argv: list[str], also: list[int] | None = None) -> dict:
    """Run ``argv``; wall time, sampled peak RSS of its process tree (plus the trees of
    ``also``, e.g. a Dask cluster), the JSON summary."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    peak_tree = 0
    peak_one: dict[int, int] = {}
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda: out.append(proc.stdout.read())),  # type: ignore[union-attr]
               threading.Thread(target=lambda: err.append(proc.stderr.read()))]  # type: ignore[union-attr]
    for reader in readers:
        reader.start()
    while proc.poll() is None:
        pids = _tree([proc.pid, *(also or [])])
        peak_tree = max(peak_tree, sum(_status_kb(p, "VmRSS:") for p in pids))
        for p in pids:
            peak_one[p] = max(peak_one.get(p, 0), _status_kb(p, "VmHWM:"))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    for reader in readers:
        reader.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"batch failed with exit {proc.returncode}: {' '.join(argv)}\n"
                 f"{err[0][-3000:] if err else ''}")
    return {
        "wall_s": wall,
        "peak_tree_mb": peak_tree / 1024,
        "peak_process_mb": max(peak_one.values(), default=0) / 1024,
        "summary": json.loads(out[0]),
        "exit": proc.returncode,
    }


STAGES = (("classify", "classify+record"), ("history", "history"), ("report", "report"))


def stage_costs(summary: dict) -> dict[str, float]:
    """Mean seconds per commune inside the worker, by stage, and the whole commune."""
    communes = [c for c in summary["communes"] if c.get("steps")]
    totals = {label: 0.0 for _, label in STAGES}
    other = 0.0
    for c in communes:
        for s in c["steps"]:
            label = dict(STAGES).get(s["step"])
            if label is None:
                other += s["duration_s"]
            else:
                totals[label] += s["duration_s"]
    n = max(len(communes), 1)
    out = {k: v / n for k, v in totals.items()}
    if other:
        out["other steps"] = other / n
    out["commune (worker total)"] = sum(c["duration_s"] for c in communes) / n
    return out


def _copy(base: Path, run_dir: Path) -> Path:
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(base, run_dir)
    return run_dir


# --------------------------------------------------------------------------- dask

_CLUSTER = """
import sys
from distributed import LocalCluster
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=None)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()
cluster.close()
"""


def dask_available(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import distributed"], capture_output=True)
    return probe.returncode == 0


def run_dask(args: argparse.Namespace, base: Path) -> dict | None:
    """The timed run through ``--executor dask://…`` against a 2-worker LocalCluster."""
    cluster = subprocess.Popen([args.python, "-c", _CLUSTER], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = (cluster.stdout.readline() if cluster.stdout else "").strip()
        if not address.startswith("tcp://"):
            _say("  the LocalCluster did not start: Dask row skipped")
            return None
        run_dir = _copy(base, args.workdir / "batch_run_dask")
        _say(f"Timing the Dask executor (LocalCluster at {address}, 2 workers × 1 thread)…")
        return measure(
            _batch_argv(args.python, run_dir, YEAR, 1, args.with_report,
                        executor="dask://" + address[len("tcp://"):]),
            also=[cluster.pid],
        )
    finally:
        if cluster.stdin:
            cluster.stdin.close()
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            cluster.kill()


# --------------------------------------------------------------------------- one commune

_PROFILE = """
import json, sys, time
from pathlib import Path
from ngheo_cli.services.classify import classify_file
from ngheo_cli.io.workspace import load_workspace
root, codes = Path(sys.argv[1]), sys.argv[2:]
ws = load_workspace(root)
out = []
for code in codes:
    marks = [("start", time.perf_counter())]
    survey = root / "so_lieu" / "2024" / code / f"so_{code}.xlsx"
    classify_file(survey, year=2024, commune=code, workspace=ws, write=False,
                  step=lambda note: marks.append((note, time.perf_counter())))
    t = [m[1] for m in marks]
    out.append({"read": t[1] - t[0], "classify": t[2] - t[1], "record": t[3] - t[2]})
print(json.dumps(out))
"""

_FLOOR = """
import json, statistics, sys, time
from pathlib import Path
import fastexcel, xlsxwriter
path, sheet_name, out_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
times, reads = [], []
for i in range(3):
    t0 = time.perf_counter()
    table = fastexcel.read_excel(path).load_sheet(sheet_name, header_row=None).to_arrow()
    columns = [table.column(c).to_pylist() for c in range(table.num_columns)]
    t1 = time.perf_counter()
    wb = xlsxwriter.Workbook(str(out_dir / f"floor_{i}.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet()
    cells = 0
    for r in range(table.num_rows):
        for c, column in enumerate(columns):
            value = column[r]
            if value is not None:
                ws.write(r, c, value)
                cells += 1
    wb.close()
    times.append(time.perf_counter() - t0)
    reads.append(t1 - t0)
print(json.dumps({"floor_s": statistics.median(times), "read_s": statistics.median(reads),
                  "rows": table.num_rows, "cols": table.num_columns, "cells": cells}))
"""


def one_commune(args: argparse.Namespace, base: Path, codes: list[str]) -> tuple[dict, dict]:
    """The classify step of a few communes split by stage (fresh copy: 2023 recorded), and
    the I/O floor of the first one."""
    run_dir = _copy(base, args.workdir / "batch_run_profile")
    done = subprocess.run([args.python, "-c", _PROFILE, str(run_dir), *codes],
                          capture_output=True, text=True, check=True)
    rows = json.loads(done.stdout)
    profile = {k: statistics.mean(r[k] for r in rows) for k in rows[0]}
    floor_dir = args.workdir / "batch_floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir(parents=True)
    survey = base / "so_lieu" / str(YEAR) / codes[0] / f"so_{codes[0]}.xlsx"
    done = subprocess.run([args.python, "-c", _FLOOR, str(survey), DATA_SHEET, str(floor_dir)],
                          capture_output=True, text=True, check=True)
    return profile, json.loads(done.stdout)


# --------------------------------------------------------------------------- report


def _row(name: str, r: dict, households: int, ref: dict | None, beside: dict | None) -> list:
    speed = f"{ref['wall_s'] / r['wall_s']:.2f}×" if ref else "–"
    ratio = f"{r['wall_s'] / beside['wall_s']:.2f}×" if beside else ""
    return [name, fmt_s(r["wall_s"]), f"{r['peak_tree_mb']:.0f} MB",
            f"{r['peak_process_mb']:.0f} MB", f"{households / r['wall_s']:,.0f}", speed,
            ratio, r["exit"]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--communes", type=int, default=120)
    ap.add_argument("--households", type=int, default=8300, help="households per commune")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to compare")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--with-report", action="store_true",
                    help="also the commune and province reports (the issue's bars include them)")
    ap.add_argument("--no-dask", action="store_true", help="leave the Dask row out")
    ap.add_argument("--gen-jobs", type=int, default=2,
                    help="processes generating the input (once; default 2)")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for every child (e.g. build/dask-venv/bin/python, which "
                    "has the dask extra)")
    ap.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "_work")
    args = ap.parse_args(argv)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip() or "?"
    print(f"$ python benchmarks/bench_batch.py {' '.join(argv or sys.argv[1:])}   "
          f"(commit {head}, {os.cpu_count()} CPUs, load average {_load()} at the start)")

    base, facts = prepare(args)
    results: dict[str, dict] = {}
    jobs_list = [int(j) for j in args.jobs.split(",")]
    for jobs in jobs_list:
        run_dir = _copy(base, args.workdir / f"batch_run_j{jobs}")
        _say(f"Timing --jobs {jobs}…")
        results[f"--jobs {jobs}"] = measure(
            _batch_argv(args.python, run_dir, YEAR, jobs, args.with_report))
    dask_note = ""
    if args.no_dask:
        dask_note = "Dask row left out (--no-dask)."
    elif not dask_available(args.python):
        dask_note = ("Dask không cài cho trình thông dịch này: bỏ qua hàng Dask (pip install "
                     "'ngheo[dask]', hoặc --python build/dask-venv/bin/python).")
    else:
        found = run_dask(args, base)
        if found is not None:
            results["dask 2×1"] = found

    first = next(iter(results.values()))["summary"]
    households = first["totals"]["households"]
    communes_run = len([c for c in first["communes"] if c.get("steps")])
    report_status = first.get("province_report", {}).get("status", "n/a")
    print(f"\nInputs: {args.communes} communes × {args.households} households, seed {args.seed}, "
          f"generated in {fmt_s(facts['generate_s'])} with {facts['generate_jobs']} processes "
          f"(cached; 2023 recorded in {fmt_s(facts['record_2023_s'])}, untimed).")
    print(f"ngheo batch, year {YEAR}: {communes_run} communes, {households:,} households "
          f"classified; reports: {'yes' if args.with_report else 'no'} (province report: "
          f"{report_status}).")
    one = results.get("--jobs 1")
    two = results.get("--jobs 2")
    rows = []
    for name, r in results.items():
        beside = two if name.startswith("dask") else None
        rows.append(_row(name, r, households, one, beside))
    print_table(["run", "wall", "peak RSS (tree)", "peak RSS (1 proc)", "households/s",
                 "speed-up vs --jobs 1", "vs --jobs 2", "exit"], rows)
    if dask_note:
        print(dask_note)

    costs = {name: stage_costs(r["summary"]) for name, r in results.items()}
    labels = list(dict.fromkeys(k for c in costs.values() for k in c))
    per = args.households
    print(f"\nWorker time per commune by stage (mean seconds; commune of {per:,} households; "
          "classify+record includes the store write, which waits for the store's lock, and "
          "the shared CPU when workers outnumber free cores):")
    print_table(["stage", *costs], [[k, *[f"{c.get(k, 0):.3f}" for c in costs.values()]]
                                    for k in labels])

    codes = [c["commune"] for c in first["communes"] if c.get("steps")][1:4] or \
        [c["commune"] for c in first["communes"]][:1]
    profile, floor = one_commune(args, base, codes)
    record_s = profile["record"]
    ref_run = one or next(iter(results.values()))
    ref_cost = stage_costs(ref_run["summary"])
    classify_step = ref_cost["classify+record"]
    writes = max(classify_step - profile["read"] - profile["classify"] - record_s, 0.0)
    print(f"\nOne commune's classify step, alone (mean of {len(codes)} communes, fresh process, "
          "no outputs): read "
          f"{profile['read']:.3f} s, validate+classify {profile['classify']:.3f} s, store write "
          f"{record_s:.3f} s; output workbooks ≈ {writes:.3f} s (classify+record of the batch "
          "run minus these).")
    commune_s = ref_cost["commune (worker total)"]
    print(f"I/O floor of one commune ({floor['rows']:,} rows × {floor['cols']} columns, "
          f"{floor['cells']:,} cells): fastexcel read {floor['read_s']:.3f} s + xlsxwriter "
          f"constant_memory write = {floor['floor_s']:.3f} s; the commune's worker time "
          f"{commune_s:.3f} s is {commune_s / floor['floor_s']:.1f}× the floor.")

    # Verdicts against the bars.
    best_name = "--jobs 2" if two else f"--jobs {max(jobs_list)}"
    best = two or results[best_name]
    scale = PROVINCE_HOUSEHOLDS / households
    projected = best["wall_s"] * scale
    best_cost = stage_costs(best["summary"])["commune (worker total)"]
    per_household = sum(c["duration_s"] for c in ref_run["summary"]["communes"]) / households
    commune_8300 = per_household * 8300
    print("\nBars (issue 15):")
    total_label = ("1.000.000 households" if households >= 990_000 else
                   f"projected to 1.000.000 households (× {scale:.1f} from this run's "
                   f"{households:,})")
    bars = [
        [f"total, {best_name}, {total_label}", f"< {BAR_TOTAL_S:.0f} s (goal {GOAL_TOTAL_S:.0f})",
         fmt_s(projected), verdict(projected < BAR_TOTAL_S),
         verdict(projected < GOAL_TOTAL_S)],
        ["worker time per commune of 8.300 households (--jobs 1 run, per household × 8.300)",
         f"< {BAR_COMMUNE_S:.0f} s (goal {GOAL_COMMUNE_S:.0f})", f"{commune_8300:.2f} s",
         verdict(commune_8300 < BAR_COMMUNE_S), verdict(commune_8300 < GOAL_COMMUNE_S)],
        [f"worker time per commune at {best_name} (mean)", f"< {BAR_COMMUNE_S:.0f} s",
         f"{best_cost:.2f} s", verdict(best_cost < BAR_COMMUNE_S),
         verdict(best_cost < GOAL_COMMUNE_S)],
        [f"peak memory, whole tree, {best_name}", f"< {BAR_PEAK_MB:.0f} MB",
         f"{best['peak_tree_mb']:.0f} MB", verdict(best["peak_tree_mb"] < BAR_PEAK_MB), ""],
    ]
    if not args.with_report:
        bars[0][0] += " (without reports: the bar includes them, run --with-report)"
    print_table(["bar", "target", "measured", "bar", "goal"], bars)

    # National estimate from the measured per-commune costs.
    efficiency = (one["wall_s"] / two["wall_s"]) / 2 if one and two else 1.0
    nation_work = per_household * NATION_HOUSEHOLDS
    serial = record_s / args.households * NATION_HOUSEHOLDS
    province_report = first.get("province_report", {}).get("duration_s", 0.0) or 0.0
    store = Path(args.workdir / f"batch_run_j{jobs_list[-1]}" / "ngheo.sqlite")
    years_in_store = 2
    store_bytes = store.stat().st_size / (years_in_store * households) if store.exists() else 0
    worker_mb = best["peak_process_mb"]
    print(f"\nNational estimate ({NATION_COMMUNES:,} communes, {NATION_HOUSEHOLDS:,} households):"
          f" worker time W = {per_household * 1e6:.0f} µs/household × households = "
          f"{nation_work:,.0f} s; wall ≈ max(W / (cores × e), S) + province report, with "
          f"parallel efficiency e = {efficiency:.0%} "
          f"({'--jobs 2 over --jobs 1' if one and two else 'not measured: assumed'}) and the "
          f"serial store writes S = {record_s / args.households * 1e6:.0f} µs/household × "
          f"households = {serial:,.0f} s ({record_s / max(commune_s, 1e-9):.0%} of a commune's "
          "worker time: more than 1 / that share cores only queue on the store).")
    est = []
    for cores in (2, 8, 16, 32, 64):
        wall = max(nation_work / (cores * efficiency), serial) + province_report
        est.append([cores, f"{wall / 60:.0f} min", f"{cores * worker_mb / 1024:.1f} GB"])
    print_table(["cores", "estimated wall", f"memory (cores × {worker_mb:.0f} MB/worker)"], est)
    if store_bytes:
        print(f"Store: {store_bytes:.0f} bytes per household-year ({store.stat().st_size / 1e6:.0f}"
              f" MB for {households:,} households × {years_in_store} years) → about "
              f"{store_bytes * NATION_HOUSEHOLDS / 1e9:.1f} GB per national year in one SQLite "
              "file (its writes are serialised, one commune-year per transaction).")
    print(f"Load average at the end: {_load()} (on {os.cpu_count()} CPUs; above that count, "
          "other processes shared the cores and the times are inflated).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
