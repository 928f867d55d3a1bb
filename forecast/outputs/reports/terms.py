"""The run's own terms in a report's language: the notes the assessment writes in English
(probabilities.csv keeps them so for scripts), the review's statuses and the kinds of target.

``note`` translates a note part by part with the patterns of ``_NOTES_ZH`` (tried in order;
an unknown note passes through) and, given a namer, writes indicator ids as their names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

LANGS = ("zh", "en")

# the notes of plausibility and low confidence (inputs.plausibility, assessment.confidence)
_FLAGGED = (r"^implausible value in (\d+): (\S+) is (?:(\S+) times|(1/\S+) of) what the other "
            r"years of the series suggest \(about (\S+)\): ")
_FLAGGED_ZH = r"\1年数值 \2 为该序列其他年份所示水平(约 \5)的 \3\4 倍,"
_PLAUSIBILITY_ZH: list[tuple[str, str]] = [
    (_FLAGGED + r"a jump beyond what this indicator's history allows \((.*)\)$",
     _FLAGGED_ZH + "超出该指标汇总历史所允许的跳变(请核对数据来源)"),
    (_FLAGGED + r"probably a fraction typed for a percentage \(did you mean (\S+)\? the unit of "
     r"this row is (\S+)\)$", _FLAGGED_ZH + r"疑似把小数填成了百分数(是否应为 \6?本行单位为 \7)"),
    (_FLAGGED + r"a factor of ([\d,^]+): .* \(did you mean (\S+)\? the unit of this row is "
     r"(\S+)\)$", _FLAGGED_ZH + r"相差 \6 倍,疑似单位错误(是否应为 \7?本行单位为 \8)"),
    (r"^low confidence: a share from (\d+) points whose forecast piles up at its bound "
     r"\(median ([\d.]+)(\S*) in (\d+)\): .*$",
     r"低置信度:比重指标仅 \1 个数据点,预测堆积在边界(\4年中位数 \2\3),两个点无法判断趋势是否在"
     "边界前放缓"),
    (r"^low confidence: breaking zero from (\d+) zero years?: .*$",
     r"低置信度:历史 \1 年均为零,“零的突破”缺少首次实现的模型,概率只是粗略估计"),
    (r"^low confidence: an implausible value in its history .*$",
     "低置信度:历史数据中有疑似错误的数值(见数据质量说明)"),
    (r"^short series \((\d+) points?\): no other region to borrow from .*$",
     r"短序列(\1 个数据点):没有可借鉴的同组地区(仅依据自身数据与模型先验)"),
    (r"^one point: no other region to borrow a trend from .*$",
     "仅 1 个数据点:没有可借鉴趋势的同组地区(仅依据模型先验)"),
]

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
    (r"^region '(.+)' is not in regions\.csv, so its series is pooled with no parent$",
     r"地区“\1”不在 regions.csv 中,其序列没有上级地区可供汇合"),
    (r"^plan (\S+) names region '(.+)', which neither regions\.csv nor observations\.csv has$",
     r"规划 \1 所列地区“\2”在 regions.csv 与 observations.csv 中均不存在"),
    (r"^did you mean (.+)\?$", r"是否应为“\1”?"),
    (r"^years before (\d+) not used \(gap in the series\)$", r"\1年以前的数据因断档未用"),
    (r"^only (\d+) point\(s\)$", r"仅 \1 个数据点"),
    (r"^not in the pooled fit.*$", "未纳入汇合模型(需线性尺度),改用趋势模型"),
    (r"^no data for (\w+)$", r"\1 无数据"),
    (r"^insufficient data \((\d+) point in (\d+)\) for (\w+)$",
     r"\3 数据不足(仅 \2年 1 个数据点)"),
    (r"^growth of (\S+) from (\d+) is undefined: its value there is (\S+), not positive$",
     r"\1自\2年起的增速无法计算:该年数值为 \3,不为正"),
    (r"^growth of (\S+) is undefined: its last observed value is (\S+), not positive$",
     r"\1的增速无法计算:最近观测值为 \2,不为正"),
    (r"^no observation for (.*)$", r"\1年无观测值"),
    (r"^qualitative target$", "定性目标"),
    (r"^(\S+) needs (\d+) points, has (\d+): drift used$",
     r"\1 模型需要 \2 个数据点,仅有 \3 个:改用漂移模型"),
    (r"^(\S+) fit failed \((.*)\): drift used$", r"\1 模型拟合失败(\2):改用漂移模型"),
    (r"^derived scenario effect: (\S+) moved as (.+) moves with the scenario$",
     r"情景影响经推算:\1随其构成指标(\2)同步变化"),
    (r"^at least 3 consecutive years, the last in (\d+) or later$",
     r"至少连续 3 年,最后一年不早于 \1年"),
    (r"^derived", "由构成指标推算"),
    *_PLAUSIBILITY_ZH,
]

# the models a report names, as its method text and calibration appendix describe them
MODEL_WORDS: dict[str, tuple[str, str]] = {
    "trend": ("趋势模型(线性趋势、复合增长漂移与 theta 模型的校准加权组合)",
              "the trend model (a calibrated mixture of linear drift, compound-growth drift "
              "and the theta model)"),
    "bayes": ("贝叶斯分层汇合模型(同组地区共享趋势与波动的信息)",
              "the Bayesian hierarchical pooled model (regions of a group share their trend "
              "and volatility)"),
    "counts": ("计数模型(泊松或负二项流量,或整数进入与退出的存量,速率在地区间汇合)",
               "the count model (Poisson or negative-binomial flows, or stocks of whole "
               "entries and exits, rates pooled over regions)"),
    "drift": ("带漂移的随机游走", "a random walk with drift"),
    "linear": ("线性漂移的随机游走", "a random walk with linear drift"),
    "theta": ("动态优化 theta 模型(平滑水平加阻尼趋势)",
              "the dynamic optimised theta model (a smoothed level plus a damped trend)"),
    "naive": ("无趋势的随机游走", "a random walk without trend"),
    "ensemble": ("ets、llt、arima 的等权组合", "an equal-weight mixture of ets, llt and arima"),
    "ets": ("阻尼趋势指数平滑", "damped-trend exponential smoothing"),
    "llt": ("局部线性趋势模型", "a local linear trend model"),
    "arima": ("带漂移的 ARIMA(0,1,1)", "ARIMA(0,1,1) with drift"),
    "cagr": ("联合国亚太经社会趋势规则(确定性,仅供参考)",
             "the UN ESCAP trend rule (deterministic, for reference)"),
    "observed": ("已观测值(目标年份已有数据)", "observed values (the target year has data)"),
}

# why `auto` chose a model for an indicator (models/choice.py), in Chinese
_NOTES_ZH += [
    (r"^--model bayes: pooled over (\d+) region\(s\) of the tree$",
     r"--model bayes:在层级树的 \1 个地区间汇合"),
    (r"^(\d+) regions with 2\+ points, linked by regions\.csv: the pooled model \(in the "
     r"provincial backtests it beats trend on every indicator\)$",
     r"\1 个地区有 2 个以上数据点,并由 regions.csv 关联:采用汇合模型"
     r"(省级回测中各指标均优于趋势模型)"),
    (r"^no series in the workspace: nothing to pool, trend used$",
     r"工作区无此指标的序列:无可汇合,采用趋势模型"),
    (r"^(\d+) region\(s\) with 2\+ points, fewer than (\d+): nothing to pool, trend used$",
     r"仅 \1 个地区有 2 个以上数据点,少于 \2 个:无可汇合,采用趋势模型"),
    (r"^no hierarchy in regions\.csv linking its regions: nothing to pool, trend used$",
     r"regions.csv 中没有关联这些地区的层级:无可汇合,采用趋势模型"),
    (r"^(?:the other )?(\d+) series simulated as counts \(a flow: Poisson or negative-binomial "
     r"counts, chosen by LOO, rates pooled over the tree\)$",
     r"\1 条序列按计数模拟(流量:泊松或负二项计数,由留一交叉验证选择,速率在层级树上汇合)"),
    (r"^(?:the other )?(\d+) series simulated as counts \(a stock: whole entries less exits, "
     r"never below 0, rates pooled over the tree\)$",
     r"\1 条序列按计数模拟(存量:整数进入减退出,不低于 0,速率在层级树上汇合)"),
    (r"^values up to (\d+), where counts beat the log-scale models in the simulated backtests "
     r"\(BENCHMARKS\.md\)$", r"数值不超过 \1,模拟回测中计数模型优于对数尺度模型(BENCHMARKS.md)"),
]

STATUS = {"on track": ("进展顺利", "on track"), "at risk": ("存在风险", "at risk"),
          "off track": ("进度滞后", "off track"), "met": ("已实现", "met"),
          "missed": ("未实现", "missed"), "no data": ("无数据", "no data"),
          "awaiting data": ("待数据", "awaiting data")}

KINDS = {"level": ("水平", "level"), "growth": ("增速", "growth"), "cagr": ("年均增速", "cagr"),
         "cumulative": ("累计", "cumulative"), "change": ("增量", "change"),
         "relative": ("相对增速", "relative"), "qualitative": ("定性", "qualitative")}


_ID = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\bgdp\b")  # an indicator id


def note(text: str, lang: str, name: Callable[[str], str] | None = None) -> str:
    """A note of the assessment in ``lang`` (each '; '-separated part translated); with
    ``name``, the indicator ids it holds are written as the indicators' names."""
    if not isinstance(text, str) or not text:
        return ""
    if lang == "zh":
        parts = []
        for part in text.split("; "):
            for pattern, repl in _NOTES_ZH:
                if re.search(pattern, part):
                    part = re.sub(pattern, repl, part)
                    break
            parts.append(part)
        text = ";".join(parts)
    return _ID.sub(lambda m: name(m.group()), text) if name is not None else text


def status(key: str, lang: str) -> str:
    return STATUS.get(key, (key, key))[LANGS.index(lang)]


def kind(key: str, lang: str) -> str:
    return KINDS.get(key, (key, key))[LANGS.index(lang)]


