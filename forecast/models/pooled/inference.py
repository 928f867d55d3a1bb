"""Fit the pooled model: NUTS by nutpie (default) or PyMC, into a tidy ArviZ posterior.

The compiled model is kept per node and year bucket (``hierarchy.samplers``), so a run with
several indicators of about the same size compiles once. The posterior keeps only what
forecasting and diagnostics need, with named dims (chain, draw, region, level).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from forecast.models.convergence import convergence_problems
from forecast.models.hierarchy.samplers import (
    FitTimes,
    bucket,
    convergence,
    nutpie_sample,
    pymc_sample,
    quiet_pymc,
    year_bucket,
)
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.hierarchy.tree import MAX_DEPTH
from forecast.models.pooled.model import MODEL_VERSION, build_model, model_data
from forecast.models.pooled.panel import Panel

HYPER = ("drift_mean", "drift_spread", "shock_scale_mean", "shock_scale_spread", "nu",
         "year_shock")


def fit_key(panel: Panel, settings: PooledSettings, seed: int) -> str:
    """What identifies a fit: model version, settings, seed and the data it saw."""
    text = json.dumps({"model": MODEL_VERSION, "settings": settings.describe(), "seed": seed,
                       "data": panel.fingerprint()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def structure(panel: Panel, settings: PooledSettings) -> tuple:
    """The compiled model that samples ``panel``: its node and year buckets (PyMC compiles
    as it samples, and keeps its own cache on disk)."""
    if settings.sampler == "pymc":
        return ("pymc",)
    return ("pooled", bucket(panel.n_nodes), year_bucket(panel.n_years), settings.persistence)


def raw_sample(panel: Panel, settings: PooledSettings, seed: int, low_rank: bool = True,
               good=None, times: FitTimes | None = None):
    """NUTS draws of the pooled model for ``panel`` as the sampler returns them (nutpie's
    stop as soon as they are ``good``). nutpie's low-rank mass matrix is what the year
    shocks need on a full panel (BENCHMARKS.md); the approximation turns it off on its
    sub-panel."""
    if settings.sampler == "pymc":
        return pymc_sample(build_model(panel, settings.persistence), settings, seed, times)
    key = structure(panel, settings)
    n_pad, y_pad = key[1], key[2]
    return nutpie_sample(key,
                         lambda: build_model(panel, settings.persistence, n_pad, y_pad),
                         model_data(panel, n_pad, y_pad), settings, seed, good, times,
                         low_rank_modified_mass_matrix=low_rank)


def sample(panel: Panel, settings: PooledSettings, seed: int, times: FitTimes | None = None):
    """NUTS draws of the pooled model for ``panel``, as a tidy InferenceData: drawn until
    the drifts, shock sizes and hyperparameters that the futures are simulated from have
    converged (``convergence.convergence_problems``), at most ``settings.draws`` a chain."""
    quiet_pymc()
    levels = used_levels(panel)

    def good(raw) -> bool:
        return not convergence_problems(diagnostics(tidy(raw, panel, settings, seed), levels))

    return tidy(raw_sample(panel, settings, seed, good=good, times=times), panel, settings,
                seed)


def tidy(raw, panel: Panel, settings: PooledSettings, seed: int):
    """Keep the real regions (not the padding) and the variables forecasting needs, with
    named dims; the fit's key and settings go into the attributes."""
    import arviz as az
    import xarray as xr

    post = raw.posterior
    n = panel.n_nodes
    region = {"region": list(panel.nodes)}
    data = {
        "drift": post["drift"].isel(node=slice(0, n)).rename(node="region")
        .assign_coords(region),
        "sigma": post["sigma"].isel(node=slice(0, n)).rename(node="region")
        .assign_coords(region),
        "drift_mean": post["drift_mean"],
        "drift_spread": post["drift_spread"].assign_coords(level=np.arange(MAX_DEPTH)),
        "shock_scale_mean": post["shock_scale_mean"],
        "shock_scale_spread": post["shock_scale_spread"],
        "nu": post["nu"],
        "year_shock": post["year_shock"],
    }
    if settings.persistence:
        data["persistence"] = post["persistence"]
    posterior = xr.Dataset({k: v.astype("float64").drop_vars(
        [c for c in v.coords if c not in v.dims], errors="ignore") for k, v in data.items()})
    posterior.attrs = {"indicator": panel.indicator, "model_version": MODEL_VERSION,
                       "settings": json.dumps(settings.describe(), sort_keys=True),
                       "seed": int(seed), "key": fit_key(panel, settings, seed),
                       "method": "nuts", "parents": json.dumps(
                           {r: panel.nodes[p] for r, p in zip(panel.nodes, panel.parent,
                                                              strict=True) if p >= 0},
                           ensure_ascii=False)}
    diverging = raw.sample_stats["diverging"].astype("int64")
    stats = xr.Dataset({"diverging": diverging.drop_vars(
        [c for c in diverging.coords if c not in diverging.dims], errors="ignore")})
    return az.InferenceData(posterior=posterior, sample_stats=stats)


def used_levels(panel: Panel) -> list[int]:
    """Levels of the tree whose spread the data inform (level 0 only with several roots)."""
    levels = sorted(set(int(d) for d in panel.depth[panel.depth > 0]))
    return ([0] if panel.n_roots > 1 else []) + levels


def diagnostics(idata, levels: list[int] | None = None) -> dict:
    """r_hat_max, ess_bulk_min and divergences over the drifts, shock sizes and hyper-
    parameters (the spreads of levels the tree does not use are prior only and left out)."""

    quiet_pymc()
    post = idata.posterior
    names = ["drift", "sigma", *HYPER, *(["persistence"] if "persistence" in post else [])]
    names.remove("drift_spread")
    parts = [post[names]]
    if levels is None:
        parts.append(post[["drift_spread"]])
    elif levels:  # none for a lone region: no spread between regions to learn
        parts.append(post[["drift_spread"]].sel(level=levels))
    return convergence(parts, idata)
