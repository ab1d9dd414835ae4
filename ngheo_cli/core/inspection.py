"""What the reader understood of a workbook, for `ngheo inspect` (pure data, no I/O).

The reader (:func:`ngheo_cli.io.read.workbook.inspect_headers`) fills :class:`SheetHeader` and
:class:`ColumnReport`; :func:`routes` says, for a standard, what each classification route
still lacks. :class:`Inspection` is the whole answer; its ``to_dict()`` is the ``--json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from ngheo_cli.core.headers import Candidate, HeaderMatch
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.schema import FIELD_BY_KEY

ColumnStatus = Literal["used", "duplicate", "uncertain", "ignored", "unknown"]

STATUS_LABELS: dict[str, str] = {
    "used": "dùng",
    "duplicate": "không dùng: trùng khoá",
    "uncertain": "không dùng: đoán chưa chắc",
    "ignored": "không dùng: bỏ qua theo tệp ánh xạ",
    "unknown": "không dùng: không nhận ra",
}


@dataclass(frozen=True)
class ColumnReport:
    """One header cell: its key and how it was matched, or why it is not used."""

    column: str  # Excel letter
    header: str  # header text as shown ("upper / lower" for two-row headers)
    map_text: str  # the text a column map entry must name (first text tried)
    status: ColumnStatus
    key: str | None = None
    label: str | None = None  # the key's canonical label
    method: str | None = None  # core.headers.Method
    score: float | None = None
    matched: str | None = None  # the known name it matched
    detail: str = ""
    how: str = ""  # Vietnamese: how it was matched, or why not used
    candidates: tuple[Candidate, ...] = ()

    @classmethod
    def from_match(
        cls, column: str, header: str, map_text: str, match: HeaderMatch, status: ColumnStatus
    ) -> ColumnReport:
        label = FIELD_BY_KEY[match.key].label if match.key in FIELD_BY_KEY else None
        return cls(
            column=column,
            header=header,
            map_text=map_text,
            status=status,
            key=match.key,
            label=label,
            method=match.method,
            score=match.score,
            matched=match.name,
            detail=match.detail,
            how=match.describe(header.split(" / ")[-1]),
        )


@dataclass(frozen=True)
class SheetHeader:
    """A sheet and the header found on it (if any), with why it was or was not chosen."""

    name: str
    visible: bool
    header_rows: tuple[int, ...] = ()  # Excel row numbers
    key_rows: tuple[int, ...] = ()  # rows of machine keys beside the labels
    score: int = 0  # columns recognised by name in the header
    chosen: bool = False
    reason: str = ""  # Vietnamese


@dataclass(frozen=True)
class Route:
    """One way of classifying: usable, or what it lacks."""

    route: Literal["income", "score", "marks", "area"]
    label: str
    usable: bool
    missing: tuple[str, ...] = ()  # keys
    note: str = ""


@dataclass
class Inspection:
    """Everything `ngheo inspect` shows."""

    source: str
    standard: str
    sheets: list[SheetHeader]
    sheet: str | None
    header_rows: tuple[int, ...]
    key_rows: tuple[int, ...]
    columns: list[ColumnReport]
    rows: list[dict[str, Any]]  # first rows as read: {"dong": n, key: text, …}
    routes: list[Route]
    can_classify: bool
    error: str | None = None
    error_hint: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)  # header text → key used

    @property
    def guesses(self) -> list[ColumnReport]:
        """Columns used on a guess (token, abbreviation, fuzzy): the officer should check."""
        return [c for c in self.columns if c.status == "used" and c.method in _GUESSES]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["guesses"] = [c.column for c in self.guesses]
        return out


_GUESSES = frozenset({"token", "abbreviation", "fuzzy"})


def routes(
    found: set[str], ruleset: Ruleset, *, area_given: bool = False
) -> tuple[list[Route], bool]:
    """What each classification route of ``ruleset`` lacks, given the keys ``found``;
    and whether the file can be classified at all (same rules as the validator)."""
    has_score = ruleset.score_route is not None
    income = Route(
        "income",
        "Thu nhập bình quân (đồng/người/tháng)",
        "thu_nhap_binh_quan" in found,
        () if "thu_nhap_binh_quan" in found else ("thu_nhap_binh_quan",),
    )
    if has_score:
        lacking = tuple(k for k in ("diem_a", "diem_b") if k not in found)
        score = Route(
            "score",
            "Điểm A / Điểm B (Phiếu B1 / B2)",
            not lacking,
            lacking,
            "Điểm A thay cho thu nhập; Điểm B thay cho các cột chỉ số.",
        )
    else:
        score = Route(
            "score",
            "Điểm A / Điểm B (Phiếu B1 / B2)",
            False,
            (),
            f"Chuẩn {ruleset.id} không có cách tính theo điểm: không dùng được.",
        )
    missing_marks = tuple(
        ind.id
        for ind in ruleset.indicators
        if ind.id not in found
        and not (ind.measure is not None and _measure_keys(ind.measure) <= found)
    )
    marks = Route(
        "marks",
        f"Các cột chỉ số thiếu hụt ({len(ruleset.indicators)} chỉ số của {ruleset.id})",
        not missing_marks,
        missing_marks,
    )
    area = Route(
        "area",
        "Khu vực (nông thôn / thành thị)",
        "khu_vuc" in found or area_given,
        () if "khu_vuc" in found or area_given else ("khu_vuc",),
        "" if "khu_vuc" in found else "Có thể cho cả tệp bằng --khu-vuc nong_thon|thanh_thi.",
    )
    income_ok = income.usable or (has_score and "diem_a" in found)
    marks_ok = marks.usable or (has_score and "diem_b" in found)
    if not income.usable and income_ok:
        income = replace(income, note="Không cần: có cột Điểm A (Phiếu B1).")
    if not marks.usable and marks_ok:
        marks = replace(marks, note="Không cần: có cột Điểm B (Phiếu B2).")
    if has_score and not score.usable and income.usable and marks.usable:
        score = replace(score, note="Không cần: đã có thu nhập và đủ các cột chỉ số.")
    can = "ma_ho" in found and income_ok and marks_ok and area.usable
    return [income, score, marks, area], can


def _measure_keys(measure: Any) -> set[str]:
    keys = {measure.field}
    if measure.kind == "share_of_members_above":
        keys.add("so_nhan_khau")
    return keys


def column_map_text(inspection: Inspection) -> str:
    """The mapping an inspection used, as a YAML column map the officer can correct and pass
    back with ``--column-map``: one line per column, ``"header text": key  # how``; columns
    not used are written ``bo_qua`` (change it to a key to use the column)."""
    lines = [
        "# Ánh xạ cột: tên cột trong tệp → khoá chuẩn (do `ngheo inspect` ghi ra).",
        f"# Tệp: {inspection.source} · sheet: {inspection.sheet or '(không có)'} · chuẩn: "
        f"{inspection.standard}.",
        "# Sửa khoá ở bên phải nếu sai; bo_qua = không dùng cột đó. Dùng lại bằng: "
        "ngheo classify TỆP --column-map TỆP_NÀY",
    ]
    seen: set[str] = set()
    for col in inspection.columns:
        if col.map_text in seen:  # two cells with the same text: the first one speaks
            continue
        seen.add(col.map_text)
        key = col.key if col.status == "used" and col.key else "bo_qua"
        note = f"cột {col.column}: "
        note += col.how if col.status == "used" else STATUS_LABELS[col.status]
        if col.status == "uncertain" and col.candidates:
            note += " (" + ", ".join(c.key for c in col.candidates) + ")"
        lines.append(f"{_yaml_string(col.map_text)}: {key}  # {_one_line(note)}")
    return "\n".join(lines) + "\n"


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())
