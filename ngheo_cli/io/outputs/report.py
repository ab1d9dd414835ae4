"""The report's documents: one self-contained HTML file and an Excel workbook of the official
forms (:mod:`report_forms`, laid out by :mod:`form_writer`). Both are laid out from the
report dictionary (``Report.context``), so they show exactly the numbers ``--json`` prints."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError
from markupsafe import Markup

from ngheo_cli import __version__
from ngheo_cli.core.fmt import number as so
from ngheo_cli.errors import RulesetError
from ngheo_cli.io.atomic import StagedOutputs
from ngheo_cli.io.outputs.charts import all_charts
from ngheo_cli.io.outputs.html import environment
from ngheo_cli.io.outputs.report_forms import letterhead, report_forms
from ngheo_cli.io.xlsx.forms import write_forms

TEMPLATE = "bao_cao.html.j2"


def stem(ctx: Mapping[str, Any]) -> str:
    unit = ctx["unit"]["code"] if ctx["level"] == "commune" else f"tinh_{ctx['unit']['code']}"
    return f"{unit}_{ctx['year']}_bao_cao"


@lru_cache(maxsize=8)
def _environment(template_dir: Path | None) -> Environment:
    """One Jinja environment per template folder and process: the template is compiled once
    (a batch renders one report per commune); Jinja reloads a template whose file changed."""
    return environment(template_dir)


def _render(context: dict[str, Any], template_dir: Path | None) -> str:
    return _environment(template_dir).get_template(TEMPLATE).render(**context)


def render_html(ctx: Mapping[str, Any], template_dir: Path | None = None) -> str:
    """The single-file HTML report (inline CSS and SVG; no script, no external resource)."""
    charts = {k: Markup(v) for k, v in all_charts(ctx).items()}  # our SVG: text escaped
    context = {**ctx, "charts": charts, "version": __version__}
    if template_dir is None:
        return _render(context, None)
    try:
        return _render(context, template_dir)
    except TemplateError as exc:  # the user's template: their mistake, said plainly
        lineno = getattr(exc, "lineno", None)  # syntax errors carry it, others not
        where = f" (dòng {lineno})" if lineno else ""
        raise RulesetError(
            f"Mẫu báo cáo trong {template_dir} không dùng được{where}: {exc.message or exc}",
            hint='Kế thừa mẫu gốc bằng {% extends "default/bao_cao.html.j2" %} rồi chỉ ghi '
            "các khối cần đổi.",
        ) from None


def target_sentence(ev: Mapping[str, Any]) -> str:
    """One official sentence on a target: reached, the yearly cut still needed, the
    forecast (never below 0), then the evaluation's notes."""
    t = ev["target"]
    is_rate = t["measure"].endswith("rate")
    unit = " điểm %" if is_rate else " hộ"
    parts: list[str] = []
    if ev["status"] == "met":
        parts.append("Đã đạt chỉ tiêu.")
    elif ev.get("needed_per_year") is not None and ev["needed_per_year"] > 0:
        parts.append(f"Cần giảm bình quân {so(ev['needed_per_year'], 2)}{unit} mỗi năm đến năm "
                     f"{t['year']}.")
    projection = ev.get("projection")
    if projection and ev["status"] != "met":
        if projection["value"] <= 0:
            parts.append(f"Theo xu hướng hiện nay, chỉ tiêu đạt trước năm {projection['year']}.")
        else:
            shown = so(projection["value"], 2) + (" %" if is_rate else " hộ")
            parts.append(f"Dự báo năm {projection['year']}: {shown}.")
    parts += [n for n in ev.get("notes") or [] if not n.startswith("Theo xu hướng")]
    return " ".join(parts)


def write_report(
    ctx: Mapping[str, Any], out_dir: Path, template_dir: Path | None = None
) -> list[Path]:
    """Write ``<stem>.html`` and ``<stem>.xlsx`` together (both or neither)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{stem(ctx)}.html"
    xlsx_path = out_dir / f"{stem(ctx)}.xlsx"
    html = render_html(ctx, template_dir)
    with StagedOutputs() as staged:
        staged.write_text(html_path, html)
        write_forms(staged.stage(xlsx_path), report_forms(ctx, target_sentence),
                    letterhead(ctx), properties={"title": f"Báo cáo rà soát năm {ctx['year']}"})
    return [html_path, xlsx_path]
