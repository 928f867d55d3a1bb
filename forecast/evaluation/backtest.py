"""Backtest any model: the pooled ones (`bayes`, `auto`, `counts`) by calendar-year origins
over the tree of regions (``panel``), the single-series ones series by series (``single``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from forecast.evaluation.origins import BacktestSettings, SeriesUnit
from forecast.evaluation.panel import run_panel_backtest
from forecast.evaluation.results import BacktestResult
from forecast.evaluation.single import run_single_backtest
from forecast.models.registry import POOLED_MODELS


def run_backtest(units: list[SeriesUnit], settings: BacktestSettings, workers: int = 1,
                 progress: Callable[[int], None] | None = None,
                 regions: pd.DataFrame | dict[str, str] | None = None,
                 cache_dir: Path | None = None) -> BacktestResult:
    """Backtest every unit, in order, on ``workers`` processes.

    The pooled models need every region of an indicator at each origin, so they go to
    ``panel.run_panel_backtest``, with ``regions`` (regions.csv) as the tree and each
    (indicator, origin) fit kept in ``cache_dir`` when it is given.
    """
    if settings.model in POOLED_MODELS:
        return run_panel_backtest(units, settings, workers, progress, regions, cache_dir)
    return run_single_backtest(units, settings, workers, progress)
