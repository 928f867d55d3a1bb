"""Fits side by side on the machine's cores.

Where every model structure a run needs is already compiled on disk
(``hierarchy.compiled``), a process loads it in a second or two, so the fits are shared out
one by one over child processes, the costliest first, and the cores finish together. Where a
structure has still to be compiled (15-20 s in every process that samples it: a fresh
machine), the fits of one structure stay in one process, which compiles it once: the groups
are spread over child processes, the largest staying here, so the pooled model compiles and
samples here while the count models compile beside it. Both only in a process that has
compiled nothing yet (`forecast run`): what a child compiled dies with it, so a process that
already holds compiled models (a notebook's second run, the test suite) fits everything
itself and keeps what it compiles.

Each fit draws from its own seed, so where it ran never changes its bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import as_completed
from typing import TypeVar

from forecast.execution import process_pool
from forecast.models.hierarchy.samplers import compiled_any, is_compiled, loads_quickly

R = TypeVar("R")


def _run_group(jobs: Sequence[Callable[[], R]]) -> list[R]:
    return [job() for job in jobs]


def groups_of(keys: Sequence[tuple]) -> list[list[int]]:
    """The positions of equal structure keys, largest group first (ties: first seen)."""
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    return sorted(groups.values(), key=lambda idx: (-len(idx), idx[0]))


def run_grouped(jobs: Sequence[Callable[[], R]], structure: Callable[[object], tuple],
                workers: int = 1, cost: Callable[[object], float] | None = None,
                loads: Callable[[tuple], bool] = loads_quickly) -> Iterator[tuple[int, R]]:
    """(position, result) of every job. With ``workers`` > 1 in a process that has compiled
    no model yet: when every ``structure`` ``loads`` quickly (compiled on disk), the jobs go
    one by one to ``workers`` child processes, the highest ``cost`` first; otherwise the jobs
    of one structure run in one process, all groups but the largest in up to ``workers`` - 1
    child processes while this one works through the largest."""
    keys = [structure(job) for job in jobs]
    fresh = not any(is_compiled(key) for key in keys) and not compiled_any()
    if workers > 1 and fresh and len(jobs) > 1 and all(loads(key) for key in set(keys)):
        yield from _shared_out(jobs, workers, cost)
        return
    groups = groups_of(keys)
    away = groups[1:] if workers > 1 and fresh else []  # the largest group stays here
    here = [idx for idx in groups if idx not in away]
    if not away:
        for idx in here:
            for i in idx:
                yield i, jobs[i]()
        return
    with process_pool(min(workers - 1, len(away))) as pool:
        futures = [pool.submit(_run_group, [jobs[i] for i in idx]) for idx in away]
        for idx in here:
            for i in idx:
                yield i, jobs[i]()
        for idx, future in zip(away, futures, strict=True):
            yield from zip(idx, future.result(), strict=True)


def handout_order(jobs: Sequence[object], cost: Callable[[object], float] | None) -> list[int]:
    """The positions of ``jobs``, highest ``cost`` first (ties, or no cost: as given)."""
    return sorted(range(len(jobs)), key=lambda i: (-cost(jobs[i]) if cost else 0, i))


def _shared_out(jobs: Sequence[Callable[[], R]], workers: int,
                cost: Callable[[object], float] | None) -> Iterator[tuple[int, R]]:
    """Every job in a child process, handed out in order of ``cost`` (highest first) to the
    first child that is free; results as they finish."""
    order = handout_order(jobs, cost)
    with process_pool(min(workers, len(jobs))) as pool:
        futures = {pool.submit(jobs[i]): i for i in order}
        for future in as_completed(futures):
            yield futures[future], future.result()
