"""Learn the default model's calibration from backtests: member weights and spread factors.

Two steps, both on origins whose held-out years end by ``until`` (so the years scored later,
after ``until``, are never seen):

1. member weights per indicator: the shares of `linear`, compound-growth `drift` and the
   damped `theta` in the mixture that minimise the mean CRPS (scaled like MASE) on held-out
   values across all regions' series of that indicator, searched on the simplex in steps of
   0.05 (the way IHME weights its rate-of-change models by out-of-sample validity), among
   those where the new member, `theta`, earns its place: where weights chosen with it beat
   those chosen without it on series left out, in at least 84% of bootstrap replicates
   (``earned_weights``; the one-standard-error rule). CRPS scores the whole distribution,
   so the weights serve the probabilities planners read, not just the median. Indicators
   with too few backtest points, and indicators not in the corpus, get the weights learned
   on everything ("default");
2. spread factors per kind group and horizon, from the weighted mixture's held-out values
   (``fit_factors``).

Given the tree of regions, the pooled model (`bayes`) gets its own spread factors too, from the
panel backtest (``panel``) of the indicators `auto` would pool there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecast.config import DEFAULT_SEED
from forecast.evaluation import scoring
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.origins import BacktestSettings, SeriesUnit, cut_by_position, cuts
from forecast.evaluation.panel import as_parents, pooled_indicators, run_panel_backtest
from forecast.evaluation.results import BacktestResult
from forecast.execution import map_units
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.registry import TREND_MEMBERS
from forecast.simulation.calibration import Calibration, kind_group
from forecast.simulation.simulate import simulate_future

WEIGHT_STEP = 0.05  # the member weights are searched on the simplex in steps of this
MIN_POINTS_FOR_OWN_WEIGHT = 100  # held-out values an indicator needs to get its own weight
# A new member (a challenger of linear and drift) stays in the mixture if it helps on the
# series left out in at least 84% of bootstrap replicates: the one-standard-error rule.
CHALLENGERS = ("theta",)
EARN_LEVEL = 0.16
BOOT_REPS = 1000  # bootstrap replicates over series for that test
# Provinces in one year share that year's shock, so the pooled model's held-out values are
# about as many pieces of evidence as the calendar years they fall in, not the province-years.
MIN_HELD_OUT_YEARS = 5


def weight_grid(members: int = len(TREND_MEMBERS), step: float = WEIGHT_STEP) -> np.ndarray:
    """Every weight vector of ``members`` members in multiples of ``step`` summing to 1."""
    units = round(1 / step)
    points = [c for c in itertools.product(range(units + 1), repeat=members - 1)
              if sum(c) <= units]
    return np.array([[*c, units - sum(c)] for c in points], dtype=float) / units


@dataclass(frozen=True)
class _MixtureTerms:
    """Per unit: the terms of the mixture's scaled CRPS (``scoring.mixture_crps_terms``) of
    the `trend` members on its held-out values, summed over its origins."""

    settings: BacktestSettings

    def __call__(self, unit: SeriesUnit) -> tuple[str, np.ndarray, np.ndarray, int]:
        k = len(TREND_MEMBERS)
        a, b, count = np.zeros(k), np.zeros((k, k)), 0
        for cut, end in cuts(unit.years, self.settings):
            c = cut_by_position(unit, cut, end)
            scale = scoring.naive_scale(c.train)
            if scale <= 0:
                continue
            actual = c.actual
            members = [simulate_future(c.request(), m, len(actual), self.settings.draws,
                                       self.settings.seed, stream=(str(c.origin),)).values
                       for m in TREND_MEMBERS]
            terms = scoring.mixture_crps_terms(actual, members)
            a += terms[0] / scale
            b += terms[1] / scale
            count += len(actual)
        return unit.indicator.id, a, b, count


def _mixture_crps(grid: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The summed CRPS of each weight vector of ``grid`` (rows) from summed terms; ``a`` and
    ``b`` may carry leading axes (bootstrap replicates)."""
    return (np.einsum("gi,...i->...g", grid, a)
            - 0.5 * np.einsum("gi,...ij,gj->...g", grid, b, grid))


def _grid_of(members: tuple[str, ...] | list[str]) -> np.ndarray:
    grid = weight_grid()
    return grid[grid[:, [m not in members for m in TREND_MEMBERS]].sum(axis=1) == 0]


def best_weights(a: np.ndarray, b: np.ndarray,
                 members: tuple[str, ...] = TREND_MEMBERS) -> dict[str, float]:
    """The grid's weights with the least mean CRPS w·a − ½ wᵀ b w (ties: the first), among
    those that weigh only ``members`` (the others get 0: an ablation of the mixture)."""
    grid = _grid_of(members)
    w = grid[int(np.argmin(_mixture_crps(grid, a, b)))]
    return {m: round(float(x), 2) for m, x in zip(TREND_MEMBERS, w, strict=True)}


