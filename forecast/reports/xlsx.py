"""tables.xlsx: a run's tables in one workbook, for planners who work in Excel.

Five sheets: the probabilities rows exactly as in probabilities.csv (machine column names, so
scripts find them), each target's probability side by side across scenarios, suggestions.csv,
review.csv, and the yearly quantiles of every simulated series. Rows are streamed in openpyxl's
write-only mode so a national run (~40,000 rows, ~100,000 quantile rows) takes seconds.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from forecast.catalogue import Catalogue
from forecast.reports.i18n import words
from forecast.reports.source import RunOutputs
from forecast.scenarios import BASELINE

PROB, RATE, CHANGE = "0.000", "0.0", "+0.000;-0.000;0.000"
FORMATS = {"probability": PROB, "probability_at_base": PROB, "confidence": PROB,
           "probability_se": "0.0000", "progress_share": "0.00", "time_share": "0.00",
           "required_rate": RATE, "historical_rate": RATE, "achieved_rate": RATE,
           "achievable_rate": RATE}
COLUMNS = {  # the spec's header, for a sheet whose CSV is missing or empty
    "suggestions": "plan_id target_id scenario confidence achievable_value achievable_rate",
    "review": "plan_id target_id scenario base_year base_value last_year last_value "
              "progress_share time_share required_rate achieved_rate probability "
              "probability_at_base status"}
KEYS = ["plan_id", "target_id", "region", "indicator"]
FAN_LEVELS = [0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975]
HEADER_FONT, HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
SAMPLE = 200  # rows looked at to size the columns


def _value(ws, v: object) -> object:
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
           formats: dict[str, str]) -> None:
    """One sheet: styled header, frozen panes below it and ``keys`` columns, autofilter."""
    ws = wb.create_sheet(title)
    rows = [[_value(ws, v) for v in row] for row in rows]
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
    """A table as a sheet, its column names as the header (two key columns frozen)."""
    rows = list(zip(*(df[c].tolist() for c in df.columns), strict=True))
    _sheet(wb, title, list(df.columns), rows, min(2, len(df.columns)), formats)


def scenario_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per assessable target: its probability under each scenario (baseline first)
    and each scenario's change from the baseline."""
    ok = rows[rows["assessable"].astype(bool)] if len(rows) else rows
    if ok.empty:
        return pd.DataFrame(columns=[*KEYS, f"probability_{BASELINE}"])
    scenarios = [BASELINE, *(s for s in dict.fromkeys(ok["scenario"]) if s != BASELINE)]
    wide = ok.pivot_table(index=KEYS, columns="scenario", values="probability", sort=False,
                          aggfunc="first").reindex(columns=scenarios)
    out = wide.rename(columns=lambda s: f"probability_{s}")
    for s in scenarios[1:]:
        out[f"change_{s}"] = (wide[s] - wide[BASELINE]).round(6)
    return out.reset_index().rename_axis(columns=None)


def quantile_rows(run: RunOutputs, lang: str, catalogue: Catalogue) -> tuple[list[str], list]:
    """Header and rows of the quantiles sheet: per series and year, the observed value or
    the simulated quantiles (the fan chart's numbers)."""
    series = run.diagnostics.get("series", {})
    levels = next((s["fan_levels"] for s in series.values() if s.get("fan_levels")), FAN_LEVELS)
    header = ["region", "indicator", "indicator_name", "unit", "year", "observed",
              *(f"p{round(q * 100, 3):g}" for q in levels)]
    blank, rows = [None] * len(levels), []
    for key, s in series.items():
        region, _, ind = key.rpartition("|")
        known = ind in catalogue
        name, unit = ((getattr(catalogue[ind], f"name_{lang}"), catalogue[ind].unit) if known
                      else (ind, None))
        history, fan = s.get("history", {}), s.get("fan", {})
        for year in sorted({*history, *fan}, key=int):
            rows.append([region, ind, name, unit, int(year),
                         history.get(year), *fan.get(year, blank)])
    return header, rows


def write_xlsx(run: RunOutputs, path: Path, lang: str, catalogue: Catalogue) -> None:
    """Write ``path`` (tables.xlsx) for a finished run, atomically (temp file, then rename)."""
    t = words(lang)
    wb = Workbook(write_only=True)
    _frame(wb, t("sheet_probabilities"), run.rows, FORMATS)
    scen = scenario_table(run.rows)
    _frame(wb, t("sheet_scenarios"), scen, {
        c: CHANGE if c.startswith("change_") else PROB for c in scen.columns[len(KEYS):]})
    for name, df in (("suggestions", run.suggestions), ("review", run.review)):
        if df.empty and len(df.columns) < len(COLUMNS[name].split()):
            df = pd.DataFrame(columns=COLUMNS[name].split())
        _frame(wb, t(f"sheet_{name}"), df, FORMATS)
    header, rows = quantile_rows(run, lang, catalogue)
    _sheet(wb, t("sheet_quantiles"), header, rows, 2, {})
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")  # umask permissions
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
