"""Plan documents and the bundled example (`forecast extract`, `forecast example`): a draft
plan read out of a document, and a copy of the example workspace to start from."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from forecast.config import EXAMPLE_DATA, EXAMPLE_PARTS, reference_workspace
from forecast.errors import InputError
from forecast.extract import Draft, extract_plan
from forecast.extract.writing import check_draft, draft_yaml
from forecast.files import atomic_folder
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.regions import read_regions


def extract(document: Path | str, workspace: Path | str | None = None,
            region: str | None = None) -> Draft:
    """A draft plan read out of a plan document (txt, docx, pdf, html), with the indicators
    of the workspace's catalogue (its indicators.yaml included) and its regions' names.

    Only the catalogue and regions.csv are read, so a workspace whose plans do not yet
    validate can still take a new draft; the draft itself is checked with the plan reader.
    ``region`` sets the plan's region when the
    document does not name it (or names it differently)."""
    ws = reference_workspace(None if workspace is None else Path(workspace), Path.cwd())
    catalogue = load_catalogue(ws.indicators_file)
    names: list[str] = []
    if ws.regions_file.exists():
        regions = read_regions(ws.regions_file)
        names = [*regions["region"], *regions["name_zh"].dropna()]
    draft = extract_plan(document, catalogue, names, dt.date.today().year)
    if region:
        draft.region = region
    check_draft(draft_yaml(draft), catalogue, document)  # what a run will check
    return draft


def example(folder: Path | str) -> Path:
    """Copy the bundled example workspace (real provincial statistics, the five seed plans,
    their documents and the scenarios) into ``folder``, which must be new or empty; returns
    it. `forecast example DIR`, then `forecast run DIR`."""
    out = Path(folder).expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("the folder exists and is not empty", file=out,
                         fix="give a new or empty folder (nothing is ever overwritten)")
    with atomic_folder(out) as tmp:
        data = tmp / "data"
        data.mkdir()
        for part in EXAMPLE_PARTS:
            source = EXAMPLE_DATA / part
            if source.is_dir():
                shutil.copytree(source, data / part, copy_function=shutil.copyfile)
            elif source.is_file():
                shutil.copyfile(source, data / part)
    return out

