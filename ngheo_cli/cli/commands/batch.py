"""``ngheo batch``: options, the progress bar or JSON-lines log, and the run's summary (the run
itself is :mod:`ngheo_cli.batch.run`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.options import JsonFlag
from ngheo_cli.errors import LockHeld
from ngheo_cli.io.atomic import EXIT_TERMINATED, Terminated

if TYPE_CHECKING:
    from ngheo_cli.batch import run as batch_run

STATUS_LABELS = {
    "ok": "xong",
    "rejected": "xong, có dòng bị loại",
    "failed": "LỖI",
}


@contextmanager
def _reporter(total_hint: int) -> Iterator[batch_run.Event]:
    """On a terminal: a progress bar and a line per problem. Otherwise: JSON lines on stderr."""
    from ngheo_cli.io.outputs import runfiles

    if not console.stderr_is_terminal():
        yield lambda event: runfiles.log_line(sys.stderr, **event)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=console.err,
    )
    bar = progress.add_task("Các xã", total=total_hint or None, last="")

    def show(event: dict[str, Any]) -> None:
        step = event.get("step")
        if step == "start":
            progress.update(bar, total=max(event.get("to_run", 0), 1))
        elif step == "commune":
            label = STATUS_LABELS.get(event["status"], event["status"])
            progress.update(bar, advance=1, last=f"{event['commune']}: {label}")
            if event["status"] == "failed":
                progress.console.print(
                    f"Xã {event['commune']} lỗi ({event.get('failed_step')}): {event['error']}",
                    markup=False,
                )
        elif step == "discover" and event.get("status") == "failed":
            progress.console.print(f"Xã {event['commune']}: {event['error']}", markup=False)
        elif step == "province_report" and event.get("status") == "failed":
            progress.console.print(f"Báo cáo tỉnh: {event.get('error')}", markup=False)

    with progress:
        yield show


def batch(
    target: Annotated[
        Path | None,
        typer.Argument(
            metavar="THƯ_MỤC",
            help="Thư mục làm việc (có ngheo.yaml và so_lieu/<năm>/<mã xã>/), hoặc tệp cấu "
            "hình batch .yaml liệt kê sổ của từng xã. Mặc định: thư mục làm việc tìm từ đây lên.",
        ),
    ] = None,
    year: Annotated[int, typer.Option("--year", "-y", help="Năm rà soát.")] = ...,  # type: ignore[assignment]
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Số tiến trình chạy song song (mặc định 1).")
    ] = 1,
    force: Annotated[
        bool, typer.Option("--force", help="Chạy lại cả các xã không có gì thay đổi.")
    ] = False,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            help="Gửi việc của từng xã tới cụm Dask: dask://HOST:PORT (cần pip install "
            "ngheo[dask]; các máy phải thấy cùng thư mục làm việc).",
        ),
    ] = None,
    no_report: Annotated[
        bool,
        typer.Option("--no-report", help="Không lập báo cáo xã và báo cáo tỉnh (chạy ngheo "
                     "report riêng sau)."),
    ] = False,
    as_json: JsonFlag = False,
) -> int:
    """Chạy mọi xã của một năm: phân loại và lưu, diễn biến, phân công, sổ hỗ trợ, báo cáo.

    Dùng được trong cron: một lượt cho mỗi thư mục làm việc và năm (lượt thứ hai dừng ngay,
    mã 5); xã không đổi sổ thì bỏ qua (--force để chạy lại); kết quả ghi trọn vẹn hoặc không
    ghi vào ket_qua/<năm>/<mã xã>/; một xã lỗi không làm dừng các xã khác. Trên màn hình:
    thanh tiến trình; không có màn hình: nhật ký JSON từng dòng ra stderr. Tóm tắt mỗi lượt:
    ket_qua/<năm>/_runs/<mã lượt>.json.

    Mã thoát: 0 mọi xã xong · 1 có xã có dòng bị loại · 6 có xã lỗi (các xã khác vẫn xong) ·
    5 đang có lượt khác chạy · 2 sai cách dùng · 3/4 không chạy được (thiếu thư mục, cấu hình sai).

    Ví dụ: ngheo batch dak_lak --year 2024 --jobs 2
    """
    from ngheo_cli.batch import discover as batch_discover
    from ngheo_cli.batch import executors as batch_executors
    from ngheo_cli.batch import run as batch_run
    from ngheo_cli.io.outputs import runfiles

    if executor is not None:
        batch_executors.dask_client_check(executor)
    found = batch_discover.discover(target, year)
    try:
        with _reporter(len(found.communes)) as emit:
            result = batch_run.run_batch(
                found, jobs=jobs, force=force, executor=executor, emit=emit,
                reports=not no_report, clock=runfiles.now,  # Vietnam time, at the edge
            )
    except (Terminated, KeyboardInterrupt) as exc:
        if console.stderr_is_terminal():
            raise  # said by the CLI's error handler, like any other command
        # The log stays JSON lines: the stop is one more event, in words.
        code, cause = (
            (EXIT_TERMINATED, "tín hiệu dừng SIGTERM") if isinstance(exc, Terminated)
            else (console.EXIT_INTERRUPTED, "Ctrl+C (tín hiệu SIGINT)")
        )
        message = console.stopped_message(cause)
        runfiles.log_line(sys.stderr, step="stop", status="stopped", year=year, error=message)
        if as_json:
            console.emit_failure(code, console.STOPPED_CODE, message)
        return code
    except LockHeld as exc:  # one line, not wrapped: cron mail and log readers see it whole
        if console.stderr_is_terminal():
            sys.stderr.write(f"Lỗi: {exc.message}\n")
        else:
            runfiles.log_line(sys.stderr, step="lock", status="held", year=year,
                              error=exc.message)
        if as_json:
            console.emit_failure(exc.exit_code, "locked", exc.message)
        return exc.exit_code
    if as_json:
        console.emit_json(result.to_dict())
    if console.stderr_is_terminal():
        totals = result.to_dict()["totals"]
        console.err.print(
            f"Năm {year}: {totals.get('ok', 0)} xã xong, {totals.get('rejected', 0)} xã có dòng "
            f"bị loại, {totals.get('failed', 0)} xã lỗi, {totals['skipped']} xã không đổi (bỏ "
            f"qua); {totals['households']} hộ. Tóm tắt: {result.summary_file}",
            markup=False,
        )
    return result.exit_code
