"""The pooled model (`bayes`, `auto`): it recovers known drifts, borrows strength where a series
is short, assesses one-point series, refits when its cache does not match, and gives the same
bytes on every engine."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.config import EXAMPLE_DATA, posterior_file
from forecast.execution import executor
from forecast.inputs.observations import read_observations
from forecast.inputs.plans import read_plans
from forecast.inputs.regions import read_regions
from forecast.inputs.series import series_table
from forecast.inputs.workspace import Inputs
from forecast.models.fitting import fit_pooled, fit_stage
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.panel import build_panel

QUICK = PooledSettings(chains=2, draws=400, tune=400, retries=0)  # short on purpose


def test_drifts_are_recovered_from_data_simulated_from_the_model():
    """40 counties in 4 provinces, drifts drawn around their province's, Student-t shocks:
    the 90% posterior intervals of the county drifts contain the truth about 90% of the time
    (a small version of benchmarks/bench_recovery.py's repeated simulation)."""
    rng = np.random.default_rng(7)
    parents, series, truth = {}, {}, {}
    nation = 0.04
    for p in range(4):
        prov_drift = nation + 0.02 * rng.standard_normal()
        parents[f"p{p}"] = "nation"
        for c in range(10):
            county = f"p{p}-c{c}"
            parents[county] = f"p{p}"
            truth[county] = prov_drift + 0.01 * rng.standard_normal()
            sigma = np.exp(np.log(0.04) + 0.3 * rng.standard_normal())
            n = int(rng.integers(4, 11))
            changes = truth[county] + sigma * rng.standard_t(8, n - 1)
            series[county] = np.r_[0.0, np.cumsum(changes)]
    panel = build_panel("x", series, parents)
    (post, diag), = fit_pooled({"x": panel}, QUICK, seed=3).values()
    assert diag["r_hat_max"] < 1.05  # short chains: a loose check; the defaults do better
    counties = sorted(truth)
    lo, hi = np.quantile(post.drift[:, [post.regions.index(c) for c in counties]],
                         [0.05, 0.95], axis=0)
    inside = np.mean([(lo[k] <= truth[c] <= hi[k]) for k, c in enumerate(counties)])
    assert 0.75 <= inside <= 1.0
    # and pooling helps: the posterior means are closer to the truth than each county's own mean
    own = np.array([np.diff(series[c]).mean() for c in counties])
    pooled = post.drift[:, [post.regions.index(c) for c in counties]].mean(axis=0)
    t = np.array([truth[c] for c in counties])
    assert np.mean((pooled - t) ** 2) < np.mean((own - t) ** 2)


def _workspace(root: Path, make_workspace, observations: pd.DataFrame, target: str) -> Inputs:
    regions = (EXAMPLE_DATA / "regions.csv").read_text(encoding="utf-8")
    plan = f"""
plan: {{id: p, title: t, region: 湘潭市, base_year: 2022}}
targets:
  - {{id: a, indicator: rd_intensity, kind: level, op: ">=", value: {target}, year: 2025,
      text: x}}
"""
    make_workspace(root, observations.to_csv(index=False), plan, regions)
    from forecast.inputs.catalogue import load_catalogue

    cat = load_catalogue()
    reg = read_regions(root / "data" / "regions.csv")
    return Inputs(cat, read_observations(root / "data" / "observations.csv", cat, reg),
                  read_plans(root / "data" / "plans", cat), reg)


def _rd_intensity(regions: list[str]) -> pd.DataFrame:
    obs = pd.read_csv(EXAMPLE_DATA / "observations.csv")
    obs = obs[(obs["indicator"] == "rd_intensity") & obs["region"].isin(regions)]
    return obs[["region", "indicator", "year", "value"]]


def test_a_two_point_city_borrows_from_its_province(tmp_path, make_workspace):
    """Xiangtan's two points alone give a wide distribution; with Hunan's and the other
    provinces' histories added it is narrower, and still finite."""
    alone = _workspace(tmp_path / "alone", make_workspace, _rd_intensity(["湘潭市"]), "3.5")
    provinces = ["湖南", "湖北", "江西", "广东", "全国", "四川", "河南", "安徽"]
    pooled = _workspace(tmp_path / "pooled", make_workspace,
                        _rd_intensity(["湘潭市", *provinces]), "3.5")
    settings = Settings(model="bayes", draws=1000, pooled=QUICK)
    widths = {}
    for name, inputs in (("alone", alone), ("pooled", pooled)):
        res = assess(inputs, settings)
        row = res.rows.iloc[0]
        assert row["model"] == "bayes" and 0 < row["probability"] < 1
        assert np.isfinite(row["statistic_p90"])
        widths[name] = row["statistic_p90"] - row["statistic_p10"]
    assert widths["pooled"] < 0.8 * widths["alone"]


def test_a_one_point_series_is_assessed_from_its_parent(tmp_path, make_workspace):
    obs = _rd_intensity(["湖南", "湖北", "江西", "全国"])
    one = pd.DataFrame([{"region": "湘潭市", "indicator": "rd_intensity", "year": 2022,
                         "value": 2.95}])
    inputs = _workspace(tmp_path, make_workspace, pd.concat([obs, one]), "3.0")
    row = assess(inputs, Settings(model="bayes", draws=1000, pooled=QUICK)).rows.iloc[0]
    assert row["assessable"] and 0 < row["probability"] < 1
    assert "one point: trend from its parent 湖南's drift" in row["note"]
    # the trend model cannot say anything from one point
    row = assess(inputs, Settings(model="trend")).rows.iloc[0]
    assert not row["assessable"] and row["note"].startswith("insufficient data")


def test_auto_pools_only_indicators_with_several_regions(tmp_path, make_workspace):
    obs = _rd_intensity(["湖南", "湖北", "江西", "全国", "湘潭市"])
    inputs = _workspace(tmp_path, make_workspace, obs, "3.0")
    table = series_table(inputs.observations)
    fits = fit_stage(table, inputs.catalogue, inputs.regions, ["rd_intensity"], "auto",
                     QUICK, seed=1)
    assert fits.choice["rd_intensity"].model == "bayes"
    alone = inputs.observations[inputs.observations["region"] == "湘潭市"]
    fits = fit_stage(series_table(alone), inputs.catalogue, inputs.regions, ["rd_intensity"],
                     "auto", QUICK, seed=1)
    assert fits.choice["rd_intensity"].model == "trend"
    assert "nothing to pool" in fits.choice["rd_intensity"].reason


def test_a_cached_posterior_is_reused_only_when_its_key_matches(tmp_path):
    rng = np.random.default_rng(1)
    series = {f"r{k}": np.cumsum(0.05 + 0.03 * rng.standard_normal(6)) for k in range(4)}
    panel = build_panel("x", series, {})
    seen = []

    def fit(settings, panel=panel):
        return fit_pooled({"x": panel}, settings, 5, cache_dir=tmp_path,
                          on_fit=lambda ind, d, cached, n: seen.append(cached))["x"][0]

    first = fit(QUICK)
    again = fit(QUICK)
    assert seen == [False, True]
    np.testing.assert_array_equal(first.drift, again.drift)  # the cache is exact
    fit(replace(QUICK, draws=401))  # other settings: another key
    changed = dict(series, r0=series["r0"] + 0.01)
    fit(QUICK, build_panel("x", changed, {}))  # other data: another key
    posterior_file(tmp_path, "x").write_bytes(b"not a netcdf file")  # corrupt: refitted
    fit(QUICK)
    assert seen == [False, True, False, False, False]
    fit(QUICK)
    assert seen[-1] is True


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_the_pooled_model_gives_the_same_bytes_on_every_engine(tmp_path, make_workspace,
                                                               engine):
    if engine == "dask":
        pytest.importorskip("distributed")
    obs = _rd_intensity(["湖南", "湖北", "江西", "全国", "湘潭市"])
    inputs = _workspace(tmp_path, make_workspace, obs, "3.0")
    settings = Settings(model="auto", draws=500, pooled=QUICK)
    reference = assess(inputs, settings).rows.to_csv(index=False)
    with executor(engine, workers=2) as pool:
        assert assess(inputs, settings, pool).rows.to_csv(index=False) == reference


def test_rounding_noise_of_a_count_matches_simulated_rounding():
    """The sd of log(1 + x) when a count x is a latent value rounded to whole numbers, against
    a direct simulation of that rounding (uniform within ±0.5)."""
    from forecast.models.transforms import Transform

    count = Transform("log", 0.0, np.inf, offset=1.0, integer=True)
    rng = np.random.default_rng(11)
    for x in (1.0, 2.0, 7.0, 64.0):
        latent = x + rng.uniform(-0.5, 0.5, 200_000)
        simulated = np.log1p(latent).std()
        assert count.rounding_sd(np.array([x]))[0] == pytest.approx(simulated, rel=0.03)
    assert count.continuous().rounding_sd(np.array([3.0]))[0] == 0.0  # amounts: no rounding


def test_small_counts_that_stay_flat_do_not_break_the_sampler():
    """Counties whose counts of 0-6 often stay the same from one year to the next (their
    changes are exactly 0 on the log scale) drove the shock sizes towards 0 and NUTS into a
    funnel: step sizes of 1e-4 and 57 divergences in 400 draws on the national benchmark. With
    the rounding noise in the likelihood: no divergences, and the pooled drift recovers the
    latent growth the counts were drawn with."""
    from forecast.models.transforms import Transform

    count = Transform("log", 0.0, np.inf, offset=1.0, integer=True)
    rng = np.random.default_rng(5)
    parents, series, rounding = {}, {}, {}
    for c in range(30):
        county = f"c{c}"
        parents[county] = "province"
        latent = np.log1p(rng.uniform(0.5, 5)) + np.cumsum(0.03 + 0.04 * rng.standard_normal(8))
        counts = np.round(np.expm1(latent).clip(0))
        series[county] = count.continuous().forward(counts)
        rounding[county] = count.rounding_sd(counts)
    changes = np.concatenate([np.diff(z) for z in series.values()])
    assert (changes == 0).mean() > 0.3  # the data have the problem
    panel = build_panel("x", series, parents, rounding=rounding)
    (post, diag), = fit_pooled({"x": panel}, QUICK, seed=2).values()
    assert diag["divergences"] == 0 and diag["r_hat_max"] < 1.05
    lo, hi = np.quantile(post.drift[:, post.regions.index("province")], [0.05, 0.95])
    assert lo < 0.03 < hi
