"""Backtest statsforecast's models with exactly our origins and scoring (benchmark anchors).

statsforecast gives a mean and Gaussian prediction intervals; we turn them into simulated values
(mean + sd * N(0, 1), sd from the 95% interval) and score them with `forecast.backtest`'s own
code, so every anchor is measured the same way as our models. Writes metrics.csv and
summary.json like `forecast backtest`.

    python benchmarks/sf_backtest.py OBS --models AutoETS,AutoTheta --holdout 6 --out DIR
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("NIXTLA_ID_AS_COL", "1")

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, AutoTheta, Naive, RandomWalkWithDrift

from forecast.evaluation.origins import BacktestSettings, cuts, series_units
from forecast.evaluation.results import BacktestResult, score_origin, summarise
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.observations import read_observations
from forecast.inputs.tabular import read_table
from forecast.streams import rng_for

MODELS = {"AutoETS": lambda: AutoETS(season_length=1), "AutoTheta": lambda: AutoTheta(
    season_length=1), "RandomWalkWithDrift": RandomWalkWithDrift, "Naive": Naive}
Z95 = 1.959963984540054


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("observations", type=Path)
    ap.add_argument("--models", default="AutoETS,AutoTheta")
    ap.add_argument("--holdout", type=int, default=6)
    ap.add_argument("--origins", type=int, default=1)
    ap.add_argument("--after", type=int, default=None)
    ap.add_argument("--kind", default="amount")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    ids = read_table(args.observations, ("indicator",)).iloc[:, 0].unique().tolist()
    catalogue = load_catalogue().with_generic(ids, args.kind)
    units = series_units(read_observations(args.observations, catalogue), catalogue)
    settings = BacktestSettings(holdout=args.holdout, origins=args.origins, after=args.after)
    jobs, frames = [], []
    for unit in units:
        for cut, end in cuts(unit.years, settings):
            uid = f"{len(jobs)}"
            jobs.append((uid, unit, cut, end))
            frames.append(pd.DataFrame({"unique_id": uid, "ds": np.arange(cut),
                                        "y": unit.values[:cut]}))
    names = args.models.split(",")
    models = [MODELS[n]() for n in names]
    columns = {n: str(m) for n, m in zip(names, models, strict=True)}  # e.g. RWD
    # statsforecast's own fallback where a model cannot fit (AutoETS refuses tiny series)
    sf = StatsForecast(models=models, freq=1, n_jobs=1, fallback_model=Naive())
    fc = sf.forecast(df=pd.concat(frames, ignore_index=True), h=args.holdout, level=[95])
    fc = fc.set_index("unique_id")
    for name in names:
        metrics, events = [], []
        for uid, unit, cut, end in jobs:
            rows = fc.loc[[uid]].iloc[: end - cut]
            col = columns[name]
            mean = rows[col].to_numpy(float)
            sd = (rows[f"{col}-hi-95"] - rows[f"{col}-lo-95"]).to_numpy(float) / (2 * Z95)
            rng = rng_for(20231, unit.region, unit.indicator.id, str(cut), name)
            paths = mean + np.maximum(sd, 0) * rng.standard_normal((args.draws, len(mean)))
            train, actual = unit.values[:cut], unit.values[cut:end]
            row, ev = score_origin(unit, int(unit.years[cut - 1]), train, actual, paths, mean)
            metrics.append(row)
            events.append(ev)
        result = BacktestResult(pd.DataFrame(metrics), pd.concat(events), pd.DataFrame(), 0)
        out = args.out / name
        out.mkdir(parents=True, exist_ok=True)
        result.metrics.to_csv(out / "metrics.csv", index=False)
        (out / "summary.json").write_text(json.dumps(summarise(result), indent=1))


if __name__ == "__main__":
    main()
