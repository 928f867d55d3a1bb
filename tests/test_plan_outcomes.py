"""A plan as a whole (targets.outcomes, assessment.outcomes): the count of targets met and
P(all met) against closed forms for independent and for perfectly dependent targets, the
pairs missed together by hand, and on a real run: every target's own probability unchanged,
the expected count the sum of the probabilities, and a binding subset counted apart."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from forecast.targets.outcomes import missed_together, plan_outcome

PROBS = np.array([0.9, 0.75, 0.6, 0.95, 0.5])
IDS = [f"t{i}" for i in range(len(PROBS))]


def poisson_binomial(p: np.ndarray) -> np.ndarray:
    """P(exactly k of independent events with probabilities p), k = 0 ... len(p)."""
    dist = np.array([1.0])
    for q in p:
        dist = np.convolve(dist, [1 - q, q])
    return dist


def test_independent_targets_follow_the_poisson_binomial():
    """Rows drawn independently: the expected count is the sum of the rows' own shares (an
    identity), and P(all), P(at least k) match the Poisson-binomial within Monte Carlo error."""
    n = 200_000
    met = np.random.default_rng(1).uniform(size=(len(PROBS), n)) < PROBS[:, None]
    row = plan_outcome("p", "baseline", met, np.zeros(len(PROBS), bool), IDS)
    assert row["expected_met"] == pytest.approx(met.mean(axis=1).sum(), abs=1e-12)
    exact = poisson_binomial(PROBS)
    assert row["p_all_met"] == pytest.approx(np.prod(PROBS), abs=4e-3)
    for share in (50, 75, 90):
        k = row[f"k_{share}pct"]
        assert k == int(np.ceil(share / 100 * len(PROBS)))
        assert row[f"p_met_{share}pct"] == pytest.approx(exact[k:].sum(), abs=4e-3)
    spread = np.array([float(x) for x in row["met_distribution"].split()])
    assert len(spread) == len(PROBS) + 1 and spread.sum() == pytest.approx(1.0, abs=1e-3)
    assert np.abs(spread - exact).max() < 4e-3  # P(exactly k met)
    below, above = np.cumsum(exact), np.cumsum(exact[::-1])[::-1]
    assert row["met_p10"] == int(np.argmax(below >= 0.1))  # the 10% quantile of the count
    assert row["met_p90"] == int(np.argmax(below >= 0.9))
    assert above[row["met_p10"]] >= 0.9


def test_perfectly_dependent_targets_are_all_met_as_often_as_the_hardest():
    """Every row met when one common uniform is below its probability: P(all met) is the
    smallest marginal exactly, and the count is spread as far as it can be."""
    u = np.random.default_rng(2).uniform(size=50_000)
    met = u[None, :] < PROBS[:, None]
    row = plan_outcome("p", "baseline", met, np.zeros(len(PROBS), bool), IDS)
    assert row["p_all_met"] == met[np.argmin(PROBS)].mean()
    independent = plan_outcome("p", "baseline",
                               np.random.default_rng(3).uniform(size=met.shape)
                               < PROBS[:, None], np.zeros(len(PROBS), bool), IDS)
    assert row["p_all_met"] > independent["p_all_met"] + 0.2


def test_binding_targets_and_pairs_missed_together_by_hand():
    met = np.array([[1, 1, 0, 0],    # a: missed on paths 2, 3
                    [1, 0, 0, 1],    # b: missed on 1, 2
                    [0, 1, 0, 1],    # c: missed on 0, 2
                    [1, 1, 1, 1]],   # d: never missed
                   dtype=bool)
    row = plan_outcome("p", "s", met, np.array([True, False, False, True]), list("abcd"))
    assert row["n_assessable"] == 4 and row["expected_met"] == 10 / 4
    assert row["p_all_met"] == 0.0  # no path meets a, b and c
    assert row["n_binding"] == 2
    assert row["expected_binding_met"] == 6 / 4  # a: 2 of 4, d: 4 of 4
    assert row["p_all_binding_met"] == 0.5  # paths 0 and 1
    # a & b both missed on path 2 (1/4), a & c on 2 (1/4), b & c on 2 (1/4); d with none
    assert missed_together(met, list("abcd")) == [("a", "b", 0.25), ("a", "c", 0.25),
                                                 ("b", "c", 0.25)]
    assert row["missed_together"] == "a & b (0.25); a & c (0.25); b & c (0.25)"
    with pytest.raises(ValueError, match="one row of paths per target"):
        plan_outcome("p", "s", met[:3], np.zeros(3, bool), list("abcd"))


@pytest.fixture
def bundled_inputs_trend():
    """The bundled example's inputs, and settings for the single-series model (no fits)."""
    from forecast.api import open_workspace
    from forecast.config import EXAMPLE_DATA

    ws = open_workspace(EXAMPLE_DATA.parent)
    return ws.inputs, ws.settings(model="trend")


