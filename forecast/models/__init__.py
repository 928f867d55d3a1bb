"""The models: fit a series (or every region's series of an indicator), simulate its future.

Single series share the verbs ``fit(z, transform).simulate(h, n, rng)``:

base.py          the protocol every single-series model follows
transforms.py    the model scale: logit for shares, log for amounts, counts and ratios
random_walk.py   naive, drift and linear (random walks with honest small-sample spread)
statespace.py    ets, llt, arima (statsmodels)
cagr.py          the SDG trackers' deterministic trend rule (a reference)
registry.py      the models by name, the fallbacks and the mixtures (trend, ensemble)

Indicators pooled over the tree of regions:

hierarchy/       what the hierarchical models share: tree, samplers, settings, cache
pooled/          `bayes`: the hierarchical random walk with drift
counts/          `counts`: small counts as Poisson or negative-binomial flows, or entry-exit stocks
choice.py        what `auto` fits for each indicator, and why
fitting.py       stage one of a run: the panels and their fits, through the cache
"""
