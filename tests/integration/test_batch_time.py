"""The batch's dates are Vietnam dates from a clock given at the edge (issue 12, item 4): the
library never changes the process's time zone (no ``TZ``, no ``tzset``)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ngheo_cli.batch.discover import discover
from ngheo_cli.batch.run import run_batch

from ..cli.test_cli_batch import make_province


def test_a_cron_in_utc_gets_vietnam_dates_and_keeps_its_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")  # cron's own zone
    time.tzset()
    zone_before = (os.environ.get("TZ"), time.tzname, time.timezone)
    province = make_province(tmp_path / "tinh", communes=1, households=30, sample_commune=False)
    # 31/12/2026 18:30 in UTC is already 01/01/2027 01:30 in Vietnam.
    result = run_batch(
        discover(province.root, 2024),
        reports=False,
        clock=lambda: datetime(2026, 12, 31, 18, 30, tzinfo=UTC),
    )
    assert (os.environ.get("TZ"), time.tzname, time.timezone) == zone_before
    assert result.started == "2027-01-01T01:30:00+07:00"
    assert result.finished == result.started
    assert result.run_id.startswith("20270101T013000-")
    assert [c["status"] for c in result.communes] == ["ok"]
