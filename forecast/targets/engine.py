"""The target engine: every target is a predicate over simulated paths.

A series' paths are one matrix: a column per year, observed years constant across rows and
future years simulated. A target picks out the quantity it compares (the level, the growth rate,
the sum, the change, in every year of the period if ``each_year``), and the probability of
meeting it is the share of rows where the comparison holds.
"""

from __future__ import annotations

import math

import numpy as np

from forecast.inputs.plans import Target
from forecast.simulation.paths import Paths


class NotAssessable(ValueError):
    """The target cannot be assessed from these paths; the message says why."""


def _ratio(end: np.ndarray, start: np.ndarray) -> np.ndarray:
    """end / start, where a count that stays at 0 has ratio 1 (no growth) and one that leaves
    0 has infinite growth (it meets any growth target); NaN only where a year is missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = end / start
    return np.where((start == 0) & (end == 0), 1.0, ratio)


def _base(paths: Paths, year: int, name: str) -> np.ndarray:
    """The column a growth rate starts from, refused when it is zero or negative in every path
    (an observed base, or a series that stays at zero): growth from it is undefined, not
    infinite. Simulated bases that reach zero in some paths keep ``_ratio``'s convention."""
    base = paths.at(year)
    if len(base) and np.all(base <= 0):
        raise NotAssessable(f"growth of {name} from {year} is undefined: its value there is "
                            f"{float(np.max(base)):g}, not positive")
    return base


def _growth(paths: Paths, year: int, name: str = "the indicator") -> np.ndarray:
    return 100 * (_ratio(paths.at(year), _base(paths, year - 1, name)) - 1)


def _years(target: Target) -> list[int]:
    """The years a condition must hold in: all of base_year+1..year if each_year, else year."""
    if target.each_year:
        return list(range(target.base_year + 1, target.year + 1))
    return [target.year]


GROWTH_KINDS = ("growth", "cagr", "relative")  # targets on a rate, which needs a positive base


def compared_quantity(target: Target, paths: Paths, other: Paths | None = None,
                      latest: dict[str, float] | None = None) -> np.ndarray:
    """The quantity the target compares, shape (n_paths, n_years_checked).

    ``latest`` holds the last observed value of the target's series (and of the other one of
    a relative target), by indicator: a rate target on a series that now stands at zero or
    below is not assessable, since its future growth would be from nothing."""
    kind = target.kind
    for name, value in (latest or {}).items():
        if kind in GROWTH_KINDS and not value > 0:
            raise NotAssessable(f"growth of {name} is undefined: its last observed value is "
                                f"{value:g}, not positive")
    if target.other_indicator == target.indicator:
        other = paths  # against itself: the same paths, so the comparison is exact
    if kind == "level":
        cols = [paths.at(y) for y in _years(target)]
    elif kind == "growth":
        cols = [_growth(paths, y, target.indicator) for y in _years(target)]
    elif kind == "change":
        if target.each_year:
            cols = [paths.at(y) - paths.at(y - 1) for y in _years(target)]
        else:
            cols = [paths.at(target.year) - paths.at(target.base_year)]
    elif kind == "cagr":
        span = target.year - target.base_year
        ratio = _ratio(paths.at(target.year),
                       _base(paths, target.base_year, target.indicator))
        with np.errstate(invalid="ignore"):
            cols = [100 * (np.sign(ratio) * np.abs(ratio) ** (1 / span) - 1)]
    elif kind == "cumulative":
        cols = [sum(paths.at(y) for y in range(target.base_year + 1, target.year + 1))]
    elif kind == "relative":
        if other is None:
            raise NotAssessable(f"no data for {target.other_indicator}")
        cols = [_growth(paths, y, target.indicator)
                - _growth(other, y, target.other_indicator or "the other indicator")
                for y in _years(target)]
    else:
        raise NotAssessable("qualitative target")
    stat = np.column_stack(cols)
    if np.isnan(stat).any():
        raise NotAssessable(_missing_years_message(target, paths))
    return stat


