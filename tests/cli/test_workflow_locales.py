"""The README's workflow, as an officer runs it, in a Vietnamese and in the C locale: every
printed line is Vietnamese, with no English framework phrase and no raw program code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ..conftest import SAMPLE_DATA
from .test_cli_l10n import english_in

RAW_CODES = re.compile(
    r"\b(can_ngheo|trung_binh|tren_chuan|nong_thon|thanh_thi|True|False|None|nan|NaN"
    r"|members_per_household|same_village|ht-[a-z-]+|Traceback)\b"
)


def _locale() -> str:
    done = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    have = {x.lower().replace("-", "") for x in done.stdout.split()}
    return "vi_VN.UTF-8" if "vi_vn.utf8" in have else "C.UTF-8"


def _steps(root: Path, out: Path) -> list[list[str]]:
    c, w = ["--commune", "24181"], ["--workspace", str(root)]
    return [
        ["init", str(root), "--province-code", "66", "--province-name", "Đắk Lắk",
         "--commune", "24181:Xã Đắk Liêng:xa"],
        *(
            ["classify", str(SAMPLE_DATA / f"xa_dak_lieng_{y}.xlsx"), "--year", str(y), *c, *w,
             "--out", str(out)]
            for y in (2023, 2024)
        ),
        ["history", *c, "--year", "2024", *w, "--out", str(out)],
        ["assign", *c, "--year", "2024", "--members", str(SAMPLE_DATA / "dang_vien_2024.xlsx"),
         *w, "--out", str(out)],
        ["support", "import", str(SAMPLE_DATA / "ho_tro_2024.xlsx"), *c, "--year", "2024", *w,
         "--out", str(out)],
        ["support", "summary", *c, "--year", "2024", *w, "--out", str(out)],
        ["report", "--year", "2024", *c, *w, "--out", str(out / "bao_cao")],
        ["export", *c, "--year", "2024", *w, "--out", str(out / "xa_2024.xlsx")],
        ["rules", "list"],
        ["classify", "khong_co.xlsx", "--year", "2024"],  # a mistake, said in Vietnamese
        ["classify"],
    ]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("lang", [_locale(), "C"])
def test_readme_workflow_prints_only_vietnamese(tmp_path: Path, lang: str) -> None:
    env = {**os.environ, "LANG": lang, "LC_ALL": lang, "COLUMNS": "200"}
    env.pop("PYTHONUTF8", None)
    root, out = tmp_path / "ws", tmp_path / "out"
    for step in _steps(root, out):
        done = subprocess.run(
            [sys.executable, "-m", "ngheo_cli", *step],
            capture_output=True, env=env, cwd=tmp_path, check=False,
        )  # fmt: skip
        text = (done.stdout + done.stderr).decode("utf-8")
        expected = (0, 1) if step[0] != "classify" or len(step) > 4 else (2, 3)
        assert done.returncode in expected, (step, text)
        for line in text.splitlines():
            assert english_in(line) == [], (step, line)
            assert not RAW_CODES.search(line), (step, line)
        assert re.search(r"[ăâđêôơưạảấầẩậắằẳặẹẻếềểệịỉọỏốồổộớờởợụủứừửựỳỷỹý]", text), step
    if lang == "C":
        return  # the files do not depend on the locale; read them once
    for book in sorted(out.rglob("*.xlsx")):
        assert codes_in_workbook(book) == [], book.name


CODE_CELL = re.compile(r"^([a-z0-9]+(_[a-z0-9]+)+|True|False|nan|None|NaN)$")


def codes_in_workbook(path: Path) -> list[tuple[str, str]]:
    """Cells an officer would read as program codes: snake_case keys, booleans, "nan"."""
    found = []
    for sheet in openpyxl.load_workbook(path, read_only=True).worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, bool) or (
                    isinstance(value, str) and CODE_CELL.match(value.strip())
                ):
                    found.append((sheet.title, str(value)))
    return found[:10]
