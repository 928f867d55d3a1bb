"""The `forecast` command: a thin skin over the library.

Each command parses options, calls the library, and prints. Errors a user can fix are one line
on stderr and exit status 2; anything else is a bug and exits 1 with a traceback.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from forecast.api import OpenWorkspace, compare_runs, open_workspace
from forecast.api import backtest as api_backtest
from forecast.api import calibrate as api_calibrate
from forecast.api import extract as api_extract
from forecast.api import runs as api_runs
from forecast.catalogue import load_catalogue
from forecast.config import (
    CALIBRATION_FILE,
    DEFAULT_DRAWS,
    DEFAULT_MODEL,
    DEFAULT_SEED,
)
from forecast.entry import HEAD as ENTRY_HEAD
from forecast.errors import InputError
from forecast.models import MODEL_HELP, MODEL_NAMES
from forecast.models.pooled.inference import SAMPLERS, PooledSettings
from forecast.outputs import (
    review_text,
    suggestions_text,
)
from forecast.pooling import poor
from forecast.reports import Written
from forecast.review import review_year
from forecast.scenarios import BASELINE

HistoryOpt = Annotated[str | None, typer.Option(
    "--history", help="The run history's database: a SQLAlchemy URL, e.g. "
    "postgresql+psycopg://office@db/forecast (or set FORECAST_HISTORY_URL). Default: "
    "reports/history.sqlite in the workspace.")]


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Probabilities that the numeric targets of innovation plans will be met.\n\n"
    "Run `forecast run` to assess the bundled example (real provincial statistics and five "
    "real local plans), or `forecast run PATH` on your own workspace.",
)

ModelName = Enum("ModelName", {m: m for m in MODEL_NAMES}, type=str)
Lang = Enum("Lang", {"en": "en", "zh": "zh"}, type=str)


def _fail(exc: InputError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2)


@app.command()
def run(
    workspace: Annotated[Path | None, typer.Argument(
        help="Workspace folder with data/observations.csv and data/plans/*.yaml. "
        "Default: ./ if it has data/, else the bundled example.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the run's files into this folder (new or empty) instead of "
        "reports/<run-id>/.")] = None,
    model: Annotated[ModelName, typer.Option(
        help="Forecasting model: " + "; ".join(f"{k}: {v}" for k, v in MODEL_HELP.items())
    )] = DEFAULT_MODEL,  # type: ignore[assignment]
    draws: Annotated[int, typer.Option(min=100, help="Simulated futures per series.")]
    = DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = DEFAULT_SEED,
    as_of: Annotated[int | None, typer.Option(
        "--as-of", help="Use only observations up to this year (mid-term review, or a look "
        "back at what could have been known then).")] = None,
    lang: Annotated[Lang, typer.Option(
        help="Language of the reports and summary.md: zh (Chinese) or en.")] = "zh",  # type: ignore[assignment]
    reports: Annotated[bool, typer.Option(
        "--reports/--no-reports", help="Write report.html, report.pdf, report.docx and "
        "tables.xlsx (a few seconds; `forecast report RUN` can render them later).")] = True,
    engine: Annotated[str, typer.Option(
        help="Where the work runs: local (this machine) or dask (Dask distributed). Every "
        "engine gives the same bytes.")] = "local",
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes. local: 1 runs in-process (default for small "
        "workspaces; large ones use every core); dask: LocalCluster size.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (or set "
        "DASK_SCHEDULER_ADDRESS). Without it, --engine dask starts a LocalCluster.")] = None,
    sampler: Annotated[str, typer.Option(
        help="NUTS sampler of the pooled model (bayes, auto): nutpie (fast sampling, compiles "
        "with numba) or pymc.")] = "nutpie",
    chains: Annotated[int, typer.Option(min=2, help="MCMC chains of the pooled model.")] = 4,
    mcmc_draws: Annotated[int, typer.Option(
        min=100, help="MCMC draws per chain of the pooled model (after tuning).")] = 1000,
    inference: Annotated[str, typer.Option(
        help="Pooled model inference: auto (NUTS, or the fast approximation above 400 "
        "regions), nuts, or approx.")] = "auto",
    persistence: Annotated[bool, typer.Option(
        "--persistence/--no-persistence",
        help="Pooled model: let a year's growth above or below trend partly carry into the next "
        "(an AR(1) around the drift; on by default, as the provincial backtests favour).")] = True,
    scenario: Annotated[list[str] | None, typer.Option(
        help="A scenario id from data/scenarios/*.yaml (repeat for several). Default: every "
        "scenario there. The baseline is always computed.")] = None,
    history: HistoryOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Assess every target of every plan: the main job.

    Fits, simulates and assesses every target under the baseline and each scenario; writes
    probabilities, achievable values, the mid-term review, a summary and the reports, and
    records the run in the history.

    Writes probabilities.csv (one row per target and scenario), suggestions.csv (the value
    each target would meet with 50/80/90% probability), review.csv (plans whose period has
    begun: progress since the base year, probability now and at the base year), summary.md,
    and the reports: report.html (open it in a browser), report.pdf, report.docx and
    tables.xlsx, in Chinese unless --lang en.

    With --model bayes or auto, the pooled model of each indicator is fitted first (one NUTS
    fit per indicator over every region that has it) and cached in the workspace's
    models/posteriors/: a run whose data and settings did not change reuses the fit.

    Example:

        forecast run                         # the bundled example

        forecast run ~/xiangtan --as-of 2022 --model drift --out review-2022

        forecast run ~/all-counties --engine dask --scheduler tcp://10.0.0.5:8786

        forecast run ~/xiangtan --model bayes --sampler pymc --chains 4

        forecast run --scenario rd-push --scenario downturn

        forecast run --lang en                # English reports
    """
    try:
        if sampler not in SAMPLERS:
            raise InputError(f"unknown sampler {sampler!r}", column="--sampler",
                             fix=f"use one of {', '.join(SAMPLERS)}")
        if inference not in ("auto", "nuts", "approx"):
            raise InputError(f"unknown inference {inference!r}", column="--inference",
                             fix="use auto, nuts or approx")
        ws = _opened(workspace, quiet, history)
        settings = ws.settings(model.value, draws, seed, as_of, scenario, PooledSettings(
            sampler=sampler, chains=chains, draws=mcmc_draws, method=inference,
            persistence=persistence))
        bars = _Bars(quiet)
        done = ws.run(settings, out=out, lang=lang.value, reports=reports, engine=engine,
                      workers=workers, scheduler=scheduler, callbacks=bars.callbacks)
        bars.close()
    except InputError as exc:
        _fail(exc)
    _summarise_fits(done.assessment.fits, quiet)
    rows = done.probabilities[done.probabilities["scenario"] == BASELINE]
    n_ok = int(rows["assessable"].sum())
    n_sc = len(settings.scenarios)
    typer.echo(f"{len(rows)} targets in {len(ws.plans)} plans: {n_ok} assessed, "
               f"{len(rows) - n_ok} without a probability (see note column)"
               + (f"; {n_sc} scenario{'s' * (n_sc > 1)} besides the baseline" if n_sc else "")
               + ".")
    typer.echo(f"wrote {done.folder}/probabilities.csv, .parquet, .json, suggestions.csv, "
               "review.csv, summary.md")
    for w in done.written:
        _said(w, done.folder)
    typer.echo(f"recorded as {done.run_id} in the run history (forecast runs)")


