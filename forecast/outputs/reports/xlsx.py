"""tables.xlsx: a run's tables in one workbook, for planners who work in Excel.

Five sheets: the probabilities rows exactly as in probabilities.csv (machine column names, so
scripts find them), each target's probability side by side across scenarios, the achievable
values (one row per target and scenario, a column pair per confidence), review.csv, and the
quantiles of every simulated series in each simulated year (with its last observation; the
history is in probabilities.json). Rows are streamed in openpyxl's write-only mode at about
5-7 µs a cell: a 3,000-region run (90,000 probability rows) takes about half a minute.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from forecast.files import atomic_file
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import BASELINE
from forecast.outputs.reports.i18n import words
from forecast.outputs.reports.source import RunOutputs
from forecast.outputs.tables import scenario_probabilities

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

PROB, RATE, CHANGE = "0.000", "0.0", "+0.000;-0.000;0.000"
FORMATS = {"probability": PROB, "probability_at_base": PROB, "confidence": PROB,
           "probability_se": "0.0000", "progress_share": "0.00", "time_share": "0.00",
           "required_rate": RATE, "historical_rate": RATE, "achieved_rate": RATE,
           "achievable_rate": RATE}
COLUMNS = {  # the spec's header, for a sheet whose CSV is missing or empty
    "review": "plan_id target_id scenario base_year base_value last_year last_value "
              "progress_share time_share required_rate achieved_rate probability "
              "probability_at_base status"}
KEYS = ["plan_id", "target_id", "region", "indicator"]
FAN_LEVELS = [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975]
HEADER_FONT, HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
SAMPLE = 200  # rows looked at to size the columns


def _value(ws: WriteOnlyWorksheet, v: object) -> object:
    """A value as openpyxl should store it: None (an empty cell) for NaN and "", text Excel
    would read as a formula or an error code kept as text, control characters dropped."""
    if v is None or v is pd.NA or v == "" or v != v:  # v != v: NaN
        return None
    if isinstance(v, str):
        v = ILLEGAL_CHARACTERS_RE.sub("", v)
        if v.startswith("=") or v in ERROR_CODES:
            cell = WriteOnlyCell(ws, v)
            cell.data_type = "s"
            return cell
    return v


def _width(header: str, values: list) -> float:
    """Column width from the header and a sample of values; CJK characters count double."""
    def wide(x: object) -> int:
        text = str(getattr(x, "value", x)) if x is not None else ""
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return min(max([wide(header), *map(wide, values)]) + 2, 50)


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: list, keys: int,
           formats: dict[str, str], text_columns: Sequence[int] | None = None) -> None:
    """One sheet: styled header, frozen panes below it and ``keys`` columns, autofilter.
    ``text_columns``: the only columns that may hold text or missing values (every column
    when None); the others are written as they are."""
    ws = wb.create_sheet(title)
    check = range(len(header)) if text_columns is None else text_columns
    rows = [list(row) for row in rows]
    for row in rows:
        for j in check:
            row[j] = _value(ws, row[j])
    for j, name in enumerate(header):
        ws.column_dimensions[get_column_letter(j + 1)].width = _width(
            name, [row[j] for row in rows[:SAMPLE]])
    ws.freeze_panes = f"{get_column_letter(keys + 1)}2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(rows) + 1}"
    head = []
    for name in header:
        head.append(cell := WriteOnlyCell(ws, name))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    ws.append(head)
    # one styled cell per formatted column, refilled row by row (append writes it at once)
    styled = {}
    for j, name in enumerate(header):
        if name in formats:
            styled[j] = WriteOnlyCell(ws)
            styled[j].number_format = formats[name]
    for row in rows:
        for j, cell in styled.items():
            if row[j] is not None and not isinstance(row[j], Cell):
                cell.value, row[j] = row[j], cell
        ws.append(row)


def _frame(wb: Workbook, title: str, df: pd.DataFrame, formats: dict[str, str]) -> None:
    """A table as a sheet, its column names as the header (two key columns frozen). Numeric
    columns go through pandas (NaN to empty) at once; only the others cell by cell."""
    columns, text = [], []
    for j, c in enumerate(df.columns):
        col = df[c]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            values = col.astype(object).where(col.notna(), None).tolist()
        else:
            values = col.tolist()
            text.append(j)
        columns.append(values)
    rows = list(zip(*columns, strict=True))
    _sheet(wb, title, list(df.columns), rows, min(2, len(df.columns)), formats, text)


def scenario_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per assessable target: its probability under each scenario (baseline first)
    and each scenario's change from the baseline."""
    wide = scenario_probabilities(rows, KEYS)
    if wide.empty:
        return pd.DataFrame(columns=[*KEYS, f"probability_{BASELINE}"])
    out = wide.rename(columns=lambda s: f"probability_{s}")
    for s in wide.columns[1:]:
        out[f"change_{s}"] = (wide[s] - wide[BASELINE]).round(6)
    return out.reset_index()


