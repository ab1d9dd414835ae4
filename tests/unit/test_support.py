"""The support ledger's core: reading records, findings with cells, content keys,
commitments and the outcome comparison (tiny frames built inline)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ngheo_cli.core import support as core
from ngheo_cli.core.findings import CATALOGUE
from ngheo_cli.core.table import RawTable
from ngheo_cli.core.text import column_letter
from ngheo_cli.io.workspace import Workspace
from ngheo_cli.services.support import support_settings

YEAR = 2024
KEYS = ("ngay", "loai_nguoi", "nguoi_ho_tro", "ma_ho", "loai", "so_luong", "don_vi", "gia_tri",
        "ghi_chu")
LETTER = {k: column_letter(i) for i, k in enumerate(KEYS)}  # ngay → A, …, ma_ho → D
HOUSEHOLDS = {"01001", "01002", "01003"}
MEMBERS = pd.DataFrame(
    {
        "ma_dang_vien": ["DV1", "DV2", "DV3", "DV4"],
        "ho_ten": ["Nguyễn Văn An", "Y Bhim Niê", "H'Mai Êban", "Trần Thị Bích"],
        "chi_bo": ["Chi bộ Buôn Jun"] * 4,
        "thon": ["Buôn Jun"] * 4,
        "huong_luong": [True, False, True, False],
        "mien": [False, False, False, True],
    }
)


def raw(*rows: dict[str, object]) -> RawTable:
    """A support sheet as the reader hands it over: header in row 1, data from row 2."""
    frame = pd.DataFrame(
        [{k: (None if r.get(k) is None else str(r[k])) for k in KEYS} for r in rows],
        index=pd.Index(range(2, len(rows) + 2)),
        columns=list(KEYS),
    )
    return RawTable(
        source="ho_tro.xlsx",
        sheet="Sổ hỗ trợ",
        frame=frame,
        columns=dict(LETTER),
        headers={k: core.SUPPORT_FIELD_BY_KEY[k].label for k in KEYS},
        header_rows=(1,),
    )


def row(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "ngay": "2024-03-15 00:00:00",
        "loai_nguoi": "Đảng viên",
        "nguoi_ho_tro": "DV1",
        "ma_ho": "01001",
        "loai": "Cây giống",
        "so_luong": "10",
        "don_vi": "cây",
        "gia_tri": "300.000",
    }
    base.update(changes)
    return base


def prepare(*rows: dict[str, object], households=HOUSEHOLDS, members=MEMBERS):
    return core.prepare_support(raw(*rows), YEAR, households=households, members=members)


def test_valid_rows_are_typed() -> None:
    records, findings = prepare(
        row(),
        row(ngay="15/3/2024", loai="tiền mặt", so_luong=None, don_vi=None, gia_tri="1,5 triệu"),
        row(ngay="ngày 2 tháng 9 năm 2024", nguoi_ho_tro="Chi bộ Trạm Y tế xã", loai_nguoi=None,
            loai="BHYT", so_luong="2", don_vi=None, gia_tri=None),
        row(nguoi_ho_tro="Ngân hàng CSXH", loai_nguoi=None, loai="Vay vốn", so_luong=None,
            don_vi="đồng", gia_tri="30000000", ma_ho="01002"),
        row(loai="Ngày công", so_luong="2 ngày công", don_vi=None, gia_tri=None),
    )
    assert findings == []
    assert list(records.columns) == list(core.RECORD_COLUMNS)
    assert list(records.index) == [2, 3, 4, 5, 6]
    assert list(records["ngay"]) == [
        "2024-03-15", "2024-03-15", "2024-09-02", "2024-03-15", "2024-03-15"
    ]
    assert list(records["loai"]) == ["cay_giong", "tien", "the_bhyt", "vay_von", "ngay_cong"]
    assert list(records["loai_nguoi"]) == ["dang_vien", "dang_vien", "chi_bo", "quy", "dang_vien"]
    assert list(records["don_vi"]) == ["cay", "dong", "the", "dong", "ngay"]
    assert records["so_luong"].tolist()[:4] == [10.0, 1_500_000.0, 2.0, 30_000_000.0]
    assert records["so_luong"].iloc[4] == 2.0
    assert records["gia_tri"].iloc[0] == 300_000.0 and pd.isna(records["gia_tri"].iloc[2])


@pytest.mark.parametrize(
    ("change", "code", "cell"),
    [
        ({"ma_ho": "09999"}, "ht-ho-khong-co", "D2"),
        ({"nguoi_ho_tro": "DV9"}, "ht-dang-vien-khong-co", "C2"),
        ({"so_luong": "-5"}, "so-am", "F2"),
        ({"gia_tri": "-300000"}, "so-am", "H2"),
        ({"ngay": "31/12/2023"}, "ht-ngay-ngoai-nam", "A2"),
        ({"ngay": "2025-01-02 00:00:00"}, "ht-ngay-ngoai-nam", "A2"),
        ({"don_vi": "con"}, "ht-don-vi-khong-hop", "G2"),
        ({"loai": "Vật nuôi", "don_vi": "cây"}, "ht-don-vi-khong-hop", "G2"),
        ({"loai": "Nhà ở", "don_vi": "kg", "so_luong": "1"}, "ht-don-vi-khong-hop", "G2"),
        ({"ngay": None}, "ht-ngay-trong", "A2"),
        ({"ngay": "31/02/2024"}, "ht-ngay-khong-doc-duoc", "A2"),
        ({"ma_ho": None}, "ht-ma-ho-trong", "D2"),
        ({"nguoi_ho_tro": None}, "ht-nguoi-ho-tro-trong", "C2"),
        ({"loai_nguoi": "Hàng xóm"}, "ht-loai-nguoi-khong-ro", "B2"),
        ({"loai": "Bánh kẹo"}, "ht-loai-khong-ro", "E2"),
        ({"loai": None}, "ht-loai-trong", "E2"),
        ({"so_luong": None}, "ht-thieu-so-luong", "F2"),
        ({"so_luong": "0"}, "ht-so-luong-bang-0", "F2"),
        ({"so_luong": "mười"}, "so-khong-doc-duoc", "F2"),
        ({"gia_tri": "300"}, "so-mo-ho", "H2"),
        ({"loai": "Tiền", "so_luong": None, "don_vi": None, "gia_tri": None}, "ht-thieu-gia-tri",
         "H2"),
        ({"loai": "Tiền", "so_luong": "200000", "don_vi": None, "gia_tri": "300000"},
         "ht-tien-lech", "H2"),
    ],
)
def test_bad_rows_have_their_code_and_cell_and_good_rows_stay(
    change: dict[str, object], code: str, cell: str
) -> None:
    records, findings = prepare(row(**change), row(ma_ho="01002"))
    assert [(f.code, f.cell, f.row) for f in findings] == [(code, f"'Sổ hỗ trợ'!{cell}", 2)]
    assert findings[0].severity == "error"
    assert list(records.index) == [3]  # the good row is still recorded
    assert all(f.code in CATALOGUE for f in findings)
    assert findings[0].message and "{" not in findings[0].message


def test_unknown_codes_come_with_a_suggestion() -> None:
    _, findings = prepare(row(ma_ho="1001"), row(nguoi_ho_tro="Y Bhim Niê"))
    assert [f.code for f in findings] == ["ht-ho-khong-co", "ht-dang-vien-khong-co"]
    assert '"01001"' in findings[0].message  # Excel dropped the leading zero
    assert "DV2" in findings[1].message  # a member's name written instead of the code
    assert findings[0].ma_ho == "1001"


def test_without_stored_lists_codes_are_not_checked_and_that_is_said() -> None:
    records, findings = prepare(
        row(ma_ho="77777", nguoi_ho_tro="00123", loai_nguoi=None), households=None, members=None
    )
    assert [f.code for f in findings] == ["ht-chua-co-dang-vien", "ht-chua-co-ho"]
    assert all(f.severity == "warning" for f in findings)
    assert len(records) == 1 and records["loai_nguoi"].iloc[0] == "dang_vien"


def test_same_record_twice_in_a_sheet_counts_once() -> None:
    records, findings = prepare(
        row(),
        row(ngay="15/03/2024", nguoi_ho_tro="DV1", so_luong="10,0", don_vi="Cây", gia_tri="300000",
            ghi_chu="ghi lại"),
        row(so_luong="11"),
    )
    assert [(f.code, f.row, f.severity) for f in findings] == [("ht-trung", 3, "warning")]
    assert "dòng 2" in findings[0].message
    assert list(records.index) == [2, 4]


def test_record_key_ignores_spelling_but_not_content() -> None:
    key = core.record_key("2024-03-15", "Trạm Y tế xã", "01001", "qua", 1.0, "phan", 500000.0)
    assert key == core.record_key(
        "2024-03-15", "TRAM Y TE XA", " 01001", "qua", 1, "phan", 500_000
    )
    for other in (
        ("2024-03-16", "Trạm Y tế xã", "01001", "qua", 1.0, "phan", 500000.0),
        ("2024-03-15", "Trường THCS", "01001", "qua", 1.0, "phan", 500000.0),
        ("2024-03-15", "Trạm Y tế xã", "01002", "qua", 1.0, "phan", 500000.0),
        ("2024-03-15", "Trạm Y tế xã", "01001", "khac", 1.0, "phan", 500000.0),
        ("2024-03-15", "Trạm Y tế xã", "01001", "qua", 2.0, "phan", 500000.0),
        ("2024-03-15", "Trạm Y tế xã", "01001", "qua", 1.0, "kg", 500000.0),
        ("2024-03-15", "Trạm Y tế xã", "01001", "qua", 1.0, "phan", None),
    ):
        assert core.record_key(*other) != key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-15 00:00:00", "2024-03-15"),
        ("2024-03-15", "2024-03-15"),
        ("15/03/2024", "2024-03-15"),
        ("5-3-2024", "2024-03-05"),
        ("05.03.24", "2024-03-05"),
        ("Ngày 5 tháng 3 năm 2024", "2024-03-05"),
        ("45366", "2024-03-15"),
        ("31/02/2024", None),
        ("tháng 3", None),
        ("2024", None),
    ],
)
def test_dates(text: str, expected: str | None) -> None:
    assert core.date_value(text).value == expected


# --- commitments ------------------------------------------------------------------------------


def records_of(*items: tuple[str, str, str, float, float | None]) -> pd.DataFrame:
    """(member, household, kind, quantity, value) → records."""
    rows = [
        {"ngay": "2024-05-01", "loai_nguoi": "dang_vien", "nguoi_ho_tro": m, "ma_ho": h,
         "loai": k, "so_luong": q, "don_vi": core.KIND_BY_CODE[k].units[0], "gia_tri": v,
         "record_key": f"{i}"}
        for i, (m, h, k, q, v) in enumerate(items)
    ]
    return core.records_frame(rows)


def test_commitments_met_short_and_exempt() -> None:
    rules = core.CommitmentRules(salary_day_dong=250_000, labour_days=2, seedlings=10)
    records = records_of(
        ("DV1", "01001", "tien", 150_000, 150_000),  # salaried: 150.000 + 120.000 ≥ 250.000
        ("DV1", "01002", "tien", 120_000, 120_000),
        ("DV2", "01001", "ngay_cong", 1, None),  # no salary: 1 of 2 labour days
        ("DV3", "01003", "cay_giong", 12, None),  # salaried, met by seedlings
        ("DV4", "01003", "ngay_cong", 1, None),  # exempt: not checked
    )
    pairs = pd.DataFrame({"ma_dang_vien": ["DV1", "DV2"], "ma_ho": ["01002", "01003"]})
    c = core.check_commitments(records, MEMBERS, rules, pairs).set_index("ma_dang_vien")
    assert c.loc["DV1", "trang_thai"] == "dat" and c.loc["DV1", "muc"] == "ngay_luong"
    assert c.loc["DV1", "chenh_lech"] == 20_000 and c.loc["DV1", "so_ho"] == 2
    assert bool(c.loc["DV1", "giup_ho_phan_cong"]) is True
    assert c.loc["DV2", "trang_thai"] == "chua_dat" and c.loc["DV2", "muc"] == "ngay_cong"
    assert c.loc["DV2", "chenh_lech"] == -1 and bool(c.loc["DV2", "giup_ho_phan_cong"]) is False
    assert c.loc["DV3", "trang_thai"] == "dat" and c.loc["DV3", "muc"] == "cay_giong"
    assert c.loc["DV3", "chenh_lech"] == 2
    assert c.loc["DV4", "trang_thai"] == "mien" and pd.isna(c.loc["DV4", "dat"])
    assert pd.isna(c.loc["DV4", "chenh_lech"]) and c.loc["DV4", "ngay_cong"] == 1


def test_a_member_who_gave_nothing_is_short_by_the_whole_amount() -> None:
    c = core.check_commitments(records_of(), MEMBERS, core.CommitmentRules())
    assert list(c["trang_thai"]) == ["chua_dat", "chua_dat", "chua_dat", "mien"]
    assert list(c["chenh_lech"][:2]) == [-core.DEFAULT_SALARY_DAY, -core.DEFAULT_LABOUR_DAYS]


def test_settings_defaults_and_overrides(tmp_path: Path) -> None:
    rules = core.commitment_rules(None)
    assert rules.placeholder and rules.salary_day_dong == 200_000 and rules.seedlings == 10
    rules = core.commitment_rules({"salary_day_dong": 320_000, "labour_days": 3})
    assert not rules.placeholder and rules.labour_days == 3 and rules.seedlings == 10
    for bad in ({"salary_day_dong": 0}, {"ngay_luong": 1}, {"seedlings": "mười"}):
        with pytest.raises(core.SettingsError):
            core.commitment_rules(bad)
    # ngheo.yaml's support: section, read from the file itself.
    (tmp_path / "ngheo.yaml").write_text(
        "province: {code: '66', name: Đắk Lắk}\nsupport:\n  salary_day_dong: 310000\n",
        encoding="utf-8",
    )
    ws = Workspace(root=tmp_path, province_code="66", province_name="Đắk Lắk")
    assert support_settings(ws).salary_day_dong == 310_000
    (tmp_path / "ngheo.yaml").write_text("province: {code: '66', name: X}\n", encoding="utf-8")
    assert support_settings(ws).placeholder


# --- outcome ------------------------------------------------------------------------------------


def test_outcome_comparison_on_a_small_case() -> None:
    start = pd.DataFrame(
        {
            "ma_ho": ["A", "B", "C", "D", "E", "F", "G", "H"],
            "phan_loai": ["ngheo", "ngheo", "can_ngheo", "ngheo", "can_ngheo", "ngheo", "khac",
                          "ngheo"],
        }
    )
    end = pd.DataFrame(
        {
            "ma_ho": ["A", "B", "C", "D", "E", "G", "H"],  # F moved away
            "phan_loai": ["can_ngheo", "khac", "trung_binh", "ngheo", "can_ngheo", "khac",
                          "ngheo"],
        }
    )
    helped = {"A", "B", "C", "D", "G"}
    supported = {"A", "B", "C", "E", "G"}
    out = core.outcome_comparison(start, end, helped, supported)
    g = out["groups"]
    both = g["co_nguoi_giup_va_ho_tro"]  # A, B, C (G is not on the list)
    assert (both["households"], both["found"], both["left_list"]) == (3, 3, 2)
    assert (both["poor"], both["escaped_poverty"]) == (2, 2)
    assert both["rate_left_list"] == round(2 / 3, 4) and both["rate_escaped_poverty"] == 1.0
    assert g["chi_co_nguoi_giup"]["households"] == 1  # D
    assert g["chi_co_ho_tro"]["households"] == 1  # E
    neither = g["khong_co_ca_hai"]  # F (moved away), H
    assert (neither["households"], neither["not_found"], neither["found"]) == (2, 1, 1)
    assert neither["rate_left_list"] == 0.0 and neither["rate_escaped_poverty"] == 0.0
    rest = g["con_lai"]
    assert (rest["households"], rest["found"], rest["left_list"]) == (4, 3, 0)
    assert out["difference_points"] == round(2 / 3 * 100, 2)
    assert "không chứng minh" in out["caution"]
    sentence = core.outcome_sentence(out, 2023, 2024)
    assert "2/3 hộ" in sentence and "không chứng minh" in sentence


def test_outcome_without_comparison_group_has_no_difference() -> None:
    start = pd.DataFrame({"ma_ho": ["A"], "phan_loai": ["ngheo"]})
    out = core.outcome_comparison(start, start, {"A"}, {"A"})
    assert out["difference_points"] is None
    assert out["groups"]["con_lai"]["rate_left_list"] is None


# --- tables -------------------------------------------------------------------------------------


def test_household_and_village_tables() -> None:
    records = records_of(
        ("DV1", "01001", "cay_giong", 10, 300_000),
        ("DV2", "01001", "cay_giong", 5, None),
        ("DV2", "01002", "ngay_cong", 2, None),
    )
    names = core.giver_names(records, MEMBERS)
    assert names.iloc[0] == "Nguyễn Văn An (DV1)"
    this = pd.DataFrame({"ma_ho": ["01001", "01002"], "ho_ten_chu_ho": ["A", "B"],
                         "thon": ["Buôn Jun", "Buôn Lê"], "phan_loai": ["ngheo", "can_ngheo"]})
    last = this.assign(phan_loai=["ngheo", "ngheo"])
    h = core.household_support(records, names, this, last).set_index("ma_ho")
    assert h.loc["01001", "da_nhan"] == "Cây giống: 15 cây"
    assert h.loc["01001", "nguoi_ho_tro"] == "Nguyễn Văn An (DV1); Y Bhim Niê (DV2)"
    assert h.loc["01002", "phan_loai_truoc"] == "ngheo"
    assert h.loc["01002", "phan_loai"] == "can_ngheo"
    v = core.village_kind_table(records, {"01001": "Buôn Jun", "01002": "Buôn Lê"})
    total = v[(v["thon"] == "Toàn xã") & (v["loai"] == "cay_giong")].iloc[0]
    assert (total["so_lan"], total["so_ho"], total["so_luong"]) == (2, 1, 15.0)
    assert total["tong_gia_tri"] == 300_000
