"""nutpie against PyMC's own NUTS on the bundled example's pooled fits: compile and sampling
timed separately, with the convergence each reaches.

For every indicator the bundled plans need that several regions have (the fits `forecast run`
makes with the default `auto`), both samplers run the same model with the same settings
(4 chains x 1,000 draws after 1,000 tuning steps, target acceptance 0.95). Compile is the
one-off translation of the model (numba for nutpie, C for PyMC: both compile again in every
new process); sampling is the NUTS run itself.

    python benchmarks/bench_samplers.py
"""

from __future__ import annotations

import os
import platform
import time
import warnings

import numpy as np

from forecast.assessment.layout import needed_indicators, observed_series, run_targets
from forecast.config import EXAMPLE_DATA
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.observations import read_observations
from forecast.inputs.plans import read_plans
from forecast.inputs.regions import parents_of, read_regions
from forecast.inputs.workspace import Inputs
from forecast.models.choice import choose_models
from forecast.models.fitting import fit_seed, pooled_series
from forecast.models.hierarchy.samplers import bucket, quiet_pymc, year_bucket
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.inference import diagnostics, tidy, used_levels
from forecast.models.pooled.model import build_model, model_data
from forecast.models.pooled.panel import build_panel


def bundled_panels() -> dict:
    """The panels `forecast run` (model `auto`) fits on the bundled example."""
    cat = load_catalogue()
    regions = read_regions(EXAMPLE_DATA / "regions.csv")
    obs = read_observations(EXAMPLE_DATA / "observations.csv", cat, regions)
    inputs = Inputs(cat, obs, read_plans(EXAMPLE_DATA / "plans", cat), regions)
    parents = parents_of(regions)
    wanted = needed_indicators(run_targets(inputs))
    series, rounding = pooled_series(observed_series(inputs, None), cat, wanted)
    choice = choose_models(wanted, series, parents, "auto")
    return {ind: build_panel(ind, series[ind], parents, rounding=rounding[ind])
            for ind, c in choice.items() if c.model == "bayes"}


def time_nutpie(panel, settings: PooledSettings, seed: int) -> tuple[float, float, dict]:
    import nutpie

    start = time.perf_counter()
    n_pad, y_pad = bucket(panel.n_nodes), year_bucket(panel.n_years)
    compiled = nutpie.compile_pymc_model(build_model(panel, settings.persistence, n_pad, y_pad))
    data = model_data(panel, n_pad, y_pad)
    compiled = compiled.with_data(**{k: v for k, v in data.items() if k in compiled.shared_data})
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    raw = nutpie.sample(compiled, draws=settings.draws, tune=settings.tune,
                        chains=settings.chains, cores=2, seed=seed, progress_bar=False,
                        target_accept=settings.target_accept)
    sample_s = time.perf_counter() - start
    idata = tidy(raw, panel, settings, seed)
    return compile_s, sample_s, diagnostics(idata, used_levels(panel))


def time_pymc(panel, settings: PooledSettings, seed: int) -> tuple[float, float, dict]:
    import pymc as pm

    start = time.perf_counter()
    model = build_model(panel, settings.persistence)
    with model:
        step = pm.NUTS(target_accept=settings.target_accept)  # compiles logp and gradient
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    raw = pm.sample(draws=settings.draws, tune=settings.tune, chains=settings.chains, cores=2,
                    random_seed=seed, step=step, progressbar=False,
                    compute_convergence_checks=False, model=model)
    sample_s = time.perf_counter() - start
    idata = tidy(raw, panel, settings, seed)
    return compile_s, sample_s, diagnostics(idata, used_levels(panel))


def main() -> None:
    warnings.filterwarnings("ignore")
    quiet_pymc()
    settings = PooledSettings()
    panels = bundled_panels()
    print(f"Pooled fits of the bundled example, {settings.chains} chains x {settings.draws} "
          f"draws after {settings.tune} tuning steps, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}\n")
    print("| indicator | regions | changes | sampler | compile s | sampling s | total s | "
          "R-hat max | ESS bulk min | ESS/s sampling | divergences |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = {"nutpie": np.zeros(2), "pymc": np.zeros(2)}
    for ind, panel in sorted(panels.items()):
        seed = fit_seed(20231, ind)
        for name, fn in (("nutpie", time_nutpie), ("pymc", time_pymc)):
            compile_s, sample_s, diag = fn(panel, settings, seed)
            totals[name] += (compile_s, sample_s)
            print(f"| {ind} | {int((panel.points > 0).sum())} | {len(panel.change)} | {name} | "
                  f"{compile_s:.1f} | {sample_s:.1f} | {compile_s + sample_s:.1f} | "
                  f"{diag['r_hat_max']:.3f} | {diag['ess_bulk_min']:.0f} | "
                  f"{diag['ess_bulk_min'] / sample_s:.0f} | {diag['divergences']} |")
    for name, (c, s) in totals.items():
        print(f"| **all, {name}** (a fresh compile per fit) | | | {name} | {c:.1f} | {s:.1f} | "
              f"{c + s:.1f} | | | | |")
    print("\nIn a run, nutpie compiles once per process for every panel of up to 64 regions "
          "(the node dimension is padded; `forecast.models.pooled.inference`), so a run pays "
          "one compile, not one per indicator.")


if __name__ == "__main__":
    main()
