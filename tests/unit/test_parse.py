"""Value parsers: money, plain decimals, counts, marks, khu vực, dân tộc."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ngheo_cli.core.findings import CATALOGUE
from ngheo_cli.core.parse import (
    area_value,
    decimal_value,
    ethnic_minority,
    format_vn,
    mark_value,
    money_value,
    parse_area,
    parse_count,
    parse_decimal,
    parse_mark,
    parse_money,
)


def money(text: str) -> tuple[float, str | None]:
    """Both paths (vectorised column and one cell) must agree; return (value, error)."""
    cell = money_value(text)
    col = parse_money(pd.Series([text], index=[7]))
    value = col.values.loc[7]
    error = col.error.loc[7]
    assert error == cell.error, text
    if cell.error is None:
        assert value == cell.value, text
    else:
        assert math.isnan(value), text
    return value, error


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1500000", 1_500_000.0),
        ("1500000.5", 1_500_000.5),
        ("1500000.0", 1_500_000.0),
        ("1.500.000", 1_500_000.0),
        ("1.500.000 đ", 1_500_000.0),
        ("1.500.000đ", 1_500_000.0),
        ("1.500.000 Đ", 1_500_000.0),
        ("1.500.000 đồng", 1_500_000.0),
        ("1,500,000", 1_500_000.0),
        ("1500000 VNĐ", 1_500_000.0),
        ("1500000 vnd", 1_500_000.0),
        ("1.500.000 ₫", 1_500_000.0),
        ("1.500.000 đ/người/tháng", 1_500_000.0),
        ("1 500 000", 1_500_000.0),
        ("1,5 triệu", 1_500_000.0),
        ("1.5 triệu", 1_500_000.0),
        ("1,5tr", 1_500_000.0),
        ("1,5 tr", 1_500_000.0),
        ("1,5trđ", 1_500_000.0),
        ("1,5 TRIỆU ĐỒNG", 1_500_000.0),
        ("1500 nghìn", 1_500_000.0),
        ("1.500 ngàn", 1_500_000.0),
        ("1.500 nghìn đồng", 1_500_000.0),
        ("1500k", 1_500_000.0),
        ("1500K", 1_500_000.0),
        ("0,5 triệu", 500_000.0),
        ("2 triệu", 2_000_000.0),
        ("1.500", 1_500.0),  # one separator + exactly 3 digits, no unit: thousands
        ("15.000", 15_000.0),
        ("150.000", 150_000.0),
        ("1,500", 1_500.0),
        ("1500.125", 1_500.125),  # 4 digits before: cannot be a thousands group
        ("1.500.000,5", 1_500_000.5),  # one "." and one ",": the last is decimal
        ("1,500,000.5", 1_500_000.5),
        ("1.234.567,89", 1_234_567.89),
        ("0", 0.0),
        ("1000", 1000.0),
        ("1e6", 1_000_000.0),
        (" 1.500.000 ", 1_500_000.0),
    ],
)
def test_money_accepted(text: str, expected: float) -> None:
    value, error = money(text)
    assert error is None
    assert value == expected


def test_money_boundaries_are_exact() -> None:
    # Values compared against the line with <=: no float drift allowed.
    assert money("1.500.000")[0] == 1500000.0
    assert money("2,2 triệu")[0] == 2200000.0  # 2.2 * 1e6 would be 2200000.0000000005
    assert money("1,1 triệu")[0] == 1100000.0
    assert money("2,8 triệu")[0] == 2800000.0
    assert money("1.500.001")[0] == 1500001.0


@pytest.mark.parametrize(
    "text",
    ["1.500 triệu", "1,500 triệu", "2.200 tr"],
)
def test_money_separator_with_unit_is_ambiguous(text: str) -> None:
    _, error = money(text)
    assert error == "so-mo-ho"
    assert "triệu" in money_value(text).hint


@pytest.mark.parametrize("text", ["1,5", "1.5", "2", "999", "500", "0,5", "1,5 đ"])
def test_money_small_without_unit_is_ambiguous(text: str) -> None:
    _, error = money(text)
    assert error == "so-mo-ho"


def test_money_small_hint_says_what_to_write() -> None:
    hint = money_value("1,5").hint
    assert "triệu" in hint and "1.500.000" in hint and "1,5" in hint
    assert "500.000" in money_value("500").hint
    message = CATALOGUE["so-mo-ho"].template.format(
        value="1,5", label="Thu nhập", hint=money_value("1,5").hint
    )
    assert "1.500.000" in message


@pytest.mark.parametrize("text", ["-1.500.000", "-1500000", "−500.000", "-1,5 triệu"])
def test_money_negative(text: str) -> None:
    assert money(text)[1] == "so-am"


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "1.50.000",  # groups must be 3 digits
        "1.5000.000",
        "1,50,000",
        "1.500,000.5",  # decimal mark used twice
        "1.500.000?",
        "1,5 triệu nghìn",
        "1,5 tỷ",
        "1.500.000 USD",
        "1 50 000",
        "khoảng 1 triệu",
        "-",
        "1..5",
        "²",
        "١٥٠٠",
    ],
)
def test_money_unreadable(text: str) -> None:
    assert money(text)[1] == "so-khong-doc-duoc"


def test_parse_money_column_keeps_index_and_blanks() -> None:
    texts = ["1.500.000", None, "", "  ", "x", "1,5"]
    col = parse_money(pd.Series(texts, index=[5, 6, 7, 8, 9, 10]))
    assert list(col.values.index) == [5, 6, 7, 8, 9, 10]
    assert col.values.dtype == "float64"
    assert col.blank.tolist() == [False, True, True, True, False, False]
    assert col.error.tolist() == [None, None, None, None, "so-khong-doc-duoc", "so-mo-ho"]
    assert col.ok.tolist() == [True, False, False, False, False, False]


def test_parse_money_fast_and_slow_paths_agree() -> None:
    texts = ["1500000", "1500000.25", "1.500", "1.500.000", "1,500,000 VNĐ", "999", "0.5",
             "12", "1.5", "123.45", "123.456", "1234.5", "0"]
    col = parse_money(pd.Series(texts))
    for i, text in enumerate(texts):
        cell = money_value(text)
        assert col.error.iloc[i] == cell.error, text
        if cell.error is None:
            assert col.values.iloc[i] == cell.value, text


def test_parse_money_empty_column() -> None:
    col = parse_money(pd.Series([], dtype=object))
    assert len(col.values) == 0 and col.values.dtype == "float64"


# --- property: Vietnamese formatting round-trips ----------------------------------------------


def format_vn_dots(n: int) -> str:
    """Dots as thousands separators, as officers type it."""
    return f"{n:,}".replace(",", ".")


@given(st.one_of(st.just(0), st.integers(min_value=1000, max_value=10**9)))
def test_money_round_trip(n: int) -> None:
    text = format_vn_dots(n)
    assert money_value(text) == (float(n), None, "")
    assert parse_money(pd.Series([text])).values.iloc[0] == float(n)
    assert parse_money(pd.Series([text + " đ"])).values.iloc[0] == float(n)
    assert format_vn(n) == text


@given(st.integers(min_value=1, max_value=999))
def test_money_below_thousand_is_ambiguous(n: int) -> None:
    # The one deliberate exception to the round trip: "500" đồng per person per month is
    # not plausible (500 nghìn? 0,5 triệu?), so it is an error that says what to write.
    assert money_value(format_vn_dots(n)).error == "so-mo-ho"


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_money_decimal_comma_round_trip(whole: int, cents: int) -> None:
    text = f"{format_vn_dots(whole)},{cents:02d}"
    expected = float(f"{whole}.{cents:02d}")
    cell = money_value(text)
    if 0 < expected < 1000:
        assert cell.error == "so-mo-ho"
    else:
        assert cell.value == expected


# --- scores and measures: plain decimals ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("140", 140.0),
        ("140.5", 140.5),
        ("140,5", 140.5),
        ("1.400", 1.4),  # never a thousands separator
        ("0", 0.0),
        ("-3", -3.0),  # read; the validator decides
        ("140 điểm", 140.0),
    ],
)
def test_decimal_accepted(text: str, expected: float) -> None:
    col = parse_decimal(pd.Series([text]), units={"diem"})
    assert col.error.iloc[0] is None
    assert col.values.iloc[0] == expected
    assert decimal_value(text, {"diem"}).value == expected


@pytest.mark.parametrize("text", ["1.400.000", "1,400.5", "abc", "140 m", "14O", "1 400"])
def test_decimal_unreadable(text: str) -> None:
    assert parse_decimal(pd.Series([text]), units={"diem"}).error.iloc[0] == "so-khong-doc-duoc"


def test_decimal_area_units() -> None:
    col = parse_decimal(pd.Series(["12 m2", "12,5m²", "8"]), units={"m2"})
    assert col.values.tolist() == [12.0, 12.5, 8.0]


# --- counts -----------------------------------------------------------------------------------


def test_count() -> None:
    col = parse_count(pd.Series(["4", "4.0", "4,0", "4.5", "abc", None, "3 người", "-1"]))
    assert col.values.dtype == "Int64"
    assert col.values.tolist()[:3] == [4, 4, 4]
    assert col.error.tolist() == [
        None, None, None, "so-khong-nguyen", "so-khong-doc-duoc", None, None, None
    ]
    assert pd.isna(col.values.iloc[3]) and pd.isna(col.values.iloc[5])
    assert col.values.iloc[6] == 3 and col.values.iloc[7] == -1


# --- marks ------------------------------------------------------------------------------------

YES = ["x", "X", " x ", "1", "có", "Có", "CÓ", "co", "✓", "✔", "v", "V", "yes", "true", "TRUE",
       "c", " c ", "1.0"]
NO = ["0", "không", "Không", "khong", "k", "K", "no", "false", "FALSE", "-", "0.0", "ko"]
BAD = ["?", "x?", "2", "10", "y", "n", "xx", "không có", "có?", "1/2", "✗", "y tế"]


@pytest.mark.parametrize("text", YES)
def test_mark_yes(text: str) -> None:
    assert mark_value(text) == (True, None, "")


@pytest.mark.parametrize("text", NO)
def test_mark_no(text: str) -> None:
    assert mark_value(text) == (False, None, "")


@pytest.mark.parametrize("text", BAD)
def test_mark_unreadable(text: str) -> None:
    assert mark_value(text).error == "danh-dau-khong-ro"


def test_parse_mark_column() -> None:
    col = parse_mark(pd.Series(["x", None, "", "?", "0"], index=[3, 4, 5, 6, 7]))
    assert col.values.dtype == "boolean"
    assert col.values.tolist() == [True, False, False, pd.NA, False]
    assert col.blank.tolist() == [False, True, True, False, False]
    assert col.error.tolist() == [None, None, None, "danh-dau-khong-ro", None]


# --- khu vực ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Nông thôn", "nông thôn", "NÔNG THÔN", "nong thon", "NT", "nt", "Xã", "xã", "rural",
             "Xã Ea Kao"],
)
def test_area_rural(text: str) -> None:
    assert area_value(text).value == "nong_thon"


@pytest.mark.parametrize(
    "text", ["Thành thị", "thanh thi", "Đô thị", "đô thị", "TT", "Phường", "phường",
             "Thị trấn", "urban", "Phường 3", "Thị trấn Phước An"],
)
def test_area_urban(text: str) -> None:
    assert area_value(text).value == "thanh_thi"


@pytest.mark.parametrize("text", ["Đặc khu", "Đặc khu Phú Quốc", "miền núi", "1", "?", "Thôn 3"])
def test_area_unknown(text: str) -> None:
    assert area_value(text).error == "khu-vuc-khong-ro"


def test_parse_area_column() -> None:
    col = parse_area(pd.Series(["NT", None, "đặc khu"]))
    assert col.values.tolist() == ["nong_thon", pd.NA, pd.NA]
    assert col.blank.tolist() == [False, True, False]
    assert col.error.tolist() == [None, None, "khu-vuc-khong-ro"]


# --- dân tộc ----------------------------------------------------------------------------------


def test_ethnic_minority() -> None:
    names = ["Kinh", "KINH", " kinh ", "Kinh (Việt)", "Ê Đê", "Gia Rai", "Tày", None, "", "01"]
    s = pd.Series(names, index=np.arange(10) + 5)
    assert ethnic_minority(s).tolist() == [
        False, False, False, False, True, True, True, pd.NA, pd.NA, pd.NA
    ]
    assert list(ethnic_minority(s).index) == list(s.index)


# --- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [(0, "0"), (1500000, "1.500.000"), (1500000.0, "1.500.000"), (1500000.5, "1.500.000,5"),
     (1.25, "1,25"), (-3.5, "-3,5"), (999, "999")],
)
def test_format_vn(number: float, text: str) -> None:
    assert format_vn(number) == text
