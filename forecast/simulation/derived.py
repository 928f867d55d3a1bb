"""Indicators that are arithmetic of others: R&D intensity = 100 × R&D expenditure / GDP.

Where the catalogue gives an indicator a ``formula`` and a region has the components' history,
the components are simulated (each by its own model, re-paired by ``dependence`` so their shocks
correlate as in history) and the indicator is computed path by path. An R&D push or a GDP shock
then moves the intensity exactly as arithmetic says it must.

The derived path is anchored on the indicator's own last observation: in a simulated year
``t`` it is ``observed[L] × f(components[t]) / f(components[L])``, where ``L`` is the last
observed year of the indicator. Published intensities are rounded, and GDP is revised after R&D
spending is divided by it, so ``f(components[L])`` differs slightly from the published value;
anchoring keeps the path continuous with what the plan's target refers to. Without an observed
value of the indicator the path is ``f(components)`` itself.

Which formula indicators are derived is decided by backtests (``forecast/data/derived.yaml``,
written by ``benchmarks/bench_derived.py``): only where the derived forecasts are at least as
well calibrated as the direct model of the indicator. Elsewhere the indicator keeps its direct
forecast, and scenarios still reach it through arithmetic (``follow_components``): under a
scenario its direct paths are multiplied, path by path, by ``f(adjusted components) /
f(baseline components)``, so a GDP shock of −5% raises the intensity by exactly 1/0.95 while
the baseline stays the better-calibrated direct forecast.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from forecast.config import DERIVED_FILE
from forecast.files import read_yaml
from forecast.inputs.catalogue import Catalogue, Indicator
from forecast.inputs.scenarios import ALL, Adjustment, Scenario
from forecast.inputs.series import SeriesTable, usable_history
from forecast.simulation.adjust import apply
from forecast.simulation.dependence import Dependence, pair, path_scores
from forecast.simulation.paths import Paths
from forecast.simulation.simulate import SeriesResult
from forecast.streams import rng_for

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv}


@dataclass(frozen=True)
class Formula:
    """``indicator = expression`` over other indicators' ids, numbers, + − × ÷ and brackets."""

    indicator: str
    expression: str
    components: tuple[str, ...]  # in order of first appearance: the first leads the pairing

    def evaluate(self, values: dict[str, np.ndarray]) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(_eval(_tree(self.expression), values), dtype=float)


@lru_cache(maxsize=64)
def _tree(expression: str) -> ast.AST:
    return ast.parse(expression, mode="eval").body


def _eval(node: ast.AST, values: dict[str, np.ndarray]):
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, values)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    raise ValueError(f"unsupported term {ast.dump(node)}")


def parse(indicator: str, text: str) -> Formula:
    """A catalogue formula, with or without the ``indicator =`` on its left."""
    expression = text.split("=", 1)[1] if "=" in text else text
    expression = expression.strip()
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"formula of {indicator} is not arithmetic: {text!r}") from exc
    names: dict[str, int] = {}  # id -> position of its first appearance in the text
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names[node.id] = min(names.get(node.id, node.col_offset), node.col_offset)
        elif not isinstance(node, ast.BinOp | ast.UnaryOp | ast.Constant | ast.Name |
                            ast.operator | ast.unaryop | ast.Load):
            raise ValueError(f"formula of {indicator} uses {type(node).__name__}: {text!r}")
    ordered = sorted(names, key=names.__getitem__)
    return Formula(indicator, expression, tuple(ordered))


@lru_cache(maxsize=4)
def _decisions(path: Path) -> dict:
    if not path.exists():
        return {}
    return read_yaml(path) or {}


def backtested(path: Path = DERIVED_FILE) -> frozenset[str]:
    """The formula indicators whose derived forecasts backtests found at least as well
    calibrated as their direct model."""
    return frozenset(k for k, v in _decisions(path).items() if v.get("use"))


