"""The approximation's posterior (``approx``): the upper tree's draws, and every leaf's drift
and shock size drawn from their conditional when its paths are simulated."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.models.hierarchy.tree import borrowing_note, leaves
from forecast.models.pooled.conjugate import (
    Changes,
    Hyper,
    drift_information,
    shock_sums,
    squared_deviations,
)
from forecast.models.pooled.draws import RegionDraws, ar1_paths


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
        return ar1_paths(drift, sigma, nu, phi, year, self.last_change, last, horizon, rng)


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
    """Flatten (chain, draw) in C order, as ``draws.nuts_posterior`` does, so a fresh fit and
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
