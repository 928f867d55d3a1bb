"""The schema of a scenario file (``data/scenarios/*.yaml``, docs/formats.md), strictly
typed. Which changes an adjustment may combine, and the indicator's existence, are checked
by ``scenarios``."""

from __future__ import annotations

from typing import Literal

from forecast.inputs.schema import Document, Number, SafeId, Text, Year


class ScenarioHead(Document):
    """The ``scenario:`` section."""

    id: SafeId | None = None
    title: Text | None = None
    description: Text | None = None
    title_en: Text | None = None  # English forms (else a "中文 / English" title is split)
    description_en: Text | None = None


class AdjustmentDoc(Document):
    """One entry of ``adjustments:`` (unknown keys are refused by ``scenarios`` first)."""

    indicator: Literal["*"] | SafeId | None = None
    growth_shift: Number | None = None
    from_year: Year | None = None
    shock: Number | None = None
    year: Year | None = None
    volatility: Number | None = None
