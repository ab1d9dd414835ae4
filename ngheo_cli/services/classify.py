"""``ngheo classify`` as a use case: read, validate, classify, write and (with a commune) record
one workbook; returns data.

The CLI is a thin shell over these; notebooks and batch jobs call them directly.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ngheo_cli.core.compare import Comparison, compare
from ngheo_cli.core.gap import COMPARABLE_GAP, GAP_ROUTE, comparable_gap
from ngheo_cli.core.oserror_vi import os_reason
from ngheo_cli.core.recognised import ClassChanges, class_changes
from ngheo_cli.core.results import ClassificationResult, classify_table
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.core.schema import AREA_LABELS
from ngheo_cli.core.table import RawTable
from ngheo_cli.core.validate import commune_keys
from ngheo_cli.errors import InputError, OutputError, RulesetError, UsageError
from ngheo_cli.io import rulesets
from ngheo_cli.io.atomic import sha256_file
from ngheo_cli.io.outputs.classify import write_comparison, write_outputs
from ngheo_cli.io.read.workbook import load_column_map, read_table
from ngheo_cli.io.store import RunInfo
from ngheo_cli.io.workspace import CommuneConfig, Workspace

AREA_CHOICES = ("nong_thon", "thanh_thi")
# ``--commune theo-cot``: record each commune named in the file's commune column.
BY_COLUMN = "theo-cot"
FORMAT_CHOICES = ("xlsx", "csv")


@dataclass
class ClassifyRun:
    """A finished ``classify``: the result, the input's hash and the files written."""

    result: ClassificationResult
    input_path: Path
    input_sha256: str
    outputs: list[Path] = field(default_factory=list)
    comparison: Comparison | None = None
    recorded: dict[str, Any] | None = None  # {"commune", "year", "run_id", "store"} once stored
    #: The year was recorded from a recognised list: the households whose class this
    #: classification would change (the recognised year is kept unless asked to replace it).
    recognised: ClassChanges | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
        out["input_sha256"] = self.input_sha256
        if self.comparison is not None:
            out["compare"] = self.comparison.to_dict()
        if self.recorded is not None:
            out["recorded"] = self.recorded
        if self.recognised is not None:
            out["recognised"] = self.recognised.to_dict()
        out["outputs"] = [str(p) for p in self.outputs]
        return out

    @property
    def exit_code(self) -> int:
        """0 when every row was classified, 1 when some were rejected (see README)."""
        return 1 if len(self.result.rejected) else 0


def choose_ruleset(year: int, standard: str | None) -> Ruleset:
    return rulesets.resolve(year, standard)