class _Bars:
    """Progress bars for a run: pooled fits, then series; a line before the reports."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.fit = tqdm(desc="fitting pooled models", unit="indicator", disable=quiet,
                        file=sys.stderr, total=0, delay=0.5)
        self.series: tqdm | None = None
        self.callbacks = {"progress": lambda k: self.series.update(k),
                          "on_start": self._start,
                          "on_fit": lambda *a: _report_fit(self.fit, *a),
                          "on_reports": self._reports}

    def _start(self, n: int) -> None:
        self.fit.close()
        self.series = tqdm(total=n, desc="simulating series", unit="series",
                           disable=self.quiet, file=sys.stderr)

    def _reports(self) -> None:
        self.close()
        if not self.quiet:
            typer.echo("writing reports (html, pdf, docx, xlsx)...", err=True)

    def close(self) -> None:
        self.fit.close()
        if self.series is not None:
            self.series.close()


def _said(written: Written, folder: Path) -> None:
    """Tell where the reports are (report.html first: the one to open) and what was not
    written and why."""
    names = [f.name for f in written.files]
    if "report.html" in names:
        typer.echo(f"report: {folder / 'report.html'}")
    others = [n for n in names if n != "report.html"]
    if others:
        typer.echo(f"also wrote {', '.join(others)} in {folder}")
    for line in written.skipped:
        typer.echo(f"warning: {line}", err=True)


def _opened(workspace: Path | None, quiet: bool, history: str | None = None) -> OpenWorkspace:
    """The workspace opened through the API (saying so when it is the bundled example)."""
    ws = open_workspace(workspace, history)
    if ws.loaded.bundled and not quiet:
        typer.echo(f"No workspace given: running on the bundled example in "
                   f"{ws.loaded.workspace.root}", err=True)
    return ws


def _report_fit(bar: tqdm, indicator: str, diag: dict, cached: bool, total: int) -> None:
    bar.total = total
    bar.set_postfix_str(f"{indicator} ({'cached' if cached else 'fitted'})", refresh=False)
    bar.update(1)


def _summarise_fits(fits: dict[str, dict], quiet: bool) -> None:
    """One line on the pooled fits, and one warning per fit whose convergence is poor: its
    numbers are less trustworthy."""
    if fits and not quiet:
        fresh = sum(not d.get("cached") for d in fits.values())
        typer.echo(f"pooled model: {len(fits)} indicators ({fresh} fitted, "
                   f"{len(fits) - fresh} from models/posteriors/), R-hat max "
                   f"{max(d['r_hat_max'] for d in fits.values()):.3f}, "
                   f"{sum(d['divergences'] for d in fits.values())} divergences", err=True)
    for ind, diag in fits.items():
        problems = poor(diag)
        if problems:
            typer.echo(f"warning: pooled fit of {ind}: {'; '.join(problems)}. Fix: more "
                       "--mcmc-draws, or check the series for outliers", err=True)


@app.command()
def backtest(
    observations: Annotated[Path, typer.Argument(
        help="observations.csv/.xlsx (region, indicator, year, value).", show_default=False)],
    holdout: Annotated[int, typer.Option(min=1, help="Years held out at each origin.")] = 3,
    origins: Annotated[int, typer.Option(min=1, help="Rolling origins per series (the last "
                                         "ends at the last year).")] = 1,
    after: Annotated[int | None, typer.Option(
        help="Score only origins whose held-out years all come after this year (e.g. the "
        "--until of the calibration, so nothing scored was learned from).")] = None,
    kind: Annotated[str | None, typer.Option(
        help="Treat indicators not in the catalogue as this kind: share, amount, count or "
        "ratio (so any yearly series can be evaluated).")] = None,
    model: Annotated[ModelName, typer.Option(help="Model to evaluate.")] = DEFAULT_MODEL,  # type: ignore[assignment]
    out: Annotated[Path | None, typer.Option(help="Folder for metrics.csv and summary.json "
                                             "(new or empty). Default: reports/<run-id>/.")]
    = None,
    draws: Annotated[int, typer.Option(min=100, help="Simulated futures per series.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = DEFAULT_SEED,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes. Default: every core.")] = None,
    calibration: Annotated[str, typer.Option(
        help="Calibration to apply: 'default' (models/calibration.json), 'none' (the raw "
        "model), or the path of a file made by `forecast calibrate --out`. To score honestly, "
        "use one learned only from years before those held out (calibrate --until).")]
    = "default",
    regions: Annotated[Path | None, typer.Option(
        help="regions.csv giving each region's parent, the tree the pooled model (bayes, "
        "auto) pools through. Default: regions.csv beside the observations, if there is one; "
        "without it, auto backtests trend.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Hold out the last years of every series, forecast them, and score the forecasts.

    With the pooled models (bayes, auto), each origin is a calendar year: the model of an
    indicator is fitted on every region's years up to it, then each series is scored.

    Writes metrics.csv (one row per series and origin: MASE, sMAPE, CRPS, 80%/95% interval
    coverage, PIT values) and summary.json (the means, coverages with exact binomial 95% bands,
    and the Brier score of planner-style threshold probabilities with its reliability diagram).

    Example:

        forecast backtest data/observations.csv --holdout 3 --origins 3

        forecast calibrate --until 2018 --out cal-2018.json

        forecast backtest data/observations.csv --after 2018 --calibration cal-2018.json

        forecast backtest m3.csv --kind amount --holdout 6 --model drift --calibration none
    """
    try:
        bar = tqdm(desc="backtesting", unit="series", disable=quiet, file=sys.stderr)
        target, summary = api_backtest(
            observations, model=model.value, holdout=holdout, origins=origins, after=after,
            draws=draws, seed=seed, calibration=calibration, kind=kind, regions=regions,
            out=out, workers=workers, progress=bar.update,
            on_start=lambda n: setattr(bar, "total", n))
        bar.close()
    except InputError as exc:
        _fail(exc)
    typer.echo(f"{summary['series_origins']} series-origins: MASE {summary['MASE']:.3f}, "
               f"coverage 80% {summary['coverage_80']['rate']:.3f}, "
               f"95% {summary['coverage_95']['rate']:.3f}")
    typer.echo(f"wrote {target}/metrics.csv, summary.json")


