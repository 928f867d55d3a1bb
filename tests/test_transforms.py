"""The model scale keeps simulated values inside the indicator's bounds."""

from __future__ import annotations

import numpy as np

from forecast.models.registry import simulate_series
from forecast.models.transforms import transform_for


def test_logit_keeps_shares_inside_0_100(catalogue):
    share = catalogue["air_quality_good_rate"]
    history = np.array([78.0, 81.4, 92.0, 98.5])  # near the top bound, rising fast
    t = transform_for(share, history)
    assert t.name == "logit"
    np.testing.assert_allclose(t.inverse(t.forward(history)), history)
    paths, _ = simulate_series("drift", t.forward(history), t, 10, 5000,
                               lambda k: np.random.default_rng(0))
    values = t.inverse(paths)
    assert values.min() >= 0 and values.max() <= 100
    assert np.quantile(values[:, -1], 0.9) > 99  # the trend pushes towards 100, never past it


def test_values_on_a_bound_are_handled(catalogue):
    t = transform_for(catalogue["rd_intensity"], np.array([0.0, 100.0]))
    assert np.all(np.isfinite(t.forward(np.array([0.0, 100.0]))))


def test_counts_stay_whole_and_non_negative(catalogue):
    counts = np.array([0.0, 1.0, 0.0, 2.0])
    t = transform_for(catalogue["hitech_enterprises"], counts)
    paths, _ = simulate_series("naive", t.forward(counts), t, 5, 2000,
                               lambda k: np.random.default_rng(1))
    values = t.inverse(paths)
    assert values.min() >= 0
    np.testing.assert_array_equal(values, np.round(values))


def test_lower_bound_other_than_zero(catalogue):
    ratio = catalogue["urban_rural_income_ratio"]  # cannot fall below 1
    history = np.array([1.2, 1.1, 1.05])
    t = transform_for(ratio, history)
    paths, _ = simulate_series("drift", t.forward(history), t, 8, 2000,
                               lambda k: np.random.default_rng(2))
    assert t.inverse(paths).min() >= 1.0


def test_the_log_floor_scales_with_the_series(catalogue):
    """log(k·x) = log(k) + log(x) for every observed value, in any unit: the floor that keeps
    a log finite sits below the series' smallest value, so it never touches the data (an
    absolute floor of 1e-4 flattened a series given in units of 10^-12 into a constant)."""
    x = np.array([233.2, 287.7, 327.0, 367.9, 412.7])
    for k in (1e-12, 1e-6, 1.0, 1e6, 1e12):
        t = transform_for(catalogue["rd_expenditure"], k * x)
        assert t.name == "log" and t.floor < k * x.min()
        np.testing.assert_allclose(t.forward(k * x), np.log(k) + np.log(x), rtol=1e-12)
        np.testing.assert_allclose(t.inverse(t.forward(k * x)), k * x, rtol=1e-12)
