"""Fit the pooled model: NUTS by nutpie (default) or PyMC, into a tidy ArviZ posterior.

Compiling a model is the expensive step (numba for nutpie, C for PyMC), so a process keeps one
compiled model per node bucket and swaps each indicator's data in (``with_data``): a run with
several indicators of about the same size compiles once. The posterior keeps only what
forecasting and diagnostics need, with named dims (chain, draw, region, level).
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import asdict, dataclass

import numpy as np

from forecast.models.pooled.model import (
    MODEL_VERSION,
    bucket,
    build_model,
    model_data,
    year_bucket,
)
from forecast.models.pooled.panel import MAX_DEPTH, Panel

SAMPLERS = ("nutpie", "pymc")
HYPER = ("drift_mean", "drift_spread", "shock_scale_mean", "shock_scale_spread", "nu",
         "year_shock")


@dataclass(frozen=True)
class PooledSettings:
    """How the pooled model is fitted. Defaults give R-hat <= 1.01 and no divergences on the
    bundled example (BENCHMARKS.md)."""

    sampler: str = "nutpie"
    chains: int = 4
    draws: int = 1000  # per chain: 4,000 posterior draws
    tune: int = 1000
    target_accept: float = 0.95  # small steps: a lone region's shock-size funnel diverges at 0.9
    # AR(1) of yearly changes around the drift: better on the provincial backtests' learning
    # years and on the scored ones (BENCHMARKS.md)
    persistence: bool = True
    method: str = "auto"  # "nuts", "approx" (large panels), or "auto": approx above large_panel
    large_panel: int = 400  # nodes above which `auto` uses the fast approximation

    def uses_approx(self, n_nodes: int) -> bool:
        return self.method == "approx" or (self.method == "auto" and n_nodes > self.large_panel)

    def describe(self) -> dict:
        return asdict(self)


def fit_key(panel: Panel, settings: PooledSettings, seed: int) -> str:
    """What identifies a fit: model version, settings, seed and the data it saw."""
    import hashlib

    text = json.dumps({"model": MODEL_VERSION, "settings": settings.describe(), "seed": seed,
                       "data": panel.fingerprint()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


_COMPILED: dict[tuple, object] = {}  # (node bucket, year bucket, persistence) -> compiled


def quiet_pymc() -> None:
    for name in ("pymc", "pymc.sampling.mcmc", "pytensor", "nutpie", "arviz"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="pymc|pytensor|arviz|nutpie|numba")


def _nutpie(panel: Panel, settings: PooledSettings, seed: int, low_rank: bool = True):
    """nutpie's NUTS through the compiled-model cache (one compile per bucket and process).
    The low-rank mass matrix is what the year shocks need on a full panel
    (BENCHMARKS.md); ``approx`` turns it off on its sub-panel."""
    import nutpie

    n_pad, y_pad = bucket(panel.n_nodes), year_bucket(panel.n_years)
    key = (n_pad, y_pad, settings.persistence)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = nutpie.compile_pymc_model(
            build_model(panel, settings.persistence, n_pad, y_pad))
        _COMPILED[key] = compiled
    # the model without persistence does not read previous years: pass only what it reads
    data = model_data(panel, n_pad, y_pad)
    compiled = compiled.with_data(**{k: v for k, v in data.items() if k in compiled.shared_data})
    return nutpie.sample(compiled, draws=settings.draws, tune=settings.tune,
                         chains=settings.chains, cores=min(settings.chains, 2), seed=seed,
                         progress_bar=False, target_accept=settings.target_accept,
                         low_rank_modified_mass_matrix=low_rank)


def _pymc(panel: Panel, settings: PooledSettings, seed: int):
    import pymc as pm

    model = build_model(panel, settings.persistence)
    # one process: a fit may itself run on a worker process, which cannot fork further
    return pm.sample(draws=settings.draws, tune=settings.tune, chains=settings.chains, cores=1,
                     random_seed=seed, target_accept=settings.target_accept,
                     progressbar=False, compute_convergence_checks=False, model=model)


def sample(panel: Panel, settings: PooledSettings, seed: int):
    """NUTS draws of the pooled model for ``panel``, as a tidy InferenceData."""
    quiet_pymc()
    if settings.sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {settings.sampler!r}")
    raw = (_nutpie if settings.sampler == "nutpie" else _pymc)(panel, settings, seed)
    return tidy(raw, panel, settings, seed)


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


def convergence(parts: list, idata) -> dict:
    """R-hat max, bulk ESS min over the variables of ``parts`` (posterior datasets), and the
    fit's divergences, chains and draws."""
    import arviz as az

    rhat = [az.rhat(part) for part in parts]
    ess = [az.ess(part, method="bulk") for part in parts]
    # a variable fixed by construction (no year shock for a lone region) has no R-hat: skip it
    r_all = np.concatenate([np.ravel(r[v].values) for r in rhat for v in r.data_vars])
    e_all = np.concatenate([np.ravel(e[v].values) for e in ess for v in e.data_vars])
    post = idata.posterior
    return {
        "r_hat_max": round(float(np.nanmax(r_all)), 4),
        "ess_bulk_min": round(float(np.nanmin(e_all)), 1),
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "chains": int(post.sizes["chain"]), "draws": int(post.sizes["draw"]),
    }
