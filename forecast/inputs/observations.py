"""Read and validate a workspace's observations into a tidy frame: region, indicator, year,
value.

Problems a user can fix are raised as ``InputError`` naming file, row and column; softer
problems (gaps, very short series) become data-quality notes (``inputs.series``), and so does a
value out of scale with its series (``inputs.plausibility``), which ``strict`` refuses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
from pandas.api.types import union_categoricals

from forecast.config import YEAR_MAX, YEAR_MIN
from forecast.errors import InputError
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.plausibility import describe, implausible
from forecast.inputs.regions import region_resolver
from forecast.inputs.tabular import read_chunks, require_columns
from forecast.inputs.values import YEAR_RULE, check_id, is_safe_id, parse_numbers
from forecast.inputs.vintages import VINTAGE, VINTAGE_RULE, latest_vintage, parse_vintages

OBS_COLUMNS = ("region", "indicator", "year", "value")


def no_observations() -> pd.DataFrame:
    """The observations of a workspace that has none yet, typed as ``read_observations``'s."""
    return pd.DataFrame({"region": pd.Categorical([]), "indicator": pd.Categorical([]),
                         "year": np.array([], dtype=int), "value": np.array([], dtype=float)})


def read_observations(
    path: Path,
    catalogue: Catalogue,
    regions: pd.DataFrame | None = None,
    latest_year: int | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """observations.csv as a validated tidy frame: region, indicator, year, value.

    With an optional ``vintage`` column (``inputs.vintages``) a year may have a preliminary and
    a final figure: the frame keeps the latest, with ``first_value`` and ``preliminary``.

    ``latest_year`` is the most recent year an observation may have (a later one is a typo or
    a forecast passed off as data). ``strict`` refuses a value out of scale with its series
    (`forecast run --strict`); without it the run's data-quality notes flag it.
    """
    parts, offset = [], 0
    for chunk in read_chunks(path, (*OBS_COLUMNS, VINTAGE)):  # source, note: for people
        parts.append(_validated(chunk, path, offset, catalogue, latest_year))
        offset += len(chunk)
    if not sum(len(p) for p in parts):  # no chunk, or a header alone
        raise InputError("no rows", file=path, fix="add one row per observation under the "
                         "header")
    frame = pd.DataFrame({
        "region": union_categoricals([p["region"] for p in parts]),
        "indicator": union_categoricals([p["indicator"] for p in parts]),
        **{col: np.concatenate([p[col].to_numpy() for p in parts])
           for col in ("year", "value", "row", "vintage_order", "labelled_preliminary")
           if col in parts[0]},
    })
    resolve = region_resolver(regions)
    frame["region"] = frame["region"].map({r: resolve(str(r)) for r in
                                           frame["region"].cat.categories}).astype("category")
    unsafe = [r for r in frame["region"].cat.categories if not is_safe_id(r)]
    if unsafe:
        row = int(frame["row"][(frame["region"] == unsafe[0]).to_numpy()].iloc[0])
        check_id(unsafe[0], "region", file=path, row=row, column="region")
    vintages = "vintage_order" in frame
    key = ["region", "indicator", "year", *(["vintage_order"] if vintages else [])]
    dup = frame.duplicated(key, keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"duplicate region/indicator/year{'/vintage' if vintages else ''} "
                         f"(year {frame['year'].iloc[i]})",
                         file=path, row=int(frame["row"].iloc[i]), column="year",
                         fix="keep one value per region, indicator and year"
                         + (" and vintage" if vintages else ""))
    if vintages:
        frame = latest_vintage(frame)
    if strict:
        _refuse_implausible(frame, path, catalogue)
    frame = frame.sort_values(["region", "indicator", "year"], kind="stable")
    pyarrow.default_memory_pool().release_unused()  # give back the chunks' text buffers
    return frame.drop(columns="row").reset_index(drop=True)


def _refuse_implausible(frame: pd.DataFrame, path: Path, catalogue: Catalogue) -> None:
    """The first value out of scale with its series, as an InputError naming its row."""
    flags = implausible(frame, catalogue)
    if flags.empty:
        return
    first = flags.assign(row=frame.loc[flags["at"], "row"].to_numpy()).sort_values("row").iloc[0]
    what, fix = describe(first, catalogue[first["indicator"]].unit)
    raise InputError(f"{first['region']} {first['indicator']} {first['year']}: {what}",
                     file=path, row=int(first["row"]), column="value",
                     fix=f"{fix} (without --strict the run goes on and flags it as a note)")


def _validated(frame: pd.DataFrame, path: Path, offset: int, catalogue: Catalogue,
               latest_year: int | None) -> pd.DataFrame:
    """One chunk of observations checked and made compact: region and indicator as categories
    (a few thousand names repeated a million times), year and value as numbers, and the row
    number a spreadsheet would show, for error messages."""
    frame.columns = [str(c).strip() for c in frame.columns]
    require_columns(frame, OBS_COLUMNS, path)
    vintage = frame.get(VINTAGE, None)
    frame = frame[list(OBS_COLUMNS)].copy()
    for col in ("region", "indicator"):
        frame[col] = frame[col].str.strip().astype("category")
    rows = np.arange(len(frame)) + offset + 2  # header is row 1, as a spreadsheet shows it

    def fail(mask: np.ndarray, column: str, message: str, fix: str) -> None:
        i = int(np.flatnonzero(mask)[0])
        raise InputError(message.format(v=frame.iloc[i][column]), file=path, row=int(rows[i]),
                         column=column, fix=fix)

    empty = (frame["region"] == "").to_numpy()
    if empty.any():
        fail(empty, "region", "empty region", "give every row a region id or name")
    known = frame["indicator"].isin(catalogue.ids).to_numpy()
    if not known.all():
        fail(~known, "indicator", "unknown indicator {v!r}",
             "use an id from the catalogue (forecast indicators) or add it to data/indicators.yaml")
    years = pd.to_numeric(frame["year"].str.strip(), errors="coerce")
    bad_year = (years.isna() | (years % 1 != 0)).to_numpy()
    if bad_year.any():
        fail(bad_year, "year", "year {v!r} is not a whole number", "write the year as e.g. 2022")
    far = ((years < YEAR_MIN) | (years > YEAR_MAX)).to_numpy()
    if far.any():
        fail(far, "year", f"year {{v}} is outside {YEAR_MIN}–{YEAR_MAX}", YEAR_RULE)
    values = parse_numbers(frame["value"])
    bad_value = values.isna().to_numpy()
    if bad_value.any():
        fail(bad_value, "value", "value {v!r} is not a number",
             "write a plain number in the catalogue unit, without units or %, with a decimal "
             "point (1175.5) and commas only between thousands (1,175.5)")
    frame["year"] = years.astype(int)
    frame["value"] = values.astype(float)
    if latest_year is not None:
        future = (frame["year"] > latest_year).to_numpy()
        if future.any():
            fail(future, "year", f"year {{v}} is after {latest_year}, the latest year with data",
                 "remove forecasts from the observations or correct the year")
    lower = frame["indicator"].map({i: catalogue[i].lower for i in
                                    frame["indicator"].cat.categories}).to_numpy(float)
    upper = frame["indicator"].map({i: catalogue[i].upper for i in
                                    frame["indicator"].cat.categories}).to_numpy(float)
    out = ((frame["value"] < lower) | (frame["value"] > upper)).to_numpy()
    if out.any():
        i = int(np.flatnonzero(out)[0])
        ind = catalogue[frame["indicator"].iloc[i]]
        fail(out, "value", f"value {{v}} is outside the bounds {ind.lower:g}–{ind.upper:g} of "
             f"{ind.id} ({ind.unit})", "check the unit: shares are in % (0–100)")
    if vintage is not None:
        order, preliminary, readable = parse_vintages(vintage)
        if not readable.all():
            i = int(np.flatnonzero(~readable)[0])
            raise InputError(f"vintage {vintage.iloc[i]!r} is not a vintage", file=path,
                             row=int(rows[i]), column=VINTAGE, fix=VINTAGE_RULE)
        frame["vintage_order"], frame["labelled_preliminary"] = order, preliminary
    frame["row"] = rows.astype(np.int64)
    return frame
