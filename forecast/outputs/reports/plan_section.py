"""One plan's part of the report: the headline table of its targets, the probability chart,
the fan charts with the levels the targets imply, scenarios, achievable values, the mid-term
review and the data behind it."""

from __future__ import annotations

import math

import pandas as pd

from forecast.inputs.scenarios import BASELINE
from forecast.outputs.reports.context import Context, as_number, is_missing, rate_text
from forecast.outputs.reports.i18n import kind, note, status
from forecast.outputs.reports.model import (
    Cell,
    FanChart,
    Figures,
    Paragraph,
    ProbabilityChart,
    Section,
    Table,
    tone,
)
from forecast.outputs.tables import scenario_probabilities
from forecast.outputs.wording import OP_SYMBOLS, fmt_number, progress_text


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
    intro = Paragraph(f"{t('region')}: {plan['region']} · `{pid}` · "
                      + t("targets_assessed", n=len(sub), k=n_ok))
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
    return Section(f"plan-{k}", plan["title"], 1, (intro,), tuple(children))


def headline(ctx: Context, sub: pd.DataFrame) -> Table:
    """Every target of the plan as written and as read, with its probability, likelihood,
    median [p10, p90] and the growth it requires against the past."""
    t = ctx.t
    rows = []
    for r in sub.itertuples(index=False):
        written = r.text if isinstance(r.text, str) and r.text else ctx.clause(r)
        read = ctx.clause(r)
        if r.assessable:
            rng = (f"{fmt_number(r.statistic_p50)} [{fmt_number(r.statistic_p10)}, "
                   f"{fmt_number(r.statistic_p90)}]")
            rows.append((Cell(written), Cell(read), Cell(f"{r.probability:.2f}",
                                                         tone(r.probability)),
                         ctx.lik(r.probability), Cell(rng),
                         Cell(f"{rate_text(r.required_rate)} / {rate_text(r.historical_rate)}"),
                         Cell(note(r.note, ctx.lang))))
        else:
            rows.append((Cell(written), Cell(read), Cell("–"), Cell("–"), Cell("–"),
                         Cell("–"), Cell(note(r.note, ctx.lang))))
    return Table((t("target_as_written"), t("target_read"), t("probability"),
                  t("likelihood"), t("median_range"), t("required_vs_hist"), t("note")),
                 tuple(rows), frozenset({2, 5}), "headline")


def probability_chart(ctx: Context, ok: pd.DataFrame, cid: str) -> ProbabilityChart:
    """The dot chart of the assessed targets' probabilities."""
    items = tuple((f"{r.target_id}", float(r.probability), tone(r.probability))
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
            f"{prefix}-fan{j}", f"{region} · {ctx.name(ind_id)}", ctx.unit(ind_id),
            tuple(sorted(history.items())), tuple(diag["fan_levels"]),
            tuple((int(y), tuple(q)) for y, q in diag["fan"].items()),
            tuple(sorted(set(marks))), tuple(sorted(set(years))),
            min(bases) if bases else None))
    return charts


def scenario_blocks(ctx: Context, pid: str) -> tuple:
    """Each target's probability under the baseline and each scenario, with the change."""
    t = ctx.t
    wide = scenario_probabilities(ctx.rows[ctx.rows["plan_id"] == pid])
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
    cols = (t("target"), *(ctx.scenario_title(s) for s in (BASELINE, *scenarios)))
    return (Paragraph(t("scenario_note")),
            Table(cols, tuple(rows), frozenset(range(1, len(cols))), "scenarios"))


def achievable_blocks(ctx: Context, pid: str) -> tuple:
    """The value each target would meet with 50/80/90% probability, beside the stated one."""
    t = ctx.t
    sug = ctx.run.suggestions
    sug = sug[(sug["plan_id"] == pid) & (sug["scenario"] == BASELINE)] if len(sug) else sug
    if not len(sug):
        return (Paragraph(t("no_assessable")),)
    stated = ctx.base[ctx.base["plan_id"] == pid].set_index("target_id")
    levels = sorted(sug["confidence"].unique())
    rows = []
    for target_id, g in sug.groupby("target_id", sort=False):
        r = stated.loc[target_id]
        pct = "%" if r["kind"] in ("growth", "cagr", "relative") else ""
        value = (f"[{fmt_number(r['value'])}, {fmt_number(r['value_hi'])}]"
                 if r["op"] == "between" else fmt_number(r["value"]))
        cells = [Cell(f"{fmt_number(v)} ({rate_text(rate)})") for v, rate in
                 zip(g["achievable_value"], g["achievable_rate"], strict=True)]
        rows.append((Cell(str(target_id)),
                     Cell(f"{kind(r['kind'], ctx.lang)} {OP_SYMBOLS.get(r['op'], r['op'])} "
                          f"{value}{pct} ({r['year']})"),
                     Cell(f"{r['probability']:.2f}", tone(r["probability"])), *cells))
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
        rows.append((Cell(str(r.target_id)),
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
            (Cell(q["region"]), Cell(ctx.name(q["indicator"])),
             Cell(note(q["note"], ctx.lang))) for q in quality), name="quality"))
    else:
        blocks.append(Paragraph(t("no_quality_notes")))
    needed = [d for d in ctx.run.diagnostics.get("data_needed", [])
              if (d["region"], d["indicator"]) in keys]
    if needed:
        blocks += [Paragraph(f"**{t('data_needed')}**"), Paragraph(t("data_needed_note")),
                   Table((t("region"), t("indicator"), t("unit"), t("status"), t("targets"),
                          t("years_needed")), tuple(
                       (Cell(d["region"]), Cell(ctx.name(d["indicator"])), Cell(d["unit"]),
                        Cell(note(d["status"], ctx.lang)), Cell(str(d["targets"])),
                        Cell(note(d["years_needed"], ctx.lang))) for d in needed),
                       frozenset({4}), "data_needed")]
    return tuple(blocks)
