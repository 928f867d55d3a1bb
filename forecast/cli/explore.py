"""`forecast explore`: a finished run's what-if in the browser (the optional extra
``explore``)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from forecast.cli.options import HistoryOpt, Lang, echo, fail
from forecast.config import resolve_workspace
from forecast.errors import InputError

EXTRA = "forecast[explore]"


def explore(
    run: Annotated[str | None, typer.Argument(
        help="A run folder or run id (default: the latest recorded run of the workspace).",
        show_default=False)] = None,
    workspace: Annotated[Path | None, typer.Option(
        help="The workspace whose runs to look in (default: ./ if it has data/, else the "
        "bundled example).")] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any "
                                      "free one).")] = 8765,
    host: Annotated[str | None, typer.Option(
        help="Address to listen on. Default 127.0.0.1 (this machine only); another address "
        "makes the page reachable from the network, with no login: give it only on a "
        "network you trust.")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the page: zh (Chinese) or en.")]
    = "zh",  # type: ignore[assignment]
    history: HistoryOpt = None,
) -> None:
    """Explore a finished run in the browser: scenarios and target values as sliders.

    Starts a local web app over the run's stored paths (paths.parquet) and prints its
    address. Pick a plan, a region and an indicator: the fan chart, every target's
    probability and the plan as a whole. Move a growth shift, a one-off shock or the
    volatility of any indicator, or try another target value, and every probability,
    achievable value and chart follows within a fraction of a second: the same arithmetic
    as `forecast run --scenario`, on the same simulated futures. "Save as scenario" writes
    data/scenarios/<id>.yaml into the run's workspace; `forecast run --scenario <id>` then
    puts exactly those probabilities into the reports.

    Works offline (everything is served by the app). Needs the optional extra
    `explore` of the package (pip install "forecast[explore]"). Ctrl-C stops it.

    Example:

        forecast explore          # the latest run: http://127.0.0.1:8765/

        forecast explore reports/20261205-101500-auto-seed20231 --lang en
    """
    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        fail(InputError(f"forecast explore needs {', '.join(missing)}",
                        fix=f"install the optional extra: pip install '{EXTRA}'"))
    from forecast.explore.launch import check_host, find_run, run_workspace, serve
    from forecast.explore.session import Explorer

    try:
        loopback = check_host(host or "127.0.0.1", host is not None)
        ws, _ = resolve_workspace(workspace, Path.cwd())

        def history_of() -> str:  # the run history: only read when no run folder is given
            from forecast.outputs.history import ENV_URL, history_url

            return history_url(ws.history_file, history, os.environ.get(ENV_URL))

        folder = find_run(run, ws, history_of)
        explorer = Explorer(folder)
        explorer.workspace = run_workspace(explorer.meta)
        if not loopback:
            echo(f"listening on {host}: reachable from other machines, with no login",
                 err=True)
        serve(explorer, host or "127.0.0.1", port, lang.value, loopback,
              lambda address: echo(f"exploring {folder}\nopen {address} (Ctrl-C stops)"))
    except InputError as exc:
        fail(exc)


def alone() -> None:
    """`forecast explore` as its own typer app, for ``forecast.cli.main``'s quick start."""
    from forecast.cli.help import reflow_commands

    single = typer.Typer(add_completion=False)
    single.command(name="explore")(explore)
    reflow_commands(single)
    single(args=sys.argv[2:], prog_name="forecast explore")
