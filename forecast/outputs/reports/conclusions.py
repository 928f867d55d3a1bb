"""The report's first page, 主要结论: per plan, how many of its targets are on track, at risk
or off track (met, missed or awaiting data once their year has come), the ones that need
attention by name, and how recent the data behind them are. A review meeting reads this
page; the details follow.

The standing of each target is ``outputs.standing``'s, the same rule as the console's
per-plan lines and review.csv's status.
"""

from __future__ import annotations

import pandas as pd

from forecast.outputs.confidence import MARK, low_reason
from forecast.outputs.reports.context import Context
from forecast.outputs.reports.i18n import status
from forecast.outputs.reports.model import Cell, Paragraph, Section, Table
from forecast.outputs.standing import OUTLOOKS, STANDINGS, plan_standing, target_standing
from forecast.outputs.summary import LARGE_RUN_PLANS

LISTED = 12  # targets named as needing attention on a plan's part; more are counted


def conclusions(ctx: Context, plans: list[dict]) -> Section:
    """The first page: a table of every plan's targets by standing, then for each plan with
    assessed targets the ones that need attention by name (a single plan's run has no
    parts), and the plans with none assessed in one sentence; for a run of many plans (the
    national overview), the totals."""
    t = ctx.t
    intro = Paragraph(t("conclusions_intro"))
    if len(plans) > LARGE_RUN_PLANS:
        return Section("conclusions", t("conclusions"), 1, (intro, *totals(ctx)))
    if len(plans) == 1:
        return Section("conclusions", t("conclusions"), 1, (intro, *plan_blocks(ctx, plans[0])))
    table = plan_standing(ctx.base, ctx.run.review)
    assessed = dict(zip(table["plan_id"], table["assessed"], strict=True))
    blocks: list = [intro, standing_table(ctx, plans, table)]
    idle = [p["title"] for p in plans if not assessed.get(p["id"])]
    if idle:
        blocks.append(Paragraph(t("plans_none_assessed", n=len(idle),
                                  titles=("、" if ctx.zh else "; ").join(idle))))
    return Section("conclusions", t("conclusions"), 1, tuple(blocks), tuple(
        Section(f"conclusions-{k}", p["title"], 2, tuple(plan_blocks(ctx, p)))
        for k, p in enumerate(plans, 1) if assessed.get(p["id"])))


def standing_table(ctx: Context, plans: list[dict], table: pd.DataFrame) -> Table:
    """One row per plan: its targets, how many are assessed, and how many of each standing
    (the standings no plan has are left out)."""
    t = ctx.t
    shown = [s for s in STANDINGS if table[s].sum()]
    by_plan = table.set_index("plan_id")
    rows = tuple((Cell(p["title"]), *(Cell(str(int(by_plan.loc[p["id"], c])))
                                      for c in ("targets", "assessed", *shown)))
                 for p in plans if p["id"] in by_plan.index)
    heads = [status(s, ctx.lang) for s in shown]
    return Table((t("plan"), t("targets"), t("assessed"), *(h[:1].upper() + h[1:] for h in heads)),
                 rows, frozenset(range(1, 3 + len(shown))), "standing")


# the standings named on the first page, with those awaiting data whose forecast is not
# "likely met"
ATTENTION = ("at risk", "off track", "missed")


def plan_blocks(ctx: Context, plan: dict) -> list[Paragraph]:
    """A plan's paragraphs: its targets counted by standing (those awaiting data with what
    the forecast says), the ones that need attention by name, and the data cut-off."""
    t = ctx.t
    rows = ctx.base[ctx.base["plan_id"] == plan["id"]]
    standing = target_standing(rows, ctx.run.review)
    n, k = len(standing), int(standing["assessable"].sum())
    if k == 0:
        return [Paragraph(t("plan_none_assessed", n=n))]
    counts = standing["standing"].value_counts()
    parts = []
    for s in STANDINGS:
        if counts.get(s, 0):
            part = t("standing_count", standing=status(s, ctx.lang), n=int(counts[s]))
            if s == "awaiting data":
                part += awaiting_outlook(ctx, standing.loc[standing["standing"] == s, "outlook"])
            parts.append(part)
    text = t("plan_standing", n=n, k=k, counts=_sep(ctx).join(parts))
    if n > k:
        text += t("not_assessed", n=n - k, s="s" * (n - k != 1))
    out = [Paragraph(text)]
    by_id = {r.target_id: r for r in rows.itertuples(index=False)}
    watch = standing[standing["standing"].isin(ATTENTION)
                     | ((standing["standing"] == "awaiting data")
                        & (standing["outlook"] != OUTLOOKS["on track"]))]
    if len(watch):
        names = [listed_name(ctx, by_id[i]) for i in watch["target_id"][:LISTED]]
        more = t("and_more", n=len(watch) - LISTED) if len(watch) > LISTED else ""
        out.append(Paragraph(t("attention", n=len(watch), names=_sep(ctx).join(names) + more)))
    else:
        out.append(Paragraph(t("no_attention")))
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
    return ctx.t("awaiting_outlook", counts=("，" if ctx.zh else ", ").join(
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
