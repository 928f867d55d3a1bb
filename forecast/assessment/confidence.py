"""Which probabilities rest on too little to be trusted, and why: the ``low_confidence``
column (the reason; empty where there is none; not ``confidence``, which suggestions.csv
already uses for its 50/80/90%), and notes that say what the model really did.

A probability is marked low confidence where the model answers a question its data cannot:

- a share known from two points whose forecast piles up at its bound: the logit-scale trend
  through two points carries it to 0 or 100%, and two points cannot tell a trend that bends
  from one that runs into the bound (Xiangtan's 高新技术企业营收占比, 53.1 then 81.9, gives a
  2023 median of 99.8%);
- breaking zero (零的突破) from a history of zeros: whether a first one comes is a question
  of how often regions make their first entry, which no model here estimates (a walk on the
  log scale from zero only spreads its paths), so the probability is a wide guess;
- a series with a value flagged as implausible (``inputs.plausibility``): the model took it
  as it is.

These are marked, not modelled: the probability stays as computed, and every output shows
the mark beside it (README, "Plausibility checks").
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from forecast.assessment.rows import FAN_LEVELS, SHORT_POOLED, short_alone
from forecast.inputs.catalogue import Catalogue

BOUND_SHARE = 0.05  # a median within 5% of a share's range from its bound: piled up at it
TWO_POINTS = 2  # a share from this many points or fewer cannot say whether it bends
MEDIAN = FAN_LEVELS.index(0.5)


def with_confidence(rows: pd.DataFrame, series: dict[str, dict], catalogue: Catalogue,
                    regions_of: Counter, flagged: set[tuple[str, str]]) -> pd.DataFrame:
    """``rows`` with a ``low_confidence`` column and pooling notes made true: a short series
    said to borrow from the regions it is pooled with, where its indicator has no other
    region (``regions_of``: indicator -> regions with data), says it had only its own points
    and the prior. ``series``: the run's per-series diagnostics; ``flagged``: (region,
    indicator) of series with an implausible value."""
    out = rows.copy()
    out["note"] = [_true_note(note, ind, regions_of) for note, ind in
                   zip(out["note"].fillna(""), out["indicator"], strict=True)]
    out["low_confidence"] = [_confidence(r, series, catalogue, flagged)
                         for r in out.itertuples(index=False)]
    return out


def _true_note(note: str, indicator: str, regions_of: Counter) -> str:
    """The note with its borrowing claim kept only where there was someone to borrow from."""
    if regions_of.get(indicator, 0) > 1 or not note:
        return note
    parts = [short_alone(p) if p.endswith(SHORT_POOLED) else
             "one point: no other region to borrow a trend from (the model's prior only)"
             if p.startswith("one point: trend from") else p for p in note.split("; ")]
    return "; ".join(parts)


def _confidence(row, series: dict[str, dict], catalogue: Catalogue,
                flagged: set[tuple[str, str]]) -> str:
    """Why one row's probability is low confidence ('' if it is not; only rows with a
    probability)."""
    if not row.assessable or row.model == "observed":
        return ""
    reasons = []
    keys = [(row.region, row.indicator)] + ([(row.region, row.other_indicator)]
                                            if getattr(row, "other_indicator", None) else [])
    if any(k in flagged for k in keys):
        reasons.append("an implausible value in its history (see the data-quality notes)")
    diag = series.get(f"{row.region}|{row.indicator}")
    if diag is not None:
        history = np.array(list(diag["history"].values()), float)
        if len(history) and (history == 0).all() and row.op in (">", ">="):
            reasons.append(f"breaking zero from {len(history)} zero year"
                           f"{'s' * (len(history) > 1)}: no model of first entries, "
                           "so the probability is a wide guess")
        reasons += _piled_at_bound(row, diag, catalogue)
    return "; ".join(reasons)


def _piled_at_bound(row, diag: dict, catalogue: Catalogue) -> list[str]:
    """The reason, if the row's series is a share from two points whose median forecast for
    the target year lies within ``BOUND_SHARE`` of a bound, having moved towards it."""
    if row.indicator not in catalogue or catalogue[row.indicator].kind != "share" \
            or diag["points"] > TWO_POINTS:
        return []
    entry = catalogue[row.indicator]
    fan = diag["fan"].get(str(int(row.year)))
    if fan is None:
        return []
    median, width = fan[MEDIAN], entry.upper - entry.lower
    last = list(diag["history"].values())[-1]
    at_upper = median >= entry.upper - BOUND_SHARE * width and median > last
    at_lower = median <= entry.lower + BOUND_SHARE * width and median < last
    if not (at_upper or at_lower):  # e.g. an R&D intensity of 3% rising is not at 0
        return []
    return [f"a share from {diag['points']} points whose forecast piles up at its bound "
            f"(median {median:.1f}{entry.unit} in {int(row.year)}): two points cannot say "
            "whether the trend bends before it"]
