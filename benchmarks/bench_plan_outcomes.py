"""What the plan as a whole costs: `assess` with the joint layer against the same run without it.

What: the seconds of ``forecast.assessment.run.assess`` (everything a run does but fitting and
writing files) on the bundled example and on the SYNTHETIC national workspace of
``make_national.py``, with each plan's futures joined (``region.joint_orders``, then
``plan_outcomes.csv``) and with the joining switched off (every path left in its own order;
the correlations are still laid out and the plans still counted),
side by side in one process, best of ``--repeats``. Both use the single-series model
(`--model trend`): no fits, so the simulation is the whole run and the joint layer's share is
at its largest. Also checks that the rows are the same bytes either way. Why: the issue asks
that the joint layer add at most 20% to a bundled run, and for its cost at national scale.

    python benchmarks/bench_plan_outcomes.py [--regions 3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_national import temporary_workspace


def timed(inputs, settings, joined: bool, repeats: int) -> tuple[float, object]:
    from forecast.assessment import region
    from forecast.assessment.run import assess

    original = region.joint_orders
    if not joined:
        region.joint_orders = lambda work, results, seed: {}
    try:
        best, result = float("inf"), None
        for _ in range(repeats):
            start = time.perf_counter()
            result = assess(inputs, settings)
            best = min(best, time.perf_counter() - start)
    finally:
        region.joint_orders = original
    return best, result


def measure(name: str, workspace: Path, repeats: int) -> str:
    from forecast.api import open_workspace

    ws = open_workspace(workspace)
    settings = ws.settings(model="trend")
    apart_s, apart = timed(ws.inputs, settings, False, repeats)
    joined_s, joined = timed(ws.inputs, settings, True, repeats)
    same = joined.rows.to_csv() == apart.rows.to_csv()
    plans = joined.plan_outcomes["plan_id"].nunique()
    return (f"| {name} | {len(joined.rows):,} | {plans:,} | {apart_s:.2f} | {joined_s:.2f} | "
            f"{joined_s / apart_s - 1:+.0%} | {same} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from forecast.config import EXAMPLE_DATA

    print("| workspace (`--model trend`) | rows | plans | without joint s | with joint s | "
          "added | rows the same bytes |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(measure("bundled example", EXAMPLE_DATA.parent, args.repeats), flush=True)
    with temporary_workspace(args.regions) as folder:
        print(measure(f"national {args.regions:,} × 30 (one process)", folder, 1), flush=True)


if __name__ == "__main__":
    main()
