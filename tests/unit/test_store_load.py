"""Store.load_year builds its frame column by column (through Arrow): the frame must be the
one the former construction gave (an object frame of the fetched rows, then astype per
column), dtypes, values, order and attrs included, on stores with blanks of every kind,
both Unicode forms, re-imported years and rows of several commune-years interleaved."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ngheo_cli.io.store import (
    _RUN_COLUMNS,
    HOUSEHOLD_FIELDS,
    MEMBER_COLUMNS,
    PAIR_COLUMNS,
    TWINNING_COLUMNS,
    RunInfo,
    Store,
    _stored_run,
    _typed_array,
)
from ngheo_cli.services.history import StoredYears

INDICATORS = ("viec_lam", "nguoi_phu_thuoc", "dinh_duong", "bao_hiem_y_te")
RUN = RunInfo(standard="nd07-2021", source="xa.xlsx", indicators=INDICATORS)
FEW = ["ma_ho", "phan_loai", "so_nhan_khau", "is_dtts"]


def _reference_column(column: pd.Series, kind: str) -> pd.Series:
    """The former conversion of one column of the object frame."""
    if kind == "text":
        return column.astype("string")
    if kind == "int":
        return column.astype("Int64")
    if kind == "real":
        return pd.to_numeric(column).astype("float64")
    return column.astype("Int64").astype("boolean")


def reference_load(
    path: Path, commune: str, year: int, columns: list[str] | None = None, marks: bool | None = None
) -> pd.DataFrame:
    """load_year as it was built before (rows by rowid → object frame → astype)."""
    wanted = None if columns is None else set(columns)
    marks = wanted is None if marks is None else marks
    fields = [(c, k) for c, k in HOUSEHOLD_FIELDS if wanted is None or c in wanted]
    names = [c for c, _ in fields]
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            f"SELECT {', '.join(names)}, standard, thieu_hut, run_id FROM households"
            " WHERE commune = ? AND year = ? ORDER BY rowid",
            (commune, year),
        ).fetchall()
        run_row = conn.execute(
            f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs WHERE id = ?", (rows[0][-1],)
        ).fetchone()
    finally:
        conn.close()
    run = _stored_run(run_row)
    raw = pd.DataFrame(rows, columns=[*names, "standard", "thieu_hut", "run_id"])
    out: dict[str, object] = {key: _reference_column(raw[key], kind) for key, kind in fields}
    out["standard"] = raw["standard"].astype("string")
    if marks:
        mask = raw["thieu_hut"].astype("Int64")
        usable = mask.notna().to_numpy()
        bits = mask.fillna(0).to_numpy(dtype="int64")
        for bit, key in enumerate(run.indicators):
            out[key] = ((bits >> bit) & 1).astype(bool)
        out["co_chi_so"] = usable
        out["nguon_thieu_hut"] = pd.array(np.where(usable, "chi_so", "diem_b"), dtype="string")
    frame = pd.DataFrame(out)
    frame.attrs["run"] = run
    return frame


def assert_same(new: pd.DataFrame, ref: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, ref, check_exact=True)
    assert list(new.columns) == list(ref.columns)
    assert [str(d) for d in new.dtypes] == [str(d) for d in ref.dtypes]
    assert list(new.dtypes) == list(ref.dtypes)  # StringDtype's NA kind included
    assert type(new.index) is type(ref.index) and new.index.equals(ref.index)
    assert new.attrs == ref.attrs


def households(n: int, seed: int, prefix: str = "") -> pd.DataFrame:
    """Households as officers' books give them: codes with leading zeros, names in both
    Unicode forms, blanks in every column, rows without usable marks, a field never given."""
    rng = np.random.default_rng(seed)

    def text(choices: list[str | None]) -> pd.api.extensions.ExtensionArray:
        return pd.array(rng.choice(np.array(choices, dtype=object), n), dtype="string")

    names = [f"Nguyễn Thị Ánh {i}" for i in range(n)]
    names = [unicodedata.normalize("NFD" if i % 3 else "NFC", s) for i, s in enumerate(names)]
    names[1] = None  # type: ignore[call-overload]
    flags = rng.choice(np.array([True, False, None], dtype=object), n)
    return pd.DataFrame(
        {
            "ma_ho": pd.array([f"{prefix}{i:07d}" for i in range(n)], dtype="string"),
            "ho_ten_chu_ho": pd.array(names, dtype="string"),
            "thon": text(["Thôn 1", unicodedata.normalize("NFD", "Buôn Đrăng"), None]),
            "dan_toc": text(["Kinh", "Ê Đê", "M'Nông", None]),
            "is_dtts": pd.array(flags, dtype="boolean"),
            "khu_vuc": text(["nong_thon", "thanh_thi"]),
            "so_nhan_khau": pd.array(
                rng.choice(np.array([1, 4, 9, None], dtype=object), n), dtype="Int64"
            ),
            "thu_nhap_binh_quan": np.where(
                rng.random(n) < 0.2, np.nan, rng.integers(0, 5_000_000, n) / 3
            ),
            "diem_a": np.full(n, np.nan),
            "diem_b": np.where(rng.random(n) < 0.5, np.nan, 40.0),
            "so_thieu_hut": pd.array(rng.integers(0, 6, n), dtype="Int64"),
            "phan_loai": text(["ngheo", "can_ngheo", "trung_binh", "khac"]),
            "nguyen_nhan": text(["Thiếu vốn", "Ốm đau; bệnh tật", None]),
            # nhu_cau never given: stored NULL everywhere.
            "khong_kha_nang_lao_dong": pd.array(flags[::-1].copy(), dtype="boolean"),
            "nlnn": pd.array(rng.random(n) < 0.1, dtype="boolean"),
            "gioi_tinh_chu_ho": text(["Nam", "Nữ", None]),
            "chenh_lech_quy_doi": np.where(rng.random(n) < 0.3, np.nan, rng.normal(0, 1e5, n)),
            "nguon_chenh_lech": text(["thu_nhap", "diem_a", None]),
            **{key: rng.random(n) < 0.4 for key in INDICATORS},
            "co_chi_so": rng.random(n) < 0.8,
        }
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "ngheo.sqlite"
    with Store.open(path) as store:
        store.record_year("00101", 2023, households(300, 1, "1"), RUN)
        store.record_year("00202", 2023, households(250, 2, "2"), RUN)
        store.record_year("00101", 2024, households(310, 3, "1"), RUN)
        # Re-imported after another commune: its rows now come after 00202's.
        store.record_year("00101", 2023, households(305, 4, "1"), RUN)
    return path


@pytest.mark.parametrize(("commune", "year"), [("00101", 2023), ("00202", 2023), ("00101", 2024)])
def test_load_year_builds_the_former_frame(store_path: Path, commune: str, year: int) -> None:
    with Store.open(store_path) as store:
        assert_same(store.load_year(commune, year), reference_load(store_path, commune, year))
        assert_same(
            store.load_year(commune, year, columns=FEW),
            reference_load(store_path, commune, year, FEW),
        )


def test_columns_with_marks_are_the_full_frames_columns(store_path: Path) -> None:
    with Store.open(store_path) as store:
        full = store.load_year("00101", 2024)
        part = store.load_year("00101", 2024, columns=FEW, marks=True)
    assert_same(part, reference_load(store_path, "00101", 2024, FEW, marks=True))
    assert_same(part, full[list(part.columns)])
    assert "ho_ten_chu_ho" not in part.columns and "viec_lam" in part.columns


def test_rows_of_several_years_interleaved_are_read_in_stored_order(store_path: Path) -> None:
    """A store whose commune-years are not each in one block of rows (written by another
    tool): every row is still found, in the order of the rows, and no other row slips in."""
    conn = sqlite3.connect(store_path)
    with conn:
        top = conn.execute("SELECT max(rowid) FROM households").fetchone()[0]
        # Every third household of 00202 moves after everything, in reverse order.
        conn.execute(
            "UPDATE households SET rowid = ? - rowid WHERE commune = '00202' AND rowid % 3 = 0",
            (top * 3,),
        )
    conn.close()
    with Store.open(store_path) as store:
        for commune, year in (("00101", 2023), ("00202", 2023), ("00101", 2024)):
            assert_same(store.load_year(commune, year), reference_load(store_path, commune, year))


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([1, None, 3], "int"),
        ([None, None], "int"),
        ([2.0, None, 5], "int"),  # a whole number stored as REAL by another tool
        ([1, 0, None, 2], "bool"),
        ([1, 2.5, None], "real"),
        ([b"ab", None], "text"),  # a BLOB (another tool)
        ([1.0, None, 7], "real"),
        ([None, None], "real"),
        (["Thôn 1", None, "Buôn"], "text"),
        ([None, None], "text"),
        (["Thôn 1", 5, None], "text"),  # a number in a text column (another tool)
        ([12, 3.5, None], "text"),
    ],
)
def test_typed_array_converts_like_the_object_frame(values: list[object], kind: str) -> None:
    new = pd.Series(_typed_array(values, kind))
    ref = _reference_column(pd.DataFrame({"c": values})["c"], kind)
    pd.testing.assert_series_equal(new, ref, check_exact=True, check_names=False)
    assert new.dtype == ref.dtype


def test_a_value_the_column_cannot_hold_fails_as_before() -> None:
    """A fractional count (another tool) is refused the same way it was."""
    with pytest.raises(TypeError):
        _reference_column(pd.DataFrame({"c": [1, 2.5]})["c"], "int")
    with pytest.raises(TypeError):
        _typed_array([1, 2.5], "int")


def test_the_frame_can_be_changed_in_place(store_path: Path) -> None:
    """Arrays taken from Arrow are writeable copies: a caller may set values as before."""
    with Store.open(store_path) as store:
        frame = store.load_year("00101", 2024)
    frame.loc[0, "so_nhan_khau"] = 12
    frame.loc[1, "is_dtts"] = True
    frame.loc[2, "thu_nhap_binh_quan"] = 1.5
    frame.loc[3, "thon"] = "Thôn mới"
    assert frame.loc[0, "so_nhan_khau"] == 12 and frame.loc[1, "is_dtts"]
    assert frame.loc[2, "thu_nhap_binh_quan"] == 1.5 and frame.loc[3, "thon"] == "Thôn mới"


@pytest.mark.parametrize(
    ("columns", "marks"),
    [(None, None), (None, True), (None, False), (FEW, None), (FEW, False), (FEW, True)],
)
def test_stored_years_cut_what_load_year_reads(
    store_path: Path, columns: list[str] | None, marks: bool | None
) -> None:
    """A commune run's shared reads give every caller the frame the store would have."""
    stored = StoredYears()
    with Store.open(store_path) as store:
        stored.load(store, "00101", 2024)  # read in full once
        cut = stored.load(store, "00101", 2024, columns, marks=marks)
        read = store.load_year("00101", 2024, columns=columns, marks=marks)
    assert_same(cut, read)


