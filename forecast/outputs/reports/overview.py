"""The national overview of a run with many plans: how the targets' probabilities spread
by province, indicator and kind, the least likely targets, and where data are short."""

from __future__ import annotations

import math

import pandas as pd

from forecast.outputs.reports.context import Context
from forecast.outputs.reports.i18n import kind
from forecast.outputs.reports.model import (
    Cell,
    ClassChart,
    Figures,
    Paragraph,
    Section,
    Table,
    tone,
)
from forecast.outputs.tables import distribution_table, short_data_table
from forecast.outputs.wording import fmt_number
from forecast.targets.likelihood import CLASS_BOUNDS, likelihood


def overview_sections(ctx: Context) -> list[Section]:
    """The overview of a run with many plans: likelihood classes, the spread by province,
    indicator and kind, the least likely targets, and short data."""
    t = ctx.t
    rows = ctx.base
    provinces = ctx.run.meta.get("provinces", {})
    rows = rows.assign(province=rows["region"].map(lambda r: provinces.get(r, r)))
    ok = rows[rows["assessable"]]
    intro = Paragraph(t("overview_intro", n=f"{len(rows):,}",
                        plans=f"{rows['plan_id'].nunique():,}",
                        regions=f"{rows['region'].nunique():,}", k=f"{len(ok):,}"))
    counts = ok["probability"].map(tone).value_counts()
    chart = ClassChart("overview-classes", t("distribution_chart"), tuple(
        (likelihood(CLASS_BOUNDS[i], ctx.lang), int(counts.get(i, 0)), i) for i in range(7)))
    sections = [Section("overview", t("overview_title"), 1, (intro, Figures((chart,))))]
    for by, key in (("province", "by_province"), ("indicator", "by_indicator"),
                    ("kind", "by_kind")):
        sections.append(Section(f"by-{by}", t(key), 2, (distribution(ctx, rows, by),)))
    worst = ok.sort_values(["probability", "plan_id", "target_id"]).head(25)
    titles = {p["id"]: p.get("title") or p["id"] for p in ctx.run.plans}
    sections.append(Section("least-likely", t("least_likely", n=25), 2, (Table(
        (t("plan"), t("target"), t("region"), t("indicator"), t("kind"), t("value"),
         t("year"), t("probability")), tuple(
            (Cell(titles.get(r.plan_id, r.plan_id)), Cell(ctx.target_name(r)),
             Cell(ctx.region(r.region)), Cell(ctx.name(r.indicator)),
             Cell(kind(r.kind, ctx.lang)), Cell(fmt_number(r.value)), Cell(str(r.year)),
             Cell(f"{r.probability:.3f}", tone(r.probability)))
            for r in worst.itertuples(index=False)), frozenset({5, 6, 7}), "least_likely"),)))
    sections.append(short_data(ctx))
    return sections


def distribution(ctx: Context, rows: pd.DataFrame, by: str) -> Table:
    """How the targets' probabilities spread over the groups of ``by`` (province, indicator or
    kind)."""
    t = ctx.t
    body = []
    for key, r in distribution_table(rows, by).iterrows():
        label = ctx.name(key) if by == "indicator" else (
            kind(key, ctx.lang) if by == "kind" else ctx.region(str(key)))
        assessed = 0 if math.isnan(r["assessed"]) else int(r["assessed"])
        fmt = lambda x: "–" if math.isnan(x) else f"{x:.2f}"  # noqa: E731
        body.append((Cell(label), Cell(f"{int(r['targets']):,}"), Cell(f"{assessed:,}"),
                     Cell(fmt(r["mean"]), None if math.isnan(r["mean"]) else tone(r["mean"])),
                     Cell(fmt(r["likely"])), Cell(fmt(r["unlikely"]))))
    head = {"province": "region", "indicator": "indicator", "kind": "kind"}[by]
    return Table((t(head), t("targets"), t("assessed"), t("mean_probability"),
                  t("share_likely"), t("share_unlikely")), tuple(body),
                 frozenset({1, 2, 3, 4, 5}), f"by_{by}")


def short_data(ctx: Context) -> Section:
    """The regions with the most series too short or missing."""
    t = ctx.t
    table = short_data_table(ctx.series, pd.DataFrame(
        ctx.run.diagnostics.get("data_needed", []), columns=["region", "indicator"]))
    body = tuple((Cell(ctx.region(str(region))), Cell(str(r["short"])), Cell(str(r["none"])))
                 for region, r in table.head(25).iterrows())
    return Section("short-data", t("short_data"), 2, (
        Paragraph(t("short_data_note", n=f"{len(table):,}")),
        Table((t("region"), t("short_series"), t("no_data_series")), body,
              frozenset({1, 2}), "short_data")))
