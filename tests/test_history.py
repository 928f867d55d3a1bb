"""The run history against the databases offices use: embedded SQLite and a real PostgreSQL
server started here (initdb and pg_ctl in a temporary folder, on a free local port)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.outputs.history import (
    SCHEMA_VERSION,
    compare,
    connect,
    list_runs,
    record_run,
    recording,
)

from builders import held_by_another_connection

RUNNER = CliRunner()
SCENARIO = "scenario: {{id: push, title: push}}\nadjustments:\n" \
           "  - {{indicator: rd_expenditure, from_year: 2021, growth_shift: {shift}}}\n"


def _binary(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


@pytest.fixture(scope="module")
def postgres() -> str:
    """A PostgreSQL server for this module: the URL of its database."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        message = "PostgreSQL not installed (apt-get install postgresql)"
        if os.environ.get("FORECAST_CI"):
            pytest.fail(message)
        pytest.skip(message)
    # in /tmp itself: pytest's folders are private to root, and the server runs as postgres
    folder = Path(tempfile.mkdtemp(prefix="forecast-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = folder / "data"
    subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "forecast"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    yield f"postgresql+psycopg://forecast@127.0.0.1:{port}/postgres"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                   capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite'}"
    base = request.getfixturevalue("postgres")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"h{os.getpid()}_{abs(hash(request.node.name)) % 10**8}"
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def run(ws: Path, out: Path, url: str, *args: str) -> str:
    result = RUNNER.invoke(app, ["run", str(ws), "--out", str(out), "-q", "--no-reports",
                                 "--draws", "2000", "--history", url, *args])
    assert result.exit_code == 0, result.output
    return result.output.split("recorded as ")[1].split()[0]


def test_compare_says_why_a_probability_moved(tmp_path, tiny_workspace, url):
    ws = tiny_workspace
    (ws / "data" / "scenarios").mkdir()
    push = ws / "data" / "scenarios" / "push.yaml"
    push.write_text(SCENARIO.format(shift=1), encoding="utf-8")
    first = run(ws, tmp_path / "a", url, "--model", "drift")
    # 1. one data point changed
    obs = ws / "data" / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace("2020,898.7", "2020,950.0"),
                   encoding="utf-8")
    second = run(ws, tmp_path / "b", url, "--model", "drift")
    moved = compare(connect(url), first, second).set_index("scenario")
    assert set(moved.index) == {"baseline", "push"}
    why = moved.loc["baseline", "why"]
    assert why == "data changed: 湖南 rd_expenditure (2020: 898.7 -> 950)"
    assert moved.loc["baseline", "change"] > 0.05
    # 2. model changed, data as before
    third = run(ws, tmp_path / "c", url, "--model", "trend")
    moved = compare(connect(url), second, third).set_index("scenario")
    assert moved.loc["baseline", "why"].startswith("model or settings changed: model: drift ->"
                                                   " trend") and "data" not in \
        moved.loc["baseline", "why"]
    # 3. scenario changed: only the scenario's rows move
    push.write_text(SCENARIO.format(shift=4), encoding="utf-8")
    fourth = run(ws, tmp_path / "d", url, "--model", "trend")
    moved = compare(connect(url), third, fourth)
    assert list(moved["scenario"]) == ["push"] and moved["why"].iloc[0] == \
        "scenario changed: push"
    listed = list_runs(connect(url))
    assert list(listed["run_id"])[:1] == [fourth] and len(listed) == 4
    printed = RUNNER.invoke(app, ["compare", first, second, "--history", url, "--format",
                                  "csv"])
    assert printed.exit_code == 0 and "data changed" in printed.output
    assert RUNNER.invoke(app, ["runs", "--history", url, "--plan", "nope"]).output.strip() \
        == "no runs recorded yet"


WRITER = """
import sys, time, json
from pathlib import Path
from forecast.outputs.history import connect, record_run
url, run_id, n, stall = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def rows():
    for i in range(n):
        if stall != "-" and i == n // 2:
            Path(stall).write_text("halfway")
            time.sleep(120)
        yield {"plan_id": "p", "target_id": f"t{i}", "scenario": "baseline", "region": "r",
               "indicator": "gdp", "probability": 0.5}
record_run(connect(url), run_id, {"settings": {"model": "trend"}}, rows(), {}, "folder",
           "2026-01-01T00:00:00+00:00", "tester")
"""


def _count(url: str, run_id: str) -> tuple[int, int]:
    engine = connect(url)
    with engine.connect() as conn:
        runs = conn.exec_driver_sql(f"SELECT count(*) FROM runs WHERE run_id = '{run_id}'")
        n_runs = runs.scalar_one()
        rows = conn.exec_driver_sql(f"SELECT count(*) FROM rows WHERE run_id = '{run_id}'")
        return n_runs, rows.scalar_one()


def test_two_processes_writing_at_once_lose_nothing(url):
    connect(url)  # the schema exists before they race
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, f"run-{k}", "20000", "-"])
             for k in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert _count(url, "run-0") == (1, 20000) and _count(url, "run-1") == (1, 20000)


