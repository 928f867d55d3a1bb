"""SIGTERM and SIGINT stop a command the way an error does.

Python's defaults end a process on SIGTERM without unwinding (the temporary folder of a run
stays, its worker processes are left to finish), and turn Ctrl-C into click's "Aborted!" with
status 1. While a command runs, both raise ``Stopped`` instead: a SystemExit, so every
``finally`` and ``except BaseException`` on the way out runs (``files.atomic_folder`` removes
its temporary folder, the history rolls its transaction back, ``execution.process_pool`` ends
its workers), and the process exits with 128 + the signal's number (130, 143) after one line
on stderr. A second signal during that cleanup is ignored, so the cleanup finishes. A signal
that comes while a run's folder is moved into place and recorded waits until both are done
(``forecast.interruptions``): a run is kept whole and recorded, or not at all.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from forecast.interruptions import clear, stop

STOPPING = (signal.SIGINT, signal.SIGTERM)


_received: list[int] = []


def _stop(signum: int, frame: FrameType | None) -> None:
    for each in STOPPING:  # the cleanup that follows is not interrupted in its turn
        signal.signal(each, signal.SIG_IGN)
    _received.append(signum)
    stop(signum)  # at once, or when the step that must stay whole has ended


def stop_on_signals(ctx: typer.Context) -> None:
    """Install the handlers for the command about to run (main thread only: elsewhere
    signals cannot be handled), and put the previous ones back when it ends, saying in one
    line that it was stopped."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = {each: signal.getsignal(each) for each in STOPPING}
    _received.clear()
    clear()
    for each in STOPPING:
        signal.signal(each, _stop)

    def restore() -> None:
        for each, handler in previous.items():
            signal.signal(each, handler)
        if _received:
            name = signal.Signals(_received[0]).name
            typer.echo(f"error: stopped by {name}; nothing unfinished was kept or recorded",
                       err=True)

    ctx.call_on_close(restore)
