"""Simulated futures as every stage passes them on: one matrix per series, a column per year,
observed years constant across rows and future years simulated."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Paths:
    """Values of one series in years ``first_year ..``: shape (n_paths, n_years), NaN if unknown."""

    first_year: int
    values: np.ndarray

    @property
    def last_year(self) -> int:
        return self.first_year + self.values.shape[1] - 1

    def at(self, year: int) -> np.ndarray:
        """The column of ``year`` (NaN where the year is outside the paths)."""
        i = year - self.first_year
        if i < 0 or i >= self.values.shape[1]:
            return np.full(self.values.shape[0], np.nan)
        return self.values[:, i]
