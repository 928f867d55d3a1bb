"""What every part of a report reads: the run's tables and the language, with the small
helpers that name indicators, units and scenarios in it (``Context``)."""

from __future__ import annotations

import math

import pandas as pd

from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import BASELINE
from forecast.outputs.reports.i18n import words
from forecast.outputs.reports.model import Cell, tone
from forecast.outputs.reports.source import RunOutputs
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

    def name(self, ind_id: str) -> str:
        if ind_id in self.cat:
            ind = self.cat[ind_id]
            return ind.name_zh if self.zh else ind.name_en
        return ind_id

    def unit(self, ind_id: str) -> str:
        return self.cat[ind_id].unit if ind_id in self.cat else ""

    def scenario_title(self, sid: str) -> str:
        if sid == BASELINE:
            return self.t("baseline")
        for sc in self.run.meta.get("scenarios", []):
            if sc["id"] == sid:
                title = sc.get("title") or sid
                parts = [p.strip() for p in title.split("/")]
                return parts[0] if self.zh or len(parts) == 1 else parts[-1]
        return sid

    def lik(self, p: float) -> Cell:
        return Cell(likelihood(p, self.lang), tone(p))

    def facts(self) -> tuple[tuple[str, str], ...]:
        m, t = self.run.meta, self.t
        s = m["settings"]
        data = t("bundled") if m.get("workspace") == "bundled example" else m.get("workspace")
        facts = [(t("model"), s["model"]), (t("futures"), f"{s['draws']:,}"),
                 (t("seed"), str(s["seed"])), (t("data"), str(data)),
                 (t("as_of"), str(s["as_of"]) if s.get("as_of") else t("all_years"))]
        if m.get("scenarios"):
            facts.append((t("scenarios"), "、".join(self.scenario_title(sc["id"])
                                                    for sc in m["scenarios"])
                          if self.zh else ", ".join(self.scenario_title(sc["id"])
                                                    for sc in m["scenarios"])))
        return tuple(facts)

    def clause(self, r) -> str:
        return clause(r, self.cat, self.lang)
