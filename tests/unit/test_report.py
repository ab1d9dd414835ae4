"""The report's numbers: built from tiny frames written here, and from the sample commune."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from ngheo_cli.core.report import (
    NO_SUPPORT_DATA,
    ReportInputs,
    add_counts,
    build_context,
    measures,
    year_counts,
)
from ngheo_cli.core.targets import parse_target
from ngheo_cli.io import rulesets
from ngheo_cli.io.outputs.report import render_html
from ngheo_cli.io.workspace import load_workspace
from ngheo_cli.services import history as history_service
from ngheo_cli.services.report import build_report, standard_of_year


def households(rows: list[tuple]) -> pd.DataFrame:
    """(ma_ho, thon, phan_loai, so_nhan_khau, is_dtts, nguyen_nhan, nhu_cau)."""
    frame = pd.DataFrame(
        rows,
        columns=["ma_ho", "thon", "phan_loai", "so_nhan_khau", "is_dtts", "nguyen_nhan", "nhu_cau"],
    )
    frame["standard"] = "nd07-2021"
    frame["dan_toc"] = frame["is_dtts"].map({True: "Ê Đê", False: "Kinh"})
    return frame


SMALL = households(
    [
        ("01", "A", "ngheo", 4, True, "Thiếu vốn", "Tín dụng; Nhà ở"),
        ("02", "A", "ngheo", 2, True, "Thiếu đất sản xuất", "Sản xuất"),
        ("03", "A", "can_ngheo", 3, False, "Thiếu vốn", "Tín dụng"),
        ("04", "B", "khac", 5, False, None, None),
        ("05", "B", "trung_binh", 1, True, None, None),
        ("06", "B", "ngheo", 6, False, None, ""),
    ]
)


def inputs(**kw) -> ReportInputs:
    base = dict(
        level="commune",
        unit_code="24181",
        unit_name="Xã Thử",
        province_code="66",
        province_name="Đắk Lắk",
        year=2024,
        current=SMALL,
        ruleset=rulesets.packaged()["nd07-2021"],
        trend={2024: year_counts(SMALL)},
        standard_of_year=standard_of_year,
    )
    base.update(kw)
    return ReportInputs(**base)


def test_counts_and_rates_in_households_and_persons() -> None:
    c = year_counts(SMALL)
    assert c == {
        "households": 6,
        "persons": 21,
        "poor": 3,
        "near_poor": 1,
        "poor_persons": 12,
        "near_poor_persons": 3,
        "dtts_households": 3,
        "dtts_poor": 2,
        "standard": "nd07-2021",
    }
    m = measures(c)
    assert math.isclose(m["poor_rate"], 50.0) and math.isclose(m["dtts_poor_rate"], 200 / 3)
    ctx = build_context(inputs())
    poor = ctx["summary"]["classes"][0]
    assert (poor["households"], poor["persons"]) == (3, 12)
    assert math.isclose(poor["rate_persons"], 100 * 12 / 21)
    village_a = ctx["by_unit"][0]
    assert village_a["nhom"] == "A" and village_a["ngheo"] == 2
    assert math.isclose(village_a["ty_le_ngheo"], 200 / 3)
    assert ctx["by_unit"][-1]["nhom"] == "Toàn xã"
    dtts = {r["nhom"]: r for r in ctx["by_dtts"]}
    assert dtts["Dân tộc thiểu số"]["ngheo"] == 2
    json.dumps(ctx)  # plain JSON, no NaN objects


def test_province_counts_add_up() -> None:
    total = add_counts([year_counts(SMALL), year_counts(SMALL.iloc[:2])])
    assert total["households"] == 8 and total["poor"] == 5 and total["standard"] == "nd07-2021"


def test_causes_and_needs_split_multiple_needs() -> None:
    ctx = build_context(inputs())
    causes = {r["nhom"]: r for r in ctx["causes"]}
    assert causes["Thiếu vốn"]["poor"] == 1 and causes["Thiếu vốn"]["near_poor"] == 1
    assert causes["(chưa ghi)"]["poor"] == 1  # household 06
    needs = {r["nhom"]: r for r in ctx["needs"]}
    assert needs["Tín dụng"]["total"] == 2 and needs["Nhà ở"]["poor"] == 1
    assert needs["Sản xuất"]["poor"] == 1


def test_assignment_coverage_and_loads() -> None:
    pairs = pd.DataFrame(
        {
            "ma_dang_vien": ["m1", "m1", "m2"],
            "ma_ho": ["01", "02", "03"],
            "via_twinning": [False, False, True],
            "kept_from_last_year": [False, True, False],
        }
    )
    members = pd.DataFrame(
        {"ma_dang_vien": ["m1", "m2", "m3", "m4"], "mien": [False, False, False, True]}
    )
    a = build_context(inputs(pairs=pairs, members=members))["assignment"]
    assert a["poor"] == {
        "households": 3,
        "with_helper": 2,
        "without_helper": 1,
        "rate": pytest.approx(200 / 3),
    }
    assert a["near_poor"]["with_helper"] == 1
    assert a["members_helping"] == 2 and a["members_idle"] == 1 and a["max_load"] == 2
    assert a["load_distribution"] == [
        {"households": 1, "members": 1},
        {"households": 2, "members": 1},
    ]
    assert build_context(inputs())["assignment"]["available"] is False


def test_support_section_never_fakes_numbers() -> None:
    s = build_context(inputs())["support"]
    assert s == {"available": False, "message": NO_SUPPORT_DATA, "note": None}


def test_series_break_across_2027_is_said() -> None:
    trend = {
        2026: {**year_counts(SMALL), "standard": "nd07-2021"},
        2027: {**year_counts(SMALL), "standard": "nd351-2025"},
    }
    target = parse_target(
        {
            "level": "commune",
            "code": "24181",
            "year": 2030,
            "measure": "poor_rate",
            "kind": "below",
            "value": 12,
            "source": "NQ thử",
        },
        "t",
    )
    ctx = build_context(inputs(year=2027, trend=trend, targets=[target]))
    assert ctx["series_break"] and any("điểm gãy" in n for n in ctx["notes"])
    assert ctx["trend"][1]["series_break"] is True
    ev = ctx["targets"][-1]
    assert ev["series_break"] and ev["projection"] is None  # one year under nd351: no line


def test_targets_of_other_communes_are_left_out() -> None:
    mine = {
        "level": "commune",
        "code": "24181",
        "year": 2025,
        "measure": "poor_rate",
        "kind": "at_most",
        "value": 20,
        "source": "NQ",
    }
    other = {**mine, "code": "99999"}
    ctx = build_context(inputs(targets=[parse_target(mine, "a"), parse_target(other, "b")]))
    assert [t["target"]["code"] for t in ctx["targets"]] == ["24181"]


def test_sample_commune_report_matches_history(ws: Path) -> None:
    workspace = load_workspace(ws)
    report = build_report(workspace, 2024, commune="24181").to_dict()
    hist = history_service.history(workspace, "24181", 2024)
    for kind in ("poor", "near_poor"):
        # The report numbers the lines as the official forms do: for near-poor households
        # (2) is thoát cận nghèo (history's line 3) and (3) trở thành hộ nghèo (line 2).
        order = [1, 2, 3, 4, 5, 6, 7, 8, 9] if kind == "poor" else [1, 3, 2, 4, 5, 6, 7, 8, 9]
        total = hist.balances[kind].iloc[-1]
        assert [line["households"] for line in report["balances"][kind]] == [
            int(total[f"ho_{i}"]) for i in order
        ]
        assert [line["persons"] for line in report["balances"][kind]] == [
            int(total[f"nk_{i}"]) for i in order
        ]
    near = {line["line"]: line["label"] for line in report["balances"]["near_poor"]}
    assert near[2] == "Giảm: thoát cận nghèo" and near[3] == "Giảm: từ cận nghèo rơi xuống nghèo"
    classes = {c["code"]: c["households"] for c in report["summary"]["classes"]}
    assert classes["ngheo"] == report["balances"]["poor"][-1]["households"]
    assert sum(v for v in classes.values() if v) == report["summary"]["households"]
    assert [r["year"] for r in report["trend"]] == [2023, 2024]
    contributions = [r["af_dong_gop"] for r in report["deprivations"]["rows"]]
    assert math.isclose(sum(contributions), 100.0)
    province = build_report(workspace, 2024, province=True).to_dict()
    assert province["summary"] == report["summary"]
    assert province["balances"] == report["balances"]


def test_what_if_under_the_next_standard() -> None:
    """A 2026 household at 1.800.000 đ with 3 deprivations is "trung bình" under NĐ 07 and
    poor under NĐ 351; one at 2.500.000 đ stays above both lines."""
    import pandas as pd

    from ngheo_cli.core.report import what_if
    from ngheo_cli.io import rulesets

    nd07, nd351 = rulesets.resolve(2026), rulesets.resolve(2027)
    rows = []
    for income in (1_800_000, 2_500_000):
        row = {
            "ma_ho": str(income),
            "khu_vuc": "nong_thon",
            "thu_nhap_binh_quan": float(income),
            "co_chi_so": True,
        }
        row.update({i: j < 3 for j, i in enumerate(nd07.indicator_ids)})
        rows.append(row)
    rows.append(
        {
            "ma_ho": "x",
            "khu_vuc": "nong_thon",
            "thu_nhap_binh_quan": None,
            "diem_a": 120.0,
            "co_chi_so": False,
        }
    )
    result = what_if(pd.DataFrame(rows), nd351)
    assert result is not None
    assert result["standard"] == "nd351-2025"
    assert result["counts"]["ngheo"] == 1 and result["counts"]["khac"] == 1
    assert result["counts"]["trung_binh"] is None  # NĐ 351 defines no middle band
    assert result["excluded"] == 1
    assert result["rates"]["ngheo"] == 50.0
    assert result["assumed_not_deprived"] == ["xu_ly_rac_thai"]


def test_support_note_without_records_is_official_and_the_command_goes_to_the_preparer(
    ws: Path,
) -> None:
    """The report skips the support summary of a commune without records: its note says so
    in words a chairperson can sign (the commune named, no command); the command to run is
    a preparer's note, outside the report's text."""
    from ngheo_cli.services import report as report_service

    workspace = load_workspace(ws)
    cfg = workspace.communes[0]
    assert not report_service._has_support_records(workspace, cfg.code, 2024)
    support, note = report_service._support(workspace, cfg.code, 2024)
    assert support is None and cfg.name in note and "ngheo" not in note and "--" not in note
    ctx = build_report(workspace, 2024, commune=cfg.code).to_dict()
    assert ctx["support"]["note"] == note
    assert any("ngheo support import" in n for n in ctx["preparer_notes"])
    html = render_html(ctx)
    assert "ngheo support" not in html and "ngheo assign" not in html and "--commune" not in html


def test_province_read_by_two_processes_is_the_same(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large province is read by a helper process too: same report as read alone."""
    from ngheo_cli.services import report as report_service

    workspace = load_workspace(ws)
    alone = build_report(workspace, 2024, province=True).to_dict()
    monkeypatch.setattr(report_service, "PARALLEL_MIN_COMMUNES", 1)
    monkeypatch.setattr(report_service, "_parallel_ok", lambda: True)
    units = report_service._load_province(workspace, 2024)
    assert len(units) == len(workspace.communes)
    assert build_report(workspace, 2024, province=True).to_dict() == alone


