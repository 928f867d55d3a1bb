"""R&D intensity derived from its components against the intensity modelled on its own.

Rolling-origin backtest on the bundled provincial series (data/observations.csv, the tree of
data/regions.csv: 31 provinces and the nation, 2011-2023): origins O = 2015-2020, horizons 1-3,
so the held-out years are 2016-2023. At each origin the observations are cut at O, and the
default model (`auto`, which pools these three indicators with `bayes`) is fitted once per
indicator on every region's data up to O (``forecast.pooling.fit_stage``, cached per origin
under models/bench_derived/). Each region with held-out intensities is then forecast, as a run
at that origin would, two ways:

- direct: `rd_intensity` simulated from its own pooled posterior;
- derived: `rd_expenditure` and `gdp` simulated from theirs, GDP's paths re-paired with R&D
  expenditure's so their changes correlate as the pooled within-region correlation of the
  annual changes up to O says (``forecast.joint``), and the intensity computed path by path
  as 100 * rd / gdp anchored on the last observed intensity (``forecast.derived``), through
  the library's own pieces (``assess.series_requests``, ``derived.pairing``,
  ``derived.derived_result``).

Both use the same draws count, seed and calibration (models/calibration.json, as a run) and are
scored by the same code (``forecast.backtest.score_origin``) on the same series-origins and the
same planner-style threshold events (``forecast.scoring.threshold_events``: last value plus
0-2x the past annual pace, h years on). Differences derived − direct carry 95% intervals from a
paired bootstrap over series-origins (and, for reference, over regions).

Decision rule (``--write`` records it in forecast/data/derived.yaml, which a run reads to
choose which formula indicators to derive): use the derived forecast only where it is at least
as well calibrated, that is where both hold:

1. its Brier score is not worse than direct's: the lower end of the 95% bootstrap interval of
   the Brier difference derived − direct (over series-origins) is <= 0, i.e. derived is not
   significantly worse;
2. its 80% and 95% interval coverages are each at least as close to nominal as direct's, or
   within 0.03 of nominal.

Prints markdown tables. Seeds are fixed: a rerun prints the same tables.

    python benchmarks/bench_derived.py                     # about 5 minutes on 2 cores
                                                           # (seconds with fits cached)
    python benchmarks/bench_derived.py --quick             # 2 origins, 500 paths, short fits
    python benchmarks/bench_derived.py --write             # and write the decision
    python benchmarks/bench_derived.py --out figures.md    # and save the tables
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.assessment.layout import series_requests
from forecast.config import DEFAULT_MODEL, DEFAULT_SEED, DERIVED_FILE
from forecast.evaluation import scoring
from forecast.evaluation.origins import SeriesUnit
from forecast.evaluation.results import BacktestResult, score_origin, summarise
from forecast.inputs.catalogue import Catalogue, load_catalogue
from forecast.inputs.observations import read_observations
from forecast.inputs.plans import Target
from forecast.inputs.regions import read_regions
from forecast.inputs.series import series_table, usable_history
from forecast.models.fitting import PooledFits, fit_stage
from forecast.models.hierarchy.settings import PooledSettings
from forecast.simulation.calibration import Calibration, load_calibration
from forecast.simulation.dependence import Dependence, growth_correlation
from forecast.simulation.derived import derived_result, pairing, parse
from forecast.simulation.simulate import SeriesResult, simulate_request

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CACHE = ROOT / "models" / "bench_derived"
INDICATOR = "rd_intensity"
HOLDOUT = 3
ORIGINS = tuple(range(2015, 2021))  # held-out years up to 2023
QUICK_ORIGINS = ORIGINS[-2:]
METHODS = ("direct", "derived")
KEY = ["region", "origin"]
BOOT_REPS = 2000
NEAR = 0.03  # a coverage this close to nominal is close enough
HEADER = """\
# Which formula indicators a run derives from their components (where they have history).
# Written by benchmarks/bench_derived.py from a backtest of derived against direct forecasts on
# the provincial series: `use` only where the derived forecasts are at least as well calibrated.
"""


@dataclass
class OriginRun:
    """One origin's forecasts: per region, the direct and derived intensity paths (n x H)."""

    origin: int
    paths: dict[str, dict[str, np.ndarray]]  # method -> region -> held-out years' paths
    train: dict[str, np.ndarray]  # region -> the intensity's usable history up to the origin
    dependence: Dependence
    fits: list[dict]
    fallbacks: list[str]  # regions the library would not derive (kept direct): not scored
    notes: dict[str, str]  # region -> the derived series' note (what a run's row shows)


