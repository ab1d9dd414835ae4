"""The official forms' numbers (core.forms) and their sheets (io.report_forms, io.form_writer)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngheo_cli.core.forms import (
    _scan,
    balance_identity,
    build_forms,
    cause_key,
    vn_sort_key,
    vn_sorted,
)
from ngheo_cli.core.history import balances, transitions
from ngheo_cli.io import rulesets
from ngheo_cli.io.outputs.report import render_html, write_report
from ngheo_cli.io.workspace import load_workspace
from ngheo_cli.io.xlsx.forms import COUNT_FORMAT, MIN_PRINT_PT, print_percent
from ngheo_cli.services.report import build_report

ND07 = rulesets.packaged()["nd07-2021"]
CLASSES = ("ngheo", "can_ngheo", "trung_binh", "khac")


# --- Vietnamese order ------------------------------------------------------------------------


def test_vietnamese_order_letters_then_tones() -> None:
    # đ after d (not after z, not as d); ă, â after a; ơ after ô after o; ư after u.
    assert vn_sorted(["Thôn Đông", "Thôn Dung", "Thôn Em", "Thôn Ê Ga"]) == [
        "Thôn Dung", "Thôn Đông", "Thôn Em", "Thôn Ê Ga"]
    assert vn_sorted(["ân", "ăn", "an", "bo"]) == ["an", "ăn", "ân", "bo"]
    assert vn_sorted(["ơ", "ô", "o"]) == ["o", "ô", "ơ"]
    assert vn_sorted(["ưa", "ua"]) == ["ua", "ưa"]
    # Tones only after the letters: ngang, huyền, hỏi, ngã, sắc, nặng.
    assert vn_sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert vn_sorted(["Hòa", "Hoa", "Hóa"]) == ["Hoa", "Hòa", "Hóa"]
    assert vn_sort_key("Hòa Bình") < vn_sort_key("Hoan")  # letters first, tones break ties
    # Case and Unicode form do not matter; numbers compare as numbers.
    assert vn_sort_key("buôn jun")[:2] == vn_sort_key("Buôn Jun")[:2]
    assert vn_sort_key("Hòa")[:2] == vn_sort_key("Ho\u0300a")[:2]
    assert vn_sorted(["Tổ 10", "Tổ 2", "Tổ 1"]) == ["Tổ 1", "Tổ 2", "Tổ 10"]


def _whole_text_key(text: str) -> Any:
    """The key scanned from the whole casefolded NFD text at once."""
    letters, tones = _scan(unicodedata.normalize("NFD", str(text).casefold()))
    return tuple(letters), tuple(tones), text


# Vietnamese in NFC and NFD, capitals, digits (ASCII and others), stray and stacked combining
# marks, spaces, characters that casefold to several (ß) and wide characters.
_KEY_ALPHABET = st.sampled_from(
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯẮẰẲẴẶắằẳẵặếềểễệốồổỗộớờởỡợứừửữựýỳỷỹỵ")
    + list("0123456789 \t-.,()") + ["\u0300", "\u0301", "\u0302", "\u0303", "\u0306",
                                   "\u0309", "\u031b", "\u0323", "\u0344", "ß", "Ǆ",
                                   "村", "٣", "²", "①", "ﬁ", "Å", "ǅ", "\u0958"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_KEY_ALPHABET, max_size=12).map("".join),
       st.sampled_from(["NFC", "NFD", None]))
def test_sort_key_put_together_per_character_is_the_whole_text_scan(
        text: str, form: str | None) -> None:
    if form is not None:
        text = unicodedata.normalize(form, text)  # type: ignore[arg-type]
    assert vn_sort_key(text) == _whole_text_key(text)


def test_sort_key_of_any_text_never_fails() -> None:
    # Superscript and circled digits are not numbers; a shape mark on a letter that has no
    # such letter ("q̂", "ă̂") is left out like any other mark.
    assert vn_sorted(["Tổ ²", "Tổ 2", "Tổ ①", "Tổ 10"]) == ["Tổ 2", "Tổ 10", "Tổ ²", "Tổ ①"]
    assert vn_sort_key("q\u0302")[:2] == vn_sort_key("q")[:2]
    assert vn_sort_key("a\u0306\u0302")[:2] == vn_sort_key("ă")[:2]
    assert vn_sort_key("٣٤ Xóm")[0][0] == (0, 34)  # Arabic-Indic digits are decimal


def test_sort_key_of_digits_and_stray_marks() -> None:
    for text in ("Tổ 007", "12a3", "1\u0301", "a\u0301\u0302", "\u0301a", "Buôn Ea 2ⅲ",
                 "Thôn 10", "٣٤ Xóm", "ᄀ각"):
        assert vn_sort_key(text) == _whole_text_key(text), text


def test_causes_in_the_form_s_eight_groups() -> None:
    assert cause_key("Thiếu đất sản xuất") == "dat"
    assert cause_key("thiếu vốn sản xuất, kinh doanh") == "von"
    assert cause_key("Thiếu kỹ năng lao động") == "ky_nang"  # not "thiếu lao động"
    assert cause_key("Thiếu lao động") == "lao_dong"
    assert cause_key("Thiếu công cụ") == "cong_cu"
    assert cause_key("Không có kiến thức sản xuất") == "kien_thuc"
    assert cause_key("Ốm đau, tai nạn") == "om_dau"
    assert cause_key("Đông con") == "khac"
    assert cause_key("  ") is None


# --- random households: every form adds up ---------------------------------------------------

VILLAGES = ("Buôn Jun", "Thôn Đoàn Kết", "Thôn Dũng", "Buôn Ê Ga")


def _households(draw: st.DrawFn, n: int, prefix: str) -> pd.DataFrame:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frame = pd.DataFrame({
        "ma_ho": [f"{prefix}{i:03d}" for i in range(n)],
        "thon": rng.choice(VILLAGES, size=n),
        "phan_loai": rng.choice(CLASSES, size=n, p=[0.3, 0.25, 0.2, 0.25]),
        "so_nhan_khau": rng.integers(1, 8, size=n),
        "dan_toc": rng.choice(["Kinh", "Ê Đê", "M'Nông"], size=n),
        "nguyen_nhan": rng.choice(["Thiếu vốn", "Thiếu đất", "", "Đông con"], size=n),
        "nlnn": rng.random(n) < 0.7,
        "dan_toc_tai_cho": rng.random(n) < 0.4,
        "gioi_tinh_chu_ho": rng.choice(["Nam", "Nữ"], size=n),
        "khong_kha_nang_lao_dong": rng.random(n) < 0.1,
        "co_nguoi_co_cong": rng.random(n) < 0.05,
        "nguon_thieu_hut": "chi_so",
    })
    frame["is_dtts"] = frame["dan_toc"] != "Kinh"
    for ind in ND07.indicator_ids:
        frame[ind] = rng.random(n) < 0.3
    return frame


@st.composite
def two_years(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    before = _households(draw, draw(st.integers(0, 40)), "A")
    now = _households(draw, draw(st.integers(0, 40)), "A")
    # Some households keep their code (stay), others are new (N…) or gone.
    new = draw(st.integers(0, len(now)))
    now.loc[: new - 1, "ma_ho"] = [f"N{i:03d}" for i in range(new)]
    return now, before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_years())
def test_totals_are_the_sum_of_unit_rows_and_the_balance_identity_holds(
    data: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    now, before = data
    trans = transitions(now, before, [])
    forms = build_forms(now, "thon", ND07, balances(trans, by="thon"), "thon")
    res = forms["results"]
    for key in ("households", "persons", "poor", "near_poor", "nlnn_middle", "poor_persons",
                "near_poor_persons", "nlnn_middle_persons"):
        if res["total"][key] is None:  # a field the (empty) year does not carry
            assert all(r[key] is None for r in res["rows"])
            continue
        assert res["total"][key] == sum(r[key] for r in res["rows"])
    assert res["total"]["households"] == len(now)
    for kind in ("poor", "near_poor"):
        table = forms["balances"][kind]
        for row in [*table["rows"], table["total"]]:
            assert balance_identity(row["households"]), row
            assert balance_identity(row["persons"]), row
        for i in range(9):
            assert table["total"]["households"][i] == sum(
                r["households"][i] for r in table["rows"])
        # (1) is last year's count, (9) this year's.
        code = "ngheo" if kind == "poor" else "can_ngheo"
        assert table["total"]["households"][0] == int((before["phan_loai"] == code).sum())
        assert table["total"]["households"][8] == int((now["phan_loai"] == code).sum())
        dep = forms["deprivations"][kind]
        for j in range(len(ND07.indicator_ids)):
            assert dep["total"]["counts"][j] == sum(r["counts"][j] for r in dep["rows"])
        for name in ("target_groups", "ethnic", "causes", "multidimensional"):
            part = forms[name][kind]
            assert part["total"]["households"] == sum(r["households"] for r in part["rows"])
            for g in forms[name].get("groups") or forms[name].get("causes") or []:
                if part["total"][g["key"]] is None:
                    assert all(r[g["key"]] is None for r in part["rows"])
                    continue
                assert part["total"][g["key"]]["households"] == sum(
                    r[g["key"]]["households"] for r in part["rows"])
    # Units are in Vietnamese order, numbered 1, 2, …
    names = [u["name"] for u in forms["units"]]
    assert names == vn_sorted(names)
    assert [u["no"] for u in forms["units"]] == [str(i) for i in range(1, len(names) + 1)]


def test_lists_in_name_order_and_attrs_neither_read_nor_changed() -> None:
    frame = pd.DataFrame({
        "ma_ho": ["H9", "H2", "H3", "H1", "H5", "H6"],
        "thon": ["Buôn Jun", "Buôn Jun", "Buôn Jun", "Buôn Jun", "Thôn Dũng", "Thôn Dũng"],
        "phan_loai": ["ngheo", "ngheo", "ngheo", "can_ngheo", "ngheo", "khac"],
        "ho_ten_chu_ho": ["Y Bhăm", "Ê Ban Hơ", "Y Bhăm", "Lê Văn A", None, "Trần B"],
        "so_nhan_khau": [3, 5, 2, 4, 1, 6],
        "so_thieu_hut": [2.0, np.nan, 0.0, 3.0, 1.0, 0.0],
    })
    status = pd.Series(["con_ngheo", pd.NA, "tai_ngheo", "con_can_ngheo"],
                       index=["H9", "H2", "H3", "H5"], dtype="string")
    plain = build_forms(frame, "thon", ND07, status=status)
    frame.attrs["run"] = {"id": 7, "note": ["kept"]}
    with_attrs = build_forms(frame, "thon", ND07, status=status)
    assert with_attrs == plain
    assert frame.attrs == {"run": {"id": 7, "note": ["kept"]}}
    jun = plain["lists"]["poor"][0]
    assert jun["name"] == "Buôn Jun"
    # Name order (Ê after E… after B: "Ê Ban" < "Y"), then the code for the same name.
    assert [(h["no"], h["ho_ten"], h["ma_ho"]) for h in jun["households"]] == [
        ("1.1", "Ê Ban Hơ", "H2"), ("1.2", "Y Bhăm", "H3"), ("1.3", "Y Bhăm", "H9")]
    assert [h["persons"] for h in jun["households"]] == [5, 2, 3]
    assert [h["deprivations"] for h in jun["households"]] == [None, 0, 2]
    assert [h["status"] for h in jun["households"]] == ["moi", "tai", "cu"]
    dung = plain["lists"]["poor"][1]
    assert (dung["no"], dung["name"]) == ("2", "Thôn Dũng")
    assert [h["ho_ten"] for h in dung["households"]] == [""]


def test_text_columns_counted_per_distinct_value_as_per_row() -> None:
    """Classes, units, ethnic groups and causes are compared once per distinct value: the
    counts are those of the rows' own values (blank and missing alike, names stripped)."""
    frame = pd.DataFrame({
        "ma_ho": [f"H{i}" for i in range(8)],
        "thon": [" Buôn Jun", "Buôn Jun ", None, "", "Thôn Dũng", "Thôn Dũng", "Buôn Jun",
                 "  "],
        "phan_loai": ["ngheo", "can_ngheo", "ngheo", None, "ngheo", "trung_binh", "ngheo",
                      "can_ngheo"],
        "so_nhan_khau": [1, 2, 3, 4, 5, 6, 7, 8],
        "dan_toc": [" Ê Đê", "Ê Đê ", "Kinh", None, "M'Nông", "kinh", "", "Ê Đê"],
        "is_dtts": [True, True, False, False, True, False, False, True],
        "nguyen_nhan": ["Thiếu vốn", None, "", "Thiếu đất", "Ốm đau", "x", "thiếu vốn", "  "],
    }, dtype=object).astype({"so_nhan_khau": "int64", "is_dtts": "bool"})
    for column in ("thon", "phan_loai", "dan_toc", "nguyen_nhan"):
        frame[column] = frame[column].astype("string")
    forms = build_forms(frame, "thon", ND07)
    assert [u["name"] for u in forms["units"]] == ["Buôn Jun", "Thôn Dũng", "(trống)"]
    rows = {r["name"]: r for r in forms["results"]["rows"]}
    assert (rows["Buôn Jun"]["households"], rows["Buôn Jun"]["poor"],
            rows["Buôn Jun"]["near_poor"]) == (3, 2, 1)
    assert (rows["(trống)"]["households"], rows["(trống)"]["poor"],
            rows["(trống)"]["near_poor"]) == (3, 1, 1)
    ethnic = forms["ethnic"]
    assert [g["label"] for g in ethnic["groups"]] == ["Kinh", "Dân tộc thiểu số", "Ê Đê",
                                                      "M'Nông"]
    poor_total = ethnic["poor"]["total"]
    assert poor_total["households"] == 4
    assert poor_total["kinh"] == {"households": 1, "persons": 3}
    assert poor_total["g0"] == {"households": 1, "persons": 1}  # " Ê Đê" stripped
    near_total = ethnic["near_poor"]["total"]
    assert near_total["g0"] == {"households": 2, "persons": 10}  # "Ê Đê " and "Ê Đê"
    causes = forms["causes"]["poor"]["total"]
    assert causes["von"]["households"] == 2  # "Thiếu vốn", "thiếu vốn"
    assert causes["om_dau"]["households"] == 1
    assert causes["chua_ghi"]["households"] == 1  # ""
    near_causes = forms["causes"]["near_poor"]["total"]
    assert near_causes["chua_ghi"]["households"] == 2  # missing and blank


