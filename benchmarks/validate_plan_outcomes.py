"""Is the plan-as-a-whole layer calibrated? Each province's indicators as one plan, on the real
provincial series, origins 2015-2020.

For each origin O and each of the 31 provinces, a plan of planner-style targets three years
on: for each of the province's six indicators (R&D intensity, R&D spending, GDP, the
basic-research share, technology contracts, valid invention patents), the value at O plus m
times its past annual pace times 3, for m = ½ and 1½ (the provincial backtest's threshold
events), so up to 12 targets a plan. ``forecast run --as-of O`` (the default model and seed,
pooled over the provinces, no reports, no own-data check) gives each target's probability and
the plan's distribution of the number met (plan_outcomes.csv); what was met is read from the
year O+3 of the same series. Reported, for the joint distribution and for the
Poisson-binomial of the same marginals (targets taken as independent):

- the randomised PIT of the realised count (flat when calibrated: its variance 1/12; larger
  means the distribution is too narrow), its 10-bin histogram and the share of plans whose
  count fell in the 80% range;
- P(all met): the mean forecast against the realised frequency, and its Brier score;

with 95% bootstrap intervals (plans resampled, 2,000 times) on the differences joint minus
independent of the PIT variance's distance from 1/12 and of the Brier score of P(all met).

    .venv/bin/python benchmarks/validate_plan_outcomes.py            # about 10 minutes
    .venv/bin/python benchmarks/validate_plan_outcomes.py --origins 2019 2020
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import forecast
from forecast.config import EXAMPLE_ROOT
from forecast.evaluation.corp import randomised_pit_histogram

INDICATORS = ("rd_intensity", "rd_expenditure", "gdp", "basic_research_share_rd",
              "tech_contract_turnover", "valid_invention_patents")
MULTIPLES = (0.5, 1.5)
HORIZON = 3


def poisson_binomial(p: np.ndarray) -> np.ndarray:
    """P(exactly k of independent events with probabilities p), k = 0 ... len(p)."""
    dist = np.array([1.0])
    for q in p:
        dist = np.convolve(dist, [1 - q, q])
    return dist


def pit_range(dist: np.ndarray, k: int) -> tuple[float, float]:
    """The randomised PIT's range [F(k-1), F(k)] of a realised count k."""
    cdf = np.cumsum(dist)
    return (float(cdf[k - 1]) if k > 0 else 0.0), float(min(cdf[k], 1.0))


def pit_variance(ranges: list[tuple[float, float]]) -> float:
    """E[(U - ½)²] of the randomised PIT over the cases: 1/12 for a calibrated forecast."""
    total = 0.0
    for a, b in ranges:
        total += ((b - 0.5) ** 3 - (a - 0.5) ** 3) / (3 * (b - a)) if b > a else (a - 0.5) ** 2
    return total / len(ranges)


def pit_distance(ranges: list[tuple[float, float]]) -> float:
    """How far the randomised PIT's variance is from a calibrated forecast's 1/12."""
    return abs(pit_variance(ranges) - 1 / 12)


def bootstrap(cases: list[dict], stat, reps: int = 2000, seed: int = 1) -> list[float]:
    """The 95% interval of ``stat(cases)`` over plans resampled with replacement."""
    rng = np.random.default_rng(seed)
    values = [stat([cases[i] for i in rng.integers(0, len(cases), len(cases))])
              for _ in range(reps)]
    return [round(float(v), 4) for v in np.quantile(values, (0.025, 0.975))]


def quantile(dist: np.ndarray, q: float) -> int:
    return int(np.argmax(np.cumsum(dist) >= q - 1e-12))


