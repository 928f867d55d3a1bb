"""Backtests (forecast.evaluation): the pooled model's rolling-origin backtest (origins,
scores, learning mode, `auto`) and `forecast backtest` on a file of series."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.config import EXAMPLE_DATA
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.learn import (
    MIN_HELD_OUT_YEARS,
    learn,
    pooled_spread,
)
from forecast.evaluation.origins import BacktestSettings, cuts, series_units
from forecast.evaluation.results import LEVELS, summarise
from forecast.inputs.observations import read_observations
from forecast.inputs.regions import read_regions
from forecast.models.hierarchy.settings import PooledSettings

DATA = EXAMPLE_DATA
REGIONS = ("全国", "北京", "上海", "广东", "湖南", "江西", "云南")
FAST = PooledSettings(draws=300, tune=300, retries=0)


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return read_regions(DATA / "regions.csv")


@pytest.fixture(scope="module")
def provinces(catalogue):
    """R&D intensity (2011-2023) of the nation and six provinces: a small real panel."""
    obs = read_observations(DATA / "observations.csv", catalogue)
    obs = obs[(obs["indicator"] == "rd_intensity") & obs["region"].isin(REGIONS)]
    return series_units(obs, catalogue)


@pytest.fixture(scope="module")
def tourism(catalogue):
    """Five tourism series: yearly data without any tree of regions."""
    path = DATA / "calibration" / "tourism_yearly.csv"
    cat = catalogue.with_generic(["tourism_yearly"], "amount")
    obs = read_observations(path, cat)
    return series_units(obs[obs["region"].isin(["Y1", "Y2", "Y3", "Y4", "Y5"])], cat)


@pytest.fixture(scope="module")
def mixed(provinces, tourism, regions):
    """`auto` over both: the provinces pooled, the tourism series by `trend`."""
    settings = BacktestSettings(model="auto", holdout=2, origins=2, draws=400, pooled=FAST)
    return settings, run_backtest(provinces + tourism, settings, regions=regions)


def _bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def test_panel_backtest_scores_calendar_origins(provinces, mixed):
    settings, res = mixed
    m = res.metrics[res.metrics["indicator"] == "rd_intensity"]
    assert sorted(m["origin"].unique()) == [2020, 2021]  # last year 2023, two origins of 2 years
    assert len(m) == len(REGIONS) * 2 and res.skipped == 0
    # the same series-origins as the single-series backtest, with its training lengths
    trend = run_backtest(provinces, replace(settings, model="trend"))
    cols = ["region", "origin", "n_train", "horizon"]
    assert m[cols].reset_index(drop=True).equals(trend.metrics[cols])
    assert (m["n_train"] == m["origin"] - 2011 + 1).all()
    # five planner thresholds per held-out year, probabilities in [0, 1]
    ev = res.events[res.events["indicator"] == "rd_intensity"]
    assert len(ev) == 5 * m["horizon"].sum()
    assert ev["probability"].between(0, 1).all()
    # calibration points on the logit scale of a share in percent
    pts = res.points[res.points["indicator"] == "rd_intensity"]
    p = pts["actual"] / 100
    np.testing.assert_allclose(pts["z"], np.log(p / (1 - p)))
    assert (pts["q0.025"] <= pts["q0.5"]).all() and (pts["q0.5"] <= pts["q0.975"]).all()
    assert set(res.fits["origin"]) == {2020, 2021} and (res.fits["regions"] == len(REGIONS)).all()
    # the summary recomputed from the rows: held-out-weighted coverage, the events' Brier score
    s = summarise(res)
    m_all, ev_all = res.metrics, res.events
    for level in ("80", "95"):
        hits = round(float((m_all[f"coverage_{level}"] * m_all["horizon"]).sum()))
        assert s[f"coverage_{level}"]["rate"] == pytest.approx(hits / m_all["horizon"].sum())
    brier = float(np.mean((ev_all["probability"] - ev_all["outcome"]) ** 2))
    assert s["threshold_probabilities"]["brier"] == pytest.approx(brier, rel=1e-12)


def test_auto_scores_series_without_a_hierarchy_exactly_as_trend(tourism, mixed, regions):
    settings, res = mixed
    trend = run_backtest(tourism, replace(settings, model="trend"))
    for auto in (run_backtest(tourism, settings, regions=regions),
                 run_backtest(tourism, settings)):
        for name in ("metrics", "events", "points"):
            assert _bytes(getattr(auto, name)) == _bytes(getattr(trend, name))
    # inside a mixed run too: the tourism rows are trend's, in the units' order
    rows = res.metrics[res.metrics["indicator"] == "tourism_yearly"].reset_index(drop=True)
    assert _bytes(rows) == _bytes(trend.metrics)


def test_learning_mode_sees_only_years_up_to_until(provinces, regions):
    """Held out up to 2016 with 2-year horizons: origins 2013 (2014, 2015), 2014 (2015,
    2016) and 2015 (2016), i.e. five held-out values per series, in three calendar years: too
    few to learn the pooled spread from, so it stays raw."""
    calibration, report = learn(provinces, until=2016, horizon=2, draws=300,
                                regions=regions, pooled=FAST)
    assert report["bayes"]["held_out_values"] == 5 * len(REGIONS)
    assert report["bayes"]["fits"] == 3
    assert calibration.models["bayes"]["spread"] == {}
    assert calibration.factor("bayes", "share", 1, "rd_intensity") == 1.0


def _points(origins: range, regions: int = 60) -> pd.DataFrame:
    """Held-out values twice as spread as their standard-normal predictive quantiles."""
    q = {f"q{lv}": stats.norm.ppf(lv) for lv in LEVELS}
    z = 2 * stats.norm.ppf((np.arange(regions) + 0.5) / regions)
    return pd.DataFrame([{"region": f"r{i}", "indicator": "rd_intensity", "kind": "share",
                          "origin": o, "horizon": h, "z": z[i], **q}
                         for o in origins for h in (1, 2, 3) for i in range(regions)])


def test_pooled_spread_needs_enough_held_out_calendar_years():
    """Origins 2013-2014 with horizons 1-3 hold out 2014-2017 (four years): raw spread, however
    many regions; one origin more reaches five years and the factors (about 2) are learned."""
    assert MIN_HELD_OUT_YEARS == 5
    assert pooled_spread(_points(range(2013, 2015), regions=400), 3, {"rd_intensity"}) == {
        "spread": {}}
    assert pooled_spread(_points(range(2013, 2015))[:0], 3, {"rd_intensity"}) == {"spread": {}}
    spread = pooled_spread(_points(range(2013, 2016)), 3, {"rd_intensity"})["spread"]
    assert set(spread) == {"share", "rd_intensity"}
    np.testing.assert_allclose(spread["rd_intensity"], 2.0, atol=0.1)


# ---- `forecast backtest` ------------------------------------------------------------------


def test_backtest_cli_writes_metrics_and_summary(tmp_path):
    obs = tmp_path / "obs.csv"
    rows = ["region,indicator,year,value"]
    rng = np.random.default_rng(6)
    for r in range(6):
        v = 50.0
        for year in range(2005, 2021):
            v *= 1 + rng.normal(0.05, 0.03)
            rows.append(f"s{r},sales,{year},{v:.3f}")
    obs.write_text("\n".join(rows) + "\n")
    out = tmp_path / "bt"
    result = CliRunner().invoke(app, ["backtest", str(obs), "--kind", "amount", "--holdout", "4",
                                      "--origins", "2", "--out", str(out), "--draws", "300",
                                      "--workers", "2", "-q"])
    assert result.exit_code == 0, result.output
    metrics = pd.read_csv(out / "metrics.csv")
    assert len(metrics) == 12
    assert {"region", "indicator", "origin", "MASE", "sMAPE", "CRPS", "coverage_80",
            "coverage_95"} <= set(metrics.columns)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["coverage_80"]["held_out_values"] == 12 * 4
    # the rate is the rows' coverage over their 4 held-out years each, and its band the exact
    # (Clopper-Pearson) 95% interval of that many hits in 48
    hits = round(float(metrics["coverage_80"].sum() * 4))
    assert summary["coverage_80"]["rate"] == pytest.approx(hits / 48, abs=1e-12)
    band = [stats.beta.ppf(0.025, hits, 48 - hits + 1), stats.beta.ppf(0.975, hits + 1, 48 - hits)]
    np.testing.assert_allclose(summary["coverage_80"]["band_95"], band, rtol=1e-9)
    assert len(summary["threshold_probabilities"]["reliability_diagram"]) == 10
    bad = CliRunner().invoke(app, ["backtest", str(obs), "-q", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "unknown indicator 'sales'" in bad.output


def test_scoring_and_learning_origins_never_overlap():
    years = np.arange(2011, 2024)
    scoring_pairs = cuts(years, BacktestSettings(holdout=3, origins=5, after=2018))
    learning_pairs = cuts(years, BacktestSettings(holdout=3, until=2018))
    scored = {int(years[i]) for c, e in scoring_pairs for i in range(c, e)}
    learned = {int(years[i]) for c, e in learning_pairs for i in range(c, e)}
    assert min(scored) == 2019 and max(learned) == 2018
    assert cuts(years, BacktestSettings(holdout=3, origins=1)) == [(10, 13)]
