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
from types import SimpleNamespace

import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from tqdm import tqdm

from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.cli.common import _report_fit, fail
from forecast.cli.console import frame_text, text_table
from forecast.config import BacktestFolder, Workspace, plan_report_folder, posterior_file
from forecast.errors import InputError
from forecast.files import prepare_out_dir
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.plans import Plan, Target
from forecast.outputs.run_folder import run_metadata, write_backtest, write_run
from forecast.outputs.safe_text import (
    FORMULA_START,
    markdown_code,
    markdown_text,
    neutralise_formulas,
    spreadsheet_cell,
    terminal_line,
    terminal_text,
)
from forecast.outputs.wording import progress_text

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


def _csv_cells(path) -> list[str]:
    """Every cell of a CSV file as a spreadsheet reads it (the csv module), header included."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


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
    for table in sorted(out.glob("*.csv")):  # probabilities and suggestions alike
        assert all(_is_number(cell) or not cell.startswith(FORMULA_START)
                   for cell in _csv_cells(table)), table.name
    assert {r["text"] for r in rows} >= {"'" + HOSTILE["dde"]}
    summary = (out / "summary.md").read_text(encoding="utf-8")
    table = [line for line in summary.splitlines() if line.startswith("| R&D expenditure ≥")]
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


def test_a_text_that_reads_as_a_negative_number_is_text_and_real_numbers_stay_numbers():
    """OWASP's rule has no exception for "-5": a text cell (an id, a note) is prefixed even
    when it looks like a number; a real number stays a number, in a float column or among
    text in an object column."""
    frame = pd.DataFrame({"id": ["-5", "5", "+1"],
                          "mixed": pd.Series([-5.0, "=x", None], dtype=object),
                          "value": [-0.5, -1e9, float("nan")]})
    out = neutralise_formulas(frame)
    assert out["id"].tolist() == ["'-5", "5", "'+1"]
    assert out["mixed"].tolist()[:2] == [-5.0, "'=x"] and out["mixed"][2] is None
    pd.testing.assert_series_equal(out["value"], frame["value"])
    assert spreadsheet_cell("=1+1") == "'=1+1" and spreadsheet_cell(-0.5) == -0.5


def test_a_backtest_metrics_csv_is_neutralised(tmp_path):
    """metrics.csv of `forecast backtest` goes through the same writer as a run's CSVs."""
    metrics = pd.DataFrame({"region": ["=1+1", "湖南"], "indicator": ["@SUM(A1)", "gdp"],
                            "horizon": [1, 2], "crps": [-0.5, 0.25]})
    out = write_backtest(tmp_path / "bt", SimpleNamespace(metrics=metrics), {"n": 2})
    cells = _csv_cells(BacktestFolder(out).metrics)
    assert "'=1+1" in cells and "'@SUM(A1)" in cells and "-0.5" in cells
    assert all(_is_number(c) or not c.startswith(FORMULA_START) for c in cells)


@settings(max_examples=200, derandomize=True)
@given(text=st.text())
def test_any_text_is_one_clean_terminal_line(text):
    line = terminal_line(text)
    assert not any(unicodedata.category(c) == "Cc" for c in line)
    assert "\u202e" not in line


def test_a_terminal_table_keeps_one_line_per_row():
    """`forecast suggest` and `forecast review` print ids in aligned tables: an id with a
    line break or an escape sequence stays in its own row and cannot clear the screen."""
    ids = [HOSTILE["ansi-clear"], "a\nreport: /etc/passwd", HOSTILE["osc-title"], "\r\x07ok"]
    lines = text_table(["target", "p"], [[i, "0.50"] for i in ids], {1})
    assert len(lines) == 2 + len(ids)
    assert not any(unicodedata.category(c) == "Cc" for line in lines for c in line)
    assert all(line.endswith("0.50") for line in lines[2:])


