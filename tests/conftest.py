"""Fixtures: small workspaces built in the tests themselves, and the one run of the bundled
example the whole suite shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import settings
from typer.testing import CliRunner

from forecast.api import example
from forecast.cli import app
from forecast.inputs.catalogue import Catalogue, load_catalogue

from builders import BUNDLED, BUNDLED_ARGS, HUNAN_RD, BundledRun

# Every property test draws the same examples on every run (a failure can be repeated, and
# no run passes by luck where another fails); a test's own @settings keep this default.
settings.register_profile("repeatable", derandomize=True)
settings.load_profile("repeatable")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of the shared bundled run first: under xdist their worker starts on the
    suite's longest piece of work at once, while the other takes the rest."""
    items.sort(key=lambda item: not any(m.args == (BUNDLED,)
                                         for m in item.iter_markers("xdist_group")))


@pytest.fixture(autouse=True)
def _history_in_tmp(tmp_path, monkeypatch):
    """Runs made by tests record into a history of their own, not the repository's."""
    monkeypatch.setenv("FORECAST_HISTORY_URL", f"sqlite:///{tmp_path / 'history.sqlite'}")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def bundled_run(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> BundledRun:
    """The bundled example run once for the whole suite, as `forecast example DIR && forecast
    run DIR` would: the default model and seed, every scenario, every report. The tests that
    read it are in the xdist group ``bundled`` (one worker); a file lock makes any other
    worker wait for the first one's run instead of repeating it."""
    session = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # an xdist worker: the session's folder is above
        session = session.parent
    root = session / "bundled"
    workspace, folder = root / "workspace", root / "run"
    with FileLock(str(session / "bundled.lock")):
        if not (folder / "probabilities.csv").exists():
            example(workspace)
            env = {"FORECAST_HISTORY_URL": f"sqlite:///{root / 'history.sqlite'}"}
            result = CliRunner().invoke(app, ["run", str(workspace), "--out", str(folder),
                                              *BUNDLED_ARGS], env=env, catch_exceptions=False)
            assert result.exit_code == 0, result.output
    return BundledRun(workspace, folder, BUNDLED_ARGS)


def write_workspace(root: Path, observations: str, plan: str, regions: str | None = None) -> Path:
    """A workspace folder with the given observations.csv and one plan file."""
    (root / "data" / "plans").mkdir(parents=True)
    (root / "data" / "observations.csv").write_text(observations, encoding="utf-8")
    (root / "data" / "plans" / "plan.yaml").write_text(plan, encoding="utf-8")
    if regions is not None:
        (root / "data" / "regions.csv").write_text(regions, encoding="utf-8")
    return root


@pytest.fixture
def make_workspace():
    """``make_workspace(root, observations_csv_text, plan_yaml_text)`` -> the workspace root."""
    return write_workspace


@pytest.fixture
def many_plans_workspace(tmp_path: Path) -> Path:
    """24 counties of Hunan (rescaled Hunan R&D expenditure), one plan each (title 县N规划):
    more than the 20 plans above which runs report a national overview."""
    obs = "region,indicator,year,value\n" + "".join(
        f"c{r},rd_expenditure,{2011 + i},{v * (1 + r / 50):.1f}\n"
        for r in range(24) for i, v in enumerate(HUNAN_RD))
    root = write_workspace(tmp_path / "ws", obs, "plan: {id: c0-plan, region: c0}\ntargets: []\n",
                           "region,name_en,level,parent\n湖南,Hunan,province,全国\n" + "".join(
                               f"c{r},c{r},county,湖南\n" for r in range(24)))
    for r in range(24):
        (root / "data" / "plans" / f"c{r}.yaml").write_text(
            f"plan: {{id: c{r}-plan, title: 县{r}规划, region: c{r}}}\ntargets:\n"
            f"  - {{id: a, indicator: rd_expenditure, op: '>=', value: {1000 + 20 * r}, "
            "year: 2022, text: x}\n", encoding="utf-8")
    (root / "data" / "plans" / "plan.yaml").unlink()
    return root


TINY_PLAN = """\
plan: {id: tiny, title: tiny plan, region: 湖南}
targets:
  - {id: level, indicator: rd_expenditure, op: '>=', value: 1300, year: 2023, base_year: 2020,
     text: x}
"""


@pytest.fixture
def tiny_workspace(tmp_path: Path) -> Path:
    """Hunan's R&D expenditure 2011-2020 and one plan with one target on it (2023)."""
    obs = "region,indicator,year,value\n" + "".join(
        f"湖南,rd_expenditure,{2011 + i},{v}\n" for i, v in enumerate(HUNAN_RD))
    return write_workspace(tmp_path / "ws", obs, TINY_PLAN)
