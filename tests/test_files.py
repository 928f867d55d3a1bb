"""The one atomic writer (forecast.files): every file a run, a cache, a report, a template, an
extraction or a calibration writes is whole or absent, and has the permissions of a plain new
file (the user's umask), so colleagues sharing a workspace can read it."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import arviz as az
import numpy as np
import pytest
from typer.testing import CliRunner

from forecast import interruptions
from forecast.cli import app
from forecast.errors import InputError
from forecast.files import atomic_file, atomic_folder, read_yaml, write_text
from forecast.models.hierarchy.cache import load_cached, save_cached
from forecast.simulation.calibration import Calibration

from builders import BUNDLED, BundledRun


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def plain_file_mode() -> int:
    """What the kernel gives a plain new file here: 0666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def every_file(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.xdist_group(BUNDLED)
def test_a_run_its_reports_and_its_posterior_cache_share_one_mode(bundled_run: BundledRun):
    """The shared bundled run wrote under the suite's umask: its run folder, its reports and
    the fitted posteriors in models/ all have the mode of a plain new file (a posterior cache
    made private, 0600, is what an office sharing models/ could not read)."""
    files = every_file(bundled_run.folder) + every_file(bundled_run.workspace / "models")
    posteriors = [f for f in files if f.suffix == ".nc"]
    assert len(posteriors) >= 5 and any(f.name == "report.html" for f in files)
    assert {f.name: mode(f) for f in files} == {f.name: plain_file_mode() for f in files}
    assert not [f for f in files if f.name.startswith(".")]  # no temporary file left


def test_every_writer_gives_a_group_readable_file_under_a_group_umask(tmp_path, tiny_workspace):
    """Under umask 002 (a shared office folder), each writer's file is 0664."""
    written = []
    with umask(0o002):
        write_text(tmp_path / "plain.txt", "x\n")
        written.append(tmp_path / "plain.txt")
        with atomic_file(tmp_path / "blob.bin") as tmp:
            tmp.write_bytes(b"\x00\x01")
        written.append(tmp_path / "blob.bin")
        Calibration({}, {"note": "test"}).save(tmp_path / "models" / "calibration.json")
        written.append(tmp_path / "models" / "calibration.json")
        idata = az.from_dict(posterior={"drift": np.zeros((2, 5))},
                             sample_stats={"diverging": np.zeros((2, 5), bool)})
        idata.posterior.attrs["key"] = "k"  # the fit's key, as the pooled models store it
        save_cached(idata, tmp_path / "models" / "posteriors" / "x@2020.nc")
        written.append(tmp_path / "models" / "posteriors" / "x@2020.nc")
        assert load_cached(written[-1], "k") is not None
        with atomic_folder(tmp_path / "run") as folder:
            (folder / "a.csv").write_text("a\n", encoding="utf-8")
        template = tmp_path / "tiny.xlsx"
        result = CliRunner().invoke(app, ["template", str(tiny_workspace), "--plan", "tiny",
                                          "--out", str(template)])
        assert result.exit_code == 0, result.output
        written.append(template)
        document = tmp_path / "plan.txt"
        document.write_text("到2025年，全县高新技术企业数量达到45家以上。\n", encoding="utf-8")
        draft = tmp_path / "draft.yaml"
        result = CliRunner().invoke(app, ["extract", str(document), "--out", str(draft)])
        assert result.exit_code == 0, result.output
        written.append(draft)
    assert {f.name: mode(f) for f in written} == {f.name: 0o664 for f in written}
    assert mode(tmp_path / "run") == 0o775 and mode(tmp_path / "run" / "a.csv") == 0o664
    assert not [f for f in every_file(tmp_path) if f.name.startswith(".")]


def test_a_write_that_fails_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "calibration.json"
    write_text(path, "old\n")
    with pytest.raises(RuntimeError), atomic_file(path) as tmp:
        tmp.write_text("half of the new", encoding="utf-8")
        raise RuntimeError("killed mid-write")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["calibration.json"]


def test_two_writers_at_once_leave_one_whole_file(tmp_path):
    """Each writer has a temporary file of its own: the file ends as one writer's whole
    content, never a mix, and no temporary file is left."""
    path = tmp_path / "summary.md"
    texts = [f"{k}\n" * 200_000 for k in "ab"]
    threads = [threading.Thread(target=write_text, args=(path, t)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert path.read_text(encoding="utf-8") in texts
    assert [p.name for p in tmp_path.iterdir()] == ["summary.md"]


def test_a_folder_filled_by_another_process_meanwhile_is_refused_and_kept(tmp_path):
    """Two runs into one --out folder at once: the second to finish says so in one line and
    leaves the first one's files, and no temporary folder."""
    out = tmp_path / "run"
    with pytest.raises(InputError, match="another process"), atomic_folder(out) as mine:
        (mine / "probabilities.csv").write_text("mine\n", encoding="utf-8")
        out.mkdir()  # the other run finished first
        (out / "probabilities.csv").write_text("theirs\n", encoding="utf-8")
    assert (out / "probabilities.csv").read_text(encoding="utf-8") == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_place_that_cannot_be_written_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write here"):
        write_text(blocker / "inside" / "summary.md", "x")
    result = CliRunner().invoke(app, ["example", str(blocker / "example")])
    assert result.exit_code == 2 and "cannot write here" in result.output
    assert len(result.output.strip().splitlines()) == 1


WRITER = """
import sys, time
from pathlib import Path
from forecast.files import atomic_folder
with atomic_folder(Path(sys.argv[1])) as tmp:
    (tmp / "half.csv").write_text("half", encoding="utf-8")
    Path(sys.argv[2]).write_text("writing", encoding="utf-8")
    time.sleep(120)
"""


def test_a_live_writers_temporary_folder_is_kept_and_a_dead_ones_cleared(tmp_path):
    """The next writer in the same place removes what a killed one left (its temporary
    folder and lock), never what a live one is writing; the live one's folder is refused
    to everyone else while it writes."""
    marker = tmp_path / "writing"
    places = tmp_path / "runs"
    writers = {name: subprocess.Popen([sys.executable, "-c", WRITER, str(places / name),
                                       str(marker.with_suffix(f".{name}"))])
               for name in ("live", "dead")}
    deadline = time.monotonic() + 60
    while not all(marker.with_suffix(f".{n}").exists() for n in writers) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    writers["dead"].kill()
    writers["dead"].wait()
    try:
        before = sorted(p.name for p in places.iterdir())
        assert len(before) == 4  # two temporary folders, two locks
        with pytest.raises(InputError, match=r"in use by another run \(process \d+\)"), \
                atomic_folder(places / "live"):
            pass
        with atomic_folder(places / "next") as tmp:
            (tmp / "a.csv").write_text("a\n", encoding="utf-8")
        left = sorted(p.name for p in places.iterdir())
        assert left == sorted([n for n in before if n.startswith(".live.")] + ["next"])
        assert (places / "next" / "a.csv").exists()
    finally:
        writers["live"].kill()
        writers["live"].wait()
    with atomic_folder(places / "live") as tmp:  # the writer is gone: its place is free
        pass
    assert sorted(p.name for p in places.iterdir()) == ["live", "next"]


def test_a_full_disk_is_one_line_and_leaves_no_temporary_file(tmp_path):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError, match="No space left on device"), \
            atomic_folder(tmp_path / "run") as tmp:
        (tmp / "a.csv").write_text("a\n", encoding="utf-8")
        full()
    with pytest.raises(InputError, match="No space left on device"), \
            atomic_file(tmp_path / "summary.md"):
        full()
    assert list(tmp_path.iterdir()) == []


def test_a_failed_record_withdraws_the_published_folder(tmp_path):
    """The publish step records the run around the move: when the record fails after the
    move (its commit), the folder is withdrawn, as if never published."""
    def publish(move):
        move()
        assert (tmp_path / "run" / "a.csv").exists()
        raise RuntimeError("the commit failed")

    with pytest.raises(RuntimeError), atomic_folder(tmp_path / "run", publish) as tmp:
        (tmp / "a.csv").write_text("a\n", encoding="utf-8")
    assert list(tmp_path.iterdir()) == []



@contextmanager
def stopping_on_sigterm():
    """SIGTERM handled as the command line handles it (forecast.cli.signals)."""
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: interruptions.stop(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_stop_between_the_move_and_the_commit_waits_until_the_run_is_whole(tmp_path):
    """A real SIGTERM after the folder is moved into place and before its record is
    committed: the commit still happens, the folder stays with it, and then the command
    stops (128 + 15). Without the wait, the folder would stay without its record."""
    committed = []

    def publish(move):
        move()
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)  # the handler has run by now, and waited
        committed.append(True)

    with stopping_on_sigterm(), pytest.raises(interruptions.Stopped) as stopped, \
            atomic_folder(tmp_path / "run", publish) as tmp:
        (tmp / "a.csv").write_text("a\n", encoding="utf-8")
    assert stopped.value.code == 128 + signal.SIGTERM
    assert committed and (tmp_path / "run" / "a.csv").read_text() == "a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left


def test_a_stop_before_the_move_leaves_nothing(tmp_path):
    def publish(move):
        raise AssertionError("never reached")

    with stopping_on_sigterm(), pytest.raises(interruptions.Stopped), \
            atomic_folder(tmp_path / "run", publish) as tmp:
        (tmp / "a.csv").write_text("a\n", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the stop comes at once, not after this
    assert list(tmp_path.iterdir()) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_stop_python_lost_still_keeps_the_run_from_being_made_whole(tmp_path):
    """A signal that lands while Python runs a ``__del__`` (or a weakref callback): the
    handler's Stopped is printed as "Exception ignored" and lost, and the run goes on. It
    is not moved into place or recorded: the stop ends the command before that step."""
    recorded = []

    def publish(move):
        move()
        recorded.append(True)

    class Collected:
        def __del__(self):
            interruptions.stop(signal.SIGTERM)  # raised here, Python ignores it

    with pytest.raises(interruptions.Stopped) as stopped, \
            atomic_folder(tmp_path / "run", publish) as tmp:
        (tmp / "a.csv").write_text("a\n", encoding="utf-8")
        Collected()  # collected at once: the stop is lost, the block goes on
        (tmp / "b.csv").write_text("b\n", encoding="utf-8")
    assert stopped.value.code == 128 + signal.SIGTERM
    assert not recorded and list(tmp_path.iterdir()) == []


ALIASED = ["a: &x 1\nb: *x\n", "a: [&x 1, *x]\n", "a: {k: &x 1, j: *x}\n", "- &x 1\n- *x\n",
           "a: &x\n  b: 1\nc:\n  <<: *x\n", "a: [1,*x]\n", "? &k key\n: 1\n", "&top\na: 1\n"]


@pytest.mark.parametrize("text", ALIASED, ids=range(len(ALIASED)))
def test_every_yaml_anchor_or_alias_is_refused(text, tmp_path):
    """Anchors and aliases, wherever YAML allows them, are refused before anything is built
    (a few of them nested expand into gigabytes)."""
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="anchors and aliases"):
        read_yaml(path)


def test_text_with_ampersands_and_stars_is_read_as_it_is(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("title: R&D 投入 *力争*\nnote: '&x and *y in quotes'\nv: 3*4\n",
                    encoding="utf-8")
    assert read_yaml(path) == {"title": "R&D 投入 *力争*", "note": "&x and *y in quotes",
                               "v": "3*4"}
