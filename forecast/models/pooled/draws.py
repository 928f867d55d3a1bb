"""From a NUTS fit of the pooled model to simulated futures.

A fitted indicator travels to the region work units as ``RegionDraws``: per posterior draw the
region's drift, shock size, the shared degrees of freedom and persistence. Each simulated path
follows one posterior draw, so parameter uncertainty is in every path. ``ar1_paths`` is the
one simulator of the model's futures, used by the approximation's leaves too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from forecast.models.hierarchy.tree import borrowing_note


class RegionPosterior(Protocol):
    """What a region's series needs from a pooled fit, whatever the inference method."""

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator,
                 last: float) -> np.ndarray:
        """Paths (n_paths, horizon) on the model scale starting from ``last``."""
        ...

    def notes(self) -> list[str]:
        """What a reader of the row should know (e.g. a one-point series borrowed its trend)."""
        ...


def ar1_paths(drift: np.ndarray, sigma: np.ndarray, nu: np.ndarray, persistence: np.ndarray,
              year_shock: np.ndarray | None, last_change: float, last: float, horizon: int,
              rng: np.random.Generator) -> np.ndarray:
    """Paths (n, horizon) on the model scale from ``last``, one per row of the parameters
    (each (n, 1)): yearly changes are an AR(1) around the drift, with Student-t shocks of
    scale ``sigma`` and, where given, the year shock every region shares."""
    n_paths = len(drift)
    shocks = sigma * rng.standard_t(np.broadcast_to(nu, (n_paths, horizon)))
    if year_shock is not None:
        shocks += year_shock * rng.standard_normal((n_paths, horizon))
    changes = np.empty((n_paths, horizon))
    previous = np.full((n_paths, 1), last_change)
    for t in range(horizon):
        previous = drift + persistence * (previous - drift) + shocks[:, t:t + 1]
        changes[:, t] = previous[:, 0]
    return last + np.cumsum(changes, axis=1)


@dataclass(frozen=True)
class RegionDraws:
    """One region's posterior draws: what its simulated paths need."""

    region: str
    drift: np.ndarray  # (S,) yearly drift on the model scale
    sigma: np.ndarray  # (S,) shock scale
    nu: np.ndarray  # (S,) Student-t degrees of freedom
    persistence: np.ndarray  # (S,) AR(1) of yearly changes (zeros when not modelled)
    last_change: float  # the region's latest yearly change (0 if it has one point)
    parent: str | None
    points: int
    method: str = "nuts"
    year_shock: np.ndarray | None = None  # (S,) sd of the shock all regions share each year

    def notes(self) -> list[str]:
        return borrowing_note(self.points, self.parent)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator,
                 last: float) -> np.ndarray:
        """Paths (n_paths, horizon) on the model scale starting from ``last``."""
        s = len(self.drift)
        pick = np.resize(rng.permutation(s), n_paths)  # every draw used before any repeats
        year = None if self.year_shock is None else self.year_shock[pick, None]
        return ar1_paths(self.drift[pick, None], self.sigma[pick, None], self.nu[pick, None],
                         self.persistence[pick, None], year, self.last_change, last, horizon,
                         rng)


@dataclass(frozen=True)
class PooledPosterior:
    """One indicator's fit: draws for every region of the tree, and its diagnostics."""

    indicator: str
    regions: tuple[str, ...]
    drift: np.ndarray  # (S, R)
    sigma: np.ndarray  # (S, R)
    nu: np.ndarray  # (S,)
    persistence: np.ndarray  # (S,)
    parents: dict[str, str]
    diagnostics: dict
    method: str = "nuts"
    year_shock: np.ndarray | None = None  # (S,)

    def for_region(self, region: str, last_change: float, points: int) -> RegionDraws:
        k = self.regions.index(region)
        return RegionDraws(region, self.drift[:, k].copy(), self.sigma[:, k].copy(), self.nu,
                           self.persistence, float(last_change), self.parents.get(region),
                           points, self.method, self.year_shock)


def nuts_posterior(idata, diagnostics: dict) -> PooledPosterior:
    """Flatten (chain, draw) in C order: the same draws in the same order whether the fit is
    fresh or read back from the cache."""
    post = idata.posterior
    s = post.sizes["chain"] * post.sizes["draw"]
    regions = tuple(str(r) for r in post["region"].values)

    def flat(name: str) -> np.ndarray:
        return np.asarray(post[name].transpose("chain", "draw", ...).values,
                          dtype=float).reshape(s, -1)

    persistence = flat("persistence")[:, 0] if "persistence" in post else np.zeros(s)
    return PooledPosterior(
        str(post.attrs["indicator"]), regions, flat("drift"), flat("sigma"), flat("nu")[:, 0],
        persistence, json.loads(post.attrs.get("parents", "{}")), diagnostics,
        str(post.attrs.get("method", "nuts")), flat("year_shock")[:, 0])
