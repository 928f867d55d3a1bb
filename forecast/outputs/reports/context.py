"""What every part of a report reads: the run's tables and the language, with the small
helpers that name indicators, units and scenarios in it (``Context``)."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import BASELINE
from forecast.outputs.names import target_name, unit_text
from forecast.outputs.reports.i18n import note, words
from forecast.outputs.reports.model import Cell, tone
from forecast.outputs.reports.source import RunOutputs
from forecast.outputs.scenario_effects import scenario_description, scenario_title
from forecast.outputs.wording import clause, fmt_rate
from forecast.targets.likelihood import likelihood


def as_number(x) -> float:
    """A cell's number, NaN when it holds none."""
    try:
        return float("nan") if x is None else float(x)
    except (TypeError, ValueError):
        return float("nan")


def is_missing(x) -> bool:
    """Whether a cell is empty (None, NaN or pandas' NA)."""
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def rate_text(x) -> str:
    """A growth rate as the reports write it."""
    return fmt_rate(as_number(x))


def run_date(meta: dict) -> str | None:
    """The ISO date a run was made: its metadata's, else read off its id (YYYYMMDD-...)."""
    if meta.get("date"):
        return str(meta["date"])
    found = re.match(r"(\d{4})(\d{2})(\d{2})-", str(meta.get("id", "")))
    return "-".join(found.groups()) if found else None


class Context:
    """A finished run seen in one language: its rows (the baseline's apart), series
    diagnostics and words."""

    def __init__(self, run: RunOutputs, lang: str, catalogue: Catalogue):
        self.run, self.lang, self.cat = run, lang, catalogue
        self.t = words(lang)
        self.zh = lang == "zh"
        rows = run.rows.copy()
        rows["assessable"] = rows["assessable"].astype(bool)
        self.rows = rows
        self.base = rows[rows["scenario"] == BASELINE]
        self.series = run.diagnostics.get("series", {})
        self._names = {p["id"]: p.get("target_names") or {} for p in run.plans}
        self._plan_regions = {p["id"]: p.get("region") for p in run.plans}
        self.by_id = {(r.plan_id, r.target_id): r for r in self.base.itertuples(index=False)}

    def name(self, ind_id: str) -> str:
        if ind_id in self.cat:
            ind = self.cat[ind_id]
            return ind.name_zh if self.zh else ind.name_en
        return ind_id

    def indicator(self, ind_id: str):
        """The catalogue's entry of an indicator, None when the catalogue lacks it."""
        if ind_id not in self.cat:
            return None
        return self.cat[ind_id]

    def region(self, region: str) -> str:
        """A region's name in the report's language (regions.csv's name_zh / name_en)."""
        names = self.run.meta.get("region_names", {}).get(region, {})
        return names.get(self.lang) or region

    def unit(self, ind_id: str) -> str:
        """The indicator's unit in the report's language (亿元 / 100 million yuan)."""
        return unit_text(self.cat[ind_id].unit, self.lang) if ind_id in self.cat else ""

    def _scenario(self, sid: str) -> dict:
        return next((sc for sc in self.run.meta.get("scenarios", []) if sc["id"] == sid), {})

    def scenario_title(self, sid: str) -> str:
        """A scenario's title in the report's language (the baseline's too)."""
        if sid == BASELINE:
            return self.t("baseline")
        sc = self._scenario(sid)
        return scenario_title(sc, self.lang) if sc else sid

    def scenario_description(self, sid: str) -> str:
        """A scenario's description in the report's language ('' where it has none)."""
        sc = self._scenario(sid)
        return scenario_description(sc, self.lang) if sc else ""

    def target_name(self, r) -> str:
        """A target's display name (the plan's own, else made from the indicator)."""
        other = r.region != self._plan_regions.get(r.plan_id, r.region)
        return target_name(r, self.cat, self.lang, self._names.get(r.plan_id),
                           self.region(r.region) if other else None)

    def target_label(self, plan_id: str, target_id: str) -> str:
        """The display name of a target known by its ids (for the tables that hold no more)."""
        r = self.by_id.get((plan_id, target_id))
        return target_id if r is None else self.target_name(r)

    def lik(self, p: float) -> Cell:
        return Cell(likelihood(p, self.lang), tone(p))

    def facts(self) -> tuple[tuple[str, str], ...]:
        """What the cover shows under the title: the issuing office (data/workspace.yaml),
        the date of the run, the year the data reach and the scenarios. Settings, seed,
        paths and versions are the appendix's (``appendix.run_details``)."""
        m, t = self.run.meta, self.t
        facts = []
        office = m.get("office_en") or m.get("office") if not self.zh else m.get("office")
        if office:
            facts.append((t("office"), office))
        if run_date(m):
            facts.append((t("date"), self.date(run_date(m))))
        facts.append((t("as_of"), self.year(self.data_year())))
        if m.get("scenarios"):
            facts.append((t("scenarios"), ("、" if self.zh else ", ").join(
                self.scenario_title(sc["id"]) for sc in m["scenarios"])))
        return tuple(facts)

    def data_year(self) -> int | None:
        """The last year the run's data reach: ``--as-of``, else the latest year observed."""
        as_of = self.run.meta.get("settings", {}).get("as_of")
        years = [int(v["last_year"]) for v in self.series.values() if v.get("last_year")]
        return int(as_of) if as_of else (max(years) if years else None)

    def year(self, year: int | None) -> str:
        if year is None:
            return "–"
        return f"{year}年" if self.zh else str(year)

    def date(self, iso: str) -> str:
        """An ISO date as the report's language writes it (2026年12月4日 / 4 December 2026)."""
        try:
            d = dt.date.fromisoformat(iso)
        except ValueError:
            return iso
        return f"{d.year}年{d.month}月{d.day}日" if self.zh else f"{d.day} {d:%B %Y}"

    def note(self, text: str) -> str:
        """A note of the run in the report's language, indicators by name."""
        return note(text, self.lang, self.name)

    def clause(self, r) -> str:
        return clause(r, self.cat, self.lang)
