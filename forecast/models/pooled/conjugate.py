"""The closed-form updates of the approximation (``approx``): the drifts of the whole tree
given the hyperparameters and the year shocks, with Gaussian shocks of the model's variance,
and a leaf's shock variance from its scaled-inverse-chi^2 conditional."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse, special

from forecast.models.hierarchy.tree import MAX_DEPTH

CELLS = 2_000_000  # draws x changes per block of the tree passes: ~16 MB an array


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
