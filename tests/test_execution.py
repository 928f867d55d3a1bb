"""Every engine gives the same bytes: in-process, a process pool, a Dask LocalCluster, and a
real Dask scheduler and workers reached over TCP, even when a worker dies mid-run. The runs
use the trend model: the engines' mechanics do not depend on the model, and the pooled fits
on every engine are test_pooled's and test_counts' (a fresh process compiles each
hierarchical model anew, 30 s a structure)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.cli import app
from forecast.config import EXAMPLE_DATA
from forecast.execution import executor, process_pool
from forecast.inputs.observations import read_observations
from forecast.inputs.plans import read_plans
from forecast.inputs.scenarios import read_scenarios
from forecast.inputs.workspace import Inputs

distributed = pytest.importorskip("distributed")
BIN = Path(sys.executable).parent
PROVINCES = ["北京", "上海", "广东", "湖南", "江西", "云南", "四川", "浙江"]


def workspace(root: Path, provinces: list[str], repeat: int = 1) -> Path:
    """Real provincial series (copied under `repeat` region names each) and a plan per region."""
    obs = pd.read_csv(EXAMPLE_DATA / "observations.csv")
    obs = obs[obs["region"].isin(provinces) & obs["indicator"].isin(
        ["rd_intensity", "rd_expenditure", "gdp", "valid_invention_patents"])]
    frames, plans = [], []
    for k in range(repeat):
        for prov in provinces:
            region = f"{prov}-{k}"
            frames.append(obs[obs["region"] == prov].assign(region=region))
            plans.append((region, f"""
plan: {{id: p-{k}-{provinces.index(prov)}, title: t, region: {region}, base_year: 2021,
       period: [2022, 2026]}}
targets:
  - {{id: a, indicator: rd_intensity, kind: level, op: ">=", value: 2.5, year: 2026, text: x}}
  - {{id: b, indicator: rd_expenditure, kind: cagr, op: ">=", value: 8, year: 2026, text: x}}
  - {{id: c, indicator: valid_invention_patents, kind: change, op: ">=", value: 5000,
      year: 2025, text: x}}
"""))
    (root / "data" / "plans").mkdir(parents=True)
    (root / "data" / "scenarios").mkdir(parents=True)
    (root / "data" / "scenarios" / "push.yaml").write_text(SCENARIO, encoding="utf-8")
    pd.concat(frames).to_csv(root / "data" / "observations.csv", index=False)
    for i, (_, text) in enumerate(plans):
        (root / "data" / "plans" / f"p{i:04d}.yaml").write_text(text, encoding="utf-8")
    return root


SCENARIO = """
scenario: {id: push, title: push}
adjustments:
  - {indicator: rd_expenditure, from_year: 2025, growth_shift: 2}
  - {indicator: gdp, year: 2024, shock: -3}
  - {indicator: "*", volatility: 1.3}