def observations(catalogue: Catalogue, formula_components: tuple[str, ...]) -> pd.DataFrame:
    obs = read_observations(DATA / "observations.csv", catalogue)
    return obs[obs["indicator"].isin([INDICATOR, *formula_components])]


def targets_at(table_keys: list[tuple[str, str]], origin: int) -> list[Target]:
    """A level target on the intensity in origin + H for every region with an intensity
    series: series_requests reads from targets only which series to simulate and how far."""
    return [Target("bench_derived", f"{region}-{origin}", region, INDICATOR, "level",
                   "R&D intensity at the horizon", ">=", 0.0, year=origin + HOLDOUT,
                   base_year=origin)
            for region, ind in table_keys if ind == INDICATOR]


def future(res: SeriesResult, origin: int) -> np.ndarray:
    """The paths' values in the held-out years origin + 1 .. origin + H."""
    return np.column_stack([res.paths.at(y) for y in range(origin + 1, origin + HOLDOUT + 1)])


def simulate_all(requests, draws: int, seed: int, calibration: Calibration
                 ) -> dict[tuple[str, str], SeriesResult]:
    out = {}
    for req in requests:
        res = simulate_request(req, DEFAULT_MODEL, draws, seed, calibration)
        out[(res.region, res.indicator)] = res
    return out


def run_origin(obs: pd.DataFrame, catalogue: Catalogue, regions: pd.DataFrame, origin: int,
               draws: int, seed: int, calibration: Calibration, pooled: PooledSettings,
               cache_dir: Path) -> OriginRun:
    """Fit at ``origin`` and forecast every region's intensity both ways (as a run would)."""
    formula = parse(INDICATOR, catalogue[INDICATOR].formula)
    table = series_table(obs[obs["year"] <= origin])
    fits_log: list[dict] = []

    def on_fit(ind: str, diag: dict, cached: bool, _n: int) -> None:
        fits_log.append({"indicator": ind, "origin": origin, "cached": cached, **diag})

    fits: PooledFits = fit_stage(table, catalogue, regions,
                                 sorted({INDICATOR, *formula.components}), DEFAULT_MODEL,
                                 pooled, seed, None, cache_dir, on_fit)
    for ind in (INDICATOR, *formula.components):
        choice = fits.choice[ind].model
        assert choice == "bayes", f"{ind} at {origin}: {choice}, not the pooled model"
    correlations: dict[tuple[str, str], Dependence] = {}

    def dependence(a: str, b: str) -> Dependence:
        if (a, b) not in correlations:
            correlations[(a, b)] = growth_correlation(table, a, b, catalogue)
        return correlations[(a, b)]

    targets = targets_at(table.keys, origin)
    direct_req, _, _ = series_requests(catalogue, table, targets, fits,
                                       derive_ids=frozenset())
    direct = simulate_all(direct_req, draws, seed, calibration)
    comp_req, _, derived_req = series_requests(catalogue, table, targets, fits,
                                               derive_ids=frozenset({INDICATOR}),
                                               dependence=dependence)
    results = simulate_all(comp_req, draws, seed, calibration)
    derived: dict[tuple[str, str], SeriesResult] = {}
    for d in derived_req:
        lead_id = d.formula.components[0]
        assert getattr(d, "derived", True), (d.region, "not derived")
        assert d.dependence == tuple(dependence(lead_id, c) for c in d.formula.components[1:])
        lead = results[(d.region, lead_id)]
        orders = [pairing(lead, results[(d.region, c)], dep, seed)
                  for c, dep in zip(d.formula.components[1:], d.dependence, strict=True)]
        derived[(d.region, d.indicator.id)] = derived_result(d, results, orders, None)
    index = {key: k for k, key in enumerate(table.keys)}
    paths: dict[str, dict[str, np.ndarray]] = {m: {} for m in METHODS}
    train, notes, fallbacks = {}, {}, []
    for (region, ind), res in sorted(direct.items()):
        if ind != INDICATOR or res.model == "observed":
            continue
        if (region, ind) not in derived:
            fallbacks.append(region)
            continue
        assert res.model == "bayes", (region, res.model)
        train[region] = usable_history(*table.series(index[(region, ind)]))[1]
        paths["direct"][region] = future(res, origin)
        paths["derived"][region] = future(derived[(region, ind)], origin)
        notes[region] = derived[(region, ind)].notes[-1]
    dep = dependence(formula.components[0], formula.components[1])
    return OriginRun(origin, paths, train, dep, fits_log, fallbacks, notes)


