"""Simulate the future of one series: the one function every run and every backtest calls.

A run simulates each series a plan needs (``simulate_request``); the single-series and panel
backtests and the learning of the calibration simulate the same series cut at past origins
(``simulate_future`` with the origin in the stream's key). Streams come from
``forecast.streams``, keyed by the run seed and (region, indicator[, origin], model), so a
series' paths do not depend on row order, on which other series are in the run, or on which
worker computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.inputs.catalogue import Indicator
from forecast.models.base import FitInfo
from forecast.models.counts.posterior import CountDraws
from forecast.models.pooled.draws import RegionPosterior
from forecast.models.random_walk import max_deviation
from forecast.models.registry import POOLED_MODELS, simulate_series
from forecast.models.revisions import RevisionError
from forecast.models.transforms import Transform, transform_for
from forecast.simulation.calibration import NONE, Calibration
from forecast.simulation.paths import Paths
from forecast.streams import rng_for


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
    revision: RevisionError | None = None  # the latest year is preliminary: how it may move


@dataclass(frozen=True)
class SeriesResult:
    region: str
    indicator: str
    paths: Paths  # observed and simulated years together
    history: Paths  # observed years only, one row
    model: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Future:
    """The simulated years of one series: in the indicator's unit, on the model scale (what
    the calibration is learned on), the model used and what to know about it."""

    values: np.ndarray  # (n_paths, horizon)
    z: np.ndarray  # (n_paths, horizon) on the model scale
    transform: Transform
    model: str
    notes: list[str]


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


def simulate_future(req: SeriesRequest, model: str, horizon: int, n_paths: int, seed: int,
                    calibration: Calibration = NONE, stream: tuple[str, ...] = ()) -> Future:
    """The next ``horizon`` years of one series: integer paths from the count model where
    the request carries its draws, paths from the pooled posterior where it carries one, else
    ``model``'s (the request's own model first). ``stream`` extends the random stream's key
    (a backtest's origin), so each cut of a series draws afresh."""
    key = (req.region, req.indicator.id, *stream)
    transform = transform_for(req.indicator, req.values)
    if req.counts is not None:  # whole numbers in the indicator's unit: no transform
        values = req.counts.simulate(horizon, n_paths, rng_for(seed, *key, "counts"))
        notes = req.counts.notes()
        if req.revision is not None:
            notes = [*notes, "latest year preliminary: counts are not widened for revisions"]
        return Future(values, transform.forward(values), transform, "counts", notes)
    z = transform.forward(req.values)
    model = req.model or model
    notes = []
    if req.posterior is None and model in POOLED_MODELS:
        notes.append("not in the pooled fit (its values need a linear scale): trend used")
        model = "trend"
    if req.posterior is not None:
        model = "bayes"
        future_z = pooled_paths(req.posterior, req.indicator, z, horizon, n_paths,
                                rng_for(seed, *key, model), calibration)
        notes += req.posterior.notes()
    else:
        future_z, info = forecast_paths(
            model, req.indicator, z, transform, horizon, n_paths,
            lambda member: rng_for(seed, *key, member), calibration,
        )
        notes += info.notes
    if req.revision is not None:  # its own stream: the model's paths stay as they were
        shift = req.revision.draw(n_paths, rng_for(seed, *key, "revision"))
        future_z = future_z + shift[:, None]
        notes.append(req.revision.note())
    return Future(transform.inverse(future_z), future_z, transform, model, notes)


def simulate_request(req: SeriesRequest, model: str, n_paths: int, seed: int,
                     calibration: Calibration = NONE) -> SeriesResult:
    """Paths for one series of a run: observed columns repeated, future columns simulated
    up to the request's last year."""
    history = Paths(int(req.years[0]), req.values[None, :])
    horizon = req.until - int(req.years[-1])
    notes = [req.gap_note] if req.gap_note else []
    if horizon <= 0:
        paths = Paths(history.first_year, np.repeat(history.values, n_paths, axis=0))
        return SeriesResult(req.region, req.indicator.id, paths, history, "observed", tuple(notes))
    future = simulate_future(req, model, horizon, n_paths, seed, calibration)
    values = np.hstack([np.repeat(history.values, n_paths, axis=0), future.values])
    return SeriesResult(req.region, req.indicator.id, Paths(history.first_year, values), history,
                        future.model, tuple(dict.fromkeys(notes + future.notes)))
