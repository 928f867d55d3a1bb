"""Where the count model and `bayes` part on the recognitions at one origin: a diagnosis.

The recognitions benchmark (``bench_counts.py --recognitions``) scores the count model behind
`bayes` in CRPS, and the gap is at origin 2020, in a few provinces whose medians are far off
(BENCHMARKS.md, "Real counts: high-tech firm recognitions"). This script fits both models to
that origin's panel (each province's 2018–2020 recognitions, pooled under `regions.csv`, default
settings) and prints, per province asked for: the last count seen, the count model's latest
entry rate, both models' drift, and both models' median path against what happened next.

    python benchmarks/diagnose_recognitions.py [--origin 2020] [--regions 贵州,广东,北京,广西]

About 3 minutes on 2 cores (two count fits, Poisson and negative binomial, and one `bayes` fit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.inputs.regions import parents_of, read_regions
from forecast.models.counts.fit import count_diagnostics, sample_counts
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

    count_fit = sample_counts(build_count_panel(INDICATOR, counts, parents, True),
                              PooledSettings(), SEED)
    count_post = counts_from_idata(count_fit, {})
    logs = {r: np.log(v.astype(float)) for r, v in counts.items()}
    bayes_fit = sample(build_panel(INDICATOR, logs, parents), PooledSettings(), SEED)
    bayes_post = nuts_posterior(bayes_fit, {})
    print(f"count model: {count_diagnostics(count_fit)}; negative-binomial shape median "
          f"{np.median(count_post.shape):.1f}")
    print(f"bayes: {diagnostics(bayes_fit)}")

    rows = []
    for region in args.regions.split(","):
        draws = count_post.for_region(region, len(counts[region]))
        count_paths = draws.simulate(HORIZON, PATHS, np.random.default_rng(1))
        x = logs[region]
        bayes_draws = bayes_post.for_region(region, float(x[-1] - x[-2]), len(x))
        bayes_paths = np.exp(bayes_draws.simulate(HORIZON, PATHS, np.random.default_rng(1),
                                                  float(x[-1])))
        rows.append({
            "region": region, "seen": counts[region].tolist(),
            "latest rate (counts)": int(np.exp(np.median(draws.last_log_rate))),
            "drift counts / bayes": f"{np.median(draws.drift):.3f} / "
                                    f"{np.median(bayes_draws.drift):.3f}",
            "median counts": np.median(count_paths, 0).astype(int).tolist(),
            "median bayes": np.median(bayes_paths, 0).round().astype(int).tolist(),
            "outcome": after.loc[region].astype(int).tolist()})
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