def test_a_run_keeps_every_probability_and_counts_the_plan_from_them(bundled_inputs_trend):
    """The bundled example with the single-series model (no fits): the expected number met is
    the sum of the plan's probabilities under every scenario, no plan meets all its targets
    more often than its hardest target, and two targets named binding are counted apart."""
    from forecast.assessment.run import assess

    inputs, settings = bundled_inputs_trend
    plans = list(inputs.plans)
    xiangtan = next(i for i, p in enumerate(plans) if p.id == "xiangtan-2023")
    targets = list(plans[xiangtan].targets)
    chosen = [i for i, t in enumerate(targets)
              if t.indicator in ("rd_intensity", "basic_research_share_rd")][:2]
    for i in chosen:
        targets[i] = replace(targets[i], binding=True)
    plans[xiangtan] = replace(plans[xiangtan], targets=tuple(targets))
    result = assess(replace(inputs, plans=plans), settings)
    rows = result.rows[result.rows["assessable"].astype(bool)]
    for (plan_id, scenario), group in rows.groupby(["plan_id", "scenario"]):
        plans_out = result.plan_outcomes
        outcome = plans_out[(plans_out["plan_id"] == plan_id)
                            & (plans_out["scenario"] == scenario)]
        assert len(outcome) == 1
        outcome = outcome.iloc[0]
        assert outcome["n_assessable"] == len(group)
        assert outcome["expected_met"] == pytest.approx(group["probability"].sum(), abs=1e-9)
        assert outcome["p_all_met"] <= group["probability"].min() + 1e-12
    line = result.plan_outcomes.query("plan_id == 'xiangtan-2023' and scenario == 'baseline'")
    assert int(line["n_binding"].iloc[0]) == len(chosen) == 2
    binding = rows[(rows["plan_id"] == "xiangtan-2023") & (rows["scenario"] == "baseline")
                   & rows["target_id"].isin([targets[i].id for i in chosen])]
    assert line["expected_binding_met"].iloc[0] == pytest.approx(binding["probability"].sum(),
                                                                 abs=1e-9)
    assert line["p_all_binding_met"].iloc[0] <= binding["probability"].min() + 1e-12


def _correlated_workspace(root, make_workspace, rho: float):
    """30 regions' R&D expenditure and GDP over 2011-2022 whose yearly log changes have
    correlation ``rho`` (around each region's own trend), and a plan for r0 with one target on
    each at about its median."""
    rng = np.random.default_rng(12)
    lines = ["region,indicator,year,value"]
    last = {}
    for r in range(30):
        z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], 12) * 0.05
        rd = 100 * np.exp(np.cumsum(0.08 + z[:, 0]))
        gdp = 5000 * np.exp(np.cumsum(0.05 + z[:, 1]))
        for i in range(12):
            lines += [f"r{r},rd_expenditure,{2011 + i},{rd[i]:.3f}",
                      f"r{r},gdp,{2011 + i},{gdp[i]:.3f}"]
        last[r] = (rd[-1], gdp[-1])
    rd, gdp = last[0]
    plan = ("plan: {id: p, title: p, region: r0}\ntargets:\n"
            f"  - {{id: rd, indicator: rd_expenditure, op: '>=', value: {rd * 1.08 ** 3:.3f}, "
            "year: 2025, text: x}\n"
            f"  - {{id: gdp, indicator: gdp, op: '>=', value: {gdp * 1.05 ** 3:.3f}, "
            "year: 2025, text: y}\n")
    return make_workspace(root, "\n".join(lines) + "\n", plan)


