"""Getting started and getting plans in: `forecast example`, `forecast extract` and
`forecast indicators`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from forecast.api import example as api_example
from forecast.api import extract as api_extract
from forecast.cli.common import app, fail
from forecast.cli.console import echo
from forecast.errors import InputError
from forecast.extract.writing import draft_yaml, write_text
from forecast.extract.writing import explain as explain_lines
from forecast.inputs.catalogue import load_catalogue


@app.command()
def example(
    folder: Annotated[Path, typer.Argument(
        help="A new or empty folder for the example workspace.", show_default=False)],
) -> None:
    """Copy the bundled example workspace into FOLDER, to run or to start from.

    The example is real public data: the R&D statistics of the 31 provinces and the nation
    (2011-2023), the five seed plans with their targets and documents, and three scenarios.
    A folder that is not empty is refused: nothing is overwritten.

    Example:

        forecast example ~/forecast-example

        forecast run ~/forecast-example
    """
    try:
        out = api_example(folder)
    except InputError as exc:
        fail(exc)
    echo(f"wrote the example workspace to {out}; run it with: forecast run {out}")


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
    target = out if out is not None else Path.cwd() / f"{document.stem}.yaml"
    try:
        for path in (target, observations):
            if path is not None and path.exists() and not force:
                raise InputError("the file exists", file=path,
                                 fix="choose another path, or add --force to replace it")
        draft = api_extract(document, workspace, region)
        text = draft_yaml(draft, plan_id or (out.stem if out is not None else None),
                          dt.date.today())
        obs = draft.observations()
        write_text(target, text, force)
        if observations is not None:
            write_text(observations, obs.to_csv(index=False), force)
    except InputError as exc:
        fail(exc)
    if explain:
        for line in explain_lines(draft):
            echo(line)
        echo("")
    unmatched = sum(t.indicator is None for t in draft.targets)
    unsure = sum(t.confidence < 0.7 for t in draft.targets)
    echo(f"wrote {target}: {len(draft.targets)} targets ({unmatched} without an "
               f"indicator, {unsure} with confidence below 0.7); "
               f"{len(draft.skipped)} numbers passed over")
    if observations is not None:
        echo(f"wrote {observations}: {len(obs)} observations from indicator tables")
    echo("review it against the document, fill in what is missing, then move it into "
               "data/plans/")


@app.command()
def indicators() -> None:
    """List the indicator catalogue: id, unit, kind, direction and Chinese name."""
    for ind in load_catalogue():
        echo(f"{ind.id:40s} {ind.unit:12s} {ind.kind:7s} {ind.direction:5s} {ind.name_zh}")
