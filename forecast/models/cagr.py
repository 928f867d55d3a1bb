"""`cagr`: the deterministic trend rule of UN ESCAP's SDG progress assessment.

ESCAP's "anticipated progress" extrapolates the compound annual growth rate of the indicator
to the target year. We weight recent years more (weight k for the k-th annual growth rate), as
trackers do when older data are less relevant. Every path is the same line, so probabilities are
0 or 1: a reference to compare against, never the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.models.transforms import Transform


@dataclass(frozen=True)
class TrendLine:
    last_raw: float
    rate: float  # annual growth of the raw value, as a fraction
    transform: Transform

    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        h = np.arange(1, horizon + 1)
        if self.transform.name == "identity":
            raw = self.last_raw + h * self.rate  # additive trend when values can be <= 0
        else:
            raw = self.last_raw * (1 + self.rate) ** h
        raw = np.clip(raw, self.transform.lower, self.transform.upper)
        return np.broadcast_to(self.transform.forward(raw), (n_paths, horizon)).copy()


@dataclass(frozen=True)
class CagrRule:
    name: str = "cagr"
    min_points: int = 2

    def fit(self, z: np.ndarray, transform: Transform) -> TrendLine:
        raw = transform.continuous().inverse(z)
        weights = np.arange(1, len(raw))
        if transform.name == "identity" or np.any(raw <= 0):
            rate = float(np.average(np.diff(raw), weights=weights))
            linear = Transform("identity", transform.lower, transform.upper)
            return TrendLine(float(raw[-1]), rate, linear)
        log_growth = np.diff(np.log(raw))
        rate = float(np.expm1(np.average(log_growth, weights=weights)))
        return TrendLine(float(raw[-1]), rate, transform)

