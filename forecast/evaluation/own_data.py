"""How far to trust this run: its models backtested on the workspace's own series.

Every run (unless `--no-check`) goes back to past years of its own data, fits the model it
used on what was known then, and scores what followed. The origin is the last year from which
the plans' longest horizon (target year minus base year, at most ``MAX_HORIZON``) can still be
scored against observed values, as in the provincial backtest's scoring mode; every indicator
a plan names is checked on every region that has it (a pooled fit needs them all). An
indicator with fewer than ``ENOUGH_VALUES`` held-out values from that origin (few regions)
rolls back to ``CHECK_ORIGINS`` origins, one year apart: a pooled fit costs seconds, so
origins are added only where they are needed to have something to judge. Each pooled fit is
cached in the workspace's models/ like the run's own, so a second run refits nothing. The
targets are the provincial backtest's threshold events: the last value plus 0, ½, 1, 1½ or 2
times the past annual pace, one to H years on (``scoring.threshold_events``).

Per indicator, and over all of them:

- the Brier score of the events, and its skill against a random walk with drift
  (``BASELINE``) on the same events: 1 - Brier / Brier of the walk;
- the coverage of the 80% and 95% ranges (through the randomised PIT, so counts are judged
  fairly), with the band a calibrated forecast stays in 95 times in 100 (binomial: FPEM's
  acceptance band), which also says what so few values can show;
- the CORP reliability diagram and the Brier score's miscalibration / discrimination /
  uncertainty decomposition (``corp``);
- the randomised PIT histogram (for counts the one that judges them fairly).

The held-out values of one series at one origin are consecutive years of one path, so they
are not independent: the binomial band is narrower than the truth, and a coverage just
outside it is weaker evidence than it looks. The report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from forecast.assessment.layout import observed
from forecast.assessment.settings import Settings
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.corp import corp_decomposition, corp_reliability, randomised_pit_histogram
from forecast.evaluation.origins import MIN_TRAIN, BacktestSettings, SeriesUnit, series_units
from forecast.evaluation.results import BacktestResult
from forecast.evaluation.scoring import coverage_shares
from forecast.inputs.plans import Plan
from forecast.inputs.workspace import Inputs

CHECK_ORIGINS = 3  # rolling origins of an indicator with few held-out values from one
ENOUGH_VALUES = 100  # held-out values from one origin that make more origins unnecessary
CHECK_DRAWS = 1000  # simulated futures per held-out case (the run's draws if fewer)
MAX_HORIZON = 6  # the longest horizon checked, in years
DEFAULT_HORIZON = 5  # a five-year plan's, when no target has both a year and a base year
BASELINE = "drift"  # the random walk with drift the Brier skill is measured against
FEW_VALUES = 30  # below this many held-out values, the figures can show little
LEVELS = (0.80, 0.95)
EVENT_KEYS = ["region", "indicator", "origin", "pace_multiple", "horizon"]


def plan_horizons(plans: list[Plan]) -> list[int]:
    """The distinct horizons of the plans' targets (year - base year), within 1..MAX_HORIZON."""
    horizons = set()
    for plan in plans:
        for t in plan.targets:
            base = t.base_year if t.base_year is not None else plan.base_year
            if t.year is not None and base is not None:
                horizons.add(min(max(t.year - base, 1), MAX_HORIZON))
    return sorted(horizons) or [DEFAULT_HORIZON]


def check_units(inputs: Inputs, as_of: int | None) -> list[SeriesUnit]:
    """Every series (of every region) of the indicators the plans name, up to ``as_of``."""
    named = {i for p in inputs.plans for t in p.targets
             for i in (t.indicator, t.other_indicator) if i is not None}
    obs = observed(inputs, as_of)
    obs = obs[obs["indicator"].isin(named)]
    return series_units(obs, inputs.catalogue) if len(obs) else []


