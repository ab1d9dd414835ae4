"""Targets: parsing, the published arithmetic of standards.md §5, and the evaluation."""

from __future__ import annotations

import math

import pytest

from ngheo_cli.core import fmt
from ngheo_cli.core.targets import (
    Observation,
    evaluate,
    implied_total,
    linear_fit,
    parse_target,
    parse_targets,
    rate_pct,
    yearly_reduction,
)
from ngheo_cli.errors import RulesetError
from ngheo_cli.services.report import national_targets


def std(year: int) -> str:
    return "nd351-2025" if year >= 2027 else "nd07-2021"


# ----------------------------------------------------------------- published tables (§5)

REGIONS_2024 = {  # poor + near-poor households, rate in % (QĐ 217/QĐ-BLĐTBXH)
    "Trung du và miền núi phía Bắc": (486_623, 14.98),
    "Đồng bằng sông Hồng": (97_755, 1.40),
    "Bắc Trung Bộ và DH miền Trung": (360_614, 6.24),
    "Tây Nguyên": (152_970, 9.45),
    "Đông Nam Bộ": (7_585, 0.15),
    "Đồng bằng sông Cửu Long": (153_450, 3.14),
}


def test_lak_baseline_rates_from_counts() -> None:
    assert fmt.number(rate_pct(4_868, 19_284), 2) == "25,24"
    assert fmt.number(rate_pct(3_512, 19_284), 2) == "18,21"
    assert fmt.percent(4_868 / 19_284) == "25,24%"


def test_national_2024_regions_add_up_and_rates_share_one_total() -> None:
    assert sum(c for c, _ in REGIONS_2024.values()) == 1_258_997
    # Both national rates come from one household total: their implied ranges overlap.
    lo1, hi1 = implied_total(1_258_997, 4.06)
    lo2, hi2 = implied_total(599_608, 1.93)
    lo, hi = max(lo1, lo2), min(hi1, hi2)
    assert lo < hi
    total = (lo + hi) / 2  # about 31,0 million households
    assert 30_900_000 < total < 31_100_000
    assert fmt.number(rate_pct(1_258_997, total), 2) == "4,06"
    assert fmt.number(rate_pct(599_608, total), 2) == "1,93"
    # Each region's rate is reproduced from its count and a total inside its implied range.
    for count, rate in REGIONS_2024.values():
        lo, hi = implied_total(count, rate)
        assert fmt.number(rate_pct(count, (lo + hi) / 2), 2) == fmt.number(rate, 2)


def test_gia_lai_2024_target_is_a_two_point_cut() -> None:
    assert fmt.number(8.11 - 2, 2) == "6,11"


def test_lak_yearly_reduction_needed_from_2022_baseline() -> None:
    # 25,24 − 20 = 5,24 points over 2022 → 2025 = 1,75 points a year.
    assert fmt.number(yearly_reduction(25.24, 20, 2025 - 2022), 2) == "1,75"
    exact = yearly_reduction(rate_pct(4_868, 19_284), 20, 3)
    assert fmt.number(exact, 2) == "1,75"
    assert fmt.number(yearly_reduction(rate_pct(3_512, 19_284), 11, 3), 2) == "2,40"
    assert fmt.number(yearly_reduction(rate_pct(4_868, 19_284), 12, 2030 - 2022), 2) == "1,66"


LAK_POOR_2025 = {
    "level": "commune", "code": "24181", "year": 2025, "measure": "poor_rate",
    "kind": "at_most", "value": 20,
    "baseline": {"year": 2022, "count": 4868, "households": 19284},
    "source": "NQ 14-NQ/HU ngày 06/9/2023",
}


def test_evaluation_from_the_baseline_needs_1_75_a_year() -> None:
    target = parse_target(LAK_POOR_2025, "t")
    assert target.baseline is not None
    assert math.isclose(target.baseline.value, 100 * 4868 / 19284)
    ev = evaluate(target, [], 2022, std)
    assert ev.status == "unknown"
    # With only the baseline as "current" (a recorded 2022 with the same rate):
    ev = evaluate(target, [Observation(2022, target.baseline.value, "nd07-2021")], 2022, std)
    assert fmt.number(ev.needed_per_year, 2) == "1,75"


def test_evaluation_on_and_off_track() -> None:
    target = parse_target(LAK_POOR_2025, "t")
    fast = [Observation(2023, 23.0, "nd07-2021"), Observation(2024, 21.0, "nd07-2021")]
    ev = evaluate(target, fast, 2024, std)
    assert ev.status == "on_track"
    assert ev.start is not None and ev.start[2] == "baseline"
    assert math.isclose(ev.needed_per_year or 0, 1.0)
    assert math.isclose(ev.achieved_per_year or 0, (100 * 4868 / 19284 - 21) / 2)
    assert ev.projection is not None and ev.projection[1] < 20
    slow = [Observation(2023, 25.0, "nd07-2021"), Observation(2024, 24.8, "nd07-2021")]
    ev = evaluate(target, slow, 2024, std)
    assert ev.status == "off_track"
    assert math.isclose(ev.needed_per_year or 0, 4.8)
    done = [Observation(2024, 19.5, "nd07-2021")]
    assert evaluate(target, done, 2024, std).status == "met"
    late = [Observation(2025, 20.5, "nd07-2021")]
    assert evaluate(target, late, 2025, std).status == "off_track"


