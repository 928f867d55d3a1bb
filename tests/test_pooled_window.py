"""The pooled model's drift over recent years alone (``PooledSettings.window``): the panel keeps
each region's last changes, the setting is checked, and a drift that changed recently is
recovered from a simulation with a known truth."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.api import open_workspace
from forecast.cli import app
from forecast.errors import InputError
from forecast.models.fitting import fit_pooled
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.panel import build_panel

QUICK = PooledSettings(chains=2, draws=400, tune=400, retries=0)  # short on purpose


def _panel():
    series = {"a": np.array([0.0, 1.0, 3.0, 6.0, 10.0]), "b": np.array([0.0, 2.0, 5.0])}
    return build_panel("x", series, {"a": "n", "b": "n"}, ends={"a": 2020, "b": 2020})


def test_recent_keeps_each_regions_last_changes_and_what_came_before():
    panel = _panel()
    recent = panel.recent(2)
    a, b = recent.nodes.index("a"), recent.nodes.index("b")
    assert recent.change[recent.node_of == a].tolist() == [3.0, 4.0]
    assert recent.change[recent.node_of == b].tolist() == [2.0, 3.0]
    # the first change kept still knows the one before it (persistence reads it)
    assert recent.previous[recent.node_of == a].tolist() == [2.0, 3.0]
    assert recent.has_previous[recent.node_of == a].tolist() == [1.0, 1.0]
    # the same calendar years (2019, 2020) for both, counted from the year before (as
    # build_panel counts from the year of the first value)
    assert recent.year_of[recent.node_of == a].tolist() == [1, 2]
    assert recent.year_of[recent.node_of == b].tolist() == [1, 2]
    assert recent.points[[a, b]].tolist() == [3, 3]


@pytest.mark.parametrize("window", [2, 3, 7])
def test_recent_is_each_regions_last_changes_on_a_ragged_tree(window):
    """Series of 1-14 points in a three-level tree, ending in different years: the windowed
    panel holds, for every region, exactly the tail of its own changes."""
    rng = np.random.default_rng(window)
    series = {f"c{i}": np.cumsum(rng.standard_normal(rng.integers(1, 15))) for i in range(40)}
    series |= {f"p{j}": np.cumsum(rng.standard_normal(12)) for j in range(4)}
    parents = {f"c{i}": f"p{i % 4}" for i in range(40)} | {f"p{j}": "n" for j in range(4)}
    ends = {r: 2023 - int(rng.integers(0, 3)) for r in series}
    panel = build_panel("x", series, parents, ends)
    recent = panel.recent(window)
    years = []
    for i in range(panel.n_nodes):
        own = panel.change[panel.node_of == i]
        np.testing.assert_array_equal(recent.change[recent.node_of == i], own[-window:])
        years.append(panel.year_of[panel.node_of == i][-window:])
    # calendar years keep their distances (changes of one year still share its shock)
    shift = np.concatenate(years) - recent.year_of
    assert len(set(shift.tolist())) == 1 and recent.year_of.min() == 1


def test_a_window_of_all_years_or_longer_than_the_data_changes_nothing():
    panel = _panel()
    assert panel.recent(None) is panel
    assert panel.recent(10).fingerprint() == panel.fingerprint()


@pytest.mark.parametrize("window", [0, 1, True, 2.5, "5"])
def test_a_window_that_is_not_a_number_of_years_is_refused(window):
    with pytest.raises(InputError, match="window"):
        PooledSettings(window=window)


def test_fits_without_a_window_keep_the_keys_they_had():
    """A window of all years is not written into the settings a fit's key is made of, so the
    posteriors cached before the window existed are still found."""
    assert "window" not in PooledSettings().describe()
    assert PooledSettings(window=5).describe()["window"] == 5


def _risen(seed: int = 11, regions: int = 30, recent_years: int = 5):
    """Regions under one nation that grew 2% a year for ten years, then 10% (the truth)."""
    rng = np.random.default_rng(seed)
    series, parents = {}, {}
    for r in range(regions):
        drift = np.r_[np.full(9, 0.02), np.full(recent_years, 0.10)]
        drift = drift + 0.01 * rng.standard_normal()  # each region a little off the common
        series[f"r{r}"] = np.r_[0.0, np.cumsum(drift + 0.03 * rng.standard_normal(14))]
        parents[f"r{r}"] = "nation"
    return build_panel("x", series, parents)


def test_a_drift_that_rose_recently_is_recovered_with_a_window():
    """30 regions grew 2% a year for ten years, then 10% for the last five. With a window of
    five changes the posterior of the regions' drift is centred on 10%; over all years it is
    centred on the fourteen-year average (about 4.9%), and today's growth is outside its 90%
    interval."""
    truth_then, truth_now, recent_years = 0.02, 0.10, 5
    panel = _risen()
    means = {}
    for window in (recent_years, None):
        (post, diag), = fit_pooled({"x": panel}, replace(QUICK, window=window),
                                   seed=5).values()
        assert diag["r_hat_max"] < 1.05
        regions = [post.regions.index(f"r{r}") for r in range(30)]
        means[window] = post.drift[:, regions].mean(axis=1)  # the regions' average drift
    lo, hi = np.quantile(means[recent_years], [0.05, 0.95])
    assert lo <= truth_now <= hi
    average = (9 * truth_then + recent_years * truth_now) / 14
    assert abs(means[None].mean() - average) < 0.015
    assert np.quantile(means[None], 0.95) < truth_now  # today's growth outside its interval


def test_the_large_panel_approximation_reads_the_same_window():
    """Above ``large_panel`` regions the fit is approximated (``approx``): it sees the same
    recent changes, so the nation's drift (the regions' common trend) is today's 10%."""
    panel = _risen(seed=12)
    (post, _), = fit_pooled({"x": panel}, replace(QUICK, method="approx", window=5),
                            seed=5).values()
    nation = post.drift[:, post.upper["nation"]]
    lo, hi = np.quantile(nation, [0.05, 0.95])
    assert lo <= 0.10 <= hi and hi - lo < 0.1
    # every region's changes kept for its conditional draws are its last five
    assert len(post.changes.change) == 30 * 5


