"""History at province scale: record 1.000.000 households (120 communes, already read) in
the store, then transitions and both "diễn biến" balances for every commune, commune by
commune. Compared in the same run with the naive way: ``DataFrame.to_sql`` for recording
and a per-household Python loop over dictionaries for the transitions.

    python benchmarks/bench_history.py [--communes 120] [--households 1000000]

Goals (issue 3): recording < 30 s; transitions and balances < 5 s; memory bounded by
working commune by commune. Each contender runs in its own process (peak RSS is its own).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fmt_s, print_table, python_child, report, run_child, verdict  # noqa: E402

CLASSES = ("ngheo", "can_ngheo", "trung_binh", "khac")
HISTORY_COLUMNS = ("ma_ho", "thon", "ho_ten_chu_ho", "so_nhan_khau", "phan_loai")


def _frames(communes: int, households: int, seed: int = 7):  # noqa: ANN202
    """Two years of classified households per commune, built directly with numpy."""
    import numpy as np
    import pandas as pd

    per = households // communes
    rng = np.random.default_rng(seed)
    for c in range(communes):
        n = per + (1 if c < households % communes else 0)
        codes = np.char.add("0", np.arange(1, n + 1).astype(str))
        villages = np.char.add("Thôn ", (rng.integers(1, 13, n)).astype(str))
        prev = rng.choice(4, n, p=[0.25, 0.18, 0.2, 0.37])
        drift = rng.choice([-1, 0, 0, 0, 0, 1], n)
        now = np.clip(prev + drift, 0, 3)
        size = rng.integers(1, 9, n)
        base = {
            "ma_ho": codes,
            "thon": villages,
            "ho_ten_chu_ho": np.char.add("Chủ hộ ", codes),
            "khu_vuc": "nong_thon",
            "co_chi_so": True,
        }
        marks = {f"i{j}": rng.random(n) < 0.2 for j in range(12)}
        y1 = pd.DataFrame({**base, "phan_loai": np.asarray(CLASSES)[prev], "so_nhan_khau": size})
        y2 = pd.DataFrame({**base, "phan_loai": np.asarray(CLASSES)[now], "so_nhan_khau": size})
        # A few households leave and a few arrive each year.
        y2 = y2.iloc[n // 100 :].reset_index(drop=True)
        y2.loc[len(y2) - 5 :, "ma_ho"] = [f"N{c}-{i}" for i in range(5)]
        for frame in (y1, y2):
            frame["so_nhan_khau"] = frame["so_nhan_khau"].astype("Int64")
            for k, v in marks.items():
                frame[k] = v[: len(frame)]
        yield f"{c:05d}", y1, y2


def _indicator_keys() -> tuple[str, ...]:
    from ngheo_cli.core.schema import INDICATOR_KEYS

    return INDICATOR_KEYS[:12]


def _rename_marks(frame):  # noqa: ANN001, ANN202
    keys = _indicator_keys()
    return frame.rename(columns={f"i{j}": k for j, k in enumerate(keys)})


def child_ngheo(communes: int, households: int, workdir: Path) -> None:
    from ngheo_cli.core.history import balance_dict, balances, transitions
    from ngheo_cli.io.store import RunInfo, Store

    data = [(c, _rename_marks(a), _rename_marks(b)) for c, a, b in _frames(communes, households)]
    info = RunInfo(standard="nd07-2021", indicators=_indicator_keys())
    with Store.open(workdir / "ngheo.sqlite") as store:
        for code, y1, _ in data:
            store.record_year(code, 2023, y1, info)
        start = time.perf_counter()
        for code, _, y2 in data:
            store.record_year(code, 2024, y2, info)
        record_s = time.perf_counter() - start
        del data
        start = time.perf_counter()
        poor_end = 0
        load_s = 0.0
        for code in store.communes():
            t0 = time.perf_counter()
            now, before = (store.load_year(code, y, HISTORY_COLUMNS) for y in (2024, 2023))
            load_s += time.perf_counter() - t0
            trans = transitions(now, before, [])
            tables = balances(trans, by="thon")
            poor_end += int(tables["poor"].iloc[-1]["ho_9"])
            balance_dict(trans)
        history_s = time.perf_counter() - start
    report(record_s=record_s, history_s=history_s, load_s=load_s, poor_end=poor_end)


def child_naive(communes: int, households: int, workdir: Path) -> None:
    import sqlite3

    import pandas as pd

    data = [(c, a, b) for c, a, b in _frames(communes, households)]
    conn = sqlite3.connect(workdir / "naive.sqlite")
    for code, y1, _ in data:
        y1.assign(commune=code, year=2023).to_sql("households", conn, if_exists="append")
    start = time.perf_counter()
    for code, _, y2 in data:
        conn.execute("DELETE FROM households WHERE commune = ? AND year = 2024", (code,))
        y2.assign(commune=code, year=2024).to_sql("households", conn, if_exists="append")
        conn.commit()
    record_s = time.perf_counter() - start
    del data
    start = time.perf_counter()
    poor_end = 0
    for (code,) in conn.execute("SELECT DISTINCT commune FROM households").fetchall():
        frames = {
            y: pd.read_sql(
                "SELECT ma_ho, phan_loai, so_nhan_khau FROM households WHERE commune=? AND year=?",
                conn,
                params=(code, y),
            )
            for y in (2023, 2024)
        }
        before = dict(zip(frames[2023]["ma_ho"], frames[2023]["phan_loai"], strict=True))
        counts: dict[str, int] = {}
        for ma_ho, now in zip(frames[2024]["ma_ho"], frames[2024]["phan_loai"], strict=True):
            was = before.pop(ma_ho, None)
            if was is None:
                key = "vao_danh_sach"
            elif was == now:
                key = f"con_{now}"
            else:
                key = f"{was}->{now}"
            counts[key] = counts.get(key, 0) + 1
            poor_end += now == "ngheo"
        counts["ra_danh_sach"] = len(before)
    history_s = time.perf_counter() - start
    conn.close()
    report(record_s=record_s, history_s=history_s, poor_end=poor_end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communes", type=int, default=120)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["ngheo", "naive"])
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if args.child:
        child = child_ngheo if args.child == "ngheo" else child_naive
        child(args.communes, args.households, args.workdir)
        return
    results = {}
    for name in ("ngheo", "naive"):
        with tempfile.TemporaryDirectory() as tmp:
            argv = python_child(
                __file__, "--child", name, "--workdir", tmp,
                "--communes", str(args.communes), "--households", str(args.households),
            )
            results[name] = run_child(argv)
    ours, naive = results["ngheo"].report, results["naive"].report
    print(f"History: {args.households:,} households in {args.communes} communes, two years")
    print_table(
        ["contender", "record one year", "transitions + balances", "peak RSS"],
        [
            [n, fmt_s(r.report["record_s"]), fmt_s(r.report["history_s"]),
             f"{r.peak_rss_mb:.0f} MB"]
            for n, r in results.items()
        ],
    )
    assert ours["poor_end"] == naive["poor_end"], "the two contenders disagree"
    print()
    print_table(
        ["measure", "goal", "ngheo", "naive / ngheo", "verdict"],
        [
            ["record", "< 30 s", fmt_s(ours["record_s"]),
             f"{naive['record_s'] / ours['record_s']:.2f}×", verdict(ours["record_s"] < 30)],
            ["transitions + balances", "< 5 s", fmt_s(ours["history_s"]),
             f"{naive['history_s'] / ours['history_s']:.2f}×", verdict(ours["history_s"] < 5)],
        ],
    )
    print(
        f"of which reading the two years from the store: {fmt_s(ours['load_s'])}; "
        f"computing: {fmt_s(ours['history_s'] - ours['load_s'])}"
    )
    print("(naive transitions only count codes; ngheo also builds both 1…9 tables per village)")


if __name__ == "__main__":
    main()
