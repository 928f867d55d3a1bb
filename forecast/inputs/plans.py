"""Plans and their targets, read from ``data/plans/*.yaml`` (see docs/plan-encoding.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast.errors import InputError
from forecast.files import read_yaml
from forecast.inputs.catalogue import Catalogue

TARGET_KINDS = ("level", "growth", "cagr", "cumulative", "change", "relative", "qualitative")
OPS = (">=", ">", "<=", "<", "between")


@dataclass(frozen=True)
class Target:
    """One stated target of a plan."""

    plan_id: str
    id: str
    region: str
    indicator: str
    kind: str
    text: str
    op: str | None = None
    value: float | None = None
    value_hi: float | None = None
    year: int | None = None
    base_year: int | None = None
    unit: str | None = None
    each_year: bool = False
    other_indicator: str | None = None
    aspirational: bool = False
    wording: str | None = None
    note: str | None = None

    @property
    def assessable_kind(self) -> bool:
        return self.kind != "qualitative"


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    region: str
    period: tuple[int, int]
    base_year: int | None
    source: str | None
    published: str | None
    targets: tuple[Target, ...]
    file: Path


def _number(raw: Any, path: Path, where: str, column: str) -> float | None:
    if raw is None:
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {column} {raw!r} is not a number", file=path, column=column,
                         fix="write a plain number") from None


def _target(raw: dict[str, Any], plan: dict[str, Any], catalogue: Catalogue, path: Path,
            index: int) -> Target:
    where = f"target {index} ({raw.get('id', '?')})"

    def need(key: str, fix: str) -> Any:
        if raw.get(key) is None:
            raise InputError(f"{where} has no {key}", file=path, column=key, fix=fix)
        return raw[key]

    tid = str(need("id", "give each target a unique id such as rd-intensity"))
    kind = str(raw.get("kind", "level"))
    if kind not in TARGET_KINDS:
        raise InputError(f"{where}: unknown kind {kind!r}", file=path, column="kind",
                         fix=f"use one of {', '.join(TARGET_KINDS)}")
    indicator = str(need("indicator", "name the indicator id from the catalogue"))
    for key in ("indicator", "other_indicator"):
        name = raw.get(key)
        if name is not None and name not in catalogue:
            raise InputError(f"{where}: unknown indicator {name!r}", file=path, column=key,
                             fix="use an id from the catalogue or add it to data/indicators.yaml")
    target = dict(
        plan_id=str(plan["id"]),
        id=tid,
        region=str(raw.get("region") or plan["region"]),
        indicator=indicator,
        kind=kind,
        text=str(raw.get("text", "")),
        unit=raw.get("unit"),
        aspirational=bool(raw.get("aspirational", False)),
        wording=raw.get("wording"),
        note=raw.get("note"),
        other_indicator=raw.get("other_indicator"),
        each_year=bool(raw.get("each_year", False)),
    )
    if kind == "qualitative":
        return Target(**target, year=raw.get("year"))
    op = str(need("op", "write op: '>=' (or >, <=, <, between)"))
    if op not in OPS:
        raise InputError(f"{where}: unknown op {op!r}", file=path, column="op",
                         fix=f"use one of {', '.join(OPS)}")
    value = _number(need("value", "give the target value"), path, where, "value")
    value_hi = _number(raw.get("value_hi"), path, where, "value_hi")
    if op == "between" and value_hi is None:
        raise InputError(f"{where}: op between needs value_hi", file=path, column="value_hi",
                         fix="give the upper end of the range as value_hi")
    year = int(need("year", "give the year by which the target is to be met"))
    base_year = raw.get("base_year", plan.get("base_year"))
    if kind in ("cagr", "cumulative", "change") or raw.get("each_year"):
        if base_year is None:
            raise InputError(f"{where}: kind {kind} needs a base_year", file=path,
                             column="base_year", fix="give base_year in the target or the plan")
        if int(base_year) >= year:
            raise InputError(f"{where}: base_year {base_year} is not before year {year}",
                             file=path, column="base_year", fix="check the years")
    if kind == "cumulative" and not catalogue[indicator].flow:
        raise InputError(f"{where}: cumulative target on {indicator}, which is not a flow",
                         file=path, column="kind", fix="use kind level or change for a stock")
    if kind == "relative" and not raw.get("other_indicator"):
        raise InputError(f"{where}: kind relative needs other_indicator", file=path,
                         column="other_indicator", fix="name the indicator it is compared with")
    return Target(**target, op=op, value=value, value_hi=value_hi, year=year,
                  base_year=None if base_year is None else int(base_year))


def read_plan(path: Path, catalogue: Catalogue) -> Plan:
    """One plan file, validated against the catalogue."""
    return parse_plan(read_yaml(path), catalogue, path)


def parse_plan(doc: Any, catalogue: Catalogue, source: Path) -> Plan:
    """A plan held in memory (the mapping a plan file holds), validated against the
    catalogue; errors name ``source``, the file or document it came from."""
    path = source
    if not isinstance(doc, dict) or "plan" not in doc:
        raise InputError("no 'plan:' section", file=path, fix="start the file with plan: and id:")
    plan = doc["plan"]
    for key in ("id", "region"):
        if not plan.get(key):
            raise InputError(f"plan has no {key}", file=path, column=key,
                             fix=f"add {key}: under plan:")
    raw_targets = doc.get("targets") or []
    targets = [_target(t, plan, catalogue, path, i) for i, t in enumerate(raw_targets, 1)]
    ids = [t.id for t in targets]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    if dups:
        raise InputError(f"target id {dups[0]!r} is used twice", file=path, column="id",
                         fix="give every target of a plan its own id")
    period = plan.get("period") or [None, None]
    published = plan.get("published")
    return Plan(
        id=str(plan["id"]),
        title=str(plan.get("title", plan["id"])),
        region=str(plan["region"]),
        period=(period[0], period[-1]),
        base_year=plan.get("base_year"),
        source=plan.get("source"),
        published=published.isoformat() if isinstance(published, dt.date) else published,
        targets=tuple(targets),
        file=path,
    )


def read_plans(folder: Path, catalogue: Catalogue) -> list[Plan]:
    """Every plan in a workspace's ``data/plans/``, sorted by plan id; ids must be unique."""
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    plans = [read_plan(f, catalogue) for f in files]
    seen: dict[str, Path] = {}
    for p in plans:
        if p.id in seen:
            raise InputError(f"plan id {p.id!r} is also used by {seen[p.id].name}", file=p.file,
                             column="id", fix="give every plan a unique id")
        seen[p.id] = p.file
    return sorted(plans, key=lambda p: p.id)
