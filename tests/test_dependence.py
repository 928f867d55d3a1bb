"""Pairing the futures of related series (simulation.dependence): each series keeps its own
distribution, the pairs (and any number of series together) reach the target rank
correlations, and the pooled correlations of annual changes are recovered."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from forecast.simulation.dependence import (
    cholesky_rows,
    consistent,
    correlation_matrix,
    growth_correlation,
    joint_order,
    pair,
)


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


KNOWN = np.array([[1.0, 0.6, 0.3, -0.2],
                  [0.6, 1.0, 0.5, 0.0],
                  [0.3, 0.5, 1.0, 0.4],
                  [-0.2, 0.0, 0.4, 1.0]])


def test_four_series_reach_a_known_correlation_matrix_and_keep_their_own_paths():
    """Iman–Conover with four series of different shapes: every pair of re-paired scores has
    the normal-score correlation of the matrix, and every series only had its rows permuted
    (the first not even that)."""
    rng = np.random.default_rng(7)
    n = 20000
    scores = [rng.gamma(2.0, size=n), rng.normal(size=n), rng.standard_t(3, size=n),
              rng.uniform(size=n)]
    orders = joint_order(scores, KNOWN, np.random.default_rng(8))
    assert np.array_equal(orders[0], np.arange(n))
    for order in orders:
        assert np.array_equal(np.sort(order), np.arange(n))
    paired = [s[o] for s, o in zip(scores, orders, strict=True)]
    for i in range(4):
        for j in range(i + 1, 4):
            assert abs(normal_scores_correlation(paired[i], paired[j]) - KNOWN[i, j]) < 0.03


def test_two_series_are_exactly_the_pair():
    """``pair`` is ``joint_order`` of two: the same permutation for the same stream, and the
    factor of two series is the pairs' closed form."""
    rng = np.random.default_rng(9)
    lead, follow = rng.normal(size=500), rng.gamma(3.0, size=500)
    rho = 0.37
    assert np.array_equal(pair(lead, follow, rho, np.random.default_rng(10)),
                          joint_order([lead, follow], np.array([[1, rho], [rho, 1]]),
                                      np.random.default_rng(10))[1])
    factor = cholesky_rows(np.array([[1.0, rho], [rho, 1.0]]))
    assert factor[1, 0] == rho and factor[1, 1] == np.sqrt(1 - rho**2) and factor[0, 1] == 0
    assert np.allclose(cholesky_rows(KNOWN) @ cholesky_rows(KNOWN).T, KNOWN, atol=1e-12)


def test_the_pooled_correlation_matrix_is_recovered_and_made_consistent(catalogue):
    from forecast.inputs.series import series_table

    rng = np.random.default_rng(11)
    names = ["rd_expenditure", "gdp", "tech_contract_turnover"]
    truth = KNOWN[:3, :3]
    rows = []
    for k in range(40):  # 40 regions, 12 years, changes correlated as ``truth``
        z = rng.multivariate_normal(np.zeros(3), truth, 12) * 0.04
        for m, name in enumerate(names):
            level = 100 * (m + 1) * np.exp(np.cumsum(0.05 + 0.02 * k / 40 + z[:, m]))
            rows += [(f"r{k}", name, 2010 + i, v) for i, v in enumerate(level)]
    table = series_table(pd.DataFrame(rows, columns=["region", "indicator", "year", "value"]))
    joint = correlation_matrix(names, lambda a, b: growth_correlation(table, a, b, catalogue))
    assert joint.indicators == tuple(names)
    assert np.abs(joint.matrix - truth).max() < 0.1  # 440 pairs each: se about 0.04
    assert joint.pairs[("rd_expenditure", "gdp")].pairs == 40 * 11


def test_pairs_no_one_matrix_can_hold_are_moved_to_a_near_one_that_can():
    """a ~ b and a ~ c strongly, but b ~ -c: no correlation matrix has these entries. The
    stand-in is a correlation matrix (unit diagonal, symmetric, positive definite), within 1%
    as near to the pairs as Higham's nearest correlation matrix (statsmodels, iterated long);
    a valid matrix is kept as it is."""
    import warnings

    from statsmodels.stats.correlation_tools import corr_nearest

    bad = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    fixed = consistent(bad)
    assert np.allclose(np.diag(fixed), 1.0) and np.allclose(fixed, fixed.T)
    assert np.linalg.eigvalsh(fixed).min() > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its stopping rule is strict; the answer has settled
        nearest = corr_nearest(bad, threshold=1e-9, n_fact=10000)
    assert np.linalg.norm(fixed - bad) <= 1.01 * np.linalg.norm(nearest - bad)
    assert consistent(KNOWN) is KNOWN


