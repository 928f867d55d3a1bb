"""The indicator catalogue: what each indicator measures, its unit, kind, direction and bounds.

Entries live in ``forecast/data/indicators.yaml`` (data, not code). A workspace may add or
override entries with its own ``data/indicators.yaml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import opencc

from forecast.config import CATALOGUE_FILE
from forecast.errors import InputError
from forecast.files import read_yaml

KINDS = ("share", "amount", "count", "ratio", "binary")
REQUIRED = ("id", "name_zh", "name_en", "unit", "kind", "flow", "direction")


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    flow: bool
    direction: str
    lower: float = 0.0
    upper: float = math.inf
    formula: str | None = None
    aliases: tuple[str, ...] = field(default=())
    aliases_traditional: tuple[str, ...] = field(default=())

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "down"


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    return _t2s().convert(text)


def _indicator(entry: dict[str, Any], source: Path, row: int) -> Indicator:
    missing = [k for k in REQUIRED if k not in entry]
    if missing:
        raise InputError(
            f"indicator entry lacks {', '.join(missing)}",
            file=source,
            row=row,
            fix=f"give every entry the fields {', '.join(REQUIRED)}",
        )
    if entry["kind"] not in KINDS:
        raise InputError(
            f"unknown kind {entry['kind']!r}",
            file=source,
            row=row,
            column="kind",
            fix=f"use one of {', '.join(KINDS)}",
        )
    if entry["direction"] not in ("up", "down"):
        raise InputError(
            f"direction must be up or down, not {entry['direction']!r}",
            file=source,
            row=row,
            column="direction",
            fix="write direction: up (higher is better) or down",
        )
    default = (0.0, 100.0) if entry["kind"] == "share" else (0.0, math.inf)
    if entry["kind"] == "binary":
        default = (0.0, 1.0)
    bounds = entry.get("bounds") or [None, None]
    lower = default[0] if bounds[0] is None else float(bounds[0])
    upper = default[1] if bounds[1] is None else float(bounds[1])
    return Indicator(
        id=str(entry["id"]),
        name_zh=str(entry["name_zh"]),
        name_en=str(entry["name_en"]),
        unit=str(entry["unit"]),
        kind=entry["kind"],
        flow=bool(entry["flow"]),
        direction=entry["direction"],
        lower=lower,
        upper=upper,
        formula=entry.get("formula"),
        aliases=tuple(entry.get("aliases") or ()),
        aliases_traditional=tuple(entry.get("aliases_traditional") or ()),
    )


def catalogue_entries(path: Path) -> list[dict[str, Any]]:
    """The raw entries of a catalogue file (a YAML list of mappings)."""
    entries = read_yaml(path, fix="check the indentation") or []
    if not isinstance(entries, list):
        raise InputError("expected a list of indicator entries", file=path,
                         fix="start each entry with '- id:'")
    return entries


class Catalogue:
    """Indicators by id, with lookup by Chinese or English name and alias."""

    def __init__(self, indicators: list[Indicator]):
        self._by_id = {ind.id: ind for ind in indicators}

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self._by_id[indicator_id]

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)

    def lookup(self, name: str) -> Indicator | None:
        """The indicator with this id, name or alias, in simplified or traditional characters.

        Traditional text is converted to simplified first (OpenCC t2s), since traditional
        writers vary in the characters they use (e.g. 占 and 佔).
        """
        if name in self._by_id:
            return self._by_id[name]
        wanted = {name, _to_simplified(name), name.casefold()}
        for ind in self._by_id.values():
            names = (ind.name_zh, ind.name_en.casefold(), *ind.aliases, *ind.aliases_traditional)
            if wanted & set(names):
                return ind
        return None

    def with_generic(self, ids: list[str], kind: str) -> Catalogue:
        """This catalogue plus plain entries of ``kind`` for ids it lacks (for backtests of
        arbitrary yearly series, e.g. `forecast backtest --kind amount`)."""
        if kind not in KINDS:
            raise InputError(f"unknown kind {kind!r}", column="--kind",
                             fix=f"use one of {', '.join(KINDS)}")
        extra = [_indicator({"id": i, "name_zh": i, "name_en": i, "unit": "", "kind": kind,
                             "flow": False, "direction": "up"}, Path("--kind"), 0)
                 for i in ids if i not in self._by_id]
        return Catalogue([*self._by_id.values(), *extra])

    def with_overrides(self, path: Path) -> Catalogue:
        """This catalogue with a workspace's additions and overrides applied."""
        merged = dict(self._by_id)
        for row, entry in enumerate(catalogue_entries(path), start=1):
            base = merged.get(entry.get("id"))
            if base is not None and not set(REQUIRED) <= set(entry):
                # a partial entry overrides fields of a bundled indicator
                fields = {k: v for k, v in entry.items() if k in Indicator.__dataclass_fields__}
                merged[base.id] = replace(base, **fields)
            else:
                ind = _indicator(entry, path, row)
                merged[ind.id] = ind
        return Catalogue(list(merged.values()))


def load_catalogue(workspace_file: Path | None = None) -> Catalogue:
    """The bundled catalogue, plus a workspace's ``indicators.yaml`` when it exists."""
    entries = catalogue_entries(CATALOGUE_FILE)
    catalogue = Catalogue([_indicator(e, CATALOGUE_FILE, i) for i, e in enumerate(entries, 1)])
    if workspace_file is not None and workspace_file.exists():
        catalogue = catalogue.with_overrides(workspace_file)
    return catalogue
