"""How far to trust the models: `forecast backtest` and `forecast calibrate`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from forecast.api import backtest as api_backtest
from forecast.api import calibrate as api_calibrate
from forecast.cli.common import MODEL_CHOICES, ModelName, app, fail
from forecast.cli.console import echo
from forecast.config import DEFAULT_MODEL, DEFAULT_SEED
from forecast.errors import InputError
from forecast.models.registry import TREND_MEMBERS


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
    model: Annotated[ModelName, typer.Option(metavar="MODEL", help=MODEL_CHOICES)] = DEFAULT_MODEL,  # type: ignore[assignment]
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

        forecast backtest data/observations.csv --after 2018 \\
            --calibration cal-2018.json

        forecast backtest m3.csv --kind amount --holdout 6 --model drift \\
            --calibration none
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
        fail(exc)
    echo(f"{summary['series_origins']} series-origins: MASE {summary['MASE']:.3f}, "
               f"coverage 80% {summary['coverage_80']['rate']:.3f}, "
               f"95% {summary['coverage_95']['rate']:.3f}")
    echo(f"wrote {target}/metrics.csv, summary.json")


@app.command()
def calibrate(
    until: Annotated[int | None, typer.Option(
        help="Learn only from held-out years up to this one, so later years stay unseen and "
        "can be scored. Default: every year (the calibration that runs use).")] = None,
    horizon: Annotated[int, typer.Option(min=1, help="Longest horizon to calibrate.")] = 6,
    out: Annotated[Path | None, typer.Option(
        help="Where to write the calibration. Default: the bundled calibration "
        "(forecast/data/calibration.json) in a checkout; elsewhere models/calibration.json in "
        "the current directory, which runs of that workspace then use.")] = None,
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

        forecast calibrate            # refresh models/calibration.json

        forecast calibrate --until 2018 --out cal-2018.json  # honest backtests
    """
    try:
        bar = tqdm(desc="calibrating", unit="series", disable=quiet, file=sys.stderr)
        calibration, report = api_calibrate(until, horizon, draws, seed, pooled, workers, out,
                                            progress=bar.update,
                                            on_start=lambda n: setattr(bar, "total", n))
        bar.close()
    except InputError as exc:
        fail(exc)
    w = calibration.models["trend"]["weights"]
    echo(f"learned from {report['held_out_values']} held-out values of "
               f"{report['series']} series (years up to {report['until']}); weights of "
               + "/".join(TREND_MEMBERS) + ": "
               + ", ".join(f"{k} " + "/".join(f"{v.get(m, 0):.2f}" for m in TREND_MEMBERS)
                           for k, v in sorted(w.items())))
    echo(f"wrote {report['out']}")
