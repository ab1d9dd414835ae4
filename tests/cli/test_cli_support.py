"""`ngheo support` end to end on the sample commune: import (twice), add, summary, template."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ngheo_cli.cli.console import _default
from ngheo_cli.io.outputs.support import write_support_book
from ngheo_cli.io.store import load_pairs, record_assignment
from ngheo_cli.io.workspace import CommuneConfig, init_workspace, load_workspace
from ngheo_cli.sample.generator import (
    classify_nd07,
    generate_commune,
    generate_members,
    generate_twinnings,
    next_year,
)
from ngheo_cli.sample.support import generate_support, simple_pairs
from ngheo_cli.sample.writer import SAMPLE_FIRST_YEAR, SAMPLE_HOUSEHOLDS, SAMPLE_SEED
from ngheo_cli.services import classify as classify_service
from ngheo_cli.services.support import import_support, support_summary

from ..conftest import SAMPLE_DATA

COMMUNE = "24181"
SAMPLE_BOOK = SAMPLE_DATA / "ho_tro_2024.xlsx"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with the sample's 2023 and 2024 households, the 2024 members and
    the pairs of both years (a simple pairing); built once, copied for each test."""
    root = tmp_path_factory.mktemp("support") / "ws"
    ws = init_workspace(
        root, "66", "Đắk Lắk", [CommuneConfig.create(COMMUNE, "Xã Đắk Liêng", "xa")]
    )
    for year in (2023, 2024):
        classify_service.classify_file(
            SAMPLE_DATA / f"xa_dak_lieng_{year}.xlsx",
            year=year,
            commune=COMMUNE,
            workspace=ws,
            write=False,
        )
    first = generate_commune(SAMPLE_SEED, SAMPLE_HOUSEHOLDS, SAMPLE_FIRST_YEAR)
    second = next_year(first, SAMPLE_SEED + 1)
    members = generate_members(second, SAMPLE_SEED + 2)
    twinnings = generate_twinnings(second, members)
    with ws.open_store() as store:
        for sample in (first, second):
            listed = sample.households[["ma_ho", "thon"]].assign(
                phan_loai=classify_nd07(sample.households)
            )
            pairs = simple_pairs(listed, members, twinnings)
            record_assignment(store, COMMUNE, sample.year, members, pairs)
    return root


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(built, target)
    return target


def book(path: Path, *rows: dict[str, object]) -> Path:
    write_support_book(path, pd.DataFrame(rows))
    return path


def entry(**changes: object) -> dict[str, object]:
    first = generate_support().iloc[0].to_dict()  # a valid record of the sample
    first.update(changes)
    return first


