"""What the hierarchical models (`bayes` and `counts`) share: the tree of regions, the NUTS
samplers with one compiled-model cache, their settings and the posterior cache on disk.

settings.py   PooledSettings: sampler, chains, draws, inference method (validated)
tree.py       ancestry, levels, leaves; drifts pooled down the tree
samplers.py   nutpie and PyMC NUTS through one compiled-model cache; convergence diagnostics
compiled.py   nutpie's compiled models kept on disk, so a new process loads them
cache.py      cached posteriors in models/posteriors/, keyed by their fit
"""
