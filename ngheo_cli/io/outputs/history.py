"""Workbooks for the history command: the official "diễn biến" balances, each household's
change, codes to check, and the change in deprivations."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ngheo_cli.core.history import BALANCE_LINES, BIEN_DONG_LABELS
from ngheo_cli.core.history_result import HistoryResult
from ngheo_cli.core.schema import CLASS_LABELS, FIELD_BY_KEY
from ngheo_cli.io.atomic import StagedOutputs
from ngheo_cli.io.outputs.csv import write_csv
from ngheo_cli.io.outputs.labels import csv_frame
from ngheo_cli.io.xlsx.writer import Column, Sheet, write_workbook

TITLES = {"poor": "DIỄN BIẾN HỘ NGHÈO", "near_poor": "DIỄN BIẾN HỘ CẬN NGHÈO"}
SIGNATURE = ["NGƯỜI LẬP BIỂU", "CÔNG CHỨC VĂN HOÁ – XÃ HỘI", "CHỦ TỊCH UBND XÃ"]


def balance_sheet(
    table: pd.DataFrame, kind: str, commune: str, year: int, extra_notes: list[str] | None = None
) -> Sheet:
    lines = BALANCE_LINES[kind]
    columns = [Column("thon", "Thôn")]
    columns += [Column(f"ho_{i}", f"({i}) {lines[i]} — số hộ", "int") for i in range(1, 10)]
    columns += [Column(f"nk_{i}", f"({i}) {lines[i]} — số khẩu", "int") for i in range(1, 10)]
    return Sheet(
        name="Diễn biến hộ nghèo" if kind == "poor" else "Diễn biến hộ cận nghèo",
        frame=table,
        columns=columns,
        title_rows=[f"{TITLES[kind]} NĂM {year} — {commune.upper()}"],
        notes=[
            "(9) = (1) − (2) − (3) − (4) + (5) + (6) + (7) + (8), theo hộ và theo nhân khẩu.",
            "Nhân khẩu: hộ ra khỏi nhóm tính theo số khẩu năm trước, hộ vào nhóm theo số khẩu "
            "năm nay; thay đổi quy mô của hộ ở lại trong nhóm (sinh, mất, đi khỏi) tính vào (4) "
            "hoặc (8).",
            "Hộ chuyển thôn trong xã: giảm (4) ở thôn cũ, tăng (8) ở thôn mới.",
            *(extra_notes or []),
        ],
        signature=SIGNATURE,
    )


def labelled(codes: pd.Series, labels: Mapping[str, str]) -> pd.Series:
    """``codes.map(labels)``, each distinct code looked up once (a column of thousands of
    households holds a handful of codes): the same values, dtype and index."""
    if not pd.api.types.is_string_dtype(codes.dtype):  # no text codes: nothing to name once
        return codes.map(labels)
    numbers, distinct = pd.factorize(codes, use_na_sentinel=True)
    table = pd.Series(pd.array([*distinct, pd.NA], dtype=codes.dtype)).map(labels)
    out = table.iloc[np.where(numbers < 0, len(distinct), numbers)]
    out.index = codes.index
    out.name = codes.name
    return out


def history_sheets(result: HistoryResult) -> list[Sheet]:
    name, year = result.commune.name, result.year
    trans = result.transitions.copy()
    trans["bien_dong_ten"] = labelled(trans["bien_dong"], BIEN_DONG_LABELS)
    trans["phan_loai_ten"] = labelled(trans["phan_loai"], CLASS_LABELS)
    trans["phan_loai_truoc_ten"] = labelled(trans["phan_loai_truoc"], CLASS_LABELS)
    sheets = [
        balance_sheet(result.balances["poor"], "poor", name, year, result.notes),
        balance_sheet(result.balances["near_poor"], "near_poor", name, year, result.notes),
        Sheet(
            name="Biến động từng hộ",
            frame=trans,
            columns=[
                Column("ma_ho", "Mã hộ", "code"),
                Column("ho_ten_chu_ho", "Họ và tên chủ hộ"),
                Column("thon", "Thôn"),
                Column("phan_loai_truoc_ten", f"Năm {year - 1}"),
                Column("phan_loai_ten", f"Năm {year}"),
                Column("bien_dong_ten", "Biến động"),
                Column("so_nhan_khau_truoc", f"Số khẩu {year - 1}", "int"),
                Column("so_nhan_khau", f"Số khẩu {year}", "int"),
            ],
            title_rows=[f"BIẾN ĐỘNG TỪNG HỘ NĂM {year} SO VỚI NĂM {year - 1} — {name.upper()}"],
        ),
        Sheet(
            name="Mã hộ cần kiểm tra",
            frame=result.renumbering,
            columns=[
                Column("ma_ho_cu", f"Mã hộ năm {year - 1} (không còn)", "code"),
                Column("ma_ho_moi", f"Mã hộ năm {year} (mới)", "code"),
                Column("ho_ten_chu_ho", "Họ và tên chủ hộ"),
                Column("thon", "Thôn"),
                Column("so_ung_vien", "Số cặp trùng tên và thôn", "int"),
            ],
            title_rows=["CÓ THỂ LÀ CÙNG MỘT HỘ ĐƯỢC ĐỔI MÃ: CẦN NGƯỜI KIỂM TRA"],
            notes=["ngheo không tự gộp các mã này; nếu đúng là một hộ, hãy sửa mã trong sổ."],
        ),
        Sheet(
            name="Thay đổi thiếu hụt",
            frame=_mpi_change_in_words(result.mpi_change),
            columns=[
                Column("nhom", "Thôn / xã"),
                Column("chi_tieu", "Chỉ tiêu"),
                Column("chi_so", "Chỉ số"),
                Column("gia_tri_truoc", f"Năm {year - 1}", "number"),
                Column("gia_tri", f"Năm {year}", "number"),
                Column("tuyet_doi", "Thay đổi tuyệt đối", "number"),
                Column("tuong_doi", "Thay đổi tương đối", "percent"),
                Column("cung_chuan", "Cùng chuẩn", "mark"),
            ],
            title_rows=["THAY ĐỔI CÁC CHỈ SỐ ALKIRE–FOSTER (H, A, M0, TỶ LỆ THIẾU HỤT KIỂM DUYỆT)"],
            notes=[
                "Hai năm khác chuẩn (không có dấu ở cột Cùng chuẩn) là một điểm gãy của chuỗi "
                "số liệu, không phải xu hướng.",
                *result.notes,
            ],
        ),
    ]
    return sheets


MEASURE_WORDS = {
    "H": "H: tỷ lệ hộ nghèo đa chiều",
    "A": "A: mức thiếu hụt bình quân",
    "M0": "M0: chỉ số nghèo đa chiều",
    "censored": "Tỷ lệ hộ vừa nghèo vừa thiếu hụt chỉ số này (kiểm duyệt)",
}


def _mpi_change_in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The Alkire–Foster change table with measures and indicators named, not coded."""
    out = frame.copy()
    if "chi_tieu" in out.columns:
        out["chi_tieu"] = out["chi_tieu"].map(lambda v: MEASURE_WORDS.get(v, v))
    if "chi_so" in out.columns:
        out["chi_so"] = out["chi_so"].map(
            lambda v: FIELD_BY_KEY[v].label if isinstance(v, str) and v in FIELD_BY_KEY else v
        )
    return out


def write_history(
    result: HistoryResult, out_dir: Path, fmt: str, headers: str = "ma"
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{result.commune.code}_{result.year}_bien_dong"
    with StagedOutputs() as staged:
        if fmt == "csv":
            path = out_dir / f"{stem}.csv"
            cols = ["ma_ho", "phan_loai", "phan_loai_truoc", "bien_dong", "thon", "ho_ten_chu_ho"]
            # keys for machines, or labels (--headers nhan); text made formula-safe
            write_csv(csv_frame(result.transitions[cols], headers), staged.stage(path))
        else:
            path = out_dir / f"{stem}.xlsx"
            write_workbook(staged.stage(path), history_sheets(result))
    return [path]
