"""How far to trust the probabilities: backtests that simulate past origins with the same
code as a run, their scores, and the calibration learned from them.

scoring.py   MASE, sMAPE, CRPS, coverage, PIT, Brier and its decomposition (pure functions)
origins.py   which origins are evaluated; a series cut at an origin (a run's request)
results.py   what a backtest gives back, scored, and its summary
single.py    single-series models, series by series
panel.py     the pooled models, by calendar-year origins over the tree of regions
backtest.py  run_backtest: either of the two, by model
corpus.py    the series a backtest reads from a file; the calibration corpus
learn.py     member weights and spread factors learned from backtests (`forecast calibrate`)
corp.py      CORP reliability and Brier decomposition, the randomised PIT (the `scores` library)
own_data.py  every run's check of its models on the workspace's own past years
"""
