"""A run laid out before anything is simulated: which series each target needs, what each
series' request carries (its history, its model, its region's pooled draws), which series
cannot be simulated and why, and the work units (one per region) with their batches.

Cheap and pure: no model is fitted here, so a command on one plan can check its scenarios
against the whole workspace by laying it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from forecast.assessment.settings import Settings
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.plans import Target
from forecast.inputs.scenarios import check_against_run
from forecast.inputs.series import SeriesTable, series_table, usable_history
from forecast.inputs.vintages import preliminary_years, revision_pairs
from forecast.models.revisions import RevisionError, learn_revisions
from forecast.models.transforms import transform_for
from forecast.simulation.dependence import (
    INDEPENDENT,
    Dependence,
    JointDependence,
    YearlyChanges,
    correlation_matrix,
)
from forecast.simulation.derived import DerivedRequest, parse, plan_derived
from forecast.simulation.simulate import SeriesRequest

if TYPE_CHECKING:  # types only: a replay of stored paths needs neither the fits nor a workspace
    from forecast.inputs.workspace import Inputs
    from forecast.models.fitting import PooledFits

MIN_POINTS = 2  # below this a series is "insufficient data", unless the pooled model has it


def _series_needed(targets: list[Target]) -> dict[tuple[str, str], int]:
    """(region, indicator) -> the last year any target needs it for."""
    until: dict[tuple[str, str], int] = {}
    for t in targets:
        for ind in filter(None, (t.indicator, t.other_indicator)):
            key = (t.region, ind)
            until[key] = max(until.get(key, t.year), t.year)
    return until


def observed(inputs: Inputs, as_of: int | None) -> pd.DataFrame:
    """The observations a run may use: those up to ``as_of``."""
    obs = inputs.observations
    return obs if as_of is None else obs[obs["year"] <= as_of]


def observed_series(inputs: Inputs, as_of: int | None) -> SeriesTable:
    """The observations a run may use (up to ``as_of``), grouped into series once."""
    return series_table(observed(inputs, as_of))


@dataclass(frozen=True)
class Vintages:
    """Which figures are still preliminary, and how far each indicator's preliminary figures
    moved when revised (only where observations.csv has a vintage column)."""

    preliminary: frozenset[tuple[str, str, int]] = frozenset()
    errors: dict[str, RevisionError] = field(default_factory=dict)

    def revision(self, region: str, indicator: str, last_year: int) -> RevisionError | None:
        if (region, indicator, last_year) not in self.preliminary:
            return None
        return self.errors.get(indicator)


def run_vintages(inputs: Inputs, as_of: int | None) -> Vintages:
    """The vintages of the observations a run may use (up to ``as_of``)."""
    obs = observed(inputs, as_of)
    years = preliminary_years(obs)
    if not years:
        return Vintages()
    return Vintages(years, learn_revisions(revision_pairs(obs), inputs.catalogue))


def series_requests(catalogue: Catalogue, table: SeriesTable, targets: list[Target],
                    fits: PooledFits | None = None, *,
                    derive_ids: frozenset[str] = frozenset(), follow: bool = False,
                    dependence: Callable[[str, str], Dependence] | None = None,
                    vintages: Vintages | None = None
                    ) -> tuple[list[SeriesRequest], dict[tuple[str, str], str],
                               list[DerivedRequest]]:
    """What to simulate, why each other needed series cannot be (its note), and which
    series are derived from their components.

    A series of a pooled indicator carries its region's posterior; it needs only one point,
    since its trend can come from its parent's and its spread from the pool. A series whose
    latest year is preliminary carries its indicator's revision error (``vintages``)."""
    vintages = vintages or Vintages()
    index = {key: k for k, key in enumerate(table.keys)}
    needed = _series_needed(targets)
    derived, extra = plan_derived(catalogue, table, needed, derive_ids,
                                  dependence or (lambda a, b: INDEPENDENT), MIN_POINTS, follow)
    skip = {(d.region, d.indicator.id) for d in derived if d.derived}
    for key, until in extra.items():
        needed[key] = max(needed.get(key, until), until)
    requests, missing = [], {}
    for (region, ind_id), until in sorted(needed.items()):
        if (region, ind_id) in skip:
            continue
        indicator = catalogue[ind_id]
        k = index.get((region, ind_id))
        if k is None:
            missing[(region, ind_id)] = "no data"
            continue
        years, values, gap = usable_history(*table.series(k))
        choice = fits.choice.get(ind_id) if fits else None
        post = fits.posteriors.get(ind_id) if fits else None
        count_post = fits.counts.get(ind_id) if fits else None
        pooled = post is not None and region in post.regions
        as_counts = count_post is not None and region in count_post.regions
        if len(years) < (1 if pooled or as_counts else MIN_POINTS):
            missing[(region, ind_id)] = f"insufficient data ({len(years)} point in {years[-1]})"
            continue
        posterior = counts = None
        if pooled:
            z = transform_for(indicator, values).continuous().forward(values)
            last_change = float(z[-1] - z[-2]) if len(z) > 1 else 0.0
            posterior = post.for_region(region, last_change, len(years))
        if as_counts:
            counts = count_post.for_region(region, len(years))
        model = None if choice is None or (choice.model in ("bayes", "counts") and not pooled)\
            else choice.model
        requests.append(SeriesRequest(region, indicator, years, values, until, gap,
                                      model=model, posterior=posterior, counts=counts,
                                      revision=vintages.revision(region, ind_id,
                                                                 int(years[-1]))))
    return requests, missing, derived


