"""Accuracy, calibration and speed of our models against the anchors, side by side.

For each dataset, every model is backtested as a separate process (timed whole) on the same
origins and scored by the same code: ours with `forecast backtest`, the statsforecast anchors
(AutoETS, AutoTheta, RandomWalkWithDrift) with benchmarks/sf_backtest.py. Our calibrated
default uses a calibration learned only from held-out years up to 2018 (`forecast calibrate
--until 2018`): nothing scored (years from 2019 on, and M3, never learned from) was learned.
Prints one markdown table per dataset. Needs the bench extra: pip install -e ".[bench]".

    python benchmarks/bench_accuracy.py [--datasets m3,cn_rd_intensity,cn_tech_contracts,wb]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT / "data" / "external"
BIN = Path(sys.executable).parent
OURS = ("trend", "trend --calibration none", "naive", "linear", "drift", "cagr")
UNTIL = 2018  # the calibration learned from held-out years up to here; we score later ones


def m3_csv(folder: Path) -> Path:
    """The M3 yearly series as observations. Their own start years reach back to 1947, before
    the years an observation may name (1949 on), so every series is dated from 1950: only the
    positions matter for the official holdout (its last 6 values)."""
    long = pd.read_csv(EXTERNAL / "m3_yearly_long.csv")
    path = folder / "m3.csv"
    pd.DataFrame({"region": long["series_id"], "indicator": "m3_yearly",
                  "year": 1950 + long["t"] - 1, "value": long["value"]}
                 ).to_csv(path, index=False)
    return path


def provincial_csv(folder: Path, indicator: str) -> Path:
    obs = pd.read_csv(ROOT / "data" / "observations.csv")
    obs = obs[(obs["indicator"] == indicator) & (obs["region"] != "湘潭市")]
    path = folder / f"{indicator}.csv"
    obs.to_csv(path, index=False)
    return path


DATASETS = {
    # name: (file maker, backtest options, description)
    "m3": (m3_csv, ["--kind", "amount", "--holdout", "6"],
           "M3 yearly, 645 series, official holdout h = 6"),
    "cn_rd_intensity": (lambda f: provincial_csv(f, "rd_intensity"),
                        ["--holdout", "3", "--origins", "3", "--after", str(UNTIL)],
                        "Chinese provincial R&D intensity (32 series, 2011-2023), 3 rolling "
                        "origins, h = 3, held-out years 2019-2023 only"),
    "cn_tech_contracts": (lambda f: provincial_csv(f, "tech_contract_turnover"),
                          ["--holdout", "3", "--origins", "3", "--after", str(UNTIL)],
                          "Chinese provincial technology contract turnover (32 series, "
                          "2012-2023), 3 rolling origins, h = 3, held-out years 2019-2023"),
    "wb": (lambda f: ROOT / "data" / "calibration" / "wb_rd_intensity.csv",
           ["--kind", "share", "--holdout", "3", "--origins", "3", "--after", str(UNTIL)],
           "World Bank R&D % of GDP by economy, 3 rolling origins, h = 3, held-out years "
           "2019-2023"),
}


def calibration_until(folder: Path) -> Path:
    """A calibration learned only from held-out years up to UNTIL (made once per run)."""
    path = folder / f"calibration-{UNTIL}.json"
    if not path.exists():
        subprocess.run([str(BIN / "forecast"), "calibrate", "--until", str(UNTIL), "--out",
                        str(path), "-q"], check=True, capture_output=True)
    return path


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def run_dataset(name: str, folder: Path, draws: int) -> pd.DataFrame:
    make, opts, _ = DATASETS[name]
    data = make(folder)
    rows = []
    for spec in OURS:
        model, *flags = spec.split()
        flags = flags or ["--calibration", str(calibration_until(folder))]
        out = folder / f"{name}-{model}{'-raw' if 'none' in flags else ''}"
        secs = timed([str(BIN / "forecast"), "backtest", str(data), "--model", model, *flags,
                      *opts, "--draws", str(draws), "--out", str(out), "-q"])
        rows.append(_row(spec, out / "summary.json", secs))
    sf_opts = opts if "--kind" in opts else [*opts, "--kind", "amount"]  # kind unused there
    for group in ("AutoETS,AutoTheta", "RandomWalkWithDrift"):
        out = folder / f"{name}-sf-{group.replace(',', '-')}"
        secs = timed([sys.executable, str(ROOT / "benchmarks" / "sf_backtest.py"), str(data),
                      "--models", group, *sf_opts, "--draws", str(draws), "--out", str(out)])
        for model in group.split(","):
            rows.append(_row(model, out / model / "summary.json", secs, shared=group))
    table = pd.DataFrame(rows).set_index("model")
    for ref in ("RandomWalkWithDrift", "cagr"):
        table[f"BSS vs {ref}"] = 1 - table["Brier"] / table.loc[ref, "Brier"]
    table["MASE vs best anchor"] = table["MASE"] / table.loc[
        ["AutoETS", "AutoTheta", "RandomWalkWithDrift"], "MASE"].min()
    both = table.loc["AutoETS", "time_s"]  # the AutoETS+AutoTheta process
    table["time vs AutoETS+AutoTheta"] = table["time_s"] / both
    return table


def _row(model: str, summary_file: Path, secs: float, shared: str | None = None) -> dict:
    s = json.loads(summary_file.read_text())
    n = s["series_origins"]
    return {
        "model": model, "MASE": s["MASE"], "sMAPE": s["sMAPE"], "CRPS_scaled": s["CRPS_scaled"],
        "cov80": s["coverage_80"]["rate"], "cov80_band": s["coverage_80"]["band_95"],
        "cov95": s["coverage_95"]["rate"], "cov95_band": s["coverage_95"]["band_95"],
        "Brier": s["threshold_probabilities"]["brier"],
        "reliability": s["threshold_probabilities"]["reliability"],
        "resolution": s["threshold_probabilities"]["resolution"],
        "series_origins": n, "time_s": secs, "ms_per_series": 1000 * secs / max(n, 1),
        "timed_with": shared or model,
    }


def markdown(name: str, table: pd.DataFrame) -> str:
    lines = [f"### {DATASETS[name][2]}", "",
             "| model | MASE | × best anchor | sMAPE | CRPS (scaled) | 80% cov. [95% band] "
             "| 95% cov. [95% band] | Brier | BSS vs RW-drift | BSS vs cagr | time s | ms/series "
             "| × AutoETS+AutoTheta |",
             "|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for model, r in table.iterrows():
        shared = " (with AutoTheta)" if r["timed_with"] == "AutoETS,AutoTheta" else ""
        lines.append(
            f"| {model} | {r['MASE']:.3f} | {r['MASE vs best anchor']:.3f} | {r['sMAPE']:.2f} | "
            f"{r['CRPS_scaled']:.3f} | "
            f"{r['cov80']:.3f} [{r['cov80_band'][0]:.3f}, {r['cov80_band'][1]:.3f}] | "
            f"{r['cov95']:.3f} [{r['cov95_band'][0]:.3f}, {r['cov95_band'][1]:.3f}] | "
            f"{r['Brier']:.4f} | {r['BSS vs RandomWalkWithDrift']:+.3f} | "
            f"{r['BSS vs cagr']:+.3f} | {r['time_s']:.1f}{shared} | {r['ms_per_series']:.1f} | "
            f"{r['time vs AutoETS+AutoTheta']:.2f} |")
    lines.append(f"\n{int(table['series_origins'].iloc[0])} series-origins.\n")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--draws", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.datasets.split(","):
            table = run_dataset(name, Path(tmp), args.draws)
            print(markdown(name, table), flush=True)


if __name__ == "__main__":
    main()
