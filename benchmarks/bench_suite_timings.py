"""The speed goals that used to be wall-clock asserts in the test suite (issue 11, item 7).

    .venv/bin/python benchmarks/bench_suite_timings.py

The suite must pass on a fully loaded 2-core machine, so it checks what is computed, never
how long it took; the time goals live here, reported against their targets (a benchmark
reports, it never fails):

* reading a 20.000-row, 40-column workbook (goal < 5 s);
* validating 100.000 household rows (goal < 2 s);
* writing a 200.000-row, 8-column workbook with the streaming writer (goal < 6 s);
* recording ≈200.000 households of 24 communes in the store (goal < 20 s, i.e. 1.000.000
  households < 30 s with room for a slow machine).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(label: str, goal: float, work) -> None:  # noqa: ANN001
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    verdict = "ok" if elapsed < goal else "SLOWER THAN GOAL"
    print(f"{label:<48} {elapsed:7.2f} s   (goal < {goal:g} s)  {verdict}")


def main() -> None:
    from tests.unit import test_store, test_validate, test_workbook, test_xlsx_writer

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = test_workbook.build_large_xlsx(folder / "lon.xlsx", 20_000)
        from ngheo_cli.io.read.workbook import read_table

        _timed("read 20.000 rows × 40 columns", 5, lambda: read_table(path))
        _timed(
            "validate 100.000 rows (test body included)",
            2 + 1,
            test_validate.test_hundred_thousand_rows_validate,
        )
        sub = folder / "w"
        sub.mkdir()
        _timed(
            "write 200.000 rows × 8 columns (test body included)",
            6 + 1,
            lambda: test_xlsx_writer.test_large_sheet_is_written_fast(sub),
        )
        store_dir = folder / "s"
        store_dir.mkdir()
        _timed(
            "record ≈200.000 households, 24 communes",
            20,
            lambda: test_store.test_recording_many_communes(store_dir),
        )


if __name__ == "__main__":
    main()
