"""Scores for forecasts held out from the data: accuracy, calibration, threshold probabilities.

Pure functions on arrays. Conventions follow the forecasting literature so figures compare with
published ones: MASE is scaled by the in-sample MAE of the one-step naive forecast (Hyndman &
Koehler 2006, non-seasonal); sMAPE is the M3 competition's 200|y-f|/(|y|+|f|); CRPS is the
ensemble estimator (scoringrules); the Brier score is decomposed after Murphy (1973).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

PACE_MULTIPLES = (0.0, 0.5, 1.0, 1.5, 2.0)


def naive_scale(train: np.ndarray) -> float:
    """In-sample MAE of the one-step naive forecast: the MASE denominator."""
    return float(np.mean(np.abs(np.diff(train))))


def mase(actual: np.ndarray, point: np.ndarray, train: np.ndarray) -> float:
    scale = naive_scale(train)
    return float(np.mean(np.abs(actual - point)) / scale) if scale > 0 else float("nan")


def smape(actual: np.ndarray, point: np.ndarray) -> float:
    denom = np.abs(actual) + np.abs(point)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(denom > 0, 200 * np.abs(actual - point) / denom, 0.0)
    return float(np.mean(terms))


def crps(actual: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """CRPS of each horizon's simulated values (paths: n_paths x horizon) against the actual.

    The probability-weighted-moment estimator: equal to the unbiased ("fair") ensemble CRPS,
    computed from sorted values in O(n log n) instead of O(n^2) pairs.
    """
    import scoringrules  # 2-3 s to import: only backtests score, so not at every start

    return np.asarray(scoringrules.crps_ensemble(actual, paths.T, estimator="pwm"), dtype=float)


def _mean_abs_difference(a: np.ndarray, b: np.ndarray, fair: bool) -> float:
    """Mean |a_i - b_j| over all pairs (over pairs i != j when ``fair``, for a sample with
    itself), from sorted values and cumulative sums in O(n log n)."""
    b = np.sort(b)
    below = np.searchsorted(b, a, side="right")
    cum = np.concatenate([[0.0], np.cumsum(b)])
    total = float(np.sum(a * below - cum[below] + (cum[-1] - cum[below]) - a * (len(b) - below)))
    pairs = len(a) * (len(b) - 1) if fair else len(a) * len(b)
    return total / pairs


def mixture_crps_terms(actual: np.ndarray, members: list[np.ndarray]
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The terms that give the CRPS of any mixture of ``members`` (each n_paths x horizon),
    summed over the horizons: ``a[k]`` = E|X_k - y| and ``b[j, k]`` = E|X_j - X_k'|.

    The CRPS of the mixture with weights w (summing to 1) is then w·a − ½ wᵀ b w (the energy
    form CRPS = E|X − y| − ½ E|X − X'|), so weights can be chosen on a fine grid from these
    terms alone. Within a member the pairs are i ≠ j, the "fair" estimator ``crps`` uses.
    """
    k = len(members)
    a, b = np.zeros(k), np.zeros((k, k))
    for h, y in enumerate(np.asarray(actual, dtype=float)):
        cols = [np.asarray(m[:, h], dtype=float) for m in members]
        for i in range(k):
            a[i] += float(np.mean(np.abs(cols[i] - y)))
            for j in range(i, k):
                b[i, j] += _mean_abs_difference(cols[i], cols[j], fair=i == j)
    return a, np.triu(b) + np.triu(b, 1).T


