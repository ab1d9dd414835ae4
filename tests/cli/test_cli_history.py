"""The working folder end to end: init, record two years, history, export."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from ngheo_cli.core.history import BALANCE_CODES
from ngheo_cli.io.workspace import load_workspace

from ..conftest import SAMPLE_DATA


def test_history_balance_identity_and_json_shape(cli, ws: Path) -> None:
    res = cli("history", "--commune", "24181", "--year", "2024", "--workspace", ws, "--json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    for kind in ("poor", "near_poor"):
        table = data[kind]
        codes = BALANCE_CODES[kind]
        down = sum(table[codes[i]] for i in (2, 3, 4))
        up = sum(table[codes[i]] for i in (5, 6, 7, 8))
        assert table["end"] == table["start"] - down + up
    assert data["poor"]["start"] == 150 and data["poor"]["end"] == 134
    assert data["bien_dong"]["vao_danh_sach"] >= 1 and data["bien_dong"]["ra_danh_sach"] >= 1
    # The renumbered household in the sample is flagged for a person, never merged.
    assert any(r["ma_ho_cu"] != r["ma_ho_moi"] for r in data["renumbering"])
    assert data["series_break"] is False
    assert {row["chi_tieu"] for row in data["mpi_change"]} >= {"H", "A", "M0", "censored"}


def test_reimport_replaces_the_year(cli, ws: Path, tmp_path: Path) -> None:
    before = cli("history", "-c", "24181", "-y", "2024", "-w", ws, "--json").json()
    res = cli(
        "classify",
        SAMPLE_DATA / "xa_dak_lieng_2024.xlsx",
        "--year",
        "2024",
        "--commune",
        "24181",
        "--workspace",
        ws,
        "--out",
        tmp_path / "out2",
    )
    assert res.exit_code == 0
    after = cli("history", "-c", "24181", "-y", "2024", "-w", ws, "--json").json()
    assert after["poor"] == before["poor"]
    with load_workspace(ws / "ngheo.yaml").open_store() as store:
        assert store.household_count("24181", 2024) == 603
        assert len(store.runs("24181")) == 3


def test_history_csv_and_xlsx(cli, ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "bd"
    res = cli("history", "-c", "24181", "-y", "2024", "-w", ws, "--out", out, "--format", "csv")
    assert res.exit_code == 0, res.stderr
    rows = list(
        csv.DictReader((out / "24181_2024_bien_dong.csv").read_text("utf-8-sig").splitlines())
    )
    assert {"ma_ho", "phan_loai", "phan_loai_truoc", "bien_dong"} <= set(rows[0])
    assert all(r["ma_ho"].startswith("0") or r["ma_ho"][0].isdigit() for r in rows)
    assert cli("history", "-c", "24181", "-y", "2024", "-w", ws, "--out", out).exit_code == 0
    assert (out / "24181_2024_bien_dong.xlsx").exists()


def test_export_round_trip_keeps_codes(cli, ws: Path, tmp_path: Path) -> None:
    target = tmp_path / "xa_2023.csv"
    assert cli("export", "-c", "24181", "-y", "2023", "-w", ws, "--out", target).exit_code == 0
    rows = list(csv.DictReader(target.read_text("utf-8-sig").splitlines()))
    assert len(rows) == 600
    assert rows[0]["ma_ho"] == "01001"
    assert (
        cli("export", "-c", "24181", "-y", "2023", "-w", ws, "--out", tmp_path / "x.xlsx").exit_code
        == 0
    )
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    rows = list(book["Hộ"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Mã hộ", "Họ và tên chủ hộ", "Thôn")
    assert not any(h in header for h in ("ma_ho", "is_dtts", "khu_vuc", "thu_nhap_binh_quan"))
    shown = {v for r in rows[1:] for v in r}
    assert not any(isinstance(v, bool) for v in shown)
    assert not shown & {"True", "False", "nong_thon", "thanh_thi", "ngheo", "can_ngheo"}
    assert "Có" in shown and "Nông thôn" in shown
    income = [r[header.index("Thu nhập bình quân (đồng/người/tháng)")] for r in rows[1:]]
    assert all(v is None or isinstance(v, int) for v in income)


def test_export_csv_keys_or_labels(cli, ws: Path, tmp_path: Path) -> None:
    keys, labels = tmp_path / "k.csv", tmp_path / "n.csv"
    assert cli("export", "-c", "24181", "-y", "2023", "-w", ws, "--out", keys).exit_code == 0
    args = ("export", "-c", "24181", "-y", "2023", "-w", ws, "--out", labels, "--headers", "nhan")
    assert cli(*args).exit_code == 0
    by_key = list(csv.DictReader(keys.read_text("utf-8-sig").splitlines()))
    by_label = list(csv.DictReader(labels.read_text("utf-8-sig").splitlines()))
    assert by_key[0]["ma_ho"] == by_label[0]["Mã hộ"] == "01001"
    assert by_key[0]["khu_vuc"] == "nong_thon" and by_label[0]["Khu vực"] == "Nông thôn"
    assert {r["is_dtts"] for r in by_key} <= {"True", "False", ""}
    assert {r["Dân tộc thiểu số"] for r in by_label} <= {"Có", "Không", ""}
    assert all("." not in r["thu_nhap_binh_quan"] for r in by_key)  # whole đồng
    bad = cli("export", "-c", "24181", "-y", "2023", "-w", ws, "--out", keys, "--headers", "x")
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["history", "-c", "24181", "-y", "2019"], 2),  # a year the store does not have
        (["history", "-c", "99999", "-y", "2024"], 4),  # a commune ngheo.yaml does not list
    ],
)
def test_history_errors(cli, ws: Path, args: list[str], code: int) -> None:
    res = cli(*args, "--workspace", ws)
    assert res.exit_code == code, res.stderr
    assert "Traceback" not in res.stderr


def test_classify_commune_needs_a_workspace(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli(
        "classify",
        SAMPLE_DATA / "xa_dak_lieng_2024.xlsx",
        "--year",
        "2024",
        "--commune",
        "24181",
        "--out",
        tmp_path / "o",
    )
    assert res.exit_code == 2
    assert "ngheo init" in res.stderr
