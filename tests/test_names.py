"""Targets' display names and the value forms they use (forecast.outputs.names): the plan's own
name wins, else one is made from the catalogue in the output's language; percentage points,
one-year spans, the one interval form, whole counts, integer ticks on count charts."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt
import pytest

from forecast.outputs.names import (
    fmt_interval,
    fmt_statistic,
    median_text,
    target_name,
    unit_text,
    year_span,
)
from forecast.outputs.reports.charts import figure
from forecast.outputs.reports.model import FanChart
from forecast.outputs.wording import clause, fmt_rate


def target(**fields) -> SimpleNamespace:
    row = dict(plan_id="p", target_id="t", indicator="rd_intensity", kind="level", op=">=",
               value=3.5, value_hi=None, year=2025, base_year=2020, each_year=False,
               aspirational=False)
    return SimpleNamespace(**{**row, **fields})


def test_the_plans_own_name_wins(catalogue):
    r = target(name="广东研发强度", name_en="Guangdong's R&D intensity")
    assert target_name(r, catalogue, "zh") == "广东研发强度"
    assert target_name(r, catalogue, "en") == "Guangdong's R&D intensity"
    only_zh = target(name="广东研发强度")  # no name_en: English is made from the catalogue
    assert target_name(only_zh, catalogue, "en").startswith("R&D intensity")
    names = {"t": {"zh": "运行记录里的名字"}}  # names a run keeps for rows that hold none
    assert target_name(target(), catalogue, "zh", names) == "运行记录里的名字"


@pytest.mark.parametrize(("fields", "zh", "en"), [
    ({}, "全社会研究与试验发展(R&D)经费投入强度 ≥ 3.5%(2025年)",
     "R&D intensity (R&D expenditure as % of GDP) ≥ 3.5% (2025)"),
    ({"indicator": "rd_expenditure", "kind": "growth", "value": 12, "year": 2024,
      "base_year": 2023},
     "全社会研究与试验发展(R&D)经费支出增速 ≥ 12%(2024年)",
     "R&D expenditure growth ≥ 12% (2024)"),
    ({"indicator": "rd_expenditure", "kind": "cagr", "value": 10},
     "全社会研究与试验发展(R&D)经费支出年均增速 ≥ 10%(2020–2025年)",
     "R&D expenditure average annual growth ≥ 10% (2020–2025)"),
    ({"indicator": "little_giant_enterprises", "kind": "change", "value": 40, "year": 2023,
      "base_year": 2022},
     "国省专精特新“小巨人”企业数增量 ≥ 40家(2022–2023年)",
     'National and provincial specialised, refined, distinctive and innovative "little giant" '
     "enterprises increase ≥ 40 firms (2022–2023)"),
    ({"indicator": "strategic_emerging_industry_va_share_industry", "kind": "change",
      "value": 5},
     "战略性新兴产业增加值占工业增加值比重增量 ≥ 5个百分点(2020–2025年)",
     "Strategic emerging industries value added as % of industrial value added increase ≥ 5 "
     "percentage points (2020–2025)"),
    ({"op": "between", "value": 2.5, "value_hi": 3},
     "全社会研究与试验发展(R&D)经费投入强度 ∈ 2.5 – 3%(2025年)",
     "R&D intensity (R&D expenditure as % of GDP) ∈ 2.5 – 3% (2025)"),
    ({"indicator": "tech_contract_turnover", "op": ">", "value": 30, "year": 2024},
     "技术合同成交额 > 30亿元(2024年)",
     "Technology contract turnover (seller region) > 30 100 million yuan (2024)"),
])
def test_names_made_from_the_catalogue(catalogue, fields, zh, en):
    r = target(**fields)
    assert target_name(r, catalogue, "zh") == zh
    assert target_name(r, catalogue, "en") == en


def test_a_target_for_every_year_of_one_year_names_that_year(catalogue):
    r = target(indicator="tech_smes", kind="growth", value=18, year=2023, base_year=2022,
               each_year=True)
    assert target_name(r, catalogue, "zh").endswith("(2023年)")
    assert "2023–2023" not in clause(r, catalogue, "zh")
    assert year_span(2023, 2023, "zh", every=True) == "2023年"
    assert year_span(2021, 2025, "zh", every=True) == "2021–2025年每年"
    assert year_span(2021, 2025, "en", every=True) == "every year 2021–2025"


def test_aspirational_reads_in_the_outputs_language(catalogue):
    r = target(aspirational=True)
    assert clause(r, catalogue, "zh").endswith("(力争)")
    assert clause(r, catalogue, "en").endswith(" (aspirational)")
    assert "力争" not in clause(r, catalogue, "en")


def test_one_interval_form_and_whole_counts():
    assert fmt_interval(1675.4, 2697.2) == "1,675 – 2,697"
    assert fmt_interval(-3.2, 12.0) == "-3.20 – 12"
    assert fmt_statistic(11.5, count=True) == "12"
    assert fmt_statistic(11.5, count=False) == "11.5"
    assert median_text(11.5, 8.4, 15.6, count=True) == "12 (8 – 16)"
    assert median_text(2.87, 2.72, 3.03, count=False) == "2.87 (2.72 – 3.03)"


def test_units_have_english_forms():
    assert unit_text("家", "en") == "firms"
    assert unit_text("亿元", "en") == "100 million yuan"
    assert unit_text("件/万人", "en") == "per 10,000 people"
    assert unit_text("家", "zh") == "家"


def test_count_charts_tick_whole_numbers():
    chart = FanChart("f", "unicorns", "firms", ((2019, 0.0), (2020, 1.0), (2021, 1.0)),
                     (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975),
                     ((2022, (0.0, 0.0, 1.0, 1.0, 1.5, 2.0, 3.0)),), (), (), None, count=True)
    labels = {"band95": "95", "band80": "80", "band50": "50", "median": "m", "history": "h",
              "target": "t", "base_year": "b"}
    fig = figure(chart, labels)
    ticks = fig.axes[0].get_yticks()
    plt.close(fig)
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)


def test_a_rate_that_rounds_to_zero_has_no_minus_sign():
    """-0.04% and -0.0 are written +0.0%, as 0.04% is; -0.06% stays -0.1%; none is '–'."""
    assert [fmt_rate(x) for x in (-0.04, -0.0, 0.0, 0.04, -0.06, 12.25, float("nan"))] == \
        ["+0.0%", "+0.0%", "+0.0%", "+0.0%", "-0.1%", "+12.2%", "–"]
