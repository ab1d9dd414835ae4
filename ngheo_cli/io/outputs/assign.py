"""The assignment workbook (one sheet per party cell, households without a helper, members
without a household) and the printable assignment slips (phiếu phân công), one per member."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ngheo_cli import __version__
from ngheo_cli.core.assign_rules import AssignRules
from ngheo_cli.core.assign_run import AssignRun
from ngheo_cli.core.explain import deprivation_names
from ngheo_cli.core.schema import CLASS_LABELS
from ngheo_cli.io import rulesets
from ngheo_cli.io.atomic import StagedOutputs
from ngheo_cli.io.outputs.csv import write_csv
from ngheo_cli.io.outputs.html import render
from ngheo_cli.io.outputs.labels import csv_frame
from ngheo_cli.io.xlsx.writer import Column, Sheet, write_workbook

RELATION_LABELS = {
    "same_village": "Cùng thôn",
    "twinned": "Thôn kết nghĩa",
    "other_village": "Thôn khác",
}


# The weighted steps after covering households (core/assign.py), in words.
STEP_LABELS = {
    "overload": "Chỉ giao thêm hộ khi hộ nhiều hơn đảng viên, và giao đều",
    "team": "Thêm người giúp cho hộ được giúp theo nhóm",
    "village": "Đảng viên cùng thôn trước, rồi thôn kết nghĩa, rồi thôn khác",
    "keep": "Giữ cặp giúp đỡ của năm trước",
    "team_priority": "Nhóm giúp hộ nghèo, hộ nhiều thiếu hụt trước",
    "even": "Chia đều số hộ cơ bản giữa các đảng viên",
}


def _yes_no(value: bool) -> str:
    return "Có" if value else "Không"


def rule_sentences(rules: AssignRules, weights: dict[str, int]) -> list[tuple[str, str]]:
    """The commune's pairing rules as sentences an officer reads (AssignRules → words)."""
    rows = [
        ("Số đảng viên giúp mỗi hộ", f"{rules.members_per_household} người"),
        ("Số hộ mỗi đảng viên nhận khi đủ người", f"{rules.households_per_member} hộ"),
        (
            "Số hộ nhiều nhất một đảng viên nhận khi hộ nhiều hơn đảng viên",
            f"{rules.max_households_per_member} hộ",
        ),
        (
            "Chỉ phân công đảng viên cùng thôn với hộ (hoặc thôn kết nghĩa, nếu cho phép)",
            _yes_no(rules.same_village),
        ),
        ("Cho đảng viên thôn kết nghĩa giúp hộ", _yes_no(rules.allow_twinned)),
        ("Phân công cả hộ cận nghèo (không chỉ hộ nghèo)", _yes_no(rules.include_near_poor)),
        (
            "Giữ cặp của năm trước khi đảng viên và hộ vẫn đủ điều kiện",
            _yes_no(rules.keep_previous),
        ),
    ]
    ordered = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    for step, (name, weight) in enumerate(ordered, start=1):
        label = STEP_LABELS.get(name, name)
        rows.append((f"Bước {step}: {label}", f"trọng số {weight:,}".replace(",", ".")))
    return rows


def pair_table(run: AssignRun) -> pd.DataFrame:
    """Every pair with the member's and the household's details, in a fixed order."""
    hh = run.households.copy()
    standard = str(hh["standard"].iloc[0]) if len(hh) else ""
    stored_run = run.households.attrs.get("run")
    if stored_run is not None and stored_run.origin == "recorded":
        hh["thieu_hut"] = "(ghi nhận theo danh sách đã công nhận: không có số liệu chỉ số)"
    elif standard in rulesets.packaged():
        hh["thieu_hut"] = deprivation_names(hh, rulesets.packaged()[standard]).to_numpy()
    else:
        hh["thieu_hut"] = ""
    keep = [
        c
        for c in (
            "ma_ho",
            "ho_ten_chu_ho",
            "so_nhan_khau",
            "so_thieu_hut",
            "thieu_hut",
            "nguyen_nhan",
            "nhu_cau",
        )
        if c in hh.columns
    ]
    members = run.members[[c for c in ("ma_dang_vien", "ho_ten") if c in run.members.columns]]
    pairs = run.result.pairs.merge(hh[keep], on="ma_ho", how="left")
    pairs = pairs.merge(members, on="ma_dang_vien", how="left")
    pairs["phan_loai_ten"] = pairs["phan_loai"].map(CLASS_LABELS)
    pairs["quan_he"] = pairs["relation"].map(RELATION_LABELS)
    pairs["giu_tu_nam_truoc"] = pairs["kept_from_last_year"].astype(bool)
    return pairs.sort_values(["chi_bo", "ma_dang_vien", "ma_ho"], kind="stable").reset_index(
        drop=True
    )


PAIR_COLUMNS = [
    Column("ma_dang_vien", "Mã đảng viên", "code"),
    Column("ho_ten", "Đảng viên"),
    Column("ma_ho", "Mã hộ", "code"),
    Column("ho_ten_chu_ho", "Chủ hộ được giúp"),
    Column("thon", "Thôn của hộ"),
    Column("phan_loai_ten", "Phân loại"),
    Column("so_thieu_hut", "Số chỉ số thiếu hụt", "int"),
    Column("thieu_hut", "Các chỉ số thiếu hụt"),
    Column("nguyen_nhan", "Nguyên nhân nghèo"),
    Column("nhu_cau", "Nhu cầu hỗ trợ"),
    Column("quan_he", "Địa bàn"),
    Column("giu_tu_nam_truoc", "Giữ từ năm trước", "mark"),
]


