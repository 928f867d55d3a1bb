"""Scenarios, derived indicators, achievable values and the mid-term review, each checked
against a hand computation or a simulation with a known answer."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from forecast.assessment.review import review, status
from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.config import EXAMPLE_DATA
from forecast.errors import InputError
from forecast.inputs.plans import Target
from forecast.inputs.scenarios import Adjustment, Scenario, check_against_run, read_scenario
from forecast.inputs.workspace import Inputs
from forecast.simulation.adjust import apply
from forecast.simulation.dependence import growth_correlation, pair
from forecast.simulation.derived import derive, parse
from forecast.simulation.paths import Paths
from forecast.targets.progress import target_progress

PROVINCES = ["北京", "广东", "湖南", "江西", "浙江", "四川"]
RD = frozenset({"rd_intensity"})


def scenario(sid: str, *adjustments: Adjustment) -> Scenario:
    return Scenario(sid, sid, "", adjustments)


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
    assert out.values.max() <= 100.0


def _workspace(provinces=PROVINCES, indicators=("rd_intensity", "rd_expenditure", "gdp")):
    obs = pd.read_csv(EXAMPLE_DATA / "observations.csv")
    obs = obs[obs["region"].isin(provinces) & obs["indicator"].isin(indicators)]
    return obs[["region", "indicator", "year", "value"]].reset_index(drop=True)


def _targets(region: str, value: float = 3.0, cagr: float = 9.0) -> tuple[Target, ...]:
    return (
        Target("p", "intensity", region, "rd_intensity", "level", "x", ">=", value, None,
               2026, 2023),
        Target("p", "spending", region, "rd_expenditure", "cagr", "x", ">=", cagr, None,
               2026, 2023),
    )


def _inputs(catalogue, targets_by_region: dict[str, tuple[Target, ...]], obs=None) -> Inputs:
    from forecast.inputs.plans import Plan

    plans = [Plan(f"p-{r}", "t", r, (2021, 2026), 2023, None, None,
                  tuple(replace(t, plan_id=f"p-{r}") for t in ts), EXAMPLE_DATA)
             for r, ts in targets_by_region.items()]
    return Inputs(catalogue, _workspace() if obs is None else obs, plans)


def _p(rows: pd.DataFrame, target: str, sid: str) -> pd.Series:
    return rows[(rows["target_id"] == target) & (rows["scenario"] == sid)] \
        .set_index("plan_id")["probability"]


def test_a_faster_growth_never_lowers_an_up_target_and_a_higher_bar_never_helps(catalogue):
    inputs = _inputs(catalogue, {r: _targets(r) for r in PROVINCES})
    shifts = (-2.0, 0.0, 1.0, 3.0)
    settings = Settings(model="trend", draws=800, derived=RD, scenarios=tuple(
        scenario(f"s{k}", Adjustment("rd_expenditure", growth_shift=g, from_year=2024))
        for k, g in enumerate(shifts)))
    rows = assess(inputs, settings).rows
    for target in ("intensity", "spending"):
        probs = np.array([_p(rows, target, f"s{k}").to_numpy() for k in range(len(shifts))])
        assert (np.diff(probs, axis=0) >= 0).all()  # path by path, so no Monte Carlo noise
        np.testing.assert_array_equal(probs[1], _p(rows, target, "baseline").to_numpy())
    higher = _inputs(catalogue, {r: _targets(r, 3.3, 11.0) for r in PROVINCES})
    rows_hi = assess(higher, settings).rows
    for target in ("intensity", "spending"):
        assert (_p(rows_hi, target, "baseline").to_numpy()
                <= _p(rows, target, "baseline").to_numpy()).all()


def test_the_achievable_value_at_q_is_met_with_probability_q(catalogue):
    inputs = _inputs(catalogue, {r: _targets(r) for r in PROVINCES})
    first = assess(inputs, Settings(model="trend", draws=2000, seed=1, derived=RD))
    s = first.suggestions
    for q in (0.5, 0.8, 0.9):
        at = s[(s["confidence"] == q) & (s["scenario"] == "baseline")]
        targets = {}
        for r in PROVINCES:
            values = at[at["plan_id"] == f"p-{r}"].set_index("target_id")["achievable_value"]
            targets[r] = _targets(r, values["intensity"], values["spending"])
        # a fresh simulation (another seed) of the same model meets it with probability q
        rows = assess(_inputs(catalogue, targets), Settings(model="trend", draws=2000, seed=2,
                                                             derived=RD)).rows
        p, se = rows["probability"].to_numpy(), rows["probability_se"].to_numpy()
        assert np.all(np.abs(p - q) < 4 * se), (q, p)


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
    inputs = _inputs(catalogue, {r: _targets(r) for r in PROVINCES})
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


def normal_scores_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """The correlation of the normal scores of two samples (what ``pair`` aims at)."""
    from scipy.stats import norm, rankdata

    n = len(a)
    return float(np.corrcoef(norm.ppf((rankdata(a) - 0.5) / n),
                             norm.ppf((rankdata(b) - 0.5) / n))[0, 1])


def test_pairing_keeps_each_series_and_reaches_the_correlation():
    rng = np.random.default_rng(4)
    lead, follow = rng.gamma(2.0, size=20000), rng.normal(size=20000)
    for rho in (-0.5, 0.3, 0.8):
        order = pair(lead, follow, rho, np.random.default_rng(5))
        assert sorted(order) == list(range(20000))  # a permutation: the marginal is kept
        assert abs(normal_scores_correlation(lead, follow[order]) - rho) < 0.02


def test_the_pooled_correlation_of_annual_changes_is_recovered(catalogue):
    from forecast.inputs.series import series_table

    rng = np.random.default_rng(6)
    rows = []
    for k in range(40):  # 40 regions, 10 years, changes correlated 0.6 around own trends
        z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], 10) * 0.03
        rd = 100 * np.exp(np.cumsum(0.1 + z[:, 0]))
        gdp = 5000 * np.exp(np.cumsum(0.02 * k / 40 + z[:, 1]))
        for i, y in enumerate(range(2010, 2020)):
            rows += [(f"r{k}", "rd_expenditure", y, rd[i]), (f"r{k}", "gdp", y, gdp[i])]
    table = series_table(pd.DataFrame(rows, columns=["region", "indicator", "year", "value"]))
    dep = growth_correlation(table, "rd_expenditure", "gdp", catalogue)
    assert dep.pairs == 40 * 9 and dep.regions == 40
    assert abs(dep.rho - 0.6) < 0.1  # 360 pairs: se about 0.035


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


def test_status_follows_the_likelihood_classes():
    assert [status(p, False) for p in (0.9, 0.66, 0.5, 0.33, 0.1)] == \
        ["on track", "on track", "at risk", "at risk", "off track"]
    assert status(1.0, True) == "met" and status(0.0, True) == "missed"


def test_review_gives_the_probability_at_the_base_year_from_that_years_data(catalogue):
    obs = _workspace(["广东", "湖南"])
    targets = {r: (replace(_targets(r)[0], base_year=2020, value=4.0),) for r in ("广东", "湖南")}
    inputs = _inputs(catalogue, targets, obs)
    settings = Settings(model="trend", draws=500, derived=RD)
    now = assess(inputs, settings)
    table = review(inputs, settings, now)
    assert list(table["scenario"]) == ["baseline", "baseline"]
    back = assess(inputs, replace(settings, as_of=2020)).rows  # what was known in 2020
    np.testing.assert_array_equal(table["probability_at_base"], back["probability"])
    np.testing.assert_array_equal(table["probability"], now.rows["probability"])
    gd = obs[(obs["region"] == "广东") & (obs["indicator"] == "rd_intensity")].set_index("year")
    row = table.iloc[0]
    assert row["base_value"] == gd.loc[2020, "value"] and row["last_value"] == gd.loc[2023,
                                                                                      "value"]
    assert math.isclose(row["progress_share"], (gd.loc[2023, "value"] - gd.loc[2020, "value"])
                        / (4.0 - gd.loc[2020, "value"]))
    assert math.isclose(row["time_share"], 3 / 6)


def test_scenario_files_are_checked(tmp_path, catalogue):
    good = tmp_path / "s.yaml"
    good.write_text("scenario: {id: push, title: t}\nadjustments:\n"
                    "  - {indicator: rd_expenditure, from_year: 2024, growth_shift: 2}\n",
                    encoding="utf-8")
    s = read_scenario(good, catalogue)
    assert s.adjustments[0].growth_shift == 2.0
    with pytest.raises(InputError, match="has no data in the workspace"):
        check_against_run([s], {"gdp"}, 2024, 2026)
    with pytest.raises(InputError, match="outside the run's simulated years"):
        check_against_run([s], {"rd_expenditure"}, 2025, 2026)
    bad = tmp_path / "bad.yaml"
    for body, message in [
        ("  - {indicator: nonsense, growth_shift: 2}", "unknown indicator"),
        ("  - {indicator: gdp, shock: -5}", "needs a year"),
        ("  - {indicator: gdp, volatility: 0}", "not positive"),
        ("  - {indicator: gdp, shock: -5, year: 2024, growth_shift: 1}", "gives 2 of"),
    ]:
        bad.write_text(f"scenario: {{id: x}}\nadjustments:\n{body}\n", encoding="utf-8")
        with pytest.raises(InputError, match=message):
            read_scenario(bad, catalogue)


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
