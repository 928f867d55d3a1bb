"""Which origins a backtest evaluates, and each series cut at an origin.

A single-series backtest cuts each series by position (the last ``holdout`` years held out,
``origins`` rolling origins); a panel backtest cuts every region of an indicator at the same
calendar year, since the pooled model fits them together. Either way a ``Cut`` is what the
model sees (the training years) and what is held out, and becomes the request that
``simulation.simulate_future`` simulates, exactly as a run would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.config import DEFAULT_MODEL, DEFAULT_SEED
from forecast.inputs.catalogue import Indicator
from forecast.inputs.series import series_table, usable_history
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.transforms import Transform, transform_for
from forecast.simulation.calibration import NONE, Calibration
from forecast.simulation.simulate import SeriesRequest

MIN_TRAIN = 3  # fewer training points than this and an origin is skipped


@dataclass(frozen=True)
class BacktestSettings:
    model: str = DEFAULT_MODEL
    holdout: int = 6
    origins: int = 1
    draws: int = 1000
    seed: int = DEFAULT_SEED
    calibration: Calibration = NONE
    until: int | None = None  # learning mode: every origin whose held-out years are <= until
    after: int | None = None  # scoring mode: only origins whose held-out years are all > after
    max_origins: int = 8  # in learning mode, the most recent origins per series
    pooled: PooledSettings = field(default_factory=PooledSettings)  # `bayes`/`auto` fits


def cuts(years: np.ndarray, settings: BacktestSettings) -> list[tuple[int, int]]:
    """(train end, held-out end) index pairs of the origins to evaluate.

    Scoring mode: the last ``origins`` origins, each holding out ``holdout`` years (the last
    origin ends at the last year), keeping only those held out after ``after`` if it is set.
    Learning mode (``until``): every origin with at least MIN_TRAIN years of training whose
    held-out years, up to ``holdout`` of them, end by ``until``, so what is learned never sees
    the years later scored.
    """
    n, h = len(years), settings.holdout
    if settings.until is None:
        pairs = [(n - h - k, n - k) for k in range(settings.origins - 1, -1, -1)
                 if n - h - k >= MIN_TRAIN]
        if settings.after is not None:
            pairs = [(c, e) for c, e in pairs if years[c] > settings.after]
        return pairs
    last = int(np.searchsorted(years, settings.until, side="right"))  # years[:last] <= until
    pairs = [(c, min(c + h, last)) for c in range(MIN_TRAIN, last)]
    return pairs[-settings.max_origins:]


@dataclass(frozen=True)
class SeriesUnit:
    region: str
    indicator: Indicator
    years: np.ndarray
    values: np.ndarray


def series_units(observations: pd.DataFrame, catalogue) -> list[SeriesUnit]:
    """One unit per (region, indicator): its most recent run of consecutive years."""
    table = series_table(observations)
    units = []
    for k, (region, ind_id) in enumerate(table.keys):
        years, values, _ = usable_history(*table.series(k))
        units.append(SeriesUnit(region, catalogue[ind_id], years, values))
    return units


@dataclass(frozen=True)
class Cut:
    """One series at one origin year: what the fit sees and what is held out."""

    unit: SeriesUnit
    origin: int
    train: np.ndarray
    actual: np.ndarray  # empty when the series has nothing to score at this origin
    transform: Transform

    @property
    def scored(self) -> bool:
        return len(self.train) >= MIN_TRAIN and len(self.actual) > 0

    def request(self, **draws) -> SeriesRequest:
        """The training years as a run's request (with a pooled fit's ``posterior`` or
        ``counts`` draws for the region, when given)."""
        years = self.unit.years[self.unit.years <= self.origin]
        return SeriesRequest(self.unit.region, self.unit.indicator, years, self.train,
                             self.origin + len(self.actual), **draws)


def cut_by_position(unit: SeriesUnit, cut: int, end: int) -> Cut:
    """The unit's first ``cut`` years for training and those up to ``end`` held out."""
    train = unit.values[:cut]
    return Cut(unit, int(unit.years[cut - 1]), train, unit.values[cut:end],
               transform_for(unit.indicator, train))


def cut_at(unit: SeriesUnit, origin: int, settings: BacktestSettings) -> Cut:
    """The unit's history up to ``origin`` and its held-out years after it."""
    end = origin + settings.holdout
    if settings.until is not None:
        end = min(end, settings.until)
    train = unit.values[unit.years <= origin]
    actual = unit.values[(unit.years > origin) & (unit.years <= end)]
    return Cut(unit, origin, train, actual, transform_for(unit.indicator, train))


def origin_years(units: list[SeriesUnit], settings: BacktestSettings) -> list[int]:
    """The calendar origins of one indicator's units where at least one series is scored."""
    def scores_any(origin: int) -> bool:
        return any(cut_at(u, origin, settings).scored for u in units)

    if settings.until is None:
        last = max(int(u.years[-1]) for u in units)
        years = [last - settings.holdout - k for k in range(settings.origins - 1, -1, -1)]
        if settings.after is not None:
            years = [o for o in years if o >= settings.after]  # held-out years all > after
        return [o for o in years if scores_any(o)]
    first = min(int(u.years[0]) for u in units)
    years = [o for o in range(first, settings.until) if scores_any(o)]
    return years[-settings.max_origins:]
