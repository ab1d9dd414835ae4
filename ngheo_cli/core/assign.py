"""Pair party members with the poor and near-poor households they will help (``ngheo assign``).

Pure: DataFrames in, an :class:`AssignmentResult` out. The model is an exact min-cost flow
(OR-Tools ``SimpleMinCostFlow``, integer costs) on a sparse graph
source → household → (village) → member → sink; never a greedy approximation.

Who may help whom
-----------------
A member may help a household when the member is not exempt (``mien``), has room under
their cap (``tran_so_ho`` if given, else the rule's ``max_households_per_member``; the
smaller of the two), and the household is in the member's own village or — with
``allow_twinned`` — in a village twinned with the member's party cell. With
``same_village=False`` any village of the commune is allowed (own village preferred, then
twinned, then other). A household gets at most ``members_per_household`` helpers, all
different people. Households are the poor ones, plus the near-poor ones when
``include_near_poor``.

The rules, in order (each one only breaks ties left by the ones before it)
----------------------------------------------------------------------------
1. **Cover households, in priority order.** Households are ranked: poor before near-poor;
   then households whose helper from last year can still help them (``keep_previous``);
   then more deprivations (``so_thieu_hut``); then further below the line (``chenh_lech``,
   more negative first: income minus line in đồng; for a household classified by Điểm A the
   same share of its line in đồng, :mod:`ngheo_cli.core.gap`, which the store keeps as
   ``chenh_lech_quy_doi``; a household without one counts as 0). Households equal on all
   four are tied.
   The chosen set of helped households is the one you get by going down this ranking and
   giving each household a helper whenever that is possible without taking the helper of a
   household higher up (helpers may be moved around to make room). Hence: (a) as many
   poor households as possible are helped; (b) then as many near-poor households as
   possible; and more: for every position in the ranking, as many of the households above
   it as possible are helped. A household is left out only when every member who could help
   it is at their cap with households ranked above it (or tied with it).
2. **Raise loads only where households outnumber members, evenly.** A member gets more than
   ``households_per_member`` households only when that is needed for rule 1, and then the
   largest load is as small as possible (and, below that, loads above the base are spread:
   the sum over members of 1 + 2 + … + (load − base) is as small as possible).
3. **Teams** (``members_per_household`` > 1 only): as many extra helpers as possible, taken
   from members' spare base capacity only (rule 2 comes first).
4. **Own village before twinned village** (before any other village): as few pairs across
   villages as possible.
5. **Keep last year's pairs** where the member and the household still qualify: as many as
   possible.
6. **Teams go first to poor, then more deprived households** (teams only).
7. **Even loads within the base** (``households_per_member`` > 1 only).
Ties that remain are broken the same way every time: inputs are sorted by their codes
before the graph is built, and the solver is deterministic, so the same input (in any row
order) gives the same pairs.

Why the result is exactly optimal (for an official to check)
-------------------------------------------------------------
*Rule 1.* The sets of households that can all be helped at once have the "exchange"
property of a matroid (a transversal matroid: a set can be helped iff, for every group of
its households, the members able to help that group have enough places in total — Hall's
condition). For a matroid, going down a ranking greedily gives a set that is best for
every position of the ranking at once (Rado–Edmonds), and it is exactly the set of largest
total reward when each household's reward grows with its rank. The program computes that
with a first min-cost flow in which a household of rank r (1 = lowest) earns r points.
Every best set has the same number of helped households in each rank group, so the second
flow is given these numbers as fixed quantities and can only choose *which* tied
households, and who helps whom.

*Rules 2–7, one total.* Each rule is a whole-number score (number of overloaded places
weighted 1, 2, 3…; number of team helpers; number of cross-village pairs, 1 per twinned
pair, 2 per other-village pair; number of kept pairs; sum of team priority; sum of base
loads 0, 1, 2…). The second flow minimises one total, Σ weight × score. The weight of each
rule is 1 + the largest amount by which all later rules together can change the total
(their range × their weight, added up). So one point better on an earlier rule always
beats any change on the later ones: the total is smallest exactly for the answer that is
best on rule 2, then (among those) on rule 3, and so on. The weights used are returned in
``AssignmentResult.weights``. For teams, rule 3 is solved first by its own flow and its
number of team helpers is then fixed, which keeps the weights small.

*Largest load.* If some other assignment, equal on rule 1, had a smaller largest load,
then comparing the two shows a chain of moves that takes one household away from a member
with the largest load L and gives one to a member with at most L − 2 (each move hands a
household from one member to another who may help it). That lowers the rule-2 score
(the place at level L − base costs more than any place at level ≤ L − 1 − base), which
the optimum cannot allow. So the largest load is the smallest possible.

*Integers.* All costs are whole numbers; the program checks before solving that they fit
the solver's 64-bit range. If they would not (with teams, for very large communes), the
least important rules (7, then 6) are dropped and this is said in ``notes``; with one
member per household they fit up to about a million households to help in one commune.

Graph size. With one member per household the graph goes through one node per village,
so it has about (households + members) × 2 arcs, not households × members. With teams the
household → member arcs are listed pair by pair (each pair at most once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from ngheo_cli.core.assign_rules import AssignRules
from ngheo_cli.core.members import cell_key
from ngheo_cli.core.text import fold

POOR = "ngheo"
NEAR_POOR = "can_ngheo"

# Village relation of a pair (rule 4 score per pair).
SAME_VILLAGE = 0
TWINNED = 1
OTHER_VILLAGE = 2
_NOT_ALLOWED = 255
RELATION_NAMES = {SAME_VILLAGE: "same_village", TWINNED: "twinned", OTHER_VILLAGE: "other_village"}

# Unassigned households: reason codes.
NO_VILLAGE = "khong-ro-thon"
NO_MEMBER = "khong-co-dang-vien"
ALL_AT_CAP = "het-tran"
# Members without a household: reason codes.
CAP_ZERO = "tran-bang-0"
NOWHERE = "khong-co-dia-ban"
NO_HOUSEHOLD_LEFT = "khong-con-ho"
EXEMPT = "mien"

_INT64_MAX = np.iinfo(np.int64).max


@dataclass
class AssignmentResult:
    """The pairs and what could not be done, with reasons.

    ``pairs``: ma_dang_vien, ma_ho, thon (the household's), chi_bo (the member's),
    phan_loai, relation ("same_village" / "twinned" / "other_village"), via_twinning,
    kept_from_last_year; sorted by member then household.
    ``unassigned``: in-scope households without a helper: ma_ho, thon, phan_loai,
    so_thieu_hut, reason_code, reason (Vietnamese).
    ``idle_members``: members not exempt who got no household: ma_dang_vien, chi_bo, thon,
    reason_code, reason. ``exempt_members``: ma_dang_vien, chi_bo, thon.
    ``loads``: households per member (members not exempt, 0 included), index ma_dang_vien.
    ``weights``: the integer weight of each rule in the second flow (see module doc).
    """

    pairs: pd.DataFrame
    unassigned: pd.DataFrame
    idle_members: pd.DataFrame
    exempt_members: pd.DataFrame
    loads: pd.Series
    households_to_help: int
    poor_to_help: int
    near_poor_to_help: int
    members_available: int
    rules: AssignRules
    weights: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        """Households with at least one helper."""
        return int(self.pairs["ma_ho"].nunique())

    @property
    def assigned_poor(self) -> int:
        return int(self.pairs.loc[self.pairs["phan_loai"] == POOR, "ma_ho"].nunique())

    @property
    def assigned_near_poor(self) -> int:
        return int(self.pairs.loc[self.pairs["phan_loai"] == NEAR_POOR, "ma_ho"].nunique())

    @property
    def kept_from_last_year(self) -> int:
        return int(self.pairs["kept_from_last_year"].sum())

    @property
    def via_twinning(self) -> int:
        return int(self.pairs["via_twinning"].sum())

    @property
    def max_load(self) -> int:
        return int(self.loads.max()) if len(self.loads) else 0

    def to_dict(self, *, include_pairs: bool = True) -> dict[str, Any]:
        distribution = self.loads.value_counts().sort_index()
        out: dict[str, Any] = {
            "households_to_help": self.households_to_help,
            "poor_to_help": self.poor_to_help,
            "near_poor_to_help": self.near_poor_to_help,
            "assigned": self.assigned,
            "assigned_poor": self.assigned_poor,
            "assigned_near_poor": self.assigned_near_poor,
            "unassigned": [
                {
                    "ma_ho": str(r.ma_ho),
                    "thon": None if pd.isna(r.thon) else str(r.thon),
                    "phan_loai": str(r.phan_loai),
                    "reason_code": str(r.reason_code),
                    "reason": str(r.reason),
                }
                for r in self.unassigned.itertuples(index=False)
            ],
            "members_available": self.members_available,
            "members_exempt": len(self.exempt_members),
            "idle_members": [
                {
                    "ma_dang_vien": str(r.ma_dang_vien),
                    "reason_code": str(r.reason_code),
                    "reason": str(r.reason),
                }
                for r in self.idle_members.itertuples(index=False)
            ],
            "pairs_count": len(self.pairs),
            "kept_from_last_year": self.kept_from_last_year,
            "via_twinning": self.via_twinning,
            "max_load": self.max_load,
            "load_distribution": {str(int(k)): int(v) for k, v in distribution.items()},
            "rules": self.rules.to_dict(),
            "weights": dict(self.weights),
            "notes": list(self.notes),
        }
        if include_pairs:
            out["pairs"] = [
                {"ma_dang_vien": str(a), "ma_ho": str(b)}
                for a, b in zip(self.pairs["ma_dang_vien"], self.pairs["ma_ho"], strict=True)
            ]
        return out


@dataclass(frozen=True)
class CapWhatIf:
    """How many more households a different cap would cover (rule 1 only)."""

    cap_now: int
    cap: int
    assigned_now: int
    assigned: int
    poor_now: int
    poor: int
    near_poor_now: int
    near_poor: int

    @property
    def more_households(self) -> int:
        return self.assigned - self.assigned_now

    def to_dict(self) -> dict[str, int]:
        return {
            "cap_now": self.cap_now,
            "cap": self.cap,
            "assigned_now": self.assigned_now,
            "assigned": self.assigned,
            "more_households": self.more_households,
            "more_poor": self.poor - self.poor_now,
            "more_near_poor": self.near_poor - self.near_poor_now,
        }


# --- the problem in arrays ---------------------------------------------------------------------


@dataclass
class _Problem:
    rules: AssignRules
    hh: pd.DataFrame  # in-scope households sorted by ma_ho, RangeIndex
    hv: np.ndarray  # village id per household, -1 when unknown
    poor: np.ndarray  # bool
    kept: np.ndarray  # bool: has a pair from last year that still qualifies
    pi: np.ndarray  # rule 1 rank, 1 = lowest priority; equal keys share a rank
    pix: np.ndarray  # rule 6 rank (class, deprivations), 1 = lowest
    villages: list[str]  # display name per village id
    mem: pd.DataFrame  # all members sorted by ma_dang_vien, RangeIndex
    cap: np.ndarray  # places per member (0 when exempt)
    base: np.ndarray  # min(cap, households_per_member)
    exempt: np.ndarray  # bool
    rel: np.ndarray  # (members × villages) uint8 relation, _NOT_ALLOWED when not allowed
    prev_h: np.ndarray  # valid pairs from last year (household index, member index)
    prev_j: np.ndarray


def _text_array(series: pd.Series | None, n: int) -> pd.Series:
    """Stripped text as an object Series with None for blanks (never NaN)."""
    if series is None:
        return pd.Series(np.full(n, None, dtype=object), dtype=object)
    values = series.astype("string").str.strip()
    out = values.where(values != "", None).to_numpy(dtype=object, na_value=None)
    return pd.Series(out, dtype=object)


def _column(frame: pd.DataFrame, key: str) -> pd.Series | None:
    return frame[key] if key in frame.columns else None


def _dense_rank(keys: list[np.ndarray]) -> np.ndarray:
    """1-based dense rank of rows by the key columns (last key most significant)."""
    n = len(keys[0]) if keys else 0
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(keys)
    stacked = np.column_stack([k[order] for k in keys])
    new = np.ones(n, dtype=bool)
    new[1:] = (stacked[1:] != stacked[:-1]).any(axis=1)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.cumsum(new)
    return ranks


def _problem(
    households: pd.DataFrame,
    members: pd.DataFrame,
    twinnings: pd.DataFrame | None,
    rules: AssignRules,
    previous_pairs: pd.DataFrame | Iterable[tuple[str, str]] | None,
) -> _Problem:
    # Households in scope, sorted by code.
    classes = {POOR, NEAR_POOR} if rules.include_near_poor else {POOR}
    if "ma_ho" not in households.columns or "phan_loai" not in households.columns:
        raise ValueError("households need columns ma_ho and phan_loai")
    codes = _text_array(households["ma_ho"], len(households))
    if any(c is None for c in codes):
        raise ValueError("every household needs a ma_ho")
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate ma_ho in households")
    scope = households["phan_loai"].astype("string").isin(list(classes)).fillna(False)
    hh_all = households.loc[scope.to_numpy(dtype=bool)]
    n = len(hh_all)
    hh = pd.DataFrame(
        {
            "ma_ho": _text_array(hh_all["ma_ho"], n),
            "thon": _text_array(_column(hh_all, "thon"), n),
            "phan_loai": hh_all["phan_loai"].astype(str).to_numpy(),
            "so_thieu_hut": (
                pd.to_numeric(hh_all["so_thieu_hut"]).fillna(0).to_numpy(dtype=np.int64)
                if "so_thieu_hut" in hh_all.columns
                else np.zeros(n, dtype=np.int64)
            ),
            "chenh_lech": (
                pd.to_numeric(hh_all["chenh_lech"]).fillna(0).to_numpy(dtype=float)
                if "chenh_lech" in hh_all.columns
                else np.zeros(n)
            ),
        }
    )
    hh = hh.sort_values("ma_ho", kind="stable").reset_index(drop=True)

    # Members, sorted by code.
    if "ma_dang_vien" not in members.columns:
        raise ValueError("members need a column ma_dang_vien")
    m = len(members)
    mem = pd.DataFrame(
        {
            "ma_dang_vien": _text_array(members["ma_dang_vien"], m),
            "chi_bo": _text_array(_column(members, "chi_bo"), m),
            "thon": _text_array(_column(members, "thon"), m),
            "mien": (
                members["mien"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                if "mien" in members.columns
                else np.zeros(m, dtype=bool)
            ),
            "tran_so_ho": (
                pd.to_numeric(members["tran_so_ho"])
                .astype("Float64")
                .to_numpy(dtype=float, na_value=np.nan)
                if "tran_so_ho" in members.columns
                else np.full(m, np.nan)
            ),
        }
    )
    if any(c is None for c in mem["ma_dang_vien"]):
        raise ValueError("every member needs a ma_dang_vien")
    if mem["ma_dang_vien"].duplicated().any():
        raise ValueError("duplicate ma_dang_vien in members")
    mem = mem.sort_values("ma_dang_vien", kind="stable").reset_index(drop=True)

    # Villages: households' spelling first, then members', then twinnings'.
    tw = twinnings if twinnings is not None else pd.DataFrame(columns=["chi_bo", "thon"])
    tw_cells = _text_array(_column(tw, "chi_bo"), len(tw))
    if "co_quan" in tw.columns:
        alt = _text_array(tw["co_quan"], len(tw))
        tw_cells = np.array(
            [c if c is not None else a for c, a in zip(tw_cells, alt, strict=True)], dtype=object
        )
    tw_thon = _text_array(_column(tw, "thon"), len(tw))
    village_id: dict[str, int] = {}
    names: list[str] = []
    for name in [
        *sorted(t for t in hh["thon"] if t is not None),
        *sorted(t for t in mem["thon"] if t is not None),
        *sorted(t for t in tw_thon if t is not None),
    ]:
        key = fold(name)
        if key and key not in village_id:
            village_id[key] = len(names)
            names.append(name)

    def ids(values: Iterable[object]) -> np.ndarray:
        return np.array(
            [village_id.get(fold(v), -1) if v is not None else -1 for v in values], dtype=np.int64
        )

    hv = ids(hh["thon"])
    mv = ids(mem["thon"])
    n_v = len(names)

    exempt = mem["mien"].to_numpy(dtype=bool)
    personal = mem["tran_so_ho"].to_numpy(dtype=float)
    rule_cap = rules.max_households_per_member
    cap = np.where(np.isnan(personal), rule_cap, np.minimum(np.nan_to_num(personal), rule_cap))
    # No member can take more households than there are: a huge cap (in the settings, the
    # members file or --cap) is harmless, since the solver makes one arc per place.
    cap = np.minimum(np.where(exempt, 0, np.maximum(cap, 0)), len(hh)).astype(np.int64)
    base = np.minimum(cap, rules.households_per_member)

    # Who may help where.
    m = len(mem)
    rel = np.full((m, n_v), _NOT_ALLOWED, dtype=np.uint8)
    if not rules.same_village:
        rel[:, :] = OTHER_VILLAGE
    if rules.allow_twinned and len(tw):
        mkeys = np.array([cell_key(c) for c in mem["chi_bo"]], dtype=object)
        tkeys = [cell_key(c) for c in tw_cells]
        tvill = ids(tw_thon)
        by_cell: dict[str, list[int]] = {}
        for j, k in enumerate(mkeys):
            if k:
                by_cell.setdefault(k, []).append(j)
        for k, v in zip(tkeys, tvill, strict=True):
            if k and v >= 0 and k in by_cell:
                rows = np.array(by_cell[k], dtype=np.int64)
                rel[rows, v] = np.minimum(rel[rows, v], TWINNED)
    has_v = mv >= 0
    rel[np.flatnonzero(has_v), mv[has_v]] = SAME_VILLAGE
    rel[cap == 0, :] = _NOT_ALLOWED

    # Last year's pairs that still qualify.
    prev_h = np.zeros(0, dtype=np.int64)
    prev_j = np.zeros(0, dtype=np.int64)
    if rules.keep_previous and previous_pairs is not None:
        if isinstance(previous_pairs, pd.DataFrame):
            pp = list(
                zip(
                    _text_array(previous_pairs["ma_dang_vien"], len(previous_pairs)),
                    _text_array(previous_pairs["ma_ho"], len(previous_pairs)),
                    strict=True,
                )
            )
        else:
            pp = [(str(a), str(b)) for a, b in previous_pairs]
        h_of = {c: i for i, c in enumerate(hh["ma_ho"])}
        j_of = {c: i for i, c in enumerate(mem["ma_dang_vien"])}
        found = {(h_of[b], j_of[a]) for a, b in pp if a in j_of and b in h_of}
        if found:
            arr = np.array(sorted(found), dtype=np.int64)
            ph, pj = arr[:, 0], arr[:, 1]
            ph, pj = ph[hv[ph] >= 0], pj[hv[ph] >= 0]
            ok = rel[pj, hv[ph]] != _NOT_ALLOWED
            prev_h, prev_j = ph[ok], pj[ok]
    kept = np.zeros(len(hh), dtype=bool)
    kept[prev_h] = True

    poor = (hh["phan_loai"] == POOR).to_numpy(dtype=bool)
    dep = hh["so_thieu_hut"].to_numpy(dtype=np.int64)
    gap = hh["chenh_lech"].to_numpy(dtype=float)
    pi = _dense_rank([-gap, dep.astype(float), kept.astype(float), poor.astype(float)])
    pix = _dense_rank([dep.astype(float), poor.astype(float)])
    return _Problem(
        rules, hh, hv, poor, kept, pi, pix, names, mem, cap, base, exempt, rel, prev_h, prev_j
    )


# --- the flows ---------------------------------------------------------------------------------


def _solve(
    n_nodes: int,
    tails: np.ndarray,
    heads: np.ndarray,
    caps: np.ndarray,
    costs: np.ndarray,
    supplies: np.ndarray,
) -> np.ndarray:
    """Min-cost flow; the flow on each arc (in the order given)."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    nodes = np.flatnonzero(supplies)
    if len(nodes):
        smcf.set_nodes_supplies(nodes.astype(np.int32), supplies[nodes].astype(np.int64))
    status = smcf.solve()
    if status != smcf.OPTIMAL:  # the graphs below are always feasible: a bug if not
        raise RuntimeError(f"min-cost flow failed: {status!r} ({n_nodes} nodes)")
    return np.asarray(smcf.flows(arcs), dtype=np.int64)


