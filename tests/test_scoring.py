"""Scores against closed forms, hand computations and published figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.config import EXAMPLE_DATA
from forecast.evaluation import scoring
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.origins import BacktestSettings, SeriesUnit
from forecast.evaluation.results import summarise

EXTERNAL = EXAMPLE_DATA / "external"


@pytest.fixture(scope="module")
def m3_units(catalogue):
    long = pd.read_csv(EXTERNAL / "m3_yearly_long.csv")  # in the repository: never skipped
    indicator = catalogue.with_generic(["m3"], "amount")["m3"]
    return [SeriesUnit(sid, indicator, g["t"].to_numpy(), g["value"].to_numpy(float))
            for sid, g in long.groupby("series_id", sort=True)]


def test_mase_and_smape_by_hand():
    train = np.array([10.0, 12.0, 11.0, 15.0])  # naive MAE = (2 + 1 + 4) / 3
    actual, point = np.array([16.0, 18.0]), np.array([15.0, 15.0])
    assert scoring.mase(actual, point, train) == pytest.approx(2.0 / (7 / 3))
    assert scoring.smape(actual, point) == pytest.approx(
        np.mean([200 * 1 / 31, 200 * 3 / 33]))


def test_crps_of_a_gaussian_ensemble_matches_the_closed_form():
    """CRPS(N(mu, s), y) = s [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)], z = (y - mu) / s."""
    rng = np.random.default_rng(0)
    mu, s = np.array([0.0, 1.0, 5.0]), np.array([1.0, 2.0, 0.5])
    y = np.array([0.3, -1.0, 5.9])
    paths = mu + s * rng.standard_normal((200_000, 3))
    z = (y - mu) / s
    closed = s * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))
    np.testing.assert_allclose(scoring.crps(y, paths), closed, rtol=0.01)


def test_coverage_and_pit_of_a_known_distribution():
    rng = np.random.default_rng(1)
    paths = rng.standard_normal((100_000, 3))
    actual = np.array([0.0, 1.0, 3.0])  # median, inside the 80% interval, far tail
    np.testing.assert_allclose(scoring.pit(actual, paths),
                               stats.norm.cdf(actual), atol=0.005)
    assert scoring.coverage(actual, paths, 0.80) == pytest.approx(2 / 3)
    assert scoring.coverage(actual, paths, 0.95) == pytest.approx(2 / 3)


def test_coverage_of_whole_numbers_is_exact_for_the_true_distribution():
    # Poisson(2) paths scored against Poisson(2) actuals: the randomised PIT is uniform, so
    # the expected coverage is the nominal level, where the closed interval would give more.
    rng = np.random.default_rng(3)
    paths = rng.poisson(2.0, size=(200_000, 1)).astype(float)
    levels = {0.80: [], 0.95: []}
    for y in range(12):
        weight = stats.poisson.pmf(y, 2.0)
        for level in levels:
            levels[level].append(weight * scoring.coverage(np.array([float(y)]), paths, level))
    for level, parts in levels.items():
        assert sum(parts) == pytest.approx(level, abs=0.005)
    lo, hi = stats.poisson.ppf([0.1, 0.9], 2.0)
    closed = stats.poisson.cdf(hi, 2.0) - stats.poisson.cdf(lo - 1, 2.0)
    assert closed > 0.9  # why the plain interval is not used


def test_threshold_events_use_the_past_pace():
    train = np.array([100.0, 110.0, 120.0])  # pace 10 a year
    actual = np.array([125.0, 150.0])
    paths = np.tile([[125.0, 140.0]], (4, 1))
    ev = scoring.threshold_events(train, actual, paths).set_index(["pace_multiple", "horizon"])
    # m = 1, h = 2: threshold 140; the paths reach it (p = 1), the actual 150 does too
    assert ev.loc[(1.0, 2), "probability"] == 1.0 and ev.loc[(1.0, 2), "outcome"]
    # m = 1, h = 1: threshold 130; paths 125 do not, actual 125 does not
    assert ev.loc[(1.0, 1), "probability"] == 0.0 and not ev.loc[(1.0, 1), "outcome"]
    assert len(ev) == 5 * 2


def test_brier_decomposition_by_hand():
    prob = np.array([0.1, 0.1, 0.9, 0.9, 0.9])
    outcome = np.array([0, 1, 1, 1, 0])
    d = scoring.brier_decomposition(prob, outcome, bins=10)
    assert d["brier"] == pytest.approx(np.mean((prob - outcome) ** 2))
    base = 3 / 5
    rel = (2 * (0.1 - 0.5) ** 2 + 3 * (0.9 - 2 / 3) ** 2) / 5
    res = (2 * (0.5 - base) ** 2 + 3 * (2 / 3 - base) ** 2) / 5
    assert d["reliability"] == pytest.approx(rel)
    assert d["resolution"] == pytest.approx(res)
    assert d["uncertainty"] == pytest.approx(base * (1 - base))
    # with one forecast value per bin the decomposition is exact
    assert d["brier"] == pytest.approx(rel - res + base * (1 - base))


def test_binomial_band_matches_clopper_pearson():
    lo, hi = scoring.binomial_band(80, 100)
    assert (lo, hi) == pytest.approx((0.7082, 0.8733), abs=1e-4)  # exact 95% interval
    assert scoring.binomial_band(0, 10)[0] == 0.0 and scoring.binomial_band(10, 10)[1] == 1.0


def test_naive_on_m3_yearly_reproduces_the_published_naive2(m3_units):
    """Makridakis & Hibon (2000) / Hyndman: Naive2 on M3 yearly, h = 6: sMAPE 17.88,
    MASE 3.17. Our point forecast is the median of simulated paths, so it may differ by the
    Monte Carlo error of a median (a few thousandths)."""
    result = run_backtest(m3_units, BacktestSettings(model="naive", holdout=6, draws=4000))
    summary = summarise(result)
    assert summary["series_origins"] == 645
    assert summary["sMAPE"] == pytest.approx(17.88, abs=0.05)
    assert summary["MASE"] == pytest.approx(3.17, abs=0.01)


def test_linear_drift_on_m3_matches_the_textbook_drift_forecast(m3_units):
    """The random walk with drift on M3 yearly has MASE 2.632 (computed directly from the
    drift forecast, and 2.63 as statsforecast measured it in the issue); our `linear` member's
    median is that forecast, up to the Monte Carlo error of a simulated median."""
    summary = summarise(run_backtest(m3_units, BacktestSettings(model="linear", holdout=6,
                                                                draws=4000), workers=2))
    assert summary["MASE"] == pytest.approx(2.632, abs=0.012)
