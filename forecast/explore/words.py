"""The explorer's words in Chinese (the default) and English, in one table."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {  # key -> (zh, en)
    "title": ("目标情景推演", "What-if explorer"),
    "run": ("运行", "Run"),
    "plan": ("规划", "Plan"),
    "region": ("地区", "Region"),
    "indicator": ("指标", "Indicator"),
    "scenario": ("情景调整", "Scenario"),
    "scenario_help": ("拖动滑块即可看到各目标实现概率的变化;调整作用于本次运行已模拟的路径,"
                      "与 data/scenarios/*.yaml 的三种调整相同。",
                      "Move a slider to see every target's probability change: the adjustments "
                      "act on this run's simulated paths, as the three adjustments of "
                      "data/scenarios/*.yaml do."),
    "growth_shift": ("增速调整(百分点/年)", "Growth shift (points a year)"),
    "from_year": ("起始年份", "from"),
    "shock": ("一次性冲击(%)", "One-off shock (%)"),
    "year": ("年份", "in"),
    "volatility": ("波动倍数", "Volatility (×)"),
    "reset": ("复原", "Reset"),
    "save": ("另存为情景", "Save as scenario"),
    "save_id": ("情景编号", "scenario id"),
    "save_title": ("情景名称", "title"),
    "saved": ("已保存为 {file};运行 forecast run --scenario {id} 即可在报告中得到同样的概率。",
              "Saved as {file}; `forecast run --scenario {id}` gives these probabilities in "
              "the reports."),
    "targets": ("目标", "Targets"),
    "target": ("目标", "Target"),
    "value": ("目标值", "Target value"),
    "probability": ("实现概率", "P(met)"),
    "baseline_p": ("基准情景", "Baseline"),
    "likelihood": ("可能性", "Likelihood"),
    "achievable": ("可实现值(50% / 80% / 90%)", "Achievable (50% / 80% / 90%)"),
    "fan": ("预测扇形图", "Fan chart"),
    "fan_note": ("深浅色带为 50%/80%/95% 区间,实线为中位数,虚线为基准情景中位数,菱形为目标。",
                 "Bands: 50/80/95%; line: median; dashed: the baseline's median; diamonds: "
                 "targets."),
    "curve": ("目标值与实现概率", "P(met) against the target value"),
    "curve_note": ("灰线为规划目标值,橙点为当前所试目标值,虚线为 50%/80%/90% 把握可实现的值。",
                   "Grey: the stated value; orange: the value tried; dotted: the values met "
                   "with 50/80/90% probability."),
    "curve_none": ("此目标为区间目标或无法评估,没有概率曲线。",
                   "A range target, or one not assessed: no curve."),
    "whole": ("规划整体", "The plan as a whole"),
    "not_assessed": ("未评估", "not assessed"),
    "language": ("English", "中文"),
}


def word(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return zh if lang == "zh" else en


def words(lang: str) -> dict[str, str]:
    """Every word in ``lang``, for the page's template."""
    return {k: word(k, lang) for k in WORDS}