def check_settings(settings: Settings, horizon: int) -> BacktestSettings:
    """The run's model, seed, calibration and pooled settings at the check's first origin."""
    return BacktestSettings(model=settings.model, holdout=horizon, origins=1,
                            draws=min(settings.draws, CHECK_DRAWS), seed=settings.seed,
                            calibration=settings.calibration, pooled=settings.pooled)


def own_data_check(inputs: Inputs, settings: Settings, workers: int = 1,
                   progress: Callable[[int], object] | None = None,
                   on_start: Callable[[int], object] | None = None) -> dict:
    """Backtest the run's model on the workspace's own series and summarise how calibrated it
    was (the ``calibration`` section of probabilities.json). ``on_start`` is told how many
    series will be checked, ``progress`` how many more are done."""
    horizons = plan_horizons(inputs.plans)
    check = check_settings(settings, max(horizons))
    units = check_units(inputs, settings.as_of)
    if on_start is not None:
        on_start(len(units))
    if not units:  # no target names an observed indicator: nothing to check
        nothing = BacktestResult(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), 0)
        return summarise_check(nothing, nothing, units, check, horizons)
    first = run_backtest(units, check, workers, progress, inputs.regions, settings.cache_dir)
    counts = first.points.groupby("indicator").size() if len(first.points) else pd.Series()
    thin = {u.indicator.id for u in units} - set(counts[counts >= ENOUGH_VALUES].index)
    rolled = replace(check, origins=CHECK_ORIGINS)
    few = [u for u in units if u.indicator.id in thin]
    more = run_backtest(few, rolled, workers, regions=inputs.regions,
                        cache_dir=settings.cache_dir) if few else None
    result = combined(first, more, thin)
    # the walk on the same origins: one for most indicators, three for the thin ones
    walk = replace(check, model=BASELINE)
    baseline = combined(run_backtest([u for u in units if u.indicator.id not in thin], walk,
                                     workers), run_backtest(few, replace(rolled, model=BASELINE),
                                                            workers) if few else None, thin)
    return summarise_check(result, baseline, units, check, horizons)


