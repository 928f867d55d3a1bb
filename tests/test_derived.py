"""Derived indicators (simulation.derived): R&D intensity as the ratio of its components path
by path, formula parsing, and a GDP shock's arithmetic on the intensity."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.inputs.scenarios import Adjustment
from forecast.simulation.derived import derive, parse
from forecast.simulation.paths import Paths

from builders import (
    PROVINCES,
    RD,
    province_targets,
    provincial_inputs,
    scenario,
)


def test_derived_intensity_is_the_ratio_of_its_components_path_by_path():
    rng = np.random.default_rng(3)
    rd = Paths(2020, np.hstack([np.full((300, 4), [80.0, 88, 95, 100]),
                                100 * np.exp(rng.normal(0.08, 0.05, (300, 3)).cumsum(1))]))
    gdp = Paths(2020, np.hstack([np.full((300, 4), [4000.0, 4200, 4300, 4500]),
                                 4500 * np.exp(rng.normal(0.05, 0.03, (300, 3)).cumsum(1))]))
    own = Paths(2021, np.array([[2.10, 2.21, 2.23]]))  # published intensity, rounded
    formula = parse("rd_intensity", "100 * rd_expenditure / gdp")
    out = derive(formula, {"rd_expenditure": rd, "gdp": gdp}, own, 2023, 2026)
    assert out.first_year == 2021
    np.testing.assert_array_equal(out.values[:, :3], np.repeat(own.values, 300, axis=0))
    ratio = 100 * rd.values[:, 4:] / gdp.values[:, 4:]
    anchor = 2.23 / (100 * 100 / 4500)
    np.testing.assert_allclose(out.values[:, 3:], anchor * ratio, rtol=1e-12)
    alone = derive(formula, {"rd_expenditure": rd, "gdp": gdp}, None, 2023, 2026)
    np.testing.assert_allclose(alone.values, 100 * rd.values / gdp.values, rtol=1e-12)


def test_formula_components_in_the_order_they_are_written():
    assert parse("x", "100 * gdp_per_capita / gdp").components == ("gdp_per_capita", "gdp")
    assert parse("rd_intensity", "rd_intensity = 100 * rd_expenditure / gdp").components == \
        ("rd_expenditure", "gdp")


@pytest.mark.parametrize("derived", [RD, frozenset()])
def test_a_gdp_shock_with_unchanged_rd_raises_the_intensity_by_the_arithmetic(catalogue,
                                                                              derived):
    """Derived from its components, or forecast directly and moved through them: either
    way a 5% lower GDP with the same R&D spending is an intensity 1/0.95 times higher."""
    inputs = provincial_inputs(catalogue, {r: province_targets(r) for r in PROVINCES})
    dip = scenario("dip", Adjustment("gdp", shock=-5.0, year=2025))
    rows = assess(inputs, Settings(model="trend", draws=1000, derived=derived,
                                   scenarios=(dip,))).rows
    base = rows[(rows["target_id"] == "intensity") & (rows["scenario"] == "baseline")]
    shocked = rows[(rows["target_id"] == "intensity") & (rows["scenario"] == "dip")]
    assert (base["model"] == ("derived" if derived else "trend")).all()
    for col in ("statistic_p10", "statistic_p50", "statistic_p90"):
        np.testing.assert_allclose(shocked[col].to_numpy(), base[col].to_numpy() / 0.95,
                                   rtol=1e-9)
    assert (shocked["probability"].to_numpy() >= base["probability"].to_numpy()).all()
    spending = rows[rows["target_id"] == "spending"]
    assert spending.groupby("plan_id")["probability"].nunique().eq(1).all()  # R&D unchanged