def test_importing_the_same_file_twice_counts_once(cli, ws: Path) -> None:
    res = cli("support", "import", SAMPLE_BOOK, "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    assert res.exit_code == 0, res.stderr
    first = res.json()
    rows = len(generate_support())
    assert first["rows"] == first["valid"] == first["added"] == rows
    assert first["rejected"] == 0 and first["households_checked"] and first["members_checked"]
    before = cli("support", "summary", "-c", COMMUNE, "-y", 2024, "-w", ws, "--json").json()

    again = cli("support", "import", SAMPLE_BOOK, "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    assert again.exit_code == 0
    assert again.json()["added"] == 0 and again.json()["already_recorded"] == rows
    after = cli("support", "summary", "-c", COMMUNE, "-y", 2024, "-w", ws, "--json").json()
    assert after == before
    assert after["totals"]["records"] == rows


def test_the_same_record_in_two_files_counts_once(cli, ws: Path, tmp_path: Path) -> None:
    a = entry()
    b = entry(stt=2, ngay="2024-07-01", ghi_chu="khác")
    # The same record as `a`, spelled differently: date as text, giver in capitals, a note.
    same = entry(ngay="02/01/2024", nguoi_ho_tro=str(a["nguoi_ho_tro"]).upper(), ghi_chu="x")
    one = book(tmp_path / "thon_a.xlsx", a, b)
    two = book(tmp_path / "thon_b.xlsx", same)
    assert cli("support", "import", one, "-c", COMMUNE, "-y", 2024, "-w", ws).exit_code == 0
    res = cli("support", "import", two, "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    assert res.exit_code == 0, res.stderr
    assert (res.json()["added"], res.json()["already_recorded"]) == (0, 1)
    summary = cli("support", "summary", "-c", COMMUNE, "-y", 2024, "-w", ws, "--json").json()
    assert summary["totals"]["records"] == 2


def test_bad_rows_are_named_and_good_rows_recorded(cli, ws: Path, tmp_path: Path) -> None:
    good = entry()
    path = book(
        tmp_path / "loi.xlsx",
        good,
        entry(ma_ho="99999"),  # row 3: unknown household
        entry(
            loai_nguoi="Đảng viên",
            nguoi_ho_tro="00000001",
            loai="Cây giống",
            so_luong=10,
            don_vi="cây",
        ),  # row 4: unknown member
        entry(gia_tri=-50_000),  # row 5: negative amount
        entry(ngay="2023-12-30"),  # row 6: outside the year
        entry(loai="Cây giống", so_luong=10, don_vi="con"),  # row 7: unit does not fit
        entry(ngay="2024-05-05"),  # row 8: fine
    )
    res = cli("support", "import", path, "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    assert res.exit_code == 1
    data = res.json()
    got = {(e["code"], e["cell"]) for e in data["errors"]}
    sheet = "'Sổ hỗ trợ'"
    assert got == {
        ("ht-ho-khong-co", f"{sheet}!E3"),
        ("ht-dang-vien-khong-co", f"{sheet}!D4"),
        ("so-am", f"{sheet}!J5"),
        ("ht-ngay-ngoai-nam", f"{sheet}!B6"),
        ("ht-don-vi-khong-hop", f"{sheet}!I7"),
    }
    assert (data["rows"], data["valid"], data["added"], data["rejected"]) == (7, 2, 2, 5)
    for _code, cell in got:
        assert cell in res.stderr
    assert "Traceback" not in res.stderr
    # The error workbook beside the ledger, as classify writes one: each bad cell marked.
    errors = tmp_path / "loi_loi.xlsx"
    assert data["outputs"] == [str(errors)]
    marked = openpyxl.load_workbook(errors)["Dòng cần sửa"]
    comments = {c.coordinate: c.comment.text for r in marked.iter_rows() for c in r if c.comment}
    assert len(comments) == 5
    assert any("99999" in text for text in comments.values())
    # Fixed and imported again: no stale error workbook left behind.
    fixed = book(tmp_path / "loi.xlsx", good, entry(ngay="2024-05-05"))
    assert cli("support", "import", fixed, "-c", COMMUNE, "-y", 2024, "-w", ws).exit_code == 0
    assert not errors.exists()


def test_add_records_one_entry_once(cli, ws: Path) -> None:
    args = [
        "support",
        "add",
        "-c",
        COMMUNE,
        "-y",
        2024,
        "-w",
        ws,
        "--date",
        "15/03/2024",
        "--giver",
        "Chi bộ Trạm Y tế xã",
        "--household",
        entry()["ma_ho"],
        "--kind",
        "thẻ BHYT",
        "--quantity",
        "1",
        "--value",
        "972.000",
    ]
    res = cli(*args, "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["added"] == 1 and res.json()["source"] == "dòng lệnh"
    again = cli(*args, "--json")
    assert again.json()["already_recorded"] == 1 and again.json()["added"] == 0
    bad = cli(*args[:-4], "--quantity", "1", "--unit", "con", "--json")
    assert bad.exit_code == 1
    assert [(e["code"], e["cell"]) for e in bad.json()["errors"]] == [
        ("ht-don-vi-khong-hop", "--unit")
    ]
    assert "--unit" in bad.stderr
    assert "cột" not in bad.json()["errors"][0]["message"]  # options, not spreadsheet columns
    # The same gift given a second time on purpose: --lan 2 records it beside the first.
    second = cli(*args, "--lan", "2", "--json")
    assert second.json()["added"] == 1, second.stderr
    assert cli(*args, "--lan", "2", "--json").json()["already_recorded"] == 1
    assert "--lan 2" in again.stderr


def test_summary_cli_equals_library_and_writes_a_workbook(cli, ws: Path, tmp_path: Path) -> None:
    assert cli("support", "import", SAMPLE_BOOK, "-c", COMMUNE, "-y", 2024, "-w", ws).exit_code == 0
    res = cli("support", "summary", "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    assert res.exit_code == 0, res.stderr
    library = support_summary(load_workspace(ws), COMMUNE, 2024).to_dict()
    assert res.json() == json.loads(json.dumps(library, ensure_ascii=False, default=_default))

    data = res.json()
    m = data["members"]
    assert m["checked"] and m["met"] + m["short"] + m["exempt"] == m["members"] == 167
    assert m["met"] > 0 and m["short"] > 0 and m["exempt"] > 0
    assert data["settings"]["salary_day_is_placeholder"] is True
    assert any("TẠM" in n for n in data["notes"])
    outcome = data["outcome"]
    assert (outcome["from_year"], outcome["to_year"], outcome["pair_year"]) == (2023, 2024, 2023)
    groups = outcome["groups"]
    parts = ("co_nguoi_giup_va_ho_tro", "chi_co_nguoi_giup", "chi_co_ho_tro", "khong_co_ca_hai")
    with load_workspace(ws).open_store() as store:
        listed = store.load_year(COMMUNE, 2023, columns=["phan_loai"])
        assert len(load_pairs(store, COMMUNE, 2023))
    on_list = int(listed["phan_loai"].isin(["ngheo", "can_ngheo"]).sum())
    assert sum(groups[g]["households"] for g in parts) == on_list
    assert groups["con_lai"]["households"] == on_list - groups[parts[0]]["households"]
    assert "không chứng minh" in outcome["sentence"]
    assert {h["ma_ho"] for h in data["households"]} == set(generate_support()["ma_ho"])

    out = tmp_path / "kq"
    assert (
        cli("support", "summary", "-c", COMMUNE, "-y", 2024, "-w", ws, "--out", out).exit_code == 0
    )
    wb = openpyxl.load_workbook(out / f"{COMMUNE}_2024_ho_tro.xlsx", read_only=True)
    assert wb.sheetnames == [
        "Cam kết đảng viên",
        "Hộ được hỗ trợ",
        "Theo thôn và loại",
        "Theo người hỗ trợ",
        "So sánh kết quả",
        "Sổ hỗ trợ",
    ]


def test_summary_of_an_empty_year_says_so(cli, ws: Path) -> None:
    res = cli("support", "summary", "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    assert res.exit_code == 0
    assert res.json()["totals"]["records"] == 0
    assert any("chưa có bản ghi" in n for n in res.json()["notes"])


def test_template_reads_back_empty(cli, ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "mau_ho_tro.xlsx"
    made = cli("support", "template", "--out", path, "--json")
    assert made.exit_code == 0 and made.json() == {"outputs": [str(path)]}
    res = cli("support", "import", path, "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["rows"] == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["support", "summary", "-c", "99999", "-y", "2024"], 4),  # commune not in ngheo.yaml
        (["support", "import", "khong_co.xlsx", "-c", COMMUNE, "-y", "2024"], 3),
        (["support", "summary", "-c", COMMUNE, "-y", "24"], 2),
    ],
)
def test_errors(cli, ws: Path, args: list[str], code: int) -> None:
    res = cli(*args, "--workspace", ws)
    assert res.exit_code == code, res.stderr
    assert "Traceback" not in res.stderr


def test_needs_a_workspace(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("support", "summary", "-c", COMMUNE, "-y", 2024)
    assert res.exit_code == 2 and "ngheo init" in res.stderr


def test_library_import_matches_cli_json(cli, ws: Path) -> None:
    result = import_support(load_workspace(ws), COMMUNE, 2024, SAMPLE_BOOK)
    res = cli("support", "import", SAMPLE_BOOK, "-c", COMMUNE, "-y", 2024, "-w", ws, "--json")
    lib = result.to_dict()
    lib.update(added=0, already_recorded=lib["valid"])  # the second import adds nothing
    assert res.json() == json.loads(json.dumps(lib, ensure_ascii=False, default=_default))
