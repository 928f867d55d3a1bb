"""Build the report model from a finished run: what each section shows, in one language.

Per plan for up to ``LARGE_RUN_PLANS`` plans, else the national overview; then the
methodology, the calibration appendix and the diagnostics. Pure: a run's tables in, a
``Report`` out.
"""

from __future__ import annotations

import math

import pandas as pd

from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import BASELINE
from forecast.outputs.reports.i18n import CALIBRATION_TEXT, METHODOLOGY, kind, note, status, words
from forecast.outputs.reports.model import (
    Cell,
    ClassChart,
    FanChart,
    Figures,
    Paragraph,
    ProbabilityChart,
    ReliabilityChart,
    Report,
    Section,
    Table,
    tone,
)
from forecast.outputs.reports.source import RunOutputs, calibration_evidence
from forecast.outputs.summary import LARGE_RUN_PLANS
from forecast.outputs.tables import distribution_table, scenario_probabilities, short_data_table
from forecast.outputs.wording import OP_SYMBOLS, clause, fmt_number, fmt_rate
from forecast.targets.likelihood import CLASS_BOUNDS, likelihood


def _num(x) -> float:
    try:
        return float("nan") if x is None else float(x)
    except (TypeError, ValueError):
        return float("nan")


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _rate(x) -> str:
    return fmt_rate(_num(x))


def implied_level(r, history: dict[int, float]) -> float | None:
    """The level of the indicator that meeting the target means in its year, where one
    number says it: a level, a change or an average growth from the base value, one year's
    growth on an observed previous year. None for sums, every-year and relative targets."""
    if r.each_year or r.kind in ("cumulative", "relative", "qualitative"):
        return None
    v = r.value if r.op != "between" else (r.value + r.value_hi) / 2
    base = _num(getattr(r, "base_value", None))
    if r.kind == "level":
        return v
    if r.kind == "change" and not math.isnan(base):
        return base + v
    if r.kind == "cagr" and not math.isnan(base) and not _missing(r.base_year):
        return base * (1 + v / 100) ** (int(r.year) - int(r.base_year))
    if r.kind == "growth" and int(r.year) - 1 in history:
        return history[int(r.year) - 1] * (1 + v / 100)
    return None


