"""Fast pooled inference for large panels: NUTS on the upper tree, conjugate updates for leaves.

Full NUTS over thousands of counties is too slow for a national run, so the fit is split in two:

1. NUTS on a sub-panel: every node that is some node's parent (nation, provinces, cities) plus
   a deterministic sample of at most ``max_leaves`` leaves with data (the leaves whose names
   hash lowest). Its draws give the hyperparameters and the upper nodes' drifts and shock sizes.
2. Every leaf, sampled or not, gets per posterior draw of step 1 its conditional posterior given
   the hyperparameters and its parent's drift, in closed form. The Student-t shocks are replaced
   by Gaussian ones of the same variance ``v = sigma^2 nu / (nu - 2)``: the log-normal prior of
   ``v`` is matched on the log scale (mean and variance of ``log v``) by a scaled-inverse-chi^2,
   updated with the leaf's squared deviations (``n - 1`` degrees of freedom, the drift profiled
   out); the drift is then normal, combining the parent's drift (spread ``tau``) with the leaf's
   mean change (precision ``n / v``). Paths keep the model's Student-t shocks, at scale
   ``sigma = sqrt(v (nu - 2) / nu)``.

The posterior stays compact: the hyperparameter draws, the upper nodes' drift and sigma draws
(dim ``upper``) and, per region, eight sums of its changes (dim ``region``), from which any
draw of any leaf is computed when its paths are simulated. With ``persistence`` the sums cover
the AR(1) terms too, so the conditional stays exact in the drift for each draw's persistence.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

import numpy as np
from scipy import special

from forecast.models.pooled.inference import HYPER, PooledSettings, fit_key, sample
from forecast.models.pooled.model import MODEL_VERSION
from forecast.models.pooled.panel import Panel, build_panel
from forecast.models.pooled.posterior import RegionDraws, borrowing_note

MAX_LEAVES = 200  # leaves in the NUTS sub-panel: enough to pin the hyperparameters, fast to fit
APPROX_VERSION = "conjugate-leaves-1"  # bump when the approximation's maths change
# Sums of a region's changes c, previous changes p and has-previous flags h (0/1).
MOMENTS = ("n", "sum_c", "sum_cc", "n_h", "sum_hp", "sum_hpp", "sum_hc", "sum_hcp")


def leaves(panel: Panel) -> np.ndarray:
    """Indices of the nodes that are no node's parent."""
    is_parent = np.zeros(panel.n_nodes, bool)
    is_parent[panel.parent[panel.parent >= 0]] = True
    return np.flatnonzero(~is_parent)


def name_rank(name: str) -> int:
    """A stable pseudo-random rank of a region (same on every machine, unlike hash())."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def sampled_leaves(panel: Panel, max_leaves: int) -> np.ndarray:
    """The leaves with at least one change whose names rank lowest, at most ``max_leaves``."""
    with_data = [i for i in leaves(panel) if panel.points[i] >= 2]
    return np.array(sorted(sorted(with_data, key=lambda i: name_rank(panel.nodes[i]))
                           [:max_leaves]), dtype=np.int64)


def node_changes(panel: Panel) -> list[np.ndarray]:
    """Each node's yearly changes in time order (the panel keeps a node's changes together)."""
    order = np.argsort(panel.node_of, kind="stable")
    bounds = np.cumsum(np.bincount(panel.node_of, minlength=panel.n_nodes))
    return np.split(panel.change[order], bounds[:-1])


def sub_panel(panel: Panel, keep: np.ndarray) -> Panel:
    """The panel of the nodes ``keep`` and their ancestors. Model-scale series are rebuilt from
    the changes (cumulative sums from 0: only changes matter), so change counts are kept."""
    changes = node_changes(panel)
    series = {panel.nodes[i]: np.r_[0.0, np.cumsum(changes[i])] for i in keep
              if panel.points[i] > 0}
    parents = {panel.nodes[i]: panel.nodes[p] for i, p in enumerate(panel.parent) if p >= 0}
    return build_panel(panel.indicator, series, parents)


def moments(panel: Panel) -> np.ndarray:
    """The sums of ``MOMENTS`` per node (n_nodes, 8): all a leaf's conditional posterior needs."""
    c, p, h = panel.change, panel.previous, panel.has_previous
    terms = (np.ones_like(c), c, c * c, h, h * p, h * p * p, h * c, h * c * p)
    return np.stack([np.bincount(panel.node_of, weights=t, minlength=panel.n_nodes)
                     for t in terms], axis=1)


