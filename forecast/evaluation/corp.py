"""CORP reliability of probabilities and the randomised PIT, computed by the `scores` library.

CORP (Dimitriadis, Gneiting & Jordan 2021, PNAS): the reliability diagram is the graph of the
forecast probabilities recalibrated by isotonic regression (pool-adjacent-violators), so it
needs no choice of bins; its Brier score decomposes the forecast's Brier score S exactly as
S = MCB - DSC + UNC, where UNC is the score of always forecasting the base rate, DSC how much
better the recalibrated forecast does than that (discrimination), and MCB how much the
forecast loses to its own recalibration (miscalibration). The isotonic fit is
``scores.processing.isotonic_fit``; the three scores are the Brier scores of the forecast,
its recalibration and the base rate.

The randomised PIT (Czado, Gneiting & Held 2009) of an actual value is uniform on
[F(y-), F(y)]: a single value for continuous forecasts, a range where a count forecast holds
a lump of probability at the actual. Its histogram over held-out values is flat for a
calibrated forecast (``scores.probability.PitFcstAtObs``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PIT_BINS = 10


def corp_reliability(prob: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """The CORP diagram's points: each distinct forecast probability, its recalibrated value
    (the observed frequency the isotonic fit gives it) and how many events had it."""
    from scores.processing import isotonic_fit  # imports xarray: only the check needs it

    fit = isotonic_fit(np.asarray(prob, float), np.asarray(outcome, float))
    forecast = np.asarray(fit["fcst_sorted"], float)
    recalibrated = np.asarray(fit["regression_values"], float)
    table = pd.DataFrame({"forecast": forecast, "recalibrated": recalibrated})
    return (table.groupby("forecast", sort=True).agg(
        recalibrated=("recalibrated", "first"), count=("recalibrated", "size")).reset_index())


def corp_decomposition(prob: np.ndarray, outcome: np.ndarray,
                       diagram: pd.DataFrame | None = None) -> dict:
    """The Brier score with its CORP decomposition: brier = miscalibration - discrimination +
    uncertainty (each a mean Brier score or a difference of two), and the base rate. Pass
    the events' ``corp_reliability`` when it is at hand: the isotonic fit is not made
    twice."""
    prob = np.asarray(prob, float)
    outcome = np.asarray(outcome, float)
    diagram = corp_reliability(prob, outcome) if diagram is None else diagram
    recalibrated = np.interp(prob, diagram["forecast"], diagram["recalibrated"])
    base = float(outcome.mean())
    score = float(np.mean((prob - outcome) ** 2))
    score_recalibrated = float(np.mean((recalibrated - outcome) ** 2))
    uncertainty = float(np.mean((base - outcome) ** 2))
    return {"brier": score, "miscalibration": score - score_recalibrated,
            "discrimination": uncertainty - score_recalibrated, "uncertainty": uncertainty,
            "base_rate": base, "events": len(prob)}


def randomised_pit_histogram(cdf_below: np.ndarray, cdf_at: np.ndarray,
                             bins: int = PIT_BINS) -> np.ndarray:
    """The randomised PIT histogram's bar heights (shares summing to 1) of held-out values
    whose forecast CDF is ``cdf_below`` just below the actual and ``cdf_at`` at it."""
    import xarray as xr
    from scores.probability import PitFcstAtObs

    at = xr.DataArray(np.asarray(cdf_at, float), dims=["case"])
    below = xr.DataArray(np.asarray(cdf_below, float), dims=["case"])
    return np.asarray(PitFcstAtObs(at, fcst_at_obs_left=below).hist_values(bins).values, float)
