"""A target's progress since its base year (targets.progress) against a hand computation."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from forecast.inputs.plans import Target
from forecast.simulation.paths import Paths
from forecast.targets.progress import target_progress


def test_progress_against_hand_computation():
    history = Paths(2020, np.array([[2.0, 2.2, 2.4, 2.6]]))  # 2020..2023
    level = Target("p", "a", "r", "rd_intensity", "level", "x", ">=", 3.0, None, 2025, 2020)
    got = target_progress(level, history)
    assert got["base_value"] == 2.0
    assert math.isclose(got["progress_share"], 0.6 / 1.0)
    assert math.isclose(got["time_share"], 3 / 5)
    assert math.isclose(got["achieved_rate"], 100 * ((2.6 / 2.0) ** (1 / 3) - 1))
    change = replace(level, kind="change", value=1.5)
    assert math.isclose(target_progress(change, history)["progress_share"], 0.6 / 1.5)
    cagr = replace(level, kind="cagr", value=10.0)  # goal 2.0 * 1.1**5
    assert math.isclose(target_progress(cagr, history)["progress_share"],
                        0.6 / (2.0 * 1.1**5 - 2.0))
    cumulative = replace(level, kind="cumulative", value=10.0)
    assert math.isclose(target_progress(cumulative, history)["progress_share"], 7.2 / 10.0)


def test_cumulative_progress_is_the_sum_so_far():
    """"技术合同成交额累计超过 10": a cumulative target's base is 0 and its latest value is the
    sum of the years since the base year (2.2 + 2.4 + 2.6), not the last year's flow."""
    history = Paths(2020, np.array([[2.0, 2.2, 2.4, 2.6]]))
    cumulative = Target("p", "c", "r", "tech_contract_turnover", "cumulative", "x", ">=", 10.0,
                        None, 2025, 2020)
    got = target_progress(cumulative, history)
    assert got["base_value"] == 0.0
    assert math.isclose(got["last_value"], 7.2)
    assert math.isclose(got["progress_share"], 0.72)
    assert math.isnan(got["achieved_rate"])  # no growth rate of a running sum
    assert got["broken_year"] is None


def test_an_each_year_target_broken_in_an_observed_year_is_named():
    """"每年新增 5 户" from 2020: 2021 added 6, 2022 added 4 (broken), 2023 added 7. Worked by
    hand: the first year that failed is 2022, and no later year can mend it."""
    firms = Paths(2020, np.array([[10.0, 16.0, 20.0, 27.0]]))
    each = Target("p", "n", "r", "hitech_firms", "change", "x", ">=", 5.0, None, 2025, 2020,
                  each_year=True)
    assert target_progress(each, firms)["broken_year"] == 2022
    assert target_progress(replace(each, value=4.0), firms)["broken_year"] is None
    growth = Target("p", "g", "r", "rd_expenditure", "growth", "x", ">=", 10.0, None, 2025,
                    2020, each_year=True)  # +60%, +25%, +35%: never below 10%
    assert target_progress(growth, firms)["broken_year"] is None
    assert target_progress(replace(growth, value=30.0), firms)["broken_year"] == 2022
    once = replace(each, each_year=False)  # one change by 2025: nothing is broken yet
    assert target_progress(once, firms)["broken_year"] is None
