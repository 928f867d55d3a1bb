"""The settings of a run: model, draws, seed, the data's cut-off and the review year,
calibration, how pooled fits are made and cached, scenarios and derived indicators.

Everything a run's results depend on besides its inputs is here, the review year included:
the clock is read by the interface (``forecast.api``), never by the pipeline, so the same
inputs, settings and seed give the same bytes on any day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from forecast.config import DEFAULT_DRAWS, DEFAULT_MODEL, DEFAULT_SEED
from forecast.inputs.scenarios import BASELINE, Scenario
from forecast.models.hierarchy.settings import PooledSettings
from forecast.simulation.calibration import NONE, Calibration
from forecast.simulation.derived import backtested


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    as_of: int | None = None
    # the year a mid-term review looks from: plans whose period has begun by it are reviewed
    # (None: the as-of year, else the latest year of the data)
    review_year: int | None = None
    calibration: Calibration = NONE
    # how `bayes` and `auto` fit the pooled model
    pooled: PooledSettings = field(default_factory=PooledSettings)
    cache_dir: Path | None = None  # where pooled posteriors are cached (a workspace's models/)
    scenarios: tuple[Scenario, ...] = ()  # besides the baseline, which is always computed
    # formula indicators derived from their components where these have history (None: those
    # the backtests favour, forecast/data/derived.yaml)
    derived: frozenset[str] | None = None

    @property
    def derived_indicators(self) -> frozenset[str]:
        return backtested() if self.derived is None else self.derived

    @property
    def scenario_ids(self) -> list[str]:
        return [BASELINE, *(s.id for s in self.scenarios)]
