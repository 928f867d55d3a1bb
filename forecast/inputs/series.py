"""All series of a run as one array and offsets, and what can be said of each series before
any model sees it: its usable history and its data-quality notes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SHORT_SERIES = 5  # fewer points than this: a short series, whose distribution is wide


@dataclass(frozen=True)
class SeriesTable:
    """All series as one sorted array and offsets (like statsforecast's GroupedArray): series
    k is ``years[indptr[k]:indptr[k + 1]]`` with ``values`` alike, for ``keys[k]``. Thousands of
    series without a DataFrame each."""

    keys: list[tuple[str, str]]
    indptr: np.ndarray
    years: np.ndarray
    values: np.ndarray

    def series(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[k], self.indptr[k + 1]
        return self.years[lo:hi], self.values[lo:hi]


def series_table(observations: pd.DataFrame) -> SeriesTable:
    """The observations grouped by (region, indicator), years ascending within each."""
    region = observations["region"].astype("category")
    indicator = observations["indicator"].astype("category")
    r, i = region.cat.codes.to_numpy(), indicator.cat.codes.to_numpy()
    years = observations["year"].to_numpy()
    order = np.lexsort((years, i, r))
    r, i = r[order], i[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(r) != 0) | (np.diff(i) != 0)]) if len(r) \
        else np.zeros(0, dtype=np.int64)  # no observations (none up to a run's --as-of)
    regions, indicators = region.cat.categories, indicator.cat.categories
    keys = [(str(regions[r[k]]), str(indicators[i[k]])) for k in starts]
    return SeriesTable(keys, np.r_[starts, len(order)], years[order],
                       observations["value"].to_numpy(float)[order])


def usable_history(years: np.ndarray, values: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, str | None]:
    """The most recent run of consecutive years of one series (models need a regular step)."""
    breaks = np.flatnonzero(np.diff(years) != 1)
    if len(breaks) == 0:
        return years, values, None
    start = breaks[-1] + 1
    note = f"years before {years[start]} not used (gap in the series)"
    return years[start:], values[start:], note


def data_quality_notes(observations: pd.DataFrame | SeriesTable) -> pd.DataFrame:
    """Warnings per series: gaps in the years and fewer than three points."""
    table = observations if isinstance(observations, SeriesTable) else series_table(observations)
    counts = np.diff(table.indptr)
    first = table.years[table.indptr[:-1]]
    last = table.years[table.indptr[1:] - 1]
    notes = []
    for k in np.flatnonzero((last - first + 1 != counts) | (counts < 3)):
        region, indicator = table.keys[k]
        years = table.series(k)[0]
        missing = sorted(set(range(int(years[0]), int(years[-1]) + 1)) - set(years.tolist()))
        if missing:
            notes.append((region, indicator, f"gap in years: {', '.join(map(str, missing))}"))
        if counts[k] < 3:
            notes.append((region, indicator, f"only {counts[k]} point(s)"))
    return pd.DataFrame(notes, columns=["region", "indicator", "note"])
