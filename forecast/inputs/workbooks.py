"""Data-entry workbooks: what a plan needs, for the statistics office to fill in, and back.

``template_frame`` lists the series and years a plan's targets need (one row per region and
indicator, a column per year, the layout statistics offices use), with what the workspace
already knows; ``write_template`` makes it a workbook (cells to fill highlighted, a sheet that
explains the units). A filled workbook (or CSV) saved in ``data/entry/`` is read by every run
(``read_workbooks``), wide by year or long; a value typed with a unit ("30亿元", "300000万元",
"2.5%") or thousands separators ("1,234") is converted to the catalogue unit, and anything
that cannot be read for sure is refused with the sheet and cell that hold it, and so is a value
out of scale with its series (``inputs.plausibility``: a fraction typed for a percentage, 万元
for 亿元), with the value it probably meant.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from forecast.config import YEAR_MAX, YEAR_MIN
from forecast.errors import InputError
from forecast.files import atomic_file
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.plans import Plan
from forecast.inputs.plausibility import describe, implausible
from forecast.inputs.regions import region_resolver
from forecast.inputs.sheets import sheet_rows
from forecast.inputs.tabular import csv_cells
from forecast.inputs.values import NUMBER_TEXT, YEAR_RULE, check_id, year_in_range

HISTORY_YEARS = 5  # years before a target's base year the template asks for
DATA_SHEET, UNITS_SHEET = "数据录入 data", "单位说明 units"
HEAD = ["地区 region", "指标代码 indicator", "指标名称", "indicator name", "单位 unit"]
TO_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: a value is wanted here
HEADER = PatternFill("solid", fgColor="DDEBF7")

# unit typed after a number -> (catalogue unit, factor to it)
CONVERSIONS = {("万元", "亿元"): 1e-4, ("元", "亿元"): 1e-8, ("亿元", "万元"): 1e4,
               ("元", "万元"): 1e-4}
NUMBER = re.compile(rf"^({NUMBER_TEXT})\s*(\D*)$")  # the number reader of every table


def template_frame(plan: Plan, catalogue: Catalogue, observations: pd.DataFrame,
                   regions: pd.DataFrame | None, this_year: int) -> pd.DataFrame:
    """One row per region and indicator the plan's targets need; a column per year from
    ``HISTORY_YEARS`` before the earliest base year to the last year that can be observed
    (last year, or the last target year), holding the values already known (NaN: to fill)."""
    resolve = region_resolver(regions)
    keys: dict[tuple[str, str], None] = {}
    bases, ends = [], []
    for t in plan.targets:
        if t.kind == "qualitative" or t.year is None:
            continue
        for ind in filter(None, (t.indicator, t.other_indicator)):
            keys[(resolve(t.region), ind)] = None
        bases.append(t.base_year if t.base_year is not None else t.year - 1)
        ends.append(t.year)
    if not keys:
        raise InputError(f"plan {plan.id!r} has no target that needs data", file=plan.file,
                         fix="choose a plan with numeric targets")
    years = list(range(min(bases) - HISTORY_YEARS + 1, min(max(ends), this_year - 1) + 1))
    known = observations.set_index(["region", "indicator", "year"])["value"]
    rows = []
    for region, ind in keys:
        entry = catalogue[ind]
        values = [known.get((region, ind, y), float("nan")) for y in years]
        rows.append([region, ind, entry.name_zh, entry.name_en, entry.unit, *values])
    return pd.DataFrame(rows, columns=[*HEAD, *years])


def write_template(frame: pd.DataFrame, path: Path, catalogue: Catalogue) -> None:
    """The workbook: a data sheet (known values filled, cells to fill highlighted, ids and
    names locked by convention in grey) and a sheet explaining the units. Atomic."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER
    n_head = len(HEAD)
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(i, j, None if isinstance(value, float) and value != value else value)
            if j > n_head and cell.value is None:
                cell.fill = TO_FILL
    ws.freeze_panes = ws.cell(2, n_head + 1)
    for j, width in enumerate([14, 30, 30, 40, 10], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.cell(1, 1).comment = Comment(
        "黄色单元格待填写:按“单位”列的单位填数字。Yellow cells are to be filled: a number in "
        "the unit of the row (see the sheet 单位说明 units).", "forecast")
    units = wb.create_sheet(UNITS_SHEET)
    units.append(["单位 unit", "填写方法", "how to fill"])
    for cell in units[1]:
        cell.font, cell.fill = Font(bold=True), HEADER
    for unit in sorted(set(frame[HEAD[4]])):
        units.append([unit, *UNIT_NOTES.get(unit, UNIT_NOTES["*"])])
    units.append([])
    units.append(["", "已知数值已填入,可核对修改;保存到工作区的 data/entry/ 文件夹后运行 "
                  "forecast run。", "Known values are filled in; check them. Save the file in "
                  "the workspace's data/entry/ folder, then run forecast run."])
    for col, width in (("A", 12), ("B", 60), ("C", 70)):
        units.column_dimensions[col].width = width
    with atomic_file(path) as tmp:
        wb.save(tmp)


UNIT_NOTES = {
    "%": ("百分数填数字本身:2.5% 填 2.5,不要填 0.025;也可填“2.5%”。",
          "A percentage as the number itself: 2.5% is 2.5, not 0.025 (\"2.5%\" is read too)."),
    "亿元": ("以亿元为单位:30亿元填 30;填“30亿元”或“300000万元”也会自动换算。",
             "In 亿元 (100 million yuan): 3 billion yuan is 30; \"30亿元\" or \"300000万元\" are "
             "converted."),
    "万元": ("以万元为单位:1亿元填 10000;填“1亿元”也会自动换算。",
             "In 万元 (10,000 yuan): 100 million yuan is 10000; \"1亿元\" is converted."),
    "*": ("填该单位下的数字;千位分隔符(1,234)可以,其他文字不可以。",
          "A number in this unit; thousands separators (1,234) are fine, other text is not."),
}


def parse_value(text: object, unit: str) -> float:
    """A typed value in the catalogue ``unit``: numbers as they are; text with thousands
    separators, full-width characters or a unit converted; ValueError (with the reason and
    the fix) when it cannot be read for sure."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    raw = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    match = NUMBER.match(raw)
    if not match:
        raise ValueError(f"{text!r} is not a number; write e.g. 1234.5 (a decimal point, "
                         "not a comma)")
    number, typed = float(match.group(1).replace(",", "")), match.group(2)
    if typed in ("", unit):
        return number
    if (typed, unit) in CONVERSIONS:
        return number * CONVERSIONS[(typed, unit)]
    raise ValueError(f"{text!r} is in {typed!r} but this indicator is in {unit!r}; "
                     f"write the number in {unit}")


def read_workbooks(folder: Path, catalogue: Catalogue) -> tuple[pd.DataFrame, list[Path]]:
    """Every data-entry file in ``folder`` (.xlsx or .csv; wide by year or long) as long
    observations (region, indicator, year, value, where), and the files read."""
    if not folder.is_dir():
        return pd.DataFrame(columns=["region", "indicator", "year", "value", "where"]), []
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".csv")
                   and not p.name.startswith((".", "~$")))
    parts = [_read_one(p, catalogue) for p in files]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["region", "indicator", "year", "value", "where"])
    return frame, files


def _sheets(path: Path) -> list[tuple[str, list[list[object]]]]:
    """The sheets of a data-entry file as rows of cells (a CSV is one sheet), bounded and
    read with one-line errors for a damaged, empty or ragged file."""
    if path.suffix.lower() == ".csv":
        return [("csv", csv_cells(path))]
    return sheet_rows(path, skip=(UNITS_SHEET,))


def _read_one(path: Path, catalogue: Catalogue) -> pd.DataFrame:
    rows = []
    for sheet, cells in _sheets(path):
        if not cells or not any(cells[0]):
            continue
        header = [str(c).strip().lower() if c is not None else "" for c in cells[0]]

        def where(i: int, j: int, sheet: str = sheet) -> str:
            return f"{path}, sheet {sheet!r}, cell {get_column_letter(j + 1)}{i + 1}"

        col = {name: next((j for j, h in enumerate(header) if name in h.split()
                           or h == name), None) for name in ("region", "indicator", "year",
                                                             "value")}
        if col["region"] is None or col["indicator"] is None:
            raise InputError("no 'region' and 'indicator' columns in the header",
                             file=where(0, 0), fix="keep the template's header row")
        long = col["year"] is not None and col["value"] is not None
        year_cols = [] if long else [(j, int(float(h))) for j, h in enumerate(header)
                                     if re.fullmatch(r"\d{4}(\.0)?", h)]
        for j, year in year_cols:
            if not year_in_range(year):
                raise InputError(f"year {year} is outside {YEAR_MIN}–{YEAR_MAX}",
                                 file=where(0, j), fix=YEAR_RULE)
        for i, line in enumerate(cells[1:], start=1):
            line = list(line) + [None] * (len(header) - len(line))
            region, ind = line[col["region"]], line[col["indicator"]]
            if region in (None, "") and ind in (None, ""):
                continue
            ind = str(ind).strip()
            if ind not in catalogue:
                raise InputError(f"unknown indicator {ind!r}", file=where(i, col["indicator"]),
                                 fix="keep the indicator ids of the template")
            unit = catalogue[ind].unit
            pairs = [(col["value"], line[col["year"]])] if long else \
                [(j, year) for j, year in year_cols]
            for j, year in pairs:
                value = line[j]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                try:
                    number = parse_value(value, unit)
                    year = _year(year)
                except ValueError as exc:
                    raise InputError(str(exc).split("; ")[0], file=where(i, j),
                                     fix=str(exc).split("; ")[-1]) from None
                rows.append((str(region).strip(), ind, year, number, where(i, j)))
    return pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "where"])


def _year(cell: object) -> int:
    """A year cell of a long table; ValueError (reason; fix) unless a year in range."""
    try:
        year = float(str(cell).strip()) if not isinstance(cell, int | float) else float(cell)
    except ValueError:
        raise ValueError(f"year {cell!r} is not a year; {YEAR_RULE}") from None
    if isinstance(cell, bool) or not year_in_range(year):
        raise ValueError(f"year {cell!r} is not a year from {YEAR_MIN} to {YEAR_MAX}; "
                         f"{YEAR_RULE}")
    return int(year)


def merge_workbooks(observations: pd.DataFrame, entries: pd.DataFrame, catalogue: Catalogue,
                  regions: pd.DataFrame | None, latest_year: int) -> pd.DataFrame:
    """observations.csv with the data-entry values added. A value already known is fine when
    it is the same; a different one, a year after ``latest_year`` or a value outside the
    indicator's bounds is an InputError naming the cell."""
    if entries.empty:
        return observations
    resolve = region_resolver(regions)
    entries = entries.assign(region=entries["region"].map(resolve))
    known = observations.set_index(["region", "indicator", "year"])["value"].to_dict()
    fresh = {}
    for r in entries.itertuples(index=False):
        check_id(r.region, "region", file=r.where)
        ind = catalogue[r.indicator]
        if r.year > latest_year:
            raise InputError(f"year {r.year} is after {latest_year}, the latest year with data",
                             file=r.where, fix="leave the cells of future years empty")
        if not ind.lower <= r.value <= ind.upper:
            raise InputError(f"value {r.value:g} is outside the bounds {ind.lower:g}–"
                             f"{ind.upper:g} of {ind.id} ({ind.unit})", file=r.where,
                             fix="check the unit: shares are in % (0–100)")
        key = (r.region, r.indicator, r.year)
        before = known.get(key, fresh.get(key, (None,))[0])
        if before is not None and abs(before - r.value) > 1e-9 * max(1.0, abs(before)):
            raise InputError(f"{r.value:g} differs from the value {before:g} already given for "
                             f"{r.region} {r.indicator} {r.year}", file=r.where,
                             fix="keep one value (correct it in observations.csv or here)")
        if key not in known:
            fresh[key] = (r.value, r.where)
    if not fresh:
        return observations
    added = pd.DataFrame([(*k, v) for k, (v, _) in fresh.items()],
                         columns=["region", "indicator", "year", "value"])
    frame = pd.concat([observations.astype({"region": str, "indicator": str}), added],
                      ignore_index=True)
    if "preliminary" in frame:  # observations.csv has vintages; an entered figure is final
        frame["preliminary"] = frame["preliminary"].astype("boolean").fillna(False).astype(bool)
    _refuse_implausible(frame, len(observations), [w for _, w in fresh.values()], catalogue)
    frame = frame.sort_values(["region", "indicator", "year"], kind="stable")
    return frame.astype({"region": "category", "indicator": "category"}).reset_index(drop=True)


def _refuse_implausible(frame: pd.DataFrame, first_entry: int, where: list[str],
                        catalogue: Catalogue) -> None:
    """A value entered in a workbook that is out of scale with its series (the rows from
    ``first_entry`` on are the entries, at the cells ``where``): an InputError naming the cell
    and the likely fix. A value already in observations.csv is only flagged, by the run."""
    flags = implausible(frame, catalogue)
    entered = flags[flags["at"] >= first_entry]
    if entered.empty:
        return
    first = entered.iloc[0]
    what, fix = describe(first, catalogue[first["indicator"]].unit)
    if not math.isfinite(first["suggestion"]):
        fix += "; if it is right, give it in observations.csv, where it is flagged, not refused"
    raise InputError(f"{first['region']} {first['indicator']} {first['year']}: {what}",
                     file=where[int(first["at"]) - first_entry], fix=fix)
