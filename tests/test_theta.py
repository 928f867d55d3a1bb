"""The theta member of `trend`: the dynamic optimised theta model recovers its parameters from
a simulation with a known truth, its estimator finds the least squares, and the learner gives it
the weight where the truth is a damped trend."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from forecast.evaluation import scoring
from forecast.evaluation.learn import best_weights, earned_weights, learn, weight_grid
from forecast.evaluation.origins import SeriesUnit
from forecast.models.registry import TREND_MEMBERS, get_model
from forecast.models.theta import MIN_POINTS, estimate, filter_series, theta_forecast
from forecast.models.transforms import transform_for


def simulate_dotm(n: int, alpha: float, theta: float, level0: float, sigma: float,
                  rng: np.random.Generator, first: float = 100.0) -> np.ndarray:
    """A series drawn from the model's equations (Fiorucci et al. 2016, written out here
    independently of the module): each year is its one-step forecast plus a Gaussian error."""
    y = [first]
    level, mean, a, b = alpha * first + (1 - alpha) * level0, first, first, 0.0
    for t in range(1, n):
        mu = level + (1 - 1 / theta) * ((1 - alpha) ** t * a
                                        + b * (1 - (1 - alpha) ** (t + 1)) / alpha)
        v = mu + rng.normal(0, sigma)
        y.append(v)
        level = alpha * v + (1 - alpha) * level
        b = ((t - 1) * b + 6 * (v - mean) / (t + 1)) / (t + 2)
        mean = (t * mean + v) / (t + 1)
        a = mean - b * (t + 2) / 2
    return np.array(y)


@pytest.mark.parametrize(("alpha", "theta"), [(0.3, 3.0), (0.6, 1.5), (0.8, 2.0)])
def test_parameters_are_recovered_from_simulated_series(alpha, theta):
    rng = np.random.default_rng(11)
    fits = [estimate(simulate_dotm(200, alpha, theta, 90.0, 1.0, rng)) for _ in range(15)]
    assert np.median([f.alpha for f in fits]) == pytest.approx(alpha, abs=0.04)
    assert np.median([f.theta for f in fits]) == pytest.approx(theta, rel=0.08)


def test_the_estimate_is_the_least_squares_a_general_optimiser_finds():
    """Nelder–Mead over all three parameters from several starts never does better than the
    profile estimator (ℓ0 and θ solved exactly, α on a fine grid)."""
    rng = np.random.default_rng(12)
    for _ in range(10):
        y = simulate_dotm(int(rng.integers(8, 30)), rng.uniform(0.1, 0.9), rng.uniform(1, 4),
                          rng.uniform(50, 150), rng.uniform(0.5, 5), rng)
        p = estimate(y)
        ours = np.sum(filter_series(y, p.level0, p.alpha, p.theta)[1][3:] ** 2)

        def sse(q: np.ndarray, y: np.ndarray = y) -> float:
            return float(np.sum(filter_series(y, *q)[1][3:] ** 2))

        for start in ([y[0] / 2, 0.5, 2.0], [y[0], 0.2, 5.0], [y[0], 0.9, 1.2]):
            res = minimize(sse, start, method="Nelder-Mead",
                           bounds=[(None, None), (0.1, 0.99), (1.0, 1e3)],
                           options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 5000})
            assert ours <= res.fun * (1 + 1e-6) + 1e-9


def test_a_straight_line_is_continued():
    y = 20 + 3.0 * np.arange(12)
    p = estimate(y)
    state, errors = filter_series(y, p.level0, p.alpha, p.theta)
    # θ is held at 1000, so (1 − 1/θ) of the slope carries on: 3 per mille of 3 is missed
    np.testing.assert_allclose(errors[3:], 0, atol=3.5e-3)
    np.testing.assert_allclose(theta_forecast(state, p.alpha, p.theta, 4),
                               20 + 3.0 * np.arange(12, 16), atol=0.02)


def test_theta_one_is_exponential_smoothing():
    """θ = 1 removes the trend: the forecast is the smoothed level, flat."""
    y = np.array([5.0, 7, 6, 9, 8, 10, 9])
    state, _ = filter_series(y, 4.0, 0.4, 1.0)
    level = 0.4 * y[0] + 0.6 * 4.0
    for v in y[1:]:
        level = 0.4 * v + 0.6 * level
    np.testing.assert_allclose(theta_forecast(state, 0.4, 1.0, 3), [level] * 3)


def test_short_series_take_linear_and_the_median_is_the_theta_forecast(catalogue):
    rng = np.random.default_rng(13)
    raw = simulate_dotm(12, 0.5, 2.0, 95.0, 1.0, rng)
    transform = transform_for(catalogue["rd_expenditure"], raw)
    short = transform.forward(np.array([10.0, 11, 12.5, 13]))
    assert len(short) < MIN_POINTS
    a = get_model("theta").fit(short, transform).simulate(3, 200, np.random.default_rng(1))
    b = get_model("linear").fit(short, transform).simulate(3, 200, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    paths = get_model("theta").fit(transform.forward(raw), transform).simulate(4, 4001, rng)
    p = estimate(raw)
    state, _ = filter_series(raw, p.level0, p.alpha, p.theta)
    np.testing.assert_allclose(transform.inverse(np.median(paths, axis=0)),
                               theta_forecast(state, p.alpha, p.theta, 4), rtol=0.01)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.1, 1e6), min_size=MIN_POINTS, max_size=25))
def test_any_positive_series_gives_finite_parameters_in_bounds(values):
    p = estimate(np.array(values))
    assert 0.1 <= p.alpha <= 0.99 and 1.0 <= p.theta <= 1e3 and np.isfinite(p.level0)


def test_mixture_crps_terms_give_each_member_and_a_mixture_exactly():
    rng = np.random.default_rng(14)
    y = np.array([0.3, 1.5, -2.0])
    a_paths, b_paths = rng.normal(0, 1, (400, 3)), rng.normal(1, 2, (400, 3))
    a, b = scoring.mixture_crps_terms(y, [a_paths, b_paths])
    assert a[0] - 0.5 * b[0, 0] == pytest.approx(scoring.crps(y, a_paths).sum(), rel=1e-12)
    assert a[1] - 0.5 * b[1, 1] == pytest.approx(scoring.crps(y, b_paths).sum(), rel=1e-12)
    both = np.vstack([a_paths, b_paths])  # the half-half mixture, every pair of values
    brute = sum(np.mean(np.abs(both[:, h] - y[h]))
                - 0.5 * np.mean(np.abs(both[:, h][:, None] - both[:, h][None, :]))
                for h in range(3))
    w = np.array([0.5, 0.5])
    within = sum(np.abs(p[:, h][:, None] - p[:, h][None, :]).sum()
                 for p in (a_paths, b_paths) for h in range(3))
    # the terms use the fair within-member pairs (i != j): correct the brute force for that
    correction = 0.5 * 0.25 * within * (1 / (400 * 399) - 1 / 400**2)
    assert w @ a - 0.5 * w @ b @ w == pytest.approx(brute - correction, rel=1e-10)


def test_weight_grid_is_the_simplex():
    grid = weight_grid()
    assert grid.shape == (231, len(TREND_MEMBERS))
    np.testing.assert_allclose(grid.sum(axis=1), 1)
    assert (grid >= 0).all() and len({tuple(r) for r in grid}) == len(grid)


def test_learner_gives_theta_the_weight_where_the_truth_is_a_damped_trend(catalogue):
    """Series whose growth fades (θ = 1.5: a third of the fitted line's slope carries on,
    smoothed) against straight lines: theta wins the first, linear the second."""
    rng = np.random.default_rng(15)
    cat = catalogue.with_generic(["damped", "line"], "amount")
    years = np.arange(1996, 2016)
    units = []
    for i in range(15):
        damped = simulate_dotm(len(years), 0.5, 1.5, 100.0, 2.0, rng) + 200
        units.append(SeriesUnit(f"d{i}", cat["damped"], years, damped))
        line = 100 + 8 * np.arange(len(years)) + rng.normal(0, 3, len(years))
        units.append(SeriesUnit(f"l{i}", cat["line"], years, line))
    calibration, _ = learn(units, until=2012, horizon=3, draws=300)
    weights = calibration.models["trend"]["weights"]
    assert weights["damped"]["theta"] >= 0.6
    assert weights["line"]["theta"] <= 0.4 and weights["line"]["drift"] <= 0.2


def _terms(truth_shift: float, shifts: tuple[float, float, float], n: int, seed: int):
    """Per-series mixture terms of three Gaussian members centred at ``shifts`` when the
    truth is centred at ``truth_shift`` (3 held-out values a series, 200 paths a member)."""
    rng = np.random.default_rng(seed)
    a, b = [], []
    for _ in range(n):
        actual = truth_shift + rng.standard_normal(3)
        members = [s + rng.standard_normal((200, 3)) for s in shifts]
        ta, tb = scoring.mixture_crps_terms(actual, members)
        a.append(ta)
        b.append(tb)
    return np.array(a), np.array(b)


def test_a_member_without_a_clear_gain_is_left_out():
    """theta forecasts exactly as linear does (the same distribution, other draws): the
    best weights in-sample mix them by noise (0.95 on theta here); theta, the challenger,
    has not earned its place, so linear keeps it all and drift, far off, gets nothing."""
    a, b = _terms(0.0, (0.0, 1.5, 0.0), 80, 17)
    assert 0 < best_weights(a.sum(axis=0), b.sum(axis=0))["theta"] < 1
    w = earned_weights(a, b)
    assert w["theta"] == 0.0 and w["linear"] >= 0.9
    assert w == best_weights(a.sum(axis=0), b.sum(axis=0), ("linear", "drift"))


def test_linear_and_drift_are_weighed_as_before():
    """Only the challenger can be dropped: between linear and drift the best weights stand,
    however small a share's gain."""
    a, b = _terms(0.3, (0.0, 0.6, 5.0), 40, 19)
    w = earned_weights(a, b)
    assert w == best_weights(a.sum(axis=0), b.sum(axis=0), ("linear", "drift"))
    assert 0 < w["drift"] < 1 and w["theta"] == 0.0


def test_a_member_with_a_clear_gain_stays():
    """The truth is centred where theta is; linear and drift are off: theta keeps the weight."""
    a, b = _terms(0.0, (0.6, 1.5, 0.0), 80, 18)
    w = earned_weights(a, b)
    assert w["theta"] >= 0.8
    assert best_weights(a.sum(axis=0), b.sum(axis=0)) == w


def test_a_constant_series_stays_flat():
    y = np.full(8, 5.0)
    p = estimate(y)
    state, errors = filter_series(y, p.level0, p.alpha, p.theta)
    np.testing.assert_allclose(errors[3:], 0, atol=1e-9)
    np.testing.assert_allclose(theta_forecast(state, p.alpha, p.theta, 3), 5.0, rtol=1e-9)
