"""The page's adjustments saved as a scenario file, ``data/scenarios/<id>.yaml`` of the run's
workspace: written only after the text is read back as a valid scenario equal to the one the
page showed, and never over an existing file or id. `forecast run --scenario <id>` on the
same inputs and seed then gives exactly the page's probabilities (floats are written so they
read back to the same bits)."""

from __future__ import annotations

from pathlib import Path

import yaml

from forecast.config import Workspace, inside
from forecast.errors import InputError
from forecast.files import read_yaml, write_new_text
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import KEYS, Scenario, scenario_from


class ScenarioExists(InputError):
    """A scenario of that id (or file name) is already in the workspace."""


def scenario_text(scenario: Scenario, run_id: str | None = None) -> str:
    """The scenario as the YAML of a scenario file (docs/formats.md)."""
    adjustments = []
    for a in scenario.adjustments:
        entry: dict = {"indicator": a.indicator}
        for key in KEYS:
            if getattr(a, key) is not None:
                entry[key] = getattr(a, key)
        if a.from_year is not None:
            entry["from_year"] = a.from_year
        if a.year is not None:
            entry["year"] = a.year
        adjustments.append(entry)
    head = {"id": scenario.id, "title": scenario.title,
            "description": "Saved from forecast explore"
            + (f" (run {run_id})" if run_id else "") + "."}
    return ("# made with `forecast explore`; edit freely, `forecast run --scenario "
            f"{scenario.id}` reads it\n"
            + yaml.safe_dump({"scenario": head, "adjustments": adjustments},
                             allow_unicode=True, sort_keys=False))


def save_scenario(root: Path, scenario: Scenario, catalogue: Catalogue,
                  run_id: str | None = None) -> Path:
    """Write ``scenario`` into the workspace at ``root``; the file's path."""
    folder = Workspace(root).scenarios
    path = inside(folder, f"{scenario.id}.yaml")
    if scenario.id in _ids(folder) or path.exists() or path.with_suffix(".yml").exists():
        raise ScenarioExists(f"a scenario {scenario.id!r} exists already", file=path,
                             fix="choose another id")
    text = scenario_text(scenario, run_id)
    again = scenario_from(yaml.safe_load(text), path, catalogue)
    if again.adjustments != scenario.adjustments:  # pragma: no cover - a bug, not an input
        raise RuntimeError("the scenario file does not read back as the page's scenario")
    try:
        write_new_text(path, text)
    except FileExistsError as exc:
        raise ScenarioExists(f"a scenario {scenario.id!r} exists already", file=path,
                             fix="choose another id") from exc
    return path


def _ids(folder: Path) -> set[str]:
    """The ids the workspace's scenario files give (a file that cannot be read gives none:
    `forecast run` will say what is wrong with it)."""
    ids = set()
    for f in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() \
            else []:
        try:
            doc = read_yaml(f)
        except InputError:
            continue
        head = doc.get("scenario") if isinstance(doc, dict) else None
        if isinstance(head, dict) and isinstance(head.get("id"), str):
            ids.add(head["id"])
    return ids
