"""Every word a report shows, in Chinese and English.

Reports are read in review meetings in Chinese, so each label, note and likelihood word has a
Chinese form, not only the headings. ``words(lang)`` returns a lookup; a missing key is a bug
(KeyError), never a silently English label in a Chinese report.
"""

from __future__ import annotations

from collections.abc import Callable

from forecast.inputs.series import SHORT_SERIES
from forecast.outputs.reports.check_words import CHECK_WORDS
from forecast.outputs.reports.terms import (  # noqa: F401 (kind, note, status: re-exported)
    KINDS,
    STATUS,
    kind,
    note,
    status,
)
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
    "median_range": ("中位数(80%区间)", "Median (80% range)"),
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
    "no_scenario_comparison": ("本规划没有可评估概率的目标,因此无情景比较。",
                               "No target of this plan could be assessed, so there is no "
                               "scenario comparison."),
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
    "overview_one_plan": ("单个规划的完整表格:`forecast report RUN --plan ID`。",
                          "One plan's full table: `forecast report RUN --plan ID`."),
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
    "expected_met": ("预计达成数", "expected number met"),
    "targets_met_axis": ("达成的目标数", "targets met"),
    "share_of_futures": ("概率", "probability"),
    "plan_count_chart": ("达成目标数的分布", "How many targets are met"),
    "kind": ("类型", "Kind"),
    "value": ("目标值", "Value"),
    "aspirational": ("力争", "aspirational"),
    "no_assessable": ("本规划无可评估概率的目标。", "No target of this plan has a probability."),
    "qualitative": ("定性目标", "qualitative"),
    "no_data": ("无数据", "no data"),
    "sheet_probabilities": ("概率", "probabilities"),
    "sheet_scenarios": ("情景比较", "scenarios"),
    "sheet_suggestions": ("可实现目标值", "suggestions"),
    "sheet_review": ("中期评估", "review"),
    "sheet_plan_outcomes": ("规划整体", "plan outcomes"),
    "sheet_quantiles": ("预测分位数", "quantiles"),
    "evidence_model": ("以下回测评估的是默认模型(trend)在历史上留出年份的表现。",
                       "These backtests score the default model (trend) on held-out years."),
}

