"""Alkire–Foster figures: the identification step behind "≥ 3 of 12 deprivations".

With equal weights 1/d and cut-off k = min_deprivations / d, a unit is multidimensionally
poor when its weighted deprivation score c_i ≥ k. Then (Alkire & Foster 2011):

* H, the headcount ratio: q / n;
* A, the intensity: the mean score c_i among the poor;
* M0 = H × A, the adjusted headcount ratio;
* censored headcount h_j: the share of all units that are poor *and* deprived in j;
* contribution of j: w_j × h_j / M0 (the contributions sum to 1).

This is the deprivation side only: the Vietnamese classes also need income at or below
the line (see :mod:`classify`), so H here is not the poor-household rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# Scores are sums of float weights: compare with a tolerance so that 3 × (1/12) ≥ 3/12.
_EPS = 1e-9


@dataclass(frozen=True)
class MPIResult:
    n: int
    q: int
    k: float
    H: float
    A: float
    M0: float
    indicators: tuple[str, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)
    uncensored_headcount: dict[str, float] = field(default_factory=dict)
    censored_headcount: dict[str, float] = field(default_factory=dict)
    contribution: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values; a ratio that does not exist (no units) is None, not NaN."""

        def num(x: float) -> float | None:
            return None if math.isnan(x) else x

        def per(d: dict[str, float]) -> dict[str, float | None]:
            return {k: num(v) for k, v in d.items()}

        return {
            "n": self.n,
            "q": self.q,
            "k": self.k,
            "H": num(self.H),
            "A": num(self.A),
            "M0": num(self.M0),
            "weights": dict(self.weights),
            "uncensored_headcount": per(self.uncensored_headcount),
            "censored_headcount": per(self.censored_headcount),
            "contribution": per(self.contribution),
        }


def alkire_foster(
    deprivations: np.ndarray,
    weights: np.ndarray | None = None,
    k: float = 1 / 3,
    indicators: tuple[str, ...] | None = None,
) -> MPIResult:
    """AF figures for a units × indicators boolean matrix.

    ``weights`` defaults to equal weights summing to 1. With no units, every ratio is NaN.
    """
    g0 = np.asarray(deprivations, dtype=bool)
    n, d = g0.shape
    w = np.full(d, 1.0 / d) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (d,):
        raise ValueError("one weight per indicator")
    if not np.isclose(w.sum(), 1.0):
        raise ValueError("weights must sum to 1")
    names = indicators or tuple(f"i{j + 1}" for j in range(d))
    scores = g0 @ w
    poor = scores >= k - _EPS
    q = int(poor.sum())
    if n == 0:
        nan = float("nan")
        return MPIResult(0, 0, k, nan, nan, nan, names, dict(zip(names, w.tolist(), strict=True)))
    H = q / n
    A = float(scores[poor].mean()) if q else 0.0
    M0 = H * A
    uncensored = g0.mean(axis=0)
    censored = (g0 & poor[:, None]).mean(axis=0)
    contribution = w * censored / M0 if M0 > 0 else np.zeros(d)
    return MPIResult(
        n=n,
        q=q,
        k=k,
        H=H,
        A=A,
        M0=M0,
        indicators=names,
        weights=dict(zip(names, w.tolist(), strict=True)),
        uncensored_headcount=dict(zip(names, uncensored.tolist(), strict=True)),
        censored_headcount=dict(zip(names, censored.tolist(), strict=True)),
        contribution=dict(zip(names, contribution.tolist(), strict=True)),
    )
