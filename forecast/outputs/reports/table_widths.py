"""Column widths from a table's content, for the PDF and the Word file: numeric columns and
short labels as wide as their longest entry, longer text columns sharing the rest by how much
text they hold.

Both print writers lay tables out with fixed column widths (WeasyPrint prints a fixed table
several times faster; Word opens it as the author meant rather than re-flowing it), so the
widths are decided here once, as fractions of the text block's width that sum to one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from forecast.outputs.reports.model import Report, Table

BLOCK_UNITS = 84  # half-width characters across the text block at the tables' size
PADDING = 4  # a cell's left and right padding (Word: 2 × 1.9 mm), and some room, in these units
TEXT_CAP = 40  # a text column wraps rather than asking for more than this
NUMBER_CAP = 10  # a numeric column wraps past this (a range, a growth pair)
SHORT = 12  # a text column no wider than this (a likelihood in words, a unit) never wraps
_MARKUP = re.compile(r"\*\*|`")


def text_width(text: str) -> int:
    """Width in half-width units: a Chinese (wide) character counts two, any other one."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _longest_word(text: str) -> int:
    """The widest piece a line cannot break: a Latin word, or one Chinese character."""
    pieces = re.split(r"[\s/\u3000-\u303f\uff00-\uffef]+|(?<=[\u4e00-\u9fff])|(?=[\u4e00-\u9fff])",
                      text)
    return max((text_width(p) for p in pieces if p), default=1)


def column_widths(columns: tuple[str, ...], rows: list[tuple[str, ...]],
                  numeric: frozenset[int]) -> list[float]:
    """The fraction of the text block each column gets (they sum to 1)."""
    want, fixed = [], set(numeric)
    for j, header in enumerate(columns):
        cells = [_MARKUP.sub("", row[j]) for row in rows if j < len(row)]
        floor = max([_longest_word(header), *(_longest_word(c) for c in cells)])
        longest = max([text_width(c) for c in cells] or [text_width(header)])
        if longest <= SHORT:
            fixed.add(j)
        cap = NUMBER_CAP if j in numeric else TEXT_CAP
        want.append(max(floor, min(longest, cap)) + PADDING)
    kept = sum(w for j, w in enumerate(want) if j in fixed)
    text = sum(w for j, w in enumerate(want) if j not in fixed)
    if text and kept < 0.6 * BLOCK_UNITS:  # numbers and labels keep their room; text shares
        stretch = (BLOCK_UNITS - kept) / text  # the rest
        units = [w if j in fixed else w * stretch for j, w in enumerate(want)]
    else:
        units = want
    total = sum(units)
    return [u / total for u in units]


def table_widths(table: Table) -> list[float]:
    """``column_widths`` of one report table."""
    return column_widths(table.columns, [tuple(c.text for c in r) for r in table.rows],
                         table.numeric)


def named_widths(report: Report) -> dict[str, list[float]]:
    """Widths per table name, from every table of that name in the report together (the
    print stylesheet addresses tables by name); a name whose tables differ in their columns
    gets none."""
    tables: dict[str, list[Table]] = defaultdict(list)
    for section in report.walk():
        for block in section.blocks:
            if isinstance(block, Table) and block.name:
                tables[block.name].append(block)
    out = {}
    for name, group in tables.items():
        if len({t.columns for t in group}) == 1:
            rows = [tuple(c.text for c in r) for t in group for r in t.rows]
            out[name] = column_widths(group[0].columns, rows, group[0].numeric)
    return out
