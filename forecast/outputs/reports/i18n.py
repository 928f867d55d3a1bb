"""Every word a report shows, in Chinese and English.

Reports are read in review meetings in Chinese, so each label, note and likelihood word has a
Chinese form, not only the headings. ``words(lang)`` returns a lookup; a missing key is a bug
(KeyError), never a silently English label in a Chinese report.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from forecast.inputs.series import SHORT_SERIES
from forecast.targets.likelihood import ABOUT_AS_LIKELY, LIKELY

LANGS = ("zh", "en")

_WORDS: dict[str, tuple[str, str]] = {  # key: (zh, en)
    "report_title": ("创新规划目标实现概率评估报告", "How likely are the plan's targets to be met"),
    "overview_title": ("全国规划目标实现概率概览", "National overview of plan targets"),
    "contents": ("目录", "Contents"),
    "toc_hint": ("目录:请右键单击此处,选择“更新域”以生成目录。",
                 "Contents: right-click here and choose Update Field to build them."),
    "generated": ("生成", "Generated"),
    "model": ("模型", "Model"),
    "futures": ("模拟路径", "Simulated futures"),
    "seed": ("随机种子", "Seed"),
    "data": ("数据", "Data"),
    "bundled": ("内置示例(真实公开统计)", "bundled example (real public statistics)"),
    "as_of": ("数据截至", "Data up to"),
    "all_years": ("全部年份", "all years"),
    "scenarios": ("情景", "Scenarios"),
    "baseline": ("基准", "baseline"),
    "plan": ("规划", "Plan"),
    "region": ("地区", "Region"),
    "period": ("规划期", "Plan period"),
    "targets_assessed": ("{n} 项目标,其中 {k} 项可评估概率",
                         "{n} targets, {k} given a probability"),
    "headline": ("目标一览", "Targets at a glance"),
    "headline_note": ("概率为模拟未来中目标实现的比例;颜色按可能性等级(IPCC 校准用语)由浅到深。"
                      "80%区间:十条模拟路径中八条落在此范围。",
                      "Probability: the share of simulated futures in which the target is met; "
                      "colour by likelihood class (IPCC calibrated language), light to dark. "
                      "80% range: eight in ten simulated futures fall inside it."),
    "target_as_written": ("目标原文", "Target as written"),
    "target_read": ("解读", "Read as"),
    "probability": ("概率", "Probability"),
    "likelihood": ("可能性", "Likelihood"),
    "median_range": ("中位数 [80%区间]", "Median [80% range]"),
    "required_vs_hist": ("所需 / 历史年均增速", "Required / historical growth a year"),
    "note": ("说明", "Note"),
    "fan_charts": ("预测扇形图", "Fan charts"),
    "fan_note": ("黑线为历史数据;深色线为中位数,色带由深到浅为 50%、80%、95% 区间;"
                 "菱形为目标(所对应的水平),虚线为基期。",
                 "Black: history; dark line: median; bands, dark to light: 50%, 80%, 95% of "
                 "simulated futures; diamond: the target (as a level); dashed line: base year."),
    "history": ("历史", "history"),
    "median": ("中位数", "median"),
    "band": ("{p}%区间", "{p}% range"),
    "target": ("目标", "target"),
    "base_year": ("基期", "base year"),
    "year": ("年份", "Year"),
    "prob_chart": ("各目标实现概率", "Probability of each target"),
    "prob_axis": ("实现概率", "probability that the target is met"),
    "scenario_comparison": ("情景比较", "Scenarios compared"),
    "scenario_note": ("各情景下的实现概率,括号内为相对基准情景的变化。",
                      "Probability under each scenario; in brackets, the change from the "
                      "baseline."),
    "no_scenarios": ("本次运行未设情景。", "This run has no scenarios."),
    "achievable": ("可实现的目标值", "Targets that could be met"),
    "achievable_note": ("在给定把握下可实现的目标值(括号内为自最近观测值起所需的年均增速)。",
                        "The value each target would meet with the given probability (in "
                        "brackets: the average annual growth from the latest observation "
                        "it implies)."),
    "stated": ("规划目标", "Stated target"),
    "p_stated": ("规划目标概率", "P(stated)"),
    "confident": ("{p}%把握", "{p}% confident"),
    "review": ("中期评估", "Mid-term review"),
    "review_note": ("进度:自基期以来已完成的距离份额与已过去的时间份额;状态:概率≥"
                    f"{LIKELY} 为进展顺利,{ABOUT_AS_LIKELY}–{LIKELY} 为存在风险,"
                    f"<{ABOUT_AS_LIKELY} 为进度滞后;目标年份已有数据则为已实现/未实现,"
                    "须逐年实现而已有一年未达到的亦为未实现;目标年份已过而尚无数据为待数据。",
                    "Progress: the share of the distance covered since the base year against "
                    f"the share of time elapsed. Status: on track at probability ≥ {LIKELY}, at "
                    f"risk {ABOUT_AS_LIKELY}–{LIKELY}, off track below {ABOUT_AS_LIKELY}; met or "
                    "missed once the target year is observed, missed once an observed year "
                    "breaks a target for every year, awaiting data when the target year has "
                    "passed unobserved."),
    "no_review": ("本规划尚未进入规划期或无可评估数据。",
                  "The plan's period has not begun, or no target has data to review."),
    "base": ("基期值", "Base"),
    "latest": ("最新值", "Latest"),
    "distance_time": ("距离 / 时间进度", "Distance / time"),
    "required": ("所需增速", "Required"),
    "achieved": ("实际增速", "Achieved"),
    "p_at_base": ("基期概率", "P at base"),
    "p_now": ("当前概率", "P now"),
    "status": ("状态", "Status"),
    "data_quality": ("数据质量与需补充的数据", "Data quality and data to supply"),
    "quality_notes": ("数据质量提示", "Data-quality notes"),
    "no_quality_notes": ("本规划所用序列无数据质量问题。",
                         "No data-quality notes on this plan's series."),
    "data_needed": ("需补充的数据", "Data to supply"),
    "data_needed_note": ("补充下列数据后,更多目标可评估概率。",
                         "With these data, more targets could be given a probability."),
    "indicator": ("指标", "Indicator"),
    "unit": ("单位", "Unit"),
    "targets": ("目标数", "Targets"),
    "years_needed": ("所需年份", "Years needed"),
    "series": ("序列", "Series"),
    "points": ("数据点", "Points"),
    "years": ("年份", "Years"),
    "methodology": ("方法说明", "Methodology"),
    "calibration": ("附录:概率校准", "Appendix: calibration"),
    "diagnostics": ("附录:模型诊断", "Appendix: model diagnostics"),
    "reliability_chart": ("可靠性图", "Reliability diagram"),
    "stated_prob": ("给出的概率", "stated probability"),
    "observed_share": ("实际实现的比例", "share actually met"),
    "perfect": ("完全校准", "perfectly calibrated"),
    "backtest": ("回测", "Backtest"),
    "events": ("目标数", "Targets"),
    "brier": ("Brier 分数", "Brier score"),
    "coverage_80": ("80%区间覆盖率", "80% coverage"),
    "coverage_95": ("95%区间覆盖率", "95% coverage"),
    "held_out": ("留出值", "Held-out values"),
    "fit_table": ("汇合模型拟合", "Pooled model fits"),
    "r_hat": ("R-hat 最大值", "R-hat max"),
    "ess": ("ESS 最小值", "ESS min"),
    "divergences": ("发散次数", "Divergences"),
    "model_choice": ("模型选择", "Model chosen"),
    "why": ("原因", "Why"),
    "dependence": ("指标间相关", "Dependence between indicators"),
    "pair": ("指标对", "Pair"),
    "correlation": ("相关系数", "Correlation"),
    "series_table": ("模拟序列", "Simulated series"),
    "no_fits": ("本次运行未使用汇合(贝叶斯)模型,无 MCMC 诊断。",
                "This run used no pooled (Bayesian) model, so there are no MCMC diagnostics."),
    "overview_intro": ("{plans} 个规划、{regions} 个地区的 {n} 项目标,其中 {k} 项可评估概率。"
                       "单个规划的完整报告:`forecast report RUN --plan ID`。",
                       "{n} targets in {plans} plans of {regions} regions: {k} given a "
                       "probability. One plan's full report: `forecast report RUN --plan ID`."),
    "by_province": ("按省份", "By province"),
    "by_indicator": ("按指标", "By indicator"),
    "by_kind": ("按目标类型", "By kind of target"),
    "mean_probability": ("平均概率", "Mean probability"),
    "share_likely": (f"可能(≥{LIKELY})占比", f"Share likely (≥ {LIKELY})"),
    "share_unlikely": (f"不太可能(<{ABOUT_AS_LIKELY})占比",
                       f"Share unlikely (< {ABOUT_AS_LIKELY})"),
    "assessed": ("可评估", "Assessed"),
    "least_likely": ("最不可能实现的 {n} 项目标", "The {n} targets least likely to be met"),
    "short_data": ("数据不足的地区", "Regions whose data are too short"),
    "short_data_note": ("{n} 个地区有少于 " f"{SHORT_SERIES}"
                        " 个数据点或无数据的序列(列出最多的 25 个)。",
                        "{n} regions have series with fewer than " f"{SHORT_SERIES}"
                        " points or none (the 25 with most are listed)."),
    "short_series": (f"短序列(<{SHORT_SERIES} 点)", f"Short series (< {SHORT_SERIES} points)"),
    "no_data_series": ("无数据序列", "Series with no data"),
    "distribution_chart": ("实现概率分布", "How probabilities are distributed"),
    "count_axis": ("目标数", "targets"),
    "kind": ("类型", "Kind"),
    "value": ("目标值", "Value"),
    "aspirational": ("力争", "strive for"),
    "no_assessable": ("本规划无可评估概率的目标。", "No target of this plan has a probability."),
    "qualitative": ("定性目标", "qualitative"),
    "no_data": ("无数据", "no data"),
    "sheet_probabilities": ("概率", "probabilities"),
    "sheet_scenarios": ("情景比较", "scenarios"),
    "sheet_suggestions": ("可实现目标值", "suggestions"),
    "sheet_review": ("中期评估", "review"),
    "sheet_quantiles": ("预测分位数", "quantiles"),
    "evidence_model": ("以下回测评估的是默认模型(trend)在历史上留出年份的表现。",
                       "These backtests score the default model (trend) on held-out years."),
}

# Chinese forms of the notes the assessment writes in English (probabilities.csv stays English
# for scripts; reports translate). Patterns are tried in order; unknown notes pass through.
_NOTES_ZH: list[tuple[str, str]] = [
    (r"^no data$", "无数据"),
    (r"^qualitative target: not given a probability$", "定性目标,不计算概率"),
    (r"^already observed in (\d+)$", r"\1年已有观测值"),
    (r"^short series \((\d+) points?\): trend and spread borrowed from the regions it is "
     r"pooled with$", r"短序列(\1 个数据点):趋势与波动借自同组地区"),
    (r"^short series \((\d+) points?\): wide distribution$", r"短序列(\1 个数据点):分布较宽"),
    (r"^insufficient data \((\d+) point in (\d+)\)$", r"数据不足(仅 \2年 1 个数据点)"),
    (r"^gap in years: (.*)$", r"缺失年份:\1"),
    (r"^years before (\d+) not used \(gap in the series\)$", r"\1年以前的数据因断档未用"),
    (r"^only (\d+) point\(s\)$", r"仅 \1 个数据点"),
    (r"^not in the pooled fit.*$", "未纳入汇合模型(需线性尺度),改用趋势模型"),
    (r"^no data for (\w+)$", r"\1 无数据"),
    (r"^at least 3 consecutive years, the last in (\d+) or later$",
     r"至少连续 3 年,最后一年不早于 \1年"),
    (r"^derived", "由构成指标推算"),
]

METHODOLOGY = {
    "zh": (
        "本报告回答三个问题:按现有趋势,每项规划目标有多大可能实现?在给定把握下可以承诺什么"
        "目标值?规划执行到中期,进展如何?",
        "方法:对每个地区的每个指标,用其历史年度数据拟合时间序列模型(趋势模型为线性趋势与"
        "随机游走漂移的加权组合;汇合模型为贝叶斯分层模型,在同一省份或全国的地区之间共享信息,"
        "适用于数据点很少的序列;小计数指标用计数模型)。模型生成数千条可能的未来路径,"
        "每项目标的实现概率就是满足目标的路径所占比例。",
        "增速、年均增速、累计值和增量目标都在同一组路径上计算,因此彼此一致;比率类指标"
        "(如研发投入强度)在情景下随其构成指标同比例变化。情景(如研发投入加码、经济下行)"
        "在基准路径上调整增速、水平或波动,因此各情景之间的差异只来自情景本身。",
        "概率按 IPCC 校准用语分级:≥0.99 几乎确定,≥0.90 很可能,≥0.66 可能,≥0.33 可能性"
        "中等,≥0.10 不太可能,≥0.01 很不可能,其余为极不可能。概率有蒙特卡洛误差"
        "(见 probabilities.csv 的 probability_se 列)。",
        "局限:模型只看历史数据,不知道尚未公布的政策或统计口径变化;数据点少于 3 个的序列"
        "不做评估,并在“需补充的数据”中列出所需数据。",
    ),
    "en": (
        "This report answers three questions: on present trends, how likely is each target of "
        "the plan to be met? What target could be promised with a given confidence? Halfway "
        "through the plan, where does it stand?",
        "Method: for each indicator of each region, a time-series model is fitted to its "
        "yearly history (the trend model weighs a linear trend against a random walk with "
        "drift; the pooled model is a Bayesian hierarchical model that shares information "
        "between the regions of a province or of the country, for series with few points; "
        "small counts get a count model). The model simulates thousands of possible futures; "
        "a target's probability is the share of futures in which it is met.",
        "Growth, average growth, cumulative and change targets are computed on the same "
        "futures, so they agree with one another; a ratio such as R&D intensity moves with its "
        "components under a scenario. Scenarios (an R&D push, a downturn) adjust the growth, "
        "level or volatility of the baseline futures, so differences between scenarios come "
        "from the scenarios alone.",
        "Probabilities are worded in the IPCC's calibrated language: ≥ 0.99 virtually "
        "certain, ≥ 0.90 very likely, ≥ 0.66 likely, ≥ 0.33 about as likely as not, ≥ 0.10 "
        "unlikely, ≥ 0.01 very unlikely, else exceptionally unlikely. They carry Monte Carlo "
        "error (column probability_se of probabilities.csv).",
        "Limits: the models see only past data, not policies or changes of statistical "
        "definitions yet to come; series with fewer than 3 points are not assessed, and the "
        "data that would let them be are listed under \u201cdata to supply\u201d.",
    ),
}

CALIBRATION_TEXT = {
    "zh": ("概率是否可信?我们用历史数据做回测:假装站在过去某一年,预测之后几年,再与实际值"
           "比较。若模型给出 70% 的目标中大约 70% 确实实现,则概率是校准的,点落在对角线上。"
           "80% 和 95% 区间应分别覆盖约 80% 和 95% 的实际值。",),
    "en": ("Can the probabilities be trusted? Backtests stand in a past year, forecast the "
           "years after it, and compare with what happened. If about 70% of the targets given "
           "70% are met, the probabilities are calibrated and the points lie on the diagonal. "
           "The 80% and 95% ranges should hold about 80% and 95% of the actual values.",),
}

STATUS = {"on track": ("进展顺利", "on track"), "at risk": ("存在风险", "at risk"),
          "off track": ("进度滞后", "off track"), "met": ("已实现", "met"),
          "missed": ("未实现", "missed"), "no data": ("无数据", "no data"),
          "awaiting data": ("待数据", "awaiting data")}

KINDS = {"level": ("水平", "level"), "growth": ("增速", "growth"), "cagr": ("年均增速", "cagr"),
         "cumulative": ("累计", "cumulative"), "change": ("增量", "change"),
         "relative": ("相对增速", "relative"), "qualitative": ("定性", "qualitative")}


def words(lang: str) -> Callable[..., str]:
    """``t(key, **fields)``: the word or sentence ``key`` in ``lang``, fields filled in."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    i = LANGS.index(lang)

    def t(key: str, **fields: object) -> str:
        text = _WORDS[key][i]
        return text.format(**fields) if fields else text

    return t


def note(text: str, lang: str) -> str:
    """A note of the assessment in ``lang`` (each '; '-separated part translated)."""
    if lang != "zh" or not text:
        return text
    parts = []
    for part in text.split("; "):
        for pattern, repl in _NOTES_ZH:
            if re.search(pattern, part):
                part = re.sub(pattern, repl, part)
                break
        parts.append(part)
    return ";".join(parts)


def status(key: str, lang: str) -> str:
    return STATUS.get(key, (key, key))[LANGS.index(lang)]


def kind(key: str, lang: str) -> str:
    return KINDS.get(key, (key, key))[LANGS.index(lang)]
