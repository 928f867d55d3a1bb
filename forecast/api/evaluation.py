"""Backtests and calibration (`forecast backtest`, `forecast calibrate`): out-of-sample
evaluation of a model on a file of series, and the default model's calibration learnt on the
bundled corpus. The clock and the current directory are read here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from forecast.config import (
    DEFAULT_DRAWS,
    DEFAULT_MODEL,
    DEFAULT_SEED,
    EXAMPLE_ROOT,
    REGIONS_NAME,
    Workspace,
    backtest_folder,
    default_calibration_target,
)
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.corpus import calibration_corpus, read_series
from forecast.evaluation.learn import learn
from forecast.evaluation.origins import BacktestSettings, series_units
from forecast.evaluation.panel import as_parents, pooled_indicators
from forecast.evaluation.results import summarise
from forecast.execution import default_workers
from forecast.files import prepare_out_dir
from forecast.inputs.regions import read_regions
from forecast.outputs.run_folder import write_backtest
from forecast.simulation.calibration import NONE, Calibration, load_calibration


def backtest(observations: Path, *, model: str = DEFAULT_MODEL, holdout: int = 3,
             origins: int = 1, after: int | None = None, draws: int = DEFAULT_DRAWS,
             seed: int = DEFAULT_SEED, calibration: str = "default", kind: str | None = None,
             regions: Path | None = None, out: Path | None = None, workers: int | None = None,
             progress: Callable[[int], object] | None = None,
             on_start: Callable[[int], object] | None = None) -> tuple[Path, dict]:
    """Out-of-sample evaluation of ``model`` on the series in ``observations`` (the last
    ``holdout`` years held out at ``origins`` rolling origins); writes metrics.csv and
    summary.json into ``out`` and returns it with the summary (`forecast backtest`)."""
    now = dt.datetime.now()
    obs, catalogue = read_series(Path(observations), kind, now.year)
    settings = BacktestSettings(model=model, holdout=holdout, origins=origins, draws=draws,
                                seed=seed, after=after, calibration=_calibration(calibration))
    target = out if out is not None else backtest_folder(Path.cwd(), f"{now:%Y%m%d-%H%M%S}", model)
    prepare_out_dir(target)
    units = series_units(obs, catalogue)
    tree = _regions_beside(Path(observations), regions)
    if on_start is not None:
        on_start(len(units))
    result = run_backtest(units, settings, _workers(workers), progress=progress, regions=tree)
    summary = summarise(result)
    summary["settings"] = {"model": model, "holdout": holdout, "origins": origins,
                           "after": after, "draws": draws, "seed": seed,
                           "calibration": calibration, "observations": str(observations),
                           "regions": None if tree is None else REGIONS_NAME}
    write_backtest(target, result, summary)
    return target, summary


def calibrate(until: int | None = None, horizon: int = 6, draws: int = 1000,
              seed: int = DEFAULT_SEED, pooled: bool = True, workers: int | None = None,
              out: Path | None = None, progress: Callable[[int], object] | None = None,
              on_start: Callable[[int], object] | None = None) -> tuple[Calibration, dict]:
    """Learn the default model's calibration from backtests on the bundled corpus (held-out
    years up to ``until``) and save it to ``out`` (`forecast calibrate`; default
    ``config.default_calibration_target``); returns it with the learning report (its
    ``series`` and ``until`` included)."""
    out = default_calibration_target(Path.cwd()) if out is None else out
    this_year = dt.date.today().year
    units, own = calibration_corpus(this_year)
    until = max(int(u.years[-1]) for u in units) if until is None else until
    tree = read_regions(Workspace(EXAMPLE_ROOT).regions_file) if pooled else None
    total = 2 * len(units)
    if tree is not None:  # the pooled backtest reports the series of pooled indicators
        chosen = pooled_indicators(units, "auto", as_parents(tree))
        total += sum(u.indicator.id in chosen for u in units)
    if on_start is not None:
        on_start(total)
    calibration, report = learn(units, until, horizon, draws, seed, _workers(workers),
                                progress=progress, own=own, regions=tree)
    calibration.meta.update({"command": f"forecast calibrate --until {until} --horizon "
                             f"{horizon} --draws {draws} --seed {seed}",
                             "created": dt.date.today().isoformat()})
    calibration.save(out)
    return calibration, {**report, "series": len(units), "until": until, "out": str(out)}


def _regions_beside(observations: Path, regions: Path | None):
    """The regions table a backtest pools through: the one given, else regions.csv beside
    the observations file, else none."""
    path = regions if regions is not None else observations.parent / REGIONS_NAME
    if regions is None and not path.exists():
        return None
    return read_regions(path)


def _calibration(choice: str) -> Calibration:
    if choice == "none":
        return NONE
    return load_calibration() if choice == "default" else Calibration.load(Path(choice))


def _workers(workers: int | None) -> int:
    return default_workers() if workers is None else max(1, workers)

