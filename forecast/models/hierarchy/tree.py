"""The tree of regions as the hierarchical models read it: ancestry, levels, the leaves, and
the drifts pooled down the tree (shared by the pooled and the count models)."""

from __future__ import annotations

import numpy as np

MAX_DEPTH = 6  # levels of the tree a model can hold (nation, province, city, county, park, ...)


def ancestry(region: str, parents: dict[str, str]) -> list[str]:
    """The region's parent, grandparent, ... (a loop in regions.csv stops the walk)."""
    out: list[str] = []
    p = parents.get(region)
    while p and p not in out and p != region:
        out.append(p)
        p = parents.get(p)
    return out[: MAX_DEPTH - 1]


def leaves(parent: np.ndarray) -> np.ndarray:
    """Whether each node is no node's parent."""
    leaf = np.ones(len(parent), bool)
    leaf[parent[parent >= 0]] = False
    return leaf


def tree_data(parent: np.ndarray, depth: np.ndarray, n_pad: int) -> dict[str, np.ndarray]:
    """The tree of regions as a compiled model reads it, padded to ``n_pad`` nodes: each
    node's parent (``n_pad``, a zero slot, for roots and padding), its level, whether it is
    real, and whether the roots' own spread is used (only with several roots)."""
    pad = n_pad - len(parent)
    parent_index = np.where(parent < 0, n_pad, parent)
    return {
        "parent_index": np.r_[parent_index, np.full(pad, n_pad)].astype(np.int64),
        "level": np.r_[depth, np.zeros(pad, np.int64)].astype(np.int64),
        "active": np.r_[np.ones(len(parent)), np.zeros(pad)],
        "root_spread_on": np.array(1.0 if (parent < 0).sum() > 1 else 0.0),
    }


def tree_drift(shared: dict, drift_mean, drift_spread, drift_z):
    """Every node's drift: the common mean plus its own and all its ancestors' deviations
    (non-centred, ``drift_z`` scaled by the spread of the node's level)."""
    import pytensor.tensor as pt

    spread = pt.set_subtensor(drift_spread[0], drift_spread[0] * shared["root_spread_on"])
    own = shared["active"] * spread[shared["level"]] * drift_z
    total = own
    for _ in range(MAX_DEPTH):  # add the parent's total: after MAX_DEPTH steps, all ancestors'
        total = own + pt.concatenate([total, pt.zeros(1)])[shared["parent_index"]]
    return drift_mean + total


def borrowing_note(points: int, parent: str | None) -> list[str]:
    if points > 1:
        return []
    source = f"its parent {parent}'s" if parent else "the pooled"
    return [f"one point: trend from {source} drift and the pooled spread"]


YEAR_SHOCKS_MIN_REGIONS = 3  # regions with moves needed to tell a common year shock apart


def year_data(years: np.ndarray, y_pad: int, regions: int) -> dict[str, np.ndarray]:
    """The arrays ``pooled_growth`` reads: which of the ``y_pad`` padded years have moves
    (``years``: the year index of each move) and whether year shocks are on (``regions`` with
    moves, at least ``YEAR_SHOCKS_MIN_REGIONS``)."""
    return {"year_observed": np.isin(np.arange(y_pad), years).astype(float),
            "year_shocks_on": np.array(1.0 if regions >= YEAR_SHOCKS_MIN_REGIONS else 0.0)}


def pooled_growth(shared: dict, year_shock_sd: float):
    """The growth block both hierarchical models share, inside a PyMC model: a shock every
    region shares in each year (half-normal ``year_shock_sd``, switched by the data's
    ``year_shocks_on``) and the drifts pooled down the tree (``tree_drift``). Returns the
    year shock's size, its standard-normal draws per year and the drift per node.

    Yearly growth of an innovation indicator is within about ±20% (log/logit scale) with 95%
    prior probability: wide next to most observed national or provincial trends, though near
    its edge for technology contracts (the provinces' average 0.17-0.25 a year over 2012-2019),
    where a prior three times wider changed no scored figure (BENCHMARKS.md, issue 32's
    fourth part). The prior is on
    the mean growth over the observed years, shared shocks included, which the data pin down;
    the drift is that less the shared shocks' mean. (With the prior on the drift itself, drift
    and shared shocks slide against each other along a ridge the data cannot see, and the
    chains mixed slowly: R-hat up to 1.03.) Regions of one parent differ in trend growth by a
    few % a year; a half-normal of scale 0.05 allows ~10% and shrinks towards full pooling when
    the data allow it."""
    import pymc as pm
    import pytensor.tensor as pt

    year_scale = pm.HalfNormal("year_shock_scale", year_shock_sd)
    year_z = pm.Normal("year_z", 0.0, 1.0, dims="year")
    year_shock = pm.Deterministic("year_shock", year_scale * shared["year_shocks_on"])
    observed = shared["year_observed"]
    mean_year_shock = year_shock * (year_z * observed).sum() / pt.maximum(observed.sum(), 1)
    observed_mean = pm.Normal("observed_mean_growth", 0.0, 0.1)
    drift_mean = pm.Deterministic("drift_mean", observed_mean - mean_year_shock)
    drift_spread = pm.HalfNormal("drift_spread", 0.05, dims="level")
    drift_z = pm.Normal("drift_z", 0.0, 1.0, dims="node")  # non-centred: no funnel
    drift = pm.Deterministic("drift", tree_drift(shared, drift_mean, drift_spread, drift_z),
                             dims="node")
    return year_shock, year_z, drift
