"""Random walk (`naive`) and random walk with drift (`drift`), with honest small-sample spread.

The textbook predictive distributions, made exact for short series: the shock variance is
unknown, so the predictive is Student-t. A weak conjugate prior (``forecast/data/priors.yaml``)
lets a two-point series get a wide but finite distribution.

drift: z[T+h] - z[T] ~ t_nu( h * c_hat, s * sqrt(h + h^2 / m) ), m = number of differences,
       nu = prior_df + m - 1, s^2 = (prior_df * prior_scale^2 + SSE) / nu.
naive: z[T+h] - z[T] ~ t_nu( 0, s * sqrt(h) ),  nu = prior_df + m, s^2 from sum of d^2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from forecast.config import PRIORS_FILE
from forecast.files import read_yaml
from forecast.models.transforms import Transform


@cache
def _priors(path: Path = PRIORS_FILE) -> dict:
    return read_yaml(path)


def load_prior(path: Path = PRIORS_FILE) -> tuple[float, float]:
    """(prior_df, prior_scale) of the shock-size prior, read once per process."""
    doc = _priors(path)
    return float(doc["prior_df"]), float(doc["prior_scale"])


def max_deviation(path: Path = PRIORS_FILE) -> float:
    """The furthest a simulated value may stray from its year's median on the model scale."""
    return float(_priors(path)["max_deviation"])


@dataclass(frozen=True)
class RandomWalkFit:
    last: float
    drift: float  # estimated drift c_hat (0 for naive)
    drift_se_factor: float  # sd of c_hat is sigma * this (0 for naive)
    df: float  # degrees of freedom of the posterior for sigma^2
    scale: float  # s, the posterior scale of sigma

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        # sigma^2 | data ~ scaled inverse chi-square(df, scale^2); then Gaussian given sigma
        sigma = self.scale * np.sqrt(self.df / rng.chisquare(self.df, size=(n_paths, 1)))
        drift = self.drift + sigma * self.drift_se_factor * rng.standard_normal((n_paths, 1))
        shocks = sigma * rng.standard_normal((n_paths, horizon))
        return self.last + np.cumsum(drift + shocks, axis=1)


@dataclass(frozen=True)
class Drift:
    """Random walk with drift."""

    prior_df: float
    prior_scale: float
    name: str = "drift"
    min_points: int = 2

    def fit(self, z: np.ndarray, transform: Transform | None = None) -> RandomWalkFit:
        d = np.diff(np.asarray(z, dtype=float))
        m = len(d)
        c_hat = float(d.mean())
        sse = float(((d - c_hat) ** 2).sum())
        df = self.prior_df + m - 1
        scale = np.sqrt((self.prior_df * self.prior_scale**2 + sse) / df)
        return RandomWalkFit(float(z[-1]), c_hat, 1 / np.sqrt(m), df, float(scale))


@dataclass(frozen=True)
class Naive:
    """Random walk: tomorrow is today plus a shock."""

    prior_df: float
    prior_scale: float
    name: str = "naive"
    min_points: int = 2

    def fit(self, z: np.ndarray, transform: Transform | None = None) -> RandomWalkFit:
        d = np.diff(np.asarray(z, dtype=float))
        df = self.prior_df + len(d)
        scale = np.sqrt((self.prior_df * self.prior_scale**2 + float((d**2).sum())) / df)
        return RandomWalkFit(float(z[-1]), 0.0, 0.0, df, float(scale))


@dataclass(frozen=True)
class LinearFit:
    """Median on a straight line in the indicator's unit, shocks on the model scale."""

    last_raw: float
    slope: float  # average annual change in the indicator's unit
    floor: float
    ceiling: float
    transform: Transform
    shocks: RandomWalkFit  # the drift model's posterior on the model scale

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        h = np.arange(1, horizon + 1)
        median_raw = np.clip(self.last_raw + self.slope * h, self.floor, self.ceiling)
        centre = self.transform.continuous().forward(median_raw)
        return around_median(centre, self.shocks, horizon, n_paths, rng)


def around_median(centre: np.ndarray, shocks: RandomWalkFit, horizon: int, n_paths: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Paths whose median is ``centre`` (model scale, one value a year) and whose spread is
    the drift model's: its paths less its own median line."""
    h = np.arange(1, horizon + 1)
    paths = shocks.simulate(horizon, n_paths, rng)
    location = shocks.last + h * shocks.drift
    return centre + (paths - location)


def inside_bounds(transform: Transform, last_raw: float) -> tuple[float, float]:
    """Where a median path extended from ``last_raw`` stops: just inside the indicator's
    bounds (1% of the distance to each), since a straight line may cross them."""
    floor = transform.lower + 0.01 * (last_raw - transform.lower)
    ceiling = (transform.upper - 0.01 * (transform.upper - last_raw)
               if np.isfinite(transform.upper) else np.inf)
    return floor, ceiling


@dataclass(frozen=True)
class LinearDrift:
    """Random walk with drift whose median grows by a constant amount, not a constant rate.

    The median path extends the average annual change in the indicator's own unit (the
    textbook drift forecast); the spread around it is the drift model's on the model scale, so
    values stay within bounds. It is the stronger forecaster where growth does not compound.
    """

    prior_df: float
    prior_scale: float
    name: str = "linear"
    min_points: int = 2

    def fit(self, z: np.ndarray, transform: Transform) -> LinearFit:
        raw = transform.continuous().inverse(z)
        slope = float((raw[-1] - raw[0]) / (len(raw) - 1))
        floor, ceiling = inside_bounds(transform, raw[-1])
        shocks = Drift(self.prior_df, self.prior_scale).fit(z)
        return LinearFit(float(raw[-1]), slope, floor, ceiling, transform, shocks)
