"""regions.csv: the regions of a workspace, their names and the tree they pool through
(nation -> province -> city/county -> park)."""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.inputs.tabular import read_table, require_columns
from forecast.inputs.values import check_id

REGION_COLUMNS = ("region", "name_en", "level", "parent")


def read_regions(path: Path) -> pd.DataFrame:
    """regions.csv: region id, Chinese and English names, level and parent."""
    frame = read_table(path)
    frame.columns = [c.strip() for c in frame.columns]
    require_columns(frame, REGION_COLUMNS, path)
    if "name_zh" not in frame.columns:
        frame["name_zh"] = frame["region"]
    frame = frame.apply(lambda col: col.str.strip())
    for i, (region, parent) in enumerate(zip(frame["region"], frame["parent"], strict=True)):
        check_id(region, "region", file=path, row=i + 2, column="region")
        if parent:
            check_id(parent, "parent region", file=path, row=i + 2, column="parent")
    dup = frame["region"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup)[0]) + 2
        raise InputError(f"region {frame['region'][row - 2]!r} is listed twice", file=path,
                         row=row, column="region", fix="keep one row per region")
    _check_tree(frame, path)
    return frame[["region", "name_zh", "name_en", "level", "parent"]]


def _check_tree(frame: pd.DataFrame, path: Path) -> None:
    """Refuse a region that is its own ancestor (its own parent, or a loop of parents): the
    pooling hierarchy is a tree. A parent without a row of its own (the nation, often) is a
    root, as the models take it."""
    parent = dict(zip(frame["region"], frame["parent"], strict=True))
    row_of = {region: i + 2 for i, region in enumerate(frame["region"])}
    for region in frame["region"]:
        seen, up = [region], parent[region]
        while up:
            if up in seen:
                loop = " → ".join([*seen[seen.index(up):], up])
                raise InputError(f"region {region!r} is its own ancestor ({loop})", file=path,
                                 row=row_of[region], column="parent",
                                 fix="give each region the region it belongs to as parent, "
                                 "and the top region none")
            seen.append(up)
            up = parent.get(up, "")


def _likely(region: str, names: dict[str, str]) -> str:
    """'; did you mean X?' for the closest of ``names`` (name -> region id), or ''."""
    close = difflib.get_close_matches(region, list(names), n=1, cutoff=0.5)
    return f"; did you mean {names[close[0]]}?" if close else ""


def _names(regions: pd.DataFrame | None) -> dict[str, str]:
    """Every name regions.csv gives a region (id, Chinese, English) -> its id."""
    if regions is None:
        return {}
    return {str(n): r for col in ("region", "name_zh", "name_en")
            for n, r in zip(regions[col], regions["region"], strict=True) if n}


def unknown_region_notes(series_regions: list[tuple[str, str]], regions: pd.DataFrame | None
                         ) -> pd.DataFrame:
    """Data-quality notes (region, indicator, note) for the series whose region regions.csv
    does not know, when there is a regions.csv: such a series is pooled with no parent, and a
    plan naming the region it was meant for finds no data, so a misspelt name (湘潭 for
    湘潭市) would otherwise pass unseen."""
    notes = []
    if regions is not None:
        known, names = set(regions["region"]), _names(regions)
        notes = [(region, indicator, f"region {region!r} is not in regions.csv, so its series "
                  f"is pooled with no parent{_likely(region, names)}")
                 for region, indicator in series_regions if region not in known]
    return pd.DataFrame(notes, columns=["region", "indicator", "note"])


def unknown_plan_region_notes(targets: list[tuple[str, str, str]],
                              regions: pd.DataFrame | None, observed: set[str]) -> pd.DataFrame:
    """Data-quality notes for the targets (plan id, region, indicator) whose region neither
    regions.csv nor the observations name: a misspelt region in a plan file, whose targets
    would otherwise say only "no data"."""
    known = observed | (set(regions["region"]) if regions is not None else set())
    names = {**{r: r for r in observed}, **_names(regions)}
    notes = sorted({(region, indicator, f"plan {plan} names region {region!r}, which neither "
                     f"regions.csv nor observations.csv has{_likely(region, names)}")
                    for plan, region, indicator in targets if region not in known})
    return pd.DataFrame(notes, columns=["region", "indicator", "note"])


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


def parents_of(regions: pd.DataFrame | None) -> dict[str, str]:
    """region -> parent region from regions.csv (roots and unknown regions are left out)."""
    if regions is None or "parent" not in regions:
        return {}
    pairs = zip(regions["region"].astype(str), regions["parent"].fillna("").astype(str),
                strict=True)
    return {r: p.strip() for r, p in pairs if p.strip()}
