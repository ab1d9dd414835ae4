"""The Jinja environment: the user's template folder first, the packaged templates last.

A province can override one template (or one block of it, with ``{% extends
"default:base.html.j2" %}``) without copying the rest (the datasette pattern).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from ngheo_cli.core import fmt
from ngheo_cli.io.resources import shipped_dir

# C0 and C1 control characters other than tab and newlines: invalid in HTML, and a cell
# holding an escape sequence must not reach a page an officer prints.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(value: Any) -> Any:
    """Jinja ``finalize``: every ``{{ value }}`` loses its control characters."""
    if isinstance(value, Markup):
        return Markup(_CONTROL.sub("", str(value)))
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


def environment(user_dir: Path | None = None) -> Environment:
    packaged = FileSystemLoader(str(shipped_dir("templates")))
    loaders: list[BaseLoader] = [FileSystemLoader(str(user_dir))] if user_dir is not None else []
    loaders += [packaged, PrefixLoader({"default": packaged})]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a missing value fails in tests, not before an official
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_no_control,
    )
    env.filters["so"] = fmt.number
    env.filters["phan_tram"] = fmt.percent
    env.filters["tien"] = fmt.money
    return env


def render(name: str, context: dict[str, Any], user_dir: Path | None = None) -> str:
    return environment(user_dir).get_template(name).render(**context)
