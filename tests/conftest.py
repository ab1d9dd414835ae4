"""Shared fixtures: an in-process CLI runner with stdout and stderr kept apart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ngheo_cli.cli.app import run

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = PROJECT / "sample_data"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Call ``cli("classify", path, "--json")`` → CliResult(exit_code, stdout, stderr)."""

    def invoke(*args: object) -> CliResult:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def empty_ws(cli, tmp_path: Path) -> Path:
    """A new working folder for the sample commune (Xã Đắk Liêng, 24181), nothing recorded."""
    root = tmp_path / "ws"
    res = cli(
        "init",
        root,
        "--province-code",
        "66",
        "--province-name",
        "Đắk Lắk",
        "--commune",
        "24181:Xã Đắk Liêng:xa",
    )
    assert res.exit_code == 0, res.stderr
    return root


@pytest.fixture
def ws(cli, empty_ws: Path, tmp_path: Path) -> Path:
    """A working folder with the sample commune's 2023 and 2024 recorded."""
    root = empty_ws
    for year in (2023, 2024):
        res = cli(
            "classify",
            SAMPLE_DATA / f"xa_dak_lieng_{year}.xlsx",
            "--year",
            year,
            "--commune",
            "24181",
            "--workspace",
            root,
            "--out",
            tmp_path / "out",
            "--json",
        )
        assert res.exit_code == 0, res.stderr
        assert res.json()["recorded"]["commune"] == "24181"
    return root
