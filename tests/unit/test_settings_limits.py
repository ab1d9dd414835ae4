"""Settings that cannot run code or exhaust memory (issue 11, item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ngheo_cli.batch.discover import fill_placeholders
from ngheo_cli.errors import EXIT_RULES, RulesetError
from tests.conftest import SAMPLE_DATA

VALUES = {"year": "2024", "code": "24181"}


def test_placeholders_are_filled_by_name() -> None:
    assert fill_placeholders("so/{year}/{code}.xlsx", VALUES, "x") == "so/2024/24181.xlsx"
    assert fill_placeholders("so/{{cu}}/{code}", VALUES, "x") == "so/{cu}/24181"
    assert fill_placeholders("khong_cho_dien.xlsx", VALUES, "x") == "khong_cho_dien.xlsx"


@pytest.mark.parametrize(
    "template",
    [
        "{code.__class__}",
        "{code.__class__.__mro__[1].__subclasses__}",
        "{year[0]}",
        "{code:>999999999999}",
        "{code!r}",
        "{nam}",
        "so/{year",
        "so/year}",
        "{}",
    ],
)
def test_anything_else_in_braces_is_exit_4_naming_it(template: str) -> None:
    with pytest.raises(RulesetError) as caught:
        fill_placeholders(template, VALUES, "batch.yaml, xã thứ 1")
    assert caught.value.exit_code == EXIT_RULES
    assert template in caught.value.message
    assert "{year}, {code}" in (caught.value.hint or "")


def test_batch_config_with_attribute_access_is_refused(cli, ws: Path) -> None:
    config = ws / "batch.yaml"
    config.write_text(
        "communes:\n  - code: '24181'\n    survey: so/{code.__init__.__globals__}.xlsx\n",
        encoding="utf-8",
    )
    res = cli("batch", config, "--year", 2024)
    assert res.exit_code == EXIT_RULES
    assert "Traceback" not in res.stderr
    assert "{code.__init__.__globals__}" in " ".join(res.stderr.split())


def test_a_huge_assignment_cap_is_harmless(cli, ws: Path, tmp_path: Path) -> None:
    members = SAMPLE_DATA / "dang_vien_2024.xlsx"
    common = ["assign", "-c", "24181", "-y", "2024", "-w", ws, "--members", members, "--json"]
    huge = cli(*common, "--cap", 10**12, "--out", tmp_path / "a")
    assert huge.exit_code in (0, 1), huge.stderr
    ample = cli(*common, "--cap", 10**4, "--out", tmp_path / "b")
    # Bounded by the number of households: any cap beyond it gives the same assignment.
    assert huge.json()["assigned"] == ample.json()["assigned"]
