"""The bundled plans: every seed document is encoded, and plan files are validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.config import EXAMPLE_DATA
from forecast.errors import InputError
from forecast.inputs.plans import read_plan, read_plans

SEEDS = EXAMPLE_DATA / "documents"
PLANS = EXAMPLE_DATA / "plans"

# Seed 003's table, rows 1-26: indicator and 2023 target value as printed.
XIANGTAN_TABLE = {
    "rd_intensity": 3.0, "basic_research_share_rd": 5.8, "enterprise_rd_personnel_share": 8.2,
    "high_level_talent_teams": 69, "innovation_platforms": 300, "hitech_zone_revenue": 1920,
    "gdp_per_capita": 10.8, "key_disciplines": 30, "industry_tech_alliances": 8,
    "sci_tech_awards": 34, "hitech_industry_va_share_gdp": 38, "hitech_enterprises": 830,
    "hitech_enterprise_share_above_scale": 50, "hitech_enterprise_revenue_share": 55,
    "invention_patents_per_10k": 21.5, "tech_contract_turnover_share_gdp": 10,
    "incubation_carriers": 110, "incubated_firms": 1000, "tech_smes": 1250,
    "air_quality_good_rate": 82.5, "energy_intensity": 0.5195, "urban_rural_income_ratio": 1.73,
    "disposable_income_per_capita": 4.2109, "sci_tech_fiscal_share": 6,
}


@pytest.fixture(scope="module")
def plans(catalogue):
    return {p.id: p for p in read_plans(PLANS, catalogue)}


def test_every_seed_document_has_a_plan(plans):
    sources = {p.source for p in plans.values()}
    seeds = {f.name for f in SEEDS.glob("*.txt")}
    assert len(seeds) == 5 and seeds <= sources  # the documents are in data/documents/
    assert len(plans) == 6


def test_xiangtan_table_targets_all_present(plans):
    level = {t.indicator: t for t in plans["xiangtan-2023"].targets
             if t.kind == "level" and t.region == "湘潭市"}
    for indicator, value in XIANGTAN_TABLE.items():
        assert level[indicator].value == pytest.approx(value), indicator
        assert level[indicator].year == 2023
    assert level["energy_intensity"].op == "<=" and level["urban_rural_income_ratio"].op == "<="
    qualitative = {t.indicator for t in plans["xiangtan-2023"].targets if t.kind == "qualitative"}
    assert qualitative == {"innovation_policy_issued", "sci_tech_management_team"}


def test_headline_targets_of_the_other_seeds(plans):
    def find(plan, indicator, kind):
        return [t for t in plans[plan].targets if t.indicator == indicator and t.kind == kind]

    (t,) = find("yuanjiang-2024", "rd_expenditure", "growth")
    assert (t.op, t.value, t.year, t.aspirational) == (">=", 12, 2024, True)
    (t,) = find("unnamed-city-2025", "tech_contract_turnover", "cumulative")
    assert (t.op, t.value, t.year) == (">", 60, 2025)
    (t,) = find("unnamed-city-2025", "strategic_emerging_industry_va_share_industry", "change")
    assert t.value == 5
    (t,) = find("zhenkang-2025", "rd_expenditure", "cagr")
    assert (t.value, t.base_year, t.year) == (10, 2022, 2025)
    (t,) = find("pingxiang-2025", "rd_intensity", "level")
    assert (t.value, t.year) == (2.6, 2025)


def test_fyp_wording_is_encoded(plans):
    by_region = {}
    for t in plans["fyp14-rd-intensity"].targets:
        by_region.setdefault(t.region, []).append(t)
    national = next(t for t in by_region["全国"] if t.indicator == "rd_intensity")
    assert (national.op, national.value) == (">", 2.4)  # "higher than"
    beijing = by_region["北京"][0]
    assert (beijing.op, beijing.value, beijing.wording) == (">=", 6.0, "about")
    assert {t.value for t in by_region["重庆"] if t.indicator == "rd_intensity"} == {2.6, 2.73}
    (spending,) = [t for t in by_region["全国"] if t.indicator == "rd_expenditure"]
    assert (spending.kind, spending.op, spending.value) == ("cagr", ">=", 7)
    assert spending.base_year == 2020


def _plan(tmp_path: Path, target: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text("plan:\n  id: p\n  region: 湖南\n  base_year: 2020\ntargets:\n" + target,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("target", "words"), [
    ("  - {id: a, indicator: nope, op: '>=', value: 1, year: 2025}", "unknown indicator"),
    ("  - {id: a, indicator: gdp, op: '=>', value: 1, year: 2025}", "unknown op"),
    ("  - {id: a, indicator: gdp, op: '>=', year: 2025}", "has no value"),
    ("  - {id: a, indicator: gdp, op: between, value: 1, year: 2025}", "needs value_hi"),
    ("  - {id: a, indicator: hitech_enterprises, kind: cumulative, op: '>=', value: 1, "
     "year: 2025}", "not a flow"),
    ("  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2025}\n"
     "  - {id: a, indicator: gdp, op: '>=', value: 2, year: 2025}", "used twice"),
])
def test_bad_plan_files_are_one_line_errors(tmp_path, catalogue, target, words):
    path = _plan(tmp_path, target)
    with pytest.raises(InputError, match=words) as info:
        read_plan(path, catalogue)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(("target", "words"), [
    ("  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2025, each_year: 'false'}",
     r"column 'targets\[1\]\.each_year'.*'false' is not true or false"),
    ("  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2025, binding: 约束性}",
     r"column 'targets\[1\]\.binding'.*is not true or false"),
    ("  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2025.9}", "is not a year"),
    ("  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2101}", "outside 1949–2100"),
    ("  - {id: a, indicator: gdp, op: '>=', value: .nan, year: 2025}", "not a finite number"),
    ("  - {id: a, indicator: gdp, op: between, value: 2, value_hi: 2, year: 2025}",
     "value below value_hi"),
    ("  - {id: ../a, indicator: gdp, op: '>=', value: 1, year: 2025}", "not a safe id"),
])
def test_strict_types_in_plan_files(tmp_path, catalogue, target, words):
    path = _plan(tmp_path, target)
    with pytest.raises(InputError, match=words) as info:
        read_plan(path, catalogue)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_unquoted_booleans_and_whole_years_are_read(tmp_path, catalogue):
    path = _plan(tmp_path, "  - {id: a, indicator: gdp, op: '>=', value: 7, year: 2025, "
                 "each_year: false, aspirational: true}")
    target = read_plan(path, catalogue).targets[0]
    assert (target.each_year, target.aspirational, target.year, target.value) == \
        (False, True, 2025, 7.0)
    assert target.binding is False  # unset: not named 约束性


def test_a_binding_target_is_read(tmp_path, catalogue):
    path = _plan(tmp_path, "  - {id: a, indicator: gdp, op: '>=', value: 7, year: 2025, "
                 "binding: true}")
    assert read_plan(path, catalogue).targets[0].binding is True
