"""The HTML report in a real browser (headless Chromium): it renders, asks the network for
nothing, logs no console message, and a screenshot is kept in the test's tmp folder.

Skipped, with the reason, when no Chromium is installed (CI installs it)."""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_cli_report import LAK_TARGETS, set_targets

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    explicit = os.environ.get("NGHEO_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium không có trên máy này (cài gói chromium, hoặc đặt NGHEO_CHROMIUM)",
    ),
]

# Resource timing of everything the page loaded, written into the DOM after "load". Added
# to a copy only: the report itself has no script.
PROBE = (
    '<script>addEventListener("load",function(){document.body.setAttribute("data-resources",'
    'JSON.stringify(performance.getEntriesByType("resource").map(function(e){return e.name})'
    '))});</script>'
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile.mkdir(parents=True, exist_ok=True)
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # even a mistake cannot reach the network
        "--enable-logging=stderr", "--v=0", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture
def report_html(cli, ws: Path, tmp_path: Path) -> Path:
    set_targets(ws, LAK_TARGETS)
    out = tmp_path / "bao_cao"
    res = cli("report", "-y", 2024, "-c", "24181", "-w", ws, "--out", out)
    assert res.exit_code == 0, res.stderr
    return out / "24181_2024_bao_cao.html"


def test_report_renders_offline_without_console_errors(report_html: Path, tmp_path: Path) -> None:
    text = report_html.read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    external = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]*""", text, re.I)
    external += re.findall(r"""(?:url\(|@import)\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not external, external

    uri = report_html.resolve().as_uri()
    shot = tmp_path / "bao_cao.png"
    run = chromium(tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1240,1754",
                   "--hide-scrollbars", uri)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    dom = chromium(tmp_path / "profile-dom", "--virtual-time-budget=5000", "--dump-dom", uri)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo năm 2024" in dom.stdout
    assert dom.stdout.count("<svg") == 3
    assert "Tỷ lệ hộ nghèo không quá 20,00 % năm 2025" in dom.stdout
    assert console_lines(dom.stderr) == []

    probed = tmp_path / "probe.html"
    probed.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path / "profile-probe", "--virtual-time-budget=5000", "--dump-dom",
                   probed.resolve().as_uri())
    found = re.search(r'data-resources="([^"]*)"', dom.stdout)
    assert found, "the probe did not run"
    assert json.loads(html_lib.unescape(found.group(1))) == []


def test_the_probe_does_see_a_network_request(tmp_path: Path) -> None:
    """The check above would notice a page that loads something from the network."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><body><img src="http://example.invalid/x.png">'
                    + PROBE + "</body></html>", encoding="utf-8")
    dom = chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom",
                   page.resolve().as_uri())
    found = re.search(r'data-resources="([^"]*)"', dom.stdout)
    assert found and json.loads(html_lib.unescape(found.group(1))) == [
        "http://example.invalid/x.png"]
