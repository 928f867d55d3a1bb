"""The main job and what hangs off a workspace's plans: `forecast run`, `suggest`, `review`,
`report` and `template`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecast.api import OpenWorkspace, open_workspace
from forecast.assessment.review import review_year
from forecast.cli.common import (
    MODEL_CHOICES,
    Bars,
    HistoryOpt,
    Lang,
    ModelName,
    PlanOpt,
    ScenarioOpt,
    WorkspaceArg,
    app,
    fail,
    open_for_command,
    say_written,
    summarise_fits,
)
from forecast.cli.console import (
    caution_lines,
    echo,
    plan_lines,
    plan_outcome_text,
    review_text,
    suggestions_text,
)
from forecast.config import DEFAULT_DRAWS, DEFAULT_MODEL, DEFAULT_SEED
from forecast.errors import InputError
from forecast.inputs.scenarios import BASELINE
from forecast.inputs.workbooks import HEAD as ENTRY_HEAD
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.registry import MODEL_HELP


@app.command()
def run(
    workspace: Annotated[Path | None, typer.Argument(
        help="Workspace folder with data/observations.csv and data/plans/*.yaml. "
        "Default: ./ if it has data/, else the bundled example.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        help="Write the run's files into this folder (new or empty) instead of "
        "reports/<run-id>/.")] = None,
    model: Annotated[ModelName, typer.Option(
        metavar="MODEL",
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
        min=100, help="Most MCMC draws per chain of the pooled model (after tuning): drawing "
        "stops earlier once every parameter has converged (R-hat at most 1.01, bulk and "
        "tail ESS at least 400).")] = 1000,
    inference: Annotated[str, typer.Option(
        help="Pooled model inference: auto (NUTS, or the fast approximation above 400 "
        "regions), nuts, or approx.")] = "auto",
    persistence: Annotated[bool, typer.Option(
        "--persistence/--no-persistence",
        help="Pooled model: let a year's growth above or below trend partly carry into the next "
        "(an AR(1) around the drift; on by default, as the provincial backtests favour).")] = True,
    drift_window: Annotated[int, typer.Option(
        min=0, help="Pooled model: estimate each region's trend from its last N yearly changes "
        "alone, for a trend that has changed (at least 2). 0, the default, uses every year: "
        "on the World Bank panel's backtests a window of 8 did not hold up on later "
        "years.")] = 0,
    scenario: Annotated[list[str] | None, typer.Option(
        help="A scenario id from data/scenarios/*.yaml (repeat for several). Default: every "
        "scenario there. The baseline is always computed.")] = None,
    plan: Annotated[list[str] | None, typer.Option(
        help="Run only this plan (repeat for several). Default: every plan of the "
        "workspace.")] = None,
    history: HistoryOpt = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Refuse a value of observations.csv out of scale with its series (a "
        "fraction typed for a percentage, 万元 for 亿元, a jump beyond the indicator's pooled "
        "history) instead of flagging it in the data-quality notes.")] = False,
    check: Annotated[bool, typer.Option(
        "--check/--no-check", help="Backtest the run's models on past years of the "
        "workspace's own series (the calibration section of probabilities.json and the "
        "reports' appendix). --no-check skips it, for large scripted runs; its fits are "
        "cached, so only the first run pays for them.")] = True,
    paths: Annotated[bool, typer.Option(
        "--paths/--no-paths", help="Keep every simulated series in paths.parquet, for "
        "`forecast explore` (2 MB-ish for the example; gigabytes for thousands of regions). "
        "--no-paths skips it, for large scripted runs.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    timings: Annotated[bool, typer.Option(
        "--timings", help="Print where the run's seconds went (load, fits with their "
        "compile, tune and draw, simulate, review look-back, own-data check, reports, history) "
        "and write them "
        "into probabilities.json's diagnostics.")] = False,
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

        forecast run ~/xiangtan --strict   # refuse implausible values, not flag
    """
    bars: list[Bars] = []  # closed before any last line, an error's or a signal's
    try:
        pooled = PooledSettings(sampler=sampler, chains=chains, draws=mcmc_draws,
                                method=inference, persistence=persistence,
                                window=drift_window or None)
        ws = open_for_command(workspace, quiet, history, strict)
        settings = ws.settings(model.value, draws, seed, as_of, scenario, pooled)
        bars.append(Bars(quiet))
        done = ws.run(settings, out=out, lang=lang.value, reports=reports, engine=engine,
                      workers=workers, scheduler=scheduler, callbacks=bars[0].callbacks,
                      plans=plan, timings=timings, check=check, paths=paths)
    except InputError as exc:
        _close(bars)
        fail(exc)
    finally:
        _close(bars)
    summarise_fits(done.assessment.fits, quiet)
    rows = done.probabilities[done.probabilities["scenario"] == BASELINE]
    n_ok = int(rows["assessable"].sum())
    n_sc = len(settings.scenarios)
    echo(f"{len(rows)} targets in {rows['plan_id'].nunique()} plans: {n_ok} assessed, "
         f"{len(rows) - n_ok} without a probability (see note column)"
         + (f"; {n_sc} scenario{'s' * (n_sc > 1)} besides the baseline" if n_sc else "")
         + ".")
    for line in plan_lines(done.probabilities, done.review):
        echo(line)
    for line in caution_lines(done.probabilities, done.assessment.quality):
        echo(line)
    echo(f"wrote {done.folder}/probabilities.csv, .parquet, .json, suggestions.csv, "
         "plan_outcomes.csv, review.csv, summary.md" + (", paths.parquet (forecast explore)"
                                                         if paths else ""))
    for w in done.written:
        say_written(w, done.folder)
    echo(f"recorded as {done.run_id} in the run history (forecast runs)")
    if timings:
        for line in done.timings.lines():
            echo(line)