@app.command()
def calibrate(
    until: Annotated[int | None, typer.Option(
        help="Learn only from held-out years up to this one, so later years stay unseen and "
        "can be scored. Default: every year (the calibration that runs use).")] = None,
    horizon: Annotated[int, typer.Option(min=1, help="Longest horizon to calibrate.")] = 6,
    out: Annotated[Path, typer.Option(help="Where to write the calibration.")]
    = CALIBRATION_FILE,
    draws: Annotated[int, typer.Option(min=100)] = 1000,
    seed: Annotated[int, typer.Option()] = DEFAULT_SEED,
    workers: Annotated[int | None, typer.Option(min=1, help="Default: every core.")] = None,
    pooled: Annotated[bool, typer.Option(
        help="Also learn the pooled model's (bayes) spread factors from backtests of the "
        "provincial series pooled through data/regions.csv (one MCMC fit per indicator and "
        "origin: a few minutes).")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Refresh the default model's calibration from backtests on the bundled corpus.

    Learns the `trend` model's member weights and spread factors per indicator from the
    bundled provincial series (data/observations.csv), and default weights and spread per kind
    from those together with the calibration corpus (data/calibration/corpus.yaml: tourism
    yearly, World Bank R&D intensity), using only held-out years up to --until. With --pooled
    (default), the pooled model's spread factors too, from the provincial series alone.

    Example:

        forecast calibrate                        # refresh models/calibration.json

        forecast calibrate --until 2018 --out cal-2018.json   # for honest backtests
    """
    try:
        bar = tqdm(desc="calibrating", unit="series", disable=quiet, file=sys.stderr)
        calibration, report = api_calibrate(until, horizon, draws, seed, pooled, workers, out,
                                            progress=bar.update,
                                            on_start=lambda n: setattr(bar, "total", n))
        bar.close()
    except InputError as exc:
        _fail(exc)
    w = calibration.models["trend"]["weights"]
    typer.echo(f"learned from {report['held_out_values']} held-out values of "
               f"{report['series']} series (years up to {report['until']}); weight of linear "
               "drift: "
               + ", ".join(f"{k} {v['linear']:.2f}" for k, v in sorted(w.items())))
    typer.echo(f"wrote {out}")


@app.command()
def report(
    run_folder: Annotated[Path, typer.Argument(help="A folder written by `forecast run`.",
                                               show_default=False)],
    plan: Annotated[str | None, typer.Option(
        help="Render this plan's full report into RUN/plan-<id>/ (from a national run too). "
        "Default: the run's own reports, in RUN/.")] = None,
    lang: Annotated[Lang, typer.Option(help="Language: zh (Chinese) or en.")] = "zh",  # type: ignore[assignment]
) -> None:
    """Re-render a finished run's reports without refitting.

    report.html, report.pdf, report.docx and tables.xlsx again: in another language, or one
    plan's full report.

    A run of more than 20 plans reports a national overview; --plan gives any one plan the
    full report (targets, fan charts, scenarios, achievable values, review, data).

    Example:

        forecast report reports/20261123-101500-auto-seed20231 --lang en

        forecast report reports/20261123-101500-auto-seed20231 --plan xiangtan-2023
    """
    try:
        written = OpenWorkspace.report(run_folder, lang.value, plan, on_start=lambda: (
            typer.echo("writing reports (html, pdf, docx, xlsx)...", err=True)))
    except InputError as exc:
        _fail(exc)
    _said(written, written.files[0].parent if written.files else run_folder)


WorkspaceArg = Annotated[Path | None, typer.Argument(
    help="Workspace folder (default: ./ if it has data/, else the bundled example).",
    show_default=False)]
PlanOpt = Annotated[str, typer.Option(help="The plan id (plan: id: in data/plans/*.yaml).")]
ScenarioOpt = Annotated[list[str] | None, typer.Option(
    help="A scenario id (repeatable). Default: every scenario in data/scenarios/.")]


@app.command()
def template(
    workspace: WorkspaceArg = None,
    plan: PlanOpt = ...,  # type: ignore[assignment]
    out: Annotated[Path | None, typer.Option(
        help="Where to write the workbook (.xlsx). Default: data/entry/<plan id>.xlsx in the "
        "workspace, where `forecast run` reads it back.")] = None,
) -> None:
    """Write a data-entry workbook for the indicators and years a plan's targets need.

    One row per region and indicator, a column per year (the layout statistics offices
    use), the catalogue's Chinese and English names and units, the values the workspace
    already has filled in and the cells to fill highlighted; a second sheet explains the
    units (亿元 vs 万元, % as 2.5 not 0.025). Fill it, keep it in data/entry/, and every
    `forecast run` reads it with observations.csv; a cell that cannot be read is reported
    with its sheet and cell.

    Example:

        forecast template ~/xiangtan --plan xiangtan-2023

        forecast template --plan zhenkang-2025 --out ~/Desktop/镇康-录入.xlsx
    """
    try:
        target, frame = open_workspace(workspace).template(plan, out)
    except InputError as exc:
        _fail(exc)
    years = frame.columns[len(ENTRY_HEAD):]
    to_fill = int(frame[years].isna().to_numpy().sum())
    typer.echo(f"wrote {target}: {len(frame)} series x {len(years)} years "
               f"({years[0]}-{years[-1]}), {to_fill} cells to fill (yellow)")
    if out is not None:
        typer.echo("fill it and save it in the workspace's data/entry/ folder; "
                   "`forecast run` then reads it")


Format = Enum("Format", {"md": "md", "csv": "csv"}, type=str)


@app.command(name="runs")
def runs_command(
    workspace: WorkspaceArg = None,
    plan: Annotated[str | None, typer.Option(help="Only runs that assessed this plan.")]
    = None,
    history: HistoryOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="md (a table) or csv.")] = "md",  # type: ignore[assignment]
) -> None:
    """List the recorded runs, newest first: id, time, user, model, scenarios, folder.

    Example:

        forecast runs ~/xiangtan --plan xiangtan-2023

        FORECAST_HISTORY_URL=postgresql+psycopg://office@db/forecast forecast runs
    """
    try:
        table = api_runs(workspace, history, plan)
    except InputError as exc:
        _fail(exc)
    typer.echo(_frame_text(table, fmt.value) if len(table) else "no runs recorded yet")


@app.command(name="compare")
def compare_command(
    run_a: Annotated[str, typer.Argument(help="The earlier run's id (see forecast runs).")],
    run_b: Annotated[str, typer.Argument(help="The later run's id.")],
    workspace: Annotated[Path | None, typer.Option(
        help="The workspace whose history to read (default: ./ or the bundled example).")]
    = None,
    history: HistoryOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="md (a table) or csv.")] = "md",  # type: ignore[assignment]
) -> None:
    """What moved between two recorded runs, and why.

    The targets whose probability moved, by how much, and why: data changed (which series,
    which years), model or settings changed, scenario changed.

    Example:

        forecast compare 20251120-093000-auto-seed20231 20261124-101500-auto-seed20231
    """
    try:
        table = compare_runs(run_a, run_b, workspace, history)
    except InputError as exc:
        _fail(exc)
    typer.echo(_frame_text(table, fmt.value) if len(table) else
               "no target's probability moved by more than 0.005")


def _frame_text(table, fmt: str) -> str:
    """A table as CSV (for scripts) or a Markdown table (for documents)."""
    if fmt == "csv":
        return table.to_csv(index=False, lineterminator="\n").rstrip("\n")
    cell = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in table.itertuples(index=False)]
    return "\n".join(lines)


@app.command()
def suggest(
    workspace: WorkspaceArg = None,
    plan: PlanOpt = ...,  # type: ignore[assignment]
    model: Annotated[ModelName, typer.Option(help="Forecasting model.")] = DEFAULT_MODEL,  # type: ignore[assignment]
    draws: Annotated[int, typer.Option(min=100, help="Simulated futures per series.")]
    = DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed.")] = DEFAULT_SEED,
    as_of: Annotated[int | None, typer.Option("--as-of", help="Use only observations up to "
                                              "this year.")] = None,
    scenario: ScenarioOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """What each target of a plan could be with 50%, 80% and 90% confidence.

    Before committing to a number: for every target of the plan and every scenario, the value
    that would be met on 50/80/90% of simulated futures (the inverse of the target on the
    same paths a run uses; the same numbers as a run's suggestions.csv), and in brackets the
    average annual growth from the latest observation that it implies.

    Example:

        forecast suggest --plan fyp14-rd-intensity

        forecast suggest ~/xiangtan --plan xiangtan-2024 --scenario rd-push
    """
    try:
        ws = _opened(workspace, quiet)
        bars = _Bars(quiet)
        result = ws.assess_plan(plan, ws.settings(model.value, draws, seed, as_of, scenario),
                                bars.callbacks)
        bars.close()
    except InputError as exc:
        _fail(exc)
    typer.echo(suggestions_text(result.suggestions, result.rows, plan))


@app.command("review")
def review_command(
    workspace: WorkspaceArg = None,
    plan: PlanOpt = ...,  # type: ignore[assignment]
    as_of: Annotated[int | None, typer.Option(
        "--as-of", help="Review as of this year: use only observations up to it. Default: "
        "the latest year of the data.")] = None,
    model: Annotated[ModelName, typer.Option(help="Forecasting model.")] = DEFAULT_MODEL,  # type: ignore[assignment]
    draws: Annotated[int, typer.Option(min=100, help="Simulated futures per series.")]
    = DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed.")] = DEFAULT_SEED,
    scenario: ScenarioOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Where a plan stands at its mid-term review.

    For each target: base and latest value, the share of the distance to the target covered
    against the share of the period elapsed, the growth required from now against the growth
    achieved so far, the probability now and as it stood at the plan's base year (the same
    model on the data up to then), and a status: on track (P ≥ 0.66), at risk (0.33–0.66),
    off track (< 0.33), or met / missed once the target year is observed.

    Example:

        forecast review --plan fyp14-rd-intensity

        forecast review ~/xiangtan --plan xiangtan-2023 --as-of 2022
    """
    try:
        ws = _opened(workspace, quiet)
        settings = ws.settings(model.value, draws, seed, as_of, scenario)
        bars = _Bars(quiet)
        table = ws.review_plan(plan, settings, bars.callbacks)
        bars.close()
    except InputError as exc:
        _fail(exc)
    if not len(table):
        typer.echo(f"plan {plan} has not begun by {review_year(settings)}: "
                   "nothing to review yet")
        return
    typer.echo(review_text(table, plan))


@app.command()
def extract(
    document: Annotated[Path, typer.Argument(
        help="The plan document: .txt (UTF-8 or GBK), .docx, .pdf or a saved .html page.",
        show_default=False)],
    out: Annotated[Path | None, typer.Option(
        help="Where to write the draft plan. Default: <document name>.yaml in the current "
        "folder.")] = None,
    observations: Annotated[Path | None, typer.Option(
        "--observations", help="Also write the history columns of the document's indicator "
        "tables (e.g. 2021年, 2022年) to this CSV, in the observations.csv format, so the "
        "table's own numbers feed the run.")] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Print each clause next to what was read from it, and the numbers "
        "that were passed over as budgets, areas, subsidies or past facts.")] = False,
    workspace: Annotated[Path | None, typer.Option(
        help="Workspace whose catalogue (with its indicators.yaml) and regions are used. "
        "Default: ./ if it has data/, else the bundled example.")] = None,
    region: Annotated[str | None, typer.Option(
        help="The plan's region, when the document does not name it.")] = None,
    plan_id: Annotated[str | None, typer.Option(
        "--id", help="The plan id. Default: draft-<document name>.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace --out / --observations files that exist.")] = False,
) -> None:
    """Read the numeric targets out of a plan document into a draft plan file to review.

    Every clause with a target (到2025年，高新技术企业达到400家以上) becomes a target with
    its indicator (through the catalogue's Chinese aliases), kind, comparator, value in the
    catalogue unit and deadline, following docs/plan-encoding.md. Each carries the clause
    as written (`text`), its character `span` and a `confidence`. A clause that matches no
    indicator is kept with `indicator: null`; budgets, areas, subsidies and past facts are
    not targets. Review the draft, fill in what is missing, move it into data/plans/, run.

    Example:

        forecast extract 镇康县三年行动方案.docx --explain

        forecast extract 湘潭2023.html --out data/plans/xiangtan-2023.yaml \\
            --observations data/entry/xiangtan-2023.csv
    """
    from forecast.extract.writing import draft_yaml, write_text
    from forecast.extract.writing import explain as explain_lines

    target = out if out is not None else Path.cwd() / f"{document.stem}.yaml"
    try:
        for path in (target, observations):
            if path is not None and path.exists() and not force:
                raise InputError("the file exists", file=path,
                                 fix="choose another path, or add --force to replace it")
        draft = api_extract(document, workspace, region)
        text = draft_yaml(draft, plan_id or (out.stem if out is not None else None))
        obs = draft.observations()
        write_text(target, text, force)
        if observations is not None:
            write_text(observations, obs.to_csv(index=False), force)
    except InputError as exc:
        _fail(exc)
    if explain:
        for line in explain_lines(draft):
            typer.echo(line)
        typer.echo("")
    unmatched = sum(t.indicator is None for t in draft.targets)
    unsure = sum(t.confidence < 0.7 for t in draft.targets)
    typer.echo(f"wrote {target}: {len(draft.targets)} targets ({unmatched} without an "
               f"indicator, {unsure} with confidence below 0.7); "
               f"{len(draft.skipped)} numbers passed over")
    if observations is not None:
        typer.echo(f"wrote {observations}: {len(obs)} observations from indicator tables")
    typer.echo("review it against the document, fill in what is missing, then move it into "
               "data/plans/")


@app.command()
def indicators() -> None:
    """List the indicator catalogue: id, unit, kind, direction and Chinese name."""
    for ind in load_catalogue():
        typer.echo(f"{ind.id:40s} {ind.unit:12s} {ind.kind:7s} {ind.direction:5s} {ind.name_zh}")


if __name__ == "__main__":  # pragma: no cover
    app()
