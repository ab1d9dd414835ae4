"""`ngheo inspect`: the rendering is thin; --json equals the library result; the column map
it writes can be corrected and passed back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml

from ngheo_cli.services import inspect as inspect_service

LABELS = ["STT", "Mã HGĐ", "Chủ hộ", "Thôn", "Số NK", "TNBQ", "Khu vực"]
INDICATORS = [f"CS{i}" for i in range(1, 13)]


def build(path: Path, headers: list[str], extra: list[Any] | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Hộ")
    ws.write_string(0, 0, "DANH SÁCH HỘ RÀ SOÁT")
    for c, h in enumerate(headers):
        ws.write_string(2, c, h)
    for r in range(3):
        row: list[Any] = [r + 1, f"00{r + 1}", f"Hộ {r + 1}", "Thôn 1", 4, 1_200_000 + r * 500_000]
        row += ["Nông thôn"] + ["x" if (r == 0 and i < 4) else "" for i in range(12)]
        row += extra or []
        for c, v in enumerate(row):
            if v == "":
                continue
            if isinstance(v, str):
                ws.write_string(3 + r, c, v)
            else:
                ws.write_number(3 + r, c, v)
    wb.close()
    return path


def test_inspect_shows_every_column_and_how_it_matched(cli, tmp_path: Path) -> None:
    path = build(tmp_path / "so.xlsx", LABELS + INDICATORS + ["Ghi chú khác"], ["a"])
    res = cli("inspect", path, "--year", "2024")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert "dòng tiêu đề 3" in out
    assert "B 'Mã HGĐ' → ma_ho (Mã hộ): tên gọi khác đã biết" in out
    assert "F 'TNBQ' → thu_nhap_binh_quan" in out and "mở rộng chữ viết tắt" in out
    assert "H 'CS1' → viec_lam (Việc làm): theo số thứ tự (chỉ số thứ 1 của nd07-2021)" in out
    assert "'Ghi chú khác' → không dùng: đoán chưa chắc: có thể là ghi_chu" in out
    assert "dòng 4:" in out and "thu_nhap_binh_quan=1200000" in out
    assert "Tệp phân loại được." in out


def test_json_equals_the_library_result(cli, tmp_path: Path) -> None:
    path = build(tmp_path / "so.xlsx", LABELS + INDICATORS)
    res = cli("inspect", path, "--year", "2024", "--json")
    assert res.exit_code == 0, res.stderr
    library = inspect_service.inspect_file(path, year=2024).to_dict()
    assert res.json() == json.loads(json.dumps(library, ensure_ascii=False))
    assert res.json()["guesses"] == ["E", "F"]  # Số NK, TNBQ: abbreviations
    assert res.json()["can_classify"] is True


def test_column_map_round_trip(cli, tmp_path: Path) -> None:
    path = build(tmp_path / "so.xlsx", LABELS + INDICATORS + ["Mã hộ cũ"], ["x1"])
    target = tmp_path / "cot.yaml"
    first = cli("inspect", path, "--year", "2024", "--json", "--write-column-map", target)
    assert first.exit_code == 0, first.stderr
    written = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert written["Mã HGĐ"] == "ma_ho" and written["CS7"] == "chat_luong_nha_o"
    assert written["Mã hộ cũ"] == "bo_qua"  # a weak guess is written as not used
    again = cli("inspect", path, "--year", "2024", "--json", "--column-map", target)
    assert again.exit_code == 0, again.stderr
    before = {c["column"]: c["key"] for c in first.json()["columns"] if c["status"] == "used"}
    after = {c["column"]: c["key"] for c in again.json()["columns"] if c["status"] == "used"}
    assert after == before
    assert {c["method"] for c in again.json()["columns"] if c["status"] == "used"} == {"column_map"}
    # The officer corrects the file: the old code column is now used, the other skipped.
    text = target.read_text(encoding="utf-8")
    text = text.replace('"Mã HGĐ": ma_ho', '"Mã HGĐ": bo_qua')
    text = text.replace('"Mã hộ cũ": bo_qua', '"Mã hộ cũ": ma_ho')
    target.write_text(text, encoding="utf-8")
    fixed = cli("inspect", path, "--year", "2024", "--json", "--column-map", target).json()
    used = {c["column"]: c["key"] for c in fixed["columns"] if c["status"] == "used"}
    assert used["T"] == "ma_ho" and "B" not in used
    assert fixed["rows"][0]["ma_ho"] == "x1"


def test_missing_route_exit_3_names_what_to_add(cli, tmp_path: Path) -> None:
    path = build(tmp_path / "so.xlsx", LABELS)  # no indicator columns
    res = cli("inspect", path, "--year", "2024")
    assert res.exit_code == 3
    assert "Các cột chỉ số thiếu hụt (12 chỉ số của nd07-2021): thiếu viec_lam" in res.stdout
    assert "Tệp CHƯA phân loại được." in res.stdout
    classify = cli("classify", path, "--year", "2024", "--out", tmp_path / "out")
    assert classify.exit_code == 3
    assert "ngheo inspect" in classify.stderr


def test_inspect_under_the_2027_standard_reads_cs_in_its_order(cli, tmp_path: Path) -> None:
    path = build(tmp_path / "so.xlsx", LABELS + INDICATORS)
    data = cli("inspect", path, "--year", "2027", "--json").json()
    keys = {c["header"]: c["key"] for c in data["columns"]}
    assert data["standard"] == "nd351-2025"
    assert keys["CS7"] == "dien_tich_nha_o" and keys["CS12"] == "xu_ly_rac_thai"
    score = next(r for r in data["routes"] if r["route"] == "score")
    assert score["usable"] is False and "không có cách tính theo điểm" in score["note"]


def test_inspect_a_csv_and_a_sheet_without_header(cli, tmp_path: Path) -> None:
    csv = tmp_path / "so.csv"
    csv.write_text("Mã HGĐ;Chủ hộ;TNBQ;KV;BHYT\n001;A;1.000.000;NT;x\n", encoding="utf-8")
    data = cli("inspect", csv, "--year", "2024", "--json").json()
    assert data["sheets"][0]["chosen"] is True and "--sheet" not in data["sheets"][0]["reason"]
    assert {c["header"]: c["key"] for c in data["columns"]}["KV"] == "khu_vuc"
    empty = tmp_path / "trong.csv"
    empty.write_text("Ngày,Việc\n1/1,họp\n", encoding="utf-8")
    res = cli("inspect", empty, "--year", "2024")
    assert res.exit_code == 3
    assert "không thấy dòng tiêu đề" in res.stdout and "Tệp CHƯA phân loại được." in res.stdout
