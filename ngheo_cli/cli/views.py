"""Rich renderings of result objects: no logic, only layout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from ngheo_cli.core import fmt
from ngheo_cli.core.schema import CLASS_LABELS

if TYPE_CHECKING:
    from ngheo_cli.core.compare import Comparison
    from ngheo_cli.services.classify import ClassifyRun


def classify_summary(run: ClassifyRun) -> Table:
    from ngheo_cli.core.table import SKIP_LABELS

    r = run.result
    table = Table(
        title=f"{r.source} — năm {r.year} — {r.ruleset.title} ({r.ruleset.id})",
        title_justify="left",
    )
    table.add_column("Phân loại")
    table.add_column("Số hộ", justify="right")
    table.add_column("Tỷ lệ", justify="right")
    total = len(r.households)
    for code, n in r.counts().items():
        if n is None:
            table.add_row(CLASS_LABELS[code], "—", "không quy định trong chuẩn này")
        elif n or code != "tren_chuan":
            table.add_row(
                CLASS_LABELS[code], fmt.number(n), fmt.percent(n / total if total else None)
            )
    table.add_section()
    table.add_row("Số hộ đã phân loại", fmt.number(total), "")
    table.add_row("Số dòng bị loại (có lỗi)", fmt.number(len(r.rejected)), "")
    skipped: dict[str, int] = {}
    for s in r.skipped:
        skipped[s.reason] = skipped.get(s.reason, 0) + 1
    for reason, n in sorted(skipped.items()):
        table.add_row(f"Bỏ qua: {SKIP_LABELS[reason]}", fmt.number(n), "")
    return table


def comparison_summary(comp: Comparison) -> Table:
    base, other = comp.base.ruleset.id, comp.other.ruleset.id
    table = Table(title=f"Cùng các hộ theo {base} và theo {other} (mô phỏng)", title_justify="left")
    table.add_column("Phân loại")
    table.add_column(base, justify="right")
    table.add_column(other, justify="right")
    a, b = comp.base.counts(), comp.other.counts()
    for code in a:
        if not a[code] and not b[code] and code == "tren_chuan":
            continue
        show = [("—" if n is None else fmt.number(n)) for n in (a[code], b[code])]
        table.add_row(CLASS_LABELS[code], *show)
    table.add_section()
    table.add_row("Số hộ đổi phân loại", fmt.number(len(comp.moves)), "")
    return table
