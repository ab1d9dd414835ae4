"""`ngheo batch --executor dask://…` on a real LocalCluster (issue 11, item 9): a commune that
fails on a worker fails alone, and a worker killed mid-commune costs nothing but time.

Runs where Dask is installed (`.ci/run` installs the `dask` extra in its own venv)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

from ngheo_cli.batch import discover as batch_discover
from ngheo_cli.batch import run as batch_run

from ..cli.test_cli_batch import Province, digests, make_province

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("distributed") is None,
        reason="needs dask.distributed: pip install ngheo[dask] (.ci/run does)",
    ),
]

YEAR = 2023


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Province:
    return make_province(tmp_path_factory.mktemp("dask") / "tinh", communes=3, households=150)


@pytest.fixture
def province(built: Province, tmp_path: Path) -> Province:
    root = tmp_path / "tinh"
    shutil.copytree(built.root, root)
    return Province(root, dict(built.households))


@pytest.fixture
def cluster() -> Any:
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as running:
        yield running


def _address(cluster: Any) -> str:
    return str(cluster.scheduler_address).replace("tcp://", "dask://")


def test_a_commune_that_fails_on_a_worker_fails_alone(province: Province, cluster: Any) -> None:
    codes = sorted(c for c, y in province.households if y == YEAR)
    broken = codes[-1]
    province.survey(broken, YEAR).write_bytes(b"PK\x03\x04 not really a workbook")
    result = batch_run.run_batch(
        batch_discover.discover(province.root, YEAR), executor=_address(cluster)
    )
    by = {c["commune"]: c for c in result.communes}
    assert by[broken]["status"] == "failed"
    assert by[broken]["exit_code"] == 3
    assert "Traceback" not in by[broken]["error"]
    assert all(by[c]["status"] == "ok" for c in codes[:-1])
    assert result.exit_code == 6


def test_a_worker_killed_mid_commune_costs_only_time(
    province: Province, cluster: Any, tmp_path: Path
) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(province.root, twin)
    assert batch_run.run_batch(batch_discover.discover(twin, YEAR)).exit_code in (0, 1)

    killed: list[int] = []

    def emit(event: dict[str, Any]) -> None:
        # At the first finished commune the other worker is still busy with its own: kill
        # every worker process once (the nanny restarts them, the scheduler reruns the task).
        if event.get("step") == "commune" and not killed:
            for nanny in list(cluster.workers.values()):
                pid = getattr(getattr(nanny, "process", None), "pid", None)
                if pid:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)

    result = batch_run.run_batch(
        batch_discover.discover(province.root, YEAR), executor=_address(cluster), emit=emit
    )
    assert killed
    statuses = {c["commune"]: c["status"] for c in result.communes}
    if any(s == "failed" for s in statuses.values()):  # the scheduler gave up on a task
        failed = [c for c in result.communes if c["status"] == "failed"]
        assert all("Traceback" not in c["error"] for c in failed)
        rerun = batch_run.run_batch(batch_discover.discover(province.root, YEAR))
        assert rerun.exit_code in (0, 1)
    assert digests(province.out(YEAR)) == digests(twin / "ket_qua" / str(YEAR))


def test_noise_on_a_worker_during_a_commune_stays_out_of_the_log(
    province: Province, cluster: Any, tmp_path: Path
) -> None:
    from dask.distributed import Client

    log = tmp_path / "worker-stderr.log"

    def make_communes_noisy(path: str) -> None:
        # The worker's stderr becomes the log file (as on a LocalCluster started beside the
        # batch, whose stderr is its JSON-lines log), and each commune makes noise in it.
        import os as worker_os
        import sys as worker_sys

        from ngheo_cli.batch import executors as worker_api

        fd = worker_os.open(path, worker_os.O_WRONLY | worker_os.O_APPEND | worker_os.O_CREAT)
        worker_os.dup2(fd, 2)
        worker_os.close(fd)
        real = worker_api.run_commune

        def noisy(task: Any) -> dict[str, Any]:
            worker_os.write(2, b"Traceback (most recent call last): NATIVE-NOISE\n")
            print(
                "Traceback (most recent call last): PYTHON-NOISE",
                file=worker_sys.stderr,
                flush=True,
            )
            return real(task)

        worker_api.run_commune = noisy
        worker_os.write(2, b"CONTROL-OUTSIDE-A-COMMUNE\n")

    with Client(cluster) as client:
        client.run(make_communes_noisy, str(log))
        result = batch_run.run_batch(
            batch_discover.discover(province.root, YEAR), executor=_address(cluster)
        )
        client.run(lambda: print("CONTROL-AFTER", file=__import__("sys").stderr, flush=True))
    assert result.exit_code in (0, 1)
    assert len(result.communes) == 3
    text = log.read_text(encoding="utf-8")
    assert text.count("CONTROL-OUTSIDE-A-COMMUNE") == 2  # both workers write to the log
    assert text.count("CONTROL-AFTER") == 2  # and do again once their communes are done
    assert "NOISE" not in text and "Traceback" not in text