def cdf_at(actual: np.ndarray, paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per horizon the forecast CDF just below and at the actual value, F(y-) and F(y), read
    from the simulated paths (n_paths x horizon): the ends of the randomised PIT's range."""
    return np.mean(paths < actual, axis=0), np.mean(paths <= actual, axis=0)


def coverage_shares(below: np.ndarray, at_or_below: np.ndarray, level: float) -> np.ndarray:
    """Per horizon, the share of the randomised PIT's range [F(y-), F(y)] inside the central
    ``level`` interval [(1 - level)/2, (1 + level)/2]: 0 or 1 for continuous paths (is the
    actual inside the interval?), a fraction where the actual holds a lump of probability."""
    tail = (1 - level) / 2
    inside = np.clip(np.minimum(at_or_below, 1 - tail) - np.maximum(below, tail), 0.0, None)
    width = at_or_below - below
    lump = width > 0
    return np.where(lump, inside / np.where(lump, width, 1.0),
                    (below >= tail) & (below <= 1 - tail))


def coverage(actual: np.ndarray, paths: np.ndarray, level: float) -> float:
    """Share of horizons whose actual value lies inside the central ``level`` interval.

    Read through the randomised PIT (Czado, Gneiting & Held 2009): the actual's PIT is uniform
    on [F(y-), F(y)], and the horizon counts by the share of that range inside
    [(1 - level)/2, (1 + level)/2] (``coverage_shares``). For continuous paths that is whether
    the actual lies in the central interval; for whole-number paths, where a value holds a
    lump of probability, it is the expected coverage of the randomised PIT, which is exactly
    ``level`` for a calibrated forecast (the plain closed interval would over-cover a small
    count)."""
    return float(np.mean(coverage_shares(*cdf_at(actual, paths), level)))


def pit(actual: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """Probability integral transform per horizon (mid-point for ties, as for counts)."""
    below, at_or_below = cdf_at(actual, paths)
    return (below + at_or_below) / 2


def threshold_events(train: np.ndarray, actual: np.ndarray, paths: np.ndarray) -> pd.DataFrame:
    """Targets as planners set them: last value plus m times the past annual pace, h years on.

    One row per multiple m and horizon h: the forecast probability of reaching the threshold
    and whether the held-out value did.
    """
    pace = (train[-1] - train[0]) / (len(train) - 1)
    rows = []
    for m in PACE_MULTIPLES:
        for h in range(1, len(actual) + 1):
            threshold = train[-1] + m * pace * h
            rows.append((m, h, float(np.mean(paths[:, h - 1] >= threshold)),
                         bool(actual[h - 1] >= threshold)))
    return pd.DataFrame(rows, columns=["pace_multiple", "horizon", "probability", "outcome"])


def brier(prob: np.ndarray, outcome: np.ndarray) -> float:
    return float(np.mean((np.asarray(prob, float) - np.asarray(outcome, float)) ** 2))


def reliability_table(prob: np.ndarray, outcome: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Forecast probability bins: count, mean forecast, observed frequency (the diagram's data)."""
    prob = np.asarray(prob, float)
    outcome = np.asarray(outcome, float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    rows = []
    for k in range(bins):
        sel = which == k
        n = int(sel.sum())
        rows.append((edges[k], edges[k + 1], n,
                     float(prob[sel].mean()) if n else float("nan"),
                     float(outcome[sel].mean()) if n else float("nan")))
    return pd.DataFrame(rows, columns=["bin_lo", "bin_hi", "count", "forecast", "observed"])


def brier_decomposition(prob: np.ndarray, outcome: np.ndarray, bins: int = 10) -> dict:
    """Murphy's decomposition: Brier ~ reliability - resolution + uncertainty (binned)."""
    table = reliability_table(prob, outcome, bins)
    table = table[table["count"] > 0]
    n = table["count"].sum()
    base = float(np.mean(outcome))
    rel = float((table["count"] * (table["forecast"] - table["observed"]) ** 2).sum() / n)
    res = float((table["count"] * (table["observed"] - base) ** 2).sum() / n)
    return {"brier": brier(prob, outcome), "reliability": rel, "resolution": res,
            "uncertainty": base * (1 - base), "events": int(n), "base_rate": base}


def binomial_band(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for a coverage rate."""
    if trials == 0:
        return float("nan"), float("nan")
    alpha = 1 - level
    lo = stats.beta.ppf(alpha / 2, successes, trials - successes + 1) if successes > 0 else 0.0
    hi = (stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes)
          if successes < trials else 1.0)
    return float(lo), float(hi)
