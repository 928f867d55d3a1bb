"""From a count fit to integer paths: each path follows one posterior draw.

A path's log entry rate walks on from the region's latest rate: drift plus a move, which is the
persisting share of last year's move, a shock of the year and a region's own normal step (the
year's shock is drawn per path: a region's futures need its size, not which year it hits). A
flow's count each year is a Poisson or negative-binomial draw at that rate; a stock gains a
Poisson draw of entries and loses a binomial draw of exits from its units, so it stays a whole
number >= 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from forecast.models.hierarchy.tree import borrowing_note

MAX_LOG_RATE = 18.0  # e^18 ≈ 6.6e7 events a year: far beyond any count this model is used for


@dataclass(frozen=True)
class CountDraws:
    """One region's posterior draws: what its integer paths need."""

    region: str
    flow: bool
    drift: np.ndarray  # (S,) yearly drift of the log entry rate
    sigma: np.ndarray  # (S,) step size of the walk
    shape: np.ndarray  # (S,) a flow's negative-binomial shape (inf: Poisson, and for stocks)
    exit: np.ndarray  # (S,) yearly exit probability of a stock's unit (zeros for flows)
    last_log_rate: np.ndarray  # (S,) the latest year's log entry rate
    last_value: int  # the latest observed count
    parent: str | None
    points: int
    year_shock: np.ndarray | None = None  # (S,) sd of the shock all regions share each year
    persistence: np.ndarray | None = None  # (S,) AR(1) of the walk's moves
    last_move: np.ndarray | None = None  # (S,) the walk's move into the latest year

    def notes(self) -> list[str]:
        return borrowing_note(self.points, self.parent)

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        """Integer paths (n_paths, horizon) in the indicator's unit, as floats."""
        s = len(self.drift)
        pick = np.resize(rng.permutation(s), n_paths)  # every draw used before any repeats
        shocks = self.sigma[pick, None] * rng.standard_normal((n_paths, horizon))
        if self.year_shock is not None:
            shocks += self.year_shock[pick, None] * rng.standard_normal((n_paths, horizon))
        if self.persistence is not None:
            phi, move = self.persistence[pick], self.last_move[pick]
            for t in range(horizon):
                move = phi * move + shocks[:, t]
                shocks[:, t] = move
        log_rate = np.minimum(self.last_log_rate[pick, None]
                              + np.cumsum(self.drift[pick, None] + shocks, axis=1),
                              MAX_LOG_RATE)
        rate = np.exp(log_rate)
        if self.flow:
            shape = self.shape[pick, None]
            if np.all(np.isinf(shape)):
                return rng.poisson(rate).astype(float)
            return rng.negative_binomial(shape, shape / (shape + rate)).astype(float)
        entries = rng.poisson(rate)
        stock = np.full(n_paths, self.last_value, dtype=np.int64)
        out = np.empty((n_paths, horizon))
        exit_p = self.exit[pick]
        for t in range(horizon):
            stock = stock + entries[:, t] - rng.binomial(stock, exit_p)
            out[:, t] = stock
        return out


@dataclass(frozen=True)
class CountPosterior:
    """One indicator's count fit: draws for every region with data, and its diagnostics."""

    indicator: str
    flow: bool
    regions: tuple[str, ...]
    drift: np.ndarray  # (S, R)
    exit: np.ndarray  # (S, R)
    last_log_rate: np.ndarray  # (S, R)
    sigma: np.ndarray  # (S,)
    shape: np.ndarray  # (S,) inf for a Poisson flow and a stock
    last_value: dict[str, int]
    parents: dict[str, str]
    diagnostics: dict
    year_shock: np.ndarray  # (S,) zeros where year shocks are off
    persistence: np.ndarray | None  # (S,) None without persistence
    last_move: np.ndarray  # (S, R)

    def for_region(self, region: str, points: int) -> CountDraws:
        k = self.regions.index(region)
        return CountDraws(region, self.flow, self.drift[:, k].copy(), self.sigma, self.shape,
                          self.exit[:, k].copy(), self.last_log_rate[:, k].copy(),
                          self.last_value[region], self.parents.get(region), points,
                          self.year_shock, self.persistence, self.last_move[:, k].copy())


def counts_from_idata(idata, diagnostics: dict) -> CountPosterior:
    """Flatten (chain, draw) in C order: the same draws in the same order whether the fit is
    fresh or read back from the cache."""
    post = idata.posterior
    s = post.sizes["chain"] * post.sizes["draw"]

    def flat(name: str) -> np.ndarray:
        return np.asarray(post[name].transpose("chain", "draw", ...).values,
                          dtype=float).reshape(s, -1)

    flow = bool(int(post.attrs["flow"]))
    drift = flat("drift")
    return CountPosterior(
        str(post.attrs["indicator"]), flow, tuple(str(r) for r in post["region"].values),
        drift, np.zeros_like(drift) if flow else flat("exit"), flat("last_log_rate"),
        flat("sigma")[:, 0], flat("shape")[:, 0] if "shape" in post else np.full(s, np.inf),
        json.loads(post.attrs["last_value"]), json.loads(post.attrs.get("parents", "{}")),
        diagnostics, flat("year_shock")[:, 0],
        flat("persistence")[:, 0] if "persistence" in post else None, flat("last_move"))