@pytest.mark.parametrize("rho", [0.9, 0.0])
def test_targets_of_one_region_are_met_together_as_their_history_moves(tmp_path, make_workspace,
                                                                       rho):
    """Two targets of one region on indicators whose yearly changes moved together (0.9):
    both are met far more often than the product of their probabilities, as a Gaussian copula
    of that correlation gives (a level target is met when the series' total change, the score
    the paths are paired on, is large enough); on independent ones (0.0), as often as the
    product."""
    from scipy.stats import multivariate_normal, norm

    from forecast.api import open_workspace
    from forecast.assessment.run import assess

    ws = open_workspace(_correlated_workspace(tmp_path / "ws", make_workspace, rho))
    result = assess(ws.inputs, ws.settings(model="trend", draws=4000))
    p = result.rows.set_index("target_id")["probability"]
    assert len(result.plan_outcomes) == 1
    both = float(result.plan_outcomes["p_all_met"].iloc[0])
    copula = multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf(
        [norm.ppf(p["rd"]), norm.ppf(p["gdp"])])
    assert both == pytest.approx(copula, abs=0.05)
    if rho:
        assert both > p["rd"] * p["gdp"] + 0.1


def test_the_plan_line_says_the_row_in_words():
    from forecast.outputs.plan_line import plan_line

    row = {"n_assessable": 27, "expected_met": 19.562, "met_p10": 16, "met_p90": 23,
           "p_all_met": 0.0, "n_binding": 2, "p_all_binding_met": 0.4113}
    assert plan_line(row) == ("Expected 20 of 27 assessed targets met (80% range 16–23); all "
                              "met with probability 0.00; all 2 binding targets met with "
                              "probability 0.41.")
    assert plan_line(row, "zh") == ("预计 27 项可评估目标中约 20 项达成(80% 区间 16–23 项);"
                                    "全部达成的概率为 0.00;2 项约束性目标全部达成的概率为 0.41。")
    assert plan_line({**row, "n_binding": 0}).endswith("probability 0.00.")
    assert plan_line({"n_assessable": 0}) == "" and plan_line({"n_assessable": float("nan")}) == ""


def test_a_plan_is_judged_the_same_alone_as_in_a_run_of_every_plan(bundled_inputs_trend):
    """`forecast suggest --plan` assesses one plan; its plan outcome is the run's, because
    each plan's futures are joined on their own (other plans' targets in the same region do
    not change them)."""
    from forecast.assessment.run import assess

    inputs, settings = bundled_inputs_trend
    every = assess(inputs, settings).plan_outcomes
    for plan in ("xiangtan-2023", "fyp14-rd-intensity"):
        alone = assess(replace(inputs, plans=[p for p in inputs.plans if p.id == plan]),
                       settings, check_scenarios=False).plan_outcomes
        pd.testing.assert_frame_equal(alone.reset_index(drop=True),
                                      every[every["plan_id"] == plan].reset_index(drop=True))


def test_joining_the_futures_leaves_every_row_as_it_was(bundled_inputs_trend, monkeypatch):
    """The same run with the joint layer turned off (no re-pairing): probabilities.csv's rows
    and the suggestions are the same bytes; only the plan outcomes differ."""
    from forecast.assessment import region
    from forecast.assessment.run import assess

    inputs, settings = bundled_inputs_trend
    joined = assess(inputs, settings)
    monkeypatch.setattr(region, "joint_orders", lambda work, results, seed: {})
    apart = assess(inputs, settings)
    assert joined.rows.to_csv().encode() == apart.rows.to_csv().encode()
    assert joined.suggestions.to_csv().encode() == apart.suggestions.to_csv().encode()
    assert (joined.plan_outcomes["expected_met"].fillna(-1)
            == apart.plan_outcomes["expected_met"].fillna(-1)).all()
    assert not joined.plan_outcomes["p_all_met"].equals(apart.plan_outcomes["p_all_met"])


def test_the_columns_are_those_formats_md_names_first():
    """plan_outcomes.csv starts with the columns the user-facing contract lists, in its order."""
    import re
    from pathlib import Path

    from forecast.targets.outcomes import COLUMNS

    text = (Path(__file__).resolve().parents[1] / "docs" / "formats.md").read_text("utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `plan_outcomes.csv`"))
    named = re.search(r"futures: `([^`]*)`", row).group(1).split(", ")
    assert named[:3] == ["plan_id", "scenario", "n_assessable"]
    assert COLUMNS[:len(named)] == named
