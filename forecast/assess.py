"""run(inputs, settings) -> one row per target: the probability it is met, and why.

Pure: no files, no printing. The CLI reads the workspace, calls ``assess`` and writes outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.calibration import NONE, Calibration
from forecast.catalogue import Catalogue
from forecast.config import DEFAULT_DRAWS, DEFAULT_MODEL, DEFAULT_SEED
from forecast.dataset import SeriesTable, data_quality_notes, region_resolver, series_table
from forecast.derived import (
    DerivedRequest,
    backtested,
    derived_result,
    follow_components,
    pairing,
    parse,
    plan_derived,
)
from forecast.joint import INDEPENDENT, Dependence, growth_correlation
from forecast.models.pooled.inference import PooledSettings
from forecast.plans import Plan, Target
from forecast.pooling import POOLED_MODELS, PooledFits, fit_stage
from forecast.progress import progress
from forecast.scenarios import BASELINE, Scenario, apply, check_against_run
from forecast.simulate import (
    SeriesRequest,
    SeriesResult,
    simulate_request,
    usable_history,
)
from forecast.suggestions import COLUMNS as SUGGESTION_COLUMNS
from forecast.suggestions import achievable_rows
from forecast.targets import (
    NotAssessable,
    Paths,
    binding_statistic,
    compared_quantity,
    historical_rate,
    is_met,
    likelihood,
    probability,
    required_rate,
    sorted_quantiles,
)
from forecast.transforms import transform_for

COLUMNS = [
    "plan_id", "target_id", "region", "indicator", "kind", "op", "value", "value_hi", "year",
    "base_year", "scenario", "model", "probability", "probability_se", "statistic_p10",
    "statistic_p50", "statistic_p90", "last_year", "last_value", "required_rate",
    "historical_rate", "likelihood", "assessable", "note", "aspirational", "each_year", "text",
    "base_value",
]
PROGRESS_COLUMNS = ["plan_id", "target_id", "region", "indicator", "kind", "year", "base_year",
                    "base_value", "last_year", "last_value", "progress_share", "time_share",
                    "achieved_rate"]
MIN_POINTS = 2  # below this a series is "insufficient data", unless the pooled model has it
SHORT_SERIES = 5  # below this the row says the distribution is wide because the series is short


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    as_of: int | None = None
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


@dataclass
class Inputs:
    catalogue: Catalogue
    observations: pd.DataFrame
    plans: list[Plan]
    regions: pd.DataFrame | None = None


@dataclass
class Assessment:
    rows: pd.DataFrame
    series: dict[str, dict] = field(default_factory=dict)  # "region|indicator" -> diagnostics
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    data_needed: pd.DataFrame = field(default_factory=pd.DataFrame)
    models: dict[str, dict] = field(default_factory=dict)  # indicator -> model and why
    fits: dict[str, dict] = field(default_factory=dict)  # indicator -> pooled fit diagnostics
    # per target and scenario, the values met with 50/80/90% probability
    suggestions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=SUGGESTION_COLUMNS))
    # per target, what the data say of its progress since its base year
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=PROGRESS_COLUMNS))
    dependence: dict[str, dict] = field(default_factory=dict)  # "a~b" -> correlation used


def _series_needed(targets: list[Target]) -> dict[tuple[str, str], int]:
    """(region, indicator) -> the last year any target needs it for."""
    until: dict[tuple[str, str], int] = {}
    for t in targets:
        for ind in filter(None, (t.indicator, t.other_indicator)):
            key = (t.region, ind)
            until[key] = max(until.get(key, t.year), t.year)
    return until


def observed_series(inputs: Inputs, as_of: int | None) -> SeriesTable:
    """The observations a run may use (up to ``as_of``), grouped into series once."""
    obs = inputs.observations
    if as_of is not None:
        obs = obs[obs["year"] <= as_of]
    return series_table(obs)


def series_requests(catalogue: Catalogue, table: SeriesTable, targets: list[Target],
                    fits: PooledFits | None = None, *,
                    derive_ids: frozenset[str] = frozenset(), follow: bool = False,
                    dependence: Callable[[str, str], Dependence] | None = None
                    ) -> tuple[list[SeriesRequest], dict[tuple[str, str], str],
                               list[DerivedRequest]]:
    """What to simulate, why each other needed series cannot be (its note), and which
    series are derived from their components.

    A series of a pooled indicator carries its region's posterior; it needs only one point,
    since its trend can come from its parent's and its spread from the pool."""
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
                                      model=model, posterior=posterior, counts=counts))
    return requests, missing, derived


def _fmt_rate(r: float | None) -> float:
    return float("nan") if r is None else float(r)


