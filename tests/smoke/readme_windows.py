"""Run the README's Windows commands, as written, in a clean virtual environment.

``make windows-smoke`` builds the wheel, creates a venv without the project, and calls this
script with that venv's python. The commands between the ``windows-commands`` markers of the
README are run one by one in a scratch folder holding the wheel and a sample survey; ``py``
(the Windows Python launcher) stands for the clean venv's python. A command that fails, or
an output the README promises that is missing, fails the check.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def readme_commands(readme: str) -> list[str]:
    block = re.search(r"<!-- windows-commands.*?```bat\n(.*?)```", readme, re.S)
    if block is None:
        raise SystemExit("README: no windows-commands block")
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def main(python: str, wheel: Path, work: Path) -> int:
    python = os.path.abspath(python)  # not resolve(): the venv's python is a symlink
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    version = wheel.name.split("-")[1]
    shutil.copy(wheel, work / wheel.name)
    shutil.copy(PROJECT / "sample_data" / "xa_dak_lieng_2024.xlsx", work / "so_ra_soat_2024.xlsx")
    commands = readme_commands((PROJECT / "README.md").read_text(encoding="utf-8"))
    last_stderr = {}
    for line in commands:
        words = shlex.split(line.replace("0.1.0", version))
        if words[0] != "py":
            raise SystemExit(f"README Windows command does not start with py: {line}")
        words[0] = python
        if words[1:4] == ["-m", "pip", "install"] and "--user" in words:
            words.remove("--user")  # a venv has no user site; the rest is the same
        done = subprocess.run(words, cwd=work, capture_output=True, text=True, check=False)
        print(f"$ {line}  → mã thoát {done.returncode}")
        if done.returncode not in (0, 1):
            print(done.stdout, done.stderr, sep="\n")
            return 1
        last_stderr[line] = done.stderr
    promised = [
        work / "demo_out" / "24181_2024_bao_cao.html",
        work / "demo_out" / "xa_dak_lieng_2024_ket_qua.xlsx",
        work / "demo_out" / "xa_dak_lieng_2024_tom_tat.html",
        work / "ket_qua" / "so_ra_soat_2024_ket_qua.xlsx",
    ]
    missing = [str(p) for p in promised if not p.exists()]
    if missing:
        print("Thiếu tệp README hứa:", *missing, sep="\n  ")
        return 1
    demo_err = next(v for k, v in last_stderr.items() if " demo " in f" {k} ")
    if "24181_2024_bao_cao.html" not in demo_err.strip().splitlines()[-1] + demo_err[-400:]:
        print("Dòng cuối của demo không nói tệp nào mở trước.")
        return 1
    print("Các lệnh Windows trong README chạy được trong môi trường sạch.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
