"""Benchmark of ``ngheo classify`` (issue 2, item 9). Not a test: it reports, it never fails.

    .venv/bin/python benchmarks/bench_classify.py [--households 20000] [--repeat 3]
        [--rows-classify 10000000] [--workdir benchmarks/_work] [--profile]
        [--baseline REV | --baseline none] [--baseline-only] [--baseline-api]

Part 1, end to end on one synthetic commune (messy layout, fixed seed, generated once into
the work folder). Each contender runs in its own fresh process, interleaved, after one
warm-up round; wall time is measured by this (light, stdlib-only) parent from spawn to exit,
so interpreter start-up and imports count alike for all:

* ``ngheo``: :func:`ngheo_cli.services.classify.classify_file` (read, validate, classify, write
  the result workbook, the posting list, the HTML summary and, if there are findings, the error
  workbook);
* ``naive``: what an officer's IT person would write: ``pandas.read_excel`` with the known
  layout hard-coded, the same rule in straightforward pandas, ``DataFrame.to_excel`` of the
  whole per-household table;
* ``floor``: the I/O floor: fastexcel reads the sheet, xlsxwriter (constant_memory) writes as
  many rows × columns as ngheo's result sheet has, and nothing else.

Part 2, classification alone: :func:`ngheo_cli.core.classify.classify` on a typed frame of
``--rows-classify`` rows built directly with numpy (setup not timed), against a naive
per-row Python loop timed on a 100.000-row slice and extrapolated.

Part 3, against an earlier revision (``--baseline REV``, default ``d8192e7``, the commit
before the re-layout): the tree of REV is extracted once (``git archive``) into the work
folder, and each tree runs ``ngheo classify INPUT --year 2024 --out OUT --json`` through the
console script's entry point ``ngheo_cli.cli.app:main`` (both layouts have it), as a user runs
it: fresh processes, that tree first on ``sys.path``, the same venv, interleaved. The
command line's start-up (what the app imports before the command runs) counts.
``--baseline-api`` times ``classify_file`` called in Python instead (``ngheo_cli.api`` before
the re-layout, ``ngheo_cli.services.classify`` after).

Goals (issue 2): ≥ 4× faster than naive, ≤ 1.5× the floor, < 300 MB peak, 10M rows < 3 s.
Goal (issue 12): end to end at least 1.5 s faster than the baseline (difference of medians).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _tree_of_argv(argv: list[str]) -> Path:
    """The source tree a child imports ngheo_cli from: ``--tree PATH`` (a baseline), else
    this checkout. Read before argparse: it decides what the imports below find."""
    if "--tree" in argv[:-1]:
        return Path(argv[argv.index("--tree") + 1]).resolve()
    return ROOT


sys.path.insert(0, str(HERE))
sys.path.insert(0, str(_tree_of_argv(sys.argv)))

import _common as bc  # noqa: E402  (stdlib only: keeps the parent light, see _common)

YEAR = 2024  # NĐ 07/2021 applies
SHEET = "DS ho ra soat"  # the messy layout's household sheet (ngheo_cli.sample.writer)

GOAL_VS_NAIVE = 4.0
GOAL_VS_FLOOR = 1.5
GOAL_RSS_MB = 300.0
GOAL_CLASSIFY_S = 3.0
GOAL_FASTER_THAN_BASELINE_S = 1.5  # issue 12
DEFAULT_BASELINE = "d8192e7"  # the last commit before the re-layout

# The messy layout, as the IT person would hard-code it: 8 rows above the data (titles, a
# two-row header, the column-number row), then these columns.
NAIVE_SKIP_ROWS = 8
NAIVE_COLUMNS = [
    "stt", "ma_ho", "ho_ten_chu_ho", "thon", "dan_toc", "khu_vuc", "so_nhan_khau",
    "thu_nhap_binh_quan", "diem_a", "diem_b", "dien_tich_binh_quan", "so_nguoi_phu_thuoc",
    "viec_lam", "nguoi_phu_thuoc", "dinh_duong", "bao_hiem_y_te", "giao_duc_nguoi_lon",
    "di_hoc_tre_em", "chat_luong_nha_o", "dien_tich_nha_o", "nguon_nuoc", "nha_tieu",
    "vien_thong", "tiep_can_thong_tin", "xu_ly_rac_thai", "nguyen_nhan", "nhu_cau",
    "khong_kha_nang_lao_dong", "co_nguoi_co_cong", "cccd", "so_dien_thoai", "ghi_chu",
]
ND07_INDICATORS = NAIVE_COLUMNS[12:24]


# =========================================================================== children
# Each child does one job and ends with bc.report(...). Heavy imports happen here only.


def child_generate(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    from ngheo_cli.sample.generator import generate_commune
    from ngheo_cli.sample.writer import write_messy

    sample = generate_commune(args.seed, args.households, YEAR)
    write_messy(sample, Path(args.input), seed=args.seed)
    bc.report(work_s=time.perf_counter() - t0, households=len(sample.households))


def _profiled(enabled: bool, fn, *a, **kw):
    if not enabled:
        return fn(*a, **kw)
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(fn, *a, **kw)
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(25)
        print(f"--- cProfile, top 25 by {key} ---")
        print(buf.getvalue().split("\n\n", 1)[-1].rstrip())
    return result


def child_ngheo(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    if args.entry == "api":  # a tree from before the re-layout
        from ngheo_cli.api import classify_file  # type: ignore[import-not-found]
    else:
        from ngheo_cli.services.classify import classify_file
    import ngheo_cli

    tree = Path(ngheo_cli.__file__).resolve().parent.parent

    t1 = time.perf_counter()
    run = _profiled(
        args.profile, classify_file, Path(args.input), year=YEAR, out_dir=Path(args.out)
    )
    res = run.result
    bc.report(
        import_s=t1 - t0,
        work_s=time.perf_counter() - t1,
        households=len(res.households),
        rejected=len(res.rejected),
        findings=len(res.findings),
        counts={k: v for k, v in res.counts().items() if v},
        outputs=[Path(p).name for p in run.outputs],
        tree=str(tree),
    )


def _naive_money(value):
    """Income cell → đồng: numbers as they are, "1.500.000", "1.500.000 đ", "1,5 triệu"."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().lower().replace("đ", "").strip()
    if "triệu" in text:
        return float(text.replace("triệu", "").strip().replace(",", ".")) * 1_000_000
    return float(text.replace(".", "").replace(",", ""))


