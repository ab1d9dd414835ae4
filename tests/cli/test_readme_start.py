"""The README's first steps for officers name commands that exist (make windows-smoke runs
them for real from the wheel in a clean environment)."""

from __future__ import annotations

import shlex

from ..conftest import PROJECT
from ..smoke.readme_windows import readme_commands


def test_windows_commands_use_the_launcher_and_real_subcommands(cli) -> None:
    commands = readme_commands((PROJECT / "README.md").read_text(encoding="utf-8"))
    assert commands[0].startswith("py -m pip install") and commands[0].endswith(".whl")
    for line in commands[1:]:
        words = shlex.split(line)
        assert words[:3] == ["py", "-m", "ngheo_cli"], line
        assert cli(words[3], "--help").exit_code == 0, line


def test_readme_says_how_to_run_after_make_demo_and_how_long_tests_take() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/ngheo" in readme and "source .venv/bin/activate" in readme
    assert "make test` mất" in readme and "pipx install" in readme
    assert "_tom_tat.html" in readme and "--headers nhan" in readme
