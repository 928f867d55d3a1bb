"""assess(inputs, settings) -> every target's probability, achievable values and progress;
and the mid-term review. No files, no printing, no clock.

settings.py   Settings: everything a run's results depend on besides its inputs
layout.py     the run laid out: series requests, what cannot be simulated, region units
rows.py       one row of probabilities.csv, and a series' diagnostics
region.py     one unit of work: a region simulated once, reduced under every scenario
run.py        assess(): stage one (pooled fits), the map over regions, rows in plan order
review.py     review.csv: progress, probability now and at the base year, status
"""
