"""One unit of work: a region's series simulated once, then reduced to its targets' rows,
achievable values and progress under the baseline and every scenario (runs on a worker).

Scenarios transform the baseline's paths, so every scenario reuses the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from forecast.assessment.layout import RegionWork
from forecast.assessment.rows import assess_target, series_diagnostics
from forecast.assessment.settings import Settings
from forecast.inputs.catalogue import Indicator
from forecast.inputs.scenarios import BASELINE, Scenario
from forecast.simulation.adjust import apply
from forecast.simulation.dependence import joint_order
from forecast.simulation.derived import (
    derived_result,
    follow_components,
    pairing,
    series_scores,
)
from forecast.simulation.simulate import SeriesResult, simulate_request
from forecast.streams import rng_for
from forecast.targets.achievable import achievable_rows
from forecast.targets.progress import target_progress


@dataclass(frozen=True)
class RegionOutcome:
    """What a unit sends back: result rows and per-series diagnostics, paths only for a run
    that stores them; per target and scenario, which jointly simulated paths meet it
    (bits, ``joint_orders``)."""

    rows: list[tuple[int, dict]]
    series: dict[str, dict]
    suggestions: list[tuple[int, list[dict]]] = field(default_factory=list)
    progress: list[tuple[int, dict]] = field(default_factory=list)
    met: list[tuple[int, np.ndarray]] = field(default_factory=list)
    # per plan of several regions: (plan id, this region, the path scores of its lead series
    # here) (``lead_scores``)
    leads: list[tuple[str, str, np.ndarray]] = field(default_factory=list)
    # the simulated series themselves, only for a run that stores its paths
    simulated: tuple[SeriesResult, ...] = ()


def relative_orders(work: RegionWork, baseline: dict[tuple[str, str], SeriesResult],
                    seed: int) -> dict[tuple[str, str], np.ndarray | None]:
    """(indicator, other indicator) of each relative target -> the order of the other's
    paths that pairs them with the indicator's (from the baseline; scenarios keep rows)."""
    out = {}
    for key, dependence in work.pairs.items():
        lead = baseline.get((work.region, key[0]))
        follow = baseline.get((work.region, key[1]))
        if lead is not None and follow is not None:
            out[key] = pairing(lead, follow, dependence, seed)
    return out


def simulated(work: RegionWork, plan_id: str,
              results: dict[tuple[str, str], SeriesResult]) -> list[tuple[str, str]]:
    """The series of a plan's indicators simulated in this region, in the order of its joint
    correlations (the first is the one that keeps its order)."""
    joint = work.joint.get(plan_id)
    return [] if joint is None else [(work.region, ind) for ind in joint.indicators
                                     if (work.region, ind) in results]


def joint_orders(work: RegionWork, results: dict[tuple[str, str], SeriesResult],
                 seed: int) -> dict[tuple[str, str], np.ndarray]:
    """Per plan and series of the plan's targets here, the order of the series' paths that
    makes the futures of all of them one joint future each: their path scores re-paired
    (``joint_order``) to follow the correlations of the indicators' annual changes in the
    workspace's history. The first series keeps its order; each target's own probability is
    unchanged (rows are only permuted). Keyed by (plan id, indicator)."""
    out = {}
    for plan_id in work.joint:
        joint, keys = work.joint[plan_id], simulated(work, plan_id, results)
        if len(keys) < 2:
            continue
        index = [joint.indicators.index(ind) for _, ind in keys]
        orders = joint_order([series_scores(results[k]) for k in keys],
                             joint.matrix[np.ix_(index, index)],
                             rng_for(seed, work.region, "joint", plan_id))
        out.update({(plan_id, ind): order for (_, ind), order in zip(keys, orders,
                                                                       strict=True)})
    return out


def lead_scores(work: RegionWork, results: dict[tuple[str, str], SeriesResult]
                ) -> list[tuple[str, str, np.ndarray]]:
    """Per plan of several regions, the path scores (``series_scores``) of the series that
    keeps its order in ``joint_orders`` here: the first of the plan's indicators simulated in
    this region. The plan's regions are lined up on them (``outcomes.plan_outcomes``)."""
    out = []
    for plan_id in sorted(work.shared_plans):
        keys = simulated(work, plan_id, results)
        if keys:
            out.append((plan_id, work.region, series_scores(results[keys[0]])))
    return out


def simulate_region(work: RegionWork, settings: Settings
                    ) -> dict[tuple[str, str], SeriesResult]:
    """The baseline paths of every series a region's unit simulates (its derived series are
    made from these by ``reduce_region``)."""
    baseline: dict[tuple[str, str], SeriesResult] = {}
    for req in work.requests:
        res = simulate_request(req, settings.model, settings.draws, settings.seed,
                               settings.calibration)
        baseline[(res.region, res.indicator)] = res
    return baseline