class _Builder:
    def __init__(self, run: RunOutputs, lang: str, catalogue: Catalogue):
        self.run, self.lang, self.cat = run, lang, catalogue
        self.t = words(lang)
        self.zh = lang == "zh"
        rows = run.rows.copy()
        rows["assessable"] = rows["assessable"].astype(bool)
        self.rows = rows
        self.base = rows[rows["scenario"] == BASELINE]
        self.series = run.diagnostics.get("series", {})

    # -- small helpers -------------------------------------------------------------------
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

    # -- the run -------------------------------------------------------------------------
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

    # -- one plan ------------------------------------------------------------------------
    def plan_section(self, plan: dict, k: int) -> Section:
        t = self.t
        pid = plan["id"]
        sub = self.base[self.base["plan_id"] == pid]
        n_ok = int(sub["assessable"].sum())
        intro = Paragraph(f"{t('region')}: {plan['region']} · `{pid}` · "
                          + t("targets_assessed", n=len(sub), k=n_ok))
        children = [
            Section(f"p{k}-headline", t("headline"), 2,
                    (Paragraph(t("headline_note")), self.headline(sub))),
        ]
        ok = sub[sub["assessable"]]
        if len(ok):
            children.append(Section(f"p{k}-probabilities", t("prob_chart"), 2,
                                    (Figures((self.probability_chart(ok, f"p{k}-prob"),)),)))
            fans = self.fan_charts(ok, f"p{k}")
            if fans:
                children.append(Section(f"p{k}-fans", t("fan_charts"), 2,
                                        (Paragraph(t("fan_note")), Figures(tuple(fans)))))
        children.append(Section(f"p{k}-scenarios", t("scenario_comparison"), 2,
                                self.scenario_blocks(pid)))
        children.append(Section(f"p{k}-achievable", t("achievable"), 2,
                                self.achievable_blocks(pid)))
        children.append(Section(f"p{k}-review", t("review"), 2, self.review_blocks(pid)))
        children.append(Section(f"p{k}-data", t("data_quality"), 2, self.data_blocks(sub)))
        return Section(f"plan-{k}", plan["title"], 1, (intro,), tuple(children))

    def clause(self, r) -> str:
        return clause(r, self.cat, self.lang)

    def headline(self, sub: pd.DataFrame) -> Table:
        t = self.t
        rows = []
        for r in sub.itertuples(index=False):
            written = r.text if isinstance(r.text, str) and r.text else self.clause(r)
            read = self.clause(r)
            if r.assessable:
                rng = (f"{fmt_number(r.statistic_p50)} [{fmt_number(r.statistic_p10)}, "
                       f"{fmt_number(r.statistic_p90)}]")
                rows.append((Cell(written), Cell(read), Cell(f"{r.probability:.2f}",
                                                             tone(r.probability)),
                             self.lik(r.probability), Cell(rng),
                             Cell(f"{_rate(r.required_rate)} / {_rate(r.historical_rate)}"),
                             Cell(note(r.note, self.lang))))
            else:
                rows.append((Cell(written), Cell(read), Cell("–"), Cell("–"), Cell("–"),
                             Cell("–"), Cell(note(r.note, self.lang))))
        return Table((t("target_as_written"), t("target_read"), t("probability"),
                      t("likelihood"), t("median_range"), t("required_vs_hist"), t("note")),
                     tuple(rows), frozenset({2, 5}), "headline")

    def probability_chart(self, ok: pd.DataFrame, cid: str) -> ProbabilityChart:
        items = tuple((f"{r.target_id}", float(r.probability), tone(r.probability))
                      for r in ok.itertuples(index=False))
        return ProbabilityChart(cid, self.t("prob_chart"), items)

    def fan_charts(self, ok: pd.DataFrame, prefix: str) -> list[FanChart]:
        charts = []
        for j, ((region, ind_id), g) in enumerate(ok.groupby(["region", "indicator"],
                                                             sort=False)):
            diag = self.series.get(f"{region}|{ind_id}")
            if not diag or not diag.get("fan") or "history" not in diag:
                continue
            history = {int(y): float(v) for y, v in diag["history"].items()}
            marks, years = [], []
            for r in g.itertuples(index=False):
                level = implied_level(r, history)
                if level is None:
                    years.append(int(r.year))
                else:
                    marks.append((int(r.year), float(level)))
            bases = [int(b) for b in g["base_year"] if not _missing(b)]
            charts.append(FanChart(
                f"{prefix}-fan{j}", f"{region} · {self.name(ind_id)}", self.unit(ind_id),
                tuple(sorted(history.items())), tuple(diag["fan_levels"]),
                tuple((int(y), tuple(q)) for y, q in diag["fan"].items()),
                tuple(sorted(set(marks))), tuple(sorted(set(years))),
                min(bases) if bases else None))
        return charts

    def scenario_blocks(self, pid: str) -> tuple:
        t = self.t
        wide = scenario_probabilities(self.rows[self.rows["plan_id"] == pid])
        if wide.shape[1] < 2:  # no assessable target, or no scenario
            return (Paragraph(t("no_scenarios")),)
        scenarios = list(wide.columns[1:])
        rows = []
        for target_id, r in wide.iterrows():
            base = r[BASELINE]
            cells = [Cell(f"{base:.2f}", tone(base))]
            cells += [Cell(f"{r[s]:.2f} ({round(r[s] - base, 2) + 0.0:+.2f})", tone(r[s]))
                      for s in scenarios]
            rows.append((Cell(str(target_id)), *cells))
        cols = (t("target"), *(self.scenario_title(s) for s in (BASELINE, *scenarios)))
        return (Paragraph(t("scenario_note")),
                Table(cols, tuple(rows), frozenset(range(1, len(cols))), "scenarios"))

    def achievable_blocks(self, pid: str) -> tuple:
        t = self.t
        sug = self.run.suggestions
        sug = sug[(sug["plan_id"] == pid) & (sug["scenario"] == BASELINE)] if len(sug) else sug
        if not len(sug):
            return (Paragraph(t("no_assessable")),)
        stated = self.base[self.base["plan_id"] == pid].set_index("target_id")
        levels = sorted(sug["confidence"].unique())
        rows = []
        for target_id, g in sug.groupby("target_id", sort=False):
            r = stated.loc[target_id]
            pct = "%" if r["kind"] in ("growth", "cagr", "relative") else ""
            value = (f"[{fmt_number(r['value'])}, {fmt_number(r['value_hi'])}]"
                     if r["op"] == "between" else fmt_number(r["value"]))
            cells = [Cell(f"{fmt_number(v)} ({_rate(rate)})") for v, rate in
                     zip(g["achievable_value"], g["achievable_rate"], strict=True)]
            rows.append((Cell(str(target_id)),
                         Cell(f"{kind(r['kind'], self.lang)} {OP_SYMBOLS.get(r['op'], r['op'])} "
                              f"{value}{pct} ({r['year']})"),
                         Cell(f"{r['probability']:.2f}", tone(r["probability"])), *cells))
        cols = (t("target"), t("stated"), t("p_stated"),
                *(t("confident", p=round(q * 100)) for q in levels))
        return (Paragraph(t("achievable_note")),
                Table(cols, tuple(rows), frozenset(range(2, len(cols))), "achievable"))

    def review_blocks(self, pid: str) -> tuple:
        t = self.t
        rev = self.run.review
        rev = rev[(rev["plan_id"] == pid) & (rev["scenario"] == BASELINE)
                  & (rev["status"] != "no data")] if len(rev) else rev
        if not len(rev):
            return (Paragraph(t("no_review")),)
        rows = []
        for r in rev.itertuples(index=False):
            share = (f"{round(r.progress_share, 2) + 0.0:.0%} / {r.time_share:.0%}"
                     if not _missing(r.progress_share) else f"– / {r.time_share:.0%}")
            p_base = _num(r.probability_at_base)
            rows.append((Cell(str(r.target_id)),
                         Cell(f"{fmt_number(r.base_value)} ({int(r.base_year)})"),
                         Cell(f"{fmt_number(r.last_value)} ({int(r.last_year)})"), Cell(share),
                         Cell(_rate(r.required_rate)), Cell(_rate(r.achieved_rate)),
                         Cell("–" if math.isnan(p_base) else f"{p_base:.2f}",
                              None if math.isnan(p_base) else tone(p_base)),
                         Cell(f"{r.probability:.2f}", tone(r.probability)),
                         Cell(status(r.status, self.lang))))
        cols = (t("target"), t("base"), t("latest"), t("distance_time"), t("required"),
                t("achieved"), t("p_at_base"), t("p_now"), t("status"))
        return (Paragraph(t("review_note")),
                Table(cols, tuple(rows), frozenset({1, 2, 3, 4, 5, 6, 7}), "review"))

    def data_blocks(self, sub: pd.DataFrame) -> tuple:
        t = self.t
        keys = set(zip(sub["region"], sub["indicator"], strict=True))
        quality = [q for q in self.run.diagnostics.get("data_quality", [])
                   if (q["region"], q["indicator"]) in keys]
        blocks: list = [Paragraph(f"**{t('quality_notes')}**")]
        if quality:
            blocks.append(Table((t("region"), t("indicator"), t("note")), tuple(
                (Cell(q["region"]), Cell(self.name(q["indicator"])),
                 Cell(note(q["note"], self.lang))) for q in quality), name="quality"))
        else:
            blocks.append(Paragraph(t("no_quality_notes")))
        needed = [d for d in self.run.diagnostics.get("data_needed", [])
                  if (d["region"], d["indicator"]) in keys]
        if needed:
            blocks += [Paragraph(f"**{t('data_needed')}**"), Paragraph(t("data_needed_note")),
                       Table((t("region"), t("indicator"), t("unit"), t("status"), t("targets"),
                              t("years_needed")), tuple(
                           (Cell(d["region"]), Cell(self.name(d["indicator"])), Cell(d["unit"]),
                            Cell(note(d["status"], self.lang)), Cell(str(d["targets"])),
                            Cell(note(d["years_needed"], self.lang))) for d in needed),
                           frozenset({4}), "data_needed")]
        return tuple(blocks)

    # -- many plans ----------------------------------------------------------------------
    def overview_sections(self) -> list[Section]:
        t = self.t
        rows = self.base
        provinces = self.run.meta.get("provinces", {})
        rows = rows.assign(province=rows["region"].map(lambda r: provinces.get(r, r)))
        ok = rows[rows["assessable"]]
        intro = Paragraph(t("overview_intro", n=f"{len(rows):,}",
                            plans=f"{rows['plan_id'].nunique():,}",
                            regions=f"{rows['region'].nunique():,}", k=f"{len(ok):,}"))
        counts = ok["probability"].map(tone).value_counts()
        chart = ClassChart("overview-classes", t("distribution_chart"), tuple(
            (likelihood(CLASS_BOUNDS[i], self.lang), int(counts.get(i, 0)), i) for i in range(7)))
        sections = [Section("overview", t("overview_title"), 1, (intro, Figures((chart,))))]
        for by, key in (("province", "by_province"), ("indicator", "by_indicator"),
                        ("kind", "by_kind")):
            sections.append(Section(f"by-{by}", t(key), 2, (self.distribution(rows, by),)))
        worst = ok.sort_values(["probability", "plan_id", "target_id"]).head(25)
        sections.append(Section("least-likely", t("least_likely", n=25), 2, (Table(
            (t("plan"), t("target"), t("region"), t("indicator"), t("kind"), t("value"),
             t("year"), t("probability")), tuple(
                (Cell(r.plan_id), Cell(r.target_id), Cell(r.region), Cell(self.name(r.indicator)),
                 Cell(kind(r.kind, self.lang)), Cell(fmt_number(r.value)), Cell(str(r.year)),
                 Cell(f"{r.probability:.3f}", tone(r.probability)))
                for r in worst.itertuples(index=False)), frozenset({5, 6, 7}), "least_likely"),)))
        sections.append(self.short_data())
        return sections

    def distribution(self, rows: pd.DataFrame, by: str) -> Table:
        t = self.t
        body = []
        for key, r in distribution_table(rows, by).iterrows():
            label = self.name(key) if by == "indicator" else (
                kind(key, self.lang) if by == "kind" else str(key))
            assessed = 0 if math.isnan(r["assessed"]) else int(r["assessed"])
            fmt = lambda x: "–" if math.isnan(x) else f"{x:.2f}"  # noqa: E731
            body.append((Cell(label), Cell(f"{int(r['targets']):,}"), Cell(f"{assessed:,}"),
                         Cell(fmt(r["mean"]), None if math.isnan(r["mean"]) else tone(r["mean"])),
                         Cell(fmt(r["likely"])), Cell(fmt(r["unlikely"]))))
        head = {"province": "region", "indicator": "indicator", "kind": "kind"}[by]
        return Table((t(head), t("targets"), t("assessed"), t("mean_probability"),
                      t("share_likely"), t("share_unlikely")), tuple(body),
                     frozenset({1, 2, 3, 4, 5}), f"by_{by}")

    def short_data(self) -> Section:
        t = self.t
        table = short_data_table(self.series, pd.DataFrame(
            self.run.diagnostics.get("data_needed", []), columns=["region", "indicator"]))
        body = tuple((Cell(str(region)), Cell(str(r["short"])), Cell(str(r["none"])))
                     for region, r in table.head(25).iterrows())
        return Section("short-data", t("short_data"), 2, (
            Paragraph(t("short_data_note", n=f"{len(table):,}")),
            Table((t("region"), t("short_series"), t("no_data_series")), body,
                  frozenset({1, 2}), "short_data")))

    # -- appendices ----------------------------------------------------------------------
    def methodology(self) -> Section:
        return Section("methodology", self.t("methodology"), 1,
                       tuple(Paragraph(p) for p in METHODOLOGY[self.lang]))

    def calibration(self) -> Section:
        t = self.t
        evidence = calibration_evidence()
        tests = evidence.get("backtests", [])
        if not tests:
            return Section("calibration", t("calibration"), 1, ())
        label = lambda b: b.get("label_zh", b["label"]) if self.zh else b["label"]  # noqa: E731
        chart = ReliabilityChart("reliability", t("reliability_chart"), tuple(
            (label(b), tuple((float(d["forecast"]), float(d["observed"]), int(d["count"]))
                               for d in b["reliability_diagram"] if d["count"] > 0))
            for b in tests))
        rows = tuple((Cell(label(b)), Cell(f"{b['events']:,}"), Cell(f"{b['brier']:.3f}"),
                      Cell(f"{b['coverage_80']['rate']:.2f}"),
                      Cell(f"{b['coverage_95']['rate']:.2f}"),
                      Cell(f"{b['coverage_80']['held_out_values']:,}")) for b in tests)
        table = Table((t("backtest"), t("events"), t("brier"), t("coverage_80"),
                       t("coverage_95"), t("held_out")), rows, frozenset({1, 2, 3, 4, 5}),
                      "calibration")
        return Section("calibration", t("calibration"), 1, (
            *(Paragraph(p) for p in CALIBRATION_TEXT[self.lang]),
            Paragraph(t("evidence_model")), Figures((chart,)), table))

    def diagnostics(self, plan_ids: set[str] | None) -> Section:
        t = self.t
        d = self.run.diagnostics
        blocks: list = []
        if d.get("models"):
            blocks.append(Table((t("indicator"), t("model_choice"), t("why")), tuple(
                (Cell(self.name(ind)), Cell(m["model"]), Cell(m["reason"]))
                for ind, m in d["models"].items()), name="models"))
        if d.get("fits"):
            blocks.append(Table((t("fit_table"), t("r_hat"), t("ess"), t("divergences")), tuple(
                (Cell(ind), Cell(f"{f['r_hat_max']:.3f}"), Cell(f"{f['ess_bulk_min']:.0f}"),
                 Cell(str(f["divergences"]))) for ind, f in d["fits"].items()),
                frozenset({1, 2, 3}), "fits"))
        else:
            blocks.append(Paragraph(t("no_fits")))
        dep = {k: v for k, v in d.get("dependence", {}).items() if v.get("pairs")}
        if dep:
            blocks.append(Table((t("pair"), t("correlation"), t("points")), tuple(
                (Cell(" ~ ".join(self.name(i) for i in k.split("~"))), Cell(f"{v['rho']:+.2f}"),
                 Cell(str(v["pairs"]))) for k, v in dep.items()), frozenset({1, 2}),
                "dependence"))
        if plan_ids is not None:
            keys = {f"{r.region}|{r.indicator}" for r in self.base.itertuples(index=False)
                    if r.plan_id in plan_ids}
            series = [(k, v) for k, v in self.series.items() if k in keys]
            if series:
                blocks.append(Table((t("series"), t("points"), t("years"), t("model"),
                                     t("note")), tuple(
                    (Cell(f"{k.split('|')[0]} · {self.name(k.split('|')[1])}"),
                     Cell(str(v["points"])), Cell(f"{v['first_year']}–{v['last_year']}"),
                     Cell(v["model"]), Cell(note("; ".join(v["notes"]), self.lang)))
                    for k, v in series), frozenset({1}), "series"))
        return Section("diagnostics", t("diagnostics"), 1, tuple(blocks))


def build_report(run: RunOutputs, lang: str, catalogue: Catalogue) -> Report:
    """The report of a finished run: per plan for up to ``LARGE_RUN_PLANS`` plans, else the
    national overview; then methodology, the calibration appendix and the diagnostics."""
    b = _Builder(run, lang, catalogue)
    plans = run.plans
    overview = len(plans) > LARGE_RUN_PLANS
    if overview:
        sections = b.overview_sections()
        title = b.t("overview_title")
    else:
        sections = [b.plan_section(p, k) for k, p in enumerate(plans, 1)]
        title = plans[0]["title"] if len(plans) == 1 else b.t("report_title")
    sections += [b.methodology(), b.calibration(),
                 b.diagnostics(None if overview else {p["id"] for p in plans})]
    labels = {k: b.t(k) for k in ("contents", "toc_hint", "history", "median", "target",
                                  "base_year", "prob_axis", "stated_prob", "observed_share",
                                  "perfect", "count_axis")}
    labels.update({f"band{p}": b.t("band", p=p) for p in (50, 80, 95)})
    return Report(lang, title, b.facts(), tuple(sections), labels)
