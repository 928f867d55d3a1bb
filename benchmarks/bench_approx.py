"""The fast approximation of the pooled model (`approx`) against full NUTS, and its speed.

Calibration (default): a rolling-origin backtest on the bundled provinces (data/observations.csv,
the nation and its 31 provinces of data/regions.csv) for rd_intensity, rd_expenditure, gdp,
tech_contract_turnover, valid_invention_patents and basic_research_share_rd. For each origin
2015-2020 each indicator's panel of years <= origin is fitted twice, by full NUTS and by the
approximation forced onto a sub-panel of only ``--leaves`` (10) of the 31 provinces, and every
province or nation with 2+ training points is simulated 1-3 years ahead from both, with the same
random numbers, through ``forecast.simulate.pooled_paths`` as a run does (values held within
``max_deviation`` of each year's median) but with no calibration, so the two inferences are
compared, not their corrections. Scores on the indicator's own scale: 80%/95% coverage of the
held-out values and CRPS divided by the series' in-sample naive MAE (as ``forecast.backtest``).

Speed (``--national DIR``): seconds of ``fit_approx`` for the first ``--indicators`` indicators
of a synthetic workspace from benchmarks/make_national.py (the first fit includes compiling).

    python benchmarks/bench_approx.py                       # about 10 minutes on 2 idle cores
    python benchmarks/bench_approx.py --national /tmp/nat3000 --indicators 5
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.evaluation import scoring
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.observations import read_observations
from forecast.inputs.regions import parents_of, read_regions
from forecast.inputs.series import series_table, usable_history
from forecast.models.fitting import model_series, series_ends
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.approx import fit_approx
from forecast.models.pooled.inference import diagnostics, sample, used_levels
from forecast.models.pooled.panel import build_panel
from forecast.models.pooled.posterior import from_idata
from forecast.models.transforms import transform_for
from forecast.simulation.simulate import pooled_paths
from forecast.streams import rng_for, stable_key

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = ("rd_intensity", "rd_expenditure", "gdp", "tech_contract_turnover",
              "valid_invention_patents", "basic_research_share_rd")
ORIGINS = range(2015, 2021)
HORIZON = 3
SEED = 20240601


def provincial_frames() -> tuple[pd.DataFrame, dict[str, str]]:
    """The nation and provinces' observations of INDICATORS, and their tree."""
    regions = read_regions(ROOT / "data" / "regions.csv")
    regions = regions[regions["level"].isin(["nation", "province"])]
    obs = pd.read_csv(ROOT / "data" / "observations.csv")
    obs = obs[obs["indicator"].isin(INDICATORS) & obs["region"].isin(regions["region"])]
    return obs, parents_of(regions)


def origin_series(obs: pd.DataFrame, indicator: str, origin: int):
    """region -> (training values on the indicator's scale, its transform, held-out values by
    year) for series whose most recent consecutive run ends at ``origin``."""
    catalogue = load_catalogue()
    out = {}
    for region, frame in obs[obs["indicator"] == indicator].groupby("region"):
        frame = frame.sort_values("year")
        train = frame[frame["year"] <= origin]
        years, values, _ = usable_history(train["year"].to_numpy(), train["value"].to_numpy())
        if len(values) == 0 or years[-1] != origin:
            continue
        transform = transform_for(catalogue[indicator], values)
        if transform.name == "identity":
            continue
        held = dict(zip(frame["year"], frame["value"], strict=True))
        out[region] = (values, transform, held)
    return out


def fit_seed(indicator: str, origin: int) -> int:
    return stable_key(str(SEED), indicator, str(origin)) % (2**31)


def score(indicator: str, origin: int, series: dict, posterior, n_paths: int,
          method: str) -> list[dict]:
    """One row per region and horizon with a held-out value."""
    rows, catalogue = [], load_catalogue()
    for region, (values, transform, held) in series.items():
        if len(values) < 2:
            continue
        z = transform.continuous().forward(values)
        draws = posterior.for_region(region, z[-1] - z[-2], len(z))
        rng = rng_for(SEED, region, indicator, str(origin))  # the same for both methods
        paths = transform.inverse(pooled_paths(draws, catalogue[indicator], z, HORIZON,
                                               n_paths, rng))
        scale = scoring.naive_scale(values)
        for h in range(1, HORIZON + 1):
            actual = held.get(origin + h)
            if actual is None or scale <= 0:
                continue
            column = paths[:, h - 1:h]
            rows.append({
                "method": method, "indicator": indicator, "origin": origin, "region": region,
                "horizon": h,
                "coverage_80": scoring.coverage(np.array([actual]), column, 0.80),
                "coverage_95": scoring.coverage(np.array([actual]), column, 0.95),
                "CRPS_scaled": float(scoring.crps(np.array([actual]), column)[0]) / scale,
            })
    return rows


