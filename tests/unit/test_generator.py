"""The synthetic-data generator and the sample writers (clean, messy, CSV, members)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ngheo_cli.core.schema import FIELD_BY_KEY
from ngheo_cli.io.rulesets import packaged
from ngheo_cli.sample.__main__ import main as sample_main
from ngheo_cli.sample.generator import (
    HOUSEHOLD_COLUMNS,
    ND07_INDICATORS,
    POVERTY_CAUSES,
    SUPPORT_NEEDS,
    agency_cells,
    generate_commune,
    generate_members,
    generate_province,
    generate_twinnings,
    next_year,
    province_commune,
)
from ngheo_cli.sample.province import survey_path, write_province
from ngheo_cli.sample.writer import (
    CLEAN_SHEET,
    GUIDE_SHEET,
    MEMBER_HEADERS,
    MEMBERS_SHEET,
    MESSY_HEADERS,
    MESSY_SHEET,
    SAMPLE_FILES,
    TWINNING_SHEET,
    write_clean,
    write_csv,
    write_members,
    write_messy,
    write_sample_data,
)

PROJECT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = PROJECT / "sample_data"


class _HeaderKeys:
    """Header text → key, as the reader understands it without a fuzzy guess."""

    def __init__(self) -> None:
        from ngheo_cli.core.headers import HeaderMatcher
        from ngheo_cli.io.rulesets import header_vocabulary

        self._matcher = HeaderMatcher(header_vocabulary(None))

    def get(self, text: str) -> str | None:
        found = self._matcher.match(text, fuzzy=False).match
        return found.key if found is not None else None

    def __getitem__(self, text: str) -> str | None:
        return self.get(text)


def nd07_classes(hh: pd.DataFrame) -> np.ndarray:
    """NĐ 07/2021 classes computed here, from the packaged rules file, independently of the
    generator: poor = income ≤ line AND ≥ 3 deprivations; near-poor = income ≤ line AND < 3;
    middle = line < income ≤ upper."""
    rs = packaged()["nd07-2021"]
    assert rs.middle_band_upper is not None
    urban = hh["khu_vuc"].to_numpy() == "Thành thị"
    line = np.where(urban, rs.income_line.thanh_thi.value, rs.income_line.nong_thon.value)
    upper = np.where(
        urban, rs.middle_band_upper.thanh_thi.value, rs.middle_band_upper.nong_thon.value
    )
    income = hh["thu_nhap_binh_quan"].to_numpy()
    count = hh[list(rs.indicator_ids)].to_numpy().sum(axis=1)
    below = income <= line
    return np.select(
        [below & (count >= rs.min_deprivations), below, income <= upper],
        ["ngheo", "can_ngheo", "trung_binh"],
        "khac",
    )


@pytest.fixture(scope="module")
def commune():
    return generate_commune(11, 2000, 2023)


@pytest.fixture(scope="module")
def following(commune):
    return next_year(commune, 12)


@pytest.fixture(scope="module")
def small():
    return generate_commune(5, 300, 2024)


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_same_frames():
    a = generate_commune(3, 500, 2023)
    b = generate_commune(3, 500, 2023)
    pd.testing.assert_frame_equal(a.households, b.households)
    pd.testing.assert_frame_equal(a.state, b.state)
    na, nb = next_year(a, 4), next_year(b, 4)
    pd.testing.assert_frame_equal(na.households, nb.households)
    pd.testing.assert_frame_equal(na.changes, nb.changes)
    pd.testing.assert_frame_equal(generate_members(na, 5), generate_members(nb, 5))
    other = generate_commune(4, 500, 2023)
    assert not a.households["ho_ten_chu_ho"].equals(other.households["ho_ten_chu_ho"])


# --- rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_rates_within_bands(seed):
    hh = generate_commune(seed, 2000, 2023).households
    classes = nd07_classes(hh)
    poor = np.mean(classes == "ngheo")
    near = np.mean(classes == "can_ngheo")
    assert 0.22 <= poor <= 0.28, poor
    assert 0.15 <= near <= 0.21, near
    minority = hh["dan_toc"].to_numpy() != "Kinh"
    assert 0.40 <= minority.mean() <= 0.60
    # Ethnic-minority households are poorer.
    assert np.mean(classes[minority] == "ngheo") > 2 * np.mean(classes[~minority] == "ngheo")
    rural = np.mean(hh["khu_vuc"] == "Nông thôn")
    assert 0.9 <= rural < 1.0


def test_custom_rates():
    hh = generate_commune(2, 1000, 2024, poor_rate=0.05, near_poor_rate=0.07).households
    classes = nd07_classes(hh)
    assert abs(np.mean(classes == "ngheo") - 0.05) < 0.01
    assert abs(np.mean(classes == "can_ngheo") - 0.07) < 0.01


# --- columns, codes, consistency ----------------------------------------------------------------


def test_columns_and_codes(commune):
    hh = commune.households
    assert tuple(hh.columns) == HOUSEHOLD_COLUMNS
    assert all(key in FIELD_BY_KEY for key in hh.columns)
    codes = hh["ma_ho"]
    assert codes.is_unique
    assert codes.map(lambda c: isinstance(c, str) and c.isdigit()).all()
    assert codes.str.startswith("0").mean() > 0.3
    assert (hh["ma_xa"] == "24181").all()
    cccd = hh["cccd"]
    assert cccd.is_unique
    assert cccd.str.fullmatch(r"0\d{11}").all()
    phones = hh["so_dien_thoai"].dropna()
    assert phones.str.fullmatch(r"0\d{9}").all()
    assert hh["so_nhan_khau"].between(1, 9).all()
    assert (hh["thu_nhap_binh_quan"] % 1000 == 0).all()
    for key in (*ND07_INDICATORS, "xu_ly_rac_thai", "khong_kha_nang_lao_dong", "co_nguoi_co_cong"):
        assert hh[key].dtype == bool, key
    villages = hh["thon"].unique()
    assert 8 <= len(villages) <= 15
    assert {"Buôn Jun", "Buôn Lê", "Thôn Yên Thành"} <= set(villages)
    assert all(v.startswith(("Buôn ", "Thôn ")) for v in villages)


def test_internal_consistency(commune):
    hh = commune.households
    marks = hh[list(ND07_INDICATORS)].to_numpy()
    count = marks.sum(axis=1)
    # Living area: < 8 m² ⇔ deprived.
    assert ((hh["dien_tich_binh_quan"] < 8) == hh["dien_tich_nha_o"]).all()
    # Dependants: more than half of the members ⇔ deprived.
    share = hh["so_nguoi_phu_thuoc"] / hh["so_nhan_khau"]
    assert ((share > 0.5) == hh["nguoi_phu_thuoc"]).all()
    assert (hh["so_nguoi_phu_thuoc"] <= hh["so_nhan_khau"]).all()
    # Scores.
    assert (hh["diem_b"] == 10 * count).all()
    urban = hh["khu_vuc"] == "Thành thị"
    rural = ~urban
    assert ((hh["diem_a"][rural] <= 140) == (hh["thu_nhap_binh_quan"][rural] <= 1_500_000)).all()
    assert ((hh["diem_a"][urban] <= 175) == (hh["thu_nhap_binh_quan"][urban] <= 2_000_000)).all()
    ordered = hh[rural].sort_values("thu_nhap_binh_quan")
    assert ordered["diem_a"].is_monotonic_increasing
    # Nobody uses a phone ⇒ no phone number.
    assert hh.loc[hh["vien_thong"], "so_dien_thoai"].isna().all()
    # Causes and needs: exactly the households at or below the income line.
    line = np.where(urban, 2_000_000, 1_500_000)
    below = hh["thu_nhap_binh_quan"].to_numpy() <= line
    assert (hh["nguyen_nhan"].notna().to_numpy() == below).all()
    assert (hh["nhu_cau"].notna().to_numpy() == below).all()
    assert set(hh["nguyen_nhan"].dropna()) <= set(POVERTY_CAUSES)
    needs = {n for cell in hh["nhu_cau"].dropna() for n in cell.split("; ")}
    assert needs <= set(SUPPORT_NEEDS)
    # Nobody living alone has a child-related deprivation.
    alone = hh["so_nhan_khau"] == 1
    assert not hh.loc[alone, ["dinh_duong", "di_hoc_tre_em"]].to_numpy().any()


def test_edge_cases_on_the_lines(commune):
    hh = commune.households
    count = hh[list(ND07_INDICATORS)].to_numpy().sum(axis=1)
    rural = (hh["khu_vuc"] == "Nông thôn").to_numpy()
    on_line = (hh["thu_nhap_binh_quan"] == 1_500_000).to_numpy() & rural
    assert on_line.sum() >= 3
    assert (on_line & (count == 3)).any()  # poor at both boundaries at once
    assert (count == 3).sum() > 50
    assert ((hh["dien_tich_binh_quan"] == 8.0) & ~hh["dien_tich_nha_o"]).any()
    half = hh["so_nguoi_phu_thuoc"] * 2 == hh["so_nhan_khau"]
    assert (half & ~hh["nguoi_phu_thuoc"]).any()
    assert (hh["thu_nhap_binh_quan"] == 2_250_000).any()
    assert (hh["khu_vuc"] == "Thành thị").any()


def test_names_look_real(commune):
    hh = commune.households
    names = hh.set_index("dan_toc")["ho_ten_chu_ho"]
    for group in ("Ê Đê", "M'Nông"):
        assert names[group].str.match(r"^(Y |H')").all(), group
    kinh = names["Kinh"]
    assert (kinh.str.split().str.len() >= 3).all()
    assert kinh.str.startswith("Nguyễn ").mean() > 0.15
    assert {"Kinh", "Ê Đê", "M'Nông"} <= set(hh["dan_toc"])
    assert hh["dan_toc"].nunique() >= 5


# --- next year ---------------------------------------------------------------------------------


def test_next_year_movements(commune, following):
    y1, y2 = commune.households, following.households
    assert following.year == commune.year + 1
    assert y2["ma_ho"].is_unique
    codes1, codes2 = set(y1["ma_ho"]), set(y2["ma_ho"])
    assert len(codes1 & codes2) >= 0.95 * len(codes1)
    changes = following.changes
    kinds = changes["loai"].value_counts()
    assert kinds["chuyen_di"] >= 2
    assert kinds["tach_ho"] >= 2
    assert kinds["chuyen_den"] >= 1
    assert kinds["doi_ma"] == 1
    # Moved out: gone. New codes: never used last year.
    assert not set(changes.loc[changes["loai"] == "chuyen_di", "ma_ho_cu"]) & codes2
    new = set(changes["ma_ho_moi"].dropna())
    assert new <= codes2 and not new & codes1
    assert codes2 - codes1 == new
    by1, by2 = y1.set_index("ma_ho"), y2.set_index("ma_ho")
    # Splits: same village, a relative (same surname / clan) at the head.
    fam2 = following.state.set_index(y2["ma_ho"])["family"]
    fam1 = commune.state.set_index(y1["ma_ho"])["family"]
    for rec in changes[changes["loai"] == "tach_ho"].itertuples():
        assert by2.at[rec.ma_ho_moi, "thon"] == by1.at[rec.ma_ho_cu, "thon"]
        assert fam2[rec.ma_ho_moi] == fam1[rec.ma_ho_cu]
        assert rec.ma_ho_cu in by2.index
    # The renumbered household: same head and village under a new code.
    ren = changes[changes["loai"] == "doi_ma"].iloc[0]
    assert ren["ma_ho_cu"] not in codes2
    assert by2.at[ren["ma_ho_moi"], "ho_ten_chu_ho"] == by1.at[ren["ma_ho_cu"], "ho_ten_chu_ho"]
    assert by2.at[ren["ma_ho_moi"], "thon"] == by1.at[ren["ma_ho_cu"], "thon"]
    assert pd.isna(by2.at[ren["ma_ho_moi"], "ghi_chu"])


def test_next_year_poverty_falls(commune, following):
    c1 = pd.Series(nd07_classes(commune.households), index=commune.households["ma_ho"])
    c2 = pd.Series(nd07_classes(following.households), index=following.households["ma_ho"])
    drop = (c1 == "ngheo").mean() - (c2 == "ngheo").mean()
    assert 0.015 <= drop <= 0.045, drop
    both = c1.index.intersection(c2.index)
    escaped = ((c1[both] == "ngheo") & (c2[both] != "ngheo")).sum()
    entered = ((c1[both] != "ngheo") & (c2[both] == "ngheo")).sum()
    assert escaped > entered > 0
    # Incomes drift rather than being redrawn.
    inc = pd.concat(
        [commune.households.set_index("ma_ho")["thu_nhap_binh_quan"],
         following.households.set_index("ma_ho")["thu_nhap_binh_quan"]],
        axis=1, join="inner",
    )
    assert np.corrcoef(np.log(inc.iloc[:, 0]), np.log(inc.iloc[:, 1]))[0, 1] > 0.8


def test_next_year_chain(small):
    later = next_year(next_year(small, 1), 2)
    assert later.year == small.year + 2
    assert later.households["ma_ho"].is_unique
    assert (later.changes["loai"] == "doi_ma").sum() == 1


# --- members -------------------------------------------------------------------------------------


def test_members(commune):
    members = generate_members(commune, 9)
    classes = nd07_classes(commune.households)
    helped = int(np.isin(classes, ["ngheo", "can_ngheo"]).sum())
    assert 0.6 <= len(members) / helped <= 0.8
    assert members["ma_dang_vien"].is_unique
    assert members["ma_dang_vien"].str.fullmatch(r"0\d{7}").all()
    poor = pd.Series(classes == "ngheo").groupby(commune.households["thon"].to_numpy()).sum()
    resident = members.groupby("thon").size().reindex(poor.index, fill_value=0)
    assert (resident == 0).sum() == 1
    assert ((poor > resident) & (resident > 0)).sum() >= 2
    assert 0.02 <= members["mien"].mean() <= 0.10
    assert members["tran_so_ho"].isna().mean() >= 0.8
    assert set(members["gioi_tinh"]) == {"Nam", "Nữ"}
    agencies = members["chi_bo"].isin(agency_cells(commune))
    assert agencies.any()
    assert members.loc[agencies, "huong_luong"].mean() > 0.8
    assert members.loc[~agencies, "chi_bo"].eq("Chi bộ " + members.loc[~agencies, "thon"]).all()
    twin = generate_twinnings(commune, members)
    assert 2 <= len(twin) <= 3
    empty = resident.index[resident == 0][0]
    assert empty.startswith("Buôn ")
    assert (twin["thon"] == empty).any()
    agency_rows = twin[twin["chi_bo"].isin(agency_cells(commune))]
    assert agency_rows["thon"].str.startswith("Buôn ").any()


# --- province ------------------------------------------------------------------------------------


def test_province():
    communes = list(generate_province(3, 7, 200))
    assert len(communes) == 7
    assert len({c.commune_code for c in communes}) == 7
    assert len({c.commune_name for c in communes}) == 7
    assert all(len(c.households) == 200 for c in communes)
    assert all((c.households["ma_xa"] == c.commune_code).all() for c in communes)
    ward = communes[5]
    assert ward.commune_name.startswith("Phường ")
    assert (ward.households["khu_vuc"] == "Thành thị").all()
    again = list(generate_province(3, 7, 200))
    for a, b in zip(communes, again, strict=True):
        pd.testing.assert_frame_equal(a.households, b.households)


def test_province_commune_is_the_provinces_commune():
    made_apart = [province_commune(3, i, 120, 2023) for i in range(7)]
    for a, b in zip(made_apart, generate_province(3, 7, 120, 2023), strict=True):
        assert (a.commune_code, a.commune_name, a.villages) == (
            b.commune_code, b.commune_name, b.villages)
        pd.testing.assert_frame_equal(a.households, b.households)


# The households of seed 7 (the batch benchmark's), 7 communes × 300 households, 2023 and the
# 2024 that follows: a generator change that moves any value changes this digest (and with
# it every cached benchmark input and every count the docs quote from a generated province).
_SEED_7_DIGEST = "12323f18672a344c84f57b30209137d43807246e91a9acb7cf0d56503d77a970"


def test_existing_seeds_give_the_same_households():
    import hashlib

    digest = hashlib.sha256()
    for sample in generate_province(7, 7, 300, year=2023):
        for year_sample in (sample, next_year(sample, 8)):
            digest.update(year_sample.households.to_csv(index=False).encode())
            digest.update(year_sample.changes.to_csv(index=False).encode())
    assert digest.hexdigest() == _SEED_7_DIGEST


# --- writers -------------------------------------------------------------------------------------


def test_write_clean_round_trip(tmp_path, small):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_clean(small, first)
    write_clean(small.households, second)
    assert first.read_bytes() == second.read_bytes()
    wb = openpyxl.load_workbook(first)
    assert wb.sheetnames == [CLEAN_SHEET]
    ws = wb[CLEAN_SHEET]
    hh = small.households
    header = [c.value for c in ws[1]]
    assert header == [FIELD_BY_KEY[k].label for k in hh.columns]
    col = {k: i for i, k in enumerate(hh.columns)}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(hh)
    for key in ("ma_ho", "cccd", "ma_xa"):
        assert [r[col[key]] for r in rows] == hh[key].tolist()
    cell = ws.cell(row=2, column=col["ma_ho"] + 1)
    assert cell.data_type == "s" and cell.value.startswith("0")
    marks = {r[col["nha_tieu"]] for r in rows}
    assert marks == {"x", None}
    assert [r[col["thu_nhap_binh_quan"]] for r in rows] == hh["thu_nhap_binh_quan"].tolist()


def test_write_csv(tmp_path, small):
    path = tmp_path / "ho.csv"
    write_csv(small, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == list(small.households.columns)
    assert back["ma_ho"].tolist() == small.households["ma_ho"].tolist()
    assert set(back["nha_tieu"]) == {"x", ""}


def _parse_income(value: object) -> int:
    """A test-side reading of the income spellings the messy writer uses."""
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    match = re.fullmatch(r"([\d,]+) triệu", text)
    if match:
        return round(float(match.group(1).replace(",", ".")) * 1_000_000)
    return int(text.replace(" đ", "").replace(".", ""))


@pytest.fixture(scope="module")
def messy_book(tmp_path_factory, small):
    path = tmp_path_factory.mktemp("messy") / "ds.xlsx"
    write_messy(small, path, seed=1)
    return path


def test_write_messy_deterministic(tmp_path, small, messy_book):
    again = tmp_path / "again.xlsx"
    write_messy(small, again, seed=1)
    assert again.read_bytes() == messy_book.read_bytes()


def test_write_messy_layout(messy_book, small):
    wb = openpyxl.load_workbook(messy_book)
    assert wb.sheetnames == [GUIDE_SHEET, MESSY_SHEET]
    ws = wb[MESSY_SHEET]
    assert ws["A1"].value == "UBND XÃ ĐẮK LIÊNG"
    assert ws["A3"].value == "DANH SÁCH HỘ GIA ĐÌNH RÀ SOÁT NĂM 2024"
    assert "ngày 14/12/2024" in ws["A4"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    # Header in rows 6–7: "Thu nhập" over two columns, indicators under one merged cell.
    top = {c.value: c.column_letter for c in ws[6] if c.value}
    income_col = top["Thu nhập"]
    assert f"{income_col}6:{openpyxl.utils.get_column_letter(ws[income_col + '6'].column + 1)}6" \
        in merged
    group = top["Các chỉ số thiếu hụt"]
    start = ws[group + "6"].column
    assert f"{group}6:{openpyxl.utils.get_column_letter(start + 11)}6" in merged
    assert "A6:A7" in merged
    assert [ws.cell(row=8, column=c).value for c in (1, 2, 3)] == ["(1)", "(2)", "(3)"]
    # Every header maps to its key: the lower cell alone, or upper + lower.
    index = _HeaderKeys()
    for key, (head, sub) in MESSY_HEADERS.items():
        if sub is None:
            assert index[head] == key, head
        else:
            assert index.get(sub) == key or index.get(head + " " + sub) == key, sub
    # Data: codes as text with leading zeros; incomes in mixed spellings that mean the
    # same amounts; marks in mixed spellings; blank rows; totals and signature rows.
    hh = small.households
    code_col = top["MÃ HỘ"]
    rows = [r for r in ws.iter_rows(min_row=9) if any(c.value is not None for c in r)]
    data = [r for r in rows if isinstance(r[0].value, int)]
    assert len(data) == len(hh)
    assert [r[ws[code_col + "1"].column - 1].value for r in data] == hh["ma_ho"].tolist()
    assert all(r[ws[code_col + "1"].column - 1].data_type == "s" for r in data)
    icol = ws[income_col + "1"].column - 1
    incomes = [r[icol].value for r in data]
    assert [_parse_income(v) for v in incomes] == hh["thu_nhap_binh_quan"].tolist()
    assert any(isinstance(v, str) and v.endswith(" đ") for v in incomes)
    assert any(isinstance(v, (int, float)) for v in incomes)
    mark_values = {r[c].value for r in data for c in range(start - 1, start + 11)}
    assert {"x", None} < mark_values
    assert mark_values - {None} <= {"x", "X", "1", "có", "✓", " x "}
    last_data = max(r[0].row for r in data)
    first_data = min(r[0].row for r in data)
    assert last_data - first_data + 1 > len(hh)  # blank rows in between
    footer = [r[0].value for r in rows if r[0].row > last_data]
    assert footer[0] == "Tổng cộng"
    texts = {c.value for r in ws.iter_rows(min_row=last_data + 1) for c in r if c.value}
    assert {"Người lập biểu", "Chủ tịch UBND xã"} <= texts


def test_write_messy_keeps_every_text_as_given(tmp_path, small):
    """The data rows are written as XML, not through xlsxwriter: text that needs escaping,
    spaces at the ends, a literal "_x0041_", control characters, values that are not text
    in a text column, missing values in every kind of column all read back as written."""
    hh = small.households.head(6).copy()
    names = ["Hồ & Lê <Văn> A", "  Y Bhim Niê ", "_x0041_ Nguyễn", "Tab\there", "Đỗ\u0001X",
             "Nguyễn Văn B"]
    hh["ho_ten_chu_ho"] = names
    hh["ghi_chu"] = pd.Series([None, "ghi chú", 12345, None, "a > b", ""], dtype=object)
    hh["so_nhan_khau"] = pd.Series([3, None, 5, 1, 2, 4], dtype="Int64")
    hh["dien_tich_binh_quan"] = [8.0, 12.35, np.nan, 7.9, 30.0, 1e-3]
    path = tmp_path / "m.xlsx"
    write_messy(hh, path, seed=3)
    ws = openpyxl.load_workbook(path)[MESSY_SHEET]
    top = {c.value: c.column for c in ws[6] if c.value}
    data = [r for r in ws.iter_rows(min_row=9) if isinstance(r[0].value, int)]
    assert [r[0].value for r in data] == [1, 2, 3, 4, 5, 6]
    # Names through the fast reader (it decodes "_x0001_" as Excel does, openpyxl does not).
    import fastexcel

    sheet = fastexcel.read_excel(path).load_sheet(MESSY_SHEET, header_row=None, dtypes="string")
    column = sheet.to_pandas().iloc[:, top["Họ và tên  chủ hộ"] - 1].tolist()
    got_names = [column[r[0].row - 1] for r in data]
    # The writer pads a few names on purpose (" name  "); the text itself is kept.
    assert [n.strip() for n in got_names] == [n.strip() for n in names]
    assert [r[top["Ghi chú"] - 1].value for r in data] == [None, "ghi chú", "12345", None,
                                                           "a > b", ""]
    assert [r[top["Số  khẩu "] - 1].value for r in data] == [3, None, 5, 1, 2, 4]
    areas = [r[top["Diện tích bình quân đầu người (m2)"] - 1].value for r in data]
    assert areas == [8, 12.35, None, 7.9, 30, 0.001]
    blank = data[1][top["Số  khẩu "] - 1]
    assert blank.border.left.style == "thin"  # an empty cell keeps the table's border


def test_write_members(tmp_path, small):
    members = generate_members(small, 1)
    twin = generate_twinnings(small, members)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_members(members, a, twin)
    write_members(members, b, twin)
    assert a.read_bytes() == b.read_bytes()
    wb = openpyxl.load_workbook(a)
    assert wb.sheetnames == [MEMBERS_SHEET, TWINNING_SHEET]
    ws = wb[MEMBERS_SHEET]
    assert [c.value for c in ws[1]] == list(MEMBER_HEADERS.values())
    codes = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert codes == members["ma_dang_vien"].tolist()
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith("0")
    tw = wb[TWINNING_SHEET]
    assert [c.value for c in tw[1]] == ["Chi bộ", "Thôn", "Ghi chú"]
    assert tw.max_row == len(twin) + 1


# --- the committed sample_data/ -----------------------------------------------------------------


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [tuple(r) for r in ws.iter_rows(values_only=True)]
        out[ws.title + "!merged"] = sorted(str(r) for r in ws.merged_cells.ranges)
    return out


def test_committed_sample_data_is_regenerated_by_the_code(tmp_path):
    """sample_data/ must be what `python -m ngheo_cli.sample` writes (content compared, so a
    new xlsxwriter version does not break it). On failure: regenerate the folder."""
    assert sample_main(["--out", str(tmp_path)]) == 0
    for name in SAMPLE_FILES:
        committed, fresh = SAMPLE_DATA / name, tmp_path / name
        assert committed.exists(), f"{name} missing: run python -m ngheo_cli.sample"
        assert committed.stat().st_size < 200_000
        if name.endswith(".xlsx"):
            assert _cells(committed) == _cells(fresh), f"{name}: run python -m ngheo_cli.sample"
        else:
            assert committed.read_text("utf-8") == fresh.read_text("utf-8")


def test_province_folder_is_the_same_whatever_the_jobs(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    _, written = write_province(one, seed=5, communes=3, households=80, jobs=1)
    workspace, written_two = write_province(two, seed=5, communes=3, households=80, jobs=2)
    assert written == written_two
    assert [c.code for c in workspace.communes] == [c.code for c in written]
    assert [c.commune_name for c in generate_province(5, 3, 80, 2023)] == [
        c.name for c in written]
    for commune in written:
        for year, households in commune.households:
            a, b = survey_path(one, year, commune.code), survey_path(two, year, commune.code)
            assert a.read_bytes() == b.read_bytes()
            ws = openpyxl.load_workbook(a)[MESSY_SHEET]
            rows = [r for r in ws.iter_rows(min_row=9, values_only=True)
                    if isinstance(r[0], int)]
            assert len(rows) == households
    assert [y for y, _ in written[0].households] == [2023, 2024]


def test_sample_main_province_and_usage(tmp_path, capsys):
    out = tmp_path / "tinh"
    assert sample_main(["--out", str(out), "--communes", "2", "--households", "30",
                        "--jobs", "1", "--seed", "4"]) == 0
    assert (out / "ngheo.yaml").is_file()
    assert survey_path(out, 2024, "24184").is_file()
    assert "Đã ghi tỉnh giả lập 2 xã" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        sample_main(["--out", str(out), "--jobs", "2"])
    assert usage.value.code == 2
    assert sample_main(["--out", str(out), "--communes", "1", "--households", "1040000"]) == 2
    assert "Excel chỉ chứa được" in capsys.readouterr().err


def test_write_sample_data_is_byte_deterministic(tmp_path):
    a = write_sample_data(tmp_path / "a", households=120)
    b = write_sample_data(tmp_path / "b", households=120)
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
