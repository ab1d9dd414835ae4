"""Option aliases shared by commands, so every command spells and explains them alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ngheo_cli.errors import UsageError

JsonFlag = Annotated[
    bool, typer.Option("--json", help="In bản tóm tắt dạng JSON ra stdout (cho máy đọc).")
]
OutDir = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Thư mục ghi kết quả (mặc định: thư mục của tệp đầu vào)."),
]
OutDirOrSummaryOnly = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Thư mục ghi sổ kết quả (không có --out: chỉ in tóm tắt, không ghi tệp).",
    ),
]
OutDirOrWorkspace = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Thư mục ghi kết quả (mặc định: thư mục làm việc)."),
]
CsvHeaders = Annotated[
    str,
    typer.Option(
        "--headers",
        help="Tiêu đề cột của tệp CSV: ma (mã cột ổn định, cho máy đọc; mặc định) hoặc nhan "
        "(tên cột tiếng Việt, giá trị bằng chữ, cho người đọc).",
    ),
]
Year = Annotated[
    int | None,
    typer.Option("--year", "-y", help="Năm rà soát; năm chọn chuẩn nghèo (mặc định: năm nay)."),
]
Standard = Annotated[
    str | None,
    typer.Option(
        "--standard",
        help="Chuẩn áp dụng thay cho chuẩn của năm: mã chuẩn (nd07-2021, nd351-2025) "
        "hoặc tệp chuẩn địa phương .yaml.",
    ),
]
Sheet = Annotated[
    str | None, typer.Option("--sheet", help="Tên sheet danh sách hộ (mặc định: tự tìm).")
]
ColumnMap = Annotated[
    Path | None,
    typer.Option("--column-map", help="Tệp .yaml/.csv ánh xạ tên cột lạ → mã cột chuẩn."),
]
WorkspaceDir = Annotated[
    Path | None,
    typer.Option(
        "--workspace", "-w", help="Thư mục làm việc (có ngheo.yaml); mặc định: tự tìm từ đây lên."
    ),
]
Commune = Annotated[str, typer.Option("--commune", "-c", help="Mã xã/phường trong ngheo.yaml.")]


def check_headers(value: str) -> str:
    from ngheo_cli.io.outputs.labels import HEADER_STYLES

    if value not in HEADER_STYLES:
        raise UsageError(f"--headers phải là ma hoặc nhan (đang là {value}).")
    return value
