"""How well `forecast extract` reads the seed plans: precision and recall per seed.

The five seed documents in data/documents/ are the development set; their hand-encoded
plans in data/plans/*.yaml (matched by `source:`) are the gold standard. A target counts as
read when its (value, year, kind, op) equals a gold target's (forecast.extract.agreement).
Also reports the seconds per document and how often readings at each confidence level were
right.

    python benchmarks/bench_extract.py [--seeds DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import yaml

from forecast.extract import extract_plan
from forecast.extract.agreement import agreement, plan_keys, target_key

ROOT = Path(__file__).resolve().parents[1]


def gold_plans(folder: Path) -> dict[str, dict]:
    """Bundled plans by the file name of their source document."""
    out = {}
    for f in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        out[doc["plan"].get("source", "")] = doc
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "data" / "documents")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    gold = gold_plans(ROOT / "data" / "plans")
    rows = []
    buckets: Counter = Counter()
    right: Counter = Counter()
    indicators: Counter = Counter()
    total = [0, 0, 0]
    for doc in sorted(args.seeds.iterdir()):
        if doc.name not in gold:
            continue
        t0 = time.perf_counter()
        draft = extract_plan(doc)
        seconds = time.perf_counter() - t0
        g = gold[doc.name]
        keys = [target_key(t.reading.value, t.reading.year, t.reading.kind, t.reading.op,
                           t.reading.unit) for t in draft.targets]
        a = agreement(keys, plan_keys(g["targets"]))
        gold_left = Counter(plan_keys(g["targets"]))
        gold_indicators: dict = {}
        for t, k in zip(g["targets"], plan_keys(g["targets"]), strict=True):
            gold_indicators.setdefault(k, set()).add(t["indicator"])
        for t, k in zip(draft.targets, keys, strict=True):
            b = min(0.9, int(t.confidence * 10) / 10)
            buckets[b] += 1
            if gold_left[k] > 0:
                gold_left[k] -= 1
                right[b] += 1
                ind = ("null" if t.indicator is None else
                       "same" if t.indicator in gold_indicators[k] else "other")
                indicators[ind] += 1
        total = [total[0] + a.matched, total[1] + a.drafted, total[2] + a.reviewed]
        rows.append((doc.name, g["plan"]["id"], a, seconds))
        if args.verbose:
            print(doc.name, "missed", a.missed, "extra", a.extra)
    print("| seed | plan | gold | drafted | matched | precision | recall | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, plan, a, s in rows:
        print(f"| {name[:3]} | {plan} | {a.reviewed} | {a.drafted} | {a.matched} | "
              f"{a.precision:.2f} | {a.recall:.2f} | {s:.2f} |")
    p, r = total[0] / total[1], total[0] / total[2]
    print(f"| all | | {total[2]} | {total[1]} | {total[0]} | {p:.2f} | {r:.2f} | |")
    print()
    print(f"Indicators of the matched targets: {indicators['same']} as in the gold plan, "
          f"{indicators['null']} null, {indicators['other']} another indicator.")
    print()
    print("| confidence | readings | right |")
    print("|---|---:|---:|")
    for b in sorted(buckets):
        label = f"{b:.1f}-{b + 0.1:.1f}" if b < 0.9 else ">= 0.9"
        print(f"| {label} | {buckets[b]} | {right[b] / buckets[b]:.2f} |")


if __name__ == "__main__":
    main()
