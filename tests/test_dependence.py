"""Pairing the futures of related series (simulation.dependence): each series keeps its own
distribution, the pairs reach the target rank correlation, and the pooled correlation of annual
changes is recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.simulation.dependence import growth_correlation, pair


def normal_scores_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """The correlation of the normal scores of two samples (what ``pair`` aims at)."""
    from scipy.stats import norm, rankdata

    n = len(a)
    return float(np.corrcoef(norm.ppf((rankdata(a) - 0.5) / n),
                             norm.ppf((rankdata(b) - 0.5) / n))[0, 1])


def test_pairing_keeps_each_series_and_reaches_the_correlation():
    rng = np.random.default_rng(4)
    lead, follow = rng.gamma(2.0, size=20000), rng.normal(size=20000)
    for rho in (-0.5, 0.3, 0.8):
        order = pair(lead, follow, rho, np.random.default_rng(5))
        assert sorted(order) == list(range(20000))  # a permutation: the marginal is kept
        assert abs(normal_scores_correlation(lead, follow[order]) - rho) < 0.02


def test_the_pooled_correlation_of_annual_changes_is_recovered(catalogue):
    from forecast.inputs.series import series_table

    rng = np.random.default_rng(6)
    rows = []
    for k in range(40):  # 40 regions, 10 years, changes correlated 0.6 around own trends
        z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], 10) * 0.03
        rd = 100 * np.exp(np.cumsum(0.1 + z[:, 0]))
        gdp = 5000 * np.exp(np.cumsum(0.02 * k / 40 + z[:, 1]))
        for i, y in enumerate(range(2010, 2020)):
            rows += [(f"r{k}", "rd_expenditure", y, rd[i]), (f"r{k}", "gdp", y, gdp[i])]
    table = series_table(pd.DataFrame(rows, columns=["region", "indicator", "year", "value"]))
    dep = growth_correlation(table, "rd_expenditure", "gdp", catalogue)
    assert dep.pairs == 40 * 9 and dep.regions == 40
    assert abs(dep.rho - 0.6) < 0.1  # 360 pairs: se about 0.035
