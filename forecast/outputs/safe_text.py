"""User text made safe for where it is shown: a spreadsheet cell, a Markdown table, a terminal.

Plan titles, target texts, ids, notes and region names come from the users' files and end up
in outputs that are opened by other programs. Each of those programs reads some characters as
instructions: Excel evaluates a cell that begins with ``=``, a Markdown viewer makes links and
HTML of ``[..](..)`` and ``<..>`` and splits a table row at ``|``, a terminal obeys escape
sequences. The functions here keep the text and remove the instruction.

- ``spreadsheet_cell`` / ``neutralise_formulas``: the OWASP rule against CSV formula
  injection: a text cell beginning with ``= + - @``, a tab or a carriage return gets a
  leading ``'``, which spreadsheets show as text. Numbers stay numbers.
- ``markdown_text`` / ``markdown_code``: one line, with Markdown and HTML escaped.
- ``terminal_text`` / ``terminal_line``: control characters and escape sequences
  removed (``terminal_line``: also on one line).

The machine formats (probabilities.parquet and .json) keep the exact text.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what makes a cell a formula

# ESC-introduced sequences (CSI such as colours or "clear screen", OSC such as titles, and
# two-character escapes), removed whole so no fragment of them is left on the line
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
# bidirectional overrides and isolates: they reorder what a reader sees ("Trojan source")
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
_MARKDOWN = re.compile(r"([\\`|\[\]])")  # escaped with a backslash
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # an & that would start an HTML entity


def spreadsheet_cell(value: object) -> object:
    """``value`` as a spreadsheet shows it as text: a string beginning with ``= + - @``, tab
    or CR gets a leading ``'``, and a carriage return inside it becomes a line feed (the CSV
    writer quotes a field with a line feed, not one with a bare CR, which a spreadsheet would
    read as the start of a new row); anything else (numbers included) is returned as it is.

    A string that merely looks like a number (an id or a note ``"-5"``) is prefixed too, as
    OWASP says: it is text in the table, and a spreadsheet then shows it as the text it is.
    Real numbers are never strings here, in a float column or among text in an object one."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``spreadsheet_cell`` applied to its text columns (object or string
    dtype); numeric and boolean columns are untouched, so numbers stay numbers."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(spreadsheet_cell)
    return out


def _without_controls(text: str, keep: str = "") -> str:
    text = _ESCAPE_SEQUENCE.sub("", text).translate(_BIDI)
    return "".join(c for c in text if c in keep or unicodedata.category(c) != "Cc")


def terminal_text(text: object) -> str:
    """``text`` as it may be printed: escape sequences, bidirectional overrides and control
    characters removed, line breaks and tabs kept."""
    return _without_controls(str(text), keep="\n\t")


def terminal_line(text: object) -> str:
    """``text`` as one line of the terminal (a table cell, a progress bar, an error): as
    ``terminal_text``, with every run of line breaks and tabs made one space, so a user's id
    cannot start a line of its own that looks like the toolkit's."""
    return _without_controls(_LINE_BREAKS.sub(" ", str(text)))


def markdown_text(text: object) -> str:
    """``text`` as one line of a Markdown table cell that shows it literally: line breaks
    and tabs become one space, control characters go, ``\\ ` | [ ]`` are escaped (no code
    span, cell split or link can start), and ``<`` and an ``&`` that would begin an entity
    become HTML entities (no tag, autolink or entity can start). Other text, ``R&D``,
    ``rd_intensity`` or ``> 2.4%`` included, is unchanged."""
    one_line = _without_controls(_LINE_BREAKS.sub(" ", str(text)))
    return _MARKDOWN.sub(r"\\\1", _ENTITY.sub("&amp;", one_line)).replace("<", "&lt;")


def markdown_code(text: object) -> str:
    """``text`` as an inline code span in a table cell: one line, its backticks replaced
    (a code span cannot escape them) and ``|`` escaped (GFM splits cells before spans)."""
    one_line = _without_controls(_LINE_BREAKS.sub(" ", str(text)))
    return "`" + one_line.replace("`", "'").replace("|", "\\|") + "`"
