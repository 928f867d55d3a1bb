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
from forecast.inputs.catalogue_schema import IndicatorDoc
from forecast.inputs.schema import validated

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


def _entry(raw: object, source: Path, row: int) -> IndicatorDoc:
    """One raw entry checked against the schema (types strict, the id safe)."""
    name = raw.get("id", "?") if isinstance(raw, dict) else "?"
    return validated(IndicatorDoc, raw, source, (), f"indicator {name!r}", row)


def _bounds(doc: IndicatorDoc, kind: str, base: tuple[float, float] | None,
            source: Path, row: int) -> tuple[float, float]:
    """The entry's lower and upper bounds: as given (``bounds``, or ``lower``/``upper``),
    else ``base`` (the bundled indicator's, for an override), else the kind's default."""
    if base is None:
        base = (0.0, 100.0) if kind == "share" else (0.0, math.inf)
        if kind == "binary":
            base = (0.0, 1.0)
    given = doc.bounds or [doc.lower, doc.upper]
    lower = base[0] if given[0] is None else float(given[0])
    upper = base[1] if given[1] is None else float(given[1])
    if not lower < upper:
        raise InputError(f"indicator {row} ({doc.id}): lower bound {lower:g} is not below the "
                         f"upper bound {upper:g}", file=source, row=row, column="bounds",
                         fix="write bounds: [lower, upper], lower first (null for none)")
    return lower, upper


def _indicator(entry: object, source: Path, row: int) -> Indicator:
    doc = _entry(entry, source, row)
    missing = [k for k in REQUIRED if getattr(doc, k) is None]
    if missing:
        raise InputError(
            f"indicator entry lacks {', '.join(missing)}",
            file=source,
            row=row,
            fix=f"give every entry the fields {', '.join(REQUIRED)}",
        )
    _check_choices(doc, source, row)
    lower, upper = _bounds(doc, doc.kind, None, source, row)
    return Indicator(
        id=doc.id,
        name_zh=doc.name_zh,
        name_en=doc.name_en,
        unit=doc.unit,
        kind=doc.kind,
        flow=doc.flow,
        direction=doc.direction,
        lower=lower,
        upper=upper,
        formula=doc.formula,
        aliases=tuple(doc.aliases or ()),
        aliases_traditional=tuple(doc.aliases_traditional or ()),
    )


def _check_choices(doc: IndicatorDoc, source: Path, row: int) -> None:
    """kind and direction, where given, among those the toolkit knows."""
    if doc.kind is not None and doc.kind not in KINDS:
        raise InputError(
            f"unknown kind {doc.kind!r}",
            file=source,
            row=row,
            column="kind",
            fix=f"use one of {', '.join(KINDS)}",
        )
    if doc.direction is not None and doc.direction not in ("up", "down"):
        raise InputError(
            f"direction must be up or down, not {doc.direction!r}",
            file=source,
            row=row,
            column="direction",
            fix="write direction: up (higher is better) or down",
        )


def _override(base: Indicator, entry: object, source: Path, row: int) -> Indicator:
    """A bundled indicator with the fields a workspace's partial entry gives replaced."""
    doc = _entry(entry, source, row)
    _check_choices(doc, source, row)
    given = doc.model_dump(exclude_unset=True, exclude={"bounds", "lower", "upper"})
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()
              if k in Indicator.__dataclass_fields__}
    kind = fields.get("kind", base.kind)
    keep = (base.lower, base.upper) if kind == base.kind else None
    lower, upper = _bounds(doc, kind, keep, source, row)
    return replace(base, **fields, lower=lower, upper=upper)


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
            base = merged.get(entry.get("id")) if isinstance(entry, dict) else None
            if base is not None and not set(REQUIRED) <= set(entry):
                # a partial entry overrides fields of a bundled indicator
                merged[base.id] = _override(base, entry, path, row)
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
