"""The run history of a workspace read without its data (`forecast runs`, `forecast
compare`): the history URL from the workspace, the argument or $FORECAST_HISTORY_URL."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from forecast.config import resolve_workspace
from forecast.errors import InputError
from forecast.outputs.history import ENV_URL, history_url
from forecast.outputs.publish import compared_runs, folder_workspace, listed_runs


def _history_of(path: Path | str | None, url: str | None) -> str:
    """The history URL of a workspace that must exist: listing and comparing runs never
    make a workspace (nor a database: ``listed_runs``, ``compared_runs``)."""
    given = None if path is None else Path(path).expanduser()
    if given is not None and not given.is_dir():
        raise InputError("no such workspace folder", file=given,
                         fix="give the folder `forecast run` ran on")
    ws, _ = resolve_workspace(given, Path.cwd())
    return history_url(ws.history_file, url, os.environ.get(ENV_URL))


def runs(path: Path | str | None = None, url: str | None = None, plan: str | None = None
         ) -> pd.DataFrame:
    """A workspace's recorded runs, newest first, without reading its data."""
    return listed_runs(_history_of(path, url), plan)


def compare_runs(run_a: str, run_b: str, path: Path | str | None = None,
                 url: str | None = None) -> pd.DataFrame:
    """What moved between two recorded runs of a workspace (run ids or run folders), and
    why. Without ``path``, the workspace a given run folder was written from."""
    if path is None:
        path = next((w for ref in (run_a, run_b) if Path(ref).expanduser().is_dir()
                     and (w := folder_workspace(Path(ref).expanduser())) is not None), None)
    return compared_runs(_history_of(path, url), run_a, run_b)

