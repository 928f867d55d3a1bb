"""What the reports cost: the bundled example's run with and without them, and the national
overview of a 3,000-region run re-rendered from its folder.

- bundled: `forecast run --model trend` with `--no-reports` and without (all four reports),
  interleaved, ``--repeats`` times each; the difference of the medians is what the reports
  add to a run (they cost the same whatever the model).
- national: a SYNTHETIC 3,000-region workspace from benchmarks/make_national.py (45,000
  targets), run with `--no-reports` and 1, then 3 scenarios (``--scenarios``); each run's
  `forecast report RUN` (the national overview in all four formats) timed
  ``--national-repeats`` times, and `forecast report RUN --plan ID` (one plan's full report
  from the national run) once.

    python benchmarks/bench_reports.py [--repeats 3] [--regions 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXE = Path(sys.executable).with_name("forecast")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_scenarios import NATIONAL_SCENARIOS  # noqa: E402


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(EXE), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def bundled(workdir: Path, repeats: int) -> dict[str, list[float]]:
    """Seconds of `forecast run --model trend` without and with reports, interleaved."""
    times: dict[str, list[float]] = {"no reports": [], "reports": []}
    for k in range(repeats):
        for variant, extra in (("no reports", ["--no-reports"]), ("reports", [])):
            out = workdir / f"bundled-{variant.replace(' ', '-')}-{k}"
            times[variant].append(timed(["run", "--model", "trend", "--out", str(out), "-q",
                                         *extra]))
            shutil.rmtree(out)
    return times


def national(workdir: Path, regions: int, scenarios: list[int], repeats: int) -> list[dict]:
    """For each number of scenarios: the run without reports, then its reports re-rendered
    from the folder (the national overview), timed; and one plan's full report, once."""
    ws = workdir / "national"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_national.py"), str(ws),
                    "--regions", str(regions)], check=True, capture_output=True)
    results = []
    for n in scenarios:
        shutil.rmtree(ws / "data" / "scenarios", ignore_errors=True)
        (ws / "data" / "scenarios").mkdir()
        for name, text in list(NATIONAL_SCENARIOS.items())[:n]:
            (ws / "data" / "scenarios" / name).write_text(text, encoding="utf-8")
        run = workdir / f"national-run-{n}"
        run_seconds = timed(["run", str(ws), "--model", "trend", "--out", str(run), "-q",
                             "--no-reports"])
        overview = [timed(["report", str(run)]) for _ in range(repeats)]
        plan_id = json.loads((run / "probabilities.json").read_text(encoding="utf-8"))["run"][
            "plans"][0]["id"]
        one_plan = timed(["report", str(run), "--plan", plan_id])
        rows = sum(1 for _ in (run / "probabilities.csv").open(encoding="utf-8")) - 1
        sizes = {p.name: p.stat().st_size for p in run.iterdir()
                 if p.name.startswith(("report", "tables"))}
        results.append({"scenarios": n, "run_seconds": run_seconds, "overview": overview,
                        "one_plan": one_plan, "rows": rows, "sizes": sizes})
        shutil.rmtree(run)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--national-repeats", type=int, default=2)
    ap.add_argument("--regions", type=int, default=3000)
    ap.add_argument("--scenarios", default="1,3",
                    help="numbers of scenarios besides the baseline to measure, e.g. 0,1,3")
    ap.add_argument("--skip-national", action="store_true")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        b = bundled(work, args.repeats)
        med = {k: statistics.median(v) for k, v in b.items()}
        print("bundled example, forecast run --model trend (seconds, median of "
              f"{args.repeats}):")
        for k, v in b.items():
            print(f"  {k:11s} {med[k]:6.2f}   runs: {', '.join(f'{x:.2f}' for x in v)}")
        print(f"  reports add {med['reports'] - med['no reports']:.2f} s "
              f"({med['reports'] / med['no reports']:.1f}x the run without them)")
        if args.skip_national:
            return
        for n in national(work, args.regions, [int(k) for k in args.scenarios.split(",")],
                          args.national_repeats):
            print(f"national: {args.regions} SYNTHETIC regions, {n['scenarios']} scenarios, "
                  f"{n['rows']:,} probability rows; run without reports "
                  f"{n['run_seconds']:.1f} s")
            print(f"  forecast report RUN (national overview, 4 formats): "
                  f"{statistics.median(n['overview']):.1f} s median "
                  f"(runs: {', '.join(f'{x:.1f}' for x in n['overview'])})")
            print(f"  forecast report RUN --plan ID (one plan's full report): "
                  f"{n['one_plan']:.1f} s")
            print("  sizes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(
                n["sizes"].items())))

if __name__ == "__main__":
    main()
