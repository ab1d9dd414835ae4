"""The report's charts, written directly as SVG: read back as XML and checked against the
numbers they were drawn from (bar lengths, positions, labels), on report dictionaries built
here with only the keys the charts read."""

from __future__ import annotations

import copy
import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from ngheo_cli.io.outputs import charts
from ngheo_cli.io.outputs.charts import (
    NEAR_COLOR,
    POOR_COLOR,
    TARGET_COLOR,
    all_charts,
    deprivation_chart,
    trend_chart,
    unit_chart,
)
from ngheo_cli.io.outputs.svg import decimals_for, esc, fit, nice_ticks, text_width

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//s:text", NS)


def label_of(el: ET.Element) -> str:
    """A text element's shown text (without its tooltip)."""
    tip = el.find("s:title", NS)
    return (tip.tail if tip is not None else el.text) or ""


def text_at(root: ET.Element, label: str) -> ET.Element:
    found = [t for t in texts(root) if label_of(t) == label]
    assert len(found) == 1, (label, [label_of(t) for t in texts(root)])
    return found[0]


def rects(root: ET.Element, color: str) -> list[ET.Element]:
    return [r for r in root.findall("s:rect", NS) if r.get("fill") == color]


def trend_row(year: int, poor: float | None, near: float | None, brk: bool = False) -> dict:
    return {"year": year, "poor_rate": poor, "near_poor_rate": near, "series_break": brk}


def target(
    measure: str,
    kind: str,
    value: float,
    year: int,
    *,
    current: Any = None,
    projection: Any = None,
    crosses: bool = False,
) -> dict[str, Any]:
    return {
        "target": {"measure": measure, "kind": kind, "value": value, "year": year},
        "current": current,
        "projection": projection,
        "crosses_standard_change": crosses,
    }


def context(**over: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "year": 2024,
        "level": "commune",
        "trend": [trend_row(2023, 29.06, 19.1), trend_row(2024, 26.62, 17.72)],
        "targets": [],
        "next_standard_change": None,
        "deprivations": {
            "rows": [
                {"ten_chi_so": "Việc làm", "ngheo_ty_le": 31.3, "can_ngheo_ty_le": 9.2},
                {
                    "ten_chi_so": "Nhà tiêu hợp vệ sinh",
                    "ngheo_ty_le": 51.4,
                    "can_ngheo_ty_le": 15.9,
                },
                {"ten_chi_so": "Bảo hiểm y tế", "ngheo_ty_le": None, "can_ngheo_ty_le": 6.0},
            ]
        },
        "by_unit": [
            {"nhom": "Buôn Jun", "ty_le_ngheo": 42.1, "ty_le_can_ngheo": 23.5},
            {"nhom": "Thôn Hòa Bình", "ty_le_ngheo": 10.3, "ty_le_can_ngheo": 17.3},
            {"nhom": "Buôn Lê", "ty_le_ngheo": 31.9, "ty_le_can_ngheo": None},
            {"nhom": "Toàn xã", "ty_le_ngheo": 26.62, "ty_le_can_ngheo": 17.72},
        ],
    }
    ctx.update(over)
    return ctx


# ------------------------------------------------------------------ the SVG element itself


def test_every_chart_is_one_scalable_accessible_svg_element() -> None:
    for name, svg in all_charts(context()).items():
        assert svg.count("<svg") == 1 and svg.endswith("</svg>\n"), name
        root = parse(svg)
        assert root.get("role") == "img"
        assert root.get("aria-label") and root.find("s:title", NS).text == root.get("aria-label")
        assert root.get("style") == "width:100%;height:auto"
        assert re.fullmatch(r"0 0 720 [0-9.]+", root.get("viewBox") or ""), root.get("viewBox")
        assert "width" not in root.attrib and "height" not in root.attrib
        assert "<script" not in svg and "href" not in svg
        assert "font-family" not in svg  # the page's fonts draw the text


