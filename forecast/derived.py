"""Indicators that are arithmetic of others: R&D intensity = 100 × R&D expenditure / GDP.

Where the catalogue gives an indicator a ``formula`` and a region has the components' history,
the components are simulated (each by its own model, re-paired by ``joint`` so their shocks
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
well calibrated as the direct model of the indicator.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from forecast.config import PACKAGE_DIR
from forecast.targets import Paths

DECISIONS_FILE = PACKAGE_DIR / "data" / "derived.yaml"
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv}


@dataclass(frozen=True)
class Formula:
    """``indicator = expression`` over other indicators' ids, numbers, + − × ÷ and brackets."""

    indicator: str
    expression: str
    components: tuple[str, ...]  # in order of first appearance: the first leads the pairing

    def evaluate(self, values: dict[str, np.ndarray]) -> np.ndarray:
        tree = ast.parse(self.expression, mode="eval").body
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(_eval(tree, values), dtype=float)


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
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in names:
            names.append(node.id)
        elif not isinstance(node, ast.BinOp | ast.UnaryOp | ast.Constant | ast.Name |
                            ast.operator | ast.unaryop | ast.Load):
            raise ValueError(f"formula of {indicator} uses {type(node).__name__}: {text!r}")
    # the order of appearance is the order of ast.walk's breadth-first pass; use the text's
    names.sort(key=lambda n: expression.find(n))
    return Formula(indicator, expression, tuple(names))


@lru_cache(maxsize=4)
def _decisions(path: Path) -> dict:
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def backtested(path: Path = DECISIONS_FILE) -> frozenset[str]:
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
