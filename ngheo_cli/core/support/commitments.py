"""Party members' yearly commitments (standards.md §7, seed 001): a member on a state salary
gives at least one day's salary a year; a member without one gives labour days; either may
instead give at least 10 seedlings. The amounts are settings (:class:`CommitmentRules`); the
salary default is a placeholder that each commune must replace with its own figure."""


from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.support.ledger import text_or_none

DEFAULT_SALARY_DAY = 200_000
DEFAULT_LABOUR_DAYS = 1
DEFAULT_SEEDLINGS = 10
SETTING_KEYS: tuple[str, ...] = ("salary_day_dong", "labour_days", "seedlings")

ROUTE_LABELS: dict[str, str] = {
    "ngay_luong": "một ngày lương (đồng)",
    "ngay_cong": "ngày công",
    "cay_giong": "cây giống",
}


@dataclass(frozen=True)
class CommitmentRules:
    """What each member gives at least once a year (standards.md §7, seed 001).

    ``salary_day_dong``: one day's salary in đồng; the default 200.000 đ is a placeholder,
    not a legal figure (``placeholder`` stays True until the commune sets its own).
    ``labour_days``: for members without a state salary. ``seedlings``: for anyone.
    """

    salary_day_dong: float = DEFAULT_SALARY_DAY
    labour_days: float = DEFAULT_LABOUR_DAYS
    seedlings: float = DEFAULT_SEEDLINGS
    placeholder: bool = True
    source: str = "mac_dinh"

    def to_dict(self) -> dict[str, object]:
        return {
            "salary_day_dong": self.salary_day_dong,
            "labour_days": self.labour_days,
            "seedlings": self.seedlings,
            "salary_day_is_placeholder": self.placeholder,
            "source": self.source,
        }


class SettingsError(ValueError):
    """A ``support:`` setting that is not usable (message in Vietnamese)."""


def commitment_rules(
    config: Mapping[str, Any] | None, source: str = "ngheo.yaml"
) -> CommitmentRules:
    """Rules from a ``support:`` mapping (None or empty: the defaults). Unknown keys or
    values that are not positive numbers raise :class:`SettingsError`."""
    if not config:
        return CommitmentRules()
    if not isinstance(config, Mapping):
        raise SettingsError("mục support phải là một bảng khoá: giá trị.")
    unknown = [str(k) for k in config if k not in SETTING_KEYS]
    if unknown:
        raise SettingsError(
            f"mục support có khoá không biết: {', '.join(unknown)} "
            f"(dùng được: {', '.join(SETTING_KEYS)})."
        )
    values: dict[str, float] = {}
    for key in SETTING_KEYS:
        if key not in config:
            continue
        raw = config[key]
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not raw > 0:
            raise SettingsError(f"support.{key} phải là một số dương (đang ghi {raw!r}).")
        values[key] = float(raw)
    return CommitmentRules(
        salary_day_dong=values.get("salary_day_dong", DEFAULT_SALARY_DAY),
        labour_days=values.get("labour_days", DEFAULT_LABOUR_DAYS),
        seedlings=values.get("seedlings", DEFAULT_SEEDLINGS),
        placeholder="salary_day_dong" not in values,
        source=source,
    )


COMMITMENT_COLUMNS: tuple[str, ...] = (
    "ma_dang_vien",
    "ho_ten",
    "chi_bo",
    "thon",
    "huong_luong",
    "mien",
    "tien",
    "ngay_cong",
    "cay_giong",
    "so_lan",
    "so_ho",
    "ho_duoc_phan_cong",
    "giup_ho_phan_cong",
    "trang_thai",
    "dat",
    "muc",
    "yeu_cau",
    "da_gop",
    "chenh_lech",
)


def member_contributions(records: pd.DataFrame) -> pd.DataFrame:
    """Per giving member (records with ``loai_nguoi == "dang_vien"``): ``tien`` (đồng: all
    values, money and the value of goods), ``ngay_cong``, ``cay_giong`` (quantities),
    ``so_lan`` (records), ``so_ho`` (households); index = member code."""
    mine = records[records["loai_nguoi"] == "dang_vien"]
    cols = ["tien", "ngay_cong", "cay_giong", "so_lan", "so_ho"]
    if mine.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    g = mine.groupby("nguoi_ho_tro", sort=True)
    out = pd.DataFrame(
        {
            "tien": g["gia_tri"].sum(min_count=0),
            "ngay_cong": mine["so_luong"]
            .where(mine["loai"] == "ngay_cong", 0.0)
            .groupby(mine["nguoi_ho_tro"])
            .sum(),
            "cay_giong": mine["so_luong"]
            .where(mine["loai"] == "cay_giong", 0.0)
            .groupby(mine["nguoi_ho_tro"])
            .sum(),
            "so_lan": g.size().astype("float64"),
            "so_ho": g["ma_ho"].nunique().astype("float64"),
        }
    )
    out.index = out.index.astype(str)
    return out


