"""`ngheo report` at commune and province scale.

Builds a working folder with synthetic stored years (numpy, straight into the store: no
workbook is read), then times, in this process, after one warm-up call (the imports are
paid once, as in a long-running session):

* a commune report (numbers, charts, HTML and Excel) of one commune;
* a province report over every commune.

    python benchmarks/bench_report.py [--communes 300] [--households 2000] [--years 2]

Goals (issue 6): commune report < 1 s, province report over 300 communes < 30 s, HTML
< 500 KB. Prints one line per measure and exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

CLASSES = ("ngheo", "can_ngheo", "trung_binh", "khac")
CAUSES = ("Thiếu vốn", "Thiếu đất sản xuất", "Thiếu lao động", "Ốm đau, tai nạn", "Khác")
NEEDS = ("Sản xuất", "Tín dụng", "Sản xuất; Tín dụng", "Y tế", "Nhà ở; Tín dụng")
ETHNIC = ("Kinh", "Ê Đê", "M'Nông", "Gia Rai", "Tày")


def build_workspace(root: Path, communes: int, households: int, years: int) -> None:
    import numpy as np
    import pandas as pd

    from ngheo_cli.io import rulesets
    from ngheo_cli.io.store import RunInfo, Store
    from ngheo_cli.io.workspace import CommuneConfig, init_workspace

    configs = [CommuneConfig.create(f"{c:05d}", f"Xã Số {c}", "xa") for c in range(1, communes + 1)]
    ws = init_workspace(root, "66", "Tỉnh Thử", configs)
    indicators = rulesets.packaged()["nd07-2021"].indicator_ids
    info = RunInfo(standard="nd07-2021", indicators=indicators)
    rng = np.random.default_rng(6)
    first = 2025 - years
    with Store.open(ws.store_path) as store:
        for cfg in configs:
            n = households
            codes = np.char.add("0", np.arange(1, n + 1).astype(str))
            cls = rng.choice(4, n, p=[0.2, 0.15, 0.2, 0.45])
            base = {
                "ma_ho": codes,
                "ho_ten_chu_ho": np.char.add("Chủ hộ ", codes),
                "thon": np.char.add("Thôn ", rng.integers(1, 13, n).astype(str)),
                "dan_toc": np.asarray(ETHNIC)[rng.integers(0, len(ETHNIC), n)],
                "khu_vuc": "nong_thon",
                "so_nhan_khau": rng.integers(1, 9, n),
            }
            for year in range(first, 2025):
                cls = np.clip(cls + rng.choice([-1, 0, 0, 0, 0, 0, 1], n), 0, 3)
                frame = pd.DataFrame({**base, "phan_loai": np.asarray(CLASSES)[cls]})
                frame["is_dtts"] = frame["dan_toc"] != "Kinh"
                poorish = cls <= 1
                frame["nguyen_nhan"] = np.where(
                    poorish, np.asarray(CAUSES)[rng.integers(0, len(CAUSES), n)], None)
                frame["nhu_cau"] = np.where(
                    poorish, np.asarray(NEEDS)[rng.integers(0, len(NEEDS), n)], None)
                for key in indicators:
                    frame[key] = rng.random(n) < np.where(poorish, 0.35, 0.1)
                frame["so_thieu_hut"] = frame[list(indicators)].sum(axis=1)
                frame["so_nhan_khau"] = frame["so_nhan_khau"].astype("Int64")
                store.record_year(cfg.code, year, frame, info)


def timed(label: str, func):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    value = func()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s")
    return value, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=300)
    parser.add_argument("--households", type=int, default=2000, help="per commune")
    parser.add_argument("--years", type=int, default=2)
    args = parser.parse_args()

    from ngheo_cli.io.outputs.report import write_report
    from ngheo_cli.io.workspace import load_workspace
    from ngheo_cli.services.report import build_report

    with tempfile.TemporaryDirectory(prefix="ngheo-bench-report-") as tmp:
        root = Path(tmp) / "ws"
        total = args.communes * args.households
        timed(f"setup: {args.communes} xã × {args.households} hộ × {args.years} năm "
              f"({total:,} hộ/năm, not part of the goals)",
              lambda: build_workspace(root, args.communes, args.households, args.years))
        ws = load_workspace(root)
        out = Path(tmp) / "out"

        def commune() -> list[Path]:
            report = build_report(ws, 2024, commune="00001")
            return write_report(report.context, out)

        def province() -> list[Path]:
            report = build_report(ws, 2024, province=True)
            return write_report(report.context, out)

        commune()  # warm-up: imports, compiled template
        paths, commune_s = timed("commune report (numbers + HTML + Excel)", commune)
        html_kb = paths[0].stat().st_size / 1024
        print(f"commune HTML: {html_kb:.0f} KB")
        paths, province_s = timed(f"province report over {args.communes} communes", province)
        province_kb = paths[0].stat().st_size / 1024
        print(f"province HTML: {province_kb:.0f} KB")
    ok = commune_s < 1 and province_s < 30 and html_kb < 500 and province_kb < 500
    print("goals (commune < 1 s, province < 30 s, HTML < 500 KB):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
