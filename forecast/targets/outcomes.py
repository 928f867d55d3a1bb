"""A plan as a whole: how many of its targets are met, and whether all its binding ones are.

The leadership of a mid-term review asks two questions the per-target probabilities cannot
answer: how many of our targets will we meet, and can we meet every binding (约束性) one? Both
are read off one table of jointly simulated futures: one row per assessable target, one column
per path, True where that path meets that target. Each row's mean is the target's own
probability (the joint layer only re-pairs paths, so it never changes), and each column is one
possible future of the whole plan.
"""

from __future__ import annotations

import math

import numpy as np

SHARES = (0.5, 0.75, 0.9)  # P(at least this share of the targets met)
WORST_PAIRS = 3  # the pairs of targets most often missed together, listed per plan

# the columns docs/formats.md names first, in its order; then what the reports also show
COLUMNS = [
    "plan_id", "scenario", "n_assessable", "expected_met", "met_p10", "met_p90", "p_all_met",
    *[f"p_met_{round(share * 100)}pct" for share in SHARES],
    "n_binding", "expected_binding_met", "p_all_binding_met",
    *[f"k_{round(share * 100)}pct" for share in SHARES],  # the k of each p_met_..pct
    "binding_met_p10", "binding_met_p90", "missed_together", "common_shock", "met_distribution",
]
WHOLE = [c for c in COLUMNS if c in ("n_assessable", "met_p10", "met_p90", "n_binding",
                                     "binding_met_p10", "binding_met_p90")
         or c.startswith("k_")]  # numbers of targets


def _counts(met: np.ndarray) -> dict[str, float]:
    """Expected number met, its 80% range and P(all met), from targets x paths."""
    if not len(met):
        return {"n": 0, "expected_met": math.nan, "met_p10": math.nan,
                "met_p90": math.nan, "p_all_met": math.nan}
    count = met.sum(axis=0)
    low, high = np.quantile(count, (0.1, 0.9), method="inverted_cdf")
    return {"n": len(met), "expected_met": float(count.mean()), "met_p10": int(low),
            "met_p90": int(high), "p_all_met": float(np.mean(count == len(met)))}


def distribution(met: np.ndarray) -> np.ndarray:
    """P(exactly k targets met), k = 0 ... the number of targets (empty without targets)."""
    if not len(met):
        return np.zeros(0)
    return np.bincount(met.sum(axis=0), minlength=len(met) + 1) / met.shape[1]


def missed_together(met: np.ndarray, target_ids: list[str],
                    top: int = WORST_PAIRS) -> list[tuple[str, str, float]]:
    """The pairs of targets with the highest probability of both being missed (ties in the
    order of the plan)."""
    missed = (~met).astype(np.float64)
    both = missed @ missed.T / met.shape[1]
    pairs = [(both[i, j], i, j) for i in range(len(met)) for j in range(i + 1, len(met))]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    return [(target_ids[i], target_ids[j], float(p)) for p, i, j in pairs[:top] if p > 0]


def plan_outcome(plan_id: str, scenario: str, met: np.ndarray, binding: np.ndarray,
                 target_ids: list[str], common_shock: float | None = None) -> dict:
    """One row of ``plan_outcomes.csv`` from a plan's assessable targets x jointly simulated
    paths (``met``), which of them are binding, and their ids (in plan order); with the
    common year shock its regions' futures were lined up under, for a plan of several."""
    met = np.asarray(met, dtype=bool)
    if met.ndim != 2 or len(met) != len(target_ids):
        raise ValueError("met must hold one row of paths per target id")
    binding = np.asarray(binding, dtype=bool)
    counts = _counts(met)
    row: dict = {"plan_id": plan_id, "scenario": scenario, "n_assessable": counts.pop("n"),
                 **counts}
    count = met.sum(axis=0)
    for share in SHARES:
        k = math.ceil(share * len(met))
        row[f"k_{round(share * 100)}pct"] = k
        row[f"p_met_{round(share * 100)}pct"] = float(np.mean(count >= k)) if len(met) \
            else math.nan
    bound = _counts(met[binding])
    row.update({"n_binding": int(binding.sum()), "expected_binding_met": bound["expected_met"],
                "binding_met_p10": bound["met_p10"], "binding_met_p90": bound["met_p90"],
                "p_all_binding_met": bound["p_all_met"]})
    row["missed_together"] = "; ".join(
        f"{a} & {b} ({p:.2f})" for a, b, p in missed_together(met, target_ids))
    row["met_distribution"] = " ".join(f"{p:.4f}" for p in distribution(met))
    row["common_shock"] = common_shock
    return {column: row[column] for column in COLUMNS}
