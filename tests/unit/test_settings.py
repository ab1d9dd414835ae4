"""``ngheo.yaml`` has one reader (issue 12, item 3): every section checked once, every mistake
exit 4 naming its line and key, in every command; ``ngheo init --force`` keeps the sections
it does not write."""

from __future__ import annotations

from pathlib import Path

import pytest

from ngheo_cli.core.assign_rules import AssignRules
from ngheo_cli.errors import EXIT_RULES, RulesetError
from ngheo_cli.io.settings import read_settings
from ngheo_cli.io.workspace import CONFIG_NAME, CommuneConfig, init_workspace, load_workspace

# A file an officer might have after a year of use: every section, comments, a quoted code.
FULL = """\
# Cấu hình của tỉnh
version: 1
province: {code: '66', name: Đắk Lắk}
communes:
  - {code: '24181', name: Xã Đắk Liêng, type: xa}
  - {code: '24184', name: Đặc khu Lý Sơn, type: dac_khu, khu_vuc: nong_thon}
targets:
  - {level: commune, code: '24181', year: 2025, measure: poor_rate, kind: at_most,
     value: 20, source: "NQ 14-NQ/HU ngày 06/9/2023"}
assign:
  max_households_per_member: 4
  same_village: false
support:
  salary_day_dong: 310000
  seedlings: 12
"""


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    return folder


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_every_section_is_read_once_into_typed_values(tmp_path: Path) -> None:
    ws = load_workspace(_write(tmp_path, FULL))
    s = ws.settings
    assert (s.province_code, s.province_name) == ("66", "Đắk Lắk")
    assert [(c.code, c.khu_vuc) for c in s.communes] == [
        ("24181", "nong_thon"),
        ("24184", "nong_thon"),
    ]
    assert s.assign == AssignRules(max_households_per_member=4, same_village=False)
    assert (s.support.salary_day_dong, s.support.seedlings, s.support.labour_days) == (
        310_000,
        12,
        1,
    )
    assert not s.support.placeholder
    assert [(t.code, t.value) for t in s.targets] == [("24181", 20)]
    assert read_settings(ws.config_path) == s  # the file alone gives the same values


GOOD = "province: {code: '66', name: Đắk Lắk}\n"
CASES = [
    # (file, the text on the line the message must name, what the message must name)
    (GOOD + "communes:\n  - {code: '1', name: Xã A, type: xa}\nthon: []\n", "thon:", "thon"),
    ("province:\n  code: '66'\n  name: Đắk Lắk\n  ten: X\n", "ten: X", "ten"),
    (
        GOOD + "communes:\n  - {code: '1', name: Xã A, type: xa}\n"
        "  - code: '2'\n    name: Xã B\n    type: xa\n    dien_tich: 5\n",
        "dien_tich",
        "dien_tich",
    ),
    (
        GOOD + "targets:\n  - level: commune\n    code: '1'\n    year: 2025\n"
        "    measure: poor_rate\n    kind: at_most\n    value: 20\n    source: NQ\n"
        "    muc_tieu: 3\n",
        "- level",
        "muc_tieu",
    ),
    (GOOD + "assign:\n  max_households_per_member: 3\n  so_ho: 2\n", "so_ho", "so_ho"),
    (GOOD + "assign:\n  same_village: 'không'\n", "same_village", "same_village"),
    (
        GOOD + "assign:\n  keep_previous: true\n  households_per_member: 0\n",
        "households_per_member",
        "households_per_member",
    ),
    (GOOD + "support:\n  seedlings: 10\n  ngay_luong: 1\n", "ngay_luong", "ngay_luong"),
    (
        GOOD + "support:\n  labour_days: 1\n  salary_day_dong: -5\n",
        "salary_day_dong",
        "salary_day_dong",
    ),
    (GOOD + "support: [1, 2]\n", "support:", "support"),
    (GOOD + "version: 9\n", "version", "version"),
]


@pytest.mark.parametrize("text, needle, key", CASES)
def test_a_mistake_in_any_section_names_its_line_and_key(
    tmp_path: Path, text: str, needle: str, key: str
) -> None:
    _write(tmp_path, text)
    with pytest.raises(RulesetError) as err:
        load_workspace(tmp_path)
    assert err.value.exit_code == EXIT_RULES
    message = str(err.value)
    assert f"dòng {_line_of(text, needle)}" in message, message
    assert key in message


