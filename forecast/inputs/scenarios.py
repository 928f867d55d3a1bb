"""Scenarios: "what if R&D spending grows 2 points faster, or GDP dips 5% next year?"

A scenario is a list of adjustments read from ``data/scenarios/*.yaml``, validated here and
applied to the simulated years of a series' paths by ``simulation.adjust``: ``volatility``
(spread around each year's median), ``growth_shift`` (percentage points added to each
simulated year's growth from ``from_year`` on, compounding) and ``shock`` (a one-off level
change in ``year`` that persists).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast.errors import InputError
from forecast.files import read_yaml
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenario_schema import AdjustmentDoc, ScenarioHead
from forecast.inputs.schema import validated

BASELINE = "baseline"
ALL = "*"
KEYS = ("growth_shift", "shock", "volatility")
# Beyond these a change is a typo, not a scenario (and its paths overflow): growth ten times
# faster a year, a level a hundredfold, a spread a hundredfold.
MAX_GROWTH_SHIFT = 1000.0  # percentage points of annual growth
MAX_SHOCK = 10000.0  # % change of the level in one year
MAX_VOLATILITY = 100.0  # factor on the spread


@dataclass(frozen=True)
class Adjustment:
    """One change to the simulated paths of an indicator (or of every indicator: ``*``)."""

    indicator: str
    growth_shift: float | None = None  # percentage points added to annual growth
    from_year: int | None = None  # first year of the growth shift (default: first simulated)
    shock: float | None = None  # one-off level change in %, which persists
    year: int | None = None  # the year of the shock
    volatility: float | None = None  # factor on the spread around each year's median

    def applies_to(self, indicator: str) -> bool:
        return self.indicator in (ALL, indicator)

    @property
    def years(self) -> list[int]:
        return [y for y in (self.from_year, self.year) if y is not None]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    description: str
    adjustments: tuple[Adjustment, ...]
    file: Path | None = None
    title_en: str | None = None  # the title and description in English, when the file has them
    description_en: str | None = None

    def touches(self, indicator: str) -> bool:
        return any(a.applies_to(indicator) for a in self.adjustments)


def _adjustment(raw: Any, path: Path, index: int, catalogue: Catalogue) -> Adjustment:
    where = f"adjustment {index}"
    if not isinstance(raw, dict):
        raise InputError(f"{where} is not a mapping", file=path,
                         fix="write each adjustment as indicator: ... and one of "
                         + ", ".join(KEYS))
    unknown = sorted(set(raw) - {"indicator", "from_year", "year", *KEYS}, key=str)
    if unknown:
        raise InputError(f"{where}: unknown field {unknown[0]!r}", file=path,
                         column=str(unknown[0]), fix=f"use indicator, {', '.join(KEYS)}, "
                         "from_year (with growth_shift) or year (with shock)")
    doc = validated(AdjustmentDoc, raw, path, ("adjustments", index), where)
    indicator = doc.indicator or ""
    if not indicator:
        raise InputError(f"{where} has no indicator", file=path, column="indicator",
                         fix='name an indicator id, or "*" for every indicator')
    if indicator != ALL and indicator not in catalogue:
        raise InputError(f"{where}: unknown indicator {indicator!r}", file=path,
                         column="indicator", fix="use an id from the catalogue "
                         "(`forecast indicators` lists them), or \"*\"")
    given = [k for k in KEYS if getattr(doc, k) is not None]
    if len(given) != 1:
        raise InputError(f"{where} gives {len(given) or 'none'} of {', '.join(KEYS)}", file=path,
                         fix="give exactly one change per adjustment; list several adjustments "
                         "for several changes")
    key = given[0]
    value = getattr(doc, key)
    fields: dict[str, Any] = {key: value}
    if key == "growth_shift":
        if value <= -100:
            raise InputError(f"{where}: a growth shift of {value:g} points leaves nothing",
                             file=path, column="growth_shift",
                             fix="give a shift above -100 (percentage points of growth)")
        if value > MAX_GROWTH_SHIFT:
            raise InputError(f"{where}: a growth shift of {value:g} points a year is beyond "
                             "any scenario", file=path, column="growth_shift",
                             fix=f"give at most {MAX_GROWTH_SHIFT:g} (percentage points of "
                             "growth; 5 means growth 5 points faster)")
        if doc.from_year is not None:
            fields["from_year"] = doc.from_year
    if key == "shock":
        if doc.year is None:
            raise InputError(f"{where}: a shock needs a year", file=path, column="year",
                             fix="give the year in which the level changes, e.g. year: 2024")
        if value <= -100:
            raise InputError(f"{where}: a shock of {value:g}% leaves nothing", file=path,
                             column="shock", fix="give a level change above -100 (%)")
        if value > MAX_SHOCK:
            raise InputError(f"{where}: a shock of {value:g}% is beyond any scenario",
                             file=path, column="shock",
                             fix=f"give at most {MAX_SHOCK:g} (% change of the level)")
        fields["year"] = doc.year
    if key == "volatility" and not 0 < value <= MAX_VOLATILITY:
        problem = "is not positive" if value <= 0 else "is beyond any scenario"
        raise InputError(f"{where}: volatility {value:g} {problem}", file=path,
                         column="volatility", fix=f"give a factor above 0 and at most "
                         f"{MAX_VOLATILITY:g} (1.5 widens the spread by half, 0.5 halves it)")
    return Adjustment(indicator, **fields)


def read_scenario(path: Path, catalogue: Catalogue) -> Scenario:
    """One scenario file, validated against the catalogue."""
    return scenario_from(read_yaml(path), path, catalogue)


def scenario_from(doc: Any, path: Path | str, catalogue: Catalogue) -> Scenario:
    """A scenario from the content of a scenario file (``path`` names it in errors), validated
    against the catalogue: what `forecast explore` checks its controls with before it
    writes them as a file."""
    if not isinstance(doc, dict) or not isinstance(doc.get("scenario"), dict):
        raise InputError("no 'scenario:' section", file=path,
                         fix="start the file with scenario: and id:")
    head = validated(ScenarioHead, doc["scenario"], path, ("scenario",))
    sid = head.id or ""
    if not sid:
        raise InputError("scenario has no id", file=path, column="id",
                         fix="add id: under scenario:")
    if sid == BASELINE:
        raise InputError("the id 'baseline' is reserved", file=path, column="id",
                         fix="the baseline is always computed; give this scenario another id")
    raw = doc.get("adjustments") or []
    if not isinstance(raw, list) or not raw:
        raise InputError("scenario has no adjustments", file=path, column="adjustments",
                         fix="list at least one adjustment under adjustments:")
    return Scenario(sid, sid if head.title is None else head.title,
                    (head.description or "").strip(),
                    tuple(_adjustment(a, path, i, catalogue) for i, a in enumerate(raw, 1)),
                    path if isinstance(path, Path) else None, head.title_en,
                    (head.description_en or "").strip() or None)


def read_scenarios(folder: Path, catalogue: Catalogue) -> list[Scenario]:
    """Every scenario in a workspace's ``data/scenarios/`` (none if there is no folder)."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    scenarios = [read_scenario(f, catalogue) for f in files]
    seen: dict[str, Path] = {}
    for s in scenarios:
        if s.id in seen:
            raise InputError(f"scenario id {s.id!r} is also used by {seen[s.id].name}",
                             file=s.file, column="id", fix="give every scenario a unique id")
        seen[s.id] = s.file  # type: ignore[assignment]
    return sorted(scenarios, key=lambda s: s.id)


