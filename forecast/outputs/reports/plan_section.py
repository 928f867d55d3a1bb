"""One plan's part of the report: the headline table of its targets, the probability chart,
the fan charts with the levels the targets imply, scenarios, achievable values, the mid-term
review and the data behind it."""

from __future__ import annotations

import math

import pandas as pd

from forecast.inputs.scenarios import BASELINE
from forecast.outputs.confidence import marked_likelihood, marked_note
from forecast.outputs.names import fmt_statistic, is_count, median_text, target_value
from forecast.outputs.plan_line import baseline_outcome, plan_line
from forecast.outputs.reports.context import Context, as_number, is_missing, rate_text
from forecast.outputs.reports.i18n import kind, status
from forecast.outputs.reports.model import (
    Cell,
    CountChart,
    FanChart,
    Figures,
    Paragraph,
    ProbabilityChart,
    Section,
    Table,
    tone,
)
from forecast.outputs.scenario_effects import split_scenarios, unchanged_note
from forecast.outputs.tables import scenario_probabilities
from forecast.outputs.wording import fmt_number, progress_text


def implied_level(r, history: dict[int, float]) -> float | None:
    """The level of the indicator that meeting the target means in its year, where one
    number says it: a level, a change or an average growth from the base value, one year's
    growth on an observed previous year. None for sums, every-year and relative targets."""
    if r.each_year or r.kind in ("cumulative", "relative", "qualitative"):
        return None
    v = r.value if r.op != "between" else (r.value + r.value_hi) / 2
    base = as_number(getattr(r, "base_value", None))
    if r.kind == "level":
        return v
    if r.kind == "change" and not math.isnan(base):
        return base + v
    if r.kind == "cagr" and not math.isnan(base) and not is_missing(r.base_year):
        return base * (1 + v / 100) ** (int(r.year) - int(r.base_year))
    if r.kind == "growth" and int(r.year) - 1 in history:
        return history[int(r.year) - 1] * (1 + v / 100)
    return None


def plan_section(ctx: Context, plan: dict, k: int) -> Section:
    """A plan's section: its headline table, charts, scenarios, achievable values, review and
    data."""
    t = ctx.t
    pid = plan["id"]
    sub = ctx.base[ctx.base["plan_id"] == pid]
    n_ok = int(sub["assessable"].sum())
    intro = [Paragraph(f"{t('region')}: {ctx.region(plan['region'])} · "
                       + t("targets_assessed", n=len(sub), k=n_ok))]
    outcome = baseline_outcome(ctx.run.plan_outcomes, pid)
    if line := plan_line(outcome, ctx.lang):  # the plan as a whole: how many, all of them
        intro.append(Paragraph(line))
        if isinstance(spread := outcome.get("met_distribution"), str) and spread:
            intro.append(Figures((CountChart(
                f"p{k}-count", t("plan_count_chart"),
                tuple(float(x) for x in spread.split()), float(outcome["expected_met"])),)))
    children = [
        Section(f"p{k}-headline", t("headline"), 2,
                (Paragraph(t("headline_note")), headline(ctx, sub))),
    ]
    ok = sub[sub["assessable"]]
    if len(ok):
        children.append(Section(f"p{k}-probabilities", t("prob_chart"), 2,
                                (Figures((probability_chart(ctx, ok, f"p{k}-prob"),)),)))
        fans = fan_charts(ctx, ok, f"p{k}")
        if fans:
            children.append(Section(f"p{k}-fans", t("fan_charts"), 2,
                                    (Paragraph(t("fan_note")), Figures(tuple(fans)))))
    children.append(Section(f"p{k}-scenarios", t("scenario_comparison"), 2,
                            scenario_blocks(ctx, pid)))
    children.append(Section(f"p{k}-achievable", t("achievable"), 2,
                            achievable_blocks(ctx, pid)))
    children.append(Section(f"p{k}-review", t("review"), 2, review_blocks(ctx, pid)))
    children.append(Section(f"p{k}-data", t("data_quality"), 2, data_blocks(ctx, sub)))
    return Section(f"plan-{k}", plan["title"], 1, tuple(intro), tuple(children))


