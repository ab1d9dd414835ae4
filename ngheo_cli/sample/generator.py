"""Deterministic synthetic communes: households, party members, twinnings.

Everything here is pure (numpy/pandas in, DataFrames out) and fictional: the names,
villages, ID and phone numbers are drawn at random and belong to nobody. The shape follows
seed 001 (huyện Lắk, Đắk Lắk: 25,24 % poor and 18,21 % near-poor households at the end of
2022, many Ê Đê and M'Nông households living in buôn), so that the demo, the tests and the
benchmarks see data that looks like a real commune's review list.

Same arguments → identical frames: every random draw comes from a ``numpy`` generator
seeded from (seed, commune code, year, purpose); Python's ``hash`` is never used.

How the rates are hit: each household gets a latent welfare ``w`` (lower for ethnic
minority households and poorer villages) and a deprivation propensity ``v`` correlated
with it. The income line is placed at the quantile of ``w`` that puts exactly
``poor_rate + near_poor_rate`` of households at or below it, and within those the
deprivation count is made ≥ 3 for exactly the ``poor_rate`` share with the lowest ``v``.
Under NĐ 07/2021 the rates therefore come out on target (± the few households moved to
sit exactly on a line, which never changes their class). :func:`next_year` drifts ``w``
and the deprivations and re-places the line so that poverty falls 2–4 pp.

The income lines below only shape the fake data; the classifier reads its thresholds from
the rules files (``ngheo_cli/rulesets``), never from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ngheo_cli.core.members import MEMBER_COLUMNS as _MEMBER_COLUMNS
from ngheo_cli.core.schema import INDICATOR_KEYS

# NĐ 07/2021 lines, used only to shape the synthetic incomes (see module docstring).
RURAL_LINE = 1_500_000
URBAN_LINE = 2_000_000
RURAL_MIDDLE_UPPER = 2_250_000
URBAN_MIDDLE_UPPER = 3_000_000
RURAL_SCORE_A_LINE = 140
URBAN_SCORE_A_LINE = 175

# The 12 NĐ 07/2021 indicators, then the 2027–2030 addition.
ND07_INDICATORS: tuple[str, ...] = tuple(k for k in INDICATOR_KEYS if k != "xu_ly_rac_thai")
EXTRA_INDICATORS: tuple[str, ...] = ("xu_ly_rac_thai",)

HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "ma_xa",
    "ma_ho",
    "ho_ten_chu_ho",
    "thon",
    "dan_toc",
    "khu_vuc",
    "so_nhan_khau",
    "thu_nhap_binh_quan",
    "diem_a",
    "diem_b",
    "dien_tich_binh_quan",
    "so_nguoi_phu_thuoc",
    *ND07_INDICATORS,
    *EXTRA_INDICATORS,
    "nguyen_nhan",
    "nhu_cau",
    "khong_kha_nang_lao_dong",
    "co_nguoi_co_cong",
    "nlnn",
    "dan_toc_tai_cho",
    "gioi_tinh_chu_ho",
    "cccd",
    "so_dien_thoai",
    "ghi_chu",
)

# The members table's own columns (core.members), without the free-text note.
MEMBER_COLUMNS: tuple[str, ...] = tuple(c for c in _MEMBER_COLUMNS if c != "ghi_chu")

TWINNING_COLUMNS: tuple[str, ...] = ("chi_bo", "thon", "ghi_chu")

# Causes and needs as the review workbooks list them (standards.md §4).
POVERTY_CAUSES: tuple[str, ...] = (
    "Thiếu đất sản xuất",
    "Thiếu vốn",
    "Thiếu lao động",
    "Thiếu công cụ",
    "Thiếu kiến thức sản xuất",
    "Thiếu kỹ năng lao động",
    "Ốm đau, tai nạn",
    "Khác",
)
SUPPORT_NEEDS: tuple[str, ...] = ("Y tế", "Giáo dục", "Sản xuất", "Tín dụng", "Nhà ở", "Khác")
NEEDS_SEPARATOR = "; "

AREA_RURAL = "Nông thôn"
AREA_URBAN = "Thành thị"

KINH = "Kinh"
EDE = "Ê Đê"
MNONG = "M'Nông"
GIARAI = "Gia Rai"
TAY = "Tày"
NUNG = "Nùng"
THAI = "Thái"
MUONG = "Mường"
DAO = "Dao"
ETHNIC_GROUPS: tuple[str, ...] = (KINH, EDE, MNONG, GIARAI, TAY, NUNG, THAI, MUONG, DAO)
# Dân tộc thiểu số tại chỗ of the Central Highlands (the groups living there before the
# migrations); Tày, Nùng, Thái, Mường, Dao households came from the north.
INDIGENOUS_GROUPS: tuple[str, ...] = (EDE, MNONG, GIARAI)

DAK_LIENG_VILLAGES: tuple[str, ...] = (
    "Buôn Jun",
    "Buôn Lê",
    "Buôn Tlông",
    "Buôn Pai Ar",
    "Buôn Lách Ló",
    "Buôn Dơng Bắk",
    "Thôn Yên Thành",
    "Thôn Xuân Thành",
    "Thôn Đoàn Kết",
    "Thôn Hòa Bình",
    "Thôn Tân Lập",
    "Thôn Quỳnh Ngọc",
)

# Dominant group of the buôn we name ourselves; other buôn get one at random.
_BUON_DOMINANT: dict[str, str] = {
    "Buôn Jun": MNONG,
    "Buôn Lê": MNONG,
    "Buôn Dơng Bắk": MNONG,
    "Buôn Lách Ló": MNONG,
    "Buôn Tlông": EDE,
    "Buôn Pai Ar": EDE,
}

_BUON_POOL: tuple[str, ...] = (
    "Buôn Jun", "Buôn Lê", "Buôn Tlông", "Buôn Pai Ar", "Buôn Lách Ló", "Buôn Dơng Bắk",
    "Buôn Ja Wầm", "Buôn Cuôr Knia", "Buôn Ea Na", "Buôn Kô Siêr", "Buôn Trấp", "Buôn Tơ Lơ",
    "Buôn Krông", "Buôn Tría", "Buôn Triết", "Buôn Yang Lah", "Buôn M'Liêng", "Buôn Knul",
    "Buôn Ea Rớt", "Buôn Sút", "Buôn Hra", "Buôn Drai", "Buôn Cư Păm", "Buôn Ea Sar",
)
_THON_POOL: tuple[str, ...] = (
    "Thôn Yên Thành", "Thôn Xuân Thành", "Thôn Đoàn Kết", "Thôn Hòa Bình", "Thôn Tân Lập",
    "Thôn Quỳnh Ngọc", "Thôn Thanh Sơn", "Thôn Tân Hà", "Thôn Hòa Thắng", "Thôn Nam Tiến",
    "Thôn Phú Lộc", "Thôn Đông Bắc", "Thôn Liên Kết", "Thôn Trung Hòa", "Thôn Ea Chai",
    "Thôn Quảng Hà", "Thôn Hiệp Hòa", "Thôn Tân Tiến", "Thôn Thống Nhất", "Thôn Đồng Tâm",
)

_COMMUNE_POOL: tuple[str, ...] = (
    "Đắk Liêng", "Buôn Tría", "Buôn Triết", "Đắk Nuê", "Đắk Phơi", "Krông Nô", "Nam Ka",
    "Ea R'Bin", "Bông Krang", "Yang Tao", "Ea Sô", "Ea Đar", "Cư Huê", "Ea Knốp", "Ea Păl",
    "Cư Jang", "Ea Ô", "Cư Yang", "Ea Tih", "Ea Sar", "Hòa Phong", "Cư Pui", "Yang Mao",
    "Hòa Sơn", "Khuê Ngọc Điền", "Dang Kang", "Cư Drăm", "Krông Á", "Ea Trang", "Cư San",
    "Hòa Xuân", "Hòa Phú", "Ea Tu", "Cư Êbur", "Ea Kao", "Ea Tam", "Ea Hiu", "Ea Kly",
)
_WARD_POOL: tuple[str, ...] = (
    "Tân An", "Thành Nhất", "Tân Lập", "Thắng Lợi", "Tân Hòa", "Khánh Xuân", "Tự An",
    "Ea Tam", "Thống Nhất", "Thiện An", "An Lạc", "Đạt Hiếu",
)

# --- names ----------------------------------------------------------------------------------

_KINH_SURNAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 32), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3),
    ("Phan", 4), ("Vũ", 4), ("Võ", 4), ("Đặng", 3), ("Bùi", 3), ("Đỗ", 3), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 2), ("Lý", 1), ("Đinh", 2), ("Trương", 2), ("Đào", 1), ("Lương", 1),
)
_KINH_MIDDLE_M: tuple[tuple[str, float], ...] = (
    ("Văn", 45), ("Hữu", 8), ("Đức", 9), ("Công", 6), ("Quang", 7), ("Minh", 8),
    ("Thanh", 6), ("Ngọc", 4), ("Xuân", 4), ("Đình", 3),
)
_KINH_MIDDLE_F: tuple[tuple[str, float], ...] = (
    ("Thị", 60), ("Ngọc", 8), ("Thu", 7), ("Kim", 7), ("Thanh", 6), ("Hồng", 6), ("Mỹ", 6),
)
_KINH_GIVEN_M: tuple[str, ...] = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Sơn", "Tâm", "Long", "Phúc", "Thắng", "Cường",
    "Bình", "Quân", "Toàn", "Hòa", "Lâm", "Nam", "Trung", "Vinh", "Hiếu", "Thành", "Tùng",
    "Khánh", "Đạt", "Lộc", "Tài", "Hưng", "Quý", "Sáu", "Tư",
)
_KINH_GIVEN_F: tuple[str, ...] = (
    "Lan", "Hoa", "Hương", "Mai", "Hạnh", "Thảo", "Hằng", "Ngọc", "Phương", "Nga", "Hà",
    "Thủy", "Liên", "Dung", "Yến", "Nhung", "Tuyết", "Loan", "Oanh", "Xuân", "Hiền", "Trang",
    "Huệ", "Cúc", "Lài",
)
_EDE_CLANS: tuple[str, ...] = (
    "Niê", "Êban", "Adrơng", "Ayŭn", "Byă", "Ktla", "Mlô", "Hwing", "Hđơk", "Kbuôr",
    "Mdrang", "Knul", "Ênuôl", "Niê Kdăm", "Buôn Yă", "Bkrông", "Êmô", "Hmŏk", "Buôn Krông",
)
_EDE_GIVEN_M: tuple[str, ...] = (
    "Bhim", "Kô", "Thuột", "Blô", "Khăp", "Ngông", "Jut", "Mơn", "Sanh", "Hiêng", "Bhiar",
    "Dhăm", "Kuông", "Ju", "Tlam", "Yơn", "Jôn", "Wưn", "Bliêng", "Nuê", "Kliu", "Thim",
    "Phôn", "Khuê", "Ngun", "Lang",
)
_EDE_GIVEN_F: tuple[str, ...] = (
    "H'Mai", "H'Hen", "H'Linh", "H'Ben", "H'Duin", "H'Yăm", "H'Nguyên", "H'Xíu", "H'Bơ",
    "H'Ngoan", "H'Kim", "H'Ni", "H'Ruth", "H'Hoan", "H'Luyên", "H'Rê", "H'Zin", "H'Nhi",
    "H'Ler", "H'Bhơn",
)
_MNONG_CLANS: tuple[str, ...] = (
    "Liêng", "Liêng Hót", "Liêng Hót Ngọ", "Dơng Bắk", "Bing", "Ma Lơng", "Jơ Nang",
)
_MNONG_GIVEN_M: tuple[str, ...] = (
    "Sơn", "Thông", "Wăn", "Bi", "Tru", "Nguyên", "Kriêm", "Jang", "Yôn", "Lơr", "Drim",
    "Buôi", "Rin", "Kông", "Brông", "Hưk", "Phiên", "Rông",
)
_MNONG_GIVEN_F: tuple[str, ...] = (
    "H'Dơn", "H'Lim", "H'Ngơn", "H'Bloan", "H'Lan", "H'Djuin", "H'Ri", "H'Prông", "H'Wen",
    "H'Kriêng", "H'Yơn", "H'Bhiên",
)
_GIARAI_CLANS: tuple[str, ...] = (
    "Ksor", "Rơ Châm", "Siu", "Rah Lan", "Kpă", "Nay", "Rơ Mah", "Puih", "Rcom",
)
_GIARAI_GIVEN_M: tuple[str, ...] = (
    "Phun", "Blơi", "Kuih", "Thuyên", "Hyoh", "Dút", "Yun", "Ngal", "Thăm", "Djơ",
)
_GIARAI_GIVEN_F: tuple[str, ...] = ("H'Nhao", "H'Lin", "H'Bloan", "H'Yao", "H'Nga", "H'Hyu")
_NORTHERN_SURNAMES: dict[str, tuple[str, ...]] = {
    TAY: ("Hoàng", "Nông", "Lục", "Triệu", "Ma", "Hà", "Lương", "Vi", "Đàm", "Lăng"),
    NUNG: ("Nông", "Lý", "Hoàng", "Lương", "Chu", "Vi", "Mã", "Lăng", "Sầm"),
    THAI: ("Lò", "Lường", "Cầm", "Vi", "Hà", "Lộc", "Quàng"),
    MUONG: ("Bùi", "Đinh", "Quách", "Hà", "Bạch"),
    DAO: ("Triệu", "Bàn", "Đặng", "Lý", "Chảo"),
}

# Minority groups living in thôn (mostly migrants from the north) and their weights.
_THON_MINORITY: tuple[tuple[str, float], ...] = (
    (TAY, 0.30), (NUNG, 0.25), (THAI, 0.10), (MUONG, 0.10), (DAO, 0.05), (EDE, 0.12),
    (GIARAI, 0.08),
)

# Where people were born (first 3 digits of the CCCD number).
_PROVINCE_CODE_DAK_LAK = "066"
_KINH_BIRTH_PROVINCES: tuple[str, ...] = ("038", "040", "042", "034", "036", "049", "051", "052")
_NORTH_BIRTH_PROVINCES: tuple[str, ...] = ("004", "020", "006", "008", "014", "017")
_PHONE_PREFIXES: tuple[str, ...] = (
    "086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
    "088", "091", "094", "083", "084", "085", "089", "090", "093", "070", "076", "077",
    "078", "079",
)

# Indicator weights when choosing which indicators a deprived household lacks
# (order = ND07_INDICATORS): adult education and latrines most common, phones least.
_DEPRIVATION_WEIGHTS = np.array([0.9, 1.0, 1.0, 0.7, 1.6, 0.6, 1.0, 0.7, 1.2, 1.5, 0.4, 0.9])
_MINORITY_WEIGHT_BOOST = np.array([1.0, 1.1, 1.5, 1.0, 1.3, 1.3, 1.2, 1.0, 1.2, 1.3, 1.3, 1.1])
# Yearly chance that a deprivation is resolved / that a new one appears.
_RESOLVE_P = np.array([0.08, 0.03, 0.08, 0.20, 0.04, 0.10, 0.08, 0.04, 0.06, 0.08, 0.12, 0.08])
_NEW_P = 0.012
_CHILD_INDICATORS = (ND07_INDICATORS.index("dinh_duong"), ND07_INDICATORS.index("di_hoc_tre_em"))
_I_DEP = ND07_INDICATORS.index("nguoi_phu_thuoc")
_I_AREA = ND07_INDICATORS.index("dien_tich_nha_o")
_I_PHONE = ND07_INDICATORS.index("vien_thong")
_I_HEALTH = ND07_INDICATORS.index("bao_hiem_y_te")
_I_HOUSE = ND07_INDICATORS.index("chat_luong_nha_o")
_I_SCHOOL = ND07_INDICATORS.index("di_hoc_tre_em")

# Income = line × exp(_INCOME_SLOPE × (w − cut)): sets the spread of incomes around the line.
_INCOME_SLOPE = 0.7
_MIN_INCOME = 250_000
_MAX_INCOME = 30_000_000


@dataclass(frozen=True)
class CommuneSample:
    """One commune's synthetic review list for one year.

    ``households``: canonical columns (:data:`HOUSEHOLD_COLUMNS`), codes as text, marks as
    bool. ``changes``: movements since the previous year (empty for a first year): one row
    per event, ``loai`` ∈ {"chuyen_di", "tach_ho", "chuyen_den", "doi_ma"} with the old and
    new household codes. ``state``: hidden per-household latents used by :func:`next_year`
    (same index as ``households``); not part of any workbook.
    """

    commune_code: str
    commune_name: str
    year: int
    seed: int
    households: pd.DataFrame
    villages: tuple[str, ...]
    province_name: str = "Tỉnh Đắk Lắk"
    changes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {c: pd.Series(dtype="str") for c in ("loai", "ma_ho_cu", "ma_ho_moi", "ghi_chu")}
        )
    )
    state: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def short_name(self) -> str:
        """Commune name without "Xã "/"Phường " ("Đắk Liêng")."""
        for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
            if self.commune_name.startswith(prefix):
                return self.commune_name[len(prefix):]
        return self.commune_name

    @property
    def unit_word(self) -> str:
        """"xã" or "phường", for titles such as "UBND XÃ ĐẮK LIÊNG"."""
        return "phường" if self.commune_name.startswith("Phường") else "xã"


# --- random plumbing -----------------------------------------------------------------------


def _code_number(code: str) -> int:
    digits = "".join(ch for ch in code if ch.isdigit())
    if digits:
        return int(digits[-9:])
    return sum((i + 1) * ord(ch) for i, ch in enumerate(code)) % 1_000_000_007


def _rng(seed: int, *parts: int) -> np.random.Generator:
    if seed < 0:
        raise ValueError("seed must be >= 0")
    return np.random.default_rng(np.random.SeedSequence([seed, *parts]))


def _village_rng(commune_code: str, names: Sequence[str]) -> np.random.Generator:
    """Village traits (dominant group, welfare effect) depend on the commune only, so that
    every year and every seed of one commune sees the same villages."""
    return _rng(_code_number(commune_code), len(names), _PURPOSE_VILLAGES)


_PURPOSE_VILLAGES = 0
_PURPOSE_COMMUNE = 1
_PURPOSE_NEXT = 2
_PURPOSE_MEMBERS = 3
_PURPOSE_PROVINCE = 4
_PURPOSE_FLAGS = 5  # salt of the form flags' own stream (_farming), not an rng purpose


def _weighted_choice(
    rng: np.random.Generator, pairs: Sequence[tuple[str, float]], size: int
) -> np.ndarray:
    names = np.array([p[0] for p in pairs], dtype=object)
    weights = np.array([p[1] for p in pairs], dtype=float)
    return rng.choice(names, size=size, p=weights / weights.sum())


def _pick(rng: np.random.Generator, options: Sequence[str], size: int) -> np.ndarray:
    return rng.choice(np.array(options, dtype=object), size=size)


def _cut(values: np.ndarray, k: int) -> float:
    """A threshold with exactly ``k`` of ``values`` at or below it (values distinct)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return 0.0
    if k <= 0:
        return float(ordered[0] - 1.0)
    if k >= len(ordered):
        return float(ordered[-1] + 1.0)
    return float((ordered[k - 1] + ordered[k]) / 2.0)


