"""The schema of a plan file (``data/plans/*.yaml``, docs/plan-encoding.md): what each key
may hold, strictly typed. Whether the keys fit together (an op needs a value, a cumulative
target a flow) is checked by ``plans`` with the catalogue at hand."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from forecast.inputs.schema import Document, Flag, Number, SafeId, Text, Year


class TargetDoc(Document):
    """One entry of ``targets:``. Everything is optional here: a missing id, indicator, op,
    value or year is said by ``plans`` with the fix for that key."""

    id: SafeId | None = None
    region: SafeId | None = None
    indicator: SafeId | None = None
    kind: Text = "level"
    name: Text | None = None  # the display name in Chinese (else made from the indicator)
    name_en: Text | None = None  # the display name in English
    text: Text = ""
    op: Text | None = None
    value: Number | None = None
    value_hi: Number | None = None
    year: Year | None = None
    base_year: Year | None = None
    unit: Text | None = None
    each_year: Flag = False
    other_indicator: SafeId | None = None
    aspirational: Flag = False
    binding: Flag = False  # 约束性: a target the plan names as binding
    wording: Text | None = None
    note: Text | None = None


class PlanHead(Document):
    """The ``plan:`` section."""

    id: SafeId | None = None
    region: SafeId | None = None
    title: Text | None = None
    period: Annotated[list[Year], Field(min_length=1, max_length=2)] | None = None
    base_year: Year | None = None
    source: Text | None = None
    published: Text | None = None
