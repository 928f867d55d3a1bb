"""The count model of one indicator over all regions, in PyMC.

Each region r has a latent yearly entry rate whose log is a random walk with drift, as the
pooled model's changes are:

    log rate[r, 0] = log base[r] + level[r]
    log rate[r, t] = log rate[r, t-1] + drift[r] + move[r, t]
    move[r, t] = persistence * move[r, t-1] + year_shock * u[year t] + sigma * e[r, t]
    u, e ~ Normal(0, 1)

``u`` is the shock every region shares in a year (a policy push, a national downturn): it is
switched on when at least three regions have moves, as in the pooled model, so 30 provinces'
moves in one year do not count as 30 independent pieces of evidence about the trend.
``persistence`` lets a year above trend carry into the next; the backtests decide whether it
is used (``PooledSettings.persistence``).

A **flow** (events in a year) is observed directly: count[r, t] ~ Poisson(rate[r, t]) or
NegBinomial(rate[r, t], shape), whichever leave-one-out cross-validation prefers for the
indicator (``fit``). A **stock** (firms holding a certificate at the year's end) moves by whole
entries and exits: entries ~ Poisson(rate[r, t]), each unit of last year's stock leaves with
probability exit[r], and the net change is what is observed. (Entries of a stock are Poisson,
not negative-binomial: from net changes alone an over-dispersion of entries cannot be told from
more entries and more exits, and with both the sampler wandered along that ridge; the walk of
the rate still lets entries vary more than Poisson from year to year.) Its likelihood sums over the
number of exits (0 ... the stock) in one compiled loop with its gradient (``stock_likelihood``),
exact for the small stocks this model is for. A stock can fall (exits) and never goes below
zero (no more exits than units).

Drifts are pooled down the tree of regions exactly as in the pooled model (a root's around a
common mean, every other node's around its parent's, with a spread per level), so a county with
three points borrows its growth from its province and peers; the shape, the walk's step size
and the exit probabilities (exchangeable across regions, on the logit scale) are pooled too.
A region alone borrows from the priors only; those of the drift and of the walk's step are set
from the provincial count panels (see ``build_model``).

Node and state dimensions are padded to buckets (powers of two) so one compiled model serves
every indicator of about the same size; padding only meets its standard-normal prior.
"""

from __future__ import annotations

import numpy as np

from forecast.models.counts.panel import EXIT_GUESS, CountPanel
from forecast.models.hierarchy.samplers import bucket, year_bucket
from forecast.models.hierarchy.tree import MAX_DEPTH, pooled_growth, tree_data, year_data

MODEL_VERSION = "counts-nb-rw-5"  # bump when the model or its fitting change: cached fits refit
EXACT_MAX = 100  # stocks up to this size sum over every exit count; larger ones use the
#                  normal approximation of entries less exits (a difference of thousands of
#                  small events), which keeps the cost of a fit independent of the stock's size
SIGMA_SCALE = 0.1  # half-normal scale of the walk's step and of the shared year shocks: the
#                   provinces' count panels move by 0.06 (patents' entries) to 0.20 (recognitions,
#                   beside a shared year shock of 0.14) a year on the log scale, and a county alone
#                   learns little of its own from five counts (0.2 gave it futures twice as wide)
DISPERSION_SCALE = 0.5  # half-normal scale of 1/sqrt(shape), the negative binomial's
#                        over-dispersion: near 0 the counts are Poisson, at 1 the variance is
#                        mu + mu^2. Stan's prior choice recommendations give 1, with which five
#                        counts of a county alone believed in shapes near 2 and its futures were
#                        1.5 times as wide as the true process's; 0.5 (a shape of about 9 at
#                        the median, 1 at the 95th percentile) was learned with the family rule
#                        on simulated counties (BENCHMARKS.md, "A county alone")
MAX_LAG = 32  # the persistence of a move reaches this many years (0.9 ** 32 = 0.03): enough
#               for the longest bundled series, and one compiled model for every panel