def derive(formula: Formula, components: dict[str, Paths], own: Paths | None,
           last_year: int, until: int) -> Paths:
    """The indicator's paths from its components' paths (all reaching ``until``).

    ``own`` is the indicator's observed history (one row) or None; ``last_year`` the year the
    simulated part starts after (the indicator's last observation, or the components' last
    common observation). Observed years keep the observed values."""
    n = next(iter(components.values())).values.shape[0]
    future_years = range(last_year + 1, until + 1)
    at = {c: np.column_stack([p.at(y) for y in future_years]) for c, p in components.items()}
    level = formula.evaluate(at)
    if own is not None and own.last_year == last_year:
        base = formula.evaluate({c: p.at(last_year) for c, p in components.items()})
        level = float(own.values[0, -1]) * level / base[:, None]
        history = np.repeat(own.values, n, axis=0)
        first = own.first_year
    else:
        first = max(p.first_year for p in components.values())
        past = {c: np.column_stack([p.at(y) for y in range(first, last_year + 1)])
                for c, p in components.items()}
        history = formula.evaluate(past)
    return Paths(first, np.hstack([history, level]))


@dataclass(frozen=True)
class DerivedRequest:
    """A formula indicator of one region whose components have history: derived from them
    (``derived``), or simulated directly and moved by scenarios through them."""

    region: str
    indicator: Indicator
    formula: Formula
    own: Paths | None  # the indicator's own observed history (one row), if any
    last_year: int  # simulated years start after this one
    until: int
    dependence: tuple[Dependence, ...]  # of each further component with the first
    derived: bool = True


def _history(table: SeriesTable, index: dict, key: tuple[str, str]
             ) -> tuple[np.ndarray, np.ndarray] | None:
    k = index.get(key)
    if k is None:
        return None
    years, values, _ = usable_history(*table.series(k))
    return years, values


def plan_derived(catalogue: Catalogue, table: SeriesTable, needed: dict[tuple[str, str], int],
                 derive_ids: frozenset[str], dependence: Callable[[str, str], Dependence],
                 min_points: int = 2, follow: bool = False
                 ) -> tuple[list[DerivedRequest], dict[tuple[str, str], int]]:
    """Which needed formula series have components to work with, and the component series
    (with the year they must reach) that this adds to the run.

    Components qualify where each has at least ``min_points`` consecutive years reaching at
    least as far as the indicator's own last observation, and the target years are not all
    observed. The series is then derived if backtests favour it (``derive_ids``) or it has no
    history of its own; otherwise it keeps its direct model and, when the run has scenarios
    (``follow``), follows its components under them."""
    index = {key: k for k, key in enumerate(table.keys)}
    derived, extra = [], {}
    for (region, ind_id), until in sorted(needed.items()):
        indicator = catalogue[ind_id]
        if not indicator.formula:
            continue
        formula = parse(ind_id, indicator.formula)
        parts = [_history(table, index, (region, c)) for c in formula.components]
        if any(h is None or len(h[0]) < min_points for h in parts):
            continue
        own = _history(table, index, (region, ind_id))
        common_last = min(int(h[0][-1]) for h in parts)
        last_year = int(own[0][-1]) if own is not None else common_last
        if common_last < last_year or until <= last_year or \
                any(int(h[0][0]) > last_year for h in parts):
            continue
        as_derived = ind_id in derive_ids or own is None
        if not as_derived and not follow:
            continue
        lead = formula.components[0]
        derived.append(DerivedRequest(
            region, indicator, formula,
            None if own is None else Paths(int(own[0][0]), own[1][None, :]), last_year, until,
            tuple(dependence(lead, c) for c in formula.components[1:]),
            derived=as_derived))
        for c in formula.components:
            extra[(region, c)] = max(extra.get((region, c), until), until)
    return derived, extra


def pairing(lead: SeriesResult, follow: SeriesResult, dependence: Dependence, seed: int
            ) -> np.ndarray | None:
    """The order of ``follow``'s paths that pairs them with ``lead``'s as their history says
    (None: independent, keep the order)."""
    if dependence.rho == 0:
        return None
    rng = rng_for(seed, lead.region, "pair", lead.indicator, follow.indicator)
    return pair(series_scores(lead), series_scores(follow), dependence.rho, rng)


