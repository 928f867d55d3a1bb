"""How far a draft agrees with a reviewed plan: precision and recall of the targets read.

A target is compared by what a run assesses: (value, year, kind, op). For whole-number
counts, "more than n" and "at least n + 1" are the same target (零的突破 read as > 0 is the
reviewed plan's >= 1). The benchmark of ``forecast extract`` on the seed plans and the test
suite both use this, and a planner can use it to see how much review changed a draft.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from forecast.extract.units import family

Key = tuple[float | None, int | None, str, str | None]


def target_key(value: Any, year: Any, kind: str, op: str | None, unit: str | None) -> Key:
    """The comparable form of a target."""
    v = None if value is None else round(float(value), 6)
    if v is not None and op == ">" and family(unit) == "count" and float(v).is_integer():
        v, op = v + 1, ">="
    return (v, None if year is None else int(year), kind, op)


@dataclass(frozen=True)
class Agreement:
    """Targets in both, in the draft only and in the reviewed plan only."""

    matched: int
    drafted: int
    reviewed: int
    missed: tuple[Key, ...]
    extra: tuple[Key, ...]

    @property
    def precision(self) -> float:
        return self.matched / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.reviewed if self.reviewed else 1.0


def agreement(drafted: Iterable[Key], reviewed: Iterable[Key]) -> Agreement:
    """Precision and recall of drafted target keys against reviewed ones (as multisets)."""
    d, r = Counter(drafted), Counter(reviewed)
    both = d & r
    return Agreement(sum(both.values()), sum(d.values()), sum(r.values()),
                     tuple(sorted((r - d).elements(), key=str)),
                     tuple(sorted((d - r).elements(), key=str)))


def plan_keys(targets: Iterable[dict[str, Any]]) -> list[Key]:
    """Keys of a plan file's targets (the mappings under ``targets:``)."""
    return [target_key(t.get("value"), t.get("year"), t.get("kind", "level"), t.get("op"),
                       t.get("unit")) for t in targets]
