"""Small fixtures built in the tests themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.catalogue import Catalogue, load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


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
