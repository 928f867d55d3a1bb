"""Fast pooled inference for large panels: NUTS for the hyperparameters, conjugate updates for
the drifts.

Full NUTS over thousands of counties is too slow for a national run, so the fit is split:

1. NUTS on a sub-panel: every node that is some node's parent (nation, provinces, cities) plus
   a deterministic sample of at most ``max_leaves`` leaves with data (the leaves whose names
   hash lowest). Its draws give the hyperparameters, the upper nodes' shock sizes and the
   shocks all regions share each year (a few hundred regions pin those well).
2. Per draw of step 1, the drifts given the hyperparameters and the year shocks, in closed
   form, with the Student-t shocks replaced by Gaussian ones of the same variance
   ``v = sigma^2 nu/(nu-2)``: the drifts of the whole tree are then jointly Gaussian. One pass
   up the tree collects every region's data (all leaves, not only the sampled ones) and one
   pass down draws the upper nodes' drifts, so a province's drift reflects all its counties.
3. A leaf's parameters are drawn when its paths are simulated, per path from its conditional
   given a posterior draw: ``v`` from a scaled-inverse-chi^2 that matches the model's
   log-normal prior of ``v`` on the log scale (mean and variance of ``log v``), updated with the
   leaf's squared deviations (``n - 1`` degrees of freedom: the drift profiled out; less the
   rounding variance they carry, for small counts); the drift from the normal combining the
   parent's drift (spread ``tau``) and the leaf's changes, each of precision
   ``1 / (v + rounding variance)``. Paths keep the model's Student-t shocks, of scale
   ``sigma = sqrt(v (nu - 2) / nu)``, and the year shock. Step 2 uses the leaves' ``v`` at the
   same conditional's ``1 / E[1/v]``, so both steps see one Gaussian model.

The posterior stays compact: hyperparameter and year-shock draws, the upper nodes' drift and
sigma draws (dim ``upper``) and the panel's changes themselves (dim ``change``, a few per
region), from which any draw of any leaf is computed when its paths are simulated."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import numpy as np

from forecast.models.hierarchy.samplers import FitTimes, quiet_pymc
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.hierarchy.tree import leaves
from forecast.models.pooled.conjugate import Changes, Hyper, upper_drifts
from forecast.models.pooled.inference import (
    HYPER,
    fit_key,
    raw_sample,
    tidy,
)
from forecast.models.pooled.model import MODEL_VERSION
from forecast.models.pooled.panel import Panel, build_panel

MAX_LEAVES = 200  # leaves in the NUTS sub-panel: enough to pin the hyperparameters, fast to fit


APPROX_VERSION = "conjugate-tree-3"  # bump when the approximation's maths change


def name_rank(name: str) -> int:
    """A stable pseudo-random rank of a region (the same in every process, unlike hash())."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def sampled_leaves(panel: Panel, max_leaves: int) -> np.ndarray:
    """The leaves with at least one change whose names rank lowest, at most ``max_leaves``."""
    with_data = np.flatnonzero(leaves(panel.parent) & (panel.points >= 2))
    ranked = sorted(with_data, key=lambda i: name_rank(panel.nodes[i]))[:max_leaves]
    return np.sort(np.asarray(ranked, dtype=np.int64))


def sub_panel(panel: Panel, keep: np.ndarray) -> tuple[Panel, int]:
    """The panel of the nodes ``keep`` with changes and their ancestors, and the index in
    ``panel``'s years of its first year. Model-scale series are rebuilt from the changes
    (cumulative sums from 0: only changes matter), ending in the same years as in ``panel``."""
    series, ends, noise = {}, {}, {}
    for i in keep:
        mine = panel.node_of == i
        if mine.any():
            name = panel.nodes[i]
            series[name] = np.r_[0.0, np.cumsum(panel.change[mine])]
            ends[name] = int(panel.year_of[mine].max())
            noise[name] = panel.noise[mine]
    parents = {panel.nodes[i]: panel.nodes[p] for i, p in enumerate(panel.parent) if p >= 0}
    first = min((ends[r] - len(z) + 1 for r, z in series.items()), default=0)
    sub = build_panel(panel.indicator, series, parents, ends)
    # the sub-panel's changes are grouped by node in time order: the noise carries over as is
    kept = [noise[name] for name in sub.nodes if name in noise]
    return replace(sub, noise=np.concatenate(kept) if kept else np.zeros(0)), first


