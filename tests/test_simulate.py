"""The one function that simulates a series (forecast.simulation.simulate): a run's paths are
its output with the observed years in front, a backtest's cut is the run's request of the
years before its origin, and every stream is keyed so that results never depend on what else
is simulated."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.evaluation.origins import BacktestSettings, SeriesUnit, cut_by_position
from forecast.evaluation.single import backtest_unit
from forecast.models.transforms import transform_for
from forecast.simulation.simulate import (
    SeriesRequest,
    forecast_paths,
    simulate_future,
    simulate_request,
)
from forecast.streams import rng_for

from builders import HUNAN_RD

YEARS = np.arange(2011, 2021)


@pytest.fixture
def request_(catalogue) -> SeriesRequest:
    return SeriesRequest("湖南", catalogue["rd_expenditure"], YEARS, np.array(HUNAN_RD), 2025)


def test_a_run_repeats_the_observed_years_before_the_simulated_ones(request_):
    result = simulate_request(request_, "drift", 500, seed=3)
    future = simulate_future(request_, "drift", 5, 500, seed=3)
    assert result.paths.first_year == 2011 and result.paths.values.shape == (500, 15)
    np.testing.assert_array_equal(result.paths.values[:, :10], np.tile(HUNAN_RD, (500, 1)))
    np.testing.assert_array_equal(result.paths.values[:, 10:], future.values)
    assert result.model == future.model == "drift"


def test_a_series_draws_the_same_alone_or_among_others(request_, catalogue):
    """The stream is keyed by seed, region and indicator: simulating another series first
    changes nothing."""
    other = SeriesRequest("湖北", catalogue["rd_expenditure"], YEARS, np.array(HUNAN_RD) * 1.1,
                          2025)
    alone = simulate_future(request_, "trend", 5, 300, seed=9).values
    simulate_future(other, "trend", 5, 300, seed=9)
    np.testing.assert_array_equal(simulate_future(request_, "trend", 5, 300, seed=9).values,
                                  alone)


def test_the_stream_is_that_of_the_seed_region_and_indicator(request_, catalogue):
    """The paths are drawn from ``rng_for(seed, region, indicator, member)``: the same values
    under another region or another indicator draw afresh, their yearly changes uncorrelated
    with the first series' (a stream keyed by the seed alone would repeat them exactly)."""
    paths = simulate_future(request_, "drift", 3, 2000, seed=9)
    transform = transform_for(request_.indicator, request_.values)
    by_hand, _ = forecast_paths("drift", request_.indicator, transform.forward(request_.values),
                                transform, 3, 2000,
                                lambda member: rng_for(9, "湖南", "rd_expenditure", member))
    np.testing.assert_array_equal(paths.z, by_hand)
    first = np.diff(paths.z, axis=1)
    for region, indicator in (("湖北", "rd_expenditure"), ("湖南", "gdp")):
        other = SeriesRequest(region, catalogue[indicator], YEARS, np.array(HUNAN_RD), 2025)
        again = np.diff(simulate_future(other, "drift", 3, 2000, seed=9).z, axis=1)
        assert not np.array_equal(again, first)
        # 2,000 independent pairs: |r| < 0.1 unless the draws are shared (r = 1)
        assert abs(np.corrcoef(again[:, 0], first[:, 0])[0, 1]) < 0.1


def test_a_backtest_cut_is_the_run_of_the_years_before_its_origin(request_, catalogue):
    """A cut at 2017 is the request a run on the data up to 2017 makes, with the origin in
    its stream: the same origin draws the same, another origin afresh."""
    unit = SeriesUnit("湖南", catalogue["rd_expenditure"], YEARS, np.array(HUNAN_RD))
    cut = cut_by_position(unit, 7, 10)
    req = cut.request()
    assert cut.origin == 2017 and req.until == 2020
    np.testing.assert_array_equal(req.years, YEARS[:7])
    np.testing.assert_array_equal(req.values, HUNAN_RD[:7])
    a = simulate_future(req, "drift", 3, 400, seed=5, stream=("2017",)).values
    b = simulate_future(req, "drift", 3, 400, seed=5, stream=("2017",)).values
    c = simulate_future(req, "drift", 3, 400, seed=5, stream=("2016",)).values
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # the backtest scores exactly these paths: its MASE is theirs (median against the
    # held-out years, over the training years' mean absolute yearly change)
    settings = BacktestSettings(model="drift", holdout=3, origins=1, draws=400, seed=5)
    (row,) = backtest_unit(unit, settings).metrics
    assert row["origin"] == 2017
    error = np.abs(np.median(a, axis=0) - np.array(HUNAN_RD[7:])).mean()
    scale = np.abs(np.diff(HUNAN_RD[:7])).mean()
    assert row["MASE"] == pytest.approx(error / scale, rel=1e-9)