def headline(ctx: Context, sub: pd.DataFrame) -> Table:
    """Every target of the plan as written and as read, with its probability, likelihood,
    median [p10, p90] and the growth it requires against the past."""
    t = ctx.t
    rows = []
    for r in sub.itertuples(index=False):
        written = r.text if isinstance(r.text, str) and r.text else ctx.clause(r)
        read = ctx.clause(r)
        if r.assessable:
            rng = median_range(ctx, r)
            rows.append((Cell(written), Cell(read), Cell(f"{r.probability:.2f}",
                                                         tone(r.probability)),
                         Cell(marked_likelihood(ctx.lik(r.probability).text, r, ctx.lang),
                              ctx.lik(r.probability).tone), Cell(rng),
                         Cell(f"{rate_text(r.required_rate)} / {rate_text(r.historical_rate)}"),
                         Cell(ctx.note(marked_note(r.note, r)))))
        else:
            rows.append((Cell(written), Cell(read), Cell("–"), Cell("–"), Cell("–"),
                         Cell("–"), Cell(ctx.note(r.note))))
    return Table((t("target_as_written"), t("target_read"), t("probability"),
                  t("likelihood"), t("median_range"), t("required_vs_hist"), t("note")),
                 tuple(rows), frozenset({2, 5}), "headline")


def counts_things(ctx: Context, r) -> bool:
    """Whether the target's quantity is a whole number of things: a count indicator's level,
    change or sum (not its growth)."""
    return is_count(ctx.indicator(r.indicator)) and r.kind in ("level", "change", "cumulative")


def median_range(ctx: Context, r) -> str:
    """Median (80% range) of the target's quantity; counts as whole numbers."""
    return median_text(r.statistic_p50, r.statistic_p10, r.statistic_p90,
                       counts_things(ctx, r))


def probability_chart(ctx: Context, ok: pd.DataFrame, cid: str) -> ProbabilityChart:
    """The dot chart of the assessed targets' probabilities, each named in the report's
    language."""
    items = tuple((ctx.target_name(r), float(r.probability), tone(r.probability))
                  for r in ok.itertuples(index=False))
    return ProbabilityChart(cid, ctx.t("prob_chart"), items)


def fan_charts(ctx: Context, ok: pd.DataFrame, prefix: str) -> list[FanChart]:
    """One fan chart per region and indicator, with the levels the targets imply marked at
    their years."""
    charts = []
    for j, ((region, ind_id), g) in enumerate(ok.groupby(["region", "indicator"],
                                                         sort=False)):
        diag = ctx.series.get(f"{region}|{ind_id}")
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
        bases = [int(b) for b in g["base_year"] if not is_missing(b)]
        charts.append(FanChart(
            f"{prefix}-fan{j}", f"{ctx.region(region)} · {ctx.name(ind_id)}", ctx.unit(ind_id),
            tuple(sorted(history.items())), tuple(diag["fan_levels"]),
            tuple((int(y), tuple(q)) for y, q in diag["fan"].items()),
            tuple(sorted(set(marks))), tuple(sorted(set(years))),
            min(bases) if bases else None,
            is_count(ctx.indicator(ind_id))))
    return charts


def scenario_blocks(ctx: Context, pid: str) -> tuple:
    """Each target's probability under the baseline and each scenario that changes some of
    them, with the change; the scenarios that change none are named with the reason."""
    t = ctx.t
    scenarios = ctx.run.meta.get("scenarios", [])
    if not scenarios:
        return (Paragraph(t("no_scenarios")),)
    plan_rows = ctx.rows[ctx.rows["plan_id"] == pid]
    wide = scenario_probabilities(plan_rows)
    if wide.shape[1] < 2:  # no assessable target
        return (Paragraph(t("no_scenario_comparison")),)
    moved, unchanged = split_scenarios(wide)
    blocks: list = []
    if unchanged:
        ok = ctx.base[(ctx.base["plan_id"] == pid) & ctx.base["assessable"]]
        observed = bool(ok["note"].astype(str).str.contains("already observed").all())
        blocks.append(Paragraph(unchanged_note(
            scenarios, unchanged, [int(y) for y in ok["year"]], observed, ctx.scenario_title,
            ctx.cat, ctx.lang)))
    if not moved:
        return tuple(blocks)
    rows = []
    for target_id, r in wide.iterrows():
        base = r[BASELINE]
        cells = [Cell(f"{base:.2f}", tone(base))]
        cells += [Cell(f"{r[s]:.2f} ({round(r[s] - base, 2) + 0.0:+.2f})", tone(r[s]))
                  for s in moved]
        rows.append((Cell(ctx.target_label(pid, str(target_id))), *cells))
    cols = (t("target"), *(ctx.scenario_title(s) for s in (BASELINE, *moved)))
    return (*blocks, Paragraph(t("scenario_note")),
            Table(cols, tuple(rows), frozenset(range(1, len(cols))), "scenarios"))


