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
