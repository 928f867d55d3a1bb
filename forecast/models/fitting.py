"""Stage one of a run with the pooled model: the panels of the indicators it pools, and their
fits.

Pooling needs every region of an indicator before any region can be simulated, so a run with
`bayes` (or `auto`) first fits one model per indicator, each a unit of work on the run's
executor, then the region units simulate from the fitted posteriors. Fits go through the
workspace's posterior cache (``models/posteriors/``): the driver reads and writes it, workers
only sample, so a remote cluster needs no shared disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.inputs.catalogue import Catalogue
from forecast.inputs.regions import parents_of
from forecast.inputs.series import SeriesTable, usable_history
from forecast.models.choice import ModelChoice, choose_models, count_choice, counted
from forecast.models.convergence import ESS_MIN, R_HAT_MAX, convergence_problems
from forecast.models.counts.panel import CountPanel, build_count_panel
from forecast.models.counts.posterior import CountPosterior
from forecast.models.fit_jobs import FitRequest, Fitted, cache_name, fit_requests
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.draws import PooledPosterior
from forecast.models.pooled.panel import Panel, build_panel
from forecast.models.transforms import transform_for

COUNTS = "~counts"  # suffix of a count fit's name (its cache file, its diagnostics)


@dataclass
class PooledFits:
    """What stage one hands to stage two, and what the run reports about it."""

    choice: dict[str, ModelChoice] = field(default_factory=dict)
    posteriors: dict[str, PooledPosterior] = field(default_factory=dict)
    panels: dict[str, Panel | CountPanel] = field(default_factory=dict)
    fits: dict[str, dict] = field(default_factory=dict)  # diagnostics per fit name
    counts: dict[str, CountPosterior] = field(default_factory=dict)  # small counts' fits


Series = dict[str, dict[str, np.ndarray]]  # indicator -> region -> values


def pooled_series(table: SeriesTable, catalogue: Catalogue, indicators: set[str] | list[str]
                  ) -> tuple[Series, Series]:
    """indicator -> region -> its most recent consecutive run on the model scale, and the sd of
    each value's rounding error there (non-zero for counts: ``Transform.rounding_sd``).

    Series that need the identity scale (an amount with values <= 0) cannot share a log scale
    with the others and stay out of the pool."""
    wanted = set(indicators)
    out: Series = {ind: {} for ind in sorted(wanted)}
    rounding: Series = {ind: {} for ind in sorted(wanted)}
    for k, (region, ind_id) in enumerate(table.keys):
        if ind_id not in wanted:
            continue
        _, values, _ = usable_history(*table.series(k))
        transform = transform_for(catalogue[ind_id], values)
        if transform.name != "identity":
            out[ind_id][region] = transform.continuous().forward(values)
            rounding[ind_id][region] = transform.rounding_sd(values)
    return out, rounding


def count_series(table: SeriesTable, catalogue: Catalogue, indicators: set[str] | list[str],
                 model: str) -> Series:
    """indicator -> region -> the most recent consecutive run of the series that ``model``
    simulates as counts (``counted``)."""
    wanted = set(indicators)
    out: Series = {}
    for k, (region, ind_id) in enumerate(table.keys):
        if ind_id not in wanted:
            continue
        _, values, _ = usable_history(*table.series(k))
        if counted(catalogue[ind_id], values, model):
            out.setdefault(ind_id, {})[region] = values
    return out


def series_ends(table: SeriesTable, indicators: set[str] | list[str]
                ) -> dict[str, dict[str, int]]:
    """indicator -> region -> the year of its last observation (when its shocks happened)."""
    wanted = set(indicators)
    out: dict[str, dict[str, int]] = {ind: {} for ind in sorted(wanted)}
    for k, (region, ind_id) in enumerate(table.keys):
        if ind_id in wanted:
            out[ind_id][region] = int(table.series(k)[0][-1])
    return out


def model_series(table: SeriesTable, catalogue: Catalogue, indicator: str
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every region's most recent consecutive run of ``indicator`` on the model scale, and
    its values' rounding sd."""
    series, rounding = pooled_series(table, catalogue, [indicator])
    return series[indicator], rounding[indicator]


def fit_name(indicator: str, counts: bool = False) -> str:
    """The name of a fit in the cache and the diagnostics: the indicator, plus a suffix for
    the count model of its small series."""
    return f"{indicator}{COUNTS}" if counts else indicator


def fit_pooled(panels: dict[str, Panel | CountPanel], settings: PooledSettings, seed: int,
               executor=None, cache_dir: Path | None = None,
               on_fit: Callable[[str, dict, bool, int], None] | None = None,
               data_years: dict[str, int] | None = None, fitted: Fitted | None = None,
               workers: int = 1) -> dict[str, tuple[PooledPosterior | CountPosterior, dict]]:
    """Posterior and diagnostics of each panel (pooled or count model, by its type), by its
    name (``fit_requests``); cached as ``<name>@<year>.nc`` when ``data_years`` gives the
    last year of its data."""
    years = data_years or {}
    requests = [FitRequest(name, cache_name(name, years.get(name)), panel)
                for name, panel in panels.items()]
    fits = fit_requests(requests, settings, seed, executor, cache_dir, on_fit, fitted, workers)
    return {r.name: (fits[r.cache_name].posterior, fits[r.cache_name].diagnostics)
            for r in requests}