def test_a_run_killed_mid_write_leaves_no_trace(url, tmp_path):
    connect(url)
    marker = tmp_path / "halfway"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url, "killed", "5000",
                             str(marker)])
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert marker.exists()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _count(url, "killed") == (0, 0)
    subprocess.run([sys.executable, "-c", WRITER, url, "after", "100", "-"], check=True,
                   timeout=120)  # the database is still usable
    assert _count(url, "after") == (1, 100)


V1 = [  # the schema of version 1: no runs.folder
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version VALUES (1)",
    """CREATE TABLE runs (run_id VARCHAR(200) PRIMARY KEY, created VARCHAR(40) NOT NULL,
        "user" VARCHAR(200) NOT NULL, workspace TEXT NOT NULL, model VARCHAR(40) NOT NULL,
        settings TEXT NOT NULL, scenarios TEXT NOT NULL, inputs TEXT NOT NULL,
        code_version VARCHAR(40) NOT NULL)""",
    """CREATE TABLE rows (run_id VARCHAR(200) NOT NULL REFERENCES runs (run_id),
        plan_id VARCHAR(200) NOT NULL, target_id VARCHAR(200) NOT NULL,
        scenario VARCHAR(200) NOT NULL, region VARCHAR(200) NOT NULL,
        indicator VARCHAR(200) NOT NULL, probability FLOAT, "row" TEXT NOT NULL)""",
    """CREATE TABLE series (run_id VARCHAR(200) NOT NULL REFERENCES runs (run_id),
        region VARCHAR(200) NOT NULL, indicator VARCHAR(200) NOT NULL,
        history TEXT NOT NULL)""",
    """INSERT INTO runs VALUES ('old-run', '2025-11-20T09:30:00+00:00', 'analyst', 'ws',
        'trend', '{}', '[]', '{}', '0.0.9')""",
    "INSERT INTO rows VALUES ('old-run', 'p', 't', 'baseline', 'r', 'gdp', 0.7, '{}')",
]


def test_a_database_of_the_previous_schema_is_migrated(url):
    """A version-1 database is upgraded in place; its runs survive."""
    with sa.create_engine(url).begin() as conn:
        for statement in V1:
            conn.exec_driver_sql(statement)
    engine = connect(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version FROM schema_version").scalar_one() == \
            SCHEMA_VERSION
    listed = list_runs(engine)
    assert list(listed["run_id"]) == ["old-run"] and listed["folder"].iloc[0] == ""
    again = connect(url)  # opening the upgraded database again changes nothing
    with again.connect() as conn:
        assert conn.exec_driver_sql("SELECT version FROM schema_version").scalar_one() == \
            SCHEMA_VERSION
    assert list(list_runs(again)["run_id"]) == ["old-run"]


def test_a_bad_history_url_stops_the_run_before_anything_is_written(tmp_path,
                                                                    tiny_workspace):
    ws = tiny_workspace
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["run", str(ws), "--out", str(out), "-q", "--no-reports",
                                 "--history", "nosuchdb://x"])
    assert result.exit_code == 2 and "cannot open the run history" in result.output
    assert not out.exists()


def test_a_locked_history_is_waited_for_then_refused_in_one_line(url):
    """The run waits out the lock timeout (lowered here from LOCK_TIMEOUT's 30 s) and is
    then refused with a one-line error, and the history is as it was."""
    engine = connect(url, timeout=0.5)
    with held_by_another_connection(url):
        started = time.monotonic()
        with pytest.raises(InputError, match=r"locked by another program \(waited 0.5 s\)"):
            record_run(engine, "late", {"settings": {}}, [], {}, "folder", "2026", "tester")
        assert time.monotonic() - started > 0.4  # it waited out the timeout first
    assert _count(url, "late") == (0, 0)
    record_run(engine, "late", {"settings": {}}, [], {}, "folder", "2026", "tester")
    assert _count(url, "late") == (1, 0)