def test_an_error_is_one_clean_line_on_stderr(capsys):
    """fail(): an InputError quoting a hostile id is one line, without control characters."""
    exc = InputError(f"unknown target {HOSTILE['ansi-clear']!s}\nreport: /tmp/x\x07",
                     file="plans/p.yaml", fix="check\rthe id")
    with pytest.raises(typer.Exit) as stop:
        fail(exc)
    err = capsys.readouterr().err
    assert stop.value.exit_code == 2
    assert err.endswith("\n") and err.count("\n") == 1
    assert not any(unicodedata.category(c) == "Cc" for c in err[:-1])
    assert err.startswith("error: plans/p.yaml: unknown target rd")


def test_a_fit_progress_line_shows_a_hostile_indicator_id_harmlessly():
    stream = io.StringIO()
    bar = tqdm(desc="fitting", file=stream, total=0, mininterval=0)
    _report_fit(bar, "gdp\x1b]0;owned\x07\n\x1b[2J", {}, True, 1)
    bar.close()
    shown = stream.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown and "\n" not in shown.rstrip("\n")
    assert re.search(r"gdp +\(cached\)", shown)


def _outside_links(tmp_path):
    """A workspace whose names made from ids are symbolic links out of their folders."""
    outside = tmp_path / "outside"
    outside.mkdir()
    ws = Workspace(tmp_path / "ws")
    run = ws.reports / "run-1"
    for folder in (ws.entry, ws.root / "models" / "posteriors", run):
        folder.mkdir(parents=True)
    (ws.reports / "run-2").symlink_to(outside)
    (ws.entry / "p.xlsx").symlink_to(outside / "p.xlsx")  # dangling: still leads out
    (ws.root / "models" / "posteriors" / "gdp.nc").symlink_to(outside / "gdp.nc")
    (run / "plan-p").symlink_to(outside)
    (run / "plan-loop").symlink_to(run / "plan-loop")
    return ws, run, outside


LINKS_OUT = {
    "run-folder": lambda ws, run: ws.run_folder("run-2"),
    "template-workbook": lambda ws, run: ws.template_file("p"),
    "posterior-cache": lambda ws, run: posterior_file(ws.root / "models", "gdp"),
    "plan-reports": lambda ws, run: plan_report_folder(run, "p"),
    "link-loop": lambda ws, run: plan_report_folder(run, "loop"),
}


@pytest.mark.parametrize("make", LINKS_OUT.values(), ids=LINKS_OUT.keys())
def test_a_symbolic_link_that_leads_out_of_its_folder_is_refused(make, tmp_path):
    ws, run, outside = _outside_links(tmp_path)
    with pytest.raises(InputError, match="symbolic link that leads out of") as refused:
        make(ws, run)
    assert "\n" not in str(refused.value) and "path separators" in str(refused.value)
    assert list(outside.iterdir()) == []


def test_a_linked_folder_and_a_link_that_stays_inside_are_accepted(tmp_path):
    """A reports/ on a shared drive (the folder itself a link) is the office's choice: the
    check is against where the folder resolves to."""
    drive = tmp_path / "office-drive"
    drive.mkdir()
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    ws.reports.symlink_to(drive)
    (drive / "run-1").mkdir()
    (drive / "latest").symlink_to(drive / "run-1")
    assert ws.run_folder("latest") == ws.reports / "latest"
    assert plan_report_folder(ws.run_folder("run-1"), "p") == ws.reports / "run-1" / "plan-p"


def test_no_nan_reaches_a_printed_table():
    """A missing number in `forecast compare` or `forecast review` shows as "–", never as
    nan (a reader would take it for a value)."""
    table = pd.DataFrame({"target_id": ["a", "b"], "before": [0.5, float("nan")],
                          "note": ["x", None]})
    text = frame_text(table, "md")
    assert "nan" not in text.lower() and "None" not in text and text.count("–") == 2
    assert progress_text(float("nan"), float("nan")) == "– / –"
    assert progress_text(0.604, 0.4) == "60% / 40%"
    assert progress_text(float("nan"), 0.4) == "– / 40%"
