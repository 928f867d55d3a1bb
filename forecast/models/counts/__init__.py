"""`counts`: small counts as counts. A negative-binomial flow, or a stock moved by whole
entries and exits, whose log entry rate is a random walk with drift pooled across regions.

panel.py      one indicator's counts over the tree of regions, as the model reads them
model.py      the PyMC model and its priors
stock_likelihood.py  a stock change's exact sum over exits, one compiled loop with its gradient
fit.py        NUTS (nutpie), tidy posterior, diagnostics, the cache key
posterior.py  posterior draws -> integer paths
"""
