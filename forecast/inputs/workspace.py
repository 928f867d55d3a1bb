"""Read a planning office's workspace into what a run needs (for the CLI and notebooks).

    from forecast.inputs.workspace import load_workspace
    ws = load_workspace("~/xiangtan", this_year=2026)   # or None: the bundled example
    assessment = assess(ws.inputs, Settings(scenarios=tuple(ws.scenarios)))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecast.config import Workspace, resolve_workspace
from forecast.errors import InputError
from forecast.inputs.catalogue import Catalogue, load_catalogue
from forecast.inputs.observations import no_observations, read_observations
from forecast.inputs.office import Office, read_office
from forecast.inputs.plans import Plan, read_plans
from forecast.inputs.regions import read_regions
from forecast.inputs.scenarios import Scenario, read_scenarios
from forecast.inputs.workbooks import merge_workbooks, read_workbooks


@dataclass
class Inputs:
    """What every stage of a run reads: the catalogue, the observations (data-entry
    workbooks merged in), the plans and the tree of regions."""

    catalogue: Catalogue
    observations: pd.DataFrame
    plans: list[Plan]
    regions: pd.DataFrame | None = None
    office: Office = field(default_factory=Office)  # who issues the reports (workspace.yaml)


@dataclass(frozen=True)
class LoadedWorkspace:
    workspace: Workspace
    bundled: bool
    inputs: Inputs
    scenarios: list[Scenario]
    files: list[Path]  # every input file read (their hashes go into the run's metadata)


def load_workspace(path: Path | str | None, this_year: int, here: Path,
                   data_optional: bool = False, strict: bool = False) -> LoadedWorkspace:
    """Catalogue, observations, regions, plans and scenarios of a workspace, validated.

    ``this_year`` is the calendar year (no observation may come after it); ``here`` the
    current directory, where a workspace is looked for when ``path`` is None. With
    ``data_optional`` a workspace without observations.csv opens with no observations (for
    `forecast template`, whose workbook is how a new workspace gets its data). Raises
    ``InputError`` (file, row, column and fix) on bad input."""
    ws, bundled = resolve_workspace(None if path is None else Path(path).expanduser(), here)
    if not ws.data.is_dir():
        raise InputError("no data/ folder in the workspace", file=ws.root,
                         fix="create data/observations.csv and data/plans/*.yaml")
    catalogue = load_catalogue(ws.indicators_file)
    regions = read_regions(ws.regions_file) if ws.regions_file.exists() else None
    obs_file = ws.observations_file()
    if data_optional and not obs_file.exists():
        observations = no_observations()
    else:
        observations = read_observations(obs_file, catalogue, regions, latest_year=this_year,
                                         strict=strict)  # strict: implausible values refused
    entries, entry_files = read_workbooks(ws.entry, catalogue)
    observations = merge_workbooks(observations, entries, catalogue, regions, this_year)
    plans = read_plans(ws.plans, catalogue)
    if not plans:
        raise InputError("no plan files", file=ws.plans,
                         fix="add one YAML file per plan (see docs/plan-encoding.md)")
    scenarios = read_scenarios(ws.scenarios, catalogue)
    office = read_office(ws.workspace_file)
    files = [*entry_files, *(p.file for p in plans), *(s.file for s in scenarios)]
    files += [f for f in (obs_file, ws.regions_file, ws.indicators_file, ws.workspace_file)
              if f.exists()]
    return LoadedWorkspace(ws, bundled, Inputs(catalogue, observations, plans, regions, office),
                           scenarios, files)