def test_near_poor_balance_uses_the_form_s_numbering() -> None:
    before = pd.DataFrame({"ma_ho": ["1", "2", "3"], "thon": "T", "phan_loai": "can_ngheo",
                           "so_nhan_khau": [1, 2, 3]})
    now = pd.DataFrame({"ma_ho": ["1", "2", "3"], "thon": "T",
                        "phan_loai": ["khac", "ngheo", "can_ngheo"], "so_nhan_khau": [1, 2, 3]})
    forms = build_forms(now, "thon", ND07, balances(transitions(now, before, []), by="thon"))
    near = forms["balances"]["near_poor"]["total"]["households"]
    # (2) thoát cận nghèo: household 1; (3) trở thành hộ nghèo: household 2.
    assert near[:3] == [3, 1, 1] and near[8] == 1


def test_fields_the_data_do_not_carry_are_said_not_zero(tmp_path: Path) -> None:
    frame = pd.DataFrame({"ma_ho": ["1", "2", "3"], "thon": ["A", "A", "B"],
                          "phan_loai": ["ngheo", "trung_binh", "can_ngheo"],
                          "so_nhan_khau": [3, 4, 5]})
    forms = build_forms(frame, "thon", ND07)
    assert {"nlnn", "dan_toc_tai_cho", "gioi_tinh_chu_ho", "co_nguoi_co_cong"} <= set(
        forms["missing"])
    assert forms["results"]["total"]["nlnn_middle"] is None
    assert forms["multidimensional"]["poor"]["total"]["chu_ho_nu"] is None
    assert forms["balances"] is None and forms["deprivations"] is None


