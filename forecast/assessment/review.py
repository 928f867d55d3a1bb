"""The mid-term review: where each target of a begun plan stands, and how its odds have moved.

For every target whose plan period has begun by the review year, ``review.csv`` puts the
observed side (base and latest value, the share of the distance covered against the share of
the period elapsed, the growth required from now against the growth achieved so far) next to
the probability now and the probability as it stood at the plan's base year: the same model
and settings run on the observations up to the base year only. A pure function of inputs,
settings and seed: the review year comes with the settings.

Status rule (README): a target whose year is already observed is ``met`` or ``missed``, and
so is, ``missed``, one that must hold every year and failed in an observed year; a target
whose year has passed by the review year without data for it is ``awaiting data``;
otherwise it is ``on track`` when meeting it is at least likely (probability ≥ 0.66),
``at risk`` when it is about as likely as not (0.33 ≤ p < 0.66) and ``off track`` when it is
unlikely (p < 0.33). The bounds are those of the IPCC likelihood classes the probabilities
are reported in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from forecast.assessment.layout import observed_series
from forecast.assessment.run import Assessment, assess
from forecast.assessment.settings import Settings
from forecast.inputs.plans import Plan
from forecast.inputs.workspace import Inputs
from forecast.models.fit_jobs import Fitted
from forecast.targets.likelihood import ABOUT_AS_LIKELY, LIKELY

COLUMNS = ["plan_id", "target_id", "scenario", "base_year", "base_value", "last_year",
           "last_value", "progress_share", "time_share", "required_rate", "achieved_rate",
           "probability", "probability_at_base", "status"]
ON_TRACK, AT_RISK = LIKELY, ABOUT_AS_LIKELY  # at least likely; about as likely as not


def status(probability: float, observed: bool, broken: bool = False,
           awaiting: bool = False) -> str:
    """The review's status of a target from its probability (rule in the module docstring):
    ``broken`` when an observed year already failed a condition for every year, ``awaiting``
    when the target year has passed by the review year but is not yet observed."""
    if np.isnan(probability):
        return "no data"
    if broken:
        return "missed"
    if observed:
        return "met" if probability >= 0.5 else "missed"
    if awaiting:
        return "awaiting data"
    if probability >= ON_TRACK:
        return "on track"
    return "at risk" if probability >= AT_RISK else "off track"


def review_year(inputs: Inputs, settings: Settings) -> int:
    """The year a review looks from: the settings' review year (the interface sets the
    calendar year: statistics lag a year or two behind, and a plan that has begun is reviewed
    on the data there are), else ``--as-of``, else the latest year of the data."""
    if settings.review_year is not None:
        return settings.review_year
    if settings.as_of is not None:
        return settings.as_of
    return int(inputs.observations["year"].max()) if len(inputs.observations) else 0


def begun(plans: list[Plan], year: int) -> list[Plan]:
    """Plans whose period has begun by ``year`` (a plan without a period counts from its
    base year's next year)."""
    out = []
    for plan in plans:
        start = plan.period[0] if plan.period[0] is not None else (
            plan.base_year + 1 if plan.base_year is not None else None)
        if start is not None and int(start) <= year:
            out.append(plan)
    return out


def _reviewable(plan: Plan) -> Plan:
    targets = tuple(t for t in plan.targets if t.assessable_kind
                    and t.base_year is not None)
    return replace(plan, targets=targets)


def reviewed_plans(inputs: Inputs, settings: Settings, plan_id: str | None = None
                   ) -> list[Plan]:
    """The plans a review covers (of one plan if ``plan_id``), with their reviewable
    targets."""
    year = review_year(inputs, settings)
    plans = [_reviewable(p) for p in begun(inputs.plans, year)
             if plan_id is None or p.id == plan_id]
    return [p for p in plans if p.targets]


def look_backs(plans: list[Plan]) -> list[tuple[int, list[Plan]]]:
    """(base year, the targets with that base year as plans), one per distinct base
    year."""
    by_base: dict[int, list[Plan]] = {}
    for plan in plans:
        for year in sorted({t.base_year for t in plan.targets}):
            sub = replace(plan, targets=tuple(t for t in plan.targets if t.base_year == year))
            by_base.setdefault(year, []).append(sub)
    return sorted(by_base.items())


def latest_year(inputs: Inputs, settings: Settings) -> int:
    """The latest year of the data a run sees (0 without data): a look back from a base
    year at or after it sees the same data as now, and needs no run of its own."""
    return int(observed_series(inputs, settings.as_of).years.max()) \
        if len(inputs.observations) else 0


def look_back_runs(inputs: Inputs, settings: Settings, plans: list[Plan]
                   ) -> list[tuple[Inputs, Settings]]:
    """The runs a review's look back makes: the inputs and settings of each base year
    before the latest observation (``probabilities_at_base``)."""
    latest = latest_year(inputs, settings)
    return [_look_back(inputs, settings, year, sub_plans)
            for year, sub_plans in look_backs(plans) if year < latest]


def _look_back(inputs: Inputs, settings: Settings, year: int, plans: list[Plan]
               ) -> tuple[Inputs, Settings]:
    """The inputs and settings of the look back from ``year`` at ``plans`` (its paths are not
    kept: only the run's own go into paths.parquet)."""
    return replace(inputs, plans=plans), replace(settings, as_of=year, paths=False)


def probabilities_at_base(inputs: Inputs, settings: Settings, now: Assessment,
                          plans: list[Plan], executor=None,
                          on_fit: Callable | None = None,
                          fitted: Fitted | None = None) -> pd.DataFrame:
    """plan_id, target_id, scenario, probability_at_base: one run per distinct base year, on
    the observations up to it, of the targets with that base year. A base year at or after the
    latest observation of the workspace would see the same data as now: its probabilities
    are those of ``now``."""
    latest = latest_year(inputs, settings)
    frames = []
    for year, sub_plans in look_backs(plans):
        if year >= latest:  # nothing later to leave out: the probability now is the one
            rows = now.rows
        else:
            rows = assess(*_look_back(inputs, settings, year, sub_plans), executor,
                          on_fit=on_fit, check_scenarios=False, fitted=fitted).rows
        keys = {(t.plan_id, t.id) for p in sub_plans for t in p.targets}
        mask = [(a, b) in keys for a, b in zip(rows["plan_id"], rows["target_id"], strict=True)]
        frames.append(rows.loc[mask, ["plan_id", "target_id", "scenario", "probability"]])
    if not frames:
        return pd.DataFrame(columns=["plan_id", "target_id", "scenario", "probability_at_base"])
    return pd.concat(frames).rename(columns={"probability": "probability_at_base"})


def review(inputs: Inputs, settings: Settings, now: Assessment, executor=None,
           on_fit: Callable | None = None, plan_id: str | None = None,
           fitted: Fitted | None = None) -> pd.DataFrame:
    """review.csv: targets of the plans begun by the review year (of one plan if
    ``plan_id``), in plan order, one row per scenario. ``fitted`` holds the look back's fits
    where the run made them already (``prefit.fit_all``)."""
    year = review_year(inputs, settings)
    plans = reviewed_plans(inputs, settings, plan_id)
    if not plans:
        return pd.DataFrame(columns=COLUMNS)
    keys = pd.DataFrame([(t.plan_id, t.id) for p in plans for t in p.targets],
                        columns=["plan_id", "target_id"])
    rows = keys.merge(now.rows, on=["plan_id", "target_id"], how="left", sort=False)
    # base and latest value as progress reads them (a cumulative target's: the sum so far)
    progress = now.progress.drop(columns=["region", "indicator", "kind", "year", "base_year",
                                          "last_year"])
    rows = rows.drop(columns=["base_value", "last_value"]).merge(
        progress, on=["plan_id", "target_id"], how="left", sort=False)
    at_base = probabilities_at_base(inputs, settings, now, plans, executor, on_fit, fitted)
    rows = rows.merge(at_base, on=["plan_id", "target_id", "scenario"], how="left", sort=False)
    broken = rows["broken_year"].notna().to_numpy()
    awaiting = ((rows["year"] < year) & (rows["year"] > rows["last_year"])).to_numpy()
    rows["status"] = [status(p, m == "observed", b, a) for p, m, b, a in
                      zip(rows["probability"].astype(float), rows["model"], broken, awaiting,
                          strict=True)]
    return rows[COLUMNS].reset_index(drop=True)
