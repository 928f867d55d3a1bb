"""Two versions of the pooled model side by side on the provinces, paired.

A change to the pooled model is decided on the learning years and confirmed on the scored ones,
the split of bench_pooled.py: held-out years up to 2015 for learning; origins 2015-2020 with
horizons 1-3 (held-out years 2016-2023) for scoring. This script runs the raw (uncalibrated)
pooled backtests of this checkout on both, with fixed seeds, and either saves them (``--save``)
or compares them with a saved run of another version (``--against``): per indicator and
overall, each version's Brier score, the difference with a 95% interval from a bootstrap over
regions and the share of replicates in which this checkout is the better, and on the scored
years each version against the EB anchor and its Brier skill against statsforecast's
RW-drift (issue 32's goal for R&D intensity: +0.15). Needs the bench extra.

    git checkout OLD && python benchmarks/bench_pooled_versions.py --save old.pkl
    git checkout NEW && python benchmarks/bench_pooled_versions.py --against old.pkl

About 35 minutes a version on 2 cores (``--indicators`` for fewer, ``--periods scored`` for
the scored years alone). ``--window N`` runs this checkout with the drift over each region's
last N changes (``PooledSettings.window``).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import pandas as pd

from forecast.config import DEFAULT_SEED
from forecast.errors import InputError
from forecast.evaluation.learn import pooled_learning_backtest
from forecast.evaluation.origins import BacktestSettings
from forecast.evaluation.panel import run_panel_backtest
from forecast.evaluation.results import BacktestResult
from forecast.execution import default_workers
from forecast.files import atomic_file
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.regions import read_regions
from forecast.models.hierarchy.settings import PooledSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pooled import (
    DATA,
    HOLDOUT,
    INDICATORS,
    ORIGINS,
    UNTIL,
    eb_backtest,
    paired,
    provincial_units,
    score_row,
    sf_backtests,
    subset,
)

PERIODS = ("learning", "scored")


def backtests(indicators: tuple[str, ...], draws: int, seed: int, workers: int,
              pooled: PooledSettings, periods: tuple[str, ...] = PERIODS
              ) -> dict[str, BacktestResult]:
    """This checkout's raw pooled backtests on the learning and/or the scored years."""
    units = provincial_units(load_catalogue(), indicators)
    regions = read_regions(DATA / "regions.csv")
    out = {}
    if "learning" in periods:
        out["learning"] = pooled_learning_backtest(units, UNTIL, HOLDOUT, draws, seed, regions,
                                                   workers, pooled)
    if "scored" in periods:
        scoring = BacktestSettings(model="bayes", holdout=HOLDOUT, origins=ORIGINS, after=UNTIL,
                                   draws=draws, seed=seed, pooled=pooled)
        out["scored"] = run_panel_backtest(units, scoring, workers, regions=regions)
    return out


def as_frames(results: dict[str, BacktestResult]) -> dict[str, tuple[pd.DataFrame, ...]]:
    """What is saved: the scored metrics and target events of each period (plain frames, so a
    file saved by one version reads in another)."""
    return {p: (r.metrics, r.events) for p, r in results.items()}


def from_frames(saved) -> dict[str, BacktestResult]:
    """The backtests of a file written by ``--save`` (ValueError for anything else)."""
    if not (isinstance(saved, dict) and saved and set(saved) <= set(PERIODS)
            and all(isinstance(v, tuple) and len(v) == 2
                    and all(isinstance(f, pd.DataFrame) for f in v) for v in saved.values())):
        raise ValueError("expected the learning and/or scored backtests")
    return {p: BacktestResult(m, e, pd.DataFrame(), 0) for p, (m, e) in saved.items()}


def only(res: BacktestResult, indicators: tuple[str, ...]) -> BacktestResult:
    """The backtest of ``indicators`` alone (a saved run may hold more)."""
    return BacktestResult(res.metrics[res.metrics["indicator"].isin(indicators)],
                          res.events[res.events["indicator"].isin(indicators)],
                          pd.DataFrame(), 0)


