"""Fits grouped by model structure, side by side on the machine's cores.

Compiling a structure costs about 20 s in every process that samples it
(``hierarchy.samplers``), so the fits of one structure stay in one process, which compiles
it once. In a process that has compiled nothing yet (`forecast run`), the groups are spread
over child processes, the largest staying here: on a fresh run of the bundled example the
pooled model compiles and samples here while the count models compile beside it. What a
child compiled dies with it, so a process that already holds compiled models (a notebook's
second run, the test suite) fits everything itself and keeps what it compiles.

Each fit draws from its own seed, so where it ran never changes its bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from forecast.execution import process_pool
from forecast.models.hierarchy.samplers import compiled_any, is_compiled

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
                workers: int = 1) -> Iterator[tuple[int, R]]:
    """(position, result) of every job; jobs of one ``structure`` run in one process. With
    ``workers`` > 1 in a process that has compiled no model yet, all groups but the largest
    run in up to ``workers`` - 1 child processes while this one works through the
    largest."""
    groups = groups_of([structure(job) for job in jobs])
    fresh = not any(is_compiled(structure(jobs[idx[0]])) for idx in groups) \
        and not compiled_any()
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
