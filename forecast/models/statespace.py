"""statsmodels models: damped-trend ETS, local linear trend, ARIMA(0,1,1) with drift.

Each is fitted by maximum likelihood on the model scale and simulated forward. For the state
space models (`llt`, `arima`) parameter uncertainty is included by drawing the parameters from
their estimated asymptotic normal distribution and simulating a share of the paths under each
draw; statsmodels' ETS offers no such covariance-aware simulation, so `ets` simulates under the
fitted parameters only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from forecast.models.transforms import Transform

PARAM_DRAWS = 20  # parameter draws per series; paths are shared out among them


class FitFailed(RuntimeError):
    """The optimiser could not produce a usable fit; the caller falls back to `drift`."""


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


@dataclass
class EtsFit:
    results: object

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        sims = self.results.simulate(horizon, anchor="end", repetitions=n_paths, rng=rng)
        return np.asarray(sims, dtype=float).reshape(horizon, n_paths).T


@dataclass
class StateSpaceFit:
    model: object
    params: np.ndarray
    cov: np.ndarray | None
    positive: np.ndarray  # which parameters are variances (kept positive)
    bounded: np.ndarray  # which parameters are MA coefficients (kept invertible)

    def _draw_params(self, rng: np.random.Generator) -> np.ndarray:
        if self.cov is None:
            return self.params
        theta = rng.multivariate_normal(self.params, self.cov, method="cholesky")
        theta[self.positive] = np.abs(theta[self.positive])
        theta[self.bounded] = np.clip(theta[self.bounded], -0.99, 0.99)
        return theta

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        draws = min(PARAM_DRAWS, n_paths)
        sizes = np.full(draws, n_paths // draws)
        sizes[: n_paths % draws] += 1
        out = []
        for size in sizes:
            theta = self._draw_params(rng)
            res = _quiet(lambda t=theta: self.model.smooth(t))
            sims = res.simulate(horizon, anchor="end", repetitions=int(size), rng=rng)
            out.append(np.asarray(sims, dtype=float).reshape(horizon, int(size)).T)
        return np.vstack(out)


def _usable_cov(results, k: int) -> np.ndarray | None:
    try:
        cov = np.asarray(results.cov_params(), dtype=float)
        if cov.shape != (k, k) or not np.all(np.isfinite(cov)):
            return None
        np.linalg.cholesky(cov + 1e-12 * np.eye(k))
        return cov
    except (np.linalg.LinAlgError, ValueError):
        return None


def _check(params: np.ndarray) -> None:
    if not np.all(np.isfinite(params)):
        raise FitFailed("non-finite parameters")


@dataclass(frozen=True)
class Ets:
    """Exponential smoothing with additive errors and a damped additive trend."""

    name: str = "ets"
    min_points: int = 6

    def fit(self, z: np.ndarray, transform: Transform | None = None) -> EtsFit:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        model = ETSModel(np.asarray(z, float), error="add", trend="add", damped_trend=True)
        results = _quiet(lambda: model.fit(disp=False))
        _check(np.asarray(results.params))
        return EtsFit(results)


@dataclass(frozen=True)
class LocalLinearTrend:
    """Local linear trend (`UnobservedComponents`): level and slope both wander."""

    name: str = "llt"
    min_points: int = 6

    def fit(self, z: np.ndarray, transform: Transform | None = None) -> StateSpaceFit:
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        model = UnobservedComponents(np.asarray(z, float), level="local linear trend")
        results = _quiet(lambda: model.fit(disp=False))
        params = np.asarray(results.params, float)
        _check(params)
        k = len(params)
        return StateSpaceFit(model, params, _usable_cov(results, k), np.ones(k, bool),
                             np.zeros(k, bool))


@dataclass(frozen=True)
class Arima011:
    """ARIMA(0,1,1) with drift: a random walk with drift whose shocks partly reverse."""

    name: str = "arima"
    min_points: int = 5

    def fit(self, z: np.ndarray, transform: Transform | None = None) -> StateSpaceFit:
        from statsmodels.tsa.arima.model import ARIMA

        model = ARIMA(np.asarray(z, float), order=(0, 1, 1), trend="t")
        results = _quiet(lambda: model.fit())
        params = np.asarray(results.params, float)
        _check(params)
        names = list(model.param_names)
        positive = np.array([n.startswith("sigma2") for n in names])
        bounded = np.array([n.startswith("ma.") for n in names])
        return StateSpaceFit(model, params, _usable_cov(results, len(params)), positive, bounded)
