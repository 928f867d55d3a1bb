"""Time `forecast run` on the bundled example, whole process, for each model.

Each model is run several times as a fresh process (import, read, fit, simulate, write), and
the median wall time is reported, with the ratio to the `drift` baseline measured in the same
run. The pooled models (`auto`, `bayes`) run on a copy of the bundled workspace twice over:
cold (an empty models/posteriors/, so every fit is sampled and the model compiled) and cached
(the posteriors of the previous run reused). Usage:
    python benchmarks/bench_run.py [--repeats 5] [--draws 2000] [--models auto,bayes]
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

from forecast.config import CALIBRATION_FILE, EXAMPLE_DATA
from forecast.models.registry import MODEL_NAMES

EXE = Path(sys.executable).with_name("forecast")
POOLED = ("auto", "bayes")


def time_run(model: str, draws: int, workdir: Path, workspace: Path | None = None) -> float:
    out = workdir / f"run-{model}-{time.perf_counter_ns()}"
    where = [str(workspace)] if workspace else []
    start = time.perf_counter()
    subprocess.run([str(EXE), "run", *where, "--out", str(out), "--model", model,
                    "--draws", str(draws), "--quiet"], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(out)
    return elapsed


def pooled_times(model: str, draws: int, workdir: Path, repeats: int) -> dict[str, list[float]]:
    """Cold and cached runs of a pooled model on a fresh copy of the bundled workspace."""
    times: dict[str, list[float]] = {"cold": [], "cached": []}
    for k in range(repeats):
        ws = workdir / f"ws-{model}-{k}"
        shutil.copytree(EXAMPLE_DATA, ws / "data")
        (ws / "models").mkdir()
        shutil.copy(CALIBRATION_FILE, ws / "models")
        times["cold"].append(time_run(model, draws, workdir, ws))
        times["cached"].append(time_run(model, draws, workdir, ws))
        shutil.rmtree(ws)
    return times


def time_startup() -> float:
    """Process start and imports alone: `forecast --help`."""
    start = time.perf_counter()
    subprocess.run([str(EXE), "--help"], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--models", default=",".join(MODEL_NAMES),
                        help="comma-separated models to time (drift is always timed)")
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m != "drift"]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        time_run("drift", args.draws, workdir)  # warm the file cache
        medians = {}
        for model in ["drift", *models]:
            runs = (pooled_times(model, args.draws, workdir, args.repeats)
                    if model in POOLED else
                    {"": [time_run(model, args.draws, workdir) for _ in range(args.repeats)]})
            for label, times in runs.items():
                name = f"{model} ({label})" if label else model
                medians[name] = (statistics.median(times), min(times), max(times))
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