def assess_target(target: Target, results: dict[tuple[str, str], SeriesResult],
                  missing: dict[tuple[str, str], str], settings: Settings,
                  scenario: str = BASELINE, other_order: np.ndarray | None = None
                  ) -> tuple[dict, np.ndarray | None]:
    """One output row for a target under a scenario, and the per-path quantity it binds on,
    sorted (None where not assessable). ``other_order`` re-pairs the paths of a relative
    target's other series with this one's (``joint``)."""
    row = dict.fromkeys(COLUMNS, float("nan"))
    row.update(
        plan_id=target.plan_id, target_id=target.id, region=target.region,
        indicator=target.indicator, kind=target.kind, op=target.op or "",
        value=target.value, value_hi=target.value_hi, year=target.year,
        base_year=target.base_year, scenario=scenario, model="", likelihood="",
        assessable=False, note="", aspirational=target.aspirational,
        each_year=target.each_year, text=target.text,
    )
    if target.kind == "qualitative":
        row["note"] = "qualitative target: not given a probability"
        return row, None
    key = (target.region, target.indicator)
    series = results.get(key)
    if series is None:
        row["note"] = missing.get(key, "no data")
        return row, None
    other = None
    if target.other_indicator:
        other_result = results.get((target.region, target.other_indicator))
        if other_result is None:
            row["note"] = f"{missing.get((target.region, target.other_indicator), 'no data')} " \
                          f"for {target.other_indicator}"
            return row, None
        other = other_result.paths
        if other_order is not None:
            other = Paths(other.first_year, other.values[other_order])
    history = series.history
    n_obs = history.values.shape[1]
    if target.base_year is not None:
        row["base_value"] = float(history.at(target.base_year)[0])
    row.update(
        last_year=history.last_year,
        last_value=float(history.values[0, -1]),
        historical_rate=_fmt_rate(
            historical_rate(np.arange(history.first_year, history.last_year + 1),
                            history.values[0])),
        required_rate=_fmt_rate(required_rate(target, history)),
    )
    try:
        stat = compared_quantity(target, series.paths, other)
    except NotAssessable as exc:
        row["note"] = str(exc)
        return row, None
    p, se = probability(is_met(target, stat))
    binding = np.sort(binding_statistic(target, stat))  # sorted once for every quantile
    q10, q50, q90 = sorted_quantiles(binding, (0.1, 0.5, 0.9))
    observed = target.year <= history.last_year
    row.update(
        model="observed" if observed else series.model,
        probability=p, probability_se=se, statistic_p10=q10, statistic_p50=q50,
        statistic_p90=q90, likelihood=likelihood(p), assessable=True,
    )
    notes = []
    if observed:
        notes.append(f"already observed in {history.last_year}")
    elif n_obs < SHORT_SERIES and series.model in ("bayes", "counts"):
        notes.append(f"short series ({n_obs} point{'s' * (n_obs > 1)}): trend and spread "
                     "borrowed from the regions it is pooled with")
    elif n_obs < SHORT_SERIES:
        notes.append(f"short series ({n_obs} points): wide distribution")
    notes += [n for n in series.notes if n.startswith(("years before", "one point", "derived"))]
    row["note"] = "; ".join(notes)
    return row, binding


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


@dataclass(frozen=True)
class RegionOutcome:
    """What a unit sends back: result rows and per-series diagnostics, never paths."""

    rows: list[tuple[int, dict]]
    series: dict[str, dict]
    suggestions: list[tuple[int, list[dict]]] = field(default_factory=list)
    progress: list[tuple[int, dict]] = field(default_factory=list)


FAN_LEVELS = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)  # the 95/80/50% bands and median


def series_diagnostics(res: SeriesResult) -> dict:
    """What a series' outputs need, computed where its paths are: data points, model notes,
    the observed history and the fan chart's quantiles (``FAN_LEVELS``) for each simulated
    year, so reports can draw it without the paths."""
    n_obs = res.history.values.shape[1]
    future = res.paths.values[:, n_obs:]
    fan = (np.quantile(future, FAN_LEVELS, axis=0) if future.shape[1]
           else np.empty((len(FAN_LEVELS), 0)))
    return {"points": int(n_obs), "first_year": res.history.first_year,
            "last_year": res.history.last_year, "model": res.model, "notes": list(res.notes),
            "history": {str(res.history.first_year + i): float(f"{v:.6g}")
                        for i, v in enumerate(res.history.values[0]) if np.isfinite(v)},
            "fan_levels": list(FAN_LEVELS),
            "fan": {str(res.history.last_year + 1 + i): [float(f"{v:.6g}") for v in fan[:, i]]
                    for i in range(fan.shape[1])}}


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


