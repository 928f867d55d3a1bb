"""What a backtest gives back: per series and origin the scores of its held-out years, its
planner-style threshold events and the model-scale quantiles the calibration is learned on;
and their summary (means, coverages with exact binomial bands, the Brier decomposition)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.evaluation import scoring
from forecast.evaluation.origins import Cut, SeriesUnit
from forecast.models.transforms import Transform
from forecast.simulation.simulate import Future

LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)  # model-scale quantiles kept for calibration


@dataclass
class UnitResult:
    metrics: list[dict] = field(default_factory=list)
    events: list[pd.DataFrame] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)  # one per held-out year, for calibration


@dataclass
class BacktestResult:
    metrics: pd.DataFrame
    events: pd.DataFrame
    points: pd.DataFrame
    skipped: int
    fits: pd.DataFrame = field(default_factory=pd.DataFrame)  # pooled fits' diagnostics


def score_origin(unit: SeriesUnit, origin: int, train: np.ndarray, actual: np.ndarray,
                 paths: np.ndarray, point: np.ndarray | None = None) -> tuple[dict, pd.DataFrame]:
    """The metrics row and threshold events of one origin's simulated paths (n x horizon).

    The point forecast is the paths' median unless given (an anchor's own mean, say).
    """
    point = np.median(paths, axis=0) if point is None else point
    crps = scoring.crps(actual, paths)
    scale = scoring.naive_scale(train)
    row = {
        "region": unit.region, "indicator": unit.indicator.id, "origin": origin,
        "n_train": len(train), "horizon": len(actual),
        "MASE": scoring.mase(actual, point, train),
        "sMAPE": scoring.smape(actual, point),
        "CRPS": float(crps.mean()),
        "CRPS_scaled": float(crps.mean() / scale) if scale > 0 else float("nan"),
        "coverage_80": scoring.coverage(actual, paths, 0.80),
        "coverage_95": scoring.coverage(actual, paths, 0.95),
        "PIT": " ".join(f"{p:.4f}" for p in scoring.pit(actual, paths)),
        "scale": scale,
    }
    events = scoring.threshold_events(train, actual, paths)
    events.insert(0, "origin", origin)
    events.insert(0, "indicator", unit.indicator.id)
    events.insert(0, "region", unit.region)
    return row, events


def origin_points(unit: SeriesUnit, origin: int, transform: Transform, z_paths: np.ndarray,
                  actual: np.ndarray, point: np.ndarray, scale: float,
                  paths: np.ndarray) -> list[dict]:
    """One row per held-out year with the paths' model-scale quantiles and the actual value on
    the model scale: what the spread factors are fitted to (``calibration.fit_factors``); and
    the forecast CDF just below and at the actual (``cdf_below``, ``cdf_at``): the randomised
    PIT's range, from which the own-data check reads its coverage and PIT histogram."""
    zq = np.quantile(z_paths, LEVELS, axis=0)
    z_actual = transform.forward(actual)
    below, at = scoring.cdf_at(actual, paths)
    return [{"region": unit.region, "indicator": unit.indicator.id, "origin": origin,
             "kind": unit.indicator.kind, "horizon": i + 1, "actual": float(actual[i]),
             "median": float(point[i]), "scale": scale, "z": float(z_actual[i]),
             **{f"q{lv}": float(zq[j, i]) for j, lv in enumerate(LEVELS)},
             "cdf_below": float(below[i]), "cdf_at": float(at[i])}
            for i in range(len(actual))]


def score_cut(cut: Cut, future: Future) -> tuple[dict, pd.DataFrame, list[dict]]:
    """The metrics row, threshold events and calibration points of one cut's simulated
    held-out years (the point forecast is the paths' median)."""
    point = np.median(future.values, axis=0)
    row, events = score_origin(cut.unit, cut.origin, cut.train, cut.actual, future.values,
                               point)
    points = origin_points(cut.unit, cut.origin, future.transform, future.z, cut.actual, point,
                           row["scale"], future.values)
    return row, events, points


def summarise(result: BacktestResult) -> dict:
    """Means of the metrics, coverages with exact binomial bands, threshold-probability scores."""
    m = result.metrics
    summary: dict = {"series_origins": len(m), "skipped_series": result.skipped}
    for col in ("MASE", "sMAPE", "CRPS_scaled"):
        summary[col] = float(np.nanmean(m[col])) if len(m) else float("nan")
    held_out = int(m["horizon"].sum()) if len(m) else 0
    for level in ("80", "95"):
        hits = round(float((m[f"coverage_{level}"] * m["horizon"]).sum())) if len(m) else 0
        lo, hi = scoring.binomial_band(hits, held_out)
        summary[f"coverage_{level}"] = {"rate": hits / held_out if held_out else float("nan"),
                                        "band_95": [lo, hi], "held_out_values": held_out}
    ev = result.events
    if len(ev):
        summary["threshold_probabilities"] = {
            **scoring.brier_decomposition(ev["probability"], ev["outcome"]),
            "reliability_diagram": scoring.reliability_table(ev["probability"], ev["outcome"])
            .to_dict(orient="records"),
        }
    return summary


def in_unit_order(parts: list[BacktestResult], units: list[SeriesUnit]) -> BacktestResult:
    """The parts' rows together, sorted by the units' order and then origin (stable)."""
    order = {(u.region, u.indicator.id): i for i, u in enumerate(units)}

    def sort(frames: list[pd.DataFrame]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame()
        frame = pd.concat(frames, ignore_index=True)
        rank = [order[k] for k in zip(frame["region"], frame["indicator"], strict=True)]
        return (frame.assign(_unit=rank).sort_values(["_unit", "origin"], kind="stable")
                .drop(columns="_unit").reset_index(drop=True))

    fits = [p.fits for p in parts if len(p.fits)]
    return BacktestResult(sort([p.metrics for p in parts]), sort([p.events for p in parts]),
                          sort([p.points for p in parts]), sum(p.skipped for p in parts),
                          pd.concat(fits, ignore_index=True) if fits else pd.DataFrame())