# --- the workbook of the sample commune and province -----------------------------------------


@pytest.fixture
def reports(ws: Path, tmp_path: Path) -> dict[str, dict]:
    workspace = load_workspace(ws)
    out = tmp_path / "bc"
    ctxs = {"commune": build_report(workspace, 2024, commune="24181").context,
            "province": build_report(workspace, 2024, province=True).context}
    for ctx in ctxs.values():
        write_report(ctx, out)
    return {k: {"ctx": v, "xlsx": out / f"{'24181' if k == 'commune' else 'tinh_66'}"
                f"_2024_bao_cao.xlsx"} for k, v in ctxs.items()}


def _sheet_rows(path: Path, name: str) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return [tuple(r) for r in book[name].iter_rows(values_only=True)]


def test_results_form_column_for_column(reports: dict) -> None:
    path = reports["commune"]["xlsx"]
    rows = _sheet_rows(path, "Tổng hợp kết quả rà soát")
    numbers = next(r for r in rows if r[0] == "A")
    assert list(numbers[:16]) == ["A", "B", "1", "2", "3", "4 = 3/1 × 100", "5",
                                  "6 = 5/1 × 100", "7", "8 = 7/1 × 100", "9", "10 = 9/2 × 100",
                                  "11", "12 = 11/2 × 100", "13", "14 = 13/2 × 100"]
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[2:5] == (603, 2571, 134) and total[5] == "22,22"  # rate × 100, comma
    units = [r for r in rows if r[0] and str(r[0]).isdigit()]
    assert [r[0] for r in units] == [str(i) for i in range(1, 13)]
    assert [r[1] for r in units] == vn_sorted([r[1] for r in units])
    assert sum(r[4] for r in units) == total[4]
    book = openpyxl.load_workbook(path)
    sheet = book["Tổng hợp kết quả rà soát"]
    cell = sheet.cell(row=rows.index(total) + 1, column=3)
    assert cell.number_format == COUNT_FORMAT  # dots written in, not the PC's separator
    assert sheet.print_title_rows  # title and header repeat on every page
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9


