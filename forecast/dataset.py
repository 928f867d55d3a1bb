"""Read and validate a workspace's observations and regions into tidy frames.

Observations may be CSV (UTF-8 with or without BOM, or GBK as Chinese Excel writes it) or
Excel. Problems a user can fix are raised as ``InputError`` naming file, row and column;
softer problems (gaps, very short series) become data-quality notes.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
from pandas.api.types import union_categoricals

from forecast.catalogue import Catalogue
from forecast.errors import InputError

OBS_COLUMNS = ("region", "indicator", "year", "value")
REGION_COLUMNS = ("region", "name_en", "level", "parent")


CHUNK_ROWS = 200_000  # rows read and validated at a time: memory stays bounded for big files


def read_chunks(path: Path, columns: tuple[str, ...] | None = None,
                chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """A CSV (UTF-8 or GBK) or Excel file as frames of strings, ``chunk_rows`` rows at a time;
    a clear error if unreadable.

    ``columns`` keeps only those (header whitespace ignored): a national observations file
    has a million rows, and its free-text columns would otherwise fill memory.
    """
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path or create the file")
    wanted = None if columns is None else (lambda c: str(c).strip() in columns)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            yield pd.read_excel(path, dtype=str, usecols=wanted).fillna("")
            return
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise InputError(f"cannot read Excel file ({exc})", file=path,
                             fix="save it again from Excel as .xlsx") from exc
    encoding = _encoding(path)
    try:
        # Arrow-backed strings: a fraction of the memory of Python str objects
        yield from pd.read_csv(path, dtype="string[pyarrow]", keep_default_na=False,
                               encoding=encoding, usecols=wanted,
                               chunksize=chunk_rows or CHUNK_ROWS)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"not a valid CSV ({exc})", file=path,
                         fix="check for stray commas or quotes") from exc


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else GBK as Chinese Excel writes it (GB18030 covers it)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as fh:
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        path.read_bytes().decode("gb18030")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 or GBK text", file=path,
                         fix="save the file as CSV UTF-8") from None
    return "gb18030"


def read_table(path: Path, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A whole CSV or Excel file as one frame of strings (see ``read_chunks``)."""
    chunks = list(read_chunks(path, columns))
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            file=path,
            row=1,
            fix=f"the header must include {', '.join(columns)}",
        )


def read_regions(path: Path) -> pd.DataFrame:
    """regions.csv: region id, Chinese and English names, level and parent."""
    frame = read_table(path)
    frame.columns = [c.strip() for c in frame.columns]
    _require_columns(frame, REGION_COLUMNS, path)
    if "name_zh" not in frame.columns:
        frame["name_zh"] = frame["region"]
    frame = frame.apply(lambda col: col.str.strip())
    dup = frame["region"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup)[0]) + 2
        raise InputError(f"region {frame['region'][row - 2]!r} is listed twice", file=path,
                         row=row, column="region", fix="keep one row per region")
    return frame[["region", "name_zh", "name_en", "level", "parent"]]


def provinces_of(regions: pd.DataFrame) -> dict[str, str]:
    """Each region's province: the ancestor just below the nation (a province is its own)."""
    parent = dict(zip(regions["region"], regions["parent"], strict=True))

    def province(region: str) -> str:
        for _ in range(10):  # county -> city -> province; guards against a cycle
            up = parent.get(region)
            if up in (None, "", "全国"):
                break
            region = up
        return region

    return {r: province(r) for r in regions["region"]}


def region_resolver(regions: pd.DataFrame | None):
    """A function mapping a region id, Chinese name or English name to the region id."""
    names: dict[str, str] = {}
    if regions is not None:
        for row in regions.itertuples(index=False):
            for name in (row.region, row.name_zh, row.name_en):
                if name:
                    names.setdefault(str(name), str(row.region))
                    names.setdefault(str(name).casefold(), str(row.region))

    def resolve(name: str) -> str:
        return names.get(name, names.get(name.casefold(), name))

    return resolve


