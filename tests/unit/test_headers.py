"""Header understanding: names as data per standard, token/abbreviation expansion, scored
fuzzy guesses that are reported, never silently used when weak or tied."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ngheo_cli.core.headers import HeaderMatcher, HeaderVocabulary
from ngheo_cli.errors import RulesetError
from ngheo_cli.io import rulesets


@pytest.fixture(scope="module")
def nd07() -> HeaderMatcher:
    return HeaderMatcher(rulesets.header_vocabulary(rulesets.packaged()["nd07-2021"]))


@pytest.fixture(scope="module")
def nd351() -> HeaderMatcher:
    return HeaderMatcher(rulesets.header_vocabulary(rulesets.packaged()["nd351-2025"]))


@pytest.mark.parametrize(
    ("header", "key", "method"),
    [
        ("Mã hộ", "ma_ho", "exact"),
        ("ma_ho", "ma_ho", "exact"),  # a row of machine keys
        ("so_nhan_khau", "so_nhan_khau", "exact"),
        ("chu_ho", "ho_ten_chu_ho", "alias"),
        ("Phiếu B1", "diem_a", "alias"),  # B1 is the circular's Điểm A
        ("Phiếu B2", "diem_b", "alias"),
        ("Điểm B1", "diem_a", "alias"),
        ("Điểm B2", "diem_b", "alias"),
        ("phieu_b1", "diem_a", "alias"),
        ("Phiếu A", "phieu_a", "exact"),
        ("Phân loại", "ket_qua_ra_soat", "alias"),
        ("Giới tính", "gioi_tinh_chu_ho", "alias"),
        ("Xã/Phường", "ten_xa", "exact"),
        ("Mã xã", "ma_xa", "exact"),
        ("Thời gian rà soát", "ngay_ra_soat", "exact"),
        ("Mã số hộ GĐ", "ma_ho", "abbreviation"),
        ("TNBQ", "thu_nhap_binh_quan", "abbreviation"),  # glued: TN + BQ
        ("Thu nhập BQ (đ/người/tháng)", "thu_nhap_binh_quan", "abbreviation"),
        ("TĐGD người lớn", "giao_duc_nguoi_lon", "abbreviation"),
        ("DT nhà ở", "dien_tich_nha_o", "abbreviation"),
        ("CL nhà ở", "chat_luong_nha_o", "abbreviation"),
        ("Nhà tiêu HVS", "nha_tieu", "abbreviation"),
        ("Số NK", "so_nhan_khau", "abbreviation"),
        ("TS nhân khẩu", "so_nhan_khau", "abbreviation"),
        ("Hộ có NCC", "co_nguoi_co_cong", "abbreviation"),
        ("Không có KNLĐ", "khong_kha_nang_lao_dong", "abbreviation"),
        ("DTTS tại chỗ", "dan_toc_tai_cho", "abbreviation"),
        ("Thiếu hụt về BHYT", "bao_hiem_y_te", "abbreviation"),
        ("TH việc làm", "viec_lam", "abbreviation"),
        ("Kết quả RS", "ket_qua_ra_soat", "abbreviation"),
        ("SĐT", "so_dien_thoai", "abbreviation"),
        ("Hộ làm NLNDN", "nlnn", "abbreviation"),
        ("Trình độ giáo dục của người lớn", "giao_duc_nguoi_lon", "alias"),
        ("Tình trạng đi học của TE", "di_hoc_tre_em", "abbreviation"),
        ("Nguồn nước sinh hoạt hợp vệ snh", "nguon_nuoc", "fuzzy"),  # a typo
    ],
)
def test_headers_officers_write(nd07: HeaderMatcher, header: str, key: str, method: str) -> None:
    found = nd07.match(header).match
    assert found is not None, header
    assert (found.key, found.method) == (key, method)
    if method == "fuzzy":
        assert 0.88 <= found.score < 1.0
        assert "độ giống" in found.describe()
    if method == "abbreviation":
        assert "→" in found.detail  # which abbreviation was read how


def test_unicode_forms_and_case_do_not_matter(nd07: HeaderMatcher) -> None:
    for text in ("Số nhân khẩu", "SỐ NHÂN KHẨU", "Thu nhập BQ", "Tiếp cận TT"):
        nfd = unicodedata.normalize("NFD", text)
        assert nd07.match(nfd).match == nd07.match(text).match
        assert nd07.match(nfd).match is not None


def test_tt_is_read_by_its_context(nd07: HeaderMatcher) -> None:
    # TT means thứ tự, thông tin or thành thị: the rest of the header decides.
    assert nd07.match("TT").match.key == "stt"  # type: ignore[union-attr]
    info = nd07.match("Tiếp cận TT").match
    assert info is not None and info.key == "tiep_can_thong_tin"
    assert "TT → thông tin" in info.detail
    assert nd07.match("Khu vực NT/TT").match.key == "khu_vuc"  # type: ignore[union-attr]


def test_an_abbreviation_read_two_ways_naming_two_keys_is_not_picked() -> None:
    vocab = HeaderVocabulary(
        labels={"a": "Số thứ tự hộ", "b": "Số thông tin hộ"},
        abbreviations={"tt": ("thứ tự", "thông tin")},
    )
    guess = HeaderMatcher(vocab).match("Số TT hộ")
    assert guess.match is None
    assert {c.key for c in guess.candidates} == {"a", "b"}


def test_weak_guess_is_reported_never_used(nd07: HeaderMatcher) -> None:
    guess = nd07.match("Mã hộ cũ")
    assert guess.match is None
    assert guess.candidates[0].key == "ma_ho" and 0.72 <= guess.candidates[0].score < 0.88
    assert nd07.match("Ngày sinh của con thứ hai").candidates == ()


def test_positional_headers_follow_each_standards_order(
    nd07: HeaderMatcher, nd351: HeaderMatcher
) -> None:
    nd07_order = rulesets.packaged()["nd07-2021"].indicator_ids
    nd351_order = rulesets.packaged()["nd351-2025"].indicator_ids
    for number in range(1, 13):
        for text in (f"CS{number}", f"CS {number}", f"Chỉ số {number}", f"cs.{number}"):
            a, b = nd07.match(text).match, nd351.match(text).match
            assert a is not None and a.method == "positional" and a.key == nd07_order[number - 1]
            assert b is not None and b.key == nd351_order[number - 1]
    # Where the two standards differ (standards.md §2, §3):
    assert nd07.match("CS7").match.key == "chat_luong_nha_o"  # type: ignore[union-attr]
    assert nd351.match("CS7").match.key == "dien_tich_nha_o"  # type: ignore[union-attr]
    assert nd351.match("CS9").match.key == "vien_thong"  # type: ignore[union-attr]
    assert nd351.match("CS12").match.key == "xu_ly_rac_thai"  # type: ignore[union-attr]
    assert nd07.match("CS12").match.key == "tiep_can_thong_tin"  # type: ignore[union-attr]
    # Without a standard there is no order: CS7 is not guessed.
    plain = HeaderMatcher(rulesets.header_vocabulary(None))
    assert plain.match("CS7").match is None


def test_each_standards_indicator_names_are_its_own(
    nd07: HeaderMatcher, nd351: HeaderMatcher
) -> None:
    assert nd351.match("Dịch vụ số, internet").match.key == "vien_thong"  # type: ignore[union-attr]
    assert nd351.match("Dịch vụ số, internet").match.method == "alias"  # type: ignore[union-attr]
    assert nd07.match("Sử dụng internet").match.key == "vien_thong"  # type: ignore[union-attr]


def test_local_rules_file_adds_header_names(tmp_path: Path) -> None:
    local = tmp_path / "dak-lak.yaml"
    local.write_text(
        "extends: nd07-2021\nid: nd07-2021-dak-lak\n"
        'headers:\n  aliases:\n    ma_ho: ["Số sổ hộ"]\n'
        '  abbreviations:\n    ttn: ["tổng thu nhập"]\n',
        encoding="utf-8",
    )
    ruleset = rulesets.load_local(local)
    vocab = rulesets.header_vocabulary(ruleset)
    assert "Số sổ hộ" in vocab.aliases["ma_ho"] and "Mã số hộ" in vocab.aliases["ma_ho"]
    matcher = HeaderMatcher(vocab)
    assert matcher.match("Số sổ hộ").match.key == "ma_ho"  # type: ignore[union-attr]
    assert matcher.match("CS7").match.key == "chat_luong_nha_o"  # type: ignore[union-attr]


def test_rules_file_header_section_rejects_unknown_keys(tmp_path: Path) -> None:
    local = tmp_path / "sai.yaml"
    local.write_text(
        'extends: nd07-2021\nid: nd07-2021-sai\nheaders:\n  aliases:\n    ma_hoo: ["Mã"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesetError) as info:
        rulesets.load_local(local)
    assert "ma_hoo" in info.value.message


def test_every_shipped_name_points_at_one_key() -> None:
    """No name in the shipped vocabulary may mean two keys (after folding)."""
    from ngheo_cli.core.text import fold

    for rid in ("nd07-2021", "nd351-2025"):
        vocab = rulesets.header_vocabulary(rulesets.packaged()[rid])
        seen: dict[str, str] = {fold(label): key for key, label in vocab.labels.items()}
        for key, names in vocab.aliases.items():
            for name in names:
                assert seen.setdefault(fold(name), key) == key, (rid, name)
