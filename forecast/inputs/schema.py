"""The value types of the YAML inputs (catalogue, plans, scenarios), strict, and pydantic's
complaints said as the toolkit's one-line errors.

Strict means a value is read as what it is written as, never coerced: ``'false'`` (quoted)
is text, not a boolean; ``2025.9`` and ``true`` are not years; ``.nan`` and ``.inf`` are not
numbers. The documents' own schemas (``catalogue_schema``, ``plan_schema``,
``scenario_schema``) are made of these types; ``validated`` turns a ``ValidationError`` into
an ``InputError`` naming the file, the key path (``targets[3].year``, counted from 1 as the
messages count targets), what is wrong and the fix.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
)

from forecast.config import ID_MAX_LENGTH, YEAR_MAX, YEAR_MIN
from forecast.errors import InputError
from forecast.inputs.values import ID_PATTERN, ID_RULE, YEAR_RULE


def _whole_to_text(value: Any) -> Any:
    """A whole number written where text is expected (an id ``1``, a title ``2025``) is its
    text; anything else is left for the strict check."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _scalar_to_text(value: Any) -> Any:
    """A number or date written where free text is expected (a note ``2023``) is its text."""
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        return str(value)
    return value


SafeId = Annotated[str, BeforeValidator(_whole_to_text),
                   StringConstraints(strict=True, pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]
Text = Annotated[str, BeforeValidator(_scalar_to_text), Field(strict=True)]
Year = Annotated[int, Field(strict=True, ge=YEAR_MIN, le=YEAR_MAX)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Flag = StrictBool


class Document(BaseModel):
    """A mapping of a YAML input: strict, unknown keys kept aside (plans carry notes such
    as source_url that the toolkit does not read)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], raw: Any, file: Path | str, prefix: tuple = (),
              name: str | None = None, row: int | None = None) -> Model:
    """``raw`` (a YAML mapping) checked against ``model``; the first complaint is an
    InputError naming ``file`` and the key path (``prefix`` goes before it, e.g.
    ``("targets", 3)``; ``name`` says which entry, e.g. "target 3 (rd)"; ``row`` is the
    entry's number in a list of entries)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise complaint(exc, file, prefix, name, row) from None


def key_path(loc: tuple) -> str:
    """``("targets", 3, "year")`` as ``targets[3].year``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def complaint(exc: ValidationError, file: Path | str, prefix: tuple = (),
              name: str | None = None, row: int | None = None) -> InputError:
    """The first error of ``exc`` as one line: file, key path, what is wrong, the fix."""
    error = exc.errors(include_url=False)[0]
    loc = tuple(p + 1 if isinstance(p, int) else p for p in error["loc"])
    loc = tuple(p for p in loc if not _type_tag(p))
    path = key_path((*prefix, *loc)) or None
    what, fix = _said(error)
    head = f"{name}: " if name else ""
    return InputError(f"{head}{what}", file=file, row=row, column=path, fix=fix)


def _type_tag(part: object) -> bool:
    """Whether a part of pydantic's location names a type tried (a union's member), not a
    key of the document."""
    return isinstance(part, str) and (part in _TAGS or "[" in part)


_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "date", "none"})


def _said(error: dict) -> tuple[str, str]:
    """What pydantic's ``error`` means for a person writing the file, and how to fix it."""
    kind, value = error["type"], error.get("input")
    field = next((p for p in reversed(error["loc"]) if isinstance(p, str)), "")
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    if kind == "missing":
        return f"{field} is missing", f"add {field}:"
    if field in ("year", "base_year", "from_year", "period") or "year" in field:
        if kind in ("greater_than_equal", "less_than_equal"):
            return f"year {value!r} is outside {YEAR_MIN}–{YEAR_MAX}", YEAR_RULE
        if kind in ("int_type", "int_from_float", "int_parsing"):
            return f"{shown} is not a year", YEAR_RULE
    if kind == "bool_type":
        return (f"{shown} is not true or false",
                "write true or false without quotes ('false' in quotes is text)")
    if kind == "finite_number":
        return f"{shown} is not a finite number", "write a plain number"
    if kind in ("float_type", "float_parsing", "int_type"):
        return f"{shown} is not a number", "write a plain number, without quotes or units"
    if kind in ("string_pattern_mismatch", "string_too_long"):
        return f"{shown} is not a safe id", ID_RULE
    if kind == "string_type":
        return f"{shown} is not text", "write text (quote it if it looks like a number)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{shown} is not a mapping", "write key: value pairs under it"
    if kind == "list_type":
        return f"{shown} is not a list", "write one '- ' item per line under it"
    if kind in ("too_short", "too_long"):
        return f"{shown} has the wrong number of items", error["msg"].lower()
    if kind == "literal_error":
        return f"{shown} is not allowed", error["msg"].lower()
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, "), "check the value"
    return f"{shown}: {error['msg']}", "check the value against docs/formats.md"
