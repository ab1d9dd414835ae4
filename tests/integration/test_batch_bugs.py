"""A bug is not a commune's problem (issue 12, item 4): no catch-all turns it into a "failed"
commune; it reaches the CLI's one error handler (exit 70). A worker process that dies under a
commune still fails that commune alone."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from ngheo_cli.batch.executors import _result_of
from ngheo_cli.batch.plan import CommuneTask
from ngheo_cli.services import classify as classify_service

from ..cli.test_cli_batch import make_province

TASK = CommuneTask(
    root="/nowhere",
    year=2024,
    code="24181",
    survey="so.xlsx",
    members=None,
    support=None,
    out_dir="/nowhere/ket_qua/2024/24181",
    report=False,
    today="2024-10-01",
)


def _future(result: dict | None = None, error: BaseException | None = None) -> Future:
    future: Future = Future()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
    return future


def test_a_dead_worker_fails_its_commune_alone() -> None:
    out = _result_of(_future(error=BrokenProcessPool("killed")), TASK, (BrokenProcessPool,))
    assert out["status"] == "failed" and out["step"] == "worker" and out["exit_code"] == 70
    assert "24181" in out["error"]
    assert _result_of(_future({"commune": "24181"}), TASK, (BrokenProcessPool,)) == {
        "commune": "24181"
    }


def test_a_bug_in_a_worker_is_raised_not_hidden() -> None:
    with pytest.raises(KeyError, match="ma_ho"):
        _result_of(_future(error=KeyError("ma_ho")), TASK, (BrokenProcessPool,))


def test_a_bug_in_a_commune_stops_the_batch_with_exit_70(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    province = make_province(tmp_path / "tinh", communes=1, households=30, sample_commune=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(classify_service, "classify_file", broken)
    res = cli("batch", province.root, "--year", 2024)
    assert res.exit_code == 70
    assert "Lỗi nội bộ" in res.stderr and "ZeroDivisionError" in res.stderr