def child_naive(args: argparse.Namespace) -> None:
    """The script an officer's IT person would write for this layout."""
    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd

    t1 = time.perf_counter()
    df = pd.read_excel(
        args.input, sheet_name=SHEET, header=None, skiprows=NAIVE_SKIP_ROWS,
        names=NAIVE_COLUMNS, usecols=list(range(len(NAIVE_COLUMNS))),
        dtype={"ma_ho": str, "cccd": str, "so_dien_thoai": str},
    )
    # Household rows have a number in STT: drops blank, totals and signature rows.
    df = df[pd.to_numeric(df["stt"], errors="coerce").notna()].copy()
    df["thu_nhap_binh_quan"] = df["thu_nhap_binh_quan"].apply(_naive_money)
    for col in ND07_INDICATORS:
        df[col] = df[col].astype(str).str.strip().str.lower().isin(["x", "1", "có", "✓"])
    urban = df["khu_vuc"].astype(str).str.strip().str.lower() == "thành thị"
    line = np.where(urban, 2_000_000, 1_500_000)  # NĐ 07/2021, Điều 3
    upper = np.where(urban, 3_000_000, 2_250_000)
    income = df["thu_nhap_binh_quan"]
    df["so_thieu_hut"] = df[ND07_INDICATORS].sum(axis=1)
    df["chuan"] = line
    df["chenh_lech"] = income - line
    df["phan_loai"] = np.select(
        [(income <= line) & (df["so_thieu_hut"] >= 3), income <= line, income <= upper],
        ["ngheo", "can_ngheo", "trung_binh"],
        "khac",
    )
    out = Path(args.out) / "ket_qua_naive.xlsx"
    df.to_excel(out, index=False)
    from pandas.io.excel._util import get_default_engine

    bc.report(
        import_s=t1 - t0,
        work_s=time.perf_counter() - t1,
        households=len(df),
        counts={k: int(v) for k, v in df["phan_loai"].value_counts().sort_index().items()},
        writer=get_default_engine("xlsx", mode="writer"),
        reader=get_default_engine("xlsx", mode="reader"),
    )


