"""Workbooks as districts and villages send them (issue 10 item 4): one sheet per village,
a sheet of another layout among them, a district file with a commune column recorded per
commune in a working folder, and nothing dropped: input rows = classified + rejected
(+ exact repeats) over every sheet."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngheo_cli.core.results import classify_table
from ngheo_cli.errors import RulesetError, UsageError
from ngheo_cli.io.read.workbook import read_table
from ngheo_cli.io.rulesets import packaged
from ngheo_cli.io.store import Store
from ngheo_cli.io.workspace import CommuneConfig, init_workspace
from ngheo_cli.services.classify import BY_COLUMN, classify_file
from tests.unit.test_workbook import build_xlsx

ND07 = packaged()["nd07-2021"]
INDICATORS = list(ND07.indicator_ids)
HEADER = ["Mã hộ", "Họ và tên chủ hộ", "Khu vực", "Số nhân khẩu", "Thu nhập bình quân", *INDICATORS]


def row(
    code: str, name: str, income: int, deprived: int = 0, village: str | None = None
) -> list[Any]:
    marks = ["x" if i < deprived else None for i in range(len(INDICATORS))]
    cells: list[Any] = [code, name, "Nông thôn", 4, income, *marks]
    return cells if village is None else [village, *cells]


def test_every_village_sheet_is_read_with_its_sheet(tmp_path: Path) -> None:
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "Thôn A": [["DANH SÁCH HỘ THÔN A"], HEADER, row("A01", "Lò Văn Một", 900_000, 4)],
            "Thôn B": [HEADER, row("B01", "Lò Thị Hai", 1_200_000), row("B02", "", 3_000_000)],
            "Hướng dẫn": [["Mỗi hộ một dòng; mã hộ ghi dạng văn bản."]],
        },
    )
    raw = read_table(path, all_sheets=True)
    assert [p.name for p in raw.parts] == ["Thôn A", "Thôn B"]
    assert list(raw.frame["thon"]) == ["Thôn A", "Thôn B", "Thôn B"]  # village from the sheet
    result = classify_table(raw, ND07, 2024)
    assert result.input_rows == 3 == len(result.households) + len(result.rejected)
    blank_name = next(f for f in result.findings if f.code == "ho-ten-trong")
    assert blank_name.sheet == "Thôn B" and blank_name.cell == "'Thôn B'!B3"
    first = result.households.iloc[0]
    assert first["ma_ho"] == "A01" and str(first["phan_loai"]) == "ngheo"
    # a few lines of instructions are not a list: not read, and not worth a finding
    assert not [f for f in result.findings if f.code == "sheet-khong-doc"]


def test_village_column_is_kept_when_present(tmp_path: Path) -> None:
    header = ["Thôn", *HEADER]
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "S1": [header, row("1", "An", 900_000, village="Bản Ủn")],
            "S2": [header, row("2", "Bình", 900_000, village="Bản Ủn")],
        },
    )
    raw = read_table(path, all_sheets=True)
    assert list(raw.frame["thon"]) == ["Bản Ủn", "Bản Ủn"]
    assert raw.cell("thon", raw.frame.index[1]) == "S2!A2"


def test_sheet_of_another_layout_is_named_not_lost(tmp_path: Path) -> None:
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "Thôn A": [HEADER, row("A01", "An", 900_000)],
            "Thôn B": [HEADER, row("B01", "Bình", 900_000)],
            "Tổng hợp": [["Mã hộ", "Ghi chú"], ["B01", "đã kiểm tra"]],
            "Ghi chép": [[f"Hộ số {i}", "Thôn 1", 4] for i in range(8)],
            "Danh mục": [["Loại", "Đơn vị", "Ghi chú"], *[["Tiền", "đồng", "-"]] * 8],
        },
    )
    result = classify_table(read_table(path, all_sheets=True), ND07, 2024)
    assert result.input_rows == 2
    notes = [f for f in result.findings if f.code == "sheet-khong-doc"]
    assert [f.sheet for f in notes] == ["Tổng hợp", "Ghi chép"]
    assert "bố cục" in notes[0].message and "tiêu đề" in notes[1].message
    assert notes[1].cell == "'Ghi chép'!A1"


def test_village_names_in_two_unicode_forms_are_one_village(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Thôn Ẳng")
    header = ["Thôn", *HEADER]
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "Hộ": [
                header,
                row("1", "An", 900_000, village="Thôn Ẳng"),
                row("2", "Bình", 900_000, village=nfd),
            ]
        },
    )
    result = classify_table(read_table(path, all_sheets=True), ND07, 2024)
    assert result.households["thon"].nunique() == 1


def test_name_like_a_totals_label_is_rejected_not_skipped(tmp_path: Path) -> None:
    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "Hộ": [
                HEADER[1:2] + HEADER[:1] + HEADER[2:],
                ["Tống Văn A", None, "Nông thôn", 4, 900_000],
                ["Tổng cộng", None, None, 4, None],
            ]
        },
    )
    raw = read_table(path, all_sheets=True)
    assert list(raw.frame.index) == [2]
    assert [s.reason for s in raw.skipped] == ["tong_cong"]
    result = classify_table(raw, ND07, 2024)
    assert [f.code for f in result.errors] == ["ma-ho-trong"]
    assert result.input_rows == 1 and len(result.rejected) == 1


# --- splitting a sheet into per-village sheets changes nothing ---------------------------------

household = st.tuples(
    st.integers(min_value=0, max_value=3_000_000),
    st.integers(min_value=0, max_value=6),
    st.sampled_from(["Thôn 1", "Thôn 2", "Bản Ủn"]),
    st.booleans(),  # a blank income (rejected)
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(household, min_size=1, max_size=12))
def test_splitting_into_village_sheets_never_changes_a_class(
    tmp_path_factory: pytest.TempPathFactory, households: list[tuple[int, int, str, bool]]
) -> None:
    folder = tmp_path_factory.mktemp("split")
    rows = []
    for i, (income, deprived, village, blank) in enumerate(households):
        cells = row(f"{i + 1:04d}", f"Hộ {i}", income, deprived)
        if blank:
            cells[4] = None
        rows.append((village, cells))
    one = build_xlsx(folder / "one.xlsx", {"Hộ": [["Thôn", *HEADER], *[[v, *c] for v, c in rows]]})
    villages = sorted({v for v, _ in rows})
    split = build_xlsx(
        folder / "split.xlsx",
        {v: [HEADER, *[c for w, c in rows if w == v]] for v in villages},
    )
    a = classify_table(read_table(one, all_sheets=True), ND07, 2024)
    b = classify_table(read_table(split, all_sheets=True), ND07, 2024)
    assert a.input_rows == b.input_rows == len(rows)
    assert len(b.households) + len(b.rejected) == len(rows)
    classes_a = dict(zip(a.households["ma_ho"], a.households["phan_loai"].astype(str), strict=True))
    classes_b = dict(zip(b.households["ma_ho"], b.households["phan_loai"].astype(str), strict=True))
    assert classes_a == classes_b
    if len(villages) > 1:  # each sheet's name is its households' village
        villages_a = dict(zip(a.households["ma_ho"], a.households["thon"], strict=True))
        villages_b = dict(zip(b.households["ma_ho"], b.households["thon"], strict=True))
        assert villages_a == villages_b


# --- a district file recorded per commune ------------------------------------------------------


def _workspace(tmp_path: Path):
    return init_workspace(
        tmp_path / "ws",
        "66",
        "Đắk Lắk",
        [
            CommuneConfig.create("24181", "Xã Ea Kly", "xa"),
            CommuneConfig.create("24100", "Phường Tân Lập", "phuong"),
        ],
    )


def _district(tmp_path: Path, second: str = "24100") -> Path:
    header = [
        "Mã xã",
        "Mã hộ",
        "Họ và tên chủ hộ",
        "Giới tính",
        "Số nhân khẩu",
        "Thu nhập bình quân",
        "Kết quả rà soát",
        *INDICATORS,
    ]
    body = []
    for commune, n in (("24181", 3), (second, 2)):
        for i in range(1, n + 1):  # codes restart in each commune
            marks = [None] * len(INDICATORS)
            body.append(
                [commune, str(i), f"Hộ {commune}-{i}", "nữ", 4, 1_800_000, "Hộ cận nghèo", *marks]
            )
    return build_xlsx(tmp_path / "huyen.xlsx", {"DS": [header, *body]})


def test_district_file_is_recorded_per_commune_with_its_area(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    run = classify_file(
        _district(tmp_path), year=2024, commune=BY_COLUMN, workspace=ws, write=False
    )
    assert not [f for f in run.result.findings if f.code in ("ma-ho-trung", "ma-ho-bat-dau-lai")]
    assert [c["commune"] for c in run.recorded["communes"]] == ["24100", "24181"]
    with Store.open(ws.store_path) as store:
        rural = store.load_year("24181", 2024)
        urban = store.load_year("24100", 2024)
    assert len(rural) == 3 and len(urban) == 2
    # 1.800.000 đ, no deprivation: above the rural line (1.500.000), so middle-standard
    # (up to 2.250.000); at or below the urban line (2.000.000), so near-poor (NĐ 07 Điều 3)
    assert set(rural["phan_loai"].astype(str)) == {"trung_binh"}
    assert set(urban["phan_loai"].astype(str)) == {"can_ngheo"}
    assert set(urban["khu_vuc"].astype(str)) == {"thanh_thi"}
    assert set(rural["khu_vuc"].astype(str)) == {"nong_thon"}
    # the recorded class is stored as its code, the head's sex as normalised text
    assert set(urban["ket_qua_ra_soat"]) == set(rural["ket_qua_ra_soat"]) == {"can_ngheo"}
    assert set(rural["gioi_tinh_chu_ho"]) == {"Nữ"}
    lech = [f for f in run.result.findings if f.code == "ket-qua-lech"]
    assert len(lech) == 3  # recorded near-poor, computed middle-standard (rural commune)


def test_unknown_commune_in_a_district_file_stops_before_recording(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    with pytest.raises(RulesetError) as err:
        classify_file(
            _district(tmp_path, "99999"), year=2024, commune=BY_COLUMN, workspace=ws, write=False
        )
    assert "99999" in err.value.message and "24181" in (err.value.hint or "")


def test_one_commune_asked_for_a_district_file_is_a_usage_error(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    with pytest.raises(UsageError):
        classify_file(_district(tmp_path), year=2024, commune="24181", workspace=ws, write=False)


def test_outputs_of_a_village_workbook_name_each_row_sheet_and_row(tmp_path: Path) -> None:
    from ngheo_cli.io.outputs.classify import result_frame

    path = build_xlsx(
        tmp_path / "xa.xlsx",
        {
            "Thôn A": [HEADER, row("A01", "An", 900_000)],
            "Thôn B": [["DANH SÁCH"], HEADER, row("B01", "Bình", 900_000), row("B02", "", 1)],
        },
    )
    run = classify_file(path, year=2024, out_dir=tmp_path / "out")
    frame = result_frame(run.result)
    assert list(zip(frame["sheet_goc"], frame["dong_goc"], strict=True)) == [
        ("Thôn A", 2),
        ("Thôn B", 3),
    ]
    assert run.exit_code == 1 and {p.name for p in run.outputs} >= {"xa_loi.xlsx"}
    # --json names the Excel row of the second sheet, not the table's internal row key.
    blank_name = [f for f in run.result.to_dict()["rejected"] if f["sheet"] == "Thôn B"]
    assert blank_name and all(f["row"] == 4 for f in blank_name)
    assert all(f["cell"].endswith("4") for f in blank_name)


def test_codes_restarting_without_a_commune_column_are_not_recorded(tmp_path: Path) -> None:
    from ngheo_cli.errors import InputError

    ws = _workspace(tmp_path)
    header = [
        "Mã hộ",
        "Họ và tên chủ hộ",
        "Thôn",
        "Số nhân khẩu",
        "Thu nhập bình quân",
        *INDICATORS,
    ]
    body = [[str(i), f"Hộ {c}{i}", "Thôn 1", 4, 900_000] for c in "ab" for i in (1, 2, 3)]
    path = build_xlsx(tmp_path / "huyen.xlsx", {"DS": [header, *body]})
    with pytest.raises(InputError) as err:
        classify_file(path, year=2024, commune="24181", workspace=ws, write=False)
    assert "Mã xã" in err.value.message
