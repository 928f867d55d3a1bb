"""A county alone: the count model's futures for a single short series against the truth's.

The issue's case: a county's flow of 5, 3, 6, 4, 5 a year, no peers, no province with data.
Its futures can only be as narrow as its own five counts and the priors allow. This benchmark
simulates many such counties from a known truth and asks two things of the count model:

1. Calibration: the central 80% intervals of the next five years hold 75-85% of the true
   values (read through the randomised PIT, as every count benchmark here).
2. Sharpness: the intervals are at most 20% wider than the true process's own. The true
   process's interval is the predictive of someone who knows the county's drift, walk step
   and count family (but, like the model, sees only the five counts): computed independently
   by importance sampling, 200,000 latent paths of the true walk weighted by the likelihood of
   the five counts (``oracle``).

The truth, per county: a starting rate log-uniform between 2 and 20 a year (the seed plans'
county counts); a drift of N(0.03, 0.05) a year (the bench_counts truth: a province growing 3%
a year, cities and counties each ±3% around it); a walk step of 0.1 (log scale); counts
Poisson in half the counties and negative binomial of shape 5 in the other half. Five years
are seen and the next five are scored. The model is fitted to each county alone, as a run
with no peers would (`forecast run` on one region), Poisson or negative binomial chosen by LOO.

    python benchmarks/bench_lone_county.py              # 60 counties, about 25 minutes
    python benchmarks/bench_lone_county.py --counties 8 # a quick look
    python benchmarks/bench_lone_county.py --counties 100 --keep new.csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.evaluation.scoring import coverage, crps
from forecast.models.counts.fit import count_diagnostics, sample_counts
from forecast.models.counts.panel import build_count_panel
from forecast.models.counts.posterior import counts_from_idata
from forecast.models.hierarchy.settings import PooledSettings

SEEN, AHEAD, STEP, SHAPE = 5, 5, 0.1, 5.0
RATES = (2.0, 20.0)
DRIFT = (0.03, 0.05)
PARTICLES, PATHS = 200_000, 4000


def truth(rng: np.random.Generator, poisson: bool) -> dict:
    """One county's parameters and its ten years of counts (five seen, five ahead)."""
    drift = rng.normal(*DRIFT)
    log_rate = rng.uniform(*np.log(RATES)) + np.cumsum(
        np.r_[0.0, drift + STEP * rng.standard_normal(SEEN + AHEAD - 1)])
    counts = draw_counts(rng, np.exp(log_rate), poisson)
    return {"drift": drift, "poisson": poisson, "counts": counts}


def draw_counts(rng: np.random.Generator, rate: np.ndarray, poisson: bool) -> np.ndarray:
    if poisson:
        return rng.poisson(rate)
    return rng.negative_binomial(SHAPE, SHAPE / (SHAPE + rate))


def log_likelihood(counts: np.ndarray, rate: np.ndarray, poisson: bool) -> np.ndarray:
    from scipy import stats

    if poisson:
        return stats.poisson.logpmf(counts, rate).sum(axis=-1)
    return stats.nbinom.logpmf(counts, SHAPE, SHAPE / (SHAPE + rate)).sum(axis=-1)


def oracle(seen: np.ndarray, drift: float, poisson: bool, rng: np.random.Generator
           ) -> np.ndarray:
    """The true process's futures given the seen counts: latent walks drawn from the truth
    (the starting rate from its log-uniform law, the known drift and step), weighted by the
    likelihood of the seen counts, resampled, walked on and counted (PATHS x AHEAD)."""
    start = rng.uniform(*np.log(RATES), size=PARTICLES)
    walk = start[:, None] + np.cumsum(np.c_[np.zeros(PARTICLES), drift + STEP
                                            * rng.standard_normal((PARTICLES, SEEN - 1))],
                                      axis=1)
    logw = log_likelihood(seen, np.exp(walk), poisson)
    w = np.exp(logw - logw.max())
    keep = rng.choice(PARTICLES, size=PATHS, p=w / w.sum())
    ahead = walk[keep, -1:] + np.cumsum(drift + STEP * rng.standard_normal((PATHS, AHEAD)),
                                        axis=1)
    return draw_counts(rng, np.exp(ahead), poisson).astype(float)


