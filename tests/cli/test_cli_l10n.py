"""The framework speaks Vietnamese: every --help, every usage error, --json on failure."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import pytest
import typer

from ngheo_cli.cli import console, l10n
from ngheo_cli.cli.app import app

# Phrases Typer/Click/pydantic write in English; none may reach an officer.
ENGLISH = [
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Show this message",
    "required]",
    "range",
    "Missing",
    "No such",
    "Did you mean",
    "Possible options",
    "Invalid value",
    "is not a valid",
    "Got unexpected",
    "extra argument",
    "Error",
    "Try ",
    "for help",
    "Aborted",
    "Input should",
    "greater than",
    "requires an argument",
    "does not take",
    "default:",
    "Example",
    "[OPTIONS]",
    "COMMAND",
    "[ARGS]",
    "<int",
    "<str",
    "<path",
    "<bool",
    "<float",
]


def flat(text: str) -> str:
    """Panel borders removed and wrapped lines joined, so a phrase split by wrapping is found."""
    text = re.sub(r"[│╭╮╰╯─]", " ", text)
    return re.sub(r"\s+", " ", text)


def english_in(text: str) -> list[str]:
    shown = flat(text)
    return [p for p in ENGLISH if p in shown]


def command_paths() -> list[list[str]]:
    group = typer.main.get_command(app)
    paths: list[list[str]] = [[]]
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        paths.append([name])
        for sub in getattr(cmd, "commands", {}) or {}:
            paths.append([name, sub])
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "ngheo")
def test_every_help_is_vietnamese(cli, path: list[str]) -> None:
    res = cli(*path, "--help")
    assert res.exit_code == 0, res.stderr
    assert english_in(res.stdout) == [], res.stdout
    shown = flat(res.stdout)
    assert "Cách dùng: ngheo" in shown and "Tuỳ chọn" in shown
    assert "Xem hướng dẫn này rồi thoát." in shown


WRONG = [
    # (arguments, error code, words the Vietnamese message must contain)
    (["clasify"], "no_such_command", ["Không có lệnh 'clasify'", "'classify'"]),
    (["classify"], "missing_argument", ["Thiếu đối số 'SỔ_HỘ'"]),
    (["support", "add", "--commune", "1"], "missing_option", ["Thiếu tuỳ chọn '--year'"]),
    (["classify", "x.xlsx", "--bogus"], "no_such_option", ["Không có tuỳ chọn --bogus"]),
    (["classify", "x.xlsx", "--year", "abc"], "invalid_value", ["'--year'", "số nguyên"]),
    (["classify", "x.xlsx", "--year", "2024.5"], "invalid_value", ["'--year'", "số nguyên"]),
    (["batch", "--year", "2024", "--jobs", "0"], "invalid_value", ["từ 1 trở lên"]),
    (["classify", "a.xlsx", "b.xlsx"], "extra_argument", ["Thừa đối số", "b.xlsx"]),
    (["classify", "x.xlsx", "--year"], "option_needs_value", ["--year cần một giá trị"]),
    (["rules", "lisst"], "no_such_command", ["Không có lệnh 'lisst'", "'list'"]),
    (["demo", "--json=1"], "option_takes_no_value", ["--json không đi kèm giá trị"]),
]


@pytest.mark.parametrize("args,code,words", WRONG, ids=lambda v: str(v))
def test_usage_errors_are_vietnamese_and_json(cli, args, code, words) -> None:
    res = cli(*args)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert english_in(res.stderr) == [], res.stderr
    assert "Lỗi" in res.stderr
    for w in words:
        assert w in flat(res.stderr), res.stderr
    # With --json, the same failure is a JSON object on stdout.
    if "--json=1" in args:
        return
    # (an option still waiting for its value would take --json as the value: put it before)
    res = cli(*args[:-1], "--json", args[-1]) if args[-1] == "--year" else cli(*args, "--json")
    data = json.loads(res.stdout)
    assert data["ok"] is False and data["exit_code"] == 2
    assert data["error"]["code"] == code
    assert english_in(data["error"]["message"]) == []


def test_every_command_takes_json() -> None:
    group = typer.main.get_command(app)
    for path in command_paths():
        cmd = group
        for name in path:
            cmd = cmd.commands[name]  # type: ignore[attr-defined]
        if getattr(cmd, "commands", None) or not path:
            continue
        opts = {o for p in cmd.params for o in p.opts}
        assert "--json" in opts, f"ngheo {' '.join(path)} has no --json"


def test_no_arguments_shows_vietnamese_help(cli) -> None:
    res = cli()
    assert res.exit_code == 2
    assert "Cách dùng: ngheo" in res.stdout and english_in(res.stdout) == []


def test_domain_failure_is_json_on_stdout(cli, tmp_path: Path) -> None:
    res = cli("classify", tmp_path / "khong_co.xlsx", "--year", "2024", "--json")
    assert res.exit_code == 3
    data = res.json()
    assert data == {
        "ok": False,
        "exit_code": 3,
        "error": {
            "code": "input",
            "message": data["error"]["message"],
            "hint": data["error"]["hint"],
        },
    }
    assert "khong_co.xlsx" in data["error"]["message"]


def test_year_without_standard_is_a_usage_error(cli, tmp_path: Path) -> None:
    res = cli("template", "--out", tmp_path / "m.xlsx", "--year", "1999", "--json")
    assert res.exit_code == 2
    assert res.json()["error"]["code"] == "usage"
    assert "1999" in res.json()["error"]["message"]


def test_json_after_double_dash_is_not_the_flag(cli) -> None:
    res = cli("classify", "--", "--json")
    assert res.stdout == ""


def test_help_paragraphs_are_not_broken_where_the_source_wrapped() -> None:
    """A docstring wrapped at 100 columns must not break mid-sentence on an 80-column screen:
    each paragraph of every command's help is one line; paragraphs stay apart."""
    command = l10n.localise_tree(typer.main.get_command(app))
    pending = [command]
    seen = 0
    while pending:
        cmd = pending.pop()
        pending += list((getattr(cmd, "commands", None) or {}).values())
        for paragraph in (cmd.help or "").split("\n\n"):
            assert "\n" not in paragraph, (cmd.name, paragraph)
            seen += 1
    assert seen > 20
    assert l10n.unwrap_paragraphs("    Một\n    hai.\n\n    Ba\n    bốn.") == "Một hai.\n\nBa bốn."
    kept = "\bDòng một\nDòng hai"
    assert l10n.unwrap_paragraphs(f"Đầu.\n\n{kept}") == f"Đầu.\n\n{kept}"


