"""What every `forecast` command shares and `forecast explore` needs before the rest: the
--history and --lang options, the one printer and how a user's error is said (one line, exit
status 2). Light on purpose: `forecast explore` starts from here without importing the other
commands."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from forecast.errors import InputError
from forecast.outputs.safe_text import terminal_line, terminal_text


def echo(text: object = "", err: bool = False) -> None:
    """Print a line of the toolkit's output (stderr with ``err``): every line a command
    prints comes through here, so user text with control characters or escape sequences
    (an id like ``x\x1b[2J``) cannot clear, recolour or retitle the user's terminal."""
    typer.echo(terminal_text(text), err=err)


HistoryOpt = Annotated[str | None, typer.Option(
    "--history", help="The run history's database: a SQLAlchemy URL, e.g. "
    "postgresql+psycopg://office@db/forecast (or set FORECAST_HISTORY_URL). Default: "
    "reports/history.sqlite in the workspace.")]

Lang = Enum("Lang", {"en": "en", "zh": "zh"}, type=str)


def one_line_usage_errors() -> None:
    """Say a usage error that typer catches before a command runs (``--draws abc``, an
    unknown ``--model`` or command) as the house's one line with exit status 2, instead of
    typer's boxed usage text. Called by ``main`` only: the process is the command's, so
    replacing typer's printer touches no one else's app."""
    import typer.rich_utils as rich_utils

    def say(exc) -> None:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `forecast` alone shows the help
            return
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "forecast"
        message = exc.format_message().strip().rstrip(".")
        end = " " if message.endswith("?") else ". "
        echo(terminal_line(f"error: {message}{end}Fix: see `{where} --help`"), err=True)

    rich_utils.rich_format_error = say


def fail(exc: InputError) -> None:
    """Say a user's error as one line on stderr (its text, which may quote the user's ids and
    files, made one clean line) and exit with status 2."""
    echo(terminal_line(f"error: {exc}"), err=True)
    raise typer.Exit(2)
