"""Counts as counts: the count model against the log-scale models, on a known truth and on
real provincial counts.

1. Simulation with a known truth. Each data set is one indicator over 30 counties (three
   cities of ten, one province; only counties have data), 3-10 training years each and 3
   held-out years. The truth is the count model's own story with rates like the seed plans':
   each county's yearly entry rate starts log-uniform in a range (0.3-50 a year by default)
   and its log follows a random walk (step sd 0.1) with a drift pooled down the tree (province
   around +3% a year, cities and counties each ±3%); a flow's count is negative-binomial at
   that rate (shape 5), a stock gains such entries and loses each unit with a yearly exit
   probability around 5% (logit-normal across counties). Models, scored by the same code on
   the same series-origins (``forecast.backtest``): `counts` (the count model), `bayes` (the
   pooled model on the log(1 + x) scale) and `trend` (single series, log scale).
2. The threshold. The same simulation at larger rates (5-50, 50-500, 500-5000 a year):
   where the count model stops beating the pooled continuous model, `auto` stops using it.
3. Real counts: the provincial high-tech firm recognitions per year (a flow, 31 provinces,
   2018-2024; data/benchmarks/) and the provinces' valid invention patents (a large stock;
   data/observations.csv), rolling origins as in the calibration benchmarks: `counts`,
   `auto` (what a run does) and `bayes` (what it did before counts).

Brier is of the planner-style threshold targets (last value plus a multiple of the past pace,
``forecast.scoring.threshold_events``); coverage is of the central 80%/95% intervals, read
through the randomised PIT for whole numbers (``forecast.scoring.coverage``). Differences in
Brier carry a 95% interval from a bootstrap over series. Seeds are fixed.

    python benchmarks/bench_counts.py            # about 15 minutes on 2 cores
    python benchmarks/bench_counts.py --quick    # fewer data sets, draws and paths
    python benchmarks/bench_counts.py --recognitions --keep DIR   # the real flow only, and
        # every model's scored events and fits kept in DIR (to compare with another run)
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.origins import BacktestSettings, SeriesUnit
from forecast.evaluation.results import BacktestResult, summarise
from forecast.execution import default_workers
from forecast.inputs.catalogue import Indicator, load_catalogue
from forecast.inputs.observations import read_observations
from forecast.inputs.regions import parents_of, read_regions
from forecast.models.choice import SMALL_COUNT
from forecast.models.hierarchy.settings import PooledSettings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
COUNTIES, CITIES, HOLDOUT, LAST = 30, 3, 3, 2023
MODELS = ("counts", "bayes", "trend")


def tree() -> dict[str, str]:
    parents = {f"C{c}": "P" for c in range(CITIES)}
    per_city = COUNTIES // CITIES
    parents.update({f"C{k // per_city}-{k % per_city}": f"C{k // per_city}"
                    for k in range(COUNTIES)})
    return parents


def simulate_set(rng: np.random.Generator, name: str, flow: bool, rates: tuple[float, float]
                 ) -> list[SeriesUnit]:
    """One simulated indicator over the 30 counties (see the module docstring)."""
    indicator = Indicator(name, name, name, "个", "count", flow, "up")
    parents = tree()
    drift = {"P": rng.normal(0.03, 0.03)}
    for region in sorted(parents, key=lambda r: r.count("-")):
        drift[region] = drift[parents[region]] + rng.normal(0.0, 0.03)
    units = []
    for k in range(COUNTIES):
        region = f"C{k // (COUNTIES // CITIES)}-{k % (COUNTIES // CITIES)}"
        n_train = int(rng.integers(3, 11))
        years = np.arange(LAST - HOLDOUT - n_train + 1, LAST + 1)
        burn = 3
        log_rate = rng.uniform(*np.log(rates))  # log-uniform starting rate
        exit_p = 1 / (1 + np.exp(-rng.normal(np.log(0.05 / 0.95), 0.5)))
        stock = int(rng.poisson(np.exp(log_rate) * rng.uniform(1, 4)))
        values = []
        for t in range(burn + len(years)):
            log_rate += drift[region] + 0.1 * rng.standard_normal()
            rate = np.exp(log_rate)
            entries = int(rng.negative_binomial(5.0, 5.0 / (5.0 + rate)))
            if flow:
                value = entries
            else:
                stock = stock + entries - int(rng.binomial(stock, exit_p))
                value = stock
            if t >= burn:
                values.append(value)
        units.append(SeriesUnit(region, indicator, years, np.asarray(values, float)))
    return units


def simulated_units(sets: int, rates: tuple[float, float], seed: int, label: str
                    ) -> list[SeriesUnit]:
    rng = np.random.default_rng(seed)
    units = []
    for flow in (True, False):
        for k in range(sets):
            units += simulate_set(rng, f"{label}_{'flow' if flow else 'stock'}_{k}", flow, rates)
    return units


def backtests(units: list[SeriesUnit], models: tuple[str, ...], parents: dict[str, str],
              settings: BacktestSettings, workers: int, keep: Path | None = None
              ) -> dict[str, BacktestResult]:
    out = {}
    for model in models:
        start = time.perf_counter()
        out[model] = run_backtest(units, replace(settings, model=model), workers,
                                  regions=parents)
        fits = out[model].fits
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            out[model].events.to_csv(keep / f"{model}-events.csv", index=False)
            out[model].metrics.to_csv(keep / f"{model}-metrics.csv", index=False)
            fits.to_csv(keep / f"{model}-fits.csv", index=False)  # origin, family, R-hat, ...
        worst = "" if fits.empty else (f", R-hat max {fits['r_hat_max'].max():.3f}, "
                                       f"{int(fits['divergences'].sum())} divergences")
        print(f"  {model}: {time.perf_counter() - start:.0f} s{worst}", flush=True)
    return out


def paired_brier(a: BacktestResult, b: BacktestResult, seed: int = 0) -> tuple[float, float,
                                                                                  float]:
    """Brier of a less Brier of b on the same events, with a bootstrap over series."""
    key = ["region", "indicator", "origin", "pace_multiple", "horizon"]
    m = a.events.merge(b.events, on=key, suffixes=("_a", "_b"))
    m["d"] = ((m["probability_a"] - m["outcome_a"]) ** 2
              - (m["probability_b"] - m["outcome_b"]) ** 2)
    per = m.groupby(["region", "indicator"])["d"].agg(["sum", "size"])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(per), size=(2000, len(per)))
    boot = per["sum"].values[idx].sum(1) / per["size"].values[idx].sum(1)
    return float(m["d"].mean()), *np.quantile(boot, [0.025, 0.975])


def table(results: dict[str, BacktestResult], title: str, against: tuple[str, ...]) -> str:
    lines = [f"### {title}", "",
             "| model | Brier | " + " | ".join(f"BSS vs {a}" for a in against)
             + " | 80% cov. | 95% cov. | CRPS (scaled) |",
             "|---|---:|" + "---:|" * len(against) + "---:|---:|---:|"]
    summaries = {name: summarise(res) for name, res in results.items()}
    brier = {n: s["threshold_probabilities"]["brier"] for n, s in summaries.items()}
    for name, s in summaries.items():
        bss = " | ".join(f"{1 - brier[name] / brier[a]:+.3f}" for a in against)
        lines.append(f"| {name} | {brier[name]:.4f} | {bss} | {s['coverage_80']['rate']:.3f} | "
                     f"{s['coverage_95']['rate']:.3f} | {s['CRPS_scaled']:.3f} |")
    first = next(iter(summaries.values()))
    lines.append(f"\n{first['series_origins']} series-origins, "
                 f"{first['coverage_80']['held_out_values']} held-out values.")
    model = next(iter(results))
    for a in against:
        if a != model and a in results:
            d, lo, hi = paired_brier(results[model], results[a])
            lines.append(f"Brier {model} − {a}: {d:+.4f} [{lo:+.4f}, {hi:+.4f}].")
    return "\n".join(lines) + "\n"


def by_kind(results: dict[str, BacktestResult], kind: str) -> dict[str, BacktestResult]:
    def keep(res: BacktestResult) -> BacktestResult:
        m = res.metrics[res.metrics["indicator"].str.contains(f"_{kind}_")]
        e = res.events[res.events["indicator"].str.contains(f"_{kind}_")]
        return BacktestResult(m, e, pd.DataFrame(), 0)
    return {name: keep(res) for name, res in results.items()}


def real_units(catalogue) -> tuple[list[SeriesUnit], list[SeriesUnit]]:
    rec = pd.read_csv(DATA / "benchmarks" / "hitech_firms_recognized.csv")
    indicator = Indicator("hitech_firms_recognized", "高新技术企业认定数", "high-tech firms "
                          "recognised in the year", "家", "count", True, "up")
    flows = [SeriesUnit(r, indicator, g["year"].to_numpy(), g["value"].to_numpy(float))
             for r, g in rec.groupby("region", sort=True, observed=True)]
    obs = read_observations(DATA / "observations.csv", catalogue)
    pat = obs[obs["indicator"] == "valid_invention_patents"].sort_values(["region", "year"])
    stocks = []
    for r, g in pat.groupby("region", sort=True, observed=True):
        years, values = g["year"].to_numpy(), g["value"].to_numpy(float)
        run = np.flatnonzero(np.diff(years) != 1)
        start = run[-1] + 1 if len(run) else 0
        stocks.append(SeriesUnit(r, catalogue["valid_invention_patents"], years[start:],
                                 values[start:]))
    return flows, stocks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--only-real", action="store_true", help="only part 3, the real counts")
    ap.add_argument("--recognitions", action="store_true",
                    help="only the real flow (recognitions): counts, auto and bayes")
    ap.add_argument("--keep", type=Path, help="a folder to keep each model's scored events in")
    args = ap.parse_args()
    args.only_real = args.only_real or args.recognitions
    sets = 2 if args.quick else 4
    pooled = PooledSettings(draws=300, tune=300) if args.quick else PooledSettings()
    settings = BacktestSettings(holdout=HOLDOUT, origins=1, draws=400 if args.quick else 2000,
                                seed=20261124, pooled=pooled)
    parents = tree()
    start = time.perf_counter()
    if not args.only_real:
        print("## Simulated counts, rates 0.3-50 a year", flush=True)
        res = backtests(simulated_units(sets, (0.3, 50.0), 1, "sim"), MODELS, parents,
                        settings, args.workers)
        print(table(res, "Simulated counts (flows and stocks), rates 0.3–50 a year",
                    ("trend", "bayes")))
        for kind in ("flow", "stock"):
            print(table(by_kind(res, kind), f"… {kind}s only", ("trend", "bayes")))
    if not (args.skip_sweep or args.only_real):
        print(f"## Where counts stop winning (auto's threshold: {SMALL_COUNT})", flush=True)
        for k, rates in enumerate([(5.0, 50.0), (50.0, 500.0), (500.0, 5000.0)]):
            units = simulated_units(max(1, sets // 2), rates, 100 + k, f"sweep{k}")
            res = backtests(units, ("counts", "bayes"), parents, settings, args.workers)
            print(table(res, f"Rates {rates[0]:g}–{rates[1]:g} a year", ("bayes",)))
    if not args.skip_real:
        catalogue = load_catalogue()
        flows, stocks = real_units(catalogue)
        prov = parents_of(read_regions(DATA / "regions.csv"))
        real = replace(settings, origins=3)
        print("## Real counts", flush=True)
        res = backtests(flows, ("counts", "auto", "bayes"), prov, real, args.workers,
                        args.keep)
        # of the three rolling origins, 2019 leaves two training years (fewer than
        # origins.MIN_TRAIN) and is skipped: 2020 and 2021 are scored
        print(table(res, "High-tech firm recognitions per year (flow), 31 provinces, origins "
                    "2020–2021", ("bayes",)))
        if not args.recognitions:
            real = replace(settings, origins=6)
            res = backtests(stocks, ("auto", "bayes"), prov, real, args.workers)
            print(table(res, "Valid invention patents (stock), origins 2015–2020", ("bayes",)))
    print(f"\n{time.perf_counter() - start:.0f} s in all, {args.workers} workers")


if __name__ == "__main__":
    main()
