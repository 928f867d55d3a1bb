"""Each target kind as a predicate over small hand-built path arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.inputs.plans import Target
from forecast.simulation.paths import Paths
from forecast.targets.engine import (
    NotAssessable,
    binding_statistic,
    compared_quantity,
    historical_rate,
    is_met,
    probability,
    required_rate,
)
from forecast.targets.likelihood import likelihood

# three paths over 2020..2023; 2020 and 2021 observed (same in every row)
PATHS = Paths(2020, np.array([
    [100.0, 110.0, 121.0, 133.1],   # +10% a year
    [100.0, 110.0, 110.0, 99.0],    # flat then -10%
    [100.0, 110.0, 132.0, 145.2],   # +20% then +10%
]))


def target(kind: str, op: str, value: float, year: int = 2023, **kw) -> Target:
    return Target(plan_id="p", id="t", region="r", indicator="x", kind=kind, text="",
                  op=op, value=value, year=year, **kw)


def prob(t: Target, paths: Paths = PATHS, other: Paths | None = None) -> float:
    return probability(is_met(t, compared_quantity(t, paths, other)))[0]


def test_level():
    assert prob(target("level", ">=", 133.1)) == pytest.approx(2 / 3)
    assert prob(target("level", ">", 133.1)) == pytest.approx(1 / 3)
    assert prob(target("level", "<=", 99.0)) == pytest.approx(1 / 3)
    assert prob(target("level", "between", 130, value_hi=140)) == pytest.approx(1 / 3)


def test_growth_in_one_year_and_every_year():
    stat = compared_quantity(target("growth", ">=", 10), PATHS)
    np.testing.assert_allclose(stat[:, 0], [10.0, -10.0, 10.0])
    assert prob(target("growth", ">=", 9.99)) == pytest.approx(2 / 3)
    every = target("growth", ">=", 9.99, base_year=2020, each_year=True)
    # path 1: 10,10,10; path 2: 10,0,-10; path 3: 10,20,10
    assert prob(every) == pytest.approx(2 / 3)
    stat = compared_quantity(every, PATHS)
    np.testing.assert_allclose(binding_statistic(every, stat), [10.0, -10.0, 10.0])


def test_cagr():
    t = target("cagr", ">=", 10, base_year=2020)
    stat = compared_quantity(t, PATHS)[:, 0]
    expected = 100 * ((np.array([133.1, 99.0, 145.2]) / 100) ** (1 / 3) - 1)
    np.testing.assert_allclose(stat, expected)
    assert prob(target("cagr", ">=", 9.999, base_year=2020)) == pytest.approx(2 / 3)


def test_cumulative_sums_years_after_base():
    t = target("cumulative", ">=", 364.1, base_year=2020)
    np.testing.assert_allclose(compared_quantity(t, PATHS)[:, 0], [364.1, 319.0, 387.2])
    assert prob(t) == pytest.approx(2 / 3)


def test_change_and_change_every_year():
    t = target("change", ">=", 33.1, base_year=2020)
    np.testing.assert_allclose(compared_quantity(t, PATHS)[:, 0], [33.1, -1.0, 45.2])
    every = target("change", ">=", 10, base_year=2021, each_year=True)
    # yearly changes 2022, 2023: (11, 12.1), (0, -11), (22, 13.2)
    assert prob(every) == pytest.approx(2 / 3)


def test_relative_compares_growth_rates():
    other = Paths(2020, np.tile([100.0, 100.0, 105.0, 110.25], (3, 1)))  # +5% a year
    t = target("relative", ">=", 0, year=2023, other_indicator="y")
    np.testing.assert_allclose(compared_quantity(t, PATHS, other)[:, 0], [5.0, -15.0, 5.0])
    assert prob(t, other=other) == pytest.approx(2 / 3)
    with pytest.raises(NotAssessable):
        compared_quantity(t, PATHS, None)


def test_growth_from_a_simulated_zero():
    """A simulated count that stays at 0 has not grown; one that leaves 0 has grown without
    bound (the base year is simulated, so only some paths start from zero)."""
    paths = Paths(2022, np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 3.0], [1.0, 2.0, 2.0]]))
    stat = compared_quantity(target("growth", ">=", 10, year=2024), paths)[:, 0]
    assert stat[0] == 0.0 and np.isinf(stat[1]) and stat[2] == 0.0
    assert prob(target("growth", ">=", 10, year=2024), paths) == pytest.approx(1 / 3)


@pytest.mark.parametrize("kind", ["growth", "cagr", "relative"])
@pytest.mark.parametrize("base", [0.0, -5.0])
def test_growth_from_a_zero_or_negative_base_is_not_assessable(kind, base):
    """Growth from an observed base of 0 (or below) is undefined, not infinite: the target is
    not assessable, and the note says which year and value."""
    paths = Paths(2022, np.array([[base, 3.0], [base, 0.0]]))
    positive = Paths(2022, np.array([[1.0, 2.0], [1.0, 1.0]]))
    t = target(kind, ">=", 10, base_year=2022, other_indicator="y")
    with pytest.raises(NotAssessable, match=f"from 2022 is undefined: its value there is {base:g}"):
        compared_quantity(t, paths, positive)
    if kind == "relative":  # the other series' base counts as much as this one's
        with pytest.raises(NotAssessable, match="growth of y from 2022"):
            compared_quantity(t, positive, paths)


def test_an_all_zero_series_has_no_growth_probability():
    zeros = Paths(2018, np.zeros((50, 8)))
    for t in (target("growth", ">=", 5, year=2025), target("cagr", ">=", 5, year=2025,
                                                             base_year=2020)):
        with pytest.raises(NotAssessable):
            compared_quantity(t, zeros)
    assert prob(target("level", "<=", 0, year=2025), zeros) == 1.0  # a level is still fine


@pytest.mark.parametrize("op, expected", [(">=", 1.0), ("<=", 1.0), (">", 0.0), ("<", 0.0)])
def test_relative_against_itself_is_exact(op, expected):
    """An indicator's growth minus its own growth is 0 in every path, whatever other paths
    are passed (a re-paired copy would differ path by path)."""
    t = Target(plan_id="p", id="t", region="r", indicator="x", kind="relative", text="",
               op=op, value=0.0, year=2023, other_indicator="x")
    shuffled = Paths(2020, PATHS.values[[2, 0, 1]])
    assert prob(t, PATHS, shuffled) == expected


def test_missing_year_is_not_assessable_with_reason():
    t = target("change", ">=", 1, base_year=2018)
    with pytest.raises(NotAssessable, match="2018"):
        compared_quantity(t, PATHS)


def test_probability_standard_error_is_binomial():
    met = np.array([True] * 30 + [False] * 70)
    p, se = probability(met)
    assert p == 0.3
    assert se == pytest.approx(math.sqrt(0.3 * 0.7 / 100))


@pytest.mark.parametrize(("p", "label"), [
    (1.0, "virtually certain"), (0.99, "virtually certain"), (0.95, "very likely"),
    (0.66, "likely"), (0.5, "about as likely as not"), (0.33, "about as likely as not"),
    (0.2, "unlikely"), (0.05, "very unlikely"), (0.0, "exceptionally unlikely"),
])
def test_ipcc_likelihood_classes(p, label):
    assert likelihood(p) == label


def test_required_rate_for_each_kind():
    history = Paths(2018, np.array([[80.0, 90.0, 100.0]]))  # last observed 2020: 100
    assert required_rate(target("level", ">=", 121, year=2022), history) == pytest.approx(10)
    # cagr 5% from 2018 (80) to 2024: level 80*1.05^6, from 100 over 4 years
    level = 80 * 1.05**6
    assert required_rate(target("cagr", ">=", 5, year=2024, base_year=2018), history) \
        == pytest.approx(100 * ((level / 100) ** 0.25 - 1))
    # change +41 over 2019 (90): level 131 in 2022
    assert required_rate(target("change", ">=", 41, year=2022, base_year=2019), history) \
        == pytest.approx(100 * ((131 / 100) ** 0.5 - 1))
    # cumulative over 2020..2022 = 100 (observed) + 100(1+r) + 100(1+r)^2 = 331 -> r = 10%
    assert required_rate(target("cumulative", ">=", 331, year=2022, base_year=2019), history) \
        == pytest.approx(10, abs=1e-6)
    assert required_rate(target("growth", ">=", 7, year=2022), history) == 7
    assert required_rate(target("level", ">=", 50, year=2020), history) is None


def test_historical_rate():
    assert historical_rate(np.array([2010, 2012]), np.array([100.0, 121.0])) == pytest.approx(10)


@pytest.mark.parametrize("kind", ["growth", "cagr", "relative"])
def test_a_rate_target_on_a_series_now_at_zero_is_not_assessable(kind):
    """A series whose last observed value is 0 (an all-zero series, say) has no future growth
    rate, even where its simulated paths wander above 0; its levels still have one."""
    t = target(kind, ">=", 10, base_year=2021, other_indicator="y")
    with pytest.raises(NotAssessable, match="last observed value is 0"):
        compared_quantity(t, PATHS, PATHS, latest={"x": 0.0, "y": 110.0})
    with pytest.raises(NotAssessable, match="growth of y"):
        compared_quantity(t, PATHS, PATHS, latest={"x": 110.0, "y": -1.0})
    level = target("level", ">=", 99)
    assert probability(is_met(level, compared_quantity(level, PATHS, latest={"x": 0.0})))[0] == 1
