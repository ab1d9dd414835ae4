"""Benchmark ``ngheo assign``'s model (ngheo_cli.core.assign) against dense
``scipy.optimize.linear_sum_assignment``, and over a province commune by commune.

    .venv/bin/python benchmarks/bench_assign.py            # the full run (a few minutes)
    .venv/bin/python benchmarks/bench_assign.py --quick    # smaller sizes, for a smoke test

Every measurement runs in its own subprocess, so each peak memory (ru_maxrss) is that
measurement's alone; "data" is the peak right after the frames are built (Python, pandas,
OR-Tools/scipy imported, inputs in memory), so "peak − data" is what the solve itself adds.

The commune: N households to help (55 % poor, 45 % near-poor; 0–8 deprivations; 0–1,5
triệu below the line), N/2 party members in 15 villages (one village has no resident
member and is twinned with two agency cells; 15 % of members in agency cells; 5 % exempt;
10 % with a personal cap of 1–2), rule cap 3. Last year's pairs: half of the households
with a member of their own village.

The dense baseline is the one-to-one expansion: one row per household; one column per
member place (place k of member j costs its marginal load) plus one "nobody" column per
household; cost = −W1·rank + W2·overload + W3·cross-village (the model's rules 1, 2 and 4;
inf where the member may not help). Its float64 sums must stay exact, so the dense runs
have no last year's pairs; the model is run on the same instances and both optima are
compared rule by rule. At 20.000 × 10.000 the dense matrix is 20.000 × ~47.000 float64
(~7,5 GB) plus scipy's checks: the dense runs stop at --dense-max households (default
10.000) and the 20.000 figure is extrapolated from the two largest sizes (time ∝ n^a fitted,
memory ∝ matrix size).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RULE_CAP = 3
GOAL_COMMUNE_S = 3.0
GOAL_COMMUNE_MB = 500.0
GOAL_PROVINCE_S = 60.0


# --- data ----------------------------------------------------------------------------------------


def make_commune(
    n_h: int, n_m: int, seed: int, n_v: int = 15, previous: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """(households, members, twinnings, last year's pairs) of one synthetic commune."""
    rng = np.random.default_rng(seed)
    villages = np.array([f"Thôn {i + 1}" for i in range(n_v)], dtype=object)
    size = rng.uniform(0.5, 1.5, n_v)
    hv = rng.choice(n_v, n_h, p=size / size.sum())
    staff = size * rng.uniform(0.6, 1.4, n_v)
    staff[0] = 0.0  # village 0: no resident member
    mv = rng.choice(n_v, n_m, p=staff / staff.sum())
    households = pd.DataFrame(
        {
            "ma_ho": [f"{seed:03d}{i:07d}" for i in range(n_h)],
            "thon": villages[hv],
            "phan_loai": np.where(rng.random(n_h) < 0.55, "ngheo", "can_ngheo"),
            "so_thieu_hut": rng.integers(0, 9, n_h),
            "chenh_lech": -rng.integers(0, 1500, n_h) * 1000.0,
        }
    )
    agencies = [f"Chi bộ Cơ quan {k + 1}" for k in range(4)]
    cells = np.array([f"Chi bộ {v}" for v in villages[mv]], dtype=object)
    agency = rng.random(n_m) < 0.15
    cells[agency] = rng.choice(np.array(agencies, dtype=object), int(agency.sum()))
    cap = np.full(n_m, None, dtype=object)
    capped = rng.random(n_m) < 0.10
    cap[capped] = rng.integers(1, 3, int(capped.sum()))
    members = pd.DataFrame(
        {
            "ma_dang_vien": [f"D{seed:03d}{i:07d}" for i in range(n_m)],
            "thon": villages[mv],
            "chi_bo": cells,
            "mien": rng.random(n_m) < 0.05,
            "tran_so_ho": pd.array(cap.tolist(), dtype="Int64"),
        }
    )
    twinnings = pd.DataFrame(
        {
            "chi_bo": [*agencies[:2], agencies[2], agencies[3], f"Chi bộ {villages[2 % n_v]}"],
            "thon": [villages[0], villages[0], villages[3 % n_v], villages[5 % n_v],
                     villages[7 % n_v]],
        }
    )
    prev = None
    if previous:
        by_v = {v: np.flatnonzero(mv == v) for v in range(n_v)}
        hs = rng.choice(n_h, n_h // 2, replace=False)
        rows = [(members["ma_dang_vien"].iat[int(rng.choice(by_v[hv[h]]))],
                 households["ma_ho"].iat[h]) for h in hs if len(by_v[hv[h]])]
        prev = pd.DataFrame(rows, columns=["ma_dang_vien", "ma_ho"])
    return households, members, twinnings, prev


# --- the rules, independently (for the dense baseline and the comparison) -------------------------


def _ranks(households: pd.DataFrame) -> np.ndarray:
    keys = list(zip(households["phan_loai"] == "ngheo", households["so_thieu_hut"],
                    -households["chenh_lech"], strict=True))
    order = {k: i + 1 for i, k in enumerate(sorted(set(keys)))}
    return np.array([order[k] for k in keys], dtype=np.int64)


def _eligibility(households: pd.DataFrame, members: pd.DataFrame,
                 twinnings: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(village index per household, places per member, relation member × village: 0 own,
    1 twinned, -1 not allowed)."""
    names = sorted(set(households["thon"]) | set(members["thon"]))
    vid = {n: i for i, n in enumerate(names)}
    hv = households["thon"].map(vid).to_numpy()
    mv = members["thon"].map(vid).to_numpy()
    cap = members["tran_so_ho"].fillna(RULE_CAP).clip(upper=RULE_CAP).to_numpy(dtype=np.int64)
    cap[members["mien"].to_numpy(dtype=bool)] = 0
    rel = np.full((len(members), len(names)), -1, dtype=np.int64)
    cell = members["chi_bo"].to_numpy()
    for c, v in zip(twinnings["chi_bo"], twinnings["thon"], strict=True):
        rel[cell == c, vid[v]] = 1
    rel[np.arange(len(members)), mv] = 0
    rel[cap == 0] = -1
    return hv, cap, rel


def score(households: pd.DataFrame, members: pd.DataFrame, twinnings: pd.DataFrame,
          pairs: list[tuple[int, int]]) -> dict[str, int]:
    """Rule scores of a set of (household index, member index) pairs."""
    hv, cap, rel = _eligibility(households, members, twinnings)
    pi = _ranks(households)
    poor = (households["phan_loai"] == "ngheo").to_numpy()
    h = np.array([p[0] for p in pairs], dtype=np.int64)
    j = np.array([p[1] for p in pairs], dtype=np.int64)
    load = np.bincount(j, minlength=len(members))
    assert (load <= cap).all() and (rel[j, hv[h]] >= 0).all() and len(set(h)) == len(h)
    over = np.maximum(load - np.minimum(cap, 1), 0)
    return {
        "poor": int(poor[h].sum()),
        "near_poor": int((~poor[h]).sum()),
        "rank_sum": int(pi[h].sum()),
        "overload": int((over * (over + 1) // 2).sum()),
        "max_load": int(load.max(initial=0)),
        "cross_village": int(rel[j, hv[h]].sum()),
    }


def dense_solve(households: pd.DataFrame, members: pd.DataFrame,
                twinnings: pd.DataFrame) -> tuple[list[tuple[int, int]], bool]:
    """The dense optimum, and whether float64 holds every total exactly."""
    from scipy.optimize import linear_sum_assignment

    hv, cap, rel = _eligibility(households, members, twinnings)
    pi = _ranks(households).astype(float)
    n_h = len(households)
    place_j = np.repeat(np.arange(len(members)), cap)
    place_k = np.arange(len(place_j)) - np.repeat(np.cumsum(cap) - cap, cap) + 1
    units = n_h
    w_village = 1
    w_over = 1 + w_village * units
    w_cover = 1 + w_over * int(((cap - 1) * cap // 2).sum()) + w_village * units
    exact = (w_cover * int(pi.max(initial=0)) + w_over * RULE_CAP + 1) * n_h < 2**53
    col = w_over * np.maximum(place_k - 1, 0).astype(float)
    by_village = np.where(rel[place_j].T >= 0, w_village * rel[place_j].T, np.inf)  # V × places
    n_p = len(place_j)
    cost = np.empty((n_h, n_p + n_h))
    cost[:, :n_p] = by_village[hv]
    cost[:, :n_p] += col
    cost[:, :n_p] -= (w_cover * pi)[:, None]
    cost[:, n_p:] = np.inf
    cost[np.arange(n_h), n_p + np.arange(n_h)] = 0.0
    rows, cols = linear_sum_assignment(cost)
    pairs = [(int(r), int(place_j[c])) for r, c in zip(rows, cols, strict=True) if c < n_p]
    return pairs, exact


# --- workers (one measurement per subprocess) ----------------------------------------------------


def _vn(n: int) -> str:
    """20000 → "20.000" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(kind: str, n_h: int, n_m: int, communes: int) -> dict[str, Any]:
    from ngheo_cli.core.assign import AssignRules, assign

    rules = AssignRules(max_households_per_member=RULE_CAP)
    if kind == "province":
        wall = time.perf_counter()
        total = 0.0
        households = assigned = 0
        for c in range(communes):
            n_v = 8 + c % 8
            hh, mem, tw, prev = make_commune(n_h, n_m, seed=c, n_v=n_v)
            t0 = time.perf_counter()
            result = assign(hh, mem, tw, rules, prev)
            total += time.perf_counter() - t0
            households += len(hh)
            assigned += result.assigned
        return {"seconds": total, "peak_mb": _rss_mb(), "households": households,
                "assigned": assigned, "wall": time.perf_counter() - wall}
    with_prev = kind == "ours"
    hh, mem, tw, prev = make_commune(n_h, n_m, seed=1, previous=with_prev)
    if kind == "dense":
        import scipy.optimize  # noqa: F401  (imported before "data" is measured)
    data_mb = _rss_mb()
    t0 = time.perf_counter()
    exact = True
    if kind == "dense":
        pairs, exact = dense_solve(hh, mem, tw)
    else:
        result = assign(hh, mem, tw, rules, prev)
        h_of = {c: i for i, c in enumerate(hh["ma_ho"])}
        j_of = {c: i for i, c in enumerate(mem["ma_dang_vien"])}
        pairs = [(h_of[h], j_of[j]) for j, h in zip(result.pairs["ma_dang_vien"],
                                                    result.pairs["ma_ho"], strict=True)]
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {"seconds": seconds, "peak_mb": _rss_mb(), "data_mb": data_mb,
                           "exact": exact}
    out["score"] = score(hh, mem, tw, pairs)
    if kind == "ours":
        out["kept"] = int(result.kept_from_last_year)
        out["previous"] = 0 if prev is None else len(prev)
    return out


def measure(kind: str, n_h: int, n_m: int = 0, communes: int = 0) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(n_h), str(n_m),
           str(communes)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} {n_h}: failed\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--dense-max", type=int, default=10_000,
                        help="largest commune (households) solved densely")
    parser.add_argument("--worker", nargs=4, metavar=("KIND", "H", "M", "C"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, n_h, n_m, c = args.worker
        print(json.dumps(worker(kind, int(n_h), int(n_m), int(c))))
        return

    big = 2_000 if args.quick else 20_000
    sizes = sorted({s for s in (big // 8, big // 4, big // 2, big) if s <= args.dense_max})
    print(f"ngheo assign benchmark (ours: OR-Tools min-cost flow; dense: scipy "
          f"linear_sum_assignment), rule cap {RULE_CAP}\n")
    header = (f"{'households × members':>22} | {'ours s':>7} {'MB':>5} {'+MB':>5} | "
              f"{'dense s':>8} {'MB':>6} {'+MB':>6} | {'time ×':>7} {'+MB ×':>6} | same optimum")
    print(header)
    print("-" * len(header))
    dense: dict[int, dict[str, Any]] = {}
    for n_h in sorted({*sizes, big}):
        ours = measure("ours-noprev", n_h, n_h // 2)
        ours_extra = max(ours["peak_mb"] - ours["data_mb"], 1.0)
        row = (f"{_vn(n_h) + ' × ' + _vn(n_h // 2):>22} | {ours['seconds']:7.2f} "
               f"{ours['peak_mb']:5.0f} {ours_extra:5.0f} | ")
        if n_h in sizes:
            d = measure("dense", n_h, n_h // 2)
            dense[n_h] = d
            if d["exact"]:
                same = "yes" if d["score"] == ours["score"] else "NO: " + json.dumps(
                    [d["score"], ours["score"]])
            else:  # float64 cannot hold the lower rules' weights: compare rule 1 only
                keys = ("poor", "near_poor")
                agree = all(d["score"][k] == ours["score"][k] for k in keys)
                same = f"{'yes' if agree else 'NO'} (poor/near-poor only: float64 not exact)"
            extra = d["peak_mb"] - d["data_mb"]
            row += (f"{d['seconds']:8.2f} {d['peak_mb']:6.0f} {extra:6.0f} | "
                    f"{d['seconds'] / ours['seconds']:7.1f} {extra / ours_extra:6.1f} | {same}")
        else:
            (a, da), (b, db) = sorted(dense.items())[-2:]
            exponent = np.log(db["seconds"] / da["seconds"]) / np.log(b / a)
            t_est = db["seconds"] * (n_h / b) ** exponent
            extra = (db["peak_mb"] - db["data_mb"]) * (n_h / b) ** 2
            m_est = db["data_mb"] + extra
            row += (f"{'~' + format(t_est, '.0f'):>8} {'~' + format(m_est, '.0f'):>6} "
                    f"{'~' + format(extra, '.0f'):>6} | {t_est / ours['seconds']:7.0f} "
                    f"{extra / ours_extra:6.0f} | (dense extrapolated: time ∝ n^{exponent:.2f}, "
                    "memory ∝ n²)")
        print(row)

    print("\nThe commune with last year's pairs (half of the households), as the command runs it:")
    ours = measure("ours", big, big // 2)
    s = ours["score"]
    ok = ours["seconds"] < GOAL_COMMUNE_S and ours["peak_mb"] < GOAL_COMMUNE_MB
    print(f"  {_vn(big)} households × {_vn(big // 2)} members: {ours['seconds']:.2f} s, peak "
          f"{ours['peak_mb']:.0f} MB (inputs loaded: {ours['data_mb']:.0f} MB); helped "
          f"{_vn(s['poor'])} poor + {_vn(s['near_poor'])} near-poor, max load {s['max_load']}, "
          f"{_vn(ours['kept'])} of {_vn(ours['previous'])} last year's pairs kept — goal "
          f"< {GOAL_COMMUNE_S:.0f} s and < {GOAL_COMMUNE_MB:.0f} MB: {'met' if ok else 'NOT MET'}")

    communes = 12 if args.quick else 120
    total = 100_000 if args.quick else 1_000_000
    per = total // communes
    prov = measure("province", per, per // 2, communes)
    ok = prov["seconds"] < GOAL_PROVINCE_S
    print(f"\nProvince: {_vn(prov['households'])} households to help in {communes} communes "
          f"({_vn(per)} households × {_vn(per // 2)} members each, 8–15 villages), commune by "
          f"commune: {prov['seconds']:.1f} s of solving ({prov['wall']:.1f} s with building the "
          f"frames), peak {prov['peak_mb']:.0f} MB, {_vn(prov['assigned'])} helped — goal "
          f"< {GOAL_PROVINCE_S:.0f} s: {'met' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
