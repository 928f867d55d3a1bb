"""The dynamic optimised theta model (`theta`): a damped, smoothed trend for the `trend` mixture.

The theta method won the M3 competition, and its dynamic optimised form (DOTM, Fiorucci,
Pellegrini, Louzada, Petropoulos & Koehler 2016, *IJF* 32(4)) is what statsforecast's AutoTheta
picks most often on yearly data. It is a single-source-of-error state space model on the
indicator's own scale. With level ℓ, running mean Ȳ and the coefficients A, B of the straight
line fitted to the years seen so far (recomputed each year, hence "dynamic"):

    μ[t+1] = ℓ[t] + (1 − 1/θ) · ( (1 − α)^t · A[t] + B[t] · (1 − (1 − α)^(t+1)) / α )
    ℓ[t+1] = α · y[t+1] + (1 − α) · ℓ[t]
    Ȳ[t+1] = (t · Ȳ[t] + y[t+1]) / (t + 1)
    B[t+1] = ((t − 1) · B[t] + 6 · (y[t+1] − Ȳ[t]) / (t + 1)) / (t + 2)
    A[t+1] = Ȳ[t+1] − B[t+1] · (t + 2) / 2

with t counted from 1 and the first year giving ℓ[1] = α·y[1] + (1 − α)·ℓ0, Ȳ = A = y[1],
B = 0. ℓ0, the smoothing α ∈ [0.1, 0.99] and θ ≥ 1 minimise the squared one-step errors from
the fourth year on (``estimate``). θ = 1 is simple exponential smoothing (no trend); θ = 2 is
the classic method (half the line's slope); larger θ follows the line more. So the median extends a
smoothed level by a share (1 − 1/θ) of the fitted trend: a damped drift, learned per series.

The median path is on the indicator's own scale, like `linear`'s; the spread around it is the
drift model's on the model scale, so short series keep their honest Student-t width and values
stay within bounds. Series of fewer than ``MIN_POINTS`` years are too short to estimate three
parameters from: they take `linear`'s fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.models.random_walk import (
    Drift,
    LinearDrift,
    LinearFit,
    RandomWalkFit,
    around_median,
    inside_bounds,
)
from forecast.models.transforms import Transform

MIN_POINTS = 6  # three parameters, errors counted from the fourth year: at least three
ALPHA_BOUNDS = (0.1, 0.99)
THETA_BOUNDS = (1.0, 1e3)


@dataclass(frozen=True)
class ThetaState:
    """The model's state after the last observed year (t = n)."""

    level: float
    mean: float
    a: float
    b: float
    n: int


def _step(state: ThetaState, y: float, alpha: float) -> ThetaState:
    """The state after year t + 1 is observed as y."""
    t = state.n
    mean = (t * state.mean + y) / (t + 1)
    b = ((t - 1) * state.b + 6 * (y - state.mean) / (t + 1)) / (t + 2)
    return ThetaState(alpha * y + (1 - alpha) * state.level, mean, mean - b * (t + 2) / 2, b,
                      t + 1)


def _one_step(state: ThetaState, alpha: float, theta: float) -> float:
    """μ[t+1]: the forecast of the next year from the state after year t."""
    t = state.n
    trend = (1 - alpha) ** t * state.a + state.b * (1 - (1 - alpha) ** (t + 1)) / alpha
    return state.level + (1 - 1 / theta) * trend


def filter_series(y: np.ndarray, level0: float, alpha: float, theta: float
                  ) -> tuple[ThetaState, np.ndarray]:
    """The state after the last year and the one-step errors (the first year's is 0)."""
    y = np.asarray(y, dtype=float)
    state = ThetaState(alpha * y[0] + (1 - alpha) * level0, float(y[0]), float(y[0]), 0.0, 1)
    errors = np.zeros(len(y))
    for t in range(1, len(y)):
        errors[t] = y[t] - _one_step(state, alpha, theta)
        state = _step(state, float(y[t]), alpha)
    return state, errors


def theta_forecast(state: ThetaState, alpha: float, theta: float, horizon: int) -> np.ndarray:
    """The median path: each year's forecast fed back as if observed (no new error)."""
    out = np.empty(horizon)
    for k in range(horizon):
        out[k] = _one_step(state, alpha, theta)
        state = _step(state, out[k], alpha)
    return out


@dataclass(frozen=True)
class ThetaParameters:
    level0: float
    alpha: float
    theta: float


