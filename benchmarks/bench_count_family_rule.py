"""The learning set of a county alone: which rule for Poisson or negative binomial.

``bench_lone_county.py`` scores the count model as it is. This benchmark is where its family
rule was learned (issue 32): on other simulated counties (the same truth, another seed), every
county is fitted both ways, Poisson and negative binomial, and each rule is scored on the same
paths. A rule keeps the negative binomial where its elpd_loo beats Poisson's by more than c
standard errors of the difference (c = 1 was the first rule; today's is
``family.NB_MARGIN_SE``); "always" rules are the ends of the scale.

The over-dispersion prior (``counts.model.DISPERSION_SCALE``) is compiled into the model, so
priors are compared by running this script on two checkouts that differ in that constant and
reading their tables side by side (the counties, the truth and the seeds are the same).

    python benchmarks/bench_count_family_rule.py                 # 150 counties, seed 7
    python benchmarks/bench_count_family_rule.py --counties 10   # a quick look
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.evaluation.scoring import coverage, crps
from forecast.models.counts.family import choose_family
from forecast.models.counts.fit import count_diagnostics, flow_loglik, sample_family, tidy
from forecast.models.counts.panel import build_count_panel
from forecast.models.counts.posterior import counts_from_idata
from forecast.models.hierarchy.settings import PooledSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lone_county import AHEAD, PATHS, SEEN, oracle, truth, width

RULES = (("always Poisson", np.inf), ("NB if better by > 1 SE", 1.0),
         ("NB if better by > 0.5 SE", 0.5), ("NB if better at all", 0.0),
         ("Poisson unless NB worse by > 1 SE", -1.0), ("always NB", -np.inf))


def both_families(seen: np.ndarray, settings: PooledSettings, seed: int) -> dict:
    """Each family's pointwise log likelihood (the count's rate integrated out) and futures
    for one county (``fit.sample_counts`` without the choice)."""
    panel = build_count_panel("county_flow", {"county": seen}, {}, True)
    out = {}
    for family, poisson in (("poisson", True), ("nb", False)):
        raw = sample_family(panel, settings, seed, poisson)
        idata = tidy(raw, panel, settings, seed, poisson)
        diagnostics = count_diagnostics(idata)
        draws = counts_from_idata(idata, diagnostics).for_region("county", SEEN)
        out[family] = {"loglik": flow_loglik(raw, panel, poisson),
                       "paths": draws.simulate(AHEAD, PATHS, np.random.default_rng(seed)),
                       "divergences": diagnostics["divergences"]}
    return out


def score(name: str, county: int, paths: np.ndarray, ahead: np.ndarray, **extra) -> dict:
    return {"county": county, "who": name, "width": width(paths), "crps": crps(ahead, paths),
            "cov80": coverage(ahead, paths, 0.8), "cov95": coverage(ahead, paths, 0.95),
            **extra}


def rules_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Each rule's 80%/95% coverage (overall and by true family), width over the true
    process's, mean CRPS and share of counties given the negative binomial."""
    per = {w: frame[frame["who"] == w].set_index("county") for w in ("poisson", "nb", "truth")}
    true_width = np.stack(per["truth"]["width"]).mean()
    poisson_truth = per["truth"]["poisson_truth"].to_numpy(bool)
    rows = []
    for name, c in RULES:
        nb = (per["nb"]["diff"] > c * per["nb"]["se"]).to_numpy()

        def chosen(col: str, nb: np.ndarray = nb) -> np.ndarray:
            return np.stack([a if q else b for q, a, b in
                             zip(nb, per["nb"][col], per["poisson"][col], strict=True)])

        cov80 = chosen("cov80")
        rows.append({"rule": name, "cov80": cov80.mean(),
                     "cov80 Poisson truth": cov80[poisson_truth].mean(),
                     "cov80 NB truth": cov80[~poisson_truth].mean(),
                     "cov95": chosen("cov95").mean(),
                     "width / true": chosen("width").mean() / true_width,
                     "CRPS": chosen("crps").mean(), "NB kept": nb.mean()})
    rows.append({"rule": "true process", "cov80": per["truth"]["cov80"].mean(),
                 "cov95": per["truth"]["cov95"].mean(), "width / true": 1.0,
                 "CRPS": np.stack(per["truth"]["crps"]).mean()})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", type=int, default=150)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    settings, rows, start = PooledSettings(), [], time.perf_counter()
    for k in range(args.counties):
        case = truth(rng, poisson=k % 2 == 0)
        seen, ahead = case["counts"][:SEEN], case["counts"][SEEN:].astype(float)
        fits = both_families(seen, settings, args.seed + k)
        true = oracle(seen, case["drift"], case["poisson"], rng)
        choice = choose_family(fits["poisson"]["loglik"], fits["nb"]["loglik"])
        diff = choice.elpd_negative_binomial - choice.elpd_poisson
        se = choice.se_difference
        evidence = {"diff": diff, "se": se, "poisson_truth": case["poisson"]}
        for family in ("poisson", "nb"):
            rows.append(score(family, k, fits[family]["paths"], ahead,
                              divergences=fits[family]["divergences"], **evidence))
        rows.append(score("truth", k, true, ahead, **evidence))
        print(f"county {k}: {seen}, NB - Poisson elpd {diff:+.2f} (SE {se:.2f}), "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    print("\n" + markdown(rules_table(pd.DataFrame(rows))))


def markdown(table: pd.DataFrame) -> str:
    """The rules table as Markdown, three decimals, blanks for the true process's n/a."""
    lines = ["| " + " | ".join(table.columns) + " |",
             "|---" + "|---:" * (len(table.columns) - 1) + "|"]
    for row in table.itertuples(index=False):
        cells = [row[0], *("" if pd.isna(v) else f"{v:.3f}" for v in row[1:])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
