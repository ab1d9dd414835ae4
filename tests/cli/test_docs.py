"""Meta-tests that keep help, README and rules files honest."""

from __future__ import annotations

import typer

from ngheo_cli.cli.app import app
from ngheo_cli.core.schema import INDICATOR_KEYS
from ngheo_cli.io import rulesets

from ..conftest import PROJECT


def _commands() -> dict[str, object]:
    group = typer.main.get_command(app)
    out: dict[str, object] = {}
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub:
            out.update({f"{name} {n}": c for n, c in sub.items()})
        else:
            out[name] = cmd
    return out


def test_every_command_has_help_and_an_example() -> None:
    for name, cmd in _commands().items():
        doc = cmd.callback.__doc__ or ""  # type: ignore[attr-defined]
        assert doc.strip(), f"{name} has no help"
        # (help shows "Example:" as "Ví dụ:" too, see cli/l10n.py; test_cli_l10n checks it)
        assert "Ví dụ: ngheo " in doc or "Example: ngheo " in doc, f"{name} has no example"


def test_every_command_is_in_the_readme() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for name in _commands():
        assert f"ngheo {name}" in readme, f"README does not show `ngheo {name}`"
    assert "make demo" in readme and "make test" in readme


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


def test_shipped_rulesets_load_and_use_known_indicators() -> None:
    shipped = rulesets.packaged()
    assert set(shipped) == {"nd07-2021", "nd351-2025"}
    used = set()
    for r in shipped.values():
        used |= set(r.indicator_ids)
        for ind in r.indicators:
            assert ind.source and ind.certainty in {"V", "P", "U"}
    assert used == set(INDICATOR_KEYS)


def test_rules_cli(cli) -> None:
    res = cli("rules", "list", "--json")
    assert res.exit_code == 0
    assert [s["id"] for s in res.json()["standards"]] == ["nd07-2021", "nd351-2025"]
    shown = cli("rules", "show", "nd07-2021", "--json").json()
    assert shown["income_line"]["nong_thon"]["value"] == 1_500_000
    assert cli("rules", "show", "khong-co").exit_code == 4
