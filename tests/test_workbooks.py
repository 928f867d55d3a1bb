"""Data-entry workbooks: `forecast template` writes what a plan needs, a filled copy in
data/entry/ is read by `forecast run` exactly like the same values in observations.csv."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inputs.workbooks import parse_value

RUNNER = CliRunner()
HUNAN = [233.2, 287.7, 327.0, 367.9, 412.7, 468.8, 568.5, 658.3, 787.2, 898.7]  # 2011-2020
XIANGTAN = {2016: 50.1, 2017: 56.3, 2018: 63.0, 2019: 70.2, 2020: 79.9}  # to be entered
OBS = "region,indicator,year,value\n" + "".join(
    f"湖南,rd_expenditure,{2011 + i},{v}\n" for i, v in enumerate(HUNAN))
PLAN = """\
plan: {id: entry-plan, title: 录入测试, region: 湘潭}
targets:
  - {id: hunan, region: 湖南, indicator: rd_expenditure, op: '>=', value: 1300, year: 2023,
     base_year: 2020, text: x}
  - {id: xiangtan, region: 湘潭, indicator: rd_expenditure, op: '>=', value: 110, year: 2023,
     base_year: 2020, text: x}
"""


def run(*args: str):
    return RUNNER.invoke(app, ["run", *args, "-q", "--no-reports", "--model", "drift",
                               "--draws", "2000"])


def test_filled_template_gives_the_same_probabilities_as_observations(tmp_path,
                                                                        make_workspace):
    ws = make_workspace(tmp_path / "ws", OBS, PLAN)
    made = RUNNER.invoke(app, ["template", str(ws), "--plan", "entry-plan"])
    assert made.exit_code == 0, made.output
    book = ws / "data" / "entry" / "entry-plan.xlsx"
    wb = openpyxl.load_workbook(book)
    sheet = wb["数据录入 data"]
    header = [c.value for c in sheet[1]]
    years = {int(h): j for j, h in enumerate(header, 1) if str(h).isdigit()}
    assert min(years) == 2016 and max(years) >= 2023
    rows = {sheet.cell(i, 1).value: i for i in range(2, sheet.max_row + 1)}
    assert sheet.cell(rows["湖南"], years[2020]).value == 898.7  # known: filled in
    assert sheet.cell(rows["湘潭"], years[2020]).value is None  # wanted: highlighted
    assert sheet.cell(rows["湘潭"], years[2020]).fill.fgColor.rgb.endswith("FFF2CC")
    typed = {2016: 50.1, 2017: "56.3亿元", 2018: "630000万元", 2019: " 70.2 ", 2020: 79.9}
    for year, value in typed.items():
        sheet.cell(rows["湘潭"], years[year]).value = value
    wb.save(book)
    assert run(str(ws), "--out", str(tmp_path / "from-entry")).exit_code == 0

    same = make_workspace(tmp_path / "same", OBS + "".join(
        f"湘潭,rd_expenditure,{y},{v}\n" for y, v in XIANGTAN.items()), PLAN)
    assert run(str(same), "--out", str(tmp_path / "from-csv")).exit_code == 0
    a = (tmp_path / "from-entry" / "probabilities.csv").read_bytes()
    b = (tmp_path / "from-csv" / "probabilities.csv").read_bytes()
    assert a == b
    rows = pd.read_csv(tmp_path / "from-entry" / "probabilities.csv").set_index("target_id")
    assert rows.loc["xiangtan", "assessable"] and rows.loc["xiangtan", "last_value"] == 79.9


def test_a_bad_cell_is_named_by_sheet_and_cell(tmp_path, make_workspace):
    ws = make_workspace(tmp_path / "ws", OBS, PLAN)
    assert RUNNER.invoke(app, ["template", str(ws), "--plan", "entry-plan"]).exit_code == 0
    book = ws / "data" / "entry" / "entry-plan.xlsx"
    wb = openpyxl.load_workbook(book)
    sheet = wb["数据录入 data"]
    row = next(i for i in range(2, sheet.max_row + 1) if sheet.cell(i, 1).value == "湘潭")
    sheet.cell(row, 7).value = "3,5"  # a decimal comma: refused, never read as 35
    wb.save(book)
    out = tmp_path / "out"
    result = run(str(ws), "--out", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert f"sheet '数据录入 data', cell G{row}" in result.output
    assert "decimal point" in result.output and len(result.output.strip().splitlines()) == 1
    sheet.cell(row, 7).value = "30件"
    wb.save(book)
    result = run(str(ws), "--out", str(out))
    assert result.exit_code == 2 and "'件' but this indicator is in '亿元'" in result.output


def test_a_value_that_contradicts_observations_is_refused(tmp_path, make_workspace):
    ws = make_workspace(tmp_path / "ws", OBS, PLAN)
    entry = ws / "data" / "entry"
    entry.mkdir()
    (entry / "long.csv").write_text("region,indicator,year,value\n湖南,rd_expenditure,2020,"
                                    "898.7\n湖南,rd_expenditure,2019,790\n", encoding="utf-8")
    result = run(str(ws), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "sheet 'csv', cell D3" in result.output and "787.2" in result.output


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("1,234.5", "亿元", 1234.5),
    ("30亿元", "亿元", 30.0),
    ("300000万元", "亿元", 30.0),
    ("1亿元", "万元", 10000.0),
    ("2.5%", "%", 2.5),
    ("２．５％", "%", 2.5),  # full-width, as typed with a Chinese input method
    (12, "家", 12.0),
])
def test_values_typed_with_units_are_converted(text, unit, expected):
    assert parse_value(text, unit) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "unit"), [
    ("2,5", "%"),  # a decimal comma
    ("12,34", "家"),  # not a thousands group
    ("30万元", "%"),
    ("约30", "亿元"),
    ("30 亿", "亿元"),
])
def test_values_that_cannot_be_read_for_sure_are_refused(text, unit):
    with pytest.raises(ValueError):
        parse_value(text, unit)


def test_template_never_overwrites_a_workbook(tmp_path, make_workspace):
    ws = make_workspace(tmp_path / "ws", OBS, PLAN)
    assert RUNNER.invoke(app, ["template", str(ws), "--plan", "entry-plan"]).exit_code == 0
    again = RUNNER.invoke(app, ["template", str(ws), "--plan", "entry-plan"])
    assert again.exit_code == 2 and "file exists" in again.output
    unknown = RUNNER.invoke(app, ["template", str(ws), "--plan", "nope"])
    assert unknown.exit_code == 2 and "no plan 'nope'" in unknown.output


def test_a_new_workspace_without_observations_gets_its_template(tmp_path, make_workspace):
    """A new workspace has plans but no observations.csv yet: `forecast template` writes the
    workbook with every cell to fill, and `forecast run` still says the file is missing."""
    ws = make_workspace(tmp_path / "ws", OBS, PLAN)
    (ws / "data" / "observations.csv").unlink()
    made = RUNNER.invoke(app, ["template", str(ws), "--plan", "entry-plan"])
    assert made.exit_code == 0, made.output
    sheet = openpyxl.load_workbook(ws / "data" / "entry" / "entry-plan.xlsx").worksheets[0]
    values = [[c.value for c in row[5:]] for row in sheet.iter_rows(min_row=2)]
    assert values and all(v is None for row in values for v in row)
    run = RUNNER.invoke(app, ["run", str(ws), "--no-reports", "-q"])
    assert run.exit_code == 2 and "observations.csv: file not found" in run.output


def test_an_entry_csv_in_gbk_is_read(tmp_path, catalogue):
    """A CSV saved by Chinese Excel (GBK), values with grouped thousands: read, not refused
    (the values as written: 1,234.5 is 1234.5)."""
    from forecast.inputs.workbooks import read_workbooks

    folder = tmp_path / "entry"
    folder.mkdir()
    text = "地区 region,指标代码 indicator,2021,2022\n湖南,gdp,\"1,234.5\",46063\n"
    (folder / "e.csv").write_bytes(text.encode("gbk"))
    frame, files = read_workbooks(folder, catalogue)
    assert files == [folder / "e.csv"]
    assert frame[["region", "year", "value"]].values.tolist() == [["湖南", 2021, 1234.5],
                                                                   ["湖南", 2022, 46063.0]]


def test_a_wide_entry_workbook_within_bounds_is_read(tmp_path, catalogue):
    """A sheet reaching column CV (100 columns, the limit) is read; column CW is refused."""
    from forecast.errors import InputError
    from forecast.inputs.workbooks import read_workbooks

    folder = tmp_path / "entry"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "indicator", "2021"])
    ws.append(["湖南", "gdp", 7])
    ws["CV1"] = "note"
    wb.save(folder / "e.xlsx")
    assert read_workbooks(folder, catalogue)[0]["value"].tolist() == [7.0]
    ws["CW1"] = "too far"
    wb.save(folder / "e.xlsx")
    with pytest.raises(InputError, match="reaches column CW"):
        read_workbooks(folder, catalogue)


def _store_value(path, cell: str, formula: str, value: str) -> None:
    """Write ``value`` as the saved value of the formula in ``cell``, as Excel does on save
    (openpyxl writes formulas without one)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    before = f'<c r="{cell}"><f>{formula}</f><v></v></c>'.encode()
    assert before in parts[sheet]
    parts[sheet] = parts[sheet].replace(before, f'<c r="{cell}"><f>{formula}</f><v>{value}'
                                        '</v></c>'.encode())
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_formula_is_read_by_its_saved_value_and_refused_without_one(tmp_path, catalogue):
    """A formula saved by Excel carries its value, which is what is read; a formula written
    by a script has none, and its cell is refused by name instead of read as blank (the
    figure was lost without a word)."""
    from forecast.errors import InputError
    from forecast.inputs.workbooks import read_workbooks

    folder = tmp_path / "entry"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "indicator", "2021", "2022"])
    ws.append(["湖南", "gdp", 7, "=C2*1.1"])
    wb.save(folder / "e.xlsx")
    with pytest.raises(InputError, match=r"cell D2 of sheet 'Sheet' holds a formula "
                                         r"\(=C2\*1.1\) with no saved value"):
        read_workbooks(folder, catalogue)
    _store_value(folder / "e.xlsx", "D2", "C2*1.1", "7.7")
    frame = read_workbooks(folder, catalogue)[0]
    assert frame["value"].tolist() == [7.0, 7.7]
