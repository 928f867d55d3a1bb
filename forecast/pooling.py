"""Stage one of a run with the pooled model: which indicators to pool, and their fits.

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

from forecast.catalogue import Catalogue
from forecast.dataset import SeriesTable
from forecast.models.pooled.inference import (
    PooledSettings,
    diagnostics,
    fit_key,
    sample,
    used_levels,
)
from forecast.models.pooled.panel import Panel, build_panel
from forecast.models.pooled.posterior import (
    PooledPosterior,
    cache_file,
    from_idata,
    load_cached,
    save_cached,
)
from forecast.simulate import stable_key, usable_history
from forecast.transforms import transform_for

POOLED_MODELS = ("bayes", "auto")
AUTO_MIN_REGIONS = 3  # `auto` pools an indicator observed (2+ points) in at least this many
#                       regions linked by regions.csv; with fewer, `trend` is used


@dataclass(frozen=True)
class ModelChoice:
    model: str  # "bayes" or the single-series model
    reason: str


@dataclass
class PooledFits:
    """What stage one hands to stage two, and what the run reports about it."""

    choice: dict[str, ModelChoice] = field(default_factory=dict)
    posteriors: dict[str, PooledPosterior] = field(default_factory=dict)
    panels: dict[str, Panel] = field(default_factory=dict)
    fits: dict[str, dict] = field(default_factory=dict)  # diagnostics per indicator


def parents_of(regions: pd.DataFrame | None) -> dict[str, str]:
    """region -> parent region from regions.csv (roots and unknown regions are left out)."""
    if regions is None or "parent" not in regions:
        return {}
    pairs = zip(regions["region"].astype(str), regions["parent"].fillna("").astype(str),
                strict=True)
    return {r: p.strip() for r, p in pairs if p.strip()}


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


def choose_models(indicators: list[str], series: dict[str, dict[str, np.ndarray]],
                  parents: dict[str, str], model: str, fallback: str = "trend"
                  ) -> dict[str, ModelChoice]:
    """The model of each indicator and why. `bayes` pools every indicator; `auto` pools those
    with several regions in the hierarchy, as the provincial backtests favour (BENCHMARKS.md)."""
    out = {}
    for ind in indicators:
        regions = series.get(ind, {})
        n = sum(len(z) >= 2 for z in regions.values())
        linked = sum(r in parents for r in regions)
        if model == "bayes":
            out[ind] = ModelChoice("bayes", f"--model bayes: pooled over {len(regions)} "
                                   f"region(s) of the tree")
        elif n >= AUTO_MIN_REGIONS and linked >= AUTO_MIN_REGIONS:
            out[ind] = ModelChoice("bayes", f"{n} regions with 2+ points, linked by "
                                   "regions.csv: the pooled model (in the provincial backtests "
                                   "it beats trend on every indicator)")
        else:
            if not regions:
                why = "no series in the workspace"
            elif n < AUTO_MIN_REGIONS:
                why = f"{n} region(s) with 2+ points, fewer than {AUTO_MIN_REGIONS}"
            else:
                why = "no hierarchy in regions.csv linking its regions"
            out[ind] = ModelChoice(fallback, f"{why}: nothing to pool, {fallback} used")
    return out


@dataclass(frozen=True)
class FitJob:
    """One indicator's fit: a picklable unit of work for any executor."""

    panel: Panel
    settings: PooledSettings
    seed: int

    def __call__(self, _: object = None):
        start = time.perf_counter()
        if self.settings.uses_approx(self.panel.n_nodes):
            from forecast.models.pooled.approx import fit_approx

            idata = fit_approx(self.panel, self.settings, self.seed)
        else:
            idata = sample(self.panel, self.settings, self.seed)
        diag = diagnostics(idata, used_levels(self.panel))
        return idata, diag, time.perf_counter() - start


def _run_job(job: FitJob):
    return job()


def fit_seed(seed: int, indicator: str) -> int:
    return stable_key(str(seed), "bayes-fit", indicator) % (2**31)


def fit_pooled(panels: dict[str, Panel], settings: PooledSettings, seed: int,
               executor=None, cache_dir: Path | None = None,
               on_fit: Callable[[str, dict, bool, int], None] | None = None
               ) -> dict[str, tuple[PooledPosterior, dict]]:
    """Posterior of each panel: from the cache where its key matches, else sampled on the
    executor (in this process when None) and written to the cache."""
    out, jobs = {}, []
    for ind, panel in sorted(panels.items()):
        s = fit_seed(seed, ind)
        key = fit_key(panel, settings, s)
        idata = load_cached(cache_file(cache_dir, ind), key) if cache_dir else None
        if idata is not None:
            diag = diagnostics(idata, used_levels(panel))
            out[ind] = (from_idata(idata, diag), {**diag, "cached": True})
            if on_fit:
                on_fit(ind, diag, True, len(panels))
        else:
            jobs.append((ind, FitJob(panel, settings, s)))
    runner = map if executor is None else executor.map
    for (ind, _), (idata, diag, seconds) in zip(jobs, runner(_run_job, [j for _, j in jobs]),
                                                strict=True):
        if cache_dir:
            save_cached(idata, cache_file(cache_dir, ind))
        diag = {**diag, "cached": False, "seconds": round(seconds, 1)}
        out[ind] = (from_idata(idata, diag), diag)
        if on_fit:
            on_fit(ind, diag, False, len(panels))
    return out


def fit_stage(table: SeriesTable, catalogue: Catalogue, regions: pd.DataFrame | None,
              indicators: list[str], model: str, settings: PooledSettings, seed: int,
              executor=None, cache_dir: Path | None = None,
              on_fit: Callable[[str, dict, bool, int], None] | None = None) -> PooledFits:
    """Choose the model of each indicator a run needs, and fit the pooled ones."""
    parents = parents_of(regions)
    series, rounding = pooled_series(table, catalogue, indicators)
    choice = choose_models(sorted(indicators), series, parents, model)
    ends = series_ends(table, indicators)
    panels = {ind: build_panel(ind, series[ind], parents, ends[ind], rounding[ind])
              for ind, c in choice.items() if c.model == "bayes" and series[ind]}
    fitted = fit_pooled(panels, settings, seed, executor, cache_dir, on_fit)
    return PooledFits(choice, {ind: post for ind, (post, _) in fitted.items()}, panels,
                      {ind: diag for ind, (_, diag) in fitted.items()})


def poor(diag: dict) -> list[str]:
    """What is wrong with a fit's convergence, in words (empty when it is fine)."""
    out = []
    if diag.get("r_hat_max", 1.0) > 1.01:
        out.append(f"R-hat {diag['r_hat_max']:.4f} > 1.01")
    if diag.get("ess_bulk_min", 1e9) < 400:
        out.append(f"bulk ESS {diag['ess_bulk_min']:.0f} < 400")
    if diag.get("divergences", 0) > 0:
        out.append(f"{diag['divergences']} divergent transitions")
    return out
