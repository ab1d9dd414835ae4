"""The library's front door: each function does one command's work and returns data.

The CLI is a thin shell over these; notebooks and batch jobs call them directly.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core.compare import Comparison, compare
from .core.results import ClassificationResult, classify_table
from .core.ruleset import Ruleset
from .errors import OutputError, UsageError
from .io import rulesets
from .io.atomic import sha256_file
from .io.outputs import write_comparison, write_outputs
from .io.store import RunInfo
from .io.workbook import load_column_map, read_table
from .io.workspace import Workspace

AREA_CHOICES = ("nong_thon", "thanh_thi")
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

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
        out["input_sha256"] = self.input_sha256
        if self.comparison is not None:
            out["compare"] = self.comparison.to_dict()
        if self.recorded is not None:
            out["recorded"] = self.recorded
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
    compare_with: str | None = None,
    commune: str | None = None,
    workspace: Workspace | None = None,
    write: bool = True,
) -> ClassifyRun:
    """Read, validate and classify one survey workbook; write its outputs into ``out_dir``.

    Nothing is written when the input cannot be used at all (an exception is raised first).
    ``compare_with``: another standard (id or local file) to classify the same households
    under, for a what-if workbook of who moves between classes and why.
    ``commune`` (with ``workspace``): record the classified households in the working
    folder's store as that commune's year (replacing an earlier import of the same year);
    the commune's area from ngheo.yaml fills blank area cells.
    """
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
        target_commune = workspace.commune(commune)
        area = area or target_commune.khu_vuc
    other = rulesets.resolve(year, compare_with) if compare_with is not None else None
    mapping = load_column_map(column_map) if column_map is not None else None
    raw = read_table(path, sheet=sheet, column_map=mapping, display_name=path.name)
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
    run = ClassifyRun(
        result=result, input_path=path, input_sha256=sha256_file(path), comparison=comparison
    )
    if write:
        target = out_dir if out_dir is not None else path.parent
        with output_errors(target):
            run.outputs = write_outputs(result, target, path.stem, fmt, run.input_sha256)
            if comparison is not None:
                run.outputs.append(write_comparison(comparison, target, path.stem))
    if target_commune is not None and workspace is not None:
        info = RunInfo(
            standard=ruleset.id,
            source=path.name,
            input_sha256=run.input_sha256,
            rejected=len(result.rejected),
            indicators=ruleset.indicator_ids,
        )
        with workspace.open_store() as store:
            run_id = store.record_year(target_commune.code, year, result.households, info)
        run.recorded = {
            "commune": target_commune.code,
            "year": year,
            "run_id": run_id,
            "store": str(workspace.store_path),
        }
    return run


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
            f"Không ghi được kết quả vào {target}: {exc.strerror or exc}.", hint=hint
        ) from None
