"""The settings of a run: model, draws, seed, the data's cut-off and the review year,
calibration, how pooled fits are made and cached, scenarios and derived indicators.

Everything a run's results depend on besides its inputs is here, the review year included:
the clock is read by the interface (``forecast.api``), never by the pipeline, so the same
inputs, settings and seed give the same bytes on any day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from forecast.config import DEFAULT_DRAWS, DEFAULT_MODEL, DEFAULT_SEED, YEAR_MAX, YEAR_MIN
from forecast.errors import InputError
from forecast.inputs.scenarios import BASELINE, Scenario
from forecast.models.hierarchy.settings import PooledSettings
from forecast.simulation.calibration import NONE, Calibration
from forecast.simulation.derived import backtested

SEED_LIMIT = 2**32  # numpy's seeds: 0 <= seed < 2**32
DEFAULT_AS_OF_EXAMPLE = 2022


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
    # processes the fits of model structures not yet compiled may use side by side when the
    # run has no executor of its own (the interface gives the machine's cores)
    fit_workers: int = 1
    # keep every simulated series' paths for the run folder's paths.parquet (`forecast
    # explore`); the components of formula indicators are then simulated even without a
    # scenario, so the explorer's scenarios reach the indicators made of them
    paths: bool = False

    def __post_init__(self) -> None:
        """Refuse what no run can use, naming the command-line option that gave it, so a
        notebook and the command line get the same one-line error."""
        for name, option, least in (("draws", "--draws", 1), ("seed", "--seed", 0),
                                    ("fit_workers", "--workers", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise InputError(f"{option} {value!r} is not a whole number of at least {least}",
                                 column=option, fix=f"give {option} a whole number from {least}")
        if self.seed >= SEED_LIMIT:
            raise InputError(f"--seed {self.seed} is too large", column="--seed",
                             fix=f"give a seed from 0 to {SEED_LIMIT - 1}")
        for name, option in (("as_of", "--as-of"), ("review_year", "--as-of")):
            year = getattr(self, name)
            if year is not None and (isinstance(year, bool) or not isinstance(year, int)
                                     or not YEAR_MIN <= year <= YEAR_MAX):
                raise InputError(f"{option} {year!r} is not a year from {YEAR_MIN} to "
                                 f"{YEAR_MAX}", column=option,
                                 fix=f"give {option} a year such as {DEFAULT_AS_OF_EXAMPLE}")

    @property
    def derived_indicators(self) -> frozenset[str]:
        return backtested() if self.derived is None else self.derived

    @property
    def follows_components(self) -> bool:
        """Whether formula indicators forecast directly are moved by scenarios through their
        components (which the run then simulates): with scenarios, or stored paths."""
        return bool(self.scenarios) or self.paths

    @property
    def scenario_ids(self) -> list[str]:
        return [BASELINE, *(s.id for s in self.scenarios)]