def achievable_table(suggestions: pd.DataFrame) -> pd.DataFrame:
    """suggestions.csv with one row per target and scenario: the achievable value and its
    implied growth at each confidence side by side."""
    keys = ["plan_id", "target_id", "scenario"]
    if suggestions.empty:
        return pd.DataFrame(columns=keys)
    wide = suggestions.pivot_table(index=keys, columns="confidence", sort=False,
                                   values=["achievable_value", "achievable_rate"],
                                   aggfunc="first")
    levels = sorted(suggestions["confidence"].unique())
    cols = [(v, q) for q in levels for v in ("achievable_value", "achievable_rate")]
    out = wide.reindex(columns=cols)
    out.columns = [f"{'value' if v == 'achievable_value' else 'rate'}_{round(q * 100)}"
                   for v, q in cols]
    return out.reset_index()


def quantile_rows(run: RunOutputs, lang: str, catalogue: Catalogue) -> tuple[list[str], list]:
    """Header and rows of the quantiles sheet: per series and simulated year, the simulated
    quantiles (the fan chart's numbers), beside the series' last observation."""
    series = run.diagnostics.get("series", {})
    levels = next((s["fan_levels"] for s in series.values() if s.get("fan_levels")), FAN_LEVELS)
    header = ["region", "indicator", "indicator_name", "unit", "last_year", "last_value",
              "year", *(f"p{round(q * 100, 3):g}" for q in levels)]
    rows = []
    for key, s in series.items():
        region, _, ind = key.rpartition("|")
        known = ind in catalogue
        name, unit = ((getattr(catalogue[ind], f"name_{lang}"), catalogue[ind].unit) if known
                      else (ind, None))
        last = s.get("history", {}).get(str(s["last_year"]))
        for year, q in s.get("fan", {}).items():
            rows.append([region, ind, name, unit, s["last_year"], last, int(year), *q])
    return header, rows


def write_xlsx(run: RunOutputs, path: Path, lang: str, catalogue: Catalogue) -> None:
    """Write ``path`` (tables.xlsx) for a finished run, atomically (temp file, then rename)."""
    t = words(lang)
    wb = Workbook(write_only=True)
    _frame(wb, t("sheet_probabilities"), run.rows, FORMATS)
    scen = scenario_table(run.rows)
    _frame(wb, t("sheet_scenarios"), scen, {
        c: CHANGE if c.startswith("change_") else PROB for c in scen.columns[len(KEYS):]})
    achievable = achievable_table(run.suggestions)
    _frame(wb, t("sheet_suggestions"), achievable, {
        c: RATE for c in achievable.columns if c.startswith("rate_")})
    review = run.review  # the baseline's: other scenarios' probabilities are on their sheet
    review = review[review["scenario"] == BASELINE] if len(review) else review
    if review.empty and len(review.columns) < len(COLUMNS["review"].split()):
        review = pd.DataFrame(columns=COLUMNS["review"].split())
    _frame(wb, t("sheet_review"), review, FORMATS)
    whole = run.plan_outcomes  # the plan as a whole: counts of targets and probabilities
    _frame(wb, t("sheet_plan_outcomes"), whole,
           {c: PROB for c in whole.columns if c.startswith("p_") or c.endswith("p_all_met")})
    header, rows = quantile_rows(run, lang, catalogue)
    _sheet(wb, t("sheet_quantiles"), header, rows, 2, {})
    with atomic_file(path) as tmp:
        wb.save(tmp)
