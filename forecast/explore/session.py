"""One finished run opened for exploring: its stored paths made replayable, and what the page
shows for a plan under the adjustments and target values the page sends.

Everything is read from the run folder (probabilities.json, paths.parquet) once, at start;
a view replays the plan (``assessment.replay``) and draws it. Pure apart from that first
read: no path ever comes from the page.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

from forecast.assessment.replay import PlanReplay, Replay
from forecast.config import RunFolder
from forecast.errors import InputError
from forecast.explore.charts import curve_chart, fan_chart
from forecast.explore.words import word
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import Scenario, check_against_run, scenario_from
from forecast.outputs.names import fmt_value, indicator_name, target_name
from forecast.outputs.paths_file import read_paths
from forecast.outputs.plan_line import plan_line
from forecast.targets.likelihood import likelihood

PAGE_SCENARIO = "explore"  # the id of the page's unsaved scenario


@dataclass(frozen=True)
class Control:
    """The scenario controls of one indicator: the years its simulated paths span."""

    indicator: str
    name: str
    first: int
    last: int


class Explorer:
    """A run folder opened for exploring (InputError when it cannot be: not a run, or a run
    written with --no-paths)."""

    def __init__(self, folder: Path, workspace: Path | None = None):
        files = RunFolder(Path(folder))
        if not files.probabilities_json.is_file():
            raise InputError("not a run folder (no probabilities.json)", file=folder,
                             fix="give a folder written by `forecast run`")
        if not files.paths.is_file():
            raise InputError("this run kept no simulated paths (it was run with --no-paths)",
                             file=files.paths, fix="run `forecast run` again without "
                             "--no-paths, then explore that run")
        payload = json.loads(files.probabilities_json.read_text(encoding="utf-8"))
        self.folder = Path(folder)
        self.workspace = workspace
        self.meta: dict = payload.get("run", {})
        stored = read_paths(files.paths)
        self.replay = Replay(stored.run, stored.series)
        self.catalogue = Catalogue(list(stored.run.indicators.values()))
        self.names = {p["id"]: p.get("target_names", {}) for p in self.meta.get("plans", [])}
        self.titles = {p["id"]: p.get("title") or p["id"] for p in self.meta.get("plans", [])}
        self._baseline: dict[str, PlanReplay] = {}

    @property
    def run_id(self) -> str:
        return str(self.meta.get("id", self.folder.name))

    def plans(self) -> list[tuple[str, str]]:
        """(id, title) of every plan, those with a simulated series first."""
        ids = self.replay.plans()
        live = [p for p in ids if self.regions(p)]
        return [(p, self.titles.get(p, p)) for p in live + [p for p in ids if p not in live]]

    def regions(self, plan: str) -> list[str]:
        """The plan's regions that have a simulated series, in plan order."""
        units = self.replay.run.units
        return list(dict.fromkeys(t.region for _, t in self.replay.plan_targets(plan)
                                  if t.region in units and self.series_of(t.region)))

    def series_of(self, region: str) -> list[str]:
        """The indicators of a region with paths (simulated or derived), sorted."""
        simulated = {i for r, i in self.replay.series if r == region}
        unit = self.replay.run.units.get(region)
        derived = {d.indicator.id for d in unit.derived} if unit else set()
        return sorted(simulated | derived)

    def region_name(self, region: str, lang: str) -> str:
        return self.meta.get("region_names", {}).get(region, {}).get(lang, region)

    def controls(self, plan: str, lang: str) -> list[Control]:
        """One control group per indicator with paths in the plan's regions: the plan's
        targets' indicators first, then the components they are made of."""
        spans: dict[str, tuple[int, int]] = {}
        for region in self.regions(plan):
            for (r, ind), res in self.replay.series.items():
                if r == region and res.paths.last_year > res.history.last_year:
                    first, last = res.history.last_year + 1, res.paths.last_year
                    old = spans.get(ind, (first, last))
                    spans[ind] = (min(old[0], first), max(old[1], last))
            for d in self.replay.run.units[region].derived:
                old = spans.get(d.indicator.id, (d.last_year + 1, d.until))
                spans[d.indicator.id] = (min(old[0], d.last_year + 1), max(old[1], d.until))
        named = [t.indicator for _, t in self.replay.plan_targets(plan)]
        order = sorted(spans, key=lambda i: (i not in named, named.index(i) if i in named
                                             else 0, i))
        return [Control(i, indicator_name(i, self.catalogue, lang), *spans[i]) for i in order]

    def scenario(self, plan: str, adjustments: list[dict], title: str = PAGE_SCENARIO,
                 sid: str = PAGE_SCENARIO) -> Scenario | None:
        """The page's adjustments as a scenario, validated as a scenario file is (None when
        there are none): indicators the plan's controls offer, years they span."""
        if not adjustments:
            return None
        doc = {"scenario": {"id": sid, "title": title}, "adjustments": adjustments}
        scenario = scenario_from(doc, "the page's scenario", self.catalogue)
        controls = self.controls(plan, "en")
        if controls:
            check_against_run([scenario], {c.indicator for c in controls},
                              min(c.first for c in controls), max(c.last for c in controls))
        else:
            raise InputError("this plan has no simulated series to adjust",
                             fix="choose a plan with assessed targets")
        return scenario

    def baseline(self, plan: str) -> PlanReplay:
        if plan not in self._baseline:
            self._baseline[plan] = self.replay.plan(plan)
        return self._baseline[plan]

    def view(self, plan: str, region: str | None, indicator: str | None,
             adjustments: list[dict], values: dict[str, float], selected: str | None,
             lang: str) -> dict:
        """What the page shows: the targets' rows, the fan chart of (region, indicator), the
        P(met) curve of the selected target and the plan as a whole."""
        scenario = self.scenario(plan, adjustments)
        known = {t.id for _, t in self.replay.plan_targets(plan)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(f"no target {unknown[0]!r} in plan {plan!r}",
                             fix="use a target id of the plan")
        base = self.baseline(plan)
        now = self.replay.plan(plan, scenario, values) if scenario or values else base
        rows = []
        for tr, tb in zip(now.targets, base.targets, strict=True):
            t, row = tr.target, tr.row
            p = row["probability"]
            assessed = bool(row["assessable"]) and p == p
            rows.append({
                "id": t.id, "region": t.region, "indicator": t.indicator,
                "name": target_name(tb.target, self.catalogue, lang, self.names.get(plan)),
                "region_name": self.region_name(t.region, lang),
                "year": t.year, "stated": tb.target.value, "value": t.value,
                "step": _step(tb.target.value), "op": t.op or "",
                "p": p if assessed else None, "p_text": f"{p:.3f}" if assessed else "–",
                "base_p": tb.row["probability"] if assessed else None,
                "likelihood": likelihood(p, lang) if assessed else word("not_assessed", lang),
                "achievable": " / ".join(fmt_value(a["achievable_value"])
                                         for a in tr.achievable) or "–",
                "curve": bool(tr.curve),
                "note": (row["note"] or "") if lang == "en" else "",  # the pipeline's notes
            })
        chosen = next((tr for tr in now.targets if tr.target.id == selected and tr.curve),
                      next((tr for tr in now.targets if tr.curve), None))
        return {
            "targets": rows,
            "selected": chosen.target.id if chosen else None,
            "fan": self._fan(now, base, region, indicator, lang, scenario is not None),
            "curve": self._curve(chosen, base, lang) if chosen else
            f'<p class="help">{escape(word("curve_none", lang))}</p>',
            "outcome": plan_line(now.outcome, lang) if now.outcome else "",
            "baseline_outcome": plan_line(base.outcome, lang) if base.outcome else "",
        }

    def _fan(self, now: PlanReplay, base: PlanReplay, region: str | None,
             indicator: str | None, lang: str, moved: bool) -> str:
        if region is None or indicator is None:
            return ""
        fan = now.fan(region, indicator)
        if fan is None:
            raise InputError(f"no simulated series of {indicator!r} in {region!r}",
                             fix="choose an indicator the region's list offers")
        marks = [(int(tr.target.year), float(tr.target.value),
                  target_name(tr.target, self.catalogue, lang))
                 for tr in now.targets if tr.target.region == region and
                 tr.target.indicator == indicator and tr.target.kind == "level"
                 and tr.target.value is not None and tr.target.year is not None]
        name = indicator_name(indicator, self.catalogue, lang)
        label = f"{self.region_name(region, lang)} {name}"
        return fan_chart(fan, marks, label, base.fan(region, indicator) if moved else None)

    def _curve(self, tr, base: PlanReplay, lang: str) -> str:
        stated = next(b.target.value for b in base.targets if b.target.id == tr.target.id)
        marks = [(f"{a['confidence']:.0%}", a["achievable_value"]) for a in tr.achievable]
        return curve_chart(tr.curve, stated, (tr.target.value, tr.row["probability"]), marks,
                           target_name(tr.target, self.catalogue, lang))


def _step(value: float | None) -> float:
    """A target-value control's step: about a hundredth of the value, rounded to 1, 2, 5."""
    if value is None or not math.isfinite(value) or value == 0:
        return 0.01
    raw = abs(value) / 100
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
