"""Every output file of one commune's run, byte for byte, against the goldens taken from the
code before the speed-ups (issue 15, item 2).

The run is what a batch worker does for the sample commune (Xã Đắk Liêng, 24181, the shipped
``sample_data``): 2023 classified and recorded, then 2024 classified and recorded with its
history, the party members' assignment, the support ledger and the commune report; plus a
single ``classify`` without a working folder, in xlsx and in csv. For each file the golden
holds the sha256 of its bytes and, for the zip containers (xlsx), the sha256 of every member
uncompressed, so that a change of compression level alone shows up as exactly that. For each
HTML file it also holds the sha256 of the text with every ``<svg>…</svg>`` element removed: the
charts' markup may change (drawn by :mod:`ngheo_cli.io.outputs.charts`), the rest of the page
not.

Regenerate the goldens (only when a change is meant to change the bytes, and say why in the
commit): ``.venv/bin/python -m tests.integration.test_output_identity``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ngheo_cli.batch.commune import run_commune
from ngheo_cli.batch.plan import CommuneTask
from ngheo_cli.io.workspace import CommuneConfig, init_workspace
from ngheo_cli.services.classify import classify_file

from ..conftest import SAMPLE_DATA

GOLDEN = Path(__file__).with_name("golden") / "output_identity.json"
CODE = "24181"
TODAY = "2024-12-20"
SVG = re.compile(rb"<svg\b.*?</svg>", re.DOTALL)


def _members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {
            info.filename: hashlib.sha256(zf.read(info.filename)).hexdigest()
            for info in zf.infolist()
        }


def _without_svg(data: bytes) -> str:
    """The sha256 of an HTML file's bytes with every inline ``<svg>`` element cut out."""
    return hashlib.sha256(SVG.sub(b"", data)).hexdigest()


def _fingerprint(folder: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        entry: dict[str, Any] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        if zipfile.is_zipfile(path):
            entry["members"] = _members(path)
        if path.suffix == ".html":
            entry["sha256_without_svg"] = _without_svg(path.read_bytes())
        out[path.relative_to(folder).as_posix()] = entry
    return out


def produce(root: Path) -> dict[str, Any]:
    """Run the sample commune through every step into ``root``; the outputs' fingerprints."""
    ws = root / "ws"
    init_workspace(ws, "66", "Đắk Lắk", [CommuneConfig.create(CODE, "Xã Đắk Liêng", "xa")])
    for year in (2023, 2024):
        survey = ws / "so_lieu" / str(year) / CODE / f"so_{CODE}_{year}.xlsx"
        survey.parent.mkdir(parents=True)
        shutil.copy(SAMPLE_DATA / f"xa_dak_lieng_{year}.xlsx", survey)
        extra = year == 2024
        task = CommuneTask(
            root=str(ws),
            year=year,
            code=CODE,
            survey=str(survey),
            members=str(SAMPLE_DATA / "dang_vien_2024.xlsx") if extra else None,
            support=str(SAMPLE_DATA / "ho_tro_2024.xlsx") if extra else None,
            out_dir=str(root / "out" / "batch" / str(year) / CODE),
            report=extra,
            today=TODAY,
        )
        outcome = run_commune(task)
        assert outcome["status"] == "ok", outcome
    for fmt in ("xlsx", "csv"):
        classify_file(
            SAMPLE_DATA / "xa_dak_lieng_2024.xlsx",
            year=2024,
            out_dir=root / "out" / f"classify_{fmt}",
            fmt=fmt,
        )
    return _fingerprint(root / "out")


@pytest.fixture
def keep_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_commune sets the process's time zone to Vietnam time; restore it afterwards."""
    if "TZ" in os.environ:
        monkeypatch.setenv("TZ", os.environ["TZ"])
    else:
        monkeypatch.delenv("TZ", raising=False)


def test_every_output_is_byte_identical_to_the_golden(tmp_path: Path, keep_tz: None) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = produce(tmp_path)
    assert sorted(got) == sorted(golden), "the set of output files changed"
    beside_charts = [
        name
        for name in golden
        if golden[name].get("sha256_without_svg") != got[name].get("sha256_without_svg")
    ]
    assert beside_charts == [], "HTML changed outside its charts"
    content = [
        name
        for name in golden
        if golden[name].get("members", golden[name]["sha256"])
        != got[name].get("members", got[name]["sha256"])
    ]
    assert content == [], "content changed"
    changed = [name for name in golden if golden[name]["sha256"] != got[name]["sha256"]]
    assert changed == [], "same content, different bytes"


def test_goldens_cover_every_step() -> None:
    names = json.loads(GOLDEN.read_text(encoding="utf-8"))
    text = " ".join(names)
    assert any(n.startswith("batch/2024/") and n.endswith(".html") for n in names)
    for part in ("ket_qua", "niem_yet", "bien_dong", "phan_cong", "bao_cao.xlsx", ".csv"):
        assert part in text, part
    for name, entry in names.items():
        assert name.endswith(".html") == ("sha256_without_svg" in entry), name


def test_cutting_the_svg_keeps_the_rest_of_the_page() -> None:
    page = b'<p>a</p><svg role="img" viewBox="0 0 1 1"><text>x</text></svg><p>b</p>\n<svg></svg>'
    assert SVG.sub(b"", page) == b"<p>a</p><p>b</p>\n"


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        got = produce(Path(tmp))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(got)} files → {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
