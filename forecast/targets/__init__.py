"""Targets read off simulated paths: every target is a predicate over a series' paths.

engine.py      the quantity a target compares, whether it is met, its statistics and rates
likelihood.py  the IPCC likelihood classes and their bounds (the one place that owns them)
achievable.py  the value a target would be met with 50/80/90% probability (suggestions.csv)
progress.py    how far a target has come since its base year (the review's observed side)
"""
