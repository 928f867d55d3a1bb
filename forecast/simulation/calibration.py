"""Widen or narrow simulated spread so that stated probabilities match observed frequencies.

Backtests show how often held-out values fall inside a model's central intervals. A factor per
model, kind of indicator and horizon scales every path's deviation from the median on the model
scale (log or logit), so whole trajectories stay coherent (cumulative and every-year targets
still work) and the median forecast is unchanged. The factors are data: learned by
``forecast calibrate`` from backtests on series and years that are not the ones scored, and
stored as JSON (``forecast/data/calibration.json``, or a workspace's ``models/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from forecast.config import CALIBRATION_FILE, CALIBRATION_NAME
from forecast.errors import InputError
from forecast.files import write_text


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
        write_text(path, json.dumps({"models": self.models, "meta": self.meta}, indent=1,
                                    ensure_ascii=False) + "\n")

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
    own = None if models_dir is None else models_dir / CALIBRATION_NAME
    for path in (own, CALIBRATION_FILE):
        if path is not None and path.exists():
            return Calibration.load(path)
    return NONE
