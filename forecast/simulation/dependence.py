"""Series simulated jointly: their futures ordered so their shocks correlate as in history.

Each series is simulated by its own model from its own random stream (so its marginal
distribution, and every probability about it alone, is unchanged). Where two series enter one
quantity (R&D intensity = R&D expenditure / GDP; a relative target "fiscal S&T spending grows
faster than revenue"), independent paths would be wrong: a year that is good for GDP is usually
good for R&D spending too. So the paths of the second series are re-paired with the first's by
the Iman–Conover method (Iman & Conover 1982, as in the Schaake shuffle of ensemble
forecasting): each path is scored by its total simulated change on the model scale, and paths
are paired so that the scores follow a Gaussian copula with the correlation the two series'
annual changes have in the workspace's history. Re-pairing only permutes rows, so it never
changes either series' own distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from forecast.inputs.catalogue import Catalogue
from forecast.inputs.series import SeriesTable
from forecast.models.transforms import transform_for

MIN_PAIRS = 8  # fewer pooled pairs of annual changes than this: treat the series as independent


@dataclass(frozen=True)
class Dependence:
    """The correlation of two indicators' annual changes, and how much history it rests on."""

    rho: float
    pairs: int
    regions: int

    def describe(self) -> str:
        return (f"correlation of annual changes {self.rho:+.2f} "
                f"({self.pairs} pairs in {self.regions} regions)")


INDEPENDENT = Dependence(0.0, 0, 0)


def _changes(table: SeriesTable, k: int, catalogue: Catalogue) -> dict[int, float]:
    """Year -> change on the model scale from the year before (consecutive years only)."""
    years, values = table.series(k)
    indicator = catalogue[table.keys[k][1]]
    z = transform_for(indicator, values).continuous().forward(values)
    ok = np.diff(years) == 1
    return dict(zip(years[1:][ok].tolist(), np.diff(z)[ok].tolist(), strict=True))


def growth_correlation(table: SeriesTable, a: str, b: str, catalogue: Catalogue,
                       regions: set[str] | None = None) -> Dependence:
    """Pooled within-region correlation of the annual changes of indicators ``a`` and ``b``.

    Each region's changes are centred on that region's own means (so regions growing fast in
    both are not read as correlation), then all regions' pairs are pooled: one correlation for
    the workspace, which a region with two or three points could not estimate alone."""
    index = {key: k for k, key in enumerate(table.keys)}
    xs, ys, used = [], [], 0
    for region in sorted({r for r, _ in table.keys} if regions is None else regions):
        ka, kb = index.get((region, a)), index.get((region, b))
        if ka is None or kb is None:
            continue
        ca, cb = _changes(table, ka, catalogue), _changes(table, kb, catalogue)
        common = sorted(set(ca) & set(cb))
        if len(common) < 3:
            continue
        x = np.array([ca[y] for y in common])
        y = np.array([cb[y] for y in common])
        xs.append(x - x.mean())
        ys.append(y - y.mean())
        used += 1
    if not xs:
        return INDEPENDENT
    x, y = np.concatenate(xs), np.concatenate(ys)
    if len(x) < MIN_PAIRS or x.std() == 0 or y.std() == 0:
        return Dependence(0.0, len(x), used)
    return Dependence(float(np.clip(np.corrcoef(x, y)[0, 1], -0.99, 0.99)), len(x), used)


def path_scores(future: np.ndarray, start: np.ndarray) -> np.ndarray:
    """One number per path: its total change over the simulated years on a log scale (the
    sum of its shocks, for a random walk), with ties broken by position for determinism."""
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.log1p(np.maximum(future[:, -1], 0)) - np.log1p(np.maximum(start, 0))
    return np.nan_to_num(score)


def pair(lead: np.ndarray, follow: np.ndarray, rho: float,
         rng: np.random.Generator) -> np.ndarray:
    """The permutation of ``follow``'s rows that pairs them with ``lead``'s rows (kept in
    place) so that their scores have Gaussian-copula correlation ``rho``.

    ``lead`` and ``follow`` are one score per path. Returns indices into ``follow``."""
    n = len(lead)
    z1 = rng.standard_normal(n)
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    # the i-th lead path takes the copula draw whose first coordinate has the same rank
    rank_lead = rankdata(lead, method="ordinal") - 1
    order1 = np.argsort(z1, kind="stable")
    z2_for_lead = z2[order1][rank_lead]
    # it then takes the follow path whose rank matches the rank of its second coordinate
    want = rankdata(z2_for_lead, method="ordinal") - 1
    follow_sorted = np.argsort(follow, kind="stable")
    return follow_sorted[want]