def model_data(panel: CountPanel, n_pad: int, s_pad: int, y_pad: int | None = None,
               poisson: bool = False) -> dict[str, np.ndarray]:
    """The arrays the compiled model reads, nodes padded to ``n_pad``, states to ``s_pad``,
    years to ``y_pad``. ``poisson`` makes a flow's counts Poisson (else negative binomial).

    For a stock, ``exact`` marks the changes whose likelihood is the exact sum over exits
    (``stock_likelihood``): those of stocks up to ``EXACT_MAX``."""
    from scipy.special import gammaln

    y_pad = y_pad or year_bucket(panel.n_years)
    pad, s_extra = n_pad - panel.n_nodes, s_pad - panel.n_states
    values = panel.obs_value.astype(float)
    moves = np.r_[panel.state_step > 0, np.zeros(s_extra, bool)]
    step = np.r_[panel.state_step, np.zeros(s_extra, np.int64)]
    state_year = np.r_[panel.state_year, np.zeros(s_extra, np.int64)].astype(np.int64)
    # lag k of state t is state t - k of the same region, if that one moved too
    lags = np.arange(MAX_LAG)[:, None]
    lag_index = np.maximum(np.arange(s_pad)[None, :] - lags, 0)
    lag_mask = moves[None, :] & (step[None, :] - lags >= 1)
    return {
        **tree_data(panel.parent, panel.depth, n_pad),
        "log_base": np.log(np.r_[panel.base, np.ones(pad)]),
        "state_node": np.r_[panel.state_node, np.zeros(s_extra, np.int64)].astype(np.int64),
        "state_moves": moves.astype(float),
        "state_start": np.r_[panel.state_start,
                             np.arange(panel.n_states, s_pad)].astype(np.int64),
        "state_year": state_year,
        **year_data(state_year[moves], y_pad, panel.regions_with_moves),
        "lag_index": lag_index.astype(np.int64),
        "lag_mask": lag_mask.astype(float),
        "poisson": np.array(1.0 if poisson else 0.0),
        "obs_state": panel.obs_state.astype(np.int64),
        "obs_value": values,
        "obs_previous": panel.obs_previous.astype(float),
        # a flow's log k! per count; a stock's log j! for j = 0 ... its largest n + k
        "log_factorial": gammaln(values + 1) if panel.flow else stock_log_factorials(panel),
        "exact": (panel.obs_previous <= EXACT_MAX).astype(float),
        "largest": np.arange(int(values.max(initial=0)) + 1 if panel.flow else 1, dtype=float),
    }


def stock_log_factorials(panel: CountPanel) -> np.ndarray:
    """log j! for j = 0 ... the largest number of exits or entries the exact sum meets (a
    last-year stock plus its rise, over the changes summed exactly): the table the stock
    likelihood reads instead of a log-gamma per term."""
    from scipy.special import gammaln

    summed = panel.obs_previous <= EXACT_MAX
    largest = int((panel.obs_previous + np.maximum(panel.obs_value, 0))[summed].max()) \
        if summed.any() else 0
    return gammaln(np.arange(1.0, largest + 2.0))


def rising_log(shape, largest):
    """log Gamma(e + shape) - log Gamma(shape) for e = 0 ... len(largest) - 1, as a cumulative
    sum of logs: one log per possible count instead of a log-gamma per observation."""
    import pytensor.tensor as pt

    return pt.concatenate([pt.zeros(1), pt.cumsum(pt.log(shape + largest))])[:-1]


