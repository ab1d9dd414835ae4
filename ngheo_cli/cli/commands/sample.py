"""``ngheo sample``: write a synthetic commune (:mod:`ngheo_cli.sample`) for trials and timing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.options import JsonFlag
from ngheo_cli.errors import UsageError

MAX_HOUSEHOLDS = 1_000_000


def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp sẽ ghi (.xlsx hoặc .csv).")],
    households: Annotated[int, typer.Option("--households", "-n", help="Số hộ.")] = 1000,
    year: Annotated[int, typer.Option("--year", "-y", help="Năm rà soát.")] = 2024,
    seed: Annotated[int, typer.Option("--seed", help="Hạt giống ngẫu nhiên.")] = 1,
    messy: Annotated[
        bool, typer.Option("--messy", help="Bố cục lộn xộn như sổ thật của xã.")
    ] = False,
    years: Annotated[
        int, typer.Option("--years", help="Số năm liên tiếp (ghi mỗi năm một tệp).")
    ] = 1,
    as_json: JsonFlag = False,
) -> int:
    """Sinh danh sách hộ giả lập của một xã (để thử và đo hiệu năng).

    Ví dụ: ngheo sample --households 20000 --year 2024 --messy --out xa_thu.xlsx
    """
    from ngheo_cli.sample import writer as sample_writer
    from ngheo_cli.sample.generator import generate_commune, next_year

    if households < 1 or years < 1:
        raise UsageError("--households và --years phải từ 1 trở lên.")
    suffix = out.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise UsageError("--out phải là tệp .xlsx hoặc .csv.")
    if households > MAX_HOUSEHOLDS:  # one CCCD serial per person needs distinct 6 digits
        raise UsageError(
            f"Một xã giả lập có tối đa {MAX_HOUSEHOLDS:_} hộ (đang là {households:_}).".replace(
                "_", "."
            ),
            hint="Muốn thử dữ liệu lớn hơn, sinh nhiều xã (mỗi xã một tệp).",
        )
    if suffix == ".xlsx":
        sample_writer.check_fits(households, years, messy=messy)
    data = generate_commune(seed, households, year)
    written: list[str] = []
    for i in range(years):
        if i:
            data = next_year(data, seed + i)
        path = out if years == 1 else out.with_name(f"{out.stem}_{data.year}{out.suffix}")
        if suffix == ".csv":
            sample_writer.write_csv(data, path)
        elif messy:
            sample_writer.write_messy(data, path, seed)
        else:
            sample_writer.write_clean(data, path)
        console.err.print(f"Đã ghi {len(data.households)} hộ năm {data.year}: {path}", markup=False)
        written.append(str(path))
    if as_json:
        console.emit_json({"ok": True, "outputs": written})
    return 0
