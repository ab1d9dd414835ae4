"""``ngheo rules list|show``: the poverty standards shipped with ngheo, as tables or JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ngheo_cli.cli import console
from ngheo_cli.cli.options import JsonFlag
from ngheo_cli.core import fmt

if TYPE_CHECKING:
    from ngheo_cli.core.ruleset import Ruleset

app = typer.Typer(help="Xem các chuẩn nghèo có sẵn.", no_args_is_help=True)


def applies_to(r: Ruleset) -> str:
    """The survey years of a standard, said alike by `rules list` and `rules show`."""
    return f"rà soát các năm {r.valid_years.from_}–{r.valid_years.to}"


def list_(as_json: JsonFlag = False) -> None:
    """Liệt kê các chuẩn nghèo và năm áp dụng.

    Ví dụ: ngheo rules list
    """
    from ngheo_cli.io import rulesets

    items = list(rulesets.packaged().values())
    if as_json:
        console.emit_json(
            {
                "standards": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "legal_basis": r.legal_basis,
                        "years": [r.valid_years.from_, r.valid_years.to],
                    }
                    for r in items
                ]
            }
        )
        return
    table = Table(title="Các chuẩn nghèo đa chiều")
    for col in ("Mã", "Tên", "Căn cứ", "Áp dụng"):
        table.add_column(col)
    for r in items:
        table.add_row(r.id, r.title, r.legal_basis, applies_to(r))
    console.out.print(table)


def show(
    standard: Annotated[
        str, typer.Argument(metavar="CHUẨN", help="Mã chuẩn (ví dụ nd07-2021) hoặc tệp .yaml.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """In chuẩn nghèo: các ngưỡng, chỉ số, nguồn pháp lý và mức độ chắc chắn.

    Ví dụ: ngheo rules show nd07-2021
    """
    from ngheo_cli.core.ruleset import CERTAINTY_LABELS
    from ngheo_cli.io import rulesets

    r = rulesets.resolve(0, standard)
    if as_json:
        console.emit_json(r.model_dump(mode="json", by_alias=True))
        return
    console.out.print(f"[bold]{r.title}[/] ({r.id}) — {r.legal_basis}")
    console.out.print(f"Áp dụng: {applies_to(r)}")
    table = Table(title="Ngưỡng")
    for col in ("Mục", "Giá trị", "Nguồn", "Độ chắc chắn"):
        table.add_column(col)
    for area, label in (("nong_thon", "Nông thôn"), ("thanh_thi", "Thành thị")):
        v = r.income_line.get(area)
        table.add_row(
            f"Chuẩn nghèo {label}", fmt.money(v.value), v.source, CERTAINTY_LABELS[v.certainty]
        )
        if r.middle_band_upper is not None:
            m = r.middle_band_upper.get(area)
            table.add_row(
                f"Mức sống trung bình {label} (đến)",
                fmt.money(m.value),
                m.source,
                CERTAINTY_LABELS[m.certainty],
            )
    if r.middle_band_upper is None:
        table.add_row("Mức sống trung bình", "không quy định", r.middle_band_note or "", "")
    k = r.poor_min_deprivations
    table.add_row(
        "Số chỉ số thiếu hụt (hộ nghèo)",
        f"từ {int(k.value)} trở lên",
        k.source,
        CERTAINTY_LABELS[k.certainty],
    )
    if r.score_route is not None:
        s = r.score_route
        for area, label in (("nong_thon", "Nông thôn"), ("thanh_thi", "Thành thị")):
            v = s.score_a_line.get(area)
            table.add_row(
                f"Điểm A tối đa {label}",
                fmt.number(v.value),
                v.source,
                CERTAINTY_LABELS[v.certainty],
            )
        table.add_row(
            "Điểm B tối thiểu (hộ nghèo)",
            fmt.number(s.poor_min_score_b.value),
            s.poor_min_score_b.source,
            CERTAINTY_LABELS[s.poor_min_score_b.certainty],
        )
    console.out.print(table)
    ind = Table(title="Chỉ số thiếu hụt")
    for col in ("Mã", "Chiều", "Chỉ số", "Thiếu hụt khi", "Độ chắc chắn"):
        ind.add_column(col)
    for i in r.indicators:
        ind.add_row(
            i.id, r.dimensions[i.dimension], i.name, i.deprived_when, CERTAINTY_LABELS[i.certainty]
        )
    console.out.print(ind)


def register(root: typer.Typer, guard: Callable[..., Callable[..., None]]) -> None:
    app.command("list")(guard(list_))
    app.command("show")(guard(show))
    root.add_typer(app, name="rules")