def actuals(obs: pd.DataFrame, region: str, origin: int) -> np.ndarray:
    """The region's observed intensities in origin + 1 .. origin + H, up to its first gap."""
    s = obs[(obs["region"] == region) & (obs["indicator"] == INDICATOR)]
    by_year = dict(zip(s["year"].astype(int), s["value"].astype(float), strict=True))
    out = []
    for y in range(origin + 1, origin + HOLDOUT + 1):
        if y not in by_year:
            break
        out.append(by_year[y])
    return np.asarray(out)


def score(runs: list[OriginRun], obs: pd.DataFrame, catalogue: Catalogue
          ) -> tuple[dict[str, BacktestResult], pd.DataFrame]:
    """Per method the metrics and threshold events of every series-origin (the backtest
    module's frames), and one row per held-out value (for raw CRPS and coverage by horizon)."""
    indicator = catalogue[INDICATOR]
    metrics: dict[str, list] = {m: [] for m in METHODS}
    events: dict[str, list] = {m: [] for m in METHODS}
    values = []
    for run in runs:
        for region, train in run.train.items():
            actual = actuals(obs, region, run.origin)
            if len(actual) == 0:
                continue
            unit = SeriesUnit(region, indicator, np.arange(len(train)), train)
            for method in METHODS:
                p = run.paths[method][region][:, :len(actual)]
                row, ev = score_origin(unit, run.origin, train, actual, p)
                crps = scoring.crps(actual, p)
                row["CRPS_raw"] = float(crps.mean())
                metrics[method].append(row)
                events[method].append(ev)
                for h in range(len(actual)):
                    col, a = p[:, h:h + 1], actual[h:h + 1]
                    values.append({
                        "method": method, "region": region, "origin": run.origin,
                        "horizon": h + 1, "crps": float(crps[h]),
                        "cov80": scoring.coverage(a, col, 0.80),
                        "cov95": scoring.coverage(a, col, 0.95),
                        "pit": float(scoring.pit(a, col)[0])})
    results = {m: BacktestResult(pd.DataFrame(metrics[m]),
                                 pd.concat(events[m], ignore_index=True), pd.DataFrame(), 0)
               for m in METHODS}
    return results, pd.DataFrame(values)


def summary(res: BacktestResult, values: pd.DataFrame) -> dict:
    s = summarise(res)
    tp = s["threshold_probabilities"]
    return {"n": s["series_origins"], "held_out": s["coverage_80"]["held_out_values"],
            "events": tp["events"], "CRPS": float(values["crps"].mean()),
            "CRPS_scaled": s["CRPS_scaled"], "cov80": s["coverage_80"]["rate"],
            "cov80_band": s["coverage_80"]["band_95"], "cov95": s["coverage_95"]["rate"],
            "cov95_band": s["coverage_95"]["band_95"], "Brier": tp["brier"],
            "reliability": tp["reliability"], "resolution": tp["resolution"],
            "uncertainty": tp["uncertainty"], "MASE": s["MASE"],
            "PIT": float(values["pit"].mean())}


