"""Scenario arithmetic on simulated paths (simulation.adjust): growth shifts compound exactly,
shocks persist, volatility keeps the median, shares stay in bounds, and a faster growth never
lowers an up-target's probability."""

from __future__ import annotations

import numpy as np

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.inputs.scenarios import Adjustment
from forecast.simulation.adjust import apply
from forecast.simulation.paths import Paths

from builders import (
    PROVINCES,
    RD,
    probabilities_of,
    province_targets,
    provincial_inputs,
    scenario,
)


def grown(start: np.ndarray, rates: np.ndarray, years: int) -> np.ndarray:
    """Paths growing at a constant rate each (one per row) from ``start``."""
    return start[:, None] * (1 + rates[:, None]) ** np.arange(years + 1)


def test_a_growth_shift_compounds_exactly_on_every_path(catalogue):
    rng = np.random.default_rng(1)
    rates = rng.uniform(-0.05, 0.15, 200)
    base = Paths(2020, grown(np.full(200, 50.0), rates, 6))  # 2020 observed, 2021-2026 simulated
    push = scenario("push", Adjustment("rd_expenditure", growth_shift=2.0, from_year=2023))
    out = apply(push, catalogue["rd_expenditure"], base, last_observed=2020).values
    # by hand: the baseline rate until 2022, the rate + 2 points from 2023 on
    years = np.arange(2021, 2027)
    expected = 50.0 * (1 + rates[:, None]) ** np.minimum(years - 2020, 2) * \
        (1 + rates[:, None] + 0.02) ** np.maximum(years - 2022, 0)
    np.testing.assert_allclose(out[:, 1:], expected, rtol=1e-12)
    np.testing.assert_array_equal(out[:, 0], base.values[:, 0])  # the observed year untouched


def test_a_shock_persists_and_volatility_keeps_the_median(catalogue):
    rng = np.random.default_rng(2)
    base = Paths(2022, np.exp(rng.normal(0, 0.1, (1001, 5)).cumsum(axis=1)) * 100)
    gdp = catalogue["gdp"]
    dip = apply(scenario("dip", Adjustment("gdp", shock=-5.0, year=2024)), gdp, base, 2022)
    np.testing.assert_allclose(dip.values[:, :2], base.values[:, :2])  # before the shock
    np.testing.assert_allclose(dip.values[:, 2:], 0.95 * base.values[:, 2:], rtol=1e-12)
    wide = apply(scenario("wide", Adjustment("*", volatility=2.0)), gdp, base, 2022)
    logs, wlogs = np.log(base.values[:, 1:]), np.log(wide.values[:, 1:])
    np.testing.assert_allclose(np.median(wlogs, axis=0), np.median(logs, axis=0), atol=1e-12)
    np.testing.assert_allclose(wlogs.std(axis=0), 2 * logs.std(axis=0), rtol=1e-9)


def test_a_scenario_on_a_share_stays_within_bounds(catalogue):
    base = Paths(2022, np.full((50, 4), 97.0))
    out = apply(scenario("up", Adjustment("*", growth_shift=10.0)),
                catalogue["hitech_industry_va_share_gdp"], base, 2022)
    # 97 grown 10% faster is 106.7: every simulated year stops at the share's bound of 100,
    # the observed 2022 stays as it was
    np.testing.assert_array_equal(out.values[:, 1:], 100.0)
    np.testing.assert_array_equal(out.values[:, 0], 97.0)


def test_a_faster_growth_never_lowers_an_up_target_and_a_higher_bar_never_helps(catalogue):
    inputs = provincial_inputs(catalogue, {r: province_targets(r) for r in PROVINCES})
    shifts = (-2.0, 0.0, 1.0, 3.0)
    settings = Settings(model="trend", draws=800, derived=RD, scenarios=tuple(
        scenario(f"s{k}", Adjustment("rd_expenditure", growth_shift=g, from_year=2024))
        for k, g in enumerate(shifts)))
    rows = assess(inputs, settings).rows
    for target in ("intensity", "spending"):
        probs = np.array([probabilities_of(rows, target, f"s{k}").to_numpy()
                          for k in range(len(shifts))])
        assert (np.diff(probs, axis=0) >= 0).all()  # path by path, so no Monte Carlo noise
        # and 5 points a year between the slowest and the fastest move some target
        assert (probs[-1] > probs[0]).any()
        np.testing.assert_array_equal(probs[1],
                                      probabilities_of(rows, target, "baseline").to_numpy())
    higher = provincial_inputs(catalogue, {r: province_targets(r, 3.3, 11.0) for r in PROVINCES})
    rows_hi = assess(higher, settings).rows
    for target in ("intensity", "spending"):
        hi_p = probabilities_of(rows_hi, target, "baseline").to_numpy()
        base_p = probabilities_of(rows, target, "baseline").to_numpy()
        assert (hi_p <= base_p).all() and (hi_p < base_p).any()
