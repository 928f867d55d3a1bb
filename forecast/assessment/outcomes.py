"""``plan_outcomes.csv``: each plan as a whole under each scenario, from the jointly simulated
paths the region units send back (which paths meet each target, ``region.joint_orders``).

Within a region the paths of its targets' series are re-paired to follow their history's
correlations. The regions of a plan of several regions are then lined up the same way: each
region's futures move as one (its lead series' path scores, ``region.lead_scores``), and the
regions' futures are re-paired (Iman–Conover, ``joint_order``) so that they share a common
year shock as large as their history shows (``YearlyChanges.common_shock``: the exchangeable
correlation of the regions' annual changes). Only whole futures of a region are permuted, so
no target's own probability and no region's own count changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.inputs.plans import Target
from forecast.simulation.dependence import Dependence, exchangeable, joint_order
from forecast.streams import rng_for
from forecast.targets.outcomes import COLUMNS, WHOLE, plan_outcome


def region_orders(plan_id: str, leads: dict[tuple[str, str], np.ndarray],
                  shock: Dependence | None, seed: int) -> dict[str, np.ndarray]:
    """Per region of a plan of several regions, the order of its futures that lines them up
    with the other regions' under the plan's common year shock (none: the futures stay
    lined up by path, as simulated)."""
    regions = sorted(r for p, r in leads if p == plan_id)
    if shock is None or shock.rho <= 0 or len(regions) < 2:
        return {}
    orders = joint_order([leads[(plan_id, r)] for r in regions],
                         exchangeable(shock.rho, len(regions)),
                         rng_for(seed, "plan", plan_id))
    return dict(zip(regions, orders, strict=True))


def plan_outcomes(targets: list[Target], met: dict[int, np.ndarray], scenarios: list[str],
                  draws: int, leads: dict[tuple[str, str], np.ndarray] | None = None,
                  shocks: dict[str, Dependence] | None = None, seed: int = 0) -> pd.DataFrame:
    """One row per plan (in plan order) and scenario. ``met`` maps a row position (target
    position x scenarios + scenario index) to its packed bits; a target without one (not
    assessable: qualitative, no data) is left out of its plan's counts. A plan of several
    regions has its regions' futures lined up by ``region_orders`` from their ``leads`` and
    its common year shock in ``shocks`` (``common_shock`` then says how large it was)."""
    plans: dict[str, list[int]] = {}
    for pos, t in enumerate(targets):
        plans.setdefault(t.plan_id, []).append(pos)
    rows = []
    for plan_id, positions in plans.items():
        shock = (shocks or {}).get(plan_id)
        orders = region_orders(plan_id, leads or {}, shock, seed)
        for s_index, scenario in enumerate(scenarios):
            keys = [pos * len(scenarios) + s_index for pos in positions]
            kept = [(pos, key) for pos, key in zip(positions, keys, strict=True) if key in met]
            table = np.array([_lined_up(np.unpackbits(met[key], count=draws).astype(bool),
                                        orders.get(targets[pos].region))
                              for pos, key in kept]).reshape(len(kept), draws)
            binding = np.array([targets[pos].binding for pos, _ in kept], dtype=bool)
            rows.append(plan_outcome(plan_id, scenario, table, binding,
                                     [targets[pos].id for pos, _ in kept],
                                     None if shock is None else round(shock.rho, 4)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in WHOLE:
        frame[column] = frame[column].astype("Int64")
    return frame


def _lined_up(bits: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    return bits if order is None else bits[order]
