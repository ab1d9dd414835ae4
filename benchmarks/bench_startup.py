"""Start-up of the command line: ``ngheo --help``, ``ngheo classify --help`` and a bare
``import ngheo_cli.cli.app``, each a fresh process, beside the floor (``python -c pass`` and
``python -c "import typer"``: what any Typer command pays before its first line; and
``import typer.rich_utils``, the help renderer any Typer help pays when rich is installed).

    python benchmarks/bench_startup.py [--repeat 15] [--no-bytecode-cache]

Goal (issue 12): ``ngheo --help`` under 0.5 s (median). The commands import their heavy
dependencies (pandas, matplotlib, OR-Tools, Dask, …) only when they run, so help and the
start of a command pay only for Typer and rich.

Bytecode: an installed wheel has its ``.pyc`` files (pip compiles them on install), so by
default the children write and reuse bytecode in a temporary cache (``PYTHONPYCACHEPREFIX``,
nothing written into the checkout), after one untimed warm-up round. ``--no-bytecode-cache``
measures the other case (every module compiled at every start, as with
``PYTHONDONTWRITEBYTECODE=1`` on an editable install).

Contenders run round-robin (A B C … A B C …) so a slow phase of a busy machine hits them
alike; the table shows the median, min and max of the wall-clock times measured here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 0.5
HEAVY = (
    "pandas",
    "numpy",
    "matplotlib",
    "ortools",
    "dask",
    "distributed",
    "jinja2",
    "openpyxl",
    "xlsxwriter",
    "pydantic",
    "pyarrow",
    "fastexcel",
    "yaml",
    "scipy",
)


def _ngheo() -> list[str]:
    script = Path(sys.executable).with_name("ngheo")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ngheo_cli"]


def contenders() -> list[tuple[str, list[str]]]:
    py = sys.executable
    return [
        ("python -c pass", [py, "-c", "pass"]),
        ('python -c "import typer"', [py, "-c", "import typer"]),
        # Typer's help renderer (rich, markdown): any Typer help with rich installed pays it.
        ('python -c "import typer.rich_utils"', [py, "-c", "import typer.rich_utils"]),
        ('python -c "import ngheo_cli.cli.app"', [py, "-c", "import ngheo_cli.cli.app"]),
        ("ngheo --help", [*_ngheo(), "--help"]),
        ("ngheo classify --help", [*_ngheo(), "classify", "--help"]),
    ]


def _env(cache: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env["PYTHONPYCACHEPREFIX"] = cache
    env["COLUMNS"] = "100"  # the same help layout whatever the terminal
    return env


def _time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return elapsed


def heavy_modules_loaded(env: dict[str, str]) -> list[str]:
    """Which heavy third-party packages ``import ngheo_cli.cli.app`` loads (should be none)."""
    code = (
        f"import sys, ngheo_cli.cli.app\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per command")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="compile every module at every start"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ngheo-bench-pyc-") as cache_dir:
        env = _env(None if args.no_bytecode_cache else cache_dir)
        runs = contenders()
        for _, argv in runs:  # warm-up: bytecode written, files in the page cache
            _time(argv, env)
        times: dict[str, list[float]] = {name: [] for name, _ in runs}
        for _ in range(args.repeat):
            for name, argv in runs:
                times[name].append(_time(argv, env))
        heavy = heavy_modules_loaded(env)

    medians = {name: statistics.median(ts) for name, ts in times.items()}
    floor, typer_floor = medians["python -c pass"], medians['python -c "import typer"']
    rows = []
    for name, ts in times.items():
        med = medians[name]
        goal = ""
        if name.startswith("ngheo"):
            goal = f"{'PASS' if med < GOAL_S else 'MISS'} (< {GOAL_S:.1f} s)"
        rows.append(
            [
                name,
                f"{med:.3f}",
                f"{min(ts):.3f}",
                f"{max(ts):.3f}",
                f"{med - floor:+.3f}",
                f"{med / typer_floor:.2f}",
                goal,
            ]
        )
    headers = ["command", "median s", "min s", "max s", "− python", "× typer", "goal"]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    print(
        f"Start-up, {args.repeat} fresh processes each, "
        f"{'no bytecode cache' if args.no_bytecode_cache else 'bytecode cached'}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {sys.executable}"
    )
    for row in [headers, *rows]:
        print(
            "  ".join(
                str(c).ljust(w) if i in (0, len(row) - 1) else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    print("Heavy packages loaded by `import ngheo_cli.cli.app`: " + (", ".join(heavy) or "none"))


if __name__ == "__main__":
    main()
