"""One Vietnamese surface for the command-line framework (Typer and the Click it bundles).

Everything the framework itself writes — the help frame, the type of each option, the usage
line, usage errors — passes through this module, so a command added anywhere is Vietnamese
without extra work. The mechanisms, from the most to the least structural:

* Typer marks its own words with ``gettext`` (``_("Arguments")``, ``_("No such command
  {name!r}.")``): a translations object whose ``gettext`` reads :data:`CATALOGUE` is
  installed as the ``_`` of those modules, and the panel titles Typer computed at import
  are set again from the same catalogue.
* The usage line comes from the help formatter class: :class:`VietnameseHelpFormatter`
  writes "Cách dùng:"; the type column is built from each parameter's type descriptor.
* Usage errors are raised as exceptions with their parts kept (the parameter, the option
  name, the possibilities, pydantic's typed error): :func:`describe_error` builds the
  Vietnamese sentence from those parts. The few messages the bundled Click composes as
  finished English text (an extra argument, an option that needs a value, "Did you mean")
  are matched by :data:`TEMPLATES`, the complete list of them; anything else falls back to
  a Vietnamese sentence, never to the English text alone.

Tests run every command's ``--help`` and a set of wrong invocations against a list of
English phrases, so a Typer upgrade that adds a new phrase shows up as a failing test.
"""

from __future__ import annotations

import gettext
import inspect
import re
from collections.abc import Callable
from typing import Any, cast

import typer
import typer.core
import typer.rich_utils
from typer._click import decorators as click_decorators
from typer._click import exceptions as click_exc
from typer._click.core import Command, Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup, TyperOption

from ngheo_cli.core.validation_vi import error_sentence

# Typer's gettext-marked words → Vietnamese.
CATALOGUE: dict[str, str] = {
    "Arguments": "Đối số",
    "Options": "Tuỳ chọn",
    "Commands": "Lệnh",
    "Error": "Lỗi",
    "Aborted!": "Đã dừng.",
    "Aborted.": "Đã dừng.",
    "required": "bắt buộc",
    "(dynamic)": "(tính khi chạy)",
    "(deprecated) ": "(không dùng nữa) ",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "[default: {}]": "[mặc định: {}]",
    "[env var: {}]": "[biến môi trường: {}]",
    "[required]": "[bắt buộc]",
    "Missing command.": "Thiếu tên lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Try [blue]'{command_path} {help_option}'[/] for help.": (
        "Gõ [blue]'{command_path} {help_option}'[/] để xem cách dùng."
    ),
}

# Module constants of typer.rich_utils computed from gettext at import time.
RICH_CONSTANTS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}

USAGE_PREFIX = "Cách dùng: "
OPTIONS_METAVAR = "[TUỲ CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [ĐỐI SỐ]..."
HELP_OPTION_TEXT = "Xem hướng dẫn này rồi thoát."
EXAMPLE_WORD = "Ví dụ:"

# Messages the bundled Click composes as finished English text: (error code, pattern,
# Vietnamese). The groups of the pattern fill the Vietnamese.
TEMPLATES: list[tuple[str, re.Pattern[str], str]] = [
    (
        "no_such_command",
        re.compile(r"^(?P<head>.*?)\.? Did you mean (?P<names>.+)\?$", re.S),
        "{head}. Có phải ý bạn là {names}?",
    ),
    (
        "extra_argument",
        re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$", re.S),
        "Thừa đối số không dùng được: {args}.",
    ),
    (
        "option_takes_no_value",
        re.compile(r"^Option '(?P<opt>[^']+)' does not take a value\.$"),
        "Tuỳ chọn {opt} không đi kèm giá trị.",
    ),
    (
        "option_needs_value",
        re.compile(r"^Option '(?P<opt>[^']+)' requires an argument\.$"),
        "Tuỳ chọn {opt} cần một giá trị đi kèm.",
    ),
    (
        "option_needs_value",
        re.compile(r"^Option '(?P<opt>[^']+)' requires (?P<n>\d+) arguments\.$"),
        "Tuỳ chọn {opt} cần {n} giá trị đi kèm.",
    ),
    (
        "invalid_value",
        re.compile(r"^Value (?P<value>.+) is not a valid (?P<label>[\w ]+)\.$", re.S),
        "{value} không phải giá trị hợp lệ.",
    ),
    (
        "invalid_value",
        re.compile(r"^(?P<value>.+) is not one of (?P<choices>.+)\.$", re.S),
        "{value} không nằm trong các giá trị được phép: {choices}.",
    ),
    (
        "path_missing",
        re.compile(r"^\w+ (?P<path>.+) does not exist\.$", re.S),
        "Không tìm thấy {path}.",
    ),
    (
        "invalid_value",
        re.compile(r"^\w+ (?P<path>.+) is a (?P<what>file|directory)\.$", re.S),
        "{path} không dùng được ở đây (là tệp/thư mục không đúng loại).",
    ),
    (
        "invalid_value",
        re.compile(r"^\w+ (?P<path>.+) is not (?P<what>readable|writable)\.$", re.S),
        "Không có quyền đọc/ghi {path}.",
    ),
]

PARAM_WORDS = {"argument": "đối số", "option": "tuỳ chọn"}


class Catalogue(gettext.NullTranslations):
    """A gettext translations object over :data:`CATALOGUE` (no .mo file to ship)."""

    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


TRANSLATIONS = Catalogue()


class VietnameseHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(TRANSLATIONS.gettext(heading))