def child_probe(args: argparse.Namespace) -> None:
    """Shape of ngheo's result sheet (first sheet of *_ket_qua.xlsx): data rows × columns."""
    import fastexcel

    path = next(Path(args.out).glob("*_ket_qua.xlsx"))
    sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string")
    table = sheet.to_arrow()
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    filled = [sum(col[r] is not None for col in columns) for r in range(min(15, sheet.height))]
    header = max(range(len(filled)), key=lambda r: filled[r])  # the widest of the top rows
    body = [r for r in range(header + 1, sheet.height) if columns[0][r] is not None]
    values = sum(col[r] is not None for col in columns for r in body)
    bc.report(rows=len(body), cols=filled[header], header_row=header + 1, values=values,
              sheet=path.name)


def child_floor(args: argparse.Namespace) -> None:
    """Fast read + xlsxwriter writing rows × cols cells taken from the input, nothing else."""
    t0 = time.perf_counter()
    import fastexcel
    import xlsxwriter

    t1 = time.perf_counter()
    # Typed read of the data rows (skip the titles and header): numbers stay numbers.
    sheet = fastexcel.read_excel(args.input).load_sheet(
        SHEET, header_row=None, skip_rows=NAIVE_SKIP_ROWS
    )
    table = sheet.to_arrow()
    source = [table.column(i).to_pylist() for i in range(table.num_columns)]
    keep = [i for i, code in enumerate(source[1]) if code is not None][: args.rows]
    rows, cols, width = len(keep), args.cols, len(source)

    wb = xlsxwriter.Workbook(
        str(Path(args.out) / "floor.xlsx"),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
         "strings_to_urls": False},
    )
    ws = wb.add_worksheet("Kết quả")
    write_string = getattr(ws, "_write_string", ws.write_string)  # skip the A1 decorator
    write_number = getattr(ws, "_write_number", ws.write_number)
    for c in range(cols):
        write_string(0, c, f"Cột {c + 1}")
    picked = [source[c % width] for c in range(cols)]
    strings = numbers = 0
    for r, i in enumerate(keep, start=1):
        for c, col in enumerate(picked):
            value = col[i]
            if value is None:
                continue
            if isinstance(value, str):
                write_string(r, c, value)
                strings += 1
            else:
                write_number(r, c, value)
                numbers += 1
    wb.close()
    bc.report(import_s=t1 - t0, work_s=time.perf_counter() - t1, rows=rows, cols=cols,
              strings=strings, numbers=numbers)


