"""Parameter recovery: do the pooled model's 90% intervals contain the truth 90% of the time?

Data sets are simulated from the model itself: a nation, 6 provinces and 8 counties in each
(48 county series of 3-10 years, ending in the same year), drifts drawn down the tree, shocks
common to each year, Student-t shocks of region-specific size, and yearly changes that persist
around the drift (AR(1) with a coefficient drawn from -0.2 to 0.6). Each data set is fitted with the
default settings, and the share of true values inside the 90% central posterior intervals is
counted per kind of parameter, over all data sets. Well-calibrated inference gives about 0.90.

    python benchmarks/bench_recovery.py [--datasets 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from forecast.models.fitting import fit_pooled
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.panel import build_panel

PROVINCES, COUNTIES, YEARS = 6, 8, 10


def simulate(rng: np.random.Generator) -> tuple[dict, dict, dict]:
    """Series, parents and true parameters drawn from the model's own priors (trimmed to
    realistic ranges: drift spreads of 0.005-0.05, shock sizes around 0.03-0.08)."""
    truth = {"drift_mean": rng.normal(0.04, 0.03), "year_shock": rng.uniform(0.005, 0.03),
             "tau_province": rng.uniform(0.005, 0.03), "tau_county": rng.uniform(0.005, 0.03),
             "persistence": rng.uniform(-0.2, 0.6)}
    phi = truth["persistence"]
    nu = rng.uniform(4, 30)
    year_u = truth["year_shock"] * rng.standard_normal(YEARS)
    parents, series, drift = {}, {}, {"nation": truth["drift_mean"]}
    for p in range(PROVINCES):
        prov = f"p{p}"
        parents[prov] = "nation"
        drift[prov] = drift["nation"] + truth["tau_province"] * rng.standard_normal()
        for c in range(COUNTIES):
            county = f"{prov}-c{c}"
            parents[county] = prov
            drift[county] = drift[prov] + truth["tau_county"] * rng.standard_normal()
            sigma = np.exp(np.log(0.05) + 0.3 * rng.standard_normal())
            n = int(rng.integers(3, YEARS + 1))
            shocks = year_u[YEARS - n + 1:] + sigma * rng.standard_t(nu, n - 1)
            changes = np.empty(n - 1)
            for t in range(n - 1):  # the model's AR(1) around the drift, from the first change
                carried = phi * (changes[t - 1] - drift[county]) if t else 0.0
                changes[t] = drift[county] + carried + shocks[t]
            series[county] = np.r_[0.0, np.cumsum(changes)]
    return series, parents, {**truth, "drift": drift}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    inside: dict[str, list[bool]] = {"county drift": [], "province drift": [],
                                     "national drift": [], "year shock sd": [],
                                     "persistence": []}
    start = time.perf_counter()
    divergences, rhat = 0, 0.0
    for k in range(args.datasets):
        series, parents, truth = simulate(rng)
        (post, diag), = fit_pooled({"x": build_panel("x", series, parents)},
                                   PooledSettings(), seed=k).values()
        divergences += diag["divergences"]
        rhat = max(rhat, diag["r_hat_max"])
        lo, hi = np.quantile(post.drift, [0.05, 0.95], axis=0)
        for j, region in enumerate(post.regions):
            kind = ("national drift" if region == "nation" else
                    "county drift" if "-c" in region else "province drift")
            inside[kind].append(bool(lo[j] <= truth["drift"][region] <= hi[j]))
        ys_lo, ys_hi = np.quantile(post.year_shock, [0.05, 0.95])
        inside["year shock sd"].append(bool(ys_lo <= truth["year_shock"] <= ys_hi))
        p_lo, p_hi = np.quantile(post.persistence, [0.05, 0.95])
        inside["persistence"].append(bool(p_lo <= truth["persistence"] <= p_hi))
    seconds = time.perf_counter() - start
    print(f"{args.datasets} simulated data sets (nation, {PROVINCES} provinces x {COUNTIES} "
          f"counties, 3-{YEARS} years), default settings; {seconds:.0f} s, R-hat max "
          f"{rhat:.3f}, {divergences} divergences in all\n")
    print("| parameter | intervals | share containing the truth (nominal 0.90) |")
    print("|---|---:|---:|")
    for kind, hits in inside.items():
        print(f"| {kind} | {len(hits)} | {np.mean(hits):.3f} |")


if __name__ == "__main__":
    main()
