"""A finished run, read back from its folder: what every report is built from.

Reports never refit: everything they show is in the files a run wrote (probabilities.json
with its run metadata and diagnostics, including each series' history and fan-chart
quantiles; suggestions.csv; review.csv).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecast.assessment.rows import COLUMNS as ROW_COLUMNS
from forecast.config import CALIBRATION_EVIDENCE_FILE, RunFolder, Workspace
from forecast.errors import InputError
from forecast.inputs.catalogue import Catalogue, load_catalogue


@dataclass(frozen=True)
class RunOutputs:
    """The files of a run folder, as tables and dicts."""

    folder: Path
    meta: dict  # probabilities.json "run"
    rows: pd.DataFrame  # one per target and scenario (probabilities.csv)
    diagnostics: dict  # probabilities.json "diagnostics"
    suggestions: pd.DataFrame
    review: pd.DataFrame
    # the plan as a whole per scenario (plan_outcomes.csv; empty for a run made before it)
    plan_outcomes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["plan_id", "scenario"]))
    # the own-data check (probabilities.json "calibration"; empty for a run made before it)
    calibration: dict = field(default_factory=dict)

    @property
    def plans(self) -> list[dict]:
        return self.meta.get("plans", [])

    def only_plan(self, plan_id: str) -> RunOutputs:
        """The same run narrowed to one plan (an InputError naming known ids if absent)."""
        plans = [p for p in self.plans if p["id"] == plan_id]
        if not plans:
            known = ", ".join(p["id"] for p in self.plans[:5])
            raise InputError(f"no plan {plan_id!r} in this run", file=self.folder,
                             column="--plan", fix=f"use a plan id of the run, e.g. {known}")
        keep = lambda df: df[df["plan_id"] == plan_id] if len(df) else df  # noqa: E731
        rows = keep(self.rows)
        regions = set(rows["region"])
        diag = dict(self.diagnostics)  # only the plan's regions: series, quality, data needed
        diag["series"] = {k: v for k, v in diag.get("series", {}).items()
                          if k.rpartition("|")[0] in regions}
        for name in ("data_quality", "data_needed"):
            diag[name] = [d for d in diag.get(name, []) if d["region"] in regions]
        return RunOutputs(self.folder, {**self.meta, "plans": plans}, rows, diag,
                          keep(self.suggestions), keep(self.review), keep(self.plan_outcomes),
                          self.calibration)


# plan_outcomes.csv's columns as runs wrote them before they took docs/formats.md's names
OLD_OUTCOME_NAMES = {"targets": "n_assessable", "binding_targets": "n_binding",
                     "binding_expected_met": "expected_binding_met",
                     "binding_p_all_met": "p_all_binding_met",
                     **{f"p_at_least_{k}": f"p_met_{k}pct" for k in (50, 75, 90)},
                     **{f"k_{k}": f"k_{k}pct" for k in (50, 75, 90)}}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""]) if path.exists() \
        else pd.DataFrame(columns=["plan_id", "target_id", "scenario"])


def read_run(folder: Path) -> RunOutputs:
    """Read a folder written by ``forecast run`` (an InputError if it is not one)."""
    files = RunFolder(folder)
    json_file = files.probabilities_json
    if not json_file.exists():
        raise InputError("not a run folder (no probabilities.json)", file=folder,
                         fix="give the folder a `forecast run` wrote")
    try:
        payload = json.loads(json_file.read_text(encoding="utf-8"))
        rows = pd.DataFrame(payload["rows"])
        if not len(rows.columns):  # a run of plans without targets: the header alone
            rows = pd.DataFrame(columns=ROW_COLUMNS)
        for col in ("year", "base_year", "last_year"):  # whole years, as in probabilities.csv
            if col in rows:
                rows[col] = rows[col].astype("Int64")
        meta, diagnostics = payload["run"], payload.get("diagnostics", {})
        calibration = payload.get("calibration", {})
        if not all(isinstance(x, dict) for x in (meta, diagnostics, calibration)):
            raise TypeError("run, diagnostics and calibration must be objects")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSON, shape, years
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(f"probabilities.json is damaged ({reason})", file=json_file,
                         fix="run `forecast run` again to rewrite the run") from None
    return RunOutputs(folder, meta, rows, diagnostics, _csv(files.suggestions),
                      _csv(files.review),
                      _csv(files.plan_outcomes).rename(columns=OLD_OUTCOME_NAMES), calibration)


def run_catalogue(run: RunOutputs) -> Catalogue:
    """The catalogue the run used: the bundled one, with its workspace's indicators.yaml
    (names and units of a workspace's own indicators) when that is still there."""
    workspace = run.meta.get("workspace")
    own = None if workspace in (None, "bundled example") else \
        Workspace(Path(workspace)).indicators_file
    return load_catalogue(own)


def calibration_evidence() -> dict:
    """The backtests behind the calibration appendix (benchmarks/reliability_figure.py)."""
    path = CALIBRATION_EVIDENCE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