def child_classify(args: argparse.Namespace) -> None:
    """classify() on n in-memory rows; the naive per-row loop on a slice, extrapolated."""
    import math

    from ngheo_cli.core.classify import classify
    from ngheo_cli.io.rulesets import resolve

    rs = resolve(YEAR)
    n = args.rows_classify
    t_setup = time.perf_counter()
    frame = _typed_frame(n, rs, args.seed)
    setup_s = time.perf_counter() - t_setup

    def once():
        return classify(frame, rs)

    if args.profile:
        _profiled(True, once)
    timing, out = bc.time_call(once, args.repeat, warmup=1)
    classes = out["phan_loai"].to_numpy(dtype=object)
    counts = {str(k): int(v) for k, v in out["phan_loai"].value_counts().sort_index().items()}
    del out

    # Naive: a Python loop over the rows, the rule written per household.
    m = min(args.loop_rows, n)
    part = frame.iloc[:m]
    ids = list(rs.indicator_ids)
    k, route = rs.min_deprivations, rs.score_route
    inc, band, a_line = rs.income_line, rs.middle_band_upper, route.score_a_line
    poor_b = route.poor_min_score_b.value

    def naive_loop():
        result = []
        for row in part.itertuples(index=False):
            urban = row.khu_vuc == "thanh_thi"
            income = row.thu_nhap_binh_quan
            if not math.isnan(income):
                by_income = True
                gap = income - (inc.thanh_thi.value if urban else inc.nong_thon.value)
            else:
                by_income = False
                gap = row.diem_a - (a_line.thanh_thi.value if urban else a_line.nong_thon.value)
            if row.co_chi_so:
                enough = sum(bool(getattr(row, i)) for i in ids) >= k
            else:
                enough = row.diem_b >= poor_b
            if gap <= 0:
                result.append("ngheo" if enough else "can_ngheo")
            elif not by_income:
                result.append("tren_chuan")
            elif income <= (band.thanh_thi.value if urban else band.nong_thon.value):
                result.append("trung_binh")
            else:
                result.append("khac")
        return result

    loop_timing, loop_classes = bc.time_call(naive_loop, args.repeat, warmup=0)
    agree = list(classes[:m]) == loop_classes
    bc.report(
        rows=n, setup_s=setup_s, classify=timing.to_dict(), loop_rows=m,
        loop=loop_timing.to_dict(), loop_agrees=agree, counts=counts,
        columns=len(frame.columns),
    )


def _typed_frame(n: int, rs, seed: int):
    """The frame classify() gets from validate.prepare, built in numpy: area as pandas
    string, income and scores as float64 (NaN when blank), one bool per indicator,
    co_chi_so. Most rows go by income and marks; 4 % by Điểm A, 4 % by Điểm B."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    urban = rng.random(n) < 0.03
    area = pd.Categorical.from_codes(urban.astype(np.int8), ["nong_thon", "thanh_thi"])
    income = np.round(rng.lognormal(np.log(1_900_000), 0.55, n), -3)
    by_score = rng.random(n) < 0.04
    diem_a = np.where(by_score, rng.integers(60, 260, n).astype(np.float64), np.nan)
    income[by_score] = np.nan
    no_marks = rng.random(n) < 0.04
    cols = {"khu_vuc": pd.Series(area).astype(pd.StringDtype()).array,
            "thu_nhap_binh_quan": income, "diem_a": diem_a}
    cols["diem_b"] = np.where(no_marks, 10.0 * rng.integers(0, 8, n), np.nan)
    for i in rs.indicator_ids:
        cols[i] = (rng.random(n) < 0.22) & ~no_marks
    cols["co_chi_so"] = ~no_marks
    return pd.DataFrame(cols)


def child_cli(args: argparse.Namespace) -> None:
    """``ngheo classify INPUT --year 2024 --out OUT --json`` as the console script runs it
    (``ngheo_cli.cli.app:main``, the entry point of both layouts): the command line's own
    start-up (what the app imports before any command runs) counts, as it does for a user."""
    import contextlib
    import io
    import json

    t0 = time.perf_counter()
    import ngheo_cli
    from ngheo_cli.cli.app import main

    t1 = time.perf_counter()
    tree = Path(ngheo_cli.__file__).resolve().parent.parent
    sys.argv = ["ngheo", "classify", args.input, "--year", str(YEAR), "--out", args.out, "--json"]
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    if code not in (0, 1):
        raise SystemExit(f"ngheo classify exited {code}")
    res = json.loads(out.getvalue())
    bc.report(
        import_s=t1 - t0,
        work_s=time.perf_counter() - t1,
        households=res["households"],
        rejected=res["rejected_rows"],
        counts={k: v for k, v in res["counts"].items() if v},
        outputs=[Path(p).name for p in res["outputs"]],
        tree=str(tree),
    )


CHILDREN = {
    "generate": child_generate,
    "ngheo": child_ngheo,
    "cli": child_cli,
    "naive": child_naive,
    "probe": child_probe,
    "floor": child_floor,
    "classify": child_classify,
}


# =========================================================================== parent


def _say(text: str = "") -> None:
    print(text, flush=True)


def _ensure_input(args: argparse.Namespace, script: Path) -> Path:
    """Generate the commune workbook once; regenerate when the generator's source changed."""
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"commune_{args.households}_s{args.seed}.xlsx"
    stamp = path.with_suffix(".json")
    digest = bc.file_digest([
        ROOT / "ngheo_cli" / "sample" / "generator.py",
        ROOT / "ngheo_cli" / "sample" / "writer.py",
    ])
    if path.exists() and stamp.exists():
        if json.loads(stamp.read_text()).get("digest") == digest:
            _say(f"input: {path} (cached)")
            return path
    _say(f"input: generating {path} …")
    run = bc.run_child(bc.python_child(
        script, "--child", "generate", "--input", str(path),
        "--households", str(args.households), "--seed", str(args.seed),
    ), cwd=ROOT)
    stamp.write_text(json.dumps({"digest": digest, "households": args.households,
                                 "seed": args.seed}))
    _say(f"       generated in {run.wall_s:.1f} s")
    return path