def test_every_sheet_prints_at_nine_points_or_more(reports: dict) -> None:
    for level in ("commune", "province"):
        book = openpyxl.load_workbook(reports[level]["xlsx"])
        for sheet in book.worksheets:
            widths: list[float] = []  # openpyxl groups equal neighbouring columns: min..max
            for c in sorted(sheet.column_dimensions, key=lambda c: (len(c), c)):
                dim = sheet.column_dimensions[c]
                if dim.width:
                    widths += [dim.width - 0.71] * (dim.max - dim.min + 1)
            sizes = {cell.font.sz for row in sheet.iter_rows() for cell in row
                     if cell.value is not None}
            # A fixed print scale, never "fit to pages" (that would drop the manual breaks).
            assert sheet.sheet_properties.pageSetUpPr is None or \
                not sheet.sheet_properties.pageSetUpPr.fitToPage, (level, sheet.title)
            scale = (sheet.page_setup.scale or 100) / 100
            assert scale == 1.0 or sheet.page_setup.scale == print_percent(widths), sheet.title
            assert min(sizes) * scale >= MIN_PRINT_PT, (level, sheet.title)


def test_province_form_has_a_row_per_commune(reports: dict) -> None:
    rows = _sheet_rows(reports["province"]["xlsx"], "Diễn biến hộ nghèo")
    assert any(r[1] == "Xã Đắk Liêng" for r in rows)
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[3] == 150 and total[11] == 134
    title = rows[4][0]
    assert title == "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO NĂM 2024"
    flat = " ".join(str(c) for r in rows for c in r if c)
    assert "TM. ỦY BAN NHÂN DÂN TỈNH" in flat and "TỈNH ĐẮK LẮK" in flat