def check_commitments(
    records: pd.DataFrame,
    members: pd.DataFrame,
    rules: CommitmentRules,
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each member's commitment for the year: met, short, or exempt, and by how much.

    ``members``: ``ma_dang_vien``, ``ho_ten``, ``chi_bo``, ``thon``, ``huong_luong``,
    ``mien`` (as the store keeps them). ``pairs``: ``ma_dang_vien``, ``ma_ho`` (optional):
    fills ``ho_duoc_phan_cong`` and whether the member gave to a household paired with them.

    Routes: salaried → value of what was given ≥ one day's salary, or seedlings ≥ N;
    not salaried → labour days ≥ N, or seedlings ≥ N, or a value ≥ one day's salary.
    ``muc`` is the route that came closest (the first route on a tie), ``yeu_cau`` its
    threshold, ``da_gop`` the amount given on it and ``chenh_lech`` = da_gop − yeu_cau
    (negative: short by that much). Exempt members: ``trang_thai`` "mien"; ``dat``,
    ``muc`` and the amounts on it are missing.
    Members who gave but are not on the list are not included (see the ledger).
    """
    given = member_contributions(records)
    codes = members["ma_dang_vien"].astype(str).tolist()
    aligned = given.reindex(codes).fillna(0.0)
    paired: dict[str, list[str]] = {}
    if pairs is not None and len(pairs):
        for m, h in zip(pairs["ma_dang_vien"].astype(str), pairs["ma_ho"].astype(str), strict=True):
            paired.setdefault(m, []).append(h)
    helped: dict[str, set[str]] = {}
    mine = records[records["loai_nguoi"] == "dang_vien"]
    for m, h in zip(mine["nguoi_ho_tro"].astype(str), mine["ma_ho"].astype(str), strict=True):
        helped.setdefault(m, set()).add(h)

    rows: list[dict[str, object]] = []
    for i, code in enumerate(codes):
        salaried = "huong_luong" in members and _flag(members["huong_luong"].iloc[i])
        exempt = "mien" in members and _flag(members["mien"].iloc[i])
        amounts = {
            "ngay_luong": float(aligned["tien"].iloc[i]),
            "ngay_cong": float(aligned["ngay_cong"].iloc[i]),
            "cay_giong": float(aligned["cay_giong"].iloc[i]),
        }
        thresholds = {
            "ngay_luong": rules.salary_day_dong,
            "ngay_cong": rules.labour_days,
            "cay_giong": rules.seedlings,
        }
        routes = (
            ("ngay_luong", "cay_giong") if salaried else ("ngay_cong", "cay_giong", "ngay_luong")
        )
        best = max(routes, key=lambda r: (amounts[r] / thresholds[r], -routes.index(r)))
        met = amounts[best] >= thresholds[best]
        own = paired.get(code, [])
        rows.append(
            {
                "ma_dang_vien": code,
                "ho_ten": text_or_none(members["ho_ten"].iloc[i]) if "ho_ten" in members else None,
                "chi_bo": text_or_none(members["chi_bo"].iloc[i]) if "chi_bo" in members else None,
                "thon": text_or_none(members["thon"].iloc[i]) if "thon" in members else None,
                "huong_luong": salaried,
                "mien": exempt,
                "tien": amounts["ngay_luong"],
                "ngay_cong": amounts["ngay_cong"],
                "cay_giong": amounts["cay_giong"],
                "so_lan": int(aligned["so_lan"].iloc[i]),
                "so_ho": int(aligned["so_ho"].iloc[i]),
                "ho_duoc_phan_cong": ", ".join(sorted(own)),
                "giup_ho_phan_cong": bool(set(own) & helped.get(code, set())) if own else None,
                "trang_thai": "mien" if exempt else ("dat" if met else "chua_dat"),
                "dat": None if exempt else met,
                "muc": None if exempt else best,
                "yeu_cau": np.nan if exempt else thresholds[best],
                "da_gop": np.nan if exempt else amounts[best],
                "chenh_lech": np.nan if exempt else amounts[best] - thresholds[best],
            }
        )
    frame = pd.DataFrame(rows, columns=list(COMMITMENT_COLUMNS))
    frame["dat"] = frame["dat"].astype("boolean")
    frame["giup_ho_phan_cong"] = frame["giup_ho_phan_cong"].astype("boolean")
    return frame


def _flag(value: object) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(value)