def assess_region(work: RegionWork, settings: Settings) -> RegionOutcome:
    """Simulate a region's series once and reduce them to its targets' rows, suggestions and
    progress under the baseline and every scenario (runs on a worker). With
    ``settings.paths`` the outcome also carries the simulated series (``RegionOutcome.
    simulated``) for the run's stored paths.

    Scenarios transform the baseline's paths, so every scenario reuses the same draws."""
    baseline = simulate_region(work, settings)
    outcome = reduce_region(work, settings, baseline,
                            {req.indicator.id: req.indicator for req in work.requests})
    return replace(outcome, simulated=tuple(baseline.values())) if settings.paths else outcome


@dataclass(frozen=True)
class RegionPaths:
    """A region's simulated series and what every scenario of them shares: the pairings of
    derived series' components and of relative targets' series (from the baseline; scenarios
    keep the rows)."""

    work: RegionWork
    baseline: dict[tuple[str, str], SeriesResult]
    indicators: dict[str, Indicator]  # the catalogue entries of the simulated series
    orders: dict[tuple[str, str], list[np.ndarray | None]]
    follows: frozenset[tuple[str, str]]
    relative: dict[tuple[str, str], np.ndarray | None]

    @classmethod
    def of(cls, work: RegionWork, baseline: dict[tuple[str, str], SeriesResult],
           indicators: dict[str, Indicator], seed: int) -> RegionPaths:
        orders = {(d.region, d.indicator.id): [
            pairing(baseline[(d.region, d.formula.components[0])], baseline[(d.region, c)],
                    dep, seed) for c, dep in zip(d.formula.components[1:], d.dependence,
                                                 strict=True)]
            for d in work.derived if d.derived}
        follows = frozenset((d.region, d.indicator.id) for d in work.derived if not d.derived)
        return cls(work, baseline, indicators, orders, follows,
                   relative_orders(work, baseline, seed))

    def results(self, scenario: Scenario | None) -> dict[tuple[str, str], SeriesResult]:
        """Every series of the region under ``scenario`` (None: the baseline), derived series
        included: the scenario applied to the baseline's own paths."""
        baseline = self.baseline
        results = dict(baseline) if scenario is None else {
            key: res if key in self.follows or not scenario.touches(key[1]) else replace(
                res, paths=apply(scenario, self.indicators[key[1]], res.paths,
                                 res.history.last_year))
            for key, res in baseline.items()}
        for d in self.work.derived:
            key = (d.region, d.indicator.id)
            if d.derived:
                results[key] = derived_result(d, results, self.orders[key], scenario)
            elif scenario is not None:
                results[key] = follow_components(d, baseline, scenario, self.indicators)
        return results


def reduce_region(work: RegionWork, settings: Settings,
                  baseline: dict[tuple[str, str], SeriesResult],
                  indicators: dict[str, Indicator]) -> RegionOutcome:
    """A region's simulated series (``baseline``) reduced to its targets' rows, suggestions
    and progress under the baseline and every scenario of ``settings``: the derived series
    made and every scenario applied. Pure arithmetic on the paths, so `forecast explore`
    replays it on a run's stored paths and gets what a run with its scenario gets.
    ``indicators``: the catalogue entries of the simulated series' indicators."""
    region = RegionPaths.of(work, baseline, indicators, settings.seed)
    n_scenarios = len(settings.scenario_ids)
    rows, suggestions, progress_rows, met_rows = [], [], [], []
    leads: list[tuple[str, str, np.ndarray]] = []
    series: dict[str, dict] = {}
    joint: dict[tuple[str, str], np.ndarray] = {}
    for s_index, scenario in enumerate((None, *settings.scenarios)):
        sid = BASELINE if scenario is None else scenario.id
        results = region.results(scenario)
        if scenario is None:
            series = {f"{r}|{i}": series_diagnostics(res) for (r, i), res in results.items()}
            joint = joint_orders(work, results, settings.seed)  # scenarios keep the rows
            leads = lead_scores(work, results)
        for pos, t in work.targets:
            order = region.relative.get((t.indicator, t.other_indicator))
            row, binding, met = assess_target(t, results, work.missing, settings, sid, order)
            rows.append((pos * n_scenarios + s_index, row))
            if met is not None:
                rejoin = joint.get((t.plan_id, t.indicator))
                met_rows.append((pos * n_scenarios + s_index,
                                 np.packbits(met if rejoin is None else met[rejoin])))
            if binding is not None:
                history = results[(t.region, t.indicator)].history
                suggestions.append((pos * n_scenarios + s_index,
                                    achievable_rows(t, binding, history, sid)))
            if scenario is None and t.assessable_kind:
                res = results.get((t.region, t.indicator))
                if res is not None:
                    progress_rows.append((pos, target_progress(t, res.history)))
    return RegionOutcome(rows, series, suggestions, progress_rows, met_rows, leads)


@dataclass(frozen=True)
class AssessBatch:
    """A picklable function over a batch of units, for any concurrent.futures-style executor."""

    settings: Settings

    def __call__(self, batch: list[RegionWork]) -> list[RegionOutcome]:
        return [assess_region(work, self.settings) for work in batch]
