"""A run's work as the run folder keeps it (``paths.parquet``), so that `forecast explore`
can replay any scenario on the run's own simulated paths and get what a run with that
scenario gets: the same ``reduce_region`` on the same numbers.

What is kept is plain data (JSON-able dicts, no pickle: a run folder may come from anywhere):
per region unit, its targets with their positions, the notes of the series it lacks, its
derived series' requests, the correlations its plans' joint futures follow; per run, the
pairings of relative targets, the common year shocks, the catalogue entries used and the
settings the arithmetic depends on (draws, seed). The simulated values themselves are
``SeriesResult``s, kept as their history (here) and their future years (columns of the
Parquet file, ``outputs.paths_file``). Floats survive JSON exactly (``repr`` round-trips).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from forecast.assessment.layout import RegionWork, RunWork
from forecast.assessment.settings import Settings
from forecast.inputs.catalogue import Indicator
from forecast.inputs.plans import Target
from forecast.simulation.dependence import Dependence, JointDependence
from forecast.simulation.derived import DerivedRequest, parse
from forecast.simulation.paths import Paths
from forecast.simulation.simulate import SeriesResult

FORMAT = 1  # the version of this layout: a reader refuses another


def _dependence(d: Dependence) -> list:
    return [d.rho, d.pairs, d.regions]


def _paths(p: Paths | None) -> dict | None:
    return None if p is None else {"first_year": p.first_year, "values": p.values.tolist()}


def _from_paths(raw: dict | None) -> Paths | None:
    return None if raw is None else Paths(int(raw["first_year"]),
                                          np.asarray(raw["values"], dtype=float))


def _target(t: Target) -> dict:
    return asdict(t)


def _indicator(ind: Indicator) -> dict:
    out = asdict(ind)
    out["aliases"], out["aliases_traditional"] = list(ind.aliases), list(ind.aliases_traditional)
    for bound in ("lower", "upper"):  # JSON has no infinity
        value = getattr(ind, bound)
        out[bound] = None if math.isinf(value) else value
    return out


def _from_indicator(raw: dict) -> Indicator:
    known = {f.name for f in fields(Indicator)}
    values = {k: v for k, v in raw.items() if k in known}
    values["lower"] = -math.inf if raw["lower"] is None else raw["lower"]
    values["upper"] = math.inf if raw["upper"] is None else raw["upper"]
    values["aliases"] = tuple(raw.get("aliases", ()))
    values["aliases_traditional"] = tuple(raw.get("aliases_traditional", ()))
    return Indicator(**values)


def unit_record(work: RegionWork) -> dict:
    """One region unit as plain data (its requests are not kept: their simulated paths are)."""
    return {
        "region": work.region,
        "targets": [[pos, _target(t)] for pos, t in work.targets],
        "missing": [[r, i, note] for (r, i), note in work.missing.items()],
        "derived": [{"region": d.region, "indicator": d.indicator.id, "own": _paths(d.own),
                     "last_year": d.last_year, "until": d.until,
                     "dependence": [_dependence(x) for x in d.dependence],
                     "derived": d.derived} for d in work.derived],
        "joint": {plan: {"indicators": list(j.indicators), "matrix": j.matrix.tolist()}
                  for plan, j in work.joint.items()},
        "shared_plans": sorted(work.shared_plans),
    }


def run_record(run: RunWork, settings: Settings, indicators: dict[str, Indicator]) -> dict:
    """What a replay of ``run`` needs besides the simulated paths."""
    pairs = run.units[0].pairs if run.units else {}
    return {
        "format": FORMAT,
        "settings": {"model": settings.model, "draws": settings.draws, "seed": settings.seed},
        "indicators": {k: _indicator(v) for k, v in sorted(indicators.items())},
        "pairs": [[a, b, _dependence(d)] for (a, b), d in pairs.items()],
        "common_shocks": {plan: _dependence(d) for plan, d in run.common_shocks.items()},
        "targets": [_target(t) for t in run.targets],
        "units": [unit_record(u) for u in run.units],
    }


def series_record(res: SeriesResult) -> dict:
    """A simulated series' history, model and notes (its future years go in the columns)."""
    return {"region": res.region, "indicator": res.indicator, "model": res.model,
            "notes": list(res.notes), "history": _paths(res.history)}


@dataclass(frozen=True)
class StoredRun:
    """A run's work restored: its units, targets, catalogue entries, settings and shocks."""

    units: dict[str, RegionWork]  # by region
    targets: list[Target]  # in plan order (their positions index the run's rows)
    indicators: dict[str, Indicator]
    draws: int
    seed: int
    model: str
    common_shocks: dict[str, Dependence]

    def settings(self, scenarios: tuple = ()) -> Settings:
        """Settings that replay the run's arithmetic, with ``scenarios`` besides the baseline."""
        return Settings(model=self.model, draws=self.draws, seed=self.seed,
                        scenarios=scenarios, derived=frozenset())


def restore(record: dict) -> StoredRun:
    """The run's work from ``run_record``'s data (ValueError on another format)."""
    if record.get("format") != FORMAT:
        raise ValueError(f"stored paths of format {record.get('format')!r}, not {FORMAT}")
    indicators = {k: _from_indicator(v) for k, v in record["indicators"].items()}
    pairs = {(a, b): Dependence(*d) for a, b, d in record["pairs"]}
    units = {}
    for raw in record["units"]:
        derived = tuple(DerivedRequest(
            d["region"], indicators[d["indicator"]],
            parse(d["indicator"], indicators[d["indicator"]].formula or ""),
            _from_paths(d["own"]), int(d["last_year"]), int(d["until"]),
            tuple(Dependence(*x) for x in d["dependence"]), bool(d["derived"]))
            for d in raw["derived"])
        units[raw["region"]] = RegionWork(
            raw["region"], (), tuple((int(pos), Target(**t)) for pos, t in raw["targets"]),
            {(r, i): note for r, i, note in raw["missing"]}, derived, pairs,
            {plan: JointDependence(tuple(j["indicators"]), np.asarray(j["matrix"], dtype=float),
                                   {}) for plan, j in raw["joint"].items()},
            frozenset(raw["shared_plans"]))
    settings = record["settings"]
    return StoredRun(units, [Target(**t) for t in record["targets"]], indicators,
                     int(settings["draws"]), int(settings["seed"]), str(settings["model"]),
                     {plan: Dependence(*d) for plan, d in record["common_shocks"].items()})


def series_result(record: dict, future: np.ndarray) -> SeriesResult:
    """A simulated series from ``series_record`` and its future years (n_paths, horizon): the
    paths a run built (observed columns repeated, then the simulated ones)."""
    history = _from_paths(record["history"])
    n = future.shape[0]
    values = np.hstack([np.repeat(history.values, n, axis=0), future]) if future.shape[1] \
        else np.repeat(history.values, n, axis=0)
    return SeriesResult(record["region"], record["indicator"], Paths(history.first_year, values),
                        history, record["model"], tuple(record["notes"]))
