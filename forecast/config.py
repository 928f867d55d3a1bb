"""Every path the toolkit reads or writes, and the run defaults.

Two places hold what ships with the package: ``forecast/data/`` (the catalogue, the priors,
the default calibration and the other decisions that are data, not code) and the bundled
example workspace. In a checkout the example is the repository itself (its ``data/``,
``models/`` and ``reports/``); in an installed wheel it is package data, copied out with
``forecast example DIR``. A workspace's own paths are the properties of ``Workspace``; nothing
else builds paths by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecast.errors import InputError

VERSION = "0.1.0"  # the package's version (pyproject.toml reads it from here)
PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE_DIR / "data"
CATALOGUE_FILE = PACKAGE_DATA / "indicators.yaml"
PRIORS_FILE = PACKAGE_DATA / "priors.yaml"
DERIVED_FILE = PACKAGE_DATA / "derived.yaml"  # which formula indicators are derived
CALIBRATION_EVIDENCE_FILE = PACKAGE_DATA / "calibration_evidence.json"
CALIBRATION_FILE = PACKAGE_DATA / "calibration.json"  # made by `forecast calibrate`
CALIBRATION_NAME = "calibration.json"  # a workspace's own, in its models/


def _checkout_root() -> Path | None:
    """The repository around the package when it runs from a checkout (editable install or
    the source tree), else None (an installed wheel)."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "data" / "plans").is_dir():
        return root
    return None


CHECKOUT_ROOT = _checkout_root()
# The bundled example workspace: the repository, or the wheel's copy of its data/ (package
# data in forecast/example/data/).
EXAMPLE_ROOT = CHECKOUT_ROOT or PACKAGE_DIR / "example"
EXAMPLE_DATA = EXAMPLE_ROOT / "data"
# What `forecast example DIR` copies into DIR/data/ (the rest of data/ is the calibration
# corpus and the benchmarks' series, which stay with the package).
EXAMPLE_PARTS = ("observations.csv", "regions.csv", "PROVENANCE.md", "plans", "scenarios",
                 "documents")
# What a wheel carries of the repository's data/ (setup.py copies it): the example, and the
# corpus `forecast calibrate` learns from.
WHEEL_EXAMPLE_PARTS = (*EXAMPLE_PARTS, "calibration")
CALIBRATION_CORPUS = EXAMPLE_DATA / "calibration"  # `forecast calibrate` learns from it
CALIBRATION_CORPUS_FILE = CALIBRATION_CORPUS / "corpus.yaml"  # its series files and kinds

# Limits on what any input may hold (forecast/inputs checks them; forecast/files for YAML)
YEAR_MIN, YEAR_MAX = 1949, 2100  # the years a plan, scenario, observation or setting may name
ID_MAX_LENGTH = 64  # the longest id (indicator, plan, target, scenario, region)
MAX_YAML_BYTES = 5 * 1024 * 1024  # a plan, scenario or catalogue file: refused above it
MAX_TABLE_BYTES = 512 * 1024 * 1024  # observations.csv, regions.csv, a data-entry file
MAX_SHEET_ROWS, MAX_SHEET_COLUMNS = 1_000_000, 100  # a data-entry workbook's sheet
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # a plan document given to `forecast extract`
MAX_DOCUMENT_UNPACKED = 20 * 1024 * 1024  # a .docx's XML, uncompressed (a plan's: ~1 MB)
MAX_DOCUMENT_PAGES = 2000  # a PDF's pages (the longest plans have a few hundred)
MAX_DOCUMENT_CHARS = 5_000_000  # the text a document may give (a plan has ~100,000)

DEFAULT_DRAWS = 2000
DEFAULT_SEED = 20231
DEFAULT_MODEL = "auto"  # per indicator: the pooled model where regions can pool, else trend

ENTRY_FOLDER = "entry"  # data/entry/: filled data-entry workbooks, read with observations.csv
REGIONS_NAME = "regions.csv"  # the pooling hierarchy, beside observations.csv
WORKSPACE_FILE = "workspace.yaml"  # data/workspace.yaml: the office that issues the reports
HISTORY_FILE = "history.sqlite"  # the run history, in a workspace's reports/


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
    def entry(self) -> Path:
        return self.data / ENTRY_FOLDER

    @property
    def regions_file(self) -> Path:
        return self.data / REGIONS_NAME

    @property
    def indicators_file(self) -> Path:
        return self.data / "indicators.yaml"

    @property
    def workspace_file(self) -> Path:
        return self.data / WORKSPACE_FILE

    @property
    def history_file(self) -> Path:
        return self.reports / HISTORY_FILE

    def observations_file(self) -> Path:
        """observations.csv, or observations.xlsx when only that exists. Both is refused:
        which one holds the office's latest figures is not for the tool to guess."""
        csv = self.data / "observations.csv"
        xlsx = self.data / "observations.xlsx"
        if csv.exists() and xlsx.exists():
            raise InputError("both observations.csv and observations.xlsx are here", file=xlsx,
                             fix="keep the one with your figures and move the other out of "
                             "data/")
        return xlsx if xlsx.exists() else csv

    def run_folder(self, run_id: str) -> Path:
        return inside(self.reports, run_id)

    def template_file(self, plan_id: str) -> Path:
        """Where `forecast template` writes a plan's workbook (and `forecast run` reads it)."""
        return inside(self.entry, f"{plan_id}.xlsx")