def build_model(panel: CountPanel, n_pad: int | None = None, s_pad: int | None = None,
                persistence: bool = True, y_pad: int | None = None):
    """The PyMC model of ``panel``: with ``persistence``, the AR(1) of the walk's moves."""
    import pymc as pm
    import pytensor.tensor as pt

    from forecast.models.counts.stock_likelihood import stock_loglik

    n_pad = n_pad or bucket(panel.n_nodes)
    s_pad = s_pad or bucket(panel.n_states)
    y_pad = y_pad or year_bucket(panel.n_years)
    data = model_data(panel, n_pad, s_pad, y_pad)
    coords = {"node": np.arange(n_pad), "level": np.arange(MAX_DEPTH),
              "state": np.arange(s_pad), "year": np.arange(y_pad)}
    with pm.Model(coords=coords) as model:
        shared = {name: pm.Data(name, value) for name, value in data.items()}
        node, moving = shared["state_node"], shared["state_moves"]

        # Shocks every region shares in a year, of the size of a region's own moves, and the
        # drifts pooled down the tree with the pooled model's priors (``tree.pooled_growth``).
        # A region alone has no peers to learn its growth from, so those priors are what bound
        # its futures: this model's first ones (growth within ±40% a year, siblings within
        # ~20%) gave the county of 5, 3, 6, 4, 5 a p90 of 18 five years on, which no planner
        # believes (BENCHMARKS.md, issue 32).
        year_shock, year_z, drift = pooled_growth(shared, SIGMA_SCALE)

        # Where a region's rate starts, against its own data's scale (``panel.starting_rate``).
        offset = pm.Normal("rate_offset", 0.0, 1.0, dims="node")
        # Year-to-year moves of a region's rate beyond its drift and the year's shared shock.
        sigma = pm.HalfNormal("sigma", SIGMA_SCALE)
        step = pm.Normal("step_z", 0.0, 1.0, dims="state")
        innovation = (year_shock * year_z[shared["state_year"]] + sigma * step) * moving
        if persistence:
            # A move partly carries into the next year; stationary by construction.
            phi = pm.TruncatedNormal("persistence", 0.0, 0.4, lower=-0.95, upper=0.95)
            powers = phi ** pt.arange(MAX_LAG, dtype="float64")
            move = (powers[:, None] * innovation[shared["lag_index"]]
                    * shared["lag_mask"]).sum(axis=0)
        else:
            move = innovation
        pm.Deterministic("move", move, dims="state")
        walked = pt.cumsum((drift[node] + move) * moving)
        log_rate = (shared["log_base"][node] + offset[node]
                    + walked - walked[shared["state_start"]])
        pm.Deterministic("log_rate", log_rate, dims="state")

        log_mu = log_rate[shared["obs_state"]]
        k = shared["obs_value"]
        if panel.flow:
            # Over-dispersion: 1/sqrt(shape) ~ half-normal(DISPERSION_SCALE), drawn as a
            # standard half-normal times the scale, so that a Poisson fit, where it meets only
            # its prior, samples the same whatever the scale.
            dispersion = pm.HalfNormal("dispersion_z", 1.0)
            inv_sqrt_shape = pm.Deterministic("inv_sqrt_shape", DISPERSION_SCALE * dispersion)
            shape = pm.Deterministic("shape", 1.0 / (inv_sqrt_shape ** 2 + 1e-6))
            log_total = pt.log(shape + pt.exp(log_mu))  # log(shape + mean)
            rising = rising_log(shape, shared["largest"])
            negative_binomial = (rising[pt.cast(k, "int64")] - shared["log_factorial"]
                                 + shape * (pt.log(shape) - log_total)
                                 + k * (log_mu - log_total))
            poisson = k * log_mu - pt.exp(log_mu) - shared["log_factorial"]
            pm.Potential("likelihood", pt.switch(shared["poisson"] > 0, poisson,
                                                 negative_binomial).sum())
        else:
            # Certified firms, platforms: a few % leave (lapse, merge, move) each year.
            exit_mean = pm.Normal("exit_logit_mean", np.log(EXIT_GUESS / (1 - EXIT_GUESS)),
                                  1.0)
            exit_spread = pm.HalfNormal("exit_logit_spread", 0.5)
            exit_z = pm.Normal("exit_z", 0.0, 1.0, dims="node")
            logit_exit = exit_mean + exit_spread * exit_z
            pm.Deterministic("exit", pm.math.sigmoid(logit_exit), dims="node")
            logit_q = logit_exit[shared["state_node"][shared["obs_state"]]]
            exact = stock_loglik(log_mu, logit_q, k, shared["obs_previous"],
                                 shared["exact"], shared["log_factorial"])
            # larger stocks: entries less exits ~ Normal(mu - n q, mu + n q (1 - q))
            q, mu = pm.math.sigmoid(logit_q), pt.exp(log_mu)
            n1 = shared["obs_previous"]
            var = mu + n1 * q * (1 - q)
            normal = -0.5 * (pt.log(2 * np.pi * var) + (k - mu + n1 * q) ** 2 / var)
            pm.Potential("likelihood", pt.where(shared["exact"] > 0, exact, normal).sum())
    return model
