"""The `forecast` command: a thin skin over the library (``forecast.api``).

Each command parses options, calls the library, and prints. The commands live by what they
are for; importing them registers them on the one typer ``app``, in the order
`forecast --help` lists them.

commands.py   every command on the one app (main() loads it)
common.py     the app, shared options, progress bars
options.py    --history, --lang and one-line errors (all `explore` needs)
run.py        run, suggest, review, report, template
evaluate.py   backtest, calibrate
records.py    runs, compare
documents.py  example, extract, indicators
explore.py    explore (the optional web app)
console.py    the tables the terminal shows
help.py       --help reflowed to the terminal's width
signals.py    SIGTERM and SIGINT stop a command as an error does (exit 143, 130)
"""

from __future__ import annotations

import sys


def main() -> None:
    """The `forecast` command. `forecast explore` is started without importing the other
    commands (and the library behind them): it serves a page, and its start is timed."""
    from forecast.cli.options import one_line_usage_errors

    one_line_usage_errors()
    if len(sys.argv) > 1 and sys.argv[1] == "explore":
        from forecast.cli.explore import alone

        alone()
        return
    from forecast.cli.commands import app

    app()


def __getattr__(name: str):
    if name == "app":  # `from forecast.cli import app`: the full app, imported when asked
        from forecast.cli.commands import app

        return app
    raise AttributeError(name)


__all__ = ["app", "main"]
