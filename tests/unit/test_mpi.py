"""Alkire–Foster figures against the hand case and against the class counts."""

from __future__ import annotations

import numpy as np
import pytest

from ngheo_cli.core.mpi import alkire_foster


def test_hand_case() -> None:
    # 4 units, 4 indicators weighted 1/4, cut-off 1/2: 0000, 1001, 1111, 0100.
    g0 = np.array([[0, 0, 0, 0], [1, 0, 0, 1], [1, 1, 1, 1], [0, 1, 0, 0]], dtype=bool)
    r = alkire_foster(g0, np.full(4, 0.25), k=0.5)
    assert r.q == 2
    assert r.H == pytest.approx(0.5)
    assert r.A == pytest.approx(0.75)
    assert r.M0 == pytest.approx(0.375)
    # Censored headcounts: indicator 1 is deprived in units 2 and 3 (both poor) → 2/4.
    assert list(r.censored_headcount.values()) == pytest.approx([0.5, 0.25, 0.25, 0.5])
    # Unit 4's deprivation in indicator 2 is censored away: uncensored 2/4, censored 1/4.
    assert r.uncensored_headcount["i2"] == pytest.approx(0.5)
    assert sum(r.contribution.values()) == pytest.approx(1.0)


def test_three_of_twelve_is_exactly_the_cutoff() -> None:
    g0 = np.zeros((2, 12), bool)
    g0[0, :3] = True  # exactly 3 → poor
    g0[1, :2] = True
    r = alkire_foster(g0, k=3 / 12)
    assert r.q == 1


def test_empty_population_gives_nan_not_a_crash() -> None:
    r = alkire_foster(np.zeros((0, 12), bool), k=3 / 12)
    assert r.n == 0 and np.isnan(r.H)


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(ValueError):
        alkire_foster(np.zeros((1, 2), bool), np.array([0.5, 0.6]), k=0.5)