# the reports of a run, by format
REPORT_FILES = {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx",
                "xlsx": "tables.xlsx"}


@dataclass(frozen=True)
class RunFolder:
    """The files of one run's folder (reports/<run-id>/): written by ``outputs.run_folder``,
    read back by the reports and the history."""

    root: Path

    @property
    def probabilities_csv(self) -> Path:
        return self.root / "probabilities.csv"

    @property
    def probabilities_parquet(self) -> Path:
        return self.root / "probabilities.parquet"

    @property
    def probabilities_json(self) -> Path:
        return self.root / "probabilities.json"

    @property
    def suggestions(self) -> Path:
        return self.root / "suggestions.csv"

    @property
    def review(self) -> Path:
        return self.root / "review.csv"

    @property
    def plan_outcomes(self) -> Path:
        return self.root / "plan_outcomes.csv"

    @property
    def summary(self) -> Path:
        return self.root / "summary.md"

    @property
    def paths(self) -> Path:
        """Every simulated series at the run's draws (``outputs.paths_file``)."""
        return self.root / "paths.parquet"

    def report(self, fmt: str) -> Path:
        """The report of format ``fmt`` (html, pdf, docx or xlsx)."""
        return self.root / REPORT_FILES[fmt]


@dataclass(frozen=True)
class BacktestFolder:
    """The files `forecast backtest` writes: one row per series and horizon, and the summary."""

    root: Path

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.csv"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, checked to be a plain name that stays directly in ``folder``: a
    name made from an id (a plan's, an indicator's, a run's) never writes elsewhere, whatever
    the id holds (``../``, an absolute path, a NUL), and never a hidden one (a leading dot:
    the toolkit's own temporary files and locks). The inputs refuse such ids already; this
    is the writer's own guard.

    The path is also resolved, following symbolic links: a link of that name pointing out of
    ``folder`` is refused (what is written through it would land elsewhere). ``folder``
    itself may be a link (a ``reports/`` on a shared drive): the check is against where it
    resolves to."""
    path = Path(folder) / name
    if Path(name).name != name or name.startswith(".") or not name or "\0" in name:
        raise InputError(f"the name {name!r} is not a plain name inside {folder}", file=path,
                         fix="use an id without path separators, of letters, digits, '-', "
                         "'_' and '.' only")
    try:
        escapes = not path.resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError):  # a link loop, or a link that cannot be followed
        escapes = True
    if escapes:
        raise InputError(f"the name {name!r} is a symbolic link that leads out of {folder}",
                         file=path, fix="remove the link, or use an id without path "
                         "separators")
    return path


def posterior_file(models_dir: Path, name: str) -> Path:
    """A cached posterior of one fit (``<indicator>@<year>``, counts with ``~counts``)."""
    return inside(models_dir / "posteriors", f"{name}.nc")


def language_folder(run_folder: Path, lang: str) -> Path:
    """Where `forecast report RUN --lang L` writes reports in a language other than those
    already in the run folder (``RUN/en/``), so that one language never replaces another."""
    return inside(run_folder, lang)


def plan_report_folder(run_folder: Path, plan_id: str) -> Path:
    """Where `forecast report RUN --plan ID` writes one plan's reports."""
    return inside(run_folder, f"plan-{plan_id}")


def backtest_folder(here: Path, stamp: str, model: str) -> Path:
    """The default folder of `forecast backtest`: reports/ in the current directory."""
    return inside(here / "reports", f"backtest-{stamp}-{model}")


def default_calibration_target(here: Path) -> Path:
    """Where `forecast calibrate` writes by default: the bundled calibration in a checkout;
    elsewhere models/calibration.json of the current directory (a workspace's own, which its
    runs then use)."""
    return CALIBRATION_FILE if CHECKOUT_ROOT else here / "models" / CALIBRATION_NAME


def bundled_workspace() -> Workspace:
    """The bundled example as a workspace that can be run in place: the checkout itself."""
    if CHECKOUT_ROOT is None:
        raise InputError("no workspace given, and this installation has no example to run in "
                         "place", fix="copy it with `forecast example DIR`, then "
                         "`forecast run DIR`")
    return Workspace(CHECKOUT_ROOT)


def resolve_workspace(path: Path | None, here: Path) -> tuple[Workspace, bool]:
    """The workspace to run on, and whether it is the bundled example.

    ``path`` when given; else ``here`` (the current directory) when it has data/; else the
    bundled example of a checkout (an InputError naming `forecast example` elsewhere).
    """
    if path is not None:
        return Workspace(Path(path).expanduser().resolve()), False
    if (here / "data").is_dir() and (CHECKOUT_ROOT is None or here.resolve() != CHECKOUT_ROOT):
        return Workspace(here), False
    return bundled_workspace(), True


def reference_workspace(path: Path | None, here: Path) -> Workspace:
    """The workspace whose catalogue and regions a command reads when it needs no data of
    its own (`forecast extract`): as ``resolve_workspace``, but falling back to the example
    shipped with the package instead of refusing."""
    if path is not None or (here / "data").is_dir() or CHECKOUT_ROOT is not None:
        return resolve_workspace(path, here)[0]
    return Workspace(EXAMPLE_ROOT)