def _missing_years_message(target: Target, paths: Paths) -> str:
    needed = {target.year}
    if target.kind in ("growth", "relative") or target.each_year:
        needed |= {y - 1 for y in _years(target)}
    if target.kind in ("change", "cagr"):
        needed.add(target.base_year)
    if target.kind == "cumulative":
        needed |= set(range(target.base_year + 1, target.year + 1))
    missing = sorted(y for y in needed if np.isnan(paths.at(y)).any())
    return f"no observation for {', '.join(map(str, missing))}"


def is_met(target: Target, stat: np.ndarray) -> np.ndarray:
    """Per path: does the compared quantity meet the target in every checked year?"""
    op, v = target.op, target.value
    ok = {
        ">=": lambda s: s >= v,
        ">": lambda s: s > v,
        "<=": lambda s: s <= v,
        "<": lambda s: s < v,
        "between": lambda s: (s >= v) & (s <= target.value_hi),
    }[op](stat)
    return ok.all(axis=1)


def binding_statistic(target: Target, stat: np.ndarray) -> np.ndarray:
    """One number per path to report: the worst year when the target must hold every year."""
    if stat.shape[1] == 1:
        return stat[:, 0]
    return stat.max(axis=1) if target.op in ("<=", "<") else stat.min(axis=1)


def probability(met: np.ndarray) -> tuple[float, float]:
    """Share of paths meeting the target and its Monte Carlo standard error."""
    p = float(np.mean(met))
    return p, math.sqrt(p * (1 - p) / len(met))


def _annual_rate(start: float, end: float, years: int) -> float | None:
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return 100 * ((end / start) ** (1 / years) - 1)


def historical_rate(years: np.ndarray, values: np.ndarray) -> float | None:
    """Observed average annual growth (%) from the first to the last observation used."""
    return _annual_rate(float(values[0]), float(values[-1]), int(years[-1] - years[0]))


def required_rate(target: Target, history: Paths, value: float | None = None) -> float | None:
    """Average annual growth (%) from the last observation that would just meet the target
    (or the target with ``value`` in place of its own).

    ``history`` holds the observed values only (one row). None where no single rate applies
    (relative targets, a target year already observed, or a base year not yet observed).
    """
    value = target.value if value is None else value
    last_year = history.last_year
    last = float(history.at(last_year)[0])
    span = target.year - last_year
    if span <= 0 or target.kind in ("relative", "qualitative"):
        return None
    if target.kind == "growth":
        return value
    if target.kind == "cumulative":
        observed = sum(float(history.at(y)[0]) for y in range(target.base_year + 1, last_year + 1)
                       if y <= last_year)
        remaining = value - observed
        if remaining <= 0 or last <= 0:
            return None
        total = lambda r: sum(last * (1 + r) ** k for k in range(1, span + 1)) - remaining  # noqa: E731
        from scipy.optimize import brentq  # only a cumulative target's rate needs it

        return 100 * brentq(total, -0.999, 100.0) if total(-0.999) < 0 < total(100.0) else None
    if target.kind == "level":
        level = value
    else:
        if target.base_year > last_year:
            return None
        base = float(history.at(target.base_year)[0])
        if math.isnan(base):
            return None
        if target.kind == "cagr":
            level = base * (1 + value / 100) ** (target.year - target.base_year)
        elif target.each_year:  # change each year: the stock must rise by value every year
            level = base + value * (target.year - target.base_year)
        else:
            level = base + value
    return _annual_rate(last, level, span)


def sorted_quantiles(ordered: np.ndarray, levels: list[float] | tuple[float, ...]) -> list[float]:
    """Quantiles of an already sorted sample (numpy's default linear interpolation), so one
    sort serves every quantile a target needs."""
    n = len(ordered)
    out = []
    for p in levels:
        pos = p * (n - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, n - 1)
        out.append(float(ordered[lo] + (pos - lo) * (ordered[hi] - ordered[lo])))
    return out