@app.command()
def suggest(
    workspace: WorkspaceArg = None,
    plan: PlanOpt = ...,  # type: ignore[assignment]
    model: Annotated[ModelName, typer.Option(metavar="MODEL", help=MODEL_CHOICES)] = DEFAULT_MODEL,  # type: ignore[assignment]
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
    bars: list[Bars] = []
    try:
        ws = open_for_command(workspace, quiet)
        bars.append(Bars(quiet))
        result = ws.assess_plan(plan, ws.settings(model.value, draws, seed, as_of, scenario),
                                bars[0].callbacks)
    except InputError as exc:
        _close(bars)
        fail(exc)
    finally:
        _close(bars)
    echo(suggestions_text(result.suggestions, result.rows, plan))
    if whole := plan_outcome_text(result.plan_outcomes, plan):
        echo(whole)


@app.command("review")
def review_command(
    workspace: WorkspaceArg = None,
    plan: PlanOpt = ...,  # type: ignore[assignment]
    as_of: Annotated[int | None, typer.Option(
        "--as-of", help="Review as of this year: use only observations up to it. Default: "
        "the latest year of the data.")] = None,
    model: Annotated[ModelName, typer.Option(metavar="MODEL", help=MODEL_CHOICES)] = DEFAULT_MODEL,  # type: ignore[assignment]
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
    bars: list[Bars] = []
    try:
        ws = open_for_command(workspace, quiet)
        settings = ws.settings(model.value, draws, seed, as_of, scenario)
        bars.append(Bars(quiet))
        done = ws.plan_review(plan, settings, bars[0].callbacks)
    except InputError as exc:
        _close(bars)
        fail(exc)
    finally:
        _close(bars)
    if not len(done.review):
        echo(f"plan {plan} has not begun by {review_year(ws.inputs, settings)}: "
                   "nothing to review yet")
        return
    echo(review_text(done.review, plan))
    if whole := plan_outcome_text(done.outcomes, plan):
        echo(whole)


@app.command()
def report(
    run_folder: Annotated[Path, typer.Argument(help="A folder written by `forecast run`.",
                                               show_default=False)],
    plan: Annotated[str | None, typer.Option(
        help="Render this plan's full report into RUN/plan-<id>/ (from a national run too). "
        "Default: the run's own reports, in RUN/.")] = None,
    lang: Annotated[Lang, typer.Option(
        help="Language: zh (Chinese) or en. A language other than that of the run's own "
        "reports goes into RUN/<lang>/, never over them.")] = "zh",  # type: ignore[assignment]
) -> None:
    """Re-render a finished run's reports without refitting.

    report.html, report.pdf, report.docx and tables.xlsx again: in another language, or one
    plan's full report.

    A run of more than 20 plans reports a national overview; --plan gives any one plan the
    full report (targets, fan charts, scenarios, achievable values, review, data).

    Example:

        forecast report reports/20261123-101500-auto-seed20231 --lang en

        forecast report reports/20261123-101500-auto-seed20231 \\
            --plan xiangtan-2023
    """
    try:
        written = OpenWorkspace.report(run_folder, lang.value, plan, on_start=lambda: (
            echo("writing reports (html, pdf, docx, xlsx)...", err=True)))
    except InputError as exc:
        fail(exc)
    say_written(written, written.files[0].parent if written.files else run_folder)


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
        # a new workspace has no observations.csv yet: the workbook is how it gets data
        target, frame = open_workspace(workspace, data_optional=True).template(plan, out)
    except InputError as exc:
        fail(exc)
    years = frame.columns[len(ENTRY_HEAD):]
    to_fill = int(frame[years].isna().to_numpy().sum())
    echo(f"wrote {target}: {len(frame)} series x {len(years)} years "
               f"({years[0]}-{years[-1]}), {to_fill} cells to fill (yellow)")
    if out is not None:
        echo("fill it and save it in the workspace's data/entry/ folder; "
                   "`forecast run` then reads it")


def _close(bars: list[Bars]) -> None:
    """Close the progress bars (once), so that no bar is redrawn after the last line."""
    while bars:
        bars.pop().close()
