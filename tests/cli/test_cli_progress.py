"""Progress on a terminal says what was counted; nothing is drawn for logs and pipes."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from ngheo_cli.cli import console

from ..conftest import SAMPLE_DATA


def _terminal(monkeypatch) -> io.StringIO:
    screen = io.StringIO()
    monkeypatch.setattr(console, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(
        console, "err", Console(file=screen, force_terminal=True, width=120, highlight=False)
    )
    return screen


def test_classify_and_assign_bars_count_rows_and_pairs(cli, ws: Path, tmp_path, monkeypatch):
    screen = _terminal(monkeypatch)
    survey = SAMPLE_DATA / "xa_dak_lieng_2024.xlsx"
    res = cli("classify", survey, "--year", 2024, "--out", tmp_path / "o")
    assert res.exit_code == 0
    shown = screen.getvalue()
    assert "đã đọc 603 dòng" in shown and "đã phân loại 603 hộ" in shown
    members = SAMPLE_DATA / "dang_vien_2024.xlsx"
    res = cli("assign", "-c", "24181", "-y", 2024, "-m", members, "-w", ws, "-o", tmp_path / "a")
    assert res.exit_code in (0, 1)
    assert "đã ghép " in screen.getvalue()


def test_nothing_drawn_when_stderr_is_not_a_terminal(cli, tmp_path: Path) -> None:
    survey = SAMPLE_DATA / "xa_dak_lieng_2024.xlsx"
    res = cli("classify", survey, "--year", 2024, "--out", tmp_path / "o")
    assert res.exit_code == 0
    assert "đã đọc" not in res.stderr and "\x1b[" not in res.stderr