def achievable_blocks(ctx: Context, pid: str) -> tuple:
    """The value each target would meet with 50/80/90% probability, beside the stated one."""
    t = ctx.t
    sug = ctx.run.suggestions
    sug = sug[(sug["plan_id"] == pid) & (sug["scenario"] == BASELINE)] if len(sug) else sug
    if not len(sug):
        return (Paragraph(t("no_assessable")),)
    levels = sorted(sug["confidence"].unique())
    rows = []
    for target_id, g in sug.groupby("target_id", sort=False):
        r = ctx.by_id[(pid, target_id)]
        count = counts_things(ctx, r)
        cells = [Cell(f"{fmt_statistic(v, count)} ({rate_text(rate)})") for v, rate in
                 zip(g["achievable_value"], g["achievable_rate"], strict=True)]
        rows.append((Cell(ctx.target_name(r)),
                     Cell(f"{kind(r.kind, ctx.lang)} {target_value(r, ctx.cat, ctx.lang)}"),
                     Cell(f"{r.probability:.2f}", tone(r.probability)), *cells))
    cols = (t("target"), t("stated"), t("p_stated"),
            *(t("confident", p=round(q * 100)) for q in levels))
    return (Paragraph(t("achievable_note")),
            Table(cols, tuple(rows), frozenset(range(2, len(cols))), "achievable"))


def review_blocks(ctx: Context, pid: str) -> tuple:
    """Where each target of a begun plan stands: progress against time, rates, and the
    probability at the base year and now."""
    t = ctx.t
    rev = ctx.run.review
    rev = rev[(rev["plan_id"] == pid) & (rev["scenario"] == BASELINE)
              & (rev["status"] != "no data")] if len(rev) else rev
    if not len(rev):
        return (Paragraph(t("no_review")),)
    rows = []
    for r in rev.itertuples(index=False):
        share = progress_text(r.progress_share, r.time_share)
        p_base = as_number(r.probability_at_base)
        rows.append((Cell(ctx.target_label(pid, r.target_id)),
                     Cell(f"{fmt_number(r.base_value)} ({int(r.base_year)})"),
                     Cell(f"{fmt_number(r.last_value)} ({int(r.last_year)})"), Cell(share),
                     Cell(rate_text(r.required_rate)), Cell(rate_text(r.achieved_rate)),
                     Cell("–" if math.isnan(p_base) else f"{p_base:.2f}",
                          None if math.isnan(p_base) else tone(p_base)),
                     Cell(f"{r.probability:.2f}", tone(r.probability)),
                     Cell(status(r.status, ctx.lang))))
    cols = (t("target"), t("base"), t("latest"), t("distance_time"), t("required"),
            t("achieved"), t("p_at_base"), t("p_now"), t("status"))
    return (Paragraph(t("review_note")),
            Table(cols, tuple(rows), frozenset({1, 2, 3, 4, 5, 6, 7}), "review"))


def data_blocks(ctx: Context, sub: pd.DataFrame) -> tuple:
    """The data quality notes of the plan's series, and the data still to supply."""
    t = ctx.t
    keys = set(zip(sub["region"], sub["indicator"], strict=True))
    quality = [q for q in ctx.run.diagnostics.get("data_quality", [])
               if (q["region"], q["indicator"]) in keys]
    blocks: list = [Paragraph(f"**{t('quality_notes')}**")]
    if quality:
        blocks.append(Table((t("region"), t("indicator"), t("note")), tuple(
            (Cell(ctx.region(q["region"])), Cell(ctx.name(q["indicator"])),
             Cell(ctx.note(q["note"]))) for q in quality), name="quality"))
    else:
        blocks.append(Paragraph(t("no_quality_notes")))
    needed = [d for d in ctx.run.diagnostics.get("data_needed", [])
              if (d["region"], d["indicator"]) in keys]
    if needed:
        blocks += [Paragraph(f"**{t('data_needed')}**"), Paragraph(t("data_needed_note")),
                   Table((t("region"), t("indicator"), t("unit"), t("status"), t("targets"),
                          t("years_needed")), tuple(
                       (Cell(ctx.region(d["region"])), Cell(ctx.name(d["indicator"])),
                        Cell(ctx.unit(d["indicator"]) or ("个" if ctx.zh else "number")),
                        Cell(ctx.note(d["status"])), Cell(str(d["targets"])),
                        Cell(ctx.note(d["years_needed"]))) for d in needed),
                       frozenset({4}), "data_needed")]
    return tuple(blocks)
