"""The tables of ``ngheo support summary`` and the report: support per household, per village
and kind, per kind of giver, and the outcome comparison (a comparison, not proof of cause)."""


from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from ngheo_cli.core.parse import (
    format_vn,
)
from ngheo_cli.core.schema import CLASS_LABELS
from ngheo_cli.core.support.ledger import giver_key, text_or_none
from ngheo_cli.core.support.vocabulary import (
    GIVER_KINDS,
    KIND_BY_CODE,
    KIND_LABELS,
    KINDS,
    POOR_OR_NEAR,
    UNIT_BY_CODE,
)


def giver_names(records: pd.DataFrame, members: pd.DataFrame | None) -> pd.Series:
    """How each record's giver is shown: "Nguyễn Văn A (000123)" for a known member."""
    names: dict[str, str] = {}
    if members is not None and len(members):
        for code, name in zip(members["ma_dang_vien"].astype(str), members["ho_ten"], strict=True):
            if text_or_none(name):
                names[code] = f"{name} ({code})"
    shown = [
        names.get(str(g), str(g)) if k == "dang_vien" else str(g)
        for g, k in zip(records["nguoi_ho_tro"], records["loai_nguoi"], strict=True)
    ]
    return pd.Series(shown, index=records.index, dtype="string")


def describe_item(kind: str, quantity: float, unit: str) -> str:
    """ "10 cây giống", "2 ngày công", "Tiền 500.000 đ"."""
    k = KIND_BY_CODE[kind]
    if k.money:
        return f"{k.label} {format_vn(quantity)} đ"
    unit_label = UNIT_BY_CODE[unit].label if unit in UNIT_BY_CODE else unit
    return f"{k.label}: {format_vn(quantity)} {unit_label}".rstrip()


HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "ma_ho",
    "ho_ten_chu_ho",
    "thon",
    "phan_loai_truoc",
    "phan_loai",
    "so_lan",
    "tong_gia_tri",
    "da_nhan",
    "nguoi_ho_tro",
    "nguoi_giup",
)