def _cost_limit(n_nodes: int) -> int:
    """Largest arc cost the solver accepts for this many nodes, with a safety margin."""
    return _INT64_MAX // (4 * (n_nodes + 2))


class _Arcs:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]] = []

    def add(self, tails: Any, heads: Any, caps: Any, costs: Any, kind: str) -> slice:
        tails = np.asarray(tails, dtype=np.int64)
        n = len(tails)
        heads = np.broadcast_to(np.asarray(heads, dtype=np.int64), (n,))
        caps = np.broadcast_to(np.asarray(caps, dtype=np.int64), (n,))
        costs = np.broadcast_to(np.asarray(costs, dtype=np.int64), (n,))
        start = sum(len(p[0]) for p in self.parts)
        self.parts.append((tails, heads, caps, costs, kind))
        return slice(start, start + n)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if not self.parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        return tuple(np.concatenate([p[i] for p in self.parts]) for i in range(4))  # type: ignore[return-value]


def _hub_arcs(p: _Problem, villages_used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(member, village) pairs allowed, for villages in ``villages_used``."""
    if p.rel.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    jj, vv = np.nonzero(p.rel != _NOT_ALLOWED)
    keep = villages_used[vv]
    return jj[keep].astype(np.int64), vv[keep].astype(np.int64)


def _reachable(p: _Problem) -> np.ndarray:
    """Households with a village in which at least one member may help."""
    n_v = len(p.villages)
    helpable = (p.rel != _NOT_ALLOWED).any(axis=0) if p.rel.size else np.zeros(n_v, dtype=bool)
    return (p.hv >= 0) & helpable[np.maximum(p.hv, 0)] if n_v else np.zeros(len(p.hh), bool)


def _cover(p: _Problem) -> np.ndarray:
    """Rule 1: which households get a helper (bool per household)."""
    n_h, n_v, n_m = len(p.hh), len(p.villages), len(p.mem)
    reach = _reachable(p)
    covered = np.zeros(n_h, dtype=bool)
    hs = np.flatnonzero(reach)
    if len(hs) == 0:
        return covered
    used = np.zeros(n_v, dtype=bool)
    used[p.hv[hs]] = True
    jj, vv = _hub_arcs(p, used)
    s, t = 0, 1
    h0, v0 = 2, 2 + n_h
    m0 = v0 + n_v
    n_nodes = m0 + n_m
    arcs = _Arcs()
    cover = arcs.add(np.full(len(hs), s), h0 + hs, 1, -p.pi[hs], "cover")
    arcs.add(h0 + hs, v0 + p.hv[hs], 1, 0, "to_village")
    arcs.add(v0 + vv, m0 + jj, p.cap[jj], 0, "to_member")
    ms = np.unique(jj)
    arcs.add(m0 + ms, t, p.cap[ms], 0, "to_sink")
    arcs.add([s], t, len(hs), 0, "bypass")
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[s], supplies[t] = len(hs), -len(hs)
    flows = _solve(n_nodes, *arcs.arrays(), supplies)
    covered[hs] = flows[cover] > 0
    return covered


def _weights(tiers: list[tuple[str, int]]) -> dict[str, int]:
    """Weights for rules listed from the least to the most important, each with its range
    (the most its score can differ between two answers): W = 1 + Σ (W × range) below."""
    weights: dict[str, int] = {}
    below = 0
    for name, spread in tiers:
        weights[name] = below + 1
        below += weights[name] * max(int(spread), 0)
    return weights


@dataclass
class _Stage2:
    pair_h: np.ndarray
    pair_j: np.ndarray
    extras: int
    weights: dict[str, int]
    notes: list[str]


def _assign_pairs(p: _Problem, covered: np.ndarray) -> _Stage2:
    """Rules 2–7 given rule 1's counts per rank group: who helps whom."""
    rules = p.rules
    n_h, n_v, n_m = len(p.hh), len(p.villages), len(p.mem)
    reach = _reachable(p)
    size = np.bincount(p.pi[reach], minlength=int(p.pi.max(initial=0)) + 1)
    got = np.bincount(p.pi[covered], minlength=len(size))
    included = reach & (got[p.pi] > 0)
    forced = included & (got[p.pi] == size[p.pi])
    partial_groups = np.flatnonzero((got > 0) & (got < size))
    hs = np.flatnonzero(included)
    units = int(covered.sum())
    if units == 0:
        return _Stage2(np.zeros(0, np.int64), np.zeros(0, np.int64), 0, {}, [])
    team = rules.members_per_household > 1
    used = np.zeros(n_v, dtype=bool)
    used[p.hv[hs]] = True
    jj, vv = _hub_arcs(p, used)

    # Pairs allowed (teams) or village hubs (one helper each).
    if team:
        counts = np.bincount(p.hv[hs], minlength=n_v)
        hs_by_v = hs[np.argsort(p.hv[hs], kind="stable")]
        starts = np.concatenate([[0], np.cumsum(counts)])
        reps = counts[vv]
        pair_j = np.repeat(jj, reps)
        offs = (
            np.concatenate([np.arange(starts[v], starts[v + 1]) for v in vv])
            if len(vv)
            else (np.zeros(0, dtype=np.int64))
        )
        pair_h = hs_by_v[offs.astype(np.int64)] if len(offs) else np.zeros(0, dtype=np.int64)
        pair_rel = p.rel[pair_j, p.hv[pair_h]].astype(np.int64)
        key = pair_h * max(n_m, 1) + pair_j
        prev_key = p.prev_h * max(n_m, 1) + p.prev_j
        pair_prev = np.isin(key, prev_key)
        direct_h, direct_j = p.prev_h[included[p.prev_h]], p.prev_j[included[p.prev_h]]
    else:
        sel = included[p.prev_h]
        direct_h, direct_j = p.prev_h[sel], p.prev_j[sel]
        pair_h = pair_j = pair_rel = np.zeros(0, dtype=np.int64)
        pair_prev = np.zeros(0, dtype=bool)
    ms = np.unique(np.concatenate([jj, direct_j]))

    # Node numbering: sink, households, rank groups, extras, villages, members.
    t = 0
    h0 = 1
    g0 = h0 + n_h
    x = g0 + len(partial_groups)
    v0 = x + 1
    m0 = v0 + n_v
    n_nodes = m0 + n_m
    group_node = np.full(len(size), -1, dtype=np.int64)
    group_node[partial_groups] = g0 + np.arange(len(partial_groups))

    extra_cap = (rules.members_per_household - 1) * len(hs) if team else 0
    max_rel = OTHER_VILLAGE if not rules.same_village else TWINNED
    over_units = np.maximum(p.cap[ms] - p.base[ms], 0)
    max_over = int(over_units.max(initial=0))
    notes: list[str] = []

    def build(weights: dict[str, int], extras_supply: int, stage: str) -> tuple[_Arcs, np.ndarray]:
        w_o, w_v, w_k = (weights.get(k, 0) for k in ("overload", "village", "keep"))
        w_e, w_x, w_t = (weights.get(k, 0) for k in ("even", "team_priority", "team"))
        arcs = _Arcs()
        supplies = np.zeros(n_nodes, dtype=np.int64)
        fh = np.flatnonzero(forced)
        supplies[h0 + fh] = 1
        ph = hs[~forced[hs]]
        arcs.add(group_node[p.pi[ph]], h0 + ph, 1, 0, "group")
        supplies[group_node[partial_groups]] = got[partial_groups]
        if team:
            if stage == "team":
                arcs.add(np.full(len(hs), x), h0 + hs, rules.members_per_household - 1, -w_t, "x")
                arcs.add([x], t, extras_supply, 0, "x_bypass")
            else:
                arcs.add(
                    np.full(len(hs), x),
                    h0 + hs,
                    rules.members_per_household - 1,
                    -w_x * p.pix[hs],
                    "x",
                )
            supplies[x] = extras_supply
            arcs.add(h0 + pair_h, m0 + pair_j, 1, w_v * pair_rel - w_k * pair_prev, "pair")
        else:
            arcs.add(h0 + hs, v0 + p.hv[hs], 1, 0, "to_village")
            arcs.add(
                h0 + direct_h,
                m0 + direct_j,
                1,
                w_v * p.rel[direct_j, p.hv[direct_h]].astype(np.int64) - w_k,
                "direct",
            )
            arcs.add(v0 + vv, m0 + jj, p.cap[jj], w_v * p.rel[jj, vv].astype(np.int64), "hub")
        # Convex member → sink arcs: one arc per place k = 1..cap.
        reps = p.cap[ms]
        mj = np.repeat(ms, reps)
        k = np.arange(len(mj)) - np.repeat(np.cumsum(reps) - reps, reps) + 1
        b = p.base[mj]
        cost = np.where(k <= b, w_e * (k - 1), 0) + w_o * np.maximum(k - b, 0)
        arcs.add(m0 + mj, t, 1, cost, "place")
        supplies[t] = -int(supplies.sum())
        return arcs, supplies

    def run(
        tiers: list[tuple[str, int]], extras_supply: int, stage: str, droppable: tuple[str, ...]
    ) -> tuple[np.ndarray, _Arcs, dict[str, int]]:
        tiers = list(tiers)
        while True:
            weights = _weights(tiers)
            top = (
                weights.get("overload", 0) * max_over
                + weights.get("even", 0) * max(rules.households_per_member - 1, 0)
                + weights.get("village", 0) * max_rel
                + weights.get("keep", 0)
                + weights.get("team", 0)
                + weights.get("team_priority", 0) * int(p.pix.max(initial=0))
            )
            if top <= _cost_limit(n_nodes) or not droppable:
                break
            drop, droppable = droppable[0], droppable[1:]
            if any(name == drop for name, _ in tiers):
                tiers = [tr for tr in tiers if tr[0] != drop]
                notes.append(f"rule '{drop}' not applied: weights too large for 64-bit costs")
        if top > _cost_limit(n_nodes):
            raise RuntimeError("assignment weights exceed the solver's cost range")
        arcs, supplies = build(weights, extras_supply, stage)
        flows = _solve(n_nodes, *arcs.arrays(), supplies)
        return flows, arcs, weights

    extras = 0
    if team:
        flows, arcs, _ = run([("team", extra_cap), ("overload", 0)], extra_cap, "team", ())
        extras = int(flows[_part(arcs, "x")].sum())
    total = units + extras
    n_prev = len(direct_h) if not team else int(pair_prev.sum())
    tiers = [
        ("even", int((p.base[ms] * (p.base[ms] - 1) // 2).sum())),
        ("team_priority", extras * max(int(p.pix.max(initial=1)) - 1, 0) if team else 0),
        ("keep", min(n_prev, total)),
        ("village", max_rel * total),
        ("overload", 0),
    ]
    tiers = [tr for tr in tiers if tr[0] != "team_priority" or team]
    flows, arcs, weights = run(tiers, extras, "main", ("even", "team_priority"))
    if team:
        sel = flows[_part(arcs, "pair")] > 0
        out_h, out_j = pair_h[sel], pair_j[sel]
    else:
        sel = flows[_part(arcs, "direct")] > 0
        dh, dj = direct_h[sel], direct_j[sel]
        to_v = flows[_part(arcs, "to_village")] > 0
        vh = hs[to_v]
        vh = vh[np.lexsort((vh, p.hv[vh]))]
        hub_flow = flows[_part(arcs, "hub")]
        vj = np.repeat(jj, hub_flow)
        vvj = np.repeat(vv, hub_flow)
        order = np.lexsort((vj, vvj))
        vj = vj[order]
        if len(vj) != len(vh) or not np.array_equal(vvj[order], p.hv[vh]):
            raise RuntimeError("village hub flows do not balance")
        out_h = np.concatenate([dh, vh])
        out_j = np.concatenate([dj, vj])
    if team:  # the first team flow: overload weighted above the count of team helpers
        weights = {**weights, "team_stage_overload": extra_cap + 1, "team_stage_team": 1}
    return _Stage2(out_h, out_j, extras, weights, notes)


def _part(arcs: _Arcs, kind: str) -> slice:
    start = 0
    for part in arcs.parts:
        if part[4] == kind:
            return slice(start, start + len(part[0]))
        start += len(part[0])
    return slice(0, 0)


# --- public API --------------------------------------------------------------------------------


def assign(
    households: pd.DataFrame,
    members: pd.DataFrame,
    twinnings: pd.DataFrame | None,
    rules: AssignRules | None = None,
    previous_pairs: pd.DataFrame | Iterable[tuple[str, str]] | None = None,
) -> AssignmentResult:
    """Pair members with households under ``rules`` (see the module doc for the objective).

    ``households``: ma_ho, thon, phan_loai ("ngheo"/"can_ngheo"; other classes are not in
    scope), so_thieu_hut (deprivations), chenh_lech (the comparable gap to the line, ≤ 0,
    more negative = poorer: income − line in đồng, or for Điểm A its đồng equivalent from
    :func:`ngheo_cli.core.gap.comparable_gap`; never points, which would not compare).
    ``members``: ma_dang_vien, thon, chi_bo, mien (exempt), tran_so_ho (personal cap, NA =
    none), e.g. from :func:`~ngheo_cli.core.members.prepare_members`.
    ``twinnings``: chi_bo (or co_quan), thon. ``previous_pairs``: last year's pairs
    (a frame with ma_dang_vien, ma_ho, or (ma_dang_vien, ma_ho) tuples).

    Raises ValueError on duplicate or blank codes (the validators prevent them).
    """
    rules = rules or AssignRules()
    p = _problem(households, members, twinnings, rules, previous_pairs)
    covered = _cover(p)
    stage = _assign_pairs(p, covered)
    return _result(p, covered, stage)


def what_if_cap(
    households: pd.DataFrame,
    members: pd.DataFrame,
    twinnings: pd.DataFrame | None,
    rules: AssignRules | None,
    cap: int,
    previous_pairs: pd.DataFrame | Iterable[tuple[str, str]] | None = None,
) -> CapWhatIf:
    """How many households (poor, near-poor) would get a helper with the rule cap set to
    ``cap`` instead of ``rules.max_households_per_member`` (personal caps still apply)."""
    rules = rules or AssignRules()
    other = replace(
        rules,
        max_households_per_member=cap,
        households_per_member=min(rules.households_per_member, cap),
    )
    counts = []
    for r in (rules, other):
        p = _problem(households, members, twinnings, r, previous_pairs)
        covered = _cover(p)
        counts.append(
            (int(covered.sum()), int((covered & p.poor).sum()), int((covered & ~p.poor).sum()))
        )
    (a0, p0, n0), (a1, p1, n1) = counts
    return CapWhatIf(rules.max_households_per_member, cap, a0, a1, p0, p1, n0, n1)


# --- the result --------------------------------------------------------------------------------


def _result(p: _Problem, covered: np.ndarray, stage: _Stage2) -> AssignmentResult:
    rules = p.rules
    hh, mem = p.hh, p.mem
    order = np.lexsort((stage.pair_h, stage.pair_j))
    ph, pj = stage.pair_h[order], stage.pair_j[order]
    relation = p.rel[pj, p.hv[ph]] if len(ph) else np.zeros(0, dtype=np.uint8)
    prev = set(zip(p.prev_h.tolist(), p.prev_j.tolist(), strict=True))
    kept = np.array(
        [(h, j) in prev for h, j in zip(ph.tolist(), pj.tolist(), strict=True)], dtype=bool
    )
    pairs = pd.DataFrame(
        {
            "ma_dang_vien": mem["ma_dang_vien"].to_numpy(dtype=object)[pj],
            "ma_ho": hh["ma_ho"].to_numpy(dtype=object)[ph],
            "thon": hh["thon"].to_numpy(dtype=object)[ph],
            "chi_bo": mem["chi_bo"].to_numpy(dtype=object)[pj],
            "phan_loai": hh["phan_loai"].to_numpy(dtype=object)[ph],
            "relation": [RELATION_NAMES[int(r)] for r in relation],
            "via_twinning": relation == TWINNED,
            "kept_from_last_year": kept,
        }
    )
    helped = np.zeros(len(hh), dtype=bool)
    helped[ph] = True
    # Rule 1 fixed how many households of each rank group are helped; the second flow may
    # only choose which of the tied ones.
    groups = int(p.pi.max(initial=0)) + 1
    if not np.array_equal(
        np.bincount(p.pi[helped], minlength=groups), np.bincount(p.pi[covered], minlength=groups)
    ):
        raise RuntimeError("pairs do not match the households chosen by rule 1")

    # Households without a helper, with the reason.
    free = np.flatnonzero(~helped)
    reach = _reachable(p)
    cap_text = rules.max_households_per_member
    reasons: list[tuple[str, str]] = []
    helpers_in = (p.rel != _NOT_ALLOWED).sum(axis=0) if p.rel.size else np.zeros(0, np.int64)
    for h in free.tolist():
        thon = hh["thon"].iat[h]
        if p.hv[h] < 0:
            reasons.append(
                (
                    NO_VILLAGE,
                    "Hộ chưa ghi thôn nên không xác định được đảng viên nào "
                    "có thể giúp. Hãy ghi thôn của hộ.",
                )
            )
        elif not reach[h]:
            twin = (
                "và chưa có chi bộ nào kết nghĩa với thôn"
                if rules.allow_twinned
                else "(quy tắc hiện hành không dùng kết nghĩa)"
            )
            reasons.append(
                (
                    NO_MEMBER,
                    f"{thon} không có đảng viên nào có thể giúp hộ: không có "
                    f"đảng viên cư trú (trừ người được miễn) {twin}.",
                )
            )
        else:
            n = int(helpers_in[p.hv[h]])
            reasons.append(
                (
                    ALL_AT_CAP,
                    f"Cả {n} đảng viên có thể giúp hộ ở {thon} đều đã nhận đủ số hộ tối đa (trần "
                    f"{cap_text} hộ/người, hoặc trần riêng thấp hơn); các hộ được ưu tiên hơn (hộ "
                    "nghèo trước, thiếu hụt nhiều hơn, thu nhập thấp hơn) đã được phân công trước.",
                )
            )
    unassigned = pd.DataFrame(
        {
            "ma_ho": hh["ma_ho"].to_numpy(dtype=object)[free],
            "thon": hh["thon"].to_numpy(dtype=object)[free],
            "phan_loai": hh["phan_loai"].to_numpy(dtype=object)[free],
            "so_thieu_hut": hh["so_thieu_hut"].to_numpy()[free],
            "reason_code": [r[0] for r in reasons],
            "reason": [r[1] for r in reasons],
        }
    )
    if len(unassigned):
        cls = (unassigned["phan_loai"] != POOR).to_numpy()
        unassigned = unassigned.iloc[np.lexsort((unassigned["ma_ho"].to_numpy(), cls))]
        unassigned = unassigned.reset_index(drop=True)

    # Members.
    load = np.bincount(pj, minlength=len(mem))
    active = ~p.exempt
    codes = pd.Index(mem["ma_dang_vien"][active], name="ma_dang_vien")
    loads = pd.Series(load[active], index=codes, name="so_ho")
    idle = np.flatnonzero(active & (load == 0))
    idle_rows: list[tuple[str, str]] = []
    for j in idle.tolist():
        if p.cap[j] == 0:
            idle_rows.append((CAP_ZERO, "Trần số hộ của đảng viên bằng 0."))
        elif p.rel.size == 0 or not (p.rel[j] != _NOT_ALLOWED).any():
            idle_rows.append(
                (
                    NOWHERE,
                    "Đảng viên chưa ghi thôn (hoặc thôn không có trong xã) và "
                    "chi bộ chưa kết nghĩa với thôn nào.",
                )
            )
        else:
            idle_rows.append(
                (
                    NO_HOUSEHOLD_LEFT,
                    "Mọi hộ cần giúp ở thôn của đảng viên (và thôn "
                    "kết nghĩa) đều đã có người giúp, hoặc không có "
                    "hộ cần giúp.",
                )
            )
    idle_members = pd.DataFrame(
        {
            "ma_dang_vien": mem["ma_dang_vien"].to_numpy(dtype=object)[idle],
            "chi_bo": mem["chi_bo"].to_numpy(dtype=object)[idle],
            "thon": mem["thon"].to_numpy(dtype=object)[idle],
            "reason_code": [r[0] for r in idle_rows],
            "reason": [r[1] for r in idle_rows],
        }
    )
    ex = np.flatnonzero(p.exempt)
    exempt_members = pd.DataFrame(
        {
            "ma_dang_vien": mem["ma_dang_vien"].to_numpy(dtype=object)[ex],
            "chi_bo": mem["chi_bo"].to_numpy(dtype=object)[ex],
            "thon": mem["thon"].to_numpy(dtype=object)[ex],
        }
    )
    return AssignmentResult(
        pairs=pairs,
        unassigned=unassigned,
        idle_members=idle_members,
        exempt_members=exempt_members,
        loads=loads,
        households_to_help=len(hh),
        poor_to_help=int(p.poor.sum()),
        near_poor_to_help=int((~p.poor).sum()),
        members_available=int((p.cap > 0).sum()),
        rules=rules,
        weights=stage.weights,
        notes=stage.notes,
    )
