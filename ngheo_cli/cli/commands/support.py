"""``ngheo support``: the support ledger (import, add, summary, template)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ngheo_cli.cli import console
from ngheo_cli.cli.options import (
    ColumnMap,
    Commune,
    JsonFlag,
    OutDir,
    OutDirOrSummaryOnly,
    Sheet,
    WorkspaceDir,
)
from ngheo_cli.core import fmt

if TYPE_CHECKING:
    from ngheo_cli.core.findings import Finding
    from ngheo_cli.services import support as support_service

app = typer.Typer(
    help="Sổ theo dõi hỗ trợ hộ nghèo, cận nghèo: ai đã giúp gì, cho hộ nào, cam kết của "
    "đảng viên và kết quả.",
    no_args_is_help=True,
)

YearOpt = Annotated[int, typer.Option("--year", "-y", help="Năm của các lần hỗ trợ.")]
SHOWN_FINDINGS = 20

# What a finding of `support add` points at: the option to fix.
ADD_OPTIONS = {
    "ngay": "--date", "loai_nguoi": "--giver-kind", "nguoi_ho_tro": "--giver",
    "ma_ho": "--household", "loai": "--kind", "so_luong": "--quantity", "don_vi": "--unit",
    "gia_tri": "--value", "ghi_chu": "--note",
}


def _print_findings(findings: Sequence[Finding]) -> None:
    for f in findings[:SHOWN_FINDINGS]:
        tag = "Lỗi" if f.severity == "error" else "Lưu ý"
        console.err.print(f"  {tag} {f.cell}: {f.message}", markup=False)
    if len(findings) > SHOWN_FINDINGS:
        console.err.print(f"  … và {len(findings) - SHOWN_FINDINGS} thông báo khác (xem --json).")


def _report(result: support_service.ImportResult, as_json: bool) -> int:
    _print_findings(result.findings)
    d = result.to_dict()
    console.err.print(
        f"{d['source']}: {d['rows']} dòng; ghi mới {d['added']}, đã có từ trước "
        f"{d['already_recorded']}, trùng trong tệp {d['duplicates_in_file']}, bị loại "
        f"{d['rejected']} — năm {d['year']}, {d['commune_name']} ({d['commune']}).",
        markup=False,
    )
    if as_json:
        console.emit_json(d)
    return result.exit_code


def import_(
    file: Annotated[Path, typer.Argument(metavar="SỔ_HỖ_TRỢ", help="Sổ hỗ trợ (.xlsx hoặc .csv).")],
    commune: Commune,
    year: YearOpt,
    sheet: Sheet = None,
    column_map: ColumnMap = None,
    workspace: WorkspaceDir = None,
    out: OutDir = None,
    as_json: JsonFlag = False,
) -> int:
    """Nhập sổ hỗ trợ vào kho: kiểm tra từng ô; nhập lại cùng tệp không bị tính hai lần.

    Có ô sai thì ghi <tên sổ>_loi.xlsx: các dòng cần sửa, ô sai tô đỏ kèm cách sửa.

    Ví dụ: ngheo support import sample_data/ho_tro_2024.xlsx --commune 24181 --year 2024
    """
    from ngheo_cli.io.outputs.support import write_support_errors
    from ngheo_cli.services import support as support_service

    ws = support_service.require_workspace(workspace)
    result = support_service.import_support(
        ws, commune, year, file, sheet=sheet, column_map=column_map
    )
    target = out if out is not None else file.parent
    result.outputs = write_support_errors(result, target, file.stem)
    for path in result.outputs:
        console.err.print(f"Đã ghi tệp lỗi (ô sai tô đỏ): {path}", markup=False)
    return _report(result, as_json)


def add(
    commune: Commune,
    year: YearOpt,
    date: Annotated[str, typer.Option("--date", help="Ngày hỗ trợ, dd/mm/yyyy.")],
    giver: Annotated[
        str, typer.Option("--giver", help="Mã đảng viên, hoặc tên chi bộ, cơ quan, quỹ.")
    ],
    household: Annotated[str, typer.Option("--household", help="Mã hộ được hỗ trợ.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="Loại hỗ trợ: tiền, cây giống, vật nuôi, ngày công, nhà ở, thẻ BHYT, vay vốn, "
            "đào tạo nghề, quà, khác.",
        ),
    ],
    giver_kind: Annotated[
        str | None,
        typer.Option(
            "--giver-kind", help="Đảng viên | chi bộ | cơ quan | quỹ | khác (mặc định: tự nhận)."
        ),
    ] = None,
    quantity: Annotated[str | None, typer.Option("--quantity", help="Số lượng.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Đơn vị tính (cây, con, …).")] = None,
    value: Annotated[str | None, typer.Option("--value", help="Giá trị (đồng).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú.")] = None,
    lan: Annotated[
        int,
        typer.Option(
            "--lan",
            min=1,
            help="Lần thứ mấy của cùng một món hỗ trợ: một lần hỗ trợ giống hệt lần đã ghi "
            "(cùng ngày, người hỗ trợ, hộ, loại, số lượng, giá trị) được coi là một, không "
            "tính hai lần; nếu thật sự hỗ trợ hai lần, ghi lần sau với --lan 2 (lần 3: --lan "
            "3…). Ghi chú sẽ có thêm chữ \"lần 2\".",
        ),
    ] = 1,
    workspace: WorkspaceDir = None,
    as_json: JsonFlag = False,
) -> int:
    """Ghi một lần hỗ trợ từ dòng lệnh (kiểm tra như một dòng của sổ).

    Cùng một món hỗ trợ ghi hai lần chỉ được tính một lần; hỗ trợ giống hệt lần thứ hai
    thật sự thì thêm --lan 2.

    Ví dụ: ngheo support add --commune 24181 --year 2024 --date 15/03/2024 --giver 00012345
    --household 01023 --kind "cây giống" --quantity 10
    """
    from ngheo_cli.services import support as support_service

    ws = support_service.require_workspace(workspace)
    result = support_service.add_support(
        ws, commune, year, cell_names=ADD_OPTIONS, ngay=date, loai_nguoi=giver_kind,
        nguoi_ho_tro=giver, ma_ho=household, loai=kind, so_luong=quantity, don_vi=unit,
        gia_tri=value, ghi_chu=note, sequence=lan,
    )
    code = _report(result, as_json)
    if result.already_recorded:
        console.err.print(
            f"Lần hỗ trợ này đã có trong kho nên không ghi thêm. Nếu đây là lần hỗ trợ thứ "
            f"hai giống hệt, hãy chạy lại lệnh với --lan {lan + 1}.",
            markup=False,
        )
    return code


def summary(
    commune: Commune,
    year: YearOpt,
    workspace: WorkspaceDir = None,
    out: OutDirOrSummaryOnly = None,
    as_json: JsonFlag = False,
) -> int:
    """Tổng hợp năm: cam kết từng đảng viên, hộ được hỗ trợ, theo thôn và loại, và so sánh kết quả.

    Ví dụ: ngheo support summary --commune 24181 --year 2024 --out ket_qua
    """
    from ngheo_cli.io.outputs.support import write_support_summary
    from ngheo_cli.services import support as support_service

    ws = support_service.require_workspace(workspace)
    result = support_service.support_summary(ws, commune, year)
    if out is not None:
        result.outputs = write_support_summary(result, out)
    data = result.to_dict()
    console.err.print(render_summary(data), markup=False)
    if as_json:
        console.emit_json(data)
    return 0


def template(
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp mẫu sẽ ghi (.xlsx).")] = Path(
        "mau_ho_tro.xlsx"
    ),
    as_json: JsonFlag = False,
) -> int:
    """Ghi sổ hỗ trợ trống (có danh sách chọn và hướng dẫn) để xã điền.

    Ví dụ: ngheo support template --out mau_ho_tro.xlsx
    """
    from ngheo_cli.io.outputs.support import write_support_book

    write_support_book(out)
    console.err.print(f"Đã ghi sổ hỗ trợ trống: {out}", markup=False)
    if as_json:
        console.emit_json({"outputs": [str(out)]})
    return 0


def render_summary(d: dict[str, Any]) -> str:
    """The summary for a person (built from the same dictionary as --json)."""
    t, m = d["totals"], d["members"]
    lines = [
        f"Hỗ trợ năm {d['year']} — {d['commune_name']} ({d['commune']}): {t['records']} lần, "
        f"{t['households']} hộ, {t['givers']} người/đơn vị hỗ trợ, tổng giá trị "
        f"{fmt.money(t['value_dong'])}.",
    ]
    if m["checked"]:
        lines.append(
            f"  Cam kết đảng viên: {m['met']} đạt, {m['short']} chưa đạt, {m['exempt']} miễn "
            f"(trên {m['members']} đảng viên)."
        )
    for row in d["by_giver_kind"]:
        lines.append(
            f"  {row['loai_nguoi_ten']}: {row['so_lan']} lần, {row['so_ho']} hộ, "
            f"{fmt.money(row['tong_gia_tri'])}"
        )
    if d["outcome"] is not None:
        lines.append("  " + d["outcome"]["sentence"])
    lines += [f"  Lưu ý: {n}" for n in d["notes"]]
    lines += [f"Đã ghi: {p}" for p in d["outputs"]]
    return "\n".join(lines)


def register(root: typer.Typer, guard: Callable[..., Callable[..., None]]) -> None:
    app.command("import")(guard(import_))
    app.command("add")(guard(add))
    app.command("summary")(guard(summary))
    app.command("template")(guard(template))
    root.add_typer(app, name="support")
