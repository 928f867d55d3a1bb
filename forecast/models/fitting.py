"""Stage one of a run with the pooled model: the panels of the indicators it pools, and their
fits.

Pooling needs every region of an indicator before any region can be simulated, so a run with
`bayes` (or `auto`) first fits one model per indicator, each a unit of work on the run's
executor, then the region units simulate from the fitted posteriors. Fits go through the
workspace's posterior cache (``models/posteriors/``): the driver reads and writes it, workers
only sample, so a remote cluster needs no shared disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.config import posterior_file
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.regions import parents_of
from forecast.inputs.series import SeriesTable, usable_history
from forecast.models.choice import ModelChoice, choose_models, count_choice, counted
from forecast.models.convergence import ESS_MIN, R_HAT_MAX, convergence_problems
from forecast.models.counts.fit import count_diagnostics, sample_counts
from forecast.models.counts.fit import fit_key as count_fit_key
from forecast.models.counts.panel import CountPanel, build_count_panel
from forecast.models.counts.posterior import CountPosterior, counts_from_idata
from forecast.models.hierarchy.cache import load_cached, save_cached
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.approx import fit_approx
from forecast.models.pooled.draws import PooledPosterior
from forecast.models.pooled.inference import diagnostics, fit_key, sample, used_levels
from forecast.models.pooled.panel import Panel, build_panel
from forecast.models.pooled.posterior import from_idata
from forecast.models.transforms import transform_for
from forecast.streams import stable_key

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


def _fit_key(panel: Panel | CountPanel, settings: PooledSettings, seed: int) -> str:
    if isinstance(panel, CountPanel):
        return count_fit_key(panel, settings, seed)
    return fit_key(panel, settings, seed)


def _diagnostics(panel: Panel | CountPanel, idata) -> dict:
    if isinstance(panel, CountPanel):
        return count_diagnostics(idata)
    return diagnostics(idata, used_levels(panel))


def _posterior(panel: Panel | CountPanel, idata, diag: dict):
    if isinstance(panel, CountPanel):
        return counts_from_idata(idata, diag)
    return from_idata(idata, diag)


@dataclass(frozen=True)
class FitJob:
    """One indicator's fit: a picklable unit of work for any executor."""

    panel: Panel | CountPanel
    settings: PooledSettings
    seed: int

    def __call__(self, _: object = None):
        start = time.perf_counter()
        if isinstance(self.panel, CountPanel):
            idata = sample_counts(self.panel, self.settings, self.seed)
            return idata, count_diagnostics(idata), time.perf_counter() - start
        if self.settings.uses_approx(self.panel.n_nodes):
            idata = fit_approx(self.panel, self.settings, self.seed)
        else:
            idata = sample(self.panel, self.settings, self.seed)
        diag = diagnostics(idata, used_levels(self.panel))
        return idata, diag, time.perf_counter() - start


def _run_job(job: FitJob):
    return job()


def fit_seed(seed: int, indicator: str) -> int:
    return stable_key(str(seed), "bayes-fit", indicator) % (2**31)


def fit_pooled(panels: dict[str, Panel | CountPanel], settings: PooledSettings, seed: int,
               executor=None, cache_dir: Path | None = None,
               on_fit: Callable[[str, dict, bool, int], None] | None = None,
               data_years: dict[str, int] | None = None
               ) -> dict[str, tuple[PooledPosterior | CountPosterior, dict]]:
    """Posterior of each panel (pooled or count model, by its type): from the cache where its
    key matches, else sampled on the executor (in this process when None) and cached.

    Fits on data up to different years (a run and its mid-term review's look back at the base
    year) are cached side by side, as ``<indicator>@<last year of its data>.nc`` when
    ``data_years`` gives that year."""
    years = data_years or {}
    name = lambda ind: f"{ind}@{years[ind]}" if ind in years else ind  # noqa: E731
    out, jobs = {}, []
    for ind, panel in sorted(panels.items()):
        s = fit_seed(seed, ind)
        key = _fit_key(panel, settings, s)
        idata = load_cached(posterior_file(cache_dir, name(ind)), key) if cache_dir else None
        if idata is not None:
            diag = _diagnostics(panel, idata)
            out[ind] = (_posterior(panel, idata, diag), {**diag, "cached": True})
            if on_fit:
                on_fit(ind, diag, True, len(panels))
        else:
            jobs.append((ind, FitJob(panel, settings, s)))
    runner = map if executor is None else executor.map
    for (ind, _), (idata, diag, seconds) in zip(jobs, runner(_run_job, [j for _, j in jobs]),
                                                strict=True):
        if cache_dir:
            save_cached(idata, posterior_file(cache_dir, name(ind)))
        diag = {**diag, "cached": False, "seconds": round(seconds, 1)}
        out[ind] = (_posterior(panels[ind], idata, diag), diag)
        if on_fit:
            on_fit(ind, diag, False, len(panels))
    return out


def fit_stage(table: SeriesTable, catalogue: Catalogue, regions: pd.DataFrame | None,
              indicators: list[str], model: str, settings: PooledSettings, seed: int,
              executor=None, cache_dir: Path | None = None,
              on_fit: Callable[[str, dict, bool, int], None] | None = None) -> PooledFits:
    """Choose the model of each indicator a run needs, and fit the pooled and count ones.

    Series that ``model`` simulates as counts (``counted``) go to the count model of their
    indicator; the others are chosen for as before (`counts` treats them as `auto` does)."""
    parents = parents_of(regions)
    series, rounding = pooled_series(table, catalogue, indicators)
    small = count_series(table, catalogue, indicators, model)
    for ind, regions_counted in small.items():
        for region in regions_counted:
            series[ind].pop(region, None)
            rounding[ind].pop(region, None)
    choice = choose_models(sorted(indicators), series, parents,
                           "auto" if model == "counts" else model)
    for ind, regions_counted in small.items():
        choice[ind] = count_choice(choice.get(ind), catalogue[ind], len(regions_counted), model,
                                   whole=not series[ind])
    ends = series_ends(table, indicators)
    panels: dict[str, Panel | CountPanel] = {
        ind: build_panel(ind, series[ind], parents, ends[ind], rounding[ind])
        for ind, c in choice.items() if c.model == "bayes" and series[ind]}
    for ind, regions_counted in small.items():
        panels[fit_name(ind, counts=True)] = build_count_panel(
            ind, regions_counted, parents, flow=catalogue[ind].flow)
    data_years = {ind: max(ends[ind][r] for r in series[ind]) for ind in panels
                  if not ind.endswith(COUNTS)}
    data_years.update({fit_name(ind, counts=True): max(ends[ind][r] for r in counted)
                       for ind, counted in small.items()
                       if fit_name(ind, counts=True) in panels})
    fitted = fit_pooled(panels, settings, seed, executor, cache_dir, on_fit, data_years)
    return PooledFits(
        choice, {ind: post for ind, (post, _) in fitted.items() if not ind.endswith(COUNTS)},
        panels, {ind: diag for ind, (_, diag) in fitted.items()},
        {ind.removesuffix(COUNTS): post for ind, (post, _) in fitted.items()
         if ind.endswith(COUNTS)})


def poor(diag: dict) -> list[str]:
    """What is wrong with a fit's convergence, in words (empty when it is fine)."""
    words = {"r_hat": lambda: f"R-hat {diag['r_hat_max']:.4f} > {R_HAT_MAX}",
             "ess": lambda: f"bulk ESS {diag['ess_bulk_min']:.0f} < {ESS_MIN}",
             "divergences": lambda: f"{diag['divergences']} divergent transitions"}
    return [words[k]() for k in convergence_problems(diag)]
