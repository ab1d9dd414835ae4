"""A year of synthetic support records for the sample commune: ``sample_data/ho_tro_2024.xlsx``.

Regenerate with ``python -m ngheo_cli.sample.support --out sample_data`` (same seed → same
bytes). Built from the sample commune of :mod:`ngheo_cli.sample.writer` (the 2023 list,
whose poor and near-poor households are helped during 2024), its 2024 party members and
twinnings, and a simple pairing: in each village, members (sorted by code) take the
households (poor first, then by code) in turn; a village without members is helped by the
members of the party cell twinned with it. Every household code exists in both years.

What the records show (all fictional): most members on a salary give one day's salary
(a few give less, some give seedlings instead); members without a salary give labour days
(a few give nothing); twinned cells bring health-insurance cards and Tết gifts; the Fund
for the Poor builds houses; the social policy bank lends; a vocational school trains.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ngheo_cli.core import support as core
from ngheo_cli.io.outputs.support import write_support_book
from ngheo_cli.sample.generator import (
    classify_nd07,
    generate_commune,
    generate_members,
    generate_twinnings,
    next_year,
)
from ngheo_cli.sample.writer import SAMPLE_FIRST_YEAR, SAMPLE_HOUSEHOLDS, SAMPLE_SEED

SUPPORT_YEAR = SAMPLE_FIRST_YEAR + 1
SUPPORT_FILE = f"ho_tro_{SUPPORT_YEAR}.xlsx"
_PURPOSE = 7  # a seed offset no other sample file uses

FUND = "Quỹ Vì người nghèo xã"
BANK = "Ngân hàng CSXH huyện Lắk"
SCHOOL = "Trung tâm Giáo dục nghề nghiệp huyện"
HEALTH_CARD_VALUE = 972_000  # 4,5 % × 1.800.000 đ × 12 tháng (mức đóng BHYT hộ gia đình, 2024)
TET = date(2024, 2, 10)


def simple_pairs(
    households: pd.DataFrame, members: pd.DataFrame, twinnings: pd.DataFrame
) -> pd.DataFrame:
    """Member ↔ household pairs: per village, members by code take households (poor first,
    then by code) in turn; villages without a resident member use the twinned cell's members.
    ``households``: ``ma_ho``, ``thon``, ``phan_loai`` (poor and near-poor only are paired).
    Columns as the store keeps pairs (``io.store.PAIR_COLUMNS``)."""
    able = members[~members["mien"]].sort_values("ma_dang_vien")
    by_village = {v: list(g["ma_dang_vien"]) for v, g in able.groupby("thon", sort=True)}
    by_cell = {c: list(g["ma_dang_vien"]) for c, g in able.groupby("chi_bo", sort=True)}
    twinned = dict(zip(twinnings["thon"], twinnings["chi_bo"], strict=True))
    target = households[households["phan_loai"].isin(core.POOR_OR_NEAR)].copy()
    target["_rank"] = (target["phan_loai"] != "ngheo").astype(int)
    rows: list[tuple[str, str, str, bool, bool]] = []
    for village, group in target.sort_values(["thon", "_rank", "ma_ho"]).groupby("thon"):
        own = by_village.get(str(village), [])
        helpers = own or by_cell.get(twinned.get(str(village), ""), [])
        for i, code in enumerate(group["ma_ho"]):
            if helpers:
                rows.append((helpers[i % len(helpers)], str(code), str(village), not own, False))
    return pd.DataFrame(
        rows, columns=["ma_dang_vien", "ma_ho", "thon", "via_twinning", "kept_from_last_year"]
    )


def _day(rng: np.random.Generator, year: int, start: int = 0, end: int = 365) -> str:
    return (date(year, 1, 1) + timedelta(days=int(rng.integers(start, end)))).isoformat()


def generate_support(seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """The sample records as book rows (columns of the support book, labels not codes)."""
    first = generate_commune(seed, SAMPLE_HOUSEHOLDS, SAMPLE_FIRST_YEAR)
    second = next_year(first, seed + 1)
    members = generate_members(second, seed + 2)
    twinnings = generate_twinnings(second, members)
    rng = np.random.default_rng([seed, SUPPORT_YEAR, _PURPOSE])

    listed = first.households[["ma_ho", "ho_ten_chu_ho", "thon", "chat_luong_nha_o"]].copy()
    listed["phan_loai"] = classify_nd07(first.households)
    listed = listed[listed["ma_ho"].isin(set(second.households["ma_ho"]))]
    names = dict(zip(listed["ma_ho"], listed["ho_ten_chu_ho"], strict=True))
    pairs = simple_pairs(listed, members, twinnings)
    first_household = pairs.groupby("ma_dang_vien")["ma_ho"].first()
    year = SUPPORT_YEAR
    rows: list[dict[str, object]] = []

    def add(ngay: str, kind_of_giver: str, giver: str, ma_ho: str, kind: str,
            quantity: float | None, unit: str | None, value: float | None, note: str = "") -> None:
        rows.append({
            "ngay": ngay, "loai_nguoi": core.GIVER_KINDS[kind_of_giver], "nguoi_ho_tro": giver,
            "ma_ho": ma_ho, "ho_ten_chu_ho": names.get(ma_ho), "loai": core.KIND_LABELS[kind],
            "so_luong": quantity, "don_vi": core.UNIT_BY_CODE[unit].label if unit else None,
            "gia_tri": value, "ghi_chu": note or None,
        })

    # Party members: the yearly commitment, to the household paired with them.
    for m in members.sort_values("ma_dang_vien").itertuples(index=False):
        code = str(m.ma_dang_vien)
        if m.mien or code not in first_household.index:
            continue
        ma_ho = str(first_household[code])
        draw = rng.random()
        if m.huong_luong:
            if draw < 0.15:
                n = int(rng.integers(10, 21))
                add(_day(rng, year, 60, 200), "dang_vien", code, ma_ho, "cay_giong", n, "cay",
                    n * 30_000, "Cây giống sầu riêng")
            else:
                salary = int(rng.choice([180_000, 210_000, 240_000, 270_000, 300_000]))
                if draw > 0.9:
                    salary = 100_000  # gave less than a day's salary
                add(_day(rng, year), "dang_vien", code, ma_ho, "tien", None, None, salary,
                    "Một ngày lương")
        elif draw < 0.1:
            continue  # no record this year: the commitment is not met
        elif draw < 0.3:
            add(_day(rng, year, 60, 200), "dang_vien", code, ma_ho, "cay_giong", 10, "cay",
                250_000, "Cây giống bơ, mít")
        else:
            days = int(rng.integers(1, 4))
            add(_day(rng, year, 30, 330), "dang_vien", code, ma_ho, "ngay_cong", days, "ngay",
                None, "Giúp công làm rẫy, thu hoạch cà phê")

    # Twinned cells: health-insurance cards and Tết gifts in their villages.
    for tw in twinnings.itertuples(index=False):
        village = listed[(listed["thon"] == tw.thon) & listed["phan_loai"].isin(core.POOR_OR_NEAR)]
        for ma_ho in sorted(village["ma_ho"]):
            add((TET - timedelta(days=3)).isoformat(), "chi_bo", str(tw.chi_bo), ma_ho, "qua", 1,
                "phan", 500_000, "Quà Tết Giáp Thìn")
            if rng.random() < 0.5:
                add(_day(rng, year, 0, 90), "chi_bo", str(tw.chi_bo), ma_ho, "the_bhyt", 1,
                    "the", HEALTH_CARD_VALUE, "Mua thẻ BHYT hộ gia đình")

    poor = listed[listed["phan_loai"] == "ngheo"].sort_values("ma_ho")
    # The Fund for the Poor: two houses for poor households with a poor-quality house.
    for ma_ho in list(poor.loc[poor["chat_luong_nha_o"], "ma_ho"])[:2]:
        add(_day(rng, year, 120, 270), "quy", FUND, str(ma_ho), "nha_o", 1, "can", 60_000_000,
            "Nhà Đại đoàn kết")
    # Policy loans and vocational training.
    for ma_ho in poor["ma_ho"]:
        draw = rng.random()
        if draw < 0.2:
            amount = int(rng.choice([30, 40, 50])) * 1_000_000
            add(_day(rng, year), "quy", BANK, str(ma_ho), "vay_von", None, None, amount,
                "Vay hộ nghèo, 5 năm")
        elif draw < 0.28:
            add(_day(rng, year, 150, 300), "co_quan", SCHOOL, str(ma_ho), "dao_tao_nghe", 1,
                "nguoi", 2_500_000, "Lớp kỹ thuật trồng cà phê")

    book = pd.DataFrame(rows).sort_values(["ngay", "ma_ho"], kind="stable").reset_index(drop=True)
    book.insert(0, "stt", np.arange(1, len(book) + 1))
    return book


def write_sample_support(out_dir: str | Path = "sample_data", seed: int = SAMPLE_SEED) -> Path:
    """Write ``ho_tro_2024.xlsx`` into ``out_dir``; return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / SUPPORT_FILE
    write_support_book(
        path,
        generate_support(seed),
        title=f"Sổ theo dõi hỗ trợ hộ nghèo, cận nghèo năm {SUPPORT_YEAR} (dữ liệu giả lập)",
    )
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ngheo_cli.sample.support",
        description="Tạo lại sổ hỗ trợ mẫu (giả lập) sample_data/ho_tro_2024.xlsx.",
    )
    parser.add_argument("--out", default="sample_data", help="thư mục ghi (mặc định sample_data)")
    args = parser.parse_args(argv)
    print(f"Đã ghi {write_sample_support(args.out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
