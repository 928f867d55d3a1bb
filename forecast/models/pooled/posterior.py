"""A fitted pooled posterior, read back from its InferenceData: the NUTS draws of every
region, or the approximation's compact form (its ``method`` attribute says which)."""

from __future__ import annotations

from forecast.models.pooled.approx_draws import ApproxPosterior, posterior_from_idata
from forecast.models.pooled.draws import PooledPosterior, nuts_posterior


def from_idata(idata, diagnostics: dict) -> PooledPosterior | ApproxPosterior:
    """The posterior of a fit (fresh or read back from the cache: the same draws in the same
    order either way, (chain, draw) flattened in C order)."""
    if idata.posterior.attrs.get("method") == "approx":
        return posterior_from_idata(idata, diagnostics)
    return nuts_posterior(idata, diagnostics)
