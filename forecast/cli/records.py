"""The run history: `forecast runs` and `forecast compare`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecast.api import compare_runs
from forecast.api import runs as api_runs
from forecast.cli.common import Format, HistoryOpt, WorkspaceArg, app, fail
from forecast.cli.console import echo, frame_text
from forecast.errors import InputError


@app.command(name="runs")
def runs_command(
    workspace: WorkspaceArg = None,
    plan: Annotated[str | None, typer.Option(help="Only runs that assessed this plan.")]
    = None,
    history: HistoryOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="md (a table) or csv.")] = "md",  # type: ignore[assignment]
) -> None:
    """List the recorded runs, newest first: id, time, user, model, scenarios, folder.

    Reads the history only: a workspace or a database that does not exist is not made.

    Example:

        forecast runs ~/xiangtan --plan xiangtan-2023

        FORECAST_HISTORY_URL=postgresql+psycopg://office@db/forecast forecast runs
    """
    try:
        table = api_runs(workspace, history, plan)
    except InputError as exc:
        fail(exc)
    echo(frame_text(table, fmt.value) if len(table) else "no runs recorded yet")


@app.command(name="compare")
def compare_command(
    run_a: Annotated[str, typer.Argument(
        help="The earlier run: its id (see forecast runs) or its folder.")],
    run_b: Annotated[str, typer.Argument(help="The later run: its id or its folder.")],
    workspace: Annotated[Path | None, typer.Option(
        help="The workspace whose history to read (default: the one a given run folder was "
        "written from, else ./ or the bundled example).")]
    = None,
    history: HistoryOpt = None,
    fmt: Annotated[Format, typer.Option("--format", help="md (a table) or csv.")] = "md",  # type: ignore[assignment]
) -> None:
    """What moved between two recorded runs, and why.

    The targets whose probability moved, by how much, and why: data changed (which series,
    which years), model or settings changed, scenario changed.

    Example:

        forecast compare 20251120-093000-auto-seed20231 \\
            20261124-101500-auto-seed20231

        forecast compare reports/20251120-093000-auto-seed20231 review-2026
    """
    try:
        table = compare_runs(run_a, run_b, workspace, history)
    except InputError as exc:
        fail(exc)
    echo(frame_text(table, fmt.value) if len(table) else
               "no target's probability moved by more than 0.005")