def paired(a: BacktestResult, b: BacktestResult, by: list[str], reps: int = BOOT_REPS,
           seed: int = 0) -> dict[str, tuple[float, float, float]]:
    """Brier and CRPS (raw and scaled) of ``a`` less ``b`` on the same events and
    series-origins, each with a 95% interval from a paired bootstrap over the groups ``by``
    (series-origins: region and origin; or regions)."""
    ev = a.events.merge(b.events, on=["region", "indicator", "origin", "pace_multiple",
                                      "horizon"], suffixes=("_a", "_b"))
    assert len(ev) == len(a.events) == len(b.events)
    assert (ev["outcome_a"] == ev["outcome_b"]).all(), "the methods' events differ"
    ev = ev.assign(d=(ev["probability_a"] - ev["outcome_a"]) ** 2
                   - (ev["probability_b"] - ev["outcome_b"]) ** 2, n=1.0)
    m = a.metrics.merge(b.metrics, on=["region", "indicator", "origin"], suffixes=("_a", "_b"))
    m = m.assign(raw=m["CRPS_raw_a"] - m["CRPS_raw_b"],
                 scaled=m["CRPS_scaled_a"] - m["CRPS_scaled_b"], k=1.0)
    sums = pd.concat([ev.groupby(by)[["d", "n"]].sum(),
                      m.groupby(by)[["raw", "scaled", "k"]].sum()], axis=1).fillna(0.0)
    x = sums[["d", "n", "raw", "scaled", "k"]].to_numpy()
    pick = np.random.default_rng(seed).integers(0, len(x), (reps, len(x)))
    boot = x[pick].sum(axis=1)
    total = x.sum(axis=0)

    def stats(t: np.ndarray) -> tuple:
        return t[..., 0] / t[..., 1], t[..., 2] / t[..., 4], t[..., 3] / t[..., 4]

    return {name: (float(p), *(float(q) for q in np.quantile(d, [0.025, 0.975])))
            for name, p, d in zip(("brier", "crps", "crps_scaled"), stats(total), stats(boot),
                                  strict=True)}


def decide(rows: dict[str, dict], diff: dict[str, tuple[float, float, float]]
           ) -> tuple[bool, list[str]]:
    """The decision rule of the module docstring, and why."""
    d, dd = rows["derived"], rows["direct"]
    why = []
    brier_ok = diff["brier"][1] <= 0
    why.append(f"Brier derived − direct {diff['brier'][0]:+.4f} "
               f"[{diff['brier'][1]:+.4f}, {diff['brier'][2]:+.4f}]: "
               + ("not significantly worse" if brier_ok else "significantly worse"))
    cov_ok = True
    for level, nominal in (("cov80", 0.80), ("cov95", 0.95)):
        gap_d, gap_dd = abs(d[level] - nominal), abs(dd[level] - nominal)
        ok = gap_d <= gap_dd + 1e-12 or gap_d <= NEAR + 1e-12
        cov_ok &= ok
        why.append(f"{level[3:]}% coverage {d[level]:.3f} vs direct {dd[level]:.3f} "
                   f"(nominal {nominal:.2f}): "
                   + ("as close or closer" if gap_d <= gap_dd + 1e-12 else
                      f"within {NEAR} of nominal" if ok else "further from nominal"))
    return brier_ok and cov_ok, why


def fmt_ci(v: tuple[float, float, float], digits: int = 4) -> str:
    return f"{v[0]:+.{digits}f} [{v[1]:+.{digits}f}, {v[2]:+.{digits}f}]"