def _reference_typed_frame(
    rows: list[tuple[object, ...]], columns: list[tuple[str, str]]
) -> pd.DataFrame:
    """The former construction of members, pairs and twinnings."""
    raw = pd.DataFrame(rows, columns=[c for c, _ in columns])
    return pd.DataFrame({key: _reference_column(raw[key], kind) for key, kind in columns})


def test_members_pairs_and_twinnings_are_the_former_frames(store_path: Path) -> None:
    members = pd.DataFrame(
        {
            "ma_dang_vien": ["DV001", "DV002", "0003"],
            "ho_ten": ["Nguyễn Văn Bình", unicodedata.normalize("NFD", "Hà Thị Ếch"), None],
            "chi_bo": ["Chi bộ 1", None, "Chi bộ 2"],
            "thon": ["Thôn 1", "Buôn Đrăng", None],
            "huong_luong": pd.array([True, None, False], dtype="boolean"),
            "gioi_tinh": ["Nam", "Nữ", None],
            "nam_sinh": pd.array([1970, None, 1988], dtype="Int64"),
            "mien": pd.array([False, False, True], dtype="boolean"),
            # dan_toc and tran_so_ho never given: NULL everywhere.
        }
    )
    pairs = pd.DataFrame(
        {
            "ma_dang_vien": ["DV001", "DV002"],
            "ma_ho": ["1000001", "1000002"],
            "thon": ["Thôn 1", None],
            "via_twinning": [False, True],
            "kept_from_last_year": [True, False],
        }
    )
    twinnings = pd.DataFrame({"chi_bo": ["Chi bộ 1"], "thon": ["Buôn Đrăng"], "ghi_chu": [None]})
    with Store.open(store_path) as store:
        store.record_assignment("00101", 2024, members, pairs, twinnings)
        loaded = [
            store.load_members("00101", 2024),
            store.load_pairs("00101", 2024),
            store.load_twinnings("00101", 2024),
        ]
        empty = [
            store.load_members("00202", 2023),
            store.load_pairs("00202", 2023),
            store.load_twinnings("00202", 2023),
        ]
    conn = sqlite3.connect(store_path)
    try:
        for frame, blank, columns, table, order in zip(
            loaded,
            empty,
            [MEMBER_COLUMNS, PAIR_COLUMNS, TWINNING_COLUMNS],
            ["members", "assignments", "twinnings"],
            ["ma_dang_vien", "ma_dang_vien, ma_ho", "position"],
            strict=True,
        ):
            names = ", ".join(c for c, _ in columns)
            rows = conn.execute(
                f"SELECT {names} FROM {table} WHERE commune = '00101' AND year = 2024"
                f" ORDER BY {order}"
            ).fetchall()
            assert rows
            assert_same(frame, _reference_typed_frame(rows, list(columns)))
            assert_same(blank, _reference_typed_frame([], list(columns)))
    finally:
        conn.close()


def test_garbage_collection_is_left_as_the_caller_had_it(store_path: Path) -> None:
    """load_year pauses collection while it builds its arrays, then leaves it as it was,
    also when the read fails."""
    import gc

    from ngheo_cli.io.store import YearNotFound

    with Store.open(store_path) as store:
        assert gc.isenabled()
        store.load_year("00101", 2024)
        assert gc.isenabled()
        with pytest.raises(YearNotFound):
            store.load_year("00101", 1999)
        assert gc.isenabled()
        gc.disable()
        try:
            store.load_year("00101", 2024)
            assert not gc.isenabled()
        finally:
            gc.enable()
