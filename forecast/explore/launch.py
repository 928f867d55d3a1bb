"""Which run `forecast explore` opens, where its scenarios are saved, and the server itself.

The run: a folder given, else a run id of the workspace's history or its reports/, else the
latest recorded run whose folder still exists. Its scenarios go into the workspace it was
written from (probabilities.json's ``run.workspace``; the checkout for the bundled example).
The server listens on 127.0.0.1 unless told otherwise; an address other than loopback must
be given with --host, and the app then accepts any Host header (it is reachable from the
network by choice).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path

from forecast.config import CHECKOUT_ROOT, RunFolder, Workspace
from forecast.errors import InputError
from forecast.explore.session import Explorer

LOOPBACK = "127.0.0.1"


def find_run(run: str | None, workspace: Workspace, history_url: Callable[[], str]) -> Path:
    """The run folder to explore (InputError naming what to give when there is none);
    ``history_url`` gives the run history's database, read only when ``run`` is no folder."""
    from forecast.outputs.publish import listed_runs

    if run is not None:
        folder = Path(run).expanduser()
        if folder.is_dir():
            return folder
        recorded = listed_runs(history_url(), None)
        match = recorded[recorded["run_id"] == run]
        if len(match) and Path(str(match["folder"].iloc[0])).is_dir():
            return Path(str(match["folder"].iloc[0]))
        candidate = workspace.reports / run
        if Path(run).name == run and (candidate / "probabilities.json").is_file():
            return candidate
        raise InputError(f"no run folder or recorded run {run!r}", file=run,
                         fix="give a folder written by `forecast run`, or a run id from "
                         "`forecast runs`")
    for folder in listed_runs(history_url(), None)["folder"]:
        if folder and RunFolder(Path(str(folder))).probabilities_json.is_file():
            return Path(str(folder))
    raise InputError("no finished run to explore", file=workspace.reports,
                     fix="run `forecast run` first, or give a run folder")


def run_workspace(meta: dict) -> Path | None:
    """Where a run's scenarios are saved, from its probabilities.json ``run`` section: the
    workspace it was written from (the checkout for the bundled example), None when that is
    unknown or gone."""
    where = meta.get("workspace")
    if where == "bundled example":
        return CHECKOUT_ROOT
    return Path(where) if isinstance(where, str) and Path(where).is_dir() else None


def check_host(host: str, explicit: bool) -> bool:
    """Whether ``host`` is a loopback address; refuse a non-loopback one not given
    explicitly (never the case from the command line, whose default is loopback)."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not explicit:
        raise InputError(f"{host} is not a loopback address", column="--host",
                         fix="give --host explicitly to listen beyond this machine")
    return loopback


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0 takes a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                         column="--port", fix="give another --port, or 0 for any free one") \
            from exc
    sock.listen(128)
    return sock


def serve(explorer: Explorer, host: str, port: int, lang: str, loopback: bool,
          say: Callable[[str], None]) -> None:
    """Serve the app until interrupted; ``say`` is given the address once it listens."""
    import uvicorn

    from forecast.explore.app import create_app

    sock = bind(host, port)
    real_port = sock.getsockname()[1]
    app = create_app(explorer, lang, () if loopback else ("*",))
    shown = f"[{host}]" if ":" in host else host
    say(f"http://{shown}:{real_port}/")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off"))
    server.run(sockets=[sock])