METHODOLOGY = {  # the fixed paragraphs; method.py writes the rest from the run
    "zh": (
        "本报告回答三个问题:按现有趋势,每项规划目标有多大可能实现?在给定把握下可以承诺什么"
        "目标值?规划执行到中期,进展如何?",
        "增速、年均增速、累计值和增量目标都在同一组路径上计算,因此彼此一致;比率类指标"
        "(如研发投入强度)在情景下随其构成指标同比例变化。情景(如研发投入加码、经济下行)"
        "在基准路径上调整增速、水平或波动,因此各情景之间的差异只来自情景本身。概率有蒙特卡洛"
        "误差(见 probabilities.csv 的 probability_se 列)。",
        "局限:模型只看历史数据,不知道尚未公布的政策或统计口径变化;无法评估的目标在各规划的"
        "“数据质量与需补充的数据”中列出所需数据。",
    ),
    "en": (
        "This report answers three questions: on present trends, how likely is each target of "
        "the plan to be met? What target could be promised with a given confidence? Halfway "
        "through the plan, where does it stand?",
        "Growth, average growth, cumulative and change targets are computed on the same "
        "futures, so they agree with one another; a ratio such as R&D intensity moves with its "
        "components under a scenario. Scenarios (an R&D push, a downturn) adjust the growth, "
        "level or volatility of the baseline futures, so differences between scenarios come "
        "from the scenarios alone. Probabilities carry Monte Carlo error (column "
        "probability_se of probabilities.csv).",
        "Limits: the models see only past data, not policies or changes of statistical "
        "definitions yet to come; the targets that cannot be assessed are listed, with the "
        "data they need, under each plan's \u201cdata quality and data to supply\u201d.",
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

def words(lang: str) -> Callable[..., str]:
    """``t(key, **fields)``: the word or sentence ``key`` in ``lang``, fields filled in."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    i = LANGS.index(lang)

    def t(key: str, **fields: object) -> str:
        text = _WORDS[key][i]
        return text.format(**fields) if fields else text

    return t


# The first page (主要结论), the method text written from the run, the calibration's reading,
# the flagged diagnostics and the run's details.
_WORDS.update({
    "conclusions": ("主要结论", "Main conclusions"),
    "conclusions_intro": (
        "本页汇总各规划目标的实现前景,按基准情景判断;各目标的详细结果见后文,方法、模型诊断"
        "与运行信息(模型设置、随机种子、软件版本)见附录。",
        "This page sums up where each plan's targets stand under the baseline; each target's "
        "details follow, and the method, the model diagnostics and the run's details (model "
        "settings, seed, software versions) are in the appendices."),
    "office": ("编制单位", "Issued by"),
    "date": ("日期", "Date"),
    "plan_none_assessed": ("本规划 {n} 项目标均缺少所需数据,尚无法评估概率"
                           "(见“数据质量与需补充的数据”)。",
                           "None of this plan's {n} targets could be assessed: the data they "
                           "need are missing (see \u201cdata quality and data to supply\u201d)."),
    "standing_count": ("{standing} {n} 项", "{n} {standing}"),
    "plan_standing": ("本规划共 {n} 项目标,其中 {k} 项可评估:{counts}。",
                      "{n} targets, {k} of them assessed: {counts}."),
    "attention": ("需要关注({n} 项,存在风险、进度滞后、未实现,或目标年份已过而预测难以判断、"
                  "预计未达到):{names}。",
                  "Needing attention ({n}: at risk, off track, missed, or past their year "
                  "with an uncertain or unlikely outcome): {names}."),
    "no_attention": ("没有需要特别关注的目标:可评估的目标均进展顺利、已实现或预计已达到。",
                     "No target needs particular attention: every assessed target is on "
                     "track, met or likely met."),
    "and_more": ("等,另有 {n} 项", " and {n} more"),
    "plans_none_assessed": ("以下 {n} 个规划的目标均缺少所需数据,尚无法评估(所需数据见各规划的"
                            "“数据质量与需补充的数据”):{titles}。",
                            "The targets of these {n} plans all lack the data they need and "
                            "could not be assessed (the data to supply are listed under each "
                            "plan): {titles}."),
    "not_assessed": ("另有 {n} 项目标缺少所需数据,未作评估。",
                     " {n} more target{s} lacked the data needed and could not be assessed."),
    "cutoff_line": ("所用数据截至:{items}。", "Data used up to: {items}."),
    "cutoff_all": ("{span}({n} 项指标)", "{span} ({n} indicator{s})"),
    "outlook_on_track": ("预计已达到", "likely met"),
    "outlook_at_risk": ("难以判断", "uncertain"),
    "outlook_off_track": ("预计未达到", "likely missed"),
    "awaiting_outlook": ("(目标年份已过、尚无当年数据;按预测,{counts})",
                         " (their year has passed without data; the forecast says {counts})"),
    "many_plans_standing": ("{plans} 个规划共 {n} 项目标,其中 {k} 项可评估:{counts}。",
                            "{plans} plans, {n} targets, {k} of them assessed: {counts}."),
    "run_details": ("附录:运行信息", "Appendix: run details"),
    "run_id": ("运行编号", "Run id"),
    "versions": ("软件版本", "Software versions"),
    "item": ("项目", "Item"),
    "detail_value": ("内容", "Value"),
    "input_file": ("输入文件", "Input file"),
    "sha256": ("SHA-256(前 12 位)", "SHA-256 (first 12 digits)"),
    "more_inputs": ("另有 {n} 个输入文件(全部列于 probabilities.json)。",
                    "{n} more input files (all listed in probabilities.json)."),
    "method_models": ("模型:本次运行的模型设置为 {setting},{n} 条序列中:{parts}。每项目标的"
                      "实现概率是模型模拟出的数千条未来路径中满足该目标的比例。",
                      "Models: this run's model setting was {setting}; of its {n} series, "
                      "{parts}. A target's probability is the share of the thousands of "
                      "simulated futures in which it is met."),
    "method_model_count": ("{n} 条用{model}", "{n} used {model}"),
    "method_drift_window": ("汇合模型的趋势只按各地区最近 {n} 个年度变化估计"
                            "(--drift-window {n}),未用更早的年份。",
                            "The pooled model estimated each region's trend from its last {n} "
                            "yearly changes alone (--drift-window {n}), not from earlier "
                            "years."),
    "method_no_series": ("模型:本次运行的模型设置为 {setting},但没有可模拟的序列。",
                         "Models: this run's model setting was {setting}, but no series could "
                         "be simulated."),
    "method_assessed": (
        "评估范围:一条序列至少要有 {min_points} 个数据点才能评估(汇合模型可借助同组地区的"
        "信息评估仅有 1 个点的序列);少于 {short} 个点的序列属短序列,其预测分布较宽,本次"
        "运行 {n} 条序列中有 {n_short} 条。",
        "What is assessed: a series needs at least {min_points} points (the pooled model can "
        "assess a one-point series from the regions it is pooled with); a series of fewer than "
        "{short} points is short and its forecast distribution wide: {n_short} of this run's "
        "{n} series."),
    "method_likelihood": ("概率按 IPCC 校准用语分级:{classes}。",
                          "Probabilities are worded in the IPCC's calibrated language: "
                          "{classes}."),
    "method_status": (
        "中期评估状态:目标年份已有数据的目标为“{met}”或“{missed}”,每年须达到的目标在已观测"
        "年份未达到即为“{missed}”,目标年份已过而尚无数据为“{awaiting}”;其余按概率判断:"
        "≥ {hi} 为“{on_track}”,{lo}–{hi} 为“{at_risk}”,< {lo} 为“{off_track}”。",
        "Review status: a target whose year is observed is {met} or {missed}; one that must "
        "hold every year and failed in an observed year is {missed}; one whose year has passed "
        "without data is {awaiting}; otherwise, by its probability: ≥ {hi} {on_track}, "
        "{lo}–{hi} {at_risk}, < {lo} {off_track}."),
    "evidence_of": ("以下回测评估的是{model}在历史留出年份上的表现。",
                    "These backtests score {model} on held-out past years."),
    "evidence_not_of": (
        "本次运行中另有 {n} 条序列使用{models},以下证据不直接适用于它们;其回测见 "
        "BENCHMARKS.md(汇合模型、计数模型各节)。",
        " {n} of this run's series used {models}, which this evidence does not cover; their "
        "backtests are in BENCHMARKS.md (the sections on the pooled and count models)."),
    "curve_on": ("{label}:各点基本落在对角线上(平均偏离 {gap}),概率是校准的。",
                 "{label}: the points lie close to the diagonal (mean distance {gap}): the "
                 "probabilities are calibrated."),
    "curve_above": ("{label}:曲线位于对角线上方,平均高出 {gap}:在这组回测中,目标实现的频率"
                    "高于所给概率,即概率偏保守。",
                    "{label}: the curve lies above the diagonal, by {gap} on average: in these "
                    "backtests targets were met more often than their probabilities said, "
                    "so the probabilities were cautious."),
    "curve_below": ("{label}:曲线位于对角线下方,平均低 {gap}:在这组回测中,目标实现的频率"
                    "低于所给概率,即概率偏乐观。",
                    "{label}: the curve lies below the diagonal, by {gap} on average: in these "
                    "backtests targets were met less often than their probabilities said, "
                    "so the probabilities were optimistic."),
    "coverage_narrow": ("80% 区间只覆盖了 {rate} 的实际值,区间偏窄。",
                        " Its 80% ranges held only {rate} of the actual values: too narrow."),
    "coverage_wide": ("80% 区间覆盖了 {rate} 的实际值,区间偏宽。",
                      " Its 80% ranges held {rate} of the actual values: too wide."),
    "fits_fine": ("{total} 个汇合拟合的诊断均在界内(R-hat ≤ 1.01、有效样本量 ≥ 400、无发散)。",
                  "All {total} pooled fits are within bounds (R-hat ≤ 1.01, ESS ≥ 400, no "
                  "divergences)."),
    "fits_flagged": ("{total} 个汇合拟合中有 {n} 个诊断超出界限(标色),含义见“判断”列;"
                     "涉及指标的概率可能带有比所示更大的误差。",
                     "{n} of the {total} pooled fits have diagnostics out of bounds "
                     "(coloured), explained in the verdict column; the probabilities of their "
                     "indicators may carry more error than shown."),
    "verdict": ("判断", "Verdict"),
    "count_fit": ("(计数模型)", " (count model)"),
    "fit_ok": ("正常", "fine"),
    "flag_r_hat": ("R-hat > 1.01:各链尚未完全一致,后验可能未收敛",
                   "R-hat > 1.01: the chains disagree, the posterior may not have converged"),
    "flag_ess": ("有效样本量 < 400:独立抽样偏少,分位数不够稳定",
                 "ESS < 400: too few independent draws, quantiles are unstable"),
    "flag_divergences": ("存在发散转移:后验的某些区域可能未被探索到",
                         "divergent transitions: parts of the posterior may be unexplored"),
})
_WORDS.update(CHECK_WORDS)  # the own-data check's appendix
