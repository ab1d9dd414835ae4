"""`ngheo batch` under faults, with real processes: killed mid-run, two runs at once, a corrupt
workbook among good ones, an output folder that cannot be written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from ngheo_cli.batch import discover as batch_discover
from ngheo_cli.batch import executors as batch_executors
from ngheo_cli.batch import run as batch_run
from ngheo_cli.io.atomic import TEMP_GLOB
from ngheo_cli.io.outputs.runfiles import read_manifest
from ngheo_cli.io.store import Store

from ..cli.test_cli_batch import Province, digests, make_province

pytestmark = pytest.mark.slow

YEAR = 2024


def command(root: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "ngheo_cli", "batch", str(root), "--year", str(YEAR), *extra]


def start(root: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        command(root, *extra), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env,
    )


def run(root: Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(root, *extra), stdin=subprocess.DEVNULL, capture_output=True, text=True,
        encoding="utf-8", timeout=timeout,
    )


def wait_for(proc: subprocess.Popen[str], predicate, timeout: float = 120) -> dict:
    """Read the JSON-lines log until an event matches; return it."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    for line in proc.stderr:
        event = json.loads(line)
        if predicate(event):
            return event
        assert time.monotonic() < deadline, "timed out waiting for the log"
    raise AssertionError(f"process ended (exit {proc.wait()}) before the awaited event")


def assert_outputs_whole(year_dir: Path) -> None:
    files = [p for p in year_dir.rglob("*") if p.is_file() and "_runs" not in p.parts]
    assert files
    for path in files:
        assert not path.match(TEMP_GLOB), f"leftover temp file {path}"
        if path.suffix == ".xlsx":
            openpyxl.load_workbook(path, read_only=True).close()
        elif path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


def store_counts(root: Path) -> dict[str, tuple[int, int]]:
    """Per commune: (households of the year, support records of the year)."""
    with Store.open(root / "ngheo.sqlite") as store:
        out = {}
        for code in store.communes():
            support = store._conn.execute(
                "SELECT count(*) FROM support WHERE commune = ? AND year = ?", (code, YEAR)
            ).fetchone()[0]
            out[code] = (store.household_count(code, YEAR), int(support))
        return out


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Province:
    """Six communes, 2023 already run, and a clean 2024 run kept as the reference."""
    prov = make_province(tmp_path_factory.mktemp("faults") / "tinh", communes=6, households=400)
    found = batch_discover.discover(prov.root, 2023)
    assert batch_run.run_batch(found).exit_code == 0
    reference = prov.root.parent / "reference"
    shutil.copytree(prov.root, reference)
    done = run(reference, "--json")
    assert done.returncode in (0, 1), done.stderr  # the messy workbooks have a few bad rows
    (prov.root.parent / "reference.json").write_text(done.stdout, encoding="utf-8")
    return prov


@pytest.fixture
def province(base: Province, tmp_path: Path) -> Province:
    root = tmp_path / "tinh"
    shutil.copytree(base.root, root)
    return Province(root, dict(base.households))


@pytest.fixture
def reference(base: Province) -> Path:
    return base.root.parent / "reference"


@pytest.mark.parametrize(("jobs", "delay"), [("1", 0.0), ("1", 0.35), ("2", 0.0)])
def test_killed_run_then_rerun_completes_without_double_counting(
    province: Province, reference: Path, jobs: str, delay: float
) -> None:
    proc = start(province.root, "--jobs", jobs)
    first = wait_for(proc, lambda e: e.get("step") == "commune")
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # No pause for the killed run's pool workers to notice: the rerun itself waits until none
    # is left (they hold the workers lock until they die), so it never races with them.

    manifest = read_manifest(province.out(YEAR))
    assert first["commune"] in manifest
    assert len(manifest) < 6  # killed before the end

    rerun = run(province.root, "--jobs", jobs, "--json")
    assert rerun.returncode in (0, 1), rerun.stderr
    summary = json.loads(rerun.stdout)
    assert first["commune"] in summary["skipped"]  # done before the kill: not done again
    clean = json.loads((reference.parent / "reference.json").read_text(encoding="utf-8"))
    every = sorted(c["commune"] for c in clean["communes"])
    assert sorted(summary["skipped"] + [c["commune"] for c in summary["communes"]]) == every

    counts = store_counts(province.root)
    assert counts == store_counts(reference)  # households and support: nothing counted twice
    for c in clean["communes"]:
        classify = next(s for s in c["steps"] if s["step"] == "classify")
        assert counts[c["commune"]][0] == classify["households"]
        n = province.households.get((c["commune"], YEAR))
        if n is not None:  # every row of the workbook: recorded once, or rejected
            assert classify["households"] + classify["rejected"] == n
    assert_outputs_whole(province.out(YEAR))
    # the same bytes (outputs and manifest) as a run that was never interrupted
    assert digests(province.out(YEAR)) == digests(reference / "ket_qua" / str(YEAR))


