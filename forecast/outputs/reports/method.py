"""方法说明 written from the run itself, so that it cannot contradict the results: the models
this run used and how many series each, the rules that decide what is assessed, the
likelihood words with their bounds, the statuses, and what the calibration evidence covers.

Every number in it is read from where the code keeps it (``targets.likelihood``,
``assessment.layout.MIN_POINTS``, ``inputs.series.SHORT_SERIES``, the review's bounds), and
every model named is one the run's series used.
"""

from __future__ import annotations

import re
from collections import Counter

from forecast.assessment.layout import MIN_POINTS
from forecast.assessment.review import AT_RISK, ON_TRACK
from forecast.inputs.series import SHORT_SERIES
from forecast.outputs.reports.context import Context
from forecast.outputs.reports.i18n import METHODOLOGY, status
from forecast.outputs.reports.model import Paragraph, Section
from forecast.outputs.reports.terms import MODEL_WORDS
from forecast.targets.likelihood import LIKELIHOOD_CLASSES


def methodology(ctx: Context) -> Section:
    """The methodology: the questions, the models used, the rules, the words, the limits."""
    intro, consistency, limits = METHODOLOGY[ctx.lang]
    return Section("methodology", ctx.t("methodology"), 1, (
        Paragraph(intro), Paragraph(models_used(ctx)), Paragraph(consistency),
        Paragraph(assessed_rule(ctx)), Paragraph(likelihood_words(ctx)),
        Paragraph(status_rule(ctx)), Paragraph(limits)))


def series_models(ctx: Context) -> Counter:
    """How many of the report's series each model simulated."""
    return Counter(v.get("model", "") for v in ctx.series.values() if v.get("model"))


def model_word(model: str, lang: str) -> str:
    words = MODEL_WORDS.get(model)
    return model if words is None else words[0 if lang == "zh" else 1]


def model_name(model: str, lang: str) -> str:
    """The model's short name (its description's words before the parenthesis)."""
    return re.split(r"[(（(]", model_word(model, lang), maxsplit=1)[0].strip()


def models_used(ctx: Context) -> str:
    """The run's model setting, and each model its series used with their number."""
    t = ctx.t
    setting = ctx.run.meta.get("settings", {}).get("model", "")
    used = series_models(ctx)
    if not used:
        return t("method_no_series", setting=setting)
    sep = "；" if ctx.zh else "; "
    parts = sep.join(t("method_model_count", model=model_word(m, ctx.lang), n=n)
                     for m, n in used.most_common())
    text = t("method_models", setting=setting, n=sum(used.values()), parts=parts)
    window = ctx.run.meta.get("settings", {}).get("pooled", {}).get("window")
    if window and "bayes" in used:  # a choice the user made that changes every pooled trend
        text += ("" if ctx.zh else " ") + t("method_drift_window", n=window)
    return text


def assessed_rule(ctx: Context) -> str:
    """Which series are assessed, and which are short, with the run's own counts."""
    points = [int(v["points"]) for v in ctx.series.values() if v.get("points") is not None]
    short = sum(p < SHORT_SERIES for p in points)
    return ctx.t("method_assessed", min_points=MIN_POINTS, short=SHORT_SERIES,
                 n_short=short, n=len(points))


def likelihood_words(ctx: Context) -> str:
    """The likelihood classes with their lower bounds, as the tables word probabilities."""
    zh = ctx.zh
    classes = [f"≥ {bound:g} {name_zh if zh else name_en}" if bound > 0 else
               (f"其余为{name_zh}" if zh else f"else {name_en}")
               for bound, name_en, name_zh in LIKELIHOOD_CLASSES]
    return ctx.t("method_likelihood", classes=("，" if zh else ", ").join(classes))


def status_rule(ctx: Context) -> str:
    """The review's statuses and their bounds (``assessment.review``)."""
    s = lambda key: status(key, ctx.lang)  # noqa: E731
    return ctx.t("method_status", on_track=s("on track"), at_risk=s("at risk"),
                 off_track=s("off track"), met=s("met"), missed=s("missed"),
                 awaiting=s("awaiting data"), hi=f"{ON_TRACK:g}", lo=f"{AT_RISK:g}")