def _nuts(sub: Panel, settings: PooledSettings, seed: int, times: FitTimes | None = None):
    """NUTS on the sub-panel: the tidy posterior, and the standardised year shocks (chain,
    draw, year) that ``inference.tidy`` leaves out. nutpie runs with its diagonal mass
    matrix: on a 232-node sub-panel the low-rank one took 3-4x as long for about the same
    bulk ESS (540-770 either way, R-hat <= 1.007, no divergences)."""
    quiet_pymc()
    # every draw is kept: on a 232-node sub-panel a check of R-hat and ESS takes about 1 s,
    # more than the draws it would save (7 s of sampling in all; BENCHMARKS.md)
    raw = raw_sample(sub, settings, seed, low_rank=False, times=times)
    year_z = np.asarray(raw.posterior["year_z"].transpose("chain", "draw", ...).values, float)
    return tidy(raw, sub, settings, seed), year_z


def fit_approx(panel: Panel, settings: PooledSettings, seed: int,
               max_leaves: int = MAX_LEAVES, times: FitTimes | None = None):
    """The approximate posterior of ``panel`` as a compact InferenceData (see the module)."""
    import arviz as az
    import xarray as xr

    chosen = sampled_leaves(panel, max_leaves)
    upper = np.flatnonzero(~leaves(panel.parent))
    sub, first = sub_panel(panel, np.union1d(upper, chosen))
    fit, year_z = _nuts(sub, replace(settings, method="nuts"), seed, times)
    post = fit.posterior
    chains, draws = post.sizes["chain"], post.sizes["draw"]
    rng = np.random.default_rng(np.random.SeedSequence([seed, name_rank("approx")]))
    # the panel's years in the sub-panel's year index; years before it only meet their prior
    index = np.arange(panel.n_years) - first
    unit = rng.standard_normal((chains, draws, panel.n_years))
    inside = (index >= 0) & (index < year_z.shape[-1])
    unit[..., inside] = year_z[..., index[inside]]
    effect = post["year_shock"].values[..., None] * unit
    # a flat panel has no upper tree: keep the sampled leaves' NUTS draws, for diagnostics only
    kept = [panel.nodes[i] for i in (upper if len(upper) else chosen)]
    data = {name: post[name].sel(region=kept).rename(region="upper")
            .transpose("chain", "draw", "upper") for name in ("drift", "sigma")}
    changes = Changes(panel.change, panel.previous, panel.has_previous, panel.year_of,
                      panel.noise**2)
    if len(upper):
        hyper = Hyper.from_posterior(post, effect.reshape(chains * draws, -1))
        sigma = data["sigma"].values.reshape(-1, len(upper))
        drift = upper_drifts(panel.parent, panel.depth, changes, panel.node_of, upper, sigma,
                             hyper, rng.standard_normal(sigma.shape))
        data["drift"] = data["drift"].copy(data=drift.reshape(data["drift"].shape))
    data.update({name: post[name] for name in (*HYPER, "persistence") if name in post})
    data["year_effect"] = xr.DataArray(effect, dims=("chain", "draw", "year"))
    for name in ("change", "previous", "has_previous", "noise"):
        data[name] = xr.DataArray(getattr(panel, name).astype(float), dims="change")
    for name in ("node_of", "year_of"):
        data[name] = xr.DataArray(getattr(panel, name).astype(np.int64), dims="change")
    data["parent"] = xr.DataArray(panel.parent.astype(np.int64), dims="region")
    data["depth"] = xr.DataArray(panel.depth.astype(np.int64), dims="region")
    posterior = xr.Dataset(data).assign_coords(upper=kept, region=list(panel.nodes))
    posterior.attrs = {
        "indicator": panel.indicator, "model_version": MODEL_VERSION,
        "approx_version": APPROX_VERSION, "method": "approx",
        "settings": json.dumps(settings.describe(), sort_keys=True), "seed": int(seed),
        "key": fit_key(panel, settings, seed), "max_leaves": int(max_leaves),
        "sampled_leaves": json.dumps([panel.nodes[i] for i in chosen], ensure_ascii=False),
        "parents": json.dumps({r: panel.nodes[p] for r, p in zip(panel.nodes, panel.parent,
                                                                 strict=True) if p >= 0},
                              ensure_ascii=False)}
    return az.InferenceData(posterior=posterior, sample_stats=fit.sample_stats)
