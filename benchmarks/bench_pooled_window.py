"""The pooled model's drift over recent years alone: which window, decided on a long panel.

The provincial series start in 2010-2011, so at the provincial learning origins (2012-2014) a
region has one to four changes and every window is the whole series: the window cannot be
learned there. The World Bank's R&D share of GDP by economy (153 economies, from 1996) is long
enough. This script backtests the raw pooled model (a flat panel: every economy a root) with
the drift estimated over each region's last ``window`` changes, against all years:

- learning: origins whose held-out years end by 2015 (the most recent six per series, h <= 3);
- scored: each series' last three origins with held-out years after 2015 (h = 3).

Per window it prints the Brier score of planner-style threshold targets, 80%/95% coverage and
scaled CRPS, and the difference from all years with a 95% interval from a bootstrap over
economies and the share of replicates in which the window is better. The rule, fixed before
the figures were seen (the one-standard-error rule of `trend`'s learner): a window is chosen
only where the learning years find it better in at least 84% of replicates, the best such
window by learning Brier; otherwise all years; and it becomes the default only where the
scored years confirm it (a lower Brier score than all years). Needs the bench extra. Seeds are
fixed.

    python benchmarks/bench_pooled_window.py                    # windows 5 and 8; ~20 min
    python benchmarks/bench_pooled_window.py --windows 3,5 --keep /tmp/wb   # reuse backtests
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import pandas as pd

from forecast.config import DEFAULT_SEED
from forecast.errors import InputError
from forecast.evaluation.origins import BacktestSettings
from forecast.evaluation.panel import run_panel_backtest
from forecast.evaluation.results import BacktestResult
from forecast.execution import default_workers
from forecast.files import atomic_file
from forecast.models.hierarchy.settings import PooledSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pooled import paired, score_row
from bench_trend import wb_units

UNTIL = 2015  # the provincial benchmarks' split: learning held-out years up to here
HOLDOUT, ORIGINS, LEARNING_ORIGINS = 3, 3, 6
RULE = 0.84  # the share of bootstrap replicates a window must win on the learning years


def settings(period: str, window: int | None, draws: int, seed: int) -> BacktestSettings:
    pooled = PooledSettings(window=window)
    if period == "learning":
        return BacktestSettings(model="bayes", holdout=HOLDOUT, until=UNTIL,
                                max_origins=LEARNING_ORIGINS, draws=draws, seed=seed,
                                pooled=pooled)
    return BacktestSettings(model="bayes", holdout=HOLDOUT, origins=ORIGINS, after=UNTIL,
                            draws=draws, seed=seed, pooled=pooled)


def backtest(period: str, window: int | None, draws: int, seed: int, workers: int,
             keep: Path | None) -> BacktestResult:
    """One window's backtest of one period (read from ``keep`` when it was run before)."""
    name = f"wb_{period}_{window or 'all'}.pkl"
    if keep is not None and (keep / name).exists():
        metrics, events = pickle.loads((keep / name).read_bytes())
        return BacktestResult(metrics, events, pd.DataFrame(), 0)
    clock = time.perf_counter()
    res = run_panel_backtest(wb_units(), settings(period, window, draws, seed), workers)
    print(f"<!-- {period}, window {window or 'all'}: {time.perf_counter() - clock:.0f} s; "
          f"R-hat <= {res.fits['r_hat_max'].max():.3f}, divergences "
          f"{int(res.fits['divergences'].sum())} -->", flush=True)
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        with atomic_file(keep / name) as tmp:
            Path(tmp).write_bytes(pickle.dumps((res.metrics, res.events)))
    return res


def chosen_window(learning: dict[int | None, BacktestResult]) -> int | None:
    """The rule on the learning years: the window with the lowest Brier score among those
    better than all years in at least ``RULE`` of the bootstrap replicates; None for all."""
    base = learning[None]
    passing = [(score_row(res)["Brier"], window) for window, res in learning.items()
               if window is not None and paired(res, base)["share_a_lower_brier"] >= RULE]
    return min(passing)[1] if passing else None


def markdown(results: dict[str, dict[int | None, BacktestResult]]) -> str:
    """The table of every window against all years, on each period."""
    lines = ["| period | window | series-origins | Brier | 80% / 95% coverage | CRPS (scaled) "
             "| window − all years [95%] | window better in |",
             "|---|---|---:|---:|---|---:|---|---:|"]
    for period, by_window in results.items():
        base = by_window[None]
        for window, res in by_window.items():
            row = score_row(res)
            cells = [f"{row['n']}", f"{row['Brier']:.4f}",
                     f"{row['cov80']:.3f} / {row['cov95']:.3f}", f"{row['CRPS']:.4f}"]
            if window is None:
                cells += ["", ""]
            else:
                d = paired(res, base)
                cells += ["{:+.4f} [{:+.4f}, {:+.4f}]".format(*d["brier"]),
                          f"{d['share_a_lower_brier']:.1%}"]
            lines.append(f"| {period} | {window or 'all years'} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", default="5,8", help="comma-separated windows in years")
    ap.add_argument("--draws", type=int, default=2000, help="simulated paths per series")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--keep", type=Path, help="folder that keeps each backtest for a rerun")
    args = ap.parse_args()
    try:
        windows = [int(w) for w in args.windows.split(",")]
        for w in windows:
            PooledSettings(window=w)
    except ValueError:
        ap.error(f"--windows: expected whole numbers of years, got {args.windows!r}")
    except InputError as exc:  # the settings' own one-line error
        ap.error(f"--windows: {exc}")
    results = {period: {w: backtest(period, w, args.draws, args.seed, args.workers, args.keep)
                        for w in (None, *windows)} for period in ("learning", "scored")}
    print(markdown(results))
    chosen = chosen_window(results["learning"])
    print(f"The learning years choose {f'a window of {chosen} years' if chosen else 'all years'}.")
    if chosen:
        d = paired(results["scored"][chosen], results["scored"][None])
        verdict = "confirm" if d["brier"][0] < 0 else "do not confirm"
        print(f"The scored years {verdict} it: window − all years "
              "{:+.4f} [{:+.4f}, {:+.4f}], ".format(*d["brier"])
              + f"better in {d['share_a_lower_brier']:.1%} of replicates.")


if __name__ == "__main__":
    main()