def _display_type(self: Any, ctx: Context) -> str | None:
    """The type column of the help, in words (``<số nguyên>``), from the type descriptor."""
    if getattr(self, "is_flag", False):
        return None  # a switch takes no value: nothing to say
    desc = self.type_descriptor
    if desc.is_choice:
        return "<" + "|".join(str(c) for c in desc.choices or ()) + ">"
    annotation = desc.annotation
    inner = annotation
    if desc.is_list:
        args = getattr(annotation, "__args__", ()) or (str,)
        inner = args[0]
    if desc.is_path:
        word = "đường dẫn"
    elif inner is bool:
        word = "có/không"
    elif inner is int:
        word = "số nguyên"
    elif inner is float:
        word = "số"
    else:
        word = "chữ"
    return f"<{word}, lặp lại được>" if desc.is_list else f"<{word}>"


def _range_text(self: Any) -> str | None:
    low, high = getattr(self, "min", None), getattr(self, "max", None)
    if low is None and high is None:
        return None
    if high is None:
        return f"từ {low} trở lên"
    if low is None:
        return f"tối đa {high}"
    return f"từ {low} đến {high}"


_installed = False


def install() -> None:
    """Make the framework speak Vietnamese (idempotent; done when the CLI is imported)."""
    global _installed
    if _installed:
        return
    typer.core._ = TRANSLATIONS.gettext
    typer.rich_utils._ = TRANSLATIONS.gettext
    for name, msgid in RICH_CONSTANTS.items():
        setattr(typer.rich_utils, name, TRANSLATIONS.gettext(msgid))
    Context.formatter_class = VietnameseHelpFormatter
    for cls in (typer.core.TyperOption, typer.core.TyperArgument):
        # None for a switch (no value to describe), where Typer's own says str.
        cls.display_type = _display_type  # type: ignore[method-assign, assignment]
        cls._get_number_range_help_str = _range_text  # type: ignore[method-assign]
    original: Callable[..., Any] = click_decorators.help_option

    def help_option(param_decls: list[str]) -> Callable[[Command], Command]:
        decorate = original(param_decls)

        def apply(command: Command) -> Command:
            command = decorate(command)
            option = cast(TyperOption, command.params[-1])
            option.help = HELP_OPTION_TEXT
            # Not given reads False, not None: Typer then skips coercing it (which would import
            # pydantic at every command's start for this one flag).
            option.default = False
            return command

        return apply

    click_decorators.help_option = help_option
    _installed = True


_EXAMPLE = re.compile(r"^Example:", re.M)


def unwrap_paragraphs(text: str) -> str:
    """A docstring's paragraphs each on one line: the help frame keeps single line breaks,
    so a paragraph wrapped at 100 columns in the source would break mid-sentence on an
    80-column terminal. Paragraphs stay apart; one starting with Click's ``\\b`` (keep as
    written) is left alone."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def localise_tree(command: Command) -> Command:
    """Vietnamese metavars and example word on a command and all its subcommands."""
    command.options_metavar = OPTIONS_METAVAR
    if command.help:
        command.help = unwrap_paragraphs(_EXAMPLE.sub(EXAMPLE_WORD, command.help))
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = SUBCOMMAND_METAVAR
        for sub in command.commands.values():
            localise_tree(sub)
    return command


def _param_hint(exc: click_exc.BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return " / ".join(f"'{h}'" for h in hint) if not isinstance(hint, str) else hint
    if exc.param is not None:
        hint = exc.param.get_error_hint()
        return str(hint).replace(" (env var: ", " (biến môi trường: ")
    return ""


def _from_template(message: str) -> tuple[str, str]:
    for code, pattern, vietnamese in TEMPLATES:
        found = pattern.match(message)
        if found:
            return code, vietnamese.format(**found.groupdict())
    return "usage", message


def _reason(exc: click_exc.BadParameter) -> str:
    from pydantic import ValidationError  # only for a usage error, never at start-up

    cause = exc.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        return error_sentence(cause.errors()[0])
    return _from_template(exc.message)[1]


def describe_error(exc: click_exc.ClickException) -> tuple[str, str]:
    """A stable error code and the Vietnamese sentence for a framework error."""
    if isinstance(exc, click_exc.NoSuchOption):
        text = f"Không có tuỳ chọn {exc.option_name}."
        if exc.possibilities:
            text += " Có phải ý bạn là: " + ", ".join(sorted(exc.possibilities)) + "?"
        return "no_such_option", text
    if isinstance(exc, click_exc.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
        return f"missing_{kind}", f"Thiếu {PARAM_WORDS.get(kind, 'tham số')} {_param_hint(exc)}."
    if isinstance(exc, click_exc.BadParameter):
        hint = _param_hint(exc)
        where = f" cho {hint}" if hint else ""
        return "invalid_value", f"Giá trị không hợp lệ{where}: {_reason(exc)}"
    code, text = _from_template(exc.message)
    if code == "usage" and text.startswith("Không có lệnh"):
        code = "no_such_command"
    if code == "usage" and text.isascii() and text:
        text = f"Cách gõ lệnh chưa đúng ({text})."
    return code, text


def print_error(exc: click_exc.ClickException, message: str) -> None:
    """The usage line, the help hint and the message in a panel, as Typer lays them out."""
    shown = click_exc.UsageError(message, ctx=getattr(exc, "ctx", None))
    typer.rich_utils.rich_format_error(shown)
