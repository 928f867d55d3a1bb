"""`trend` with its theta member against `trend` without it (today's model), side by side.

Issue 32, part 1: a damped trend (the dynamic optimised theta model) joins the `trend`
mixture, and the weights of its members come from out-of-sample CRPS. This script learns two
calibrations in one run from held-out years up to 2018, by the same learner: one over all three
members (`trend`), one over `linear` and `drift` alone (`trend without theta`, the model as it
was). Then it scores both, and statsforecast's AutoTheta and RandomWalkWithDrift, on:

- M3 yearly (645 series, official holdout h = 6): never learned from;
- tourism yearly (518 series, official holdout h = 4): tourism is in the calibration corpus, so
  its calibrations learn from its series without their holdout (as an indicator of its own,
  the way a user calibrates on the past of their own series);
- the Chinese provincial series (six indicators) and the World Bank's R&D intensity, 3 rolling
  origins, h = 3, held-out years 2019-2023 only (as in bench_accuracy.py).

Differences come with 95% intervals from a bootstrap over series (all of a series' origins and
targets move together). Needs the bench extra: pip install -e ".[bench]".

    python benchmarks/bench_trend.py [--draws 2000] [--workers 2] [--datasets m3,tourism,cn,wb]
                                     [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.corpus import calibration_corpus, read_series
from forecast.evaluation.learn import learn
from forecast.evaluation.origins import (
    BacktestSettings,
    SeriesUnit,
    cut_by_position,
    cuts,
    series_units,
)
from forecast.evaluation.results import BacktestResult, score_origin, summarise
from forecast.simulation.calibration import Calibration
from forecast.streams import rng_for

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_accuracy import m3_csv
from bench_pooled import provincial_units
from sf_backtest import MODELS as SF_MODELS
from sf_backtest import Z95

ROOT = Path(__file__).resolve().parents[1]
UNTIL = 2018  # calibrations learn from held-out years up to here
THIS_YEAR = 2026
NEW, OLD = "trend", "trend without theta"
ANCHORS = {"AutoTheta": "AutoTheta", "RandomWalkWithDrift": "RW-drift"}
OFFICIAL_HOLDOUT = {"m3_yearly": 6, "tourism_yearly": 4}


def m3_units(folder: Path) -> list[SeriesUnit]:
    obs, catalogue = read_series(m3_csv(folder), "amount", THIS_YEAR)
    return series_units(obs, catalogue)


def tourism_units() -> list[SeriesUnit]:
    obs, catalogue = read_series(ROOT / "data" / "calibration" / "tourism_yearly.csv", "amount",
                                 THIS_YEAR)
    return series_units(obs, catalogue)


def wb_units() -> list[SeriesUnit]:
    obs, catalogue = read_series(ROOT / "data" / "calibration" / "wb_rd_intensity.csv", "share",
                                 THIS_YEAR)
    return series_units(obs, catalogue)


def calibrations(without: str | None, draws: int, workers: int, keep: Path | None
                 ) -> dict[str, Calibration]:
    """The two calibrations, learned from what `forecast calibrate` learns from (read from
    ``keep`` if learned before). The data set ``without`` (in the corpus) is learned from its
    training years alone, as an indicator of its own: each series without its official
    holdout, the way a user would calibrate on the past of their own series."""
    units, own = calibration_corpus(THIS_YEAR)
    if without is not None:
        h = OFFICIAL_HOLDOUT[without]
        units = [SeriesUnit(u.region, u.indicator, u.years[:-h], u.values[:-h])
                 if u.indicator.id == without else u for u in units]
        own = own | {without}
    out = {}
    for name, members in ((NEW, ("linear", "drift", "theta")), (OLD, ("linear", "drift"))):
        start = time.perf_counter()
        kept = keep / f"{name.replace(' ', '-')}-{without}-train-{draws}.json" if keep else None
        if kept is not None and kept.exists():
            out[name] = Calibration.load(kept)
            continue
        out[name], _ = learn(units, until=UNTIL, horizon=6, draws=draws, workers=workers,
                             own=own, members=members)
        if kept is not None:
            out[name].save(kept)
        w = out[name].models["trend"]["weights"]
        whose = f"{without}'s training years and the rest" if without else "the corpus"
        print(f"<!-- {name} learned from {whose} in "
              f"{time.perf_counter() - start:.0f} s; default weights {w['default']} -->",
              flush=True)
    return out


def anchors(units: list[SeriesUnit], settings: BacktestSettings) -> dict[str, BacktestResult]:
    """statsforecast's AutoTheta and RW-drift on the same cuts, scored by the same code:
    their mean as the point, Gaussian draws from their 95% interval (as sf_backtest.py)."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    jobs, frames = [], []
    for unit in units:
        for cut, end in cuts(unit.years, settings):
            c = cut_by_position(unit, cut, end)
            uid = str(len(jobs))
            jobs.append((uid, unit, c))
            frames.append(pd.DataFrame({"unique_id": uid, "ds": np.arange(len(c.train)),
                                        "y": c.train}))
    models = [SF_MODELS[name]() for name in ANCHORS]
    sf = StatsForecast(models=models, freq=1, n_jobs=1, fallback_model=Naive())
    fc = sf.forecast(df=pd.concat(frames, ignore_index=True), h=settings.holdout, level=[95])
    groups = {uid: rows for uid, rows in fc.groupby("unique_id", sort=False)}
    out = {}
    for (name, label), model in zip(ANCHORS.items(), models, strict=True):
        col, metrics, events = str(model), [], []
        for uid, unit, c in jobs:
            rows = groups[uid].iloc[: len(c.actual)]
            mean = rows[col].to_numpy(float)
            sd = (rows[f"{col}-hi-95"] - rows[f"{col}-lo-95"]).to_numpy(float) / (2 * Z95)
            rng = rng_for(settings.seed, unit.region, unit.indicator.id, str(c.origin), name)
            paths = mean + np.maximum(sd, 0) * rng.standard_normal((settings.draws, len(mean)))
            row, ev = score_origin(unit, c.origin, c.train, c.actual, paths, mean)
            metrics.append(row)
            events.append(ev)
        out[label] = BacktestResult(pd.DataFrame(metrics), pd.concat(events, ignore_index=True),
                                    pd.DataFrame(), 0)
    return out


