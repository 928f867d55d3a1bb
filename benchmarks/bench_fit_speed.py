"""Speed must not cost calibration: the provincial pooled backtest and the counts simulation
again, with today's fitting, against the figures recorded before it (BENCHMARKS.md).

Runs the default `bayes` model of ``bench_pooled.py`` (its row equals "bayes (raw)": the
learned spread stays raw, too few learning years) and the `counts` model of
``bench_counts.py``'s simulation with a known truth, on the same series, origins and seeds, and
prints Brier and 80%/95% coverage with 95% intervals from a bootstrap over regions (a region's
targets and years are correlated; for the simulated counts, over series), each with whether
the figure recorded before lies inside. Usage:

    python benchmarks/bench_fit_speed.py [--workers 2] [--skip-pooled | --skip-counts]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_counts
import bench_pooled

from forecast.evaluation.origins import BacktestSettings
from forecast.evaluation.panel import run_panel_backtest
from forecast.evaluation.results import BacktestResult
from forecast.execution import default_workers
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.regions import read_regions
from forecast.models.hierarchy.settings import PooledSettings

# recorded in BENCHMARKS.md before issue 29 ("All six indicators", "Simulated counts")
BEFORE = {"pooled": {"Brier": 0.1554, "80% cov.": 0.805, "95% cov.": 0.936},
          "counts": {"Brier": 0.1565, "80% cov.": 0.803, "95% cov.": 0.949}}
REPS = 2000


def with_intervals(res: BacktestResult, by: list[str], seed: int = 0) -> dict[str, tuple]:
    """Brier, 80% and 95% coverage, each with a 95% bootstrap interval over ``by`` groups."""
    ev = res.events.assign(se=(res.events["probability"] - res.events["outcome"]) ** 2, n=1.0)
    m = res.metrics.assign(h80=res.metrics["coverage_80"] * res.metrics["horizon"],
                           h95=res.metrics["coverage_95"] * res.metrics["horizon"])
    sums = pd.concat([ev.groupby(by)[["se", "n"]].sum(),
                      m.groupby(by)[["h80", "h95", "horizon"]].sum()], axis=1).fillna(0.0)
    x = sums[["se", "n", "h80", "h95", "horizon"]].to_numpy()
    pick = np.random.default_rng(seed).integers(0, len(x), (REPS, len(x)))
    boot, total = x[pick].sum(axis=1), x.sum(axis=0)

    def stats(t: np.ndarray) -> tuple:
        return t[..., 0] / t[..., 1], t[..., 2] / t[..., 4], t[..., 3] / t[..., 4]

    point, draws = stats(total), stats(boot)
    return {name: (float(p), *np.quantile(d, [0.025, 0.975]))
            for name, p, d in zip(("Brier", "80% cov.", "95% cov."), point, draws, strict=True)}


def lines(title: str, res: BacktestResult, by: list[str], before: dict[str, float],
          seconds: float) -> list[str]:
    found = with_intervals(res, by)
    fits = res.fits
    out = [f"#### {title}", "", "| measure | now [95% interval] | before | before inside? |",
           "|---|---|---:|---|"]
    for name, (p, lo, hi) in found.items():
        inside = "yes" if lo <= before[name] <= hi else "**no**"
        out.append(f"| {name} | {p:.4f} [{lo:.4f}, {hi:.4f}] | {before[name]:.4f} | {inside} |")
    out.append("")
    if not fits.empty:
        out.append(f"{len(fits)} fits: R-hat max {fits['r_hat_max'].max():.4f}, min bulk ESS "
                   f"{fits['ess_bulk_min'].min():.0f}, {int(fits['divergences'].sum())} "
                   f"divergences, {int((fits['attempts'] > 1).sum())} drawn again; "
                   f"{seconds:.0f} s of fits and scoring.")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--skip-counts", action="store_true")
    ap.add_argument("--skip-pooled", action="store_true",
                    help="only the counts simulation (after a change to the count model)")
    args = ap.parse_args()
    if not args.skip_pooled:
        pooled_backtest(args.workers)
    if not args.skip_counts:
        counts_simulation(args.workers)


def pooled_backtest(workers: int) -> None:
    out: list[str] = []
    units = bench_pooled.provincial_units(load_catalogue())
    regions = read_regions(bench_pooled.DATA / "regions.csv")
    scoring = BacktestSettings(model="bayes", holdout=bench_pooled.HOLDOUT,
                               origins=bench_pooled.ORIGINS, after=bench_pooled.UNTIL,
                               draws=2000, seed=bench_pooled.DEFAULT_SEED,
                               pooled=PooledSettings())
    start = time.perf_counter()
    pooled = run_panel_backtest(units, scoring, workers, regions=regions)
    out += lines("Provincial pooled backtest, bayes (all six indicators)", pooled, ["region"],
                 BEFORE["pooled"], time.perf_counter() - start)
    print("\n".join(out), flush=True)


def counts_simulation(workers: int) -> None:
    settings = BacktestSettings(holdout=bench_counts.HOLDOUT, origins=1, draws=2000,
                                seed=20261124, pooled=PooledSettings())
    start = time.perf_counter()
    res = bench_counts.backtests(bench_counts.simulated_units(4, (0.3, 50.0), 1, "sim"),
                                 ("counts",), bench_counts.tree(), settings, workers)["counts"]
    counts = lines("Counts simulation with a known truth, counts (flows and stocks)", res,
                   ["region", "indicator"], BEFORE["counts"], time.perf_counter() - start)
    print("\n".join(counts), flush=True)


if __name__ == "__main__":
    main()
