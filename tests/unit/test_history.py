"""Transitions, renumbering candidates, the "diễn biến" balance and the AF change.

Four synthetic years (2022–2025) of one commune with known stories: every transition
code, a relapse after two years, a split, a move away, a move between villages, a
renumbered code, a household with no persons count.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ngheo_cli.core.history import (
    BALANCE_CODES,
    BIEN_DONG_CODES,
    BIEN_DONG_LABELS,
    HH_COLUMNS,
    PERSON_COLUMNS,
    TRANSITION_COLUMNS,
    balance,
    balance_dict,
    balances,
    identity_holds,
    mpi_change,
    mpi_changes,
    renumbering_candidates,
    transitions,
)
from ngheo_cli.core.mpi import alkire_foster
from ngheo_cli.core.summary import TOTAL_LABEL

YEARS = (2022, 2023, 2024, 2025)
N, C, TB, K, TC = "ngheo", "can_ngheo", "trung_binh", "khac", "tren_chuan"

# ma_ho → (village per year, head, class per year 2022..2025 (None: not listed),
#          persons per year, expected code for 2025 vs 2024)
STORIES: dict[str, tuple[object, str, tuple, tuple, str]] = {
    "001": ("Thôn A", "Lê Văn Một", (N, N, N, N), (6, 6, 6, 4), "con_ngheo"),  # split → 015
    "002": ("Thôn A", "Trần Thị Hai", (C, C, C, C), (3, 3, 3, 2), "con_can_ngheo"),
    "003": ("Thôn A", "Phạm Văn Ba", (N, N, N, C), (5, 5, 5, 5), "ngheo_sang_can_ngheo"),
    "004": ("Thôn B", "Hoàng Văn Bốn", (N, N, N, K), (4, 4, 4, 4), "thoat_ngheo"),
    "005": ("Thôn B", "Vũ Thị Năm", (C, C, C, N), (2, 2, 2, 3), "can_ngheo_sang_ngheo"),
    "006": ("Thôn B", "Đỗ Văn Sáu", (C, C, C, TB), (4, 4, 4, 4), "thoat_can_ngheo"),
    # Relapse after two years above the line.
    "007": ("Thôn A", "Bùi Văn Bảy", (N, K, K, N), (5, 5, 5, 5), "tai_ngheo"),
    "008": ("Thôn A", "Ngô Thị Tám", (K, N, K, N), (3, 3, 3, 3), "tai_ngheo"),
    "009": ("Thôn B", "Dương Văn Chín", (K, C, TB, C), (2, 2, 2, 2), "tai_can_ngheo"),
    "010": ("Thôn B", "Lý Văn Mười", (K, K, K, N), (6, 6, 6, 6), "ngheo_moi"),
    "011": ("Thôn B", "Mai Thị Mười Một", (K, K, K, C), (1, 1, 1, 1), "can_ngheo_moi"),
    # Near-poor earlier, poor now: new poor when only the same class counts as relapse.
    "012": ("Thôn A", "Hồ Văn Mười Hai", (K, C, K, N), (4, 4, 4, 4), "ngheo_moi"),
    "013": ("Thôn A", "Đinh Văn Mười Ba", (K, K, K, K), (3, 3, 3, 3), "khong_ngheo"),
    "014": ("Thôn A", "Trịnh Văn Mười Bốn", (N, N, N, None), (5, 5, 5, 0), "ra_danh_sach"),
    "015": ("Thôn A", "Lê Văn Mười Lăm", (None, None, None, N), (0, 0, 0, 2), "vao_danh_sach"),
    # Renumbered: 016 in 2024, the same head and village under 116 in 2025.
    "016": ("Thôn B", "Nguyễn Văn Bình", (C, C, C, None), (4, 4, 4, 0), "ra_danh_sach"),
    "116": ("thôn b", "NGUYEN VAN BINH", (None, None, None, C), (0, 0, 0, 4), "vao_danh_sach"),
    # Moved from village A to village B, still poor.
    "017": (("Thôn A", "Thôn A", "Thôn A", "Thôn B"), "Cao Văn Mười Bảy", (N, N, N, N),
            (3, 3, 3, 3), "con_ngheo"),
    "018": ("Thôn B", "Tạ Văn Mười Tám", (K, K, K, TC), (2, 2, 2, 2), "khong_ngheo"),
    # Poor in 2022, not listed for two years, back: the list decides first.
    "019": ("Thôn A", "Lò Văn Mười Chín", (N, None, None, N), (7, 0, 0, 7), "vao_danh_sach"),
    # No persons count: counted as 0 persons, still one household.
    "020": ("Thôn B", "Kha Thị Hai Mươi", (C, C, C, C), (None, None, None, None),
            "con_can_ngheo"),
    # Near-poor 2022 → poor 2023 → above 2024 → near-poor 2025: relapse into near-poor.
    "021": ("Thôn B", "Sầm Văn Hai Mốt", (C, N, K, C), (3, 3, 3, 3), "tai_can_ngheo"),
}


def year_frame(year: int) -> pd.DataFrame:
    i = YEARS.index(year)
    rows = []
    for code, (village, head, classes, persons, _) in STORIES.items():
        if classes[i] is None:
            continue
        thon = village[i] if isinstance(village, tuple) else village
        rows.append(
            {
                "ma_ho": code,
                "thon": thon,
                "ho_ten_chu_ho": head,
                "phan_loai": classes[i],
                "so_nhan_khau": persons[i],
                "viec_lam": classes[i] == N,
            }
        )
    frame = pd.DataFrame(rows)
    return frame.astype({"ma_ho": "string", "thon": "string", "ho_ten_chu_ho": "string",
                         "phan_loai": "string", "so_nhan_khau": "Int64"})


@pytest.fixture(scope="module")
def trans() -> pd.DataFrame:
    return transitions(year_frame(2025), year_frame(2024), [year_frame(2022), year_frame(2023)])


def test_every_household_gets_its_known_code(trans: pd.DataFrame) -> None:
    got = dict(zip(trans["ma_ho"], trans["bien_dong"], strict=True))
    assert got == {code: story[4] for code, story in STORIES.items()}
    assert set(got.values()) == set(BIEN_DONG_CODES)  # every code at least once
    assert set(BIEN_DONG_LABELS) == set(BIEN_DONG_CODES)
    assert list(trans.columns) == list(TRANSITION_COLUMNS)
    # This year's order, then the households that left in last year's order.
    current = list(year_frame(2025)["ma_ho"])
    assert list(trans["ma_ho"]) == current + ["014", "016"]


def test_columns_of_households_that_left_or_arrived(trans: pd.DataFrame) -> None:
    row = trans.set_index("ma_ho")
    assert pd.isna(row.loc["014", "phan_loai"]) and row.loc["014", "phan_loai_truoc"] == N
    assert row.loc["014", "thon"] == "Thôn A"  # last year's village for a household that left
    assert pd.isna(row.loc["014", "so_nhan_khau"]) and row.loc["014", "so_nhan_khau_truoc"] == 5
    assert pd.isna(row.loc["015", "phan_loai_truoc"]) and row.loc["015", "so_nhan_khau"] == 2
    assert row.loc["017", "thon"] == "Thôn B" and row.loc["017", "thon_truoc"] == "Thôn A"
    assert row.loc["020", "so_nhan_khau"] == 0  # missing persons → 0
    assert row.loc["001", "so_nhan_khau"] == 4 and row.loc["001", "so_nhan_khau_truoc"] == 6


def test_relapse_reading_below_line_counts_either_class() -> None:
    t = transitions(
        year_frame(2025), year_frame(2024), [year_frame(2022), year_frame(2023)],
        relapse="below_line",
    )
    got = dict(zip(t["ma_ho"], t["bien_dong"], strict=True))
    assert got["012"] == "tai_ngheo"  # near-poor in 2023, poor now
    assert got["010"] == "ngheo_moi"
    with pytest.raises(ValueError):
        transitions(year_frame(2025), year_frame(2024), relapse="sometimes")  # type: ignore[arg-type]


def test_relapse_needs_earlier_years() -> None:
    # Without 2022–2023 the relapses look new.
    t = transitions(year_frame(2025), year_frame(2024), [])
    got = dict(zip(t["ma_ho"], t["bien_dong"], strict=True))
    assert got["007"] == got["008"] == "ngheo_moi"
    assert got["009"] == "can_ngheo_moi"


def test_no_previous_year_means_everyone_entered() -> None:
    t = transitions(year_frame(2022), None)
    assert set(t["bien_dong"]) == {"vao_danh_sach"}
    table = balance(t, "poor")
    assert table["ho_1"].eq(0).all() and identity_holds(table).all()


def test_bad_input_is_refused() -> None:
    frame = year_frame(2025)
    with pytest.raises(ValueError, match="more than once"):
        transitions(pd.concat([frame, frame.iloc[:1]]), year_frame(2024))
    bad = frame.copy()
    bad.loc[0, "phan_loai"] = "giau"
    with pytest.raises(ValueError, match="unknown phan_loai"):
        transitions(bad, year_frame(2024))
    with pytest.raises(ValueError, match="missing"):
        transitions(frame.drop(columns="phan_loai"), None)


def test_optional_columns_may_be_absent() -> None:
    cur = year_frame(2025)[["ma_ho", "phan_loai"]]
    prev = year_frame(2024)[["ma_ho", "phan_loai"]]
    t = transitions(cur, prev)
    assert t["so_nhan_khau"].dropna().eq(0).all() and t["thon"].isna().all()
    table = balance(t, "near_poor")
    assert list(table["thon"]) == ["(trống)", TOTAL_LABEL]
    assert identity_holds(table).all()


def test_renumbered_code_is_flagged_not_merged(trans: pd.DataFrame) -> None:
    cand = renumbering_candidates(trans)
    assert list(cand[["ma_ho_cu", "ma_ho_moi"]].itertuples(index=False, name=None)) == [
        ("016", "116")
    ]
    assert cand.loc[0, "so_ung_vien"] == 1
    assert cand.loc[0, "phan_loai_truoc"] == C and cand.loc[0, "phan_loai"] == C
    # Not merged: both codes keep their own rows and codes.
    row = trans.set_index("ma_ho")
    assert row.loc["016", "bien_dong"] == "ra_danh_sach"
    assert row.loc["116", "bien_dong"] == "vao_danh_sach"
    # The split (015, another head) and the move away (014) are not candidates.
    assert not cand["ma_ho_moi"].isin(["015", "019"]).any()


def test_renumbering_needs_the_same_village() -> None:
    prev = pd.DataFrame({"ma_ho": ["1"], "thon": ["Thôn A"], "ho_ten_chu_ho": ["Lê Văn A"],
                         "phan_loai": [N]})
    cur = pd.DataFrame({"ma_ho": ["2", "3"], "thon": ["Thôn C", "Thôn A"],
                        "ho_ten_chu_ho": ["Lê Văn A", "Lê  văn a"], "phan_loai": [N, N]})
    cand = renumbering_candidates(transitions(cur, prev))
    assert list(cand["ma_ho_moi"]) == ["3"]
    empty = renumbering_candidates(transitions(prev, prev))
    assert empty.empty and "ma_ho_cu" in empty.columns


def _poor_counts(frame: pd.DataFrame, cls: str, by_village: bool) -> pd.DataFrame:
    sel = frame[frame["phan_loai"] == cls]
    key = sel["thon"] if by_village else pd.Series(TOTAL_LABEL, index=sel.index)
    persons = sel["so_nhan_khau"].fillna(0).astype("int64")
    return pd.DataFrame({"ho": 1, "nk": persons}).groupby(key.to_numpy()).sum()


@pytest.mark.parametrize("kind, cls", [("poor", N), ("near_poor", C)])
def test_balance_start_and_end_match_the_two_lists(trans: pd.DataFrame, kind: str,
                                                   cls: str) -> None:
    table = balance(trans, kind).set_index("thon")  # type: ignore[arg-type]
    assert identity_holds(table).all()
    for by_village in (True, False):
        start = _poor_counts(year_frame(2024), cls, by_village)
        end = _poor_counts(year_frame(2025), cls, by_village)
        for name in start.index:
            assert table.loc[name, "ho_1"] == start.loc[name, "ho"]
            assert table.loc[name, "nk_1"] == start.loc[name, "nk"]
        for name in end.index:
            assert table.loc[name, "ho_9"] == end.loc[name, "ho"]
            assert table.loc[name, "nk_9"] == end.loc[name, "nk"]


def test_poor_balance_by_hand(trans: pd.DataFrame) -> None:
    table = balance(trans, "poor").set_index("thon")
    total = table.loc[TOTAL_LABEL]
    # 1 = 001 003 004 014 017; 2 = 003; 3 = 004; 4 = 014; 5 = 005; 6 = 007 008;
    # 7 = 010 012; 8 = 015 019; 9 = 001 005 007 008 010 012 015 017 019.
    assert [int(total[c]) for c in HH_COLUMNS] == [5, 1, 1, 1, 1, 2, 2, 2, 9]
    # Persons: stayers 001 (6 → 4) and 017 (3 → 3) lost 2 persons: into line 4.
    assert int(total["nk_thay_doi_quy_mo"]) == -2
    assert [int(total[c]) for c in PERSON_COLUMNS] == [
        6 + 5 + 4 + 5 + 3, 5, 4, 5 + 2, 3, 5 + 3, 6 + 4, 2 + 7, 4 + 3 + 5 + 3 + 6 + 4 + 2 + 3 + 7
    ]
    # Village A: 017 left for village B (line 4 in A, line 8 in B), its own code stays.
    a, b = table.loc["Thôn A"], table.loc["Thôn B"]
    assert [int(a[c]) for c in HH_COLUMNS] == [4, 1, 0, 2, 0, 2, 1, 2, 6]
    assert [int(b[c]) for c in HH_COLUMNS] == [1, 0, 1, 0, 1, 0, 1, 1, 3]
    assert a["ho_1"] + b["ho_1"] == total["ho_1"] and a["ho_9"] + b["ho_9"] == total["ho_9"]


def test_near_poor_balance_by_hand(trans: pd.DataFrame) -> None:
    total = balance(trans, "near_poor", by=None).iloc[0]
    assert total["nhom"] == TOTAL_LABEL
    # 1 = 002 005 006 016 020; 2 = 005; 3 = 006; 4 = 016; 5 = 003; 6 = 009 021;
    # 7 = 011; 8 = 116; 9 = 002 003 009 011 020 021 116.
    assert [int(total[c]) for c in HH_COLUMNS] == [5, 1, 1, 1, 1, 2, 1, 1, 7]
    assert int(total["nk_thay_doi_quy_mo"]) == -1  # 002: 3 → 2


def test_balance_dict_matches_the_table(trans: pd.DataFrame) -> None:
    d = balance_dict(trans)
    assert set(d) == {"poor", "near_poor"}
    for kind in ("poor", "near_poor"):
        total = balance(trans, kind, by=None).iloc[0]  # type: ignore[arg-type]
        part = d[kind]
        assert part["start"] == total["ho_1"] and part["end"] == total["ho_9"]
        for line, code in BALANCE_CODES[kind].items():
            assert part[code] == total[f"ho_{line}"]
        persons = part["persons"]
        assert isinstance(persons, dict)
        assert persons["start"] == total["nk_1"] and persons["end"] == total["nk_9"]
        dec = sum(persons[BALANCE_CODES[kind][i]] for i in (2, 3, 4))
        inc = sum(persons[BALANCE_CODES[kind][i]] for i in (5, 6, 7, 8))
        assert persons["end"] == persons["start"] - dec + inc + persons["thay_doi_quy_mo"]
    assert d["poor"]["con_ngheo"] == 2 and d["near_poor"]["con_can_ngheo"] == 2
    assert d["poor"]["tai_ngheo"] == 2 and d["poor"]["ra_danh_sach"] == 1
    assert d["poor"]["persons"]["con_ngheo"] == 6 + 3  # stayers' persons in Y−1


def test_balances_is_both_tables(trans: pd.DataFrame) -> None:
    both = balances(trans)
    for kind in ("poor", "near_poor"):
        pd.testing.assert_frame_equal(both[kind], balance(trans, kind))  # type: ignore[arg-type]
    assert json.loads(json.dumps(balance_dict(trans))) == balance_dict(trans)


def test_bad_kind_is_refused(trans: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        balance(trans, "rich")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        balance(trans, "poor", by="xom")


def test_empty_years_give_a_zero_total_row() -> None:
    empty = year_frame(2025).iloc[:0]
    table = balance(transitions(empty, empty), "poor")
    assert list(table["thon"]) == [TOTAL_LABEL] and table[list(HH_COLUMNS)].eq(0).all().all()


# --- property: random class sequences ---------------------------------------------------------

CLASS_OR_ABSENT = st.sampled_from([None, N, C, TB, K, TC])
HOUSEHOLD = st.tuples(
    st.lists(CLASS_OR_ABSENT, min_size=4, max_size=4),
    st.lists(st.one_of(st.none(), st.integers(0, 12)), min_size=4, max_size=4),
    st.lists(st.sampled_from(["Thôn A", "Thôn B", "Buôn C", None]), min_size=4, max_size=4),
)


def _random_years(households: list[tuple[list, list, list]]) -> list[pd.DataFrame]:
    frames = []
    for i in range(4):
        rows = [
            {"ma_ho": f"{n:05d}", "phan_loai": cls[i], "so_nhan_khau": persons[i],
             "thon": villages[i], "ho_ten_chu_ho": f"Chủ hộ {n % 3}"}
            for n, (cls, persons, villages) in enumerate(households)
            if cls[i] is not None
        ]
        frame = pd.DataFrame(rows, columns=["ma_ho", "phan_loai", "so_nhan_khau", "thon",
                                            "ho_ten_chu_ho"])
        frames.append(frame.astype({"so_nhan_khau": "Int64", "thon": "string",
                                    "ma_ho": "string", "phan_loai": "string"}))
    return frames


@settings(max_examples=150, deadline=None)
@given(st.lists(HOUSEHOLD, min_size=0, max_size=40))
def test_balance_identity_holds_for_any_history(households: list) -> None:
    y0, y1, y2, y3 = _random_years(households)
    t = transitions(y3, y2, [y0, y1])
    assert t["ma_ho"].is_unique
    assert set(t["ma_ho"]) == set(y3["ma_ho"]) | set(y2["ma_ho"])
    assert t["bien_dong"].isin(BIEN_DONG_CODES).all()
    d = balance_dict(t)
    for kind, cls in (("poor", N), ("near_poor", C)):
        table = balance(t, kind)  # type: ignore[arg-type]
        assert identity_holds(table).all()
        villages, total = table.iloc[:-1], table.iloc[-1]
        for col in ("ho_1", "ho_9", "nk_1", "nk_9"):
            assert villages[col].sum() == total[col]
        # Per village: start = last year's list in that village, end = this year's.
        by_village = table.set_index("thon")
        for frame, col in ((y2, "ho_1"), (y3, "ho_9")):
            sel = frame[frame["phan_loai"] == cls]
            counts = sel["thon"].fillna("(trống)").value_counts()
            for name in by_village.index[:-1]:
                assert by_village.loc[name, col] == counts.get(name, 0)
        prev_sel, cur_sel = y2["phan_loai"] == cls, y3["phan_loai"] == cls
        assert total["ho_1"] == prev_sel.sum() and total["ho_9"] == cur_sel.sum()
        assert total["nk_1"] == y2.loc[prev_sel, "so_nhan_khau"].fillna(0).sum()
        assert total["nk_9"] == y3.loc[cur_sel, "so_nhan_khau"].fillna(0).sum()
        assert (table[list(HH_COLUMNS) + list(PERSON_COLUMNS)] >= 0).all().all()
        assert d[kind]["start"] == total["ho_1"] and d[kind]["end"] == total["ho_9"]


# --- change in deprivations ---------------------------------------------------------------------


def test_mpi_change_absolute_and_relative() -> None:
    names = ("a", "b", "c")
    y1 = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 0], [0, 0, 1]], bool)
    y2 = np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1]], bool)
    y3 = np.zeros((4, 3), bool)
    af = {2024: alkire_foster(y1, k=2 / 3, indicators=names),
          2023: alkire_foster(y2, k=2 / 3, indicators=names),
          2025: alkire_foster(y3, k=2 / 3, indicators=names)}
    ch = mpi_change(af)
    assert list(ch[["nam_truoc", "nam"]].drop_duplicates().itertuples(index=False, name=None)) \
        == [(2023, 2024), (2024, 2025)]
    first = ch[ch["nam"] == 2024].set_index(["chi_tieu", "chi_so"], drop=False)
    h = first[first["chi_tieu"] == "H"].iloc[0]
    assert h["gia_tri_truoc"] == pytest.approx(0.25) and h["gia_tri"] == pytest.approx(0.5)
    assert h["tuyet_doi"] == pytest.approx(0.25) and h["tuong_doi"] == pytest.approx(1.0)
    c = first[(first["chi_tieu"] == "censored") & (first["chi_so"] == "c")].iloc[0]
    assert c["gia_tri_truoc"] == 0 and c["gia_tri"] == pytest.approx(0.25)
    assert np.isnan(c["tuong_doi"])  # old value 0 → no relative change
    m0 = first[first["chi_tieu"] == "M0"].iloc[0]
    assert m0["tuyet_doi"] == pytest.approx(af[2024].M0 - af[2023].M0)
    assert ch["cung_chuan"].all()
    assert len(ch) == 2 * (3 + 3)
    last = ch[(ch["nam"] == 2025) & (ch["chi_tieu"] == "H")].iloc[0]
    assert last["tuong_doi"] == pytest.approx(-1.0)


def test_mpi_change_marks_a_change_of_standard() -> None:
    old = alkire_foster(np.ones((2, 2), bool), k=0.5, indicators=("a", "b"))
    new = alkire_foster(np.ones((2, 2), bool), k=0.5, indicators=("a", "z"))
    ch = mpi_change({2026: old, 2027: new})
    assert not ch["cung_chuan"].any()
    by_ind = ch[ch["chi_tieu"] == "censored"].set_index("chi_so")
    assert np.isnan(by_ind.loc["z", "gia_tri_truoc"]) and np.isnan(by_ind.loc["b", "gia_tri"])
    assert mpi_change({2025: old}).empty


@pytest.mark.parametrize("with_one_year", [False, True])
def test_mpi_changes_is_each_groups_change_labelled_and_stacked(with_one_year: bool) -> None:
    """The commune and its villages in one frame: row for row, value for value and dtype
    for dtype the tables of mpi_change with the group's label, concatenated (a group with a
    single year adds no rows)."""
    rng = np.random.default_rng(4)

    def af(indicators: tuple[str, ...]) -> object:
        return alkire_foster(rng.random((6, len(indicators))) < 0.5, k=0.5, indicators=indicators)

    groups = [
        ("Toàn xã", {2023: af(("a", "b")), 2024: af(("a", "z"))}),
        ("Thôn 1", {2023: af(("a", "b")), 2024: af(("a", "b")), 2025: af(("a", "b"))}),
        ("Buôn Đắk", {2024: af(("a", "b"))}),
    ]
    if with_one_year:
        groups = [(label, {2024: found[2024]}) for label, found in groups]
    expected = pd.concat(
        [mpi_change(found).assign(nhom=label) for label, found in groups], ignore_index=True
    )
    got = mpi_changes(groups)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.dtypes) == list(expected.dtypes)
    assert len(got) == (0 if with_one_year else (3 + 3) + 2 * (3 + 2))  # a, b, z; a, b


def test_renumbering_with_a_common_name_lists_every_pair_and_counts_them() -> None:
    """Two households of the same head's name left a village and two arrived (NFD and
    extra spaces): four pairs, each counted 4, sorted by village and codes; a blank name
    is never a candidate."""
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    prev = pd.DataFrame({"ma_ho": ["9", "7", "5", "3"],
                         "thon": ["Buôn Đắk", "Buôn Đắk", "Thôn 1", "Thôn 1"],
                         "ho_ten_chu_ho": ["Nguyễn Thị Hoa", nfd, "Y Bhin", None],
                         "phan_loai": [N, C, N, N]})
    cur = pd.DataFrame({"ma_ho": ["12", "10", "14", "16"],
                        "thon": ["Buôn  Đắk", "buôn đắk", "Thôn 1", "Thôn 1"],
                        "ho_ten_chu_ho": ["nguyễn thị  hoa", "Nguyễn Thị Hoa", "Y Bhin ", None],
                        "phan_loai": [C, TB, N, N]})
    cand = renumbering_candidates(transitions(cur, prev))
    got = list(cand[["ma_ho_cu", "ma_ho_moi", "so_ung_vien"]].itertuples(index=False, name=None))
    # Sorted by the new village as written (upper case first), then the codes.
    assert got == [("7", "12", 4), ("9", "12", 4), ("5", "14", 1), ("7", "10", 4), ("9", "10", 4)]
    assert list(cand["thon"]) == ["Buôn  Đắk", "Buôn  Đắk", "Thôn 1", "buôn đắk", "buôn đắk"]
    assert list(cand["phan_loai_truoc"]) == [C, N, N, C, N]
    assert list(cand["phan_loai"]) == [C, C, N, TB, TB]
    assert cand["so_ung_vien"].dtype == "int64"
