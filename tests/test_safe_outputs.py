"""Outputs that cannot attack their reader: CSV cells that no spreadsheet evaluates, summary.md
cells that stay one literal line, terminal lines without escape sequences.

The checks are independent of the code: the csv module reads back what a spreadsheet would
see, a CommonMark/GFM-style cell count splits rows at unescaped pipes, and unicodedata says
what is a control character."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.cli.console import frame_text
from forecast.config import Workspace, plan_report_folder, posterior_file
from forecast.errors import InputError
from forecast.files import prepare_out_dir
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.plans import Plan, Target
from forecast.outputs.run_folder import run_metadata, write_run
from forecast.outputs.safe_text import (
    FORMULA_START,
    markdown_code,
    markdown_text,
    neutralise_formulas,
    spreadsheet_cell,
    terminal_text,
)

from builders import provincial_inputs, provincial_observations

HOSTILE = {
    "formula": "=HYPERLINK(\"http://evil.example\",\"click\")",
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "tab": "\t=1+1",
    "carriage-return": "\r=1+1",
    "newline-html": "目标\n<script>alert(1)</script>",
    "javascript-link": "[点此](javascript:alert(1))",
    "autolink": "<javascript:alert(1)>",
    "pipe": "a | b | c",
    "ansi-clear": "rd\x1b[2J\x1b[1;1H",
    "osc-title": "x\x1b]0;owned\x07y",
    "bell-backspace": "a\x07\x08b",
    "bidi-override": "abc\u202edcba",
    "entity": "&lt;b&gt;",
    "backtick": "`code` | x",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_text_is_harmless_everywhere(text, tmp_path):
    """In a CSV cell, a Markdown cell and on the terminal, each hostile text keeps its
    letters and loses its power."""
    path = tmp_path / "t.csv"
    neutralise_formulas(pd.DataFrame({"text": [text], "p": [0.5]})).to_csv(path, index=False)
    with path.open(newline="", encoding="utf-8") as fh:
        cell = next(iter(csv.DictReader(fh)))["text"]
    assert not cell.startswith(FORMULA_START)
    assert cell.lstrip("'") == text.replace("\r", "\n")  # a bare CR would start a new row

    md = markdown_text(text)
    assert "\n" not in md and "\r" not in md
    assert _cells(f"| {md} | x |") == 2
    assert "<" not in md and "](" not in md.replace("\\](", "")
    assert not re.search(r"&(?!amp;|lt;)#?\w+;", md)

    shown = terminal_text(text)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in shown)
    assert "\u202e" not in shown and "[2J" not in shown and "owned" not in shown


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cells(row: str) -> int:
    """The number of cells of a GFM table row: split at pipes not escaped by a backslash."""
    inner = row.strip()[1:-1]
    return len(re.split(r"(?<!\\)\|", inner))


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    frame = pd.DataFrame({"value": [-0.5, 1e-12], "year": [2025, 2026], "ok": [True, False],
                          "text": ["R&D 强度 ≥ 2.4%", "rd_intensity"]})
    out = neutralise_formulas(frame)
    pd.testing.assert_frame_equal(out, frame)
    assert spreadsheet_cell(-3) == -3 and spreadsheet_cell("=1") == "'=1"
    assert markdown_text("R&D 强度 (rd_intensity) ≥ 2.4%") == "R&D 强度 (rd_intensity) ≥ 2.4%"


def test_a_code_span_cannot_be_closed_or_split():
    assert markdown_code("a`b|c\nd") == "`a'b\\|c d`"
    assert _cells(f"| {markdown_code('x|y|z')} | 1 |") == 2


def test_csv_of_the_run_history_commands_is_neutralised():
    table = pd.DataFrame({"run_id": ["=1+1", "ok"], "probability": [0.25, -0.5]})
    rows = list(csv.reader(io.StringIO(frame_text(table, "csv"))))
    assert rows == [["run_id", "probability"], ["'=1+1", "0.25"], ["ok", "-0.5"]]
    assert _cells(frame_text(table.assign(run_id=["a|b\nc", "x"]), "md").splitlines()[2]) == 2


@settings(max_examples=300, derandomize=True)
@given(text=st.text())
def test_any_text_is_one_markdown_cell_and_a_clean_terminal_line(text):
    md = markdown_text(text)
    assert _cells(f"| {md} | {markdown_code(text)} | x |") == 3
    assert not any(unicodedata.category(c) == "Cc" for c in md)
    assert "<" not in md
    shown = terminal_text(text)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in shown)
    cell = spreadsheet_cell(text)
    assert not cell.startswith(FORMULA_START) and "\r" not in cell
    plain = text.replace("\r\n", "\n").replace("\r", "\n")
    assert cell in (plain, "'" + plain)


def test_a_run_with_hostile_plan_text_writes_safe_files(tmp_path):
    """A real assessment whose plan title and target texts attack spreadsheets, Markdown and
    HTML: probabilities.csv shows them as text, summary.md keeps one row per target with the
    table's six cells, and nothing in it is a link or a tag."""
    catalogue = load_catalogue()
    texts = [HOSTILE["dde"], HOSTILE["newline-html"], HOSTILE["javascript-link"],
             HOSTILE["pipe"]]
    targets = tuple(Target("p-湖南", f"t{i}", "湖南", "rd_expenditure", "level", text, ">=",
                           1000.0 + i, None, 2026) for i, text in enumerate(texts))
    inputs = provincial_inputs(catalogue, {"湖南": targets},
                               provincial_observations(["湖南"], ("rd_expenditure",)))
    plan = inputs.plans[0]
    plans = [Plan(plan.id, "=1+1\n## <img src=x onerror=alert(1)> [x](javascript:y)",
                  plan.region, plan.period, plan.base_year, None, None, plan.targets,
                  plan.file)]
    settings_ = Settings(model="trend", draws=200, seed=3)
    result = assess(inputs, settings_, None)
    meta = run_metadata(settings_, [], tmp_path, True)
    out = write_run(tmp_path / "run", result, plans, meta, "en", catalogue)

    with (out / "probabilities.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(texts)
    for row in rows:
        for value in row.values():
            assert _is_number(value) or not value.startswith(FORMULA_START)
    assert {r["text"] for r in rows} >= {"'" + HOSTILE["dde"]}
    summary = (out / "summary.md").read_text(encoding="utf-8")
    table = [line for line in summary.splitlines() if line.startswith("| `t")]
    assert len(table) == len(texts)
    assert all(_cells(line) == 6 for line in table)
    assert "<img" not in summary and not re.search(r"(?<!\\)\]\(javascript", summary)
    assert summary.count("\n## ") == 1  # the title's own "## " stays inside its heading


@pytest.mark.parametrize("name", ["../x", "../../../etc/cron.d/x", "/tmp/abs", "a/b", "..",
                                  ".", "", "x\0y"],
                         ids=["parent", "deep-parent", "absolute", "subfolder", "dotdot", "dot",
                              "empty", "nul"])
def test_a_name_made_from_an_id_cannot_leave_its_folder(name, tmp_path):
    """Every file name built from an id (run, plan, indicator) is checked where the path is
    made: a workbook, a posterior cache, a plan's reports, a run's folder."""
    ws = Workspace(tmp_path)
    for make in (lambda: ws.template_file(name.removesuffix(".xlsx")) if name else
                 ws.template_file("../"), lambda: ws.run_folder(name),
                 lambda: posterior_file(tmp_path / "models", name),
                 lambda: plan_report_folder(tmp_path, "../" + name)):
        with pytest.raises(InputError, match="is not a plain name inside"):
            make()
    assert list(tmp_path.iterdir()) == []


def test_ordinary_ids_make_ordinary_paths(tmp_path):
    ws = Workspace(tmp_path)
    assert ws.template_file("湘潭-2023.v2") == tmp_path / "data" / "entry" / "湘潭-2023.v2.xlsx"
    assert posterior_file(tmp_path, "rd_intensity@2023") == \
        tmp_path / "posteriors" / "rd_intensity@2023.nc"


def test_a_symlinked_out_folder_is_refused_before_any_work(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(InputError, match="symbolic link"):
        prepare_out_dir(tmp_path / "link")
    assert list(real.iterdir()) == []
