"""The plan as a whole in one sentence (``plan_outcomes.csv`` in words), for summary.md, the
reports and the terminal: how many targets are expected to be met, with their 80% range, the
probability that all are, and the same for the binding (约束性) ones."""

from __future__ import annotations

import math

import pandas as pd

from forecast.inputs.scenarios import BASELINE


def _whole(x) -> int:
    return round(float(x))


def plan_line(outcome: dict, lang: str = "en") -> str:
    """The plan's row of ``plan_outcomes.csv`` as a sentence, e.g. 'Expected 20 of 27 assessed
    targets met (80% range 16–23); all met with probability 0.00; all 2 binding targets met
    with probability 0.41.' Empty where no target of the plan could be assessed."""
    n = int(outcome["n_assessable"]) if not _missing(outcome["n_assessable"]) else 0
    if n == 0:
        return ""
    zh = lang == "zh"
    expected, low, high = (_whole(outcome[k]) for k in ("expected_met", "met_p10", "met_p90"))
    p_all = float(outcome["p_all_met"])
    if zh:
        text = (f"预计 {n} 项可评估目标中约 {expected} 项达成(80% 区间 {low}–{high} 项);"
                f"全部达成的概率为 {p_all:.2f}")
    else:
        text = (f"Expected {expected} of {n} assessed targets met (80% range {low}–{high}); "
                f"all met with probability {p_all:.2f}")
    b = int(outcome["n_binding"]) if not _missing(outcome["n_binding"]) else 0
    if b:
        p_binding = float(outcome["p_all_binding_met"])
        text += (f";{b} 项约束性目标全部达成的概率为 {p_binding:.2f}" if zh
                 else f"; all {b} binding targets met with probability {p_binding:.2f}")
    return text + ("。" if zh else ".")


def _missing(x) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def baseline_outcome(outcomes: pd.DataFrame | None, plan_id: str) -> dict:
    """A plan's row of plan_outcomes.csv under the baseline ({"n_assessable": 0} where there
    is none: a run made before the file existed, or a plan not in the run)."""
    if outcomes is None or not len(outcomes):
        return {"n_assessable": 0}
    row = outcomes[(outcomes["plan_id"] == plan_id) & (outcomes["scenario"] == BASELINE)]
    return row.iloc[0].to_dict() if len(row) else {"n_assessable": 0}
