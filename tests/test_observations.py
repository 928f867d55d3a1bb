"""Reading observations: encodings, Excel, and one-line errors naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.inputs.observations import read_observations
from forecast.inputs.regions import read_regions, unknown_plan_region_notes, unknown_region_notes
from forecast.inputs.series import data_quality_notes, series_table

GOOD = "region,indicator,year,value\n湘潭市,rd_intensity,2021,2.53\n湘潭市,rd_intensity,2022,2.95\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name="observations.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_reads_utf8_bom_and_gbk(tmp_path, catalogue, encoding):
    obs = read_observations(write(tmp_path, GOOD, encoding), catalogue)
    assert obs["region"].tolist() == ["湘潭市", "湘潭市"]
    assert obs["value"].tolist() == [2.53, 2.95]


def test_reads_excel(tmp_path, catalogue):
    path = tmp_path / "observations.xlsx"
    pd.DataFrame({"region": ["湖南"], "indicator": ["gdp"], "year": [2022],
                  "value": [48670.4]}).to_excel(path, index=False)
    obs = read_observations(path, catalogue)
    assert obs.loc[0, "value"] == 48670.4 and obs.loc[0, "year"] == 2022


def test_an_excel_formula_without_a_saved_value_is_named(tmp_path, catalogue):
    """A formula written by a script has no saved value: named by its cell, not reported as
    the blank "not a number" the reader would see."""
    import openpyxl

    path = tmp_path / "observations.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["region", "indicator", "year", "value"])
    wb.active.append(["湖南", "gdp", 2022, "=1+1"])
    wb.save(path)
    with pytest.raises(InputError, match="cell D2 of sheet 'Sheet' holds a formula"):
        read_observations(path, catalogue)


def test_region_names_resolve_to_ids(tmp_path, catalogue):
    text = "region,name_en,level,parent\n湖南,Hunan,province,全国\n"
    regions = read_regions(write(tmp_path, text, name="regions.csv"))
    obs = read_observations(write(tmp_path, "region,indicator,year,value\nHunan,gdp,2022,1\n"),
                            catalogue, regions)
    assert obs.loc[0, "region"] == "湖南"


@pytest.mark.parametrize(("body", "row", "column", "words"), [
    ("湘潭市,rd_intensty,2022,2.95", 3, "indicator", "unknown indicator 'rd_intensty'"),
    ("湘潭市,rd_intensity,2022,2.95", 3, "year", "duplicate"),
    ("湘潭市,rd_intensity,2020,abc", 3, "value", "not a number"),
    ("湘潭市,rd_intensity,2020,295", 3, "value", "outside the bounds"),
    ("湘潭市,rd_intensity,2031,2.95", 3, "year", "after 2026"),
    ("湘潭市,rd_intensity,twenty,2.95", 3, "year", "not a whole number"),
    (",rd_intensity,2020,2.95", 3, "region", "empty region"),
])
def test_bad_rows_name_file_row_column_and_fix(tmp_path, catalogue, body, row, column, words):
    path = write(tmp_path, "region,indicator,year,value\n湘潭市,rd_intensity,2022,2.95\n" + body)
    with pytest.raises(InputError) as info:
        read_observations(path, catalogue, latest_year=2026)
    message = str(info.value)
    assert str(path) in message and f"row {row}" in message and f"'{column}'" in message
    assert words in message and "Fix:" in message
    assert "\n" not in message


def test_missing_column(tmp_path, catalogue):
    with pytest.raises(InputError, match=r"missing column.*value"):
        read_observations(write(tmp_path, "region,indicator,year\n湖南,gdp,2022\n"), catalogue)


def test_quality_notes_flag_gaps_and_short_series():
    obs = pd.DataFrame({"region": ["a"] * 3 + ["b"], "indicator": ["gdp"] * 4,
                        "year": [2010, 2011, 2014, 2020], "value": [1.0] * 4})
    notes = data_quality_notes(obs)
    assert notes["note"].tolist() == ["gap in years: 2012, 2013", "only 1 point(s)"]


def test_a_region_regions_csv_does_not_know_gets_a_note_with_the_likely_name(tmp_path,
                                                                              catalogue):
    """湘潭 (for 湘潭市) resolves to nothing in regions.csv: a data-quality note names it and
    suggests the region meant; a region regions.csv knows, by any of its names, gets none."""
    text = ("region,name_en,level,parent\n湖南,Hunan,province,全国\n"
            "湘潭市,Xiangtan,city,湖南\n")
    regions = read_regions(write(tmp_path, text, name="regions.csv"))
    obs = read_observations(write(tmp_path, "region,indicator,year,value\n"
                                  "湘潭,gdp,2022,1\nXiangtan,gdp,2022,2\n火星,gdp,2022,3\n"),
                            catalogue, regions)
    keys = series_table(obs).keys
    notes = unknown_region_notes(keys, regions)
    assert notes[["region", "indicator"]].values.tolist() == [["湘潭", "gdp"], ["火星", "gdp"]]
    assert notes["note"].iloc[0].endswith("did you mean 湘潭市?")
    assert "did you mean" not in notes["note"].iloc[1]
    assert unknown_region_notes(keys, None).empty  # no regions.csv: nothing to check against
    from forecast.outputs.reports.terms import note

    assert note(notes["note"].iloc[0], "zh") == (
        "地区“湘潭”不在 regions.csv 中,其序列没有上级地区可供汇合;是否应为“湘潭市”?")


def test_a_plan_region_no_file_knows_gets_a_note_in_both_languages(tmp_path, catalogue):
    """湘谭市 (a typo of 湘潭市) in a plan: its targets' notes name the plan and the likely
    region; a region with observations but no row in regions.csv, or one regions.csv knows,
    gets none. The report says it in Chinese."""
    from forecast.outputs.reports.terms import note

    text = "region,name_en,level,parent\n湖南,Hunan,province,全国\n湘潭市,Xiangtan,city,湖南\n"
    regions = read_regions(write(tmp_path, text, name="regions.csv"))
    targets = [("xt", "湘谭市", "gdp"), ("xt", "湘谭市", "gdp"), ("xt", "湘潭市", "gdp"),
               ("xt", "株洲市", "gdp")]
    notes = unknown_plan_region_notes(targets, regions, observed={"株洲市"})
    assert notes.values.tolist() == [["湘谭市", "gdp", "plan xt names region '湘谭市', which "
                                      "neither regions.csv nor observations.csv has; did you "
                                      "mean 湘潭市?"]]
    assert note(notes["note"].iloc[0], "zh") == (
        "规划 xt 所列地区“湘谭市”在 regions.csv 与 observations.csv 中均不存在;是否应为“湘潭市”?")
    assert unknown_plan_region_notes(targets[2:], None, {"湘潭市", "株洲市"}).empty


def test_reading_in_chunks_changes_nothing_and_keeps_row_numbers(tmp_path, catalogue,
                                                                monkeypatch):
    from forecast.inputs import tabular

    body = "".join(f"r{i % 3},gdp,{2000 + i // 3},{i + 1}\n" for i in range(30))
    path = write(tmp_path, "region,indicator,year,value\n" + body)
    whole = read_observations(path, catalogue)
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 4)
    pd.testing.assert_frame_equal(read_observations(path, catalogue), whole)
    bad = write(tmp_path, "region,indicator,year,value\n" + body + "r1,gdp,2001,5\n",
                name="dup.csv")
    with pytest.raises(InputError, match=r"row 32, column 'year': duplicate"):
        read_observations(bad, catalogue)
    bad = write(tmp_path, "region,indicator,year,value\n" + body.replace(",14\n", ",x\n"),
                name="nan.csv")
    with pytest.raises(InputError, match=r"row 15, column 'value'"):
        read_observations(bad, catalogue)


@pytest.mark.parametrize(("text", "expected"), [
    ('"1,175.5"', 1175.5), ('"12,345"', 12345.0), ("1175.5", 1175.5), ('"+1,000"', 1000.0),
    ("1e3", 1000.0), (" 7 ", 7.0),
])
def test_numbers_are_read_only_when_certain(tmp_path, catalogue, text, expected):
    """Grouped thousands and plain numbers are read; the value is the number as written
    (computed independently: the digits without their group separators)."""
    obs = read_observations(write(tmp_path, f"region,indicator,year,value\n湖南,gdp,2022,{text}\n"),
                            catalogue)
    assert obs.loc[0, "value"] == expected


@pytest.mark.parametrize("text", ['"1175,5"', '"1,2345"', '"12,34.5"', "inf", "1.2.3"])
def test_uncertain_numbers_are_refused(tmp_path, catalogue, text):
    path = write(tmp_path, f"region,indicator,year,value\n湖南,gdp,2022,{text}\n")
    with pytest.raises(InputError, match=r"row 2, column 'value': value .* is not a number"):
        read_observations(path, catalogue)


@pytest.mark.parametrize(("year", "ok"), [(1949, True), (2100, True), (1948, False),
                                          (2101, False)])
def test_years_lie_in_1949_to_2100(tmp_path, catalogue, year, ok):
    path = write(tmp_path, f"region,indicator,year,value\n湖南,gdp,{year},1\n")
    if ok:
        assert read_observations(path, catalogue).loc[0, "year"] == year
    else:
        with pytest.raises(InputError, match="outside 1949–2100"):
            read_observations(path, catalogue)


def test_a_row_wider_than_the_header_is_refused(tmp_path, catalogue):
    """1,175.5 unquoted is four cells: today's reading would have kept the 1."""
    path = write(tmp_path, "region,indicator,year,value\n湖南,gdp,2022,1,175.5\n")
    with pytest.raises(InputError, match="row 2: 5 cells where the header has 4"):
        read_observations(path, catalogue)
