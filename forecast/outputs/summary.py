"""summary.md: a short table per plan (or, for many plans, the national overview), with the
scenarios compared and the data that would let more targets be assessed."""

from __future__ import annotations

import pandas as pd

from forecast.assessment.run import Assessment
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import BASELINE
from forecast.inputs.series import SHORT_SERIES
from forecast.outputs.safe_text import markdown_code as code
from forecast.outputs.safe_text import markdown_text as md
from forecast.outputs.tables import distribution_table, scenario_probabilities, short_data_table
from forecast.outputs.wording import clause, fmt_number
from forecast.targets.likelihood import ABOUT_AS_LIKELY, LIKELY, likelihood

LARGE_RUN_PLANS = 20  # above this many plans summary.md is a national overview


def _header(meta: dict, zh: bool) -> list[str]:
    s = meta["settings"]
    return [
        "# 目标实现概率" if zh else "# Probability that each target is met", "",
        f"{'模型' if zh else 'Model'}: `{s['model']}`, {s['draws']} "
        f"{'条模拟路径' if zh else 'simulated futures'}, seed {s['seed']}"
        + (f", as of {s['as_of']}" if s["as_of"] else "")
        + f". {'数据' if zh else 'Data'}: "
        + ("内置示例" if zh and meta["workspace"] == "bundled example" else md(meta["workspace"]))
        + ".", "",
    ]


def plan_tables(rows: pd.DataFrame, plans: list[dict], lang: str = "en",
                catalogue: Catalogue | None = None,
                suggestions: pd.DataFrame | None = None) -> list[str]:
    """A table per plan: probability, likelihood, median and 80% range of the quantity, and
    the value that would be met with 80% probability; then, with scenarios, how each changes
    the probability."""
    zh = lang == "zh"
    head = ("| 目标 | 概率 | 可能性 | 中位数 [80%区间] | 80%把握可达值 | 说明 |" if zh
            else "| target | probability | likelihood | median [80% range] | "
            "achievable at 80% | note |")
    achievable = {}
    if suggestions is not None and len(suggestions):
        at80 = suggestions[(suggestions["scenario"] == BASELINE)
                           & (suggestions["confidence"].round(2) == 0.8)]
        achievable = {(r.plan_id, r.target_id): r.achievable_value
                      for r in at80.itertuples(index=False)}
    base = rows[rows["scenario"] == BASELINE]
    lines: list[str] = []
    for plan in plans:
        sub = base[base["plan_id"] == plan["id"]]
        n_ok = int(sub["assessable"].sum())
        lines += [f"## {md(plan['title'])}", "",
                  f"{code(plan['id'])}, {md(plan['region'])}: {len(sub)} "
                  + (f"项目标,{n_ok} 项可评估" if zh else f"targets, {n_ok} assessed"), "",
                  head, "|---|---:|---|---|---:|---|"]
        for r in sub.itertuples(index=False):
            label = f"{code(r.target_id)} {md(clause(r, catalogue, lang))}"
            if r.assessable:
                lik = likelihood(r.probability, lang)
                rng = (f"{fmt_number(r.statistic_p50)} [{fmt_number(r.statistic_p10)}, "
                       f"{fmt_number(r.statistic_p90)}]")
                at = fmt_number(achievable.get((r.plan_id, r.target_id)))
                lines.append(f"| {label} | {r.probability:.2f} | {lik} | {rng} | {at} | "
                             f"{md(r.note)} |")
            else:
                lines.append(f"| {label} | – | – | – | – | {md(r.note)} |")
        lines.append("")
        lines += scenario_table(rows[rows["plan_id"] == plan["id"]], zh)
    return lines


