"""What a count fit sees: one indicator's whole-number series in every region, and the tree.

Each region with data has a chain of latent yearly entry rates, one per observed year (its
*states*). A flow's value in a year is that year's entries. A stock's value moves by entries
less exits, so its first year only anchors the chain and each later year is an observation of
the net change, given the stock the year before (exits are drawn from it). The tree of regions
is the pooled model's (``pooled.panel.build_panel``): ancestors without data are nodes too, so
a county pools through its province even where the province has no series of this indicator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from forecast.models.pooled.panel import build_panel

EXIT_GUESS = 0.05  # the share of a stock that leaves in a year, before the data speak


@dataclass(frozen=True)
class CountPanel:
    """One indicator's counts over all regions, in long format."""

    indicator: str
    flow: bool  # events in a year (True) or a stock at the year's end (False)
    nodes: tuple[str, ...]  # regions, every parent before its children
    parent: np.ndarray  # index of each node's parent, -1 for a root
    depth: np.ndarray  # 0 for roots
    points: np.ndarray  # observed points per node (0 for ancestors without data)
    base: np.ndarray  # per node: the entry rate its chain starts near (1 without data)
    state_node: np.ndarray  # node of each latent yearly rate
    state_step: np.ndarray  # 0 for a region's first year, 1, 2, ... after
    state_start: np.ndarray  # index of the first state of the same region
    state_year: np.ndarray  # index of each state's calendar year (0 = the panel's first year)
    last_state: np.ndarray  # per node: index of its latest state (-1 without data)
    obs_state: np.ndarray  # the state each observation is drawn from
    obs_value: np.ndarray  # a flow's count, or a stock's net change
    obs_previous: np.ndarray  # a stock's value the year before (0 for flows)
    last_value: np.ndarray  # per node: its latest observed count (0 without data)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_states(self) -> int:
        return len(self.state_node)

    @property
    def n_years(self) -> int:
        return int(self.state_year.max(initial=0)) + 1

    @property
    def regions_with_moves(self) -> int:
        """Regions with at least two years: those whose rate moves tell a year shock."""
        return int(np.sum(self.points > 1))

    def fingerprint(self) -> str:
        """A hash of everything the fit sees, for the posterior cache."""
        h = hashlib.sha256(f"{self.indicator}\x1f{self.flow}".encode())
        h.update("\x1f".join(self.nodes).encode())
        for arr in (self.parent, self.depth, self.points, self.base, self.state_node,
                    self.state_step, self.state_year, self.obs_state, self.obs_value,
                    self.obs_previous):
            h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()


def starting_rate(values: np.ndarray, flow: bool) -> float:
    """Where a region's entry-rate chain is centred before the fit: a flow's mean count; for a
    stock the mean of its rises plus the exits a typical stock of its size replaces. Half an
    entry is added so a series of zeros has a finite log rate; the fit moves it freely (the
    model's level offsets have prior sd 1 on the log scale)."""
    values = np.asarray(values, dtype=float)
    if flow:
        return 0.5 + float(values.mean())
    rises = np.maximum(np.diff(values), 0.0)
    return 0.5 + (float(rises.mean()) if len(rises) else 0.0) + EXIT_GUESS * float(values.mean())


def build_count_panel(indicator: str, series: dict[str, np.ndarray], parents: dict[str, str],
                      flow: bool, ends: dict[str, int] | None = None) -> CountPanel:
    """The panel of one indicator from each region's consecutive whole-number values.

    ``ends`` maps a region to the calendar year of its last value (default: every series ends
    in the same year), so that the rates of one year share that year's common shock."""
    counts = {r: np.rint(np.asarray(v, dtype=float)).astype(np.int64) for r, v in series.items()}
    for region, v in counts.items():
        if len(v) == 0 or np.any(v < 0):
            raise ValueError(f"{indicator} in {region}: counts must be whole numbers >= 0")
    tree = build_panel(indicator, {r: v.astype(float) for r, v in counts.items()}, parents)
    ends = ends or dict.fromkeys(counts, 0)
    first_year = min((ends[r] - len(v) + 1 for r, v in counts.items()), default=0)
    n = tree.n_nodes
    base, last_state, last_value = np.ones(n), np.full(n, -1, np.int64), np.zeros(n, np.int64)
    state_node, state_step, state_start, state_year = [], [], [], []
    obs_state, obs_value, obs_previous = [], [], []
    for k, region in enumerate(tree.nodes):
        v = counts.get(region)
        if v is None:
            continue
        first = len(state_node)
        base[k] = starting_rate(v, flow)
        state_node += [k] * len(v)
        state_step += list(range(len(v)))
        state_start += [first] * len(v)
        start_year = ends[region] - len(v) + 1 - first_year
        state_year += range(start_year, start_year + len(v))
        last_state[k] = first + len(v) - 1
        last_value[k] = v[-1]
        if flow:
            obs_state += list(range(first, first + len(v)))
            obs_value += list(v)
        else:
            obs_state += list(range(first + 1, first + len(v)))
            obs_value += list(np.diff(v))
            obs_previous += list(v[:-1])
    if flow:
        obs_previous = [0] * len(obs_value)

    def ints(x) -> np.ndarray:
        return np.asarray(x, dtype=np.int64)

    return CountPanel(indicator, flow, tree.nodes, tree.parent, tree.depth, tree.points, base,
                      ints(state_node), ints(state_step), ints(state_start), ints(state_year),
                      last_state,
                      ints(obs_state), ints(obs_value), ints(obs_previous), last_value)
