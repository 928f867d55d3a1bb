"""Counts as counts: the likelihood against a direct convolution, integer paths, stocks never
below zero, a Poisson closed form, pooling towards the parent, the 0, 1, 1, 1 county, and the
same bytes on every engine."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.execution import executor
from forecast.inputs.catalogue import Indicator
from forecast.inputs.observations import read_observations
from forecast.inputs.plans import Target, read_plans
from forecast.inputs.regions import read_regions
from forecast.inputs.series import series_table
from forecast.inputs.workspace import Inputs
from forecast.models.choice import SMALL_COUNT, counted
from forecast.models.counts.fit import sample_counts
from forecast.models.counts.model import DISPERSION_SCALE, build_model
from forecast.models.counts.panel import build_count_panel
from forecast.models.counts.posterior import CountDraws, counts_from_idata
from forecast.models.fitting import fit_stage, plan_stage
from forecast.models.hierarchy.settings import PooledSettings
from forecast.simulation.paths import Paths
from forecast.targets.engine import compared_quantity, is_met, probability

QUICK = PooledSettings(chains=2, draws=400, tune=400, retries=0)  # short on purpose


def draws(flow: bool, rate: float, exit_p: float = 0.0, last: int = 0, n: int = 4000,
          drift: float = 0.0, sigma: float = 0.0, shape: float = np.inf) -> CountDraws:
    full = np.full
    return CountDraws("r", flow, full(n, drift), full(n, sigma), full(n, shape),
                      full(n, exit_p), full(n, np.log(rate)), last, None, 5)


def test_the_stock_likelihood_is_the_convolution_of_entries_and_exits():
    """The model's likelihood at its initial point against scipy: each net change is
    Poisson entries less Binomial exits from last year's stock, summed over the exits; a
    stock above the exact range uses the normal approximation of that difference."""
    series = {"a": np.array([3, 5, 4, 4, 7]), "b": np.array([0, 1, 1, 0]),
              "c": np.array([120, 131, 128])}
    panel = build_count_panel("x", series, {"a": "P", "b": "P", "c": "P"}, flow=False)
    model = build_model(panel)
    point = model.initial_point()
    point["rate_offset"] = np.linspace(-0.5, 0.5, len(point["rate_offset"]))
    point["step_z"] = np.cos(np.arange(len(point["step_z"])))
    point["exit_z"] = np.linspace(-1, 1, len(point["exit_z"]))
    fn = model.compile_fn(model.replace_rvs_by_values(
        [model["likelihood"], model["log_rate"], model["exit"]]), inputs=model.value_vars,
        on_unused_input="ignore")
    loglik, log_rate, exit_p = fn(point)
    expected = 0.0
    for i, state in enumerate(panel.obs_state):
        k, n = panel.obs_value[i], panel.obs_previous[i]
        mu, q = np.exp(log_rate[state]), exit_p[panel.state_node[state]]
        if n <= 100:
            x = np.arange(n + 1)
            expected += np.log(np.sum(stats.binom.pmf(x, n, q) * stats.poisson.pmf(k + x, mu)))
        else:
            expected += stats.norm.logpdf(k, mu - n * q, np.sqrt(mu + n * q * (1 - q)))
    assert float(loglik) == pytest.approx(expected, rel=1e-9)


def test_the_flow_likelihood_is_negative_binomial():
    series = {"a": np.array([0, 2, 5, 1]), "b": np.array([7, 9])}
    panel = build_count_panel("x", series, {}, flow=True)
    model = build_model(panel)
    point = model.initial_point()
    point["dispersion_z_log__"] = np.log(0.7 / DISPERSION_SCALE)
    fn = model.compile_fn(model.replace_rvs_by_values(
        [model["likelihood"], model["log_rate"], model["shape"]]), inputs=model.value_vars,
        on_unused_input="ignore")
    loglik, log_rate, shape = fn(point)
    mu = np.exp(log_rate[panel.obs_state])
    expected = stats.nbinom.logpmf(panel.obs_value, shape, shape / (shape + mu)).sum()
    assert float(loglik) == pytest.approx(expected, rel=1e-9)


def test_paths_are_integers_and_a_stock_never_falls_below_zero():
    rng = np.random.default_rng(3)
    stock = draws(False, rate=0.3, exit_p=0.6, last=4, drift=-0.2, sigma=0.3).simulate(
        6, 5000, rng)
    flow = draws(True, rate=2.5, shape=3.0, sigma=0.2).simulate(6, 5000, rng)
    for paths in (stock, flow):
        assert np.array_equal(paths, np.round(paths)) and paths.min() >= 0
    assert (stock == 0).mean() > 0.3  # many paths do reach zero, and stay at or above it
    assert (np.diff(stock, axis=1) < 0).any()  # a stock can fall


def test_at_least_one_net_entry_matches_the_poisson_closed_form():
    """A stock of 6 with Poisson entries at rate 0.8 and each unit leaving with probability
    0.1: P(change >= 1 in a year) = sum_x Binomial(x | 6, 0.1) P(Poisson(0.8) >= x + 1),
    read through the target engine from the simulated integer paths."""
    lam, q, s = 0.8, 0.1, 6
    x = np.arange(s + 1)
    closed = float(np.sum(stats.binom.pmf(x, s, q) * stats.poisson.sf(x, lam)))
    future = draws(False, rate=lam, exit_p=q, last=s, n=200_000).simulate(
        1, 200_000, np.random.default_rng(7))
    paths = Paths(2024, np.hstack([np.full((len(future), 1), float(s)), future]))
    target = Target("p", "t", "r", "x", "change", "新增1家以上", op=">=", value=1, year=2025,
                    base_year=2024)
    p, se = probability(is_met(target, compared_quantity(target, paths)))
    assert p == pytest.approx(closed, abs=4 * se)


def _flows(rng: np.random.Generator, drift: float, years: int, start: float) -> np.ndarray:
    rates = start * np.exp(drift * np.arange(years))
    return rng.poisson(rates).astype(float)


def test_a_short_county_borrows_its_growth_from_its_province_peers():
    """Twelve counties whose events grow 15% a year and one with three flat points: pooled,
    the short county's drift moves from its own (about 0) towards its peers'; alone, it keeps
    a wide posterior around its own."""
    rng = np.random.default_rng(11)
    peers = {f"c{k}": _flows(rng, 0.15, 9, 8.0) for k in range(12)}
    short = {"short": np.array([6.0, 6.0, 6.0])}
    parents = {r: "P" for r in [*peers, "short"]}
    pooled = build_count_panel("x", {**peers, **short}, parents, flow=True)
    alone = build_count_panel("x", short, parents, flow=True)
    post_pooled = counts_from_idata(sample_counts(pooled, QUICK, 1), {})
    post_alone = counts_from_idata(sample_counts(alone, QUICK, 1), {})
    k = post_pooled.regions.index("short")
    peer_drift = np.mean([post_pooled.drift[:, post_pooled.regions.index(r)].mean()
                          for r in peers])
    assert peer_drift == pytest.approx(0.15, abs=0.05)
    d_pooled, d_alone = post_pooled.drift[:, k], post_alone.drift[:, 0]
    assert abs(d_alone.mean()) < 0.05
    assert d_alone.mean() < d_pooled.mean() < peer_drift
    assert d_pooled.std() < 0.6 * d_alone.std()


def test_which_series_are_counted():
    stock = Indicator("s", "s", "s", "家", "count", False, "up")
    assert counted(stock, np.array([0, 1, 1, 1]), "auto")
    assert not counted(stock, np.array([90, 150]), "auto")  # above SMALL_COUNT
    assert SMALL_COUNT < 150
    assert counted(stock, np.array([90, 150]), "counts")
    assert not counted(stock, np.array([0, 1, 1, 1]), "bayes")
    assert not counted(stock, np.array([0.5, 1.0]), "auto")  # not whole numbers
    share = Indicator("h", "h", "h", "%", "share", False, "up", upper=100.0)
    assert not counted(share, np.array([1.0, 2.0]), "auto")


ZHENKANG = """region,indicator,year,value,source
镇康县,hitech_enterprises,2019,0,test
镇康县,hitech_enterprises,2020,1,test
镇康县,hitech_enterprises,2021,1,test
镇康县,hitech_enterprises,2022,1,test
镇康县,achievement_transfer_events,2020,1,test
镇康县,achievement_transfer_events,2021,3,test
镇康县,achievement_transfer_events,2022,2,test
"""
PLAN = """
plan: {id: zk, title: t, region: 镇康县, base_year: 2022}
targets:
  - {id: stock, indicator: hitech_enterprises, kind: level, op: ">=", value: 2, year: 2025,
     text: 国家高新技术企业达2户以上}
  - {id: net, indicator: hitech_enterprises, kind: change, op: ">=", value: 1, year: 2025,
     text: 新增1家以上}
  - {id: events, indicator: achievement_transfer_events, kind: level, op: ">=", value: 2,
     year: 2024, each_year: false, text: 举办成果转化活动2场以上}