def _largest_remainder(weights: np.ndarray, total: int, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (each ≥ ``minimum`` if it can)."""
    n = len(weights)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    base = np.full(n, minimum if total >= minimum * n else 0, dtype=np.int64)
    rest = total - int(base.sum())
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        w = np.ones(n)
    share = w / w.sum() * rest
    floor = np.floor(share).astype(np.int64)
    left = rest - int(floor.sum())
    order = np.argsort(-(share - floor), kind="stable")
    floor[order[:left]] += 1
    return base + floor


# --- names ----------------------------------------------------------------------------------


def _names(
    rng: np.random.Generator,
    ethnic: np.ndarray,
    female: np.ndarray,
    family: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Full names and family names (surname or clan) for people of the given groups.

    ``family``: reuse these family names where given (a relative of a known household).
    """
    n = len(ethnic)
    names = np.empty(n, dtype=object)
    fam = np.empty(n, dtype=object)
    for group in ETHNIC_GROUPS:
        idx = np.flatnonzero(ethnic == group)
        if len(idx) == 0:
            continue
        f = female[idx]
        m = len(idx)
        if group in (EDE, MNONG, GIARAI):
            clans = {EDE: _EDE_CLANS, MNONG: _MNONG_CLANS, GIARAI: _GIARAI_CLANS}[group]
            given_m = {EDE: _EDE_GIVEN_M, MNONG: _MNONG_GIVEN_M, GIARAI: _GIARAI_GIVEN_M}[group]
            given_f = {EDE: _EDE_GIVEN_F, MNONG: _MNONG_GIVEN_F, GIARAI: _GIARAI_GIVEN_F}[group]
            clan = _pick(rng, clans, m)
            gm = _pick(rng, given_m, m)
            gf = _pick(rng, given_f, m)
            if family is not None:
                known = family[idx]
                clan = np.where(pd.isna(known), clan, known)
            if group == GIARAI:  # clan first: "Ksor Phun", "Siu H'Nhao"
                full = [
                    f"{c} {g_f if fe else g_m}"
                    for c, g_m, g_f, fe in zip(clan, gm, gf, f, strict=True)
                ]
            else:  # "Y Bhim Niê", "H'Mai Adrơng", "Y Sơn Liêng"
                full = [
                    f"{g_f} {c}" if fe else f"Y {g_m} {c}"
                    for c, g_m, g_f, fe in zip(clan, gm, gf, f, strict=True)
                ]
        else:
            if group == KINH:
                surname = _weighted_choice(rng, _KINH_SURNAMES, m)
            else:
                surname = _pick(rng, _NORTHERN_SURNAMES[group], m)
            if family is not None:
                known = family[idx]
                surname = np.where(pd.isna(known), surname, known)
            if group == KINH:
                mid_m = _weighted_choice(rng, _KINH_MIDDLE_M, m)
                mid_f = _weighted_choice(rng, _KINH_MIDDLE_F, m)
            else:
                mid_m = np.full(m, "Văn", dtype=object)
                mid_f = np.full(m, "Thị", dtype=object)
            gm = _pick(rng, _KINH_GIVEN_M, m)
            gf = _pick(rng, _KINH_GIVEN_F, m)
            full = [
                f"{s} {mf} {g_f}" if fe else f"{s} {mm} {g_m}"
                for s, mm, mf, g_m, g_f, fe in zip(surname, mid_m, mid_f, gm, gf, f, strict=True)
            ]
            clan = surname
        names[idx] = full
        fam[idx] = clan
    return names, fam


# --- villages -------------------------------------------------------------------------------


def _village_kind(name: str) -> str:
    lowered = name.lower()
    if lowered.startswith(("buôn", "bon ", "plei", "bản")):
        return "buon"
    if lowered.startswith("tổ dân phố"):
        return "to"
    return "thon"


@dataclass(frozen=True)
class _Villages:
    names: tuple[str, ...]
    kinds: np.ndarray  # "buon" / "thon" / "to"
    dominant: np.ndarray  # dominant minority group of a buôn, else ""
    minority_share: np.ndarray
    effect: np.ndarray  # welfare effect of the village


def _setup_villages(rng: np.random.Generator, names: Sequence[str]) -> _Villages:
    n = len(names)
    kinds = np.array([_village_kind(v) for v in names], dtype=object)
    dominant = np.empty(n, dtype=object)
    share = np.zeros(n)
    draws_dom = rng.random(n)
    draws_share = rng.random(n)
    for i, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        if kind == "buon":
            dominant[i] = _BUON_DOMINANT.get(name, MNONG if draws_dom[i] < 0.45 else EDE)
            share[i] = 0.88 + 0.10 * draws_share[i]
        else:
            dominant[i] = ""
            low, spread = (0.03, 0.05) if kind == "to" else (0.05, 0.20)
            share[i] = low + spread * draws_share[i]
    effect = rng.normal(0.0, 0.2, size=n)
    return _Villages(tuple(names), kinds, dominant, share, effect)


def _village_sizes(
    rng: np.random.Generator, villages: _Villages, households: int, buon_share: float | None
) -> np.ndarray:
    n = len(villages.names)
    weights = rng.gamma(6.0, 1.0, size=n)
    is_buon = villages.kinds == "buon"
    if is_buon.any() and (~is_buon).any():
        target = 0.5 if buon_share is None else buon_share
        weights[is_buon] *= target / weights[is_buon].sum()
        weights[~is_buon] *= (1.0 - target) / weights[~is_buon].sum()
    return _largest_remainder(weights, households, minimum=3)


def _draw_villages(rng: np.random.Generator, ward: bool, buon_share: float) -> tuple[str, ...]:
    n = int(rng.integers(8, 16))
    if ward:
        return tuple(f"Tổ dân phố {i}" for i in range(1, n + 1))
    n_buon = min(len(_BUON_POOL), max(1, round(n * buon_share)))
    n_thon = min(len(_THON_POOL), n - n_buon)
    buon = rng.choice(np.array(_BUON_POOL, dtype=object), size=n_buon, replace=False)
    thon = rng.choice(np.array(_THON_POOL, dtype=object), size=n_thon, replace=False)
    return tuple(str(v) for v in buon) + tuple(str(v) for v in thon)


# --- households: building blocks -------------------------------------------------------------


def _ethnicity(rng: np.random.Generator, villages: _Villages, vi: np.ndarray) -> np.ndarray:
    n = len(vi)
    out = np.full(n, KINH, dtype=object)
    minority = rng.random(n) < villages.minority_share[vi]
    kinds = villages.kinds[vi]
    buon = minority & (kinds == "buon")
    r = rng.random(n)
    dom = villages.dominant[vi]
    other = np.where(dom == EDE, MNONG, EDE)
    out[buon] = np.where(r[buon] < 0.82, dom[buon], np.where(r[buon] < 0.95, other[buon], GIARAI))
    rest = minority & ~buon
    out[rest] = _weighted_choice(rng, _THON_MINORITY, int(rest.sum()))
    return out


_SIZE_P_MINORITY = np.array([0.04, 0.10, 0.15, 0.22, 0.20, 0.13, 0.08, 0.05, 0.03])
_SIZE_P_KINH = np.array([0.07, 0.16, 0.22, 0.28, 0.15, 0.07, 0.03, 0.015, 0.005])


def _household_sizes(
    rng: np.random.Generator, minority: np.ndarray, age: np.ndarray
) -> np.ndarray:
    n = len(minority)
    sizes = np.where(
        minority,
        rng.choice(np.arange(1, 10), size=n, p=_SIZE_P_MINORITY / _SIZE_P_MINORITY.sum()),
        rng.choice(np.arange(1, 10), size=n, p=_SIZE_P_KINH / _SIZE_P_KINH.sum()),
    )
    old = (age > 70) & (rng.random(n) < 0.5)
    sizes[old] = rng.integers(1, 3, size=int(old.sum()))
    return sizes.astype(np.int64)


def _deprivation_counts(rng: np.random.Generator, v: np.ndarray, cut_v: float) -> np.ndarray:
    """Counts with ``count ≥ 3`` exactly where ``v ≤ cut_v``."""
    x = cut_v - v
    n = len(v)
    poor_side = 3 + np.minimum(rng.poisson(np.clip(0.7 + 0.9 * x, 0.05, None)), 6)
    drop = np.floor(np.clip(-x, 0, None) * 1.4 + rng.random(n)).astype(np.int64)
    other_side = np.maximum(0, 2 - drop)
    return np.where(x >= 0, poor_side, other_side).astype(np.int64)


def _choose_indicators(
    rng: np.random.Generator, counts: np.ndarray, minority: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """Which indicators each household lacks: ``counts`` of them, weighted (Gumbel top-k)."""
    n = len(counts)
    k = len(ND07_INDICATORS)
    weights = np.tile(_DEPRIVATION_WEIGHTS, (n, 1))
    weights[minority] *= _MINORITY_WEIGHT_BOOST
    keys = np.log(weights) + rng.gumbel(size=(n, k))
    single = sizes == 1
    for col in _CHILD_INDICATORS:  # a person living alone has no child under 16
        keys[single, col] = -np.inf
    order = np.argsort(-keys, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(k)[None, :].repeat(n, axis=0), axis=1)
    possible = np.where(single, k - len(_CHILD_INDICATORS), k)
    return ranks < np.minimum(counts, possible)[:, None]


def _fix_impossible(marks: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    out = marks.copy()
    single = sizes == 1
    for col in _CHILD_INDICATORS:
        out[single, col] = False
    return out


def _dependants(
    rng: np.random.Generator,
    sizes: np.ndarray,
    deprived: np.ndarray,
    needs_child: np.ndarray,
    current: np.ndarray | None = None,
) -> np.ndarray:
    """Number of dependants consistent with the mark: > 50 % of members ⇔ deprived."""
    half = sizes // 2
    lo = np.where(deprived, half + 1, np.where(needs_child & (half >= 1), 1, 0))
    hi = np.where(deprived, sizes, half)
    span = hi - lo + 1
    draw = lo + np.floor(rng.random(len(sizes)) ** 1.5 * span).astype(np.int64)
    draw = np.minimum(draw, hi)
    if current is not None:
        ok = (current >= lo) & (current <= hi)
        draw = np.where(ok, current, draw)
    return draw.astype(np.int64)


def _living_area(
    rng: np.random.Generator, deprived: np.ndarray, current: np.ndarray | None = None
) -> np.ndarray:
    """m² per person, consistent with the mark: < 8 ⇔ deprived; some exactly 8."""
    n = len(deprived)
    low = np.round(rng.uniform(3.0, 7.95, size=n), 1)
    low = np.minimum(low, 7.9)
    high = np.round(8.0 + np.exp(rng.normal(2.3, 0.6, size=n)), 1)
    exact = rng.random(n) < 0.012
    high = np.where(exact, 8.0, np.maximum(high, 8.0))
    draw = np.where(deprived, low, high)
    if current is not None:
        ok = (current < 8.0) == deprived
        draw = np.where(ok, current, draw)
    return draw


def _incomes(
    rng: np.random.Generator,
    w: np.ndarray,
    cut: float,
    line: np.ndarray,
    at_or_below: np.ndarray,
    deprivations: np.ndarray,
) -> np.ndarray:
    """Incomes (đ/person/month, multiples of 1.000) with ``≤ line`` exactly for ``at_or_below``;
    a few households sit exactly on the income line or the middle-band line."""
    raw = line * np.exp(_INCOME_SLOPE * (w - cut))
    raw = np.clip(raw, _MIN_INCOME, _MAX_INCOME)
    income = (np.round(raw / 1000.0) * 1000).astype(np.int64)
    income = np.where(at_or_below, np.minimum(income, line), np.maximum(income, line + 1000))
    n = len(w)
    rural = line == RURAL_LINE
    # Exactly on the line: one poor household with exactly 3 deprivations, then a few more.
    near_line = at_or_below & (income >= 0.93 * line)
    picks: list[int] = []
    three = np.flatnonzero(near_line & rural & (deprivations == 3))
    if len(three):
        picks.append(int(rng.choice(three)))
    others = np.setdiff1d(np.flatnonzero(near_line & rural), picks)
    extra = min(len(others), max(2, round(0.005 * n)))
    if extra:
        picks.extend(int(i) for i in rng.choice(others, size=extra, replace=False))
    urban_near = np.flatnonzero(near_line & ~rural)
    if len(urban_near):
        picks.append(int(rng.choice(urban_near)))
    income[picks] = line[picks]
    # Exactly on the upper line of the middle band.
    middle_line = np.where(rural, RURAL_MIDDLE_UPPER, URBAN_MIDDLE_UPPER)
    band = np.flatnonzero(~at_or_below & (income > 0.95 * middle_line) & (income <= middle_line))
    if len(band):
        chosen = rng.choice(band, size=min(2, len(band)), replace=False)
        income[chosen] = middle_line[chosen]
    return income


def _score_a(income: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Điểm A: monotone in income, 140 (rural) / 175 (urban) exactly at the income line."""
    score_line = np.where(line == RURAL_LINE, RURAL_SCORE_A_LINE, URBAN_SCORE_A_LINE)
    ratio = income.astype(float) / line.astype(float)
    score = np.ceil(score_line * ratio**0.85 - 1e-9)
    return np.clip(score, 0, 1000).astype(np.int64)


def _cccd(
    rng: np.random.Generator, ethnic: np.ndarray, female: np.ndarray, birth_year: np.ndarray
) -> np.ndarray:
    n = len(ethnic)
    province = np.full(n, _PROVINCE_CODE_DAK_LAK, dtype=object)
    kinh = (ethnic == KINH) & (rng.random(n) < 0.4)
    province[kinh] = _pick(rng, _KINH_BIRTH_PROVINCES, int(kinh.sum()))
    north = np.isin(ethnic, [TAY, NUNG, THAI, MUONG, DAO]) & (rng.random(n) < 0.5)
    province[north] = _pick(rng, _NORTH_BIRTH_PROVINCES, int(north.sum()))
    century = np.where(birth_year >= 2000, 2, 0) + female.astype(np.int64)
    serial = rng.choice(1_000_000, size=n, replace=False)
    return np.array(
        [
            f"{p}{c}{y % 100:02d}{s:06d}"
            for p, c, y, s in zip(province, century, birth_year, serial, strict=True)
        ],
        dtype=object,
    )


def _phones(rng: np.random.Generator, has_phone: np.ndarray) -> np.ndarray:
    n = len(has_phone)
    prefix = _pick(rng, _PHONE_PREFIXES, n)
    rest = rng.choice(10_000_000, size=n, replace=False)
    out = np.array([f"{p}{r:07d}" for p, r in zip(prefix, rest, strict=True)], dtype=object)
    out[~has_phone] = None
    return out


def _causes_and_needs(
    rng: np.random.Generator,
    mask: np.ndarray,
    minority: np.ndarray,
    unable: np.ndarray,
    marks: np.ndarray,
    current: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Main cause and support needs of poor / near-poor households (None elsewhere)."""
    n = len(mask)
    base = np.array([0.18, 0.26, 0.10, 0.08, 0.14, 0.10, 0.10, 0.04])
    boost = np.array([0.08, 0.0, 0.0, 0.02, 0.06, 0.02, 0.0, 0.0])
    cause = np.empty(n, dtype=object)
    r = rng.random(n)
    for is_min in (False, True):
        p = base + (boost if is_min else 0.0)
        p = p / p.sum()
        cum = np.cumsum(p)
        sel = minority == is_min
        idx = np.minimum(np.searchsorted(cum, r[sel], side="right"), len(p) - 1)
        cause[sel] = np.array(POVERTY_CAUSES, dtype=object)[idx]
    sick = rng.random(n) < 0.45
    cause[unable] = np.where(sick[unable], "Ốm đau, tai nạn", "Thiếu lao động")
    if current is not None:
        keep = pd.notna(current)
        cause[keep] = current[keep]
    primary = {
        "Thiếu đất sản xuất": "Sản xuất",
        "Thiếu vốn": "Tín dụng",
        "Thiếu lao động": "Khác",
        "Thiếu công cụ": "Sản xuất",
        "Thiếu kiến thức sản xuất": "Sản xuất",
        "Thiếu kỹ năng lao động": "Giáo dục",
        "Ốm đau, tai nạn": "Y tế",
        "Khác": "Khác",
    }
    extra = rng.random((n, 3))
    credit = rng.random(n) < 0.35
    needs = np.empty(n, dtype=object)
    for i in np.flatnonzero(mask):
        chosen = {primary[cause[i]]}
        if marks[i, _I_HOUSE] and extra[i, 0] < 0.7:
            chosen.add("Nhà ở")
        if marks[i, _I_SCHOOL] and extra[i, 1] < 0.6:
            chosen.add("Giáo dục")
        if marks[i, _I_HEALTH] and extra[i, 2] < 0.6:
            chosen.add("Y tế")
        if credit[i]:
            chosen.add("Tín dụng")
        ordered = [need for need in SUPPORT_NEEDS if need in chosen][:2]
        needs[i] = NEEDS_SEPARATOR.join(ordered)
    cause[~mask] = None
    needs[~mask] = None
    return cause, needs


# --- households: assembling a year --------------------------------------------------------------


def _assemble(
    rng: np.random.Generator,
    st: pd.DataFrame,
    marks: np.ndarray,
    at_or_below: np.ndarray,
    cut: float,
    commune_code: str,
    previous: pd.DataFrame | None,
) -> pd.DataFrame:
    """The public household frame from the state, the marks and the line placement.

    ``previous`` (same index as ``st``, may hold NaN rows for new households) carries last
    year's values that should persist when still consistent (area, dependants, cause, phone).
    """
    n = len(st)
    sizes = st["size"].to_numpy()
    line = np.where(st["urban"].to_numpy(), URBAN_LINE, RURAL_LINE).astype(np.int64)
    counts = marks.sum(axis=1)
    income = _incomes(rng, st["w"].to_numpy(), cut, line, at_or_below, counts)
    needs_child = marks[:, list(_CHILD_INDICATORS)].any(axis=1)

    def prev(col: str) -> np.ndarray | None:
        if previous is None:
            return None
        return previous[col].to_numpy()

    prev_dep = prev("so_nguoi_phu_thuoc")
    if prev_dep is not None:
        prev_dep = np.nan_to_num(prev_dep.astype(float), nan=-1).astype(np.int64)
    # any(axis=1) of a 2-D array is an array; numpy's stubs also allow a scalar.
    dependants = _dependants(rng, sizes, marks[:, _I_DEP], needs_child, prev_dep)  # type: ignore[arg-type]
    prev_area = prev("dien_tich_binh_quan")
    area = _living_area(
        rng,
        marks[:, _I_AREA],
        None if prev_area is None else np.nan_to_num(prev_area.astype(float), nan=-1.0),
    )
    minority = st["dan_toc"].to_numpy() != KINH
    village_codes, village_names = pd.factorize(st["thon"].to_numpy(dtype=object))
    buon = np.array([_village_kind(v) == "buon" for v in village_names], dtype=bool)
    buon = buon[village_codes]
    poor = at_or_below & (counts >= 3)
    p_waste = 0.08 + 0.30 * buon + 0.15 * poor
    waste = rng.random(n) < p_waste
    if previous is not None:  # waste handling rarely changes from one year to the next
        prev_waste = previous["xu_ly_rac_thai"].to_numpy()
        known = pd.notna(prev_waste)
        prev_values = np.array(
            [bool(x) if k else False for x, k in zip(prev_waste, known, strict=True)]
        )
        waste = np.where(known & (rng.random(n) < 0.9), prev_values, waste)
    unable = st["unable"].to_numpy()
    merit = st["merit"].to_numpy()
    cause, needs = _causes_and_needs(
        rng, at_or_below, minority, unable & at_or_below, marks, prev("nguyen_nhan")
    )
    # Phones: nobody uses a phone ⇔ "vien_thong" deprived; a few others left the cell blank.
    has_phone = ~marks[:, _I_PHONE] & (rng.random(n) < 0.95)
    phones = _phones(rng, np.ones(n, dtype=bool))
    prev_phone = prev("so_dien_thoai")
    if prev_phone is not None:
        phones = np.where(pd.notna(prev_phone), prev_phone, phones)
        has_phone = np.where(pd.notna(prev_phone), ~marks[:, _I_PHONE], has_phone)
    phones = np.where(has_phone, phones, None)  # type: ignore[call-overload]  # None: no phone

    frame = pd.DataFrame(index=st.index)
    frame["ma_xa"] = commune_code
    frame["ma_ho"] = st["ma_ho"].to_numpy()
    frame["ho_ten_chu_ho"] = st["ho_ten"].to_numpy()
    frame["thon"] = st["thon"].to_numpy()
    frame["dan_toc"] = st["dan_toc"].to_numpy()
    frame["khu_vuc"] = np.where(st["urban"].to_numpy(), AREA_URBAN, AREA_RURAL)
    frame["so_nhan_khau"] = sizes.astype(np.int64)
    frame["thu_nhap_binh_quan"] = income
    frame["diem_a"] = _score_a(income, line)
    frame["diem_b"] = (10 * counts).astype(np.int64)
    frame["dien_tich_binh_quan"] = area.astype(float)
    frame["so_nguoi_phu_thuoc"] = dependants
    for j, key in enumerate(ND07_INDICATORS):
        frame[key] = marks[:, j].astype(bool)
    frame["xu_ly_rac_thai"] = waste.astype(bool)
    frame["nguyen_nhan"] = pd.Series(cause, index=st.index, dtype="str")
    frame["nhu_cau"] = pd.Series(needs, index=st.index, dtype="str")
    frame["khong_kha_nang_lao_dong"] = unable.astype(bool)
    frame["co_nguoi_co_cong"] = merit.astype(bool)
    # The form flags (standards.md §8) draw nothing from ``rng``: every other value stays
    # what it was before they were added.
    frame["nlnn"] = _farming(commune_code, st["ma_ho"].to_numpy(), st["urban"].to_numpy())
    frame["dan_toc_tai_cho"] = np.isin(st["dan_toc"].to_numpy(), INDIGENOUS_GROUPS)
    frame["gioi_tinh_chu_ho"] = pd.Series(
        np.where(st["female"].to_numpy(dtype=bool), "Nữ", "Nam"), index=st.index, dtype="str"
    )
    frame["cccd"] = st["cccd"].to_numpy()
    frame["so_dien_thoai"] = pd.Series(phones, index=st.index, dtype="str")
    frame["ghi_chu"] = pd.Series(st["ghi_chu"].to_numpy(), index=st.index, dtype="str")
    for key in ("ma_xa", "ma_ho", "ho_ten_chu_ho", "thon", "dan_toc", "khu_vuc", "cccd"):
        frame[key] = frame[key].astype("str")
    # Village order, then code.
    order = np.lexsort((frame["ma_ho"].to_numpy(), st["village_no"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    return frame


def _new_people(
    rng: np.random.Generator,
    villages: _Villages,
    vi: np.ndarray,
    year: int,
    family: np.ndarray | None = None,
    ethnic: np.ndarray | None = None,
    age_range: tuple[int, int] | None = None,
    sizes: np.ndarray | None = None,
) -> pd.DataFrame:
    """State rows (no codes yet) for households living in villages ``vi``."""
    n = len(vi)
    eth = _ethnicity(rng, villages, vi) if ethnic is None else ethnic
    minority = eth != KINH
    p_female = np.select([eth == EDE, np.isin(eth, [MNONG, GIARAI])], [0.45, 0.35], 0.22)
    female = rng.random(n) < p_female
    if age_range is None:
        age = np.clip(np.round(rng.normal(47, 13, size=n)), 22, 88).astype(np.int64)
    else:
        age = rng.integers(age_range[0], age_range[1] + 1, size=n)
    size = _household_sizes(rng, minority, age) if sizes is None else sizes
    names, fam = _names(rng, eth, female, family)
    birth_year = year - age
    w = (
        rng.normal(0.0, 1.0, size=n)
        - 0.95 * minority
        + villages.effect[vi]
        - 0.4 * ((size == 1) & (age > 65))
    )
    unable_p = np.where((age > 65) | (size <= 2), 0.10, 0.012)
    return pd.DataFrame(
        {
            "village_no": vi + 1,
            "thon": np.array(villages.names, dtype=object)[vi],
            "dan_toc": eth,
            "female": female,
            "birth_year": birth_year,
            "size": size,
            "ho_ten": names,
            "family": fam,
            "w": w,
            "unable": rng.random(n) < unable_p,
            "merit": rng.random(n) < np.where(minority, 0.02, 0.035),
            "cccd": _cccd(rng, eth, female, birth_year),
            "urban": np.zeros(n, dtype=bool),
            "ghi_chu": np.full(n, None, dtype=object),
        }
    )


_FARMING_SHARE_RURAL = 0.8
_FARMING_SHARE_URBAN = 0.15


def _hash_uniform(numbers: np.ndarray, salt: int) -> np.ndarray:
    """A uniform [0, 1) value per integer, from a splitmix64 hash: a random stream of its
    own, the same for a household every year, and independent of the generator's draws."""
    with np.errstate(over="ignore"):
        z = numbers.astype(np.uint64) + np.uint64(salt & 0xFFFFFFFF) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _farming(commune_code: str, codes: np.ndarray, urban: np.ndarray) -> np.ndarray:
    """Hộ làm nông, lâm, ngư, diêm nghiệp: most rural households, few urban ones; drawn
    from the household code so a household keeps its answer from one year to the next."""
    numbers = pd.to_numeric(pd.Series(codes, dtype="str"), errors="coerce")
    numbers = numbers.fillna(0).to_numpy(dtype=np.int64)
    u = _hash_uniform(numbers, _code_number(commune_code) * 131 + _PURPOSE_FLAGS)
    return u < np.where(urban.astype(bool), _FARMING_SHARE_URBAN, _FARMING_SHARE_RURAL)


def _code_width(max_seq: int) -> int:
    return max(3, len(str(max_seq)))


def _format_codes(village_no: np.ndarray, seq: np.ndarray, width: int) -> np.ndarray:
    codes = [f"{v:02d}{s:0{width}d}" for v, s in zip(village_no, seq, strict=True)]
    return np.array(codes, dtype=object)


def generate_commune(
    seed: int,
    households: int,
    year: int,
    commune_code: str = "24181",
    commune_name: str = "Xã Đắk Liêng",
    *,
    villages: Sequence[str] | None = DAK_LIENG_VILLAGES,
    poor_rate: float = 0.25,
    near_poor_rate: float = 0.18,
    buon_share: float | None = None,
    urban_share: float = 0.03,
    province_name: str = "Tỉnh Đắk Lắk",
) -> CommuneSample:
    """One commune's review list for ``year``.

    ``villages``: thôn/buôn names (None: 8–15 drawn at random). ``poor_rate`` and
    ``near_poor_rate``: shares of households poor / near-poor under NĐ 07/2021.
    ``buon_share``: share of households living in buôn (default 0.5 when there are both
    kinds). ``urban_share``: share of households in "Thành thị" (1.0 for a phường).
    """
    if households < 1:
        raise ValueError("households must be >= 1")
    if not (0 <= poor_rate and 0 <= near_poor_rate and poor_rate + near_poor_rate <= 1):
        raise ValueError("poor_rate and near_poor_rate must be shares that sum to at most 1")
    rng = _rng(seed, _code_number(commune_code), year, _PURPOSE_COMMUNE)
    if villages is None:
        names = _draw_villages(rng, False, 0.5 if buon_share is None else buon_share)
    else:
        names = tuple(villages)
    if not names:
        raise ValueError("at least one village is needed")
    vill = _setup_villages(_village_rng(commune_code, names), names)
    counts = _village_sizes(rng, vill, households, buon_share)
    vi = np.repeat(np.arange(len(names)), counts)
    st = _new_people(rng, vill, vi, year)
    n = len(st)

    # Urban households: in thôn / tổ dân phố, never in a buôn.
    n_urban = round(urban_share * n)
    candidates = np.flatnonzero(vill.kinds[vi] != "buon")
    if n_urban >= n:
        st["urban"] = True
    elif n_urban > 0 and len(candidates):
        chosen = rng.choice(candidates, size=min(n_urban, len(candidates)), replace=False)
        urban = np.zeros(n, dtype=bool)
        urban[chosen] = True
        st["urban"] = urban
    st["w"] = st["w"].to_numpy() + 0.3 * st["urban"].to_numpy()

    # Codes: village number + sequence, in random order within the village.
    seq = np.zeros(n, dtype=np.int64)
    shuffled = rng.permutation(n)
    order = shuffled[np.argsort(vi[shuffled], kind="stable")]
    for v in range(len(names)):
        members = order[vi[order] == v]
        seq[members] = np.arange(1, len(members) + 1)
    st["seq"] = seq
    width = _code_width(int(counts.max()) * 2)
    st["ma_ho"] = _format_codes(st["village_no"].to_numpy(), seq, width)

    w = st["w"].to_numpy()
    k_line = round((poor_rate + near_poor_rate) * n)
    k_poor = round(poor_rate * n)
    cut = _cut(w, k_line)
    at_or_below = w <= cut
    minority = st["dan_toc"].to_numpy() != KINH
    wz = (w - w.mean()) / (w.std() or 1.0)
    v = 0.55 * wz + 0.8 * rng.normal(size=n) - 0.25 * minority
    cut_v = _cut(v[at_or_below], k_poor)
    dep_counts = _deprivation_counts(rng, v, cut_v)
    dep_counts = np.where(st["size"].to_numpy() == 1, np.minimum(dep_counts, 10), dep_counts)
    marks = _choose_indicators(rng, dep_counts, minority, st["size"].to_numpy())
    frame = _assemble(rng, st, marks, at_or_below, cut, commune_code, None)
    state = _state_for(frame, st)
    return CommuneSample(
        commune_code=commune_code,
        commune_name=commune_name,
        year=year,
        seed=seed,
        households=frame,
        villages=names,
        province_name=province_name,
        state=state,
    )


_STATE_KEEP = ("village_no", "seq", "female", "birth_year", "family", "w", "size", "urban",
               "unable", "merit")


def _state_for(frame: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """Hidden latents aligned with ``frame`` (matched by household code)."""
    keyed = st.set_index("ma_ho")[list(_STATE_KEEP)]
    out = keyed.loc[frame["ma_ho"].to_numpy()].reset_index(drop=True)
    return out


def classify_nd07(frame: pd.DataFrame) -> np.ndarray:
    """The NĐ 07/2021 class of each household, for shaping and checking synthetic data only
    (the real classifier is :mod:`ngheo_cli.core.classify`, driven by the rules file)."""
    urban = frame["khu_vuc"].to_numpy() == AREA_URBAN
    line = np.where(urban, URBAN_LINE, RURAL_LINE)
    upper = np.where(urban, URBAN_MIDDLE_UPPER, RURAL_MIDDLE_UPPER)
    income = frame["thu_nhap_binh_quan"].to_numpy()
    count = frame[list(ND07_INDICATORS)].to_numpy().sum(axis=1)
    return np.select(
        [(income <= line) & (count >= 3), income <= line, income <= upper],
        ["ngheo", "can_ngheo", "trung_binh"],
        "khac",
    )


# --- next year -----------------------------------------------------------------------------------


def _nudge_deprivations(
    rng: np.random.Generator,
    marks: np.ndarray,
    at_or_below: np.ndarray,
    k_poor: int,
    sizes: np.ndarray,
    minority: np.ndarray,
) -> np.ndarray:
    """Resolve or add the fewest deprivations so that exactly ``k_poor`` households at or
    below the line have ≥ 3 (households closest to 3 move first, as in real reviews: the
    one who just got a health insurance card or a latrine leaves poverty)."""
    out = _fix_impossible(marks, sizes)
    counts = out.sum(axis=1)
    poor = at_or_below & (counts >= 3)
    diff = int(poor.sum()) - k_poor
    jitter = rng.random(len(counts))
    if diff > 0:  # too many poor: the ones with 3 (then 4…) deprivations resolve some
        candidates = np.flatnonzero(poor)
        order = candidates[np.lexsort((jitter[candidates], counts[candidates]))][:diff]
        for i in order:
            marked = np.flatnonzero(out[i])
            weights = _RESOLVE_P[marked] / _RESOLVE_P[marked].sum()
            drop = rng.choice(marked, size=len(marked) - 2, replace=False, p=weights)
            out[i, drop] = False
    elif diff < 0:  # too few poor: near-poor households with 2 (then 1, 0) gain some
        candidates = np.flatnonzero(at_or_below & (counts < 3))
        order = candidates[np.lexsort((jitter[candidates], -counts[candidates]))][:-diff]
        for i in order:
            free = np.flatnonzero(~out[i])
            if sizes[i] == 1:
                free = np.setdiff1d(free, _CHILD_INDICATORS)
            base = _DEPRIVATION_WEIGHTS * (_MINORITY_WEIGHT_BOOST if minority[i] else 1.0)
            weights = base[free] / base[free].sum()
            add = rng.choice(free, size=3 - int(counts[i]), replace=False, p=weights)
            out[i, add] = True
    return out


def next_year(sample: CommuneSample, seed: int) -> CommuneSample:
    """The same commune one year later.

    Most households keep their code; incomes drift and deprivations change so that poverty
    falls by 2–4 pp (some escape, a few fall back or become newly poor); a few households
    move out; a few split (new code in the same village, head a relative); one or two move
    in; and exactly one household is renumbered (same head and village, new code).
    ``changes`` lists every movement.
    """
    year = sample.year + 1
    rng = _rng(seed, _code_number(sample.commune_code), year, _PURPOSE_NEXT)
    hh = sample.households.reset_index(drop=True)
    st0 = sample.state.reset_index(drop=True)
    if len(st0) != len(hh):
        raise ValueError("sample.state does not match sample.households")
    n0 = len(hh)
    names = sample.villages
    vill = _setup_villages(_village_rng(sample.commune_code, names), names)
    classes0 = classify_nd07(hh)
    poor0 = float(np.mean(classes0 == "ngheo")) if n0 else 0.0
    below0 = float(np.mean(np.isin(classes0, ["ngheo", "can_ngheo"]))) if n0 else 0.0

    st = st0.copy()
    for key in ("ma_ho", "thon", "dan_toc", "cccd"):
        st[key] = hh[key].to_numpy()
    st["ho_ten"] = hh["ho_ten_chu_ho"].to_numpy()
    st["ghi_chu"] = None
    marks = hh[list(ND07_INDICATORS)].to_numpy().astype(bool)
    previous = hh.copy()
    previous["ghi_chu"] = None

    # Who moves out, who is renumbered (a head whose name is unique in the village).
    n_out = max(2, round(0.008 * n0)) if n0 >= 50 else min(1, n0 - 1)
    out_idx = rng.choice(n0, size=n_out, replace=False) if n_out > 0 else np.array([], int)
    keep = np.ones(n0, dtype=bool)
    keep[out_idx] = False
    pair = st["thon"].astype(str) + "|" + st["ho_ten"].astype(str)
    unique_pair = ~pair.duplicated(keep=False).to_numpy()
    renumber_pool = np.flatnonzero(keep & unique_pair)
    renumbered = int(rng.choice(renumber_pool)) if len(renumber_pool) else -1

    # Drift: welfare, shocks, deprivations resolved and new ones.
    w = st["w"].to_numpy().copy()
    shock = rng.random(n0) < 0.02
    w = w + rng.normal(0.0, 0.30, size=n0) - shock * rng.normal(1.3, 0.3, size=n0)
    resolve = rng.random(marks.shape) < _RESOLVE_P[None, :]
    new_p = np.where(shock[:, None], 0.12, _NEW_P)
    appear = rng.random(marks.shape) < new_p
    marks = (marks & ~resolve) | (~marks & appear)
    # Births: a few households grow by one (a child: a dependant).
    sizes = st["size"].to_numpy().copy()
    birth = (rng.random(n0) < 0.04) & (sizes < 9)
    sizes[birth] += 1

    # Splits: an adult child leaves a large household with a small family of their own.
    big = np.flatnonzero(keep & (sizes >= 4) & (np.arange(n0) != renumbered))
    n_split = min(len(big), max(2, round(0.01 * n0))) if n0 >= 50 else 0
    parents = rng.choice(big, size=n_split, replace=False) if n_split else np.array([], int)
    parents = np.sort(parents)
    split_sizes = rng.integers(2, 4, size=n_split)
    split_sizes = np.minimum(split_sizes, sizes[parents] - 1)
    sizes[parents] -= split_sizes

    st["w"] = w
    st["size"] = sizes
    marks = _fix_impossible(marks, sizes)
    st = st.loc[keep].reset_index(drop=True)
    marks = marks[keep]
    previous = previous.loc[keep].reset_index(drop=True)
    kept_codes = hh["ma_ho"].to_numpy()[keep]
    ren_pos = int(np.flatnonzero(kept_codes == hh["ma_ho"].iloc[renumbered])[0]) if (
        renumbered >= 0) else -1

    new_states: list[pd.DataFrame] = []
    new_marks: list[np.ndarray] = []
    events: list[dict[str, object]] = [
        {"loai": "chuyen_di", "ma_ho_cu": hh["ma_ho"].iloc[i], "ma_ho_moi": None,
         "ghi_chu": "Chuyển đi nơi khác"}
        for i in np.sort(out_idx)
    ]
    if n_split:
        p_rows = st0.loc[parents]
        vi = p_rows["village_no"].to_numpy() - 1
        parent_eth = hh["dan_toc"].to_numpy()[parents]
        kids = _new_people(
            rng, vill, vi, year,
            family=p_rows["family"].to_numpy(), ethnic=parent_eth, age_range=(20, 32),
            sizes=split_sizes.astype(np.int64),
        )
        kids["w"] = st0["w"].to_numpy()[parents] + rng.normal(0.1, 0.35, size=n_split)
        kids["urban"] = st0["urban"].to_numpy()[parents]
        parent_codes = hh["ma_ho"].to_numpy()[parents]
        kids["ghi_chu"] = [f"Hộ mới tách từ hộ {c}" for c in parent_codes]
        kid_marks = hh[list(ND07_INDICATORS)].to_numpy().astype(bool)[parents].copy()
        kid_marks &= rng.random(kid_marks.shape) < 0.8
        kid_marks = _fix_impossible(kid_marks, split_sizes)
        new_states.append(kids)
        new_marks.append(kid_marks)
    n_in = max(1, round(0.003 * n0)) if n0 >= 50 else 0
    if n_in:
        vi = rng.integers(0, len(names), size=n_in)
        movers = _new_people(rng, vill, vi, year)
        movers["ghi_chu"] = f"Chuyển đến năm {year}"
        mover_counts = np.minimum(rng.poisson(1.2, size=n_in), 5)
        mover_marks = _choose_indicators(
            rng, mover_counts, movers["dan_toc"].to_numpy() != KINH, movers["size"].to_numpy()
        )
        new_states.append(movers)
        new_marks.append(mover_marks)

    # New codes: next free sequence number in the village (codes are never reused).
    next_seq: dict[int, int] = {}
    for v_no, s in zip(st0["village_no"].to_numpy(), st0["seq"].to_numpy(), strict=True):
        next_seq[int(v_no)] = max(next_seq.get(int(v_no), 0), int(s))
    width = len(str(hh["ma_ho"].iloc[0])) - 2 if n0 else 3

    def fresh_code(v_no: int) -> tuple[int, str]:
        next_seq[v_no] = next_seq.get(v_no, 0) + 1
        return next_seq[v_no], f"{v_no:02d}{next_seq[v_no]:0{width}d}"

    if ren_pos >= 0:
        old = st.at[ren_pos, "ma_ho"]
        s, code = fresh_code(int(st.at[ren_pos, "village_no"]))
        st.at[ren_pos, "ma_ho"] = code
        st.at[ren_pos, "seq"] = s
        previous.at[ren_pos, "ma_ho"] = code
        renumber_event = {"loai": "doi_ma", "ma_ho_cu": old, "ma_ho_moi": code,
                          "ghi_chu": "Đổi mã hộ (cùng chủ hộ, cùng thôn)"}
    else:
        renumber_event = None
    for block in new_states:
        seqs, codes = [], []
        for v_no in block["village_no"].to_numpy():
            s, code = fresh_code(int(v_no))
            seqs.append(s)
            codes.append(code)
        block["seq"] = seqs
        block["ma_ho"] = codes
    if n_split:
        kids = new_states[0]
        events.extend(
            {"loai": "tach_ho", "ma_ho_cu": pc, "ma_ho_moi": kc, "ghi_chu": g}
            for pc, kc, g in zip(parent_codes, kids["ma_ho"], kids["ghi_chu"], strict=True)
        )
    if n_in:
        movers = new_states[-1]
        events.extend(
            {"loai": "chuyen_den", "ma_ho_cu": None, "ma_ho_moi": c, "ghi_chu": g}
            for c, g in zip(movers["ma_ho"], movers["ghi_chu"], strict=True)
        )
    if renumber_event is not None:
        events.append(renumber_event)

    columns = [*_STATE_KEEP, "ma_ho", "thon", "dan_toc", "cccd", "ho_ten", "ghi_chu"]
    all_state = pd.concat(
        [st[columns], *(b[columns] for b in new_states)], ignore_index=True
    )
    all_marks = np.vstack([marks, *new_marks]) if new_marks else marks
    n1 = len(all_state)
    all_prev = previous.reindex(range(n1))

    # Place the line: poverty falls by 2–4 pp, near-poverty by about 0–1,5 pp.
    poor_drop = rng.uniform(0.02, 0.04)
    target_poor = max(0.0, poor0 - poor_drop)
    target_line = max(target_poor, below0 - poor_drop - rng.uniform(-0.005, 0.015))
    w_all = all_state["w"].to_numpy().astype(float)
    cut = _cut(w_all, round(target_line * n1))
    at_or_below = w_all <= cut
    all_marks = _nudge_deprivations(
        rng, all_marks, at_or_below, round(target_poor * n1), all_state["size"].to_numpy(),
        all_state["dan_toc"].to_numpy() != KINH,
    )

    frame = _assemble(rng, all_state, all_marks, at_or_below, cut, sample.commune_code, all_prev)
    state = _state_for(frame, all_state)
    changes = pd.DataFrame(events, columns=["loai", "ma_ho_cu", "ma_ho_moi", "ghi_chu"])
    for col in changes.columns:
        changes[col] = changes[col].astype("str")
    return CommuneSample(
        commune_code=sample.commune_code,
        commune_name=sample.commune_name,
        year=year,
        seed=seed,
        households=frame,
        villages=names,
        province_name=sample.province_name,
        changes=changes,
        state=state,
    )


# --- party members -------------------------------------------------------------------------------


def agency_cells(sample: CommuneSample) -> tuple[str, ...]:
    """Party cells of the commune's agencies (school, health station, police, militia)."""
    unit = sample.unit_word
    return (
        f"Chi bộ Trường THCS {sample.short_name}",
        f"Chi bộ Trạm Y tế {unit}",
        f"Chi bộ Công an {unit}",
        f"Chi bộ Quân sự {unit}",
    )


def village_cell(village: str) -> str:
    return f"Chi bộ {village}"


def _poor_by_village(sample: CommuneSample) -> pd.DataFrame:
    hh = sample.households
    classes = classify_nd07(hh)
    frame = pd.DataFrame({"thon": hh["thon"].to_numpy(), "cls": classes})
    out = pd.DataFrame(index=pd.Index(sample.villages, name="thon"))
    out["ho"] = frame.groupby("thon").size().reindex(out.index, fill_value=0)
    out["ngheo"] = (
        frame[frame["cls"] == "ngheo"].groupby("thon").size().reindex(out.index, fill_value=0)
    )
    out["can_ngheo"] = (
        frame[frame["cls"] == "can_ngheo"].groupby("thon").size().reindex(out.index, fill_value=0)
    )
    return out


def _empty_village(sample: CommuneSample, table: pd.DataFrame) -> str:
    """The village with no resident party member: the smallest buôn (else the smallest)."""
    kinds = np.array([_village_kind(v) for v in table.index])
    pool = table[kinds == "buon"] if (kinds == "buon").any() else table
    return str(pool["ho"].sort_values(kind="stable").index[0])


def generate_members(sample: CommuneSample, seed: int) -> pd.DataFrame:
    """Party members of the commune's party committee (about 0.7 per poor + near-poor
    household): village cells and agency cells; a couple of villages have more poor
    households than members and one village has none (it is twinned with an agency cell,
    see :func:`generate_twinnings`)."""
    rng = _rng(seed, _code_number(sample.commune_code), sample.year, _PURPOSE_MEMBERS)
    table = _poor_by_village(sample)
    total = max(1, round(0.7 * int(table["ngheo"].sum() + table["can_ngheo"].sum())))
    villages = list(table.index)
    kinds = np.array([_village_kind(v) for v in villages])
    empty = _empty_village(sample, table) if len(villages) > 1 else None
    weights = table["ho"].to_numpy().astype(float) * np.where(kinds == "buon", 0.75, 1.3)
    if empty is not None:
        weights[villages.index(empty)] = 0.0
    per_village = _largest_remainder(weights, total)
    # At least two villages with more poor households than resident members.
    short = (table["ngheo"].to_numpy() > per_village) & (weights > 0)
    if short.sum() < 2 and len(villages) > 2:
        ratio = table["ngheo"].to_numpy() / np.maximum(per_village, 1)
        ratio[weights == 0] = -1
        for i in np.argsort(-ratio, kind="stable")[:2]:
            poor = int(table["ngheo"].iloc[i])
            if per_village[i] >= poor and poor >= 2:
                moved = int(per_village[i] - (poor - 1))
                per_village[i] = poor - 1
                receivers = np.flatnonzero((kinds != "buon") & (weights > 0))
                if len(receivers) == 0:
                    receivers = np.flatnonzero(weights > 0)
                per_village[receivers[0]] += moved
    n = int(per_village.sum())
    vi = np.repeat(np.arange(len(villages)), per_village)
    thon = np.array(villages, dtype=object)[vi]
    # About 15 % of the members belong to agency cells (they live in the villages too).
    cells = agency_cells(sample)
    agency = rng.random(n) < 0.15
    chi_bo = np.array([village_cell(v) for v in thon], dtype=object)
    chi_bo[agency] = _pick(rng, cells, int(agency.sum()))
    # Ethnicity: buôn members mostly from the buôn's own people.
    buon = kinds[vi] == "buon"
    vill = _setup_villages(_village_rng(sample.commune_code, sample.villages), sample.villages)
    eth = np.full(n, KINH, dtype=object)
    r = rng.random(n)
    dom = vill.dominant[vi]
    is_min = np.where(buon, r < 0.92, r < 0.18)
    eth_buon = np.where(rng.random(n) < 0.85, dom, np.where(dom == EDE, MNONG, EDE))
    eth[is_min & buon] = eth_buon[is_min & buon]
    thon_min = is_min & ~buon
    eth[thon_min] = _weighted_choice(rng, _THON_MINORITY, int(thon_min.sum()))
    female = rng.random(n) < 0.35
    age = np.clip(np.round(rng.normal(46, 14, size=n)), 22, 90).astype(np.int64)
    birth = sample.year - age
    names, _ = _names(rng, eth, female)
    salary = np.where(agency, rng.random(n) < 0.97, rng.random(n) < 0.12)
    exempt = np.where(age >= 75, rng.random(n) < 0.7, rng.random(n) < 0.025)
    cap = np.full(n, None, dtype=object)
    old_cap = (age >= 68) & ~exempt & (rng.random(n) < 0.5)
    cap[old_cap] = 1
    busy = agency & ~exempt & (rng.random(n) < 0.08)
    cap[busy] = rng.integers(2, 4, size=int(busy.sum()))
    codes = np.sort(rng.choice(10_000_000, size=n, replace=False) + 1)
    members = pd.DataFrame(
        {
            "ho_ten": names,
            "chi_bo": chi_bo,
            "thon": thon,
            "huong_luong": salary.astype(bool),
            "gioi_tinh": np.where(female, "Nữ", "Nam"),
            "dan_toc": eth,
            "nam_sinh": birth.astype(np.int64),
            "mien": exempt.astype(bool),
            "tran_so_ho": pd.array(cap.tolist(), dtype="Int64"),
        }
    )
    cell_order = {village_cell(v): i for i, v in enumerate(villages)}
    cell_order.update({c: len(villages) + i for i, c in enumerate(cells)})
    members["_order"] = members["chi_bo"].map(cell_order)
    members = members.sort_values(["_order", "thon"], kind="stable").drop(columns="_order")
    members = members.reset_index(drop=True)
    members.insert(0, "ma_dang_vien", [f"{c:08d}" for c in codes])
    for col in ("ma_dang_vien", "ho_ten", "chi_bo", "thon", "gioi_tinh", "dan_toc"):
        members[col] = members[col].astype("str")
    return members[list(MEMBER_COLUMNS)]


def generate_twinnings(sample: CommuneSample, members: pd.DataFrame) -> pd.DataFrame:
    """Kết nghĩa: party cells twinned with villages (chi_bo, thon, ghi_chu): an agency cell
    with the buôn that has no member, another with the buôn that has the most poor
    households per member, and the best-staffed village cell with a poor neighbour."""
    table = _poor_by_village(sample)
    cells = agency_cells(sample)
    resident = members.groupby("thon").size().reindex(table.index, fill_value=0)
    rows: list[tuple[str, str, str]] = []
    empty = [v for v in table.index if resident[v] == 0]
    used: set[str] = set()
    if empty:
        rows.append((cells[0], empty[0], "Thôn, buôn chưa có đảng viên cư trú"))
        used.add(empty[0])
    ratio = (table["ngheo"] + table["can_ngheo"]) / resident.clip(lower=1)
    ratio = ratio.drop(labels=list(used))
    buon_first = sorted(
        ratio.index, key=lambda v: (_village_kind(v) != "buon", -float(ratio[v]), v)
    )
    if buon_first:
        rows.append((cells[1], buon_first[0], "Nhiều hộ nghèo so với số đảng viên"))
        used.add(buon_first[0])
    surplus = (resident - table["ngheo"] - table["can_ngheo"]).drop(labels=list(used))
    thon_only = [v for v in surplus.index if _village_kind(v) != "buon"]
    rest = [v for v in ratio.index if v not in used]
    if thon_only and rest:
        giver = max(thon_only, key=lambda v: (int(surplus[v]), v))
        taker = max((v for v in rest if v != giver), key=lambda v: (float(ratio[v]), v),
                    default=None)
        if taker is not None:
            rows.append((village_cell(giver), taker, "Chi bộ thôn giúp thôn, buôn lân cận"))
    out = pd.DataFrame(rows, columns=list(TWINNING_COLUMNS))
    for col in out.columns:
        out[col] = out[col].astype("str")
    return out


# --- province ------------------------------------------------------------------------------------


def generate_province(
    seed: int, communes: int, households_per_commune: int, year: int = 2024
) -> Iterator[CommuneSample]:
    """``communes`` communes of a fictional province, one at a time (memory stays bounded).

    Every sixth unit is a phường (all households "Thành thị", few poor); the others are
    xã whose share of buôn households, and so their poverty, varies.
    """
    if communes < 0:
        raise ValueError("communes must be >= 0")
    for i in range(communes):
        yield province_commune(seed, i, households_per_commune, year)


def province_commune(seed: int, index: int, households: int, year: int = 2024) -> CommuneSample:
    """The ``index``-th commune of :func:`generate_province` (its draws depend on ``seed``
    and ``index`` only, so communes can be made apart, e.g. in parallel)."""
    if index < 0:
        raise ValueError("index must be >= 0")
    i = index
    rng = _rng(seed, i, _PURPOSE_PROVINCE)
    ward = i % 6 == 5
    if i == 0:
        code, name = "24181", "Xã Đắk Liêng"
    else:
        code = f"{24181 + 3 * i:05d}"
        pool = _WARD_POOL if ward else _COMMUNE_POOL
        k = i // 6 if ward else i - i // 6
        base = pool[k % len(pool)]
        suffix = "" if k < len(pool) else f" {k // len(pool) + 1}"
        name = ("Phường " if ward else "Xã ") + base + suffix
    if ward:
        villages = _draw_villages(rng, True, 0.0)
        poor = float(rng.uniform(0.005, 0.03))
        near = float(rng.uniform(0.01, 0.04))
        return generate_commune(
            seed + i, households, year, code, name,
            villages=villages, poor_rate=poor, near_poor_rate=near, urban_share=1.0,
        )
    buon_share = float(rng.uniform(0.15, 0.75))
    villages = DAK_LIENG_VILLAGES if i == 0 else _draw_villages(rng, False, buon_share)
    poor = float(np.clip(0.03 + 0.35 * buon_share + rng.normal(0, 0.02), 0.01, 0.4))
    near = float(np.clip(0.6 * poor + 0.04 + rng.normal(0, 0.015), 0.01, 0.3))
    return generate_commune(
        seed + i, households, year, code, name,
        villages=villages, poor_rate=poor, near_poor_rate=near,
        buon_share=buon_share, urban_share=0.0 if i % 3 else 0.02,
    )


def describe(sample: CommuneSample) -> dict[str, float | int]:
    """Counts and rates of a sample under NĐ 07/2021 (for the README and quick checks)."""
    hh = sample.households
    classes = classify_nd07(hh)
    n = len(hh)
    minority = hh["dan_toc"].to_numpy() != KINH
    out: dict[str, float | int] = {"ho": n, "nhan_khau": int(hh["so_nhan_khau"].sum())}
    for cls in ("ngheo", "can_ngheo", "trung_binh", "khac"):
        out[cls] = int((classes == cls).sum())
        out[f"ty_le_{cls}"] = float((classes == cls).mean()) if n else math.nan
    out["dtts"] = int(minority.sum())
    out["ty_le_dtts"] = float(minority.mean()) if n else math.nan
    return out
