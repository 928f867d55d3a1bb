"""The schema of an indicator catalogue entry (``forecast/data/indicators.yaml`` and a
workspace's ``data/indicators.yaml``), strictly typed. Every key is optional here: a
workspace's entry may override a few fields of a bundled indicator, and ``catalogue`` says
which keys a new indicator lacks."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from forecast.inputs.schema import Document, Flag, Number, SafeId, Text

Bound = Number | None


class IndicatorDoc(Document):
    """One entry of the catalogue's list."""

    id: SafeId | None = None
    name_zh: Text | None = None
    name_en: Text | None = None
    unit: Text | None = None
    kind: Text | None = None
    flow: Flag | None = None
    direction: Text | None = None
    bounds: Annotated[list[Bound], Field(min_length=2, max_length=2)] | None = None
    lower: Number | None = None  # an override may give one bound alone
    upper: Number | None = None
    formula: Text | None = None
    aliases: list[Text] | None = None
    aliases_traditional: list[Text] | None = None
