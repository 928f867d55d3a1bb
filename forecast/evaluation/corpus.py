"""The series backtests are run on: a file of observations read as series (indicators the
catalogue does not know are of a kind the user names), and the calibration corpus that
`forecast calibrate` learns from (the bundled example's series and the public series listed
in its corpus file)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.config import CALIBRATION_CORPUS, CALIBRATION_CORPUS_FILE, EXAMPLE_ROOT, Workspace
from forecast.evaluation.origins import SeriesUnit, series_units
from forecast.files import read_yaml
from forecast.inputs.catalogue import Catalogue, load_catalogue
from forecast.inputs.observations import read_observations
from forecast.inputs.tabular import read_table


def read_series(path: Path, kind: str | None, this_year: int) -> tuple[pd.DataFrame, Catalogue]:
    """Observations for a backtest: unknown indicators are of ``kind`` when it is given."""
    catalogue = load_catalogue()
    if kind is not None:
        ids = read_table(path, ("indicator",)).iloc[:, 0].astype(str).str.strip().unique() \
            .tolist() if path.exists() else []
        catalogue = catalogue.with_generic(ids, kind)
    return read_observations(path, catalogue, latest_year=this_year), catalogue


def calibration_corpus(this_year: int) -> tuple[list[SeriesUnit], set[str]]:
    """The series `forecast calibrate` learns from, and the ids of the bundled example's own
    indicators among them (the defaults of its indicators are learned from them alone)."""
    obs, catalogue = read_series(Workspace(EXAMPLE_ROOT).observations_file(), None, this_year)
    units = series_units(obs, catalogue)
    own = {u.indicator.id for u in units}
    for entry in read_yaml(CALIBRATION_CORPUS_FILE):
        obs, catalogue = read_series(CALIBRATION_CORPUS / entry["file"], entry["kind"],
                                     this_year)
        units += series_units(obs, catalogue)
    return units, own
