"""The pooled model (`bayes`) against single-series models and anchors on the provinces.

Rolling-origin backtest of every bundled provincial indicator (data/observations.csv, the tree
of data/regions.csv): origins 2015-2020, horizons 1-3, so the held-out years are 2016-2023.
Calibrations are learned only from held-out years up to 2015 (``forecast.learn``: `trend`'s
weights and spread from the provinces and the calibration corpus, `bayes`'s spread from the
panel backtest of the provinces), so nothing scored was learned from. Every model is scored by
the same code (``forecast.backtest.score_origin``) on the same series-origins:

- bayes: the pooled model with default settings, calibrated as learned (raw spread where the
  learning years span fewer than ``forecast.learn.MIN_HELD_OUT_YEARS`` calendar years, and then
  its row equals "bayes (raw)"); "raw" is without the calibration;
- bayes, no persistence: without the AR(1) of yearly changes
  (``PooledSettings(persistence=False)``; the default has it, as this benchmark decided, for
  every indicator: the learning years do not support a choice per indicator);
- trend (the single-series default), cagr (the planners' rule);
- statsforecast's RandomWalkWithDrift, AutoETS, AutoTheta: Gaussian draws from their mean and
  95% interval, as in benchmarks/sf_backtest.py;
- EB: an empirical-Bayes anchor written here, James-Stein shrinkage of each series' mean
  yearly change (log or logit scale) towards the cross-series mean, Student-t predictive.

Prints markdown tables: per indicator and overall, Brier of planner-style threshold targets,
Brier skill vs RW-drift, 80%/95% coverage, CRPS and MASE; the fits' diagnostics; persistence
against the default on the learning years; paired differences with intervals from a bootstrap
over regions; coverage by horizon; the learned spread factors; and the goals. Needs the bench
extra. Seeds are fixed: a rerun prints the same tables.

    python benchmarks/bench_pooled.py            # about an hour on 2 cores
    python benchmarks/bench_pooled.py --quick    # fewer posterior draws and paths
    python benchmarks/bench_pooled.py --indicators gdp    # one indicator
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("NIXTLA_ID_AS_COL", "1")

import numpy as np
import pandas as pd
import yaml

from forecast.config import DEFAULT_SEED
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.learn import learn, pooled_learning_backtest, pooled_spread
from forecast.evaluation.origins import BacktestSettings, SeriesUnit, series_units
from forecast.evaluation.panel import run_panel_backtest
from forecast.evaluation.results import BacktestResult, score_origin, summarise
from forecast.execution import default_workers
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.observations import read_observations
from forecast.inputs.regions import read_regions
from forecast.inputs.tabular import read_table
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.random_walk import max_deviation
from forecast.models.transforms import transform_for
from forecast.simulation.calibration import NONE, Calibration
from forecast.streams import rng_for

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sf_backtest import MODELS as SF_MODELS
from sf_backtest import Z95

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
INDICATORS = ("rd_intensity", "rd_expenditure", "gdp", "tech_contract_turnover",
              "valid_invention_patents", "basic_research_share_rd")
UNTIL = 2015  # calibrations learn from held-out years up to here; later years are scored
HOLDOUT, ORIGINS = 3, 6  # origins 2015-2020 for series ending in 2023
SF_NAMES = {"RandomWalkWithDrift": "RW-drift", "AutoETS": "AutoETS", "AutoTheta": "AutoTheta"}
KEY = ["region", "indicator", "origin"]


def provincial_units(catalogue, indicators: tuple[str, ...] = INDICATORS) -> list[SeriesUnit]:
    """The bundled provincial series (and the nation's) of ``indicators``; Xiangtan's two
    points left out, as in bench_accuracy.py."""
    obs = read_observations(DATA / "observations.csv", catalogue)
    obs = obs[obs["indicator"].isin(indicators) & (obs["region"] != "湘潭市")]
    return series_units(obs, catalogue)


def corpus_units() -> list[SeriesUnit]:
    """The calibration corpus `forecast calibrate` learns `trend`'s defaults from."""
    units = []
    for entry in yaml.safe_load((DATA / "calibration" / "corpus.yaml").read_text("utf-8")):
        path = DATA / "calibration" / entry["file"]
        ids = read_table(path, ("indicator",)).iloc[:, 0].astype(str).unique().tolist()
        catalogue = load_catalogue().with_generic(ids, entry["kind"])
        units += series_units(read_observations(path, catalogue), catalogue)
    return units


def cut(unit: SeriesUnit, origin: int) -> tuple[np.ndarray, np.ndarray]:
    return (unit.values[unit.years <= origin],
            unit.values[(unit.years > origin) & (unit.years <= origin + HOLDOUT)])


def eb_backtest(units: list[SeriesUnit], origins: pd.DataFrame, draws: int,
                seed: int) -> BacktestResult:
    """The empirical-Bayes anchor on the given series-origins.

    Per indicator and origin, each series' mean yearly change g_i (model scale) has sampling
    variance v_i = s_i^2 / n_i; the between-series variance tau^2 is the positive part of
    var(g) - mean(v) (Morris's James-Stein estimator); g_i shrinks to the mean by
    B_i = v_i / (v_i + tau^2). At horizon h the predictive is Student-t with n_i - 1 degrees of
    freedom around last + h g*_i, scale sqrt(h s_i^2 + h^2 (1 - B_i) v_i), one t draw per path;
    deviations are bounded like our models' (``max_deviation``).
    """
    by_key = {(u.region, u.indicator.id): u for u in units}
    metrics, events = [], []
    for (ind, origin), rows in origins.groupby(["indicator", "origin"], sort=False):
        us = [by_key[(r, ind)] for r in rows["region"]]
        trains = [cut(u, origin)[0] for u in us]
        transforms = [transform_for(u.indicator, t) for u, t in zip(us, trains, strict=True)]
        d = [np.diff(tf.forward(t)) for tf, t in zip(transforms, trains, strict=True)]
        n = np.array([len(x) for x in d])
        g = np.array([x.mean() for x in d])
        s2 = np.array([x.var(ddof=1) for x in d])
        v = s2 / n
        tau2 = max(0.0, float(np.var(g, ddof=1) - v.mean())) if len(g) > 1 else 0.0
        b = np.where(v + tau2 > 0, v / np.maximum(v + tau2, 1e-300), 1.0)
        g_star = g.mean() + (1 - b) * (g - g.mean())
        for i, u in enumerate(us):
            train, actual = cut(u, origin)
            h = np.arange(1, len(actual) + 1)
            rng = rng_for(seed, u.region, ind, str(origin), "eb")
            t = rng.standard_t(max(n[i] - 1, 1), size=(draws, 1))
            scale = np.sqrt(h * s2[i] + h**2 * (1 - b[i]) * v[i])
            centre = transforms[i].forward(train)[-1] + h * g_star[i]
            z = centre + np.clip(scale * t, -max_deviation(), max_deviation())
            paths = transforms[i].inverse(z)
            row, ev = score_origin(u, int(origin), train, actual, paths)
            metrics.append(row)
            events.append(ev)
    return BacktestResult(pd.DataFrame(metrics), pd.concat(events, ignore_index=True),
                          pd.DataFrame(), 0)


def sf_backtests(units: list[SeriesUnit], origins: pd.DataFrame, draws: int,
                 seed: int) -> dict[str, BacktestResult]:
    """statsforecast's anchors on the given series-origins, scored as sf_backtest.py does."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    by_key = {(u.region, u.indicator.id): u for u in units}
    jobs, frames = [], []
    for region, ind, origin in origins[KEY].itertuples(index=False):
        unit = by_key[(region, ind)]
        train, actual = cut(unit, origin)
        uid = str(len(jobs))
        jobs.append((uid, unit, int(origin), train, actual))
        frames.append(pd.DataFrame({"unique_id": uid, "ds": np.arange(len(train)), "y": train}))
    models = [SF_MODELS[name]() for name in SF_NAMES]
    columns = {name: str(m) for name, m in zip(SF_NAMES, models, strict=True)}
    sf = StatsForecast(models=models, freq=1, n_jobs=1, fallback_model=Naive())
    fc = sf.forecast(df=pd.concat(frames, ignore_index=True), h=HOLDOUT, level=[95])
    groups = {uid: rows for uid, rows in fc.groupby("unique_id", sort=False)}
    out = {}
    for name, col in columns.items():
        metrics, events = [], []
        for uid, unit, origin, train, actual in jobs:
            rows = groups[uid].iloc[: len(actual)]
            mean = rows[col].to_numpy(float)
            sd = (rows[f"{col}-hi-95"] - rows[f"{col}-lo-95"]).to_numpy(float) / (2 * Z95)
            rng = rng_for(seed, unit.region, unit.indicator.id, str(origin), name)
            paths = mean + np.maximum(sd, 0) * rng.standard_normal((draws, len(mean)))
            row, ev = score_origin(unit, origin, train, actual, paths, mean)
            metrics.append(row)
            events.append(ev)
        out[SF_NAMES[name]] = BacktestResult(pd.DataFrame(metrics),
                                             pd.concat(events, ignore_index=True),
                                             pd.DataFrame(), 0)
    return out


def subset(res: BacktestResult, indicator: str | None) -> BacktestResult:
    if indicator is None:
        return res
    return BacktestResult(res.metrics[res.metrics["indicator"] == indicator],
                          res.events[res.events["indicator"] == indicator], pd.DataFrame(), 0)


def score_row(res: BacktestResult) -> dict:
    s = summarise(res)
    return {"Brier": s["threshold_probabilities"]["brier"],
            "cov80": s["coverage_80"]["rate"], "cov95": s["coverage_95"]["rate"],
            "CRPS": s["CRPS_scaled"], "MASE": s["MASE"], "n": s["series_origins"],
            "held_out": s["coverage_80"]["held_out_values"]}


def table(results: dict[str, BacktestResult], indicator: str | None) -> pd.DataFrame:
    rows = pd.DataFrame({name: score_row(subset(res, indicator))
                         for name, res in results.items()}).T
    rows["BSS vs RW-drift"] = 1 - rows["Brier"] / rows.loc["RW-drift", "Brier"]
    return rows


def markdown(title: str, rows: pd.DataFrame) -> str:
    lines = [f"### {title}", "",
             "| model | Brier | BSS vs RW-drift | 80% cov. | 95% cov. | CRPS (scaled) | MASE |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in rows.iterrows():
        lines.append(f"| {name} | {r['Brier']:.4f} | {r['BSS vs RW-drift']:+.3f} | "
                     f"{r['cov80']:.3f} | {r['cov95']:.3f} | {r['CRPS']:.3f} | {r['MASE']:.3f} |")
    n = rows.iloc[0]
    lines.append(f"\n{int(n['n'])} series-origins, {int(n['held_out'])} held-out values, "
                 f"{5 * int(n['held_out'])} threshold targets.\n")
    return "\n".join(lines)


def paired(a: BacktestResult, b: BacktestResult, indicator: str | None = None,
           reps: int = 2000, seed: int = 0) -> dict:
    """Brier and CRPS of ``a`` minus ``b`` on the same targets, and the Brier skill of ``a``
    against ``b``, with 95% intervals from a bootstrap over regions (a region's targets and
    years are correlated, so regions, not targets, are the independent units), and the share
    of replicates in which ``a``'s Brier score is the lower (``share_a_lower_brier``)."""
    a, b = subset(a, indicator), subset(b, indicator)
    ev = a.events.merge(b.events, on=["region", "indicator", "origin", "pace_multiple",
                                      "horizon"], suffixes=("_a", "_b"))
    ev = ev.assign(sa=(ev["probability_a"] - ev["outcome_a"]) ** 2,
                   sb=(ev["probability_b"] - ev["outcome_b"]) ** 2, n=1.0)
    m = a.metrics.merge(b.metrics, on=KEY, suffixes=("_a", "_b"))
    m = m.assign(d=m["CRPS_scaled_a"] - m["CRPS_scaled_b"]).dropna(subset=["d"])
    sums = pd.concat([ev.groupby("region")[["sa", "sb", "n"]].sum(),
                      m.groupby("region")["d"].agg(["sum", "count"])], axis=1).fillna(0.0)
    x = sums.to_numpy()
    pick = np.random.default_rng(seed).integers(0, len(x), (reps, len(x)))
    boot = x[pick].sum(axis=1)  # reps x (sa, sb, n, crps diff sum, crps count)
    total = x.sum(axis=0)

    def stats(t: np.ndarray) -> tuple:
        return (t[..., 0] - t[..., 1]) / t[..., 2], 1 - t[..., 0] / t[..., 1], t[..., 3] / t[..., 4]

    point, draws = stats(total), stats(boot)
    return {**{name: (float(p), *np.quantile(d, [0.025, 0.975]))
               for name, p, d in zip(("brier", "bss", "crps"), point, draws, strict=True)},
            "share_a_lower_brier": float((draws[0] < 0).mean())}


def paired_markdown(rows: list[tuple[str, str, BacktestResult, BacktestResult, str | None]]
                    ) -> str:
    lines = ["### Paired differences (95% intervals: bootstrap over regions)", "",
             "| comparison (a − b) | scope | Brier a − b | BSS of a vs b | CRPS (scaled) a − b |",
             "|---|---|---|---|---|"]
    for label, scope, a, b, indicator in rows:
        r = paired(a, b, indicator)
        cell = {k: f"{v[0]:+.4f} [{v[1]:+.4f}, {v[2]:+.4f}]" for k, v in r.items()
                if k != "share_a_lower_brier"}
        cell["bss"] = "{:+.3f} [{:+.3f}, {:+.3f}]".format(*r["bss"])
        lines.append(f"| {label} | {scope} | {cell['brier']} | {cell['bss']} | "
                     f"{cell['crps']} |")
    return "\n".join(lines) + "\n"


def horizon_markdown(results: dict[str, BacktestResult]) -> str:
    """Coverage by horizon from the calibration points (models that keep them)."""
    lines = ["### Coverage by horizon (80% / 95%)", "", "| model | h = 1 | h = 2 | h = 3 |",
             "|---|---|---|---|"]
    for name, res in results.items():
        if not len(res.points):
            continue
        p = res.points
        in80 = (p["z"] >= p["q0.1"]) & (p["z"] <= p["q0.9"])
        in95 = (p["z"] >= p["q0.025"]) & (p["z"] <= p["q0.975"])
        cells = [f"{in80[p['horizon'] == h].mean():.3f} / {in95[p['horizon'] == h].mean():.3f}"
                 for h in range(1, HOLDOUT + 1)]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def origin_markdown(results: dict[str, BacktestResult], indicators: tuple[str, ...],
                    names: tuple[str, ...] = ("bayes", "bayes, no persistence", "EB")) -> str:
    """Brier score by indicator and origin for ``names``, each with its mean probability of
    meeting the targets, beside the share met: where a model loses, and whether it is too
    pessimistic or too optimistic there."""
    lines = ["### By origin: Brier (mean probability of meeting)", "",
             "| indicator | origin | share met | " + " | ".join(names) + " |",
             "|---|---:|---:|" + "---|" * len(names)]
    for ind in indicators:
        by = {}
        for name in names:
            ev = subset(results[name], ind).events
            by[name] = ev.assign(score=(ev["probability"] - ev["outcome"]) ** 2).groupby(
                "origin")[["score", "probability", "outcome"]].mean()
        for origin, met in by[names[0]]["outcome"].items():
            cells = [f"{by[n].loc[origin, 'score']:.4f} ({by[n].loc[origin, 'probability']:.2f})"
                     for n in names]
            lines.append(f"| {ind} | {origin} | {met:.2f} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def fits_markdown(fits: dict[str, pd.DataFrame]) -> str:
    lines = ["### Pooled fits (one per indicator and origin)", "",
             "| variant | fits | max R-hat | min bulk ESS | divergences | fits with divergences "
             "| sampling s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, f in fits.items():
        lines.append(f"| {name} | {len(f)} | {f['r_hat_max'].max():.3f} | "
                     f"{f['ess_bulk_min'].min():.0f} | {int(f['divergences'].sum())} | "
                     f"{int((f['divergences'] > 0).sum())} | {f['seconds'].sum():.0f} |")
    return "\n".join(lines) + "\n"


def goals_markdown(per: dict[str, pd.DataFrame], overall: pd.DataFrame, model: str) -> str:
    def fmt(ok: bool) -> str:
        return "yes" if ok else "**no**"

    bss = {ind: t.loc[model, "BSS vs RW-drift"] for ind, t in per.items()}
    worse_eb = [ind for ind, t in per.items() if t.loc[model, "Brier"] >= t.loc["EB", "Brier"]]
    o = overall.loc[model]
    lines = ["### Against the goals", "", f"Model: `{model}`.", "",
             "| goal | measured | met? |", "|---|---|---|",
             *([f"| BSS vs RW-drift >= +0.15 on R&D intensity (issue 32) | {rd:+.3f} | "
                f"{fmt(rd >= 0.15)} |"] if (rd := bss.get("rd_intensity")) is not None else []),
             "| BSS vs RW-drift > 0 on every indicator | "
             + ", ".join(f"{k} {v:+.3f}" for k, v in bss.items())
             + f" | {fmt(all(v > 0 for v in bss.values()))} |",
             f"| Brier below the EB anchor (overall; per indicator) | {o['Brier']:.4f} vs "
             f"{overall.loc['EB', 'Brier']:.4f}; worse or equal on: "
             f"{', '.join(worse_eb) or 'none'} | "
             f"{fmt(o['Brier'] < overall.loc['EB', 'Brier'] and not worse_eb)} |",
             f"| CRPS below the EB anchor (overall) | {o['CRPS']:.3f} vs "
             f"{overall.loc['EB', 'CRPS']:.3f} | {fmt(o['CRPS'] < overall.loc['EB', 'CRPS'])} |",
             f"| 80% coverage in 0.75-0.85 (overall) | {o['cov80']:.3f} | "
             f"{fmt(0.75 <= o['cov80'] <= 0.85)} |",
             f"| 95% coverage in 0.91-0.98 (overall) | {o['cov95']:.3f} | "
             f"{fmt(0.91 <= o['cov95'] <= 0.98)} |"]
    return "\n".join(lines) + "\n"


def learning_markdown(raw: dict[str, BacktestResult], indicators: tuple[str, ...]) -> str:
    """Persistence against the default on the learning years only (held out up to UNTIL):
    overall, and per indicator with the paired difference and the share of bootstrap
    replicates over regions in which leaving it out scores the lower Brier (a choice per
    indicator would need 84% there, the one-standard-error rule of `trend`'s learner, and
    the same verdict on the scored years)."""
    lines = [f"### Persistence on the learning years (held-out years <= {UNTIL}, raw spread)",
             "", "| variant | series-origins | Brier | 80% cov. | 95% cov. | CRPS (scaled) | "
             "MASE |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, res in raw.items():
        r = score_row(res)
        lines.append(f"| {name} | {r['n']} | {r['Brier']:.4f} | {r['cov80']:.3f} | "
                     f"{r['cov95']:.3f} | {r['CRPS']:.3f} | {r['MASE']:.3f} |")
    with_, without = raw["bayes"], raw["bayes, no persistence"]
    lines += ["", "| indicator | series-origins | Brier with | Brier without | without − with "
              "| lower without in |", "|---|---:|---:|---:|---|---:|"]
    for ind in indicators:
        a, b = score_row(subset(with_, ind)), score_row(subset(without, ind))
        d = paired(without, with_, ind)
        lines.append(f"| {ind} | {a['n']} | {a['Brier']:.4f} | {b['Brier']:.4f} | "
                     f"{d['brier'][0]:+.4f} [{d['brier'][1]:+.4f}, {d['brier'][2]:+.4f}] | "
                     f"{d['share_a_lower_brier']:.0%} |")
    return "\n".join(lines) + "\n"


def spread_markdown(calibrations: dict[str, Calibration]) -> str:
    lines = [f"### Spread factors learned up to {UNTIL} (horizons 1, 2, 3)", "",
             "| model | group or indicator | factors |", "|---|---|---|"]
    for name, (model, cal) in calibrations.items():
        spread = cal.models.get(model, {}).get("spread", {})
        if not spread:
            lines.append(f"| {name} | none learned: raw spread | 1 |")
        for key, factors in spread.items():
            lines.append(f"| {name} | {key} | {', '.join(f'{f:.2f}' for f in factors)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="300 tuning and 300 posterior draws per chain, 500 paths")
    ap.add_argument("--draws", type=int, default=2000, help="simulated paths per series")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--indicators", default=",".join(INDICATORS),
                    help="comma-separated indicator ids (default: all six; the trend rows then "
                    "learn from those and the corpus only)")
    args = ap.parse_args()
    indicators = tuple(args.indicators.split(","))
    if unknown := set(indicators) - set(INDICATORS):
        ap.error(f"--indicators: not a provincial indicator: {', '.join(sorted(unknown))}")
    draws = 500 if args.quick else args.draws
    base = PooledSettings(draws=300, tune=300) if args.quick else PooledSettings()
    variants = {"bayes": base, "bayes, no persistence": replace(base, persistence=False)}
    catalogue = load_catalogue()
    units = provincial_units(catalogue, indicators)
    regions = read_regions(DATA / "regions.csv")
    own = {u.indicator.id for u in units}
    clock = time.perf_counter()

    trend_cal, _ = learn(units + corpus_units(), UNTIL, HOLDOUT, draws, args.seed,
                         args.workers, own=own)
    learning, cals = {}, {"trend": ("trend", trend_cal)}
    for name, pooled in variants.items():
        res = pooled_learning_backtest(units, UNTIL, HOLDOUT, draws, args.seed, regions,
                                       args.workers, pooled)
        learning[name] = res
        cals[name] = ("bayes", Calibration({"bayes": pooled_spread(res.points, HOLDOUT, own)},
                                           {}))
    print(f"calibrations learned in {time.perf_counter() - clock:.0f} s", file=sys.stderr)

    scoring = BacktestSettings(model="trend", holdout=HOLDOUT, origins=ORIGINS, after=UNTIL,
                               draws=draws, seed=args.seed)
    results: dict[str, BacktestResult] = {}
    fits: dict[str, pd.DataFrame] = {}
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, pooled in variants.items():
            settings = replace(scoring, model="bayes", pooled=pooled)
            start = time.perf_counter()
            results[name] = run_panel_backtest(units, replace(settings,
                                                              calibration=cals[name][1]),
                                               args.workers, regions=regions,
                                               cache_dir=Path(tmp) / name)
            seconds[name] = time.perf_counter() - start
            fits[name] = results[name].fits
            results[f"{name} (raw)"] = run_panel_backtest(units, settings, args.workers,
                                                          regions=regions,
                                                          cache_dir=Path(tmp) / name)
    results["trend"] = run_backtest(units, replace(scoring, calibration=trend_cal),
                                    args.workers)
    results["trend (raw)"] = run_backtest(units, replace(scoring, calibration=NONE),
                                          args.workers)
    results["cagr"] = run_backtest(units, replace(scoring, model="cagr"), args.workers)
    origins = results["bayes"].metrics[KEY]
    results.update(sf_backtests(units, origins, draws, args.seed))
    results["EB"] = eb_backtest(units, origins, draws, args.seed)
    for name, res in results.items():  # every model on exactly the same series-origins
        same = res.metrics[KEY].sort_values(KEY).reset_index(drop=True)
        assert same.equals(origins.sort_values(KEY).reset_index(drop=True)), name
    print(f"all backtests done in {time.perf_counter() - clock:.0f} s", file=sys.stderr)

    per = {ind: table(results, ind) for ind in indicators}
    overall = table(results, None)
    print(f"## Pooled model, provincial rolling-origin backtest: origins 2015-2020, "
          f"h = 1-{HOLDOUT}, calibration learned up to {UNTIL}\n")
    for ind in indicators:
        print(markdown(ind, per[ind]))
    print(markdown("All six indicators" if len(indicators) == len(INDICATORS)
                   else f"All of {', '.join(indicators)}", overall))
    print(fits_markdown(fits))
    print("Wall time of the scored pooled backtests (fits and scoring): "
          + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()) + "\n")
    print(learning_markdown(learning, indicators))
    r = results
    rd = [("bayes − RW-drift", "rd_intensity", r["bayes"], r["RW-drift"], "rd_intensity"),
          ("bayes (raw) − RW-drift", "rd_intensity", r["bayes (raw)"], r["RW-drift"],
           "rd_intensity")] if "rd_intensity" in indicators else []
    print(paired_markdown([
        *rd,
        ("bayes − EB", "all", r["bayes"], r["EB"], None),
        *[("bayes − EB", ind, r["bayes"], r["EB"], ind) for ind in indicators],
        ("bayes (raw) − EB", "all", r["bayes (raw)"], r["EB"], None),
        ("bayes − bayes (raw)", "all", r["bayes"], r["bayes (raw)"], None),
        ("bayes − trend", "all", r["bayes"], r["trend"], None),
        ("bayes − bayes, no persistence", "all", r["bayes"], r["bayes, no persistence"], None),
        ("bayes (raw) − bayes, no persistence (raw)", "all", r["bayes (raw)"],
         r["bayes, no persistence (raw)"], None),
        ("bayes (raw) − bayes, no persistence (raw)", f"learning years (<= {UNTIL})",
         learning["bayes"], learning["bayes, no persistence"], None),
    ]))
    print(origin_markdown(results, indicators))
    print(horizon_markdown(results))
    print(spread_markdown(cals))
    print(goals_markdown(per, overall, "bayes"))


if __name__ == "__main__":
    main()
