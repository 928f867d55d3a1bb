"""Rolling-origin backtest of the pooled model (`bayes`, and `auto` where it pools).

The pooled model fits every region of an indicator at once, so its origins are calendar years,
not positions in one series: at origin year O the panel holds every region's history up to O
(regions with at least one point), one fit is made per (indicator, origin), and each series'
held-out years O+1..O+H are simulated from its region's posterior and scored by the same code
as the single-series backtest (``results.score_cut``), so
``results.summarise`` and the calibration learning read the result unchanged.

Which origins: in scoring mode the last ``origins`` years of the indicator, the last one ending
at its last year (only those from ``after`` on when it is set); in learning mode (``until``)
every year whose held-out years, up to ``holdout`` of them, end by ``until``, the most recent
``max_origins`` of them. A series is scored at an origin where it has MIN_TRAIN points by then
and a held-out year, as in ``origins.cuts``; when all series end in the same year the
series-origins are exactly those of the single-series backtest. A series whose training values
need the identity scale (an amount <= 0) cannot share the pool's log scale: it is left out of
that origin's panel and not scored there (a run falls back to `trend` for it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.evaluation.origins import BacktestSettings, Cut, SeriesUnit, cut_at, origin_years
from forecast.evaluation.results import BacktestResult, in_unit_order, score_cut
from forecast.evaluation.single import run_single_backtest
from forecast.execution import executor
from forecast.inputs.regions import parents_of
from forecast.models.choice import choose_models, counted
from forecast.models.counts.panel import CountPanel, build_count_panel
from forecast.models.fit_jobs import FitRequest, fit_requests
from forecast.models.fitting import fit_name
from forecast.models.pooled.panel import Panel, build_panel
from forecast.models.transforms import transform_for
from forecast.simulation.simulate import simulate_future

# a backtest fit's cache file is <indicator>@<origin>~backtest: never the name of a run's fit
# (<indicator>@<last year of its data>), whose panel at the same year differs
BACKTEST_CACHE = "~backtest"


def as_parents(regions: pd.DataFrame | dict[str, str] | None) -> dict[str, str]:
    """region -> parent from a regions.csv frame (or a ready mapping); empty without one."""
    if regions is None:
        return {}
    return parents_of(regions) if isinstance(regions, pd.DataFrame) else dict(regions)


def _fit_workers(workers: int, settings: BacktestSettings) -> int:
    # nutpie already samples two chains at a time in threads: one fit fills two cores
    return max(1, workers // 2) if settings.pooled.sampler == "nutpie" else max(1, workers)


def pooled_indicators(units: list[SeriesUnit], model: str, parents: dict[str, str]
                      ) -> set[str]:
    """The indicators the pooled model backtests: all for `bayes`; for `auto` those that
    ``choice.choose_models`` pools (several regions linked by the hierarchy)."""
    series: dict[str, dict[str, np.ndarray]] = {}
    for u in units:
        if transform_for(u.indicator, u.values).name != "identity":
            series.setdefault(u.indicator.id, {})[u.region] = u.values
    indicators = sorted({u.indicator.id for u in units})
    choice = choose_models(indicators, series, parents, "auto" if model == "counts" else model)
    as_counts = {u.indicator.id for u in units if counted(u.indicator, u.values, model)}
    return {ind for ind, c in choice.items() if c.model == "bayes"} | as_counts


def origin_panels(name: str, cuts: list[Cut], settings: BacktestSettings,
                  parents: dict[str, str]) -> tuple[dict[str, Panel | CountPanel], set[str]]:
    """The panels one indicator's cuts at one origin are fitted on, by fit name: the pooled
    model's of the continuous series, the count model's of the counted ones; and the regions
    counted. With `auto` a count panel larger than the pooled model's ``large_panel`` (national
    scale) is fitted as continuous series, as a run chooses (``fitting.plan_stage``)."""
    if not cuts:
        return {}, set()
    indicator = cuts[0].unit.indicator
    whole = [c for c in cuts if counted(indicator, c.train, settings.model)]
    count_panel = build_count_panel(indicator.id, {c.unit.region: c.train for c in whole},
                                    parents, indicator.flow) if whole else None
    if count_panel is not None and settings.model == "auto" \
            and count_panel.n_nodes > settings.pooled.large_panel:
        whole, count_panel = [], None
    counted_ids = {id(c) for c in whole}
    rest = [c for c in cuts if id(c) not in counted_ids]
    panels: dict[str, Panel | CountPanel] = {}
    if rest:
        series = {c.unit.region: c.transform.continuous().forward(c.train) for c in rest}
        rounding = {c.unit.region: c.transform.rounding_sd(c.train) for c in rest}
        panels[name] = build_panel(indicator.id, series, parents, rounding=rounding)
    if count_panel is not None:
        panels[fit_name(name, counts=True)] = count_panel
    return panels, {c.unit.region for c in whole}


def backtest_indicator(units: list[SeriesUnit], settings: BacktestSettings,
                       parents: dict[str, str], pool=None, cache_dir: Path | None = None
                       ) -> tuple[list[Cut], list[dict], list[pd.DataFrame], list[dict],
                                  list[dict]]:
    """Fit one indicator's panel at each of its origins and score its series there.

    Returns the scored cuts, metrics rows, threshold events, calibration points and one
    diagnostics row per fit.
    """
    indicator = units[0].indicator
    cuts_by_origin: dict[int, list[Cut]] = {}
    panels = {}
    as_counts: dict[int, set[str]] = {}
    for origin in origin_years(units, settings):
        cuts = [c for c in (cut_at(u, origin, settings) for u in units)
                if len(c.train) >= 1 and c.transform.name != "identity"]
        cuts_by_origin[origin] = cuts
        made, as_counts[origin] = origin_panels(f"{indicator.id}@{origin}", cuts, settings,
                                                parents)
        panels.update(made)
    requests = [FitRequest(name, f"{name}{BACKTEST_CACHE}", panel)
                for name, panel in panels.items()]
    fits = fit_requests(requests, settings.pooled, settings.seed, pool, cache_dir)
    fitted = {r.name: (fits[r.cache_name].posterior, fits[r.cache_name].diagnostics)
              for r in requests}
    scored, metrics, events, points, fits = [], [], [], [], []
    for origin, cuts in cuts_by_origin.items():
        for counts in (False, True):
            key = fit_name(f"{indicator.id}@{origin}", counts)
            if key in panels:
                panel = panels[key]
                fits.append({"indicator": indicator.id, "origin": origin, "counts": counts,
                             "regions": panel.n_nodes, "changes": len(panel.obs_value)
                             if counts else len(panel.change), **fitted[key][1]})
        for c in cuts:
            if not c.scored:
                continue
            if c.unit.region in as_counts[origin]:
                counts_post = fitted[fit_name(f"{indicator.id}@{origin}", True)][0]
                request = c.request(counts=counts_post.for_region(c.unit.region, len(c.train)))
            else:
                z = c.transform.forward(c.train)
                posterior = fitted[f"{indicator.id}@{origin}"][0]
                request = c.request(posterior=posterior.for_region(
                    c.unit.region, float(z[-1] - z[-2]), len(z)))
            future = simulate_future(request, "bayes", len(c.actual), settings.draws,
                                     settings.seed, settings.calibration, stream=(str(origin),))
            row, ev, pts = score_cut(c, future)
            scored.append(c)
            metrics.append(row)
            events.append(ev)
            points += pts
    return scored, metrics, events, points, fits


def run_panel_backtest(units: list[SeriesUnit], settings: BacktestSettings, workers: int = 1,
                       progress: Callable[[int], None] | None = None,
                       regions: pd.DataFrame | dict[str, str] | None = None,
                       cache_dir: Path | None = None) -> BacktestResult:
    """Backtest `bayes` or `auto` on every unit, rows in the order of the units.

    `auto` backtests the indicators it would not pool with `trend`
    (``single.run_single_backtest``), so where there is no hierarchy its result is exactly
    trend's. ``cache_dir`` keeps each (indicator, origin) fit (as
    ``<indicator>@<origin>~backtest``), so a second backtest with another calibration, or the
    next run's own-data check, refits nothing.
    """
    parents = as_parents(regions)
    pooled = pooled_indicators(units, settings.model, parents)
    single = [u for u in units if u.indicator.id not in pooled]
    if not pooled:
        return run_single_backtest(single, replace(settings, model="trend"), workers, progress)
    parts = [run_single_backtest(single, replace(settings, model="trend"), workers, progress)] \
        if single else []
    by_indicator: dict[str, list[SeriesUnit]] = {}
    for u in units:
        if u.indicator.id in pooled:
            by_indicator.setdefault(u.indicator.id, []).append(u)
    metrics, events, points, fits = [], [], [], []
    seen: set[tuple[str, str]] = set()
    with executor("local", _fit_workers(workers, settings)) as pool:
        for ind, ind_units in sorted(by_indicator.items()):
            start = time.perf_counter()
            scored, m, e, p, f = backtest_indicator(ind_units, settings, parents, pool,
                                                    cache_dir)
            metrics += m
            events += e
            points += p
            fits += [{**row, "indicator_seconds": round(time.perf_counter() - start, 1)}
                     for row in f]
            seen.update((c.unit.region, ind) for c in scored)
            if progress:
                progress(len(ind_units))
    skipped = sum((u.region, u.indicator.id) not in seen for u in units
                  if u.indicator.id in pooled)
    parts.append(BacktestResult(
        pd.DataFrame(metrics), pd.concat(events, ignore_index=True) if events
        else pd.DataFrame(), pd.DataFrame(points), skipped, pd.DataFrame(fits)))
    return in_unit_order(parts, units)
