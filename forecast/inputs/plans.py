"""Plans and their targets, read from ``data/plans/*.yaml`` (see docs/plan-encoding.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast.errors import InputError
from forecast.files import read_yaml
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.plan_schema import PlanHead, TargetDoc
from forecast.inputs.schema import validated

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
    binding: bool = False  # 约束性 (binding) rather than 预期性 (expected)
    wording: str | None = None
    note: str | None = None
    name: str | None = None  # display name (Chinese); outputs make one when absent
    name_en: str | None = None  # display name in English

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


def _target(raw: object, plan: PlanHead, catalogue: Catalogue, path: Path,
            index: int) -> Target:
    name = raw.get("id", "?") if isinstance(raw, dict) else "?"
    where = f"target {index} ({name})"
    doc = validated(TargetDoc, raw, path, ("targets", index), where)

    def need(key: str, fix: str) -> Any:
        if getattr(doc, key) is None:
            raise InputError(f"{where} has no {key}", file=path, column=key, fix=fix)
        return getattr(doc, key)

    tid = need("id", "give each target a unique id such as rd-intensity")
    kind = doc.kind
    if kind not in TARGET_KINDS:
        raise InputError(f"{where}: unknown kind {kind!r}", file=path, column="kind",
                         fix=f"use one of {', '.join(TARGET_KINDS)}")
    indicator = need("indicator", "name the indicator id from the catalogue")
    for key in ("indicator", "other_indicator"):
        ind = getattr(doc, key)
        if ind is not None and ind not in catalogue:
            raise InputError(f"{where}: unknown indicator {ind!r}", file=path, column=key,
                             fix="use an id from the catalogue or add it to data/indicators.yaml")
    target = dict(
        plan_id=plan.id,
        id=tid,
        region=doc.region or plan.region,
        indicator=indicator,
        kind=kind,
        text=doc.text,
        name=doc.name or None,
        name_en=doc.name_en or None,
        unit=doc.unit,
        aspirational=doc.aspirational,
        binding=doc.binding,
        wording=doc.wording,
        note=doc.note,
        other_indicator=doc.other_indicator,
        each_year=doc.each_year,
    )
    if kind == "qualitative":
        return Target(**target, year=doc.year)
    op = need("op", "write op: '>=' (or >, <=, <, between)")
    if op not in OPS:
        raise InputError(f"{where}: unknown op {op!r}", file=path, column="op",
                         fix=f"use one of {', '.join(OPS)}")
    value = need("value", "give the target value")
    value_hi = doc.value_hi
    if op == "between":
        if value_hi is None:
            raise InputError(f"{where}: op between needs value_hi", file=path,
                             column="value_hi", fix="give the upper end of the range as value_hi")
        if not value < value_hi:
            raise InputError(f"{where}: op between needs value below value_hi, not {value:g} "
                             f"and {value_hi:g}", file=path, column="value_hi",
                             fix="give the lower end as value and the upper end as value_hi")
    year = need("year", "give the year by which the target is to be met")
    base_year = doc.base_year if doc.base_year is not None else plan.base_year
    if base_year is not None and year < base_year:
        raise InputError(f"{where}: year {year} is before the base year {base_year}", file=path,
                         column="year", fix="check the years: a target is for a year after "
                         "the plan's base year")
    if kind == "level":
        ind = catalogue[indicator]
        for name, v in (("value", value), ("value_hi", value_hi)):
            if v is not None and not ind.lower <= v <= ind.upper:
                raise InputError(f"{where}: {name} {v:g} is outside what {indicator} can be "
                                 f"({ind.lower:g} to {ind.upper:g} {ind.unit})", file=path,
                                 column=name, fix="check the number and its unit")
    if kind in ("cagr", "cumulative", "change") or doc.each_year:
        if base_year is None:
            raise InputError(f"{where}: kind {kind} needs a base_year", file=path,
                             column="base_year", fix="give base_year in the target or the plan")
        if base_year >= year:
            raise InputError(f"{where}: base_year {base_year} is not before year {year}",
                             file=path, column="base_year", fix="check the years")
    if kind == "cumulative" and not catalogue[indicator].flow:
        raise InputError(f"{where}: cumulative target on {indicator}, which is not a flow",
                         file=path, column="kind", fix="use kind level or change for a stock")
    if kind == "relative" and not doc.other_indicator:
        raise InputError(f"{where}: kind relative needs other_indicator", file=path,
                         column="other_indicator", fix="name the indicator it is compared with")
    return Target(**target, op=op, value=value, value_hi=value_hi, year=year,
                  base_year=base_year)


def read_plan(path: Path, catalogue: Catalogue) -> Plan:
    """One plan file, validated against the catalogue."""
    return parse_plan(read_yaml(path), catalogue, path)


def parse_plan(doc: Any, catalogue: Catalogue, source: Path) -> Plan:
    """A plan held in memory (the mapping a plan file holds), validated against the
    catalogue; errors name ``source``, the file or document it came from."""
    path = source
    if not isinstance(doc, dict) or "plan" not in doc:
        raise InputError("no 'plan:' section", file=path, fix="start the file with plan: and id:")
    plan = validated(PlanHead, doc["plan"], path, ("plan",))
    for key in ("id", "region"):
        if not getattr(plan, key):
            raise InputError(f"plan has no {key}", file=path, column=key,
                             fix=f"add {key}: under plan:")
    raw_targets = doc.get("targets") or []
    if not isinstance(raw_targets, list):
        raise InputError("targets: is not a list", file=path, column="targets",
                         fix="write each target as an item starting with '- id:'")
    targets = [_target(t, plan, catalogue, path, i) for i, t in enumerate(raw_targets, 1)]
    ids = [t.id for t in targets]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    if dups:
        raise InputError(f"target id {dups[0]!r} is used twice", file=path, column="id",
                         fix="give every target of a plan its own id")
    period = plan.period or [None, None]
    return Plan(
        id=plan.id,
        title=plan.title if plan.title is not None else plan.id,
        region=plan.region,
        period=(period[0], period[-1]),
        base_year=plan.base_year,
        source=plan.source,
        published=plan.published,
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
