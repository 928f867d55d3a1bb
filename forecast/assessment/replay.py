"""A plan under any scenario and any target values, replayed on a run's stored paths: what
`forecast explore` shows as a control moves, and what `forecast run --scenario` then writes.

A scenario is arithmetic on the baseline's paths (``simulation.adjust``), so nothing is
simulated again: each region's series are put through the same ``RegionPaths.results`` and
``assess_target`` that a run uses, on the same numbers (``stored``), and the plan as a whole
through the same ``plan_outcomes``. A target value changed by hand is the target with that
value, assessed the same way. Regions are prepared once and kept; a replay costs the
scenario's array operations and the targets' comparisons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from forecast.assessment.layout import RegionWork
from forecast.assessment.outcomes import plan_outcomes
from forecast.assessment.region import RegionPaths, joint_orders, lead_scores
from forecast.assessment.rows import assess_target, series_diagnostics
from forecast.assessment.stored import StoredRun
from forecast.inputs.plans import Target
from forecast.inputs.scenarios import BASELINE, Scenario
from forecast.simulation.simulate import SeriesResult
from forecast.targets.achievable import achievable_rows

CURVE_POINTS = 61  # values of a target at which P(met) is drawn


@dataclass(frozen=True)
class TargetReplay:
    """One target under the replayed scenario: its probabilities.csv row, its suggestions
    rows (the 50/80/90% achievable values) and the curve of P(met) against its value."""

    target: Target
    row: dict
    achievable: list[dict]
    curve: list[tuple[float, float]]  # (value, P(met)); empty where not assessable or a range


@dataclass(frozen=True)
class PlanReplay:
    """A plan under one scenario: every target's replay (in plan order), the plan as a whole
    (its plan_outcomes.csv row) and every series of its regions under the scenario."""

    plan_id: str
    scenario: str
    targets: list[TargetReplay]
    outcome: dict
    series: dict[tuple[str, str], SeriesResult]

    def fan(self, region: str, indicator: str) -> dict | None:
        """The fan chart's data of a series (``series_diagnostics``), None if not simulated."""
        res = self.series.get((region, indicator))
        return None if res is None else series_diagnostics(res)


class Replay:
    """A stored run, ready to replay any plan under any scenario."""

    def __init__(self, run: StoredRun, series: dict[tuple[str, str], SeriesResult]):
        self.run = run
        self.series = series
        self.settings = run.settings()
        self._regions: dict[str, tuple[RegionPaths, dict, list]] = {}

    def plan_targets(self, plan_id: str) -> list[tuple[int, Target]]:
        """The plan's targets with their positions in the run, in plan order."""
        return [(pos, t) for pos, t in enumerate(self.run.targets) if t.plan_id == plan_id]

    def plans(self) -> list[str]:
        return list(dict.fromkeys(t.plan_id for t in self.run.targets))

    def _region(self, region: str) -> tuple[RegionPaths, dict, list]:
        """A region's paths with its baseline joint orders and lead scores (made once)."""
        if region not in self._regions:
            work: RegionWork = self.run.units[region]
            baseline = {k: v for k, v in self.series.items() if k[0] == region}
            paths = RegionPaths.of(work, baseline, self.run.indicators, self.run.seed)
            results = paths.results(None)
            self._regions[region] = (paths, joint_orders(work, results, self.run.seed),
                                     lead_scores(work, results))
        return self._regions[region]

    def plan(self, plan_id: str, scenario: Scenario | None = None,
             values: dict[str, float] | None = None) -> PlanReplay:
        """The plan under ``scenario`` (None: the baseline), with the targets named in
        ``values`` given those values instead of their own."""
        sid = BASELINE if scenario is None else scenario.id
        chosen = self.plan_targets(plan_id)
        targets = [t if t.id not in (values or {}) else replace(t, value=float(values[t.id]))
                   for _, t in chosen]
        results: dict[tuple[str, str], SeriesResult] = {}
        met: dict[int, np.ndarray] = {}
        leads: dict[tuple[str, str], np.ndarray] = {}
        by_region: dict[str, dict] = {}
        out: list[TargetReplay] = []
        for local, t in enumerate(targets):
            if t.region not in self.run.units:  # a region with no unit: nothing simulated
                row, _, _ = assess_target(t, {}, {}, self.settings, sid)
                out.append(TargetReplay(t, row, [], []))
                continue
            paths, joint, region_leads = self._region(t.region)
            if t.region not in by_region:
                by_region[t.region] = paths.results(scenario)
                results.update(by_region[t.region])
                leads.update(((p, r), s) for p, r, s in region_leads if p == plan_id)
            here = by_region[t.region]
            order = paths.relative.get((t.indicator, t.other_indicator))
            row, binding, hit = assess_target(t, here, paths.work.missing, self.settings, sid,
                                              order)
            if hit is not None:
                rejoin = joint.get((t.plan_id, t.indicator))
                met[local] = np.packbits(hit if rejoin is None else hit[rejoin])
            achievable = [] if binding is None else achievable_rows(
                t, binding, here[(t.region, t.indicator)].history, sid)
            out.append(TargetReplay(t, row, achievable, curve(t, binding)))
        frame = plan_outcomes(targets, met, [sid], self.run.draws, leads,
                              self.run.common_shocks, self.run.seed)
        outcome = frame.iloc[0].to_dict() if len(frame) else {}
        return PlanReplay(plan_id, sid, out, outcome, results)


def curve(target: Target, binding: np.ndarray | None,
          points: int = CURVE_POINTS) -> list[tuple[float, float]]:
    """P(met) of ``target`` with its value set to each of ``points`` values spanning the
    compared quantity's 1st to 99th percentile (and the stated value): the share of paths
    whose binding quantity meets it (as ``is_met`` would say, counted on the sorted
    quantities at once; a path without a quantity meets no value)."""
    if binding is None or target.op not in SIDES or not len(binding):
        return []
    ordered = np.sort(binding[np.isfinite(binding)])
    if not len(ordered):
        return []
    lo, hi = np.quantile(ordered, [0.01, 0.99])
    if target.value is not None and math.isfinite(target.value):
        lo, hi = min(lo, target.value), max(hi, target.value)
    if hi <= lo:
        hi = lo + max(abs(lo) * 0.01, 1e-9)
    grid = np.linspace(lo, hi, points)
    if target.value is not None and math.isfinite(target.value):  # the value itself, exactly
        grid = np.union1d(grid, [target.value])
    below, up = SIDES[target.op]  # below: which searchsorted side counts the values below v
    count = np.searchsorted(ordered, grid, side=below)
    met = len(ordered) - count if up else count
    return [(float(v), float(m) / len(binding)) for v, m in zip(grid, met, strict=True)]


# per op: the searchsorted side that counts the paths not meeting (up) or meeting (down) v,
# and whether the target is met above v
SIDES = {">=": ("left", True), ">": ("right", True), "<=": ("right", False),
         "<": ("left", False)}