def _out_of_bag_gain(a: np.ndarray, b: np.ndarray, full: np.ndarray, reduced: np.ndarray,
                     counts: np.ndarray) -> np.ndarray:
    """Per bootstrap replicate (``counts``: how often each series was drawn): weights chosen
    on the series drawn, on the ``full`` grid and the ``reduced`` one, and the CRPS the full
    choice saves on the series not drawn (positive: the richer mixture did better there)."""
    in_a, in_b = counts @ a, np.einsum("rs,sij->rij", counts, b)
    out = (counts == 0).astype(float)
    out_a, out_b = out @ a, np.einsum("rs,sij->rij", out, b)
    chosen = [grid[np.argmin(_mixture_crps(grid, in_a, in_b), axis=1)]
              for grid in (full, reduced)]
    score = [np.einsum("ri,ri->r", w, out_a) - 0.5 * np.einsum("ri,rij,rj->r", w, out_b, w)
             for w in chosen]
    return score[1] - score[0]


def earned_weights(a: np.ndarray, b: np.ndarray, members: tuple[str, ...] = TREND_MEMBERS,
                   challengers: tuple[str, ...] = CHALLENGERS, reps: int = BOOT_REPS,
                   seed: int = DEFAULT_SEED) -> dict[str, float]:
    """The best weights among the members, less the ``challengers`` that do not earn their
    place, from per-series terms (``a``: series × k, ``b``: series × k × k).

    A challenger earns its place when a mixture chosen with it forecasts series it was not
    chosen on better than one chosen without it: in a bootstrap over series, weights are
    picked on the series drawn and scored on those left out, and the challenger must save
    CRPS in at least ``1 − EARN_LEVEL`` (84%) of the replicates (its gain's lower
    one-standard-error bound above zero). Those that do not are dropped one at a time, the
    least useful first, so a new member changes the mixture only where held-out series ask
    for it; the weights among the others are learned as before.
    """
    counts = np.zeros((reps, len(a)))
    picks = np.random.default_rng(seed).integers(0, len(a), (reps, len(a)))
    np.add.at(counts, (np.arange(reps)[:, None], picks), 1.0)
    active = list(members)
    while len(active) > 1:
        full = best_weights(a.sum(axis=0), b.sum(axis=0), tuple(active))
        worst, worst_share = None, 1.0
        for m in [m for m in active if full[m] > 0 and m in challengers]:
            rest = tuple(x for x in active if x != m)
            gain = _out_of_bag_gain(a, b, _grid_of(active), _grid_of(rest), counts)
            share = float(np.mean(gain > 0))
            if share < 1 - EARN_LEVEL and share < worst_share:
                worst, worst_share = m, share
        if worst is None:
            break
        active.remove(worst)
    return best_weights(a.sum(axis=0), b.sum(axis=0), tuple(active))


