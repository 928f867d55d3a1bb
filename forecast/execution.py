"""Where work units run: in this process, a pool of worker processes, or a Dask cluster.

The orchestration only sees a ``concurrent.futures``-style ``map`` (a process pool, or Dask's
``Client.get_executor()``); results come back in the order of the units, and every unit draws
from its own random streams, so outputs never depend on which worker ran what.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

from forecast.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


def _one_blas_thread() -> None:
    # Each worker fits small models: BLAS threads only contend for the cores.
    threadpool_limits(1)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def map_units(fn: Callable[[T], R], units: Iterable[T], workers: int = 1,
              chunksize: int = 1) -> Iterator[R]:
    """``fn`` over ``units``, in order; in-process when ``workers`` is 1."""
    if workers <= 1:
        yield from map(fn, units)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_blas_thread) as pool:
        yield from pool.map(fn, units, chunksize=chunksize)


ENGINES = ("local", "dask")
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"  # the environment variable naming a cluster


@contextmanager
def executor(engine: str = "local", workers: int | None = None,
             scheduler: str | None = None) -> Iterator[Any]:
    """The executor a run maps its work units over; None means in this process.

    - ``local``: in-process with 1 worker, else a process pool of ``workers``;
    - ``dask``: Dask distributed. ``scheduler`` names an existing cluster (the interface
      falls back to ``DASK_SCHEDULER_ADDRESS``); without one a LocalCluster of ``workers``
      processes is started for the run and closed after it. Dask is an optional extra:
      ``pip install forecast[dask]``.
    """
    if engine == "local":
        if workers is None or workers <= 1:
            yield None
            return
        with ProcessPoolExecutor(max_workers=workers, initializer=_one_blas_thread) as pool:
            yield pool
        return
    if engine != "dask":
        raise InputError(f"unknown engine {engine!r}", column="--engine",
                         fix=f"use one of {', '.join(ENGINES)}")
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise InputError("Dask is not installed", column="--engine",
                         fix="pip install 'forecast[dask]'") from exc
    address = scheduler
    with ExitStack() as stack:
        if address:
            try:
                client = stack.enter_context(Client(address, timeout="20s"))
            except OSError as exc:
                raise InputError(f"cannot reach the Dask scheduler at {address} ({exc})",
                                 column="--scheduler",
                                 fix="check the address, or leave --scheduler out for a "
                                 "LocalCluster") from exc
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        client.run(_one_blas_thread)
        yield client.get_executor()