def report(runs: list[OriginRun], rows: dict[str, dict], values: pd.DataFrame,
           diffs: dict[str, dict], full_dep: Dependence, use: bool, why: list[str],
           draws: int, seconds: float) -> str:
    first, last = runs[0].origin, runs[-1].origin
    n = rows["direct"]
    out = [f"## R&D intensity: derived (100 × rd_expenditure / gdp) against direct, provincial "
           f"rolling-origin backtest: origins {first}–{last}, h = 1–{HOLDOUT}", "",
           f"Default model (`{DEFAULT_MODEL}`: the pooled `bayes` for all three indicators), "
           f"one fit per indicator and origin on every region's data up to the origin; "
           f"{draws} paths per series, seed {DEFAULT_SEED}, the run's calibration "
           "(models/calibration.json). Same series-origins and the same threshold events "
           "for both methods.", "",
           "| method | series-origins | held-out values | CRPS (pp) | CRPS (scaled) | "
           "80% cov. | 95% cov. | mean PIT | Brier | Brier reliability | Brier resolution |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for method in METHODS:
        r = rows[method]
        out.append(f"| {method} | {r['n']} | {r['held_out']} | {r['CRPS']:.4f} | "
                   f"{r['CRPS_scaled']:.3f} | {r['cov80']:.3f} | {r['cov95']:.3f} | "
                   f"{r['PIT']:.3f} | {r['Brier']:.4f} | {r['reliability']:.4f} | "
                   f"{r['resolution']:.4f} |")
    out += ["", f"{n['n']} series-origins ({len(runs[0].train)} regions × {len(runs)} "
            f"origins), {n['held_out']} held-out values, {n['events']} threshold events "
            f"(uncertainty term {n['uncertainty']:.4f}); mean PIT 0.5 is unbiased, above it "
            "outcomes run higher than forecast. Coverage 95% bands (exact binomial): "
            + "; ".join(f"{m} 80% [{rows[m]['cov80_band'][0]:.3f}, "
                        f"{rows[m]['cov80_band'][1]:.3f}], 95% [{rows[m]['cov95_band'][0]:.3f}, "
                        f"{rows[m]['cov95_band'][1]:.3f}]" for m in METHODS) + ".", ""]
    out += ["### Paired differences, derived − direct (95% intervals: paired bootstrap, "
            f"{BOOT_REPS} resamples, seed 0)", "",
            "| resampled unit | Brier | CRPS (pp) | CRPS (scaled) |", "|---|---|---|---|"]
    for label, diff in diffs.items():
        out.append(f"| {label} | {fmt_ci(diff['brier'])} | {fmt_ci(diff['crps'])} | "
                   f"{fmt_ci(diff['crps_scaled'], 3)} |")
    out += ["", "### By horizon (CRPS in pp; 80% / 95% coverage)", "",
            "| method | h = 1 | h = 2 | h = 3 |", "|---|---|---|---|"]
    for method in METHODS:
        v = values[values["method"] == method]
        cells = [f"{g['crps'].mean():.4f}; {g['cov80'].mean():.3f} / {g['cov95'].mean():.3f}"
                 for _, g in v.groupby("horizon")]
        out.append(f"| {method} | {' | '.join(cells)} |")
    out += ["", "### Correlation of the annual changes of rd_expenditure and gdp (log scale, "
            "pooled within-region, used to re-pair the paths)", "",
            "| data up to | rho | pairs | regions |", "|---|---:|---:|---:|"]
    for run in runs:
        d = run.dependence
        out.append(f"| {run.origin} | {d.rho:+.3f} | {d.pairs} | {d.regions} |")
    out.append(f"| 2023 (what a run uses now) | {full_dep.rho:+.3f} | {full_dep.pairs} | "
               f"{full_dep.regions} |")
    fits = pd.DataFrame([f for run in runs for f in run.fits])
    out += ["", "### Pooled fits", "",
            "| indicator | fits | max R-hat | min bulk ESS | divergences |",
            "|---|---:|---:|---:|---:|"]
    for ind, f in fits.groupby("indicator"):
        out.append(f"| {ind} | {len(f)} | {f['r_hat_max'].max():.3f} | "
                   f"{f['ess_bulk_min'].min():.0f} | {int(f['divergences'].sum())} |")
    fallbacks = sorted({(r, run.origin) for run in runs for r in run.fallbacks})
    if fallbacks:
        out.append(f"\nNot derived by the library (not scored): {fallbacks}.")
    out += ["", "### Decision", "",
            "Use derived only where it is at least as well calibrated: Brier not significantly "
            "worse (lower end of the series-origin bootstrap interval of derived − direct "
            f"<= 0) and each of the 80%/95% coverages as close to nominal as direct's or within "
            f"{NEAR} of it.", ""]
    out += [f"- {w}" for w in why]
    out += ["", f"**rd_intensity: use derived = {str(use).lower()}.**", "",
            f"Wall time {seconds:.0f} s ("
            + (f"all {len(fits)} fits sampled)." if not fits["cached"].any() else
               f"{int((~fits['cached']).sum())} of {len(fits)} fits sampled, the others read "
               "from the cache).")]
    return "\n".join(out) + "\n"


def evidence(rows: dict[str, dict], diff: dict, origins: tuple[int, ...]) -> str:
    d, dd = rows["derived"], rows["direct"]
    return (f"bench_derived.py, provinces and nation, origins {origins[0]}-{origins[-1]}, "
            f"h 1-{HOLDOUT}, {d['n']} series-origins: Brier derived {d['Brier']:.4f} vs direct "
            f"{dd['Brier']:.4f} (derived - direct {fmt_ci(diff['brier'])}), 80% coverage "
            f"{d['cov80']:.3f} vs {dd['cov80']:.3f}, 95% coverage {d['cov95']:.3f} vs "
            f"{dd['cov95']:.3f}, CRPS {d['CRPS']:.4f} vs {dd['CRPS']:.4f} pp")


def write_decision(use: bool, text: str, path: Path = DERIVED_FILE) -> None:
    body = (f"{HEADER}{INDICATOR}:\n  use: {str(use).lower()}\n"
            f"  evidence: {json.dumps(text, ensure_ascii=False)}\n")
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help=f"origins {QUICK_ORIGINS[0]}-{QUICK_ORIGINS[-1]} only, 500 paths, 300 "
                    "tuning and 300 posterior draws per chain")
    ap.add_argument("--draws", type=int, default=2000, help="simulated paths per series")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--write", action="store_true",
                    help=f"write the decision to {DERIVED_FILE.relative_to(ROOT)}")
    ap.add_argument("--out", type=Path, help="also save the tables (markdown) here")
    args = ap.parse_args()
    if args.write and args.quick:
        ap.error("--write records the full benchmark's decision: drop --quick")
    origins = QUICK_ORIGINS if args.quick else ORIGINS
    draws = 500 if args.quick else args.draws
    pooled = PooledSettings(draws=300, tune=300) if args.quick else PooledSettings()
    cache = CACHE / ("quick" if args.quick else "full")
    clock = time.perf_counter()
    catalogue = load_catalogue()
    components = parse(INDICATOR, catalogue[INDICATOR].formula).components
    obs = observations(catalogue, components)
    regions = read_regions(DATA / "regions.csv")
    calibration = load_calibration()
    runs = []
    for origin in origins:
        start = time.perf_counter()
        runs.append(run_origin(obs, catalogue, regions, origin, draws, args.seed, calibration,
                               pooled, cache / str(origin)))
        fresh = sum(not f["cached"] for f in runs[-1].fits)
        print(f"origin {origin}: {len(runs[-1].train)} regions, {fresh} fits sampled, "
              f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    results, values = score(runs, obs, catalogue)
    a, b = results["derived"], results["direct"]
    same = a.metrics[["region", "origin"]].equals(b.metrics[["region", "origin"]])
    assert same, "the methods were scored on different series-origins"
    rows = {m: summary(results[m], values[values["method"] == m]) for m in METHODS}
    diffs = {"series-origins": paired(a, b, KEY, seed=0),
             "regions": paired(a, b, ["region"], seed=0)}
    use, why = decide(rows, diffs["series-origins"])
    full_dep = growth_correlation(series_table(obs), *components[:2], catalogue)
    seconds = time.perf_counter() - clock
    text = report(runs, rows, values, diffs, full_dep, use, why, draws, seconds)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.write:
        write_decision(use, evidence(rows, diffs["series-origins"], origins))
        print(f"wrote {DERIVED_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