def assign_sheets(run: AssignRun, pairs: pd.DataFrame) -> list[Sheet]:
    r, year = run.result, run.year
    title = f"PHÂN CÔNG ĐẢNG VIÊN GIÚP ĐỠ HỘ NGHÈO, CẬN NGHÈO NĂM {year} — {run.commune.name}"
    sheets = [
        Sheet(
            name=str(cell)[:31] if str(cell) else "Chưa rõ chi bộ",
            frame=part.reset_index(drop=True),
            columns=[c for c in PAIR_COLUMNS if c.key in part.columns],
            title_rows=[
                title.upper(),
                f"{cell}: {part['ma_dang_vien'].nunique()} đảng viên, {part['ma_ho'].nunique()} hộ",
            ],
            signature=["BÍ THƯ CHI BỘ", "TM. BAN THƯỜNG VỤ ĐẢNG UỶ"],
        )
        for cell, part in pairs.fillna({"chi_bo": ""}).groupby("chi_bo", sort=True)
    ]
    unassigned = r.unassigned.copy()
    unassigned["phan_loai_ten"] = unassigned["phan_loai"].map(CLASS_LABELS)
    if run.recorded_note is not None and "so_thieu_hut" in unassigned.columns:
        unassigned["so_thieu_hut"] = None  # a list has no deprivations: blank, never 0
    sheets.append(
        Sheet(
            name="Hộ chưa có người giúp",
            frame=unassigned,
            columns=[
                Column("ma_ho", "Mã hộ", "code"),
                Column("thon", "Thôn"),
                Column("phan_loai_ten", "Phân loại"),
                Column("so_thieu_hut", "Số chỉ số thiếu hụt", "int"),
                Column("reason", "Lý do", width=70),
            ],
            title_rows=[f"HỘ NGHÈO, CẬN NGHÈO CHƯA CÓ ĐẢNG VIÊN GIÚP ĐỠ ({len(unassigned)})"],
            notes=(
                [
                    f"Nâng trần lên {run.what_if.cap} hộ/đảng viên thì giúp thêm được "
                    f"{run.what_if.more_households} hộ."
                ]
                if run.what_if is not None
                else []
            ),
        )
    )
    sheets.append(
        Sheet(
            name="Đảng viên chưa nhận hộ",
            frame=r.idle_members,
            columns=[
                Column("ma_dang_vien", "Mã đảng viên", "code"),
                Column("chi_bo", "Chi bộ"),
                Column("thon", "Thôn"),
                Column("reason", "Lý do", width=70),
            ],
            title_rows=[f"ĐẢNG VIÊN CHƯA ĐƯỢC PHÂN CÔNG HỘ ({len(r.idle_members)})"],
        )
    )
    rules = pd.DataFrame(rule_sentences(r.rules, r.weights), columns=["muc", "gia_tri"])
    sheets.append(
        Sheet(
            name="Quy tắc",
            frame=rules,
            columns=[Column("muc", "Quy tắc", width=70), Column("gia_tri", "Áp dụng", width=24)],
            title_rows=[
                "QUY TẮC PHÂN CÔNG ĐÃ DÙNG",
                "Trước hết: giúp được nhiều hộ nghèo nhất, rồi nhiều hộ cận nghèo nhất; sau đó "
                "các bước dưới đây theo thứ tự, bước trước luôn được ưu tiên hơn bước sau.",
            ],
            notes=list(r.notes),
            autofilter=False,
        )
    )
    return sheets


def slips_context(run: AssignRun, pairs: pd.DataFrame) -> dict[str, object]:
    slips = []
    for code, part in pairs.groupby("ma_dang_vien", sort=True):
        first = part.iloc[0]
        slips.append(
            {
                "ma_dang_vien": str(code),
                "ho_ten": "" if pd.isna(first.get("ho_ten")) else str(first.get("ho_ten")),
                "chi_bo": "" if pd.isna(first.get("chi_bo")) else str(first.get("chi_bo")),
                "households": [
                    {
                        "ma_ho": str(h.ma_ho),
                        "chu_ho": "" if pd.isna(h.ho_ten_chu_ho) else str(h.ho_ten_chu_ho),
                        "thon": "" if pd.isna(h.thon) else str(h.thon),
                        "phan_loai": str(h.phan_loai_ten),
                        "thieu_hut": "" if pd.isna(h.thieu_hut) else str(h.thieu_hut),
                        "nhu_cau": "" if pd.isna(h.nhu_cau) else str(h.nhu_cau),
                    }
                    for h in part.itertuples(index=False)
                ],
            }
        )
    return {
        "commune": run.commune.name,
        "year": run.year,
        "slips": slips,
        "version": __version__,
    }


def write_assignment(
    run: AssignRun, out_dir: Path, fmt: str, headers: str = "ma"
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{run.commune.code}_{run.year}_phan_cong"
    pairs = pair_table(run)
    written: list[Path] = []
    with StagedOutputs() as staged:
        if fmt == "csv":
            path = out_dir / f"{stem}.csv"
            cols = [
                "ma_dang_vien",
                "ma_ho",
                "ho_ten",
                "ho_ten_chu_ho",
                "thon",
                "chi_bo",
                "phan_loai",
                "relation",
                "kept_from_last_year",
            ]
            table = pairs[[c for c in cols if c in pairs.columns]]
            # keys for machines, or labels (--headers nhan); text made formula-safe
            write_csv(csv_frame(table, headers), staged.stage(path))
            written.append(path)
        else:
            path = out_dir / f"{stem}.xlsx"
            write_workbook(staged.stage(path), assign_sheets(run, pairs))
            written.append(path)
            slips = out_dir / f"{stem}_phieu.html"
            staged.write_text(slips, render("phieu_phan_cong.html.j2", slips_context(run, pairs)))
            written.append(slips)
    return written
