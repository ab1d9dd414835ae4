"""assign(): exact optimum (against brute force and dense linear_sum_assignment), every rule
respected, priority, determinism, last year's pairs, reasons."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from ngheo_cli.core.assign import (
    ALL_AT_CAP,
    NO_MEMBER,
    NO_VILLAGE,
    AssignmentResult,
    AssignRules,
    assign,
    what_if_cap,
)
from ngheo_cli.core.members import cell_key
from ngheo_cli.core.text import fold
from ngheo_cli.sample.generator import (
    ND07_INDICATORS,
    RURAL_LINE,
    URBAN_LINE,
    classify_nd07,
    generate_commune,
    generate_members,
    generate_twinnings,
)

# --- a commune, and an independent reading of the rules ---------------------------------------


@dataclass
class Commune:
    households: pd.DataFrame
    members: pd.DataFrame
    twinnings: pd.DataFrame
    previous: pd.DataFrame
    rules: AssignRules

    def run(self, **changes: Any) -> AssignmentResult:
        rules = replace(self.rules, **changes) if changes else self.rules
        return assign(self.households, self.members, self.twinnings, rules, self.previous)


def frames(
    households: list[tuple[str, str | None, str, int, int]],
    members: list[tuple[str, str | None, str, bool, int | None]],
    twinnings: list[tuple[str, str]] = (),  # type: ignore[assignment]
    previous: list[tuple[str, str]] = (),  # type: ignore[assignment]
    rules: AssignRules | None = None,
) -> Commune:
    """households: (ma_ho, thon, phan_loai, so_thieu_hut, chenh_lech);
    members: (ma_dang_vien, thon, chi_bo, mien, tran_so_ho)."""
    hh = pd.DataFrame(households, columns=["ma_ho", "thon", "phan_loai", "so_thieu_hut",
                                           "chenh_lech"])
    mem = pd.DataFrame(members, columns=["ma_dang_vien", "thon", "chi_bo", "mien", "tran_so_ho"])
    mem["tran_so_ho"] = pd.array(mem["tran_so_ho"].tolist(), dtype="Int64")
    tw = pd.DataFrame(list(twinnings), columns=["chi_bo", "thon"])
    prev = pd.DataFrame(list(previous), columns=["ma_dang_vien", "ma_ho"])
    return Commune(hh, mem, tw, prev, rules or AssignRules())


class Oracle:
    """The rules, re-read independently of the model: who may help whom, and the score of any
    set of pairs as a tuple to be compared lexicographically (smaller is better)."""

    def __init__(self, c: Commune) -> None:
        r = c.rules
        self.rules = r
        scope = {"ngheo", "can_ngheo"} if r.include_near_poor else {"ngheo"}
        hh = c.households[c.households["phan_loai"].isin(scope)]
        self.h = [str(x) for x in hh["ma_ho"]]
        self.h_village = {str(a): (fold(b) if isinstance(b, str) else None)
                          for a, b in zip(hh["ma_ho"], hh["thon"], strict=True)}
        self.poor = {str(a): b == "ngheo" for a, b in zip(hh["ma_ho"], hh["phan_loai"],
                                                          strict=True)}
        self.dep = dict(zip(map(str, hh["ma_ho"]), map(int, hh["so_thieu_hut"]), strict=True))
        self.gap = dict(zip(map(str, hh["ma_ho"]), map(float, hh["chenh_lech"]), strict=True))
        self.m = [str(x) for x in c.members["ma_dang_vien"]]
        self.cap: dict[str, int] = {}
        self.rel: dict[tuple[str, str], int] = {}
        twins = {(cell_key(a), fold(b)) for a, b in zip(c.twinnings["chi_bo"],
                                                          c.twinnings["thon"], strict=True)}
        for row in c.members.itertuples(index=False):
            code = str(row.ma_dang_vien)
            personal = row.tran_so_ho
            cap = r.max_households_per_member if pd.isna(personal) else min(
                int(personal), r.max_households_per_member)
            self.cap[code] = 0 if row.mien else cap
            if self.cap[code] == 0:
                continue
            own = fold(row.thon) if isinstance(row.thon, str) else None
            for h in self.h:
                v = self.h_village[h]
                if v is None:
                    continue
                if v == own:
                    self.rel[(code, h)] = 0
                elif r.allow_twinned and (cell_key(row.chi_bo), v) in twins:
                    self.rel[(code, h)] = 1
                elif not r.same_village:
                    self.rel[(code, h)] = 2
        prev = {(str(a), str(b)) for a, b in zip(c.previous["ma_dang_vien"], c.previous["ma_ho"],
                                                 strict=True)}
        self.prev = {p for p in prev if p in self.rel} if r.keep_previous else set()
        kept_h = {h for _, h in self.prev}
        keys = {h: (self.poor[h], h in kept_h, self.dep[h], -self.gap[h]) for h in self.h}
        ranks = {k: i + 1 for i, k in enumerate(sorted(set(keys.values())))}
        self.pi = {h: ranks[keys[h]] for h in self.h}
        xkeys = {h: (self.poor[h], self.dep[h]) for h in self.h}
        xranks = {k: i + 1 for i, k in enumerate(sorted(set(xkeys.values())))}
        self.pix = {h: xranks[xkeys[h]] for h in self.h}

    def check(self, pairs: set[tuple[str, str]]) -> None:
        """Every rule that must hold, whatever the objective."""
        assert all(p in self.rel for p in pairs), "a pair that the rules do not allow"
        load: dict[str, int] = {}
        helpers: dict[str, int] = {}
        for j, h in pairs:
            load[j] = load.get(j, 0) + 1
            helpers[h] = helpers.get(h, 0) + 1
        assert all(load[j] <= self.cap[j] for j in load), "a member over their cap"
        assert all(n <= self.rules.members_per_household for n in helpers.values())

    def score(self, pairs: set[tuple[str, str]]) -> tuple[int, ...]:
        b = self.rules.households_per_member
        load: dict[str, int] = dict.fromkeys(self.m, 0)
        helpers: dict[str, int] = {}
        for j, h in pairs:
            load[j] += 1
            helpers[h] = helpers.get(h, 0) + 1
        covered = set(helpers)
        base = {j: min(self.cap[j], b) for j in self.m}
        over = sum((load[j] - base[j]) * (load[j] - base[j] + 1) // 2
                   for j in self.m if load[j] > base[j])
        even = sum(min(load[j], base[j]) * (min(load[j], base[j]) - 1) // 2 for j in self.m)
        extras = sum(n - 1 for n in helpers.values())
        return (
            -sum(self.poor[h] for h in covered),  # (a) poor helped
            -sum(not self.poor[h] for h in covered),  # (b) near-poor helped
            -sum(self.pi[h] for h in covered),  # rule 1 in full (priority order)
            over,  # rule 2 (loads above the base, spread)
            -extras,  # rule 3 (teams)
            sum(self.rel[p] for p in pairs),  # rule 4 (own village first)
            -len(pairs & self.prev),  # rule 5 (keep last year's pairs)
            -sum((n - 1) * self.pix[h] for h, n in helpers.items()),  # rule 6
            even,  # rule 7
        )

    def brute_force(self) -> tuple[int, ...]:
        """The best score over every possible set of pairs (tiny communes only)."""
        m = self.rules.members_per_household
        options: list[list[tuple[str, ...]]] = []
        for h in self.h:
            allowed = [j for j in self.m if (j, h) in self.rel]
            opts: list[tuple[str, ...]] = [()]
            for k in range(1, min(m, len(allowed)) + 1):
                opts.extend(itertools.combinations(allowed, k))
            options.append(opts)
        best: tuple[int, ...] | None = None
        for choice in itertools.product(*options):
            load: dict[str, int] = {}
            ok = True
            for team in choice:
                for j in team:
                    load[j] = load.get(j, 0) + 1
                    if load[j] > self.cap[j]:
                        ok = False
            if not ok:
                continue
            pairs = {(j, h) for h, team in zip(self.h, choice, strict=True) for j in team}
            s = self.score(pairs)
            if best is None or s < best:
                best = s
        assert best is not None
        return best

    def dense(self) -> tuple[int, ...]:
        """The optimum of the one-to-one expansion by scipy's linear_sum_assignment (one helper
        per household): rows = households; columns = one per member place (place k of member
        j costs its marginal load) plus one "nobody" column per household. Weights here are
        this test's own (a generous power of a bound), not the model's."""
        assert self.rules.members_per_household == 1
        b = self.rules.households_per_member
        places = [(j, k) for j in self.m for k in range(1, self.cap[j] + 1)]
        n_h = len(self.h)
        bound = 4 * (n_h + len(self.m) + 1) * (max(self.cap.values(), default=1) + 1) ** 2
        w_even, w_keep, w_village, w_over, w_cover = (bound ** i for i in range(5))
        big = float(w_cover * (n_h + 1) * 10)
        cost = np.full((n_h, len(places) + n_h), big)
        for i, h in enumerate(self.h):
            cost[i, len(places) + i] = 0.0
            for c, (j, k) in enumerate(places):
                rel = self.rel.get((j, h))
                if rel is None:
                    continue
                base = min(self.cap[j], b)
                cost[i, c] = float(
                    -w_cover * self.pi[h]
                    + w_over * max(k - base, 0)
                    + w_village * rel
                    - w_keep * ((j, h) in self.prev)
                    + w_even * (k - 1 if k <= base else 0)
                )
        assert abs(big) * (n_h + 1) < 2**53  # every sum exact in float64
        rows, cols = linear_sum_assignment(cost)
        pairs = {(places[c][0], self.h[r]) for r, c in zip(rows, cols, strict=True)
                 if c < len(places)}
        assert all(cost[r, c] < big for r, c in zip(rows, cols, strict=True))
        return self.score(pairs)


def pairs_of(result: AssignmentResult) -> set[tuple[str, str]]:
    return set(zip(result.pairs["ma_dang_vien"], result.pairs["ma_ho"], strict=True))


# --- random communes ---------------------------------------------------------------------------

VILLAGE_NAMES = ["Buôn Jun", "Buôn Lê", "Thôn Yên Thành", "Thôn Đoàn Kết"]
CELL_NAMES = ["Chi bộ Trạm Y tế xã", "Chi bộ Trường THCS"]


@st.composite
def communes(draw: st.DrawFn, max_h: int, max_m: int, team: bool = False) -> Commune:
    n_v = draw(st.integers(1, 3))
    villages = VILLAGE_NAMES[:n_v]
    village = st.sampled_from(villages)
    n_h = draw(st.integers(0, max_h))
    households = [
        (f"{i:04d}", draw(st.one_of(village, st.just(None)) if i == 0 else village),
         draw(st.sampled_from(["ngheo", "can_ngheo", "trung_binh"])),
         draw(st.integers(0, 3)), -1000 * draw(st.integers(0, 3)))
        for i in range(n_h)
    ]
    n_m = draw(st.integers(0, max_m))
    members = [
        (f"DV{i:03d}", draw(st.sampled_from([*villages, None])),
         draw(st.sampled_from([f"Chi bộ {v}" for v in villages] + CELL_NAMES)),
         draw(st.booleans()) and draw(st.booleans()),
         draw(st.sampled_from([None, None, None, 0, 1, 2])))
        for i in range(n_m)
    ]
    twinnings = draw(st.lists(st.tuples(st.sampled_from(CELL_NAMES + ["Chi bộ Buôn Jun"]),
                                        village), min_size=1, max_size=3))
    pairs = [(m[0], h[0]) for m in members for h in households]
    previous = draw(st.lists(st.sampled_from(pairs), max_size=4, unique=True)) if pairs else []
    b = draw(st.sampled_from([1, 1, 1, 2]))
    rules = AssignRules(
        members_per_household=draw(st.integers(2, 3)) if team else 1,
        households_per_member=b,
        max_households_per_member=draw(st.integers(b, 3)),
        same_village=draw(st.booleans()) or draw(st.booleans()),
        allow_twinned=draw(st.booleans()) or draw(st.booleans()),
        include_near_poor=draw(st.booleans()) or draw(st.booleans()),
        keep_previous=draw(st.booleans()) or draw(st.booleans()),
    )
    return frames(households, members, twinnings, previous, rules)


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(communes(max_h=6, max_m=4))
def test_equals_exhaustive_search(c: Commune) -> None:
    oracle = Oracle(c)
    result = c.run()
    pairs = pairs_of(result)
    oracle.check(pairs)
    assert oracle.score(pairs) == oracle.brute_force()


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(communes(max_h=4, max_m=4, team=True))
def test_teams_equal_exhaustive_search(c: Commune) -> None:
    oracle = Oracle(c)
    pairs = pairs_of(c.run())
    oracle.check(pairs)
    assert oracle.score(pairs) == oracle.brute_force()


@SETTINGS
@given(communes(max_h=14, max_m=8))
def test_equals_dense_linear_sum_assignment(c: Commune) -> None:
    oracle = Oracle(c)
    pairs = pairs_of(c.run())
    oracle.check(pairs)
    assert oracle.score(pairs) == oracle.dense()


@SETTINGS
@given(communes(max_h=12, max_m=6))
def test_rules_priority_and_reasons(c: Commune) -> None:
    oracle = Oracle(c)
    result = c.run()
    pairs = pairs_of(result)
    load = {j: 0 for j in oracle.m}
    for j, _ in pairs:
        load[j] += 1
    helped = {h for _, h in pairs}
    helper_of = {h: j for j, h in pairs}
    # Exempt members help nobody; the output columns agree with the rules.
    exempt = set(c.members.loc[c.members["mien"], "ma_dang_vien"])
    assert not {j for j, _ in pairs} & exempt
    for row in result.pairs.itertuples(index=False):
        assert row.via_twinning == (oracle.rel[(row.ma_dang_vien, row.ma_ho)] == 1)
        assert row.kept_from_last_year == ((row.ma_dang_vien, row.ma_ho) in oracle.prev)
    # Every household in scope is either helped or listed with a reason; nothing else.
    listed = dict(zip(result.unassigned["ma_ho"], result.unassigned["reason_code"], strict=True))
    assert set(listed) == set(oracle.h) - helped
    assert result.households_to_help == len(oracle.h)
    for h, code in listed.items():
        allowed = [j for j in oracle.m if (j, h) in oracle.rel]
        if oracle.h_village[h] is None:
            assert code == NO_VILLAGE
        elif not allowed:
            assert code == NO_MEMBER
        else:  # every member who could help is full
            assert code == ALL_AT_CAP
            assert all(load[j] == oracle.cap[j] for j in allowed)
        # Priority: no member who could help this household helps a lower-ranked one.
        for j in allowed:
            for jj, other in pairs:
                if jj == j:
                    assert oracle.pi[other] >= oracle.pi[h], (h, other)
                    if oracle.poor[h]:
                        assert oracle.poor[other]
    assert set(helper_of) == helped
    # Largest load: a smaller cap would help fewer households (or lower-ranked ones).
    b = c.rules.households_per_member
    if result.max_load > b:
        smaller = c.run(max_households_per_member=result.max_load - 1)
        assert oracle.score(pairs)[:3] < oracle.score(pairs_of(smaller))[:3]
    # Idle members: nobody they could help is left without a helper.
    for j in result.idle_members["ma_dang_vien"]:
        assert not any((j, h) in oracle.rel for h in listed)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(communes(max_h=10, max_m=6), st.randoms(use_true_random=False))
def test_same_input_any_row_order_same_pairs(c: Commune, rnd: Any) -> None:
    first = c.run()
    again = c.run()
    pd.testing.assert_frame_equal(first.pairs, again.pairs)
    seed = rnd.randint(0, 10**6)
    shuffled = Commune(
        c.households.sample(frac=1.0, random_state=seed),
        c.members.sample(frac=1.0, random_state=seed + 1),
        c.twinnings.sample(frac=1.0, random_state=seed + 2),
        c.previous.sample(frac=1.0, random_state=seed + 3),
        c.rules,
    )
    pd.testing.assert_frame_equal(first.pairs, shuffled.run().pairs)
    assert first.to_dict() == shuffled.run().to_dict()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(communes(max_h=10, max_m=6))
def test_last_years_pairs_are_kept_when_still_valid(c: Commune) -> None:
    first = c.run()
    c2 = replace(c, previous=first.pairs[["ma_dang_vien", "ma_ho"]])
    second = c2.run(keep_previous=True)
    assert pairs_of(second) == pairs_of(first)
    assert second.kept_from_last_year == len(first.pairs)


# --- hand-made cases ---------------------------------------------------------------------------


def test_seed_like_commune_one_member_per_household_in_own_village() -> None:
    households = [(f"{v}{i}", f"Thôn {v}", "ngheo" if i % 2 else "can_ngheo", i, -i * 1000)
                  for v in "ABC" for i in range(4)]
    members = [(f"DV{v}{i}", f"Thôn {v}", f"Chi bộ Thôn {v}", False, None)
               for v in "ABC" for i in range(5)]
    c = frames(households, members, twinnings=[("Chi bộ Thôn A", "Thôn B")])
    result = c.run()
    assert result.assigned == 12 and result.unassigned.empty
    assert result.max_load == 1
    assert not result.pairs["via_twinning"].any()
    assert (result.pairs["relation"] == "same_village").all()
    for row in result.pairs.itertuples(index=False):
        assert row.ma_dang_vien[2] == row.ma_ho[0]  # own village
    assert len(result.idle_members) == 3
    d = result.to_dict()
    assert {"households_to_help", "assigned", "unassigned", "members_available",
            "kept_from_last_year", "max_load"} <= set(d)
    assert d["households_to_help"] == 12 and d["members_available"] == 15


def test_poor_before_near_poor_then_most_deprived() -> None:
    households = [
        ("H1", "Thôn A", "can_ngheo", 5, -900_000),
        ("H2", "Thôn A", "ngheo", 3, -100_000),
        ("H3", "Thôn A", "ngheo", 4, -100_000),
        ("H4", "Thôn A", "ngheo", 4, -200_000),
    ]
    members = [("DV1", "Thôn A", "Chi bộ Thôn A", False, None)]
    c = frames(households, members, rules=AssignRules(max_households_per_member=2))
    result = c.run()
    assert sorted(result.pairs["ma_ho"]) == ["H3", "H4"]  # 4 deprivations, then 4 less below
    reasons = dict(zip(result.unassigned["ma_ho"], result.unassigned["reason_code"], strict=True))
    assert reasons == {"H2": ALL_AT_CAP, "H1": ALL_AT_CAP}
    assert list(result.unassigned["ma_ho"]) == ["H2", "H1"]  # poor listed first
    assert "trần 2 hộ/người" in result.unassigned["reason"].iloc[0]


def test_loads_raised_only_where_households_outnumber_members() -> None:
    households = [(f"A{i}", "Thôn A", "ngheo", 3, 0) for i in range(5)]
    households += [(f"B{i}", "Thôn B", "ngheo", 3, 0) for i in range(2)]
    members = [("DA1", "Thôn A", "Chi bộ Thôn A", False, None),
               ("DA2", "Thôn A", "Chi bộ Thôn A", False, None),
               ("DB1", "Thôn B", "Chi bộ Thôn B", False, None),
               ("DB2", "Thôn B", "Chi bộ Thôn B", False, None),
               ("DB3", "Thôn B", "Chi bộ Thôn B", False, None)]
    c = frames(households, members, twinnings=[("Chi bộ Thôn B", "Thôn A")])
    result = c.run()
    loads = result.loads.to_dict()
    assert result.assigned == 7 and max(loads.values()) == 2
    # B has a spare member, twinned with A: used before anyone in A takes a third household.
    assert loads["DA1"] + loads["DA2"] == 4
    assert sorted(loads.values()) == [1, 1, 1, 2, 2]
    assert result.via_twinning == 1


def test_own_village_preferred_over_twinned() -> None:
    households = [("H1", "Thôn A", "ngheo", 3, 0)]
    members = [("DV1", "Thôn B", "Chi bộ Cơ quan", False, None),
               ("DV2", "Thôn A", "Chi bộ Thôn A", False, None)]
    c = frames(households, members, twinnings=[("Cơ quan", "Thôn A")])
    assert pairs_of(c.run()) == {("DV2", "H1")}
    assert pairs_of(c.run(allow_twinned=True, same_village=True)) == {("DV2", "H1")}


def test_twinned_cell_helps_a_village_without_members_and_reasons() -> None:
    households = [("H1", "Buôn Jun", "ngheo", 4, 0), ("H2", "Buôn Lê", "ngheo", 4, 0),
                  ("H3", None, "ngheo", 4, 0)]
    members = [("DV1", "Thôn X", "Chi bộ Trạm Y tế xã", False, None),
               ("DV2", "Thôn X", "Chi bộ Thôn X", True, None)]  # exempt
    c = frames(households, members, twinnings=[("Trạm Y tế xã", "buon jun")])
    result = c.run()
    assert pairs_of(result) == {("DV1", "H1")}
    assert result.pairs["via_twinning"].tolist() == [True]
    reasons = dict(zip(result.unassigned["ma_ho"], result.unassigned["reason_code"], strict=True))
    assert reasons == {"H2": NO_MEMBER, "H3": NO_VILLAGE}
    assert "Buôn Lê" in result.unassigned.set_index("ma_ho").loc["H2", "reason"]
    assert list(result.exempt_members["ma_dang_vien"]) == ["DV2"]
    without = c.run(allow_twinned=False)
    assert without.assigned == 0
    assert "kết nghĩa" in without.unassigned["reason"].iloc[0]


def test_last_years_pair_kept_unless_member_now_exempt() -> None:
    households = [("H1", "Thôn A", "ngheo", 3, 0), ("H2", "Thôn A", "ngheo", 3, 0)]
    members = [("DV1", "Thôn A", "Chi bộ Thôn A", False, None),
               ("DV2", "Thôn A", "Chi bộ Thôn A", False, None)]
    c = frames(households, members, previous=[("DV2", "H1"), ("DV1", "H2")])
    result = c.run()
    assert pairs_of(result) == {("DV2", "H1"), ("DV1", "H2")}
    assert result.kept_from_last_year == 2
    assert pairs_of(c.run(keep_previous=False)) == {("DV1", "H1"), ("DV2", "H2")}
    c.members.loc[c.members["ma_dang_vien"] == "DV2", "mien"] = True
    result = c.run()
    assert result.kept_from_last_year == 1 and ("DV1", "H2") in pairs_of(result)


def test_previous_helper_gives_priority_within_class() -> None:
    households = [("H1", "Thôn A", "ngheo", 6, -900_000), ("H2", "Thôn A", "ngheo", 3, 0)]
    members = [("DV1", "Thôn A", "Chi bộ Thôn A", False, 1)]
    c = frames(households, members, previous=[("DV1", "H2")])
    assert pairs_of(c.run()) == {("DV1", "H2")}
    assert pairs_of(c.run(keep_previous=False)) == {("DV1", "H1")}


def test_near_poor_left_out_when_asked() -> None:
    households = [("H1", "Thôn A", "can_ngheo", 3, 0), ("H2", "Thôn A", "trung_binh", 3, 0)]
    members = [("DV1", "Thôn A", "Chi bộ Thôn A", False, None)]
    c = frames(households, members)
    assert c.run().households_to_help == 1
    assert c.run(include_near_poor=False).households_to_help == 0


def test_teams_use_spare_members_only() -> None:
    households = [("H1", "Thôn A", "ngheo", 3, 0), ("H2", "Thôn A", "can_ngheo", 5, 0)]
    members = [(f"DV{i}", "Thôn A", "Chi bộ Thôn A", False, None) for i in range(5)]
    c = frames(households, members, rules=AssignRules(members_per_household=5))
    result = c.run()
    assert result.max_load == 1 and len(result.pairs) == 5
    teams = result.pairs.groupby("ma_ho").size().to_dict()
    assert teams == {"H1": 4, "H2": 1}  # spare members go to the poor household first


def test_what_if_cap() -> None:
    households = [(f"H{i}", "Thôn A", "ngheo" if i < 4 else "can_ngheo", 3, 0) for i in range(7)]
    members = [("DV1", "Thôn A", "Chi bộ Thôn A", False, None),
               ("DV2", "Thôn A", "Chi bộ Thôn A", False, 2)]
    c = frames(households, members)
    now = c.run()
    assert now.assigned == 5
    what = what_if_cap(c.households, c.members, c.twinnings, c.rules, 5)
    assert what.to_dict() == {"cap_now": 3, "cap": 5, "assigned_now": 5, "assigned": 7,
                              "more_households": 2, "more_poor": 0, "more_near_poor": 2}


def test_no_members_no_households() -> None:
    c = frames([("H1", "Thôn A", "ngheo", 3, 0)], [])
    result = c.run()
    assert result.assigned == 0 and result.unassigned["reason_code"].tolist() == [NO_MEMBER]
    assert result.max_load == 0 and result.members_available == 0
    c = frames([], [("DV1", "Thôn A", "Chi bộ Thôn A", False, None)])
    result = c.run()
    assert result.households_to_help == 0 and len(result.idle_members) == 1


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        frames([("H1", "A", "ngheo", 0, 0), ("H1", "A", "ngheo", 0, 0)], []).run()
    with pytest.raises(ValueError):
        frames([], [("D", "A", "C", False, None), ("D", "A", "C", False, None)]).run()
    with pytest.raises(ValueError):
        AssignRules(max_households_per_member=1, households_per_member=2)
    with pytest.raises(ValueError):
        AssignRules(members_per_household=0)


def test_sample_commune() -> None:
    sample = generate_commune(7, 1500, 2024)
    hh = sample.households.copy()
    hh["phan_loai"] = classify_nd07(hh)
    hh["so_thieu_hut"] = hh[list(ND07_INDICATORS)].sum(axis=1)
    line = np.where(hh["khu_vuc"] == "Thành thị", URBAN_LINE, RURAL_LINE)
    hh["chenh_lech"] = hh["thu_nhap_binh_quan"] - line
    members = generate_members(sample, 7)
    twinnings = generate_twinnings(sample, members)
    result = assign(hh, members, twinnings)
    assert result.households_to_help == int(hh["phan_loai"].isin(["ngheo", "can_ngheo"]).sum())
    assert result.max_load <= 3 and result.assigned > 0
    # The village without a resident member is helped through its twinned agency cell.
    empty = twinnings["thon"].iloc[0]
    helped_there = result.pairs[result.pairs["thon"] == empty]
    assert len(helped_there) > 0 and helped_there["via_twinning"].all()
    again = assign(hh, members, twinnings, previous_pairs=result.pairs)
    assert again.kept_from_last_year == len(result.pairs)