def assess_region(work: RegionWork, settings: Settings) -> RegionOutcome:
    """Simulate a region's series once and reduce them to its targets' rows, suggestions and
    progress under the baseline and every scenario (runs on a worker).

    Scenarios transform the baseline's paths, so every scenario reuses the same draws."""
    baseline: dict[tuple[str, str], SeriesResult] = {}
    indicators = {}
    for req in work.requests:
        res = simulate_request(req, settings.model, settings.draws, settings.seed,
                               settings.calibration)
        baseline[(res.region, res.indicator)] = res
        indicators[res.indicator] = req.indicator
    orders = {(d.region, d.indicator.id): [
        pairing(baseline[(d.region, d.formula.components[0])], baseline[(d.region, c)], dep,
                settings.seed) for c, dep in zip(d.formula.components[1:], d.dependence,
                                                   strict=True)]
        for d in work.derived if d.derived}
    follows = {(d.region, d.indicator.id) for d in work.derived if not d.derived}
    relative = relative_orders(work, baseline, settings.seed)
    n_scenarios = len(settings.scenario_ids)
    rows, suggestions, progress_rows = [], [], []
    series: dict[str, dict] = {}
    for s_index, scenario in enumerate((None, *settings.scenarios)):
        sid = BASELINE if scenario is None else scenario.id
        results = dict(baseline) if scenario is None else {
            key: res if key in follows or not scenario.touches(key[1]) else replace(
                res, paths=apply(scenario, indicators[key[1]], res.paths,
                                 res.history.last_year))
            for key, res in baseline.items()}
        for d in work.derived:
            key = (d.region, d.indicator.id)
            if d.derived:
                results[key] = derived_result(d, results, orders[key], scenario)
            elif scenario is not None:
                results[key] = follow_components(d, baseline, scenario, indicators)
        if scenario is None:
            series = {f"{r}|{i}": series_diagnostics(res) for (r, i), res in results.items()}
        for pos, t in work.targets:
            order = relative.get((t.indicator, t.other_indicator))
            row, binding = assess_target(t, results, work.missing, settings, sid, order)
            rows.append((pos * n_scenarios + s_index, row))
            if binding is not None:
                history = results[(t.region, t.indicator)].history
                suggestions.append((pos * n_scenarios + s_index,
                                    achievable_rows(t, binding, history, sid)))
            if scenario is None and t.kind != "qualitative":
                res = results.get((t.region, t.indicator))
                if res is not None:
                    progress_rows.append((pos, progress(t, res.history)))
    return RegionOutcome(rows, series, suggestions, progress_rows)


@dataclass(frozen=True)
class AssessBatch:
    """A picklable function over a batch of units, for any concurrent.futures-style executor."""

    settings: Settings

    def __call__(self, batch: list[RegionWork]) -> list[RegionOutcome]:
        return [assess_region(work, self.settings) for work in batch]


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

    @property
    def assessable(self) -> list[Target]:
        return [t for t in self.targets if t.kind != "qualitative"]


def run_targets(inputs: Inputs) -> list[Target]:
    """Every target of every plan, in plan order, with its region resolved to the data's."""
    resolve = region_resolver(inputs.regions)
    return [_with_region(t, resolve(t.region)) for plan in inputs.plans for t in plan.targets]


