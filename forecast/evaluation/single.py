"""Out-of-sample evaluation of a single-series model: hold out the last years of each series,
forecast them, score.

A unit of work is one series: for each of K rolling origins it is cut before the last H (+ k)
years, the model is fitted to the rest, and the held-out years are simulated by the same
function a run uses and scored (``results``). Planner-style threshold targets are scored too,
so the Brier score of our probabilities can be compared across models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from forecast.evaluation.origins import BacktestSettings, SeriesUnit, cut_by_position, cuts
from forecast.evaluation.results import BacktestResult, UnitResult, score_cut
from forecast.execution import map_units
from forecast.simulation.simulate import simulate_future


def backtest_unit(unit: SeriesUnit, settings: BacktestSettings) -> UnitResult:
    """Every origin of one series: simulated from its training years, scored."""
    out = UnitResult()
    for cut, end in cuts(unit.years, settings):
        c = cut_by_position(unit, cut, end)
        future = simulate_future(c.request(), settings.model, len(c.actual), settings.draws,
                                 settings.seed, settings.calibration, stream=(str(c.origin),))
        row, events, points = score_cut(c, future)
        out.metrics.append(row)
        out.events.append(events)
        out.points += points
    return out


def run_single_backtest(units: list[SeriesUnit], settings: BacktestSettings, workers: int = 1,
                        progress: Callable[[int], None] | None = None) -> BacktestResult:
    """Backtest every unit with a single-series model, in order, on ``workers`` processes."""
    metrics, events, points = [], [], []
    skipped = 0
    chunk = max(1, len(units) // (workers * 8)) if workers > 1 else 1
    for res in map_units(_Job(settings), units, workers, chunksize=chunk):
        metrics += res.metrics
        events += res.events
        points += res.points
        skipped += res.metrics == []
        if progress:
            progress(1)
    return BacktestResult(
        pd.DataFrame(metrics),
        pd.concat(events, ignore_index=True) if events else pd.DataFrame(),
        pd.DataFrame(points),
        skipped,
    )


@dataclass(frozen=True)
class _Job:
    """A picklable callable for the process pool."""

    settings: BacktestSettings

    def __call__(self, unit: SeriesUnit) -> UnitResult:
        return backtest_unit(unit, self.settings)
