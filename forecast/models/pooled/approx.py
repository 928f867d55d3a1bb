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
region), from which any draw of any leaf is computed when its paths are simulated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse, special

from forecast.models.pooled import inference
from forecast.models.pooled.inference import HYPER, PooledSettings, fit_key
from forecast.models.pooled.model import MODEL_VERSION
from forecast.models.pooled.panel import MAX_DEPTH, Panel, build_panel
from forecast.models.pooled.posterior import RegionDraws, borrowing_note

MAX_LEAVES = 200  # leaves in the NUTS sub-panel: enough to pin the hyperparameters, fast to fit
APPROX_VERSION = "conjugate-tree-3"  # bump when the approximation's maths change
CELLS = 2_000_000  # draws x changes per block of the tree passes: ~16 MB an array


def leaves(parent: np.ndarray) -> np.ndarray:
    """Whether each node is no node's parent."""
    leaf = np.ones(len(parent), bool)
    leaf[parent[parent >= 0]] = False
    return leaf


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


@dataclass(frozen=True)
class Changes:
    """Yearly changes on the model scale, one entry per region-year (a panel's or a region's)."""

    change: np.ndarray
    previous: np.ndarray  # the change the year before (0 where there is none)
    has_previous: np.ndarray  # 0/1
    year: np.ndarray  # index into the year effects
    noise2: np.ndarray  # variance of the change's rounding error (0 unless a small count)

    def terms(self, phi: np.ndarray, effect: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per draw (rows) and change (columns), the drift's coefficient ``w = 1 - phi h`` and
        the response ``y = change - year effect - phi h previous`` (then ``y = w drift + e``)."""
        hp = self.has_previous * self.previous
        w = 1 - phi[:, None] * self.has_previous
        return w, self.change - effect[:, self.year] - phi[:, None] * hp


def shock_sums(w: np.ndarray, y: np.ndarray, noise2: np.ndarray, group=None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per draw (and node, with the sparse matrix ``group``): the sums ``w w``, ``w y`` and
    ``y y`` that the shock variance's update needs, ``y y`` less the rounding variance it
    carries (``(n - 1) / n`` of the sum of ``noise2``: what a profiled drift leaves of it)."""
    if group is None:
        sums = [x.sum(axis=-1) for x in (w * w, w * y, y * y)]
        n, n2 = len(noise2), noise2.sum()
    else:
        sums = [(group @ x.T).T for x in (w * w, w * y, y * y)]
        n, n2 = np.asarray(group.sum(axis=1)).ravel(), group @ noise2
    carried = np.where(n > 1, (n - 1) / np.maximum(n, 1), 0.0) * n2
    return sums[0], sums[1], np.maximum(sums[2] - carried, 0.0)


def drift_information(w: np.ndarray, y: np.ndarray, v: np.ndarray, noise2: np.ndarray,
                      group=None) -> tuple[np.ndarray, np.ndarray]:
    """The precision of the drift from the changes and precision x mean, each change weighted
    by its shock variance ``v`` (per draw, broadcast to the changes) plus its rounding
    variance."""
    total = v + noise2
    if group is None:
        return (w * w / total).sum(axis=-1), (w * y / total).sum(axis=-1)
    return (group @ (w * w / total).T).T, (group @ (w * y / total).T).T


def squared_deviations(ww: np.ndarray, wy: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """The residual sum of squares of ``y`` on ``w`` (0 without data)."""
    safe = np.where(ww > 0, ww, 1.0)
    return np.where(ww > 0, np.maximum(yy - wy**2 / safe, 0.0), 0.0)


def trigamma_inverse(x: np.ndarray) -> np.ndarray:
    """y with trigamma(y) = x (Newton's method after Smyth 2004, limma's trigammaInverse)."""
    x = np.asarray(x, dtype=float)
    y = 0.5 + 1.0 / x
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
    return dof, 2 * np.exp(mean + special.digamma(dof / 2)) / dof


@dataclass(frozen=True)
class Hyper:
    """Per posterior draw (S,): what the closed-form updates condition on."""

    drift_mean: np.ndarray
    drift_spread: np.ndarray  # (S, MAX_DEPTH)
    nu: np.ndarray
    persistence: np.ndarray  # zeros when not modelled
    prior_dof: np.ndarray  # scaled-inverse-chi^2 prior of a leaf's shock variance
    prior_scale2: np.ndarray
    year_shock: np.ndarray  # sd of the shock all regions share each year
    year_effect: np.ndarray  # (S, years) that shock in each year of the panel

    @classmethod
    def from_posterior(cls, post, year_effect: np.ndarray | None = None) -> Hyper:
        """From a posterior with (chain, draw) flattened in C order; ``year_effect`` (S, Y)
        when the posterior does not hold it."""
        s = post.sizes["chain"] * post.sizes["draw"]

        def flat(name: str) -> np.ndarray:
            return np.asarray(post[name].transpose("chain", "draw", ...).values,
                              dtype=float).reshape(s, -1)

        nu = flat("nu")[:, 0]
        dof, scale2 = shock_prior(flat("shock_scale_mean")[:, 0],
                                  flat("shock_scale_spread")[:, 0], nu)
        phi = flat("persistence")[:, 0] if "persistence" in post else np.zeros(s)
        effect = flat("year_effect") if year_effect is None else year_effect
        return cls(flat("drift_mean")[:, 0], flat("drift_spread"), nu, phi, dof, scale2,
                   flat("year_shock")[:, 0], effect)


def upper_drifts(parent: np.ndarray, depth: np.ndarray, changes: Changes, node_of: np.ndarray,
                 upper: np.ndarray, upper_sigma: np.ndarray, hyper: Hyper, z: np.ndarray
                 ) -> np.ndarray:
    """Draws (S, U) of the ``upper`` nodes' drifts given ``hyper``, from every node's changes:
    the Gaussian tree's upward pass in information form, then its downward draws with the
    standard normals ``z`` (S, U). Shock variances: ``upper_sigma`` (S, U) for the upper
    nodes, ``1 / E[1/v]`` of the conditional for the others."""
    n_nodes, s_all = len(parent), len(hyper.nu)
    per_node = sparse.csr_matrix((np.ones(len(node_of)), (node_of, np.arange(len(node_of)))),
                                 shape=(n_nodes, len(node_of)))
    n = np.asarray(per_node.sum(axis=1)).ravel()
    up_pos = np.full(n_nodes, -1)
    up_pos[upper] = np.arange(len(upper))
    root_on = float((parent < 0).sum() > 1)
    out = np.empty((s_all, len(upper)))
    step = max(1, CELLS // max(len(node_of), 1))
    for lo in range(0, s_all, step):
        sl = slice(lo, min(lo + step, s_all))
        w, y = changes.terms(hyper.persistence[sl], hyper.year_effect[sl])
        ww, wy, yy = shock_sums(w, y, changes.noise2, per_node)  # (s, R)
        dof0, scale2 = hyper.prior_dof[sl, None], hyper.prior_scale2[sl, None]
        v = (dof0 * scale2 + squared_deviations(ww, wy, yy)) / (dof0 + np.maximum(n - 1, 0))
        nu = hyper.nu[sl, None]
        v[:, upper] = upper_sigma[sl] ** 2 * nu / (nu - 2)
        # precision and precision x mean of the own data
        info, shift = drift_information(w, y, v[:, node_of], changes.noise2, per_node)
        tau2 = hyper.drift_spread[sl][:, depth] ** 2  # spread around the parent
        tau2[:, parent < 0] *= root_on
        for d in range(MAX_DEPTH - 1, 0, -1):  # children send their data up, deepest first
            kids = np.flatnonzero(depth == d)
            if len(kids) == 0:
                continue
            scale = 1 + tau2[:, kids] * info[:, kids]
            gather = sparse.csr_matrix((np.ones(len(kids)), (parent[kids], np.arange(len(kids)))),
                                       shape=(n_nodes, len(kids)))
            info += (gather @ (info[:, kids] / scale).T).T
            shift += (gather @ (shift[:, kids] / scale).T).T
        drift = np.zeros_like(info)
        for d in range(MAX_DEPTH):  # draws down the tree, parents first
            nodes = upper[depth[upper] == d]
            centre = np.where(parent[nodes] < 0, hyper.drift_mean[sl, None],
                              drift[:, np.maximum(parent[nodes], 0)])
            scale = 1 + tau2[:, nodes] * info[:, nodes]
            drift[:, nodes] = ((centre + tau2[:, nodes] * shift[:, nodes]) / scale
                               + np.sqrt(tau2[:, nodes] / scale) * z[sl][:, up_pos[nodes]])
        out[sl] = drift[:, upper]
    return out


def _nutpie_diagonal(sub: Panel, settings: PooledSettings, seed: int):
    """``inference._nutpie`` with nutpie's diagonal mass matrix: on a 232-node sub-panel the
    low-rank one took 3-4x as long for about the same bulk ESS (540-770 either way,
    R-hat <= 1.007, no divergences)."""
    return inference._nutpie(sub, settings, seed, low_rank=False)


def _nuts(sub: Panel, settings: PooledSettings, seed: int):
    """NUTS on the sub-panel: the tidy posterior, and the standardised year shocks (chain,
    draw, year) that ``inference.tidy`` leaves out."""
    inference.quiet_pymc()
    if settings.sampler not in inference.SAMPLERS:
        raise ValueError(f"unknown sampler {settings.sampler!r}")
    run = _nutpie_diagonal if settings.sampler == "nutpie" else inference._pymc
    raw = run(sub, settings, seed)
    year_z = np.asarray(raw.posterior["year_z"].transpose("chain", "draw", ...).values, float)
    return inference.tidy(raw, sub, settings, seed), year_z


def fit_approx(panel: Panel, settings: PooledSettings, seed: int,
               max_leaves: int = MAX_LEAVES):
    """The approximate posterior of ``panel`` as a compact InferenceData (see the module)."""
    import arviz as az
    import xarray as xr

    chosen = sampled_leaves(panel, max_leaves)
    upper = np.flatnonzero(~leaves(panel.parent))
    sub, first = sub_panel(panel, np.union1d(upper, chosen))
    fit, year_z = _nuts(sub, replace(settings, method="nuts"), seed)
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


@dataclass(frozen=True)
class ConditionalDraws:
    """A leaf: per posterior draw, its drift and shock size from their conditional, drawn
    afresh for every simulated path."""

    region: str
    changes: Changes  # the leaf's own
    centre: np.ndarray  # (S,) the parent's drift (``drift_mean`` for a root)
    tau2: np.ndarray  # (S,) squared spread of the drift around ``centre``
    hyper: Hyper
    last_change: float
    parent: str | None
    points: int
    method: str = "approx"

    def notes(self) -> list[str]:
        return borrowing_note(self.points, self.parent)

    def draw(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """(drift, sigma, nu, persistence, year_shock), each (n,): every posterior draw used
        before any repeats, then the leaf's parameters from their conditional given it."""
        h = self.hyper
        pick = np.resize(rng.permutation(len(h.nu)), n)
        nu, phi = h.nu[pick], h.persistence[pick]
        w, y = self.changes.terms(phi, h.year_effect[pick])
        ww, wy, yy = shock_sums(w, y, self.changes.noise2)
        dof0, scale2 = h.prior_dof[pick], h.prior_scale2[pick]
        v = ((dof0 * scale2 + squared_deviations(ww, wy, yy))
             / rng.chisquare(dof0 + max(len(self.changes.change) - 1, 0)))
        info, shift = drift_information(w, y, v[:, None], self.changes.noise2)
        tau2, centre = self.tau2[pick], self.centre[pick]
        scale = 1 + tau2 * info  # no division by tau2: 0 for a lone root
        drift = ((centre + tau2 * shift) / scale
                 + np.sqrt(tau2 / scale) * rng.standard_normal(n))
        return drift, np.sqrt(v * (nu - 2) / nu), nu, phi, h.year_shock[pick]

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator,
                 last: float) -> np.ndarray:
        """Paths (n_paths, horizon) on the model scale starting from ``last``."""
        drift, sigma, nu, phi, year = (a[:, None] for a in self.draw(n_paths, rng))
        shocks = sigma * rng.standard_t(np.broadcast_to(nu, (n_paths, horizon)))
        shocks += year * rng.standard_normal((n_paths, horizon))
        changes = np.empty((n_paths, horizon))
        previous = np.full((n_paths, 1), self.last_change)
        for t in range(horizon):
            previous = drift + phi * (previous - drift) + shocks[:, t:t + 1]
            changes[:, t] = previous[:, 0]
        return last + np.cumsum(changes, axis=1)


@dataclass(frozen=True)
class ApproxPosterior:
    """One indicator's approximate fit: draws of the upper tree, changes for the leaves."""

    indicator: str
    regions: tuple[str, ...]
    upper: dict[str, int]  # upper node -> its column in drift and sigma
    drift: np.ndarray  # (S, U)
    sigma: np.ndarray  # (S, U)
    hyper: Hyper
    changes: Changes  # every region's, grouped by region
    bounds: np.ndarray  # (R + 1,) region k's changes are [bounds[k], bounds[k + 1])
    parent: np.ndarray  # (R,) index into regions, -1 for a root
    depth: np.ndarray  # (R,)
    diagnostics: dict
    method: str = "approx"

    def for_region(self, region: str, last_change: float, points: int
                   ) -> RegionDraws | ConditionalDraws:
        k = self.regions.index(region)
        p = int(self.parent[k])
        parent = None if p < 0 else self.regions[p]
        if not leaves(self.parent)[k]:
            j = self.upper[region]
            return RegionDraws(region, self.drift[:, j].copy(), self.sigma[:, j].copy(),
                               self.hyper.nu, self.hyper.persistence, float(last_change),
                               parent, points, self.method, self.hyper.year_shock)
        if parent is None:  # a root: around drift_mean, spread only when there are other roots
            centre = self.hyper.drift_mean
            tau2 = self.hyper.drift_spread[:, 0] ** 2 * float((self.parent < 0).sum() > 1)
        else:
            centre = self.drift[:, self.upper[parent]]
            tau2 = self.hyper.drift_spread[:, int(self.depth[k])] ** 2
        mine = slice(self.bounds[k], self.bounds[k + 1])
        own = Changes(*(a[mine].copy() for a in (self.changes.change, self.changes.previous,
                                                  self.changes.has_previous, self.changes.year,
                                                  self.changes.noise2)))
        return ConditionalDraws(region, own, centre, tau2, self.hyper, float(last_change),
                                parent, points, self.method)


def posterior_from_idata(idata, diagnostics: dict) -> ApproxPosterior:
    """Flatten (chain, draw) in C order, as ``posterior.from_idata`` does, so a fresh fit and
    one read back from the cache give the same draws."""
    post = idata.posterior
    s = post.sizes["chain"] * post.sizes["draw"]

    def flat(name: str) -> np.ndarray:
        return np.asarray(post[name].transpose("chain", "draw", ...).values,
                          dtype=float).reshape(s, -1)

    regions = tuple(str(r) for r in post["region"].values)
    node_of = np.asarray(post["node_of"].values, dtype=np.int64)
    order = np.argsort(node_of, kind="stable")  # a region's changes together, in time order
    changes = Changes(*(np.asarray(post[name].values)[order] for name in
                        ("change", "previous", "has_previous", "year_of")),
                      np.asarray(post["noise"].values, dtype=float)[order] ** 2)
    bounds = np.r_[0, np.cumsum(np.bincount(node_of, minlength=len(regions)))]
    return ApproxPosterior(
        str(post.attrs["indicator"]), regions,
        {str(r): j for j, r in enumerate(post["upper"].values)}, flat("drift"), flat("sigma"),
        Hyper.from_posterior(post), changes, bounds,
        np.asarray(post["parent"].values, dtype=np.int64),
        np.asarray(post["depth"].values, dtype=np.int64), diagnostics)
