"""summary.md: a short table per plan (or, for many plans, the national overview), with the
scenarios compared and the data that would let more targets be assessed."""

from __future__ import annotations

import pandas as pd

from forecast.assessment.run import Assessment
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import BASELINE
from forecast.outputs.confidence import marked_likelihood, marked_note
from forecast.outputs.names import (
    fmt_statistic,
    indicator_name,
    is_count,
    median_text,
    target_name,
    unit_text,
)
from forecast.outputs.plan_line import baseline_outcome, plan_line
from forecast.outputs.reports.i18n import words
from forecast.outputs.reports.terms import kind, note
from forecast.outputs.safe_text import markdown_text as md
from forecast.outputs.scenario_effects import (
    scenario_description,
    scenario_title,
    split_scenarios,
    unchanged_note,
)
from forecast.outputs.tables import distribution_table, scenario_probabilities, short_data_table
from forecast.outputs.wording import aspirational_mark
from forecast.targets.likelihood import likelihood

LARGE_RUN_PLANS = 20  # above this many plans summary.md is a national overview


def _header(meta: dict, zh: bool) -> list[str]:
    s = meta["settings"]
    return [
        "# 目标实现概率" if zh else "# Probability that each target is met", "",
        f"{'模型' if zh else 'Model'}: `{s['model']}`, {s['draws']} "
        f"{'条模拟路径' if zh else 'simulated futures'}, "
        f"{'随机种子' if zh else 'seed'} {s['seed']}"
        + ((f",数据截至{s['as_of']}年" if zh else f", as of {s['as_of']}") if s["as_of"] else "")
        + f". {'数据' if zh else 'Data'}: "
        + ("内置示例" if zh and meta["workspace"] == "bundled example" else md(meta["workspace"]))
        + ".", "",
    ]


def counts_things(r, catalogue: Catalogue | None) -> bool:
    """Whether a target's quantity is a whole number of things (a count's level, change or
    sum), shown rounded."""
    ind = catalogue[r.indicator] if catalogue is not None and r.indicator in catalogue else None
    return is_count(ind) and r.kind in ("level", "change", "cumulative")


def _other_region(r, plan: dict, names: dict, lang: str) -> str | None:
    """The target's region, named, where it is not the plan's (a national plan's provinces)."""
    return None if r.region == plan["region"] else region_name(r.region, names, lang)


def region_name(region: str, names: dict, lang: str) -> str:
    """A region in ``lang`` (regions.csv's name_zh / name_en where the run has them)."""
    return (names.get(region) or {}).get(lang) or region


def plan_tables(rows: pd.DataFrame, plans: list[dict], lang: str = "en",
                catalogue: Catalogue | None = None,
                suggestions: pd.DataFrame | None = None, meta: dict | None = None,
                outcomes: pd.DataFrame | None = None) -> list[str]:
    """A table per plan, under the plan's line (``plan_line``: the plan as a whole):
    probability, likelihood, median and 80% range of the quantity, and the value that would
    be met with 80% probability; then, with scenarios, how each changes the probability."""
    zh = lang == "zh"
    meta = meta or {}
    meta_regions, scenarios = meta.get("region_names", {}), meta.get("scenarios", [])
    head = ("| 目标 | 概率 | 可能性 | 中位数(80%区间) | 80%把握可达值 | 说明 |" if zh
            else "| target | probability | likelihood | median (80% range) | "
            "achievable at 80% | note |")
    achievable = {}
    if suggestions is not None and len(suggestions):
        at80 = suggestions[(suggestions["scenario"] == BASELINE)
                           & (suggestions["confidence"].round(2) == 0.8)]
        achievable = {(r.plan_id, r.target_id): r.achievable_value
                      for r in at80.itertuples(index=False)}
    base = rows[rows["scenario"] == BASELINE]
    lines: list[str] = []
    def named(ind_id: str) -> str:
        return indicator_name(ind_id, catalogue, lang)

    for plan in plans:
        sub = base[base["plan_id"] == plan["id"]]
        n_ok = int(sub["assessable"].sum())
        lines += [f"## {md(plan['title'])}", "",
                  f"{md(region_name(plan['region'], meta_regions, lang))}: {len(sub)} "
                  + (f"项目标,{n_ok} 项可评估" if zh else f"targets, {n_ok} assessed"), ""]
        line = plan_line(baseline_outcome(outcomes, plan["id"]), lang)
        lines += [line, ""] if line else []
        lines += [head, "|---|---:|---|---|---:|---|"]
        for r in sub.itertuples(index=False):
            label = md(target_name(r, catalogue, lang, plan.get("target_names"),
                                   _other_region(r, plan, meta_regions, lang))
                       + (aspirational_mark(lang) if r.aspirational is True else ""))
            said = md(note(marked_note(r.note, r), lang, named))
            if r.assessable:
                lik = marked_likelihood(likelihood(r.probability, lang), r, lang)
                count = counts_things(r, catalogue)
                rng = median_text(r.statistic_p50, r.statistic_p10, r.statistic_p90, count)
                at = fmt_statistic(achievable.get((r.plan_id, r.target_id)), count)
                lines.append(f"| {label} | {r.probability:.2f} | {lik} | {rng} | {at} | "
                             f"{said} |")
            else:
                lines.append(f"| {label} | – | – | – | – | {said} |")
        lines.append("")
        lines += scenario_table(rows[rows["plan_id"] == plan["id"]], plan, scenarios, lang,
                                catalogue, meta_regions)
    return lines


