"""A stop that waits for the step it would cut in two.

Moving a run's folder into place and committing its record are two steps that must happen
together or not at all: a stop between them would leave a folder without its record, or a
record without its folder. While such a step runs it is ``held``; a SIGTERM or Ctrl-C that
comes meanwhile waits, and ends the command once the step is whole. The command-line's signal
handler calls ``stop``; nothing else needs to know.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class Stopped(SystemExit):
    """The command was stopped by a signal; its code is 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(128 + signum)
        self.signum = signum


_holding: list[bool] = []  # non-empty while a step that must stay whole runs
_waiting: list[int] = []  # signals that came meanwhile
_raised: list[int] = []  # signals whose stop was raised at once


def stop(signum: int) -> None:
    """End the command with ``Stopped``, now or, while a step is held, when it ends."""
    if _holding:
        _waiting.append(signum)
        return
    _raised.append(signum)
    raise Stopped(signum)


def stops() -> int:
    """How many stops have been raised so far: where a step's watch begins (``hold``)."""
    return len(_raised)


def hold(since: int | None = None) -> None:
    """From now until ``resume``, a stop waits. A stop raised after ``stops()`` was
    ``since`` that did not end the command ends it here, before the step begins: a signal
    handler's exception is lost when the signal lands while Python runs a weakref callback
    or a ``__del__`` (it prints "Exception ignored" and goes on), and the step must not then
    make the run whole."""
    if since is not None and len(_raised) > since:
        raise Stopped(_raised[since])
    _holding.append(True)


def clear() -> None:
    """Forget the stops of an earlier command (one process may run several)."""
    _holding.clear()
    _waiting.clear()
    _raised.clear()


def resume() -> None:
    """End a ``hold`` (nothing when none is on); a stop that waited ends the command now."""
    if _holding:
        _holding.pop()
    if not _holding and _waiting:
        signum = _waiting.pop(0)
        _waiting.clear()
        raise Stopped(signum)


@contextmanager
def held() -> Iterator[None]:
    """``hold`` for the block, then ``resume``."""
    hold()
    try:
        yield
    finally:
        resume()
