"""Poisson or negative binomial: which count family a flow indicator's data support.

A flow's yearly counts are Poisson at the region's rate, or negative binomial when they vary
more than that. The walk of the rate already lets counts vary from year to year, so the extra
over-dispersion parameter is often not needed, and on nearly-Poisson data its funnel (shape
towards infinity) gives the sampler divergences. Both fits are run and compared by their
expected log predictive density under leave-one-out cross-validation (PSIS-LOO, Vehtari,
Gelman & Gabry 2017), each count's own latent rate integrated out of its left-out likelihood
(``integrated_loglik``): with a rate per count, plain PSIS-LOO lets each count keep the rate
fitted to it, prefers Poisson on negative-binomial data and has Pareto k above 1. The negative
binomial is kept wherever it predicts better (``NB_MARGIN_SE``); an exact tie keeps Poisson.
A margin of one standard error of the difference, the first rule, kept Poisson for too many
counties whose counts did scatter more, and their intervals were too narrow (decided on a
learning set of simulated counties, BENCHMARKS.md, "A county alone").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

POISSON, NEGATIVE_BINOMIAL = "poisson", "negative-binomial"
NB_MARGIN_SE = 0.0  # the negative binomial is kept where its elpd_loo beats Poisson's by more
#                     than this many standard errors of the difference: 1 before issue 32's
#                     learning set, where 0 with the over-dispersion prior of
#                     ``model.DISPERSION_SCALE`` took 80% coverage from 0.762 to 0.798


@dataclass(frozen=True)
class FamilyChoice:
    """The family kept, and the evidence: each family's elpd_loo, and the difference's SE."""

    family: str
    elpd_poisson: float
    elpd_negative_binomial: float
    se_difference: float
    pareto_k_max: float

    def as_dict(self) -> dict:
        return {"family": self.family, "elpd_poisson": round(self.elpd_poisson, 3),
                "elpd_negative_binomial": round(self.elpd_negative_binomial, 3),
                "se_difference": round(self.se_difference, 3),
                "pareto_k_max": round(self.pareto_k_max, 3)}


def pointwise_loglik(log_mu: np.ndarray, shape: np.ndarray | None, counts: np.ndarray
                     ) -> np.ndarray:
    """log p(count | draw), (chain, draw, observation): Poisson without ``shape``, else
    negative binomial of mean exp(log_mu) and ``shape`` (chain, draw)."""
    from scipy import stats

    mu = np.exp(log_mu)
    if shape is None:
        return stats.poisson.logpmf(counts, mu)
    size = np.asarray(shape)[..., *([None] * (np.ndim(log_mu) - np.ndim(shape)))]
    return stats.nbinom.logpmf(counts, size, size / (size + mu))


def bridge(log_rate: np.ndarray, drift: np.ndarray, step_var: np.ndarray,
           before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each observed state's log rate given its neighbours in the walk,
    per draw: between two neighbours their midpoint with half the step variance; at an end,
    one step of drift from the one neighbour (``before``/``after``: the neighbouring state's
    index, -1 for none; a state with neither keeps its own rate, variance 0).

    ``log_rate`` is (draw, state), ``drift`` (draw, observation), ``step_var`` (draw,)."""
    has_before, has_after = before >= 0, after >= 0
    x_before, x_after = log_rate[:, before], log_rate[:, after]
    v = step_var[:, None] * np.ones(len(before))
    mean = np.where(has_before & has_after, (x_before + x_after) / 2,
                    np.where(has_before, x_before + drift,
                             np.where(has_after, x_after - drift, np.nan)))
    var = np.where(has_before & has_after, v / 2, np.where(has_before | has_after, v, 0.0))
    return mean, var


def integrated_loglik(mean: np.ndarray, var: np.ndarray, shape: np.ndarray | None,
                      counts: np.ndarray, nodes: int = 24) -> np.ndarray:
    """log of the count's probability with its own log rate integrated out over a normal of
    ``mean`` and ``var`` (Gauss-Hermite quadrature): what leave-one-out needs of a model with
    a latent rate per observation (Vehtari et al. 2016), whose own rate would otherwise
    explain each count perfectly and make plain PSIS-LOO unreliable."""
    from scipy.special import logsumexp

    x, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight exp(-x^2/2)
    log_w = np.log(w / np.sqrt(2 * np.pi))
    log_mu = mean[..., None] + np.sqrt(var)[..., None] * x
    size = None if shape is None else np.asarray(shape)[:, None, None]
    ll = pointwise_loglik(log_mu, size, counts[:, None])
    return logsumexp(ll + log_w, axis=-1)


def elpd_loo(loglik: np.ndarray) -> tuple[np.ndarray, float]:
    """Pointwise PSIS-LOO elpd of a (chain, draw, observation) log likelihood, and the
    largest Pareto k (above 0.7 the estimate of that point is unreliable)."""
    import arviz as az
    from scipy.special import logsumexp

    flat = loglik.reshape(-1, loglik.shape[-1])  # (draws, observations)
    log_weights, pareto_k = az.psislw(-flat.T)  # smoothed importance weights, normalised
    elpd = logsumexp(log_weights + flat.T, axis=1)
    return np.asarray(elpd, float), float(np.max(pareto_k, initial=0.0))


def choose_family(poisson_loglik: np.ndarray, nb_loglik: np.ndarray) -> FamilyChoice:
    """Negative binomial where its elpd_loo beats Poisson's by more than ``NB_MARGIN_SE``
    standard errors of the difference; Poisson otherwise."""
    p, k_p = elpd_loo(poisson_loglik)
    nb, k_nb = elpd_loo(nb_loglik)
    diff = nb - p
    se = float(np.sqrt(len(diff) * np.var(diff))) if len(diff) > 1 else 0.0
    family = NEGATIVE_BINOMIAL if diff.sum() > NB_MARGIN_SE * se else POISSON
    return FamilyChoice(family, float(p.sum()), float(nb.sum()), se, max(k_p, k_nb))
