"""The comparable gap to the line (core.gap): rule 1's last tie-break across both routes.

From the text of TT 07/2021/TT-BLĐTBXH, Phiếu B: 140 points ↔ 1.500.000 đ (nông thôn),
175 points ↔ 2.000.000 đ (thành thị); NĐ 07/2021 Điều 3 khoản 1 điểm a for the income lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ngheo_cli.core.classify import classify
from ngheo_cli.core.gap import comparable_gap
from ngheo_cli.io import rulesets


@pytest.fixture(scope="module")
def nd07():
    return rulesets.resolve(2024)


def _households(rows: list[tuple[str, float | None, float | None]]) -> pd.DataFrame:
    """(khu_vuc, income, Điểm A); every household 3 deprivations by its marks."""
    n = len(rows)
    frame = pd.DataFrame(
        {
            "khu_vuc": [r[0] for r in rows],
            "thu_nhap_binh_quan": [np.nan if r[1] is None else r[1] for r in rows],
            "diem_a": [np.nan if r[2] is None else r[2] for r in rows],
            "diem_b": np.full(n, np.nan),
            "co_chi_so": np.ones(n, dtype=bool),
        }
    )
    for key in ("viec_lam", "nguoi_phu_thuoc", "dinh_duong"):
        frame[key] = True
    return frame


def test_income_gap_is_kept_in_dong(nd07) -> None:
    out = classify(
        _households([("nong_thon", 1_400_000, None), ("thanh_thi", 1_700_000, None)]), nd07
    )
    np.testing.assert_array_equal(comparable_gap(out, nd07), [-100_000.0, -300_000.0])


def test_score_gap_is_the_same_share_of_the_line_in_dong(nd07) -> None:
    out = classify(
        _households(
            [
                ("nong_thon", None, 126.0),  # 10 % under 140 points → 10 % under 1.500.000 đ
                ("thanh_thi", None, 157.5),  # 10 % under 175 points → 10 % under 2.000.000 đ
                ("nong_thon", None, 140.0),  # on the line
                ("nong_thon", 1_350_000, 100.0),  # income decides when both are there
            ]
        ),
        nd07,
    )
    assert list(out["tuyen"]) == ["diem_a", "diem_a", "diem_a", "thu_nhap"]
    np.testing.assert_allclose(comparable_gap(out, nd07), [-150_000.0, -200_000.0, 0.0, -150_000.0])


def test_fewer_points_is_further_below_and_compares_with_income(nd07) -> None:
    out = classify(
        _households(
            [("nong_thon", None, 112.0), ("nong_thon", None, 138.0), ("nong_thon", 1_400_000, None)]
        ),
        nd07,
    )
    gap = comparable_gap(out, nd07)
    assert gap[0] < gap[2] < gap[1] < 0  # 112 points: −300.000 đ; 138: about −21.429 đ


def test_no_route_no_gap(nd07) -> None:
    frame = pd.DataFrame({"ma_ho": ["0001"], "phan_loai": ["ngheo"]})  # a recognised list
    assert np.isnan(comparable_gap(frame, nd07)).all()
