"""Fit the count model with nutpie's NUTS into a tidy ArviZ posterior, and check it.

As for the pooled model, compiling is the expensive step: the compiled model is kept per (node,
state and year buckets, flow or stock, persistence) in ``hierarchy.samplers`` and each
indicator's data are swapped in. A flow is fitted twice on the same compiled model, Poisson and
negative binomial, and the family leave-one-out prefers is kept (``family``). The posterior
keeps what simulation needs, per region with data: drift, exit probability, the latest log
entry rate and the latest move of the walk; and the shared walk step, year shock, persistence,
shape and hyperparameters.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from forecast.models.convergence import convergence_problems
from forecast.models.counts.family import (
    NEGATIVE_BINOMIAL,
    POISSON,
    FamilyChoice,
    bridge,
    choose_family,
    integrated_loglik,
)
from forecast.models.counts.model import MODEL_VERSION, build_model, model_data
from forecast.models.counts.panel import CountPanel
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


def fit_key(panel: CountPanel, settings: PooledSettings, seed: int) -> str:
    """What identifies a fit: model version, sampler settings, seed and the data it saw."""
    text = json.dumps({"model": MODEL_VERSION, "sampler": settings.sampler,
                       "chains": settings.chains, "draws": settings.draws,
                       "tune": settings.tune, "target_accept": settings.target_accept,
                       "retries": settings.retries, "persistence": settings.persistence,
                       "seed": seed, "data": panel.fingerprint()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def structure(panel: CountPanel, settings: PooledSettings) -> tuple:
    """The compiled model that samples ``panel``: node, state and year buckets, flow or stock,
    and whether the walk's moves persist."""
    if settings.sampler == "pymc":
        return ("pymc",)
    return ("counts", bucket(panel.n_nodes), bucket(panel.n_states),
            year_bucket(panel.n_years), panel.flow, settings.persistence)


def _raw_sample(panel: CountPanel, settings: PooledSettings, seed: int, poisson: bool, good,
                times: FitTimes | None):
    n_pad, s_pad, y_pad = bucket(panel.n_nodes), bucket(panel.n_states), \
        year_bucket(panel.n_years)

    def build():
        model = build_model(panel, n_pad, s_pad, settings.persistence, y_pad)
        if settings.sampler == "pymc":
            import pymc as pm

            pm.set_data({"poisson": np.array(1.0 if poisson else 0.0)}, model=model)
        return model

    if settings.sampler == "pymc":
        return pymc_sample(build(), settings, seed, times)
    return nutpie_sample(structure(panel, settings), build,
                         model_data(panel, n_pad, s_pad, y_pad, poisson), settings, seed, good,
                         times)


def sample_counts(panel: CountPanel, settings: PooledSettings, seed: int,
                  times: FitTimes | None = None):
    """NUTS draws of the count model for ``panel``, as a tidy InferenceData: drawn until
    the kept parameters have converged, at most ``settings.draws`` a chain. A flow is fitted
    as Poisson and as negative binomial, and the family LOO prefers is kept."""
    quiet_pymc()
    if not panel.flow:
        return tidy(sample_family(panel, settings, seed, False, times), panel, settings, seed,
                    False)
    fits = {family: sample_family(panel, settings, seed, family == POISSON, times)
            for family in (POISSON, NEGATIVE_BINOMIAL)}
    choice = choose_family(*(flow_loglik(fits[f], panel, f == POISSON)
                             for f in (POISSON, NEGATIVE_BINOMIAL)))
    return tidy(fits[choice.family], panel, settings, seed, choice.family == POISSON, choice)


def sample_family(panel: CountPanel, settings: PooledSettings, seed: int, poisson: bool,
                  times: FitTimes | None = None):
    """One family's raw NUTS draws (a stock's with ``poisson`` False), drawn until the kept
    parameters have converged: ``sample_counts`` without the choice of family."""
    def good(raw) -> bool:
        return not convergence_problems(count_diagnostics(
            tidy(raw, panel, settings, seed, poisson)))

    return _raw_sample(panel, settings, seed, poisson, good, times)


def flow_loglik(raw, panel: CountPanel, poisson: bool) -> np.ndarray:
    """Each flow count's log likelihood per draw, (1, draw, observation), with the count's own
    log rate integrated out given its neighbours in the walk (``family.bridge``; the walk's
    persistence is left out of that bridge, a small approximation for a choice of family)."""
    post = raw.posterior

    def flat(name: str) -> np.ndarray:
        values = np.asarray(post[name].values, float)
        return values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])

    states = panel.obs_state
    step = panel.state_step
    before = np.where(step[states] > 0, states - 1, -1)
    nxt = np.minimum(states + 1, panel.n_states - 1)
    after = np.where((states + 1 < panel.n_states) & (step[nxt] > 0), states + 1, -1)
    drift = flat("drift")[:, panel.state_node[states]]
    mean, var = bridge(flat("log_rate"), drift, flat("sigma") ** 2 + flat("year_shock") ** 2,
                       before, after)
    lone = np.isnan(mean)  # a region with one year: its own rate, as in plain LOO
    mean = np.where(lone, flat("log_rate")[:, states], mean)
    shape = None if poisson else flat("shape")
    return integrated_loglik(mean, var, shape, panel.obs_value)[None]


def tidy(raw, panel: CountPanel, settings: PooledSettings, seed: int, poisson: bool,
         family: FamilyChoice | None = None):
    """Per region with data (dim ``region``): drift, exit probability (stocks), the latest
    log entry rate and the latest move of the walk; the shared parameters as scalars (a
    Poisson flow has no shape). The key and the family chosen go in the attributes."""
    import arviz as az
    import xarray as xr

    post = raw.posterior
    with_data = np.flatnonzero(panel.points > 0)
    region = {"region": [panel.nodes[k] for k in with_data]}

    def per_region(values: xr.DataArray, dim: str, index: np.ndarray) -> xr.DataArray:
        return (values.isel({dim: xr.DataArray(index, dims="region")})
                .assign_coords(region))

    last = panel.last_state[with_data]
    data = {
        "drift": per_region(post["drift"], "node", with_data),
        "last_log_rate": per_region(post["log_rate"], "state", last),
        "last_move": per_region(post["move"], "state", last),
        "drift_mean": post["drift_mean"],
        "sigma": post["sigma"],
        "year_shock": post["year_shock"],
    }
    if "persistence" in post:
        data["persistence"] = post["persistence"]
    if panel.flow and not poisson:
        data["shape"] = post["shape"]
    if not panel.flow:
        data["exit"] = per_region(post["exit"], "node", with_data)
        data["exit_logit_mean"] = post["exit_logit_mean"]
        data["exit_logit_spread"] = post["exit_logit_spread"]
    posterior = xr.Dataset({k: v.astype("float64").drop_vars(
        [c for c in v.coords if c not in v.dims], errors="ignore") for k, v in data.items()})
    posterior.attrs = {
        "indicator": panel.indicator, "model_version": MODEL_VERSION, "flow": int(panel.flow),
        "seed": int(seed), "key": fit_key(panel, settings, seed), "method": "counts",
        "family": "stock" if not panel.flow else (POISSON if poisson else NEGATIVE_BINOMIAL),
        "family_choice": json.dumps(family.as_dict() if family else {}),
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
    """r_hat_max, ess_bulk_min and divergences over every kept parameter, and the count
    family the fit kept (``family``)."""
    quiet_pymc()
    return {**convergence([idata.posterior], idata),
            "family": str(idata.posterior.attrs.get("family", "stock"))}