def test_same_numbers_same_bytes() -> None:
    ctx = context(
        targets=[
            target(
                "poor_rate",
                "below",
                10,
                2030,
                current={"year": 2024, "value": 26.6},
                projection={"year": 2030, "value": 12.0},
                crosses=True,
            )
        ],
        next_standard_change={"year": 2027},
    )
    first = all_charts(ctx)
    assert all_charts(copy.deepcopy(ctx)) == first
    assert all_charts(ctx) == first


def test_no_rows_no_chart() -> None:
    ctx = context(deprivations={"rows": []}, by_unit=[{"nhom": "Toàn xã", "ty_le_ngheo": None}])
    assert deprivation_chart(ctx) == ""
    assert unit_chart(ctx) == ""


def test_the_trend_is_drawn_even_without_stored_years() -> None:
    root = parse(trend_chart(context(trend=[])))
    assert text_at(root, "2024") is not None
    assert root.findall("s:polyline", NS) == []


# ------------------------------------------------------------------ bar charts


def test_bar_lengths_are_proportional_to_the_values() -> None:
    root = parse(deprivation_chart(context()))
    poor = [float(r.get("width")) for r in rects(root, POOR_COLOR)]
    near = [float(r.get("width")) for r in rects(root, NEAR_COLOR)]
    # Largest poor share first; a missing share draws no bar.
    assert len(poor) == 2 + 1 and len(near) == 3 + 1  # one more each: the legend's swatch
    assert poor[0] / poor[1] == pytest.approx(51.4 / 31.3, rel=0.01)
    assert near[0] / poor[0] == pytest.approx(15.9 / 51.4, rel=0.01)
    assert near[2] / near[0] == pytest.approx(6.0 / 15.9, rel=0.02)


def test_deprivation_rows_read_largest_first() -> None:
    root = parse(deprivation_chart(context()))
    names = ["Nhà tiêu hợp vệ sinh", "Việc làm", "Bảo hiểm y tế"]
    ys = [float(text_at(root, name).get("y")) for name in names]
    assert ys == sorted(ys)


def test_stacked_unit_bars_start_where_the_poor_bar_ends() -> None:
    root = parse(unit_chart(context()))
    poor = rects(root, POOR_COLOR)[0]
    near = rects(root, NEAR_COLOR)[0]
    assert poor.get("y") == near.get("y")
    end = float(poor.get("x")) + float(poor.get("width"))
    assert float(near.get("x")) == pytest.approx(end, abs=0.11)
    assert float(near.get("width")) / float(poor.get("width")) == pytest.approx(
        23.5 / 42.1, rel=0.01
    )


def test_units_highest_poor_rate_first_at_most_forty() -> None:
    units = [
        {"nhom": f"Thôn {i:02d}", "ty_le_ngheo": float(i % 7), "ty_le_can_ngheo": 1.0}
        for i in range(45)
    ]
    ctx = context(by_unit=[*units, {"nhom": "Toàn xã", "ty_le_ngheo": 3.0}])
    root = parse(unit_chart(ctx))
    labels = [label_of(t) for t in texts(root) if label_of(t).startswith("Thôn ")]
    expected = sorted(units, key=lambda r: (-r["ty_le_ngheo"], r["nhom"]))[:40]
    assert labels == [r["nhom"] for r in expected]
    assert len(parse(unit_chart(ctx, limit=5)).findall("s:rect", NS)) == 5 * 2 + 2


def test_the_total_line_sits_at_the_total_rate_with_its_legend_entry() -> None:
    svg = unit_chart(context())
    root = parse(svg)
    dashed = [
        line
        for line in root.findall("s:line", NS)
        if line.get("stroke-dasharray") and line.get("x1") == line.get("x2")
    ]
    assert len(dashed) == 1
    poor = rects(root, POOR_COLOR)[0]  # Buôn Jun, 42,1 %
    x0 = float(poor.get("x"))
    per_point = float(poor.get("width")) / 42.1
    assert float(dashed[0].get("x1")) == pytest.approx(x0 + 26.62 * per_point, abs=0.2)
    assert "Nghèo toàn xã: 26,6 %" in [label_of(t) for t in texts(root)]


