"""Indicator tables: a plan's attachment listing each indicator with its recent values and
the target (e.g. 主要指标: 二级指标 | 2021年 | 2022年 | 2023年目标值).

Each row is a target for the year of the target column, and the year columns before it are
the indicator's history, which ``forecast extract --observations`` writes out so the table's
own numbers feed the run.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from forecast.extract.documents import Table
from forecast.extract.grammar import Reading
from forecast.extract.phrases import number
from forecast.extract.text import Normalised, normalise
from forecast.extract.units import UNIT_PATTERN
from forecast.extract.vocabulary import BINDING

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年?")
_TARGET_WORDS = re.compile(r"目标|预期|预计|规划|预估|计划|任务")
_UNIT_IN_NAME = re.compile(rf"\(\s*({UNIT_PATTERN}|[^()]{{1,8}}/[^()]{{1,4}})\s*\)\s*$")
_NAME_HEAD = re.compile(r"指标|名称|项目|内容")
_UNIT_HEAD = re.compile(r"^(?:计量)?单位$")


@dataclass
class TableRow:
    """A target row of an indicator table, with the history it states."""

    reading: Reading
    name: str
    history: dict[int, float]


def _header(rows: tuple[tuple[str, ...], ...]) -> int | None:
    for i, row in enumerate(rows[:3]):
        years = [c for c in row if _YEAR.search(normalise(c).text)]
        if len(years) >= 2 or (years and any(_TARGET_WORDS.search(normalise(c).text)
                                             for c in years)):
            return i
    return None


def read_table(table: Table, norm: Normalised, base_year: int | None) -> list[TableRow]:
    """The target rows of ``table``, or nothing when it is not an indicator table."""
    h = _header(table.rows)
    if h is None:
        return []
    header = [normalise(c).text for c in table.rows[h]]
    year_cols = {i: int(_YEAR.search(c).group(1)) for i, c in enumerate(header)
                 if _YEAR.search(c)}
    marked = [i for i in year_cols if _TARGET_WORDS.search(header[i])]
    target_col = marked[-1] if marked else max(year_cols, key=lambda i: (year_cols[i], i))
    year = year_cols[target_col]
    history_cols = {i: y for i, y in year_cols.items() if y < year}
    first_year = min(year_cols)
    names = [i for i in range(first_year) if _NAME_HEAD.search(header[i])]
    name_col = names[-1] if names else first_year - 1
    unit_cols = [i for i in range(len(header)) if _UNIT_HEAD.match(header[i])]
    if name_col < 0:
        return []
    out = []
    cursor = _normalised_index(norm, table.start)
    end = _normalised_index(norm, table.end)
    for row in table.rows[h + 1:]:
        if len(row) < len(header) - 1:
            continue
        cells = list(row[-len(header):]) if len(row) >= len(header) else ["", *row]
        name_raw = cells[name_col]
        name = normalise(name_raw).text
        if not name or number(name) is not None:
            continue
        unit_m = _UNIT_IN_NAME.search(name)
        unit = unit_m.group(1).strip() if unit_m else None
        if unit_cols and cells[unit_cols[0]]:
            unit = normalise(cells[unit_cols[0]]).text
        bare = _UNIT_IN_NAME.sub("", name).strip()
        raw_value = normalise(cells[target_col]).text.strip()
        at = norm.text.find(name[: max(4, len(name) // 2)], cursor, end)
        if at < 0:
            at = cursor
        span_end = at + len(name)
        cursor = span_end
        if raw_value in ("有", "无", "是", "否"):
            r = Reading(at, span_end, None, "有/无", "qualitative", None, year, base_year,
                        subject=bare, source="table", verb="table")
            r.notes.append(f"indicator table: {raw_value}")
            hist = {y: 1.0 if normalise(cells[i]).text.strip() in ("有", "是") else 0.0
                    for i, y in history_cols.items() if normalise(cells[i]).text.strip()
                    in ("有", "无", "是", "否")}
        else:
            value = number(raw_value.rstrip("%")) if raw_value else None
            if value is None:
                continue
            kind = "level"
            if re.search(r"增长|增速|增幅", bare) and unit == "%":
                kind = "growth"
            elif "累计" in bare:
                kind = "cumulative"
            r = Reading(at, span_end, value, unit, kind, ">=", year, base_year, subject=bare,
                        source="table", verb="table")
            hist = {}
            for i, y in history_cols.items():
                v = number(normalise(cells[i]).text.strip().rstrip("%") or "x")
                if v is not None:
                    hist[y] = v
            shown = ", ".join(f"{y}: {v:g}" for y, v in sorted(hist.items()))
            r.notes.append(f"indicator table, {header[target_col]} column"
                           + (f" ({shown})" if shown else ""))
        if any(normalise(c).text.strip() == BINDING for c in cells):  # an 属性 column
            r.binding = True
            r.notes.append(f"indicator table: {BINDING}")
        out.append(TableRow(r, bare, hist))
    return out


def _normalised_index(norm: Normalised, original: int) -> int:
    return bisect.bisect_left(norm.origin, original)


def table_span(table: Table, norm: Normalised) -> tuple[int, int]:
    """The table's span in the normalised text."""
    return _normalised_index(norm, table.start), _normalised_index(norm, table.end)
