"""Start-up loads only what the command line needs: importing the app and printing help pull
in no data, chart, solver or cluster library (those load when a command runs). Measured for
time in benchmarks/bench_startup.py; here only which modules are loaded, in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Loaded only by the commands that use them.
HEAVY = (
    "matplotlib",
    "ortools",
    "dask",
    "distributed",
    "pandas",
    "numpy",
    "pyarrow",
    "openpyxl",
    "xlsxwriter",
    "fastexcel",
    "jinja2",
    "pydantic",
    "yaml",
)


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"import json, sys\n{code}\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_importing_the_app_loads_no_heavy_library() -> None:
    assert _loaded_after("import ngheo_cli.cli.app") == []


@pytest.mark.parametrize(
    "argv", [["--help"], ["classify", "--help"], ["batch", "--help"], ["support", "add", "--help"]]
)
def test_help_loads_no_heavy_library(argv: list[str]) -> None:
    code = (
        "import contextlib, io\nfrom ngheo_cli.cli.app import run\n"
        f"with contextlib.redirect_stdout(io.StringIO()) as out:\n    code = run({argv!r})\n"
        "assert code == 0 and 'ngheo' in out.getvalue(), (code, out.getvalue())"
    )
    assert _loaded_after(code) == []


def test_the_probe_sees_a_heavy_library_when_one_is_loaded() -> None:
    assert {"pandas", "numpy"} <= set(_loaded_after("import ngheo_cli.core.summary"))
