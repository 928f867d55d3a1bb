"""Where work units run: in this process, a pool of worker processes, or a Dask cluster.

The orchestration only sees a ``concurrent.futures``-style ``map`` (a process pool, or Dask's
``Client.get_executor()``); results come back in the order of the units, and every unit draws
from its own random streams, so outputs never depend on which worker ran what.
"""

from __future__ import annotations

import ctypes
import importlib.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

from forecast.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _one_blas_thread() -> None:
    # Each worker fits small models: BLAS threads only contend for the cores.
    threadpool_limits(1)


def die_with_parent() -> None:
    """Make this worker process die when the process that started it dies, even by SIGKILL
    (Linux: prctl PR_SET_PDEATHSIG), so no worker outlives its run and keeps writing into a
    folder that was abandoned. Elsewhere a no-op. A worker does not take Ctrl-C itself: the
    run that started it stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the handler a forked CLI installed
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before the prctl
        os._exit(1)


def worker_start() -> None:
    """The initializer of the run's worker processes: die with the run, one BLAS thread."""
    die_with_parent()
    _one_blas_thread()


@contextmanager
def process_pool(workers: int, mp_context=None,
                 initializer: Callable[[], None] = worker_start) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` processes that die with this one. Leaving the block normally
    waits for the work; an exception (an interruption included) cancels what has not
    started and ends the workers at once instead of waiting for every queued unit."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp_context,
                               initializer=initializer)
    try:
        yield pool
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)  # shutdown forgets it
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join(5)
        # the pool's manager thread, seeing its workers gone, ends too: wait for it, or at exit
        # CPython 3.11's wake-up of that thread can race its closing of the wake-up pipe and
        # print "OSError: [Errno 9] Bad file descriptor" after the command's last line
        if manager is not None:
            manager.join(5)
        raise
    pool.shutdown()


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def map_units(fn: Callable[[T], R], units: Iterable[T], workers: int = 1,
              chunksize: int = 1) -> Iterator[R]:
    """``fn`` over ``units``, in order; in-process when ``workers`` is 1."""
    if workers <= 1:
        yield from map(fn, units)
        return
    with process_pool(workers) as pool:
        yield from pool.map(fn, units, chunksize=chunksize)


ENGINES = ("local", "dask")
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"  # the environment variable naming a cluster


def check_engine(engine: str) -> None:
    """Refuse (InputError) an engine this installation cannot run: a command checks it
    before it writes anything."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", column="--engine",
                         fix=f"use one of {', '.join(ENGINES)}")
    if engine == "dask" and importlib.util.find_spec("distributed") is None:
        raise InputError("Dask is not installed", column="--engine",
                         fix="pip install 'forecast[dask]'")


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
        with process_pool(workers) as pool:
            yield pool
        return
    check_engine(engine)
    from distributed import Client, LocalCluster
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