def test_batch_help_reads_whole_sentences_at_80_columns(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    res = cli("batch", "--help")
    assert res.exit_code == 0
    # The sentence wrapped in the source after "dừng ngay," is wrapped by the terminal only.
    lines = [line.strip(" │") for line in res.stdout.splitlines()]
    assert not any(line.endswith("dừng ngay,") for line in lines), res.stdout


def test_arguments_are_named_in_vietnamese() -> None:
    """The usage line and 'Thiếu đối số …' show an argument's metavar: never a program
    identifier such as ``survey`` or ``target``."""
    command = typer.main.get_command(app)
    pending, names = [command], []
    while pending:
        cmd = pending.pop()
        pending += list((getattr(cmd, "commands", None) or {}).values())
        names += [
            p.metavar for p in cmd.params
            if p.param_type_name == "argument"  # type: ignore[attr-defined]
        ]
    assert len(names) >= 6
    assert all(n and n == n.upper() and not n.isascii() for n in names), names


def test_a_new_command_is_localised_without_extra_work(capsys) -> None:
    extra = typer.Typer(add_completion=False)

    @extra.command()
    def probe(
        n: Annotated[int, typer.Option("--n", min=2, help="Một số.")],
        tep: Annotated[list[Path] | None, typer.Option("--tep", help="Tệp.")] = None,
    ) -> None:
        """Lệnh thử.

        Example: ngheo probe --n 3
        """

    command = l10n.localise_tree(typer.main.get_command(extra))
    with pytest.raises(SystemExit):
        command.main(["--help"], prog_name="ngheo", standalone_mode=True)
    out = capsys.readouterr().out
    assert english_in(out) == [], out
    assert "Ví dụ: ngheo probe" in flat(out) and "<số nguyên>" in out
    assert "từ 2 trở lên" in flat(out).replace("│", "")
    try:
        command.main(["--n", "1"], prog_name="ngheo", standalone_mode=False)
    except Exception as exc:  # noqa: BLE001 - the framework's own usage error
        code, message = l10n.describe_error(exc)  # type: ignore[arg-type]
    assert code == "invalid_value" and "từ 2 trở lên" in message


def test_rules_list_and_show_say_the_years_alike(cli, monkeypatch) -> None:
    monkeypatch.setattr(console.out, "width", 250)  # table cells unwrapped
    listed = flat(cli("rules", "list").stdout)
    for rid, years in (("nd07-2021", "2022–2026"), ("nd351-2025", "2027–2030")):
        shown = cli("rules", "show", rid).stdout
        assert f"rà soát các năm {years}" in shown
        assert f"rà soát các năm {years}" in listed
    shown = flat(cli("rules", "show", "nd07-2021").stdout)
    assert "chưa đối chiếu văn bản gốc" in shown  # certainty U, in words


def test_os_errors_are_said_in_words(cli, tmp_path: Path) -> None:
    blocker = tmp_path / "tep"
    blocker.write_text("x")
    res = cli(
        "init", blocker / "ws", "--province-code", "66", "--province-name", "Đắk Lắk", "--json"
    )
    assert res.exit_code == 2
    message = res.json()["error"]["message"]
    assert "không phải thư mục" in message and "Not a directory" not in res.stderr
