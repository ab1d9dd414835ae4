"""Regenerate the committed sample data: ``python -m ngheo_cli.sample [--out DIR]``.

Same seed → the same bytes, so ``git diff`` stays empty unless the generator changed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .writer import SAMPLE_HOUSEHOLDS, SAMPLE_SEED, write_sample_data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ngheo_cli.sample",
        description="Tạo lại thư mục dữ liệu mẫu (giả lập) sample_data/.",
    )
    parser.add_argument("--out", default="sample_data", help="thư mục ghi (mặc định sample_data)")
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED, help="hạt giống ngẫu nhiên")
    parser.add_argument(
        "--households", type=int, default=SAMPLE_HOUSEHOLDS, help="số hộ của năm đầu"
    )
    args = parser.parse_args(argv)
    if args.seed < 0 or args.households < 1:
        parser.error("--seed phải ≥ 0 và --households phải ≥ 1")
    for path in write_sample_data(args.out, seed=args.seed, households=args.households):
        print(f"Đã ghi {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