def data_needed(missing: dict[tuple[str, str], str], targets: list[Target],
                catalogue: Catalogue) -> pd.DataFrame:
    """For each series a target lacks: which indicator, region and years would let us assess it."""
    rows = []
    for (region, ind_id), why in sorted(missing.items()):
        needing = [t for t in targets if t.region == region and ind_id in
                   (t.indicator, t.other_indicator)]
        base = min((t.base_year or t.year - 1) for t in needing)
        ind = catalogue[ind_id]
        rows.append(dict(
            region=region, indicator=ind_id, name_zh=ind.name_zh, unit=ind.unit, status=why,
            targets=len(needing),
            years_needed=f"at least 3 consecutive years, the last in {base} or later",
        ))
    return pd.DataFrame(rows, columns=["region", "indicator", "name_zh", "unit", "status",
                                       "targets", "years_needed"])


@dataclass(frozen=True)
class RegionWork:
    """One unit of work: a region's series and every target on them, with their positions."""

    region: str
    requests: tuple[SeriesRequest, ...]
    targets: tuple[tuple[int, Target], ...]
    missing: dict[tuple[str, str], str]
    derived: tuple[DerivedRequest, ...] = ()
    # (indicator, other indicator) of relative targets -> the correlation to pair them with
    pairs: dict[tuple[str, str], Dependence] = field(default_factory=dict)
    # per plan, the correlations of the annual changes of the indicators the plan's targets
    # here name: how their futures are re-paired for the plan as a whole
    # (``region.joint_orders``; per plan, so a plan's outcome is the same in any run)
    joint: dict[str, JointDependence] = field(default_factory=dict)
    # the plans here whose targets span several regions: the unit sends back its lead
    # series' path scores for them, to line the regions up (``outcomes.plan_outcomes``)
    shared_plans: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RunWork:
    """A run laid out: its units (sorted by region, so the order of input rows does not
    matter), its targets in plan order, the series it may use, and the notes of the series
    that cannot be simulated."""

    units: list[RegionWork]
    targets: list[Target]
    table: SeriesTable
    missing: dict[tuple[str, str], str]
    dependence: dict[tuple[str, str], Dependence] = field(default_factory=dict)
    # per plan of several regions, the common year shock of its regions' annual changes
    common_shocks: dict[str, Dependence] = field(default_factory=dict)

    @property
    def assessable(self) -> list[Target]:
        return [t for t in self.targets if t.assessable_kind]


def run_targets(inputs: Inputs) -> list[Target]:
    """Every target of every plan, in plan order, with its region resolved to the data's."""
    from forecast.inputs.regions import region_resolver  # the tables' readers: only here

    resolve = region_resolver(inputs.regions)
    return [_with_region(t, resolve(t.region)) for plan in inputs.plans for t in plan.targets]


def needed_indicators(targets: list[Target], catalogue: Catalogue | None = None,
                      derive_ids: frozenset[str] = frozenset(), follow: bool = False
                      ) -> list[str]:
    """The indicators a run simulates: those its targets name, and the components of those
    that may be derived from them."""
    named = {ind for t in targets if t.assessable_kind
             for ind in (t.indicator, t.other_indicator) if ind}
    if catalogue is not None:
        for ind in list(named):
            formula = catalogue[ind].formula
            if formula and (follow or ind in derive_ids):
                named |= set(parse(ind, formula).components)
    return sorted(named)