def comparison(new: dict[str, BacktestResult], old: dict[str, BacktestResult],
               indicators: tuple[str, ...], draws: int, seed: int) -> str:
    """The markdown table of both versions per period and indicator."""
    units = provincial_units(load_catalogue(), indicators)
    new = {p: only(r, indicators) for p, r in new.items()}
    old = {p: only(r, indicators) for p, r in old.items()}
    lines = ["| period | indicator | Brier before | Brier now | now − before [95%] | now better in "
             "| before − EB | now − EB [95%] | skill vs RW-drift before | now [95%] |",
             "|---|---|---:|---:|---|---:|---|---|---|---|"]
    for period in (p for p in PERIODS if p in new and p in old):
        eb = rw = None
        if period == "scored":
            origins = new[period].metrics[["region", "indicator", "origin"]]
            eb = eb_backtest(units, origins, draws, seed)
            rw = sf_backtests(units, origins, draws, seed)["RW-drift"]
        for ind in (*indicators, None):
            d = paired(new[period], old[period], ind)
            cells = [f"{score_row(subset(old[period], ind))['Brier']:.4f}",
                     f"{score_row(subset(new[period], ind))['Brier']:.4f}",
                     "{:+.4f} [{:+.4f}, {:+.4f}]".format(*d["brier"]),
                     f"{d['share_a_lower_brier']:.1%}"]  # the 84% rule needs the decimal
            if eb is None:
                cells += ["", "", "", ""]
            else:
                before, now = paired(old[period], eb, ind), paired(new[period], eb, ind)
                skill_before, skill = paired(old[period], rw, ind), paired(new[period], rw, ind)
                cells += [f"{before['brier'][0]:+.4f}",
                          "{:+.4f} [{:+.4f}, {:+.4f}]".format(*now["brier"]),
                          f"{skill_before['bss'][0]:+.3f}",
                          "{:+.3f} [{:+.3f}, {:+.3f}]".format(*skill["bss"])]
            lines.append(f"| {period} | {ind or 'all'} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--save", type=Path, help="save this checkout's backtests here")
    ap.add_argument("--against", type=Path, help="compare with backtests saved by --save")
    ap.add_argument("--draws", type=int, default=2000, help="simulated paths per series")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--indicators", default=",".join(INDICATORS),
                    help="comma-separated indicator ids (default: all six)")
    ap.add_argument("--window", type=int,
                    help="the pooled drift over each region's last WINDOW changes (default all)")
    ap.add_argument("--periods", default=",".join(PERIODS),
                    help="learning, scored or both (default both)")
    args = ap.parse_args()
    periods = tuple(args.periods.split(","))
    if not periods or set(periods) - set(PERIODS):
        ap.error(f"--periods: give learning, scored or both, not {args.periods!r}")
    try:
        pooled = PooledSettings(window=args.window)
    except InputError as exc:
        ap.error(f"--window: {exc}")
    if not (args.save or args.against):
        ap.error("give --save FILE, --against FILE or both")
    indicators = tuple(args.indicators.split(","))
    if unknown := set(indicators) - set(INDICATORS):
        ap.error(f"--indicators: not a provincial indicator: {', '.join(sorted(unknown))}")
    old = None
    if args.against:
        try:
            old = from_frames(pickle.loads(args.against.read_bytes()))
        except (OSError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            ap.error(f"--against {args.against}: not a file saved by --save ({exc})")
    clock = time.perf_counter()
    new = backtests(indicators, args.draws, args.seed, args.workers, pooled, periods)
    print(f"backtests in {time.perf_counter() - clock:.0f} s", file=sys.stderr)
    fits = pd.concat([r.fits for r in new.values()])
    print(f"fits: R-hat <= {fits['r_hat_max'].max():.3f}, "
          f"divergences {int(fits['divergences'].sum())}", file=sys.stderr)
    if args.save:
        with atomic_file(args.save) as tmp:
            Path(tmp).write_bytes(pickle.dumps(as_frames(new)))
    if old is not None:
        print(comparison(new, old, indicators, args.draws, args.seed))


if __name__ == "__main__":
    main()
