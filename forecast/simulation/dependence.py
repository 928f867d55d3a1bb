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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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


def _changes(table: SeriesTable, k: int, catalogue: Catalogue) -> tuple[np.ndarray, np.ndarray]:
    """The years and changes on the model scale from the year before (consecutive years)."""
    years, values = table.series(k)
    indicator = catalogue[table.keys[k][1]]
    z = transform_for(indicator, values).continuous().forward(values)
    ok = np.diff(years) == 1
    return years[1:][ok], np.diff(z)[ok]


def _centred(m: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Each row of ``m`` less its mean over the places ``mask`` holds (0 elsewhere)."""
    n = np.maximum(mask.sum(axis=1), 1)
    filled = np.where(mask, m, 0.0)
    return np.where(mask, filled - (filled.sum(axis=1) / n)[:, None], 0.0)


class YearlyChanges:
    """Every series' yearly changes on its model scale, as one matrix per indicator (regions
    in sorted order x years, NaN where a year or the one before it is missing), made when an
    indicator is first asked for. At national scale a run correlates hundreds of pairs of
    indicators over thousands of regions; with the changes laid out once, each pair is a few
    array operations."""

    def __init__(self, table: SeriesTable, catalogue: Catalogue) -> None:
        self.table, self.catalogue = table, catalogue
        self.regions = sorted({r for r, _ in table.keys})
        self.row = {r: i for i, r in enumerate(self.regions)}
        self.years = np.unique(table.years)
        self._by_indicator: dict[str, list[int]] = {}
        for k, (_, ind) in enumerate(table.keys):
            self._by_indicator.setdefault(ind, []).append(k)
        self._matrices: dict[str, np.ndarray] = {}

    def matrix(self, indicator: str) -> np.ndarray:
        if indicator not in self._matrices:
            out = np.full((len(self.regions), len(self.years)), np.nan)
            for k in self._by_indicator.get(indicator, []):
                years, changes = _changes(self.table, k, self.catalogue)
                out[self.row[self.table.keys[k][0]], np.searchsorted(self.years, years)] = \
                    changes
            self._matrices[indicator] = out
        return self._matrices[indicator]

    def correlation(self, a: str, b: str, regions: set[str] | None = None) -> Dependence:
        """Pooled within-region correlation of the annual changes of ``a`` and ``b``.

        Each region's changes (over the years both have, at least 3) are centred on that
        region's own means, so regions growing fast in both are not read as correlation;
        then all regions' pairs are pooled: one correlation for the workspace, which a
        region with two or three points could not estimate alone."""
        x_all, y_all = self.matrix(a), self.matrix(b)
        both = ~np.isnan(x_all) & ~np.isnan(y_all)
        if regions is not None:
            both &= np.isin(np.array(self.regions, dtype=object), list(regions))[:, None]
        counts = both.sum(axis=1)
        both &= (counts >= 3)[:, None]
        used = int((counts >= 3).sum())
        if not used:
            return INDEPENDENT
        x, y = (_centred(m, both)[both] for m in (x_all, y_all))
        if len(x) < MIN_PAIRS or x.std() == 0 or y.std() == 0:
            return Dependence(0.0, len(x), used)
        return Dependence(float(np.clip(np.corrcoef(x, y)[0, 1], -0.99, 0.99)), len(x), used)

    def common_shock(self, indicators: list[str], regions: set[str]) -> Dependence:
        """How much the annual changes of ``regions`` move together in the same year: their
        exchangeable correlation, pooled over ``indicators`` and years. Each series (of at
        least 3 changes) is centred on its own mean and scaled by its own spread, so a region
        growing fast is not read as a shock; the share of a year's change that all regions
        share (a national downturn, a census revision) is then the moment estimator
        sum_t [(sum_i z_it)^2 - sum_i z_it^2] / sum_t (m_t - 1) sum_i z_it^2 over the years
        with m_t >= 2 regions. A negative estimate is read as none."""
        rows = np.isin(np.array(self.regions, dtype=object), list(regions))
        num = den = 0.0
        pairs = 0
        used = np.zeros(int(rows.sum()), dtype=bool)
        for ind in indicators:
            m = self.matrix(ind)[rows]
            ok = ~np.isnan(m) & (np.sum(~np.isnan(m), axis=1) >= 3)[:, None]
            centred = _centred(m, ok)
            spread = np.sqrt((centred**2).sum(axis=1) / np.maximum(ok.sum(axis=1) - 1, 1))
            z = centred / np.where(spread > 0, spread, 1.0)[:, None]
            present = ok.sum(axis=0)
            years = present >= 2
            total, squares = z.sum(axis=0), (z**2).sum(axis=0)
            num += float((total**2 - squares)[years].sum())
            den += float(((present - 1) * squares)[years].sum())
            pairs += int((present * (present - 1) // 2)[years].sum())
            used |= ok.any(axis=1)
        if pairs < MIN_PAIRS or den <= 0:
            return Dependence(0.0, pairs, int(used.sum()))
        return Dependence(float(np.clip(num / den, 0.0, 0.99)), pairs, int(used.sum()))


def exchangeable(rho: float, k: int) -> np.ndarray:
    """The k x k correlation matrix with ``rho`` off the diagonal: k regions sharing a common
    year shock."""
    return np.full((k, k), rho) + (1 - rho) * np.eye(k)


def growth_correlation(table: SeriesTable, a: str, b: str, catalogue: Catalogue,
                       regions: set[str] | None = None) -> Dependence:
    """``YearlyChanges(table, catalogue).correlation(a, b, regions)``, for one pair."""
    return YearlyChanges(table, catalogue).correlation(a, b, regions)


@dataclass(frozen=True)
class JointDependence:
    """The correlations of several indicators' annual changes: each pair's (``growth_
    correlation``), made a valid correlation matrix where the pairs, estimated on different
    regions and years, do not form one."""

    indicators: tuple[str, ...]
    matrix: np.ndarray
    pairs: dict[tuple[str, str], Dependence]


def correlation_matrix(indicators: list[str],
                       dependence: Callable[[str, str], Dependence]) -> JointDependence:
    """The correlation matrix of ``indicators``' annual changes from each pair's
    ``dependence`` (``growth_correlation``: pooled within regions; 0 where it rests on too
    little history). Pairs measured on different regions and years need not be jointly
    consistent; a near positive-definite correlation matrix (``consistent``) then stands in."""
    names = tuple(indicators)
    k = len(names)
    matrix, pairs = np.eye(k), {}
    for i in range(k):
        for j in range(i + 1, k):
            dep = dependence(names[i], names[j])
            pairs[(names[i], names[j])] = dep
            matrix[i, j] = matrix[j, i] = dep.rho
    return JointDependence(names, consistent(matrix), pairs)


def consistent(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` itself where it is a (positive-definite) correlation matrix; else a near one:
    its eigenvalues below 1e-6 raised to it and the diagonal rescaled to ones (statsmodels'
    ``corr_clipped``: one eigendecomposition, where Higham's nearest matrix iterates)."""
    from statsmodels.stats.correlation_tools import corr_clipped

    if np.linalg.eigvalsh(matrix).min() > 1e-8:
        return matrix
    near = corr_clipped(matrix, threshold=1e-6)
    near = (near + near.T) / 2
    np.fill_diagonal(near, 1.0)
    return near


