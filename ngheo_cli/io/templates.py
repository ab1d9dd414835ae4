"""The Jinja environment: the user's template folder first, the packaged templates last.

A province can override one template (or one block of it, with ``{% extends
"default:base.html.j2" %}``) without copying the rest (the datasette pattern).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)

from ..core import fmt
from .resources import shipped_dir


def environment(user_dir: Path | None = None) -> Environment:
    packaged = FileSystemLoader(str(shipped_dir("templates")))
    loaders = [FileSystemLoader(str(user_dir))] if user_dir is not None else []
    loaders += [packaged, PrefixLoader({"default": packaged})]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,  # a missing value fails in tests, not before an official
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["so"] = fmt.number
    env.filters["phan_tram"] = fmt.percent
    env.filters["tien"] = fmt.money
    return env


def render(name: str, context: dict[str, Any], user_dir: Path | None = None) -> str:
    return environment(user_dir).get_template(name).render(**context)
