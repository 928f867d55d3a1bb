"""`bayes`: a hierarchical Bayesian random walk with drift, pooled across regions (PyMC).

panel.py      one indicator's yearly changes over the tree of regions
model.py      the PyMC model and its priors
inference.py  NUTS (nutpie or PyMC), tidy posterior, diagnostics
posterior.py  posterior draws -> simulated paths; the NetCDF cache in models/
"""
