"""What every `forecast` command shares and `forecast explore` needs before the rest: the
--history and --lang options and how a user's error is said (one line, exit status 2). Light
on purpose: `forecast explore` starts from here without importing the other commands."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from forecast.cli.console import echo
from forecast.errors import InputError
from forecast.outputs.safe_text import terminal_line

HistoryOpt = Annotated[str | None, typer.Option(
    "--history", help="The run history's database: a SQLAlchemy URL, e.g. "
    "postgresql+psycopg://office@db/forecast (or set FORECAST_HISTORY_URL). Default: "
    "reports/history.sqlite in the workspace.")]

Lang = Enum("Lang", {"en": "en", "zh": "zh"}, type=str)


def fail(exc: InputError) -> None:
    """Say a user's error as one line on stderr (its text, which may quote the user's ids and
    files, made one clean line) and exit with status 2."""
    echo(terminal_line(f"error: {exc}"), err=True)
    raise typer.Exit(2)
