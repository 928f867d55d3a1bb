"""One output row of probabilities.csv: a target under a scenario, read off its series' paths
(the probability it is met and everything behind it), and the diagnostics of a series."""

from __future__ import annotations

import numpy as np

from forecast.assessment.settings import Settings
from forecast.inputs.plans import Target
from forecast.inputs.scenarios import BASELINE
from forecast.inputs.series import SHORT_SERIES
from forecast.simulation.paths import Paths
from forecast.simulation.simulate import SeriesResult
from forecast.targets.engine import (
    NotAssessable,
    binding_statistic,
    compared_quantity,
    historical_rate,
    is_met,
    probability,
    required_rate,
    sorted_quantiles,
)
from forecast.targets.likelihood import likelihood

COLUMNS = [
    "plan_id", "target_id", "region", "indicator", "kind", "op", "value", "value_hi", "year",
    "base_year", "scenario", "model", "probability", "probability_se", "statistic_p10",
    "statistic_p50", "statistic_p90", "last_year", "last_value", "required_rate",
    "historical_rate", "likelihood", "assessable", "note", "aspirational", "each_year", "text",
    "base_value", "low_confidence",
]
# what a short series of a pooled model says; ``short_alone`` where it had no other region
SHORT_POOLED = "trend and spread borrowed from the regions it is pooled with"


def short_alone(note: str) -> str:
    """A short-series note of a pooled model whose indicator no other region has: nothing was
    borrowed, the trend and spread came from the series' own points and the model's prior."""
    return note.replace(SHORT_POOLED, "no other region to borrow from (its own points and the "
                        "model's prior only)")


def _fmt_rate(r: float | None) -> float:
    return float("nan") if r is None else float(r)


def assess_target(target: Target, results: dict[tuple[str, str], SeriesResult],
                  missing: dict[tuple[str, str], str], settings: Settings,
                  scenario: str = BASELINE, other_order: np.ndarray | None = None
                  ) -> tuple[dict, np.ndarray | None, np.ndarray | None]:
    """One output row for a target under a scenario, the per-path quantity it binds on,
    sorted, and whether each path meets it, in the order of its series' paths (both None
    where not assessable). ``other_order`` re-pairs the paths of a relative target's other
    series with this one's (``joint``)."""
    row = dict.fromkeys(COLUMNS, float("nan"))
    row.update(
        plan_id=target.plan_id, target_id=target.id, region=target.region,
        indicator=target.indicator, kind=target.kind, op=target.op or "",
        value=target.value, value_hi=target.value_hi, year=target.year,
        base_year=target.base_year, scenario=scenario, model="", likelihood="",
        assessable=False, note="", low_confidence="", aspirational=target.aspirational,
        each_year=target.each_year, text=target.text,
    )
    if not target.assessable_kind:
        row["note"] = "qualitative target: not given a probability"
        return row, None, None
    key = (target.region, target.indicator)
    series = results.get(key)
    if series is None:
        row["note"] = missing.get(key, "no data")
        return row, None, None
    other = None
    latest = {target.indicator: float(series.history.values[0, -1])}
    if target.other_indicator:
        other_result = results.get((target.region, target.other_indicator))
        if other_result is None:
            row["note"] = f"{missing.get((target.region, target.other_indicator), 'no data')} " \
                          f"for {target.other_indicator}"
            return row, None, None
        other = other_result.paths
        latest[target.other_indicator] = float(other_result.history.values[0, -1])
        if other_order is not None:
            other = Paths(other.first_year, other.values[other_order])
    history = series.history
    n_obs = history.values.shape[1]
    if target.base_year is not None:
        row["base_value"] = float(history.at(target.base_year)[0])
    row.update(
        last_year=history.last_year,
        last_value=float(history.values[0, -1]),
        historical_rate=_fmt_rate(
            historical_rate(np.arange(history.first_year, history.last_year + 1),
                            history.values[0])),
        required_rate=_fmt_rate(required_rate(target, history)),
    )
    try:
        stat = compared_quantity(target, series.paths, other, latest)
    except NotAssessable as exc:
        row["note"] = str(exc)
        return row, None, None
    met = is_met(target, stat)
    p, se = probability(met)
    binding = np.sort(binding_statistic(target, stat))  # sorted once for every quantile
    q10, q50, q90 = sorted_quantiles(binding, (0.1, 0.5, 0.9))
    observed = target.year <= history.last_year
    row.update(
        model="observed" if observed else series.model,
        probability=p, probability_se=se, statistic_p10=q10, statistic_p50=q50,
        statistic_p90=q90, likelihood=likelihood(p), assessable=True,
    )
    notes = []
    if observed:
        notes.append(f"already observed in {history.last_year}")
    elif n_obs < SHORT_SERIES and series.model in ("bayes", "counts"):
        notes.append(f"short series ({n_obs} point{'s' * (n_obs > 1)}): {SHORT_POOLED}")
    elif n_obs < SHORT_SERIES:
        notes.append(f"short series ({n_obs} points): wide distribution")
    notes += [n for n in series.notes if n.startswith(("years before", "one point", "derived"))]
    row["note"] = "; ".join(notes)
    return row, binding, met


FAN_LEVELS = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)  # the 95/80/50% bands and median


def series_diagnostics(res: SeriesResult) -> dict:
    """What a series' outputs need, computed where its paths are: data points, model notes,
    the observed history and the fan chart's quantiles (``FAN_LEVELS``) for each simulated
    year, so reports can draw it without the paths."""
    n_obs = res.history.values.shape[1]
    future = res.paths.values[:, n_obs:]
    fan = (np.quantile(future, FAN_LEVELS, axis=0) if future.shape[1]
           else np.empty((len(FAN_LEVELS), 0)))
    return {"points": int(n_obs), "first_year": res.history.first_year,
            "last_year": res.history.last_year, "model": res.model, "notes": list(res.notes),
            "history": {str(res.history.first_year + i): float(f"{v:.6g}")
                        for i, v in enumerate(res.history.values[0]) if np.isfinite(v)},
            "fan_levels": list(FAN_LEVELS),
            "fan": {str(res.history.last_year + 1 + i): [float(f"{v:.6g}") for v in fan[:, i]]
                    for i in range(fan.shape[1])}}
