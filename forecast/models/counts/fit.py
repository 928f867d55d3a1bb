"""Fit the count model with nutpie's NUTS into a tidy ArviZ posterior, and check it.

As for the pooled model, compiling is the expensive step, so a process keeps one compiled model
per (node bucket, state bucket, flow or stock) and swaps each indicator's data in. The
posterior keeps what simulation needs, per region with data: drift, exit probability and the
latest log entry rate; and the shared walk step, shape and hyperparameters.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from forecast.models.counts.model import MODEL_VERSION, build_model, model_data
from forecast.models.counts.panel import CountPanel
from forecast.models.pooled.inference import PooledSettings, convergence, quiet_pymc
from forecast.models.pooled.model import bucket

_COMPILED: dict[tuple, object] = {}  # (node bucket, state bucket, flow) -> compiled model


def fit_key(panel: CountPanel, settings: PooledSettings, seed: int) -> str:
    """What identifies a fit: model version, sampler settings, seed and the data it saw."""
    text = json.dumps({"model": MODEL_VERSION, "sampler": settings.sampler,
                       "chains": settings.chains, "draws": settings.draws,
                       "tune": settings.tune, "target_accept": settings.target_accept,
                       "seed": seed, "data": panel.fingerprint()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _raw_sample(panel: CountPanel, settings: PooledSettings, seed: int):
    n_pad, s_pad = bucket(panel.n_nodes), bucket(panel.n_states)
    if settings.sampler == "pymc":
        import pymc as pm

        return pm.sample(draws=settings.draws, tune=settings.tune, chains=settings.chains,
                         cores=1, random_seed=seed, target_accept=settings.target_accept,
                         progressbar=False, compute_convergence_checks=False,
                         model=build_model(panel, n_pad, s_pad))
    import nutpie

    key = (n_pad, s_pad, panel.flow)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = nutpie.compile_pymc_model(build_model(panel, n_pad, s_pad))
        _COMPILED[key] = compiled
    data = model_data(panel, n_pad, s_pad)
    compiled = compiled.with_data(**{k: v for k, v in data.items() if k in compiled.shared_data})
    return nutpie.sample(compiled, draws=settings.draws, tune=settings.tune,
                         chains=settings.chains, cores=min(settings.chains, 2), seed=seed,
                         progress_bar=False, target_accept=settings.target_accept)


def sample_counts(panel: CountPanel, settings: PooledSettings, seed: int):
    """NUTS draws of the count model for ``panel``, as a tidy InferenceData."""
    quiet_pymc()
    return tidy(_raw_sample(panel, settings, seed), panel, settings, seed)


def tidy(raw, panel: CountPanel, settings: PooledSettings, seed: int):
    """Per region with data (dim ``region``): drift, exit probability (stocks) and the
    latest log entry rate; the shared parameters as scalars. The key goes in the attributes."""
    import arviz as az
    import xarray as xr

    post = raw.posterior
    with_data = np.flatnonzero(panel.points > 0)
    region = {"region": [panel.nodes[k] for k in with_data]}

    def per_region(values: xr.DataArray, dim: str, index: np.ndarray) -> xr.DataArray:
        return (values.isel({dim: xr.DataArray(index, dims="region")})
                .assign_coords(region))

    data = {
        "drift": per_region(post["drift"], "node", with_data),
        "last_log_rate": per_region(post["log_rate"], "state", panel.last_state[with_data]),
        "drift_mean": post["drift_mean"],
        "sigma": post["sigma"],
    }
    if panel.flow:
        data["shape"] = post["shape"]
    else:
        data["exit"] = per_region(post["exit"], "node", with_data)
        data["exit_logit_mean"] = post["exit_logit_mean"]
        data["exit_logit_spread"] = post["exit_logit_spread"]
    posterior = xr.Dataset({k: v.astype("float64").drop_vars(
        [c for c in v.coords if c not in v.dims], errors="ignore") for k, v in data.items()})
    posterior.attrs = {
        "indicator": panel.indicator, "model_version": MODEL_VERSION, "flow": int(panel.flow),
        "seed": int(seed), "key": fit_key(panel, settings, seed), "method": "counts",
        "last_value": json.dumps({panel.nodes[k]: int(panel.last_value[k]) for k in with_data},
                                 ensure_ascii=False),
        "parents": json.dumps({r: panel.nodes[p] for r, p in zip(panel.nodes, panel.parent,
                                                                 strict=True) if p >= 0},
                              ensure_ascii=False),
    }
    diverging = raw.sample_stats["diverging"].astype("int64")
    stats = xr.Dataset({"diverging": diverging.drop_vars(
        [c for c in diverging.coords if c not in diverging.dims], errors="ignore")})
    return az.InferenceData(posterior=posterior, sample_stats=stats)


def count_diagnostics(idata) -> dict:
    """r_hat_max, ess_bulk_min and divergences over every kept parameter."""
    quiet_pymc()
    return convergence([idata.posterior], idata)