def scenario_table(rows: pd.DataFrame, plan: dict, scenarios: list[dict], lang: str,
                   catalogue: Catalogue | None = None, regions: dict | None = None
                   ) -> list[str]:
    """Probability of each assessed target under each scenario that changes some, and its
    change from the baseline; the scenarios that change none named with the reason."""
    zh = lang == "zh"
    if not scenarios:
        return []
    lines = ["### 情景比较" if zh else "### Scenarios", ""]
    wide = scenario_probabilities(rows)
    if wide.shape[1] < 2:  # no assessable target
        return [*lines, "本规划没有可评估概率的目标,因此无情景比较。" if zh else
                "No target of this plan could be assessed, so there is no scenario comparison.",
                ""]
    moved, unchanged = split_scenarios(wide)
    by_id = {sc["id"]: sc for sc in scenarios}
    def title(sid: str) -> str:
        return scenario_title(by_id[sid], lang) if sid in by_id else sid

    base = rows[(rows["scenario"] == BASELINE) & rows["assessable"].astype(bool)]
    if unchanged:
        observed = bool(base["note"].astype(str).str.contains("already observed").all())
        lines += [md(unchanged_note(scenarios, unchanged, [int(y) for y in base["year"]],
                                    observed, title, catalogue, lang)), ""]
    if not moved:
        return lines
    by_target = {r.target_id: r for r in base.itertuples(index=False)}
    lines += [("每个情景下的概率(括号内为相对基准情景的变化)。" if zh else
               "Probability under each scenario (in brackets: the change from the baseline)."),
              "", "| " + " | ".join([("目标" if zh else "target"), ("基准" if zh else "baseline"),
                                     *(md(title(s)) for s in moved)]) + " |",
              "|---|" + "---:|" * (1 + len(moved))]
    for target_id, r in wide.iterrows():
        b = r[BASELINE]
        cells = [f"{r[s]:.2f} ({round(r[s] - b, 2) + 0.0:+.2f})" for s in moved]
        r0 = by_target[target_id]
        label = target_name(r0, catalogue, lang, plan.get("target_names"),
                            _other_region(r0, plan, regions or {}, lang))
        lines.append(f"| {md(label)} | {b:.2f} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def data_needed_table(needed: pd.DataFrame, lang: str, regions: dict | None = None,
                      catalogue: Catalogue | None = None) -> list[str]:
    """The series that would let more targets be assessed, and the years each needs."""
    zh = lang == "zh"
    if not len(needed):
        return []
    lines = ["## 需补充的数据" if zh else "## Data that would let more targets be assessed",
             "", "| 地区 | 指标 | 单位 | 状态 | 目标数 | 所需年份 |" if zh else
             "| region | indicator | unit | status | targets | years needed |",
             "|---|---|---|---|---:|---|"]
    for r in needed.itertuples(index=False):
        name = r.name_zh if zh else indicator_name(r.indicator, catalogue, lang)
        if not zh and name == r.indicator:
            name = r.indicator
        lines.append(f"| {md(region_name(r.region, regions or {}, lang))} | {md(name)} | "
                     f"{md(unit_text(r.unit, lang) or ('个' if zh else 'number'))} | "
                     f"{md(note(r.status, lang))} | {r.targets} | "
                     f"{md(note(r.years_needed, lang))} |")
    return [*lines, ""]