"""


def _zhenkang(tmp_path, make_workspace, catalogue) -> Inputs:
    from forecast.config import EXAMPLE_DATA

    root = make_workspace(tmp_path, ZHENKANG, PLAN)
    regions = read_regions(EXAMPLE_DATA / "regions.csv")
    return Inputs(catalogue, read_observations(root / "data" / "observations.csv", catalogue),
                  read_plans(root / "data" / "plans", catalogue), regions)


def test_the_0_1_1_1_county_gets_what_its_history_supports(tmp_path, make_workspace,
                                                          catalogue):
    """The issue's example: log-scale `trend` puts the 2025 stock's 90th percentile at 8
    firms; counts keep it within what the one entry seen in three years supports."""
    inputs = _zhenkang(tmp_path, make_workspace, catalogue)
    fits = fit_stage(series_table(inputs.observations), catalogue, inputs.regions,
                     ["hitech_enterprises", "achievement_transfer_events"], "auto", QUICK, 1)
    assert fits.choice["hitech_enterprises"].model == "counts"
    assert "never below 0" in fits.choice["hitech_enterprises"].reason
    assert "negative-binomial" in fits.choice["achievement_transfer_events"].reason
    rows = assess(inputs, Settings(model="auto", draws=4000, pooled=QUICK)).rows
    rows = rows.set_index("target_id")
    assert set(rows["model"]) == {"counts"}
    for col in ("statistic_p10", "statistic_p50", "statistic_p90"):
        assert np.array_equal(rows[col], np.round(rows[col]))  # integer quantiles
    trend = assess(inputs, Settings(model="trend", draws=4000)).rows.set_index("target_id")
    assert trend.loc["stock", "statistic_p90"] >= 8  # the "today" (8 calibrated)
    # what one entry in three years supports: with a constant entry rate and a flat prior on
    # it, the entries of the next three years are negative binomial (r = 2, p = 3 / (3 + 3));
    # exits only lower the stock, so its p90 is at most 1 + that p90 (5)
    entries_p90 = stats.nbinom(2, 3 / (3 + 3)).ppf(0.9)
    assert rows.loc["stock", "statistic_p90"] <= 1 + entries_p90
    # the level and the net change are the same event here (2 firms = 1 more than 1)
    assert rows.loc["stock", "probability"] == rows.loc["net", "probability"]


def test_auto_pools_the_counts_of_a_panel_too_large_for_the_count_model(
        tmp_path, make_workspace, catalogue):
    """At national scale (a count panel the pooled model would approximate) `auto` chooses
    for the series as for continuous ones (pooled where several regions share a parent);
    `counts` still asks for the count model."""
    inputs = _zhenkang(tmp_path, make_workspace, catalogue)
    table, wanted = series_table(inputs.observations), ["hitech_enterprises"]
    small = plan_stage(table, catalogue, inputs.regions, wanted, "auto", QUICK)
    assert "hitech_enterprises~counts" in small.panels
    nodes = small.panels["hitech_enterprises~counts"].n_nodes
    national = replace(QUICK, large_panel=nodes - 1)
    pooled = plan_stage(table, catalogue, inputs.regions, wanted, "auto", national)
    assert "hitech_enterprises~counts" not in pooled.panels
    # chosen as `auto` chooses for continuous series: a county alone gets the single-series
    # model (several regions would be pooled)
    assert pooled.choice["hitech_enterprises"].model == "trend"
    explicit = plan_stage(table, catalogue, inputs.regions, wanted, "counts", national)
    assert "hitech_enterprises~counts" in explicit.panels


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_counts_give_the_same_bytes_on_every_engine(tmp_path, make_workspace, catalogue,
                                                    engine):
    if engine == "dask":
        pytest.importorskip("distributed")
    inputs = _zhenkang(tmp_path, make_workspace, catalogue)
    settings = Settings(model="auto", draws=500, pooled=QUICK)
    reference = assess(inputs, settings).rows.to_csv(index=False)
    with executor(engine, workers=2) as pool:
        assert assess(inputs, settings, pool).rows.to_csv(index=False) == reference


def test_the_backtest_chooses_count_or_continuous_panels_as_a_run_does(catalogue):
    """Twelve counties' small yearly counts: backtested with `auto` they go to the count model,
    until the count panel is larger than the pooled model's ``large_panel`` (national
    scale), where, as in a run (``plan_stage``), they are fitted as continuous series;
    `counts` keeps the count model at any size."""
    from forecast.evaluation.origins import BacktestSettings, SeriesUnit, cut_at
    from forecast.evaluation.panel import origin_panels

    rng = np.random.default_rng(3)
    indicator = catalogue["hitech_enterprises"]
    units = [SeriesUnit(f"c{k}", indicator, np.arange(2014, 2024),
                        np.cumsum(rng.poisson(2, 10)).astype(float) + 5) for k in range(12)]
    parents = {f"c{k}": "湖南" for k in range(12)}

    def panels(model: str, large_panel: int) -> list[str]:
        settings = BacktestSettings(model=model, holdout=3,
                                    pooled=replace(QUICK, large_panel=large_panel))
        cuts = [cut_at(u, 2020, settings) for u in units]
        made, _ = origin_panels("hitech_enterprises@2020", cuts, settings, parents)
        return sorted(made)

    assert panels("auto", 400) == ["hitech_enterprises@2020~counts"]
    assert panels("auto", 5) == ["hitech_enterprises@2020"]
    assert panels("counts", 5) == ["hitech_enterprises@2020~counts"]
