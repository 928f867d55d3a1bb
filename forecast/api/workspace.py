"""The notebook API's workspace: opened once, then run, compared and reported on
(``forecast.open_workspace``; the package docstring shows it in use). Reads the clock (the
calendar year, the run's id and time), the environment and the current directory."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import time
from collections.abc import Callable
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from forecast.assessment.layout import check_scenarios
from forecast.assessment.prefit import fit_all
from forecast.assessment.review import review
from forecast.assessment.run import Assessment, assess
from forecast.assessment.settings import Settings
from forecast.config import DEFAULT_DRAWS, DEFAULT_MODEL, DEFAULT_SEED
from forecast.errors import InputError
from forecast.evaluation.own_data import own_data_check, skipped_check
from forecast.execution import SCHEDULER_ENV, check_engine, default_workers, executor
from forecast.files import prepare_out_dir, scratch_file
from forecast.inputs.scenarios import select
from forecast.inputs.workbooks import template_frame, write_template
from forecast.inputs.workspace import LoadedWorkspace, load_workspace
from forecast.models.hierarchy.settings import PooledSettings
from forecast.outputs.history import ENV_URL, connect, history_url
from forecast.outputs.paths_file import PathsWriter
from forecast.outputs.publish import compared_runs, listed_runs, publisher, reserved
from forecast.outputs.reports.source import RunOutputs, read_run
from forecast.outputs.reports.writers import Written, rerender, write_reports
from forecast.outputs.run_folder import record_timings, run_metadata, write_run
from forecast.simulation.calibration import load_calibration
from forecast.timings import Timings

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
    timings: Timings = field(default_factory=Timings)  # where the run's seconds went


@dataclass(frozen=True)
class PlanReview:
    """Where one plan stands: review.csv's rows for it, and its rows of plan_outcomes.csv."""

    review: pd.DataFrame
    outcomes: pd.DataFrame


