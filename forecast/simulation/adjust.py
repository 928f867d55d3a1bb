"""Scenario arithmetic: a scenario's adjustments applied to the simulated years of a series.

Every scenario transforms the baseline's own paths, so all scenarios of a series share its
random draws: the difference between two scenarios is the scenario's effect, not Monte Carlo
noise, and a scenario costs an array operation rather than a new simulation. The adjustments
of one scenario apply in a fixed order, whatever their order in the file: ``volatility`` (on
the model scale, so bounds hold), then ``growth_shift`` (compounding), then ``shock`` (a level
change that persists). Observed years are never touched.
"""

from __future__ import annotations

import numpy as np

from forecast.inputs.catalogue import Indicator
from forecast.inputs.scenarios import ALL, Scenario
from forecast.models.transforms import transform_for
from forecast.simulation.paths import Paths


def apply(scenario: Scenario, indicator: Indicator, paths: Paths, last_observed: int,
          wildcard: bool = True) -> Paths:
    """The paths of one series under a scenario: its simulated years (after
    ``last_observed``) adjusted, its observed years untouched. Integer paths stay integer.
    ``wildcard=False`` applies only adjustments naming the indicator itself (a derived
    indicator takes the ``*`` adjustments through its components)."""
    adjustments = [a for a in scenario.adjustments
                   if a.indicator == indicator.id or (wildcard and a.indicator == ALL)]
    if not adjustments:
        return paths
    start = last_observed + 1 - paths.first_year  # first simulated column
    if start >= paths.values.shape[1]:
        return paths
    values = paths.values.astype(float, copy=True)
    integer = bool(np.all(values == np.round(values)))
    future = values[:, start:]
    for a in adjustments:
        if a.volatility is not None:
            future = widen(future, a.volatility, indicator, values[0, :start])
    years = np.arange(last_observed + 1, paths.last_year + 1)
    shift = sum((np.where(years >= (a.from_year or years[0]), a.growth_shift / 100, 0.0)
                 for a in adjustments if a.growth_shift is not None), np.zeros(len(years)))
    shock = np.prod([np.where(years == a.year, 1 + a.shock / 100, 1.0)
                     for a in adjustments if a.shock is not None], axis=0) \
        if any(a.shock is not None for a in adjustments) else np.ones(len(years))
    future = regrow(values[:, start - 1] if start > 0 else future[:, 0], future, shift, shock,
                    has_origin=start > 0)
    future = np.clip(future, indicator.lower, indicator.upper)
    values[:, start:] = np.round(future) if integer else future
    return Paths(paths.first_year, values)


def widen(future: np.ndarray, factor: float, indicator: Indicator,
          observed: np.ndarray) -> np.ndarray:
    """Each simulated year's spread around its median multiplied by ``factor``, on the model
    scale (logit for shares, log for amounts), so the result keeps the indicator's bounds."""
    transform = transform_for(indicator, observed if observed.size else future[0])
    exact = transform.continuous()
    z = exact.forward(future)
    median = np.median(z, axis=0)
    return exact.inverse(median + factor * (z - median))


def regrow(origin: np.ndarray, future: np.ndarray, shift: np.ndarray, shock: np.ndarray,
           has_origin: bool = True) -> np.ndarray:
    """Re-compound simulated levels with ``shift`` added to each year's growth factor and the
    level multiplied by ``shock`` in its year: new[t] = new[t-1] * (old[t] / old[t-1] + shift[t])
    * shock[t]. Where old[t-1] is 0 a growth factor is undefined and the change in level is
    kept instead."""
    out = np.empty_like(future)
    prev_old, prev_new = origin, origin
    for t in range(future.shape[1]):
        old = future[:, t]
        if t == 0 and not has_origin:
            new = old * (1 + shift[t]) * shock[t]
        else:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                factor = old / prev_old + shift[t]
                new = np.where(prev_old > 0, prev_new * factor, prev_new + (old - prev_old))
            new = new * shock[t]
        out[:, t] = new
        prev_old, prev_new = old, new
    return out