def test_detailed_list_new_again_old(reports: dict) -> None:
    ctx = reports["commune"]["ctx"]
    lists = ctx["forms"]["lists"]
    households = [h for g in lists["poor"] for h in g["households"]]
    assert len(households) == 134
    # The balance says 150 − 12 − 14 − 0 + 3 + 0 + 6 + 1: 123 stayed poor ("cũ").
    assert sum(h["status"] == "cu" for h in households) == 150 - 12 - 14 - 0
    assert sum(h["status"] == "tai" for h in households) == 0
    assert sum(h["status"] == "moi" for h in households) == 3 + 6 + 1
    rows = _sheet_rows(reports["commune"]["xlsx"], "DS hộ nghèo")
    assert any(r[0] == "1.1" for r in rows)


def test_html_report_shows_the_json_numbers_in_official_words(reports: dict) -> None:
    from ngheo_cli.core import fmt
    from ngheo_cli.io.outputs.report import render_html

    for level in ("commune", "province"):
        ctx = reports[level]["ctx"]
        html = render_html(ctx)
        text = " ".join(html.split())
        for c in ctx["summary"]["classes"]:
            if c["households"] is not None:
                assert f"<td class=\"n\">{fmt.number(c['households'])}</td>" in html
                assert f"{fmt.number(c['rate_households'], 2)}%" in html
        for kind in ("poor", "near_poor"):
            for line in ctx["balances"][kind]:
                assert (f"({line['line']}) {line['label']}</td><td class=\"n\">"
                        f"{fmt.number(line['households'])}</td><td class=\"n\">"
                        f"{fmt.number(line['persons'])}</td>") in text
        for row in ctx["by_unit"]:
            assert f"<td>{row['nhom']}</td><td class=\"n\">{fmt.number(row['so_ho'])}</td>" \
                in text
        mpi = ctx["deprivations"]["mpi"]
        assert f"M0 = {fmt.number(mpi['M0'], 3)}" in text and mpi["M0"] == round(mpi["M0"], 3)
        # Official words only: no rules-file ids, indicator ids, commands or settings keys.
        for code in ("nd07-2021", "nd351-2025", "xu_ly_rac_thai", "ngheo assign",
                     "ngheo support", "--commune", "targets:", "ngheo.yaml"):
            assert code not in html, (level, code)
        assert "Nghị định 07/2021/NĐ-CP" in html
        assert "TM. ỦY BAN NHÂN DÂN" in html and "Số: …/BC-UBND" in html


