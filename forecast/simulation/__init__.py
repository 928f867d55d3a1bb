"""From fitted models to simulated futures, and what is done to them before targets are read.

paths.py        Paths: a series' observed and simulated years as one matrix
simulate.py     the one function that simulates a series (runs and every backtest)
calibration.py  member weights and spread factors learned from backtests, applied to paths
adjust.py       scenario arithmetic on the simulated years
derived.py      indicators that are arithmetic of others (R&D intensity)
dependence.py   series paired so their shocks correlate as in history
"""