def _line_states(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A[t] and B[t] for t = 1..n, by the model's own update (they do not depend on α or θ,
    so the level is carried with any α and ignored)."""
    state = ThetaState(0.0, float(y[0]), float(y[0]), 0.0, 1)
    a, b = [state.a], [state.b]
    for v in y[1:]:
        state = _step(state, float(v), 0.5)
        a.append(state.a)
        b.append(state.b)
    return np.array(a), np.array(b)


def _profile(y: np.ndarray, alphas: np.ndarray, a: np.ndarray, b: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each α: the least-squares ℓ0 and trend share s = 1 − 1/θ, and the squared error.

    Given α, every one-step error is linear in ℓ0 and s:
    e[t+1] = y[t+1] − ℓ⁰[t] − (1 − α)^t · ℓ0 − s · T[t], with ℓ⁰ the level smoothed from
    ℓ0 = 0 and T[t] the trend term. So both are solved exactly (s kept in [0, 1 − 1/θmax]),
    and only α is searched.
    """
    n = len(y)
    t = np.arange(1, n)  # the years whose state forecasts the next: errors at t + 1
    decay = (1 - alphas)[:, None]
    lag = np.subtract.outer(np.arange(1, n + 1), np.arange(1, n + 1))  # t - j
    weights = np.where(lag >= 0, decay[:, :, None] ** np.maximum(lag, 0), 0.0)
    level = alphas[:, None] * (weights @ y)  # ℓ⁰[t], t = 1..n
    power = decay ** t  # (1 - α)^t
    trend = power * a[t - 1] + b[t - 1] * (1 - power * decay) / alphas[:, None]
    rest = y[t] - level[:, t - 1]
    keep = t + 1 >= 4  # errors from the fourth year on
    r, c, trend = rest[:, keep], power[:, keep], trend[:, keep]
    s_max = 1 - 1 / THETA_BOUNDS[1]
    cc, ct, tt = (c * c).sum(1), (c * trend).sum(1), (trend * trend).sum(1)
    cr, tr = (c * r).sum(1), (trend * r).sum(1)
    det = cc * tt - ct * ct
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(det > 1e-12 * cc * tt, (cc * tr - ct * cr) / det, tr / tt)
    share = np.clip(np.nan_to_num(share), 0.0, s_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        level0 = np.where(cc > 0, (cr - share * ct) / cc, 0.0)
    sse = ((r - level0[:, None] * c - share[:, None] * trend) ** 2).sum(1)
    return level0, share, sse


def estimate(y: np.ndarray) -> ThetaParameters:
    """ℓ0, α and θ minimising the squared one-step errors from the fourth year on.

    ℓ0 and θ are solved exactly for each α (``_profile``); α is found on a grid of 0.01 and
    refined on a grid of 0.0005 around the best point, so the answer does not depend on an
    optimiser's starting point.
    """
    y = np.asarray(y, dtype=float)
    a, b = _line_states(y)
    coarse = np.round(np.arange(ALPHA_BOUNDS[0], ALPHA_BOUNDS[1] + 1e-9, 0.01), 4)
    best = coarse[int(np.argmin(_profile(y, coarse, a, b)[2]))]
    fine = np.arange(max(ALPHA_BOUNDS[0], best - 0.01), min(ALPHA_BOUNDS[1], best + 0.01)
                     + 1e-9, 0.0005)
    level0, share, sse = _profile(y, fine, a, b)
    i = int(np.argmin(sse))
    return ThetaParameters(float(level0[i]), float(fine[i]), float(1 / (1 - share[i])))


@dataclass(frozen=True)
class ThetaFit:
    """Median path from the theta model in the indicator's unit, spread from the drift model."""

    state: ThetaState
    parameters: ThetaParameters
    floor: float
    ceiling: float
    transform: Transform
    shocks: RandomWalkFit  # the drift model's posterior on the model scale

    def median(self, horizon: int) -> np.ndarray:
        path = theta_forecast(self.state, self.parameters.alpha, self.parameters.theta, horizon)
        return np.clip(path, self.floor, self.ceiling)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        centre = self.transform.continuous().forward(self.median(horizon))
        return around_median(centre, self.shocks, horizon, n_paths, rng)


@dataclass(frozen=True)
class Theta:
    """Dynamic optimised theta median with the drift model's spread (see the module)."""

    prior_df: float
    prior_scale: float
    name: str = "theta"
    min_points: int = 2

    def fit(self, z: np.ndarray, transform: Transform) -> ThetaFit | LinearFit:
        if len(z) < MIN_POINTS:
            return LinearDrift(self.prior_df, self.prior_scale).fit(z, transform)
        raw = transform.continuous().inverse(np.asarray(z, dtype=float))
        parameters = estimate(raw)
        state, _ = filter_series(raw, parameters.level0, parameters.alpha, parameters.theta)
        floor, ceiling = inside_bounds(transform, raw[-1])
        shocks = Drift(self.prior_df, self.prior_scale).fit(z)
        return ThetaFit(state, parameters, floor, ceiling, transform, shocks)
