"""Write a run's folder: probabilities.csv/.parquet/.json, suggestions.csv,
plan_outcomes.csv, review.csv and summary.md, atomically (``files.atomic_folder``); and a
backtest's metrics and summary.

Numbers are rounded to fixed precision so the same inputs, settings and seed give
byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.assessment.run import Assessment
from forecast.assessment.settings import Settings
from forecast.config import VERSION, BacktestFolder, RunFolder
from forecast.files import atomic_folder
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.plans import Plan
from forecast.inputs.regions import provinces_of
from forecast.models.registry import POOLED_MODELS
from forecast.outputs.safe_text import neutralise_formulas
from forecast.outputs.summary import summary_markdown
from forecast.outputs.tables import tidy_rows


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_metadata(settings: Settings, inputs: Iterable[Path], workspace: Path,
                 bundled: bool, regions: pd.DataFrame | None = None) -> dict:
    """What a reader needs to reproduce the run: inputs' hashes, settings, versions; each
    region's province (with a regions table) and the scenarios."""
    import scipy
    import statsmodels

    meta = {
        "tool": "forecast",
        "version": VERSION,
        "workspace": "bundled example" if bundled else str(workspace),
        "inputs": {p.relative_to(workspace).as_posix(): file_hash(p) for p in sorted(inputs)},
        "settings": {"model": settings.model, "draws": settings.draws, "seed": settings.seed,
                     **({"pooled": settings.pooled.describe()}
                        if settings.model in POOLED_MODELS else {}),
                     "as_of": settings.as_of},
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__, "scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__, **_pooled_versions(settings)},
    }
    if regions is not None:
        meta["provinces"] = provinces_of(regions)
        meta["region_names"] = {  # the reports name regions in their language
            str(r.region): {"zh": str(r.name_zh), "en": str(r.name_en)}
            for r in regions.itertuples(index=False)
            if isinstance(r.name_zh, str) and isinstance(r.name_en, str)}
    meta["scenarios"] = [{"id": sc.id, "title": sc.title, "description": sc.description,
                          "title_en": sc.title_en, "description_en": sc.description_en,
                          "adjusts": [{"indicator": a.indicator, "what": next(
                              k for k in ("growth_shift", "shock", "volatility")
                              if getattr(a, k) is not None),
                                       "from": a.from_year if a.from_year is not None
                                       else a.year} for a in sc.adjustments],
                          "file": sc.file.name if sc.file else None}
                         for sc in settings.scenarios]
    return meta


def _pooled_versions(settings: Settings) -> dict:
    if settings.model not in POOLED_MODELS:
        return {}
    from importlib.metadata import version

    return {name: version(name) for name in ("pymc", "pytensor", "nutpie", "arviz")}


def _json_value(x: object) -> object:
    if x is None or x is pd.NA:
        return None
    if isinstance(x, float | np.floating):
        return None if math.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


# differ between identical runs: terminal (and `--timings`) only
RUN_SPECIFIC = ("cached", "seconds", "compile_seconds", "tune_seconds", "draw_seconds")


def diagnostics(assessment: Assessment) -> dict:
    """Per series, data quality, data needed; with the pooled model, the model of each
    indicator and why, and each pooled fit's convergence (r_hat_max, ess_bulk_min,
    divergences)."""
    out = {
        "series": assessment.series,
        "data_quality": assessment.quality.to_dict(orient="records"),
        "data_needed": assessment.data_needed.to_dict(orient="records"),
    }
    if assessment.dependence:
        out["dependence"] = assessment.dependence
    if assessment.models:
        out["models"] = assessment.models
        out["fits"] = {ind: {k: v for k, v in diag.items() if k not in RUN_SPECIFIC}
                       for ind, diag in assessment.fits.items()}
    return out


def plan_meta(plans: list[Plan]) -> list[dict]:
    """What the outputs need to know of each plan (kept in probabilities.json): with the
    display names its file gives targets (``target_names``: id -> {"zh": ..., "en": ...})."""
    return [{"id": p.id, "title": p.title, "region": p.region, "target_names": {
        t.id: {k: v for k, v in (("zh", t.name), ("en", t.name_en)) if v}
        for t in p.targets if t.name or t.name_en}} for p in plans]


def _csv(table: pd.DataFrame, path: Path) -> None:
    """A table as CSV for spreadsheets: its text cells neutralised against formulas."""
    neutralise_formulas(table).to_csv(path, index=False, lineterminator="\n")


def write_run(out: Path, assessment: Assessment, plans: list[Plan], meta: dict,
              lang: str = "en", catalogue: Catalogue | None = None,
              review: pd.DataFrame | None = None,
              finish: Callable[[Path], object] | None = None,
              publish: Callable[[Callable[[], None]], object] | None = None,
              calibration: dict | None = None, paths: Path | None = None) -> Path:
    """Write the run's files into ``out`` atomically and return it: probabilities (csv,
    parquet, json, with the own-data check as its ``calibration`` section when given),
    suggestions.csv, plan_outcomes.csv, review.csv (when given) and summary.md. ``finish``
    (the reports) runs on the written folder before it is moved into place, so a failure
    there leaves no run folder either; ``publish`` (the record in the history) is given the
    move (``files.atomic_folder``). ``paths``: a finished paths.parquet
    (``paths_file.PathsWriter``) to move in."""
    rows = tidy_rows(assessment.rows)
    plans_meta = plan_meta(plans)
    meta = {**meta, "plans": plans_meta}
    with atomic_folder(out, publish) as tmp:
        files = RunFolder(tmp)
        _csv(rows, files.probabilities_csv)
        rows.to_parquet(files.probabilities_parquet, index=False)
        _csv(tidy_rows(assessment.suggestions), files.suggestions)
        _csv(assessment.plan_outcomes.round(4), files.plan_outcomes)
        if review is not None:
            _csv(tidy_rows(review), files.review)
        payload = {
            "run": meta,
            "rows": [{k: _json_value(v) for k, v in rec.items()}
                     for rec in rows.to_dict(orient="records")],
            "diagnostics": diagnostics(assessment),
        }
        if calibration is not None:
            payload["calibration"] = calibration
        with files.probabilities_json.open("w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1, default=_json_value)
            fh.write("\n")
        files.summary.write_text(
            summary_markdown(rows, plans_meta, assessment, meta, lang, catalogue),
            encoding="utf-8")
        if paths is not None:
            os.replace(paths, files.paths)
        if finish is not None:
            finish(tmp)
    return out


def record_timings(folder: Path, timings: dict) -> None:
    """Add where a run's seconds went to its probabilities.json's diagnostics (``--timings``:
    the only part of the file that differs between identical runs). The folder is a run's
    unfinished one, moved into place whole afterwards."""
    path = RunFolder(folder).probabilities_json
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["diagnostics"]["timings"] = timings
    with path.open("w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


def write_backtest(out: Path, result, summary: dict) -> Path:
    """metrics.csv and summary.json of a backtest, written atomically into ``out``."""
    with atomic_folder(out) as tmp:
        files = BacktestFolder(tmp)
        _csv(result.metrics.round(6), files.metrics)
        files.summary.write_text(
            json.dumps(summary, ensure_ascii=False, indent=1, default=_json_value) + "\n",
            encoding="utf-8")
    return out