def region_work(inputs: Inputs, settings: Settings, fits: PooledFits | None = None,
                table: SeriesTable | None = None) -> RunWork:
    """Lay out a run's work units from its plans and observations (and pooled fits)."""
    targets = run_targets(inputs)
    table = observed_series(inputs, settings.as_of) if table is None else table
    correlations: dict[tuple[str, str], Dependence] = {}

    changes = YearlyChanges(table, inputs.catalogue)

    def dependence(a: str, b: str) -> Dependence:
        if (a, b) not in correlations:
            correlations[(a, b)] = changes.correlation(a, b)
        return correlations[(a, b)]

    joint_pairs: dict[tuple[str, str], Dependence] = {}  # not the run's pairings: its own

    def joint(a: str, b: str) -> Dependence:
        if (a, b) not in joint_pairs:
            joint_pairs[(a, b)] = correlations.get((a, b)) or changes.correlation(a, b)
        return joint_pairs[(a, b)]

    assessable = [t for t in targets if t.assessable_kind]
    requests, missing, derived = series_requests(
        inputs.catalogue, table, assessable, fits, derive_ids=settings.derived_indicators,
        follow=settings.follows_components, dependence=dependence,
        vintages=run_vintages(inputs, settings.as_of))
    pairs = {(t.indicator, t.other_indicator): dependence(t.indicator, t.other_indicator)
             for t in assessable if t.other_indicator}
    by_region: dict[str, list] = {}
    for req in requests:
        by_region.setdefault(req.region, []).append(req)
    derived_by_region: dict[str, list] = {}
    for d in derived:
        derived_by_region.setdefault(d.region, []).append(d)
    positions: dict[str, list] = {}
    for pos, t in enumerate(targets):
        positions.setdefault(t.region, []).append((pos, t))
    missing_by_region: dict[str, dict] = {}
    for key, note in missing.items():
        missing_by_region.setdefault(key[0], {})[key] = note
    shared = shared_plans(targets)
    shocks = {plan: changes.common_shock(indicators, regions)
              for plan, (regions, indicators) in shared.items()}
    plans_of: dict[str, set[str]] = {}
    for plan, (regions, _) in shared.items():
        for region in regions:
            plans_of.setdefault(region, set()).add(plan)
    units = [
        RegionWork(region, tuple(by_region.get(region, ())), tuple(positions[region]),
                   missing_by_region.get(region, {}), tuple(derived_by_region.get(region, ())),
                   pairs, {plan: correlation_matrix(indicators, joint)
                           for plan, indicators in plan_indicators(positions[region]).items()},
                   frozenset(plans_of.get(region, ())))
        for region in sorted(positions)
    ]
    return RunWork(units, targets, table, missing, correlations, shocks)


def shared_plans(targets: list[Target]) -> dict[str, tuple[set[str], list[str]]]:
    """The plans whose assessable targets span several regions: their regions and the
    indicators they name (sorted)."""
    regions: dict[str, set[str]] = {}
    for t in targets:
        if t.assessable_kind:
            regions.setdefault(t.plan_id, set()).add(t.region)
    shared = {plan for plan, r in regions.items() if len(r) > 1}
    named = plan_indicators([(i, t) for i, t in enumerate(targets) if t.plan_id in shared])
    return {plan: (regions[plan], named[plan]) for plan in sorted(shared)}


def plan_indicators(targets) -> dict[str, list[str]]:
    """Per plan, the indicators its assessable targets name (sorted), from (position,
    target) pairs."""
    named: dict[str, set[str]] = {}
    for _, t in targets:
        if t.assessable_kind:
            named.setdefault(t.plan_id, set()).add(t.indicator)
    return {plan: sorted(indicators) for plan, indicators in sorted(named.items())}


def batches(units: list[RegionWork], max_series: int = 200) -> list[list[RegionWork]]:
    """Consecutive units grouped so each batch simulates about ``max_series`` series: few
    enough tasks for a scheduler, small enough to spread over every worker."""
    out: list[list[RegionWork]] = [[]]
    size = 0
    for unit in units:
        if out[-1] and size + len(unit.requests) > max_series:
            out.append([])
            size = 0
        out[-1].append(unit)
        size += len(unit.requests)
    return [b for b in out if b]


def check_scenarios(inputs: Inputs, settings: Settings) -> None:
    """Refuse (InputError) a scenario naming an indicator the workspace has no series of and
    the run does not simulate, or a year outside the years the run simulates. Cheap: lays out
    the run without fitting anything, so a command on one plan can check against them all."""
    if settings.scenarios:
        check_scenarios_against(region_work(inputs, settings), settings, inputs)


def check_scenarios_against(run: RunWork, settings: Settings, inputs: Inputs) -> None:
    first, last = simulated_years(run)
    known = simulated_indicators(run) | {ind for _, ind in run.table.keys}
    check_against_run(list(settings.scenarios), known, first, last, settings.as_of,
                      set(inputs.observations["indicator"].astype(str)))


def simulated_indicators(run: RunWork) -> set[str]:
    return {r.indicator.id for u in run.units for r in u.requests} | \
        {d.indicator.id for u in run.units for d in u.derived}


def simulated_years(run: RunWork) -> tuple[int, int]:
    """The first and last year any series of the run simulates (its scenarios' span)."""
    spans = [(int(r.years[-1]) + 1, r.until) for u in run.units for r in u.requests
             if r.until > r.years[-1]]
    spans += [(d.last_year + 1, d.until) for u in run.units for d in u.derived]
    if not spans:
        return 0, -1
    return min(a for a, _ in spans), max(b for _, b in spans)


def _with_region(target: Target, region: str) -> Target:
    return target if region == target.region else replace(target, region=region)