def select(scenarios: list[Scenario], ids: list[str] | None) -> list[Scenario]:
    """The scenarios a run asked for (``--scenario``, repeatable); all when none asked."""
    if not ids:
        return scenarios
    known = {s.id: s for s in scenarios}
    for sid in ids:
        if sid not in known and sid != BASELINE:
            raise InputError(f"unknown scenario {sid!r}", column="--scenario",
                             fix="use an id from data/scenarios/*.yaml: "
                             + (", ".join(known) or "there are none"))
    return [known[sid] for sid in dict.fromkeys(ids) if sid != BASELINE]


def check_against_run(scenarios: list[Scenario], indicators: set[str], first_year: int,
                      last_year: int, as_of: int | None = None,
                      observed: frozenset[str] | set[str] = frozenset()) -> None:
    """Refuse a scenario naming an indicator of which the run knows nothing (``indicators``:
    those it has data on or simulates, up to ``as_of`` when the run looks from a past year;
    ``observed``: those with data in any year), or a year outside the run's simulated years
    (``first_year`` .. ``last_year``)."""
    for s in scenarios:
        for i, a in enumerate(s.adjustments, 1):
            if a.indicator != ALL and a.indicator not in indicators:
                if as_of is not None and a.indicator in observed:
                    raise InputError(
                        f"adjustment {i}: indicator {a.indicator!r} has no data up to "
                        f"{as_of} (--as-of)", file=s.file, column="indicator",
                        fix="use a later --as-of, or choose the other scenarios with "
                        "--scenario")
                raise InputError(
                    f"adjustment {i}: indicator {a.indicator!r} has no data in the workspace",
                    file=s.file, column="indicator",
                    fix="name an indicator with observations, e.g. "
                    + ", ".join(sorted(indicators)[:6]))
            for y in a.years:
                if not first_year <= y <= last_year:
                    raise InputError(
                        f"adjustment {i}: year {y} is outside the run's simulated years "
                        f"{first_year}–{last_year}", file=s.file,
                        column="from_year" if y == a.from_year else "year",
                        fix=f"use a year from {first_year} to {last_year}")
