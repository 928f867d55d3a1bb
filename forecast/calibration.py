"""Widen or narrow simulated spread so that stated probabilities match observed frequencies.

Backtests show how often held-out values fall inside a model's central intervals. A factor per
model, kind of indicator and horizon scales every path's deviation from the median on the model
scale (log or logit), so whole trajectories stay coherent (cumulative and every-year targets
still work) and the median forecast is unchanged. The factors are data: learned by
``forecast calibrate`` from backtests on series and years that are not the ones scored, and
stored as JSON in ``models/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.config import CALIBRATION_FILE
from forecast.errors import InputError

GRID = np.round(np.arange(0.30, 4.001, 0.01), 2)  # candidate factors


def kind_group(kind: str) -> str:
    """Shares (logit scale) and positive quantities (log scale) are calibrated separately."""
    return "share" if kind == "share" else "positive"


@dataclass(frozen=True)
class Calibration:
    """What backtests taught us, per model: member weights and spread factors.

    ``models[model]["weights"][indicator or "default"]`` maps members to weights;
    ``models[model]["spread"][group]`` lists factors by horizon (the last one extends).
    """

    models: dict[str, dict]
    meta: dict

    def weights(self, model: str, indicator: str) -> dict[str, float] | None:
        by_ind = self.models.get(model, {}).get("weights", {})
        return by_ind.get(indicator) or by_ind.get("default")

    def factor(self, model: str, kind: str, horizon: int, indicator: str | None = None) -> float:
        """The indicator's own factor where it was learned, else its kind group's."""
        spread = self.models.get(model, {}).get("spread", {})
        by_h = spread.get(indicator) or spread.get(kind_group(kind))
        if not by_h:
            return 1.0
        return float(by_h[min(horizon, len(by_h)) - 1])

    def apply(self, z_paths: np.ndarray, model: str, kind: str,
              indicator: str | None = None, bound: float = np.inf) -> np.ndarray:
        """Paths (n, horizon) on the model scale with their deviations from each year's median
        scaled by the factor of that horizon, and held within ``bound`` of the median."""
        c = np.array([self.factor(model, kind, h + 1, indicator)
                      for h in range(z_paths.shape[1])])
        if np.all(c == 1.0) and np.isinf(bound):
            return z_paths
        median = np.median(z_paths, axis=0)
        return median + np.clip(c * (z_paths - median), -bound, bound)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"models": self.models, "meta": self.meta}, indent=1,
                                  ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Calibration:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            return cls(doc["models"], doc.get("meta", {}))
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"cannot read calibration ({exc})", file=path,
                             fix="refresh it with `forecast calibrate`") from exc


NONE = Calibration({}, {"note": "no calibration: raw model spread, equal member weights"})


def load_calibration(models_dir: Path | None = None) -> Calibration:
    """A workspace's ``models/calibration.json``, else the bundled one, else none."""
    for folder in (models_dir, CALIBRATION_FILE.parent):
        if folder is not None and (folder / CALIBRATION_FILE.name).exists():
            return Calibration.load(folder / CALIBRATION_FILE.name)
    return NONE


def coverage_at(points: pd.DataFrame, c: float, tail_lo: str, tail_hi: str) -> float:
    """Coverage of the interval [median + c (q_lo - median), median + c (q_hi - median)]."""
    m = points["q0.5"]
    lo = m + c * (points[tail_lo] - m)
    hi = m + c * (points[tail_hi] - m)
    return float(((points["z"] >= lo) & (points["z"] <= hi)).mean())


def fit_factor(points: pd.DataFrame) -> float:
    """The factor that brings both the 80% and 95% central coverages closest to nominal."""
    best, best_loss = 1.0, np.inf
    for c in GRID:
        loss = ((coverage_at(points, c, "q0.1", "q0.9") - 0.80) ** 2
                + (coverage_at(points, c, "q0.025", "q0.975") - 0.95) ** 2)
        if loss < best_loss - 1e-12:
            best, best_loss = float(c), loss
    return best


def _factors_by_horizon(points: pd.DataFrame, max_horizon: int, min_points: int,
                        fallback: list[float] | None) -> list[float]:
    """Horizons with too few points take the previous horizon's factor (or the fallback's), and
    factors never shrink with the horizon (uncertainty does not fall as we look further)."""
    factors: list[float] = []
    for h in range(1, max_horizon + 1):
        at_h = points[points["horizon"] == h]
        if len(at_h) >= min_points:
            f = fit_factor(at_h)
        else:
            f = factors[-1] if factors else (fallback[h - 1] if fallback else 1.0)
        factors.append(max(f, factors[-1]) if factors else f)
    return factors


def fit_factors(points: pd.DataFrame, max_horizon: int, min_points: int = 30,
                own: set[str] | frozenset[str] = frozenset()) -> dict:
    """Factors by kind group and horizon, and for each indicator in ``own`` its own factors
    (from its points alone; where they are too few, its group's)."""
    out: dict[str, list[float]] = {}
    points = points.assign(group=points["kind"].map(kind_group))
    for group, sub in points.groupby("group"):
        out[str(group)] = _factors_by_horizon(sub, max_horizon, min_points, None)
    for indicator, sub in points[points["indicator"].isin(own)].groupby("indicator"):
        group = out[kind_group(str(sub["kind"].iloc[0]))]
        out[str(indicator)] = _factors_by_horizon(sub, max_horizon, min_points, group)
    return out
