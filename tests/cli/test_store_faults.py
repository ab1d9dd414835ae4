"""A store that fails says so in words (issue 11, item 3): a corrupt page, a dropped table, a
read-only folder or a full disk gives exit 3 (or 5 when locked) and a Vietnamese message with
what to do, on every command that opens the store; ``classify --commune`` records and writes
its outputs, or does neither.

Read-only and full-disk cases need a small tmpfs (``mount``); where the machine does not allow
it they are skipped with the reason. (Tests run as root, so chmod cannot make a file
read-only for them.)
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DATA

SOURCE = SAMPLE_DATA / "xa_dak_lieng_2024.xlsx"
MEMBERS = SAMPLE_DATA / "dang_vien_2024.xlsx"
SUPPORT = SAMPLE_DATA / "ho_tro_2024.xlsx"


def _commands(ws: Path, out: Path) -> dict[str, list[object]]:
    common = ["-c", "24181", "-y", "2024", "-w", ws]
    return {
        "classify": [
            "classify",
            SOURCE,
            "--year",
            "2024",
            "--commune",
            "24181",
            "-w",
            ws,
            "--out",
            out / "classify",
        ],
        "history": ["history", *common, "--out", out / "history"],
        "export": ["export", *common, "--out", out / "export.csv"],
        "assign": ["assign", *common, "--members", MEMBERS, "--out", out / "assign"],
        "support": ["support", "import", SUPPORT, *common],
        "report": ["report", *common, "--out", out / "report"],
    }


COMMANDS = ["classify", "history", "export", "assign", "support", "report"]


def said(res) -> str:  # noqa: ANN001
    return " ".join(res.stderr.split())


def assert_in_words(res, *words: str) -> None:  # noqa: ANN001
    assert res.exit_code == 3, (res.exit_code, res.stderr)
    assert "Traceback" not in res.stderr + res.stdout
    text = said(res)
    for word in words:
        assert word in text, text


def _corrupt_page(store: Path) -> None:
    """Overwrite the pages in the middle of the file (the households' b-tree)."""
    size = store.stat().st_size
    with store.open("r+b") as fh:
        for offset in range(4096 * 4, size - 4096, 4096 * 3):
            fh.seek(offset)
            fh.write(b"\xde\xad\xbe\xef" * 1024)


def _checkpoint(store: Path) -> None:
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with 2024 recorded (built once, copied per test)."""
    from ngheo_cli.cli.app import run

    root = tmp_path_factory.mktemp("faults") / "ws"
    assert (
        run(
            [
                "init",
                str(root),
                "--province-code",
                "66",
                "--province-name",
                "Đắk Lắk",
                "--commune",
                "24181:Xã Đắk Liêng:xa",
            ]
        )
        == 0
    )
    out = root.parent / "out"
    assert (
        run(
            [
                "classify",
                str(SOURCE),
                "--year",
                "2024",
                "--commune",
                "24181",
                "-w",
                str(root),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    _checkpoint(root / "ngheo.sqlite")
    return root


@pytest.fixture
def ws(recorded: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(recorded, target)
    return target


@pytest.mark.parametrize("command", COMMANDS)
def test_a_corrupt_page_is_said_in_words(cli, ws: Path, tmp_path: Path, command: str) -> None:
    _corrupt_page(ws / "ngheo.sqlite")
    res = cli(*_commands(ws, tmp_path / "out")[command])
    assert_in_words(res, "Kho dữ liệu", "hỏng")
    assert "bản sao lưu" in said(res) or "bản chép" in said(res)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_dropped_table_is_said_in_words(cli, ws: Path, tmp_path: Path, command: str) -> None:
    conn = sqlite3.connect(ws / "ngheo.sqlite")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DROP TABLE households")
    conn.commit()
    conn.close()
    res = cli(*_commands(ws, tmp_path / "out")[command])
    assert_in_words(res, "Kho dữ liệu", "thiếu")


def test_the_restore_hint_names_the_backup(cli, ws: Path, tmp_path: Path) -> None:
    shutil.copy(ws / "ngheo.sqlite", ws / "ngheo.sqlite.bak-v3")
    _corrupt_page(ws / "ngheo.sqlite")
    res = cli(*_commands(ws, tmp_path / "out")["history"])
    assert_in_words(res, "ngheo.sqlite.bak-v3")


def test_classify_records_and_writes_or_does_neither(cli, ws: Path, tmp_path: Path) -> None:
    _corrupt_page(ws / "ngheo.sqlite")
    out = tmp_path / "out" / "classify"
    res = cli(*_commands(ws, tmp_path / "out")["classify"])
    assert_in_words(res, "hỏng")
    assert not out.exists() or not any(out.iterdir())


# --- read-only and full: a small tmpfs ---------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            "this machine does not allow mounting a small tmpfs (needs root in a "
            "namespace that may mount)"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` until about ``leave`` bytes are free."""
    import os

    free = os.statvfs(folder)
    size = free.f_bavail * free.f_frsize - leave
    with (folder / "fill.bin").open("wb") as fh:
        block = b"\0" * 65536
        while size > 0:
            try:
                fh.write(block[: min(size, len(block))])
                fh.flush()
            except OSError:
                break
            size -= len(block)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_folder_is_said_in_words(
    cli, recorded: Path, tmpfs: Path, tmp_path: Path, command: str
) -> None:
    ws = tmpfs / "ws"
    shutil.copytree(recorded, ws)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    res = cli(*_commands(ws, tmp_path / "out")[command])
    assert_in_words(res, "chỉ đọc", "quyền ghi")


@pytest.mark.parametrize("command", ["classify", "support", "history"])
def test_a_full_disk_is_said_in_words(
    cli, recorded: Path, tmpfs: Path, tmp_path: Path, command: str
) -> None:
    ws = tmpfs / "ws"
    shutil.copytree(recorded, ws)
    _fill(tmpfs, leave=0)
    out = tmp_path / "out"
    res = cli(*_commands(ws, out)[command])
    assert_in_words(res, "Ổ đĩa đã đầy", "Giải phóng")
    assert "Exception ignored" not in res.stderr
    if command == "classify":  # recorded and written, or neither
        assert not (out / "classify").exists() or not any((out / "classify").iterdir())
