"""RawTable → typed households + findings: every cell checked, in one pass.

:func:`prepare` is the only door between a workbook's text and the classifier. It
reads every cell (:mod:`.parse`), checks every rule, and never stops at the first
problem: a row with any error is *rejected* (kept as raw text, with its findings), a
row with only warnings is kept. File-level problems that make classification
impossible (no income column and no Điểm A, no indicator columns and no Điểm B, no
khu vực) raise :class:`~ngheo_cli.errors.InputError` instead.

The work is column arithmetic; Python loops run only over the distinct spellings of a
column (in the parsers) and over the cells that produce a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ngheo_cli.core.codes import (
    ROW_NUMBER_KEYS,
    CodeCheck,
    first_equal_rows,
    normalize_codes,
    restart_positions,
)
from ngheo_cli.core.collector import FindingCollector
from ngheo_cli.core.findings import Finding, FindingsMixin, make_finding
from ngheo_cli.core.parse import (
    AREA_UNITS,
    SCORE_UNITS,
    Parsed,
    area_value,
    as_text,
    ethnic_minority,
    format_vn,
    parse_area,
    parse_count,
    parse_decimal,
    parse_mark,
    parse_money,
)
from ngheo_cli.core.recorded import recorded_classes
from ngheo_cli.core.review_fields import nfc, review_dates, sexes
from ngheo_cli.core.ruleset import Indicator, Ruleset
from ngheo_cli.core.schema import FIELD_BY_KEY, INDICATOR_KEYS
from ngheo_cli.core.table import RawTable
from ngheo_cli.core.text import cell_ref, fold
from ngheo_cli.errors import InputError, UsageError

MissingIndicators = Literal["error", "not_deprived"]

# Plausibility bounds (warnings only: a person looks, the row is kept).
INCOME_LOW = 100_000  # đồng/người/tháng; exactly 0 is plausible and not warned
INCOME_HIGH = 50_000_000
MEMBERS_HIGH = 30
AREA_PER_PERSON_HIGH = 200  # m²/người

_EXAMPLES = {"money": "1.500.000", "score": "140", "number": "12,5", "count": "4"}
_NO_COLUMN_RANK = -1


@dataclass
class Prepared(FindingsMixin):
    """What :func:`prepare` hands the classifier (and the error workbook).

    ``households``: accepted rows, typed, index = Excel row number. Columns: every input
    column (typed by its kind; codes and text as ``string``), plus always ``khu_vuc``
    ("nong_thon"/"thanh_thi"), one ``bool`` column per indicator of the standard (True =
    deprived), ``co_chi_so`` (``bool``: the indicator columns describe this row; when
    False the indicator columns are all False and ``diem_b`` decides) and ``is_dtts``
    (``boolean``, NA when unknown).
    ``rejected``: rows with at least one error, as the raw text the reader gave.
    ``duplicates``: rows that repeat an earlier row cell for cell (raw text): the household
    is counted once, at its first row; each repeat has a ``dong-lap-lai`` finding.
    ``findings``: every error and warning, sorted by (row, Excel column, code).
    ``indicator_source``: where the indicators came from (see :func:`prepare`).
    ``ignored``: input columns this standard cannot use → the reason, in Vietnamese.
    """

    households: pd.DataFrame
    rejected: pd.DataFrame
    findings: list[Finding]
    indicator_source: dict[str, Any]
    ignored: dict[str, str] = field(default_factory=dict)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def input_rows(self) -> int:
        return len(self.households) + len(self.rejected) + len(self.duplicates)


# --- the findings collector -----------------------------------------------------------------


# --- file-level plan ------------------------------------------------------------------------


def _resolve_area(area: str | None) -> str | None:
    if area is None:
        return None
    cell = area_value(area)
    if cell.error is not None:
        raise UsageError(
            f'Khu vực "{area}" không hợp lệ.',
            hint="Hãy dùng nong_thon (nông thôn) hoặc thanh_thi (thành thị).",
        )
    return str(cell.value)


def _measure_fields(ind: Indicator) -> tuple[str, ...]:
    if ind.measure is None:
        return ()
    if ind.measure.kind == "share_of_members_above":
        return (ind.measure.field, "so_nhan_khau")
    return (ind.measure.field,)


def _quote(key: str) -> str:
    fld = FIELD_BY_KEY.get(key)
    return f"«{fld.label if fld else key}»"


def _check_file(
    raw: RawTable,
    ruleset: Ruleset,
    columns: set[str],
    area: str | None,
    missing_indicators: MissingIndicators,
) -> None:
    """Raise InputError naming every file-level problem at once."""
    problems: list[str] = []
    hints: list[str] = []
    has_score = ruleset.score_route is not None
    if "thu_nhap_binh_quan" not in columns and not ("diem_a" in columns and has_score):
        if "diem_a" in columns:
            problems.append(
                f"không có cột {_quote('thu_nhap_binh_quan')}; cột {_quote('diem_a')} có "
                f"nhưng chuẩn {ruleset.id} không có cách tính theo điểm nên không dùng được"
            )
        else:
            problems.append(
                f"không có cột {_quote('thu_nhap_binh_quan')} và cũng không có cột "
                f"{_quote('diem_a')}"
            )
        hints.append(
            "Hãy thêm cột thu nhập bình quân đầu người/tháng (đồng)"
            + (" hoặc cột Điểm A." if has_score else ".")
        )
    unavailable = [
        ind.id
        for ind in ruleset.indicators
        if ind.id not in columns
        and not (_measure_fields(ind) and set(_measure_fields(ind)) <= columns)
    ]
    use_b = "diem_b" in columns and has_score
    if unavailable and not use_b and missing_indicators == "error":
        names = ", ".join(_quote(i) for i in unavailable)
        text = f"thiếu cột chỉ số thiếu hụt {names}"
        if "diem_b" in columns:
            text += (
                f"; cột {_quote('diem_b')} có nhưng chuẩn {ruleset.id} không có cách tính "
                "theo điểm nên không dùng được"
            )
        elif has_score:
            text += f" và không có cột {_quote('diem_b')}"
        problems.append(text)
        hints.append(
            "Hãy thêm các cột chỉ số (ghi x nếu hộ thiếu hụt, để trống nếu không)"
            + (" hoặc cột Điểm B." if has_score else ".")
        )
    if "khu_vuc" not in columns and area is None:
        problems.append(f"không có cột {_quote('khu_vuc')}")
        hints.append(
            "Hãy thêm cột Khu vực (Nông thôn / Thành thị), hoặc chạy lệnh với "
            "--khu-vuc nong_thon|thanh_thi cho cả tệp."
        )
    if problems:
        if raw.unmapped:  # what the reader could not place may be the missing column
            shown = "; ".join(raw.unmapped[:8]) + ("; …" if len(raw.unmapped) > 8 else "")
            hints.append(f"Các cột chưa nhận ra: {shown}.")
        hints.append(
            f"Chạy `ngheo inspect {raw.source}` để xem từng cột được hiểu thế nào, rồi sửa "
            "tên cột hoặc dùng --column-map."
        )
        raise InputError(
            f"Không thể phân loại hộ từ {raw.source} (trang {raw.sheet}): "
            + "; ".join(problems)
            + ".",
            hint=" ".join(hints),
        )


# --- the pass -------------------------------------------------------------------------------


def _floats(values: pd.Series) -> np.ndarray:
    """Any numeric series (float64, Int64) → float ndarray with NaN for missing."""
    floats: np.ndarray = (
        pd.to_numeric(values).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    )
    return floats


def prepare(
    raw: RawTable,
    ruleset: Ruleset,
    *,
    area: str | None = None,
    missing_indicators: MissingIndicators = "error",
    year: int | None = None,
    recorded_index: Mapping[str, str] | None = None,
) -> Prepared:
    """Parse and check every cell of ``raw`` against ``ruleset``.

    ``area``: khu vực for rows whose cell is blank (and for a sheet without the column).
    ``missing_indicators``: "error" (an indicator column that is missing, with no Điểm B,
    makes the file unusable) or "not_deprived" (what-if: missing indicators count as not
    deprived; listed in ``indicator_source["assumed_not_deprived"]``).

    ``year``: the review year, to check review dates against. ``recorded_index``: recorded
    class labels → class codes (:func:`ngheo_cli.io.rulesets.recorded_class_index`); without
    it a ``ket_qua_ra_soat`` column is not read.

    ``indicator_source``: ``mark`` (ids with a mark column), ``measure`` (ids whose
    measure column is present: the measure decides where the cell is filled), ``missing``
    (ids with neither), ``assumed_not_deprived``, ``diem_b`` (a usable Điểm B column is
    present) and ``missing_indicators`` (the mode).
    """
    if missing_indicators not in ("error", "not_deprived"):
        raise ValueError(f"missing_indicators: {missing_indicators!r}")
    default_area = _resolve_area(area)
    frame = raw.frame
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    columns = set(frame.columns)
    _check_file(raw, ruleset, columns, default_area, missing_indicators)
    # An exact repeat of an earlier row is one household: checked and counted once.
    code_check = normalize_codes(frame["ma_ho"]) if "ma_ho" in frame.columns else None
    repeat, first_of = _exact_repeats(frame, code_check)
    duplicates = raw.frame.loc[frame.index[repeat]]
    if repeat.any():
        frame = frame.loc[~repeat]
        if code_check is not None:
            code_check = CodeCheck(
                code_check.codes[~repeat], code_check.fixed[~repeat], code_check.unusable[~repeat]
            )

    score = ruleset.score_route
    ignored: dict[str, str] = {}
    if score is None:
        for key in ("diem_a", "diem_b"):
            if key in columns:
                ignored[key] = (
                    f"Chuẩn {ruleset.id} không có cách tính theo điểm (Phiếu B): cột "
                    f"{_quote(key)} không được dùng."
                )
    for key in INDICATOR_KEYS:
        if key in columns and key not in ruleset.indicator_ids:
            ignored[key] = f"Chỉ số {_quote(key)} không thuộc chuẩn {ruleset.id}: không được dùng."

    n = len(frame)
    out = FindingCollector(raw, frame, FIELD_BY_KEY)
    typed: dict[str, pd.Series] = {}
    parsed: dict[str, Parsed] = {}

    # 1. Every cell, column by column: read it, report what cannot be read.
    for key in frame.columns:
        if key in ignored:
            continue
        fld = FIELD_BY_KEY.get(key)
        kind = fld.kind if fld is not None else "text"
        if kind in ("code", "text"):
            typed[key] = nfc(as_text(frame[key]))
            continue
        if kind == "money":
            p = parse_money(frame[key])
        elif kind == "score":
            p = parse_decimal(frame[key], SCORE_UNITS)
        elif kind == "number":
            p = parse_decimal(frame[key], AREA_UNITS)
        elif kind == "count":
            p = parse_count(frame[key])
        elif kind == "mark":
            p = parse_mark(frame[key])
        else:  # area
            p = parse_area(frame[key])
        parsed[key] = p
        out.parse_errors(key, p, example=_EXAMPLES.get(kind, ""))
        typed[key] = p.values

    # 2. Values that read fine but cannot be right (or look odd).
    out.beyond_bounds(typed, ruleset.bounds)  # past any sense (rules data): rejected
    _check_values(out, ruleset, parsed, typed)

    # 3. Household code: cleaned, present, unique within its commune.
    for row, other in zip(duplicates.index, first_of[repeat], strict=True):
        code = duplicates.at[row, "ma_ho"] if "ma_ho" in duplicates.columns else None
        out.add_at(
            "dong-lap-lai",
            None,
            int(row),
            None if pd.isna(code) else str(code),
            other_row=raw.row_label(int(other)),
        )
    if code_check is not None:
        typed["ma_ho"] = _check_codes(out, raw, frame, code_check)
    else:
        out.add("ma-ho-trong", "ma_ho", np.ones(n, dtype=bool))

    # 3b. What the posted list and the reports need (each decides the public list or a rate).
    _check_completeness(out, raw, frame, typed, parsed)
    _review_fields(out, frame, typed, year, recorded_index)

    # 4. Khu vực: the cell, else the run's default.
    if "khu_vuc" in parsed:
        p = parsed["khu_vuc"]
        khu_vuc = p.values.copy()
        if default_area is not None:
            khu_vuc[p.blank.to_numpy()] = default_area
        else:
            out.add("khu-vuc-trong", "khu_vuc", p.blank)
    else:
        khu_vuc = pd.Series(pd.array([default_area] * n, dtype="string"), index=frame.index)
    typed["khu_vuc"] = khu_vuc

    # 5. Income route: income or Điểm A.
    has_income = "thu_nhap_binh_quan" in parsed
    use_a = "diem_a" in parsed
    use_b = "diem_b" in parsed
    income_blank = parsed["thu_nhap_binh_quan"].blank.to_numpy() if has_income else np.ones(n, bool)
    a_blank = parsed["diem_a"].blank.to_numpy() if use_a else np.ones(n, bool)
    out.add(
        "thieu-thu-nhap",
        "thu_nhap_binh_quan" if has_income else "diem_a",
        income_blank & a_blank,
        what="cả thu nhập bình quân và Điểm A" if use_a else "thu nhập bình quân",
        fix="một trong hai" if use_a else "thu nhập bình quân (đồng/người/tháng)",
    )
    if has_income and use_a and score is not None:
        income = _floats(typed["thu_nhap_binh_quan"])
        points_a = _floats(typed["diem_a"])
        rural = (khu_vuc == "nong_thon").fillna(False).to_numpy(dtype=bool)
        urban = (khu_vuc == "thanh_thi").fillna(False).to_numpy(dtype=bool)

        def by_area(values: Any) -> np.ndarray:
            return np.where(
                rural, values.nong_thon.value, np.where(urban, values.thanh_thi.value, np.nan)
            )

        line = by_area(ruleset.income_line)
        a_line = by_area(score.score_a_line)
        both = ~np.isnan(income) & ~np.isnan(points_a) & ~np.isnan(line)
        with np.errstate(invalid="ignore"):
            low_income = income <= line
            low_score = points_a <= a_line
        out.add(
            "tuyen-lech",
            "diem_a",
            both & (low_income != low_score),
            lambda p: {
                "by_income": _side(bool(low_income[p])),
                "by_score": _side(bool(low_score[p])),
            },
        )

    # 6. Indicators: measure where present and filled, else the mark.
    indicator_source, co_chi_so, values = _indicators(
        out, ruleset, frame, parsed, typed, missing_indicators, use_b
    )
    for ind_id, value in values.items():
        typed[ind_id] = value
    typed["co_chi_so"] = pd.Series(co_chi_so, index=frame.index)
    if use_b and score is not None:
        step = score.points_per_deprivation.value
        points_b = _floats(typed["diem_b"])
        count = np.zeros(n, dtype=int)
        for value in values.values():
            count += value.to_numpy(dtype=bool)
        expected = count * step
        off = co_chi_so & ~np.isnan(points_b) & (np.abs(points_b - expected) > 1e-9)
        out.add(
            "diem-b-lech",
            "diem_b",
            off,
            lambda p: {"count": int(count[p]), "expected": format_vn(expected[p])},
        )

    # 7. Who is an ethnic minority (for reports).
    if "dan_toc" in frame.columns:
        typed["is_dtts"] = ethnic_minority(frame["dan_toc"])
    else:
        typed["is_dtts"] = pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=frame.index)

    # 8. Split.
    order = [k for k in frame.columns if k in typed]
    order += [i for i in ruleset.indicator_ids if i not in order]
    order += [k for k in ("khu_vuc", "co_chi_so", "is_dtts") if k not in order]
    table = pd.DataFrame({k: typed[k] for k in order}, index=frame.index)
    for key, fld in ((k, FIELD_BY_KEY.get(k)) for k in order):
        if fld is not None and fld.kind == "mark":
            table[key] = table[key].fillna(False).astype(bool)
    bad = out.bad
    return Prepared(
        households=table.loc[~bad],
        rejected=raw.frame.loc[frame.index[bad]],
        findings=_sheet_findings(raw) + out.sorted_findings(),
        indicator_source=indicator_source,
        ignored=ignored,
        duplicates=duplicates,
    )


def _side(at_or_below: bool) -> str:
    return "ở mức hoặc dưới chuẩn" if at_or_below else "trên chuẩn"


def _check_values(
    out: FindingCollector, ruleset: Ruleset, parsed: dict[str, Parsed], typed: dict[str, pd.Series]
) -> None:
    """Range and plausibility checks on values that were read."""
    score = ruleset.score_route
    if "thu_nhap_binh_quan" in parsed:
        income = _floats(typed["thu_nhap_binh_quan"])
        with np.errstate(invalid="ignore"):
            low = (income > 0) & (income < INCOME_LOW)
            high = income > INCOME_HIGH
        why_low = f"dưới {format_vn(INCOME_LOW)} đồng"
        why_high = f"trên {format_vn(INCOME_HIGH)} đồng"
        out.add(
            "thu-nhap-bat-thuong",
            "thu_nhap_binh_quan",
            low | high,
            lambda p: {"value": format_vn(income[p]), "why": why_low if low[p] else why_high},
        )
    if "diem_a" in parsed and score is not None:
        points = _floats(typed["diem_a"])
        lo, hi = score.score_a_range.low, score.score_a_range.high
        with np.errstate(invalid="ignore"):
            outside = (points < lo) | (points > hi)
        out.add(
            "diem-ngoai-khoang",
            "diem_a",
            outside,
            low=format_vn(lo),
            high=format_vn(hi),
            basis=score.score_a_range.note,
        )
    if "diem_b" in parsed and score is not None:
        points = _floats(typed["diem_b"])
        step = score.points_per_deprivation.value
        hi = step * len(ruleset.indicators)
        with np.errstate(invalid="ignore"):
            ratio = points / step
            uneven = ~np.isnan(points) & (np.abs(ratio - np.round(ratio)) > 1e-9)
            outside = (points < 0) | (points > hi)
        out.add("diem-b-khong-chan", "diem_b", uneven, step=format_vn(step))
        out.add(
            "diem-ngoai-khoang",
            "diem_b",
            outside,
            low="0",
            high=format_vn(hi),
            basis=f"{len(ruleset.indicators)} chỉ số × {format_vn(step)} điểm",
        )
    for key in ("dien_tich_binh_quan", "so_nguoi_phu_thuoc"):
        if key in parsed:
            vals = _floats(typed[key])
            with np.errstate(invalid="ignore"):
                negative = vals < 0
            out.add("so-am", key, negative)
            typed[key] = typed[key].where(~negative)  # never feeds a measure
    if "dien_tich_binh_quan" in parsed:
        area = _floats(typed["dien_tich_binh_quan"])
        with np.errstate(invalid="ignore"):
            zero = area == 0
            big = area > AREA_PER_PERSON_HIGH
        out.add(
            "dien-tich-bat-thuong",
            "dien_tich_binh_quan",
            zero | big,
            lambda p: {
                "value": format_vn(area[p]),
                "why": "bằng 0" if zero[p] else f"trên {AREA_PER_PERSON_HIGH} m²/người",
            },
        )
    if "so_nhan_khau" in parsed:
        members = _floats(typed["so_nhan_khau"])
        with np.errstate(invalid="ignore"):
            too_few = members < 1
            many = members > MEMBERS_HIGH
        out.add("nhan-khau-khong-hop-le", "so_nhan_khau", too_few)
        out.add(
            "nhan-khau-bat-thuong",
            "so_nhan_khau",
            many,
            lambda q: {"value": format_vn(members[q])},
        )
        typed["so_nhan_khau"] = typed["so_nhan_khau"].where(~too_few)
        if "so_nguoi_phu_thuoc" in parsed:
            dependants = _floats(typed["so_nguoi_phu_thuoc"])
            with np.errstate(invalid="ignore"):
                over = dependants > members
            out.add(
                "phu-thuoc-vuot-nhan-khau",
                "so_nguoi_phu_thuoc",
                over,
                lambda q: {"members": format_vn(members[q])},
            )


def _indicators(
    out: FindingCollector,
    ruleset: Ruleset,
    frame: pd.DataFrame,
    parsed: dict[str, Parsed],
    typed: dict[str, pd.Series],
    missing_indicators: MissingIndicators,
    use_b: bool,
) -> tuple[dict[str, Any], np.ndarray, dict[str, pd.Series]]:
    n = len(frame)
    what_if = missing_indicators == "not_deprived"
    source: dict[str, Any] = {
        "mark": [],
        "measure": [],
        "missing": [],
        "assumed_not_deprived": [],
        "diem_b": use_b,
        "missing_indicators": missing_indicators,
    }
    complete = np.ones(n, dtype=bool)
    filled = np.zeros(n, dtype=bool)
    undetermined: dict[str, np.ndarray] = {}
    values: dict[str, pd.Series] = {}
    for ind in ruleset.indicators:
        mark = parsed.get(ind.id)
        decided = np.zeros(n, dtype=bool)
        value = np.zeros(n, dtype=bool)
        if mark is not None:
            source["mark"].append(ind.id)
            decided[:] = True
            value = mark.values.fillna(False).to_numpy(dtype=bool)
            filled |= ~mark.blank.to_numpy()
        known, deprived, describe = _measure(ind, parsed, typed, n)
        if known is not None:
            source["measure"].append(ind.id)
            filled |= known
            if mark is not None:
                mark_ok = mark.error.isna().to_numpy()
                column_used = not bool(mark.blank.all())
                disagree = known & mark_ok & (value != deprived) & column_used
                texts = out.text(ind.id)
                def fields(
                    p: int,
                    v: np.ndarray = value,
                    d: np.ndarray = deprived,
                    t: np.ndarray = texts,
                    f: Callable[[int], str] = describe,
                ) -> dict[str, object]:
                    return {
                        "value": (
                            f'ghi "{t[p]}" (thiếu hụt)'
                            if v[p]
                            else f'ghi "{t[p]}" (không thiếu hụt)'
                            if t[p] is not None
                            else "để trống (không thiếu hụt)"
                        ),
                        "measure": f(p),
                        "verdict": "thiếu hụt chỉ số này" if d[p] else "không thiếu hụt chỉ số này",
                    }

                out.add("chi-so-lech-so-do", ind.id, disagree, fields)
            value = np.where(known, deprived, value)
            decided |= known
        if mark is None and known is None:
            source["missing"].append(ind.id)
            if what_if:
                source["assumed_not_deprived"].append(ind.id)
        if what_if and mark is None:
            decided[:] = True  # what-if: a missing indicator is not deprived
        complete &= decided
        undetermined[ind.id] = ~decided
        values[ind.id] = pd.Series(value.astype(bool), index=frame.index)

    b_blank = parsed["diem_b"].blank.to_numpy() if use_b else np.ones(n, dtype=bool)
    # Marks describe the row when every indicator is determined, unless the row carries only
    # a Điểm B (all indicator cells blank): then Điểm B decides and blank marks mean "not filled".
    co_chi_so = complete & (filled | b_blank)
    for ind_id in values:
        values[ind_id] = values[ind_id].where(co_chi_so, False)
    labels = {i.id: FIELD_BY_KEY[i.id].label for i in ruleset.indicators}
    has_score = ruleset.score_route is not None
    out.add(
        "thieu-chi-so",
        "diem_b" if use_b else None,
        ~co_chi_so & b_blank,
        lambda p: {
            "missing": ", ".join(f"«{labels[i]}»" for i, miss in undetermined.items() if miss[p]),
            "and_b": " và Điểm B để trống" if use_b else "",
            "fix": (
                "ghi các chỉ số đó (x nếu thiếu hụt) hoặc ghi Điểm B"
                if has_score
                else "ghi các chỉ số đó (x nếu thiếu hụt)"
            ),
        },
    )
    return source, co_chi_so, values


def _measure(
    ind: Indicator, parsed: dict[str, Parsed], typed: dict[str, pd.Series], n: int
) -> tuple[np.ndarray | None, np.ndarray, Callable[[int], str]]:
    """(cells where the measure is known, deprived by the measure, description of a cell)."""
    m = ind.measure
    nothing = np.zeros(n, dtype=bool)
    if m is None or m.field not in parsed:
        return None, nothing, str
    threshold = m.threshold.value
    values = _floats(typed[m.field])
    unit = " m²/người" if m.field == "dien_tich_binh_quan" else ""
    if m.kind == "below":
        known = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            deprived = known & (values < threshold)

        def describe(p: int) -> str:
            word = "nhỏ hơn" if deprived[p] else "không nhỏ hơn"
            return f"{format_vn(values[p])}{unit}, {word} {format_vn(threshold)}"

        return known, deprived, describe
    # share_of_members_above
    if "so_nhan_khau" not in parsed:
        return None, nothing, str
    members = _floats(typed["so_nhan_khau"])
    known = ~np.isnan(values) & ~np.isnan(members) & (np.nan_to_num(members) >= 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = values / members
        deprived = known & (share > threshold)

    def describe_share(p: int) -> str:
        word = "trên" if deprived[p] else "không quá"
        return (
            f"{format_vn(values[p])}/{format_vn(members[p])} người = "
            f"{format_vn(share[p] * 100, 1)}%, {word} {format_vn(threshold * 100)}%"
        )

    return known, deprived, describe_share


# --- rows of real exports (issue 10) ------------------------------------------------------------

COMMUNE_KEYS = ("ma_xa", "ten_xa")


def _exact_repeats(
    frame: pd.DataFrame, code_check: CodeCheck | None
) -> tuple[np.ndarray, pd.Series]:
    """(mask of rows repeating an earlier row cell for cell, the row each repeats).

    Only rows whose household code occurs more than once can repeat a row, so the
    (costlier) comparison of whole rows runs on those alone. The STT column is left out:
    a household pasted twice has two row numbers."""
    none = np.zeros(len(frame), dtype=bool)
    if frame.empty:
        return none, pd.Series(pd.NA, index=frame.index, dtype=object)
    if code_check is not None:
        candidates = code_check.codes.duplicated(keep=False).to_numpy(dtype=bool)
    else:
        candidates = np.ones(len(frame), dtype=bool)
    first = pd.Series(pd.NA, index=frame.index, dtype=object)
    if not candidates.any():
        return none, first
    # The row number (STT) is the row's place in the list, not the household's content.
    content = frame.drop(columns=[c for c in ROW_NUMBER_KEYS if c in frame.columns])
    sub_dup, sub_first = first_equal_rows(content.loc[candidates])
    repeat = none.copy()
    repeat[np.flatnonzero(candidates)[sub_dup.to_numpy(dtype=bool)]] = True
    first.loc[sub_first.index] = sub_first
    return repeat, first


def commune_keys(frame: pd.DataFrame) -> pd.Series | None:
    """The commune of each row (folded ``ma_xa``, else folded ``ten_xa``), or None when
    the table names no commune. Blank cells give ""."""
    for key in COMMUNE_KEYS:
        if key in frame.columns:
            text = nfc(as_text(frame[key])).fillna("")
            return text.map(lambda v: fold(v) if v else "")
    return None


def _check_codes(
    out: FindingCollector, raw: RawTable, frame: pd.DataFrame, check: CodeCheck
) -> pd.Series:
    """Clean the household codes (``12.0`` → ``12`` with a warning; ``1.2E+11`` rejected),
    then check they are present and unique within each commune. Codes that restart from
    the beginning part-way down (several communes' lists in one file) are said once."""
    codes = nfc(check.codes)
    shown = codes.to_numpy(dtype=object, na_value=None)
    out.add("ma-ho-da-sua", "ma_ho", check.fixed, lambda p: {"code": shown[p]})
    unusable = check.unusable.to_numpy(dtype=bool)
    texts = out.text("ma_ho")
    out.add(
        "ma-ho-hong",
        "ma_ho",
        unusable,
        lambda p: {
            "why": "dạng số mũ như 1,2E+11" if "e" in str(texts[p]).lower() else "có phần thập phân"
        },
    )
    blank = codes.isna().to_numpy(dtype=bool)
    out.add("ma-ho-trong", "ma_ho", blank)
    live = ~blank & ~unusable
    communes = commune_keys(frame)
    if communes is None:
        keyed = codes
    else:
        keyed = communes.astype("string") + "\x1f" + codes.fillna("")
    if not keyed[live].duplicated().any():
        return codes
    group = communes.to_numpy(dtype=object) if communes is not None else np.full(len(frame), "")
    conflict = np.zeros(len(frame), dtype=bool)
    run_starts: list[int] = []  # positions where each list begins (its first row included)
    restarts: list[int] = []
    positions = np.flatnonzero(live)
    for commune in pd.unique(group[live]):
        members = positions[group[positions] == commune]
        starts = restart_positions(codes.iloc[members])
        if starts:
            # Several lists run together: every household still classifies (a class never
            # depends on the code); the codes cannot name them, which is said once.
            run_starts.append(int(members[0]))
            run_starts.extend(int(members[i]) for i in starts)
            restarts.extend(int(members[i]) for i in starts)
            continue
        dup = keyed.iloc[members].duplicated(keep="first").to_numpy()
        conflict[members[dup]] = True
    if restarts:
        rows = ", ".join(raw.row_label(int(out.rows[p])) for p in sorted(run_starts))
        out.add(
            "ma-ho-bat-dau-lai",
            "ma_ho",
            None,
            row=int(out.rows[min(restarts)]),
            where=f"các dòng {rows} (dòng đầu của mỗi danh sách)",
        )
    if conflict.any():
        first_row: dict[object, int] = {}
        for pos in positions:
            first_row.setdefault(keyed.iloc[pos], int(out.rows[pos]))
        out.add(
            "ma-ho-trung",
            "ma_ho",
            conflict,
            lambda p: {"other_row": raw.row_label(first_row[keyed.iloc[p]])},
        )
    return codes


def _check_completeness(
    out: FindingCollector,
    raw: RawTable,
    frame: pd.DataFrame,
    typed: dict[str, pd.Series],
    parsed: dict[str, Parsed],
) -> None:
    """Blank cells the posted list or a rate needs are errors; a missing column is said
    once (a warning: the households still classify, the figure it feeds is not made)."""
    header_row = raw.header_rows[-1] if raw.header_rows else 1
    for key, code, why in (
        ("ho_ten_chu_ho", "ho-ten-trong", "danh sách niêm yết sẽ không có tên chủ hộ."),
        ("thon", "thon-trong", "danh sách niêm yết và báo cáo không chia được theo thôn."),
    ):
        if key in typed:
            out.add(code, key, typed[key].isna().to_numpy(dtype=bool))
        else:
            out.add("thieu-cot", key, None, row=header_row, why=why)
    if "so_nhan_khau" in parsed:
        out.add("nhan-khau-trong", "so_nhan_khau", parsed["so_nhan_khau"].blank)
    else:
        out.add(
            "thieu-cot",
            "so_nhan_khau",
            None,
            row=header_row,
            why="không tính được số nhân khẩu nghèo, cận nghèo và tỷ lệ theo nhân khẩu; chỉ "
            "số người phụ thuộc chỉ đọc được từ dấu ghi ở cột chỉ số.",
        )


def _review_fields(
    out: FindingCollector,
    frame: pd.DataFrame,
    typed: dict[str, pd.Series],
    year: int | None,
    recorded_index: Mapping[str, str] | None,
) -> None:
    """The recorded result (as a class code), the review date (ISO) and the head's sex
    ("Nam"/"Nữ"): read and checked, never a reason to reject a household."""
    if "ket_qua_ra_soat" in frame.columns:
        if recorded_index is None:
            typed.pop("ket_qua_ra_soat", None)
        else:
            codes, unknown = recorded_classes(typed["ket_qua_ra_soat"], recorded_index)
            out.add("ket-qua-khong-ro", "ket_qua_ra_soat", unknown)
            typed["ket_qua_ra_soat"] = codes
    if "ngay_ra_soat" in frame.columns:
        dates, unreadable = review_dates(typed["ngay_ra_soat"])
        shown_year = year if year is not None else "2024"
        out.add("ngay-ra-soat-khong-doc-duoc", "ngay_ra_soat", unreadable, year=shown_year)
        if year is not None:
            iso = dates.to_numpy(dtype=object, na_value=None)
            outside = np.array([v is not None and int(v[:4]) != year for v in iso], dtype=bool)
            out.add(
                "ngay-ra-soat-ngoai-nam",
                "ngay_ra_soat",
                outside,
                lambda p: {"shown": "/".join(reversed(str(iso[p]).split("-")))},
                year=year,
            )
        typed["ngay_ra_soat"] = dates
    if "gioi_tinh_chu_ho" in frame.columns:
        values, unknown = sexes(typed["gioi_tinh_chu_ho"])
        out.add("gioi-tinh-khong-ro", "gioi_tinh_chu_ho", unknown)
        typed["gioi_tinh_chu_ho"] = values


def _sheet_findings(raw: RawTable) -> list[Finding]:
    """A finding for every sheet of the workbook that was not read, placed before the rows
    (row 0: about a whole sheet)."""
    main = raw.parts[0].name if raw.parts else raw.sheet
    return [
        make_finding(
            "sheet-khong-doc",
            sheet=note.name,
            cell=cell_ref(note.name, "A", 1),
            row=0,
            column=None,
            ma_ho=None,
            sheet_name=note.name,
            why=note.reason,
            main=main,
        )
        for note in raw.sheet_notes
    ]
