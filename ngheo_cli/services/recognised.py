"""Record a year from a recognised list (``ngheo record-list``), and compare it with a
computed classification of the same year.

A commune's first year with ngheo starts from last year's list of poor and near-poor
households as the chairperson's decision recognised them. :func:`record_list` reads that
list (:func:`core.recognised.read_recognised`), stores it as the commune's year marked
``origin='recorded'`` with the decision's number and date, writes an error workbook when
some rows could not be used, and, when the same file also carries incomes or scores, says
which households a computation would class differently (the list is what gets recorded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ngheo_cli.core.recognised import (
    CLASS_KEY,
    ClassChanges,
    RecognisedList,
    class_changes,
    read_recognised,
)
from ngheo_cli.core.results import classify_table
from ngheo_cli.errors import InputError, UsageError
from ngheo_cli.io import rulesets
from ngheo_cli.io.atomic import StagedOutputs, sha256_file
from ngheo_cli.io.outputs.classify import error_sheets
from ngheo_cli.io.read.workbook import load_column_map, read_table
from ngheo_cli.io.store import RunInfo, Store, StoredRun
from ngheo_cli.io.workspace import CommuneConfig, Workspace
from ngheo_cli.io.xlsx.writer import write_workbook
from ngheo_cli.services.classify import output_errors

_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),
)


def parse_decision_date(text: str | None) -> str | None:
    """``dd/mm/yyyy`` (also ``.`` or ``-``) or ``yyyy-mm-dd`` → ISO ``yyyy-mm-dd``."""
    if text is None or not text.strip():
        return None
    for form in _DATE_FORMS:
        m = form.match(text.strip())
        if m is None:
            continue
        try:
            return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
        except ValueError:
            break
    raise UsageError(
        f'Ngày quyết định "{text}" không đọc được.',
        hint="Ghi dạng ngày/tháng/năm, ví dụ --decision-date 20/12/2023.",
    )


@dataclass
class RecognisedRun:
    """A recorded list: what was read, what the store now holds, and the files written."""

    result: RecognisedList
    commune: CommuneConfig
    input_path: Path
    input_sha256: str
    standard: str
    decision_no: str | None = None
    decision_date: str | None = None
    recorded: dict[str, Any] | None = None
    replaced: dict[str, Any] | None = None  # the run the year held before, if any
    computed: ClassChanges | None = None  # the same file's scores, classified
    computed_note: str | None = None  # why the scores in the file could not be compared
    outputs: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 every row recorded (duplicates included) · 1 some rows rejected."""
        return 1 if len(self.result.rejected) else 0

    def to_dict(self) -> dict[str, Any]:
        out = self.result.to_dict()
        out.update(
            {
                "origin": "recorded",
                "commune": self.commune.code,
                "commune_name": self.commune.name,
                "standard": self.standard,
                "decision_no": self.decision_no,
                "decision_date": self.decision_date,
                "input_sha256": self.input_sha256,
                "recorded": self.recorded,
                "replaced": self.replaced,
                "computed": None if self.computed is None else self.computed.to_dict(),
                "computed_note": self.computed_note,
                "outputs": [str(p) for p in self.outputs],
            }
        )
        return out


def _run_summary(run: StoredRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "run_id": run.id,
        "origin": run.origin,
        "source": run.source,
        "households": run.households,
        "recorded_at": run.recorded_at,
        "decision_no": run.decision_no,
        "decision_date": run.decision_date,
    }


def _scores_in_file(
    raw: Any, ruleset: Any, year: int, area: str, households: pd.DataFrame
) -> tuple[ClassChanges | None, str | None]:
    """When the list also carries incomes or scores: the computed class of each household,
    compared with the recognised one; else (None, why) or (None, None) without scores."""
    if not {"thu_nhap_binh_quan", "diem_a"} & set(raw.frame.columns):
        return None, None
    try:
        computed = classify_table(raw, ruleset, year, area=area)
    except InputError as exc:
        return None, (
            "Tệp có cột thu nhập hoặc điểm nhưng không đủ để tự phân loại nên chưa so sánh "
            f"được với kết quả đã công nhận: {exc.message}"
        )
    frame = computed.households.assign(
        ma_ho=computed.households["ma_ho"]
        .astype("string")
        .str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
    )
    return class_changes(households, frame, year), None


def record_list(
    path: Path,
    *,
    commune: str,
    year: int,
    workspace: Workspace,
    decision_no: str | None = None,
    decision_date: str | None = None,
    sheet: str | None = None,
    column_map: Path | None = None,
    out_dir: Path | None = None,
    write: bool = True,
) -> RecognisedRun:
    """Read a recognised list and store it as ``commune``'s ``year`` (replacing the year).

    The year's standard is the one in force that year (the list was made under it). The
    stored run is ``origin='recorded'`` with ``decision_no`` and ``decision_date`` (ISO).
    Nothing is stored when no row can be used (:class:`InputError`, exit 3).
    """
    cfg = workspace.commune(commune)
    ruleset = rulesets.resolve(year)
    when = parse_decision_date(decision_date)
    number = decision_no.strip() if decision_no and decision_no.strip() else None
    mapping = load_column_map(column_map) if column_map is not None else None
    raw = read_table(
        path,
        required=("ma_ho", CLASS_KEY),
        sheet=sheet,
        column_map=mapping,
        display_name=path.name,
    )
    result = read_recognised(raw, rulesets.recorded_class_index(), year, area=cfg.khu_vuc)
    run = RecognisedRun(
        result=result,
        commune=cfg,
        input_path=path,
        input_sha256=sha256_file(path),
        standard=ruleset.id,
        decision_no=number,
        decision_date=when,
    )
    run.computed, run.computed_note = _scores_in_file(
        raw, ruleset, year, cfg.khu_vuc, result.households
    )
    if write:
        target = out_dir if out_dir is not None else path.parent
        with output_errors(target):
            run.outputs = write_error_workbook(result, target, path.stem)
    info = RunInfo(
        standard=ruleset.id,
        source=path.name,
        input_sha256=run.input_sha256,
        rejected=len(result.rejected),
        indicators=(),
        origin="recorded",
        decision_no=number,
        decision_date=when,
    )
    with workspace.open_store() as store:
        run.replaced = _run_summary(store.year_run(cfg.code, year))
        run_id = store.record_year(cfg.code, year, result.households, info)
    run.recorded = {
        "commune": cfg.code,
        "year": year,
        "run_id": run_id,
        "store": str(workspace.store_path),
        "origin": "recorded",
    }
    return run


def write_error_workbook(result: RecognisedList, out_dir: Path, stem: str) -> list[Path]:
    """``<stem>_loi.xlsx`` with the rows to fix, like classify's; a stale one is removed
    when this run finds nothing."""
    path = out_dir / f"{stem}_loi.xlsx"
    if not result.findings:
        if path.exists():
            path.unlink()
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    props = {"title": f"Danh sách đã công nhận năm {result.year}: dòng cần sửa", "author": "ngheo"}
    with StagedOutputs() as staged:
        write_workbook(staged.stage(path), error_sheets(result), properties=props)  # type: ignore[arg-type]
    return [path]


def recorded_years(store: Store, commune: str, years: list[int]) -> dict[int, StoredRun]:
    """The years among ``years`` that were recorded from a recognised list."""
    out = {}
    for y in years:
        run = store.year_run(commune, y)
        if run is not None and run.origin == "recorded":
            out[y] = run
    return out