def test_html_deprivations_in_the_legal_order_under_their_dimension(reports: dict) -> None:
    """The HTML report lists the indicators as the standard does (its ``indicators:``, under
    their dimension), like the Excel forms: never by frequency."""
    legal = [ind.id for ind in ND07.indicators]
    for level in ("commune", "province"):
        ctx = reports[level]["ctx"]
        rows = ctx["deprivations"]["rows"]
        assert [r["chi_so"] for r in rows] == legal
        assert [i["id"] for i in ctx["forms"]["deprivations"]["indicators"]] == legal
        text = " ".join(render_html(ctx).split())
        start = text.index("<th>Hộ nghèo thiếu</th>")
        table = text[start : text.index("</table>", start)]
        expected: list[str] = []
        for ind in ND07.indicators:
            dim = f"<b>{ND07.dimensions[ind.dimension]}</b>"
            if dim not in expected:
                expected.append(dim)
            expected.append(f"<td>{ind.name}</td>")
        positions = [table.index(part) for part in expected]
        assert positions == sorted(positions), level


def test_signatures_are_not_left_alone_on_a_page() -> None:
    from ngheo_cli.io.xlsx.forms import PAGE_HEIGHT_PT, signature_break

    # Rows 0–9: letterhead and header (rows 4–9 repeat on every page); then 20 unit rows,
    # in pairs (Hộ, Nhân khẩu): a break may only fall above a pair.
    heights = {r: 20.0 for r in range(10)}
    body = [(10 + i, i % 2 == 0) for i in range(20)]
    for r, _ in body:
        heights[r] = 18.0
    tail = [15.0, 18.0, 18.0, 18.0]
    # Room left after the table: no break.
    assert signature_break(heights, body, 4, 9, tail, 1.0) is None
    # The table ends just at the foot of the page: the last pair moves with the signatures.
    used = sum(heights.values())
    heights[0] += PAGE_HEIGHT_PT - used - 5
    brk = signature_break(heights, body, 4, 9, tail, 1.0)
    assert brk == 28  # the last pair (rows 28, 29), never between its two rows


