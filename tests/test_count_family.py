"""Poisson or negative binomial by leave-one-out: PSIS-LOO against exact leave-one-out in a
conjugate model, the one-standard-error rule, and the choice on data with a known family."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.models.counts.family import (
    NB_MARGIN_SE,
    NEGATIVE_BINOMIAL,
    POISSON,
    choose_family,
    elpd_loo,
    pointwise_loglik,
)
from forecast.models.counts.fit import sample_counts
from forecast.models.counts.panel import build_count_panel
from forecast.models.hierarchy.settings import PooledSettings

QUICK = PooledSettings(chains=2, draws=400, tune=400, retries=0)


def test_psis_loo_matches_exact_leave_one_out_in_the_poisson_gamma_model():
    """Counts ~ Poisson(lam), lam ~ Gamma(a, b): the posterior is Gamma(a + sum, b + n) and
    the exact leave-one-out predictive of each count is negative binomial. PSIS-LOO from
    posterior draws recovers it."""
    rng = np.random.default_rng(5)
    counts = rng.poisson(4.0, size=12)
    a, b = 2.0, 0.5
    lam = rng.gamma(a + counts.sum(), 1 / (b + len(counts)), size=(4, 4000))
    loglik = pointwise_loglik(np.log(lam)[..., None] + np.zeros(len(counts)), None, counts)
    elpd, k_max = elpd_loo(loglik)
    rest_a, rest_b = a + counts.sum() - counts, b + len(counts) - 1
    exact = stats.nbinom.logpmf(counts, rest_a, rest_b / (rest_b + 1))
    assert np.allclose(elpd, exact, atol=0.01)
    assert k_max < 0.5


def test_the_negative_binomial_loglik_is_scipys():
    log_mu, shape, counts = np.full((1, 2, 3), np.log(3.0)), np.full((1, 2), 2.0), np.arange(3)
    expected = stats.nbinom.logpmf(counts, 2.0, 2.0 / 5.0)
    assert np.allclose(pointwise_loglik(log_mu, shape, counts), expected)


def test_the_negative_binomial_is_kept_wherever_it_predicts_better():
    """Equal pointwise fits: Poisson (a tie keeps the simpler family). Better by far more
    than its SE, or by less than one SE: negative binomial (NB_MARGIN_SE = 0). Worse:
    Poisson."""
    rng = np.random.default_rng(1)
    base = rng.normal(-2.0, 0.1, size=(2, 500, 30))
    assert NB_MARGIN_SE == 0.0
    assert choose_family(base, base).family == POISSON
    assert choose_family(base, base + 0.5).family == NEGATIVE_BINOMIAL
    noisy = base + np.where(np.arange(30) % 2 == 0, 0.3, -0.28)
    choice = choose_family(base, noisy)
    assert 0 < choice.elpd_negative_binomial - choice.elpd_poisson < choice.se_difference
    assert choice.family == NEGATIVE_BINOMIAL
    assert choose_family(noisy, base).family == POISSON


def test_loo_picks_the_family_that_made_the_data():
    """Twenty regions, eight years each, at a steady rate of 15: counts Poisson for one
    indicator, negative binomial of shape 1.5 (variance 15 + 150) for the other."""
    rng = np.random.default_rng(8)
    regions = [f"r{k}" for k in range(20)]
    parents = dict.fromkeys(regions, "P")
    poisson = {r: rng.poisson(15.0, 8) for r in regions}
    wide = {r: rng.negative_binomial(1.5, 1.5 / 16.5, 8) for r in regions}
    for series, family in ((poisson, POISSON), (wide, NEGATIVE_BINOMIAL)):
        idata = sample_counts(build_count_panel("x", series, parents, True), QUICK, 3)
        assert idata.posterior.attrs["family"] == family
        assert ("shape" in idata.posterior) == (family == NEGATIVE_BINOMIAL)


@pytest.mark.parametrize("flow", [True, False])
def test_a_stock_has_no_family_to_choose(flow):
    series = {"a": np.array([3, 4, 6, 7])}
    idata = sample_counts(build_count_panel("x", series, {}, flow), QUICK, 2)
    assert idata.posterior.attrs["family"] == (POISSON if flow else "stock")