def classify_file(
    path: Path,
    *,
    year: int,
    standard: str | None = None,
    area: str | None = None,
    sheet: str | None = None,
    column_map: Path | None = None,
    out_dir: Path | None = None,
    fmt: str = "xlsx",
    headers: str = "ma",
    compare_with: str | None = None,
    commune: str | None = None,
    workspace: Workspace | None = None,
    write: bool = True,
    replace_recognised: bool = False,
    step: Callable[[str], None] | None = None,
    outputs: Collection[str] | None = None,
) -> ClassifyRun:
    """Read, validate and classify one survey workbook; write its outputs into ``out_dir``.

    Nothing is written when the input cannot be used at all (an exception is raised first).
    ``compare_with``: another standard (id or local file) to classify the same households
    under, for a what-if workbook of who moves between classes and why.
    ``commune`` (with ``workspace``): record the classified households in the working
    folder's store as that commune's year (replacing an earlier import of the same year);
    the commune's area from ngheo.yaml fills blank area cells. A year the store holds as
    recorded from a recognised list (``ngheo record-list``) is kept, and ``run.recognised``
    lists the households whose class this classification would change, unless
    ``replace_recognised``.
    ``commune="theo-cot"``
    (:data:`BY_COLUMN`): a district file with a commune column (Mã xã or Xã/Phường) is
    recorded as one year per commune, each in its own transaction, each commune's area
    from its type in ngheo.yaml; a commune the working folder does not know stops the
    run before anything is written.
    ``step`` is told, after each stage (read, classify, write, record), what it counted.
    ``outputs``: which of the result workbook, posting list and HTML summary to write
    (``ket_qua``, ``niem_yet``, ``tom_tat``; a batch's setting); None: all of them.
    """
    step = step or (lambda note: None)
    if area is not None and area not in AREA_CHOICES:
        raise UsageError(
            f"--khu-vuc phải là một trong: {', '.join(AREA_CHOICES)} (đang là {area})."
        )
    if fmt not in FORMAT_CHOICES:
        raise UsageError(
            f"--format phải là một trong: {', '.join(FORMAT_CHOICES)} (đang là {fmt})."
        )
    ruleset = choose_ruleset(year, standard)
    target_commune = None
    if commune is not None:
        if workspace is None:
            raise UsageError("--commune cần một thư mục làm việc (ngheo.yaml): chạy ngheo init.")
        if commune != BY_COLUMN:
            target_commune = workspace.commune(commune)
            area = area or target_commune.khu_vuc
    other = rulesets.resolve(year, compare_with) if compare_with is not None else None
    mapping = load_column_map(column_map) if column_map is not None else None
    raw = read_table(
        path,
        sheet=sheet,
        column_map=mapping,
        display_name=path.name,
        vocabulary=rulesets.header_vocabulary(ruleset),
        all_sheets=True,
    )
    step(f"đã đọc {len(raw.frame):,} dòng".replace(",", "."))
    row_communes: dict[int, CommuneConfig] = {}
    if workspace is not None and commune is not None:
        row_communes = _communes_of_rows(raw, workspace, target_commune)
        if target_commune is None:
            _fill_area_from_communes(raw, row_communes)
    labels = rulesets.recorded_class_index()
    comparison = (
        compare(raw, ruleset, other, year, area=area, recorded_index=labels)
        if other is not None
        else None
    )
    result = (
        comparison.base
        if comparison is not None
        else classify_table(raw, ruleset, year, area=area, recorded_index=labels)
    )
    step(f"đã phân loại {len(result.households):,} hộ".replace(",", "."))
    run = ClassifyRun(
        result=result, input_path=path, input_sha256=sha256_file(path), comparison=comparison
    )
    record: Callable[[], None] | None = None
    if workspace is not None and commune is not None:
        ws = workspace
        codes = [target_commune.code] if target_commune is not None else sorted(
            {c.code for c in row_communes.values()}
        )
        with ws.open_store() as store:
            recognised = [
                code for code in codes
                if (existing := store.year_run(code, year)) is not None
                and existing.origin == "recorded"
            ]
            if recognised and target_commune is not None:
                stored = store.load_year(
                    target_commune.code,
                    year,
                    columns=["ma_ho", "ho_ten_chu_ho", "thon", "phan_loai"],
                )
                run.recognised = class_changes(stored, result.households, year)
                run.recognised.kept = not replace_recognised
        if recognised and target_commune is None and not replace_recognised:
            raise UsageError(
                f"Năm {year} của xã {', '.join(recognised)} đã ghi theo danh sách đã công nhận: "
                "tệp của cả huyện không ghi đè danh sách đó.",
                hint="Phân loại riêng từng xã đó (--commune MÃ_XÃ) để xem hộ nào thay đổi, "
                "hoặc thêm --replace-recognised để ghi đè.",
            )
        if run.recognised is None or not run.recognised.kept:

            def record() -> None:
                run.recorded = _record(run, ws, year, ruleset.id, target_commune, row_communes)
                step("đã lưu vào kho")

    if write:
        # Recorded and written, or neither: the outputs are written to temp files, the year
        # is recorded, and only then do the outputs replace the old ones.
        target = out_dir if out_dir is not None else path.parent
        with output_errors(target):
            run.outputs = write_outputs(
                result,
                target,
                path.stem,
                fmt,
                run.input_sha256,
                headers=headers,
                before_commit=record,
                only=outputs,
            )
            if comparison is not None:
                run.outputs.append(write_comparison(comparison, target, path.stem))
        step(f"đã ghi {len(run.outputs)} tệp")
    elif record is not None:
        record()
    return run


def _communes_of_rows(
    raw: RawTable, workspace: Workspace, target: CommuneConfig | None
) -> dict[int, CommuneConfig]:
    """The commune of every row of a file with a commune column (row key → commune).

    With one commune asked for (``target``), the column must name only that commune.
    Blank cells and communes unknown to ngheo.yaml stop the run, naming the rows."""
    keys = commune_keys(raw.frame)
    if keys is None:
        if target is None:
            raise UsageError(
                f"--commune {BY_COLUMN} cần cột Mã xã hoặc Xã/Phường trong tệp {raw.source}.",
                hint="Thêm cột Mã xã ghi mã xã của từng hộ, hoặc dùng --commune MÃ cho tệp "
                "của một xã.",
            )
        return {}
    column = "ma_xa" if "ma_xa" in raw.frame.columns else "ten_xa"
    texts = raw.frame[column].astype("string")
    found: dict[int, CommuneConfig] = {}
    blank: list[int] = []
    unknown: dict[str, list[int]] = {}
    for row, key, text in zip(raw.frame.index, keys, texts, strict=True):
        if not key:
            blank.append(int(row))
            continue
        match = workspace.find_commune(str(text))
        if match is None:
            unknown.setdefault(str(text).strip(), []).append(int(row))
        else:
            found[int(row)] = match
    if unknown:
        listed = "; ".join(
            f'"{name}" (dòng {_rows(raw, rows)})' for name, rows in sorted(unknown.items())
        )
        known = ", ".join(f"{c.code} ({c.name})" for c in workspace.communes) or "chưa có"
        raise RulesetError(
            f"Tệp {raw.source} có xã không khai báo trong {workspace.config_path}: {listed}.",
            hint=f"Các xã đã khai báo: {known}. Thêm xã vào mục communes của ngheo.yaml "
            "(mã, tên, loại) hoặc sửa lại ô trong tệp.",
        )
    if blank:
        raise InputError(
            f"Tệp {raw.source} có dòng chưa ghi xã ở cột {raw.headers.get(column, column)} "
            f"(dòng {_rows(raw, blank)}): không biết lưu hộ vào xã nào.",
            hint="Ghi mã xã (hoặc tên xã) cho mọi dòng rồi chạy lại.",
        )
    if target is not None:
        others = sorted({c.code for c in found.values() if c.code != target.code})
        if others:
            raise UsageError(
                f"Tệp {raw.source} có hộ của nhiều xã ({target.code}, {', '.join(others)}) "
                f"nhưng --commune chỉ chọn {target.code}.",
                hint=f"Dùng --commune {BY_COLUMN} để lưu mỗi xã thành một năm riêng.",
            )
    return found