def test_labels_are_escaped_and_the_margin_fits_the_longest() -> None:
    name = 'Thôn <Đắk> & "Nông" Mới'
    ctx = context(
        by_unit=[
            {"nhom": name, "ty_le_ngheo": 5.0, "ty_le_can_ngheo": 2.0},
            {"nhom": "Toàn xã", "ty_le_ngheo": 5.0},
        ]
    )
    svg = unit_chart(ctx)
    assert "Thôn &lt;Đắk&gt; &amp; &quot;Nông&quot; Mới" in svg and "<Đắk>" not in svg
    root = parse(svg)
    label = text_at(root, name)
    axis_x = float(rects(root, POOR_COLOR)[0].get("x"))
    assert label.get("text-anchor") == "end"
    assert float(label.get("x")) < axis_x
    assert float(label.get("x")) - text_width(name, charts.TICK_SIZE) >= 0


def test_a_very_long_label_is_shortened_with_its_whole_text_as_tooltip() -> None:
    name = "Thôn " + "Rất Dài " * 30
    ctx = context(
        by_unit=[
            {"nhom": name, "ty_le_ngheo": 5.0, "ty_le_can_ngheo": 2.0},
            {"nhom": "Toàn xã", "ty_le_ngheo": 5.0},
        ]
    )
    root = parse(unit_chart(ctx))
    shown = [t for t in texts(root) if t.find("s:title", NS) is not None]
    assert len(shown) == 1
    assert shown[0].find("s:title", NS).text == name
    assert label_of(shown[0]).endswith("…") and name.startswith(label_of(shown[0])[:-1])
    assert float(rects(root, POOR_COLOR)[0].get("x")) < 720 / 2  # the bars keep their room


def test_percent_axis_ticks_cover_the_longest_bar() -> None:
    root = parse(unit_chart(context()))  # longest stacked bar 42,1 + 23,5 = 65,6
    ticks = [
        label_of(t)
        for t in texts(root)
        if label_of(t).endswith(" %") and t.get("text-anchor") == "middle"
    ]
    assert ticks == [f"{v} %" for v in range(0, 80, 10)]


# ------------------------------------------------------------------ trend chart


def year_x(root: ET.Element, year: int) -> float:
    return float(text_at(root, str(year)).get("x"))


def test_trend_points_their_values_and_legend() -> None:
    root = parse(trend_chart(context()))
    lines = root.findall("s:polyline", NS)
    assert [line.get("stroke") for line in lines] == [POOR_COLOR, NEAR_COLOR]
    points = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    assert [x for x, _ in points] == [year_x(root, 2023), year_x(root, 2024)]
    for value in ("29,1", "26,6", "19,1", "17,7"):  # ngheo_cli.core.fmt, one decimal
        text_at(root, value)
    assert text_at(root, "29,1").get("fill") == POOR_COLOR
    text_at(root, "Tỷ lệ hộ nghèo")
    text_at(root, "Tỷ lệ hộ cận nghèo")
    assert "Chỉ tiêu" not in [label_of(t) for t in texts(root)]
    # A higher value sits higher; 0 % at the bottom.
    assert points[0][1] < points[1][1]
    assert float(text_at(root, "0 %").get("y")) > float(text_at(root, "30 %").get("y"))


