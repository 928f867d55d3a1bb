"""The scale a model works on: logit for shares, log for positive amounts, counts and ratios.

Fitting on this scale keeps every simulated value inside the indicator's bounds (a share stays
within 0–100, a count stays non-negative) and makes growth additive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from forecast.inputs.catalogue import Indicator

# How far inside a bound an observed value on the bound is moved before taking logs or logits:
# for a logit, this share of the width; for a log, this fraction of the series' smallest value
# (relative, so that a series gives the same probabilities in yuan or in 亿元).
EDGE = 1e-4


@dataclass(frozen=True)
class Transform:
    """A monotone map between the indicator's unit and the model scale."""

    name: str  # "logit", "log" or "identity"
    lower: float = 0.0
    upper: float = math.inf
    offset: float = 0.0  # added before the log (1 for counts, which may be zero)
    integer: bool = False  # round back to whole numbers (counts)
    floor: float = EDGE  # the log's argument is kept at or above this (see ``transform_for``)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.name == "logit":
            width = self.upper - self.lower
            p = np.clip((x - self.lower) / width, EDGE, 1 - EDGE)
            return np.log(p) - np.log1p(-p)
        if self.name == "log":
            return np.log(np.maximum(x - self.lower + self.offset, self.floor))
        return x

    def inverse(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if self.name == "logit":
            with np.errstate(over="ignore"):
                out = self.lower + (self.upper - self.lower) / (1 + np.exp(-z))
        elif self.name == "log":
            with np.errstate(over="ignore"):
                out = self.lower + np.exp(np.minimum(z, 700)) - self.offset
            out = np.maximum(out, self.lower)
        else:
            out = np.clip(z, self.lower, self.upper)
        return np.round(out) if self.integer else out

    def rounding_sd(self, x: np.ndarray) -> np.ndarray:
        """The sd, on the model scale, of the error of publishing ``x`` rounded to whole
        numbers (a uniform error of ±0.5 carried through the map); zero for other indicators.

        For a small count it is large (log(1 + x) of 0 or 1 is known only to about ±0.2), so a
        county whose count stays at 2 is not read as a series with no noise at all."""
        x = np.asarray(x, dtype=float)
        if not self.integer:
            return np.zeros_like(x)
        exact = self.continuous()  # forward() keeps x - 0.5 inside the bounds
        return np.abs(exact.forward(x + 0.5) - exact.forward(x - 0.5)) / math.sqrt(12)

    def continuous(self) -> Transform:
        """The same map without rounding to whole numbers (for fitting to counts)."""
        return replace(self, integer=False)


def transform_for(indicator: Indicator, values: np.ndarray) -> Transform:
    """The model scale for an indicator and its observed values."""
    values = np.asarray(values, dtype=float)
    integer = indicator.kind == "count"
    if math.isfinite(indicator.upper) and math.isfinite(indicator.lower):
        return Transform("logit", indicator.lower, indicator.upper, integer=integer)
    offset = 1.0 if integer else 0.0
    shifted = values - indicator.lower + offset
    if np.all(shifted > 0):
        # the floor scales with the series: every observed value lies above it, in any unit
        floor = EDGE * float(shifted.min()) if len(shifted) else EDGE
        return Transform("log", indicator.lower, indicator.upper, offset=offset,
                         integer=integer, floor=floor)
    return Transform("identity", indicator.lower, indicator.upper, integer=integer)