def series_scores(res: SeriesResult) -> np.ndarray:
    """One score per path of a simulated series (``path_scores``; zeros without a future)."""
    start = res.history.values.shape[1]
    future = res.paths.values[:, start:]
    return (path_scores(future, res.paths.values[:, start - 1]) if future.shape[1]
            else np.zeros(len(res.paths.values)))


def derived_result(d: DerivedRequest, results: dict[tuple[str, str], SeriesResult],
                   orders: list[np.ndarray | None], scenario: Scenario | None) -> SeriesResult:
    """A derived series' paths from its components' (under a scenario, theirs under it),
    the further components re-paired with the first by ``orders``."""
    parts = [results[(d.region, c)] for c in d.formula.components]
    components = {parts[0].indicator: parts[0].paths}
    for res, order in zip(parts[1:], orders, strict=True):
        components[res.indicator] = res.paths if order is None else \
            Paths(res.paths.first_year, res.paths.values[order])
    paths = derive(d.formula, components, d.own, d.last_year, d.until)
    if scenario is not None:  # adjustments naming the derived indicator itself
        paths = apply(scenario, d.indicator, paths, d.last_year, wildcard=False)
    history = d.own if d.own is not None else Paths(paths.first_year,
                                                    paths.values[:1, :d.last_year + 1
                                                                 - paths.first_year])
    models = sorted({r.model for r in parts})
    dep = "; ".join(x.describe() for x in d.dependence if x.pairs)
    note = (f"derived: {d.indicator.id} = {d.formula.expression}, from the "
            f"{'/'.join(models)} paths of {', '.join(d.formula.components)}"
            + (f" ({dep})" if dep else ""))
    gaps = dict.fromkeys(n for r in parts for n in r.notes if n.startswith("years before"))
    return SeriesResult(d.region, d.indicator.id, paths, history, "derived", (*gaps, note))


def _levels(adjustments: tuple[Adjustment, ...], indicator: str) -> list[Adjustment]:
    return [a for a in adjustments if a.applies_to(indicator) and a.volatility is None]


def follow_components(d: DerivedRequest, baseline: dict[tuple[str, str], SeriesResult],
                      scenario: Scenario, indicators: dict[str, Indicator]) -> SeriesResult:
    """A directly forecast formula indicator under a scenario: its baseline paths times what
    the scenario's growth shifts and shocks of its components do to the formula, path by
    path; then its own adjustments (named, or a ``*`` volatility, which acts on its own spread
    rather than through its components')."""
    res = baseline[(d.region, d.indicator.id)]
    paths = res.paths
    levels = Scenario(scenario.id, scenario.title, "", tuple(
        a for c in d.formula.components for a in _levels(scenario.adjustments, c)))
    if levels.adjustments:
        years = range(d.last_year + 1, d.until + 1)
        before, after = {}, {}
        for c in d.formula.components:
            comp = baseline[(d.region, c)]
            moved = apply(levels, indicators[c], comp.paths, comp.history.last_year)
            before[c] = np.column_stack([comp.paths.at(y) for y in years])
            after[c] = np.column_stack([moved.at(y) for y in years])
        factor = d.formula.evaluate(after) / d.formula.evaluate(before)
        values = paths.values.copy()
        start = d.last_year + 1 - paths.first_year
        values[:, start:start + len(years)] *= np.nan_to_num(factor, nan=1.0)
        paths = Paths(paths.first_year, np.clip(values, d.indicator.lower, d.indicator.upper))
        res = replace(res, notes=(*res.notes, f"derived scenario effect: {d.indicator.id} moved "
                                  f"as {d.formula.expression} moves with the scenario"))
    own = Scenario(scenario.id, scenario.title, "", tuple(
        a for a in scenario.adjustments
        if a.indicator == d.indicator.id or (a.indicator == ALL and a.volatility is not None)))
    if own.adjustments:
        paths = apply(own, d.indicator, paths, d.last_year)
    return replace(res, paths=paths)