def test_a_record_is_committed_only_once_its_folder_is_published(url):
    """``recording`` commits after its block (the folder's move): a failure there, an
    interruption included, leaves no record."""
    engine = connect(url)
    for failure in (RuntimeError("the move failed"), KeyboardInterrupt()):
        with pytest.raises(type(failure)), recording(engine, "r", {"settings": {}}, [{
                "plan_id": "p", "target_id": "t", "scenario": "baseline", "region": "x",
                "indicator": "gdp", "probability": 0.5}], {}, "f", "2026", "tester"):
            assert _count(url, "r") == (0, 0)  # not committed yet
            raise failure
        assert _count(url, "r") == (0, 0)
    with pytest.raises(InputError, match="recorded by another run meanwhile"):
        record_run(engine, "r", {}, [], {}, "f", "2026", "a")
        record_run(engine, "r", {}, [], {}, "f", "2026", "b")
    assert _count(url, "r") == (1, 0)


@pytest.mark.parametrize("memory", ["sqlite://", "sqlite:///", "sqlite:///:memory:",
                                    "sqlite:///file:x?mode=memory&uri=true"])
def test_an_in_memory_history_is_refused(memory, tmp_path, tiny_workspace):
    out = tmp_path / "out"
    for args in (["run", str(tiny_workspace), "--out", str(out), "-q", "--no-reports"],
                 ["runs", str(tiny_workspace)]):
        result = RUNNER.invoke(app, [*args, "--history", memory])
        assert result.exit_code == 2 and "in-memory run history" in result.output
        assert result.output.strip().count("\n") == 0
    assert not out.exists()


def test_a_file_that_is_not_a_database_is_one_line(tmp_path, tiny_workspace):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 200, encoding="utf-8")
    url = f"sqlite:///{notes}"
    for args in (["run", str(tiny_workspace), "--out", str(tmp_path / "out"), "-q",
                  "--no-reports"], ["runs"], ["compare", "a", "b"]):
        result = RUNNER.invoke(app, [*args, "--history", url])
        assert result.exit_code == 2, result.output
        assert "not a database" in result.output and result.output.count("\n") == 1
    assert notes.read_text(encoding="utf-8") == "not a database\n" * 200
    assert not (tmp_path / "out").exists()


def test_runs_and_compare_create_no_workspace_and_no_database(tmp_path, tiny_workspace,
                                                              monkeypatch):
    typo = tmp_path / "typo"
    for args in (["runs", str(typo)], ["compare", "a", "b", "--workspace", str(typo)]):
        result = RUNNER.invoke(app, args)
        assert result.exit_code == 2 and "no such workspace folder" in result.output
        assert result.output.count("\n") == 1
    assert not typo.exists()
    monkeypatch.delenv("FORECAST_HISTORY_URL")  # the workspace's own reports/history.sqlite
    result = RUNNER.invoke(app, ["runs", str(tiny_workspace)])
    assert result.exit_code == 0 and result.output.strip() == "no runs recorded yet"
    result = RUNNER.invoke(app, ["compare", "a", "b", "--workspace", str(tiny_workspace)])
    assert result.exit_code == 2 and "no run 'a'" in result.output
    assert not (tiny_workspace / "reports").exists()


def test_compare_takes_run_folders(tmp_path, tiny_workspace):
    """Run folders stand for their runs (probabilities.json's run.id, the id recorded),
    and the history read is the one of the workspace they were written from."""
    url = f"sqlite:///{tiny_workspace / 'reports' / 'history.sqlite'}"
    a = run(tiny_workspace, tmp_path / "a", url, "--model", "drift")
    b = run(tiny_workspace, tmp_path / "b", url, "--model", "trend")
    for folder, run_id in ((tmp_path / "a", a), (tmp_path / "b", b)):
        meta = json.loads((folder / "probabilities.json").read_text(encoding="utf-8"))
        assert meta["run"]["id"] == run_id
    by_id = RUNNER.invoke(app, ["compare", a, b, "--history", url])
    by_folder = RUNNER.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b")],
                              env={"FORECAST_HISTORY_URL": ""})
    assert by_id.exit_code == 0 and by_folder.exit_code == 0, by_folder.output
    assert by_folder.output == by_id.output and "model or settings changed" in by_id.output
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    result = RUNNER.invoke(app, ["compare", str(stranger), b, "--history", url])
    assert result.exit_code == 2 and result.output.count("\n") == 1
