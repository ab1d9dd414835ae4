"""Poverty standards as validated data.

A standard (rule set) is a YAML file inside the package (``ngheo_cli/rulesets``), or a
local file that ``extends`` one of them with a province's own values. This module holds
the model and the pure logic (merge, validation, choosing by year); reading the files
is :mod:`ngheo_cli.io.rulesets`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ngheo_cli.core.schema import FIELD_BY_KEY, INDICATOR_KEYS
from ngheo_cli.core.validation_vi import error_sentence, location
from ngheo_cli.errors import RulesetError, UsageError

Certainty = Literal["V", "P", "U"]
AREAS: tuple[str, ...] = ("nong_thon", "thanh_thi")

CERTAINTY_LABELS: dict[str, str] = {
    "V": "đã đối chiếu văn bản chính thức",
    "P": "mới thấy một phần (bị cắt hoặc chỉ trong dự thảo)",
    "U": "chưa đối chiếu văn bản gốc",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    """A number with its legal source and how sure we are of it."""

    value: float
    source: str
    certainty: Certainty
    note: str | None = None


class ByArea(_Strict):
    nong_thon: Sourced
    thanh_thi: Sourced

    def get(self, area: str) -> Sourced:
        return self.nong_thon if area == "nong_thon" else self.thanh_thi


class Years(_Strict):
    from_: int = Field(alias="from")
    to: int

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class YearsSource(_Strict):
    source: str
    certainty: Certainty


class ScoreRange(_Strict):
    """Plausibility bound of Điểm A: no legal basis, only catches mistyped scores."""

    low: float
    high: float
    note: str = "Giới hạn kiểm tra tính hợp lý của chương trình, không phải quy định pháp luật"


class ScoreRoute(_Strict):
    source: str
    points_per_deprivation: Sourced
    score_a_line: ByArea
    poor_min_score_b: Sourced
    score_a_range: ScoreRange = ScoreRange(low=0, high=1000)


class Measure(_Strict):
    """A raw measure that decides the indicator where the workbook carries it."""

    kind: Literal["below", "share_of_members_above"]
    field: str
    threshold: Sourced


class Indicator(_Strict):
    id: str
    name: str
    dimension: str
    deprived_when: str
    source: str
    certainty: Certainty
    measure: Measure | None = None
    note: str | None = None


class HeaderNames(_Strict):
    """How a standard's columns are named in workbooks (``headers:`` of a rules file, and
    ``rulesets/headers/common.yaml``). See :mod:`ngheo_cli.core.headers`."""

    aliases: dict[str, tuple[str, ...]] = {}
    abbreviations: dict[str, tuple[str, ...]] = {}
    fillers: tuple[str, ...] = ()
    positional_prefixes: tuple[str, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _known_keys(self) -> HeaderNames:
        unknown = sorted(k for k in self.aliases if k not in FIELD_BY_KEY)
        if unknown:
            raise ValueError(f"headers.aliases: unknown column keys {unknown}")
        return self


class Bound(_Strict):
    """The most a cell can sensibly hold (not a threshold of the standard): past it the
    value is a typing or export error, rejected with its cell, never classified."""

    max: float
    note: str


class Ruleset(_Strict):
    id: str
    format_version: Literal[1]
    title: str
    legal_basis: str
    valid_years: Years
    valid_years_source: YearsSource
    income_line: ByArea
    middle_band_upper: ByArea | None
    middle_band_note: str | None = None
    poor_min_deprivations: Sourced
    score_route: ScoreRoute | None
    dimensions: dict[str, str]
    indicators: tuple[Indicator, ...]
    extends: str | None = None
    local_note: str | None = None
    headers: HeaderNames = HeaderNames()
    bounds: dict[str, Bound] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Ruleset:
        ids = [i.id for i in self.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError("indicators: có mã chỉ số bị lặp")
        strange = [k for k in self.bounds if k not in FIELD_BY_KEY]
        if strange:
            raise ValueError(f"bounds: cột không có: {strange}")
        unknown = [i for i in ids if i not in INDICATOR_KEYS]
        if unknown:
            raise ValueError(
                f"indicators: mã chỉ số không có: {unknown} (các mã có: {list(INDICATOR_KEYS)})"
            )
        for ind in self.indicators:
            if ind.dimension not in self.dimensions:
                raise ValueError(f"chỉ số {ind.id}: không có chiều {ind.dimension!r}")
            if ind.measure is not None and ind.measure.field not in FIELD_BY_KEY:
                raise ValueError(f"chỉ số {ind.id}: không có cột đo {ind.measure.field!r}")
        k = self.poor_min_deprivations.value
        if not (1 <= k <= len(ids)) or k != int(k):
            raise ValueError(
                "poor_min_deprivations: phải là số nguyên từ 1 đến số chỉ số thiếu hụt"
            )
        for area in AREAS:
            line = self.income_line.get(area).value
            if line <= 0:
                raise ValueError(f"income_line.{area}.value: chuẩn thu nhập phải lớn hơn 0")
            if (
                self.middle_band_upper is not None
                and self.middle_band_upper.get(area).value <= line
            ):
                raise ValueError(
                    f"middle_band_upper.{area}.value: mức sống trung bình phải cao hơn chuẩn nghèo"
                )
        if self.valid_years.from_ > self.valid_years.to:
            raise ValueError("valid_years: năm bắt đầu (from) sau năm kết thúc (to)")
        return self

    # --- derived facts ---------------------------------------------------------------------
    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def min_deprivations(self) -> int:
        return int(self.poor_min_deprivations.value)

    @property
    def af_cutoff(self) -> float:
        """Alkire–Foster cut-off k: equal weights 1/d, poor when deprived in ≥ min of d."""
        return self.min_deprivations / len(self.indicators)

    def covers(self, year: int) -> bool:
        return self.valid_years.from_ <= year <= self.valid_years.to


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (numbers, lists) is replaced by ``over``."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def build_ruleset(data: dict[str, Any], origin: str) -> Ruleset:
    """Validate one (already merged) rules mapping; errors name the file and the field."""
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{location(err)}: {error_sentence(err)}" for err in exc.errors()
        )
        raise RulesetError(
            f"Tệp chuẩn {origin} không hợp lệ: {problems}",
            hint="Hãy sửa tệp theo mẫu trong lệnh `ngheo rules show nd07-2021`.",
        ) from None


def pick_for_year(rulesets: Mapping[str, Ruleset], year: int) -> Ruleset:
    """The national standard of a survey year (2026 is still NĐ 07/2021: transitional rule)."""
    national = [r for r in rulesets.values() if r.extends is None and r.covers(year)]
    if not national:
        spans = ", ".join(
            f"{r.id} ({r.valid_years.from_}–{r.valid_years.to})" for r in rulesets.values()
        )
        raise UsageError(  # a year no standard covers is a wrong option, not a wrong file
            f"Không có chuẩn nghèo nào áp dụng cho năm rà soát {year}.",
            hint=f"Các chuẩn hiện có: {spans}. Dùng --standard để chọn một chuẩn.",
        )
    if len(national) > 1:
        raise RulesetError(
            f"Có nhiều chuẩn cùng áp dụng cho năm {year}: " + ", ".join(r.id for r in national)
        )
    return national[0]
