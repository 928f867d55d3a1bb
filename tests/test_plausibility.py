"""Plausibility on both sides: values out of scale with their series refused in data-entry
workbooks (the cell named, the likely value given), flagged in observations.csv (refused with
--strict), never on the bundled data; and probabilities the data cannot support marked low
confidence, with notes that say what the model really did."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from forecast.assessment.confidence import with_confidence
from forecast.cli import app
from forecast.config import EXAMPLE_DATA
from forecast.inputs.plausibility import implausible

RUNNER = CliRunner()
INTENSITY = {2016: 1.21, 2017: 1.30, 2018: 1.35, 2020: 1.55, 2021: 1.61}  # 2019 to enter
SPENDING = {2016: 50.1, 2017: 56.3, 2018: 63.0, 2019: 70.2}  # 2020 to enter
OBS = "region,indicator,year,value\n" + "".join(
    f"湘潭,rd_intensity,{y},{v}\n" for y, v in INTENSITY.items()) + "".join(
    f"湘潭,rd_expenditure,{y},{v}\n" for y, v in SPENDING.items())
PLAN = """\
plan: {id: p, title: 测试, region: 湘潭}
targets:
  - {id: intensity, indicator: rd_intensity, op: '>=', value: 1.7, year: 2023, base_year: 2021,
     text: x}
  - {id: spending, indicator: rd_expenditure, op: '>=', value: 90, year: 2023, base_year: 2021,
     text: x}
"""


def run(*args: str):
    return RUNNER.invoke(app, ["run", *args, "-q", "--no-reports", "--model", "trend",
                               "--draws", "500"])


def fill(ws, values: dict[tuple[str, int], object]) -> dict[tuple[str, int], str]:
    """Write the template, type ``values`` ((indicator, year) -> cell) into it; the cells'
    addresses, read off the workbook's own header and rows."""
    assert RUNNER.invoke(app, ["template", str(ws), "--plan", "p"]).exit_code == 0
    book = ws / "data" / "entry" / "p.xlsx"
    wb = openpyxl.load_workbook(book)
    sheet = wb["数据录入 data"]
    years = {int(c.value): c.column for c in sheet[1] if str(c.value).isdigit()}
    rows = {sheet.cell(i, 2).value: i for i in range(2, sheet.max_row + 1)}
    cells = {}
    for (ind, year), value in values.items():
        sheet.cell(rows[ind], years[year]).value = value
        cells[(ind, year)] = f"{get_column_letter(years[year])}{rows[ind]}"
    wb.save(book)
    return cells


def test_a_fraction_typed_for_a_percentage_is_refused_with_its_cell(tmp_path, make_workspace):
    ws = make_workspace(tmp_path / "ws", OBS, PLAN)
    cells = fill(ws, {("rd_intensity", 2019): 0.0148})
    out = tmp_path / "out"
    result = run(str(ws), "--out", str(out))
    assert result.exit_code == 2 and not out.exists(), result.output
    line = result.output.strip()
    assert len(line.splitlines()) == 1
    assert f"sheet '数据录入 data', cell {cells[('rd_intensity', 2019)]}" in line
    assert "did you mean 1.48? the unit of this row is %" in line
    # what the neighbours say: the median of 1.30, 1.35, 1.55, 1.61 on the log scale (one
    # region: no pooled drift), the geometric mean of the middle two
    expected = float(np.exp(np.median(np.log([1.30, 1.35, 1.55, 1.61]))))
    assert f"about {expected:.3g}" in line and "a fraction typed for a percentage" in line
    (ws / "data" / "entry" / "p.xlsx").unlink()
    fill(ws, {("rd_intensity", 2019): 1.48})  # the value meant is accepted
    assert run(str(ws), "--out", str(out)).exit_code == 0