def calibration(settings: PooledSettings, leaves: int, n_paths: int,
                origins: range = ORIGINS) -> None:
    obs, parents = provincial_frames()
    rows, fits = [], []
    for origin in origins:
        for indicator in INDICATORS:
            series = origin_series(obs, indicator, origin)
            panel = build_panel(indicator, {r: t.continuous().forward(v)
                                            for r, (v, t, _) in series.items()}, parents,
                                rounding={r: t.rounding_sd(v)
                                          for r, (v, t, _) in series.items()})
            seed = fit_seed(indicator, origin)
            for method in ("nuts", "approx"):
                start = time.perf_counter()
                idata = (sample(panel, settings, seed) if method == "nuts" else
                         fit_approx(panel, settings, seed, max_leaves=leaves))
                seconds = time.perf_counter() - start
                diag = diagnostics(idata, used_levels(panel))
                fits.append({"method": method, "seconds": seconds, **diag})
                rows += score(indicator, origin, series, from_idata(idata, diag), n_paths,
                              method)
            print(f"origin {origin} {indicator}: {panel.n_nodes} nodes", flush=True)
    table = pd.DataFrame(rows)
    metrics = ["coverage_80", "coverage_95", "CRPS_scaled"]
    by_h = table.pivot_table(index="horizon", columns="method", values=metrics, aggfunc="mean")
    overall = table.groupby("method")[metrics].mean()
    by_ind = table.pivot_table(index="indicator", columns="method", values=metrics,
                               aggfunc="mean")
    n = table[table["method"] == "nuts"].groupby("horizon").size()
    print(f"\n## Approximation ({leaves} of 31 provinces sampled) vs full NUTS, provinces, "
          f"origins {origins[0]}-{origins[-1]}\n")
    print("| horizon | n | cov80 NUTS | cov80 approx | cov95 NUTS | cov95 approx | "
          "CRPS/MAE NUTS | CRPS/MAE approx |")
    print("|---|---|---|---|---|---|---|---|")
    for h, r in by_h.iterrows():
        print(f"| {h} | {n[h]} | {r[('coverage_80', 'nuts')]:.3f} | "
              f"{r[('coverage_80', 'approx')]:.3f} | {r[('coverage_95', 'nuts')]:.3f} | "
              f"{r[('coverage_95', 'approx')]:.3f} | {r[('CRPS_scaled', 'nuts')]:.3f} | "
              f"{r[('CRPS_scaled', 'approx')]:.3f} |")
    print(f"| all | {n.sum()} | {overall.loc['nuts', 'coverage_80']:.3f} | "
          f"{overall.loc['approx', 'coverage_80']:.3f} | "
          f"{overall.loc['nuts', 'coverage_95']:.3f} | "
          f"{overall.loc['approx', 'coverage_95']:.3f} | "
          f"{overall.loc['nuts', 'CRPS_scaled']:.3f} | "
          f"{overall.loc['approx', 'CRPS_scaled']:.3f} |")
    print("\n| indicator | cov80 NUTS | cov80 approx | cov95 NUTS | cov95 approx | "
          "CRPS/MAE NUTS | CRPS/MAE approx |")
    print("|---|---|---|---|---|---|---|")
    for ind, r in by_ind.iterrows():
        print(f"| {ind} | " + " | ".join(f"{r[(m, k)]:.3f}" for m in metrics
                                         for k in ("nuts", "approx")) + " |")
    fit = pd.DataFrame(fits).groupby("method").agg(
        fits=("seconds", "size"), seconds_median=("seconds", "median"),
        r_hat_max=("r_hat_max", "max"), ess_bulk_min=("ess_bulk_min", "min"),
        divergences=("divergences", "sum"))
    print("\n| method | fits | median s | max R-hat | min bulk ESS | divergences |")
    print("|---|---|---|---|---|---|")
    for m, r in fit.iterrows():
        print(f"| {m} | {r['fits']:.0f} | {r['seconds_median']:.1f} | {r['r_hat_max']:.3f} | "
              f"{r['ess_bulk_min']:.0f} | {r['divergences']:.0f} |")


def national(workspace: Path, settings: PooledSettings, indicators: int, leaves: int) -> None:
    catalogue = load_catalogue()
    regions = read_regions(workspace / "data" / "regions.csv")
    obs = read_observations(workspace / "data" / "observations.csv", catalogue, regions)
    table, parents = series_table(obs), parents_of(regions)
    print("| indicator | nodes | wall s | CPU s | R-hat max | bulk ESS min | divergences |")
    print("|---|---|---|---|---|---|---|")
    for indicator in sorted(obs["indicator"].cat.categories)[:indicators]:
        values, rounding = model_series(table, catalogue, indicator)
        panel = build_panel(indicator, values, parents,
                            series_ends(table, [indicator])[indicator], rounding)
        wall, cpu = time.perf_counter(), time.process_time()
        idata = fit_approx(panel, settings, fit_seed(indicator, 0), max_leaves=leaves)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        d = diagnostics(idata, used_levels(panel))
        print(f"| {indicator} | {panel.n_nodes} | {wall:.1f} | {cpu:.1f} | {d['r_hat_max']} | "
              f"{d['ess_bulk_min']:.0f} | {d['divergences']} |", flush=True)


def main() -> None:
    from forecast.models.pooled.approx import MAX_LEAVES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", type=Path, help="time fit_approx on this workspace")
    parser.add_argument("--indicators", type=int, default=5)
    parser.add_argument("--leaves", type=int, help="leaves sampled (10 provinces, or "
                        f"{MAX_LEAVES} with --national)")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--paths", type=int, default=4000)
    parser.add_argument("--origins", default=f"{ORIGINS[0]}-{ORIGINS[-1]}",
                        help="first-last origin year of the calibration backtest")
    args = parser.parse_args()
    first, last = (int(y) for y in args.origins.split("-"))
    settings = PooledSettings(draws=args.draws, tune=args.tune, chains=args.chains)
    if args.national:
        national(args.national, settings, args.indicators, args.leaves or MAX_LEAVES)
    else:
        calibration(settings, args.leaves or 10, args.paths, range(first, last + 1))


if __name__ == "__main__":
    main()