def household_support(
    records: pd.DataFrame,
    names: pd.Series,
    this_year: pd.DataFrame | None,
    last_year: pd.DataFrame | None,
    pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per household that received something: what (``da_nhan``: items summed per
    kind and unit), from whom (``nguoi_ho_tro``), the total value in đồng, its paired helpers
    (``nguoi_giup``), and its class this year and last (``phan_loai``, ``phan_loai_truoc``:
    codes, missing when the store has no such year or household). ``this_year`` and
    ``last_year``: stored households (``ma_ho``, ``ho_ten_chu_ho``, ``thon``, ``phan_loai``).
    """
    if records.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in HOUSEHOLD_COLUMNS})
    frame = records.assign(_giver=names.to_numpy())
    now = _by_code(this_year)
    before = _by_code(last_year)
    helpers: dict[str, list[str]] = {}
    if pairs is not None and len(pairs):
        for m, h in zip(pairs["ma_dang_vien"].astype(str), pairs["ma_ho"].astype(str), strict=True):
            helpers.setdefault(h, []).append(m)
    rows: list[dict[str, object]] = []
    for code, part in frame.groupby("ma_ho", sort=True):
        items = part.groupby(["loai", "don_vi"], sort=False)["so_luong"].sum().reset_index()
        order = {k.code: i for i, k in enumerate(KINDS)}
        items = items.sort_values("loai", key=lambda s: s.map(order), kind="stable")
        info = now.get(str(code)) or before.get(str(code)) or {}
        rows.append(
            {
                "ma_ho": str(code),
                "ho_ten_chu_ho": info.get("ho_ten_chu_ho"),
                "thon": info.get("thon"),
                "phan_loai_truoc": (before.get(str(code)) or {}).get("phan_loai"),
                "phan_loai": (now.get(str(code)) or {}).get("phan_loai"),
                "so_lan": len(part),
                "tong_gia_tri": float(part["gia_tri"].sum(min_count=1))
                if part["gia_tri"].notna().any()
                else None,
                "da_nhan": "; ".join(
                    describe_item(str(r.loai), float(r.so_luong), str(r.don_vi))
                    for r in items.itertuples(index=False)
                ),
                "nguoi_ho_tro": "; ".join(dict.fromkeys(part["_giver"].astype(str))),
                "nguoi_giup": ", ".join(sorted(helpers.get(str(code), []))),
            }
        )
    return pd.DataFrame(rows, columns=list(HOUSEHOLD_COLUMNS))


def _by_code(frame: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    if frame is None or frame.empty:
        return {}
    cols = [c for c in ("ho_ten_chu_ho", "thon", "phan_loai") if c in frame.columns]
    out: dict[str, dict[str, Any]] = {}
    for rec in frame[["ma_ho", *cols]].astype(object).itertuples(index=False):
        values = rec._asdict()
        code = str(values.pop("ma_ho"))
        out[code] = {k: text_or_none(v) for k, v in values.items()}
    return out


def village_kind_table(records: pd.DataFrame, villages: Mapping[str, str]) -> pd.DataFrame:
    """Per village and kind: ``so_lan`` (records), ``so_ho`` (households), ``so_luong``
    (summed; money kinds in đồng), ``don_vi`` (the unit, "nhiều" when mixed),
    ``tong_gia_tri`` (đồng). ``villages``: household code → village ("Chưa rõ thôn" when
    unknown). Sorted by village, then kind order. A "Toàn xã" row per kind closes it."""
    cols = ["thon", "loai", "loai_ten", "so_lan", "so_ho", "so_luong", "don_vi", "tong_gia_tri"]
    if records.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    frame = records.assign(
        thon=records["ma_ho"].map(lambda c: villages.get(str(c)) or "Chưa rõ thôn")
    )
    order = {k.code: i for i, k in enumerate(KINDS)}
    parts = []
    for scope, data in (("thon", frame), ("all", frame.assign(thon="Toàn xã"))):
        g = data.groupby(["thon", "loai"], sort=True)
        table = pd.DataFrame(
            {
                "so_lan": g.size(),
                "so_ho": g["ma_ho"].nunique(),
                "so_luong": g["so_luong"].sum(),
                "don_vi": g["don_vi"].agg(lambda s: _one_unit(s)),
                "tong_gia_tri": g["gia_tri"].sum(min_count=1),
            }
        ).reset_index()
        table["_scope"] = 0 if scope == "thon" else 1
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    out["_k"] = out["loai"].map(order)
    out = out.sort_values(["_scope", "thon", "_k"], kind="stable").drop(columns=["_scope", "_k"])
    out["loai_ten"] = out["loai"].map(KIND_LABELS)
    return out[cols].reset_index(drop=True)


def _one_unit(units: pd.Series) -> str:
    distinct = sorted({str(u) for u in units})
    if len(distinct) != 1:
        return "nhiều đơn vị"
    unit = distinct[0]
    return UNIT_BY_CODE[unit].label if unit in UNIT_BY_CODE else unit


def giver_kind_table(records: pd.DataFrame) -> pd.DataFrame:
    """Per kind of giver: records, givers, households, total value (đồng)."""
    cols = ["loai_nguoi", "loai_nguoi_ten", "so_lan", "so_nguoi_ho_tro", "so_ho", "tong_gia_tri"]
    if records.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    g = records.groupby("loai_nguoi", sort=False)
    table = pd.DataFrame(
        {
            "so_lan": g.size(),
            "so_nguoi_ho_tro": g["nguoi_ho_tro"].agg(lambda s: len({giver_key(x) for x in s})),
            "so_ho": g["ma_ho"].nunique(),
            "tong_gia_tri": g["gia_tri"].sum(min_count=1),
        }
    ).reset_index()
    order = {k: i for i, k in enumerate(GIVER_KINDS)}
    table = table.sort_values("loai_nguoi", key=lambda s: s.map(order), kind="stable")
    table["loai_nguoi_ten"] = table["loai_nguoi"].map(GIVER_KINDS)
    return table[cols].reset_index(drop=True)


# --- outcome: a comparison, not proof of cause ----------------------------------------------

OUTCOME_GROUPS: dict[str, str] = {
    "co_nguoi_giup_va_ho_tro": "Có người giúp và có hỗ trợ",
    "chi_co_nguoi_giup": "Có người giúp, không có hỗ trợ",
    "chi_co_ho_tro": "Có hỗ trợ, không có người giúp",
    "khong_co_ca_hai": "Không có người giúp, không có hỗ trợ",
    "con_lai": "Các hộ còn lại (thiếu người giúp hoặc hỗ trợ)",
}
OUTCOME_CAUTION = (
    "Đây là so sánh giữa các nhóm hộ, không chứng minh được hỗ trợ là nguyên nhân: hộ được "
    "giúp có thể khác hộ không được giúp ở nhiều mặt (lao động, đất, sức khoẻ, thiên tai…), "
    "và khi nhóm ít hộ thì tỷ lệ dao động nhiều."
)
_COUNTS = ("households", "poor", "found", "poor_found", "escaped_poverty", "left_list", "not_found")


def outcome_comparison(
    start: pd.DataFrame,
    end: pd.DataFrame,
    helped: Collection[str],
    supported: Collection[str],
) -> dict[str, Any]:
    """Of the households poor or near-poor in ``start`` (``ma_ho``, ``phan_loai``), how many
    left poverty, and left the poor + near-poor list, by ``end``: for those with a helper
    (``helped``: household codes) and support (``supported``), against the others.

    Groups (disjoint): ``co_nguoi_giup_va_ho_tro``, ``chi_co_nguoi_giup``, ``chi_co_ho_tro``,
    ``khong_co_ca_hai``; ``con_lai`` adds up the last three. Per group: ``households`` (on
    the start list), ``poor`` (poor at start), ``found`` (still on the ``end`` list: rates
    use only these; households that moved away or changed code are ``not_found``),
    ``escaped_poverty`` (poor at start, not poor at end), ``left_list`` (neither poor nor
    near-poor at end), ``rate_escaped_poverty`` (of the poor found) and ``rate_left_list``
    (of those found); a rate is None when there is nothing to count.
    ``difference_points``: rate of leaving the list, helped-and-supported minus the others,
    in percentage points (None when either rate is None).
    """
    base = start[start["phan_loai"].isin(POOR_OR_NEAR)]
    after = dict(zip(end["ma_ho"].astype(str), end["phan_loai"].astype(str), strict=True))
    helped_set, supported_set = set(map(str, helped)), set(map(str, supported))
    counts = {g: dict.fromkeys(_COUNTS, 0) for g in OUTCOME_GROUPS}
    for code, cls in zip(base["ma_ho"].astype(str), base["phan_loai"].astype(str), strict=True):
        h, s = code in helped_set, code in supported_set
        name = (
            "co_nguoi_giup_va_ho_tro"
            if h and s
            else "chi_co_nguoi_giup"
            if h
            else "chi_co_ho_tro"
            if s
            else "khong_co_ca_hai"
        )
        targets = [counts[name]]
        if name != "co_nguoi_giup_va_ho_tro":
            targets.append(counts["con_lai"])
        for g in targets:
            g["households"] += 1
            g["poor"] += int(cls == "ngheo")
            if code not in after:
                g["not_found"] += 1
                continue
            g["found"] += 1
            now = after[code]
            if cls == "ngheo":
                g["poor_found"] += 1
                g["escaped_poverty"] += int(now != "ngheo")
            g["left_list"] += int(now not in POOR_OR_NEAR)
    groups: dict[str, dict[str, Any]] = {}
    for name, g in counts.items():
        poor_found = g.pop("poor_found")
        groups[name] = {
            **g,
            "rate_escaped_poverty": _rate(g["escaped_poverty"], poor_found),
            "rate_left_list": _rate(g["left_list"], g["found"]),
        }
    a = groups["co_nguoi_giup_va_ho_tro"]["rate_left_list"]
    b = groups["con_lai"]["rate_left_list"]
    return {
        "groups": groups,
        "difference_points": None if a is None or b is None else round((a - b) * 100, 2),
        "caution": OUTCOME_CAUTION,
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def outcome_sentence(outcome: Mapping[str, Any], start_year: int, end_year: int) -> str:
    """The comparison in careful Vietnamese: a comparison between groups, not a cause."""
    groups = outcome["groups"]

    def part(g: Mapping[str, Any]) -> str:
        if not g["found"]:
            return "không có hộ nào để so sánh"
        return (
            f"{g['left_list']}/{g['found']} hộ ra khỏi danh sách nghèo, cận nghèo "
            f"({format_vn(g['rate_left_list'] * 100, 1)} %)"
        )

    neither = groups["khong_co_ca_hai"]
    return (
        f"Trong các hộ nghèo, cận nghèo năm {start_year}, đến năm {end_year}: nhóm có người "
        f"giúp và có hỗ trợ {part(groups['co_nguoi_giup_va_ho_tro'])}; các hộ còn lại "
        f"{part(groups['con_lai'])}, trong đó nhóm không có người giúp, không có hỗ trợ "
        f"{part(neither)}. " + OUTCOME_CAUTION
    )


def class_label(code: object) -> str:
    text = text_or_none(code)
    return CLASS_LABELS.get(text, text) if text else ""

