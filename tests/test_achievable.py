"""Achievable values (targets.achievable): the value met with probability q is met with
probability q on a fresh simulation, whole-number values are never overstated, and the sorted-
sample quantiles are numpy's."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.inputs.plans import Target

from builders import (
    PROVINCES,
    RD,
    province_targets,
    provincial_inputs,
)


def test_the_achievable_value_at_q_is_met_with_probability_q(catalogue):
    inputs = provincial_inputs(catalogue, {r: province_targets(r) for r in PROVINCES})
    first = assess(inputs, Settings(model="trend", draws=2000, seed=1, derived=RD))
    s = first.suggestions
    for q in (0.5, 0.8, 0.9):
        at = s[(s["confidence"] == q) & (s["scenario"] == "baseline")]
        targets = {}
        for r in PROVINCES:
            values = at[at["plan_id"] == f"p-{r}"].set_index("target_id")["achievable_value"]
            targets[r] = province_targets(r, values["intensity"], values["spending"])
        # a fresh simulation (another seed) of the same model meets it with probability q
        rows = assess(provincial_inputs(catalogue, targets),
                      Settings(model="trend", draws=2000, seed=2, derived=RD)).rows
        p, se = rows["probability"].to_numpy(), rows["probability_se"].to_numpy()
        assert np.all(np.abs(p - q) < 4 * se), (q, p)


def test_whole_number_achievable_values_are_never_overstated():
    binding = np.random.default_rng(7).poisson(3.0, 1001).astype(float)
    up = Target("p", "a", "r", "hitech_enterprises", "change", "x", ">=", 1.0, None, 2025, 2023)
    down = replace(up, op="<=")
    from forecast.targets.achievable import achievable_values

    for q, v in zip((0.5, 0.8, 0.9), achievable_values(up, binding), strict=True):
        assert np.mean(binding >= v) >= q > np.mean(binding >= v + 1)  # the largest such
    for q, v in zip((0.5, 0.8, 0.9), achievable_values(down, binding), strict=True):
        assert np.mean(binding <= v) >= q > np.mean(binding <= v - 1)


def test_quantiles_of_a_sorted_sample_are_numpys():
    from forecast.targets.engine import sorted_quantiles

    x = np.sort(np.random.default_rng(8).normal(size=2001))
    levels = (0.1, 0.2, 0.5, 0.8, 0.9)
    np.testing.assert_allclose(sorted_quantiles(x, levels), np.quantile(x, levels), rtol=1e-12)
