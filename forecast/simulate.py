"""Simulate the future of every series a plan needs: one random stream per series and model.

Streams come from ``numpy.random.SeedSequence`` keyed by the run seed and a stable hash of
(region, indicator, model), so a series' paths do not depend on row order, on which other
series are in the run, or on which worker computes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from forecast.calibration import NONE, Calibration
from forecast.catalogue import Indicator
from forecast.models import simulate_series
from forecast.models.base import FitInfo
from forecast.models.counts.posterior import CountDraws
from forecast.models.pooled.posterior import RegionPosterior
from forecast.models.random_walk import max_deviation
from forecast.targets import Paths
from forecast.transforms import Transform, transform_for

POOLED = ("bayes", "auto", "counts")  # models that simulate from a fit made before this stage


def stable_key(*parts: str) -> int:
    """A 128-bit integer from text parts, the same on every machine and Python process."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:16], "little")


def rng_for(seed: int, *key: str) -> np.random.Generator:
    """The random stream of one unit of work (e.g. region, indicator, model)."""
    return np.random.default_rng(np.random.SeedSequence([seed, stable_key(*key)]))


@dataclass(frozen=True)
class SeriesRequest:
    """One series to simulate and the last year its paths must reach."""

    region: str
    indicator: Indicator
    years: np.ndarray  # observed years, consecutive
    values: np.ndarray
    until: int
    gap_note: str | None = None
    model: str | None = None  # this series' own model (`auto` chooses per indicator)
    posterior: RegionPosterior | None = None  # the pooled fit's draws for this region
    counts: CountDraws | None = None  # the count model's draws, for a small count


@dataclass(frozen=True)
class SeriesResult:
    region: str
    indicator: str
    paths: Paths  # observed and simulated years together
    history: Paths  # observed years only, one row
    model: str
    notes: tuple[str, ...]


def usable_history(years: np.ndarray, values: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, str | None]:
    """The most recent run of consecutive years of one series (models need a regular step)."""
    breaks = np.flatnonzero(np.diff(years) != 1)
    if len(breaks) == 0:
        return years, values, None
    start = breaks[-1] + 1
    note = f"years before {years[start]} not used (gap in the series)"
    return years[start:], values[start:], note


def forecast_paths(model: str, indicator: Indicator, z: np.ndarray, transform: Transform,
                   horizon: int, n_paths: int, rng_for, calibration: Calibration = NONE
                   ) -> tuple[np.ndarray, FitInfo]:
    """Model-scale paths for one series with what backtests taught us applied: the member
    weights learned for this indicator and the spread factors for its kind and horizon. Values
    further than ``max_deviation`` from their year's median are held at that bound."""
    z_paths, info = simulate_series(model, z, transform, horizon, n_paths, rng_for,
                                    calibration.weights(model, indicator.id))
    return calibration.apply(z_paths, model, indicator.kind, indicator.id,
                             bound=max_deviation()), info


def pooled_paths(posterior: RegionPosterior, indicator: Indicator, z: np.ndarray, horizon: int,
                 n_paths: int, rng: np.random.Generator, calibration: Calibration = NONE
                 ) -> np.ndarray:
    """Model-scale paths of one series from its region's pooled posterior, with the `bayes`
    spread factors of the calibration applied and extreme values bounded like every model's."""
    z_paths = posterior.simulate(horizon, n_paths, rng, float(z[-1]))
    return calibration.apply(z_paths, "bayes", indicator.kind, indicator.id,
                             bound=max_deviation())


def future_values(req: SeriesRequest, model: str, horizon: int, n_paths: int, seed: int,
                  calibration: Calibration = NONE) -> tuple[np.ndarray, str, list[str]]:
    """The simulated years of one series in the indicator's unit, the model used and its
    notes: integer paths from the count model, else model-scale paths mapped back."""
    if req.counts is not None:  # whole numbers in the indicator's unit: no transform
        rng = rng_for(seed, req.region, req.indicator.id, "counts")
        return req.counts.simulate(horizon, n_paths, rng), "counts", req.counts.notes()
    transform = transform_for(req.indicator, req.values)
    z = transform.forward(req.values)
    model = req.model or model
    notes = []
    if req.posterior is None and model in POOLED:
        notes.append("not in the pooled fit (its values need a linear scale): trend used")
        model = "trend"
    if req.posterior is not None:
        model = "bayes"
        future_z = pooled_paths(req.posterior, req.indicator, z, horizon, n_paths,
                                rng_for(seed, req.region, req.indicator.id, model), calibration)
        notes += req.posterior.notes()
    else:
        future_z, info = forecast_paths(
            model, req.indicator, z, transform, horizon, n_paths,
            lambda member: rng_for(seed, req.region, req.indicator.id, member), calibration,
        )
        notes += info.notes
    return transform.inverse(future_z), model, notes


def simulate_request(req: SeriesRequest, model: str, n_paths: int, seed: int,
                     calibration: Calibration = NONE) -> SeriesResult:
    """Paths for one series: observed columns repeated, future columns simulated."""
    history = Paths(int(req.years[0]), req.values[None, :])
    horizon = req.until - int(req.years[-1])
    notes = [req.gap_note] if req.gap_note else []
    if horizon <= 0:
        paths = Paths(history.first_year, np.repeat(history.values, n_paths, axis=0))
        return SeriesResult(req.region, req.indicator.id, paths, history, "observed", tuple(notes))
    future, model, more = future_values(req, model, horizon, n_paths, seed, calibration)
    values = np.hstack([np.repeat(history.values, n_paths, axis=0), future])
    return SeriesResult(req.region, req.indicator.id, Paths(history.first_year, values), history,
                        model, tuple(dict.fromkeys(notes + more)))