def learn_weights(units: list[SeriesUnit], settings: BacktestSettings,
                  own: set[str] | frozenset[str], workers: int = 1,
                  progress: Callable[[int], None] | None = None,
                  members: tuple[str, ...] = TREND_MEMBERS) -> dict[str, dict[str, float]]:
    """The weights of the `trend` members (theta only where it earns its place,
    ``earned_weights``) that minimise the mean scaled CRPS of held-out values: per indicator
    in ``own`` with enough of them, and over everything ("default")."""
    by_indicator: dict[str, list] = {}
    for indicator, a, b, count in map_units(_MixtureTerms(settings), units, workers,
                                            chunksize=max(1, len(units) // (8 * workers))):
        if count:
            acc = by_indicator.setdefault(indicator, [[], [], 0])
            acc[0].append(a)
            acc[1].append(b)
            acc[2] += count
        if progress:
            progress(1)
    every = [(np.array(v[0]), np.array(v[1])) for v in by_indicator.values()]
    weights = {"default": earned_weights(np.vstack([a for a, _ in every]),
                                         np.vstack([b for _, b in every]), members,
                                         seed=settings.seed)}
    for indicator, (a, b, count) in sorted(by_indicator.items()):
        if indicator in own and count >= MIN_POINTS_FOR_OWN_WEIGHT:
            weights[indicator] = earned_weights(np.array(a), np.array(b), members,
                                                seed=settings.seed)
    return weights


def pooled_learning_backtest(units: list[SeriesUnit], until: int, horizon: int = 6,
                             draws: int = 1000, seed: int = DEFAULT_SEED,
                             regions: pd.DataFrame | dict[str, str] | None = None,
                             workers: int = 1, pooled: PooledSettings | None = None,
                             progress: Callable[[int], None] | None = None) -> BacktestResult:
    """The raw (uncalibrated) pooled model's backtest on origins held out up to ``until``, on
    the indicators `auto` pools (series without a hierarchy would not be pooled in a run)."""
    parents = as_parents(regions)
    chosen = pooled_indicators(units, "auto", parents)
    settings = BacktestSettings(model="bayes", holdout=horizon, draws=draws, seed=seed,
                                until=until, pooled=pooled or PooledSettings())
    return run_panel_backtest([u for u in units if u.indicator.id in chosen], settings,
                              workers, progress, parents)


def pooled_spread(points: pd.DataFrame, horizon: int, own: set[str] | frozenset[str]) -> dict:
    """The `bayes` entry of a calibration from its backtest points (none: raw spread).

    Learned only from points in at least MIN_HELD_OUT_YEARS distinct held-out calendar years
    (origin + horizon); fewer give the raw spread (factors 1): provinces in one year share their
    shocks, so 400 province-years of 3 calendar years are about 3 pieces of evidence.
    """
    if not len(points) or (points["origin"] + points["horizon"]).nunique() < MIN_HELD_OUT_YEARS:
        return {"spread": {}}
    return {"spread": fit_factors(points, horizon, own=own)}


def learn(units: list[SeriesUnit], until: int, horizon: int = 6, draws: int = 1000,
          seed: int = 20231, workers: int = 1, model: str = "trend",
          progress: Callable[[int], None] | None = None,
          own: set[str] | None = None,
          regions: pd.DataFrame | dict[str, str] | None = None,
          pooled: PooledSettings | None = None,
          members: tuple[str, ...] = TREND_MEMBERS) -> tuple[Calibration, dict]:
    """The calibration of ``model`` (the `trend` mixture), and a report of what was learned.

    Indicators in ``own`` (default: all) get their own weights and spread factors where they
    have enough backtest points; the rest of the corpus informs only the defaults. With
    ``regions`` (regions.csv) the pooled model's spread factors are learned too ("bayes"),
    fitted with ``pooled`` (default: the run's default settings). ``members`` limits the
    mixture to some of `trend`'s members (the benchmarks' "without theta").
    """
    own = {u.indicator.id for u in units} if own is None else own
    settings = BacktestSettings(model=model, holdout=horizon, draws=draws, seed=seed,
                                until=until)
    weights = learn_weights(units, settings, own, workers, progress, members)
    unweighted = Calibration({model: {"weights": weights}}, {})
    res = run_backtest(units, replace(settings, calibration=unweighted), workers, progress)
    spread = fit_factors(res.points, horizon, own=own)
    report = {
        "until": until, "horizon": horizon, "series": len(units),
        "held_out_values": len(res.points),
        "by_indicator": res.points.groupby("indicator").size().to_dict(),
    }
    models = {model: {"weights": weights, "spread": spread}}
    if regions is not None:
        res = pooled_learning_backtest(units, until, horizon, draws, seed, regions, workers,
                                       pooled, progress)
        models["bayes"] = pooled_spread(res.points, horizon, own)
        report["bayes"] = {
            "held_out_values": len(res.points),
            "by_indicator": res.points.groupby("indicator").size().to_dict()
            if len(res.points) else {},
            "fits": len(res.fits),
            "divergences": int(res.fits["divergences"].sum()) if len(res.fits) else 0,
        }
    calibration = Calibration(models, report)
    return calibration, report


GRID = np.round(np.arange(0.30, 4.001, 0.01), 2)  # candidate spread factors


def coverage_at(points: pd.DataFrame, c: float, tail_lo: str, tail_hi: str) -> float:
    """Coverage of the interval [median + c (q_lo - median), median + c (q_hi - median)]."""
    m = points["q0.5"]
    lo = m + c * (points[tail_lo] - m)
    hi = m + c * (points[tail_hi] - m)
    return float(((points["z"] >= lo) & (points["z"] <= hi)).mean())


def fit_factor(points: pd.DataFrame) -> float:
    """The factor that brings both the 80% and 95% central coverages closest to nominal."""
    best, best_loss = 1.0, np.inf
    for c in GRID:
        loss = ((coverage_at(points, c, "q0.1", "q0.9") - 0.80) ** 2
                + (coverage_at(points, c, "q0.025", "q0.975") - 0.95) ** 2)
        if loss < best_loss - 1e-12:
            best, best_loss = float(c), loss
    return best


def _factors_by_horizon(points: pd.DataFrame, max_horizon: int, min_points: int,
                        fallback: list[float] | None) -> list[float]:
    """Horizons with too few points take the previous horizon's factor (or the fallback's), and
    factors never shrink with the horizon (uncertainty does not fall as we look further)."""
    factors: list[float] = []
    for h in range(1, max_horizon + 1):
        at_h = points[points["horizon"] == h]
        if len(at_h) >= min_points:
            f = fit_factor(at_h)
        else:
            f = factors[-1] if factors else (fallback[h - 1] if fallback else 1.0)
        factors.append(max(f, factors[-1]) if factors else f)
    return factors


def fit_factors(points: pd.DataFrame, max_horizon: int, min_points: int = 30,
                own: set[str] | frozenset[str] = frozenset()) -> dict:
    """Factors by kind group and horizon, and for each indicator in ``own`` its own factors
    (from its points alone; where they are too few, its group's)."""
    out: dict[str, list[float]] = {}
    points = points.assign(group=points["kind"].map(kind_group))
    for group, sub in points.groupby("group"):
        out[str(group)] = _factors_by_horizon(sub, max_horizon, min_points, None)
    for indicator, sub in points[points["indicator"].isin(own)].groupby("indicator"):
        group = out[kind_group(str(sub["kind"].iloc[0]))]
        out[str(indicator)] = _factors_by_horizon(sub, max_horizon, min_points, group)
    return out
