"""``ngheo demo``: the whole workflow on the shipped sample data and a small generated province,
one service after another, into one output folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ngheo_cli.cli import console, views
from ngheo_cli.cli.commands.support import render_summary
from ngheo_cli.cli.commands.workspace import render_balance
from ngheo_cli.cli.options import JsonFlag
from ngheo_cli.io.resources import shipped_dir

if TYPE_CHECKING:
    from ngheo_cli.io.workspace import Workspace

DEMO_YEARS = (2023, 2024)
DEMO_CODE, DEMO_NAME, DEMO_KIND = "24181", "Xã Đắk Liêng", "xa"  # the sample commune
# The seed's resolution (huyện Lắk, NQ 14-NQ/HU of 06/9/2023), used here for the sample commune.
_LAK = "Nghị quyết 14-NQ/HU ngày 06/9/2023 của Huyện uỷ Lắk (minh hoạ cho xã mẫu)"
DEMO_TARGETS = [
    {
        "level": "commune",
        "code": "24181",
        "year": year,
        "measure": measure,
        "kind": kind,
        "value": value,
        "source": _LAK,
    }
    for year, measure, kind, value in (
        (2025, "poor_rate", "at_most", 20),
        (2025, "near_poor_rate", "at_most", 11),
        (2030, "poor_rate", "below", 12),
        (2030, "near_poor_rate", "below", 7),
    )
]


def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Thư mục ghi kết quả.")] = Path(
        "demo_out"
    ),
    as_json: JsonFlag = False,
) -> int:
    """Chạy toàn bộ quy trình trên dữ liệu mẫu (xã giả lập Đắk Liêng, hai năm).

    Tạo thư mục làm việc trong OUT, phân loại và lưu hai năm 2023 và 2024, lập bảng
    diễn biến hộ nghèo, cận nghèo năm 2024, phân công đảng viên giúp đỡ hộ, rồi nhập sổ
    hỗ trợ năm 2024 và tổng hợp cam kết, kết quả; cuối cùng lập báo cáo HTML và Excel
    so với chỉ tiêu giảm nghèo 2025 và 2030. Một xã mới (OUT/xa_moi) bắt đầu từ danh sách
    năm 2023 đã công nhận (ngheo record-list) rồi lập diễn biến 2024. Sau đó chạy
    `ngheo batch` trên một tỉnh nhỏ sinh ngẫu nhiên (OUT/tinh_mau): năm 2023, năm 2024, rồi
    lại năm 2024 (không gì đổi: bỏ qua).

    Ví dụ: ngheo demo --out demo_out
    """
    from ngheo_cli.io.outputs.assign import write_assignment
    from ngheo_cli.io.outputs.history import write_history
    from ngheo_cli.io.outputs.report import write_report
    from ngheo_cli.io.outputs.support import write_support_summary
    from ngheo_cli.io.workspace import CommuneConfig, init_workspace, load_workspace, save_workspace
    from ngheo_cli.services import assign as assign_service
    from ngheo_cli.services import classify as classify_service
    from ngheo_cli.services import history as history_service
    from ngheo_cli.services import report as report_service
    from ngheo_cli.services import support as support_service

    data = shipped_dir("sample_data")
    commune = CommuneConfig.create(DEMO_CODE, DEMO_NAME, DEMO_KIND)
    ws = replace(init_workspace(out, "66", "Đắk Lắk", [commune], force=True), targets=DEMO_TARGETS)
    save_workspace(ws)
    for year in DEMO_YEARS:
        survey = data / f"xa_dak_lieng_{year}.xlsx"
        with console.working(f"Đang phân loại năm {year}…"):
            run = classify_service.classify_file(
                survey, year=year, out_dir=out, commune=DEMO_CODE, workspace=ws
            )
        console.err.print(views.classify_summary(run))
        for path in run.outputs:
            console.err.print(f"Đã ghi: {path}", markup=False)
    result = history_service.history(ws, DEMO_CODE, DEMO_YEARS[-1])
    result.outputs = write_history(result, out, "xlsx")
    console.err.print(render_balance(result), markup=False)
    for path in result.outputs:
        console.err.print(f"Đã ghi: {path}", markup=False)
    members = data / "dang_vien_2024.xlsx"
    for year in DEMO_YEARS:  # 2023 first, so that 2024 keeps last year's pairs
        pairing = assign_service.run_assign(ws, DEMO_CODE, year, members_file=members)
        pairing.outputs = write_assignment(pairing, out, "xlsx")
    r = pairing.result
    console.err.print(
        f"Phân công năm {DEMO_YEARS[-1]}: {r.assigned}/{r.households_to_help} hộ có đảng viên "
        f"giúp ({r.assigned_poor}/{r.poor_to_help} hộ nghèo), giữ {r.kept_from_last_year} cặp "
        f"từ năm trước, nhiều nhất {r.max_load} hộ một đảng viên.",
        markup=False,
    )
    for path in pairing.outputs:
        console.err.print(f"Đã ghi: {path}", markup=False)
    year = DEMO_YEARS[-1]
    imported = support_service.import_support(ws, DEMO_CODE, year, data / f"ho_tro_{year}.xlsx")
    summary = support_service.support_summary(ws, DEMO_CODE, year)
    console.err.print(render_summary(summary.to_dict()), markup=False)
    for path in write_support_summary(summary, out):
        console.err.print(f"Đã ghi: {path}", markup=False)
    if imported.findings:
        console.err.print(f"Sổ hỗ trợ mẫu có {len(imported.findings)} ghi chú kiểm tra.")
    report = report_service.build_report(ws, year, commune=DEMO_CODE)
    report_files = write_report(report.context, out)
    for path in report_files:
        console.err.print(f"Đã ghi báo cáo: {path}", markup=False)
    run_demo_recognised(out / "xa_moi", ws, data)
    run_demo_province(out / "tinh_mau")
    # The province's official form set (one row per commune), beside the commune's.
    province = report_service.build_report(load_workspace(out / "tinh_mau"), year, province=True)
    for path in write_report(province.context, out / "tinh_mau"):
        console.err.print(f"Đã ghi báo cáo tỉnh: {path}", markup=False)
    first = next(p for p in report_files if p.suffix == ".html")
    console.err.print(
        f"Xong. Mở trước tiên tệp {first} (báo cáo một trang, mở bằng trình duyệt web); "
        f"sổ kết quả phân loại từng hộ nằm cạnh nó: {run.outputs[0]}. "
        f"Mọi kết quả ở thư mục {out}.",
        markup=False,
    )
    if as_json:
        console.emit_json(
            {"ok": True, "open_first": str(first), "outputs": [str(p) for p in report_files]}
        )
    return 0


def run_demo_province(root: Path, communes: int = 4, households: int = 250) -> None:
    """A small generated province through `ngheo batch`: 2023 then 2024, then 2024 again
    (nothing changed, so every commune is skipped)."""
    from ngheo_cli.batch import discover as batch_discover
    from ngheo_cli.batch import run as batch_run
    from ngheo_cli.io.workspace import CommuneConfig, init_workspace
    from ngheo_cli.sample.generator import generate_province, next_year
    from ngheo_cli.sample.writer import write_messy

    first = list(generate_province(11, communes, households, year=DEMO_YEARS[0]))
    configs = [
        CommuneConfig.create(
            s.commune_code, s.commune_name, "phuong" if s.unit_word == "phường" else "xa"
        )
        for s in first
    ]
    ws = init_workspace(root, "66", "Đắk Lắk (mẫu)", configs, force=True)
    for sample in first:
        later = next_year(sample, 12)
        for data in (sample, later):
            folder = root / "so_lieu" / str(data.year) / data.commune_code
            folder.mkdir(parents=True, exist_ok=True)
            write_messy(data, folder / f"so_ra_soat_{data.year}.xlsx", 11)
    for year in (*DEMO_YEARS, DEMO_YEARS[-1]):
        result = batch_run.run_batch(batch_discover.discover(ws.root, year), jobs=1)
        totals = result.to_dict()["totals"]
        ran = sum(
            v for k, v in totals.items() if k not in ("skipped", "households", "rejected_rows")
        )
        console.err.print(
            f"Batch tỉnh mẫu năm {year}: {ran} xã đã chạy, {totals['skipped']} xã bỏ qua (sổ "
            f"không đổi), {totals['households']} hộ, {len(result.failed)} xã lỗi; mã thoát "
            f"{result.exit_code}; tóm tắt: {result.summary_file}",
            markup=False,
        )


# The words a recognised list uses (the decision's annex), one per class.
_LIST_WORDS = {
    "ngheo": "Hộ nghèo",
    "can_ngheo": "Hộ cận nghèo",
    "trung_binh": "Hộ có mức sống trung bình",
    "khac": "Hộ không nghèo",
    "tren_chuan": "Hộ không nghèo",
}


def run_demo_recognised(root: Path, source: Workspace, data: Path) -> None:
    """A commune on its first day with ngheo: last year's recognised list (made here from the
    sample's 2023 classes, laid out like a provincial export: no income, no marks) recorded
    with `ngheo record-list`, then this year's survey, then this year's balance."""
    from ngheo_cli.io.outputs.history import write_history
    from ngheo_cli.io.workspace import CommuneConfig, init_workspace
    from ngheo_cli.io.xlsx.writer import Column, Sheet, write_workbook
    from ngheo_cli.services import classify as classify_service
    from ngheo_cli.services import history as history_service
    from ngheo_cli.services import recognised as recognised_service

    with source.open_store() as store:
        last = store.load_year(DEMO_CODE, DEMO_YEARS[0])
    listing = last.assign(ket_qua=last["phan_loai"].map(_LIST_WORDS))
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"ds_cong_nhan_{DEMO_YEARS[0]}.xlsx"
    write_workbook(
        path,
        [
            Sheet(
                name="Danh sách",
                frame=listing,
                columns=[
                    Column("ho_ten_chu_ho", "Chủ hộ"),
                    Column("ma_ho", "Mã hộ", "code"),
                    Column("thon", "Thôn"),
                    Column("so_nhan_khau", "Số nhân khẩu", "int"),
                    Column("ket_qua", "Kết quả rà soát"),
                ],
                title_rows=[f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {DEMO_YEARS[0]} (mẫu)"],
            )
        ],
    )
    commune = CommuneConfig.create(DEMO_CODE, DEMO_NAME, DEMO_KIND)
    ws = init_workspace(root, "66", "Đắk Lắk", [commune], force=True)
    recorded = recognised_service.record_list(
        path,
        commune=DEMO_CODE,
        year=DEMO_YEARS[0],
        workspace=ws,
        decision_no="123/QĐ-UBND",
        decision_date=f"20/12/{DEMO_YEARS[0]}",
        out_dir=root,
    )
    classify_service.classify_file(
        data / f"xa_dak_lieng_{DEMO_YEARS[1]}.xlsx",
        year=DEMO_YEARS[1],
        out_dir=root,
        commune=DEMO_CODE,
        workspace=ws,
    )
    result = history_service.history(ws, DEMO_CODE, DEMO_YEARS[1])
    result.outputs = write_history(result, root, "xlsx")
    poor = result.balances["poor"].iloc[-1]
    console.err.print(
        f"Xã mới bắt đầu từ danh sách đã công nhận năm {DEMO_YEARS[0]} "
        f"({len(recorded.result.households)} hộ, ngheo record-list): diễn biến hộ nghèo năm "
        f"{DEMO_YEARS[1]} từ {poor['ho_1']} hộ đầu kỳ đến {poor['ho_9']} hộ cuối kỳ.",
        markup=False,
    )
    for path_out in result.outputs:
        console.err.print(f"Đã ghi: {path_out}", markup=False)