def test_second_run_exits_5_at_once(province: Province) -> None:
    first = start(province.root, "--force")
    wait_for(first, lambda e: e.get("step") == "start")
    second = run(province.root, "--force", timeout=60)  # the timeout only guards a hang
    assert second.returncode == 5
    (line,) = second.stderr.strip().splitlines()
    assert json.loads(line)["status"] == "held"
    first.communicate(timeout=300)
    assert first.returncode in (0, 1)


def test_lock_of_a_killed_run_is_free(province: Province) -> None:
    proc = start(province.root, "--force")
    wait_for(proc, lambda e: e.get("step") == "start")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert run(province.root).returncode in (0, 1)


def test_corrupt_workbook_among_good_ones(province: Province) -> None:
    province.survey("24184", YEAR).write_bytes(b"\x00garbage, not a workbook\x00" * 50)
    res = run(province.root, "--json")
    assert res.returncode == 6, res.stderr
    by = {c["commune"]: c for c in json.loads(res.stdout)["communes"]}
    assert by["24184"]["status"] == "failed" and by["24184"]["error"]
    assert "Lỗi nội bộ" not in by["24184"]["error"]
    assert all(c["status"] != "failed" for code, c in by.items() if code != "24184")
    assert_outputs_whole(province.out(YEAR))
    log = [json.loads(line) for line in res.stderr.splitlines()]
    assert any(e.get("commune") == "24184" and e.get("status") == "failed" for e in log)


def test_output_folder_that_cannot_be_created(province: Province) -> None:
    shutil.rmtree(province.root / "ket_qua")
    (province.root / "ket_qua").write_text("not a folder", encoding="utf-8")
    res = run(province.root)
    assert res.returncode == 3
    assert "Traceback" not in res.stderr and "ket_qua" in res.stderr


def test_commune_output_folder_that_cannot_be_written(province: Province) -> None:
    target = province.out(YEAR) / "24187"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("a file where the folder should be", encoding="utf-8")
    res = run(province.root, "--force", "--json")
    assert res.returncode == 6, res.stderr
    by = {c["commune"]: c for c in json.loads(res.stdout)["communes"]}
    assert "Không ghi được" in by["24187"]["error"]
    assert all(c["status"] != "failed" for code, c in by.items() if code != "24187")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file modes")
def test_read_only_output_folder(province: Province) -> None:
    target = province.out(YEAR) / "24187"
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o555)
    try:
        res = run(province.root, "--force", "--json")
    finally:
        target.chmod(0o755)
    assert res.returncode == 6
    by = {c["commune"]: c for c in json.loads(res.stdout)["communes"]}
    assert by["24187"]["status"] == "failed"


def test_a_rerun_waits_for_a_leftover_worker(tmp_path: Path) -> None:
    """A worker of a killed run (here: a process holding the shared workers lock) keeps the
    next run's pool from starting until it is gone."""
    lock = batch_executors._workers_lock(str(tmp_path), YEAR)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT);"
         " fcntl.flock(fd, fcntl.LOCK_SH); print('held', flush=True); time.sleep(3);"
         " print('leaving', flush=True)",
         str(lock)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        batch_executors._wait_for_leftover_workers(lock)
        # Returned only once the holder was leaving (it prints, then exits, which drops it).
        assert holder.stdout.read().strip() == "leaving"
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()
