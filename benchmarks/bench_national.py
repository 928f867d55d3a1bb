"""National scale: wall time and driver peak memory of `forecast run` at 30, 300 and 3,000
SYNTHETIC regions x 30 indicators, on `local` and on `dask` (a 2-worker LocalCluster).

Each run is a fresh process; its peak resident memory (VmHWM in /proc/<pid>/status, the
driver alone, not its workers) is polled until it exits. The scaling exponent is the slope of
log time against log regions. Time per series is compared with statsforecast's AutoETS fitted
to the same series. Workspaces come from benchmarks/make_national.py (synthetic, never
shipped in data/).

    python benchmarks/bench_national.py [--sizes 30,300,3000] [--draws 2000]
                                        [--engines local,dask] [--model auto]

With the default model (`auto`) every indicator of these workspaces is pooled, each by the fast
approximation above 400 regions (a fresh cache: every run fits); `--model trend` measures the
single-series model alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def measured(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, driver peak RSS in MB) of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
        time.sleep(0.1)
    secs = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.read().decode()[-2000:])
    return secs, peak


def fit_summary(json_file: Path) -> str:
    """The pooled fits of a run in one line: how many, worst R-hat and ESS, divergences, and
    how many would draw a warning on the terminal."""
    import json

    fits = json.loads(json_file.read_text(encoding="utf-8"))["diagnostics"].get("fits", {})
    if not fits:
        return ""
    r = max(f["r_hat_max"] for f in fits.values())
    e = min(f["ess_bulk_min"] for f in fits.values())
    d = sum(f["divergences"] for f in fits.values())
    poor = sum(f["r_hat_max"] > 1.01 or f["ess_bulk_min"] < 400 or f["divergences"] > 0
               for f in fits.values())
    return (f"{len(fits)} indicators, R-hat max {r:.3f}, bulk ESS min {e:.0f}, {d} divergences, "
            f"{poor} with a warning")


def autoets_seconds_per_series(workspace: Path, sample: int = 2000) -> float:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, Naive

    obs = pd.read_csv(workspace / "data" / "observations.csv")
    keys = obs[["region", "indicator"]].drop_duplicates().head(sample)
    obs = obs.merge(keys)
    df = pd.DataFrame({"unique_id": obs["region"] + "|" + obs["indicator"],
                       "ds": obs["year"], "y": obs["value"]})
    sf = StatsForecast(models=[AutoETS(season_length=1)], freq=1, n_jobs=1,
                       fallback_model=Naive())
    sf.forecast(df=df.head(200), h=3)  # compile numba first: not counted
    start = time.perf_counter()
    sf.forecast(df=df, h=3)
    return (time.perf_counter() - start) / len(keys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="30,300,3000")
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--engines", default="local,dask")
    ap.add_argument("--model", default="auto")
    args = ap.parse_args()
    engines = args.engines.split(",")
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            ws = Path(tmp) / f"national-{n}"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_national.py"),
                            str(ws), "--regions", str(n)], check=True, capture_output=True)
            obs = pd.read_csv(ws / "data" / "observations.csv", usecols=["region", "indicator"])
            n_series = len(obs.drop_duplicates())
            for engine, extra in (("local", ["--workers", "2"]),
                                  ("dask", ["--engine", "dask", "--workers", "2"])):
                if engine not in engines:
                    continue
                shutil.rmtree(ws / "models" / "posteriors", ignore_errors=True)  # fit afresh
                out = Path(tmp) / f"out-{n}-{engine}"
                secs, peak = measured([str(BIN / "forecast"), "run", str(ws), "--out", str(out),
                                       "--draws", str(args.draws), "--model", args.model,
                                       "-q", *extra])
                n_targets = len(pd.read_csv(out / "probabilities.csv", usecols=["target_id"]))
                rows.append({"regions": n, "series": n_series, "targets": n_targets,
                             "engine": engine, "seconds": secs, "driver_peak_mb": peak,
                             "ms_per_series": 1000 * secs / n_series})
                same = (out / "probabilities.csv").read_bytes()
                local = Path(tmp) / f"out-{n}-local" / "probabilities.csv"
                rows[-1]["bytes_match_local"] = (same == local.read_bytes()
                                                 if local.exists() else None)
                rows[-1]["fits"] = fit_summary(out / "probabilities.json")
            if n == sizes[min(1, len(sizes) - 1)]:
                ets = autoets_seconds_per_series(ws)
    table = pd.DataFrame(rows)
    print(f"`forecast run --model {args.model}`, {args.draws} draws, 2 workers, "
          f"{os.cpu_count()} cores\n")
    print("| regions | series | targets | engine | wall s | ms/series | driver peak MB | "
          "same bytes as local |")
    print("|---:|---:|---:|---|---:|---:|---:|---|")
    for r in table.itertuples(index=False):
        print(f"| {r.regions:,} | {r.series:,} | {r.targets:,} | {r.engine} | {r.seconds:.1f} | "
              f"{r.ms_per_series:.2f} | {r.driver_peak_mb:.0f} | {r.bytes_match_local} |")
    print()
    for engine, sub in table.groupby("engine"):
        if len(sub) > 1:
            slope = np.polyfit(np.log(sub["regions"]), np.log(sub["seconds"]), 1)[0]
            big = sub[sub["regions"] >= 300]
            tail = (np.polyfit(np.log(big["regions"]), np.log(big["seconds"]), 1)[0]
                    if len(big) > 1 else float("nan"))
            print(f"- {engine}: scaling exponent {slope:.2f} over all sizes, {tail:.2f} from "
                  "300 regions up")
    for r in table.itertuples(index=False):
        if r.fits:
            print(f"- pooled fits, {r.regions:,} regions, {r.engine}: {r.fits}")
    ours = table["ms_per_series"].iloc[-1]
    print(f"- statsforecast AutoETS: {1000 * ets:.2f} ms per series (one core, numba compiled, "
          f"fit and 3-year forecast only); `forecast run` at the largest size: {ours:.2f} ms "
          f"per series whole process on 2 workers ({ours / (1000 * ets):.2f}x)")


if __name__ == "__main__":
    main()
