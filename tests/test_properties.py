"""Invariants of the whole assessment, checked with hypothesis on real series: whatever the
threshold, the unit, the scenario or the order of the rows, the probabilities obey what
probability and arithmetic say they must.

Each example runs the real pipeline (``assess``: fit, simulate, assess) with the calibrated
`trend` model on the bundled example's provincial series; hypothesis is derandomised, so a
failure is reproduced by the same run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.plans import Target
from forecast.inputs.scenarios import Adjustment
from forecast.outputs.tables import tidy_rows

from builders import provincial_inputs, provincial_observations, scenario

CATALOGUE = load_catalogue()
REGION = "湖南"
OBS = provincial_observations([REGION], ("rd_expenditure", "gdp"))  # 亿元, amounts
DRAWS = 1000
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def target(tid: str, op: str, value: float, kind: str = "level", **kw) -> Target:
    base = {"base_year": 2020} if kind in ("cagr", "change", "cumulative") else {}
    return Target("p", tid, REGION, "rd_expenditure", kind, tid, op, value, None, 2026,
                  **{**base, **kw})


def rows(targets: list[Target], obs: pd.DataFrame = OBS, scenarios=(), seed: int = 7
         ) -> pd.DataFrame:
    """probability by (target_id, scenario) from a real assessment of ``targets``."""
    inputs = provincial_inputs(CATALOGUE, {REGION: tuple(targets)}, obs)
    result = assess(inputs, Settings(model="trend", draws=DRAWS, seed=seed,
                                     scenarios=tuple(scenarios)), None)
    return result


def probabilities(result) -> pd.Series:
    return result.rows.set_index(["target_id", "scenario"])["probability"]


thresholds = st.floats(min_value=200.0, max_value=4000.0, allow_nan=False)


@PROPERTY
@given(x=thresholds)
def test_meeting_and_missing_a_threshold_add_up_to_one(x):
    p = probabilities(rows([target("ge", ">=", x), target("lt", "<", x),
                            target("gt", ">", x), target("le", "<=", x)]))
    assert p["ge", "baseline"] + p["lt", "baseline"] == pytest.approx(1.0, abs=1e-12)
    assert p["gt", "baseline"] + p["le", "baseline"] == pytest.approx(1.0, abs=1e-12)


@PROPERTY
@given(a=thresholds, b=thresholds)
def test_probability_falls_as_the_threshold_rises(a, b):
    lo, hi = sorted((a, b))
    p = probabilities(rows([target("lo", ">=", lo), target("hi", ">=", hi)]))
    assert p["lo", "baseline"] >= p["hi", "baseline"]


shifts = st.floats(min_value=-99.0, max_value=200.0, allow_nan=False)


@PROPERTY
@given(a=shifts, b=shifts, x=thresholds)
def test_probability_rises_with_the_growth_shift(a, b, x):
    lo, hi = sorted((a, b))
    scenarios = [scenario("lo", Adjustment("rd_expenditure", growth_shift=lo)),
                 scenario("hi", Adjustment("rd_expenditure", growth_shift=hi))]
    p = probabilities(rows([target("up", ">=", x), target("down", "<=", x)],
                           scenarios=scenarios))
    assert p["up", "lo"] <= p["up", "hi"]
    assert p["down", "lo"] >= p["down", "hi"]


@PROPERTY
@given(k=st.integers(min_value=-12, max_value=12), x=thresholds,
       rate=st.floats(min_value=-5.0, max_value=25.0))
def test_the_unit_does_not_change_a_probability(k, x, rate):
    """The same series in 亿元, 元 or 10^-12 亿元: every probability is the same (up to one
    path, where a rounding error in the last bit lands a path on the other side)."""
    factor = 10.0 ** k
    targets = [target("level", ">=", x), target("cagr", ">=", rate, kind="cagr"),
               target("growth", ">=", rate, kind="growth")]
    scaled_obs = OBS.assign(value=OBS["value"] * factor)
    scaled = [replace(t, value=t.value * factor) if t.kind == "level" else t for t in targets]
    p, q = probabilities(rows(targets)), probabilities(rows(scaled, scaled_obs))
    np.testing.assert_allclose(q.to_numpy(), p.to_numpy(), atol=1.5 / DRAWS)


@PROPERTY
@given(year=st.integers(min_value=2024, max_value=2026), x=thresholds,
       which=st.sampled_from(["rd_expenditure", "*"]))
def test_neutral_scenarios_equal_the_baseline(year, x, which):
    neutral = [scenario("shift0", Adjustment(which, growth_shift=0.0)),
               scenario("vol1", Adjustment(which, volatility=1.0)),
               scenario("shock0", Adjustment(which, shock=0.0, year=year))]
    result = rows([target("up", ">=", x), target("cagr", ">=", 8.0, kind="cagr")],
                  scenarios=neutral)
    p = probabilities(result)
    for sid in ("shift0", "vol1", "shock0"):
        for tid in ("up", "cagr"):
            assert p[tid, sid] == p[tid, "baseline"]


@PROPERTY
@given(value=st.floats(min_value=-30.0, max_value=30.0), seed=st.integers(0, 2**32 - 1))
def test_a_relative_target_against_itself_is_exact(value, seed):
    """Growth minus its own growth is exactly 0 in every future."""
    t = target("self", ">=", value, kind="relative", other_indicator="rd_expenditure")
    p = probabilities(rows([t], seed=seed))["self", "baseline"]
    assert p == (1.0 if value <= 0 else 0.0)


@PROPERTY
@given(x=thresholds, op=st.sampled_from([">=", "<="]),
       kind=st.sampled_from(["level", "cagr", "cumulative"]))
def test_achievable_values_are_monotone_in_the_confidence(x, op, kind):
    """What can be met with 90% confidence asks no more than what can be met with 80%, and
    that no more than 50%: lower for an up-target, higher for a down-target."""
    value = {"level": x, "cagr": x / 200, "cumulative": 5 * x}[kind]
    result = rows([target("t", op, value, kind=kind)])
    s = result.suggestions.set_index("confidence")["achievable_value"]
    ordered = [s[0.5], s[0.8], s[0.9]]
    assert ordered == sorted(ordered, reverse=op == ">=")


@settings(max_examples=10, deadline=None, derandomize=True)
@given(order=st.permutations(range(len(OBS))))
def test_shuffled_rows_give_the_same_bytes(order):
    """observations.csv in any row order: the same probabilities.csv and suggestions.csv,
    to the byte."""
    targets = [target("level", ">=", 1500.0), target("cagr", ">=", 9.0, kind="cagr"),
               target("g", ">=", 8.0, kind="growth")]
    shuffled = OBS.iloc[list(order)].reset_index(drop=True)
    a, b = rows(targets), rows(targets, shuffled)
    for table in ("rows", "suggestions"):
        assert tidy_rows(getattr(a, table)).to_csv(index=False) == \
            tidy_rows(getattr(b, table)).to_csv(index=False)
