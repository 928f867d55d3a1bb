"""Calibration learns what it should from simulations with a known truth, and widens what the
models forecast where their backtests were too narrow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.learn import fit_factor, fit_factors, learn
from forecast.evaluation.origins import BacktestSettings, SeriesUnit
from forecast.evaluation.results import summarise
from forecast.simulation.calibration import Calibration


def _series(kind_indicator, growth: str, n_series: int, rng) -> list[SeriesUnit]:
    units = []
    years = np.arange(2000, 2016)
    for i in range(n_series):
        t = np.arange(len(years))
        if growth == "linear":
            values = 100 + 8 * t + rng.normal(0, 3, len(t))
        else:
            values = 100 * np.exp(0.08 * t + rng.normal(0, 0.02, len(t)))
        units.append(SeriesUnit(f"r{i}", kind_indicator, years, values))
    return units


def test_apply_keeps_the_median_and_scales_the_spread():
    rng = np.random.default_rng(0)
    z = rng.normal(2.0, 0.3, size=(5000, 3))
    cal = Calibration({"trend": {"spread": {"positive": [1.0, 2.0]}}}, {})
    out = cal.apply(z, "trend", "amount")
    np.testing.assert_allclose(np.median(out, axis=0), np.median(z, axis=0))
    ratio = out.std(axis=0) / z.std(axis=0)
    np.testing.assert_allclose(ratio, [1.0, 2.0, 2.0], rtol=1e-6)  # the last factor extends
    assert cal.apply(z, "trend", "share") is z  # no factors for shares: unchanged


def test_fit_factor_recovers_a_known_miscalibration():
    """Quantiles of N(0, 1) while outcomes come from N(0, 1.6^2): the factor is 1.6."""
    rng = np.random.default_rng(1)
    n = 20_000
    q = {f"q{lv}": np.full(n, v) for lv, v in
         ((0.025, -1.959964), (0.1, -1.281552), (0.5, 0.0), (0.9, 1.281552), (0.975, 1.959964))}
    points = pd.DataFrame({"z": rng.normal(0, 1.6, n), **q})
    assert fit_factor(points) == pytest.approx(1.6, abs=0.03)


def test_factors_never_shrink_with_horizon():
    rng = np.random.default_rng(2)
    rows = []
    for h, true in ((1, 1.5), (2, 1.2), (3, 2.0)):
        for _ in range(2000):
            rows.append({"kind": "amount", "indicator": "x", "horizon": h,
                         "z": rng.normal(0, true),
                         "q0.025": -1.96, "q0.1": -1.2816, "q0.5": 0.0, "q0.9": 1.2816,
                         "q0.975": 1.96})
    factors = fit_factors(pd.DataFrame(rows), 3)["positive"]
    assert factors[0] == pytest.approx(1.5, abs=0.06)
    assert factors[1] == factors[0]  # 1.2 would shrink: held at the previous horizon's
    assert factors[2] == pytest.approx(2.0, abs=0.08)


def test_learn_weights_linear_growth_towards_linear_and_compound_towards_drift(catalogue):
    rng = np.random.default_rng(4)
    cat = catalogue.with_generic(["lin", "exp"], "amount")
    units = _series(cat["lin"], "linear", 15, rng) + _series(cat["exp"], "compound", 15, rng)
    calibration, report = learn(units, until=2012, horizon=3, draws=300)
    weights = calibration.models["trend"]["weights"]
    assert weights["lin"]["linear"] >= 0.8
    assert weights["exp"]["linear"] <= 0.2
    # years 2000-2015 held out up to 2012, 3 at a time: the 8 most recent origins with at
    # least 3 training years (2004-2011) hold out 3+3+3+3+3+3+2+1 = 21 values per series
    assert report["held_out_values"] == 30 * 21
    spread = calibration.models["trend"]["spread"]["positive"]
    assert len(spread) == 3 and spread == sorted(spread)


def test_calibrated_trend_is_better_covered_than_raw_on_held_out_years(catalogue):
    """Learn on years up to 2012, score later years: calibration moves coverage to nominal."""
    rng = np.random.default_rng(5)
    cat = catalogue.with_generic(["lin"], "amount")
    units = _series(cat["lin"], "linear", 40, rng)
    calibration, _ = learn(units, until=2011, horizon=3, draws=300)
    scored = {}
    for name, cal in (("raw", Calibration({}, {})), ("calibrated", calibration)):
        res = run_backtest(units, BacktestSettings(model="trend", holdout=3, origins=2,
                                                   after=2011, draws=300, calibration=cal))
        scored[name] = summarise(res)["coverage_80"]["rate"]
    assert abs(scored["calibrated"] - 0.8) < abs(scored["raw"] - 0.8)
