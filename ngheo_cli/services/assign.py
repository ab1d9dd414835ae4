"""``ngheo assign``: read the members list, pair members with households, record the pairs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ngheo_cli.core.assign import assign, what_if_cap
from ngheo_cli.core.assign_rules import AssignRules
from ngheo_cli.core.assign_run import AssignRun
from ngheo_cli.core.findings import Finding
from ngheo_cli.core.gap import COMPARABLE_GAP
from ngheo_cli.core.members import (
    MEMBER_FIELDS,
    MEMBER_REQUIRED,
    TWINNING_FIELDS,
    TWINNING_REQUIRED,
    prepare_members,
    prepare_twinnings,
)
from ngheo_cli.core.recognised import recorded_note
from ngheo_cli.core.text import fold
from ngheo_cli.errors import RulesetError, UsageError
from ngheo_cli.io.read.workbook import read_table, sheet_names
from ngheo_cli.io.settings import assign_rules
from ngheo_cli.io.workspace import Workspace

TWINNING_SHEET_WORDS = ("ketnghia", "twinning")


def rules_from_config(config: AssignRules | dict[str, Any], cap: int | None = None) -> AssignRules:
    """The ``assign:`` rules (as :mod:`ngheo_cli.io.settings` read them, or a section as
    written) with ``--cap`` over them; a cap below households_per_member is an error."""
    rules = config if isinstance(config, AssignRules) else assign_rules(config)
    if cap is None:
        return rules
    try:
        return replace(rules, max_households_per_member=cap)
    except (TypeError, ValueError) as exc:
        raise RulesetError(f"Mục assign trong ngheo.yaml không hợp lệ: {exc}") from None


def read_members(
    path: Path, villages: set[str], year: int
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[Finding]]:
    """Members (and twinnings, from a sheet named like "Kết nghĩa") from one workbook."""
    raw = read_table(path, fields=MEMBER_FIELDS, required=MEMBER_REQUIRED, display_name=path.name)
    members, findings = prepare_members(raw, villages, year=year)
    twin_sheet = next(
        (n for n in sheet_names(path) if any(w in fold(n) for w in TWINNING_SHEET_WORDS)), None
    )
    twinnings = None
    if twin_sheet is not None:
        traw = read_table(
            path,
            fields=TWINNING_FIELDS,
            required=TWINNING_REQUIRED,
            sheet=twin_sheet,
            display_name=path.name,
        )
        cells = set(members["chi_bo"].dropna().astype(str)) if "chi_bo" in members else set()
        twinnings, more = prepare_twinnings(traw, villages, cells)
        findings = findings + more
    return members, twinnings, findings


def ranked_households(households: pd.DataFrame) -> pd.DataFrame:
    """The year's households as rule 1 ranks them: ``chenh_lech`` is the comparable gap
    stored with each household (đồng below the line; Điểm A read in proportion to its line,
    :mod:`ngheo_cli.core.gap`), so the last tie-break compares households of both routes.
    Households without one (a recognised list, a year stored before schema v5) are level."""
    if COMPARABLE_GAP not in households.columns:
        return households
    return households.assign(chenh_lech=households[COMPARABLE_GAP])


def run_assign(
    ws: Workspace,
    commune: str,
    year: int,
    *,
    members_file: Path | None = None,
    cap: int | None = None,
    what_if: int | None = None,
    step: Callable[[str], None] | None = None,
) -> AssignRun:
    """Pair the members with the year's poor and near-poor households and record the pairs.

    ``step`` is told, after each stage (read, pair, record), what it counted."""
    step = step or (lambda note: None)
    cfg = ws.commune(commune)
    rules = rules_from_config(ws.settings.assign, cap)
    with ws.open_store() as store:
        households = store.load_year(cfg.code, year)
        previous = store.load_pairs(cfg.code, year - 1)
        stored_members = store.load_members(cfg.code, year)
        stored_list = store.member_list(cfg.code, year)
        stored_twinnings = store.load_twinnings(cfg.code, year)
    villages = set(households["thon"].dropna().astype(str))
    twinnings: pd.DataFrame | None = None
    findings: list[Finding] = []
    source_file: str | None
    if members_file is not None:
        members, twinnings, findings = read_members(members_file, villages, year)
        source = source_file = members_file.name
    elif len(stored_members) and stored_list is None:
        # Stored before schema v5: the twinnings read with it were not kept, so pairing from
        # it would leave out every twinned village (and overwrite the stored pairs).
        raise UsageError(
            f"Danh sách đảng viên năm {year} của {cfg.name} trong kho được lưu bằng phiên bản "
            "cũ, chưa lưu các thôn kết nghĩa: phân công lại từ kho sẽ bỏ sót các hộ ở thôn "
            "kết nghĩa.",
            hint="Chạy lại một lần với --members dang_vien.xlsx (tệp có trang Kết nghĩa); các "
            "lần sau không cần --members nữa.",
        )
    elif len(stored_members):
        members = stored_members
        twinnings = stored_twinnings if len(stored_twinnings) else None
        stored_from = f" {stored_list.source}" if stored_list and stored_list.source else ""
        source = f"kho dữ liệu (danh sách đã nhập trước{stored_from})"
        source_file = stored_list.source if stored_list else None
    else:
        raise UsageError(
            f"Chưa có danh sách đảng viên năm {year} của {cfg.name}.",
            hint=(
                "Dùng --members dang_vien.xlsx "
                "(mẫu trống: ngheo template --members --out dang_vien.xlsx)."
            ),
        )
    if len(members) == 0:
        raise UsageError(
            "Danh sách đảng viên không có dòng nào dùng được.",
            hint="Xem các lỗi ở trên, sửa tệp rồi chạy lại.",
        )
    previous_pairs = previous[["ma_dang_vien", "ma_ho"]] if len(previous) else None
    step(f"{len(households):,} hộ, {len(members):,} đảng viên".replace(",", "."))
    priority = ranked_households(households)
    result = assign(priority, members, twinnings, rules, previous_pairs)
    step(f"đã ghép {result.assigned:,}/{result.households_to_help:,} hộ".replace(",", "."))
    check = (
        what_if_cap(priority, members, twinnings, rules, what_if, previous_pairs)
        if what_if is not None
        else None
    )
    stored_run = households.attrs.get("run")
    note = None
    if stored_run is not None and stored_run.origin == "recorded":
        # No deprivations, no incomes: the priority among households of one class cannot use
        # them (never read as zero deprivations).
        note = (
            recorded_note(year, stored_run.decision_no)
            + " Thứ tự ưu tiên giữa các hộ cùng loại không xét số chỉ số thiếu hụt và thu nhập."
        )
        result.notes.append(note)
    with ws.open_store() as store:
        store.record_assignment(
            cfg.code,
            year,
            members,
            result.pairs,
            twinnings,
            source=source_file,
            households_run=stored_run.id if stored_run is not None else None,
        )
    step("đã lưu vào kho")
    return AssignRun(
        commune=cfg,
        year=year,
        result=result,
        households=households,
        members=members,
        findings=findings,
        members_source=source,
        what_if=check,
        recorded_note=note,
    )