def _emptied(folder: Path):
    def empty() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    return empty


def _stats_row(name: str, c: bc.Contender) -> list[str]:
    walls = c.walls
    work = c.work()
    imp = c.work("import_s")
    return [
        name,
        bc.fmt_s(statistics.median(walls)),
        bc.fmt_s(min(walls)),
        bc.fmt_s(max(walls)),
        bc.fmt_s(statistics.median(imp)) if imp else "-",
        bc.fmt_s(statistics.median(work)) if work else "-",
        f"{c.peak_rss_mb:.0f} MB",
    ]


def end_to_end(args: argparse.Namespace, script: Path, input_path: Path) -> dict:
    work = Path(args.workdir)
    outs = {name: work / f"out_{name}" for name in ("ngheo", "naive", "floor")}
    common = ["--input", str(input_path)]
    ngheo = bc.Contender("ngheo", bc.python_child(
        script, "--child", "ngheo", *common, "--out", str(outs["ngheo"])
    ), _emptied(outs["ngheo"]))
    naive = bc.Contender("naive", bc.python_child(
        script, "--child", "naive", *common, "--out", str(outs["naive"])
    ), _emptied(outs["naive"]))
    shape: dict = {}
    floor = bc.Contender("floor", [], _emptied(outs["floor"]))

    def after_first(c: bc.Contender, run: bc.ChildRun) -> None:
        if c is ngheo:  # the floor writes as many cells as ngheo's result sheet has
            probe = bc.run_child(bc.python_child(
                script, "--child", "probe", "--out", str(outs["ngheo"])), cwd=ROOT)
            shape.update(probe.report)
            floor.argv = bc.python_child(
                script, "--child", "floor", *common, "--out", str(outs["floor"]),
                "--rows", str(shape["rows"]), "--cols", str(shape["cols"]),
            )

    contenders = [ngheo, naive, floor]
    _say(f"end to end: {args.warmup} warm-up + {args.repeat} runs each, interleaved, "
         "each run a fresh process")
    bc.run_round_robin(contenders, args.repeat, warmup=args.warmup, cwd=ROOT,
                       progress=_say if args.verbose else None, after_first=after_first)
    if args.profile:
        _say("\nprofile of one ngheo run (cProfile; slower than an unprofiled run):")
        _emptied(outs["ngheo"])()
        prof = bc.run_child(ngheo.argv + ["--profile"], cwd=ROOT)
        _say("\n".join(line for line in prof.stdout.splitlines()
                       if not line.startswith(bc.REPORT_PREFIX)))
    return {"ngheo": ngheo, "naive": naive, "floor": floor, "shape": shape}


