"""Fits in seconds without changing what they estimate: drawing stops at the first converged
checkpoint with the bytes of a fit asked for exactly that many draws; a fit that has not
converged is drawn again; fits of different model structures run side by side with the
results of one process; the review's look back is fitted with the run's fits; a cached fit
keeps its diagnostics; `forecast run --timings` says where the seconds went."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace

import numpy as np
import pytest
from typer.testing import CliRunner

from forecast.api import OpenWorkspace
from forecast.cli import app
from forecast.config import EXAMPLE_DATA, posterior_file
from forecast.models.convergence import RETRY_ACCEPT, RETRY_TUNE, convergence_problems
from forecast.models.fit_groups import groups_of, handout_order, run_grouped
from forecast.models.fit_jobs import stricter
from forecast.models.fitting import fit_pooled
from forecast.models.hierarchy import samplers
from forecast.models.hierarchy.samplers import (
    CHECKPOINT,
    FIRST_CHECK,
    FitTimes,
    checkpoints,
)
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.inference import diagnostics, raw_sample, sample, tidy, used_levels
from forecast.models.pooled.panel import build_panel
from forecast.timings import STAGES, Timings


def _panel(regions: int = 10, years: int = 9, seed: int = 5):
    """Regions of one parent with drifts around 5% and shocks of 3% (log scale)."""
    rng = np.random.default_rng(seed)
    series = {f"r{k}": np.r_[0.0, np.cumsum(0.05 + 0.01 * rng.standard_normal()
                                            + 0.03 * rng.standard_normal(years - 1))]
              for k in range(regions)}
    return build_panel("x", series, {f"r{k}": "nation" for k in range(regions)})


def test_checkpoints_run_from_the_first_check_to_the_maximum():
    assert checkpoints(1000) == [200, 300, 400, 500, 600, 700, 800, 900, 1000]
    assert checkpoints(250) == [200, 250]
    assert checkpoints(100) == [100]  # fewer draws than the first check: one check, at the end


def test_drawing_stops_at_the_first_converged_checkpoint_with_the_bytes_of_that_many_draws():
    """The draws kept are exactly those of a fit asked for that many draws (so where the
    sampler was when the check ran never matters), and the checkpoint before did not pass."""
    panel = _panel()
    # room to stop early on any machine: where a run converges depends on its floating point
    # (this seed needed more than 800 draws on a second machine)
    settings = PooledSettings(chains=4, draws=1500, tune=300)
    levels = used_levels(panel)
    times = FitTimes()
    stopped = sample(panel, settings, seed=11, times=times)
    k = stopped.posterior.sizes["draw"]
    assert k in checkpoints(settings.draws) and k < settings.draws
    assert not convergence_problems(diagnostics(stopped, levels))
    assert times.tune > 0 and times.draw > 0 and times.draws == k
    exact = tidy(raw_sample(panel, replace(settings, draws=k), seed=11), panel, settings, 11)
    for name in ("drift", "sigma", "drift_mean", "nu", "year_shock", "persistence"):
        np.testing.assert_array_equal(exact.posterior[name].values,
                                      stopped.posterior[name].values)
    if k > FIRST_CHECK:
        before = tidy(raw_sample(panel, replace(settings, draws=k - CHECKPOINT), seed=11),
                      panel, settings, 11)
        assert convergence_problems(diagnostics(before, levels))


def test_a_fit_that_has_not_converged_is_drawn_again_and_cached_under_its_request(tmp_path):
    """100 draws of 2 chains after 100 tuning steps cannot give an ESS of 400: the fit is
    drawn again with smaller steps, longer tuning and twice the draws; the cache then finds
    it by the request's own key, with the diagnostics it had when it was made."""
    settings = PooledSettings(chains=2, draws=100, tune=100)
    assert stricter(settings) == replace(settings, target_accept=RETRY_ACCEPT, tune=RETRY_TUNE,
                                         draws=200)
    assert stricter(replace(settings, tune=800)).tune == 1600
    panel = _panel(regions=6, years=7)
    seen = []

    def fit():
        return fit_pooled({"x": panel}, settings, 9, cache_dir=tmp_path,
                          on_fit=lambda ind, d, cached, n: seen.append(cached))["x"]

    post, diag = fit()
    assert diag["attempts"] == 2 and "ess" in convergence_problems(diag)
    assert fit_pooled({"x": panel}, replace(settings, retries=0), 9)["x"][1]["attempts"] == 1
    again, cached = fit()
    assert seen == [False, True] and cached["attempts"] == 2
    np.testing.assert_array_equal(post.drift, again.drift)
    # the stored diagnostics are those of the stored draws, computed again here
    import arviz as az

    idata = az.from_netcdf(posterior_file(tmp_path, "x"))
    fresh = diagnostics(idata, used_levels(panel))
    assert {k: cached[k] for k in fresh} == fresh