def test_clean_makes_plain_json_values_whatever_their_type() -> None:
    """NaN and NA become None at any depth, numpy scalars are unwrapped, keys become text,
    tuples lists; plain values are kept as they are (the same object)."""
    import numpy as np

    from ngheo_cli.core.report import _clean

    class Code(str):
        pass

    text = "Thôn Buôn Tría"
    value = {
        2024: (1, 2.5, float("nan"), np.float64("nan"), np.int64(7), np.bool_(True)),
        "a": [pd.NA, None, True, {"b": np.float32(0.5)}],
        Code("k"): text,
    }
    cleaned = _clean(value)
    assert cleaned == {
        "2024": [1, 2.5, None, None, 7, True],
        "a": [None, None, True, {"b": 0.5}],
        "k": text,
    }
    assert [type(k) for k in cleaned] == [str, str, str]
    assert type(cleaned["2024"][4]) is int and type(cleaned["2024"][5]) is bool
    assert cleaned["k"] is text
    json.dumps(cleaned, allow_nan=False)


def test_commune_report_takes_the_runs_history_and_only_its_own(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the run's history of the same commune and year, the report uses its transitions
    and balances (none computed again) and says exactly what it says on its own; a history
    of another year is not used."""
    from ngheo_cli.services import report as report_service

    workspace = load_workspace(ws)
    today = pd.Timestamp("2024-12-20").date()
    alone = build_report(workspace, 2024, commune="24181", generated_on=today).to_dict()
    hist = history_service.history(workspace, "24181", 2024)
    earlier = history_service.history(workspace, "24181", 2023)
    computed = report_service.transitions

    def not_again(*args: object, **kwargs: object) -> pd.DataFrame:
        raise AssertionError("transitions computed again")

    monkeypatch.setattr(report_service, "transitions", not_again)
    given = build_report(workspace, 2024, commune="24181", generated_on=today, history=hist)
    assert given.to_dict() == alone
    with pytest.raises(AssertionError, match="computed again"):
        build_report(workspace, 2024, commune="24181", generated_on=today, history=earlier)
    monkeypatch.setattr(report_service, "transitions", computed)
    other = build_report(workspace, 2024, commune="24181", generated_on=today, history=earlier)
    assert other.to_dict() == alone


def test_causes_and_needs_count_every_piece_of_every_poor_or_near_poor_household() -> None:
    """Needs written with ";" or ",", spaces, a repeated need, blanks and NA: each piece of a
    poor or near-poor household's text counts once in its group (the repeated one twice),
    blank pieces under "(chưa ghi)", other classes not at all; causes are not split."""
    from ngheo_cli.core.report import _grouped

    rows = [
        ("ngheo", "Tín dụng; Nhà ở"),
        ("ngheo", " Tín dụng ,Nhà ở"),
        ("can_ngheo", "Tín dụng;Tín dụng"),
        ("can_ngheo", None),
        ("ngheo", ""),
        ("ngheo", "Việc làm;"),
        ("trung_binh", "Tín dụng"),
        (None, "Nhà ở"),
        ("ngheo", "Nhà ở ; Việc làm"),
    ]
    frame = pd.DataFrame(rows, columns=["phan_loai", "nhu_cau"]).astype("string")
    needs = {r["nhom"]: (r["poor"], r["near_poor"]) for r in _grouped(frame, "nhu_cau", True)}
    assert needs == {
        "Tín dụng": (2, 2),
        "Nhà ở": (3, 0),
        "Việc làm": (2, 0),
        "(chưa ghi)": (2, 1),  # "", the piece after "Việc làm;", and None
    }
    causes = _grouped(frame, "nhu_cau", False)
    first = causes[0]
    assert first["nhom"] == "(chưa ghi)" and (first["poor"], first["near_poor"]) == (1, 1)
    assert {r["nhom"] for r in causes[1:]} == {
        "Tín dụng; Nhà ở",
        " Tín dụng ,Nhà ở",
        "Tín dụng;Tín dụng",
        "Việc làm;",
        "Nhà ở ; Việc làm",
    }
    assert sum(r["total"] for r in causes) == 7
    top = _grouped(frame, "nhu_cau", True)[0]
    assert top["nhom"] == "Tín dụng" and top["poor_share"] == pytest.approx(100 * 2 / 5)
    assert top["near_poor_share"] == pytest.approx(100 * 2 / 2)


def test_group_rows_have_counts_persons_and_percent_rates_per_class() -> None:
    """Each row: nhom, so_ho, so_nhan_khau, then per class its households, persons and rate
    in percent (over the group's households); a blank village is "(trống)"; the total row
    last; counts are whole numbers."""
    frame = SMALL.copy()
    frame.loc[5, "thon"] = None
    ctx = build_context(inputs(current=frame))
    rows = ctx["by_unit"]
    assert list(rows[0])[:6] == [
        "nhom",
        "so_ho",
        "so_nhan_khau",
        "ngheo",
        "ngheo_nhan_khau",
        "ty_le_ngheo",
    ]
    assert [r["nhom"] for r in rows][-2:] == ["(trống)", "Toàn xã"]
    for row in rows:
        counted = [k for k in row if k not in ("nhom",) and not k.startswith("ty_le_")]
        assert all(type(row[k]) is int for k in counted)
        for key in [k for k in row if k.startswith("ty_le_")]:
            n = row[key.removeprefix("ty_le_")]
            assert math.isclose(row[key], 100 * n / row["so_ho"])
    assert sum(r["so_ho"] for r in rows[:-1]) == rows[-1]["so_ho"] == len(frame)
