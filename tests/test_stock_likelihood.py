"""The stock likelihood's loop against SciPy: each change is Poisson entries less Binomial
exits, summed over every exit count; its derivatives against the exact sum's weights and
against finite differences through PyTensor's gradient of the Op."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import expit, gammaln, logsumexp

from forecast.models.counts.stock_likelihood import stock_loglik, stock_terms


def by_scipy(k: int, n: int, log_mu: float, logit_q: float) -> tuple[float, float, float]:
    """log P(k), and its derivatives, from SciPy's pmfs over every exit count."""
    mu, q = np.exp(log_mu), expit(logit_q)
    x = np.arange(max(0, -k), n + 1)
    terms = stats.binom.logpmf(x, n, q) + stats.poisson.logpmf(k + x, mu)
    loglik = logsumexp(terms)
    weights = np.exp(terms - loglik)
    mean_exits = float(weights @ x)
    return float(loglik), k + mean_exits - mu, mean_exits - n * q


def table(n_max: int) -> np.ndarray:
    return gammaln(np.arange(1.0, n_max + 2.0))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 100), share=st.floats(0, 1), rise=st.integers(0, 80),
       log_mu=st.floats(-6, 6), logit_q=st.floats(-9, 5))
def test_the_loop_is_the_sum_over_every_exit_count(n, share, rise, log_mu, logit_q):
    """Any stock up to the exact range, any fall (down to every unit leaving) or rise, rates
    from 0.0025 to 400 and exit shares from 0.01% to 99%: same value and derivatives."""
    k = rise if share > 0.5 else -round(share * 2 * n)
    expected = by_scipy(k, n, log_mu, logit_q)
    got = stock_terms(np.array([log_mu]), np.array([logit_q]), np.array([float(k)]),
                      np.array([float(n)]), np.ones(1), table(n + max(k, 0)))
    got = tuple(float(v[0]) for v in got)
    assert got[0] == pytest.approx(expected[0], rel=1e-10, abs=1e-10)
    assert got[1] == pytest.approx(expected[1], rel=1e-8, abs=1e-8)
    assert got[2] == pytest.approx(expected[2], rel=1e-8, abs=1e-8)


def test_boundaries_and_rows_left_to_the_normal_approximation():
    """No stock (only entries: Poisson), every unit leaving (q^n e^-mu), a rate so large that
    one term holds the sum, and a row not summed here (left at zero)."""
    k = np.array([3.0, -4.0, 2.0, 5.0])
    n = np.array([0.0, 4.0, 3.0, 500.0])
    log_mu = np.array([0.5, -1.0, 400.0, 0.0])
    logit_q = np.array([-2.0, 0.3, -2.0, -2.0])
    loglik, d_mu, d_q = stock_terms(log_mu, logit_q, k, n, np.array([1.0, 1, 1, 0]),
                                    table(8))
    assert loglik[0] == pytest.approx(stats.poisson.logpmf(3, np.exp(0.5)), rel=1e-12)
    assert loglik[1] == pytest.approx(4 * np.log(expit(0.3)) - np.exp(-1.0), rel=1e-12)
    assert np.isfinite([loglik[2], d_mu[2], d_q[2]]).all()
    assert d_mu[2] == pytest.approx(2 + 3 - np.exp(400.0), rel=1e-12)  # all 3 exit, 5 enter
    assert (loglik[3], d_mu[3], d_q[3]) == (0.0, 0.0, 0.0)


def test_pytensor_differentiates_the_op_as_finite_differences_do():
    """The Op's gradient in a graph (as PyMC builds it) against central differences."""
    k = np.array([2.0, -3.0, 0.0, 7.0])
    n = np.array([10.0, 30.0, 95.0, 4.0])
    lm, lq = pt.dvector("lm"), pt.dvector("lq")
    total = stock_loglik(lm, lq, k, n, np.ones(4), table(95)).sum()
    fn = pytensor.function([lm, lq], [total, *pytensor.grad(total, [lm, lq])])
    at_mu, at_q = np.array([0.3, 1.2, -0.5, 2.0]), np.array([-3.0, -1.0, -4.0, 0.5])
    _, g_mu, g_q = fn(at_mu, at_q)
    h = 1e-6
    for i in range(4):
        step = np.eye(4)[i] * h
        assert g_mu[i] == pytest.approx(
            (fn(at_mu + step, at_q)[0] - fn(at_mu - step, at_q)[0]) / (2 * h), rel=1e-6)
        assert g_q[i] == pytest.approx(
            (fn(at_mu, at_q + step)[0] - fn(at_mu, at_q - step)[0]) / (2 * h), rel=1e-6)
