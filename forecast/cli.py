"""The `forecast` command: a thin skin over the library.

Each command parses options, calls the library, and prints. Errors a user can fix are one line
on stderr and exit status 2; anything else is a bug and exits 1 with a traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from forecast.assess import Inputs, Settings, assess
from forecast.catalogue import load_catalogue
from forecast.config import DEFAULT_DRAWS, DEFAULT_SEED, resolve_workspace
from forecast.dataset import read_observations, read_regions
from forecast.errors import InputError
from forecast.models import MODEL_HELP, MODEL_NAMES
from forecast.outputs import run_metadata, write_run
from forecast.plans import read_plans

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
    )] = "ensemble",  # type: ignore[assignment]
    draws: Annotated[int, typer.Option(min=100, help="Simulated futures per series.")]
    = DEFAULT_DRAWS,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = DEFAULT_SEED,
    as_of: Annotated[int | None, typer.Option(
        "--as-of", help="Use only observations up to this year (mid-term review, or a look "
        "back at what could have been known then).")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of summary.md.")] = "en",  # type: ignore[assignment]
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Fit, simulate and assess every target of every plan; write probabilities and a summary.

    Example:

        forecast run                         # the bundled example

        forecast run ~/xiangtan --as-of 2022 --model drift --out review-2022
    """
    this_year = dt.date.today().year
    try:
        if as_of is not None and as_of > this_year:
            raise InputError(f"--as-of {as_of} is in the future", fix=f"use {this_year} or earlier")
        ws, bundled = resolve_workspace(workspace)
        if not ws.data.is_dir():
            raise InputError("no data/ folder in the workspace", file=ws.root,
                             fix="create data/observations.csv and data/plans/*.yaml")
        catalogue = load_catalogue(ws.indicators_file)
        regions = read_regions(ws.regions_file) if ws.regions_file.exists() else None
        obs_file = ws.observations_file()
        observations = read_observations(obs_file, catalogue, regions, latest_year=this_year)
        plans = read_plans(ws.plans, catalogue)
        if not plans:
            raise InputError("no plan files", file=ws.plans,
                             fix="add one YAML file per plan (see docs/plan-encoding.md)")
        settings = Settings(model=model.value, draws=draws, seed=seed, as_of=as_of)
        if bundled and not quiet:
            typer.echo(f"No workspace given: running on the bundled example in {ws.root}",
                       err=True)
        inputs = Inputs(catalogue, observations, plans, regions)
        bar = tqdm(desc="simulating series", unit="series", disable=quiet, file=sys.stderr)
        result = assess(inputs, settings, progress=bar.update,
                        on_start=lambda n: setattr(bar, "total", n))
        bar.close()
        files = [obs_file, *(p.file for p in plans)]
        files += [f for f in (ws.regions_file, ws.indicators_file) if f.exists()]
        meta = run_metadata(settings, files, ws.root, bundled)
        target = out if out is not None else ws.reports / _run_id(settings)
        write_run(target, result, plans, meta, lang.value, catalogue)
    except InputError as exc:
        _fail(exc)
    rows = result.rows
    n_ok = int(rows["assessable"].sum())
    typer.echo(f"{len(rows)} targets in {len(plans)} plans: {n_ok} assessed, "
               f"{len(rows) - n_ok} without a probability (see note column).")
    typer.echo(f"wrote {target}/probabilities.csv, probabilities.json, summary.md")


def _run_id(settings: Settings) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{settings.model}-seed{settings.seed}"


@app.command()
def indicators() -> None:
    """List the indicator catalogue: id, unit, kind, direction and Chinese name."""
    for ind in load_catalogue():
        typer.echo(f"{ind.id:40s} {ind.unit:12s} {ind.kind:7s} {ind.direction:5s} {ind.name_zh}")


if __name__ == "__main__":  # pragma: no cover
    app()
