"""Batch run ids name the summary file of each run: never two alike."""

from __future__ import annotations

from datetime import datetime

from ngheo_cli.io.outputs.runfiles import new_run_id


def test_run_ids_in_the_same_second_differ() -> None:
    moment = datetime(2026, 11, 24, 1, 30, 0)
    ids = [new_run_id(moment) for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(i.startswith("20261124T013000-") for i in ids)
