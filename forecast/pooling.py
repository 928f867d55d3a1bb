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

from forecast.catalogue import Catalogue, Indicator
from forecast.dataset import SeriesTable
from forecast.models.counts.fit import count_diagnostics, sample_counts
from forecast.models.counts.fit import fit_key as count_fit_key
from forecast.models.counts.panel import CountPanel, build_count_panel
from forecast.models.counts.posterior import CountPosterior, counts_from_idata
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

POOLED_MODELS = ("bayes", "auto", "counts")
AUTO_MIN_REGIONS = 3  # `auto` pools an indicator observed (2+ points) in at least this many
#                       regions linked by regions.csv; with fewer, `trend` is used
SMALL_COUNT = 100  # `auto` models a count series as counts when no value exceeds this
#                    (decided by the simulated backtests in BENCHMARKS.md)
STOCK_CAP = 1000  # the largest stock the count model's exact sum over exits is used for
COUNTS = "~counts"  # suffix of a count fit's name (its cache file, its diagnostics)


@dataclass(frozen=True)
class ModelChoice:
    model: str  # "bayes" or the single-series model
    reason: str


@dataclass
class PooledFits:
    """What stage one hands to stage two, and what the run reports about it."""

    choice: dict[str, ModelChoice] = field(default_factory=dict)
    posteriors: dict[str, PooledPosterior] = field(default_factory=dict)
    panels: dict[str, Panel | CountPanel] = field(default_factory=dict)
    fits: dict[str, dict] = field(default_factory=dict)  # diagnostics per fit name
    counts: dict[str, CountPosterior] = field(default_factory=dict)  # small counts' fits


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


def counted(indicator: Indicator, values: np.ndarray, model: str) -> bool:
    """Whether ``model`` simulates this series as counts: with `counts` every series of a count
    indicator (a stock up to ``STOCK_CAP``), with `auto` those whose values are all at most
    ``SMALL_COUNT``; never with `bayes` or the single-series models. Counts with an upper
    bound (a rank among 170 zones) are not counts of events and stay on their logit scale."""
    if indicator.kind != "count" or np.isfinite(indicator.upper) or indicator.lower != 0:
        return False
    values = np.asarray(values, dtype=float)
    if len(values) == 0 or np.any(values < 0) or np.any(values != np.round(values)):
        return False
    if model == "counts":
        return indicator.flow or values.max() <= STOCK_CAP
    return model == "auto" and values.max() <= SMALL_COUNT


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


def count_choice(choice: ModelChoice | None, indicator: Indicator, n: int, model: str,
                 whole: bool) -> ModelChoice:
    """The choice of an indicator some of whose series are counts, and why."""
    what = "a flow: negative-binomial counts" if indicator.flow else \
        "a stock: whole entries less exits, never below 0"
    why = (f"{n} series simulated as counts ({what}, rates pooled over the tree); "
           + ("--model counts" if model == "counts" else
              f"values up to {SMALL_COUNT}, where counts beat the log-scale models in the "
              "simulated backtests (BENCHMARKS.md)"))
    if whole or choice is None:
        return ModelChoice("counts", why)
    return ModelChoice(choice.model, f"{choice.reason}; the other {why}")


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
        idata = load_cached(cache_file(cache_dir, name(ind)), key) if cache_dir else None
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
            save_cached(idata, cache_file(cache_dir, name(ind)))
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
    out = []
    if diag.get("r_hat_max", 1.0) > 1.01:
        out.append(f"R-hat {diag['r_hat_max']:.4f} > 1.01")
    if diag.get("ess_bulk_min", 1e9) < 400:
        out.append(f"bulk ESS {diag['ess_bulk_min']:.0f} < 400")
    if diag.get("divergences", 0) > 0:
        out.append(f"{diag['divergences']} divergent transitions")
    return out
