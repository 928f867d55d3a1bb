"""What any input's single values must be, defined once for every reader: a safe id, a year
within the range the toolkit models, and a number whose reading is certain.

Ids become file names (a plan's data-entry workbook, an indicator's cached posterior), so an
id is letters (Chinese included), digits, ``-``, ``_`` and ``.``, never a path separator nor a
leading dot, at most ``ID_MAX_LENGTH`` characters. A number is plain (``1175.5``, ``-3``,
``1e5``) or has properly grouped thousands (``1,175.5``, ``12,345``); ``1175,5`` (a decimal
comma) could be 1175.5 or 11755 and is refused, as is anything else that is not certain.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.config import ID_MAX_LENGTH, YEAR_MAX, YEAR_MIN
from forecast.errors import InputError

# letters (any script: 湘潭市, rd_intensity), digits, "-", "_" and "."; no leading dot
ID_PATTERN = rf"^[\w\-][\w.\-]{{0,{ID_MAX_LENGTH - 1}}}$"  # Python and Rust (pydantic) alike
_ID = re.compile(ID_PATTERN)
ID_RULE = (f"use letters (Chinese too), digits, '-', '_' and '.', at most {ID_MAX_LENGTH} "
           "characters, not starting with '.'")
YEAR_RULE = f"write a calendar year from {YEAR_MIN} to {YEAR_MAX}, such as 2024"

# a number as text: plain digits, or thousands grouped by commas; a decimal point; a sign
NUMBER_TEXT = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_GROUPED = re.compile(rf"^{NUMBER_TEXT}$")


def is_safe_id(value: object) -> bool:
    """Whether ``value`` is a string that may serve as an id (and so as part of a file name)."""
    return isinstance(value, str) and _ID.match(value) is not None and "\n" not in value


def check_id(value: object, what: str, file: Path | str | None = None, row: int | None = None,
             column: str | None = None) -> str:
    """``value`` as an id, or an InputError naming ``what`` it is the id of."""
    if not is_safe_id(value):
        raise InputError(f"{what} id {value!r} is not a safe id", file=file, row=row,
                         column=column, fix=ID_RULE)
    return value  # type: ignore[return-value]


def year_in_range(year: float) -> bool:
    """Whether ``year`` is a whole year the toolkit models (``YEAR_MIN`` to ``YEAR_MAX``)."""
    return float(year).is_integer() and YEAR_MIN <= year <= YEAR_MAX


def parse_number(text: str) -> float:
    """One number written as text; ValueError when its reading is not certain (a decimal
    comma, stray text, an empty cell, infinity or NaN)."""
    raw = text.strip()
    if "," in raw:
        if not _GROUPED.match(raw):
            raise ValueError(f"{text!r} is not a number")
        return float(raw.replace(",", ""))
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not np.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def parse_numbers(texts: pd.Series) -> pd.Series:
    """``parse_number`` over a column of text at once: floats, NaN where the reading is not
    certain (the caller reports the first)."""
    texts = texts.astype("string").str.strip()
    grouped = texts.str.contains(",", regex=False).fillna(False).to_numpy(bool)
    plain = texts.where(~grouped, "")
    values = pd.to_numeric(plain, errors="coerce").astype(float)
    if grouped.any():
        commas = texts[grouped]
        ok = commas.str.fullmatch(NUMBER_TEXT).fillna(False).to_numpy(bool)
        read = pd.to_numeric(commas.str.replace(",", "", regex=False), errors="coerce")
        values[grouped] = np.where(ok, read.to_numpy(float), np.nan)
    return values.where(np.isfinite(values))
