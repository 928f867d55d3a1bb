"""``plan_outcomes.csv``: each plan as a whole under each scenario, from the jointly simulated
paths the region units send back (which paths meet each target, ``region.joint_orders``).

Within a region the paths of its targets' series are re-paired to follow their history's
correlations. The regions of a plan of several regions are lined up by path: each region's
first series keeps its own path order, so path i of every region is its i-th simulation (of
the i-th posterior draw, where a pooled model shares its draws across regions); beyond what
those draws share, regions are treated as independent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.inputs.plans import Target
from forecast.targets.outcomes import COLUMNS, WHOLE, plan_outcome


def plan_outcomes(targets: list[Target], met: dict[int, np.ndarray], scenarios: list[str],
                  draws: int) -> pd.DataFrame:
    """One row per plan (in plan order) and scenario. ``met`` maps a row position (target
    position x scenarios + scenario index) to its packed bits; a target without one (not
    assessable: qualitative, no data) is left out of its plan's counts."""
    plans: dict[str, list[int]] = {}
    for pos, t in enumerate(targets):
        plans.setdefault(t.plan_id, []).append(pos)
    rows = []
    for plan_id, positions in plans.items():
        for s_index, scenario in enumerate(scenarios):
            keys = [pos * len(scenarios) + s_index for pos in positions]
            kept = [(pos, key) for pos, key in zip(positions, keys, strict=True) if key in met]
            table = np.array([np.unpackbits(met[key], count=draws).astype(bool)
                              for _, key in kept]).reshape(len(kept), draws)
            rows.append(plan_outcome(
                plan_id, scenario, table, np.array([targets[pos].binding for pos, _ in kept],
                                                   dtype=bool),
                [targets[pos].id for pos, _ in kept]))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in WHOLE:
        frame[column] = frame[column].astype("Int64")
    return frame
