"""One fit of a hierarchical model as a unit of work, and the fits a run asks for.

A fit is identified by its request (name, data, settings, seed: ``fit_requests``); it is read
from an earlier stage of the run or the workspace's posterior cache when the key matches, else
sampled. A fit that has not converged is drawn again with stricter settings
(``FitJob``). Fits of one model structure share a compiled model, and without an executor
different structures run side by side (``fit_groups``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from forecast.config import posterior_file
from forecast.models.convergence import RETRY_ACCEPT, RETRY_TUNE, needs_retry
from forecast.models.counts.fit import count_diagnostics, sample_counts
from forecast.models.counts.fit import fit_key as count_fit_key
from forecast.models.counts.fit import structure as count_structure
from forecast.models.counts.panel import CountPanel
from forecast.models.counts.posterior import CountPosterior, counts_from_idata
from forecast.models.fit_groups import run_grouped
from forecast.models.hierarchy.cache import load_cached, save_cached
from forecast.models.hierarchy.samplers import FitTimes
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.approx import fit_approx
from forecast.models.pooled.draws import PooledPosterior
from forecast.models.pooled.inference import diagnostics, fit_key, sample, used_levels
from forecast.models.pooled.inference import structure as pooled_structure
from forecast.models.pooled.panel import Panel
from forecast.models.pooled.posterior import from_idata
from forecast.streams import stable_key


def _fit_key(panel: Panel | CountPanel, settings: PooledSettings, seed: int) -> str:
    if isinstance(panel, CountPanel):
        return count_fit_key(panel, settings, seed)
    return fit_key(panel, settings, seed)


def _diagnostics(panel: Panel | CountPanel, idata) -> dict:
    if isinstance(panel, CountPanel):
        return count_diagnostics(idata)
    return diagnostics(idata, used_levels(panel))


def stored_diagnostics(panel: Panel | CountPanel, idata) -> dict:
    """A cached fit's diagnostics as they were when it was made (computed again for a file
    written without them)."""
    text = idata.posterior.attrs.get("diagnostics")
    return json.loads(text) if text else _diagnostics(panel, idata)


def _posterior(panel: Panel | CountPanel, idata, diag: dict):
    if isinstance(panel, CountPanel):
        return counts_from_idata(idata, diag)
    return from_idata(idata, diag)


def stricter(settings: PooledSettings) -> PooledSettings:
    """The settings of a fit's next attempt: smaller steps (fewer divergences), longer
    tuning, and up to twice the draws (a spread between regions that mixes slowly, as GDP's
    does, needs more draws to agree across chains; drawing still stops once it does)."""
    return replace(settings, target_accept=max(RETRY_ACCEPT, settings.target_accept),
                   tune=max(2 * settings.tune, RETRY_TUNE), draws=2 * settings.draws)


@dataclass(frozen=True)
class FitJob:
    """One indicator's fit: a picklable unit of work for any executor. A fit that has not
    converged (``needs_retry``) is drawn again, up to ``settings.retries`` times, with
    ``stricter`` settings and a seed of its own; the diagnostics say how many attempts it
    took."""

    panel: Panel | CountPanel
    settings: PooledSettings
    seed: int

    @property
    def cost(self) -> int:
        """What orders the fits handed out to processes, costliest first: the observations
        (a pooled panel's yearly changes, a count panel's counts)."""
        if isinstance(self.panel, CountPanel):
            return len(self.panel.obs_value)
        return len(self.panel.change)

    def __call__(self, _: object = None):
        start, times = time.perf_counter(), FitTimes()
        idata, diag = self._attempt(self.settings, self.seed, times)
        attempts, settings = 1, self.settings
        # the national approximation is not drawn again: a second attempt would double a run
        # of thousands of regions, and its diagnostics are those of its sub-panel
        retries = 0 if self._approx(self.settings) else self.settings.retries
        while needs_retry(diag) and attempts <= retries:
            settings = stricter(settings)
            seed = stable_key(str(self.seed), "retry", str(attempts)) % (2**31)
            idata, diag = self._attempt(settings, seed, times)
            attempts += 1
        # the fit answers the request it was asked for: the cache finds it by that key
        diag = {**diag, "attempts": attempts}
        idata.posterior.attrs["key"] = _fit_key(self.panel, self.settings, self.seed)
        # kept with the draws: a cached fit is not diagnosed again (R-hat and ESS of every
        # parameter took most of the time of reading it back)
        idata.posterior.attrs["diagnostics"] = json.dumps(diag, sort_keys=True)
        return idata, diag, times, time.perf_counter() - start

    def _approx(self, settings: PooledSettings) -> bool:
        return not isinstance(self.panel, CountPanel) and settings.uses_approx(
            self.panel.n_nodes)

    def _attempt(self, settings: PooledSettings, seed: int, times: FitTimes):
        if isinstance(self.panel, CountPanel):
            idata = sample_counts(self.panel, settings, seed, times)
            return idata, count_diagnostics(idata)
        panel = self.panel.recent(settings.window)
        if self._approx(settings):
            idata = fit_approx(panel, settings, seed, times=times)
        else:
            idata = sample(panel, settings, seed, times)
        return idata, diagnostics(idata, used_levels(panel))


def fit_seed(seed: int, indicator: str) -> int:
    return stable_key(str(seed), "bayes-fit", indicator) % (2**31)


@dataclass(frozen=True)
class FitRequest:
    """A fit a run needs: its name (the seed comes from it), the name of its cache file
    (``<name>@<last year of its data>``) and its data."""

    name: str
    cache_name: str
    panel: Panel | CountPanel


@dataclass(frozen=True)
class Fit:
    """A fitted posterior with the key of the request it answers and its diagnostics."""

    key: str
    posterior: PooledPosterior | CountPosterior
    diagnostics: dict


Fitted = dict[str, Fit]  # cache name -> fit: what a run's fit stage hands to its later stages


def structure(panel: Panel | CountPanel, settings: PooledSettings) -> tuple:
    """The compiled model that fits ``panel``: fits of one structure share it."""
    if isinstance(panel, CountPanel):
        return count_structure(panel, settings)
    return pooled_structure(panel, settings)


def fit_requests(requests: list[FitRequest], settings: PooledSettings, seed: int,
                 executor=None, cache_dir: Path | None = None,
                 on_fit: Callable[[str, dict, bool, int], None] | None = None,
                 fitted: Fitted | None = None, workers: int = 1) -> Fitted:
    """The fit of each request: from ``fitted`` (an earlier stage of the run) or the cache
    where the key matches, else sampled and cached. Without an executor, fits of model
    structures this process has not compiled run side by side on up to ``workers``
    processes (``fit_groups``); each fit draws from its own seed, so where it ran never
    changes its bytes."""
    out: Fitted = {}
    todo: list[tuple[FitRequest, str, FitJob]] = []
    unique = sorted({r.cache_name: r for r in requests}.values(), key=lambda r: r.cache_name)
    for req in unique:
        s = fit_seed(seed, req.name)
        key = _fit_key(req.panel, settings, s)
        known = (fitted or {}).get(req.cache_name)
        if known is not None and known.key == key:
            out[req.cache_name] = known
            continue
        idata = load_cached(posterior_file(cache_dir, req.cache_name), key) if cache_dir \
            else None
        if idata is not None:
            diag = {**stored_diagnostics(req.panel, idata), "cached": True}
            out[req.cache_name] = Fit(key, _posterior(req.panel, idata, diag), diag)
            if on_fit:
                on_fit(req.name, diag, True, len(unique))
        else:
            todo.append((req, key, FitJob(req.panel, settings, s)))
    jobs = [job for _, _, job in todo]
    results = (enumerate(executor.map(_run_job, jobs)) if executor is not None
               else run_grouped(jobs, lambda job: structure(job.panel, settings), workers,
                                lambda job: job.cost))
    for i, (idata, diag, times, seconds) in results:
        req, key, _ = todo[i]
        if cache_dir:
            save_cached(idata, posterior_file(cache_dir, req.cache_name))
        diag = {**diag, "cached": False, "seconds": round(seconds, 1),
                "compile_seconds": round(times.compile, 2), "tune_seconds": round(times.tune, 2),
                "draw_seconds": round(times.draw, 2)}
        out[req.cache_name] = Fit(key, _posterior(req.panel, idata, diag), diag)
        if on_fit:
            on_fit(req.name, diag, False, len(unique))
    return dict(sorted(out.items()))


def _run_job(job: FitJob):
    return job()


def cache_name(name: str, year: int | None) -> str:
    """The name of a fit's cache file: fits on data up to different years (a run and its
    mid-term review's look back at the base year) are cached side by side."""
    return name if year is None else f"{name}@{year}"