@pytest.mark.parametrize("shift", [0.0, 7.0, 18.0, 25.0, 40.0])
@pytest.mark.parametrize("scale", [1.0, 0.8])
def test_page_breaks_never_fall_between_a_unit_s_two_rows(shift: float, scale: float) -> None:
    """Units of two rows (Hộ, Nhân khẩu) over several pages: each page breaks above a
    unit's first row, every page holds what the estimate says fits, and no page is left
    with the header alone."""
    from ngheo_cli.io.xlsx.forms import PAGE_HEIGHT_PT, _paginate, unit_breaks

    heights = {r: 20.0 for r in range(10)}
    heights[0] += shift  # moves where the pages would end
    body = [(10 + i, i % 2 == 0) for i in range(90)]
    for r, _ in body:
        heights[r] = 18.0 + (r % 5) * 3.0  # wrapped rows of different heights
    breaks = unit_breaks(heights, body, 4, 9, scale)
    firsts = {r for r, first in body if first}
    assert len(breaks) >= 2  # the table spans three pages or more
    assert breaks == sorted(set(breaks)) and set(breaks) <= firsts
    # A naive layout (break wherever the next row does not fit) would split some unit.
    y, naive = 0.0, []
    for r in range(body[-1][0] + 1):
        if y + heights[r] * scale > PAGE_HEIGHT_PT:
            naive.append(r)
            y = sum(heights[k] * scale for k in range(4, 10))
        y += heights[r] * scale
    if any(r not in firsts for r in naive):
        assert breaks != naive
    # Every page fits: the first from the top, the others below the repeated header.
    repeat = sum(heights[r] * scale for r in range(4, 10))
    tops = [0, *breaks, body[-1][0] + 1]
    for i, (a, b) in enumerate(zip(tops, tops[1:], strict=False)):
        used = sum(heights[r] * scale for r in range(a, b)) + (repeat if i else 0.0)
        assert used <= PAGE_HEIGHT_PT, (a, b)
        assert b - a >= 2  # at least one whole unit under the header
    # The signatures are placed against the same pages.
    assert _paginate(heights, body, 4, 9, scale, breaks)[0] == breaks


def test_a_unit_taller_than_a_page_is_left_to_break() -> None:
    from ngheo_cli.io.xlsx.forms import PAGE_HEIGHT_PT, unit_breaks

    heights = {r: 20.0 for r in range(10)}
    body = [(10, True), (11, False), (12, True), (13, False)]
    heights.update({10: 30.0, 11: PAGE_HEIGHT_PT - 100, 12: 30.0, 13: PAGE_HEIGHT_PT - 100})
    breaks = unit_breaks(heights, body, 4, 9, 1.0)
    assert breaks and all(b in (11, 12, 13) for b in breaks)  # no endless loop, no empty page


def test_households_without_a_village_are_one_unit_in_every_form() -> None:
    before = pd.DataFrame({"ma_ho": ["1", "2"], "thon": [None, "A"], "phan_loai": "ngheo",
                           "so_nhan_khau": [2, 3]})
    now = pd.DataFrame({"ma_ho": ["1", "2"], "thon": [None, "A"], "phan_loai": "ngheo",
                        "so_nhan_khau": [2, 3]})
    forms = build_forms(now, "thon", ND07, balances(transitions(now, before, []), by="thon"))
    assert [u["name"] for u in forms["units"]] == ["(trống)", "A"] or [
        u["name"] for u in forms["units"]] == ["A", "(trống)"]
    rows = forms["balances"]["poor"]["rows"]
    assert [r["households"][0] for r in rows] == [1, 1]
