"""`bayes`: a hierarchical Bayesian random walk with drift, pooled across regions (PyMC).

panel.py         one indicator's yearly changes over the tree of regions
model.py         the PyMC model and its priors
inference.py     NUTS (nutpie or PyMC), tidy posterior, diagnostics, the fit's key
draws.py         NUTS posterior draws -> simulated paths (the one AR(1) path simulator)
approx.py        the fast approximation for large panels: NUTS on a sub-panel, then
conjugate.py     closed-form updates of every drift, and
approx_draws.py  the leaves' conditional draws when their paths are simulated
posterior.py     a fit read back (NUTS or approximation)
"""