def summary_markdown(rows: pd.DataFrame, plans: list[dict], assessment: Assessment,
                     meta: dict, lang: str = "en", catalogue: Catalogue | None = None) -> str:
    """Per plan tables for a few plans; for many, the national overview."""
    zh = lang == "zh"
    sep = ":" if zh else ": "
    lines = _header(meta, zh)
    if meta.get("scenarios"):
        lines += ["除基准外的情景:" if zh else "Scenarios besides the baseline:", ""]
        lines += [f"- {md(scenario_title(sc, lang))}{sep}{md(scenario_description(sc, lang))}"
                  .rstrip(": ") for sc in meta["scenarios"]]
        lines.append("")
    if len(plans) > LARGE_RUN_PLANS:
        lines += national_overview(rows[rows["scenario"] == BASELINE], assessment,
                                   meta.get("provinces", {}), lang, catalogue)
    else:
        lines += plan_tables(rows, plans, lang, catalogue, assessment.suggestions, meta,
                             assessment.plan_outcomes)
        lines += data_needed_table(assessment.data_needed, lang, meta.get("region_names"),
                                   catalogue)
    return "\n".join(lines)


def _distribution(rows: pd.DataFrame, by: str, t, label) -> list[str]:
    table = distribution_table(rows, by).fillna(0)
    head = {"province": "region", "indicator": "indicator", "kind": "kind"}[by]
    lines = [f"| {t(head)} | {t('targets')} | {t('assessed')} | {t('mean_probability')} | "
             f"{t('share_likely')} | {t('share_unlikely')} |", "|---|---:|---:|---:|---:|---:|"]
    for key, r in table.iterrows():
        lines.append(f"| {md(label(by, key))} | {int(r['targets'])} | {int(r['assessed'])} | "
                     f"{r['mean']:.2f} | {r['likely']:.2f} | {r['unlikely']:.2f} |")
    return [*lines, ""]


def national_overview(rows: pd.DataFrame, assessment: Assessment, provinces: dict[str, str],
                      lang: str = "en", catalogue: Catalogue | None = None,
                      least: int = 25) -> list[str]:
    """For runs over many regions, in ``lang``: how probabilities are distributed by
    province, indicator and kind of target; the targets least likely to be met; where data
    are too short."""
    t = words(lang)
    name = lambda ind: indicator_name(ind, catalogue, lang)  # noqa: E731
    label = lambda by, key: name(key) if by == "indicator" else (  # noqa: E731
        kind(key, lang) if by == "kind" else str(key))
    rows = rows.assign(province=rows["region"].map(lambda r: provinces.get(r, r)))
    ok = rows[rows["assessable"]]
    lines = [t("overview_intro", n=f"{len(rows):,}", plans=f"{rows['plan_id'].nunique():,}",
               regions=f"{rows['region'].nunique():,}", k=f"{len(ok):,}")
             + (" " if lang != "zh" else "") + t("overview_one_plan"), ""]
    for by in ("province", "indicator", "kind"):
        lines += [f"## {t('by_' + by)}", "", *_distribution(rows, by, t, label)]
    worst = ok.sort_values(["probability", "plan_id", "target_id"]).head(least)
    lines += [f"## {t('least_likely', n=least)}", "",
              "| " + " | ".join(t(k) for k in ("plan", "target", "region", "indicator", "kind",
                                                "value", "year", "probability")) + " |",
              "|---|---|---|---|---|---:|---:|---:|"]
    for r in worst.itertuples(index=False):
        lines.append(f"| {md(r.plan_id)} | {md(r.target_id)} | {md(r.region)} | "
                     f"{md(name(r.indicator))} | {kind(r.kind, lang)} | {r.value:g} | {r.year} | "
                     f"{r.probability:.3f} |")
    table = short_data_table(assessment.series, assessment.data_needed)
    lines += ["", f"## {t('short_data')}", "", t("short_data_note", n=f"{len(table):,}"), "",
              f"| {t('region')} | {t('short_series')} | {t('no_data_series')} |",
              "|---|---:|---:|"]
    for region, r in table.head(25).iterrows():
        lines.append(f"| {md(region)} | {r.iloc[0]} | {r.iloc[1]} |")
    return [*lines, ""]
