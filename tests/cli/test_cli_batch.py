"""`ngheo batch`: discovery, idempotence, byte-for-byte reruns, one bad commune, the lock,
the JSON-lines log, the run summary and the executors."""

from __future__ import annotations

import importlib.util
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from ngheo_cli.io.outputs.runfiles import read_manifest, run_lock
from ngheo_cli.io.store import Store
from ngheo_cli.io.workspace import CommuneConfig, init_workspace
from ngheo_cli.sample.generator import generate_province, next_year
from ngheo_cli.sample.writer import write_messy

from ..conftest import SAMPLE_DATA

HAS_DASK = importlib.util.find_spec("dask") is not None and (
    importlib.util.find_spec("distributed") is not None
)


@dataclass
class Province:
    root: Path
    households: dict[tuple[str, int], int]  # (commune, year) -> households in the workbook

    def survey(self, code: str, year: int) -> Path:
        return next((self.root / "so_lieu" / str(year) / code).glob("so_*.xlsx"))

    def out(self, year: int) -> Path:
        return self.root / "ket_qua" / str(year)


def make_province(
    root: Path, communes: int = 3, households: int = 150, *, sample_commune: bool = True
) -> Province:
    """A working folder in the documented layout: ``communes`` generated communes for 2023 and
    2024; with ``sample_commune`` the first one also gets the shipped members list and support
    ledger for 2024 (the sample commune Đắk Liêng, 24181, uses the shipped surveys)."""
    samples = list(generate_province(7, communes, households, year=2023))
    configs = [
        CommuneConfig.create(
            s.commune_code, s.commune_name,
            "phuong" if s.commune_name.startswith("Phường") else "xa",
        )
        for s in samples
    ]
    init_workspace(root, "66", "Đắk Lắk", configs, force=True)
    counts: dict[tuple[str, int], int] = {}
    for sample in samples:
        for year_sample in (sample, next_year(sample, 11)):
            folder = root / "so_lieu" / str(year_sample.year) / sample.commune_code
            folder.mkdir(parents=True, exist_ok=True)
            if sample_commune and sample.commune_code == "24181":
                shutil.copy(SAMPLE_DATA / f"xa_dak_lieng_{year_sample.year}.xlsx",
                            folder / f"so_24181_{year_sample.year}.xlsx")
                if year_sample.year == 2024:
                    shutil.copy(SAMPLE_DATA / "dang_vien_2024.xlsx", folder)
                    shutil.copy(SAMPLE_DATA / "ho_tro_2024.xlsx", folder)
                continue
            write_messy(year_sample, folder / f"so_{sample.commune_code}.xlsx", seed=3)
            counts[(sample.commune_code, year_sample.year)] = len(year_sample.households)
    return Province(root, counts)


def digests(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "_runs" not in p.parts
    }


