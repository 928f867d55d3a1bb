"""Paths of the bundled example workspace and of a user's workspace; run defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
CATALOGUE_FILE = PACKAGE_DIR / "data" / "indicators.yaml"
PRIORS_FILE = PACKAGE_DIR / "data" / "priors.yaml"
CALIBRATION_FILE = PROJECT_ROOT / "models" / "calibration.json"  # made by `forecast calibrate`

DEFAULT_DRAWS = 2000
DEFAULT_SEED = 20231
DEFAULT_MODEL = "auto"  # per indicator: the pooled model where regions can pool, else trend


@dataclass(frozen=True)
class Workspace:
    """A planning office's folder: data/, models/, reports/ (Cookiecutter Data Science)."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def plans(self) -> Path:
        return self.data / "plans"

    @property
    def scenarios(self) -> Path:
        return self.data / "scenarios"

    @property
    def regions_file(self) -> Path:
        return self.data / "regions.csv"

    @property
    def indicators_file(self) -> Path:
        return self.data / "indicators.yaml"

    def observations_file(self) -> Path:
        """observations.csv, or observations.xlsx when only that exists."""
        csv = self.data / "observations.csv"
        xlsx = self.data / "observations.xlsx"
        return xlsx if not csv.exists() and xlsx.exists() else csv


def bundled_workspace() -> Workspace:
    """The repository's own example: real public statistics and the five seed plans."""
    return Workspace(PROJECT_ROOT)


def resolve_workspace(path: Path | None) -> tuple[Workspace, bool]:
    """The workspace to run on, and whether it is the bundled example.

    No argument and no data/ in the current folder means the bundled example.
    """
    if path is not None:
        return Workspace(Path(path).resolve()), False
    here = Path.cwd()
    if (here / "data").is_dir() and here.resolve() != PROJECT_ROOT:
        return Workspace(here), False
    return bundled_workspace(), True
