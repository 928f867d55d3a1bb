"""Read a planning office's workspace into what a run needs (for the CLI and notebooks).

    from forecast.workspace import load_workspace
    ws = load_workspace("~/xiangtan")           # or None: the bundled example
    assessment = assess(ws.inputs, Settings(scenarios=tuple(ws.scenarios)))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from forecast.assess import Inputs
from forecast.catalogue import load_catalogue
from forecast.config import Workspace, resolve_workspace
from forecast.dataset import read_observations, read_regions
from forecast.entry import ENTRY_FOLDER, merge_entries, read_entries
from forecast.errors import InputError
from forecast.plans import read_plans
from forecast.scenarios import Scenario, read_scenarios


@dataclass(frozen=True)
class LoadedWorkspace:
    workspace: Workspace
    bundled: bool
    inputs: Inputs
    scenarios: list[Scenario]
    files: list[Path]  # every input file read (their hashes go into the run's metadata)


def load_workspace(path: Path | str | None = None, this_year: int | None = None
                   ) -> LoadedWorkspace:
    """Catalogue, observations, regions, plans and scenarios of a workspace, validated.

    Raises ``InputError`` (file, row, column and fix) on bad input."""
    this_year = this_year or dt.date.today().year
    ws, bundled = resolve_workspace(None if path is None else Path(path).expanduser())
    if not ws.data.is_dir():
        raise InputError("no data/ folder in the workspace", file=ws.root,
                         fix="create data/observations.csv and data/plans/*.yaml")
    catalogue = load_catalogue(ws.indicators_file)
    regions = read_regions(ws.regions_file) if ws.regions_file.exists() else None
    obs_file = ws.observations_file()
    observations = read_observations(obs_file, catalogue, regions, latest_year=this_year)
    entries, entry_files = read_entries(ws.data / ENTRY_FOLDER, catalogue)
    observations = merge_entries(observations, entries, catalogue, regions, this_year)
    plans = read_plans(ws.plans, catalogue)
    if not plans:
        raise InputError("no plan files", file=ws.plans,
                         fix="add one YAML file per plan (see docs/plan-encoding.md)")
    scenarios = read_scenarios(ws.scenarios, catalogue)
    files = [obs_file, *entry_files, *(p.file for p in plans), *(s.file for s in scenarios)]
    files += [f for f in (ws.regions_file, ws.indicators_file) if f.exists()]
    return LoadedWorkspace(ws, bundled, Inputs(catalogue, observations, plans, regions),
                           scenarios, files)