def test_a_target_marker_at_its_year_and_value_with_its_label() -> None:
    ctx = context(targets=[target("poor_rate", "at_most", 20, 2026)])
    root = parse(trend_chart(ctx))
    diamonds = [p for p in root.findall("s:path", NS) if p.get("fill") == TARGET_COLOR]
    assert len(diamonds) == 2  # the marker and the legend's
    top_x, top_y = map(float, re.match(r"M([0-9.]+) ([0-9.]+)", diamonds[0].get("d")).groups())
    assert top_x == pytest.approx(year_x(root, 2026), abs=0.1)
    tick_20 = float(text_at(root, "20 %").get("y")) - charts.TICK_SIZE * 0.35  # its gridline
    assert top_y + 4.5 == pytest.approx(tick_20, abs=0.2)  # the diamond's centre
    assert text_at(root, "20 % (2026)").get("fill") == TARGET_COLOR
    text_at(root, "Chỉ tiêu")


def test_targets_of_other_measures_or_kinds_or_too_far_are_not_marked() -> None:
    ctx = context(
        targets=[
            target("dtts_poor_rate", "below", 10, 2026),
            target("poor_rate", "reduce_pp_per_year", 1, 2025),
            target("poor_rate", "below", 10, 2031),
        ]
    )
    svg = trend_chart(ctx)
    assert TARGET_COLOR not in svg


def test_projections_dashed_and_fainter_dotted_across_a_standard_change() -> None:
    ctx = context(
        targets=[
            target(
                "near_poor_rate",
                "reduce_pp_per_year",
                1,
                2025,
                current={"year": 2024, "value": 17.72},
                projection={"year": 2025, "value": 16.0},
            ),
            target(
                "poor_rate",
                "below",
                10,
                2030,
                current={"year": 2024, "value": 26.62},
                projection={"year": 2030, "value": 12.0},
                crosses=True,
            ),
        ],
        next_standard_change={"year": 2027},
    )
    root = parse(trend_chart(ctx))
    lines = {
        line.get("stroke"): line
        for line in root.findall("s:line", NS)
        if line.get("stroke") in (POOR_COLOR, NEAR_COLOR) and line.get("stroke-opacity")
    }
    assert lines[NEAR_COLOR].get("stroke-dasharray") == charts.DASHED
    assert lines[NEAR_COLOR].get("stroke-opacity") == "0.8"
    assert lines[POOR_COLOR].get("stroke-dasharray") == charts.DOTTED
    assert lines[POOR_COLOR].get("stroke-opacity") == "0.4"
    assert float(lines[POOR_COLOR].get("x2")) == pytest.approx(year_x(root, 2030), abs=0.1)
    label = text_at(root, "đổi chuẩn 2027")
    between = (year_x(root, 2026) + year_x(root, 2027)) / 2
    verticals = [
        float(line.get("x1"))
        for line in root.findall("s:line", NS)
        if line.get("stroke-dasharray") == charts.DOTTED and line.get("x1") == line.get("x2")
    ]
    assert verticals == [pytest.approx(between, abs=0.1)]
    assert float(label.get("x")) > verticals[0]


def test_a_projection_beyond_the_chart_is_cut_at_its_edge() -> None:
    ctx = context(
        targets=[
            target(
                "poor_rate",
                "reduce_pp_per_year",
                1,
                2025,
                current={"year": 2024, "value": 26.62},
                projection={"year": 2026, "value": 22.0},
            )
        ]
    )
    root = parse(trend_chart(ctx))
    line = next(
        x
        for x in root.findall("s:line", NS)
        if x.get("stroke") == POOR_COLOR and x.get("stroke-opacity")
    )
    step = year_x(root, 2024) - year_x(root, 2023)
    assert float(line.get("x2")) == pytest.approx(year_x(root, 2024) + 0.8 * step, abs=0.1)


def test_no_standard_change_line_past_the_chart() -> None:
    svg = trend_chart(context(next_standard_change={"year": 2027}))
    assert "đổi chuẩn" not in svg