def needed_indicators(targets: list[Target], catalogue: Catalogue | None = None,
                      derive_ids: frozenset[str] = frozenset(), follow: bool = False
                      ) -> list[str]:
    """The indicators a run simulates: those its targets name, and the components of those
    that may be derived from them."""
    named = {ind for t in targets if t.kind != "qualitative"
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

    def dependence(a: str, b: str) -> Dependence:
        if (a, b) not in correlations:
            correlations[(a, b)] = growth_correlation(table, a, b, inputs.catalogue)
        return correlations[(a, b)]

    assessable = [t for t in targets if t.kind != "qualitative"]
    requests, missing, derived = series_requests(
        inputs.catalogue, table, assessable, fits, derive_ids=settings.derived_indicators,
        follow=bool(settings.scenarios), dependence=dependence)
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
    units = [
        RegionWork(region, tuple(by_region.get(region, ())), tuple(positions[region]),
                   missing_by_region.get(region, {}), tuple(derived_by_region.get(region, ())),
                   pairs)
        for region in sorted(positions)
    ]
    return RunWork(units, targets, table, missing, correlations)


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


def pooled_fits(inputs: Inputs, settings: Settings, table: SeriesTable, executor=None,
                on_fit: Callable[[str, dict, bool, int], None] | None = None) -> PooledFits | None:
    """Stage one: with `bayes` or `auto`, the model of each needed indicator and the pooled
    fits (one unit of work per indicator on ``executor``, through the posterior cache)."""
    if settings.model not in POOLED_MODELS:
        return None
    # a pooled posterior serves only the series the run simulates: fit only indicators of
    # which a target's region has data (its own, or the components of a formula indicator)
    wanted = {(t.region, ind) for t in run_targets(inputs)
              for ind in needed_indicators([t], inputs.catalogue, settings.derived_indicators,
                                           bool(settings.scenarios))}
    needed = sorted({ind for key in table.keys if key in wanted for ind in key[1:]})
    return fit_stage(table, inputs.catalogue, inputs.regions, needed, settings.model,
                     settings.pooled, settings.seed, executor, settings.cache_dir, on_fit)


def assess(inputs: Inputs, settings: Settings, executor=None,
           progress: Callable[[int], None] | None = None,
           on_start: Callable[[int], None] | None = None,
           batch_series: int | None = None,
           on_fit: Callable[[str, dict, bool, int], None] | None = None,
           check_scenarios: bool = True) -> Assessment:
    """Fit, simulate and assess every target of every plan, under the baseline and every
    scenario of ``settings``.

    With `bayes` or `auto`, stage one fits the pooled model of each indicator (a unit of work
    each). Then the work is a map over region units, run by ``executor`` (anything with a
    ``concurrent.futures``-style ``map``: a process pool, Dask's ``Client.get_executor()``;
    in-process when None), followed by putting the rows back in plan order. Every unit draws
    from its own random streams, so the result is the same on every executor.
    ``on_fit(indicator, diagnostics, cached, n_fits)``, ``on_start(n_series)`` and
    ``progress(n)`` let a caller report progress; ``batch_series`` sets how many series a
    task simulates (default: about 1/16 of the run, between 20 and 200).
    """
    table = observed_series(inputs, settings.as_of)
    fits = pooled_fits(inputs, settings, table, executor, on_fit)
    run = region_work(inputs, settings, fits, table)
    if check_scenarios and settings.scenarios:
        check_scenarios_against(run, settings)
    n_series = sum(len(u.requests) for u in run.units)
    if on_start:
        on_start(n_series)
    size = batch_series or max(20, min(200, n_series // 16 + 1))
    work = batches(run.units, max_series=size)
    runner = map if executor is None else executor.map
    n_scenarios = len(settings.scenario_ids)
    rows: list[dict | None] = [None] * (len(run.targets) * n_scenarios)
    suggestions: list[list[dict]] = [[] for _ in rows]
    progress_rows: list[dict | None] = [None] * len(run.targets)
    series: dict[str, dict] = {}
    for batch, outcomes in zip(work, runner(AssessBatch(settings), work), strict=True):
        for outcome in outcomes:
            for pos, row in outcome.rows:
                rows[pos] = row
            for pos, rec in outcome.suggestions:
                suggestions[pos] = rec
            for pos, rec in outcome.progress:
                progress_rows[pos] = rec
            series.update(outcome.series)
        if progress:
            progress(sum(len(u.requests) for u in batch))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("year", "base_year", "last_year"):
        frame[col] = frame[col].astype("Int64")
    models = {} if fits is None else {
        ind: {"model": c.model, "reason": c.reason} for ind, c in sorted(fits.choice.items())}
    return Assessment(
        frame, dict(sorted(series.items())), data_quality_notes(run.table),
        data_needed(run.missing, run.assessable, inputs.catalogue), models,
        {} if fits is None else dict(sorted(fits.fits.items())),
        pd.DataFrame([r for rec in suggestions for r in rec], columns=SUGGESTION_COLUMNS),
        progress_frame(run.targets, progress_rows),
        {f"{a}~{b}": {"rho": d.rho, "pairs": d.pairs, "regions": d.regions}
         for (a, b), d in sorted(run.dependence.items())})


def progress_frame(targets: list[Target], rows: list[dict | None]) -> pd.DataFrame:
    """One row per target with simulated or observed data: its progress since its base."""
    out = []
    for t, rec in zip(targets, rows, strict=True):
        if rec is None:
            continue
        out.append({"plan_id": t.plan_id, "target_id": t.id, "region": t.region,
                    "indicator": t.indicator, "kind": t.kind, "year": t.year,
                    "base_year": t.base_year, **rec})
    frame = pd.DataFrame(out, columns=PROGRESS_COLUMNS)
    for col in ("year", "base_year", "last_year"):
        frame[col] = frame[col].astype("Int64")
    return frame


def check_scenarios(inputs: Inputs, settings: Settings) -> None:
    """Refuse (InputError) a scenario naming an indicator the workspace has no series of and
    the run does not simulate, or a year outside the years the run simulates. Cheap: lays out
    the run without fitting anything, so a command on one plan can check against them all."""
    if settings.scenarios:
        check_scenarios_against(region_work(inputs, settings), settings)


def check_scenarios_against(run: RunWork, settings: Settings) -> None:
    first, last = simulated_years(run)
    known = simulated_indicators(run) | {ind for _, ind in run.table.keys}
    check_against_run(list(settings.scenarios), known, first, last)


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

