"""Where work units run: in this process, or in a pool of worker processes.

The orchestration only sees a ``concurrent.futures``-style ``map``; results come back in the
order of the units, so outputs never depend on which worker ran what.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from threadpoolctl import threadpool_limits

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