def classification_alone(args: argparse.Namespace, script: Path) -> bc.ChildRun:
    _say(f"classification alone: {args.rows_classify:,} rows, 1 warm-up + {args.repeat} runs")
    argv = bc.python_child(
        script, "--child", "classify", "--rows-classify", str(args.rows_classify),
        "--loop-rows", str(args.loop_rows), "--repeat", str(args.repeat),
        "--seed", str(args.seed),
    )
    run = bc.run_child(argv + (["--profile"] if args.profile else []), cwd=ROOT)
    if args.profile:
        _say("\n".join(line for line in run.stdout.splitlines()
                       if not line.startswith(bc.REPORT_PREFIX)))
    return run


def _baseline_tree(args: argparse.Namespace) -> tuple[Path, str, str]:
    """The baseline revision's files, extracted once into the work folder (``git archive``:
    no checkout, no worktree to clean up). Returns the tree, its commit and its entry."""
    import subprocess
    import tarfile

    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{args.baseline}^{{commit}}"], cwd=ROOT,
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    tree = Path(args.workdir) / f"baseline_{commit[:12]}"  # the package and its templates
    if not (tree / ".complete").exists():
        _say(f"baseline: extracting {args.baseline} ({commit[:12]}) into {tree} …")
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, "ngheo_cli", "templates"],
            cwd=ROOT, check=True, capture_output=True,
        ).stdout
        import io

        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        (tree / ".complete").write_text(commit + "\n")
    entry = "api" if (tree / "ngheo_cli" / "api.py").exists() else "services"
    return tree, commit, entry


def against_baseline(args: argparse.Namespace, script: Path, input_path: Path) -> dict:
    """The current tree and the baseline's, end to end on the same input, interleaved."""
    tree, commit, entry = _baseline_tree(args)
    work = Path(args.workdir)
    outs = {name: work / f"out_{name}" for name in ("ngheo", "baseline")}
    common = ["--input", str(input_path)]
    # As a user runs it: the console script's entry point, start-up included (both layouts
    # have ngheo_cli.cli.app:main); --baseline-api times classify_file called directly.
    child = "ngheo" if args.baseline_api else "cli"
    current = bc.Contender("ngheo", bc.python_child(
        script, "--child", child, *common, "--out", str(outs["ngheo"])
    ), _emptied(outs["ngheo"]))
    baseline = bc.Contender("baseline", bc.python_child(
        script, "--child", child, *common, "--out", str(outs["baseline"]),
        "--tree", str(tree), "--entry", entry,
    ), _emptied(outs["baseline"]))
    _say(f"against {args.baseline} ({commit[:12]}, entry ngheo_cli.{entry}): "
         f"{args.warmup} warm-up + {args.repeat} runs each, interleaved, fresh processes")
    bc.run_round_robin([current, baseline], args.repeat, warmup=args.warmup, cwd=ROOT,
                       progress=_say if args.verbose else None)
    for c, expected in ((current, ROOT), (baseline, tree)):
        got = Path(c.runs[-1].report["tree"])
        if got != expected.resolve():
            raise SystemExit(f"{c.name} imported ngheo_cli from {got}, not {expected}")
    return {"ngheo": current, "baseline": baseline, "commit": commit}