def model_paths(seen: np.ndarray, settings: PooledSettings, seed: int
                ) -> tuple[np.ndarray, dict]:
    panel = build_count_panel("county_flow", {"county": seen}, {}, True)
    idata = sample_counts(panel, settings, seed)
    diagnostics = count_diagnostics(idata)
    draws = counts_from_idata(idata, diagnostics).for_region("county", SEEN)
    paths = draws.simulate(AHEAD, PATHS, np.random.default_rng(seed))
    return paths, {**diagnostics, "family": idata.posterior.attrs["family"]}


def width(paths: np.ndarray) -> np.ndarray:
    lo, hi = np.quantile(paths, [0.1, 0.9], axis=0)
    return hi - lo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--keep", type=Path, help="also write each county's scores to this CSV, "
                    "to pair two versions of the model county by county")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    settings = PooledSettings()
    rows, start = [], time.perf_counter()
    for k in range(args.counties):
        case = truth(rng, poisson=k % 2 == 0)
        seen, ahead = case["counts"][:SEEN], case["counts"][SEEN:].astype(float)
        model, info = model_paths(seen, settings, args.seed + k)
        true = oracle(seen, case["drift"], case["poisson"], rng)
        for name, paths in (("model", model), ("truth", true)):
            rows.append({"county": k, "who": name, "true_family": "poisson" if case["poisson"]
                         else "negative-binomial", "family": info["family"],
                         "divergences": info["divergences"], "r_hat": info["r_hat_max"],
                         **{f"width_{h + 1}": w for h, w in enumerate(width(paths))},
                         **{f"crps_{h + 1}": c for h, c in enumerate(crps(ahead, paths))},
                         "cov80": coverage(ahead, paths, 0.8),
                         "cov95": coverage(ahead, paths, 0.95)})
        print(f"county {k}: {seen} -> {ahead.astype(int)}  family {info['family']}, "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    frame = pd.DataFrame(rows)
    if args.keep:
        frame.to_csv(args.keep, index=False)
    report(frame)


def report(frame: pd.DataFrame) -> None:
    """Coverage of both, the width ratio per horizon with a bootstrap interval over counties,
    and how often LOO picked the true family."""
    model, true = (frame[frame["who"] == w].set_index("county") for w in ("model", "truth"))
    print("\n| | model | true process |\n|---|---:|---:|")
    for col in ("cov80", "cov95"):
        print(f"| {col} | {model[col].mean():.3f} | {true[col].mean():.3f} |")
    print(f"| CRPS, mean over 5 years | {model.filter(like='crps').mean().mean():.3f} | "
          f"{true.filter(like='crps').mean().mean():.3f} |")
    rng = np.random.default_rng(0)
    print("\n| horizon | 80% width, model / truth | 95% interval |\n|---|---:|---:|")
    for h in range(1, AHEAD + 1):
        m, t = model[f"width_{h}"].to_numpy(), true[f"width_{h}"].to_numpy()
        idx = rng.integers(0, len(m), size=(2000, len(m)))
        boot = m[idx].mean(1) / t[idx].mean(1)
        lo, hi = np.quantile(boot, [0.025, 0.975])
        print(f"| {h} | {m.mean() / t.mean():.3f} | [{lo:.3f}, {hi:.3f}] |")
    m = model.filter(like="width").to_numpy().mean()
    t = true.filter(like="width").to_numpy().mean()
    print(f"| all | {m / t:.3f} | |")
    right = (model["family"] == model["true_family"]).mean()
    print(f"\nLOO chose the true family in {right:.0%} of counties; "
          f"{int(model['divergences'].sum())} divergences, R-hat max {model['r_hat'].max():.3f}.")


if __name__ == "__main__":
    main()
