"""The model family. Every model has the same verbs: ``fit(z, transform).simulate(h, n, rng)``.

``simulate_series`` is the one place that falls back to `drift` when a series is too short for
the chosen model or its fit fails, and that mixes the ensemble's members.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forecast.models.base import FitInfo, Model
from forecast.models.random_walk import Drift, Naive, load_prior
from forecast.models.statespace import Arima011, Ets, FitFailed, LocalLinearTrend
from forecast.models.trend_rule import CagrRule
from forecast.transforms import Transform

ENSEMBLE_MEMBERS = ("ets", "llt", "arima")
MODEL_NAMES = ("ensemble", "naive", "drift", "cagr", "ets", "llt", "arima")
MODEL_HELP = {
    "ensemble": "equal-weight mixture of ets, llt and arima paths (default)",
    "naive": "random walk: no trend",
    "drift": "random walk with drift: the past average change continues",
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


def simulate_series(name: str, z: np.ndarray, transform: Transform, horizon: int, n_paths: int,
                    rng_for: Callable[[str], np.random.Generator]) -> tuple[np.ndarray, FitInfo]:
    """Paths (n_paths, horizon) on the model scale for one series, and what was used.

    ``rng_for(member)`` gives each model its own random stream, so adding a member to the
    ensemble does not change the others' paths.
    """
    info = FitInfo(model=name)
    if name != "ensemble":
        return _simulate_one(name, z, transform, horizon, n_paths, rng_for(name), info), info
    sizes = [n_paths // len(ENSEMBLE_MEMBERS)] * len(ENSEMBLE_MEMBERS)
    for i in range(n_paths % len(ENSEMBLE_MEMBERS)):
        sizes[i] += 1
    parts = [
        _simulate_one(member, z, transform, horizon, size, rng_for(member), info)
        for member, size in zip(ENSEMBLE_MEMBERS, sizes, strict=True)
    ]
    return np.vstack(parts), info
