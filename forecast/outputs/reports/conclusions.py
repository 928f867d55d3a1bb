"""The report's first page, 主要结论: per plan, how many of its targets are on track, at risk
or off track (met, missed or awaiting data once their year has come), which ones, and how
recent the data behind them are. A review meeting reads this page; the details follow.

The standing of each target is ``outputs.standing``'s, the same rule as the console's
per-plan lines and review.csv's status.
"""

from __future__ import annotations

import pandas as pd

from forecast.outputs.confidence import MARK, low_reason
from forecast.outputs.reports.context import Context
from forecast.outputs.reports.i18n import status
from forecast.outputs.reports.model import Paragraph, Section
from forecast.outputs.standing import OUTLOOKS, STANDINGS, plan_standing, target_standing
from forecast.outputs.summary import LARGE_RUN_PLANS

LISTED = 12  # targets named per standing on the first page; more are counted


def conclusions(ctx: Context, plans: list[dict]) -> Section:
    """The first page: one part per plan (a single plan's run has no parts), or, for a run of
    many plans (the national overview), the totals."""
    t = ctx.t
    intro = Paragraph(t("conclusions_intro"))
    if len(plans) > LARGE_RUN_PLANS:
        return Section("conclusions", t("conclusions"), 1, (intro, *totals(ctx)))
    if len(plans) == 1:
        return Section("conclusions", t("conclusions"), 1, (intro, *plan_blocks(ctx, plans[0])))
    return Section("conclusions", t("conclusions"), 1, (intro,), tuple(
        Section(f"conclusions-{k}", p["title"], 2, tuple(plan_blocks(ctx, p)))
        for k, p in enumerate(plans, 1)))


def plan_blocks(ctx: Context, plan: dict) -> list[Paragraph]:
    """A plan's paragraphs: the count, the targets of each standing, those not assessed, and
    the data cut-off of each indicator."""
    t = ctx.t
    rows = ctx.base[ctx.base["plan_id"] == plan["id"]]
    standing = target_standing(rows, ctx.run.review)
    n, k = len(standing), int(standing["assessable"].sum())
    if k == 0:
        return [Paragraph(t("plan_none_assessed", n=n))]
    counts = standing["standing"].value_counts()
    summary = _sep(ctx).join(t("standing_count", standing=status(s, ctx.lang),
                                  n=int(counts[s])) for s in STANDINGS if counts.get(s, 0))
    out = [Paragraph(t("plan_standing", n=n, k=k, counts=summary))]
    by_id = {r.target_id: r for r in rows.itertuples(index=False)}
    for s in STANDINGS:
        ids = list(standing.loc[standing["standing"] == s, "target_id"])
        if ids:
            names = [listed_name(ctx, by_id[i]) for i in ids[:LISTED]]
            more = t("and_more", n=len(ids) - LISTED) if len(ids) > LISTED else ""
            word = status(s, ctx.lang)
            text = t("standing_list", standing=word[:1].upper() + word[1:], n=len(ids),
                     names=_sep(ctx).join(names) + more)
            if s == "awaiting data":
                text += awaiting_outlook(ctx, standing.loc[standing["standing"] == s, "outlook"])
            out.append(Paragraph(text))
    if n > k:
        out.append(Paragraph(t("not_assessed", n=n - k, s="s" * (n - k != 1))))
    cutoff = data_cutoff(ctx, rows)
    if cutoff:
        out.append(Paragraph(t("cutoff_line", items=_sep(ctx).join(cutoff))))
    return out


def listed_name(ctx: Context, r) -> str:
    """A target as the first page names it: its display name, marked where its probability
    has low confidence (``outputs.confidence``)."""
    return ctx.target_name(r) + (MARK[ctx.lang] if low_reason(r) else "")


def awaiting_outlook(ctx: Context, outlooks: pd.Series) -> str:
    """What the forecast says of targets whose year has passed without data: how many were
    likely met, uncertain or likely missed (``standing.OUTLOOKS``)."""
    counts = outlooks.value_counts()
    return ctx.t("awaiting_outlook", counts=_sep(ctx).join(
        ctx.t("standing_count", standing=ctx.t(f"outlook_{key.replace(' ', '_')}"),
              n=int(counts[o]))
        for key, o in OUTLOOKS.items() if counts.get(o, 0)))


def data_cutoff(ctx: Context, rows: pd.DataFrame) -> list[str]:
    """The last year of the data each indicator of the plan's assessed targets reads, the
    indicators grouped by it ("2022年:A、B"), or one year for all ("2022年(27 项指标)")."""
    years: dict[str, list[int]] = {}
    for r in rows[rows["assessable"]].itertuples(index=False):
        for ind in (r.indicator, getattr(r, "other_indicator", None)):
            series = ctx.series.get(f"{r.region}|{ind}") if isinstance(ind, str) else None
            if series and series.get("last_year") is not None:
                years.setdefault(ind, []).append(int(series["last_year"]))
    groups: dict[str, list[str]] = {}
    for ind, ys in years.items():
        groups.setdefault(_years(ctx, min(ys), max(ys)), []).append(ctx.name(ind))
    if len(groups) == 1:
        (span, names), = groups.items()
        return [ctx.t("cutoff_all", span=span, n=len(names), s="s" * (len(names) != 1))]
    comma = "、" if ctx.zh else ", "
    return [f"{span}{'：' if ctx.zh else ': '}{comma.join(names)}"
            for span, names in sorted(groups.items())]


def totals(ctx: Context) -> list[Paragraph]:
    """A run of many plans: the targets of every plan counted by standing."""
    t = ctx.t
    table = plan_standing(ctx.base, ctx.run.review)
    n, k = int(table["targets"].sum()), int(table["assessed"].sum())
    summary = _sep(ctx).join(t("standing_count", standing=status(s, ctx.lang),
                                  n=f"{int(table[s].sum()):,}")
                                for s in STANDINGS if table[s].sum())
    return [Paragraph(t("many_plans_standing", plans=f"{len(table):,}", n=f"{n:,}",
                        k=f"{k:,}", counts=summary or "–"))]


def _sep(ctx: Context) -> str:
    """Between the items of a list in a sentence (the items may hold commas)."""
    return "；" if ctx.zh else "; "


def _years(ctx: Context, first: int, last: int) -> str:
    span = str(last) if first == last else f"{first}–{last}"
    return f"{span}年" if ctx.zh else span
