"""The report's documents: one self-contained HTML file and an Excel workbook in the official
table shapes. Both are laid out from the report dictionary (``Report.context``), so they
show exactly the numbers ``--json`` prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, TemplateError
from markupsafe import Markup

from .. import __version__
from ..core.targets import LEVEL_LABELS
from ..errors import RulesetError
from .atomic import StagedOutputs
from .charts import all_charts
from .templates import environment
from .xlsx_writer import Column, Sheet, write_workbook

TEMPLATE = "bao_cao.html.j2"
SIGNATURE_COMMUNE = ["NGƯỜI LẬP BIỂU", "CÔNG CHỨC VĂN HOÁ – XÃ HỘI", "TM. UBND XÃ\nCHỦ TỊCH"]
SIGNATURE_PROVINCE = ["NGƯỜI LẬP BIỂU", "CƠ QUAN THƯỜNG TRỰC GIẢM NGHÈO", "TM. UBND TỈNH"]


def stem(ctx: Mapping[str, Any]) -> str:
    unit = ctx["unit"]["code"] if ctx["level"] == "commune" else f"tinh_{ctx['unit']['code']}"
    return f"{unit}_{ctx['year']}_bao_cao"


@lru_cache(maxsize=8)
def _environment(template_dir: Path | None) -> Environment:
    """One Jinja environment per template folder and process: the template is compiled once
    (a batch renders one report per commune); Jinja reloads a template whose file changed."""
    return environment(template_dir)


def _render(context: dict[str, Any], template_dir: Path | None) -> str:
    return _environment(template_dir).get_template(TEMPLATE).render(**context)


def render_html(ctx: Mapping[str, Any], template_dir: Path | None = None) -> str:
    """The single-file HTML report (inline CSS and SVG; no script, no external resource)."""
    charts = {k: Markup(v) for k, v in all_charts(ctx).items()}  # our SVG: text escaped
    context = {**ctx, "charts": charts, "version": __version__}
    if template_dir is None:
        return _render(context, None)
    try:
        return _render(context, template_dir)
    except TemplateError as exc:  # the user's template: their mistake, said plainly
        where = f" (dòng {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise RulesetError(
            f"Mẫu báo cáo trong {template_dir} không dùng được{where}: {exc.message or exc}",
            hint='Kế thừa mẫu gốc bằng {% extends "default/bao_cao.html.j2" %} rồi chỉ ghi '
            "các khối cần đổi.",
        ) from None


def _percent_fraction(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The report keeps rates in %; Excel's percent format wants fractions."""
    out = frame.copy()
    for key in keys:
        if key in out.columns:
            out[key] = pd.to_numeric(out[key], errors="coerce") / 100
    return out


def _where(ctx: Mapping[str, Any]) -> str:
    unit = ctx["unit"]
    if ctx["level"] == "commune":
        return f"{unit['name']} ({unit['code']}), tỉnh {unit['province_name']}".upper()
    return f"TỈNH {unit['name']}".upper()


def _frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


