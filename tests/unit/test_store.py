"""The history store: round trip, re-import, migrations and backups, a real kill in the
middle of an import, a reader during an import, and speed."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ngheo_cli.errors import EXIT_INPUT, EXIT_USAGE, InputError
from ngheo_cli.io.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    RunInfo,
    Store,
    StoreError,
    YearNotFound,
    backup_path,
)

PROJECT = Path(__file__).resolve().parents[2]
INDICATORS = ("viec_lam", "nguoi_phu_thuoc", "dinh_duong", "bao_hiem_y_te")
RUN = RunInfo(standard="nd07-2021", source="xa.xlsx", input_sha256="ab" * 32, indicators=INDICATORS)

# The frame builder, shared with the subprocesses below (they exec this source).
FRAME_SOURCE = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd

    def make_frame(n, prefix="", seed=0):
        rng = np.random.default_rng(seed)
        codes = [f"{prefix}{i:06d}" for i in range(n)]
        frame = pd.DataFrame({
            "ma_ho": pd.array(codes, dtype="string"),
            "ho_ten_chu_ho": pd.array([f"Chủ hộ {i}" for i in range(n)], dtype="string"),
            "thon": pd.array(rng.choice(["Thôn 1", "Buôn Ea", "Tổ 3"], n), dtype="string"),
            "dan_toc": pd.array(rng.choice(["Kinh", "Ê Đê"], n), dtype="string"),
            "is_dtts": pd.array(rng.random(n) > 0.5, dtype="boolean"),
            "khu_vuc": pd.array(["nong_thon"] * n, dtype="string"),
            "so_nhan_khau": pd.array(rng.integers(1, 9, n), dtype="Int64"),
            "thu_nhap_binh_quan": rng.integers(500_000, 4_000_000, n).astype(float),
            "diem_a": np.full(n, np.nan),
            "diem_b": np.full(n, np.nan),
            "so_thieu_hut": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "phan_loai": pd.array(
                rng.choice(["ngheo", "can_ngheo", "trung_binh", "khac"], n), dtype="string"),
            "nguyen_nhan": pd.array(rng.choice(["Thiếu vốn", None], n), dtype="string"),
            "nhu_cau": pd.array(rng.choice(["Tín dụng", None], n), dtype="string"),
            "co_chi_so": np.ones(n, dtype=bool),
        })
        for key in ("viec_lam", "nguoi_phu_thuoc", "dinh_duong", "bao_hiem_y_te"):
            frame[key] = rng.random(n) > 0.6
        return frame
    """
)
_namespace: dict[str, object] = {}
exec(FRAME_SOURCE, _namespace)
make_frame = _namespace["make_frame"]


