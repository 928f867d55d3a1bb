"""NUTS for the hierarchical models, with one compiled-model cache for the process.

Compiling a model is the expensive step (numba for nutpie, C for PyMC), so a process keeps one
compiled model per model structure, keyed by the model and its padded sizes (``bucket``), and
swaps each fit's data in (``with_data``): a run whose indicators are of about the same size
compiles once per model, whether the fit is a run's, a review's look back or a backtest's.
The compiled models are also kept on disk (``compiled``): a new process loads each structure
in a few seconds instead of compiling it for 15–20 s (BENCHMARKS.md, "Fits in seconds").

nutpie draws until the answer is good enough (``CHECKPOINT``): every chain's first k draws
do not depend on how long the sampler ran, so stopping at the first checkpoint k where the
draws pass ``good`` gives the same bytes on every machine.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from forecast.models.hierarchy.compiled import compile_model, on_disk
from forecast.models.hierarchy.settings import PooledSettings


def year_bucket(n: int) -> int:
    """The padded year count: the next power of two, at least 32."""
    return max(32, 1 << (max(n, 1) - 1).bit_length())


def bucket(n: int) -> int:
    """The padded node count for ``n`` nodes: the next power of two, at least 64 (so small
    panels share one compiled model)."""
    return max(64, 1 << (max(n, 1) - 1).bit_length())


_COMPILED: dict[tuple, object] = {}  # (model, padded sizes...) -> compiled nutpie model
CHECKPOINT = 100  # draws per chain between the checks of whether to stop drawing
FIRST_CHECK = 200  # draws per chain before the first check (fewer say little about R-hat)
POLL = 0.25  # seconds between looks at a running sampler's draws


@dataclass
class FitTimes:
    """Where a fit's seconds went: compiling the model (0 when this process had it), tuning
    and drawing (the sampling time split by the gradient evaluations of each phase), and
    how many draws per chain it kept."""

    compile: float = 0.0
    tune: float = 0.0
    draw: float = 0.0
    draws: int = 0


def is_compiled(key: tuple) -> bool:
    """Whether this process has the compiled model of ``key`` (``nutpie_sample``'s cache;
    PyMC's own compiles are cached on disk and count as compiled)."""
    return key in _COMPILED or key == ("pymc",)


def loads_quickly(key: tuple) -> bool:
    """Whether this process has the compiled model of ``key`` or can load it from disk in a
    second or two (``compiled.on_disk``), rather than compile it for 15-20 s."""
    return is_compiled(key) or on_disk(repr(key))


def compiled_any() -> bool:
    """Whether this process has compiled any model yet."""
    return bool(_COMPILED)


def quiet_pymc() -> None:
    for name in ("pymc", "pymc.sampling.mcmc", "pytensor", "nutpie", "arviz"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="pymc|pytensor|arviz|nutpie|numba")


def nutpie_sample(key: tuple, build: Callable[[], object], data: dict[str, np.ndarray],
                  settings: PooledSettings, seed: int,
                  good: Callable[[object], bool] | None = None, times: FitTimes | None = None,
                  **options):
    """nutpie's NUTS on the compiled model of ``key`` (compiled from ``build()`` the first
    time), with ``data`` swapped in; ``options`` go to ``nutpie.sample``.

    With ``good`` (draws -> whether they answer the question), drawing stops at the first
    checkpoint whose draws are good, or at the first that has a divergence (more draws
    would not remove it), and the draws up to it are returned: at most ``settings.draws``
    per chain. ``times`` receives where the seconds went."""
    import nutpie

    times = times if times is not None else FitTimes()
    compiled = _COMPILED.get(key)
    if compiled is None:
        start = time.perf_counter()
        compiled = compile_model(build(), identity=repr(key))
        times.compile += time.perf_counter() - start
        _COMPILED[key] = compiled
    # a model reads only some of the arrays (no previous years without persistence)
    compiled = compiled.with_data(**{k: v for k, v in data.items() if k in compiled.shared_data})
    start = time.perf_counter()
    # every chain runs at once (threads): a check needs every chain's first k draws
    sampler = nutpie.sample(compiled, draws=settings.draws, tune=settings.tune,
                            chains=settings.chains, cores=settings.chains, seed=seed,
                            progress_bar=False, target_accept=settings.target_accept,
                            blocking=False, **options)
    raw = _until_good(sampler, settings.draws, good)
    _split(raw, time.perf_counter() - start, times)
    return raw


def checkpoints(draws: int) -> list[int]:
    """The draws per chain at which a fit checks whether it can stop: every ``CHECKPOINT``
    from ``FIRST_CHECK``, and the maximum."""
    return [*range(FIRST_CHECK, draws, CHECKPOINT), draws]


def _until_good(sampler, draws: int, good: Callable[[object], bool] | None):
    """The draws of ``sampler`` up to the first good checkpoint (all of them without
    ``good``). Which checkpoint that is depends on the draws alone, never on timing."""
    if good is None:
        return sampler.wait()
    try:
        for k in checkpoints(draws)[:-1]:
            while True:
                start = time.perf_counter()
                seen = sampler.inspect()
                if _finished_draws(seen) >= k:
                    break
                # a look copies every draw so far: look seldom enough that it costs little
                time.sleep(max(POLL, 4 * (time.perf_counter() - start)))
            first = first_draws(seen, k)
            if int(first.sample_stats["diverging"].sum()) > 0 or good(first):
                sampler.cancel()
                return first
        return sampler.wait()
    except BaseException:
        sampler.cancel()
        raise


def _finished_draws(raw) -> int:
    """Draws (after tuning) that every chain has finished: unfinished ones are NaN."""
    if "posterior" not in raw or raw.posterior.sizes.get("draw", 0) == 0:
        return 0
    values = np.asarray(raw.sample_stats["logp"].values, float)  # (chain, draw)
    done = np.isfinite(values).sum(axis=1)
    return int(done.min())


def first_draws(raw, k: int):
    """The first ``k`` draws of every chain (tuning draws kept as they are)."""
    import arviz as az

    groups = {}
    for name in raw.groups():
        group = raw[name]
        groups[name] = group if name.startswith("warmup") else group.isel(draw=slice(0, k))
    return az.InferenceData(**groups)


def _split(raw, seconds: float, times: FitTimes) -> None:
    """Share a sampling's seconds between tuning and drawing by their gradient evaluations."""
    draw = float(raw.sample_stats["n_steps"].sum()) if "n_steps" in raw.sample_stats else 0.0
    tune = (float(raw.warmup_sample_stats["n_steps"].sum())
            if "warmup_sample_stats" in raw.groups() else 0.0)
    share = tune / (tune + draw) if tune + draw > 0 else 0.0
    times.tune += seconds * share
    times.draw += seconds * (1 - share)
    times.draws = int(raw.posterior.sizes["draw"])


def pymc_sample(model, settings: PooledSettings, seed: int, times: FitTimes | None = None):
    """PyMC's own NUTS, in one process: a fit may itself run on a worker process, which
    cannot fork further. PyMC compiles as it samples: its seconds count as drawing."""
    import pymc as pm

    start = time.perf_counter()
    raw = pm.sample(draws=settings.draws, tune=settings.tune, chains=settings.chains, cores=1,
                    random_seed=seed, target_accept=settings.target_accept,
                    progressbar=False, compute_convergence_checks=False, model=model)
    if times is not None:
        times.draw += time.perf_counter() - start
        times.draws = settings.draws
    return raw


def convergence(parts: list, idata) -> dict:
    """R-hat max, bulk and tail ESS min over the variables of ``parts`` (posterior
    datasets), and the fit's divergences, chains and draws."""
    import arviz as az

    def pooled(values: list) -> np.ndarray:
        return np.concatenate([np.ravel(r[v].values) for r in values for v in r.data_vars])

    # a variable fixed by construction (no year shock for a lone region) has no R-hat: skip it
    r_all = pooled([az.rhat(part) for part in parts])
    e_all = pooled([az.ess(part, method="bulk") for part in parts])
    t_all = pooled([az.ess(part, method="tail") for part in parts])
    post = idata.posterior
    return {
        "r_hat_max": round(float(np.nanmax(r_all)), 4),
        "ess_bulk_min": round(float(np.nanmin(e_all)), 1),
        "ess_tail_min": round(float(np.nanmin(t_all)), 1),
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "chains": int(post.sizes["chain"]), "draws": int(post.sizes["draw"]),
    }
