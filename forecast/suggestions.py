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
from dataclasses import replace

import numpy as np

from forecast.plans import Target
from forecast.targets import Paths, required_rate

CONFIDENCES = (0.5, 0.8, 0.9)
COLUMNS = ["plan_id", "target_id", "scenario", "confidence", "achievable_value",
           "achievable_rate"]


def achievable_value(target: Target, binding: np.ndarray, confidence: float) -> float:
    """The value that, put in place of the target's, is met on a share ``confidence`` of the
    paths whose compared quantity is ``binding`` (one number per path)."""
    if target.op == "between":
        return math.nan
    ordered = np.sort(binding)
    n = len(ordered)
    k = math.ceil(confidence * n - 1e-9)  # paths that must meet it
    # up-targets: the k-th largest (at least k paths are >= it); else the k-th smallest
    value = ordered[n - k] if target.op in (">=", ">") else ordered[k - 1]
    if np.all(binding == np.round(binding)):
        return float(value)
    # continuous quantities: the usual interpolated quantile, which a fresh simulation meets
    # with probability ``confidence`` up to Monte Carlo error
    q = 1 - confidence if target.op in (">=", ">") else confidence
    return float(np.quantile(binding, q))


def achievable_rows(target: Target, binding: np.ndarray, history: Paths,
                    scenario: str) -> list[dict]:
    """suggestions.csv rows of one target and scenario: value and the average annual growth
    from the last observation it implies (as ``required_rate``), per confidence."""
    rows = []
    for q in CONFIDENCES:
        value = achievable_value(target, binding, q)
        rate = None if math.isnan(value) else required_rate(replace(target, value=value),
                                                             history)
        rows.append({"plan_id": target.plan_id, "target_id": target.id, "scenario": scenario,
                     "confidence": q, "achievable_value": value,
                     "achievable_rate": math.nan if rate is None else rate})
    return rows
