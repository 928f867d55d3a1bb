"""Preliminary and final figures of the same year: the optional ``vintage`` column.

Chinese statistics are published twice or more: the statistical bulletin (统计公报) gives a
preliminary figure in the spring, the yearbook a final one months later, and an economic census
revises years back (the 2019 census moved GDP, and with it every R&D intensity). A workspace may
say which figure is which in an optional ``vintage`` column of observations.csv:

- ``preliminary`` (or 初步) and ``final`` (or 最终); an empty cell is ``final``;
- or the date the figure was published (``2024-02-29``): later dates are later vintages.

A region, indicator and year may then have one row per vintage. The run uses the latest one;
``first_value`` keeps the first published, so the revisions between them can be learned
(``forecast.models.revisions``), and ``preliminary`` marks a year whose latest figure is still a
preliminary one: one labelled so, or, with dates, a series' last year with a single dated figure
where the indicator's earlier years were revised.

Without the column nothing changes: the frame has no vintage columns at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

VINTAGE = "vintage"
PRELIMINARY_WORDS = frozenset({"preliminary", "初步", "初步核算", "快报"})
FINAL_WORDS = frozenset({"final", "最终", "最终核实", "", "nan", "<na>"})
FINAL_ORDER = np.inf  # a final figure comes after every dated one
VINTAGE_RULE = ("write preliminary or final (初步 or 最终), or the publication date as "
                "YYYY-MM-DD")


def parse_vintages(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: its order among vintages (preliminary 0, a date its day number, final last),
    whether it is labelled preliminary, and whether it could be read at all."""
    text = cells.astype(str).str.strip().str.lower()
    # a date cell of Excel arrives as "2024-02-29 00:00:00"
    dates = pd.to_datetime(text.str.removesuffix(" 00:00:00"), format="%Y-%m-%d",
                           errors="coerce")
    preliminary = text.isin(PRELIMINARY_WORDS).to_numpy()
    final = text.isin(FINAL_WORDS).to_numpy()
    dated = dates.notna().to_numpy()
    order = np.where(preliminary, 0.0, np.where(final, FINAL_ORDER, np.nan))
    day = (dates - pd.Timestamp("1900-01-01")).dt.days.to_numpy(dtype=float, na_value=np.nan)
    order = np.where(dated, day + 1.0, order)
    return order, preliminary, preliminary | final | dated


def latest_vintage(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per region, indicator and year: the latest vintage's value, the first
    published value (``first_value``) and whether the latest is still ``preliminary``.

    ``frame`` has the tidy columns and ``vintage_order`` and ``labelled_preliminary``."""
    key = ["region", "indicator", "year"]
    frame = frame.sort_values([*key, "vintage_order"], kind="stable")
    grouped = frame.groupby(key, sort=False, observed=True)
    first = grouped["value"].transform("first")
    count = grouped["value"].transform("size")
    dated = np.isfinite(frame["vintage_order"]) & (frame["vintage_order"] > 0)
    last = frame.drop_duplicates(key, keep="last").copy()
    last["first_value"] = np.where(count.loc[last.index] > 1, first.loc[last.index], np.nan)
    # a series' last year with one dated figure, where the indicator's earlier years were
    # revised, has not been revised yet: preliminary
    revised = set(last.loc[last["first_value"].notna(), "indicator"].astype(str))
    series_last = last.groupby(["region", "indicator"], observed=True)["year"].transform("max")
    unrevised_last = (dated.loc[last.index] & (count.loc[last.index] == 1)
                      & (last["year"] == series_last)
                      & last["indicator"].astype(str).isin(revised))
    last["preliminary"] = last["labelled_preliminary"].to_numpy() | unrevised_last.to_numpy()
    return last.drop(columns=["vintage_order", "labelled_preliminary"])


def revision_pairs(observations: pd.DataFrame) -> pd.DataFrame:
    """region, indicator, year, first, final: every year published first as a preliminary (or
    earlier) figure and later as a final (or later) one. Empty without vintages."""
    if "first_value" not in observations:
        return pd.DataFrame(columns=["region", "indicator", "year", "first", "final"])
    pairs = observations[observations["first_value"].notna() & ~observations["preliminary"]]
    return pd.DataFrame({"region": pairs["region"].astype(str),
                         "indicator": pairs["indicator"].astype(str),
                         "year": pairs["year"].to_numpy(int),
                         "first": pairs["first_value"].to_numpy(float),
                         "final": pairs["value"].to_numpy(float)}).reset_index(drop=True)


def preliminary_years(observations: pd.DataFrame) -> frozenset[tuple[str, str, int]]:
    """(region, indicator, year) of every figure that is still preliminary."""
    if "preliminary" not in observations:
        return frozenset()
    rows = observations[observations["preliminary"]]
    return frozenset(zip(rows["region"].astype(str), rows["indicator"].astype(str),
                         rows["year"].astype(int), strict=True))
