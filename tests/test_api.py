"""The notebook API is what the CLI runs: the same run from both gives the same rows."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

import forecast
from forecast.cli import app


def test_notebook_run_history_and_compare_match_the_cli(tmp_path, tiny_workspace):
    ws_path = tiny_workspace
    ws = forecast.open_workspace(ws_path)
    assert ws.plans == ["tiny"]
    done = ws.run(model="drift", draws=3000, out=tmp_path / "api", reports=False)
    cli = CliRunner().invoke(app, ["run", str(ws_path), "--model", "drift", "--draws", "3000",
                                   "--out", str(tmp_path / "cli"), "-q", "--no-reports"])
    assert cli.exit_code == 0, cli.output
    a = (tmp_path / "api" / "probabilities.csv").read_bytes()
    assert a == (tmp_path / "cli" / "probabilities.csv").read_bytes()
    csv = pd.read_csv(tmp_path / "api" / "probabilities.csv")
    assert done.probabilities["probability"].round(4).tolist() == csv["probability"].tolist()
    history = ws.history()
    assert len(history) == 2 and done.run_id in set(history["run_id"])
    later = history["run_id"].iloc[0]
    assert ws.compare(done.run_id, later).empty  # same data, model and seed: nothing moved
    assert forecast.runs(ws_path)["run_id"].tolist() == history["run_id"].tolist()
