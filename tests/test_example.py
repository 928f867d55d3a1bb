"""The bundled example: `forecast example DIR` copies it, `forecast run DIR` assesses every
seed plan, and a wheel installed into a fresh virtual environment does the same with the same
bytes as the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.api import example
from forecast.cli import app
from forecast.config import EXAMPLE_PARTS
from forecast.errors import InputError

from builders import BUNDLED, BundledRun

pytestmark = pytest.mark.xdist_group(BUNDLED)
REPO = Path(__file__).resolve().parents[1]
# what a wheel is built from (a copy of them, so that the build leaves the checkout alone)
WHEEL_SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE",
                 "forecast", "data")
COMPARED = ("probabilities.csv", "suggestions.csv", "review.csv", "plan_outcomes.csv")


def test_bundled_example_covers_every_seed_target(bundled_run: BundledRun):
    """The main job: a row for every target of the seed plans, a probability where there is
    history, and a note for the rest."""
    rows = pd.read_csv(bundled_run.folder / "probabilities.csv")
    assert set(rows["plan_id"]) == {"xiangtan-2023", "yuanjiang-2024", "unnamed-city-2025",
                                    "pingxiang-2025", "zhenkang-2025", "fyp14-rd-intensity"}
    numeric = rows[rows["kind"] != "qualitative"]
    assessed = numeric[numeric["assessable"]]
    assert assessed["probability"].between(0, 1).all()
    assert numeric.loc[~numeric["assessable"], "note"].str.contains("data").all()
    # Every FYP R&D-intensity target and every numeric Xiangtan table row has a probability.
    fyp = rows[rows["plan_id"] == "fyp14-rd-intensity"]
    assert fyp[fyp["indicator"].isin(["rd_intensity", "rd_expenditure"])]["assessable"].all()
    xiangtan = assessed[assessed["plan_id"] == "xiangtan-2023"]
    assert len(xiangtan) >= 24
    assert set(rows["scenario"]) == {"baseline", "downturn", "rd-push", "volatile"}


def test_example_copies_the_workspace_and_refuses_a_folder_that_is_not_empty(tmp_path):
    out = example(tmp_path / "ws")
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(EXAMPLE_PARTS)
    assert (out / "data" / "plans" / "xiangtan-2023.yaml").read_bytes() == \
        (REPO / "data" / "plans" / "xiangtan-2023.yaml").read_bytes()
    with pytest.raises(InputError, match="not empty"):
        example(out)
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["example", str(occupied)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert [p.name for p in occupied.iterdir()] == ["notes.txt"]  # nothing written, or lost
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no temporary left


def _copy_sources(dest: Path) -> Path:
    dest.mkdir()
    for name in WHEEL_SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copyfile(source, dest / name)
    return dest


def _venv_with_wheel(tmp_path: Path, wheel: Path) -> tuple[Path, str]:
    """A fresh virtual environment with the wheel installed: its dependencies come from this
    environment's site-packages, appended after the new one's own by a .pth line (the .pth
    files there, this checkout's editable install among them, are not read)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"], check=True,
                             capture_output=True, text=True).stdout.strip()
    Path(purelib, "forecast-test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True)
    return venv, purelib


def test_the_wheel_runs_the_example_with_the_same_bytes_as_the_checkout(
        bundled_run: BundledRun, tmp_path: Path):
    src = _copy_sources(tmp_path / "src")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                    "--no-build-isolation", "-w", str(dist), str(src)], check=True,
                   capture_output=True)
    (wheel,) = dist.glob("forecast-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("forecast/data/calibration.json", "forecast/data/priors.yaml",
                   "forecast/data/indicators.yaml",
                   "forecast/outputs/reports/templates/report.html.j2",
                   "forecast/explore/templates/page.html.j2",
                   "forecast/explore/static/explore.js",
                   "forecast/example/data/observations.csv",
                   "forecast/example/data/plans/xiangtan-2023.yaml",
                   "forecast/example/data/calibration/corpus.yaml"):
        assert needed in names, needed
    venv, purelib = _venv_with_wheel(tmp_path, wheel)
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import forecast; print(forecast.__file__)"], cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(purelib)  # the wheel's copy, not the checkout
    forecast = str(venv / "bin" / "forecast")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["FORECAST_HISTORY_URL"] = f"sqlite:///{tmp_path / 'history.sqlite'}"

    # outside a checkout, without a workspace: one line that names `forecast example`
    empty = tmp_path / "empty"
    empty.mkdir()
    bare = subprocess.run([forecast, "run"], cwd=empty, env=env, capture_output=True,
                          text=True)
    assert bare.returncode == 2 and "forecast example" in bare.stderr, bare.stderr
    assert len(bare.stderr.strip().splitlines()) == 1

    ws = tmp_path / "ws"
    made = subprocess.run([forecast, "example", str(ws)], env=env, capture_output=True,
                          text=True)
    assert made.returncode == 0, made.stderr
    again = subprocess.run([forecast, "example", str(ws)], env=env, capture_output=True,
                           text=True)
    assert again.returncode == 2 and "not empty" in again.stderr
    # the checkout's fits: same data, settings and seed, so their keys match and nothing is
    # sampled again (the fits themselves are compared by the byte-identical outputs)
    shutil.copytree(bundled_run.workspace / "models", ws / "models")
    out = tmp_path / "run"
    run = subprocess.run([forecast, "run", str(ws), "--out", str(out), *bundled_run.args],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for name in COMPARED:
        assert (out / name).read_bytes() == (bundled_run.folder / name).read_bytes(), name
    reports = {p.name for p in bundled_run.folder.glob("*") if p.suffix != ".csv"}
    assert {"report.html", "report.docx", "tables.xlsx"} <= reports  # report.pdf needs Pango
    assert {p.name for p in out.glob("*") if p.suffix != ".csv"} == reports