def small_frame() -> pd.DataFrame:
    """Four households covering blanks of every kind and a row without usable marks."""
    return pd.DataFrame(
        {
            "ma_ho": pd.array(["0001", "0002", "00003", "A-04"], dtype="string"),
            "ho_ten_chu_ho": pd.array(
                ["Nguyễn Văn A", None, "Y Blúp Ê Ban", "Đỗ Thị Ư"], dtype="string"
            ),
            "thon": pd.array(["Thôn 1", "Thôn 1", None, "Buôn Đrăng"], dtype="string"),
            "dan_toc": pd.array(["Kinh", None, "Ê Đê", "Kinh"], dtype="string"),
            "is_dtts": pd.array([False, pd.NA, True, False], dtype="boolean"),
            "khu_vuc": pd.array(["nong_thon"] * 3 + ["thanh_thi"], dtype="string"),
            "so_nhan_khau": pd.array([4, pd.NA, 7, 1], dtype="Int64"),
            "thu_nhap_binh_quan": [1_200_000.0, np.nan, 800_000.5, 2_500_000.0],
            "diem_a": [np.nan, 130.0, np.nan, np.nan],
            "diem_b": [np.nan, 40.0, np.nan, np.nan],
            "so_thieu_hut": pd.array([3, 4, 0, 1], dtype="Int64"),
            "phan_loai": pd.array(["ngheo", "ngheo", "can_ngheo", "khac"], dtype="string"),
            "nguyen_nhan": pd.array(["Thiếu vốn", None, None, None], dtype="string"),
            "nhu_cau": pd.array(["Tín dụng; nhà ở", None, None, None], dtype="string"),
            "viec_lam": [True, False, False, True],
            "nguoi_phu_thuoc": [True, False, False, False],
            "dinh_duong": [False, False, False, False],
            "bao_hiem_y_te": [True, False, False, False],
            "co_chi_so": [True, False, True, True],
            "tuyen": ["thu_nhap", "diem_a", "thu_nhap", "thu_nhap"],  # not stored
        }
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "ngheo.sqlite"


def test_new_store_is_created_at_the_latest_version(store_path: Path) -> None:
    with Store.open(store_path) as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        assert store.integrity_check() == "ok"
        assert store.communes() == [] and store.years("00001") == []
        assert store.runs().empty
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert not backup_path(store_path, 0).exists()  # nothing to back up in a new file
    with Store.open(store_path) as store:  # opening again changes nothing
        assert store.schema_version == SCHEMA_VERSION


def test_round_trip_keeps_every_value(store_path: Path) -> None:
    frame = small_frame()
    recorded = datetime(2025, 11, 30, 3, 0, tzinfo=UTC)
    info = RunInfo(
        standard="nd07-2021",
        source="xa.xlsx",
        input_sha256="ab" * 32,
        rejected=2,
        indicators=INDICATORS,
        recorded_at=recorded,
    )
    with Store.open(store_path) as store:
        run_id = store.record_year("00123", 2025, frame, info)
        back = store.load_year("00123", 2025)
        runs = store.runs()
    assert list(back["ma_ho"]) == ["0001", "0002", "00003", "A-04"]  # text, zeros kept, order
    for key in (
        "ho_ten_chu_ho",
        "thon",
        "dan_toc",
        "khu_vuc",
        "phan_loai",
        "nguyen_nhan",
        "nhu_cau",
    ):
        pd.testing.assert_series_equal(back[key], frame[key], check_names=False)
    for key in ("so_nhan_khau", "so_thieu_hut", "is_dtts"):
        pd.testing.assert_series_equal(back[key], frame[key], check_names=False)
    for key in ("thu_nhap_binh_quan", "diem_a", "diem_b"):
        np.testing.assert_array_equal(back[key].to_numpy(), np.asarray(frame[key]))
    for key in INDICATORS:
        expected = frame[key].where(frame["co_chi_so"], False)
        assert list(back[key]) == list(expected)
    assert list(back["co_chi_so"]) == [True, False, True, True]
    assert list(back["nguon_thieu_hut"]) == ["chi_so", "diem_b", "chi_so", "chi_so"]
    assert set(back["standard"]) == {"nd07-2021"}
    assert "tuyen" not in back.columns
    run = back.attrs["run"]
    assert run.id == run_id and run.households == 4 and run.rejected == 2
    assert run.indicators == INDICATORS and run.commune == "00123"
    assert run.recorded_at == "2025-11-30T10:00:00+07:00"  # Vietnam time
    assert runs.loc[0, "input_sha256"] == "ab" * 32 and runs.loc[0, "source"] == "xa.xlsx"


def test_reimport_replaces_the_year_and_keeps_both_runs(store_path: Path) -> None:
    with Store.open(store_path) as store:
        store.record_year("00001", 2024, make_frame(50, "A"), RUN)
        store.record_year("00001", 2025, make_frame(30, "A"), RUN)
        store.record_year("00002", 2025, make_frame(20, "B"), RUN)
        second = store.record_year("00001", 2025, make_frame(12, "C"), RUN)
        assert store.household_count("00001", 2025) == 12
        back = store.load_year("00001", 2025)
        assert back["ma_ho"].str.startswith("C").all() and back.attrs["run"].id == second
        assert store.household_count("00001", 2024) == 50  # other years untouched
        assert store.household_count("00002", 2025) == 20
        assert store.years("00001") == [2024, 2025]
        assert store.communes() == ["00001", "00002"]
        runs = store.runs("00001")
        assert list(runs["households"]) == [50, 30, 12]
        assert len(store.runs()) == 4


def test_an_empty_or_broken_frame_is_refused_and_the_year_kept(store_path: Path) -> None:
    with Store.open(store_path) as store:
        store.record_year("00001", 2025, make_frame(5), RUN)
        with pytest.raises(InputError) as err:
            store.record_year("00001", 2025, make_frame(5).iloc[:0], RUN)
        assert err.value.exit_code == EXIT_INPUT and "giữ nguyên" in str(err.value)
        numeric = make_frame(3).assign(ma_ho=[1, 2, 3])
        with pytest.raises(ValueError, match="leading zeros"):
            store.record_year("00001", 2025, numeric, RUN)
        dup = pd.concat([make_frame(3), make_frame(3)])
        with pytest.raises(ValueError, match="unique"):
            store.record_year("00001", 2025, dup, RUN)
        assert store.household_count("00001", 2025) == 5
        assert len(store.runs()) == 1


def test_a_missing_year_names_the_years_there_are(store_path: Path) -> None:
    with Store.open(store_path) as store:
        store.record_year("00001", 2023, make_frame(2), RUN)
        with pytest.raises(YearNotFound) as err:
            store.load_year("00001", 2025)
        assert err.value.exit_code == EXIT_USAGE
        assert "năm 2025" in str(err.value) and "2023" in str(err.value)
        with pytest.raises(YearNotFound, match="ngheo classify"):
            store.load_year("09999", 2025)


# --- migrations ----------------------------------------------------------------------------


def test_v0_file_with_data_is_backed_up_then_migrated(store_path: Path) -> None:
    conn = sqlite3.connect(store_path)
    conn.execute("CREATE TABLE ghi_chu (ma_ho TEXT, noi_dung TEXT)")
    conn.execute("INSERT INTO ghi_chu VALUES ('0007', 'Hộ chuyển đi')")
    conn.commit()
    conn.close()
    with Store.open(store_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        store.record_year("00001", 2025, make_frame(3), RUN)
    backup = backup_path(store_path, 0)
    assert backup.name == "ngheo.sqlite.bak-v0" and backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("SELECT * FROM ghi_chu").fetchall() == [("0007", "Hộ chuyển đi")]
    assert old.execute("PRAGMA user_version").fetchone()[0] == 0
    old.close()
    kept = sqlite3.connect(store_path)
    assert kept.execute("SELECT count(*) FROM ghi_chu").fetchone()[0] == 1  # never dropped
    kept.close()


def test_upgrade_to_a_new_version_backs_up_and_keeps_people(store_path: Path) -> None:
    with Store.open(store_path) as store:
        store.record_year("00001", 2025, small_frame(), RUN)
    v2 = (*MIGRATIONS, ("ALTER TABLE households ADD COLUMN ghi_chu TEXT",))
    with Store.open(store_path, migrations=v2) as store:
        assert store.schema_version == len(v2)
        back = store.load_year("00001", 2025)
        assert list(back["ma_ho"]) == ["0001", "0002", "00003", "A-04"]
    backup = backup_path(store_path, len(MIGRATIONS))
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert old.execute("SELECT count(*) FROM households").fetchone()[0] == 4
    assert old.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    old.close()
    # Opened by the older tool again: refused, not damaged.
    with pytest.raises(StoreError, match="mới hơn") as err:
        Store.open(store_path)
    assert err.value.exit_code == EXIT_INPUT


@pytest.mark.parametrize(
    "step",
    [
        ("DELETE FROM households WHERE ma_ho = '0001'",),
        ("ALTER TABLE households DROP COLUMN nhu_cau",),
        ("CREATE TABLE x (a)", "DROP TABLE runs_archive_does_not_exist"),  # an error mid-way
    ],
)
def test_a_migration_that_loses_data_or_fails_is_rolled_back(
    store_path: Path, step: tuple[str, ...]
) -> None:
    with Store.open(store_path) as store:
        store.record_year("00001", 2025, small_frame(), RUN)
    with pytest.raises(StoreError):
        Store.open(store_path, migrations=(*MIGRATIONS, step))
    with Store.open(store_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.household_count("00001", 2025) == 4
        assert "nhu_cau" in store.load_year("00001", 2025).columns
        assert store.integrity_check() == "ok"


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "ngheo.sqlite"
    bad.write_bytes(b"PK\x03\x04 this is an xlsx, not a database" * 100)
    with pytest.raises(StoreError) as err:
        Store.open(bad)
    assert err.value.exit_code == EXIT_INPUT and "không phải kho dữ liệu" in str(err.value)
    with pytest.raises(StoreError):
        Store.open(tmp_path)  # a folder
    with pytest.raises(StoreError):
        Store.open(tmp_path / "khong_co" / "ngheo.sqlite")


# --- a real kill, and a reader during an import -----------------------------------------------

KILL_SCRIPT = FRAME_SOURCE + textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import ngheo_cli.io.store as store_module
    from ngheo_cli.io.store import RunInfo, Store

    path, marker, n, patch = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    frame = make_frame(n, "NEW", seed=7)
    original = store_module._household_rows

    def stalling_rows(*args, **kwargs):
        # Hand SQLite half of the rows, then say so and wait to be killed: the old year is
        # already deleted and half the new one inserted, inside the open transaction.
        for i, row in enumerate(original(*args, **kwargs)):
            if i == n // 2:
                marker.write_text("mid")
                time.sleep(120)
            yield row

    if patch == "stall":
        store_module._household_rows = stalling_rows
    store = Store.open(path)
    if patch != "stall":
        marker.write_text("start")
    store.record_year("00001", 2025, frame, RunInfo(standard="nd07-2021"))
    marker.write_text("done")
    """
)


def _snapshot(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Store.open(path) as store:
        return store.load_year("00001", 2025), store.runs()


def _start(script: str, *args: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(marker: Path, text: str, proc: subprocess.Popen[bytes], limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text() == text:
            return
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"the import process ended early: {err.decode()[-2000:]}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"no {text!r} from the import process")


def test_killing_an_import_mid_transaction_leaves_the_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "ngheo.sqlite"
    with Store.open(path) as store:
        store.record_year("00001", 2025, make_frame(1000, "OLD", seed=1), RUN)
        store.record_year("00002", 2025, make_frame(300, "X", seed=2), RUN)
    before, runs_before = _snapshot(path)
    marker = tmp_path / "marker"
    proc = _start(KILL_SCRIPT, path, marker, 150_000, "stall")
    _wait_for(marker, "mid", proc, 120)
    wal = Path(f"{path}-wal")
    # The uncommitted half (≈75.000 rows) has spilled from SQLite's cache to disk.
    assert wal.exists() and wal.stat().st_size > 1_000_000
    proc.kill()  # SIGKILL: no cleanup, no rollback by the process itself
    proc.wait(30)
    after, runs_after = _snapshot(path)
    pd.testing.assert_frame_equal(after, before)
    pd.testing.assert_frame_equal(runs_after, runs_before)
    with Store.open(path) as store:
        assert store.integrity_check() == "ok"
        assert store.household_count("00002", 2025) == 300
        store.record_year("00001", 2025, make_frame(10, "NEW"), RUN)  # still writable
        assert store.household_count("00001", 2025) == 10


def test_killing_an_import_at_any_moment_leaves_a_whole_year(tmp_path: Path) -> None:
    path = tmp_path / "ngheo.sqlite"
    with Store.open(path) as store:
        store.record_year("00001", 2025, make_frame(1000, "OLD", seed=1), RUN)
    marker = tmp_path / "marker"
    proc = _start(KILL_SCRIPT, path, marker, 120_000, "plain")
    _wait_for(marker, "start", proc, 120)
    wal = Path(f"{path}-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 3_000_000:
            break
        time.sleep(0.005)
    proc.kill()
    proc.wait(30)
    with Store.open(path) as store:
        assert store.integrity_check() == "ok"
        count = store.household_count("00001", 2025)
        back = store.load_year("00001", 2025)
    assert count in (1000, 120_000)
    prefix = "OLD" if count == 1000 else "NEW"
    assert back["ma_ho"].str.startswith(prefix).all()


WRITER_SCRIPT = FRAME_SOURCE + textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ngheo_cli.io.store import RunInfo, Store

    path, rounds = Path(sys.argv[1]), int(sys.argv[2])
    frames = [make_frame(20_000, "A", seed=1), make_frame(6_000, "B", seed=2)]
    with Store.open(path) as store:
        for i in range(rounds):
            store.record_year("00001", 2025, frames[i % 2], RunInfo(standard="nd07-2021"))
            time.sleep(0.05)  # leave the reader a moment on each state
    """
)


def test_a_reader_during_imports_sees_the_old_or_the_new_year(tmp_path: Path) -> None:
    path = tmp_path / "ngheo.sqlite"
    with Store.open(path) as store:
        store.record_year("00001", 2025, make_frame(6_000, "B", seed=2), RUN)
    proc = _start(WRITER_SCRIPT, path, 12)
    seen: set[int] = set()
    reads = 0
    with Store.open(path) as reader:
        while proc.poll() is None:
            count = reader.household_count("00001", 2025)
            assert count in (20_000, 6_000)
            seen.add(count)
            frame = reader.load_year("00001", 2025)
            run = frame.attrs["run"]
            assert len(frame) == run.households in (20_000, 6_000)
            prefix = "A" if len(frame) == 20_000 else "B"
            assert frame["ma_ho"].str.startswith(prefix).all()  # never a mix of two imports
            reads += 1
    _, err = proc.communicate()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert reads >= 3 and seen == {20_000, 6_000}
    with Store.open(path) as store:
        assert store.household_count("00001", 2025) == 6_000  # the last (12th) import


# --- speed ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_recording_many_communes(tmp_path: Path) -> None:
    # The pace (1.000.000 households < 30 s) is measured by benchmarks/bench_suite_timings.py.
    communes, per = 24, 8_334  # ≈200.000 households
    frames = [make_frame(per, seed=i) for i in range(3)]
    with Store.open(tmp_path / "ngheo.sqlite") as store:
        for c in range(communes):
            store.record_year(f"{c:05d}", 2025, frames[c % 3], RUN)
        assert store.household_count("00023", 2025) == per
        assert len(store.load_year("00000", 2025)) == per
    assert os.path.getsize(tmp_path / "ngheo.sqlite") > 0


def test_v1_store_gains_assignment_tables_without_losing_households(store_path: Path) -> None:
    # A v1 store as v1 code left it (the runs and households columns of v1 only).
    with Store.open(store_path, migrations=MIGRATIONS[:1]):
        pass
    conn = sqlite3.connect(store_path)
    with conn:
        conn.execute(
            "INSERT INTO runs (id, commune, year, recorded_at, tool_version, standard,"
            " households) VALUES (1, '00001', 2025, '2025-12-01T08:00:00+07:00', '0.1',"
            " 'nd07-2021', 4)"
        )
        conn.executemany(
            "INSERT INTO households (commune, year, ma_ho, phan_loai, standard, run_id)"
            " VALUES ('00001', 2025, ?, 'ngheo', 'nd07-2021', 1)",
            [("0001",), ("0002",), ("00003",), ("A-04",)],
        )
    conn.close()
    with Store.open(store_path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.household_count("00001", 2025) == 4
        frame = store.load_year("00001", 2025)
        assert frame.attrs["run"].origin == "computed"  # v4's default for older runs
        assert frame["nlnn"].isna().all()
    assert backup_path(store_path, 1).exists()


def test_assignment_replaced_per_commune_year(store_path: Path) -> None:
    import pandas as pd

    from ngheo_cli.io.store import load_members, load_pairs, record_assignment

    members = pd.DataFrame(
        {
            "ma_dang_vien": ["007", "008"],
            "ho_ten": ["A", "B"],
            "thon": ["X", "X"],
            "mien": [False, True],
            "tran_so_ho": pd.array([None, 2], dtype="Int64"),
        }
    )
    pairs = pd.DataFrame(
        {
            "ma_dang_vien": ["007"],
            "ma_ho": ["0001"],
            "thon": ["X"],
            "via_twinning": [False],
            "kept_from_last_year": [True],
        }
    )
    with Store.open(store_path) as store:
        record_assignment(store, "00001", 2025, members, pairs)
        record_assignment(store, "00001", 2025, members, pairs)  # rerun: replaced, not added
        back = load_pairs(store, "00001", 2025)
        assert back["ma_dang_vien"].tolist() == ["007"] and back["ma_ho"].tolist() == ["0001"]
        assert bool(back["kept_from_last_year"].iloc[0]) is True
        m = load_members(store, "00001", 2025)
        assert m["ma_dang_vien"].tolist() == ["007", "008"]
        assert m["tran_so_ho"].tolist()[1] == 2
        assert len(load_pairs(store, "00001", 2024)) == 0


# --- schema v5 (issue 12): twinnings, gaps, stale pairs; support behind Store methods --------


def _v4_store(path: Path) -> None:
    """A v4 store as v4 code left it: households (imported 05/12), pairs of 2024 made
    after them and pairs of 2025 made before them, members, a support record."""
    with Store.open(path, migrations=MIGRATIONS[:4]):
        pass
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO runs (id, commune, year, recorded_at, tool_version, standard,"
            " households) VALUES (?, '00001', ?, ?, '0.4', 'nd07-2021', 2)",
            [(1, 2024, "2024-12-05T08:00:00+07:00"), (2, 2025, "2025-12-05T08:00:00+07:00")],
        )
        conn.executemany(
            "INSERT INTO households (commune, year, ma_ho, phan_loai, standard, run_id,"
            " thu_nhap_binh_quan) VALUES ('00001', ?, ?, 'ngheo', 'nd07-2021', ?, 1200000)",
            [(2024, "0001", 1), (2024, "0002", 1), (2025, "0001", 2), (2025, "0002", 2)],
        )
        conn.executemany(
            "INSERT INTO members (commune, year, ma_dang_vien, thon) VALUES ('00001', ?, '007',"
            " 'Thôn 1')",
            [(2024,), (2025,)],
        )
        conn.executemany(
            "INSERT INTO assignments (commune, year, ma_dang_vien, ma_ho, thon, recorded_at)"
            " VALUES ('00001', ?, '007', '0001', 'Thôn 1', ?)",
            [(2024, "2024-12-06T09:00:00+07:00"), (2025, "2025-12-01T09:00:00+07:00")],
        )
        conn.execute(
            "INSERT INTO support_imports (id, commune, year, recorded_at, tool_version,"
            " rows_read, added, already_recorded, rejected)"
            " VALUES (1, '00001', 2025, '2025-12-07T08:00:00+07:00', '0.4', 1, 1, 0, 0)"
        )
        conn.execute(
            "INSERT INTO support (commune, year, record_key, ngay, loai_nguoi, nguoi_ho_tro,"
            " ma_ho, loai, gia_tri, import_id) VALUES ('00001', 2025, 'k1', '2025-03-01',"
            " 'dang_vien', '007', '0001', 'tien', 500000, 1)"
        )
    conn.close()


def test_v4_store_migrates_to_v5_keeping_every_row(store_path: Path) -> None:
    _v4_store(store_path)
    before = sqlite3.connect(store_path)
    counts = {
        t: before.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("runs", "households", "members", "assignments", "support", "support_imports")
    }
    before.close()
    with Store.open(store_path) as store:
        assert store.schema_version == 5 == len(MIGRATIONS)
        after = {t: store._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts}
        assert after == counts
        frame = store.load_year("00001", 2025)
        assert frame["chenh_lech_quy_doi"].isna().all()  # not known for rows stored before
        assert frame["nguon_chenh_lech"].isna().all()
        assert list(frame["thu_nhap_binh_quan"]) == [1_200_000.0] * 2
        # Pairs made before the year's households were imported are stale; later ones not.
        s2024 = store.assignment_status("00001", 2024)
        s2025 = store.assignment_status("00001", 2025)
        assert s2024 is not None and not s2024.stale and s2024.pairs == 1
        assert s2025 is not None and s2025.stale
        assert s2025.households_recorded_at == "2025-12-05T08:00:00+07:00"
        # A members list stored before v5: its twinnings were never kept.
        assert store.member_list("00001", 2025) is None
        assert len(store.load_members("00001", 2025)) == 1
        assert len(store.load_twinnings("00001", 2025)) == 0
        support = store.load_support("00001", 2025)
        assert [r["record_key"] for r in support] == ["k1"] and support[0]["gia_tri"] == 500000
    assert backup_path(store_path, 4).exists()


def _members_and_pairs() -> tuple[pd.DataFrame, pd.DataFrame]:
    members = pd.DataFrame(
        {"ma_dang_vien": ["007", "008"], "thon": ["Thôn 1", "Thôn 2"], "chi_bo": ["CB1", "CB2"]}
    )
    pairs = pd.DataFrame(
        {
            "ma_dang_vien": ["007", "008"],
            "ma_ho": ["0001", "0002"],
            "thon": ["Thôn 1", "Buôn Đrăng"],
            "via_twinning": [False, True],
            "kept_from_last_year": [False, False],
        }
    )
    return members, pairs


def test_twinnings_are_stored_with_the_members_of_the_year(store_path: Path) -> None:
    members, pairs = _members_and_pairs()
    twinnings = pd.DataFrame(
        {
            "chi_bo": pd.array(["Chi bộ Trạm Y tế xã", "CB2"], dtype="string"),
            "thon": pd.array(["Buôn Đrăng", "Buôn Đrăng"], dtype="string"),
            "ghi_chu": pd.array([None, "Thôn chưa có đảng viên"], dtype="string"),
        },
        index=[2, 5],  # Excel rows
    )
    with Store.open(store_path) as store:
        store.record_assignment("00001", 2025, members, pairs, twinnings, source="dv.xlsx")
        back = store.load_twinnings("00001", 2025)
        assert back["chi_bo"].tolist() == ["Chi bộ Trạm Y tế xã", "CB2"]
        assert back["thon"].tolist() == ["Buôn Đrăng", "Buôn Đrăng"]
        assert back["ghi_chu"].isna().tolist() == [True, False]
        listed = store.member_list("00001", 2025)
        assert listed is not None and listed.source == "dv.xlsx" and listed.twinnings == 2
        assert len(store.load_twinnings("00001", 2024)) == 0  # per commune-year
        # A workbook without a twinning sheet replaces them with none (known, not unknown).
        store.record_assignment("00001", 2025, members, pairs, None, source="dv2.xlsx")
        assert len(store.load_twinnings("00001", 2025)) == 0
        listed = store.member_list("00001", 2025)
        assert listed is not None and listed.twinnings == 0 and listed.source == "dv2.xlsx"


def test_reimporting_the_year_marks_its_pairs_stale(store_path: Path) -> None:
    members, pairs = _members_and_pairs()
    with Store.open(store_path) as store:
        assert store.assignment_status("00001", 2025) is None
        store.record_year("00001", 2025, small_frame(), RUN)
        store.record_assignment("00001", 2025, members, pairs)
        status = store.assignment_status("00001", 2025)
        assert status is not None and not status.stale and status.pairs == 2
        store.record_year("00001", 2024, small_frame(), RUN)  # another year: untouched
        status = store.assignment_status("00001", 2025)
        assert status is not None and not status.stale
        store.record_year("00001", 2025, small_frame(), RUN)
        status = store.assignment_status("00001", 2025)
        assert status is not None and status.stale
        assert len(store.load_pairs("00001", 2025)) == 2  # kept, only marked
        store.record_assignment("00001", 2025, members, pairs)  # made again: fresh
        status = store.assignment_status("00001", 2025)
        assert status is not None and not status.stale
        # Pairs made from households replaced while they were being made: stale at once.
        first = store.load_year("00001", 2025).attrs["run"].id
        store.record_year("00001", 2025, small_frame(), RUN)
        store.record_assignment("00001", 2025, members, pairs, households_run=first)
        status = store.assignment_status("00001", 2025)
        assert status is not None and status.stale
        latest = store.load_year("00001", 2025).attrs["run"].id
        store.record_assignment("00001", 2025, members, pairs, households_run=latest)
        status = store.assignment_status("00001", 2025)
        assert status is not None and not status.stale


def test_gap_and_its_route_round_trip(store_path: Path) -> None:
    frame = small_frame().assign(
        chenh_lech_quy_doi=[-300_000.0, -107_142.857, -699_999.5, np.nan],
        nguon_chenh_lech=["thu_nhap", "diem_a", "thu_nhap", None],
    )
    with Store.open(store_path) as store:
        store.record_year("00001", 2025, frame, RUN)
        back = store.load_year("00001", 2025)
    np.testing.assert_array_equal(
        back["chenh_lech_quy_doi"].to_numpy(), frame["chenh_lech_quy_doi"].to_numpy()
    )
    assert back["nguon_chenh_lech"].tolist()[:3] == ["thu_nhap", "diem_a", "thu_nhap"]
    assert back["nguon_chenh_lech"].isna().tolist() == [False, False, False, True]


def test_support_records_are_added_once_through_the_store(store_path: Path) -> None:
    records = pd.DataFrame(
        {
            "record_key": ["k1", "k2"],
            "ngay": ["2025-03-01", "2025-02-01"],
            "loai_nguoi": ["dang_vien", "to_chuc"],
            "nguoi_ho_tro": ["007", "Hội Nông dân"],
            "ma_ho": ["0001", "0002"],
            "loai": ["tien", "cay_giong"],
            "so_luong": [np.nan, 10.0],
            "don_vi": [None, "cây"],
            "gia_tri": [500_000.0, np.nan],
            "ghi_chu": [None, None],
        },
        index=[4, 7],
    )
    with Store.open(store_path) as store:
        first = store.record_support(
            "00001", 2025, records, source="a.xlsx", input_sha256=None, rows_read=2, rejected=0
        )
        again = store.record_support(
            "00001", 2025, records, source="b.xlsx", input_sha256=None, rows_read=2, rejected=0
        )
        back = store.load_support("00001", 2025)
    assert first.added == 2 and again.added == 0 and again.import_id == first.import_id + 1
    assert [r["record_key"] for r in back] == ["k2", "k1"]  # by date
    assert back[0]["so_luong"] == 10.0 and back[0]["gia_tri"] is None
    assert back[1]["don_vi"] is None


def test_no_module_but_the_store_runs_sql() -> None:
    """io/store.py is the only module with SQL (issue 12): no other module of the package
    executes a statement or holds the store's connection."""
    package = PROJECT / "ngheo_cli"
    pattern = re.compile(
        r"\.execute(many)?\(|\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET)\b|_conn\b"
    )
    offenders = [
        f"{path.relative_to(PROJECT)}:{n}"
        for path in sorted(package.rglob("*.py"))
        if path != package / "io" / "store.py"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