def events(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Province:
    return make_province(tmp_path_factory.mktemp("batch") / "tinh")


@pytest.fixture
def province(built: Province, tmp_path: Path) -> Province:
    """A fresh copy of the module's province (building it once keeps the tests quick)."""
    root = tmp_path / "tinh"
    shutil.copytree(built.root, root)
    return Province(root, dict(built.households))


def test_whole_pipeline_then_skip_then_force_gives_same_bytes(cli, province: Province) -> None:
    first = cli("batch", province.root, "--year", 2023, "--json")
    assert first.exit_code == 0, first.stderr
    res = cli("batch", province.root, "--year", 2024, "--json")
    assert res.exit_code == 0, res.stderr
    summary = res.json()
    assert summary["totals"]["ok"] == 3 and summary["totals"]["skipped"] == 0
    sample = next(c for c in summary["communes"] if c["commune"] == "24181")
    assert [s["step"] for s in sample["steps"]] == [
        "classify", "history", "assign", "support", "report"
    ]
    out = province.out(2024)
    for name in ("24181_2024_bien_dong.xlsx", "24181_2024_phan_cong.xlsx",
                 "24181_2024_bao_cao.html", "24181_2024_bao_cao.xlsx"):
        assert (out / "24181" / name).is_file(), name
    assert (out / "tinh_66_2024_bao_cao.html").is_file()
    assert Path(summary["summary_file"]).parent == out / "_runs"
    saved = json.loads(Path(summary["summary_file"]).read_text(encoding="utf-8"))
    assert saved["run_id"] == summary["run_id"] and saved["exit_code"] == 0
    manifest = read_manifest(out)
    assert sorted(manifest) == sorted(c["commune"] for c in summary["communes"])
    assert set(manifest["24181"]["inputs"]) == {"survey", "members", "support"}

    before = digests(out)
    again = cli("batch", province.root, "--year", 2024, "--json")
    assert again.exit_code == 0
    assert again.json()["totals"]["skipped"] == 3 and again.json()["communes"] == []
    assert digests(out) == before

    forced = cli("batch", province.root, "--year", 2024, "--force", "--json")
    assert forced.exit_code == 0, forced.stderr
    assert forced.json()["totals"]["ok"] == 3
    assert digests(out) == before  # same inputs, same bytes
    with Store.open(province.root / "ngheo.sqlite") as store:  # replaced, not added
        for c in summary["communes"]:
            assert store.household_count(c["commune"], 2024) == c["households"]


def test_batch_writes_only_the_files_the_province_asked_for(cli, province: Province) -> None:
    config = province.root / "ngheo.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "batch:\n  outputs: [ket_qua, bao_cao]\n",
        encoding="utf-8",
    )
    assert cli("batch", province.root, "--year", 2023, "--json").exit_code == 0
    res = cli("batch", province.root, "--year", 2024, "--json")
    assert res.exit_code == 0, res.stderr
    sample = next(c for c in res.json()["communes"] if c["commune"] == "24181")
    # No history workbook asked for: no history step; assignment and support still recorded.
    assert [s["step"] for s in sample["steps"]] == ["classify", "assign", "support", "report"]
    names = sorted(p.name for p in (province.out(2024) / "24181").iterdir())
    assert names == [
        "24181_2024_bao_cao.html",
        "24181_2024_bao_cao.xlsx",
        "so_24181_2024_ket_qua.xlsx",
    ]
    with Store.open(province.root / "ngheo.sqlite") as store:
        assert store.household_count("24181", 2024) == sample["households"]