def fit_approx(panel: Panel, settings: PooledSettings, seed: int,
               max_leaves: int = MAX_LEAVES):
    """The approximate posterior of ``panel`` as a compact InferenceData (see the module)."""
    import arviz as az
    import xarray as xr

    chosen = sampled_leaves(panel, max_leaves)
    upper = np.setdiff1d(np.arange(panel.n_nodes), leaves(panel))
    sub = sub_panel(panel, np.union1d(upper, chosen))
    fit = sample(sub, replace(settings, method="nuts"), seed)
    post = fit.posterior
    # a flat panel has no upper tree: keep the sampled leaves' draws, for diagnostics only
    kept = [panel.nodes[i] for i in (upper if len(upper) else chosen)]
    data = {name: post[name].sel(region=kept).rename(region="upper")
            for name in ("drift", "sigma")}
    data.update({name: post[name] for name in (*HYPER, "persistence") if name in post})
    data["moments"] = xr.DataArray(moments(panel), dims=("region", "moment"))
    data["parent"] = xr.DataArray(panel.parent.astype(np.int64), dims="region")
    data["depth"] = xr.DataArray(panel.depth.astype(np.int64), dims="region")
    posterior = xr.Dataset(data).assign_coords(
        upper=kept, region=list(panel.nodes), moment=list(MOMENTS))
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


def trigamma_inverse(x: np.ndarray) -> np.ndarray:
    """y with trigamma(y) = x (Newton's method after Smyth 2004, limma's trigammaInverse)."""
    x = np.asarray(x, dtype=float)
    y = 0.5 + 1.0 / np.clip(x, 1e-12, None)
    for _ in range(50):
        tri = special.polygamma(1, y)
        step = tri * (1 - tri / x) / special.polygamma(2, y)
        y = y + step
        if np.all(-step / y < 1e-10):
            break
    return y


