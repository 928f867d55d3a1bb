"""Fit the count model with nutpie's NUTS into a tidy ArviZ posterior, and check it.

As for the pooled model, compiling is the expensive step: the compiled model is kept per (node
bucket, state bucket, flow or stock) in ``hierarchy.samplers`` and each indicator's data are
swapped in. The
posterior keeps what simulation needs, per region with data: drift, exit probability and the
latest log entry rate; and the shared walk step, shape and hyperparameters.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from forecast.models.convergence import convergence_problems
from forecast.models.counts.model import MODEL_VERSION, build_model, model_data
from forecast.models.counts.panel import CountPanel
from forecast.models.hierarchy.samplers import (
    FitTimes,
    bucket,
    convergence,
    nutpie_sample,
    pymc_sample,
    quiet_pymc,
)
from forecast.models.hierarchy.settings import PooledSettings


def fit_key(panel: CountPanel, settings: PooledSettings, seed: int) -> str:
    """What identifies a fit: model version, sampler settings, seed and the data it saw."""
    text = json.dumps({"model": MODEL_VERSION, "sampler": settings.sampler,
                       "chains": settings.chains, "draws": settings.draws,
                       "tune": settings.tune, "target_accept": settings.target_accept,
                       "retries": settings.retries,
                       "seed": seed, "data": panel.fingerprint()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def structure(panel: CountPanel, settings: PooledSettings) -> tuple:
    """The compiled model that samples ``panel``: node and state buckets, flow or stock."""
    if settings.sampler == "pymc":
        return ("pymc",)
    return ("counts", bucket(panel.n_nodes), bucket(panel.n_states), panel.flow)


def _raw_sample(panel: CountPanel, settings: PooledSettings, seed: int, good,
                times: FitTimes | None):
    n_pad, s_pad = bucket(panel.n_nodes), bucket(panel.n_states)
    if settings.sampler == "pymc":
        return pymc_sample(build_model(panel, n_pad, s_pad), settings, seed, times)
    return nutpie_sample(structure(panel, settings),
                         lambda: build_model(panel, n_pad, s_pad),
                         model_data(panel, n_pad, s_pad), settings, seed, good, times)


def sample_counts(panel: CountPanel, settings: PooledSettings, seed: int,
                  times: FitTimes | None = None):
    """NUTS draws of the count model for ``panel``, as a tidy InferenceData: drawn until
    the kept parameters have converged, at most ``settings.draws`` a chain."""
    quiet_pymc()

    def good(raw) -> bool:
        return not convergence_problems(count_diagnostics(tidy(raw, panel, settings, seed)))

    return tidy(_raw_sample(panel, settings, seed, good, times), panel, settings, seed)


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
