"""A recognised list (danh sách hộ nghèo, cận nghèo đã được công nhận) as a year of households.

A commune that starts with ngheo has last year's list: the export or the annex of the
chairperson's decision, with each household's code, head, village and *recognised* class
("Hộ nghèo", "Hộ cận nghèo", "Hộ không nghèo"…), usually without incomes, scores or
indicator marks. :func:`read_recognised` turns such a table into the typed households a
store year holds (``phan_loai`` = the recognised class), and says, cell by cell, what it
could not use. Nothing is computed: the class is the one the list recognised.

Every row ends up recorded, or as a finding with its cell:

- the class comes from the recorded-result column (``ket_qua_ra_soat``), matched through
  the vocabulary (:mod:`.recorded`); a blank or unknown label rejects the row;
- codes are cleaned by :func:`.codes.normalize_codes` (``12.0`` → ``12``, a warning; a code
  Excel turned into ``1.2E+11`` rejects the row);
- a row that repeats another cell for cell (after the code is cleaned) is the same
  household typed or exported twice: one household, and a warning on the repeat;
- the same code on rows that differ is a conflict nobody can settle here: every such row
  is rejected, naming the others.

:func:`class_changes` compares a recognised year with a computed classification of the same
households (a later import of the same year, or scores in the same file).

Pure: DataFrames in, DataFrames out; never reads files, never prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ngheo_cli.core.codes import ROW_NUMBER_KEYS, first_equal_rows, normalize_codes
from ngheo_cli.core.collector import FindingCollector
from ngheo_cli.core.findings import Finding, FindingsMixin
from ngheo_cli.core.parse import as_text, ethnic_minority, parse_area, parse_count, parse_mark
from ngheo_cli.core.recorded import recorded_classes
from ngheo_cli.core.schema import CLASS_LABELS, CLASS_ORDER, FIELD_BY_KEY
from ngheo_cli.core.table import RawTable, SkippedRow

#: The column the recognised class is read from.
CLASS_KEY = "ket_qua_ra_soat"
#: Yes/no flags the official forms count by, kept as the list gives them.
FLAG_KEYS: tuple[str, ...] = (
    "dan_toc_tai_cho",
    "khong_kha_nang_lao_dong",
    "co_nguoi_co_cong",
    "nlnn",
)
TEXT_KEYS: tuple[str, ...] = (
    "ho_ten_chu_ho",
    "thon",
    "dan_toc",
    "gioi_tinh_chu_ho",
    "nguyen_nhan",
    "nhu_cau",
)
#: The words an officer is asked to write (messages only; matching uses the vocabulary).
CLASS_CHOICES = "Hộ nghèo, Hộ cận nghèo, Hộ có mức sống trung bình, Hộ không nghèo"
#: What a recorded year cannot give, said wherever a figure would need it.
RECORDED_NOTE = "năm {year} ghi nhận theo danh sách đã công nhận, không có số liệu chỉ số thiếu hụt"
# A computed "tren_chuan" (Điểm A above the line) agrees with either class above the line.
_ABOVE = frozenset({"trung_binh", "khac", "tren_chuan"})


def recorded_note(year: int, decision_no: str | None = None) -> str:
    """The sentence every output uses for a year recorded from a list (capitalised)."""
    text = RECORDED_NOTE.format(year=year)
    if decision_no:
        text = text.replace("đã công nhận", f"đã công nhận (quyết định số {decision_no})")
    return text[0].upper() + text[1:] + "."


@dataclass
class RecognisedList(FindingsMixin):
    """What :func:`read_recognised` makes of a list.

    ``households``: one row per recorded household (index = Excel row), with ``ma_ho``,
    ``phan_loai`` and ``ket_qua_ra_soat`` (the recognised class code), ``khu_vuc``,
    ``is_dtts`` and every text, count and flag column the list had. ``rejected``: rows with
    an error, as the raw text. ``duplicates``: Excel rows that repeat an earlier row.
    ``input_rows`` = recorded + rejected + duplicates.
    """

    source: str
    sheet: str
    year: int
    raw: RawTable
    households: pd.DataFrame
    rejected: pd.DataFrame
    findings: list[Finding]
    duplicates: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[SkippedRow]:
        return self.raw.skipped

    @property
    def input_rows(self) -> int:
        return len(self.households) + len(self.rejected) + len(self.duplicates)

    def _classes(self) -> list[str]:
        # "tren_chuan" only appears when the list itself says so (a list ngheo wrote).
        present = set(self.households["phan_loai"].dropna())
        return [c for c in CLASS_ORDER if c != "tren_chuan" or c in present]

    def counts(self) -> dict[str, int]:
        values = self.households["phan_loai"].value_counts()
        return {c: int(values.get(c, 0)) for c in self._classes()}

    def persons(self) -> dict[str, int]:
        if "so_nhan_khau" not in self.households.columns:
            return {}
        sizes = pd.to_numeric(self.households["so_nhan_khau"]).fillna(0)
        by = sizes.groupby(self.households["phan_loai"].to_numpy()).sum()
        return {c: int(by.get(c, 0)) for c in self._classes()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sheet": self.sheet,
            "year": self.year,
            "input_rows": self.input_rows,
            "households": len(self.households),
            "counts": self.counts(),
            "persons": self.persons(),
            "duplicate_rows": list(self.duplicates),
            "rejected_rows": len(self.rejected),
            "rejected": [f.brief() for f in self.errors],
            "warnings": [f.brief() for f in self.warnings],
            "skipped": [
                {"row": s.row, "reason": s.reason, "text": s.text} for s in self.raw.skipped
            ],
            "notes": list(self.notes),
        }


def read_recognised(
    raw: RawTable,
    class_index: Mapping[str, str],
    year: int,
    *,
    area: str | None = None,
) -> RecognisedList:
    """The households of a recognised list (see the module doc).

    ``class_index``: folded label → class code (``io.rulesets.recorded_class_index()``).
    ``area``: khu vực for rows without one (the commune's, from ngheo.yaml).
    """
    frame = raw.frame
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
    # The same table in row order: every other field (the Excel error cells among them) kept.
    raw_view = replace(raw, frame=frame)
    n = len(frame)
    out = FindingCollector(raw_view, frame, FIELD_BY_KEY)
    notes: list[str] = []

    # 1. Codes: cleaned, or unusable.
    if "ma_ho" in frame.columns:
        check = normalize_codes(frame["ma_ho"])
        codes = check.codes
        out.add("ma-ho-trong", "ma_ho", codes.isna().to_numpy())
        out.add(
            "ds-ma-ho-da-sua",
            "ma_ho",
            check.fixed.to_numpy(),
            lambda p: {"code": codes.iloc[p]},
        )
        out.add("ds-ma-ho-khong-dung-duoc", "ma_ho", check.unusable.to_numpy())
        usable_code = (codes.notna() & ~check.unusable).to_numpy()
    else:
        codes = pd.Series(pd.array([pd.NA] * n, dtype="string"), index=frame.index)
        out.add("ma-ho-trong", "ma_ho", np.ones(n, dtype=bool))
        usable_code = np.zeros(n, dtype=bool)

    # 2. The same household twice (cell for cell, once the code is cleaned), and the same
    #    code on different rows: one household + a warning, or a conflict on every row.
    # A serial number (STT) differs between two exports of the same row: not compared.
    compared = frame.drop(columns=[c for c in ROW_NUMBER_KEYS if c in frame.columns])
    compared = compared.assign(ma_ho=codes) if n else compared
    equal, first_of = first_equal_rows(compared)
    repeat = equal.to_numpy(dtype=bool) & usable_code
    out.add(
        "ds-dong-trung",
        None,
        repeat,
        lambda p: {"other_row": int(first_of.iloc[p])},
    )
    keep = usable_code & ~repeat
    kept_codes = codes.where(keep)
    clash = kept_codes.duplicated(keep=False).to_numpy() & keep
    if clash.any():
        rows_of = (
            pd.Series(frame.index.to_numpy()[clash], index=kept_codes[clash].to_numpy())
            .groupby(level=0)
            .agg(lambda r: ", ".join(str(x) for x in r))
        )
        out.add(
            "ds-ma-ho-trung-khac",
            "ma_ho",
            clash,
            lambda p: {"code": codes.iloc[p], "rows": rows_of[codes.iloc[p]]},
        )

    # 3. The recognised class.
    typed: dict[str, pd.Series] = {"ma_ho": codes}
    if CLASS_KEY in frame.columns:
        classes, unknown = recorded_classes(frame[CLASS_KEY], class_index)
        out.add(
            "ds-ket-qua-trong",
            CLASS_KEY,
            (classes.isna() & ~unknown).to_numpy(),
            choices=CLASS_CHOICES,
        )
        out.add("ds-ket-qua-khong-ro", CLASS_KEY, unknown.to_numpy(), choices=CLASS_CHOICES)
    else:
        classes = pd.Series(pd.array([pd.NA] * n, dtype="string"), index=frame.index)
        out.add("ds-ket-qua-trong", CLASS_KEY, np.ones(n, dtype=bool), choices=CLASS_CHOICES)
    typed["phan_loai"] = classes
    typed[CLASS_KEY] = classes

    # 4. The household as the reader reads it: size, khu vực, flags, text.
    if "so_nhan_khau" in frame.columns:
        size = parse_count(frame["so_nhan_khau"])
        out.parse_errors("so_nhan_khau", size, example="4")
        values = size.values
        too_few = (values.notna() & (values < 1)).fillna(False).to_numpy(dtype=bool)
        out.add("nhan-khau-khong-hop-le", "so_nhan_khau", too_few)
        out.add("ds-thieu-nhan-khau", "so_nhan_khau", size.blank.to_numpy())
        typed["so_nhan_khau"] = values.where(~too_few)
    else:
        notes.append(
            "Danh sách không có cột Số nhân khẩu: bảng diễn biến theo nhân khẩu sẽ thiếu số "
            "khẩu của năm này."
        )
    default_area = area
    if "khu_vuc" in frame.columns:
        parsed_area = parse_area(frame["khu_vuc"])
        out.parse_errors("khu_vuc", parsed_area)
        khu_vuc = parsed_area.values.copy()
        if default_area is not None:
            khu_vuc[parsed_area.blank.to_numpy()] = default_area
    else:
        khu_vuc = pd.Series(pd.array([default_area] * n, dtype="string"), index=frame.index)
    typed["khu_vuc"] = khu_vuc
    for key in FLAG_KEYS:
        if key in frame.columns:
            mark = parse_mark(frame[key])
            out.parse_errors(key, mark, renames={"danh-dau-khong-ro": "ds-danh-dau-khong-ro"})
            typed[key] = mark.values
    for key in TEXT_KEYS:
        if key in frame.columns:
            typed[key] = as_text(frame[key]).astype("string")
    if "dan_toc" in frame.columns:
        typed["is_dtts"] = ethnic_minority(frame["dan_toc"])
    else:
        typed["is_dtts"] = pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=frame.index)
    if "dan_toc_tai_cho" in typed:
        # "Dân tộc tại chỗ" (local ethnic minority, e.g. Ê Đê, M'nông in Tây Nguyên) is a
        # minority by definition: a list that gives only this mark still counts DTTS.
        local = typed["dan_toc_tai_cho"].fillna(False).to_numpy(dtype=bool)
        typed["is_dtts"] = typed["is_dtts"].mask(local & typed["is_dtts"].isna().to_numpy(), True)

    table = pd.DataFrame(typed, index=frame.index)
    bad = out.bad
    take = ~bad & ~repeat
    return RecognisedList(
        source=raw.source,
        sheet=raw.sheet,
        year=year,
        raw=raw_view,
        households=table.loc[take],
        rejected=frame.loc[frame.index[bad]],
        findings=out.sorted_findings(),
        duplicates=[int(r) for r in frame.index[repeat & ~bad]],
        notes=notes,
    )


# --- recognised vs computed ------------------------------------------------------------------


@dataclass
class ClassChanges:
    """Households whose computed class differs from the recognised one.

    ``changes``: ``ma_ho``, ``ho_ten_chu_ho``, ``thon``, ``cong_nhan`` (recognised class
    code), ``tinh_toan`` (computed class code), in the recognised list's order.
    """

    year: int
    compared: int
    changes: pd.DataFrame
    only_recognised: int
    only_computed: int
    kept: bool = True  # the recognised year stays in the store

    def to_dict(self) -> dict[str, Any]:
        pairs = (
            (self.changes["cong_nhan"] + "→" + self.changes["tinh_toan"]).value_counts()
            if len(self.changes)
            else pd.Series(dtype="int64")
        )
        return {
            "year": self.year,
            "kept": self.kept,
            "compared": self.compared,
            "changed": len(self.changes),
            "only_recognised": self.only_recognised,
            "only_computed": self.only_computed,
            "by_change": {str(k): int(v) for k, v in sorted(pairs.items())},
            "changes": [
                {k: (None if pd.isna(v) else v) for k, v in row.items()}
                for row in self.changes.astype(object).to_dict("records")
            ],
        }

    def lines(self, limit: int = 20) -> list[str]:
        """Vietnamese lines for the terminal: one per household, at most ``limit``."""
        out = []
        for row in self.changes.head(limit).itertuples(index=False):
            head = "" if pd.isna(row.ho_ten_chu_ho) else f" ({row.ho_ten_chu_ho})"
            out.append(
                f"  {row.ma_ho}{head}: {CLASS_LABELS[row.cong_nhan]} → "
                f"{CLASS_LABELS[row.tinh_toan]}"
            )
        if len(self.changes) > limit:
            out.append(f"  … và {len(self.changes) - limit} hộ khác (xem --json).")
        return out


def class_changes(recognised: pd.DataFrame, computed: pd.DataFrame, year: int) -> ClassChanges:
    """Compare the recognised class with a computed one, household by household (by code).

    A computed ``tren_chuan`` (Điểm A above the line, middle band unknown) agrees with a
    recognised ``trung_binh`` or ``khac``.
    """
    rec = recognised.assign(ma_ho=recognised["ma_ho"].astype("string")).drop_duplicates("ma_ho")
    comp = computed.assign(ma_ho=computed["ma_ho"].astype("string")).drop_duplicates("ma_ho")
    comp_class = pd.Series(
        comp["phan_loai"].astype("string").to_numpy(), index=pd.Index(comp["ma_ho"].to_numpy())
    )
    both = rec["ma_ho"].isin(comp_class.index).to_numpy()
    part = rec[both]
    before = part["phan_loai"].astype("string").to_numpy(dtype=object)
    after = comp_class.reindex(part["ma_ho"].to_numpy()).to_numpy(dtype=object)
    same = before == after
    above = np.isin(before, list(_ABOVE)) & np.isin(after, list(_ABOVE))
    differ = ~(same | above)
    changed = part[differ]

    def column(key: str) -> pd.api.extensions.ExtensionArray:
        if key in changed.columns:
            return changed[key].astype("string").array
        if key in comp.columns:
            lookup = pd.Series(comp[key].astype("string").to_numpy(), index=comp_class.index)
            return pd.array(lookup.reindex(changed["ma_ho"].to_numpy()).to_numpy(), "string")
        return pd.array([pd.NA] * len(changed), dtype="string")

    changes = pd.DataFrame(
        {
            "ma_ho": changed["ma_ho"].astype("string").array,
            "ho_ten_chu_ho": column("ho_ten_chu_ho"),
            "thon": column("thon"),
            "cong_nhan": pd.array(before[differ], dtype="string"),
            "tinh_toan": pd.array(after[differ], dtype="string"),
        }
    )
    return ClassChanges(
        year=year,
        compared=int(both.sum()),
        changes=changes,
        only_recognised=int((~both).sum()),
        only_computed=int((~comp["ma_ho"].isin(rec["ma_ho"])).sum()),
    )
