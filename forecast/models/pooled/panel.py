"""The data a pooled fit sees: one indicator's yearly changes in every region, and the tree of
regions they pool through (``regions.csv``: nation -> province -> city/county/park).

Changes are on the model scale (log or logit), in long format: one row per region and year with
a previous year, so series of any length (one point gives no change at all) sit side by side.
Every ancestor of a region with data is a node too, with or without data of its own: a city
whose province has no series still pools through the province.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from forecast.models.hierarchy.tree import ancestry


@dataclass(frozen=True)
class Panel:
    """One indicator over all regions: the tree and the yearly changes."""

    indicator: str
    nodes: tuple[str, ...]  # regions, every parent before its children
    parent: np.ndarray  # index of each node's parent, -1 for a root
    depth: np.ndarray  # 0 for roots
    points: np.ndarray  # observed points per node (0 for ancestors without data)
    change: np.ndarray  # yearly change on the model scale, one per region-year
    node_of: np.ndarray  # which node each change belongs to
    previous: np.ndarray  # the node's change the year before (0 where there is none)
    has_previous: np.ndarray  # 1.0 where ``previous`` is a real change
    year_of: np.ndarray  # the calendar year of each change, as an index from the panel's first
    noise: np.ndarray  # sd of each change's rounding error (small counts), 0 for amounts

    @property
    def n_years(self) -> int:
        return int(self.year_of.max()) + 1 if len(self.year_of) else 1

    @property
    def regions_with_changes(self) -> int:
        return int((self.points > 1).sum())

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_roots(self) -> int:
        return int((self.parent < 0).sum())

    def recent(self, window: int | None) -> Panel:
        """The panel with each region's last ``window`` changes alone (all with None): the
        drifts, shock sizes and year shocks are then estimated over recent years only. The
        first change kept still knows the change before it (for persistence), and the years
        are counted as ``build_panel`` counts them: from the year before the first change kept."""
        if window is None or not len(self.change):
            return self
        # a node's changes are in time order: count each one's place from its node's last
        order = np.argsort(self.node_of, kind="stable")
        counts = np.bincount(self.node_of, minlength=self.n_nodes)
        last = np.cumsum(counts) - 1  # position of each node's last change in ``order``
        after = np.empty(len(order), dtype=np.int64)
        after[order] = last[self.node_of[order]] - np.arange(len(order))
        keep = after < window
        year_of = self.year_of[keep]
        return replace(self, points=np.minimum(self.points, window + 1),
                       change=self.change[keep], node_of=self.node_of[keep],
                       previous=self.previous[keep], has_previous=self.has_previous[keep],
                       year_of=year_of - (year_of.min() - 1 if len(year_of) else 0),
                       noise=self.noise[keep])

    def fingerprint(self) -> str:
        """A hash of everything the fit sees, for the posterior cache."""
        h = hashlib.sha256(self.indicator.encode())
        h.update("\x1f".join(self.nodes).encode())
        for arr in (self.parent, self.depth, self.points, self.change, self.node_of,
                    self.previous, self.has_previous, self.year_of, self.noise):
            h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()


def build_panel(indicator: str, series: dict[str, np.ndarray],
                parents: dict[str, str], ends: dict[str, int] | None = None,
                rounding: dict[str, np.ndarray] | None = None) -> Panel:
    """The panel of one indicator from each region's consecutive model-scale values.

    ``series`` maps a region to its values in consecutive years (most recent run); ``parents``
    maps a region to its parent region (empty or missing for a root); ``ends`` maps a region to
    the calendar year of its last value (default: every series ends in the same year), so that
    changes of the same year share that year's common shock. ``rounding`` maps a region to
    the sd of each value's rounding error on the model scale (``Transform.rounding_sd``; none
    by default): a change's noise combines its two values'.
    """
    if ends is None:
        ends = dict.fromkeys(series, 0)
    first = min((ends[r] - len(z) + 1 for r, z in series.items()), default=0)
    members = set(series)
    for region in series:
        members.update(ancestry(region, parents))
    chains = {r: ancestry(r, parents) for r in members}
    order = sorted(members, key=lambda r: (len(chains[r]), r))
    index = {r: i for i, r in enumerate(order)}
    parent = np.array([index[chains[r][0]] if chains[r] else -1 for r in order], dtype=np.int64)
    depth = np.array([len(chains[r]) for r in order], dtype=np.int64)
    points = np.array([len(series.get(r, ())) for r in order], dtype=np.int64)
    change, node_of, previous, has_previous, year_of, noise = [], [], [], [], [], []
    for region in order:
        z = np.asarray(series.get(region, ()), dtype=float)
        d = np.diff(z)
        if len(d):
            start = ends[region] - len(z) + 1 - first  # index of the year of the first value
            year_of.extend(range(start + 1, start + len(z)))
        change.extend(d)
        r = np.asarray((rounding or {}).get(region, np.zeros(len(z))), dtype=float)
        noise.extend(np.hypot(r[1:], r[:-1]))
        node_of.extend([index[region]] * len(d))
        previous.extend(np.r_[0.0, d[:-1]] if len(d) else [])
        has_previous.extend(np.r_[0.0, np.ones(max(len(d) - 1, 0))] if len(d) else [])
    return Panel(indicator, tuple(order), parent, depth, points,
                 np.asarray(change, float), np.asarray(node_of, np.int64),
                 np.asarray(previous, float), np.asarray(has_previous, float),
                 np.asarray(year_of, np.int64), np.asarray(noise, float))
