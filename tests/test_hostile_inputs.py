"""A catalogue of hostile inputs: what a planning office's spreadsheets and YAML may hold by
mistake or by malice. Each case writes a small workspace, runs a command that reads it
(`forecast template`, which validates every input and fits nothing; `forecast extract` for
documents; `forecast run` for options refused before any fit) and expects the one-line
error of a user's mistake: exit status 2, one line starting ``error:``, naming the file (or
the option), and nothing written into the workspace.

Cases whose right answer is a number (a GBK entry file, grouped thousands) are in the
feature's own test file (tests/test_workbooks.py, tests/test_observations.py)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from forecast.cli import app

OBS = "region,indicator,year,value\n湖南,gdp,2020,100\n湖南,gdp,2021,110\n湖南,gdp,2022,120\n"
HEAD = "plan:\n  id: p\n  region: 湖南\n  base_year: 2020\ntargets:\n"
TARGET = "  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2025}\n"
PLAN = HEAD + TARGET
TEMPLATE = ("template", "{ws}", "--plan", "p")
ENTRY_HEAD = "region,indicator,year,value\n"
Content = str | bytes | Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """A workspace's hostile files (path in the workspace -> content, or a function that
    writes it), the command, and what the error line must name."""

    id: str
    files: dict[str, Content]
    names: str
    args: tuple[str, ...] = TEMPLATE
    words: str = ""  # a phrase the error must hold, where it matters which error it is
    extra: dict = field(default_factory=dict)


def plan(target: str) -> dict[str, Content]:
    return {"data/plans/p.yaml": HEAD + target}


def scenario(adjustment: str, sid: str = "s") -> dict[str, Content]:
    return {"data/scenarios/s.yaml": f"scenario: {{id: {sid}}}\nadjustments:\n  - {adjustment}\n"}


def indicators(entry: str) -> dict[str, Content]:
    return {"data/indicators.yaml": entry}


def observations(*rows: str) -> dict[str, Content]:
    return {"data/observations.csv": OBS + "".join(r + "\n" for r in rows)}


def workbook(cells: dict[str, object]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        wb = Workbook()
        ws = wb.active
        for ref, value in cells.items():
            ws[ref] = value
        wb.save(path)
    return write


def zip_bomb(path: Path) -> None:
    """A .docx of a few tens of KB whose document.xml unpacks to 30 MB."""
    body = "<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 850_000
    xml = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    path.write_bytes(buffer.getvalue())


ALIAS_BOMB = ("plan:\n  id: p\n  region: 湖南\na: &a [x, x, x, x, x, x, x, x, x]\n"
              "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b]\n"
              "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ntargets: []\n")
ENTRY_XLSX = {"A1": "region", "B1": "indicator", "C1": "2021", "A2": "湖南", "B2": "gdp"}
EXTRACT = ("extract", "{ws}/{doc}", "--out", "{ws}/draft.yaml", "--workspace", "{ws}")
# the run history in the workspace itself, so that "nothing written" covers it too
RUN = ("run", "{ws}", "--out", "{ws}/out", "--history", "sqlite:///{ws}/reports/history.sqlite")

CASES = [
    # plans: strict types
    Case("plan-each-year-quoted-false", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2025, each_year: 'false'}\n"),
        "p.yaml", words="not true or false"),
    Case("plan-year-fraction", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2025.9}\n"), "p.yaml",
        words="not a year"),
    Case("plan-year-boolean", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: 1, year: true}\n"), "p.yaml"),
    Case("plan-year-text", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: 1, year: abc}\n"), "p.yaml"),
    Case("plan-year-100000000", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: 1, year: 100000000}\n"), "p.yaml",
        words="outside 1949–2100"),
    Case("plan-base-year-1800", plan(
        "  - {id: a, indicator: gdp, kind: cagr, op: '>=', value: 1, year: 2025, "
        "base_year: 1800}\n"), "p.yaml"),
    Case("plan-value-nan", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: .nan, year: 2025}\n"), "p.yaml"),
    Case("plan-value-inf", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: .inf, year: 2025}\n"), "p.yaml"),
    Case("plan-value-quoted-text", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: 'lots', year: 2025}\n"), "p.yaml"),
    Case("plan-targets-a-mapping", plan("  a: {indicator: gdp}\n"), "p.yaml"),
    Case("plan-target-a-string", plan("  - R&D intensity reaches 3%\n"), "p.yaml"),
    Case("plan-year-before-base-year", plan(
        "  - {id: a, indicator: gdp, op: '>=', value: 1, year: 2019}\n"), "p.yaml",
        words="before the base year 2020"),
    Case("plan-share-below-zero", plan(
        "  - {id: a, indicator: rd_intensity, op: '>=', value: -3, year: 2025}\n"), "p.yaml",
        words="outside what rd_intensity can be"),
    Case("plan-share-1e308", plan(
        "  - {id: a, indicator: rd_intensity, op: '<=', value: 1.0e+308, year: 2025}\n"),
        "p.yaml", words="outside"),
    Case("plan-between-reversed", plan(
        "  - {id: a, indicator: gdp, op: between, value: 5, value_hi: 3, year: 2025}\n"),
        "p.yaml", words="value below value_hi"),
    Case("plan-id-path-traversal", {"data/plans/p.yaml": PLAN.replace("id: p", "id: ../../x")},
         "p.yaml", args=("template", "{ws}", "--plan", "../../x"), words="safe id"),
    Case("plan-target-id-slash", plan(
        "  - {id: a/b, indicator: gdp, op: '>=', value: 1, year: 2025}\n"), "p.yaml"),
    Case("plan-region-hidden-name", {"data/plans/p.yaml": PLAN.replace("湖南", ".hidden")},
         "p.yaml"),
    Case("plan-section-a-list", {"data/plans/p.yaml": "plan: [p, 湖南]\n" + "targets: []\n"},
         "p.yaml"),
    # YAML itself
    Case("yaml-alias-bomb", {"data/plans/p.yaml": ALIAS_BOMB}, "p.yaml", words="aliases"),
    Case("yaml-over-5mb", {"data/plans/p.yaml": PLAN + "#" * (5 * 2**20 + 10) + "\n"},
         "p.yaml", words="MB"),
    Case("yaml-not-utf8", {"data/plans/p.yaml": PLAN.encode("gbk")}, "p.yaml"),
    Case("yaml-broken-syntax", {"data/plans/p.yaml": "plan: {id: p\n"}, "p.yaml"),
    # the catalogue
    Case("catalogue-flow-quoted-false", indicators(
        "- {id: my_ind, name_zh: 指标, name_en: x, unit: '%', kind: share, flow: 'false', "
        "direction: up}\n"), "indicators.yaml", words="not true or false"),
    Case("catalogue-lower-text", indicators("- {id: gdp, lower: abc}\n"), "indicators.yaml"),
    Case("catalogue-bounds-reversed", indicators("- {id: gdp, bounds: [5, 1]}\n"),
         "indicators.yaml", words="not below"),
    Case("catalogue-bounds-text", indicators(
        "- {id: my_ind, name_zh: 指标, name_en: x, unit: '%', kind: share, flow: false, "
        "direction: up, bounds: abc}\n"), "indicators.yaml"),
    Case("catalogue-id-path-traversal", indicators(
        "- {id: ../../../x, name_zh: 指标, name_en: x, unit: '%', kind: share, flow: false, "
        "direction: up}\n"), "indicators.yaml", words="safe id"),
    Case("catalogue-a-mapping", indicators("gdp: {unit: 亿元}\n"), "indicators.yaml"),
    # scenarios
    Case("scenario-growth-shift-minus-100", scenario("{indicator: gdp, growth_shift: -100}"),
         "s.yaml", words="growth shift"),
    Case("scenario-growth-shift-1e6", scenario("{indicator: gdp, growth_shift: 1.0e+6}"),
         "s.yaml", words="beyond any scenario"),
    Case("scenario-shock-1e9", scenario("{indicator: gdp, shock: 1.0e+9, year: 2024}"),
         "s.yaml", words="beyond any scenario"),
    Case("scenario-volatility-1e6", scenario("{indicator: gdp, volatility: 1.0e+6}"),
         "s.yaml", words="volatility"),
    Case("scenario-shock-year-fraction", scenario("{indicator: gdp, shock: -5, year: 2024.5}"),
         "s.yaml"),
    Case("scenario-volatility-nan", scenario("{indicator: gdp, volatility: .nan}"), "s.yaml"),
    Case("scenario-from-year-huge", scenario(
        "{indicator: gdp, growth_shift: 1, from_year: 100000000}"), "s.yaml"),
    Case("scenario-id-path-traversal", scenario("{indicator: gdp, volatility: 2}", "../up"),
         "s.yaml"),
    # observations and regions
    Case("observations-decimal-comma", observations('湖南,gdp,2019,"1175,5"'),
         "observations.csv", words="not a number"),
    Case("observations-year-minus-300000000", observations("湖南,gdp,-300000000,1"),
         "observations.csv", words="outside"),
    Case("observations-year-100000000", observations("湖南,gdp,100000000,1"),
         "observations.csv"),
    Case("observations-region-path", observations("../x,gdp,2019,1"), "observations.csv"),
    Case("observations-ragged-row", observations("湖南,gdp,2019,1,extra,more"),
         "observations.csv"),
    Case("observations-empty-file", {"data/observations.csv": ""}, "observations.csv"),
    Case("observations-csv-and-xlsx", {"data/observations.xlsx": workbook(
        {"A1": "region", "B1": "indicator", "C1": "year", "D1": "value", "A2": "湖南",
         "B2": "gdp", "C2": 2020, "D2": 1})}, "observations.xlsx", words="both"),
    Case("observations-header-only", {"data/observations.csv": ENTRY_HEAD}, "observations.csv",
         words="no rows"),
    Case("observations-header-only-run", {"data/observations.csv": ENTRY_HEAD},
         "observations.csv", args=RUN, words="no rows"),
    Case("observations-binary", {"data/observations.csv": b"\xff\xfe\x00\x81\xff" * 50},
         "observations.csv"),
    Case("regions-id-path", {"data/regions.csv": "region,name_en,level,parent\n"
                             "../湖南,Hunan,province,\n"}, "regions.csv"),
    Case("regions-own-parent", {"data/regions.csv": "region,name_en,level,parent\n"
                                "湖南,Hunan,province,湖南\n"}, "regions.csv",
         words="its own ancestor"),
    Case("regions-loop-of-parents", {"data/regions.csv": "region,name_en,level,parent\n"
                                     "湖南,Hunan,province,湘潭市\n湘潭市,Xiangtan,city,湖南\n"},
         "regions.csv", words="湖南 → 湘潭市 → 湖南"),
    # data-entry files
    Case("entry-csv-binary", {"data/entry/e.csv": b"\xff\xfe\x00\x81\xff" * 50}, "e.csv"),
    Case("entry-csv-ragged", {"data/entry/e.csv": ENTRY_HEAD + "湖南,gdp,2019,1,2,3\n"},
         "e.csv"),
    Case("entry-csv-empty", {"data/entry/e.csv": ""}, "e.csv"),
    Case("entry-csv-decimal-comma", {"data/entry/e.csv": ENTRY_HEAD + '湖南,gdp,2019,"1175,5"\n'},
         "e.csv", words="not a number"),
    Case("entry-csv-year-huge", {"data/entry/e.csv": ENTRY_HEAD + "湖南,gdp,100000000,1\n"},
         "e.csv"),
    Case("entry-xlsx-corrupt", {"data/entry/e.xlsx": b"PK\x03\x04 not really a workbook"},
         "e.xlsx"),
    Case("entry-xlsx-cell-in-xfd", {"data/entry/e.xlsx": workbook({**ENTRY_XLSX, "XFD1": 1})},
         "e.xlsx", words="column XFD"),
    Case("entry-xlsx-formula-without-value", {"data/entry/e.xlsx": workbook(
        {**ENTRY_XLSX, "C2": "=1+1"})}, "e.xlsx", words="no saved value"),
    Case("entry-xlsx-decimal-comma", {"data/entry/e.xlsx": workbook({**ENTRY_XLSX,
                                                                     "C2": "1175,5"})},
         "e.xlsx"),
    # documents given to `forecast extract`
    Case("document-docx-zip-bomb", {"plan.docx": zip_bomb}, "plan.docx",
         args=tuple(a.replace("{doc}", "plan.docx") for a in EXTRACT), words="unpacks"),
    Case("document-pdf-garbage", {"plan.pdf": b"%PDF-1.4 garbage"}, "plan.pdf",
         args=tuple(a.replace("{doc}", "plan.pdf") for a in EXTRACT)),
    Case("document-text-too-long", {"plan.txt": "x" * 5_100_000}, "plan.txt",
         args=tuple(a.replace("{doc}", "plan.txt") for a in EXTRACT), words="characters"),
    # options
    Case("option-seed-negative", {}, "--seed", args=(*RUN, "--seed", "-1")),
    Case("option-seed-2-to-the-32", {}, "--seed", args=(*RUN, "--seed", str(2**32))),
    Case("option-as-of-1900", {}, "--as-of", args=(*RUN, "--as-of", "1900")),
    Case("option-out-a-file", {"notes.txt": "x"}, "notes.txt",
         args=(*RUN[:2], "--out", "{ws}/notes.txt", *RUN[4:]), words="--out is a file"),
    Case("option-out-inside-data", {}, "--out",
         args=(*RUN[:2], "--out", "{ws}/data/plans/run", *RUN[4:]), words="data folder"),
    # refused before the run history is made (it would be the one file written)
    Case("option-engine-unknown", {}, "--engine", args=(*RUN, "--engine", "spark")),
    Case("option-as-of-before-a-scenarios-data", {
        **observations("湖南,rd_expenditure,2021,10", "湖南,rd_expenditure,2022,11"),
        "data/scenarios/s.yaml": "scenario: {id: s}\nadjustments:\n"
                                 "  - {indicator: rd_expenditure, growth_shift: 1}\n"},
        "s.yaml", args=(*RUN, "--as-of", "2020"), words="no data up to 2020 (--as-of)"),
    Case("option-as-of-and-a-scenario-without-any-data", {
        "data/scenarios/s.yaml": "scenario: {id: s}\nadjustments:\n"
                                 "  - {indicator: rd_expenditure, growth_shift: 1}\n"},
        "s.yaml", args=(*RUN, "--as-of", "2021"), words="has no data in the workspace"),
    Case("option-as-of-before-every-observation", {}, "--as-of",
         args=(*RUN, "--as-of", "2019"), words="before the first observed year, 2020"),
]


def build(root: Path, files: dict[str, Content]) -> Path:
    """The small valid workspace (one plan, three observations of Hunan's GDP) with
    ``files`` written over it."""
    base: dict[str, Content] = {"data/observations.csv": OBS, "data/plans/p.yaml": PLAN}
    for rel, content in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def listing(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*"))}


def test_the_workspace_without_hostile_files_is_fine(tmp_path):
    ws = build(tmp_path / "ws", {})
    result = CliRunner().invoke(app, [a.format(ws=ws) for a in TEMPLATE])
    assert result.exit_code == 0, result.output
    assert (ws / "data" / "entry" / "p.xlsx").is_file()


def test_there_are_enough_cases():
    assert len(CASES) >= 30 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_is_one_line_error(tmp_path, case: Case):
    ws = build(tmp_path / "ws", case.files)
    before = listing(ws)
    result = CliRunner().invoke(app, [a.format(ws=ws) for a in case.args])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert case.names in lines[0] and case.words in lines[0], lines[0]
    assert listing(ws) == before  # nothing written into the workspace