def _rows(raw: RawTable, rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(raw.row_label(r) for r in rows[:limit])
    return shown + (f" và {len(rows) - limit} dòng khác" if len(rows) > limit else "")


def _fill_area_from_communes(raw: RawTable, communes: dict[int, CommuneConfig]) -> None:
    """Blank area cells take the area of the row's commune (a phường is urban, a xã rural)."""
    labels = {row: AREA_LABELS[c.khu_vuc] for row, c in communes.items()}
    filled = pd.Series(labels, dtype=object).reindex(raw.frame.index)
    if "khu_vuc" in raw.frame.columns:
        current = raw.frame["khu_vuc"].astype("string").str.strip()
        blank = current.isna() | (current == "")
        raw.frame["khu_vuc"] = raw.frame["khu_vuc"].where(~blank, filled)
    else:
        raw.frame["khu_vuc"] = filled


def _record(
    run: ClassifyRun,
    workspace: Workspace,
    year: int,
    standard: str,
    target: CommuneConfig | None,
    communes: dict[int, CommuneConfig],
) -> dict[str, Any]:
    """Record the classified households: one year per commune, each its own transaction."""
    result = run.result
    restarted = [f for f in result.findings if f.code == "ma-ho-bat-dau-lai"]
    if restarted:
        raise InputError(
            "Không lưu được vào kho: " + restarted[0].message,
            hint="Chưa ghi tệp kết quả nào và chưa lưu gì vào kho; sửa tệp rồi chạy lại.",
        )
    if target is not None:
        groups = {target.code: (target, list(result.households.index), len(result.rejected))}
    else:
        groups = {}
        for row, commune in sorted(communes.items()):
            entry = groups.setdefault(commune.code, (commune, [], 0))
            if row in result.households.index:
                entry[1].append(row)
        rejected = pd.Series(
            [communes[int(r)].code for r in result.rejected.index], dtype=object
        ).value_counts()
        groups = {
            code: (c, rows, int(rejected.get(code, 0))) for code, (c, rows, _) in groups.items()
        }
    recorded: list[dict[str, Any]] = []
    with workspace.open_store() as store:
        for code, (commune, rows, n_rejected) in sorted(groups.items()):
            info = RunInfo(
                standard=standard,
                source=run.input_path.name,
                input_sha256=run.input_sha256,
                rejected=n_rejected,
                indicators=result.ruleset.indicator_ids,
            )
            households = result.households.loc[rows]
            # Rule 1's last tie-break (ngheo assign): the gap to the line in one unit for
            # both routes (đồng; Điểm A read in proportion to its line, core.gap).
            households = households.assign(
                **{
                    COMPARABLE_GAP: comparable_gap(households, result.ruleset),
                    GAP_ROUTE: households["tuyen"],
                }
            )
            run_id = store.record_year(code, year, households, info)
            recorded.append(
                {"commune": code, "name": commune.name, "run_id": run_id, "households": len(rows)}
            )
    return {
        "commune": ", ".join(r["commune"] for r in recorded),
        "year": year,
        "run_id": recorded[0]["run_id"] if len(recorded) == 1 else [r["run_id"] for r in recorded],
        "store": str(workspace.store_path),
        "communes": recorded,
    }


@contextmanager
def output_errors(target: Path) -> Iterator[None]:
    """An OS error while writing outputs, said in Vietnamese with what to do."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, PermissionError):
            hint = "Kiểm tra quyền ghi của thư mục, và đóng tệp kết quả nếu đang mở trong Excel."
        elif exc.errno == errno.ENOSPC:
            hint = "Ổ đĩa đã đầy: giải phóng chỗ trống rồi chạy lại."
        else:
            hint = "Chọn thư mục khác bằng --out."
        raise OutputError(
            f"Không ghi được kết quả vào {target}: {os_reason(exc)}.", hint=hint
        ) from None
