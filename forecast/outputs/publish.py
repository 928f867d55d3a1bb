"""A run's place: its id and folder reserved when it starts, its record and its folder
published together when it ends.

A run claims its folder before any fitting (``files.try_claim``: a kernel lock beside the
folder), so a second run into the same ``--out`` is refused at once instead of after its
work, and two runs started in the same second get distinct ids (``-2``, ``-3``...) for their
folder and their record alike. At the end the record is inserted, the folder moved into place
and the record committed (``publish``): if either fails, neither is left.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from forecast.errors import InputError
from forecast.files import claimed, held, prepare_out_dir, release, try_claim
from forecast.outputs.history import (
    NoHistory,
    compare,
    connect,
    list_runs,
    recording_outputs,
    run_in_folder,
    run_recorded,
)
from forecast.outputs.reports.source import RunOutputs, read_run

MAX_SAME_SECOND = 1000  # runs of one id started in one second before the id is refused


@contextmanager
def reserved(out: Path | None, run_folder: Callable[[str], Path], base_id: str,
             engine: sa.Engine) -> Iterator[tuple[Path, str]]:
    """The folder and the id of a run, held for the block: ``out`` (claimed; one another
    run is writing, or one not empty, is a one-line error), else ``run_folder(id)``. The id
    is ``base_id``, or ``base_id-2``, ``-3``... when a run of that id is under way, its
    folder exists or the history has it."""
    if out is not None:
        with claimed(out):
            prepare_out_dir(out)
            yield out, _free_id(base_id, lambda run_id: run_recorded(engine, run_id))
        return
    for run_id in _candidates(base_id):
        target = run_folder(run_id)
        if held(target) or not try_claim(target):  # a run under way here or elsewhere
            continue
        try:
            free = not target.exists() and not run_recorded(engine, run_id)
        except BaseException:
            release(target)
            raise
        if not free:
            release(target)
            continue
        try:
            yield target, run_id
        finally:
            release(target)
        return
    raise InputError(f"run id {base_id!r} is taken {MAX_SAME_SECOND} times",
                     fix="retry in a second")


def _candidates(base_id: str) -> Iterator[str]:
    yield base_id
    for k in range(2, MAX_SAME_SECOND + 1):
        yield f"{base_id}-{k}"


def _free_id(base_id: str, taken: Callable[[str], bool]) -> str:
    for run_id in _candidates(base_id):
        if not taken(run_id):
            return run_id
    raise InputError(f"run id {base_id!r} is taken {MAX_SAME_SECOND} times",
                     fix="retry in a second")


def publisher(engine: sa.Engine, run_id: str, files: list[RunOutputs], folder: Path,
              created: Callable[[], str], user: str) -> Callable[[Callable[[], None]], None]:
    """The publish step of ``files.atomic_folder`` for a run: record the run (as read back
    from its written files, ``files[0]``) in one transaction, move its folder into place,
    then commit. A history that refuses (locked, read-only, full) leaves no folder."""

    def publish(move: Callable[[], None]) -> None:
        run = files[0]
        with recording_outputs(engine, run_id, run.meta, run.rows, run.diagnostics, folder,
                               created(), user):
            move()

    return publish


def run_reference(engine: sa.Engine, ref: str) -> str:
    """The id of a run given by its id or by its folder (probabilities.json's ``run.id``,
    else the run the history recorded as written there)."""
    folder = Path(ref).expanduser()
    if not folder.is_dir():
        return ref
    found = folder_run_id(folder) or run_in_folder(engine, folder)
    if found is None:
        raise InputError("no run recorded for this folder", file=folder,
                         fix="give a run id (see `forecast runs`) or the folder of a "
                         "recorded run")
    return found


def folder_run_id(folder: Path) -> str | None:
    """The run id a run folder's probabilities.json carries (None for older runs)."""
    return read_run(folder).meta.get("id")


def folder_workspace(folder: Path) -> Path | None:
    """The workspace a run folder was written from, when it is a folder that still exists
    (None for the bundled example, or a folder that is no run's)."""
    try:
        text = (folder / "probabilities.json").read_text(encoding="utf-8")
        workspace = json.loads(text)["run"].get("workspace")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return Path(workspace) if workspace and Path(workspace).is_dir() else None


def listed_runs(url: str, plan: str | None, lock_timeout: float | None = None
                ) -> pd.DataFrame:
    """The runs recorded in the history at ``url``, newest first (only those of ``plan`` if
    given); none when that history does not exist, which is not made."""
    try:
        return list_runs(connect(url, lock_timeout, create=False), plan)
    except NoHistory:
        return pd.DataFrame(columns=["run_id", "created", "user", "model", "scenarios",
                                     "code_version", "folder"])


def compared_runs(url: str, run_a: str, run_b: str, lock_timeout: float | None = None
                  ) -> pd.DataFrame:
    """What moved between two runs of the history at ``url``, given by id or by folder; a
    history that does not exist is an error, and is not made."""
    try:
        engine = connect(url, lock_timeout, create=False)
    except NoHistory:
        raise InputError(f"no run {run_a!r} in the history (nothing is recorded there yet)",
                         fix="list the recorded runs with `forecast runs`") from None
    return compare(engine, run_reference(engine, run_a), run_reference(engine, run_b))
