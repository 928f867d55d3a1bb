"""How far a target has come since its base year: the mid-term review's observed side.

Progress is read on the quantity the target is about, so "raise R&D intensity from 2.40 to
3.00" that stands at 2.70 has covered half the distance, and "新增 20" that has added 8 has
covered 0.4 of it. Growth targets are read as the level the growth implies by the target year,
and a cumulative target as the observed part of the sum (its base value is 0 and its latest
value the sum so far, not the year's flow). The time elapsed is the share of the years from the
base year to the target year that the data cover. A target its base value already met has no
distance to cover: its progress share is empty. A target that must hold in every year
(``each_year``) and failed in an observed year can no longer be met: ``broken_year`` names the
first such year.
"""

from __future__ import annotations

import math
from dataclasses import replace

from forecast.inputs.plans import Target
from forecast.simulation.paths import Paths
from forecast.targets.engine import NotAssessable, compared_quantity, historical_rate, is_met

COLUMNS = ["base_value", "last_year", "last_value", "progress_share", "time_share",
           "achieved_rate", "broken_year"]


def _observed(history: Paths, year: int) -> float:
    v = history.at(year)[0]
    return float(v)


def target_level(target: Target, base: float) -> float:
    """The level of the indicator in the target year that meets the target exactly."""
    span = target.year - target.base_year
    if target.kind == "level":
        return target.value
    if target.kind == "change":
        return base + target.value * (span if target.each_year else 1)
    if target.kind == "cagr" or (target.kind == "growth" and target.each_year):
        return base * (1 + target.value / 100) ** span
    return math.nan


def broken_year(target: Target, history: Paths) -> int | None:
    """The first observed year in which a target that must hold every year (``each_year``:
    "新增 5 户 each year", growth of 8% a year) failed, or None: it cannot be met any more,
    whatever the years still to come hold."""
    if not target.each_year or target.base_year is None or target.year is None:
        return None
    last = min(history.last_year, target.year)
    if last <= target.base_year:
        return None
    try:  # the observed years only: one row, a column per year base_year+1 .. last
        stat = compared_quantity(replace(target, year=last), history)
    except NotAssessable:  # a gap in the observed years: nothing certain to say
        return None
    for j in range(stat.shape[1]):
        if not is_met(target, stat[:, [j]])[0]:
            return target.base_year + 1 + j
    return None


def target_progress(target: Target, history: Paths) -> dict:
    """base_value, the last observation (year and value), progress_share, time_share,
    achieved_rate and broken_year of one target (NaN or None where they do not apply, e.g. a
    base year not observed or a relative target)."""
    out = dict.fromkeys(COLUMNS, math.nan)
    out.update(last_year=history.last_year, last_value=float(history.values[0, -1]),
               broken_year=None)
    if target.base_year is None or target.year is None or target.kind == "relative" \
            or not target.assessable_kind:
        return out
    last_year = min(history.last_year, target.year)
    span = target.year - target.base_year
    out["time_share"] = min(max((last_year - target.base_year) / span, 0.0), 1.0)
    base = _observed(history, target.base_year)
    out["base_value"] = base
    if math.isnan(base) or last_year < target.base_year:
        return out
    out["broken_year"] = broken_year(target, history)
    last = _observed(history, last_year)
    if target.kind == "cumulative":  # the sum so far, from 0 at the base year
        done = sum(_observed(history, y) for y in range(target.base_year + 1, last_year + 1))
        out.update(base_value=0.0, last_value=done,
                   progress_share=done / target.value if target.value else math.nan)
        return out
    if last_year > target.base_year:
        rate = historical_rate([target.base_year, last_year], [base, last])
        out["achieved_rate"] = math.nan if rate is None else rate
    goal = target_level(target, base)
    down = target.op in ("<=", "<")
    # a distance to cover only where the base did not already meet the target
    if math.isfinite(goal) and (goal < base if down else goal > base):
        out["progress_share"] = (last - base) / (goal - base)
    return out
