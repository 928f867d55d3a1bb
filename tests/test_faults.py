"""A run and its record never disagree, and a run fails whole: real `forecast run` processes
killed (SIGKILL, SIGTERM, SIGINT) during their fits and during their reports, a history locked
by another connection, read-only and full places, two runs on one --out, runs in one second.

After each fault: no run folder without its record (nor the reverse), no temporary folder or
lock left once the next run has started, no worker process outliving its run, and every
refusal is one line with exit status 2."""

from __future__ import annotations

import datetime as real_dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

import forecast.api.workspace
from forecast.api import example, open_workspace
from forecast.cli import app
from forecast.errors import InputError
from forecast.files import release, try_claim
from forecast.outputs import history
from forecast.outputs.history import connect, list_runs

from builders import held_by_another_connection

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="kills processes and reads /proc (Linux)")
RUNNER = CliRunner()
CHEAP = ["--model", "trend", "--draws", "200"]
SLOW_FITS = ["--model", "trend", "--draws", "200000", "--workers", "2"]  # ~4 s of simulating:
# a window no busy machine can miss (at 50000 draws, 0.6 s, a CI run once signalled too late)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the bundled example for the module (the runs write only into --out
    folders and the per-test history, except where a test copies it again)."""
    return example(tmp_path_factory.mktemp("faults") / "ws")


def history_url(tmp_path: Path) -> str:
    return os.environ["FORECAST_HISTORY_URL"]  # the per-test history (conftest)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def recorded(url: str) -> list[str]:
    db = url.removeprefix("sqlite:///")
    return list(list_runs(connect(url))["folder"]) if Path(db).exists() else []


# -- processes -------------------------------------------------------------------------

def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process from /proc, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def descendants(pid: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = found[1]
    out, todo = [], [pid]
    while todo:
        here = todo.pop()
        kids = [p for p, parent in parents.items() if parent == here]
        out += kids
        todo += kids
    return out


def alive(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[0] != "Z"  # a zombie has died


def all_gone(pids: list[int], timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(p) for p in pids)


class Run:
    """`forecast run` as a real process; its stderr read as it comes (the progress bars)."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "forecast.cli", "run", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while chunk := self.proc.stderr.read1(4096):
            self.err += chunk

    @property
    def stderr(self) -> str:
        return self.err.decode("utf-8", "replace")

    def wait_for(self, text: str, children: int = 0, timeout: float = 90) -> list[int]:
        """Wait until stderr shows ``text`` and the run has ``children`` processes; their
        ids (every descendant, to check none outlives the run)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"ended early: {self.stderr}"
            kids = descendants(self.proc.pid)
            if text in self.stderr and len(kids) >= children:
                return kids
            time.sleep(0.02)
        raise AssertionError(f"never saw {text!r}: {self.stderr}")

    def finish(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout)
        self.reader.join(10)
        return code


def last_line(run: Run) -> str:
    return run.stderr.replace("\r", "\n").strip().splitlines()[-1]


# -- killed runs -----------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_run_killed_during_its_fits_leaves_nothing_and_the_next_run_works(ws, tmp_path, sig):
    out = tmp_path / "run"
    run = Run(str(ws), "--out", str(out), "--no-reports", *SLOW_FITS)
    workers = run.wait_for("simulating series", children=2)
    run.proc.send_signal(sig)
    code = run.finish()
    assert all_gone(workers), "a worker outlived its run"
    assert not out.exists() and recorded(history_url(tmp_path)) == []
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:  # stopped as an error is: one line, 128 + the signal, nothing left behind
        assert code == 128 + sig, run.stderr
        assert last_line(run).startswith(f"error: stopped by {signal.Signals(sig).name}")
        assert "Traceback" not in run.stderr
        assert hidden(tmp_path) == []
    again = Run(str(ws), "--out", str(out), "--no-reports", "-q", *CHEAP)
    assert again.finish() == 0, again.stderr
    assert hidden(tmp_path) == []  # the killed run's lock and temporary folder are cleared
    assert recorded(history_url(tmp_path)) == [str(out.resolve())]


def test_a_run_killed_during_its_reports_takes_its_printer_with_it(ws, tmp_path):
    """SIGKILL while the reports are written: the printing process (PDF, Word) dies with
    the run instead of writing on into the abandoned folder; the next run clears that."""
    out = tmp_path / "run"
    run = Run(str(ws), "--out", str(out), *CHEAP)
    printer = run.wait_for("writing reports", children=1)
    temporary = [p for p in tmp_path.iterdir() if p.is_dir() and p.name.startswith(".run.")]
    assert len(temporary) == 1  # the run's folder, not yet in place
    run.proc.kill()
    assert run.finish() == -signal.SIGKILL
    assert all_gone(printer), "the report printer outlived its run"
    before = sorted(p.name for p in temporary[0].rglob("*"))
    time.sleep(1)
    assert sorted(p.name for p in temporary[0].rglob("*")) == before  # nobody writes there
    assert not out.exists() and recorded(history_url(tmp_path)) == []
    again = Run(str(ws), "--out", str(out), "--no-reports", "-q", *CHEAP)
    assert again.finish() == 0, again.stderr
    assert hidden(tmp_path) == [] and recorded(history_url(tmp_path)) == [str(out.resolve())]


def test_sigterm_during_the_reports_and_a_second_run_into_the_same_out(ws, tmp_path):
    """While a run writes its reports, a second run into its --out is refused at once (one
    line, exit 2, before any fitting); SIGTERM then stops the first one whole."""
    out = tmp_path / "run"
    run = Run(str(ws), "--out", str(out), *CHEAP)
    printer = run.wait_for("writing reports", children=1)
    second = Run(str(ws), "--out", str(out), "--no-reports", *CHEAP)
    assert second.finish() == 2
    assert second.stderr.strip().count("\n") == 0, second.stderr
    assert "in use by another run" in second.stderr and "simulating" not in second.stderr
    run.proc.terminate()
    assert run.finish() == 143, run.stderr
    assert last_line(run).startswith("error: stopped by SIGTERM")
    assert all_gone(printer)
    assert hidden(tmp_path) == [] and not out.exists()
    assert recorded(history_url(tmp_path)) == []


# -- the history -----------------------------------------------------------------------

def test_a_locked_history_is_waited_for_then_one_line_and_nothing_written(ws, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr(history, "LOCK_TIMEOUT", 0.5)
    url, out = history_url(tmp_path), tmp_path / "run"
    connect(url)  # the history exists, as after a first run
    with held_by_another_connection(url):
        started = time.monotonic()
        result = RUNNER.invoke(app, ["run", str(ws), "--out", str(out), "-q", "--no-reports",
                                     *CHEAP])
        waited = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert "locked by another program (waited 0.5 s)" in result.output
    assert result.output.strip().count("\n") == 0
    # it waited out the lock's timeout, then wrote nothing
    assert waited > 0.4 and not out.exists() and hidden(tmp_path) == []


def test_a_history_locked_when_the_run_ends_publishes_no_folder(ws, tmp_path):
    """The run is recorded before its folder is moved into place: a history locked by the
    time the run ends leaves no folder (and no temporary one) behind."""
    url, out = history_url(tmp_path), tmp_path / "run"
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    workspace = open_workspace(ws, url, lock_timeout=0.5)
    try:
        with pytest.raises(InputError, match="locked by another program"):
            workspace.run(model="trend", draws=200, out=out, reports=False, callbacks={
                "on_start": lambda n: other.execute("BEGIN EXCLUSIVE")})
    finally:
        other.close()
    assert not out.exists() and hidden(tmp_path) == [] and recorded(url) == []
    done = workspace.run(model="trend", draws=200, out=out, reports=False)
    assert recorded(url) == [str(out.resolve())] and done.folder == out


def test_a_read_only_history_publishes_no_folder(ws, tmp_path):
    url = history_url(tmp_path)
    connect(url)
    read_only = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    out = tmp_path / "run"
    result = RUNNER.invoke(app, ["run", str(ws), "--out", str(out), "-q", "--no-reports",
                                 "--history", read_only, *CHEAP])
    assert result.exit_code == 2 and "cannot be written" in result.output, result.output
    assert result.output.strip().count("\n") == 0
    assert not out.exists() and hidden(tmp_path) == [] and recorded(url) == []


def test_runs_of_one_second_get_distinct_ids_in_folder_and_history(ws, tmp_path, monkeypatch):
    """Three identical runs in one second: the second takes -2, and a run under way on -3
    (its folder claimed) makes the third take -4; folder, record and probabilities.json
    agree on each id."""
    root = example(tmp_path / "ws")

    class Frozen(real_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return real_dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz)

    class Clock:
        datetime, date, UTC = Frozen, real_dt.date, real_dt.UTC

    monkeypatch.setattr(forecast.api.workspace, "dt", Clock)
    workspace = open_workspace(root)
    base = "20260102-030405-trend-seed20231"
    busy = root / "reports" / f"{base}-3"
    assert try_claim(busy)
    try:
        done = [workspace.run(model="trend", draws=200, reports=False) for _ in range(3)]
    finally:
        release(busy)
    ids = [d.run_id for d in done]
    assert ids == [base, f"{base}-2", f"{base}-4"]
    for d in done:
        assert d.folder == root / "reports" / d.run_id
        meta = json.loads((d.folder / "probabilities.json").read_text(encoding="utf-8"))
        assert meta["run"]["id"] == d.run_id
    listed = workspace.history().set_index("run_id")["folder"]
    assert {k: Path(v).name for k, v in listed.items()} == {i: i for i in ids}
    assert hidden(root / "reports") == []


# -- places that cannot be written -----------------------------------------------------

@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``path`` (root and a working `mount` only, else skip)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_full_disk_is_one_line_and_leaves_nothing(ws, tmp_path, monkeypatch):
    if os.geteuid() == 0 and shutil.which("mount"):
        with tmpfs(tmp_path / "small", "256k") as disk:
            result = RUNNER.invoke(app, ["run", str(ws), "--out", str(disk / "run"), "-q",
                                         "--no-reports", *CHEAP])
            left = sorted(p.name for p in disk.iterdir())
    else:  # no tmpfs: the disk fills as the parquet file is written
        import pandas as pd

        def full(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
        result = RUNNER.invoke(app, ["run", str(ws), "--out", str(tmp_path / "run"), "-q",
                                     "--no-reports", *CHEAP])
        left = hidden(tmp_path) + (["run"] if (tmp_path / "run").exists() else [])
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output
    assert result.output.strip().count("\n") == 0
    assert left == [] and recorded(history_url(tmp_path)) == []


def test_a_read_only_workspace_is_one_line_and_writes_nothing(tmp_path):
    if os.geteuid() == 0:  # root ignores file modes: a read-only mount instead
        with tmpfs(tmp_path / "ro", "20m") as disk:
            root = example(disk / "ws")
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            before = sorted(str(p) for p in root.rglob("*"))
            run = Run(str(root), "-q", "--no-reports", "--history",
                      f"sqlite:///{root / 'reports' / 'history.sqlite'}", *CHEAP)
            code = run.finish()
            after = sorted(str(p) for p in root.rglob("*"))
    else:
        root = example(tmp_path / "ws")
        for p in [root, *root.rglob("*")]:
            p.chmod(p.stat().st_mode & ~0o222)
        before = sorted(str(p) for p in root.rglob("*"))
        run = Run(str(root), "-q", "--no-reports", "--history",
                  f"sqlite:///{root / 'reports' / 'history.sqlite'}", *CHEAP)
        code = run.finish()
        after = sorted(str(p) for p in root.rglob("*"))
        for p in [root, *root.rglob("*")]:
            p.chmod(p.stat().st_mode | 0o200)
    assert code == 2, run.stderr
    assert run.stderr.strip().count("\n") == 0 and "Traceback" not in run.stderr
    assert after == before


def test_a_damaged_probabilities_json_is_one_line(ws, tmp_path):
    out = tmp_path / "run"
    assert RUNNER.invoke(app, ["run", str(ws), "--out", str(out), "-q", "--no-reports",
                               *CHEAP]).exit_code == 0
    text = (out / "probabilities.json").read_text(encoding="utf-8")
    for damaged in (text[: len(text) // 2], '{"rows": []}', "[1, 2]", "\udcff"):
        (out / "probabilities.json").write_text(damaged, encoding="utf-8",
                                                errors="surrogateescape")
        result = RUNNER.invoke(app, ["report", str(out)])
        assert result.exit_code == 2, (damaged[:20], result.output)
        assert "probabilities.json is damaged" in result.output
        assert result.output.strip().count("\n") == 0
    assert not [p for p in out.iterdir() if p.name.startswith((".", "report"))]
