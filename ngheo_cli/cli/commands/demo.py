from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ... import api
from ...io.resources import shipped_dir
from .. import console, views

DEMO_YEARS = (2023, 2024)


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Thư mục ghi kết quả.")] = Path(
        "demo_out"
    ),
) -> int:
    """Chạy toàn bộ quy trình trên dữ liệu mẫu (xã giả lập Đắk Liêng, hai năm).

    Example: ngheo demo --out demo_out
    """
    data = shipped_dir("sample_data")
    for year in DEMO_YEARS:
        survey = data / f"xa_dak_lieng_{year}.xlsx"
        run = api.classify_file(survey, year=year, out_dir=out)
        console.err.print(views.classify_summary(run))
        for path in run.outputs:
            console.err.print(f"Đã ghi: {path}", markup=False)
    console.err.print(f"Xong. Mở thư mục {out} để xem kết quả.", markup=False)
    return 0
