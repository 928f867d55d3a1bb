"""The exact likelihood of a stock's yearly changes, as one compiled loop with its gradient.

A stock's change k from last year's n is Poisson(mu) entries less Binomial(n, q) exits, so

    P(k) = sum over exits x = max(0, -k) ... n of Binomial(x | n, q) * Poisson(k + x | mu).

Written as PyTensor array operations, that sum ran over a rectangle as wide as the largest
stock of the panel, padded with impossible terms, and every operation of the sum and of its
gradient kept an array of that rectangle: 3 ms a gradient evaluation for 1,228 changes of
stocks up to 95, which made a stock fit the slowest of a run. Here it is one loop per change,
outward from the largest term, each term from its neighbour by one ratio, stopping where the
rest of the sum is below 1e-16 of it (the same sum to double precision), and computing the
log-likelihood and both derivatives at once:

    d log P / d log mu    = E[entries | k] - mu
    d log P / d logit q   = E[exits | k] - n q

(the expectations weighted by each term's share of the sum): 23 times faster than the array
form on that panel (``benchmarks/bench_stock_likelihood.py``).

``stock_loglik`` is a PyTensor Op with this loop as its implementation on every backend:
numba's (what nutpie samples, cached on disk with a key that changes with this file) and
Python's (``perform``, for the tests' compiled functions).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numba
import numpy as np
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.tensor import as_tensor_variable

SLOPE_LIMIT = 300.0  # |logit q + log mu| beyond this leaves one term of the sum that counts
TAIL = 1e-16  # the sum stops where what is left of it is below this share of it


@numba.njit(cache=True)
def _ratio(x, k, n, growth):  # pragma: no cover - numba
    """term(x + 1) / term(x): ((n - x) / (x + 1)) * (growth / (k + x + 1))."""
    return (n - x) * growth / ((x + 1.0) * (k + x + 1.0))


@numba.njit(cache=True)
def _mode(k, n, growth, lo, hi):  # pragma: no cover - numba
    """The exit count of the largest term: the first x whose ratio to the next is below 1
    (the ratios fall as x rises: the terms are log-concave in x). Starts from the root of
    (n - x) growth = (x + 1)(k + x + 1) and steps to the exact integer."""
    b = k + 2.0 + growth
    c = k + 1.0 - n * growth
    disc = b * b - 4.0 * c
    root = lo
    if disc >= 0.0:
        s = np.sqrt(disc)
        root = -2.0 * c / (b + s) if b > 0.0 else (s - b) / 2.0
    m = int(min(max(np.floor(root), lo), hi)) if np.isfinite(root) else lo
    while m < hi and _ratio(m, k, n, growth) >= 1.0:
        m += 1
    while m > lo and _ratio(m - 1, k, n, growth) < 1.0:
        m -= 1
    return m


@numba.njit(cache=True)
def stock_terms(log_mu, logit_q, change, previous, exact, log_factorial):  # pragma: no cover
    """Per change i: log P(change | previous), and its derivatives in log mu and logit q.

    The terms of the sum are log-concave in the number of exits x, so it is summed outward
    from the largest, each term from its neighbour by one ratio (no exponential or log-gamma
    per term), and stops where the rest of the sum, bounded by a geometric series, is below
    ``TAIL`` of it. ``log_factorial[j]`` is log j! for j up to the largest previous stock plus
    the largest rise. Rows with ``exact[i] == 0`` are left at zero (their likelihood is
    computed elsewhere)."""
    n_obs = change.shape[0]
    loglik = np.zeros(n_obs)
    d_log_mu = np.zeros(n_obs)
    d_logit_q = np.zeros(n_obs)
    for i in range(n_obs):
        if exact[i] <= 0.0:
            continue
        k, n = change[i], previous[i]
        lo, hi = int(max(0.0, -k)), int(n)
        # term(x) = C(n, x) / (k + x)! * exp(x slope), times a factor free of x
        slope = logit_q[i] + log_mu[i]
        growth = np.exp(min(max(slope, -SLOPE_LIMIT), SLOPE_LIMIT))
        m = _mode(k, n, growth, lo, hi)
        total, exits = 1.0, float(m)  # term(m) = 1; exits: sum of x term(x)
        weight, x = 1.0, m
        while x < hi:
            r = _ratio(x, k, n, growth)
            weight *= r
            x += 1
            total += weight
            exits += weight * x
            if r < 1.0 and weight * r < TAIL * total * (1.0 - r):
                break
        weight, x = 1.0, m
        while x > lo:
            r = 1.0 / _ratio(x - 1, k, n, growth)
            weight *= r
            x -= 1
            total += weight
            exits += weight * x
            if r < 1.0 and weight * r < TAIL * total * (1.0 - r):
                break
        mean_exits = exits / total
        j = int(n)
        log_term = (log_factorial[j] - log_factorial[m] - log_factorial[j - m]
                    - log_factorial[int(k) + m] + m * slope)
        mu = np.exp(log_mu[i])
        q = 1.0 / (1.0 + np.exp(-logit_q[i]))
        log_stay = -np.logaddexp(0.0, logit_q[i])  # log(1 - q)
        loglik[i] = log_term + np.log(total) + n * log_stay + k * log_mu[i] - mu
        d_log_mu[i] = k + mean_exits - mu
        d_logit_q[i] = mean_exits - n * q
    return loglik, d_log_mu, d_logit_q


@functools.cache
def _version() -> int:
    """A number that changes with this file: PyTensor's numba cache keys the compiled graph by
    the Op's type and this number, so an edited loop is never loaded from an old cache."""
    return int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12], 16)


