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
"""

from forecast.cli.app import app

# isort: off
from forecast.cli import run, evaluate, records, documents  # noqa: F401
# isort: on

__all__ = ["app"]