def test_a_factor_of_ten_thousand_is_refused_and_the_unit_typed_is_read(tmp_path,
                                                                      make_workspace):
    ws = make_workspace(tmp_path / "ws", OBS, PLAN)
    cells = fill(ws, {("rd_expenditure", 2020): 799000})  # 万元, in an 亿元 row
    result = run(str(ws), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"cell {cells[('rd_expenditure', 2020)]}" in result.output
    assert "probably 万元 and 亿元 mixed up" in result.output
    assert "did you mean 79.9? the unit of this row is 亿元" in result.output
    (ws / "data" / "entry" / "p.xlsx").unlink()
    fill(ws, {("rd_expenditure", 2020): "799000万元"})  # typed with its unit: converted
    done = run(str(ws), "--out", str(tmp_path / "ok"))
    assert done.exit_code == 0, done.output
    rows = pd.read_csv(tmp_path / "ok" / "probabilities.csv").set_index("target_id")
    assert rows.loc["spending", "last_value"] == pytest.approx(79.9)


def slipped_workspace(tmp_path, make_workspace):
    """The fraction slip in observations.csv itself, on its line 4 (the header is line 1)."""
    obs = OBS.replace("湘潭,rd_intensity,2020,1.55", "湘潭,rd_intensity,2020,0.0155")
    return make_workspace(tmp_path / "ws", obs, PLAN), obs.splitlines().index(
        "湘潭,rd_intensity,2020,0.0155") + 1


def test_a_slip_in_observations_is_a_note_and_marks_its_targets(tmp_path, make_workspace):
    ws, _ = slipped_workspace(tmp_path, make_workspace)
    out = tmp_path / "out"
    result = run(str(ws), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 implausible value flagged" in result.output
    quality = json.loads((out / "probabilities.json").read_text())["diagnostics"]["data_quality"]
    flagged = [q for q in quality if q["note"].startswith("implausible value")]
    assert [(q["region"], q["indicator"]) for q in flagged] == [("湘潭", "rd_intensity")]
    assert "in 2020" in flagged[0]["note"] and "did you mean 1.55?" in flagged[0]["note"]
    rows = pd.read_csv(out / "probabilities.csv").set_index("target_id")
    assert "implausible value" in rows.loc["intensity", "low_confidence"]
    assert pd.isna(rows.loc["spending", "low_confidence"])  # its own series is fine


def test_strict_refuses_the_slip_with_file_and_row(tmp_path, make_workspace):
    ws, line = slipped_workspace(tmp_path, make_workspace)
    out = tmp_path / "out"
    result = run(str(ws), "--out", str(out), "--strict")
    assert result.exit_code == 2 and not out.exists()
    assert not (ws / "reports").exists() or not any(
        p.is_dir() for p in (ws / "reports").iterdir())
    text = result.output.strip()
    assert len(text.splitlines()) == 1
    assert f"observations.csv, row {line}, column 'value'" in text
    assert "did you mean 1.55? the unit of this row is %" in text


def bundled() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE_DATA / "observations.csv")


def test_no_value_of_the_bundled_data_is_flagged(catalogue):
    assert implausible(bundled(), catalogue).empty


def test_slips_in_the_bundled_data_are_found_and_only_they(catalogue):
    obs = bundled()
    at = {i: obs.index[(obs["region"] == r) & (obs["indicator"] == ind) & (obs["year"] == y)][0]
          for i, (r, ind, y) in enumerate([("上海", "rd_intensity", 2018),
                                           ("北京", "rd_expenditure", 2023),
                                           ("湖南", "gdp", 2015)])}
    truth = obs["value"].copy()
    for i, factor in zip(at.values(), (0.01, 1e4, 1.8), strict=True):
        obs.loc[i, "value"] *= factor
    flags = implausible(obs, catalogue).set_index("at")
    assert sorted(flags.index) == sorted(at.values())
    assert flags.loc[at[0], "suggestion"] == pytest.approx(truth[at[0]])
    assert flags.loc[at[1], "suggestion"] == pytest.approx(truth[at[1]])
    assert np.isnan(flags.loc[at[2], "suggestion"])  # a jump, not a power of ten
    # independently: GDP's pooled median yearly log change, and the neighbours of Hunan 2015
    gdp = obs[obs["indicator"] == "gdp"].sort_values(["region", "year"])
    steps = gdp.groupby("region")["year"].diff() == 1
    drift = np.median(np.log(gdp["value"]).groupby(gdp["region"]).diff()[steps])
    hunan = gdp[gdp["region"] == "湖南"].set_index("year")["value"]
    expected = np.exp(np.median([np.log(hunan[y]) + drift * (2015 - y)
                                 for y in (2013, 2014, 2016, 2017)]))
    assert flags.loc[at[2], "expected"] == pytest.approx(expected)


SHARE_PLAN = """\
plan: {id: s, title: t, region: 湘潭市}
targets:
  - {id: piled, indicator: hitech_enterprise_revenue_share, op: '>=', value: 60, year: 2023,
     text: x}
  - {id: apart, indicator: hitech_industry_va_share_gdp, op: '>=', value: 40, year: 2023,
     text: x}
  - {id: zero, indicator: innovation_platforms, op: '>', value: 0, year: 2023, text: 零的突破}
  - {id: some, indicator: key_disciplines, op: '>', value: 0, year: 2023, text: x}
"""
SHARE_OBS = """\
region,indicator,year,value
湘潭市,hitech_enterprise_revenue_share,2021,53.13
湘潭市,hitech_enterprise_revenue_share,2022,81.87
湘潭市,hitech_industry_va_share_gdp,2021,38.3
湘潭市,hitech_industry_va_share_gdp,2022,40.44
湘潭市,innovation_platforms,2020,0
湘潭市,innovation_platforms,2021,0
湘潭市,innovation_platforms,2022,0
湘潭市,key_disciplines,2020,0
湘潭市,key_disciplines,2021,1
湘潭市,key_disciplines,2022,1
"""


def test_two_point_share_at_its_bound_and_breaking_zero_are_low_confidence(tmp_path,
                                                                           make_workspace):
    ws = make_workspace(tmp_path / "ws", SHARE_OBS, SHARE_PLAN)
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["run", str(ws), "--out", str(out), "-q", "--model", "trend",
                                 "--draws", "2000", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out / "probabilities.csv").set_index("target_id")
    low = rows["low_confidence"].fillna("")
    # the share piles up within 5 points of 100% having risen towards it; the other stays apart
    assert rows.loc["piled", "statistic_p50"] >= 95 > rows.loc["apart", "statistic_p50"]
    assert "piles up at its bound" in low["piled"] and low["apart"] == ""
    assert "breaking zero from 3 zero years" in low["zero"] and low["some"] == ""
    for target in ("piled", "zero"):  # every output carries the mark
        assert f"low confidence: {low[target]}" in (out / "summary.md").read_text()
        assert "(low confidence)" in (out / "summary.md").read_text()
        json_rows = json.loads((out / "probabilities.json").read_text())["rows"]
        assert any(r["target_id"] == target and r["low_confidence"] == low[target]
                   for r in json_rows)
        parquet = pd.read_parquet(out / "probabilities.parquet").set_index("target_id")
        assert parquet.loc[target, "low_confidence"] == low[target]
        assert f"low confidence: s/{target} (P " in result.output and low[target] in result.output
    assert "low confidence" in (out / "report.html").read_text()


def test_a_short_series_note_claims_borrowing_only_where_there_was_a_region_to_borrow_from(
        catalogue):
    note = "short series (2 points): trend and spread borrowed from the regions it is pooled with"
    rows = pd.DataFrame([{"plan_id": "p", "target_id": "t", "region": "湘潭市",
                          "indicator": "key_disciplines", "assessable": True, "model": "counts",
                          "op": ">=", "year": 2023, "note": f"{note}; derived", "kind": "level"}])
    alone = with_confidence(rows, {}, catalogue, Counter({"key_disciplines": 1}), set())
    pooled = with_confidence(rows, {}, catalogue, Counter({"key_disciplines": 2}), set())
    assert pooled.loc[0, "note"] == f"{note}; derived"
    assert "borrowed" not in alone.loc[0, "note"] and alone.loc[0, "note"].endswith("; derived")
    assert "no other region to borrow from" in alone.loc[0, "note"]


def test_a_one_region_counts_run_does_not_claim_borrowing(tmp_path, make_workspace):
    obs = ("region,indicator,year,value\n湘潭市,key_disciplines,2021,28\n"
           "湘潭市,key_disciplines,2022,30\n")
    plan = ("plan: {id: k, title: t, region: 湘潭市}\ntargets:\n  - {id: k, indicator: "
            "key_disciplines, op: '>=', value: 31, year: 2023, text: x}\n")
    ws = make_workspace(tmp_path / "ws", obs, plan)
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["run", str(ws), "--out", str(out), "-q", "--no-reports",
                                 "--model", "counts", "--draws", "500"])
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out / "probabilities.csv").iloc[0]
    assert row["model"] == "counts" and "short series (2 points)" in row["note"]
    assert "borrowed" not in row["note"] and "no other region" in row["note"]