@dataclass(frozen=True)
class _Draws:
    """A seeded unit of work that says where it ran."""

    seed: int
    kind: str

    def __call__(self) -> tuple[list[float], int]:
        return np.random.default_rng(self.seed).standard_normal(3).tolist(), os.getpid()


def test_groups_of_one_structure_stay_together_and_the_results_do_not_depend_on_where(
        monkeypatch):
    jobs = [_Draws(1, "a"), _Draws(2, "b"), _Draws(3, "a"), _Draws(4, "c"), _Draws(5, "a")]
    assert groups_of([("toy", j.kind) for j in jobs]) == [[0, 2, 4], [1], [3]]
    monkeypatch.setattr(samplers, "_COMPILED", {})  # a process that has compiled nothing
    serial = dict(run_grouped(jobs, lambda j: ("toy", j.kind), workers=1))
    parallel = dict(run_grouped(jobs, lambda j: ("toy", j.kind), workers=2))
    assert sorted(parallel) == list(range(len(jobs)))
    assert [serial[i][0] for i in range(5)] == [parallel[i][0] for i in range(5)]
    here = os.getpid()
    assert {serial[i][1] for i in range(5)} == {here}
    # the largest group stays in this process, the others go to a child
    assert {parallel[i][1] for i in (0, 2, 4)} == {here}
    assert {parallel[i][1] for i in (1, 3)} - {here}
    # a process that holds a compiled model keeps fitting everything itself
    monkeypatch.setattr(samplers, "_COMPILED", {("pooled", 64, 32, True): object()})
    again = dict(run_grouped(jobs, lambda j: ("toy", j.kind), workers=2))
    assert {again[i][1] for i in range(5)} == {here}
    assert [again[i][0] for i in range(5)] == [serial[i][0] for i in range(5)]


def test_fits_of_structures_compiled_on_disk_are_shared_out_costliest_first(monkeypatch):
    """Where every structure loads from disk, each fit goes to the first free child process
    (none stays here), the costliest first; the results are those of one process."""
    jobs = [_Draws(1, "a"), _Draws(7, "b"), _Draws(3, "a"), _Draws(9, "c"), _Draws(5, "a")]
    assert handout_order(jobs, lambda j: j.seed) == [3, 1, 4, 2, 0]
    assert handout_order(jobs, None) == [0, 1, 2, 3, 4]
    monkeypatch.setattr(samplers, "_COMPILED", {})
    serial = dict(run_grouped(jobs, lambda j: ("toy", j.kind), workers=1))
    shared = dict(run_grouped(jobs, lambda j: ("toy", j.kind), workers=2,
                              cost=lambda j: j.seed, loads=lambda key: True))
    assert [shared[i][0] for i in range(5)] == [serial[i][0] for i in range(5)]
    assert os.getpid() not in {shared[i][1] for i in range(5)}
    # one structure still to compile: grouped by structure, the largest group here
    grouped = dict(run_grouped(jobs, lambda j: ("toy", j.kind), workers=2,
                               loads=lambda key: key != ("toy", "c")))
    assert {grouped[i][1] for i in (0, 2, 4)} == {os.getpid()}


