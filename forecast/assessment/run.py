"""assess(inputs, settings) -> one row per target and scenario: the probability it is met,
and why; with the achievable values, the progress and the diagnostics of the run.

Pure: no files, no printing, no clock. The API reads the workspace, calls ``assess`` and
writes the outputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.assessment.confidence import with_confidence
from forecast.assessment.layout import (
    batches,
    check_scenarios_against,
    data_needed,
    needed_indicators,
    observed,
    observed_series,
    region_work,
    run_targets,
)
from forecast.assessment.outcomes import plan_outcomes
from forecast.assessment.region import AssessBatch
from forecast.assessment.rows import COLUMNS
from forecast.assessment.settings import Settings
from forecast.assessment.stored import run_record
from forecast.inputs.catalogue import Indicator
from forecast.inputs.plans import Target
from forecast.inputs.plausibility import flag_notes, implausible
from forecast.inputs.regions import unknown_plan_region_notes, unknown_region_notes
from forecast.inputs.series import SeriesTable, data_quality_notes
from forecast.inputs.workspace import Inputs
from forecast.models.fit_jobs import Fitted
from forecast.models.fitting import PooledFits, fit_stage, plan_stage
from forecast.models.registry import POOLED_MODELS
from forecast.simulation.simulate import SeriesResult
from forecast.targets.achievable import COLUMNS as SUGGESTION_COLUMNS
from forecast.targets.outcomes import COLUMNS as OUTCOME_COLUMNS
from forecast.targets.progress import COLUMNS as PROGRESS_VALUES

PROGRESS_COLUMNS = ["plan_id", "target_id", "region", "indicator", "kind", "year", "base_year",
                    *PROGRESS_VALUES]


@dataclass
class Assessment:
    rows: pd.DataFrame
    series: dict[str, dict] = field(default_factory=dict)  # "region|indicator" -> diagnostics
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    data_needed: pd.DataFrame = field(default_factory=pd.DataFrame)
    models: dict[str, dict] = field(default_factory=dict)  # indicator -> model and why
    fits: dict[str, dict] = field(default_factory=dict)  # indicator -> pooled fit diagnostics
    # per target and scenario, the values met with 50/80/90% probability
    suggestions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=SUGGESTION_COLUMNS))
    # per target, what the data say of its progress since its base year
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=PROGRESS_COLUMNS))
    dependence: dict[str, dict] = field(default_factory=dict)  # "a~b" -> correlation used
    # per plan and scenario: how many targets are met, all of them, the binding ones
    plan_outcomes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=OUTCOME_COLUMNS))
    # with ``settings.paths``: the run's work as paths.parquet keeps it (``stored``)
    stored: dict | None = None


def fit_indicators(inputs: Inputs, settings: Settings, table: SeriesTable) -> list[str]:
    """The indicators a run fits: a pooled posterior serves only the series the run
    simulates, so only indicators of which a target's region has data (its own, or the
    components of a formula indicator)."""
    wanted = {(t.region, ind) for t in run_targets(inputs)
              for ind in needed_indicators([t], inputs.catalogue, settings.derived_indicators,
                                           settings.follows_components)}
    return sorted({ind for key in table.keys if key in wanted for ind in key[1:]})


def planned_fits(inputs: Inputs, settings: Settings) -> list:
    """The fits (``fitting.FitRequest``) a run of ``inputs`` with ``settings`` needs."""
    if settings.model not in POOLED_MODELS:
        return []
    table = observed_series(inputs, settings.as_of)
    return plan_stage(table, inputs.catalogue, inputs.regions,
                      fit_indicators(inputs, settings, table), settings.model,
                      settings.pooled).requests


def pooled_fits(inputs: Inputs, settings: Settings, table: SeriesTable, executor=None,
                on_fit: Callable[[str, dict, bool, int], None] | None = None,
                fitted: Fitted | None = None) -> PooledFits | None:
    """Stage one: with `bayes` or `auto`, the model of each needed indicator and the pooled
    fits (from ``fitted``, the posterior cache, or sampled: on ``executor``, else grouped by
    model structure on ``settings.fit_workers`` processes)."""
    if settings.model not in POOLED_MODELS:
        return None
    return fit_stage(table, inputs.catalogue, inputs.regions,
                     fit_indicators(inputs, settings, table), settings.model,
                     settings.pooled, settings.seed, executor, settings.cache_dir, on_fit,
                     fitted, settings.fit_workers)


def assess(inputs: Inputs, settings: Settings, executor=None,
           progress: Callable[[int], None] | None = None,
           on_start: Callable[[int], None] | None = None,
           batch_series: int | None = None,
           on_fit: Callable[[str, dict, bool, int], None] | None = None,
           check_scenarios: bool = True, fitted: Fitted | None = None,
           on_paths: Callable[[tuple[SeriesResult, ...]], None] | None = None) -> Assessment:
    """Fit, simulate and assess every target of every plan, under the baseline and every
    scenario of ``settings``.

    With `bayes` or `auto`, stage one fits the pooled model of each indicator (a unit of work
    each). Then the work is a map over region units, run by ``executor`` (anything with a
    ``concurrent.futures``-style ``map``: a process pool, Dask's ``Client.get_executor()``;
    in-process when None), followed by putting the rows back in plan order. Every unit draws
    from its own random streams, so the result is the same on every executor.
    ``on_fit(indicator, diagnostics, cached, n_fits)``, ``on_start(n_series)`` and
    ``progress(n)`` let a caller report progress; ``batch_series`` sets how many series a
    task simulates (default: about 1/16 of the run, between 20 and 200). ``fitted`` holds
    fits already made for this run (``prefit.fit_all``). With ``settings.paths`` every
    unit's simulated series go to ``on_paths`` as they come back, in region order (the run
    folder's paths.parquet), and ``Assessment.stored`` holds the rest of what a replay needs.
    """
    table = observed_series(inputs, settings.as_of)
    fits = pooled_fits(inputs, settings, table, executor, on_fit, fitted)
    run = region_work(inputs, settings, fits, table)
    if check_scenarios and settings.scenarios:
        check_scenarios_against(run, settings, inputs)
    n_series = sum(len(u.requests) for u in run.units)
    if on_start:
        on_start(n_series)
    size = batch_series or max(20, min(200, n_series // 16 + 1))
    work = batches(run.units, max_series=size)
    runner = map if executor is None else executor.map
    n_scenarios = len(settings.scenario_ids)
    rows: list[dict | None] = [None] * (len(run.targets) * n_scenarios)
    suggestions: list[list[dict]] = [[] for _ in rows]
    progress_rows: list[dict | None] = [None] * len(run.targets)
    series: dict[str, dict] = {}
    met: dict[int, object] = {}
    leads: dict[tuple[str, str], np.ndarray] = {}
    for batch, outcomes in zip(work, runner(AssessBatch(settings), work), strict=True):
        for outcome in outcomes:
            for pos, row in outcome.rows:
                rows[pos] = row
            for pos, rec in outcome.suggestions:
                suggestions[pos] = rec
            for pos, rec in outcome.progress:
                progress_rows[pos] = rec
            met.update(outcome.met)
            leads.update(((plan_id, region), scores)
                         for plan_id, region, scores in outcome.leads)
            series.update(outcome.series)
            if on_paths and outcome.simulated:
                on_paths(outcome.simulated)
        if progress:
            progress(sum(len(u.requests) for u in batch))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("year", "base_year", "last_year"):
        frame[col] = frame[col].astype("Int64")
    flags = implausible(observed(inputs, settings.as_of), inputs.catalogue)
    frame = with_confidence(frame, series, inputs.catalogue,
                            Counter(ind for _, ind in run.table.keys),
                            set(zip(flags["region"], flags["indicator"], strict=True)))
    quality = pd.concat([
        data_quality_notes(run.table), flag_notes(flags, inputs.catalogue),
        unknown_region_notes(run.table.keys, inputs.regions),
        unknown_plan_region_notes([(p.id, t.region, t.indicator) for p in inputs.plans
                                   for t in p.targets], inputs.regions,
                                  set(inputs.observations["region"].astype(str)))],
        ignore_index=True).sort_values(["region", "indicator"], kind="stable")
    models = {} if fits is None else {
        ind: {"model": c.model, "reason": c.reason} for ind, c in sorted(fits.choice.items())}
    return Assessment(
        frame, dict(sorted(series.items())), quality.reset_index(drop=True),
        data_needed(run.missing, run.assessable, inputs.catalogue), models,
        {} if fits is None else dict(sorted(fits.fits.items())),
        pd.DataFrame([r for rec in suggestions for r in rec], columns=SUGGESTION_COLUMNS),
        progress_frame(run.targets, progress_rows),
        {f"{a}~{b}": {"rho": d.rho, "pairs": d.pairs, "regions": d.regions}
         for (a, b), d in sorted(run.dependence.items())},
        plan_outcomes(run.targets, met, list(settings.scenario_ids), settings.draws,
                      leads, run.common_shocks, settings.seed),
        run_record(run, settings, run_catalogue(run, inputs.catalogue))
        if settings.paths else None)


def run_catalogue(run, catalogue) -> dict[str, Indicator]:
    """The catalogue entries of the indicators a run simulates, derives or its targets name."""
    out = {r.indicator.id: r.indicator for u in run.units for r in u.requests}
    out.update({d.indicator.id: d.indicator for u in run.units for d in u.derived})
    out.update({ind: catalogue[ind] for t in run.targets
                for ind in (t.indicator, t.other_indicator) if ind and ind in catalogue})
    return out


def progress_frame(targets: list[Target], rows: list[dict | None]) -> pd.DataFrame:
    """One row per target with simulated or observed data: its progress since its base."""
    out = []
    for t, rec in zip(targets, rows, strict=True):
        if rec is None:
            continue
        out.append({"plan_id": t.plan_id, "target_id": t.id, "region": t.region,
                    "indicator": t.indicator, "kind": t.kind, "year": t.year,
                    "base_year": t.base_year, **rec})
    frame = pd.DataFrame(out, columns=PROGRESS_COLUMNS)
    for col in ("year", "base_year", "last_year"):
        frame[col] = frame[col].astype("Int64")
    return frame
