"""What `auto` (and `bayes`, `counts`) fits for each indicator, and why.

`auto` pools an indicator over the tree of regions where several linked regions have it (the
provincial backtests favour the pooled model there), uses `trend` where one region does, and
simulates small whole-number series as counts (the simulated backtests favour the count model
up to ``SMALL_COUNT``). The reason travels with the choice into ``probabilities.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.inputs.catalogue import Indicator

AUTO_MIN_REGIONS = 3  # `auto` pools an indicator observed (2+ points) in at least this many
#                       regions linked by regions.csv; with fewer, `trend` is used


#                       regions linked by regions.csv; with fewer, `trend` is used
SMALL_COUNT = 100  # `auto` models a count series as counts when no value exceeds this
#                    (decided by the simulated backtests in BENCHMARKS.md)


#                    (decided by the simulated backtests in BENCHMARKS.md)
STOCK_CAP = 1000  # the largest stock the count model's exact sum over exits is used for


@dataclass(frozen=True)
class ModelChoice:
    model: str  # "bayes" or the single-series model
    reason: str


def counted(indicator: Indicator, values: np.ndarray, model: str) -> bool:
    """Whether ``model`` simulates this series as counts: with `counts` every series of a count
    indicator (a stock up to ``STOCK_CAP``), with `auto` those whose values are all at most
    ``SMALL_COUNT``; never with `bayes` or the single-series models. Counts with an upper
    bound (a rank among 170 zones) are not counts of events and stay on their logit scale."""
    if indicator.kind != "count" or np.isfinite(indicator.upper) or indicator.lower != 0:
        return False
    values = np.asarray(values, dtype=float)
    if len(values) == 0 or np.any(values < 0) or np.any(values != np.round(values)):
        return False
    if model == "counts":
        return indicator.flow or values.max() <= STOCK_CAP
    return model == "auto" and values.max() <= SMALL_COUNT


def choose_models(indicators: list[str], series: dict[str, dict[str, np.ndarray]],
                  parents: dict[str, str], model: str, fallback: str = "trend"
                  ) -> dict[str, ModelChoice]:
    """The model of each indicator and why. `bayes` pools every indicator; `auto` pools those
    with several regions in the hierarchy, as the provincial backtests favour (BENCHMARKS.md)."""
    out = {}
    for ind in indicators:
        regions = series.get(ind, {})
        n = sum(len(z) >= 2 for z in regions.values())
        linked = sum(r in parents for r in regions)
        if model == "bayes":
            out[ind] = ModelChoice("bayes", f"--model bayes: pooled over {len(regions)} "
                                   f"region(s) of the tree")
        elif n >= AUTO_MIN_REGIONS and linked >= AUTO_MIN_REGIONS:
            out[ind] = ModelChoice("bayes", f"{n} regions with 2+ points, linked by "
                                   "regions.csv: the pooled model (in the provincial backtests "
                                   "it beats trend on every indicator)")
        else:
            if not regions:
                why = "no series in the workspace"
            elif n < AUTO_MIN_REGIONS:
                why = f"{n} region(s) with 2+ points, fewer than {AUTO_MIN_REGIONS}"
            else:
                why = "no hierarchy in regions.csv linking its regions"
            out[ind] = ModelChoice(fallback, f"{why}: nothing to pool, {fallback} used")
    return out


def count_choice(choice: ModelChoice | None, indicator: Indicator, n: int, model: str,
                 whole: bool) -> ModelChoice:
    """The choice of an indicator some of whose series are counts, and why."""
    what = "a flow: Poisson or negative-binomial counts, chosen by LOO" if indicator.flow else \
        "a stock: whole entries less exits, never below 0"
    why = (f"{n} series simulated as counts ({what}, rates pooled over the tree); "
           + ("--model counts" if model == "counts" else
              f"values up to {SMALL_COUNT}, where counts beat the log-scale models in the "
              "simulated backtests (BENCHMARKS.md)"))
    if whole or choice is None:
        return ModelChoice("counts", why)
    return ModelChoice(choice.model, f"{choice.reason}; the other {why}")