def test_the_review_look_back_is_fitted_before_anything_is_simulated(tmp_path, make_workspace):
    """A plan begun in 2022 with base year 2020 and data to 2023: the fits of 2023 and of
    the look back from 2020 are made first, together; the simulation and the review then
    fit nothing."""
    import pandas as pd

    obs = pd.read_csv(EXAMPLE_DATA / "observations.csv")
    obs = obs[(obs["indicator"] == "rd_intensity")
              & obs["region"].isin(["湖南", "湖北", "江西", "全国", "广东"])]
    plan = """
plan: {id: p, title: t, region: 湖南, period: [2021, 2025], base_year: 2020}
targets:
  - {id: a, indicator: rd_intensity, kind: level, op: ">=", value: 2.5, year: 2025, text: x}
"""
    root = make_workspace(tmp_path / "ws", obs[["region", "indicator", "year", "value"]]
                          .to_csv(index=False), plan,
                          (EXAMPLE_DATA / "regions.csv").read_text(encoding="utf-8"))
    ws = OpenWorkspace(root, this_year=2024)
    settings = ws.settings(model="bayes", draws=300,
                           pooled=PooledSettings(chains=2, draws=300, tune=300))
    events: list[str] = []
    done = ws.run(settings, out=tmp_path / "run", reports=False, check=False, callbacks={
        "on_fit": lambda ind, d, cached, n: events.append(f"fit {ind} {n}"),
        "on_start": lambda n: events.append("simulate")})
    assert events == ["fit rd_intensity 2", "fit rd_intensity 2", "simulate"]
    latest = int(obs["year"].max())
    names = sorted(p.name for p in (root / "models" / "posteriors").iterdir())
    assert names == ["rd_intensity@2020.nc", f"rd_intensity@{latest}.nc"]
    assert done.review["probability_at_base"].notna().all()
    t = done.timings.as_dict()
    assert t["fits_made"] == 2 and t["fits_cached"] == 0
    assert "compile" in t and t["tune"] > 0 and t["draw"] > 0  # no compile if already had


def test_timings_add_up_and_know_their_stages():
    clock = Timings()
    clock.add("load", 1.0)
    with clock.stage("simulate"):
        pass
    clock.add_fits([{"cached": False, "compile_seconds": 2.0, "tune_seconds": 1.0,
                     "draw_seconds": 0.5}, {"cached": True, "compile_seconds": 9.0}])
    clock.add("fits", 4.0)
    clock.add("paths", 0.25)
    d = clock.as_dict()
    assert d["compile"] == 2.0 and d["tune"] == 1.0 and d["draw"] == 0.5
    assert d["fits_made"] == 1 and d["fits_cached"] == 1
    # compile, tune, draw are inside fits; paths (paths.parquet written) inside simulate
    assert d["total"] == pytest.approx(5.0, abs=0.01) and d["paths"] == 0.25
    with pytest.raises(ValueError):
        clock.add("lunch", 1.0)
    assert [line.split()[0] for line in clock.lines()[1:]] == [
        "load", "fits", "compile", "tune", "draw", "simulate", "paths", "total"]


def test_forecast_run_timings_prints_and_records_every_stage(tiny_workspace, tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(tiny_workspace), "--out", str(out),
                                      "--model", "drift", "--timings", "--quiet"])
    assert result.exit_code == 0, result.output
    printed = result.output[result.output.index("timings (seconds):"):]
    for stage in ("load", "fits", "simulate", "paths", "review look-back", "own-data check",
                  "reports", "history", "total"):
        assert f"  {stage} " in printed or f"    {stage} " in printed, stage
    recorded = json.loads((out / "probabilities.json").read_text())["diagnostics"]["timings"]
    assert set(recorded) >= {"load", "fits", "simulate", "review look-back", "own-data check",
                             "reports", "total"}
    assert "history" not in recorded  # recorded with the finished folder, after this file
    assert set(recorded) - {"total", "fits_made", "fits_cached"} <= set(STAGES)
    assert recorded["total"] == pytest.approx(
        sum(v for k, v in recorded.items() if k in {"load", "fits", "simulate",
                                                    "review look-back", "own-data check",
                                                    "reports"}), abs=0.05)
    plain = tmp_path / "plain"
    result = CliRunner().invoke(app, ["run", str(tiny_workspace), "--out", str(plain),
                                      "--model", "drift", "--no-reports", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "timings" not in json.loads((plain / "probabilities.json").read_text())[
        "diagnostics"]
    assert "timings (seconds)" not in result.output
