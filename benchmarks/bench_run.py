"""Time `forecast run` on the bundled example, whole process, for each model.

Each model is run several times as a fresh process (import, read, fit, simulate, write), and
the median wall time is reported, with the ratio to the `drift` baseline measured in the same
run. Usage:  python benchmarks/bench_run.py [--repeats 5] [--draws 2000]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from forecast.models import MODEL_NAMES

EXE = Path(sys.executable).with_name("forecast")


def time_run(model: str, draws: int, workdir: Path) -> float:
    out = workdir / f"run-{model}-{time.perf_counter_ns()}"
    start = time.perf_counter()
    subprocess.run([str(EXE), "run", "--out", str(out), "--model", model, "--draws", str(draws),
                    "--quiet"], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(out)
    return elapsed


def time_startup() -> float:
    """Process start and imports alone: `forecast --help`."""
    start = time.perf_counter()
    subprocess.run([str(EXE), "--help"], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--draws", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        time_run("drift", args.draws, workdir)  # warm the file cache
        medians = {}
        for model in MODEL_NAMES:
            times = [time_run(model, args.draws, workdir) for _ in range(args.repeats)]
            medians[model] = (statistics.median(times), min(times), max(times))
        startup = [time_startup() for _ in range(args.repeats)]
    base = medians["drift"][0]
    print(f"`forecast run` on the bundled example, {args.draws} draws, median of "
          f"{args.repeats} runs, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| model | median s | min s | max s | × drift |")
    print("|---|---:|---:|---:|---:|")
    for model, (med, lo, hi) in medians.items():
        print(f"| {model} | {med:.2f} | {lo:.2f} | {hi:.2f} | {med / base:.2f} |")
    print(f"| (startup: `forecast --help`) | {statistics.median(startup):.2f} | {min(startup):.2f}"
          f" | {max(startup):.2f} | {statistics.median(startup) / base:.2f} |")


if __name__ == "__main__":
    main()