"""
RD = frozenset({"rd_intensity"})


def settings_of(root: Path, catalogue) -> Settings:
    """The trend model, 500 draws, the workspace's scenario, R&D intensity derived from its
    components."""
    return Settings(model="trend", draws=500, derived=RD,
                    scenarios=tuple(read_scenarios(root / "data" / "scenarios", catalogue)))


def outputs(result) -> bytes:
    """Everything a run computes per target: rows, suggestions and progress."""
    return b"".join(csv_bytes(f) for f in (result.rows, result.suggestions, result.progress))


def inputs_of(root: Path, catalogue) -> Inputs:
    return Inputs(catalogue, read_observations(root / "data" / "observations.csv", catalogue),
                  read_plans(root / "data" / "plans", catalogue))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def small(tmp_path_factory, catalogue):
    root = workspace(tmp_path_factory.mktemp("ws"), PROVINCES, repeat=2)
    inputs = inputs_of(root, catalogue)
    settings = settings_of(root, catalogue)
    result = assess(inputs, settings)
    assert set(result.rows["scenario"]) == {"baseline", "push"}
    assert (result.rows["model"] == "derived").sum() == 2 * len(PROVINCES) * 2
    return root, inputs, settings, outputs(result)


def test_process_pool_and_local_cluster_give_the_same_bytes(small):
    _, inputs, settings, reference = small
    with executor("local", workers=2) as pool:
        assert outputs(assess(inputs, settings, pool)) == reference
    with executor("dask", workers=2) as dask_pool:
        assert outputs(assess(inputs, settings, dask_pool)) == reference


def test_grouping_into_tasks_does_not_change_the_streams(small):
    _, inputs, settings, reference = small
    for size in (1, 3, 1000):
        assert outputs(assess(inputs, settings, batch_series=size)) == reference


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster():
    """A real scheduler and two workers as subprocesses on 127.0.0.1; stopped afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    workers = [subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1",
                                 "--no-nanny", "--no-dashboard", "--name", f"w{i}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for i in range(2)]
    procs += workers
    try:
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:  # killed, not asked to stop: a graceful shutdown waits 20 s on its timeouts
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def test_external_scheduler_over_tcp_gives_the_same_bytes(small, dask_cluster, tmp_path):
    root, _, _, _ = small
    address, _ = dask_cluster
    runner = CliRunner()
    local, remote = tmp_path / "local", tmp_path / "remote"
    args = ["--model", "trend", "--draws", "500", "-q", "--no-reports"]
    assert runner.invoke(app, ["run", str(root), "--out", str(local), *args]).exit_code == 0
    result = runner.invoke(app, ["run", str(root), "--out", str(remote), *args,
                                 "--engine", "dask", "--scheduler", address])
    assert result.exit_code == 0, result.output
    # all but the run's own id (probabilities.json's run.id)
    for name in ("probabilities.csv", "probabilities.json", "suggestions.csv", "review.csv",
                 "plan_outcomes.csv", "summary.md"):
        assert re.sub(rb'\n  "id": "[^"]*",', b"", (local / name).read_bytes()) == \
            re.sub(rb'\n  "id": "[^"]*",', b"", (remote / name).read_bytes())


def test_a_worker_killed_mid_run_changes_nothing(tmp_path, catalogue, dask_cluster):
    root = workspace(tmp_path / "big", PROVINCES, repeat=12)  # 96 regions, 288 series
    address, workers = dask_cluster
    local = tmp_path / "local"
    args = ["--model", "trend", "--draws", "4000", "-q", "--no-reports"]
    assert CliRunner().invoke(app, ["run", str(root), "--out", str(local), *args]
                              ).exit_code == 0
    remote = tmp_path / "remote"
    run = subprocess.Popen([str(BIN / "forecast"), "run", str(root), "--out", str(remote),
                            "--engine", "dask", "--scheduler", address, *args])
    with distributed.Client(address, timeout="30s") as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(client.processing().values()):
            time.sleep(0.05)
        assert any(client.processing().values()), "the run never started on the cluster"
    os.kill(workers[0].pid, signal.SIGKILL)
    assert run.wait(timeout=300) == 0
    assert workers[0].poll() is not None  # it really died
    assert (local / "probabilities.csv").read_bytes() == (remote / "probabilities.csv").read_bytes()


def test_an_interrupted_pool_ends_its_workers_and_its_manager_thread():
    """An interruption inside ``process_pool`` kills the workers and waits for the pool's
    manager thread: left running, CPython 3.11's exit-time wake-up of it can race its
    closing of its pipe and print "OSError: [Errno 9] Bad file descriptor" after a stopped
    command's last line (seen in CI)."""
    with pytest.raises(KeyboardInterrupt), process_pool(1) as pool:
        future = pool.submit(time.sleep, 30)
        while not pool._processes:  # the worker has started
            time.sleep(0.01)
        workers, manager = list(pool._processes.values()), pool._executor_manager_thread
        raise KeyboardInterrupt
    assert not any(w.is_alive() for w in workers)
    assert not manager.is_alive()
    assert future.cancelled() or future.done()
