"""Out-of-sample evaluation: hold out the last years of each series, forecast them, score.

A unit of work is one series: for each of K rolling origins it is cut before the last H (+ k)
years, the model is fitted to the rest, and the held-out years are scored (``forecast.scoring``).
Planner-style threshold targets are scored too, so the Brier score of our probabilities can be
compared across models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast import scoring
from forecast.calibration import NONE, Calibration
from forecast.catalogue import Indicator
from forecast.config import DEFAULT_MODEL, DEFAULT_SEED
from forecast.dataset import series_table
from forecast.execution import map_units
from forecast.models.pooled.inference import PooledSettings
from forecast.pooling import POOLED_MODELS
from forecast.simulate import forecast_paths, rng_for, usable_history
from forecast.transforms import Transform, transform_for

MIN_TRAIN = 3  # fewer training points than this and an origin is skipped
LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)  # model-scale quantiles kept for calibration


@dataclass(frozen=True)
class BacktestSettings:
    model: str = DEFAULT_MODEL
    holdout: int = 6
    origins: int = 1
    draws: int = 1000
    seed: int = DEFAULT_SEED
    calibration: Calibration = NONE
    until: int | None = None  # learning mode: every origin whose held-out years are <= until
    after: int | None = None  # scoring mode: only origins whose held-out years are all > after
    max_origins: int = 8  # in learning mode, the most recent origins per series
    pooled: PooledSettings = field(default_factory=PooledSettings)  # `bayes`/`auto` fits


def cuts(years: np.ndarray, settings: BacktestSettings) -> list[tuple[int, int]]:
    """(train end, held-out end) index pairs of the origins to evaluate.

    Scoring mode: the last ``origins`` origins, each holding out ``holdout`` years (the last
    origin ends at the last year), keeping only those held out after ``after`` if it is set.
    Learning mode (``until``): every origin with at least MIN_TRAIN years of training whose
    held-out years, up to ``holdout`` of them, end by ``until``, so what is learned never sees
    the years later scored.
    """
    n, h = len(years), settings.holdout
    if settings.until is None:
        pairs = [(n - h - k, n - k) for k in range(settings.origins - 1, -1, -1)
                 if n - h - k >= MIN_TRAIN]
        if settings.after is not None:
            pairs = [(c, e) for c, e in pairs if years[c] > settings.after]
        return pairs
    last = int(np.searchsorted(years, settings.until, side="right"))  # years[:last] <= until
    pairs = [(c, min(c + h, last)) for c in range(MIN_TRAIN, last)]
    return pairs[-settings.max_origins:]


@dataclass(frozen=True)
class SeriesUnit:
    region: str
    indicator: Indicator
    years: np.ndarray
    values: np.ndarray


@dataclass
class UnitResult:
    metrics: list[dict] = field(default_factory=list)
    events: list[pd.DataFrame] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)  # one per held-out year, for calibration


def series_units(observations: pd.DataFrame, catalogue) -> list[SeriesUnit]:
    """One unit per (region, indicator): its most recent run of consecutive years."""
    table = series_table(observations)
    units = []
    for k, (region, ind_id) in enumerate(table.keys):
        years, values, _ = usable_history(*table.series(k))
        units.append(SeriesUnit(region, catalogue[ind_id], years, values))
    return units


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


def backtest_unit(unit: SeriesUnit, settings: BacktestSettings) -> UnitResult:
    out = UnitResult()
    for cut, end in cuts(unit.years, settings):
        train, actual = unit.values[:cut], unit.values[cut:end]
        origin = int(unit.years[cut - 1])
        transform = transform_for(unit.indicator, train)
        z = transform.forward(train)
        key = (unit.region, unit.indicator.id, str(origin))
        z_paths, _ = forecast_paths(
            settings.model, unit.indicator, z, transform, len(actual), settings.draws,
            lambda member, key=key: rng_for(settings.seed, *key, member), settings.calibration)
        paths = transform.inverse(z_paths)
        point = np.median(paths, axis=0)
        row, events = score_origin(unit, origin, train, actual, paths, point)
        out.metrics.append(row)
        out.events.append(events)
        out.points += origin_points(unit, origin, transform, z_paths, actual, point, row["scale"])
    return out


def origin_points(unit: SeriesUnit, origin: int, transform: Transform, z_paths: np.ndarray,
                  actual: np.ndarray, point: np.ndarray, scale: float) -> list[dict]:
    """One row per held-out year with the paths' model-scale quantiles and the actual value on
    the model scale: what the spread factors are fitted to (``calibration.fit_factors``)."""
    zq = np.quantile(z_paths, LEVELS, axis=0)
    z_actual = transform.forward(actual)
    return [{"region": unit.region, "indicator": unit.indicator.id, "origin": origin,
             "kind": unit.indicator.kind, "horizon": i + 1, "actual": float(actual[i]),
             "median": float(point[i]), "scale": scale, "z": float(z_actual[i]),
             **{f"q{lv}": float(zq[j, i]) for j, lv in enumerate(LEVELS)}}
            for i in range(len(actual))]


@dataclass
class BacktestResult:
    metrics: pd.DataFrame
    events: pd.DataFrame
    points: pd.DataFrame
    skipped: int
    fits: pd.DataFrame = field(default_factory=pd.DataFrame)  # pooled fits' diagnostics


def run_backtest(units: list[SeriesUnit], settings: BacktestSettings, workers: int = 1,
                 progress: Callable[[int], None] | None = None,
                 regions: pd.DataFrame | dict[str, str] | None = None) -> BacktestResult:
    """Backtest every unit, in order, on ``workers`` processes.

    The pooled models (`bayes`, `auto`) need every region of an indicator at each origin, so
    they go to ``forecast.panel_backtest``, with ``regions`` (regions.csv) as the tree.
    """
    if settings.model in POOLED_MODELS:
        from forecast.panel_backtest import run_panel_backtest

        return run_panel_backtest(units, settings, workers, progress, regions)
    metrics, events, points = [], [], []
    skipped = 0
    chunk = max(1, len(units) // (workers * 8)) if workers > 1 else 1
    for res in map_units(_Job(settings), units, workers, chunksize=chunk):
        metrics += res.metrics
        events += res.events
        points += res.points
        skipped += res.metrics == []
        if progress:
            progress(1)
    return BacktestResult(
        pd.DataFrame(metrics),
        pd.concat(events, ignore_index=True) if events else pd.DataFrame(),
        pd.DataFrame(points),
        skipped,
    )


@dataclass(frozen=True)
class _Job:
    """A picklable callable for the process pool."""

    settings: BacktestSettings

    def __call__(self, unit: SeriesUnit) -> UnitResult:
        return backtest_unit(unit, self.settings)


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
