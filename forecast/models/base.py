"""What every model offers: fit a yearly series on the model scale, simulate its future."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from forecast.models.transforms import Transform


class Fitted(Protocol):
    def simulate(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        """Future values on the model scale, shape (n_paths, horizon)."""
        ...


class Model(Protocol):
    name: str
    min_points: int  # fewer points than this and the run falls back to `drift`

    def fit(self, z: np.ndarray, transform: Transform) -> Fitted:
        """Fit to consecutive yearly values ``z`` on the model scale."""
        ...


@dataclass
class FitInfo:
    """What a fit tells a reader of the diagnostics: the model actually used and why."""

    model: str
    notes: list[str] = field(default_factory=list)