def paired(a: BacktestResult, b: BacktestResult, reps: int = 2000, seed: int = 0) -> dict:
    """a − b in MASE, scaled CRPS and Brier on the same series-origins and targets, with 95%
    intervals from a bootstrap over series."""
    key = ["region", "indicator", "origin"]
    m = a.metrics.merge(b.metrics, on=key, suffixes=("_a", "_b"))
    ev = a.events.merge(b.events, on=[*key, "pace_multiple", "horizon"], suffixes=("_a", "_b"))
    ev = ev.assign(d=(ev["probability_a"] - ev["outcome_a"]) ** 2
                   - (ev["probability_b"] - ev["outcome_b"]) ** 2)
    series = ["region", "indicator"]
    sums = pd.concat([
        m.assign(mase=m["MASE_a"] - m["MASE_b"], crps=m["CRPS_scaled_a"] - m["CRPS_scaled_b"],
                 k=1.0).groupby(series)[["mase", "crps", "k"]].sum(),
        ev.assign(n=1.0).groupby(series)[["d", "n"]].sum()], axis=1).fillna(0.0)
    x = sums[["mase", "crps", "k", "d", "n"]].to_numpy()
    boot = x[np.random.default_rng(seed).integers(0, len(x), (reps, len(x)))].sum(axis=1)
    total = x.sum(axis=0)

    def stats(t: np.ndarray) -> tuple:
        return t[..., 0] / t[..., 2], t[..., 1] / t[..., 2], t[..., 3] / t[..., 4]

    return {name: (float(p), *np.quantile(d, [0.025, 0.975]))
            for name, p, d in zip(("MASE", "CRPS", "Brier"), stats(total), stats(boot),
                                  strict=True)}


def score_row(res: BacktestResult) -> dict:
    s = summarise(res)
    return {"MASE": s["MASE"], "sMAPE": s["sMAPE"], "CRPS": s["CRPS_scaled"],
            "cov80": s["coverage_80"]["rate"], "cov95": s["coverage_95"]["rate"],
            "Brier": s["threshold_probabilities"]["brier"], "n": s["series_origins"]}


