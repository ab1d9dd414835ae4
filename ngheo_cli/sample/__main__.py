"""Regenerate the committed sample data, or write a generated province.

    python -m ngheo_cli.sample [--out DIR]
    python -m ngheo_cli.sample --communes 120 --households 8300 --out DIR [--jobs 2]

Same seed → the same bytes, so ``git diff`` stays empty unless the generator changed. With
``--communes`` the folder is a province working folder for `ngheo batch` (ngheo.yaml and
so_lieu/<year>/<code>/so_<code>.xlsx, two years), as the batch benchmark uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from ngheo_cli.errors import NgheoError
from ngheo_cli.sample.writer import SAMPLE_HOUSEHOLDS, SAMPLE_SEED, check_fits, write_sample_data


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ngheo_cli.sample",
        description="Tạo lại thư mục dữ liệu mẫu (giả lập) sample_data/, hoặc một tỉnh giả "
        "lập (--communes) để chạy ngheo batch.",
    )
    parser.add_argument("--out", default="sample_data", help="thư mục ghi (mặc định sample_data)")
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED, help="hạt giống ngẫu nhiên")
    parser.add_argument(
        "--households", type=int, default=SAMPLE_HOUSEHOLDS,
        help="số hộ của năm đầu (mỗi xã, khi có --communes)",
    )
    parser.add_argument(
        "--communes", type=int, default=None,
        help="ghi một tỉnh giả lập gồm chừng ấy xã, hai năm 2023 và 2024, thay cho sample_data",
    )
    parser.add_argument(
        "--jobs", type=int, default=None,
        help="số tiến trình tạo xã song song (mặc định: số lõi CPU); chỉ dùng với --communes",
    )
    args = parser.parse_args(argv)
    if args.seed < 0 or args.households < 1:
        parser.error("--seed phải ≥ 0 và --households phải ≥ 1")
    if args.communes is None:
        if args.jobs is not None:
            parser.error("--jobs chỉ dùng cùng --communes")
        for path in write_sample_data(args.out, seed=args.seed, households=args.households):
            print(f"Đã ghi {path}", file=sys.stderr)
        return 0
    if args.communes < 1:
        parser.error("--communes phải ≥ 1")
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        parser.error("--jobs phải ≥ 1")
    try:
        check_fits(args.households, years=2, messy=True)
    except NgheoError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return error.exit_code
    from ngheo_cli.sample.province import (
        write_province,  # imports the workspace code only when needed
    )

    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            print(f"  đã tạo {done}/{total} xã ({time.perf_counter() - start:.0f} giây)",
                  file=sys.stderr, flush=True)

    _, written = write_province(
        args.out, seed=args.seed, communes=args.communes, households=args.households,
        jobs=jobs, progress=progress,
    )
    per_year: dict[int, int] = {}
    for commune in written:
        for year, n in commune.households:
            per_year[year] = per_year.get(year, 0) + n
    counts = ", ".join(f"năm {y}: {_vn(n)} hộ" for y, n in sorted(per_year.items()))
    seconds = f"{time.perf_counter() - start:.1f}".replace(".", ",")
    print(f"Đã ghi tỉnh giả lập {len(written)} xã vào {args.out} ({counts}) trong "
          f"{seconds} giây.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
