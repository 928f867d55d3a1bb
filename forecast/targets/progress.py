"""How far a target has come since its base year: the mid-term review's observed side.

Progress is read on the quantity the target is about, so "raise R&D intensity from 2.40 to
3.00" that stands at 2.70 has covered half the distance, and "新增 20" that has added 8 has
covered 0.4 of it. Growth targets are read as the level the growth implies by the target year,
and a cumulative target as the observed part of the sum. The time elapsed is the share of the
years from the base year to the target year that the data cover. A target its base value
already met has no distance to cover: its progress share is empty.
"""

from __future__ import annotations

import math

from forecast.inputs.plans import Target
from forecast.simulation.paths import Paths
from forecast.targets.engine import historical_rate

COLUMNS = ["base_value", "last_year", "last_value", "progress_share", "time_share",
           "achieved_rate"]


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


def target_progress(target: Target, history: Paths) -> dict:
    """base_value, the last observation (year and value), progress_share, time_share and
    achieved_rate of one target (NaN where they do not apply, e.g. a base year not observed or
    a relative target)."""
    out = dict.fromkeys(COLUMNS, math.nan)
    out.update(last_year=history.last_year, last_value=float(history.values[0, -1]))
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
    last = _observed(history, last_year)
    if last_year > target.base_year:
        rate = historical_rate([target.base_year, last_year], [base, last])
        out["achieved_rate"] = math.nan if rate is None else rate
    if target.kind == "cumulative":
        done = sum(_observed(history, y) for y in range(target.base_year + 1, last_year + 1))
        out["progress_share"] = done / target.value if target.value else math.nan
        return out
    goal = target_level(target, base)
    down = target.op in ("<=", "<")
    # a distance to cover only where the base did not already meet the target
    if math.isfinite(goal) and (goal < base if down else goal > base):
        out["progress_share"] = (last - base) / (goal - base)
    return out