def _print_baseline(args: argparse.Namespace, result: dict) -> list[list[str]]:
    current, baseline = result["ngheo"], result["baseline"]
    _say()
    _say(f"=== End to end, {args.households:,} households: this tree against "
         f"{args.baseline} ({result['commit'][:12]}), {args.repeat} runs each ===")
    bc.print_table(
        ["contender", "median", "min", "max", "imports", "work (median)", "peak RSS"],
        [_stats_row("this tree", current), _stats_row(f"{args.baseline}", baseline)],
    )
    new, old = statistics.median(current.walls), statistics.median(baseline.walls)
    gained = old - new
    same = current.runs[-1].report["counts"] == baseline.runs[-1].report["counts"]
    _say(f"difference of medians: {gained:+.2f} s ({'faster' if gained >= 0 else 'slower'}; "
         f"{(old / new if new else float('nan')):.2f}× the baseline's speed); classes "
         f"{'the same' if same else 'DIFFER'}")
    return [[f"faster than {args.baseline} (median wall)",
             f"≥ {GOAL_FASTER_THAN_BASELINE_S:.1f} s", f"{gained:.2f} s",
             bc.verdict(gained >= GOAL_FASTER_THAN_BASELINE_S)]]


def main_parent(args: argparse.Namespace) -> None:
    script = Path(__file__).resolve()
    _say(f"ngheo benchmark: classify — Python {platform.python_version()}, "
         f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}")
    input_path = _ensure_input(args, script)
    _say(f"       {input_path.stat().st_size / 1e6:.1f} MB, {args.households:,} households, "
         f"messy layout (titles, two-row merged header, text amounts, blank/totals rows)")
    use_baseline = args.baseline.lower() not in ("", "none")
    if args.baseline_only:
        if not use_baseline:
            raise SystemExit("--baseline-only needs a --baseline revision")
        goals = _print_baseline(args, against_baseline(args, script, input_path))
        _say()
        _say("=== Goal (issue 12; reported, never a failure) ===")
        bc.print_table(["goal", "target", "measured", ""], goals,
                       right=[False, True, True, False])
        return
    versus = against_baseline(args, script, input_path) if use_baseline else None
    e2e = end_to_end(args, script, input_path)
    cls = classification_alone(args, script) if args.rows_classify > 0 else None

    ngheo, naive, floor, shape = e2e["ngheo"], e2e["naive"], e2e["floor"], e2e["shape"]
    med = {c.name: statistics.median(c.walls) for c in (ngheo, naive, floor)}
    nrep, frep = ngheo.runs[-1].report, naive.runs[-1].report
    _say()
    _say(f"=== End to end, {args.households:,} households: wall time per fresh process "
         f"(start-up + imports + work), {args.repeat} run{'s' if args.repeat != 1 else ''} ===")
    bc.print_table(
        ["contender", "median", "min", "max", "imports", "work (median)", "peak RSS"],
        [_stats_row("ngheo", ngheo), _stats_row("naive", naive), _stats_row("floor", floor)],
    )
    _say(f"ngheo : classify_file → {', '.join(nrep['outputs'])}; "
         f"{nrep['households']:,} classified, {nrep['rejected']} rejected")
    _say(f"naive : pandas.read_excel (engine {frep['reader']}) + pandas rule + "
         f"DataFrame.to_excel (engine {frep['writer']}), {frep['households']:,} rows")
    frep_ = floor.runs[-1].report
    _say(f"floor : fastexcel read + xlsxwriter constant_memory, {shape['rows']:,} rows × "
         f"{shape['cols']} columns (the shape of ngheo's result sheet), input cells cycled")
    _say(f"cells with a value in the result sheet: ngheo {shape['values']:,} (and bordered "
         f"blank cells for the rest), floor {frep_['strings'] + frep_['numbers']:,} "
         f"({frep_['strings']:,} text, {frep_['numbers']:,} numbers, blanks skipped)")
    same = nrep["counts"] == frep["counts"]
    _say(f"classes: ngheo {nrep['counts']}; naive {'same' if same else frep['counts']}")

    vs_naive = med["naive"] / med["ngheo"]
    vs_floor = med["ngheo"] / med["floor"]
    goals = [
        ["naive / ngheo (median wall)", f"≥ {GOAL_VS_NAIVE:.1f}×", f"{vs_naive:.2f}×",
         bc.verdict(vs_naive >= GOAL_VS_NAIVE)],
        ["ngheo / floor (median wall)", f"≤ {GOAL_VS_FLOOR:.1f}×", f"{vs_floor:.2f}×",
         bc.verdict(vs_floor <= GOAL_VS_FLOOR)],
        ["ngheo peak RSS", f"< {GOAL_RSS_MB:.0f} MB", f"{ngheo.peak_rss_mb:.0f} MB",
         bc.verdict(ngheo.peak_rss_mb < GOAL_RSS_MB)],
    ]

    if cls is not None:
        r = cls.report
        c, lp = r["classify"], r["loop"]
        scale = r["rows"] / r["loop_rows"]
        _say()
        _say(f"=== Classification alone, {r['rows']:,} in-memory rows × {r['columns']} columns "
             f"(numpy-built frame, setup {r['setup_s']:.1f} s not timed) ===")
        bc.print_table(
            ["contender", "median", "min", "max", "rows/s (median)", "peak RSS"],
            [
                ["classify()", bc.fmt_s(c["median"]), bc.fmt_s(c["min"]), bc.fmt_s(c["max"]),
                 f"{r['rows'] / c['median']:,.0f}", f"{cls.peak_rss_mb:.0f} MB"],
                [f"per-row loop × {scale:g}*", bc.fmt_s(lp["median"] * scale),
                 bc.fmt_s(lp["min"] * scale), bc.fmt_s(lp["max"] * scale),
                 f"{r['loop_rows'] / lp['median']:,.0f}", "-"],
            ],
        )
        _say(f"* EXTRAPOLATED, not measured at full size: a Python loop (itertuples) over a "
             f"{r['loop_rows']:,}-row slice took {bc.fmt_s(lp['median'])} (median), × {scale:g}. "
             f"Same classes as classify() on the slice: {'yes' if r['loop_agrees'] else 'NO'}.")
        ratio = lp["median"] * scale / c["median"]
        _say(f"loop / classify(): {ratio:.1f}×; classes: {r['counts']}")
        goals.append([f"classify() {r['rows']:,} rows (median)", f"< {GOAL_CLASSIFY_S:.0f} s",
                      bc.fmt_s(c["median"]), bc.verdict(c["median"] < GOAL_CLASSIFY_S)])

    if versus is not None:
        goals += _print_baseline(args, versus)
    _say()
    _say("=== Goals (issues 2 and 12; reported, never a failure) ===")
    bc.print_table(["goal", "target", "measured", ""], goals, right=[False, True, True, False])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--households", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=3, help="timed runs per contender")
    p.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    p.add_argument("--rows-classify", type=int, default=10_000_000,
                   help="rows for classification alone (0: skip)")
    p.add_argument("--loop-rows", type=int, default=100_000,
                   help="slice timed for the naive per-row loop (extrapolated)")
    p.add_argument("--workdir", default=str(HERE / "_work"))
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--profile", action="store_true",
                   help="also print a cProfile of one ngheo run and of classify()")
    p.add_argument("--baseline", default=DEFAULT_BASELINE,
                   help="git revision to compare end to end with (none: skip)")
    p.add_argument("--baseline-api", action="store_true",
                   help="compare classify_file called in Python instead of the ngheo command")
    p.add_argument("--baseline-only", action="store_true",
                   help="only this tree against the baseline (no naive, floor, classify())")
    p.add_argument("-v", "--verbose", action="store_true", help="print every run")
    # Internal: the parent re-runs this file as a child for each job.
    p.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    p.add_argument("--input", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    p.add_argument("--cols", type=int, help=argparse.SUPPRESS)
    p.add_argument("--tree", help=argparse.SUPPRESS)  # read before argparse: _tree_of_argv
    p.add_argument("--entry", choices=["api", "services"], default="services",
                   help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        CHILDREN[args.child](args)
    else:
        main_parent(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