def markdown(title: str, results: dict[str, BacktestResult], weights: dict[str, dict]) -> str:
    lines = [f"#### {title}", "",
             "| model | MASE | sMAPE | CRPS (scaled) | 80% cov. | 95% cov. | Brier |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, res in results.items():
        r = score_row(res)
        lines.append(f"| {name} | {r['MASE']:.3f} | {r['sMAPE']:.2f} | {r['CRPS']:.3f} | "
                     f"{r['cov80']:.3f} | {r['cov95']:.3f} | {r['Brier']:.4f} |")
    lines += ["", f"{score_row(results[NEW])['n']} series-origins. Weights (linear/drift/theta): "
              + "; ".join(f"{name} {w}" for name, w in weights.items()) + ".", "",
              "| difference | MASE | CRPS (scaled) | Brier |", "|---|---|---|---|"]
    for a, b in ((NEW, OLD), (NEW, "AutoTheta"), (OLD, "AutoTheta")):
        d = paired(results[a], results[b])
        cells = " | ".join(f"{v[0]:+.4f} [{v[1]:+.4f}, {v[2]:+.4f}]" for v in d.values())
        lines.append(f"| {a} − {b} | {cells} |")
    return "\n".join(lines) + "\n"


def by_indicator(results: dict[str, BacktestResult], cals: dict[str, Calibration],
                 indicators: list[str]) -> str:
    """One row per indicator: the weights, Brier and MASE of both models, and the paired
    difference in Brier with its interval."""
    lines = ["#### … by indicator", "",
             f"| indicator | weights {OLD} → {NEW} | Brier {OLD} | Brier {NEW} | "
             "Brier difference | MASE before → after |", "|---|---|---:|---:|---|---|"]
    for indicator in indicators:
        sub = {k: BacktestResult(r.metrics[r.metrics["indicator"] == indicator],
                                 r.events[r.events["indicator"] == indicator],
                                 pd.DataFrame(), 0) for k, r in results.items()}
        old, new = score_row(sub[OLD]), score_row(sub[NEW])
        d = paired(sub[NEW], sub[OLD])["Brier"]
        lines.append(f"| {indicator} | {weights_of(cals[OLD], indicator)} → "
                     f"{weights_of(cals[NEW], indicator)} | {old['Brier']:.4f} | "
                     f"{new['Brier']:.4f} | {d[0]:+.4f} [{d[1]:+.4f}, {d[2]:+.4f}] | "
                     f"{old['MASE']:.3f} → {new['MASE']:.3f} |")
    return "\n".join(lines) + "\n"


def weights_of(cal: Calibration, indicator: str) -> str:
    w = cal.weights("trend", indicator) or {}
    return "/".join(f"{w.get(m, 0):.2f}" for m in ("linear", "drift", "theta"))


def score(units: list[SeriesUnit], settings: BacktestSettings, cals: dict[str, Calibration],
          workers: int) -> dict[str, BacktestResult]:
    results = {name: run_backtest(units, replace(settings, model="trend", calibration=cal),
                                  workers) for name, cal in cals.items()}
    return results | anchors(units, settings)


def main() -> None:
    from forecast.inputs.catalogue import load_catalogue

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--learn-draws", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--datasets", default="m3,tourism,cn,wb")
    ap.add_argument("--keep", type=Path, help="a folder to keep the learned calibrations in "
                    "(and read them from on the next run)")
    args = ap.parse_args()
    chosen = args.datasets.split(",")
    catalogue = load_catalogue()
    full = calibrations(None, args.learn_draws, args.workers, args.keep)
    official = BacktestSettings(draws=args.draws, origins=1)
    rolling = BacktestSettings(draws=args.draws, holdout=3, origins=3, after=UNTIL)
    with tempfile.TemporaryDirectory() as tmp:
        if "m3" in chosen:
            units = m3_units(Path(tmp))
            res = score(units, replace(official, holdout=6), full, args.workers)
            print(markdown("M3 yearly, 645 series, official holdout h = 6", res,
                           {k: weights_of(c, "m3_yearly") for k, c in full.items()}), flush=True)
    if "tourism" in chosen:
        cals = calibrations("tourism_yearly", args.learn_draws, args.workers, args.keep)
        res = score(tourism_units(), replace(official, holdout=4), cals, args.workers)
        print(markdown("Tourism yearly, 518 series, official holdout h = 4 (calibration learned "
                       "from tourism's training years only)", res,
                       {k: weights_of(c, "tourism_yearly") for k, c in cals.items()}),
              flush=True)
    if "cn" in chosen:
        units = provincial_units(catalogue)
        res = score(units, rolling, full, args.workers)
        print(markdown("Chinese provincial series, six indicators, 3 rolling origins, h = 3, "
                       "held-out years 2019-2023", res,
                       {k: weights_of(c, "rd_intensity") + " (R&D intensity)"
                        for k, c in full.items()}), flush=True)
        print(by_indicator(res, full, sorted({u.indicator.id for u in units})), flush=True)
    if "wb" in chosen:
        res = score(wb_units(), rolling, full, args.workers)
        print(markdown("World Bank R&D % of GDP, 3 rolling origins, h = 3, held-out years "
                       "2019-2023", res,
                       {k: weights_of(c, "wb_rd_intensity") for k, c in full.items()}),
              flush=True)


if __name__ == "__main__":
    main()
