"""The pooled model of one indicator over all regions, in PyMC.

On the model scale (log for amounts, logit for shares) every region's yearly change is

    change[r, t] = drift[r] + persistence * (change[r, t-1] - drift[r])
                   + year_shock * u[t] + sigma[r] * e[r, t]
    u ~ Normal(0, 1),  e ~ Student-t(nu)

and the drifts are partially pooled down the tree of regions: a root's drift is drawn around a
common mean, every other region's around its parent's drift, with a spread per level of the
tree. Shock sizes are pooled too (log-normal across regions). ``u[t]`` is the shock every region
shares in year t (a national downturn, a statistical revision): without it, 30 provinces'
changes in one year would count as 30 independent pieces of evidence about the common trend,
and the model would be too sure of it (the provincial backtests showed exactly that). It is
switched on when at least three regions have changes. ``persistence`` is the optional
AR(1) of the yearly changes around the drift ("the drift may move slowly"); the backtests decide
whether it is used (``PooledSettings.persistence``).

The node dimension is padded to a bucket (a power of two) so one compiled model serves every
indicator of about the same size: padding nodes have no parent role and no data, and only their
standard-normal priors touch the sampler.

Counts are published as whole numbers: each change of a count carries the rounding error of
its two values (``Panel.noise``), added to the shock's scale in the likelihood. Paths are
simulated without it, because they are rounded again at the end.
"""

from __future__ import annotations

import numpy as np

from forecast.models.hierarchy.samplers import bucket, year_bucket
from forecast.models.hierarchy.tree import MAX_DEPTH, pooled_growth, tree_data, year_data
from forecast.models.pooled.panel import Panel

MODEL_VERSION = "pooled-rw-drift-4"  # bump when the model or its fitting change: cached fits refit


def model_data(panel: Panel, n_pad: int, y_pad: int) -> dict[str, np.ndarray]:
    """The arrays the compiled model reads, padded to ``n_pad`` nodes (years are indices into
    the padded year dimension, whose unused entries only meet their prior)."""
    return {
        **tree_data(panel.parent, panel.depth, n_pad),
        "change": panel.change.astype(float),
        "node_of": panel.node_of.astype(np.int64),
        "previous": panel.previous.astype(float),
        "has_previous": panel.has_previous.astype(float),
        "year_of": panel.year_of.astype(np.int64),
        "noise": panel.noise.astype(float),
        **year_data(panel.year_of, y_pad, panel.regions_with_changes),
    }


def build_model(panel: Panel, persistence: bool, n_pad: int | None = None,
                y_pad: int | None = None):
    """The PyMC model of ``panel`` (node dimension padded to ``n_pad``, years to ``y_pad``)."""
    import pymc as pm
    import pytensor.tensor as pt

    n_pad = n_pad or bucket(panel.n_nodes)
    y_pad = y_pad or year_bucket(panel.n_years)
    data = model_data(panel, n_pad, y_pad)
    coords = {"node": np.arange(n_pad), "level": np.arange(MAX_DEPTH), "year": np.arange(y_pad)}
    with pm.Model(coords=coords) as model:
        shared = {name: pm.Data(name, value) for name, value in data.items()}

        # Shocks common to all regions in a year are of the size of a region's own (a few %):
        # half-normal 0.05 as for the drift spread; the drifts and their priors as the count
        # model's (``tree.pooled_growth``).
        year_shock, year_z, drift = pooled_growth(shared, 0.05)

        # Yearly shocks of a few % (the bundled provinces' median detrended sd is 0.05); a
        # normal on the log with sd 1 allows a factor of e^2 either way.
        shock_mean = pm.Normal("shock_scale_mean", np.log(0.05), 1.0)
        # Regions' shock sizes differ by a factor of two or three, rarely more.
        shock_spread = pm.HalfNormal("shock_scale_spread", 0.5)
        shock_z = pm.Normal("shock_z", 0.0, 1.0, dims="node")
        sigma = pm.Deterministic("sigma", pt.exp(shock_mean + shock_spread * shock_z),
                                 dims="node")
        # Juárez & Steel's (2010) Gamma(2, 0.1) on the degrees of freedom, shifted by 2 so the
        # shocks' variance is finite: heavy tails when the data show outliers, near-normal else.
        nu = pm.Deterministic("nu", 2.0 + pm.Gamma("nu_excess", 2.0, 0.1))

        node = shared["node_of"]
        centre = drift[node] + year_shock * year_z[shared["year_of"]]
        if persistence:
            # Growth above trend partly carries into the next year; stationary by construction.
            phi = pm.TruncatedNormal("persistence", 0.0, 0.4, lower=-0.95, upper=0.95)
            centre = centre + phi * (shared["previous"] - drift[node]) * shared["has_previous"]
        # A change of a small count is also off by its rounding: without that floor a county
        # whose count stays at 2 would pull its shock size to zero (a funnel NUTS cannot cross).
        scale = pt.sqrt(sigma[node] ** 2 + shared["noise"] ** 2)
        pm.Potential("likelihood", pm.logp(pm.StudentT.dist(nu=nu, mu=centre, sigma=scale),
                                           shared["change"]).sum())
    return model
