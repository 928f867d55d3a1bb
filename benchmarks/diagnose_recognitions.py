"""Where the count model and `bayes` part on the recognitions at one origin: a diagnosis.

The recognitions benchmark (``bench_counts.py --recognitions``) scores the count model behind
`bayes` in CRPS, and the gap is at origin 2020, in a few provinces whose medians are far off
(BENCHMARKS.md, "Real counts: high-tech firm recognitions"). This script fits both models to
that origin's panel (each province's 2018–2020 recognitions, pooled under `regions.csv`, default
settings) and prints:

- per province asked for: the last count seen, the count model's latest entry rate, both
  models' drift, and both models' median path against what happened next;
- over every province: the CRPS (scaled as the benchmark scales it) of each count family and of
  `bayes`, and each one's 80% interval as a share of its median, per province: where the gap is
  the start (the Poisson fit starts from the last count) and where it is width.

    python benchmarks/diagnose_recognitions.py [--origin 2020] [--regions 贵州,广东,北京,广西]

About 3 minutes on 2 cores (two count fits, Poisson and negative binomial, and one `bayes` fit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.evaluation.scoring import crps, naive_scale
from forecast.inputs.regions import parents_of, read_regions
from forecast.models.counts.family import NEGATIVE_BINOMIAL, POISSON, choose_family
from forecast.models.counts.fit import count_diagnostics, flow_loglik, sample_family, tidy
from forecast.models.counts.panel import build_count_panel
from forecast.models.counts.posterior import counts_from_idata
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.pooled.draws import nuts_posterior
from forecast.models.pooled.inference import diagnostics, sample
from forecast.models.pooled.panel import build_panel

DATA = Path(__file__).resolve().parent.parent / "data"
INDICATOR = "hitech_firms_recognized"
SEED, PATHS, HORIZON = 20261124, 8000, 3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--origin", type=int, default=2020, help="the last year fitted")
    ap.add_argument("--regions", default="贵州,广东,北京,广西", help="provinces to print")
    args = ap.parse_args()
    table = pd.read_csv(DATA / "benchmarks" / f"{INDICATOR}.csv").pivot_table(
        index="region", columns="year", values="value")
    seen = table.loc[:, table.columns <= args.origin]
    after = table.loc[:, (table.columns > args.origin)
                      & (table.columns <= args.origin + HORIZON)]
    parents = parents_of(read_regions(DATA / "regions.csv"))
    counts = {r: seen.loc[r].to_numpy().astype(int) for r in seen.index}

    # both families, as ``fit.sample_counts`` fits them, and the one leave-one-out keeps
    panel = build_count_panel(INDICATOR, counts, parents, True)
    settings = PooledSettings()
    raw = {f: sample_family(panel, settings, SEED, f == POISSON) for f in (POISSON,
                                                                         NEGATIVE_BINOMIAL)}
    kept = choose_family(*(flow_loglik(raw[f], panel, f == POISSON)
                           for f in (POISSON, NEGATIVE_BINOMIAL))).family
    fits = {f: tidy(raw[f], panel, settings, SEED, f == POISSON) for f in raw}
    posts = {f: counts_from_idata(fits[f], {}) for f in fits}
    count_post = posts[kept]
    logs = {r: np.log(v.astype(float)) for r, v in counts.items()}
    bayes_fit = sample(build_panel(INDICATOR, logs, parents), settings, SEED)
    bayes_post = nuts_posterior(bayes_fit, {})
    print(f"count model: {kept} kept, {count_diagnostics(fits[kept])}; negative-binomial "
          f"shape median {np.median(posts[NEGATIVE_BINOMIAL].shape):.1f}")
    print(f"bayes: {diagnostics(bayes_fit)}")

    paths = {}  # (model, region) -> paths
    for region, seen_counts in counts.items():
        for family, post in posts.items():
            paths[family, region] = post.for_region(region, len(seen_counts)).simulate(
                HORIZON, PATHS, np.random.default_rng(1))
        x = logs[region]
        bayes_draws = bayes_post.for_region(region, float(x[-1] - x[-2]), len(x))
        paths["bayes", region] = np.exp(bayes_draws.simulate(
            HORIZON, PATHS, np.random.default_rng(1), float(x[-1])))

    rows = []
    for region in args.regions.split(","):
        draws = count_post.for_region(region, len(counts[region]))
        count_paths, bayes_paths = paths[kept, region], paths["bayes", region]
        x = logs[region]
        bayes_draws = bayes_post.for_region(region, float(x[-1] - x[-2]), len(x))
        rows.append({
            "region": region, "seen": counts[region].tolist(),
            "latest rate (counts)": int(np.exp(np.median(draws.last_log_rate))),
            "drift counts / bayes": f"{np.median(draws.drift):.3f} / "
                                    f"{np.median(bayes_draws.drift):.3f}",
            "median counts": np.median(count_paths, 0).astype(int).tolist(),
            "median bayes": np.median(bayes_paths, 0).round().astype(int).tolist(),
            "outcome": after.loc[region].astype(int).tolist()})
    print(pd.DataFrame(rows).to_string(index=False))

    models = (POISSON, NEGATIVE_BINOMIAL, "bayes")
    every = []
    for region, seen_counts in counts.items():
        actual = after.loc[region].to_numpy(float)
        row = {"region": region}
        for model in models:
            p = paths[model, region]
            low, mid, high = np.quantile(p, [0.1, 0.5, 0.9], axis=0)
            row[f"CRPS {model}"] = crps(actual, p).mean() / naive_scale(seen_counts.astype(float))
            row[f"80% width / median {model}"] = float(np.mean((high - low) / mid))
        every.append(row)
    every = pd.DataFrame(every)
    print("\nmean CRPS (scaled): " + ", ".join(
        f"{m} {every[f'CRPS {m}'].mean():.3f}" for m in models))
    print(every.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
