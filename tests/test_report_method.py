"""方法说明 and the appendices say what the run did: the models its series used, the rules
and words its tables use, what the calibration curves show, and every diagnostic out of
bounds flagged with its meaning."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from forecast.outputs.reports.appendix import FLAG, reading
from forecast.outputs.reports.build import build_report
from forecast.outputs.reports.i18n import words
from forecast.outputs.reports.model import Paragraph, Table
from forecast.outputs.reports.source import read_run, run_catalogue
from forecast.outputs.reports.terms import MODEL_WORDS
from forecast.targets.likelihood import LIKELIHOOD_CLASSES

from builders import BUNDLED, BundledRun


def section(rep, sid):
    return next(s for s in rep.walk() if s.id == sid)


def paragraphs(sec) -> str:
    return "\n".join(b.text for b in sec.blocks if isinstance(b, Paragraph))


@pytest.mark.xdist_group(BUNDLED)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_method_text_says_what_the_run_used(bundled_run: BundledRun, lang):
    run = read_run(bundled_run.folder)
    rep = build_report(run, lang, run_catalogue(run))
    text = paragraphs(section(rep, "methodology"))
    used = Counter(v["model"] for v in run.diagnostics["series"].values())
    assert len(used) >= 3  # the bundled example pools, counts and trends
    setting = run.meta["settings"]["model"]
    assert setting == "auto"
    assert (f"模型设置为 {setting}" if lang == "zh" else f"model setting was {setting}") in text
    for model, n in used.items():
        word = MODEL_WORDS[model][0 if lang == "zh" else 1]
        assert (f"{n} 条用{word}" if lang == "zh" else f"{n} used {word}") in text
    for model in set(MODEL_WORDS) - set(used) - {"observed"}:  # no model the run did not use
        assert MODEL_WORDS[model][0 if lang == "zh" else 1] not in text
    short = sum(v["points"] < 5 for v in run.diagnostics["series"].values())
    assert (f"有 {short} 条" if lang == "zh" else f"{short} of this run's") in text
    assert "少于 3 个" not in text and "fewer than 3 points are not assessed" not in text
    # the likelihood words are those the tables use, with their bounds
    for bound, en, zh in LIKELIHOOD_CLASSES:
        word = zh if lang == "zh" else en
        assert (f"≥ {bound:g} {word}" if bound else word) in text
    headline = next(b for s in rep.walk() for b in s.blocks
                    if isinstance(b, Table) and b.name == "headline")
    words = {row[3].text for row in headline.rows} - {"–"}
    assert words and all(w in text for w in words)
    assert ("可能性中等" not in text) if lang == "zh" else True


@pytest.mark.xdist_group(BUNDLED)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_method_text_says_when_pooled_trends_read_recent_years_alone(bundled_run, lang):
    """A drift window is the user's choice and changes every pooled trend: the method says so,
    with the number the run recorded; a run without one says nothing of it."""
    run = read_run(bundled_run.folder)
    plain = paragraphs(section(build_report(run, lang, run_catalogue(run)), "methodology"))
    assert "--drift-window" not in plain
    settings = {**run.meta["settings"], "pooled": {**run.meta["settings"]["pooled"], "window": 6}}
    windowed = replace(run, meta={**run.meta, "settings": settings})
    text = paragraphs(section(build_report(windowed, lang, run_catalogue(windowed)),
                              "methodology"))
    assert "--drift-window 6" in text
    assert ("最近 6 个年度变化" if lang == "zh" else "last 6 yearly changes") in text


@pytest.mark.xdist_group(BUNDLED)
def test_the_calibration_appendix_says_which_series_its_evidence_does_not_cover(bundled_run):
    run = read_run(bundled_run.folder)
    rep = build_report(run, "zh", run_catalogue(run))
    text = paragraphs(section(rep, "corpus-check"))  # the bundled corpus's part
    assert "默认模型(trend)" not in text  # the run's default is auto
    other = sum(v["model"] not in ("trend", "observed")
                for v in run.diagnostics["series"].values())
    assert other > 0 and f"另有 {other} 条序列使用" in text
    assert "曲线位于对角线上方" in text  # the provincial curve, said in words


def test_a_reliability_curve_is_read_from_its_points():
    """Worked by hand: points (0.2 → 0.4, 100 targets) and (0.6 → 0.8, 300 targets) lie above
    the diagonal by (0.2·100 + 0.2·300) / 400 = 0.20; an 80% range that held 70% with a 95%
    band of 0.66–0.74 is too narrow; the mirror image lies below; points within 0.03 lie on
    it, and a band holding 0.8 says nothing of coverage."""
    class Plain:  # the parts of a Context that ``reading`` reads: a language's words
        def __init__(self, lang):
            self.t, self.zh = words(lang), lang == "zh"

    above = {"reliability_diagram": [
        {"forecast": 0.2, "observed": 0.4, "count": 100},
        {"forecast": 0.6, "observed": 0.8, "count": 300},
        {"forecast": 0.9, "observed": 0.1, "count": 0}],  # an empty bin is not counted
        "coverage_80": {"rate": 0.70, "band_95": [0.66, 0.74]}}
    text = reading(Plain("zh"), "省级", above)
    assert "上方,平均高出 0.20" in text and "偏保守" in text and "只覆盖了 70%" in text
    below = {"reliability_diagram": [{"forecast": 0.6, "observed": 0.45, "count": 10}],
             "coverage_80": {"rate": 0.9, "band_95": [0.85, 0.95]}}
    text = reading(Plain("en"), "M3", below)
    assert "below the diagonal, by 0.15" in text and "too wide" in text
    on = {"reliability_diagram": [{"forecast": 0.5, "observed": 0.52, "count": 10}],
          "coverage_80": {"rate": 0.78, "band_95": [0.70, 0.86]}}
    text = reading(Plain("en"), "M3", on)
    assert "close to the diagonal (mean distance 0.02)" in text
    assert "narrow" not in text and "wide" not in text


@pytest.mark.xdist_group(BUNDLED)
def test_every_diagnostic_out_of_bounds_is_flagged_with_its_meaning(bundled_run):
    run = read_run(bundled_run.folder)
    fits = {"gdp": {"r_hat_max": 1.016, "ess_bulk_min": 262.0, "divergences": 0},
            "rd_intensity": {"r_hat_max": 1.004, "ess_bulk_min": 900.0, "divergences": 3},
            "tech_smes~counts": {"r_hat_max": 1.0, "ess_bulk_min": 2400.0, "divergences": 0}}
    run = replace(run, diagnostics={**run.diagnostics, "fits": fits})
    rep = build_report(run, "zh", run_catalogue(run))
    diag = section(rep, "diagnostics")
    assert "3 个汇合拟合中有 2 个诊断超出界限" in paragraphs(diag)
    table = next(b for b in diag.blocks if isinstance(b, Table) and b.name == "fits")
    rows = {row[0].text: row for row in table.rows}
    gdp, rd, smes = rows["地区生产总值"], rows["全社会研究与试验发展(R&D)经费投入强度"], \
        rows["科技型中小企业(计数模型)"]
    assert [c.tone for c in gdp[1:4]] == [FLAG, FLAG, None]
    assert "R-hat > 1.01" in gdp[4].text and "有效样本量 < 400" in gdp[4].text
    assert [c.tone for c in rd[1:4]] == [None, None, FLAG] and "发散" in rd[4].text
    assert [c.tone for c in smes[1:4]] == [None, None, None] and smes[4].text == "正常"
    fine = replace(run, diagnostics={**run.diagnostics, "fits": {"gdp": fits["tech_smes~counts"]}})
    assert "均在界内" in paragraphs(section(build_report(fine, "zh", run_catalogue(fine)),
                                            "diagnostics"))
