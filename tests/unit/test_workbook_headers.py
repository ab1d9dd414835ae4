"""Workbooks with the headers officers really type: abbreviated, reworded, NFD Unicode,
machine-key rows above or below the labels, positional CS1…CS12 per standard, the layout
of a real provincial export. Every workbook is built here at test time."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngheo_cli.core.results import classify_table
from ngheo_cli.core.ruleset import Ruleset
from ngheo_cli.errors import InputError
from ngheo_cli.io import rulesets
from ngheo_cli.io.read.workbook import read_table
from ngheo_cli.services import classify as classify_service

ND07 = "nd07-2021"
ND351 = "nd351-2025"

# key → (year, incomes …) fixtures: code, income, deprived indicator numbers (1-based in the
# standard's own order), expected class under NĐ 07/2021, nông thôn.
HOUSEHOLDS: list[tuple[str, int, tuple[int, ...], str]] = [
    ("001", 1_200_000, (1, 4, 7, 10), "ngheo"),
    ("002", 1_400_000, (2,), "can_ngheo"),
    ("003", 2_000_000, (), "trung_binh"),
    ("004", 3_000_000, (1, 2, 3), "khac"),
    ("005", 1_500_000, (5, 8, 11), "ngheo"),  # the line itself is "at or below"
    ("006", 1_600_000, (1, 2, 3, 4, 5), "trung_binh"),  # above the line: never poor
]

BASE_KEYS = ("ma_ho", "ho_ten_chu_ho", "thon", "so_nhan_khau", "thu_nhap_binh_quan", "khu_vuc")

# Header variants per key: the canonical label first, then what officers type.
VARIANTS: dict[str, tuple[str, ...]] = {
    "ma_ho": ("Mã hộ", "Mã HGĐ", "Mã số hộ GĐ", "Mã số hộ gia đình", "ma_ho"),
    "ho_ten_chu_ho": ("Họ và tên chủ hộ", "Chủ hộ", "Họ tên chủ hộ", "chu_ho"),
    "thon": ("Thôn", "Thôn/buôn", "Thôn, tổ dân phố", "Địa bàn"),
    "so_nhan_khau": ("Số nhân khẩu", "Số NK", "TS nhân khẩu", "NK", "so_nhan_khau"),
    "thu_nhap_binh_quan": (
        "Thu nhập bình quân (đồng/người/tháng)",
        "TNBQ",
        "Thu nhập BQ (đ/người/tháng)",
        "TN bình quân đầu người",
    ),
    "khu_vuc": ("Khu vực", "KV", "Khu vực (NT/TT)", "NT/TT"),
    "viec_lam": ("Việc làm", "TH việc làm", "Thiếu hụt việc làm"),
    "nguoi_phu_thuoc": ("Người phụ thuộc", "Người phụ thuộc trong hộ", "TH người phụ thuộc"),
    "dinh_duong": ("Dinh dưỡng", "TH dinh dưỡng"),
    "bao_hiem_y_te": ("Bảo hiểm y tế", "BHYT", "TH BHYT"),
    "giao_duc_nguoi_lon": ("Trình độ giáo dục người lớn", "TĐGD người lớn", "GD người lớn"),
    "di_hoc_tre_em": ("Tình trạng đi học của trẻ em", "Trẻ em đi học", "Đi học TE"),
    "chat_luong_nha_o": ("Chất lượng nhà ở", "CL nhà ở"),
    "dien_tich_nha_o": ("Diện tích nhà ở bình quân", "DT nhà ở", "DT nhà ở BQ"),
    "nguon_nuoc": ("Nguồn nước sinh hoạt", "Nước SH", "Nguồn nước"),
    "nha_tieu": ("Nhà tiêu hợp vệ sinh", "Nhà tiêu HVS", "Nhà VS"),
    "vien_thong": ("Sử dụng dịch vụ viễn thông", "DV viễn thông", "Sử dụng internet"),
    "tiep_can_thong_tin": ("Phương tiện tiếp cận thông tin", "Tiếp cận TT", "PT tiếp cận TT"),
}


def ruleset(rid: str = ND07) -> Ruleset:
    return rulesets.packaged()[rid]


def rows_for(keys: Sequence[str], rs: Ruleset) -> list[list[Any]]:
    order = rs.indicator_ids
    out: list[list[Any]] = []
    for n, (code, income, deprived, _) in enumerate(HOUSEHOLDS, start=1):
        values: dict[str, Any] = {
            "ma_ho": code,
            "ho_ten_chu_ho": f"Hộ thứ {n}",
            "thon": "Buôn Jun",
            "so_nhan_khau": 4,
            "thu_nhap_binh_quan": income,
            "khu_vuc": "Nông thôn",
        }
        for i, key in enumerate(order, start=1):
            values[key] = "x" if i in deprived else None
        out.append([values[k] for k in keys])
    return out


def write_book(
    path: Path,
    headers: Sequence[str],
    body: list[list[Any]],
    *,
    key_row: Sequence[str] | None = None,
    key_row_below: bool = False,
    sheet: str = "Danh sách",
) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    grid: list[Sequence[Any]] = [["UBND XÃ EA TIÊU"], ["DANH SÁCH HỘ RÀ SOÁT NĂM 2024"], []]
    if key_row is not None and not key_row_below:
        grid.append(key_row)
    grid.append(headers)
    if key_row is not None and key_row_below:
        grid.append(key_row)
    grid += body
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, value)
    wb.close()
    return path


def classes(path: Path, rs: Ruleset, **kwargs: Any) -> dict[str, str]:
    raw = read_table(path, vocabulary=rulesets.header_vocabulary(rs), **kwargs)
    result = classify_table(raw, rs, 2024)
    assert len(result.rejected) == 0
    hh = result.households
    return dict(zip(hh["ma_ho"].astype(str), hh["phan_loai"].astype(str), strict=True))


EXPECTED = {code: cls for code, _, _, cls in HOUSEHOLDS}


def all_keys(rs: Ruleset) -> list[str]:
    return [*BASE_KEYS, *rs.indicator_ids]


# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_abbreviated_and_reworded_headers_classify_without_a_map(
    tmp_path: Path, variant: int
) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    headers = [VARIANTS[k][min(variant, len(VARIANTS[k]) - 1)] for k in keys]
    path = write_book(tmp_path / "ds.xlsx", headers, rows_for(keys, rs))
    assert classes(path, rs) == EXPECTED


def test_nfd_headers_are_the_same_headers(tmp_path: Path) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    headers = [unicodedata.normalize("NFD", VARIANTS[k][1 % len(VARIANTS[k])]) for k in keys]
    assert headers != [unicodedata.normalize("NFC", h) for h in headers]
    path = write_book(tmp_path / "ds.xlsx", headers, rows_for(keys, rs))
    assert classes(path, rs) == EXPECTED


@pytest.mark.parametrize("below", [False, True])
def test_row_of_machine_keys_above_or_below_the_labels_is_header_not_household(
    tmp_path: Path, below: bool
) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    labels = [VARIANTS[k][0] for k in keys]
    path = write_book(
        tmp_path / "ds.xlsx", labels, rows_for(keys, rs), key_row=keys, key_row_below=below
    )
    raw = read_table(path, vocabulary=rulesets.header_vocabulary(rs))
    assert raw.header_rows == (4, 5)
    assert list(raw.frame.index) == list(range(6, 6 + len(HOUSEHOLDS)))
    assert raw.headers["ma_ho"] == "Mã hộ"  # the labels speak, not the machine keys
    assert classes(path, rs) == EXPECTED


@pytest.mark.parametrize("rid", [ND07, ND351])
def test_positional_cs_headers_follow_the_standards_own_order(tmp_path: Path, rid: str) -> None:
    rs = ruleset(rid)
    keys = all_keys(rs)
    headers = [VARIANTS[k][0] for k in BASE_KEYS] + [f"CS{i}" for i in range(1, 13)]
    path = write_book(tmp_path / "ds.xlsx", headers, rows_for(keys, rs))
    raw = read_table(path, vocabulary=rulesets.header_vocabulary(rs))
    for i, key in enumerate(rs.indicator_ids, start=1):
        assert raw.headers[key] == f"CS{i}"
        assert raw.header_matches[key].method == "positional"
    if rid == ND07:
        assert classes(path, rs) == EXPECTED


def test_real_export_layout_classifies_without_a_column_map(tmp_path: Path) -> None:
    keys = [
        "thoi_gian_ra_soat", "chu_ho", "ma_ho", "dan_toc_tai_cho", "gioi_tinh", "so_nhan_khau",
        "phieu_a", "phieu_b1", "phieu_b2", "ket_qua_ra_soat", "nguoi_ra_soat",
    ]  # fmt: skip
    labels = [
        "Thời gian rà soát", "Chủ hộ", "Mã hộ", "Dân tộc tại chỗ", "Giới tính", "Số nhân khẩu",
        "Phiếu A", "Phiếu B1", "Phiếu B2", "Kết quả rà soát", "Người rà soát",
    ]  # fmt: skip
    body = [
        ["12/10/2024", "Y Bhăm Niê", "1", "x", "Nam", 5, "Có", 120, 40, "Hộ nghèo", "Lan"],
        ["13/10/2024", "Trần Văn Bình", "2", None, "Nam", 3, "Có", 140, 20, "Hộ cận nghèo", "Lan"],
        ["14/10/2024", "H'Linh Êban", "3", "x", "Nữ", 4, "Không", 141, 60, "Hộ khác", "Lan"],
    ]
    path = write_book(tmp_path / "xuat.xlsx", labels, body, key_row=keys)
    run = classify_service.classify_file(path, year=2024, area="nong_thon", write=False)
    hh = run.result.households
    assert len(run.result.rejected) == 0 and len(hh) == 3
    assert dict(zip(hh["ma_ho"], hh["phan_loai"].astype(str), strict=True)) == {
        "1": "ngheo",  # B1 120 ≤ 140 and B2 40 ≥ 30
        "2": "can_ngheo",  # B1 at the line, B2 20 < 30
        "3": "tren_chuan",  # B1 above the line
    }
    matches = read_table(path, vocabulary=rulesets.header_vocabulary(ruleset())).header_matches
    assert matches["diem_a"].name == "Phiếu B1" and matches["diem_b"].name == "Phiếu B2"
    for key in ("phieu_a", "ket_qua_ra_soat", "dan_toc_tai_cho", "gioi_tinh_chu_ho"):
        assert key in matches
    assert matches["ngay_ra_soat"].method == "exact"


def test_nlnn_flag_is_read_and_carried_to_the_households(tmp_path: Path) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    headers = [VARIANTS[k][0] for k in keys] + ["Hộ làm NLNDN"]
    body = [[*row, "x" if i % 2 else None] for i, row in enumerate(rows_for(keys, rs))]
    path = write_book(tmp_path / "ds.xlsx", headers, body)
    run = classify_service.classify_file(path, year=2024, write=False)
    hh = run.result.households.set_index("ma_ho")
    assert hh["nlnn"].tolist() == [False, True, False, True, False, True]
    assert dict(hh["phan_loai"].astype(str)) == EXPECTED  # the flag never changes a class


def test_two_columns_equally_claiming_one_key_is_an_error_naming_both(tmp_path: Path) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    headers = [VARIANTS[k][0] for k in keys] + ["Thôn, buôn", "Thôn/bản"]
    body = [[*row, "Buôn A", "Buôn B"] for row in rows_for(keys, rs)]
    headers[2] = "Địa bàn"  # an alias too: three equally strong claims on "thon"
    path = write_book(tmp_path / "ds.xlsx", headers, body)
    with pytest.raises(InputError) as info:
        read_table(path, vocabulary=rulesets.header_vocabulary(rs))
    message = info.value.message
    assert '"thon"' in message
    for text in ("Địa bàn", "Thôn, buôn", "Thôn/bản"):
        assert text in message
    assert "--column-map" in (info.value.hint or "")
    # The officer says which one to use; the others are skipped.
    mapped = read_table(
        path,
        vocabulary=rulesets.header_vocabulary(rs),
        column_map={"Thôn, buôn": "thon", "Địa bàn": "bo_qua", "Thôn/bản": "bo_qua"},
    )
    assert mapped.frame["thon"].unique().tolist() == ["Buôn A"]
    assert any("bỏ qua" in u for u in mapped.unmapped)


def test_an_exact_name_beats_a_guess_for_the_same_key(tmp_path: Path) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    headers = [VARIANTS[k][0] for k in keys] + ["Mã số hộ GĐ"]
    body = [[*row, "khác"] for row in rows_for(keys, rs)]
    raw = read_table(
        write_book(tmp_path / "ds.xlsx", headers, body), vocabulary=rulesets.header_vocabulary(rs)
    )
    assert raw.headers["ma_ho"] == "Mã hộ"
    assert any("trùng khoá ma_ho" in u for u in raw.unmapped)


def test_missing_route_error_names_unrecognised_headers_and_inspect(tmp_path: Path) -> None:
    rs = ruleset()
    keys = [k for k in all_keys(rs) if k != "thu_nhap_binh_quan"]
    headers = [VARIANTS[k][0] for k in keys] + ["Thu nhập của hộ năm qua chia đầu người"]
    body = [[*row, 1] for row in rows_for(keys, rs)]
    path = write_book(tmp_path / "ds.xlsx", headers, body)
    with pytest.raises(InputError) as info:
        classify_service.classify_file(path, year=2024, write=False)
    hint = info.value.hint or ""
    assert "Thu nhập của hộ năm qua chia đầu người" in hint
    assert "ngheo inspect" in hint


# --------------------------------------------------------------------------------------
# Property: shuffling columns or renaming headers among known variants never changes a class


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.permutations(list(range(len(BASE_KEYS) + 12))),
    picks=st.lists(st.integers(min_value=0, max_value=10), min_size=18, max_size=18),
    key_row=st.sampled_from(["none", "above", "below"]),
)
def test_shuffled_and_renamed_columns_never_change_a_class(
    tmp_path_factory: pytest.TempPathFactory,
    order: list[int],
    picks: list[int],
    key_row: str,
) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    shuffled = [keys[i] for i in order]
    headers = [VARIANTS[k][picks[i] % len(VARIANTS[k])] for i, k in enumerate(shuffled)]
    path = tmp_path_factory.mktemp("prop") / "ds.xlsx"
    write_book(
        path,
        headers,
        rows_for(shuffled, rs),
        key_row=None if key_row == "none" else shuffled,
        key_row_below=key_row == "below",
    )
    assert classes(path, rs) == EXPECTED


def test_classify_reports_every_column_taken_on_a_guess(tmp_path: Path) -> None:
    rs = ruleset()
    keys = all_keys(rs)
    headers = [VARIANTS[k][0] for k in keys]
    headers[keys.index("thu_nhap_binh_quan")] = "TNBQ"
    headers[keys.index("nguon_nuoc")] = "Nguồn nước sinh hoạt hợp vệ snh"  # a typo
    path = write_book(tmp_path / "ds.xlsx", headers, rows_for(keys, rs))
    guesses = classify_service.classify_file(path, year=2024, write=False).to_dict()[
        "header_guesses"
    ]
    by_key = {g["key"]: g for g in guesses}
    assert set(by_key) == {"thu_nhap_binh_quan", "nguon_nuoc"}
    assert by_key["thu_nhap_binh_quan"]["method"] == "abbreviation"
    assert by_key["nguon_nuoc"]["method"] == "fuzzy" and by_key["nguon_nuoc"]["score"] >= 0.88


def test_nlnn_flag_reaches_the_store(tmp_path: Path) -> None:
    from ngheo_cli.io.store import RunInfo, Store

    rs = ruleset()
    keys = all_keys(rs)
    headers = [VARIANTS[k][0] for k in keys] + ["Hộ làm nông, lâm, ngư, diêm nghiệp"]
    body = [[*row, "x" if i < 2 else None] for i, row in enumerate(rows_for(keys, rs))]
    run = classify_service.classify_file(
        write_book(tmp_path / "ds.xlsx", headers, body), year=2024, write=False
    )
    info = RunInfo(
        standard=rs.id,
        source="ds.xlsx",
        input_sha256=run.input_sha256,
        rejected=0,
        indicators=rs.indicator_ids,
    )
    with Store.open(tmp_path / "ngheo.sqlite") as store:
        store.record_year("00001", 2024, run.result.households, info)
        frame = store.load_year("00001", 2024).set_index("ma_ho")
    assert frame["nlnn"].tolist() == [True, True, False, False, False, False]


def test_score_a_bound_is_labelled_a_plausibility_check_not_law(tmp_path: Path) -> None:
    rs = ruleset()
    assert "không phải quy định pháp luật" in (rs.score_route.score_a_range.note or "")  # type: ignore[union-attr]
    body = [["001", "Hộ A", 1200, 40], ["002", "Hộ B", 120, 10]]
    path = write_book(tmp_path / "ds.xlsx", ["Mã hộ", "Chủ hộ", "Phiếu B1", "Phiếu B2"], body)
    result = classify_service.classify_file(path, year=2024, area="nong_thon", write=False).result
    [finding] = [f for f in result.findings if f.code == "diem-ngoai-khoang"]
    assert "không phải quy định pháp luật" in finding.message and "0–1.000" in finding.message
