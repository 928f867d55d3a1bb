"""What several tests share that is not a fixture: the shared bundled run's settings and type,
real series, scenarios, and provincial inputs (the bundled example's R&D intensity, R&D
expenditure and GDP of six provinces) built with the tests' own targets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from forecast.config import EXAMPLE_DATA
from forecast.inputs.plans import Plan, Target
from forecast.inputs.scenarios import Adjustment, Scenario
from forecast.inputs.workspace import Inputs

# The shared bundled run's settings besides the defaults (model auto, seed 20231, every
# scenario, Chinese reports): fewer simulated futures than `make run`, the same fits.
BUNDLED_ARGS = ("--draws", "400")
BUNDLED = "bundled"  # the xdist group of the tests that read the shared run (one worker)


@dataclass(frozen=True)
class BundledRun:
    """The bundled example copied with `forecast example` into ``workspace`` and run there
    once, with ``args``, into ``folder`` (its fits cached in the workspace's models/)."""

    workspace: Path
    folder: Path
    args: tuple[str, ...]


# Hunan's R&D expenditure, 2011-2020 (亿元, the bundled example's)
HUNAN_RD = [233.2, 287.7, 327.0, 367.9, 412.7, 468.8, 568.5, 658.3, 787.2, 898.7]

PROVINCES = ["北京", "广东", "湖南", "江西", "浙江", "四川"]
RD = frozenset({"rd_intensity"})  # R&D intensity derived from its components


def scenario(sid: str, *adjustments: Adjustment) -> Scenario:
    """A scenario of ``adjustments``, titled by its id."""
    return Scenario(sid, sid, "", adjustments)


def provincial_observations(provinces=PROVINCES,
                            indicators=("rd_intensity", "rd_expenditure", "gdp")) -> pd.DataFrame:
    """The example's observations of ``indicators`` in ``provinces``."""
    obs = pd.read_csv(EXAMPLE_DATA / "observations.csv")
    obs = obs[obs["region"].isin(provinces) & obs["indicator"].isin(indicators)]
    return obs[["region", "indicator", "year", "value"]].reset_index(drop=True)


def province_targets(region: str, value: float = 3.0, cagr: float = 9.0) -> tuple[Target, ...]:
    """R&D intensity at least ``value`` by 2026, and R&D expenditure growing ``cagr``% a year
    from 2023."""
    return (
        Target("p", "intensity", region, "rd_intensity", "level", "x", ">=", value, None,
               2026, 2023),
        Target("p", "spending", region, "rd_expenditure", "cagr", "x", ">=", cagr, None,
               2026, 2023),
    )


def provincial_inputs(catalogue, targets_by_region: dict[str, tuple[Target, ...]],
                      obs=None) -> Inputs:
    """One plan per region (2021-2026, base year 2023) with the given targets."""
    plans = [Plan(f"p-{r}", "t", r, (2021, 2026), 2023, None, None,
                  tuple(replace(t, plan_id=f"p-{r}") for t in ts), EXAMPLE_DATA)
             for r, ts in targets_by_region.items()]
    return Inputs(catalogue, provincial_observations() if obs is None else obs, plans)


def probabilities_of(rows: pd.DataFrame, target: str, sid: str) -> pd.Series:
    """A target's probability in each plan under scenario ``sid``."""
    return rows[(rows["target_id"] == target) & (rows["scenario"] == sid)] \
        .set_index("plan_id")["probability"]


@contextmanager
def held_by_another_connection(url: str) -> Iterator[None]:
    """The history locked by another connection: SQLite's BEGIN EXCLUSIVE, PostgreSQL's
    LOCK TABLE (as a long transaction of another program holds it)."""
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.exec_driver_sql("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            transaction.rollback()
    engine.dispose()
