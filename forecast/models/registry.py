"""The model family by name. Every model has the same verbs:
``fit(z, transform).simulate(h, n, rng)``.

``simulate_series`` is the one place that falls back to `drift` when a series is too short for
the chosen model or its fit fails, and that mixes the ensemble's members.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forecast.models.base import FitInfo, Model
from forecast.models.cagr import CagrRule
from forecast.models.random_walk import Drift, LinearDrift, Naive, load_prior
from forecast.models.statespace import Arima011, Ets, FitFailed, LocalLinearTrend
from forecast.models.theta import Theta
from forecast.models.transforms import Transform

ENSEMBLE_MEMBERS = ("ets", "llt", "arima")
POOLED_MODELS = ("bayes", "auto", "counts")  # models fitted over every region before simulating
TREND_MEMBERS = ("linear", "drift", "theta")
MODEL_NAMES = ("auto", "bayes", "counts", "trend", "ensemble", "naive", "drift", "linear",
               "theta", "cagr", "ets", "llt", "arima")
MODEL_HELP = {
    "auto": "per indicator: counts for whole-number series up to 100, bayes where several "
    "regions of the hierarchy have it, trend where one does (the default; the reason is in "
    "probabilities.json)",
    "bayes": "hierarchical Bayesian random walk with drift pooled across the regions of "
    "regions.csv (PyMC; posteriors cached in models/)",
    "counts": "counts as counts: Poisson or negative-binomial flows (chosen by LOO), stocks "
    "moved by whole entries and exits, rates pooled over the tree (every count series; the "
    "rest as auto)",
    "trend": "calibrated mixture of linear drift, compound-growth drift and the theta model, "
    "weights learned per indicator from backtests",
    "ensemble": "equal-weight mixture of ets, llt and arima paths",
    "naive": "random walk: no trend",
    "drift": "random walk with drift on the log/logit scale: the past average growth rate "
    "continues",
    "linear": "random walk with drift whose median adds the past average annual change",
    "theta": "dynamic optimised theta model: a smoothed level plus a damped share of the "
    "fitted trend (Fiorucci et al. 2016), with the drift model's spread",
    "cagr": "UN ESCAP trend rule: recency-weighted growth, deterministic (reference only)",
    "ets": "damped-trend exponential smoothing (statsmodels ETSModel)",
    "llt": "local linear trend (statsmodels UnobservedComponents)",
    "arima": "ARIMA(0,1,1) with drift (statsmodels ARIMA)",
}


def get_model(name: str) -> Model:
    """A single (non-ensemble) model by name."""
    prior_df, prior_scale = load_prior()
    models: dict[str, Callable[[], Model]] = {
        "naive": lambda: Naive(prior_df, prior_scale),
        "drift": lambda: Drift(prior_df, prior_scale),
        "linear": lambda: LinearDrift(prior_df, prior_scale),
        "theta": lambda: Theta(prior_df, prior_scale),
        "cagr": CagrRule,
        "ets": Ets,
        "llt": LocalLinearTrend,
        "arima": Arima011,
    }
    if name not in models:
        raise KeyError(name)
    return models[name]()


def _simulate_one(name: str, z: np.ndarray, transform: Transform, horizon: int, n: int,
                  rng: np.random.Generator, info: FitInfo) -> np.ndarray:
    model = get_model(name)
    if len(z) < model.min_points:
        info.notes.append(f"{name} needs {model.min_points} points, has {len(z)}: drift used")
        model = get_model("drift")
    try:
        return model.fit(z, transform).simulate(horizon, n, rng)
    except (FitFailed, np.linalg.LinAlgError, ValueError) as exc:
        info.notes.append(f"{name} fit failed ({exc}): drift used")
        return get_model("drift").fit(z, transform).simulate(horizon, n, rng)


def mixture_sizes(n_paths: int, weights: list[float]) -> list[int]:
    """Paths per member: proportional to the weights, summing to n_paths (largest remainder)."""
    w = np.asarray(weights, float) / np.sum(weights)
    exact = w * n_paths
    sizes = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - sizes), kind="stable")[: n_paths - sizes.sum()]:
        sizes[i] += 1
    return [int(s) for s in sizes]


def simulate_series(name: str, z: np.ndarray, transform: Transform, horizon: int, n_paths: int,
                    rng_for: Callable[[str], np.random.Generator],
                    weights: dict[str, float] | None = None) -> tuple[np.ndarray, FitInfo]:
    """Paths (n_paths, horizon) on the model scale for one series, and what was used.

    ``rng_for(member)`` gives each model its own random stream, so adding a member to a
    mixture does not change the others' paths. ``weights`` are the mixture weights of `trend`'s
    members (equal when not given; a member a calibration does not name has none); `ensemble`
    mixes its members equally.
    """
    info = FitInfo(model=name)
    if name == "ensemble":
        members, w = ENSEMBLE_MEMBERS, [1.0] * len(ENSEMBLE_MEMBERS)
    elif name == "trend":
        members = TREND_MEMBERS
        # a calibration names the members it weighs (one learned before a member existed
        # gives it none); without a calibration the members are weighed equally
        w = [weights.get(m, 0.0) for m in members] if weights else [1.0] * len(members)
    else:
        return _simulate_one(name, z, transform, horizon, n_paths, rng_for(name), info), info
    parts = [
        _simulate_one(member, z, transform, horizon, size, rng_for(member), info)
        for member, size in zip(members, mixture_sizes(n_paths, w), strict=True) if size > 0
    ]
    return np.vstack(parts), info