def scenario_table(rows: pd.DataFrame, zh: bool) -> list[str]:
    """Probability of each assessed target per scenario, and its change from the baseline."""
    wide = scenario_probabilities(rows)
    if wide.shape[1] < 2:  # no assessable target, or no scenario
        return []
    scenarios = list(wide.columns[1:])
    lines = ["### 情景比较" if zh else "### Scenarios", "",
             ("每个情景下的概率(括号内为相对基准情景的变化)。" if zh else
              "Probability under each scenario (in brackets: the change from the baseline)."),
             "", "| " + " | ".join([("目标" if zh else "target"), BASELINE,
                                    *map(md, scenarios)]) + " |",
             "|---|" + "---:|" * (1 + len(scenarios))]
    for target_id, r in wide.iterrows():
        base = r[BASELINE]
        cells = [f"{r[s]:.2f} ({round(r[s] - base, 2) + 0.0:+.2f})" for s in scenarios]
        lines.append(f"| {code(target_id)} | {base:.2f} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def data_needed_table(needed: pd.DataFrame, zh: bool) -> list[str]:
    if not len(needed):
        return []
    lines = ["## 需补充的数据" if zh else "## Data that would let more targets be assessed",
             "", "| region | indicator | unit | status | targets | years needed |",
             "|---|---|---|---|---:|---|"]
    for r in needed.itertuples(index=False):
        lines.append(f"| {md(r.region)} | {md(r.indicator)} ({md(r.name_zh)}) | {md(r.unit)} | "
                     f"{r.status} | {r.targets} | {r.years_needed} |")
    return [*lines, ""]


def summary_markdown(rows: pd.DataFrame, plans: list[dict], assessment: Assessment,
                     meta: dict, lang: str = "en", catalogue: Catalogue | None = None) -> str:
    """Per plan tables for a few plans; for many, the national overview."""
    zh = lang == "zh"
    lines = _header(meta, zh)
    if meta.get("scenarios"):
        lines += ["情景:" if zh else "Scenarios besides the baseline:", ""]
        lines += [f"- {code(sc['id'])} {md(sc['title'])}: {md(sc['description'])}".rstrip(": ")
                  for sc in meta["scenarios"]]
        lines.append("")
    if len(plans) > LARGE_RUN_PLANS:
        lines += national_overview(rows[rows["scenario"] == BASELINE], assessment,
                                   meta.get("provinces", {}))
    else:
        lines += plan_tables(rows, plans, lang, catalogue, assessment.suggestions)
        lines += data_needed_table(assessment.data_needed, zh)
    return "\n".join(lines)


def _distribution(rows: pd.DataFrame, by: str) -> list[str]:
    table = distribution_table(rows, by).fillna(0)
    lines = [f"| {by} | targets | assessed | mean probability | share likely (≥{LIKELY:g}) | "
             f"share unlikely (<{ABOUT_AS_LIKELY:g}) |", "|---|---:|---:|---:|---:|---:|"]
    for key, r in table.iterrows():
        lines.append(f"| {md(key)} | {int(r['targets'])} | {int(r['assessed'])} | "
                     f"{r['mean']:.2f} | {r['likely']:.2f} | {r['unlikely']:.2f} |")
    return [*lines, ""]


def national_overview(rows: pd.DataFrame, assessment: Assessment,
                      provinces: dict[str, str], least: int = 25) -> list[str]:
    """For runs over many regions: how probabilities are distributed by province, indicator
    and kind of target; the targets least likely to be met; where data are too short."""
    rows = rows.assign(province=rows["region"].map(lambda r: provinces.get(r, r)))
    ok = rows[rows["assessable"]]
    lines = [f"{len(rows):,} targets in {rows['plan_id'].nunique():,} plans of "
             f"{rows['region'].nunique():,} regions: {len(ok):,} assessed. One plan's full "
             "table: `forecast report RUN --plan ID`.", ""]
    for by in ("province", "indicator", "kind"):
        lines += [f"## By {by}", "", *_distribution(rows, by)]
    worst = ok.sort_values(["probability", "plan_id", "target_id"]).head(least)
    lines += [f"## The {least} targets least likely to be met", "",
              "| plan | target | region | indicator | kind | value | year | probability |",
              "|---|---|---|---|---|---:|---:|---:|"]
    for r in worst.itertuples(index=False):
        lines.append(f"| {md(r.plan_id)} | {md(r.target_id)} | {md(r.region)} | "
                     f"{md(r.indicator)} | {r.kind} | {r.value:g} | {r.year} | "
                     f"{r.probability:.3f} |")
    table = short_data_table(assessment.series, assessment.data_needed)
    lines += ["", "## Regions whose data are too short", "",
              f"{len(table):,} regions have series with fewer than {SHORT_SERIES} points or no "
              "data (the 25 with most are listed; all are in probabilities.json).", "",
              f"| region | short series (< {SHORT_SERIES} points) | series with no data |",
              "|---|---:|---:|"]
    for region, r in table.head(25).iterrows():
        lines.append(f"| {md(region)} | {r.iloc[0]} | {r.iloc[1]} |")
    return [*lines, ""]
