"""From a fitted posterior to simulated futures, and the posterior cache in ``models/``.

A fitted indicator travels to the region work units as ``RegionDraws``: per posterior draw the
region's drift, shock size, the shared degrees of freedom and persistence. Each simulated path
follows one posterior draw, so parameter uncertainty is in every path.

Posteriors are cached as ArviZ NetCDF (dims chain, draw, region) under the workspace's
``models/posteriors/``, named after the indicator and carrying the fit's key (model version,
settings, seed, data) in their attributes. A file whose key differs, or that cannot be read, is
never used: the indicator is refitted and the file replaced.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np


class RegionPosterior(Protocol):
    """What a region's series needs from a pooled fit, whatever the inference method."""

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator,
                 last: float) -> np.ndarray:
        """Paths (n_paths, horizon) on the model scale starting from ``last``."""
        ...

    def notes(self) -> list[str]:
        """What a reader of the row should know (e.g. a one-point series borrowed its trend)."""
        ...


def borrowing_note(points: int, parent: str | None) -> list[str]:
    if points > 1:
        return []
    source = f"its parent {parent}'s" if parent else "the pooled"
    return [f"one point: trend from {source} drift and the pooled spread"]


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
        drift, sigma = self.drift[pick, None], self.sigma[pick, None]
        nu, phi = self.nu[pick, None], self.persistence[pick, None]
        shocks = sigma * rng.standard_t(np.broadcast_to(nu, (n_paths, horizon)))
        if self.year_shock is not None:
            shocks += self.year_shock[pick, None] * rng.standard_normal((n_paths, horizon))
        changes = np.empty((n_paths, horizon))
        previous = np.full((n_paths, 1), self.last_change)
        for t in range(horizon):
            previous = drift + phi * (previous - drift) + shocks[:, t:t + 1]
            changes[:, t] = previous[:, 0]
        return last + np.cumsum(changes, axis=1)


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


def from_idata(idata, diagnostics: dict):
    """Flatten (chain, draw) in C order: the same draws in the same order whether the fit is
    fresh or read back from the cache."""
    post = idata.posterior
    if post.attrs.get("method") == "approx":
        from forecast.models.pooled.approx import posterior_from_idata

        return posterior_from_idata(idata, diagnostics)
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


def cache_file(models_dir: Path, indicator: str) -> Path:
    return models_dir / "posteriors" / f"{indicator}.nc"


def load_cached(path: Path, key: str):
    """The cached InferenceData if it exists, reads, and carries ``key``; else None."""
    if not path.exists():
        return None
    try:
        import arviz as az

        idata = az.from_netcdf(path)
        idata.posterior.load()
        idata.sample_stats.load()
        if idata.posterior.attrs.get("key") != key:
            return None
        return idata
    except Exception:  # a damaged or foreign file is refitted, never used
        return None


def save_cached(idata, path: Path) -> None:
    """Write atomically: a run that dies mid-write leaves the old file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".nc", dir=path.parent)
    os.close(fd)
    try:
        idata.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