@pytest.mark.parametrize(
    "text, line",
    [
        (GOOD + "support:\n  salary_day_dong: 310000\n seedlings: 10\n", 4),  # bad indent
        (GOOD + "communes: [{code: '1', name: Xã A, type: xa}\n", 3),  # unclosed
        (GOOD + "assign: {a: 1}\n---\nprovince: {}\n", 3),  # two documents
    ],
)
def test_a_syntax_error_is_never_an_empty_file(tmp_path: Path, text: str, line: int) -> None:
    _write(tmp_path, text)
    for read in (load_workspace, read_settings):
        with pytest.raises(RulesetError, match="YAML sai cú pháp") as err:
            read(tmp_path)
        assert err.value.exit_code == EXIT_RULES
        assert f"dòng {line}" in str(err.value)


BROKEN = GOOD + "support:\n  salary_day_dong: 310000\n seedlings: 10\n"


@pytest.mark.parametrize(
    "args",
    [
        ("support", "summary", "--commune", "24181", "--year", "2024"),
        ("report", "--commune", "24181", "--year", "2024"),
        ("assign", "--commune", "24181", "--year", "2024"),
        ("history", "--commune", "24181", "--year", "2024"),
        ("batch", "--year", "2024"),
    ],
)
def test_every_command_says_the_same_of_a_broken_file(cli, tmp_path: Path, args: tuple) -> None:
    root = _write(tmp_path / "ws", BROKEN)
    workspace = () if args[0] == "batch" else ("-w", root)
    target = (root,) if args[0] == "batch" else ()
    res = cli(*args[:1], *target, *args[1:], *workspace)
    assert res.exit_code == EXIT_RULES, res.stderr
    assert "YAML sai cú pháp (dòng 4" in res.stderr


def test_init_force_keeps_every_other_section(tmp_path: Path) -> None:
    root = _write(tmp_path / "ws", FULL)
    before = load_workspace(root).settings
    moved = CommuneConfig.create("24190", "Phường Tân Lợi", "phuong")
    ws = init_workspace(root, "67", "Đắk Nông", [moved], force=True)
    after = load_workspace(root)
    assert after == ws
    assert (after.province_code, after.communes) == ("67", (moved,))
    assert after.settings.targets == before.targets
    assert after.settings.assign == before.assign
    assert after.settings.support.salary_day_dong == before.support.salary_day_dong == 310_000
    assert (root / f"{CONFIG_NAME}.bak").read_text(encoding="utf-8") == FULL


def test_init_force_on_a_broken_file_changes_nothing(tmp_path: Path) -> None:
    root = _write(tmp_path / "ws", BROKEN)
    with pytest.raises(RulesetError, match="dòng 4"):
        init_workspace(root, "66", "Đắk Lắk", [], force=True)
    assert (root / CONFIG_NAME).read_text(encoding="utf-8") == BROKEN
    assert not (root / f"{CONFIG_NAME}.bak").exists()


def test_init_force_from_the_command_line(cli, tmp_path: Path) -> None:
    root = _write(tmp_path / "ws", FULL)
    res = cli(
        "init",
        root,
        "--province-code",
        "66",
        "--province-name",
        "Đắk Lắk",
        "--commune",
        "24181:Xã Đắk Liêng:xa",
        "--force",
    )
    assert res.exit_code == 0, res.stderr
    ws = load_workspace(root)
    assert [c.code for c in ws.communes] == ["24181"]
    assert ws.settings.support.seedlings == 12 and ws.settings.assign.same_village is False
    assert len(ws.settings.targets) == 1


@pytest.mark.parametrize(
    "content, said",
    [
        (b"communes:\n  - {code: '24181', survey: a.xlsx\n", "YAML sai cú pháp (dòng"),
        (b"\xff\xfe\x00c\x00o", "không phải văn bản UTF-8"),
    ],
)
def test_a_broken_batch_config_is_exit_4_at_its_line(
    cli, tmp_path: Path, content: bytes, said: str
) -> None:
    config = tmp_path / "batch.yaml"
    config.write_bytes(content)
    res = cli("batch", config, "--year", 2024)
    assert res.exit_code == EXIT_RULES, res.stderr
    assert said in " ".join(res.stderr.split())  # the console wraps long lines