def shock_prior(shock_mean: np.ndarray, shock_spread: np.ndarray, nu: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the scaled-inverse-chi^2 (dof, scale^2) of the shock variance ``v`` whose
    ``log v`` has the mean and variance of the model's log-normal (``v = sigma^2 nu/(nu-2)``)."""
    mean = 2 * shock_mean + np.log(nu / (nu - 2))
    dof = 2 * trigamma_inverse(np.maximum(4 * shock_spread**2, 1e-10))
    scale2 = 2 * np.exp(mean + special.digamma(dof / 2)) / dof
    return dof, scale2


@dataclass(frozen=True)
class ConditionalDraws:
    """A leaf: per posterior draw of the hyperparameters, its conditional drift and shock
    size in closed form, drawn afresh for every simulated path."""

    region: str
    moments: np.ndarray  # (8,) the sums of MOMENTS
    centre: np.ndarray  # (S,) the parent's drift (``drift_mean`` for a root)
    tau2: np.ndarray  # (S,) squared spread of the drift around ``centre``
    prior_dof: np.ndarray  # (S,) scaled-inverse-chi^2 prior of the shock variance
    prior_scale2: np.ndarray  # (S,)
    nu: np.ndarray  # (S,)
    persistence: np.ndarray  # (S,) zeros when not modelled
    last_change: float
    parent: str | None
    points: int
    method: str = "approx"

    def notes(self) -> list[str]:
        return borrowing_note(self.points, self.parent)

    def draw(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """(drift, sigma, nu, persistence), each (n,): every posterior draw used before any
        repeats, then the leaf's parameters from their conditional given that draw."""
        pick = np.resize(rng.permutation(len(self.nu)), n)
        nu, phi = self.nu[pick], self.persistence[pick]
        m = dict(zip(MOMENTS, self.moments, strict=True))
        # regression of y = c - phi h p on a = 1 - phi h: its sums of a^2, a y and y^2
        aa = m["n"] - 2 * phi * m["n_h"] + phi**2 * m["n_h"]
        ay = m["sum_c"] - phi * (m["sum_hp"] + m["sum_hc"]) + phi**2 * m["sum_hp"]
        yy = m["sum_cc"] - 2 * phi * m["sum_hcp"] + phi**2 * m["sum_hpp"]
        with np.errstate(divide="ignore", invalid="ignore"):
            ssd = np.where(aa > 0, np.maximum(yy - ay**2 / aa, 0.0), 0.0)
        dof0, scale2 = self.prior_dof[pick], self.prior_scale2[pick]
        v = (dof0 * scale2 + ssd) / rng.chisquare(dof0 + max(m["n"] - 1, 0))
        tau2, centre = self.tau2[pick], self.centre[pick]
        denom = v + tau2 * aa  # precision form without dividing by tau2 (0 for a lone root)
        drift = ((v * centre + tau2 * ay) / denom
                 + np.sqrt(tau2 * v / denom) * rng.standard_normal(n))
        return drift, np.sqrt(v * (nu - 2) / nu), nu, phi

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator,
                 last: float) -> np.ndarray:
        """Paths (n_paths, horizon) on the model scale starting from ``last``."""
        drift, sigma, nu, phi = (a[:, None] for a in self.draw(n_paths, rng))
        shocks = sigma * rng.standard_t(np.broadcast_to(nu, (n_paths, horizon)))
        changes = np.empty((n_paths, horizon))
        previous = np.full((n_paths, 1), self.last_change)
        for t in range(horizon):
            previous = drift + phi * (previous - drift) + shocks[:, t:t + 1]
            changes[:, t] = previous[:, 0]
        return last + np.cumsum(changes, axis=1)


@dataclass(frozen=True)
class ApproxPosterior:
    """One indicator's approximate fit: NUTS draws of the upper tree, sums for the leaves."""

    indicator: str
    regions: tuple[str, ...]
    upper: dict[str, int]  # upper node -> its column in drift and sigma
    drift: np.ndarray  # (S, U)
    sigma: np.ndarray  # (S, U)
    drift_mean: np.ndarray  # (S,)
    drift_spread: np.ndarray  # (S, MAX_DEPTH)
    nu: np.ndarray  # (S,)
    persistence: np.ndarray  # (S,)
    prior_dof: np.ndarray  # (S,)
    prior_scale2: np.ndarray  # (S,)
    moments: np.ndarray  # (R, 8)
    parent: np.ndarray  # (R,) index into regions, -1 for a root
    depth: np.ndarray  # (R,)
    is_leaf: np.ndarray  # (R,) bool
    diagnostics: dict
    method: str = "approx"

    def for_region(self, region: str, last_change: float, points: int
                   ) -> RegionDraws | ConditionalDraws:
        k = self.regions.index(region)
        p = int(self.parent[k])
        parent = None if p < 0 else self.regions[p]
        if not self.is_leaf[k]:
            j = self.upper[region]
            return RegionDraws(region, self.drift[:, j].copy(), self.sigma[:, j].copy(),
                               self.nu, self.persistence, float(last_change), parent, points,
                               self.method)
        if parent is None:  # a root: around drift_mean, spread only when there are other roots
            centre = self.drift_mean
            tau2 = self.drift_spread[:, 0] ** 2 * float((self.parent < 0).sum() > 1)
        else:
            centre = self.drift[:, self.upper[parent]]
            tau2 = self.drift_spread[:, int(self.depth[k])] ** 2
        return ConditionalDraws(region, self.moments[k], centre, tau2, self.prior_dof,
                                self.prior_scale2, self.nu, self.persistence,
                                float(last_change), parent, points, self.method)


def posterior_from_idata(idata, diagnostics: dict) -> ApproxPosterior:
    """Flatten (chain, draw) in C order, as ``posterior.from_idata`` does, so a fresh fit and
    one read back from the cache give the same draws."""
    post = idata.posterior
    s = post.sizes["chain"] * post.sizes["draw"]

    def flat(name: str) -> np.ndarray:
        return np.asarray(post[name].transpose("chain", "draw", ...).values,
                          dtype=float).reshape(s, -1)

    regions = tuple(str(r) for r in post["region"].values)
    parent = np.asarray(post["parent"].values, dtype=np.int64)
    is_leaf = np.ones(len(regions), bool)
    is_leaf[parent[parent >= 0]] = False
    nu = flat("nu")[:, 0]
    dof, scale2 = shock_prior(flat("shock_scale_mean")[:, 0],
                              flat("shock_scale_spread")[:, 0], nu)
    return ApproxPosterior(
        str(post.attrs["indicator"]), regions,
        {str(r): j for j, r in enumerate(post["upper"].values)}, flat("drift"), flat("sigma"),
        flat("drift_mean")[:, 0], flat("drift_spread"), nu,
        flat("persistence")[:, 0] if "persistence" in post else np.zeros(s), dof, scale2,
        np.asarray(post["moments"].transpose("region", "moment").values, dtype=float), parent,
        np.asarray(post["depth"].values, dtype=np.int64), is_leaf, diagnostics)
