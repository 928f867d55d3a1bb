"""Time `forecast run` on the bundled example, whole process, for each model; where the
seconds go; and whether the fits converge on every seed.

Each model is run several times as a fresh process (import, read, fit, simulate, write), and
the median wall time is reported, with the ratio to the `drift` baseline measured in the same
run. The pooled models (`auto`, `bayes`) run on a copy of the bundled workspace twice over:
cold with an empty PyTensor compile folder (a fresh machine), cold (an empty
models/posteriors/, so every fit is sampled, with the compile folder the first run filled: a
machine that has run once) and cached (the posteriors of the previous run reused), and cached again
without the reports. Their `--timings` breakdown (probabilities.json) is printed stage by stage.

``--before DIR`` times a checkout of an earlier version (run as ``python -m forecast.cli``
from DIR, with this environment's packages) in the same run, side by side.

``--seeds 1-10`` fits the bundled example's every pooled and count fit, the review's look
back included, once per seed (in this process, no cache) and reports the worst R-hat, the
smallest bulk and tail ESS, the divergences and the fits drawn a second time. Usage:
    python benchmarks/bench_run.py [--repeats 5] [--draws 2000] [--models auto,bayes]
        [--before /tmp/old] [--seeds 1-10] [--only-seeds]
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
from dataclasses import replace
from pathlib import Path

from forecast.config import EXAMPLE_DATA
from forecast.models.registry import MODEL_NAMES

EXE = Path(sys.executable).with_name("forecast")
POOLED = ("auto", "bayes")
STAGES = ("load", "fits", "compile", "tune", "draw", "simulate", "review look-back",
          "reports", "total")


def command(before: Path | None) -> tuple[list[str], Path | None]:
    """The command line of `forecast` (this checkout, or ``before``'s) and where it runs."""
    if before is None:
        return [str(EXE)], None
    return [sys.executable, "-m", "forecast.cli"], before


def time_run(model: str, draws: int, workdir: Path, workspace: Path | None = None,
             before: Path | None = None, *extra: str, compiledir: Path | None = None
             ) -> tuple[float, dict]:
    """Wall seconds of one `forecast run`, and its timings breakdown (where it has one).
    With ``compiledir``, PyTensor compiles into that (empty) folder: nothing compiled before
    is reused, as on a fresh machine."""
    out = workdir / f"run-{model}-{time.perf_counter_ns()}"
    where = [str(workspace)] if workspace else []
    exe, cwd = command(before)
    timings = ["--timings"] if before is None else []
    env = dict(os.environ)
    if compiledir is not None:
        env["PYTENSOR_FLAGS"] = f"base_compiledir={compiledir}"
    start = time.perf_counter()
    subprocess.run([*exe, "run", *where, "--out", str(out), "--model", model,
                    "--draws", str(draws), "--quiet", *timings, *extra], check=True,
                   capture_output=True, cwd=cwd, env=env)
    elapsed = time.perf_counter() - start
    diag = json.loads((out / "probabilities.json").read_text(encoding="utf-8"))["diagnostics"]
    shutil.rmtree(out)
    return elapsed, diag.get("timings", {})


def pooled_times(model: str, draws: int, workdir: Path, repeats: int,
                 before: Path | None = None) -> dict[str, list[tuple[float, dict]]]:
    """Cold, cached and cached without reports runs of a pooled model on a fresh copy of the
    bundled workspace."""
    times: dict[str, list[tuple[float, dict]]] = {
        "cold, empty compile cache": [], "cold": [], "cached": [], "cached, --no-reports": []}
    for k in range(repeats):
        ws = workdir / f"ws-{model}-{k}"
        shutil.copytree(EXAMPLE_DATA, ws / "data")
        (ws / "models").mkdir()
        fresh = workdir / f"compiledir-{model}-{k}"
        times["cold, empty compile cache"].append(
            time_run(model, draws, workdir, ws, before, compiledir=fresh))
        shutil.rmtree(ws / "models")
        (ws / "models").mkdir()
        # the compile folder the first run filled: a machine that has run once before
        times["cold"].append(time_run(model, draws, workdir, ws, before, compiledir=fresh))
        times["cached"].append(time_run(model, draws, workdir, ws, before, compiledir=fresh))
        times["cached, --no-reports"].append(
            time_run(model, draws, workdir, ws, before, "--no-reports", compiledir=fresh))
        shutil.rmtree(ws)
    return times


def time_startup() -> float:
    """Process start and imports alone: `forecast --help`."""
    start = time.perf_counter()
    subprocess.run([str(EXE), "--help"], check=True, capture_output=True)
    return time.perf_counter() - start


def seeds_table(seeds: list[int]) -> list[str]:
    """Convergence of every fit of the bundled example, its review's look back included,
    on each seed (``prefit.fit_all`` in this process: compiled once, no cache)."""
    from forecast.api import open_workspace
    from forecast.assessment.prefit import fit_all

    ws = open_workspace(EXAMPLE_DATA.parent)
    lines = ["| seed | fits | max R-hat | min bulk ESS | min tail ESS | divergences | "
             "drawn again | fits s |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for seed in seeds:
        settings = replace(ws.settings(seed=seed), cache_dir=None)
        start = time.perf_counter()
        fits = [f.diagnostics for f in fit_all(ws.inputs, settings).values()]
        lines.append(
            f"| {seed} | {len(fits)} | {max(f['r_hat_max'] for f in fits):.4f} | "
            f"{min(f['ess_bulk_min'] for f in fits):.0f} | "
            f"{min(f['ess_tail_min'] for f in fits):.0f} | "
            f"{sum(f['divergences'] for f in fits)} | "
            f"{sum(f['attempts'] > 1 for f in fits)} | {time.perf_counter() - start:.0f} |")
        print(lines[-1], flush=True)
    return lines


def seed_range(text: str) -> list[int]:
    if "-" in text:
        lo, hi = (int(x) for x in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(x) for x in text.split(",") if x]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--models", default=",".join(MODEL_NAMES),
                        help="comma-separated models to time (drift is always timed)")
    parser.add_argument("--before", type=Path, default=None,
                        help="a checkout of an earlier version, timed side by side")
    parser.add_argument("--seeds", default="",
                        help="seeds whose fits' convergence to check, e.g. 1-10")
    parser.add_argument("--only-seeds", action="store_true", help="skip the timings")
    args = parser.parse_args()
    if args.only_seeds:
        print("\n".join(seeds_table(seed_range(args.seeds or "1-10"))))
        return
    models = [m for m in args.models.split(",") if m != "drift"]
    versions: list[tuple[str, Path | None]] = [("now", None)]
    if args.before is not None:
        versions.insert(0, ("before", args.before.resolve()))
    medians: dict[str, tuple[float, float, float]] = {}
    breakdown: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        time_run("drift", args.draws, workdir)  # warm the file cache
        for version, before in versions:
            for model in ["drift", *models]:
                runs = (pooled_times(model, args.draws, workdir, args.repeats, before)
                        if model in POOLED else
                        {"": [time_run(model, args.draws, workdir, None, before)
                              for _ in range(args.repeats)]})
                for label, results in runs.items():
                    name = f"{model} ({label})" if label else model
                    if len(versions) > 1:
                        name = f"{name}, {version}"
                    times = [t for t, _ in results]
                    medians[name] = (statistics.median(times), min(times), max(times))
                    if results[0][1]:
                        breakdown[name] = {s: statistics.median(r[1].get(s, 0.0)
                                                                for r in results)
                                           for s in STAGES}
        startup = [time_startup() for _ in range(args.repeats)]
    base = medians["drift, now" if len(versions) > 1 else "drift"][0]
    print(f"`forecast run` on the bundled example, {args.draws} draws, median of "
          f"{args.repeats} runs, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| run | median s | min s | max s | × drift |")
    print("|---|---:|---:|---:|---:|")
    for model, (med, lo, hi) in medians.items():
        print(f"| {model} | {med:.2f} | {lo:.2f} | {hi:.2f} | {med / base:.2f} |")
    print(f"| (startup: `forecast --help`) | {statistics.median(startup):.2f} | {min(startup):.2f}"
          f" | {max(startup):.2f} | {statistics.median(startup) / base:.2f} |")
    if breakdown:
        print("\nWhere the seconds go (`--timings`, medians; compile, tune and draw are summed "
              "over fits, which run side by side):\n")
        print("| run | " + " | ".join(STAGES) + " |")
        print("|---|" + "---:|" * len(STAGES))
        for name, stages in breakdown.items():
            print(f"| {name} | " + " | ".join(f"{stages[s]:.1f}" for s in STAGES) + " |")
    if args.seeds:
        print("\nConvergence on every seed (every fit of the bundled example, the review's "
              "look back included):\n")
        print("\n".join(seeds_table(seed_range(args.seeds))))


if __name__ == "__main__":
    main()