def test_changed_workbook_reruns_only_that_commune(cli, province: Province) -> None:
    assert cli("batch", province.root, "--year", 2023).exit_code == 0
    path = province.survey("24184", 2023)
    sample = next(s for s in generate_province(7, 2, 150, year=2023) if s.commune_code == "24184")
    write_messy(sample.households.head(100), path, seed=4, commune_code="24184", year=2023)
    res = cli("batch", province.root, "--year", 2023, "--json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert [c["commune"] for c in data["communes"]] == ["24184"]
    assert data["communes"][0]["households"] == 100
    assert sorted(data["skipped"]) == ["24181", "24187"]


def test_json_lines_on_stderr_when_not_a_terminal(cli, province: Province) -> None:
    res = cli("batch", province.root, "--year", 2023)
    assert res.exit_code == 0
    lines = events(res.stderr)
    assert len({e["run_id"] for e in lines}) == 1
    assert lines[0]["step"] == "start" and lines[-1]["step"] == "end"
    classify = [e for e in lines if e.get("step") == "classify"]
    assert {e["commune"] for e in classify} == {"24181", "24184", "24187"}
    assert all("duration_s" in e and "households" in e for e in classify)
    assert res.stdout == ""


def test_corrupt_workbook_fails_alone_with_exit_6(cli, province: Province) -> None:
    province.survey("24184", 2023).write_bytes(b"PK\x03\x04 not really a workbook")
    res = cli("batch", province.root, "--year", 2023, "--json")
    assert res.exit_code == 6
    by = {c["commune"]: c for c in res.json()["communes"]}
    assert by["24184"]["status"] == "failed" and by["24184"]["step"] == "classify"
    assert "so_24184.xlsx" in by["24184"]["error"]
    assert by["24181"]["status"] == by["24187"]["status"] == "ok"
    failed = [e for e in events(res.stderr) if e.get("status") == "failed"]
    assert failed and failed[0]["commune"] == "24184" and failed[0]["error"]


def test_folder_problems_are_a_commune_failure(cli, province: Province) -> None:
    stray = province.root / "so_lieu" / "2023" / "99999"
    stray.mkdir()
    (stray / "so.xlsx").write_bytes(b"")
    empty = province.root / "so_lieu" / "2023" / "24187"
    for p in empty.iterdir():
        p.unlink()
    (empty / "~$so_24187.xlsx").write_bytes(b"Excel's lock file, not a workbook")
    (province.root / "so_lieu" / "2023" / "24184" / "~$so_24184.xlsx").write_bytes(b"lock")
    res = cli("batch", province.root, "--year", 2023, "--json")
    assert res.exit_code == 6
    by = {c["commune"]: c for c in res.json()["communes"]}
    assert "99999" in by["99999"]["error"] and "không có sổ" in by["24187"]["error"]
    assert by["24181"]["status"] == by["24184"]["status"] == "ok"


def test_lock_held_exits_5_at_once(cli, province: Province) -> None:
    with run_lock(province.root, 2023):
        res = cli("batch", province.root, "--year", 2023)
    assert res.exit_code == 5
    (line,) = res.stderr.strip().splitlines()
    assert json.loads(line)["status"] == "held" and "đang chạy" in json.loads(line)["error"]
    assert not (province.out(2023) / "_manifest").exists()
    with run_lock(province.root, 2024):  # another year is another scope
        assert cli("batch", province.root, "--year", 2023).exit_code == 0


def test_could_not_run(
    cli, province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("batch", province.root, "--year", 2022).exit_code == 3  # no so_lieu/2022
    assert cli("batch", tmp_path / "khong_co", "--year", 2023).exit_code == 3
    (tmp_path / "trong").mkdir()
    assert cli("batch", tmp_path / "trong", "--year", 2023).exit_code == 3  # no ngheo.yaml
    monkeypatch.chdir(tmp_path / "trong")
    assert cli("batch", "--year", 2023).exit_code == 3
    monkeypatch.chdir(province.root / "so_lieu")  # found upward, as git finds .git
    assert cli("batch", "--year", 2023).exit_code == 0
    assert cli("batch", province.root, "--year", 2023, "--jobs", 0).exit_code == 2
    bad = tmp_path / "batch.yaml"
    bad.write_text("communes: 3\n", encoding="utf-8")
    assert cli("batch", bad, "--year", 2023).exit_code == 4
    (province.root / "so_lieu" / "2019").mkdir()
    assert cli("batch", province.root, "--year", 2019).exit_code == 2  # no standard for 2019


def test_config_file_lists_the_workbooks(cli, province: Province) -> None:
    config = province.root / "batch.yaml"
    config.write_text(
        "workspace: .\n"
        "communes:\n"
        "  - code: '24184'\n"
        "    survey: so_lieu/{year}/{code}/so_{code}.xlsx\n"
        "  - code: '24187'\n"
        "    survey: so_lieu/{year}/{code}/khong_co.xlsx\n",
        encoding="utf-8",
    )
    res = cli("batch", config, "--year", 2023, "--json")
    assert res.exit_code == 6
    by = {c["commune"]: c for c in res.json()["communes"]}
    assert by["24184"]["status"] == "ok"
    assert "khong_co.xlsx" in by["24187"]["error"]
    assert res.json()["missing"] == ["24181"]


@pytest.mark.slow
def test_process_pool_gives_the_same_bytes(cli, province: Province, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(province.root, twin)
    for root, jobs in ((province.root, "1"), (twin, "2")):
        for year in (2023, 2024):
            res = cli("batch", root, "--year", year, "--jobs", jobs, "--json")
            assert res.exit_code == 0, res.stderr
    assert res.json()["executor"] == "process"
    assert digests(province.out(2024)) == digests(twin / "ket_qua" / "2024")


@pytest.mark.skipif(HAS_DASK, reason="dask is installed")
def test_dask_executor_without_dask_says_how_to_install(cli, province: Province) -> None:
    res = cli("batch", province.root, "--year", 2023, "--executor", "dask://127.0.0.1:8786")
    assert res.exit_code == 2
    assert "pip install ngheo[dask]" in " ".join(res.stderr.split())


def test_dask_executor_address_is_checked(cli, province: Province) -> None:
    res = cli("batch", province.root, "--year", 2023, "--executor", "spark://x")
    assert res.exit_code == 2


@pytest.mark.skipif(not HAS_DASK, reason="needs dask.distributed: pip install ngheo[dask]")
@pytest.mark.slow
def test_dask_local_cluster_runs_the_same_tasks(cli, province: Province, tmp_path: Path) -> None:
    from dask.distributed import LocalCluster

    twin = tmp_path / "twin"
    shutil.copytree(province.root, twin)
    assert cli("batch", twin, "--year", 2023).exit_code == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        res = cli("batch", province.root, "--year", 2023, "--executor", address, "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["executor"] == address and res.json()["totals"]["ok"] == 3
    assert digests(province.out(2023)) == digests(twin / "ket_qua" / "2023")
