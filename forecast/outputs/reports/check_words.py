"""The words of the report's own-data check (``own_check``), in Chinese and English: kept
beside ``i18n``'s table, which takes them in."""

from __future__ import annotations

CHECK_WORDS: dict[str, tuple[str, str]] = {  # key: (zh, en)
    "own_check": ("本次运行在本地数据上的回测", "This run's models on your own data"),
    "corpus_check": ("内置语料上的回测", "The bundled corpus"),
    "check_absent": ("本次运行早于本地数据回测功能,没有该项结果。",
                     "This run was made before the check on the workspace's own data existed."),
    "check_skipped": ("本次运行未做本地数据回测(--no-check)。下文仅为内置语料上的回测。",
                      "This run skipped the check on its own data (--no-check); only the "
                      "bundled corpus's backtests follow."),
    "check_none": (
        "工作区的 {series} 条序列都太短,无法回测:回测至少需要 {need} 年数据(其中 {train} 年用于"
        "拟合,其余用于检验)。补充更早年份的数据后即可检验。下文为内置语料上的回测。",
        "None of the workspace's {series} series is long enough to check: a check needs at "
        "least {need} years ({train} to fit, the rest to score). With earlier years the run "
        "can check itself; until then only the bundled corpus's backtests below apply."),
    "check_what": (
        "本次运行所用模型({model})退回到 {origins},只用当时已有的数据拟合,再预测其后最多 "
        "{horizon} 年(规划期限),并与实际值比较:共检验 {checked}/{series} 条序列、{values} 个"
        "留出值、{events} 个按规划方式设定的目标(上年值加历史年均增量的 0–2 倍)。",
        "The run's model ({model}) was fitted as of {origins} on the data known then, and "
        "forecast up to {horizon} years on (the plans' horizon); {checked} of the "
        "workspace's {series} series were scored on {values} held-out values and {events} "
        "targets set the way planners set them (the last value plus 0 to 2 times the past "
        "annual pace)."),
    "check_few": (
        "留出值只有 {n} 个:只有 80% 区间覆盖率落在 {low}–{high} 之外,才能说明模型未校准;"
        "以下数字不足以区分校准良好与轻度失准的模型。",
        "With only {n} held-out values, only an 80% coverage outside {low}–{high} would show "
        "miscalibration: these figures cannot tell a calibrated model from a somewhat "
        "miscalibrated one."),
    "check_band_note": (
        "括号内为 95% 接受区间:模型若校准,覆盖率有 95% 的可能落在其中(按二项分布)。"
        "同一序列相邻年份的误差相关,真实区间更宽,略出区间的证据较弱。失准度、区分度、不确定度"
        "为 Brier 分数的 CORP 分解:Brier = 失准度 − 区分度 + 不确定度。技能分以带漂移随机游走"
        "为基准,正值表示更好。",
        "In brackets, the 95% acceptance band: a calibrated model's coverage falls inside it 95 "
        "times in 100 (binomial, as FPEM reports). Consecutive years of one series err "
        "together, so the true band is wider and a coverage just outside it is weak evidence. "
        "MCB (miscalibration), DSC (discrimination) and UNC (uncertainty) are the Brier "
        "score's CORP decomposition: Brier = MCB − DSC + UNC. Skill is against a random walk "
        "with drift; above 0 is better."),
    "check_outside": ("{name}:80% 区间覆盖了 {rate} 的实际值,超出接受区间 {low}–{high},"
                      "区间{width}。",
                      "{name}: the 80% range held {rate} of the actual values, outside its "
                      "band {low}–{high}: the ranges are too {width}."),
    "narrow": ("偏窄,概率可能过于肯定", "narrow, and the probabilities too confident"),
    "wide": ("偏宽,概率可能过于保守", "wide, and the probabilities too cautious"),
    "check_all_inside": ("各指标 80% 区间的覆盖率都在接受区间内。",
                         "Every indicator's 80% coverage is inside its acceptance band."),
    "check_skill_better": ("与带漂移随机游走相比,目标概率的 Brier 分数低 {pct}(更好)。",
                           "Against a random walk with drift, the targets' Brier score is "
                           "{pct} better."),
    "check_skill_worse": ("与带漂移随机游走相比,目标概率的 Brier 分数高 {pct}(更差)。",
                          "Against a random walk with drift, the targets' Brier score is "
                          "{pct} worse."),
    "own_reliability": ("CORP 可靠性图(本地数据)", "CORP reliability diagram (your data)"),
    "your_data": ("本地数据", "your data"),
    "own_pit": ("随机化 PIT 直方图(本地数据)", "Randomised PIT histogram (your data)"),
    "pit_flat": ("均匀:校准", "flat: calibrated"),
    "pit_axis": ("实际值在预测分布中的位置(PIT)", "where the actual fell in the forecast (PIT)"),
    "share_of_values": ("留出值占比", "share of held-out values"),
    "values": ("留出值", "Values"),
    "skill_rw": ("技能(对随机游走)", "Skill vs RW"),
    "mcb": ("失准度", "MCB"),
    "dsc": ("区分度", "DSC"),
    "unc": ("不确定度", "UNC"),
    "all_indicators": ("全部指标", "All indicators"),
}