def combined(first: BacktestResult, more: BacktestResult | None, thin: set[str]
             ) -> BacktestResult:
    """The first origin's result with the thin indicators' rows from ``more`` instead (its
    count of series too short to score is the first's: ``more`` only rescores those)."""
    if more is None:
        return first

    def rows(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        keep = a[~a["indicator"].isin(thin)] if len(a) else a
        return pd.concat([f for f in (keep, b) if len(f)], ignore_index=True) \
            if len(keep) or len(b) else a

    return BacktestResult(rows(first.metrics, more.metrics), rows(first.events, more.events),
                          rows(first.points, more.points), first.skipped, first.fits)


def summarise_check(result: BacktestResult, baseline: BacktestResult, units: list[SeriesUnit],
                    check: BacktestSettings, horizons: list[int]) -> dict:
    """The check's figures per indicator and over all, with what was checked."""
    events, points = result.events, result.points
    base_events = baseline.events
    scored = set(zip(points["region"], points["indicator"], strict=True)) if len(points) \
        else set()
    indicators = {}
    for ind in sorted({u.indicator.id for u in units}):
        mine = [u for u in units if u.indicator.id == ind]
        indicators[ind] = {
            "kind": mine[0].indicator.kind,
            "series": len(mine),
            "series_checked": sum((u.region, ind) in scored for u in mine),
            **figures(_of(events, ind), _of(base_events, ind), _of(points, ind)),
        }
    return {
        "checked": True,
        "model": check.model, "baseline": BASELINE, "plan_horizons": horizons,
        "holdout": check.holdout, "draws": check.draws,
        "min_train": MIN_TRAIN, "few_values": FEW_VALUES,
        "series": len(units), "series_checked": len(scored),
        "overall": figures(events, base_events, points),
        "indicators": indicators,
    }


def skipped_check(reason: str) -> dict:
    """The calibration section of a run that did not check (`--no-check`)."""
    return {"checked": False, "reason": reason}


def _of(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    return frame[frame["indicator"] == indicator] if len(frame) else frame


def figures(events: pd.DataFrame, base_events: pd.DataFrame, points: pd.DataFrame) -> dict:
    """Brier and skill, coverage with acceptance bands, CORP and PIT of one set of cases."""
    n = len(points)
    out: dict = {"held_out_values": n, "events": len(events),
                 "origins": sorted(int(o) for o in points["origin"].unique()) if n else []}
    if not len(events) or not n:
        return {**out, "verdict": "none"}
    prob = events["probability"].to_numpy(float)
    outcome = events["outcome"].to_numpy(float)
    diagram = corp_reliability(prob, outcome)
    corp = corp_decomposition(prob, outcome, diagram)
    out.update({k: _round(corp[k]) for k in ("brier", "miscalibration", "discrimination",
                                             "uncertainty", "base_rate")})
    out["reliability_diagram"] = diagram_blocks(diagram)
    out.update(skill(events, base_events))
    below = points["cdf_below"].to_numpy(float)
    at = points["cdf_at"].to_numpy(float)
    for level in LEVELS:
        out[f"coverage_{round(level * 100)}"] = coverage_figures(below, at, level)
    out["pit_histogram"] = [_round(h) for h in randomised_pit_histogram(below, at)]
    out["verdict"] = "few" if n < FEW_VALUES else "enough"
    return out


def diagram_blocks(diagram: pd.DataFrame) -> list[dict]:
    """The CORP diagram as its steps: each run of forecast probabilities the isotonic fit
    gives one recalibrated value, from its lowest to its highest forecast, with the number of
    events in it (what the chart draws; thousands of distinct forecasts become a few steps)."""
    step = (diagram["recalibrated"].diff() != 0).cumsum()
    blocks = diagram.groupby(step, sort=True).agg(
        forecast_low=("forecast", "min"), forecast_high=("forecast", "max"),
        observed=("recalibrated", "first"), count=("count", "sum"))
    return [{"forecast_low": _round(b.forecast_low), "forecast_high": _round(b.forecast_high),
             "observed": _round(b.observed), "count": int(b.count)}
            for b in blocks.itertuples()]


def skill(events: pd.DataFrame, base_events: pd.DataFrame) -> dict:
    """Brier skill against the baseline on the events both scored (1 - ours / theirs)."""
    if not len(base_events):
        return {"brier_baseline": None, "brier_skill": None, "events_compared": 0}
    both = events.merge(base_events[[*EVENT_KEYS, "probability"]], on=EVENT_KEYS,
                        suffixes=("", "_baseline"))
    if not len(both):
        return {"brier_baseline": None, "brier_skill": None, "events_compared": 0}
    outcome = both["outcome"].to_numpy(float)
    ours = float(np.mean((both["probability"].to_numpy(float) - outcome) ** 2))
    theirs = float(np.mean((both["probability_baseline"].to_numpy(float) - outcome) ** 2))
    return {"brier_baseline": _round(theirs),
            "brier_skill": _round(1 - ours / theirs) if theirs > 0 else None,
            "events_compared": len(both)}


def coverage_figures(below: np.ndarray, at: np.ndarray, level: float) -> dict:
    """The share of held-out values inside the central ``level`` range, and the band a
    calibrated forecast's share stays in with probability 0.95 (binomial, n values)."""
    n = len(below)
    rate = float(np.mean(coverage_shares(below, at, level)))
    low, high = acceptance_band(n, level)
    return {"rate": _round(rate), "band_95": [_round(low), _round(high)],
            "inside_band": bool(low <= rate <= high)}


def acceptance_band(n: int, level: float, confidence: float = 0.95) -> tuple[float, float]:
    """The central ``confidence`` range of the coverage share of n values each inside with
    probability ``level``: Binomial(n, level) / n (FPEM's acceptance band)."""
    tail = (1 - confidence) / 2
    return (float(stats.binom.ppf(tail, n, level)) / n,
            float(stats.binom.ppf(1 - tail, n, level)) / n)


def _round(x: float) -> float:
    return round(float(x), 4)