def test_the_laid_out_changes_give_the_pooled_correlation_of_each_region_loop(catalogue):
    """The vectorised correlation against the plain computation, region by region, on series
    with gaps, different spans, a region with too few common years and a subset of regions."""
    from forecast.inputs.series import series_table
    from forecast.simulation.dependence import YearlyChanges

    rng = np.random.default_rng(13)
    rows = []
    for k in range(12):
        years = [y for y in range(2008 + k % 3, 2021) if not (k % 4 == 1 and y == 2014)]
        for name in ("rd_expenditure", "gdp"):
            span = years if name == "gdp" or k != 5 else years[:3]  # r5: 2 common changes
            level = 100 * np.exp(np.cumsum(0.05 + 0.04 * rng.normal(size=len(span))))
            rows += [(f"r{k}", name, y, v) for y, v in zip(span, level, strict=True)]
    table = series_table(pd.DataFrame(rows, columns=["region", "indicator", "year", "value"]))

    def by_hand(regions):
        xs, ys = [], []
        for r in sorted(regions):
            pairs = []
            for ind in ("rd_expenditure", "gdp"):
                sub = sorted((y, np.log(v)) for reg, i, y, v in rows if reg == r and i == ind)
                pairs.append({y1: z1 - z0 for (y0, z0), (y1, z1) in pairwise(sub)
                              if y1 == y0 + 1})
            common = sorted(set(pairs[0]) & set(pairs[1]))
            if len(common) >= 3:
                x = np.array([pairs[0][y] for y in common])
                y = np.array([pairs[1][y] for y in common])
                xs.append(x - x.mean())
                ys.append(y - y.mean())
        return np.corrcoef(np.concatenate(xs), np.concatenate(ys))[0, 1], len(xs)

    changes = YearlyChanges(table, catalogue)
    for regions in (None, {"r0", "r1", "r2", "r5", "r7"}):
        rho, used = by_hand(regions or {f"r{k}" for k in range(12)})
        dep = changes.correlation("rd_expenditure", "gdp", regions)
        assert dep.rho == pytest.approx(rho, abs=1e-12) and dep.regions == used
    assert changes.correlation("rd_expenditure", "gdp", {"r5"}).regions == 0  # 2 in common


def test_ranks_are_scipys_ordinal_ranks():
    from scipy.stats import rankdata

    from forecast.simulation.dependence import _ranks

    x = np.random.default_rng(14).integers(0, 50, 3000).astype(float)  # many ties
    assert np.array_equal(_ranks(x), rankdata(x, method="ordinal") - 1)


@pytest.mark.parametrize("rho", [0.5, 0.0])
def test_the_common_year_shock_of_regions_is_recovered(catalogue, rho):
    """30 regions x 3 indicators x 31 years whose yearly log changes share a common year
    shock with intraclass correlation ``rho`` around each series' own trend and spread: the
    exchangeable correlation comes back (1,080 region-years per indicator: se about 0.06)."""
    from forecast.inputs.series import series_table
    from forecast.simulation.dependence import YearlyChanges

    rng = np.random.default_rng(7)
    rows = []
    for ind in ("rd_expenditure", "gdp", "tech_contract_turnover"):
        common = rng.standard_normal(31)
        for r in range(30):
            z = np.sqrt(rho) * common + np.sqrt(1 - rho) * rng.standard_normal(31)
            level = np.cumsum(0.02 + 0.005 * r + (0.02 + 0.002 * r) * z)
            rows += [(f"r{r}", ind, 1990 + i, 100 * np.exp(v)) for i, v in enumerate(level)]
    table = series_table(pd.DataFrame(rows, columns=["region", "indicator", "year", "value"]))
    shock = YearlyChanges(table, catalogue).common_shock(
        ["rd_expenditure", "gdp", "tech_contract_turnover"], {f"r{r}" for r in range(30)})
    assert shock.regions == 30 and shock.pairs == 3 * 30 * 435
    assert abs(shock.rho - rho) < 0.1


def test_a_common_shock_of_nearly_one_meets_every_regions_target_together():
    """Two regions, one target each, their futures first independent: lined up under a
    common shock of 0.99 the plan meets both about as often as the harder one alone; without
    a shock about as often as the product. Each target's own share is kept."""
    from forecast.assessment.outcomes import plan_outcomes
    from forecast.inputs.plans import Target
    from forecast.simulation.dependence import Dependence

    n = 20_000
    rng = np.random.default_rng(8)
    scores = {"a": rng.normal(size=n), "b": rng.normal(size=n)}
    met = {0: np.packbits(scores["a"] > -0.5), 1: np.packbits(scores["b"] > 0.3)}
    targets = [Target("p", f"t{r}", r, "gdp", "level", "x") for r in ("a", "b")]
    leads = {("p", r): s for r, s in scores.items()}
    p_a, p_b = np.mean(scores["a"] > -0.5), np.mean(scores["b"] > 0.3)
    together = plan_outcomes(targets, met, ["baseline"], n, leads,
                             {"p": Dependence(0.99, 100, 2)}, seed=3).iloc[0]
    apart = plan_outcomes(targets, met, ["baseline"], n, leads, {}, seed=3).iloc[0]
    assert together["expected_met"] == pytest.approx(p_a + p_b, abs=1e-12)
    assert together["p_all_met"] == pytest.approx(min(p_a, p_b), abs=0.02)
    assert apart["p_all_met"] == pytest.approx(p_a * p_b, abs=0.01)
    assert together["common_shock"] == 0.99 and pd.isna(apart["common_shock"])