@dataclass(frozen=True)
class FitPlan:
    """The models chosen for a run's indicators and the fits they need."""

    choice: dict[str, ModelChoice]
    panels: dict[str, Panel | CountPanel]  # by fit name
    requests: list[FitRequest]


def plan_stage(table: SeriesTable, catalogue: Catalogue, regions: pd.DataFrame | None,
               indicators: list[str], model: str,
               settings: PooledSettings | None = None) -> FitPlan:
    """Choose the model of each indicator a run needs, and the pooled and count fits.

    Series that ``model`` simulates as counts (``counted``) go to the count model of their
    indicator; the others are chosen for as before (`counts` treats them as `auto` does).
    With `auto`, an indicator whose count panel has more nodes than ``settings.large_panel``
    (national scale, where the pooled model is approximated) is chosen for as a continuous
    one: the count model has no approximation, and NUTS on 3,000 counties' stocks would take
    many times the rest of the run (131 counties' stocks alone take minutes)."""
    parents = parents_of(regions)
    series, rounding = pooled_series(table, catalogue, indicators)
    small = count_series(table, catalogue, indicators, model)
    settings = settings or PooledSettings()
    ends = series_ends(table, indicators)
    count_panels = {ind: build_count_panel(ind, counted, parents, catalogue[ind].flow,
                                           {r: ends[ind][r] for r in counted})
                    for ind, counted in small.items()}
    small = {ind: counted for ind, counted in small.items()
             if model != "auto" or count_panels[ind].n_nodes <= settings.large_panel}
    for ind, regions_counted in small.items():
        for region in regions_counted:
            series[ind].pop(region, None)
            rounding[ind].pop(region, None)
    choice = choose_models(sorted(indicators), series, parents,
                           "auto" if model == "counts" else model)
    for ind, regions_counted in small.items():
        choice[ind] = count_choice(choice.get(ind), catalogue[ind], len(regions_counted), model,
                                   whole=not series[ind])
    panels: dict[str, Panel | CountPanel] = {
        ind: build_panel(ind, series[ind], parents, ends[ind], rounding[ind])
        for ind, c in choice.items() if c.model == "bayes" and series[ind]}
    for ind in small:
        panels[fit_name(ind, counts=True)] = count_panels[ind]
    data_years = {ind: max(ends[ind][r] for r in series[ind]) for ind in panels
                  if not ind.endswith(COUNTS)}
    data_years.update({fit_name(ind, counts=True): max(ends[ind][r] for r in counted)
                       for ind, counted in small.items()
                       if fit_name(ind, counts=True) in panels})
    return FitPlan(choice, panels, [FitRequest(name, cache_name(name, data_years[name]), panel)
                                    for name, panel in panels.items()])


def fit_stage(table: SeriesTable, catalogue: Catalogue, regions: pd.DataFrame | None,
              indicators: list[str], model: str, settings: PooledSettings, seed: int,
              executor=None, cache_dir: Path | None = None,
              on_fit: Callable[[str, dict, bool, int], None] | None = None,
              fitted: Fitted | None = None, workers: int = 1) -> PooledFits:
    """Stage one of a run: the models chosen (``plan_stage``) and their fits (from
    ``fitted``, the cache, or sampled: ``fit_requests``)."""
    plan = plan_stage(table, catalogue, regions, indicators, model, settings)
    fits = fit_requests(plan.requests, settings, seed, executor, cache_dir, on_fit, fitted,
                        workers)
    by_name = {r.name: fits[r.cache_name] for r in plan.requests}
    return PooledFits(
        plan.choice,
        {ind: f.posterior for ind, f in by_name.items() if not ind.endswith(COUNTS)},
        plan.panels, {ind: f.diagnostics for ind, f in sorted(by_name.items())},
        {ind.removesuffix(COUNTS): f.posterior for ind, f in by_name.items()
         if ind.endswith(COUNTS)})


def poor(diag: dict) -> list[str]:
    """What is wrong with a fit's convergence, in words (empty when it is fine)."""
    words = {"r_hat": lambda: f"R-hat {diag['r_hat_max']:.4f} > {R_HAT_MAX}",
             "ess": lambda: "ESS {:.0f} < {}".format(
                 min(diag["ess_bulk_min"], diag.get("ess_tail_min", np.inf)), ESS_MIN),
             "divergences": lambda: f"{diag['divergences']} divergent transitions"}
    return [words[k]() for k in convergence_problems(diag)]