def read_observations(
    path: Path,
    catalogue: Catalogue,
    regions: pd.DataFrame | None = None,
    latest_year: int | None = None,
) -> pd.DataFrame:
    """observations.csv as a validated tidy frame: region, indicator, year, value.

    ``latest_year`` is the most recent year an observation may have (a later one is a typo or
    a forecast passed off as data).
    """
    parts, offset = [], 0
    for chunk in read_chunks(path, OBS_COLUMNS):  # source and note are for people, not models
        parts.append(_validated(chunk, path, offset, catalogue, latest_year))
        offset += len(chunk)
    if not parts:
        raise InputError("no rows", file=path, fix="add a header and one row per observation")
    frame = pd.DataFrame({
        "region": union_categoricals([p["region"] for p in parts]),
        "indicator": union_categoricals([p["indicator"] for p in parts]),
        **{col: np.concatenate([p[col].to_numpy() for p in parts])
           for col in ("year", "value", "row")},
    })
    resolve = region_resolver(regions)
    frame["region"] = frame["region"].map({r: resolve(str(r)) for r in
                                           frame["region"].cat.categories}).astype("category")
    dup = frame.duplicated(["region", "indicator", "year"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"duplicate region/indicator/year (year {frame['year'].iloc[i]})",
                         file=path, row=int(frame["row"].iloc[i]), column="year",
                         fix="keep one value per region, indicator and year")
    frame = frame.sort_values(["region", "indicator", "year"], kind="stable")
    pyarrow.default_memory_pool().release_unused()  # give back the chunks' text buffers
    return frame.drop(columns="row").reset_index(drop=True)


def _validated(frame: pd.DataFrame, path: Path, offset: int, catalogue: Catalogue,
               latest_year: int | None) -> pd.DataFrame:
    """One chunk of observations checked and made compact: region and indicator as categories
    (a few thousand names repeated a million times), year and value as numbers, and the row
    number a spreadsheet would show, for error messages."""
    frame.columns = [str(c).strip() for c in frame.columns]
    _require_columns(frame, OBS_COLUMNS, path)
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
    values = pd.to_numeric(frame["value"].str.strip().str.replace(",", ""),
                           errors="coerce")
    bad_value = (values.isna() | ~np.isfinite(values)).to_numpy()
    if bad_value.any():
        fail(bad_value, "value", "value {v!r} is not a number",
             "write a plain number in the catalogue unit, without units or %")
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
    frame["row"] = rows.astype(np.int64)
    return frame


@dataclass(frozen=True)
class SeriesTable:
    """All series as one sorted array and offsets (like statsforecast's GroupedArray): series
    k is ``years[indptr[k]:indptr[k + 1]]`` with ``values`` alike, for ``keys[k]``. Thousands of
    series without a DataFrame each."""

    keys: list[tuple[str, str]]
    indptr: np.ndarray
    years: np.ndarray
    values: np.ndarray

    def series(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[k], self.indptr[k + 1]
        return self.years[lo:hi], self.values[lo:hi]


def series_table(observations: pd.DataFrame) -> SeriesTable:
    """The observations grouped by (region, indicator), years ascending within each."""
    region = observations["region"].astype("category")
    indicator = observations["indicator"].astype("category")
    r, i = region.cat.codes.to_numpy(), indicator.cat.codes.to_numpy()
    years = observations["year"].to_numpy()
    order = np.lexsort((years, i, r))
    r, i = r[order], i[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(r) != 0) | (np.diff(i) != 0)])
    regions, indicators = region.cat.categories, indicator.cat.categories
    keys = [(str(regions[r[k]]), str(indicators[i[k]])) for k in starts]
    return SeriesTable(keys, np.r_[starts, len(order)], years[order],
                       observations["value"].to_numpy(float)[order])


def data_quality_notes(observations: pd.DataFrame | SeriesTable) -> pd.DataFrame:
    """Warnings per series: gaps in the years and fewer than three points."""
    table = observations if isinstance(observations, SeriesTable) else series_table(observations)
    counts = np.diff(table.indptr)
    first = table.years[table.indptr[:-1]]
    last = table.years[table.indptr[1:] - 1]
    notes = []
    for k in np.flatnonzero((last - first + 1 != counts) | (counts < 3)):
        region, indicator = table.keys[k]
        years = table.series(k)[0]
        missing = sorted(set(range(int(years[0]), int(years[-1]) + 1)) - set(years.tolist()))
        if missing:
            notes.append((region, indicator, f"gap in years: {', '.join(map(str, missing))}"))
        if counts[k] < 3:
            notes.append((region, indicator, f"only {counts[k]} point(s)"))
    return pd.DataFrame(notes, columns=["region", "indicator", "note"])
