"""The `ngheo` command: a Typer app over the library, and the one place exit codes are decided."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import typer
from rich.markup import escape
from typer._click import exceptions as click_exc

from ngheo_cli import __version__
from ngheo_cli.cli import console, l10n
from ngheo_cli.cli.commands import (
    assign,
    classify,
    demo,
    report,
    rules,
    sample,
    support,
    template,
    workspace,
)
from ngheo_cli.cli.commands import inspect as inspect_command
from ngheo_cli.cli.commands.batch import batch as batch_command
from ngheo_cli.cli.commands.recognised import record_list
from ngheo_cli.errors import EXIT_BUG, NgheoError
from ngheo_cli.io.atomic import EXIT_TERMINATED, Terminated, terminate_cleanly

EPILOG = (
    "Mã thoát: 0 xong · 1 xong nhưng có dòng bị loại · 2 sai cách dùng lệnh · "
    "3 tệp đầu vào không dùng được · 4 tệp chuẩn hoặc cấu hình sai · "
    "5 đang có lượt chạy khác giữ khoá · 6 (batch) có xã lỗi, các xã khác vẫn xong · "
    "70 lỗi nội bộ của chương trình."
)

app = typer.Typer(
    name="ngheo",
    help="Rà soát, phân loại hộ nghèo đa chiều và báo cáo giảm nghèo cấp xã.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    # Locals would dump household records (names, ID numbers) into logs.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

l10n.install()

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        console.out.print(f"ngheo {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="In phiên bản rồi thoát."
    ),
    debug: bool = typer.Option(False, "--debug", help="Hiện chi tiết kỹ thuật khi có lỗi."),
) -> None:
    """Rà soát, phân loại hộ nghèo đa chiều và báo cáo giảm nghèo cấp xã."""
    _state["debug"] = debug


def guarded(command: Callable[..., int | None]) -> Callable[..., None]:
    """Turn a command's return code and domain errors into exits: the one place they are decided.

    Typer handles usage errors itself (exit 2). Everything the user can cause is a
    NgheoError with its own exit code; anything else is a bug (exit 70), said plainly.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        as_json = bool(kwargs.get("as_json"))
        try:
            # SIGTERM (cron's `timeout`) anywhere in the command: Terminated, said below.
            with terminate_cleanly():
                code = command(*args, **kwargs)
        except Terminated:
            console.say_stopped(EXIT_TERMINATED, "tín hiệu dừng SIGTERM", as_json)
            raise typer.Exit(EXIT_TERMINATED) from None
        except typer.Exit:
            raise
        except NgheoError as exc:
            console.err.print(f"[bold red]Lỗi:[/] {escape(exc.message)}", markup=True)
            if exc.hint:
                console.err.print(exc.hint, markup=False)
            if _state["debug"]:
                console.err.print(traceback.format_exc(), markup=False)
            if as_json:
                console.emit_failure(exc.exit_code, console.error_code(exc), exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # `ngheo … --json | head`: the reader went away; that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            console.say_stopped(console.EXIT_INTERRUPTED, "Ctrl+C (tín hiệu SIGINT)", as_json)
            raise typer.Exit(console.EXIT_INTERRUPTED) from None
        except Exception:  # noqa: BLE001 - the last line of defence: a bug, said plainly
            console.err.print(
                "[bold red]Lỗi nội bộ của ngheo[/] (không phải lỗi của tệp). Hãy gửi lệnh đã "
                "chạy và thông báo dưới đây cho bộ phận kỹ thuật.",
                markup=True,
            )
            trace = traceback.format_exc() if _state["debug"] else traceback.format_exc(limit=-1)
            console.err.print(trace, markup=False)
            if as_json:
                console.emit_failure(
                    EXIT_BUG, "internal", "Lỗi nội bộ của ngheo (không phải lỗi của tệp)."
                )
            raise typer.Exit(EXIT_BUG) from None
        raise typer.Exit(code or 0)

    return wrapper


app.command("classify", epilog=EPILOG)(guarded(classify.classify))
app.command("inspect", epilog=EPILOG)(guarded(inspect_command.inspect))
rules.register(app, guarded)
support.register(app, guarded)
app.command("init", epilog=EPILOG)(guarded(workspace.init))
app.command("record-list", epilog=EPILOG)(guarded(record_list))
app.command("history", epilog=EPILOG)(guarded(workspace.history))
app.command("export", epilog=EPILOG)(guarded(workspace.export))
app.command("assign", epilog=EPILOG)(guarded(assign.assign))
app.command("report", epilog=EPILOG)(guarded(report.report))
app.command("template", epilog=EPILOG)(guarded(template.template))
app.command("batch", epilog=EPILOG)(guarded(batch_command))
app.command("demo", epilog=EPILOG)(guarded(demo.demo))
app.command("sample", epilog=EPILOG)(guarded(sample.sample))


def _wants_json(args: list[str]) -> bool:
    return "--json" in (args[: args.index("--")] if "--" in args else args)


def run(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (used by main() and by the tests).

    Usage errors are said here, in Vietnamese (see l10n); with --json they are also a JSON
    object on stdout, like every other failure.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    command = l10n.localise_tree(typer.main.get_command(app))
    try:
        result = command.main(args=args, prog_name="ngheo", standalone_mode=False)
    except click_exc.NoArgsIsHelpError:
        return 2  # the help was printed when the error was made
    except click_exc.ClickException as exc:
        code, message = l10n.describe_error(exc)
        l10n.print_error(exc, message)
        if _wants_json(args):
            console.emit_failure(exc.exit_code, code, message)
        return exc.exit_code
    except typer.Abort:
        console.err.print("Đã dừng.")
        if _wants_json(args):
            console.emit_failure(1, "aborted", "Đã dừng.")
        return 1
    except SystemExit as exc:
        status = exc.code
        if status is None:
            return 0
        return status if isinstance(status, int) else 1
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())
