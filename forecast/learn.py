"""Learn the default model's calibration from backtests: member weights and spread factors.

Two steps, both on origins whose held-out years end by ``until`` (so the years scored later,
after ``until``, are never seen):

1. member weights per indicator: the share of `linear` (vs compound-growth `drift`) that
   minimises the mean MASE of the weighted median forecast across all regions' series of that
   indicator; indicators with too few backtest points, and indicators not in the corpus, get
   the weight learned on the whole corpus ("default");
2. spread factors per kind group and horizon, from the weighted mixture's held-out values
   (``forecast.calibration.fit_factors``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from forecast.backtest import BacktestSettings, SeriesUnit, run_backtest
from forecast.calibration import Calibration, fit_factors

WEIGHT_GRID = np.round(np.arange(0.0, 1.0001, 0.05), 2)
MIN_POINTS_FOR_OWN_WEIGHT = 100  # held-out values an indicator needs to get its own weight


def best_linear_weight(linear: pd.DataFrame, drift: pd.DataFrame) -> float:
    """Weight of `linear` minimising mean scaled absolute error of the weighted median."""
    err = [
        float(np.mean(np.abs(linear["actual"] - (w * linear["median"] + (1 - w) * drift["median"]))
                      / linear["scale"]))
        for w in WEIGHT_GRID
    ]
    return float(WEIGHT_GRID[int(np.argmin(err))])


def learn_weights(points: dict[str, pd.DataFrame]) -> dict[str, dict[str, float]]:
    keys = ["region", "indicator", "origin", "horizon"]
    lin = points["linear"].set_index(keys).sort_index()
    dri = points["drift"].set_index(keys).sort_index().loc[lin.index]
    ok = lin["scale"] > 0
    lin, dri = lin[ok], dri[ok]
    weights = {"default": _pair(best_linear_weight(lin, dri))}
    for indicator, sub in lin.groupby(level="indicator"):
        if len(sub) >= MIN_POINTS_FOR_OWN_WEIGHT:
            weights[str(indicator)] = _pair(best_linear_weight(sub, dri.loc[sub.index]))
    return weights


def _pair(w: float) -> dict[str, float]:
    return {"linear": w, "drift": round(1 - w, 2)}


def learn(units: list[SeriesUnit], until: int, horizon: int = 6, draws: int = 1000,
          seed: int = 20231, workers: int = 1, model: str = "trend",
          progress: Callable[[int], None] | None = None) -> tuple[Calibration, dict]:
    """The calibration of ``model`` (a linear/drift mixture), and a report of what was learned."""
    settings = BacktestSettings(model="linear", holdout=horizon, draws=draws, seed=seed,
                                until=until)
    points = {}
    for member in ("linear", "drift"):
        res = run_backtest(units, replace(settings, model=member), workers, progress)
        points[member] = res.points
    weights = learn_weights(points)
    unweighted = Calibration({model: {"weights": weights}}, {})
    res = run_backtest(units, replace(settings, model=model, calibration=unweighted), workers,
                       progress)
    spread = fit_factors(res.points, horizon)
    report = {
        "until": until, "horizon": horizon, "series": len(units),
        "held_out_values": len(res.points),
        "by_indicator": res.points.groupby("indicator").size().to_dict(),
    }
    calibration = Calibration({model: {"weights": weights, "spread": spread}}, report)
    return calibration, report
