"""A Dask task leaves no raw line in the batch's JSON-lines log (issue 11, item 5): while a
commune runs, the worker's stderr (Python's sys.stderr and file descriptor 2, where a native
library writes) goes nowhere, and comes back after the last commune.

The same wrapper on a real LocalCluster: tests/integration/test_dask_batch.py."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import pytest

from ngheo_cli.batch import executors as batch_executors


def _noisy(started: threading.Barrier | None = None) -> Any:
    def run_commune(task: Any) -> dict[str, Any]:
        if started is not None:
            started.wait(timeout=60)  # both communes are inside the wrapper at once
        os.write(2, b"Traceback (most recent call last):\n  native noise\n")
        print("Traceback (most recent call last): python noise", file=sys.stderr)
        if started is not None:
            started.wait(timeout=60)  # neither leaves before the other has made its noise
        return {"commune": task}

    return run_commune


def test_a_commune_on_a_dask_worker_prints_nothing(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_executors, "run_commune", _noisy())
    assert batch_executors.run_commune_quietly("24181") == {"commune": "24181"}  # type: ignore[arg-type]
    os.write(2, b"after the commune\n")
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert err == "after the commune\n"  # stderr is back once the commune is done


def test_communes_in_two_threads_of_one_worker_stay_quiet(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_executors, "run_commune", _noisy(threading.Barrier(2)))
    results: list[dict[str, Any]] = []
    threads = [
        threading.Thread(
            target=lambda c=code: results.append(batch_executors.run_commune_quietly(c))
        )
        for code in ("24181", "24184")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(r["commune"] for r in results) == ["24181", "24184"]
    os.write(2, b"after both\n")
    assert capfd.readouterr().err == "after both\n"
