"""NUTS for the hierarchical models, with one compiled-model cache for the process.

Compiling a model is the expensive step (numba for nutpie, C for PyMC), so a process keeps one
compiled model per model structure, keyed by the model and its padded sizes (``bucket``), and
swaps each fit's data in (``with_data``): a run whose indicators are of about the same size
compiles once per model, whether the fit is a run's, a review's look back or a backtest's.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

import numpy as np

from forecast.models.hierarchy.settings import PooledSettings


def year_bucket(n: int) -> int:
    """The padded year count: the next power of two, at least 32."""
    return max(32, 1 << (max(n, 1) - 1).bit_length())


def bucket(n: int) -> int:
    """The padded node count for ``n`` nodes: the next power of two, at least 64 (so small
    panels share one compiled model)."""
    return max(64, 1 << (max(n, 1) - 1).bit_length())


_COMPILED: dict[tuple, object] = {}  # (model, padded sizes...) -> compiled nutpie model


def quiet_pymc() -> None:
    for name in ("pymc", "pymc.sampling.mcmc", "pytensor", "nutpie", "arviz"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="pymc|pytensor|arviz|nutpie|numba")


def nutpie_sample(key: tuple, build: Callable[[], object], data: dict[str, np.ndarray],
                  settings: PooledSettings, seed: int, **options):
    """nutpie's NUTS on the compiled model of ``key`` (compiled from ``build()`` the first
    time), with ``data`` swapped in; ``options`` go to ``nutpie.sample``."""
    import nutpie

    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = nutpie.compile_pymc_model(build())
        _COMPILED[key] = compiled
    # a model reads only some of the arrays (no previous years without persistence)
    compiled = compiled.with_data(**{k: v for k, v in data.items() if k in compiled.shared_data})
    return nutpie.sample(compiled, draws=settings.draws, tune=settings.tune,
                         chains=settings.chains, cores=min(settings.chains, 2), seed=seed,
                         progress_bar=False, target_accept=settings.target_accept, **options)


def pymc_sample(model, settings: PooledSettings, seed: int):
    """PyMC's own NUTS, in one process: a fit may itself run on a worker process, which
    cannot fork further."""
    import pymc as pm

    return pm.sample(draws=settings.draws, tune=settings.tune, chains=settings.chains, cores=1,
                     random_seed=seed, target_accept=settings.target_accept,
                     progressbar=False, compute_convergence_checks=False, model=model)


def convergence(parts: list, idata) -> dict:
    """R-hat max, bulk ESS min over the variables of ``parts`` (posterior datasets), and the
    fit's divergences, chains and draws."""
    import arviz as az

    rhat = [az.rhat(part) for part in parts]
    ess = [az.ess(part, method="bulk") for part in parts]
    # a variable fixed by construction (no year shock for a lone region) has no R-hat: skip it
    r_all = np.concatenate([np.ravel(r[v].values) for r in rhat for v in r.data_vars])
    e_all = np.concatenate([np.ravel(e[v].values) for e in ess for v in e.data_vars])
    post = idata.posterior
    return {
        "r_hat_max": round(float(np.nanmax(r_all)), 4),
        "ess_bulk_min": round(float(np.nanmin(e_all)), 1),
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "chains": int(post.sizes["chain"]), "draws": int(post.sizes["draw"]),
    }
