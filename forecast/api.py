"""The notebook API: a workspace opened once, then run, compared and reported on.

    import forecast
    ws = forecast.open_workspace("~/xiangtan")        # or None: the bundled example
    result = ws.run(model="trend", scenarios=["rd-push"])
    result.probabilities.query("plan_id == 'xiangtan-2023'")
    ws.history()                                       # the recorded runs, newest first
    ws.compare(ws.history().run_id[1], result.run_id)  # what moved since, and why

The `forecast` command is a skin over this: `forecast run`, `runs`, `compare`, `template`
and `report` call these methods and print what they return. This is the interface: the only
layer that reads the clock (the calendar year, the run's id and time), the environment
($FORECAST_HISTORY_URL, $DASK_SCHEDULER_ADDRESS, the user) and the current directory; the
pipeline below receives them as arguments.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from forecast.assessment.layout import check_scenarios
from forecast.assessment.review import review
from forecast.assessment.run import Assessment, assess
from forecast.assessment.settings import Settings
from forecast.config import (
    DEFAULT_DRAWS,
    DEFAULT_MODEL,
    DEFAULT_SEED,
    EXAMPLE_DATA,
    EXAMPLE_PARTS,
    EXAMPLE_ROOT,
    REGIONS_NAME,
    Workspace,
    backtest_folder,
    default_calibration_target,
    reference_workspace,
    resolve_workspace,
)
from forecast.errors import InputError
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.corpus import calibration_corpus, read_series
from forecast.evaluation.learn import learn
from forecast.evaluation.origins import BacktestSettings, series_units
from forecast.evaluation.panel import as_parents, pooled_indicators
from forecast.evaluation.results import summarise
from forecast.execution import SCHEDULER_ENV, default_workers, executor
from forecast.extract import Draft, extract_plan
from forecast.extract.writing import check_draft, draft_yaml
from forecast.files import atomic_folder, prepare_out_dir
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.regions import read_regions
from forecast.inputs.scenarios import select
from forecast.inputs.workbooks import template_frame, write_template
from forecast.inputs.workspace import LoadedWorkspace, load_workspace
from forecast.models.hierarchy.settings import PooledSettings
from forecast.outputs.history import ENV_URL, connect, history_url
from forecast.outputs.publish import (
    compared_runs,
    folder_workspace,
    listed_runs,
    publisher,
    reserved,
)
from forecast.outputs.reports.source import RunOutputs, read_run
from forecast.outputs.reports.writers import Written, rerender, write_reports
from forecast.outputs.run_folder import run_metadata, write_backtest, write_run
from forecast.simulation.calibration import NONE, Calibration, load_calibration

LARGE_WORKSPACE = 20_000  # observation rows above which `local` uses every core by default


@dataclass
class RunResult:
    """What a run wrote and recorded, with its tables as DataFrames."""

    run_id: str
    folder: Path
    probabilities: pd.DataFrame
    suggestions: pd.DataFrame
    review: pd.DataFrame
    assessment: Assessment
    written: list[Written] = field(default_factory=list)


class OpenWorkspace:
    """A workspace read and checked once (observations, entry workbooks, plans, scenarios)
    and the run history it records to."""

    def __init__(self, path: Path | str | None = None, history: str | None = None,
                 this_year: int | None = None, lock_timeout: float | None = None,
                 data_optional: bool = False):
        self.this_year = this_year or dt.date.today().year
        self.loaded: LoadedWorkspace = load_workspace(path, self.this_year, Path.cwd(),
                                                      data_optional)
        self.history_url = history_url(self.loaded.workspace.history_file, history,
                                       os.environ.get(ENV_URL))
        self.lock_timeout = lock_timeout  # seconds a locked history is waited for

    @property
    def inputs(self):
        return self.loaded.inputs

    @property
    def plans(self) -> list[str]:
        return [p.id for p in self.loaded.inputs.plans]

    def settings(self, model: str = DEFAULT_MODEL, draws: int = DEFAULT_DRAWS,
                 seed: int = DEFAULT_SEED, as_of: int | None = None,
                 scenarios: list[str] | None = None,
                 pooled: PooledSettings | None = None) -> Settings:
        """The settings of a run (scenario ids checked; every scenario when None). The review
        looks from ``as_of``, else from the calendar year."""
        if as_of is not None and as_of > self.this_year:
            raise InputError(f"--as-of {as_of} is in the future",
                             fix=f"use {self.this_year} or earlier")
        return Settings(model=model, draws=draws, seed=seed, as_of=as_of,
                        review_year=self.this_year if as_of is None else as_of,
                        calibration=load_calibration(self.loaded.workspace.models),
                        pooled=pooled or PooledSettings(),
                        cache_dir=self.loaded.workspace.models,
                        scenarios=tuple(select(self.loaded.scenarios, scenarios)))

    def run(self, settings: Settings | None = None, *, out: Path | None = None,
            lang: str = "zh", reports: bool = True, engine: str = "local",
            workers: int | None = None, scheduler: str | None = None,
            callbacks: dict[str, Callable] | None = None, plans: list[str] | None = None,
            **options) -> RunResult:
        """Fit, simulate, assess every target (of ``plans`` only, if given; `--plan`) under
        every scenario, review, write the run's
        folder (``out``, else reports/<run-id>/) with its reports, and record it in the
        history. ``options`` go to ``settings()`` when no settings are given; ``callbacks``
        (progress, on_start, on_fit) to ``assess``; on_reports is called before the reports are
        written.

        The folder and the id are reserved before any fitting (an ``out`` another run is
        writing is refused at once); the run is recorded before its folder is moved into
        place, and a failure of either leaves neither."""
        settings = settings or self.settings(**options)
        inputs = self._plan_inputs(*plans) if plans else self.loaded.inputs
        db = connect(self.history_url, self.lock_timeout)  # a bad URL fails before any work
        if engine == "local" and workers is None and len(inputs.observations) > LARGE_WORKSPACE:
            workers = default_workers()
        scheduler = scheduler or os.environ.get(SCHEDULER_ENV)
        base_id = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{settings.model}-seed{settings.seed}"
        with reserved(out, self.loaded.workspace.run_folder, base_id, db) as (target, run_id):
            with executor(engine, workers, scheduler) as pool:
                result = assess(inputs, settings, pool, **_assess_hooks(callbacks))
                reviewed = review(inputs, settings, result, pool)
            meta = {"id": run_id, **run_metadata(settings, self.loaded.files,
                                                 self.loaded.workspace.root,
                                                 self.loaded.bundled, inputs.regions)}
            written: list[Written] = []
            files: list[RunOutputs] = []  # the run as read back once: reports and history
            on_reports = (callbacks or {}).get("on_reports")

            def finish(tmp: Path) -> None:
                files.append(read_run(tmp))
                if reports:
                    if on_reports is not None:
                        on_reports()
                    written.append(write_reports(files[0], tmp, lang, inputs.catalogue))

            publish = publisher(db, run_id, files, target, lambda: dt.datetime.now(
                dt.UTC).isoformat(timespec="seconds"), _user())
            write_run(target, result, inputs.plans, meta, lang, inputs.catalogue, reviewed,
                      finish, publish)
        return RunResult(run_id, target, result.rows, result.suggestions, reviewed, result,
                         written)

    def _plan_inputs(self, *plans: str):  # only these plans, in the workspace's order
        unknown = sorted(set(plans) - set(self.plans))
        if unknown:
            raise InputError(f"no plan {unknown[0]!r} in the workspace",
                             file=self.loaded.workspace.plans, column="--plan",
                             fix=f"use one of {', '.join(self.plans[:8])}")
        chosen = [p for p in self.loaded.inputs.plans if p.id in plans]
        return replace(self.loaded.inputs, plans=chosen)

    def assess_plan(self, plan: str, settings: Settings | None = None,
                    callbacks: dict[str, Callable] | None = None, **options) -> Assessment:
        """One plan's rows, suggestions and progress, nothing written (`forecast suggest`).
        Scenarios are checked against the whole workspace, as a run would."""
        settings = settings or self.settings(**options)
        check_scenarios(self.loaded.inputs, settings)
        return assess(self._plan_inputs(plan), settings, None, check_scenarios=False,
                      **_assess_hooks(callbacks))

    def review_plan(self, plan: str, settings: Settings | None = None,
                    callbacks: dict[str, Callable] | None = None, **options) -> pd.DataFrame:
        """Where one plan stands (review.csv's rows for it; `forecast review`)."""
        settings = settings or self.settings(**options)
        result = self.assess_plan(plan, settings, callbacks)
        return review(self._plan_inputs(plan), settings, result)

    def history(self, plan: str | None = None) -> pd.DataFrame:
        """The recorded runs, newest first (those that assessed ``plan``, if given)."""
        return listed_runs(self.history_url, plan, self.lock_timeout)

    def compare(self, run_a: str, run_b: str) -> pd.DataFrame:
        """The targets whose probability moved from run_a to run_b (run ids or run
        folders), by how much and why."""
        return compared_runs(self.history_url, run_a, run_b, self.lock_timeout)

    def template(self, plan: str, out: Path | None = None) -> tuple[Path, pd.DataFrame]:
        """Write the data-entry workbook of ``plan`` (default data/entry/<plan>.xlsx)."""
        inputs = self.loaded.inputs
        frame = template_frame(self._plan_inputs(plan).plans[0], inputs.catalogue,
                               inputs.observations, inputs.regions, self.this_year)
        target = out if out is not None else self.loaded.workspace.template_file(plan)
        if target.suffix.lower() != ".xlsx":
            raise InputError("the workbook must be an .xlsx file", file=target,
                             fix="give --out a name ending in .xlsx")
        if target.exists():
            raise InputError("file exists (it may hold filled-in values)", file=target,
                             fix="give --out another name, or move that file away first")
        write_template(frame, target, inputs.catalogue)
        return target, frame

    @staticmethod
    def report(run_folder: Path, lang: str = "zh", plan: str | None = None,
               on_start: Callable[[], object] | None = None) -> Written:
        """Re-render a finished run's reports (one plan's, with ``plan``) without refitting."""
        return rerender(run_folder, lang, plan, on_start)


def _user() -> str:
    """Who runs: recorded with each run in the history."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _assess_hooks(callbacks: dict[str, Callable] | None) -> dict[str, Callable]:
    """The callbacks ``assess`` takes (progress, on_start, on_fit), without on_reports."""
    return {k: v for k, v in (callbacks or {}).items() if k != "on_reports"}


def backtest(observations: Path, *, model: str = DEFAULT_MODEL, holdout: int = 3,
             origins: int = 1, after: int | None = None, draws: int = DEFAULT_DRAWS,
             seed: int = DEFAULT_SEED, calibration: str = "default", kind: str | None = None,
             regions: Path | None = None, out: Path | None = None, workers: int | None = None,
             progress: Callable[[int], object] | None = None,
             on_start: Callable[[int], object] | None = None) -> tuple[Path, dict]:
    """Out-of-sample evaluation of ``model`` on the series in ``observations`` (the last
    ``holdout`` years held out at ``origins`` rolling origins); writes metrics.csv and
    summary.json into ``out`` and returns it with the summary (`forecast backtest`)."""
    now = dt.datetime.now()
    obs, catalogue = read_series(Path(observations), kind, now.year)
    settings = BacktestSettings(model=model, holdout=holdout, origins=origins, draws=draws,
                                seed=seed, after=after, calibration=_calibration(calibration))
    target = out if out is not None else backtest_folder(Path.cwd(), f"{now:%Y%m%d-%H%M%S}", model)
    prepare_out_dir(target)
    units = series_units(obs, catalogue)
    tree = _regions_beside(Path(observations), regions)
    if on_start is not None:
        on_start(len(units))
    result = run_backtest(units, settings, _workers(workers), progress=progress, regions=tree)
    summary = summarise(result)
    summary["settings"] = {"model": model, "holdout": holdout, "origins": origins,
                           "after": after, "draws": draws, "seed": seed,
                           "calibration": calibration, "observations": str(observations),
                           "regions": None if tree is None else REGIONS_NAME}
    write_backtest(target, result, summary)
    return target, summary


def calibrate(until: int | None = None, horizon: int = 6, draws: int = 1000,
              seed: int = DEFAULT_SEED, pooled: bool = True, workers: int | None = None,
              out: Path | None = None, progress: Callable[[int], object] | None = None,
              on_start: Callable[[int], object] | None = None) -> tuple[Calibration, dict]:
    """Learn the default model's calibration from backtests on the bundled corpus (held-out
    years up to ``until``) and save it to ``out`` (`forecast calibrate`; default
    ``config.default_calibration_target``); returns it with the learning report (its
    ``series`` and ``until`` included)."""
    out = default_calibration_target(Path.cwd()) if out is None else out
    this_year = dt.date.today().year
    units, own = calibration_corpus(this_year)
    until = max(int(u.years[-1]) for u in units) if until is None else until
    tree = read_regions(Workspace(EXAMPLE_ROOT).regions_file) if pooled else None
    total = 2 * len(units)
    if tree is not None:  # the pooled backtest reports the series of pooled indicators
        chosen = pooled_indicators(units, "auto", as_parents(tree))
        total += sum(u.indicator.id in chosen for u in units)
    if on_start is not None:
        on_start(total)
    calibration, report = learn(units, until, horizon, draws, seed, _workers(workers),
                                progress=progress, own=own, regions=tree)
    calibration.meta.update({"command": f"forecast calibrate --until {until} --horizon "
                             f"{horizon} --draws {draws} --seed {seed}",
                             "created": dt.date.today().isoformat()})
    calibration.save(out)
    return calibration, {**report, "series": len(units), "until": until, "out": str(out)}


def _regions_beside(observations: Path, regions: Path | None):
    """The regions table a backtest pools through: the one given, else regions.csv beside
    the observations file, else none."""
    path = regions if regions is not None else observations.parent / REGIONS_NAME
    if regions is None and not path.exists():
        return None
    return read_regions(path)


def _calibration(choice: str) -> Calibration:
    if choice == "none":
        return NONE
    return load_calibration() if choice == "default" else Calibration.load(Path(choice))


def _workers(workers: int | None) -> int:
    return default_workers() if workers is None else max(1, workers)


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


def open_workspace(path: Path | str | None = None, history: str | None = None,
                   lock_timeout: float | None = None, data_optional: bool = False
                   ) -> OpenWorkspace:
    """Open a workspace folder (None: ./ if it has data/, else the bundled example); the
    run history is ``history`` (a SQLAlchemy URL), $FORECAST_HISTORY_URL, or
    reports/history.sqlite in the workspace, a lock on it waited for ``lock_timeout``
    seconds (default ``history.LOCK_TIMEOUT``); ``data_optional`` opens a workspace that
    has no observations.csv yet. Raises InputError on bad input."""
    return OpenWorkspace(path, history, lock_timeout=lock_timeout, data_optional=data_optional)
