"""Achievable targets: the value a target would be met with 50%, 80% or 90% probability.

The inverse of the target's predicate on the same simulated paths, as FPEM does for family
planning indicators: for an up-target (``>=``, ``>``) the value met on a share q of paths is the
(1 − q) quantile of the compared quantity, for a down-target (``<=``, ``<``) its q quantile. For
a target that must hold every year, the quantity is its worst year, so the suggested value
holds in every year together. Whole-number quantities (counts) get the largest value met on at
least a share q of paths, so the promise is never overstated by rounding.
"""

from __future__ import annotations

import math

import numpy as np

from forecast.inputs.plans import Target
from forecast.simulation.paths import Paths
from forecast.targets.engine import required_rate, sorted_quantiles

CONFIDENCES = (0.5, 0.8, 0.9)
COLUMNS = ["plan_id", "target_id", "scenario", "confidence", "achievable_value",
           "achievable_rate"]


def achievable_values(target: Target, binding: np.ndarray,
                      confidences: tuple[float, ...] = CONFIDENCES,
                      ordered: np.ndarray | None = None) -> list[float]:
    """The values that, put in place of the target's, are met on a share ``confidence`` of
    the paths whose compared quantity is ``binding`` (one number per path), per confidence.
    ``ordered`` is ``binding`` sorted, when the caller has it."""
    if target.op == "between":
        return [math.nan] * len(confidences)
    up = target.op in (">=", ">")
    ordered = np.sort(binding) if ordered is None else ordered
    n = len(ordered)
    if np.all(ordered == np.round(ordered)):
        # whole numbers: at least k = ceil(q n) paths must meet it; for an up-target that is
        # the k-th largest value, for a down-target the k-th smallest
        ks = [math.ceil(q * n - 1e-9) for q in confidences]
        return [float(ordered[n - k if up else k - 1]) for k in ks]
    # continuous quantities: the usual interpolated quantile, which a fresh simulation meets
    # with probability ``confidence`` up to Monte Carlo error
    return sorted_quantiles(ordered, [1 - q if up else q for q in confidences])


def achievable_rows(target: Target, ordered: np.ndarray, history: Paths,
                    scenario: str) -> list[dict]:
    """suggestions.csv rows of one target and scenario from its compared quantity, sorted:
    value and the average annual growth from the last observation it implies (as
    ``required_rate``), per confidence."""
    rows = []
    for q, value in zip(CONFIDENCES, achievable_values(target, ordered, ordered=ordered),
                        strict=True):
        rate = None if math.isnan(value) else required_rate(target, history, value)
        rows.append({"plan_id": target.plan_id, "target_id": target.id, "scenario": scenario,
                     "confidence": q, "achievable_value": value,
                     "achievable_rate": math.nan if rate is None else rate})
    return rows