def plans_for(obs: pd.DataFrame, origin: int, folder: Path) -> dict[str, dict]:
    """One plan file per province; returns plan id -> {target id: realised outcome}."""
    outcomes: dict[str, dict] = {}
    for region, rows in obs.groupby("region"):
        lines, met = [], {}
        for ind in INDICATORS:
            s = rows[rows["indicator"] == ind].set_index("year")["value"].sort_index()
            train = s[s.index <= origin]
            if origin not in train.index or origin + HORIZON not in s.index or len(train) < 3:
                continue
            pace = (train.iloc[-1] - train.iloc[0]) / (len(train) - 1)
            for m in MULTIPLES:
                value = float(train.iloc[-1] + m * pace * HORIZON)
                tid = f"{ind}-m{str(m).replace('.', '')}"
                lines.append(f"  - {{id: {tid}, indicator: {ind}, op: '>=', value: {value:.6g}, "
                             f"year: {origin + HORIZON}, base_year: {origin}, text: x}}")
                met[tid] = bool(s[origin + HORIZON] >= float(f"{value:.6g}"))
        if lines:
            pid = f"p{origin}-{len(outcomes):02d}"
            (folder / f"{pid}.yaml").write_text(
                f"plan: {{id: {pid}, title: {region}, region: {region}}}\ntargets:\n"
                + "\n".join(lines) + "\n", encoding="utf-8")
            outcomes[pid] = met
    return outcomes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--origins", type=int, nargs="+", default=list(range(2015, 2021)))
    ap.add_argument("--out", type=Path, default=Path("reports/validate_plan_outcomes.json"))
    args = ap.parse_args()
    regions = pd.read_csv(EXAMPLE_ROOT / "data" / "regions.csv")
    provinces = set(regions.loc[regions["level"] == "province", "region"])
    obs = pd.read_csv(EXAMPLE_ROOT / "data" / "observations.csv")
    obs = obs[obs["region"].isin(provinces) & obs["indicator"].isin(INDICATORS)]
    cases = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        (root / "data" / "plans").mkdir(parents=True)
        obs.to_csv(root / "data" / "observations.csv", index=False)
        shutil.copy(EXAMPLE_ROOT / "data" / "regions.csv", root / "data" / "regions.csv")
        for origin in args.origins:
            for f in (root / "data" / "plans").glob("*.yaml"):
                f.unlink()
            realised = plans_for(obs, origin, root / "data" / "plans")
            ws = forecast.open_workspace(root)
            done = ws.run(ws.settings(as_of=origin, scenarios=[]), reports=False, check=False,
                          out=Path(tmp) / f"run{origin}")
            rows = done.probabilities[done.probabilities["scenario"] == "baseline"]
            plan_rows = done.assessment.plan_outcomes
            plan_rows = plan_rows[plan_rows["scenario"] == "baseline"].set_index("plan_id")
            for pid, met in realised.items():
                mine = rows[(rows["plan_id"] == pid) & rows["assessable"]]
                probs = mine.set_index("target_id")["probability"]
                joint = np.array([float(x) for x in plan_rows.loc[pid, "met_distribution"]
                                  .split()])
                assert len(joint) == len(probs) + 1, (pid, len(joint), len(probs))
                k = sum(met[t] for t in probs.index)
                cases.append({"origin": origin, "plan": pid, "targets": len(probs), "met": k,
                              "joint": joint, "independent": poisson_binomial(probs.values),
                              "p_all_joint": float(plan_rows.loc[pid, "p_all_met"]),
                              "p_all_product": float(np.prod(probs.values)),
                              "all_met": k == len(probs)})
            print(f"origin {origin}: {len(realised)} plans "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
    summary = {"cases": len(cases), "origins": args.origins, "horizon": HORIZON,
               "multiples": list(MULTIPLES),
               "targets_per_plan": float(np.mean([c["targets"] for c in cases]))}
    for name in ("joint", "independent"):
        ranges = [pit_range(c[name], c["met"]) for c in cases]
        inside = [quantile(c[name], 0.1) <= c["met"] <= quantile(c[name], 0.9) for c in cases]
        summary[name] = {
            "pit_variance": round(pit_variance(ranges), 4),
            "pit_histogram": [round(float(h), 3) for h in randomised_pit_histogram(
                [a for a, _ in ranges], [b for _, b in ranges])],
            "count_in_80_range": round(float(np.mean(inside)), 3),
            "mean_count_forecast": round(float(np.mean(
                [np.dot(np.arange(len(c[name])), c[name]) for c in cases])), 3),
        }
    realised_all = np.array([c["all_met"] for c in cases], float)
    for name, key in (("joint", "p_all_joint"), ("independent", "p_all_product")):
        p = np.array([c[key] for c in cases])
        summary[name]["p_all_mean"] = round(float(p.mean()), 4)
        summary[name]["p_all_brier"] = round(float(np.mean((p - realised_all) ** 2)), 4)
    summary["all_met_frequency"] = round(float(realised_all.mean()), 4)
    summary["all_met_plans"] = int(realised_all.sum())

    def pit_gain(cs: list[dict]) -> float:  # below 0: the joint PIT is nearer flat
        return (pit_distance([pit_range(c["joint"], c["met"]) for c in cs])
                - pit_distance([pit_range(c["independent"], c["met"]) for c in cs]))

    def brier_gain(cs: list[dict]) -> float:  # below 0: the joint P(all met) scores better
        return float(np.mean([(c["p_all_joint"] - c["all_met"]) ** 2
                              - (c["p_all_product"] - c["all_met"]) ** 2 for c in cs]))

    summary["joint_minus_independent"] = {
        "pit_variance_distance": round(pit_gain(cases), 4),
        "pit_variance_distance_95": bootstrap(cases, pit_gain),
        "p_all_brier": round(brier_gain(cases), 4),
        "p_all_brier_95": bootstrap(cases, brier_gain)}
    summary["mean_count_realised"] = round(float(np.mean([c["met"] for c in cases])), 3)
    summary["seconds"] = round(time.perf_counter() - start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    pd.DataFrame([{k: v for k, v in c.items() if k not in ("joint", "independent")}
                  for c in cases]).to_csv(args.out.with_suffix(".csv"), index=False)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
