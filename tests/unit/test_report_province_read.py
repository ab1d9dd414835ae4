"""The province report reads this year's households without the fields it never uses (and
the support ledger through one open store): its numbers and its documents must be those
built from the households read in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from ngheo_cli.io.outputs.report import render_html
from ngheo_cli.io.store import HOUSEHOLD_FIELDS
from ngheo_cli.io.workspace import load_workspace
from ngheo_cli.services import report as report_service
from ngheo_cli.services.report import build_report


def test_fields_left_out_change_nothing(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = load_workspace(ws)
    lean = build_report(workspace, 2024, province=True).to_dict()
    with workspace.open_store() as store:
        read = report_service._load_unit(store, "24181", 2024, province=True)
    assert read is not None
    assert "ho_ten_chu_ho" not in read.current.columns and "viec_lam" in read.current.columns
    monkeypatch.setattr(
        report_service, "_PROVINCE_CURRENT_COLUMNS", [c for c, _ in HOUSEHOLD_FIELDS]
    )
    full = build_report(workspace, 2024, province=True).to_dict()
    assert lean == full
    assert lean["deprivations"]["available"] and lean["forms"]
    assert render_html(lean) == render_html(full)


def test_province_asks_the_ledger_of_each_commune_once_through_one_store(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = load_workspace(ws)
    asked: list[tuple[str, bool]] = []
    check = report_service._has_support_records

    def counting(ws_, code, year, store=None):  # type: ignore[no-untyped-def]
        asked.append((code, store is not None))
        return check(ws_, code, year, store)

    monkeypatch.setattr(report_service, "_has_support_records", counting)
    ctx = build_report(workspace, 2024, province=True).to_dict()
    assert asked == [("24181", True)]
    assert ctx["support"]["available"] is False
    assert "1 xã, phường" in (ctx["support"]["note"] or "")