def test_a_series_break_splits_the_lines_and_is_marked() -> None:
    trend = [
        trend_row(2020, 9.5, 6.1),
        trend_row(2021, 31.0, 20.5, brk=True),
        trend_row(2022, 30.2, 20.0),
    ]
    root = parse(trend_chart(context(trend=trend, year=2022)))
    poor = [p for p in root.findall("s:polyline", NS) if p.get("stroke") == POOR_COLOR]
    assert [len(p.get("points").split()) for p in poor] == [1, 2]
    verticals = [
        line for line in root.findall("s:line", NS) if line.get("stroke-dasharray") == charts.DOTTED
    ]
    assert len(verticals) == 1
    assert float(verticals[0].get("x1")) == pytest.approx(
        (year_x(root, 2020) + year_x(root, 2021)) / 2, abs=0.1
    )


def test_close_values_are_written_on_either_side_of_their_points() -> None:
    root = parse(trend_chart(context(trend=[trend_row(2024, 9.5, 8.9)])))
    dots = {
        c.get("fill"): float(c.get("cy"))
        for c in root.findall("s:circle", NS)
        if float(c.get("cx")) == year_x(root, 2024)
    }
    assert float(text_at(root, "9,5").get("y")) < dots[POOR_COLOR]
    assert float(text_at(root, "8,9").get("y")) > dots[NEAR_COLOR]
    root = parse(trend_chart(context(trend=[trend_row(2024, 29.5, 8.9)])))  # far apart
    dots = {
        c.get("fill"): float(c.get("cy"))
        for c in root.findall("s:circle", NS)
        if float(c.get("cx")) == year_x(root, 2024)
    }
    assert float(text_at(root, "29,5").get("y")) < dots[POOR_COLOR]
    assert float(text_at(root, "8,9").get("y")) < dots[NEAR_COLOR]


# ------------------------------------------------------------------ svg helpers


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        (29.06, [0, 5, 10, 15, 20, 25, 30]),
        (65.6, [0, 10, 20, 30, 40, 50, 60, 70]),
        (100.0, [0, 20, 40, 60, 80, 100]),
        (1.2, [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2]),
        (0.0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_nice_ticks(high: float, ticks: list[float]) -> None:
    assert nice_ticks(high) == pytest.approx(ticks)


def test_tick_labels_take_the_decimals_they_need() -> None:
    assert decimals_for([0, 5, 10]) == 0
    assert decimals_for([0, 2.5, 5]) == 1
    assert decimals_for(nice_ticks(0.5)) == 1
    assert decimals_for(nice_ticks(0.2)) == 3


def test_text_width_counts_vietnamese_letters_as_their_base_letter() -> None:
    word = "Nguồn nước sinh hoạt"
    assert text_width(word, 10) == text_width(unicodedata.normalize("NFD", word), 10)
    assert text_width("đường", 10) == text_width("duong", 10)
    assert text_width("Thôn Buôn", 10) > text_width("Thôn", 10) > 0
    assert text_width("MW", 10) > text_width("il", 10)


def test_fit_keeps_what_fits_and_shortens_the_rest() -> None:
    assert fit("Buôn Jun", 12, 300) == "Buôn Jun"
    short = fit("Thôn " * 40, 12, 100)
    assert short.endswith("…") and text_width(short, 12) <= 100


def test_esc() -> None:
    assert esc('a<b>&"c"') == "a&lt;b&gt;&amp;&quot;c&quot;"


def test_unknown_rates_draw_nothing() -> None:
    nan = float("nan")
    ctx = context(
        trend=[trend_row(2023, nan, 19.1), trend_row(2024, 26.62, None)],
        by_unit=[
            {"nhom": "Buôn Jun", "ty_le_ngheo": nan, "ty_le_can_ngheo": 23.5},
            {"nhom": "Toàn xã", "ty_le_ngheo": nan},
        ],
    )
    svgs = all_charts(ctx)
    assert not any("nan" in svg.lower() for svg in svgs.values())
    root = parse(svgs["units"])
    assert len(rects(root, POOR_COLOR)) == 1  # the legend's only
    assert "Nghèo toàn xã" not in svgs["units"]
    trend = parse(svgs["trend"])
    assert [len(p.get("points").split()) for p in trend.findall("s:polyline", NS)] == [1, 1]
