"""Where each plan stands: its targets sorted into on track, at risk, off track, met, missed
and awaiting data, under the baseline.

One rule for the console's per-plan lines, the reports' first page (主要结论) and anything
else that counts targets by standing: the review's status (``assessment.review.status``),
taken from review.csv where the plan has begun (it knows a year already broken and a target
year passed without data), else from the target's probability.
"""

from __future__ import annotations

import pandas as pd

from forecast.assessment.review import status
from forecast.inputs.scenarios import BASELINE

# the order in which standings are listed; "no data" (a target that could not be assessed)
# is counted apart, as not assessed
STANDINGS = ("on track", "at risk", "off track", "met", "missed", "awaiting data")
UNDECIDED = ("on track", "at risk", "off track")  # targets still ahead
# what the forecast says of a target whose year has passed without data, by the same bounds
OUTLOOKS = {"on track": "likely met", "at risk": "uncertain", "off track": "likely missed"}


def target_standing(rows: pd.DataFrame, review: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per baseline target: ``plan_id, target_id, assessable, standing, outlook``
    (standing empty for a target without a probability; outlook, for a target awaiting
    data, one of ``OUTLOOKS``' values), in the rows' order."""
    base = rows[rows["scenario"] == BASELINE]
    reviewed: dict[tuple[str, str], str] = {}
    if review is not None and len(review):
        rb = review[review["scenario"] == BASELINE]
        reviewed = {(p, t): s for p, t, s in zip(rb["plan_id"], rb["target_id"], rb["status"],
                                                 strict=True) if isinstance(s, str) and s}
    out = []
    for r in base.itertuples(index=False):
        ok = bool(r.assessable) and pd.notna(r.probability)
        found = reviewed.get((r.plan_id, r.target_id)) if ok else None
        standing = (found if found in STANDINGS else
                    status(float(r.probability), r.model == "observed") if ok else "")
        outlook = OUTLOOKS[status(float(r.probability), False)] \
            if standing == "awaiting data" else ""
        out.append((r.plan_id, r.target_id, ok, standing, outlook))
    return pd.DataFrame(out, columns=["plan_id", "target_id", "assessable", "standing",
                                      "outlook"])


def plan_standing(rows: pd.DataFrame, review: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per plan, in the rows' order: ``plan_id, targets, assessed``, a count for
    each of ``STANDINGS`` and, of those awaiting data, for each of ``OUTLOOKS``' values."""
    each = target_standing(rows, review)
    out = []
    for plan_id, g in each.groupby("plan_id", sort=False):
        counts = g["standing"].value_counts()
        outlooks = g["outlook"].value_counts()
        out.append({"plan_id": plan_id, "targets": len(g), "assessed": int(g["assessable"].sum()),
                    **{s: int(counts.get(s, 0)) for s in STANDINGS},
                    **{o: int(outlooks.get(o, 0)) for o in OUTLOOKS.values()}})
    return pd.DataFrame(out, columns=["plan_id", "targets", "assessed", *STANDINGS,
                                      *OUTLOOKS.values()])
