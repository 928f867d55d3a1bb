"""What the own-data check costs: runs with and without it, side by side in one process.

The bundled example is copied to a temporary workspace and run once with the check (its first
run: the check's pooled fits are made and cached, and the run's own too); then, cached,
``--repeats`` times each without the check (`--no-check`) and with it, alternating, every
report written. Printed: the first run's check stage, and the cached runs' median total with
and without the check and its ratio. With ``--national N``, a synthetic national workspace of
N counties (``make_national``) is run once with the check, ``--model auto`` and every core:
the check's stage and the run's total from its timings (the stages run one after another, so
the run without the check is the total less the check).

    .venv/bin/python benchmarks/bench_own_check.py
    .venv/bin/python benchmarks/bench_own_check.py --repeats 5 --national 3000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import forecast
from forecast.api import example
from forecast.execution import default_workers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_national import temporary_workspace


def run(root: Path, out: Path, check: bool, reports: bool = True, workers: int | None = None
        ) -> dict:
    ws = forecast.open_workspace(root)
    done = ws.run(ws.settings(), out=out, check=check, reports=reports, timings=True,
                  workers=workers)
    return done.timings.as_dict()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--national", type=int, default=0, help="counties of a national run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        example(root)
        first = run(root, Path(tmp) / "first", check=True)
        print(f"first run: check {first['own-data check']:.1f} s of {first['total']:.1f} s "
              f"({first.get('fits_made', 0)} fits made by the run itself)")
        totals: dict[bool, list[float]] = {False: [], True: []}
        stage = []
        for k in range(args.repeats):
            for check in (False, True):
                t = run(root, Path(tmp) / f"r{k}{check}", check=check)
                totals[check].append(t["total"])
                if check:
                    stage.append(t["own-data check"])
        without, with_ = statistics.median(totals[False]), statistics.median(totals[True])
        print(f"cached, median of {args.repeats}: without the check {without:.1f} s, with it "
              f"{with_:.1f} s (check stage {statistics.median(stage):.1f} s): "
              f"+{with_ / without - 1:.0%}")
    if args.national:
        with temporary_workspace(args.national) as root:
            t = run(root, root / "run", check=True, reports=False, workers=default_workers())
            print(f"national {args.national} counties: total {t['total']:.1f} s, own-data "
                  f"check {t['own-data check']:.1f} s, without it "
                  f"{t['total'] - t['own-data check']:.1f} s "
                  f"(+{t['own-data check'] / (t['total'] - t['own-data check']):.0%})")


if __name__ == "__main__":
    main()