class OpenWorkspace:
    """A workspace read and checked once (observations, entry workbooks, plans, scenarios)
    and the run history it records to."""

    def __init__(self, path: Path | str | None = None, history: str | None = None,
                 this_year: int | None = None, lock_timeout: float | None = None,
                 data_optional: bool = False, strict: bool = False):
        start = time.perf_counter()
        self.this_year = this_year or dt.date.today().year
        self.loaded: LoadedWorkspace = load_workspace(path, self.this_year, Path.cwd(),
                                                      data_optional, strict)
        self.load_seconds = time.perf_counter() - start  # the `load` of a run's timings
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
        first = None if as_of is None else int(self.loaded.inputs.observations["year"].min())
        if first is not None and as_of < first:
            raise InputError(f"--as-of {as_of} is before the first observed year, {first}",
                             column="--as-of", fix=f"use {first} or later")
        return Settings(model=model, draws=draws, seed=seed, as_of=as_of,
                        review_year=self.this_year if as_of is None else as_of,
                        calibration=load_calibration(self.loaded.workspace.models),
                        pooled=pooled or PooledSettings(),
                        cache_dir=self.loaded.workspace.models,
                        scenarios=tuple(select(self.loaded.scenarios, scenarios)),
                        fit_workers=default_workers())

    def run(self, settings: Settings | None = None, *, out: Path | str | None = None,
            lang: str = "zh", reports: bool = True, engine: str = "local",
            workers: int | None = None, scheduler: str | None = None,
            callbacks: dict[str, Callable] | None = None, plans: list[str] | None = None,
            timings: bool = False, check: bool = True, paths: bool = True,
            **options) -> RunResult:
        """Fit, simulate, assess every target (of ``plans`` only, if given; `--plan`) under
        every scenario, review, write the run's
        folder (``out``, else reports/<run-id>/) with its reports, and record it in the
        history. ``options`` go to ``settings()`` when no settings are given; ``callbacks``
        (progress, on_start, on_fit) to ``assess``; on_check(n) is called before the own-data
        check of n series (``evaluation.own_data``; skipped with ``check=False``, `--no-check`),
        which reports to check_progress, and on_reports before the reports are written.
        Every fit, the review's look back included, is made first (``fit_all``).
        ``RunResult.timings`` says where the seconds went; with ``timings`` they are also
        written into probabilities.json's diagnostics (every stage but the history, which
        records the finished folder). ``paths`` keeps every simulated series in the folder's
        paths.parquet, for `forecast explore` (``paths=False``: `--no-paths`).

        The folder and the id are reserved before any fitting (an ``out`` another run is
        writing is refused at once); the run is recorded before its folder is moved into
        place, and a failure of either leaves neither."""
        settings = replace(settings or self.settings(**options), paths=paths)
        out = None if out is None else Path(out)  # a notebook may give a str
        data, target_dir = self.loaded.workspace.data.resolve(), out and out.resolve()
        if target_dir is not None and (target_dir == data or data in target_dir.parents):
            raise InputError("--out is inside the workspace's data folder, which holds its "
                             "inputs", file=out, fix="write the run's outputs elsewhere, e.g. "
                             "under reports/")
        if out is not None:
            prepare_out_dir(out)  # again once claimed; here before the history is opened
        inputs = self._plan_inputs(*plans) if plans else self.loaded.inputs
        # refused before anything is written, the history included
        check_engine(engine)
        check_scenarios(inputs, settings)
        db = connect(self.history_url, self.lock_timeout)  # a bad URL fails before any work
        if engine == "local" and workers is None and len(inputs.observations) > LARGE_WORKSPACE:
            workers = default_workers()
        scheduler = scheduler or os.environ.get(SCHEDULER_ENV)
        base_id = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{settings.model}-seed{settings.seed}"
        clock = Timings()
        clock.add("load", self.load_seconds)
        hooks = _assess_hooks(callbacks)
        with reserved(out, self.loaded.workspace.run_folder, base_id, db) as (target, run_id), \
                (scratch_file(target, ".paths.parquet") if paths else nullcontext()) as part:
            with executor(engine, workers, scheduler) as pool:
                with clock.stage("fits"):
                    fitted = fit_all(inputs, settings, pool, hooks.get("on_fit"))
                clock.add_fits(f.diagnostics for f in fitted.values())
                with clock.stage("simulate"):
                    writer = PathsWriter(part) if part else None
                    try:
                        result = assess(inputs, settings, pool, check_scenarios=False,
                                        fitted=fitted, on_paths=writer and writer.add, **hooks)
                    except BaseException:
                        if writer is not None:
                            with suppress(Exception):  # the run's own error is the one to say
                                writer.close(None)
                        raise
                    if writer is not None:
                        writer.close(result.stored)
                        clock.add("paths", writer.seconds)
                with clock.stage("review look-back"):
                    reviewed = review(inputs, settings, result, pool, fitted=fitted)
            with clock.stage("own-data check"):  # on this machine, as many processes as
                # the run's local work (one, in-process, for a small workspace)
                calibration = own_data_check(
                    inputs, settings, workers or 1, (callbacks or {}).get("check_progress"),
                    (callbacks or {}).get("on_check")) if check else skipped_check("--no-check")
            meta = {"id": run_id, "date": dt.date.today().isoformat(),
                    **run_metadata(settings, self.loaded.files, self.loaded.workspace.root,
                                   self.loaded.bundled, inputs.regions),
                    **inputs.office.as_meta()}
            written: list[Written] = []
            files: list[RunOutputs] = []  # the run as read back once: reports and history
            on_reports = (callbacks or {}).get("on_reports")

            def finish(tmp: Path) -> None:
                files.append(read_run(tmp))
                if reports:
                    if on_reports is not None:
                        on_reports()
                    with clock.stage("reports"):
                        written.append(write_reports(files[0], tmp, lang, inputs.catalogue))
                if timings:
                    record_timings(tmp, clock.as_dict())

            publish = publisher(db, run_id, files, target, lambda: dt.datetime.now(
                dt.UTC).isoformat(timespec="seconds"), _user())

            def timed_publish(move: Callable[[], None]) -> None:
                with clock.stage("history"):
                    publish(move)

            write_run(target, result, inputs.plans, meta, lang, inputs.catalogue, reviewed,
                      finish, timed_publish, calibration, part)
        return RunResult(run_id, target, result.rows, result.suggestions, reviewed, result,
                         written, clock)

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
        hooks = _assess_hooks(callbacks)
        inputs = self._plan_inputs(plan)
        fitted = fit_all(inputs, settings, None, hooks.get("on_fit"), review=False)
        return assess(inputs, settings, None, check_scenarios=False, fitted=fitted, **hooks)

    def review_plan(self, plan: str, settings: Settings | None = None,
                    callbacks: dict[str, Callable] | None = None, **options) -> pd.DataFrame:
        """Where one plan stands (review.csv's rows for it): its fits and those of its look
        back are made first, together."""
        return self.plan_review(plan, settings, callbacks, **options).review

    def plan_review(self, plan: str, settings: Settings | None = None,
                    callbacks: dict[str, Callable] | None = None, **options) -> PlanReview:
        """``review_plan``'s rows with the plan as a whole under each scenario (its rows of
        plan_outcomes.csv): what `forecast review` prints."""
        settings = settings or self.settings(**options)
        check_scenarios(self.loaded.inputs, settings)
        hooks = _assess_hooks(callbacks)
        inputs = self._plan_inputs(plan)
        fitted = fit_all(inputs, settings, None, hooks.get("on_fit"))
        result = assess(inputs, settings, None, check_scenarios=False, fitted=fitted, **hooks)
        return PlanReview(review(inputs, settings, result, fitted=fitted), result.plan_outcomes)

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
    """The callbacks ``assess`` takes (progress, on_start, on_fit), without those of the
    check and the reports."""
    return {k: v for k, v in (callbacks or {}).items()
            if k not in ("on_reports", "on_check", "check_progress")}


def open_workspace(path: Path | str | None = None, history: str | None = None,
                   lock_timeout: float | None = None, data_optional: bool = False,
                   strict: bool = False) -> OpenWorkspace:
    """Open a workspace folder (None: ./ if it has data/, else the bundled example); the
    run history is ``history`` (a SQLAlchemy URL), $FORECAST_HISTORY_URL, or
    reports/history.sqlite in the workspace, a lock on it waited for ``lock_timeout``
    seconds (default ``history.LOCK_TIMEOUT``); ``data_optional`` opens a workspace that
    has no observations.csv yet; ``strict`` refuses a value of observations.csv out of scale
    with its series (`forecast run --strict`), which is otherwise a data-quality note. Raises
    InputError on bad input."""
    return OpenWorkspace(path, history, lock_timeout=lock_timeout, data_optional=data_optional,
                         strict=strict)
