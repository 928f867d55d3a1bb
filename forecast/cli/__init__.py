"""The `forecast` command: a thin skin over the library (``forecast.api``).

Each command parses options, calls the library, and prints. The commands live by what they
are for; importing them registers them on the one typer ``app``, in the order
`forecast --help` lists them.

app.py        the app, shared options, progress bars, errors
run.py        run, suggest, review, report, template
evaluate.py   backtest, calibrate
records.py    runs, compare
documents.py  example, extract, indicators
console.py    the tables the terminal shows
help.py       --help reflowed to the terminal's width
signals.py    SIGTERM and SIGINT stop a command as an error does (exit 143, 130)
"""

import typer

from forecast.cli.app import app
from forecast.cli.help import reflow_commands
from forecast.cli.signals import stop_on_signals

# isort: off
from forecast.cli import run, evaluate, records, documents  # noqa: F401
# isort: on

reflow_commands(app)  # every command registered: their help, wrapped by the terminal


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    # runs before each command: signals stop it with its cleanup (forecast.cli.signals)
    stop_on_signals(ctx)


__all__ = ["app"]