def test_projection_never_crosses_a_change_of_standard_silently() -> None:
    target = parse_target({**LAK_POOR_2025, "year": 2030, "value": 12, "kind": "below"}, "t")
    obs = [
        Observation(2025, 22.0, "nd07-2021"),
        Observation(2026, 21.0, "nd07-2021"),
        Observation(2027, 30.0, "nd351-2025"),
        Observation(2028, 28.0, "nd351-2025"),
    ]
    ev = evaluate(target, obs, 2028, std)
    assert ev.series_break
    assert ev.projection_years == [2027, 2028]  # neither 2026 nor the 2022 baseline
    assert ev.projection is not None and math.isclose(ev.projection[1], 24.0)
    assert any("gãy" in n for n in ev.notes)
    # A 2024 projection to 2030 crosses the 2027 change: drawn, but flagged.
    ev = evaluate(target, obs[:2], 2026, std)
    assert ev.crosses_standard_change and any("2030" in n for n in ev.notes)


def test_reduce_points_per_year() -> None:
    target = parse_target(
        {"level": "national", "year": 2025, "from_year": 2021, "measure": "dtts_poor_rate",
         "kind": "reduce_pp_per_year", "value": 3, "source": "NQ 24/2021/QH15"}, "t")
    obs = [Observation(2023, 40.0, "nd07-2021"), Observation(2024, 36.5, "nd07-2021")]
    ev = evaluate(target, obs, 2024, std)
    assert ev.status == "on_track" and math.isclose(ev.achieved_per_year or 0, 3.5)
    ev = evaluate(target, [Observation(2023, 40.0, "nd07-2021"),
                           Observation(2024, 38.0, "nd07-2021")], 2024, std)
    assert ev.status == "off_track"
    # The end point implied by 3 points a year from 2023 is 34 %: 4 points in one year.
    assert math.isclose(ev.needed_per_year or 0, 4.0)
    assert evaluate(target, obs[:1], 2023, std).status == "unknown"


def test_linear_fit() -> None:
    slope, intercept = linear_fit([(2022, 25.0), (2023, 24.0), (2024, 23.0)]) or (0, 0)
    assert math.isclose(slope, -1.0) and math.isclose(slope * 2025 + intercept, 22.0)
    assert linear_fit([(2024, 1.0)]) is None


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"level": "tinh"}, "level"),
        ({"code": 24181}, "code"),
        ({"measure": "ty_le"}, "measure"),
        ({"kind": "duoi"}, "kind"),
        ({"value": "20%"}, "value"),
        ({"source": " "}, "source"),
        ({"thua": 1}, "thua"),
        ({"baseline": {"year": 2022}}, "baseline"),
    ],
)
def test_parse_errors_name_the_mistake(change: dict, fragment: str) -> None:
    with pytest.raises(RulesetError) as info:
        parse_targets([{**LAK_POOR_2025, **change}], "ngheo.yaml")
    assert fragment in str(info.value) and "chỉ tiêu thứ 1" in str(info.value)


def test_national_defaults_ship_and_parse() -> None:
    shipped = national_targets()
    assert {(t.measure, t.kind, t.year) for t in shipped} >= {
        ("poor_rate", "reduce_pp_per_year", 2025),
        ("dtts_poor_rate", "reduce_pp_per_year", 2025),
        ("dtts_area_poor_rate", "below", 2030),
    }
    assert all(t.level == "national" and t.source for t in shipped)
    # The 2026–2030 programme is cited by its resolution; its DTTS target is over the whole
    # area's households, a different measure from the 2021–2025 DTTS households' rate.
    later = [t for t in shipped if t.year == 2030]
    assert later and all("Nghị quyết 257/2025/QH15" in t.source for t in later)
    assert not any(t.measure == "dtts_poor_rate" for t in later)


def test_forecast_never_falls_below_zero() -> None:
    """A steep fall read far ahead would cross 0: the forecast stops at 0 and says the
    target is reached before its year."""
    plain = {k: v for k, v in LAK_POOR_2025.items() if k != "baseline"}
    target = parse_target({**plain, "year": 2030, "kind": "below", "value": 12}, "t")
    steep = [Observation(2022, 25.0, "nd07-2021"), Observation(2023, 18.0, "nd07-2021"),
             Observation(2024, 11.0, "nd07-2021")]
    ev = evaluate(target, steep, 2024, lambda y: "nd07-2021")
    assert ev.projection is not None and ev.projection[1] == 0.0
    assert any("đạt trước năm chỉ tiêu" in n for n in ev.notes)
    assert ev.status == "met" and ev.needed_per_year == 0.0