def test_forecast_run_refuses_a_window_of_one_year_in_one_line(tiny_workspace, tmp_path):
    """One change cannot tell a trend from a shock: exit 2, one line, nothing written."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(tiny_workspace), "--out", str(out), "--model",
                                      "bayes", "--drift-window", "1", "-q"])
    assert result.exit_code == 2 and "window" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_forecast_run_fits_the_window_and_records_it(tiny_workspace, tmp_path):
    """The option reaches the fit as the library's ``PooledSettings(window=3)`` (the same
    fit, found in the cache under the same key, and the same probability: a window read as
    2 or 4 would refit and differ), it changes the forecast, and the run's record says which
    window it used. Which changes a window keeps is checked on the panels above."""
    probability = {}
    for window in ("0", "3"):
        out = tmp_path / f"out{window}"
        result = CliRunner().invoke(app, ["run", str(tiny_workspace), "--out", str(out),
                                          "--model", "bayes", "--draws", "500", "--no-reports",
                                          "--chains", "2", "--mcmc-draws", "200", "--no-check",
                                          "--drift-window", window, "-q"])
        assert result.exit_code == 0, result.output
        meta = json.loads((out / "probabilities.json").read_text(encoding="utf-8"))["run"]
        assert meta["settings"]["pooled"].get("window") == (None if window == "0" else 3)
        probability[window] = pd.read_csv(out / "probabilities.csv")["probability"].iloc[0]
    assert probability["0"] != probability["3"]
    ws = open_workspace(tiny_workspace)
    pooled = PooledSettings(chains=2, draws=200, window=3)
    result = ws.run(ws.settings(model="bayes", draws=500, pooled=pooled), out=tmp_path / "api",
                    reports=False, check=False)
    assert result.timings.fits == {"fitted": 0, "cached": 1}
    assert pd.read_csv(result.folder / "probabilities.csv")["probability"].iloc[0] \
        == probability["3"]
