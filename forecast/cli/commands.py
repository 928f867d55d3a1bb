"""Every `forecast` command registered on the one typer ``app``, in the order `forecast
--help` lists them (``forecast.cli.main`` imports this for every command but `explore`)."""

import typer

from forecast.cli.common import app
from forecast.cli.help import reflow_commands
from forecast.cli.signals import stop_on_signals

# isort: off
from forecast.cli import run, evaluate, records, documents  # noqa: F401
# isort: on
from forecast.cli.explore import explore

app.command()(explore)

reflow_commands(app)  # every command registered: their help, wrapped by the terminal


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    # runs before each command: signals stop it with its cleanup (forecast.cli.signals)
    stop_on_signals(ctx)


__all__ = ["app"]