def report_sheets(ctx: Mapping[str, Any]) -> list[Sheet]:
    year, where = ctx["year"], _where(ctx)
    signature = SIGNATURE_COMMUNE if ctx["level"] == "commune" else SIGNATURE_PROVINCE
    sub = "Thôn, buôn" if ctx["level"] == "commune" else "Xã, phường"
    standard = ctx["standard"]
    std_note = [f"Chuẩn áp dụng: {standard['id']} ({standard['legal_basis']})."] if standard else []
    notes = std_note + list(ctx["notes"])
    class_cols = ["ngheo", "can_ngheo", "trung_binh", "khac"]
    rate_cols = [f"ty_le_{c}" for c in class_cols]
    unit_keys = ["nhom", "so_ho", "so_nhan_khau"]
    for c in class_cols:
        unit_keys += [c, f"{c}_nhan_khau", f"ty_le_{c}"]
    by_unit = _percent_fraction(_frame(ctx["by_unit"], unit_keys), rate_cols)
    labels = {"ngheo": "Hộ nghèo", "can_ngheo": "Hộ cận nghèo", "trung_binh": "Hộ trung bình",
              "khac": "Hộ khác"}
    unit_columns = [Column("nhom", sub), Column("so_ho", "Tổng số hộ", "int"),
                    Column("so_nhan_khau", "Tổng số nhân khẩu", "int")]
    for c in class_cols:
        unit_columns += [Column(c, f"{labels[c]}: số hộ", "int"),
                         Column(f"{c}_nhan_khau", f"{labels[c]}: nhân khẩu", "int"),
                         Column(f"ty_le_{c}", f"{labels[c]}: % so với tổng số hộ", "percent")]
    sheets = [
        Sheet(
            name="Kết quả rà soát",
            frame=by_unit,
            columns=unit_columns,
            title_rows=[f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {year}", where],
            notes=notes,
            signature=signature,
        )
    ]
    balances = ctx["balances"]
    for kind, title in (("poor", "DIỄN BIẾN HỘ NGHÈO"), ("near_poor", "DIỄN BIẾN HỘ CẬN NGHÈO")):
        rows = balances.get(kind) or []
        sheets.append(Sheet(
            name="Diễn biến hộ nghèo" if kind == "poor" else "Diễn biến hộ cận nghèo",
            frame=_frame(rows, ["line", "label", "households", "persons"]),
            columns=[Column("line", "Dòng", "int"), Column("label", "Chỉ tiêu"),
                     Column("households", "Số hộ", "int"),
                     Column("persons", "Số nhân khẩu", "int")],
            title_rows=[f"{title} NĂM {year}", where],
            notes=["(9) = (1) − (2) − (3) − (4) + (5) + (6) + (7) + (8)."] if rows else
            [f"Chưa có số liệu năm {year - 1}: chưa lập được bảng diễn biến."],
            signature=signature, autofilter=False,
        ))
    dep = ctx["deprivations"]
    dep_keys = ["ten_chi_so", "chieu", "ngheo_so_ho", "ngheo_ty_le", "can_ngheo_so_ho",
                "can_ngheo_ty_le", "af_censored", "af_dong_gop"]
    mpi = dep.get("mpi") or {}
    sheets.append(Sheet(
        name="Thiếu hụt",
        frame=_percent_fraction(_frame(dep["rows"], dep_keys),
                                ["ngheo_ty_le", "can_ngheo_ty_le", "af_censored", "af_dong_gop"]),
        columns=[Column("ten_chi_so", "Chỉ số"), Column("chieu", "Chiều"),
                 Column("ngheo_so_ho", "Hộ nghèo thiếu hụt: số hộ", "int"),
                 Column("ngheo_ty_le", "Hộ nghèo thiếu hụt: tỷ lệ", "percent"),
                 Column("can_ngheo_so_ho", "Hộ cận nghèo thiếu hụt: số hộ", "int"),
                 Column("can_ngheo_ty_le", "Hộ cận nghèo thiếu hụt: tỷ lệ", "percent"),
                 Column("af_censored", "Tỷ lệ thiếu hụt kiểm duyệt (AF)", "percent"),
                 Column("af_dong_gop", "Đóng góp vào M0 (AF)", "percent")],
        title_rows=[f"PHÂN TÍCH THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN NĂM {year}", where],
        notes=[f"Alkire–Foster: H = {mpi.get('H')}, A = {mpi.get('A')} (%), M0 = "
               f"{mpi.get('M0')}; trên {dep.get('households_with_marks')} hộ có đủ các cột "
               "chỉ số."] if dep["available"]
        else [dep.get("message") or "Không có số liệu từng chỉ số."],
        signature=signature,
    ))
    ethnic_keys = ["nhom", "so_ho", "so_nhan_khau", "ngheo", "ngheo_nhan_khau", "ty_le_ngheo",
                   "can_ngheo", "can_ngheo_nhan_khau", "ty_le_can_ngheo"]
    ethnic = pd.concat([_frame(ctx["by_dtts"], ethnic_keys), _frame(ctx["by_ethnic"][:-1],
                                                                     ethnic_keys)],
                       ignore_index=True)
    sheets.append(Sheet(
        name="Theo dân tộc",
        frame=_percent_fraction(ethnic, ["ty_le_ngheo", "ty_le_can_ngheo"]),
        columns=[Column("nhom", "Nhóm dân tộc"), Column("so_ho", "Tổng số hộ", "int"),
                 Column("so_nhan_khau", "Tổng số nhân khẩu", "int"),
                 Column("ngheo", "Hộ nghèo: số hộ", "int"),
                 Column("ngheo_nhan_khau", "Hộ nghèo: nhân khẩu", "int"),
                 Column("ty_le_ngheo", "Hộ nghèo: %", "percent"),
                 Column("can_ngheo", "Hộ cận nghèo: số hộ", "int"),
                 Column("can_ngheo_nhan_khau", "Hộ cận nghèo: nhân khẩu", "int"),
                 Column("ty_le_can_ngheo", "Hộ cận nghèo: %", "percent")],
        title_rows=[f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC NĂM {year}", where],
        notes=["Dòng đầu: DTTS / Kinh và tổng; sau đó: từng dân tộc."],
        signature=signature,
    ))
    group_keys = ["nhom", "poor", "poor_share", "near_poor", "near_poor_share", "total"]
    for key, name, title in (("causes", "Theo nguyên nhân", "NGUYÊN NHÂN NGHÈO"),
                             ("needs", "Theo nhu cầu", "NHU CẦU HỖ TRỢ")):
        sheets.append(Sheet(
            name=name,
            frame=_percent_fraction(_frame(ctx[key], group_keys), ["poor_share",
                                                                   "near_poor_share"]),
            columns=[Column("nhom", title.capitalize()), Column("poor", "Hộ nghèo", "int"),
                     Column("poor_share", "% hộ nghèo", "percent"),
                     Column("near_poor", "Hộ cận nghèo", "int"),
                     Column("near_poor_share", "% hộ cận nghèo", "percent"),
                     Column("total", "Cộng", "int")],
            title_rows=[f"HỘ NGHÈO, HỘ CẬN NGHÈO THEO {title} NĂM {year}", where],
            notes=["Một hộ ghi nhiều nhu cầu được tính ở mỗi nhu cầu."] if key == "needs" else [],
            signature=signature,
        ))
    sheets.append(_support_sheet(ctx, where, signature))
    sheets.append(Sheet(
        name="Chỉ tiêu",
        frame=_targets_frame(ctx["targets"]),
        columns=[Column("cap", "Cấp"), Column("chi_tieu", "Chỉ tiêu"),
                 Column("nguon", "Nguồn"), Column("hien_nay", "Hiện nay", "number"),
                 Column("can_giam", "Cần giảm mỗi năm", "number"),
                 Column("da_giam", "Đã giảm mỗi năm", "number"),
                 Column("du_bao", "Dự báo năm chỉ tiêu", "number"),
                 Column("danh_gia", "Đánh giá"), Column("ghi_chu", "Ghi chú")],
        title_rows=[f"ĐÁNH GIÁ THỰC HIỆN CHỈ TIÊU GIẢM NGHÈO NĂM {year}", where],
        notes=["Tỷ lệ và mức giảm tính bằng % và điểm % (số hộ với chỉ tiêu số hộ)."],
        signature=signature,
    ))
    return sheets


def _support_sheet(ctx: Mapping[str, Any], where: str, signature: list[str]) -> Sheet:
    """Support totals (and, for a province, one line per commune with records); when there
    is no support data, the sheet says so and holds no number."""
    support = ctx["support"]
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    if support["available"]:
        parts = support.get("communes") or [{"commune_name": ctx["unit"]["name"], **support}]
        for part in parts:
            t = part["totals"]
            rows.append({"don_vi": part.get("commune_name", ""), "luot": t.get("records"),
                         "ho": t.get("households"), "nguoi": t.get("givers"),
                         "gia_tri": t.get("value_dong")})
        if support.get("outcome_sentence"):
            notes.append(support["outcome_sentence"])
        notes += list(support.get("notes") or [])
    else:
        notes.append(support["message"] + (f": {support['note']}" if support.get("note") else "."))
    return Sheet(
        name="Hỗ trợ",
        frame=pd.DataFrame(rows, columns=["don_vi", "luot", "ho", "nguoi", "gia_tri"]),
        columns=[Column("don_vi", "Đơn vị"), Column("luot", "Số lượt hỗ trợ", "int"),
                 Column("ho", "Số hộ được hỗ trợ", "int"),
                 Column("nguoi", "Số người, tổ chức hỗ trợ", "int"),
                 Column("gia_tri", "Giá trị ghi bằng tiền (đồng)", "money")],
        title_rows=[f"HỖ TRỢ HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {ctx['year']}", where],
        notes=notes,
        signature=signature,
    )


def _targets_frame(evaluations: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    rows = []
    for ev in evaluations:
        t = ev["target"]
        rows.append({
            "cap": LEVEL_LABELS[t["level"]],
            "chi_tieu": t["label"],
            "nguon": t["source"],
            "hien_nay": None if ev["current"] is None else round(ev["current"]["value"], 2),
            "can_giam": None if ev["needed_per_year"] is None else round(ev["needed_per_year"], 2),
            "da_giam": None if ev["achieved_per_year"] is None
            else round(ev["achieved_per_year"], 2),
            "du_bao": None if ev["projection"] is None else round(ev["projection"]["value"], 2),
            "danh_gia": ev["status_label"],
            "ghi_chu": " ".join(ev["notes"]),
        })
    return pd.DataFrame(rows, columns=["cap", "chi_tieu", "nguon", "hien_nay", "can_giam",
                                       "da_giam", "du_bao", "danh_gia", "ghi_chu"])


def write_report(
    ctx: Mapping[str, Any], out_dir: Path, template_dir: Path | None = None
) -> list[Path]:
    """Write ``<stem>.html`` and ``<stem>.xlsx`` together (both or neither)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{stem(ctx)}.html"
    xlsx_path = out_dir / f"{stem(ctx)}.xlsx"
    html = render_html(ctx, template_dir)
    with StagedOutputs() as staged:
        staged.write_text(html_path, html)
        write_workbook(staged.stage(xlsx_path), report_sheets(ctx),
                       properties={"title": f"Báo cáo rà soát năm {ctx['year']}"})
    return [html_path, xlsx_path]