def path_scores(future: np.ndarray, start: np.ndarray) -> np.ndarray:
    """One number per path: its total change over the simulated years on a log scale (the
    sum of its shocks, for a random walk), with ties broken by position for determinism."""
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.log1p(np.maximum(future[:, -1], 0)) - np.log1p(np.maximum(start, 0))
    return np.nan_to_num(score)


def _ranks(x: np.ndarray) -> np.ndarray:
    """0-based ranks, ties by position (``scipy.stats.rankdata(x, "ordinal") - 1``, without
    its checks: this runs for every series of every region)."""
    ranks = np.empty(len(x), dtype=np.intp)
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    return ranks


def cholesky_rows(corr: np.ndarray) -> np.ndarray:
    """The lower Cholesky factor of a correlation matrix, row by row in plain arithmetic (so
    two series give exactly ``[[1, 0], [rho, sqrt(1 - rho**2)]]``, the pairs' own formula).
    Each entry's sum of products is added left to right (``np.add.accumulate``, as a Python
    ``sum`` would, to the bit), in one array operation: a plan of hundreds of regions stays
    a fraction of a second."""
    k = len(corr)
    factor = np.zeros((k, k))
    for j in range(k):
        for i in range(j + 1):
            partial = float(np.add.accumulate(factor[j, :i] * factor[i, :i])[-1]) if i else 0.0
            if i == j:
                factor[j, j] = np.sqrt(max(corr[j, j] - partial, 0.0))
            else:
                factor[j, i] = (corr[j, i] - partial) / factor[i, i] if factor[i, i] else 0.0
    return factor


def joint_order(scores: list[np.ndarray], corr: np.ndarray,
                rng: np.random.Generator) -> list[np.ndarray]:
    """The permutations of each series' paths that make their scores follow a Gaussian
    copula with correlation matrix ``corr`` (Iman–Conover); the first series keeps its order.

    ``scores`` holds one score per path for each series (``path_scores``). Returns, per
    series, indices into its paths (the first is ``arange``). Only rows are permuted, so no
    series' own distribution changes."""
    n, k = len(scores[0]), len(scores)
    factor = cholesky_rows(np.asarray(corr, dtype=float))
    shocks = [rng.standard_normal(n) for _ in range(k)]
    copula = []
    for j in range(k):
        z = factor[j, 0] * shocks[0]
        for i in range(1, j + 1):
            z = z + factor[j, i] * shocks[i]
        copula.append(z)
    # the i-th lead path takes the copula draw whose first coordinate has the same rank
    rank_lead = _ranks(scores[0])
    rows = np.argsort(copula[0], kind="stable")[rank_lead]
    orders = [np.arange(n)]
    for j in range(1, k):
        # each other series' path whose rank matches its coordinate's rank in that draw
        want = _ranks(copula[j][rows])
        orders.append(np.argsort(scores[j], kind="stable")[want])
    return orders


def pair(lead: np.ndarray, follow: np.ndarray, rho: float,
         rng: np.random.Generator) -> np.ndarray:
    """The permutation of ``follow``'s rows that pairs them with ``lead``'s rows (kept in
    place) so that their scores have Gaussian-copula correlation ``rho``: ``joint_order`` of
    two series. ``lead`` and ``follow`` are one score per path; returns indices into
    ``follow``."""
    return joint_order([lead, follow], np.array([[1.0, rho], [rho, 1.0]]), rng)[1]
