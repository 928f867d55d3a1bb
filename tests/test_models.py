"""Models against closed forms and simulations with a known truth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.models.random_walk import Drift, Naive
from forecast.models.registry import get_model, simulate_series
from forecast.models.transforms import Transform

LOG = Transform("log")


def drift_closed_form(z, h, prior_df, prior_scale):
    """Student-t predictive of z[T+h] for a random walk with drift, from first principles."""
    d = np.diff(z)
    m = len(d)
    c = d.mean()
    df = prior_df + m - 1
    s2 = (prior_df * prior_scale**2 + ((d - c) ** 2).sum()) / df
    return z[-1] + h * c, np.sqrt(s2 * (h + h**2 / m)), df


@pytest.mark.parametrize(("prior_df", "n_points"), [(0.0, 12), (2.0, 12), (2.0, 3), (2.0, 2)])
def test_drift_paths_match_closed_form(prior_df, n_points):
    rng = np.random.default_rng(7)
    z = np.log(100) + np.cumsum(rng.normal(0.08, 0.05, n_points))
    h = 3
    model = Drift(prior_df=prior_df, prior_scale=0.1)
    paths = model.fit(z).simulate(h, 200_000, np.random.default_rng(1))
    loc, scale, df = drift_closed_form(z, h, prior_df, 0.1)
    for q in (0.1, 0.5, 0.9):
        threshold = stats.t.ppf(q, df, loc, scale)
        p_sim = np.mean(paths[:, -1] <= threshold)
        assert p_sim == pytest.approx(q, abs=4 * np.sqrt(q * (1 - q) / 200_000))


def test_drift_long_series_approaches_textbook_gaussian():
    """fpp3: sigma_h = sigma * sqrt(h (1 + h / (T - 1))), Gaussian, for long series."""
    rng = np.random.default_rng(3)
    z = np.cumsum(rng.normal(0.05, 0.1, 400))
    h = 5
    paths = Drift(prior_df=0.0, prior_scale=0.1).fit(z).simulate(h, 100_000, rng)
    d = np.diff(z)
    sigma = d.std(ddof=1)
    sd = sigma * np.sqrt(h * (1 + h / (len(z) - 1)))
    assert paths[:, -1].mean() == pytest.approx(z[-1] + h * d.mean(), abs=4 * sd / 300)
    assert paths[:, -1].std() == pytest.approx(sd, rel=0.02)


def test_naive_closed_form():
    z = np.array([1.0, 1.1, 0.95, 1.05, 1.2])
    d = np.diff(z)
    fit = Naive(prior_df=2.0, prior_scale=0.1).fit(z)
    df = 2 + len(d)
    scale = np.sqrt((2 * 0.01 + (d**2).sum()) / df * 4)  # h = 4
    paths = fit.simulate(4, 200_000, np.random.default_rng(5))
    threshold = stats.t.ppf(0.8, df, z[-1], scale)
    assert np.mean(paths[:, -1] <= threshold) == pytest.approx(0.8, abs=0.004)


def test_cagr_rule_is_deterministic_recency_weighted_growth():
    raw = np.array([100.0, 110.0, 132.0])  # growth 10% then 20%, weights 1 and 2
    fit = get_model("cagr").fit(LOG.forward(raw), LOG)
    paths = LOG.inverse(fit.simulate(2, 10, np.random.default_rng(0)))
    rate = np.exp((np.log(1.1) * 1 + np.log(1.2) * 2) / 3)
    np.testing.assert_allclose(paths, np.tile([132 * rate, 132 * rate**2], (10, 1)))


@pytest.mark.parametrize("name", ["ets", "llt", "arima"])
def test_statsmodels_models_recover_a_known_trend(name):
    """A log-linear trend of 6% a year with small noise: one year ahead the median is on it;
    four years ahead the undamped models' 90% range covers it, damped ETS stays below it."""
    rng = np.random.default_rng(11)
    years = np.arange(15)
    z = np.log(50) + 0.06 * years + rng.normal(0, 0.01, len(years))
    paths = get_model(name).fit(z, LOG).simulate(4, 4000, np.random.default_rng(2))
    assert paths.shape == (4000, 4)
    truth = np.log(50) + 0.06 * (years[-1] + np.arange(1, 5))
    assert np.median(paths[:, 0]) == pytest.approx(truth[0], abs=0.03)
    lo, med, hi = np.quantile(paths[:, -1], [0.05, 0.5, 0.95])
    if name == "ets":
        assert z[-1] < med < truth[-1]
    else:
        assert lo < truth[-1] < hi


@pytest.mark.parametrize("points", [2, 3])
def test_short_series_get_a_wide_honest_distribution(points):
    """Two or three points: no crash, no false certainty (80% range wider than ±5%)."""
    z = LOG.forward(np.array([644.0, 776.0, 830.0][:points]))
    seen = {}
    paths, info = simulate_series("ensemble", z, LOG, 1, 3000,
                                  lambda k: seen.setdefault(k, np.random.default_rng(len(seen))))
    lo, hi = np.exp(np.quantile(paths[:, 0], [0.1, 0.9]))
    assert hi / lo > 1.10
    assert any("drift used" in n for n in info.notes)


def test_ensemble_is_an_equal_mixture_of_members():
    """Ensemble paths are each member's own paths, n/3 apiece, from the member's own stream."""
    z = np.log(np.linspace(100, 200, 12))
    streams = {"ets": 1, "llt": 2, "arima": 3}
    paths, _ = simulate_series("ensemble", z, LOG, 2, 3001,
                               lambda k: np.random.default_rng(streams[k]))
    parts = [
        simulate_series(member, z, LOG, 2, size, lambda k: np.random.default_rng(streams[k]))[0]
        for member, size in (("ets", 1001), ("llt", 1000), ("arima", 1000))
    ]
    np.testing.assert_array_equal(paths, np.vstack(parts))