class StockLoglik(Op):
    """(log mu, logit q, change, previous, exact, log j!) -> (log-likelihood, its derivative in
    log mu, its derivative in logit q), one value per change. Only the first output is meant
    to be used; the other two are its gradient."""

    __props__ = ()

    def make_node(self, log_mu, logit_q, change, previous, exact, log_factorial):
        inputs = [as_tensor_variable(v).astype("float64")
                  for v in (log_mu, logit_q, change, previous, exact, log_factorial)]
        if any(v.ndim != 1 for v in inputs):
            raise TypeError("StockLoglik takes six vectors")
        return Apply(self, inputs, [inputs[0].type() for _ in range(3)])

    def perform(self, node, inputs, outputs):
        for out, value in zip(outputs, stock_terms(*(np.asarray(v) for v in inputs)),
                              strict=True):
            out[0] = value

    def infer_shape(self, fgraph, node, input_shapes):
        return [input_shapes[2]] * 3

    def connection_pattern(self, node):
        return [[True, False, False], [True, False, False], *([[False] * 3] * 4)]

    def L_op(self, inputs, outputs, output_grads):
        if any(not isinstance(g.type, DisconnectedType) for g in output_grads[1:]):
            raise ValueError("StockLoglik has first derivatives only (its gradient outputs "
                             "cannot be differentiated again)")
        g = output_grads[0]
        return [g * outputs[1], g * outputs[2], *(DisconnectedType()() for _ in range(4))]


stock_loglik_op = StockLoglik()


def stock_loglik(log_mu, logit_q, change, previous, exact, log_factorial):
    """The log-likelihood of each stock change (a PyTensor vector, differentiable in
    ``log_mu`` and ``logit_q``)."""
    register_numba()
    return stock_loglik_op(log_mu, logit_q, change, previous, exact, log_factorial)[0]


@functools.cache
def register_numba() -> None:
    """Give PyTensor's numba backend the loop itself, cacheable under ``_version``."""
    from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

    @register_funcify_default_op_cache_key(StockLoglik)
    def numba_funcify_stock_loglik(op, node, **kwargs):
        return stock_terms, _version()
