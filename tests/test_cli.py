"""`forecast run` end to end on tiny workspaces and on the bundled example."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.cells import cell_len
from scipy import stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.cli.console import plan_lines
from forecast.models.random_walk import load_prior

RUNNER = CliRunner()
RD = [233.2, 287.7, 327.0, 367.9, 412.7, 468.8, 568.5, 658.3, 787.2, 898.7]  # Hunan 2011-2020
OBS = "region,indicator,year,value\n" + "".join(
    f"湖南,rd_expenditure,{2011 + i},{v}\n" for i, v in enumerate(RD)
) + "湖南,rd_intensity,2019,1.98\n湖南,rd_intensity,2020,2.15\n"
PLAN = """\
plan: {id: tiny, title: tiny plan, region: 湖南, base_year: 2020, period: [2021, 2023]}
targets:
  - {id: level, indicator: rd_expenditure, kind: level, op: ">=", value: 1300, year: 2023,
     text: 研发经费达到1300亿元}
  - {id: growth, indicator: rd_expenditure, kind: growth, op: ">=", value: 10, year: 2021,
     text: 研发经费增长10%}
  - {id: share, indicator: rd_intensity, kind: level, op: ">=", value: 2.5, year: 2023, text: x}
  - {id: cum, indicator: rd_expenditure, kind: cumulative, op: ">=", value: 3500, year: 2023,
     text: 累计}
  - {id: none, indicator: hitech_enterprises, kind: level, op: ">=", value: 5, year: 2023,
     text: 高企5家}
  - {id: yesno, indicator: innovation_policy_issued, kind: qualitative, text: 有}
"""


def run(*args: str, reports: bool = False):
    """`forecast run ... --quiet` (reports have their own tests: test_reports.py)."""
    return RUNNER.invoke(app, ["run", *args, "--quiet", *([] if reports else ["--no-reports"])],
                         catch_exceptions=False)


@pytest.fixture
def workspace(tmp_path: Path, make_workspace) -> Path:
    return make_workspace(tmp_path / "ws", OBS, PLAN)


def test_run_writes_all_outputs_and_rows(workspace, tmp_path):
    out = tmp_path / "out"
    result = run(str(workspace), "--out", str(out), "--model", "drift", "--draws", "500")
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"probabilities.csv", "probabilities.json",
                                               "probabilities.parquet", "suggestions.csv",
                                               "plan_outcomes.csv", "paths.parquet",
                                               "review.csv", "summary.md"}
    parquet = pd.read_parquet(out / "probabilities.parquet")
    csv = pd.read_csv(out / "probabilities.csv", keep_default_na=False, na_values=[""])
    assert parquet["target_id"].tolist() == csv["target_id"].tolist()
    for col in ("probability", "statistic_p50", "last_value"):
        np.testing.assert_array_equal(parquet[col].to_numpy(float), csv[col].to_numpy(float))
    rows = pd.read_csv(out / "probabilities.csv").set_index("target_id")
    assert list(rows.index) == ["level", "growth", "share", "cum", "none", "yesno"]
    assert rows.loc["none", "note"] == "no data" and np.isnan(rows.loc["none", "probability"])
    assert "qualitative" in rows.loc["yesno", "note"]
    assert rows.loc["level", "assessable"] and 0 <= rows.loc["level", "probability"] <= 1
    assert rows.loc["level", "last_year"] == 2020 and rows.loc["level", "last_value"] == 898.7
    # Hunan 2011-2020: (898.7 / 233.2) ** (1/9) - 1
    assert rows.loc["level", "historical_rate"] == pytest.approx(100 * ((898.7 / 233.2) ** (1 / 9)
                                                                        - 1), abs=1e-3)
    assert rows.loc["level", "required_rate"] == pytest.approx(100 * ((1300 / 898.7) ** (1 / 3)
                                                                      - 1), abs=1e-3)
    assert "short series (2 points)" in rows.loc["share", "note"]
    series = json.loads((out / "probabilities.json").read_text())["diagnostics"]["series"][
        "湖南|rd_expenditure"]
    fan = series["fan"]
    assert list(fan) == ["2021", "2022", "2023"] and series["history"]["2020"] == 898.7
    levels = series["fan_levels"]
    p10, p50, p90 = (fan["2023"][levels.index(q)] for q in (0.1, 0.5, 0.9))
    assert fan["2023"] == sorted(fan["2023"])
    assert p10 < rows.loc["level", "statistic_p50"] < p90 and p50 > 898.7
    summary = (out / "summary.md").read_text(encoding="utf-8")
    # the data to supply, named as the catalogue does in the run's language (not by id)
    assert "tiny plan" in summary and "高新技术企业数" in summary
    assert "hitech_enterprises" not in summary


def test_drift_probability_matches_closed_form_end_to_end(workspace, tmp_path):
    """P(rd_expenditure >= 1300 in 2023) from 20,000 paths vs the Student-t predictive."""
    out = tmp_path / "out"
    assert run(str(workspace), "--out", str(out), "--model", "drift", "--draws", "20000",
               "--seed", "5").exit_code == 0
    row = pd.read_csv(out / "probabilities.csv").set_index("target_id").loc["level"]
    prior_df, prior_scale = load_prior()
    d = np.diff(np.log(RD))
    m, h = len(d), 3
    df = prior_df + m - 1
    s2 = (prior_df * prior_scale**2 + ((d - d.mean()) ** 2).sum()) / df
    loc, scale = np.log(RD[-1]) + h * d.mean(), np.sqrt(s2 * (h + h**2 / m))
    expected = stats.t.sf(np.log(1300), df, loc, scale)
    se = np.sqrt(expected * (1 - expected) / 20000)
    assert row["probability"] == pytest.approx(expected, abs=4 * se)
    assert row["probability_se"] == pytest.approx(se, abs=0.001)


def test_same_seed_same_bytes_and_row_order_does_not_matter(workspace, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert run(str(workspace), "--out", str(a), "--draws", "300").exit_code == 0
    assert run(str(workspace), "--out", str(b), "--draws", "300").exit_code == 0
    lines = OBS.splitlines()
    body = lines[1:]
    random.Random(1).shuffle(body)
    (workspace / "data" / "observations.csv").write_text("\n".join([lines[0], *body]) + "\n",
                                                         encoding="utf-8")
    assert run(str(workspace), "--out", str(c), "--draws", "300").exit_code == 0
    for name in ("probabilities.csv", "summary.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes() == (c / name).read_bytes()
    d = tmp_path / "d"
    assert run(str(workspace), "--out", str(d), "--draws", "300", "--seed", "2").exit_code == 0
    assert (a / "probabilities.csv").read_bytes() != (d / "probabilities.csv").read_bytes()


def test_as_of_uses_only_earlier_observations(workspace, tmp_path):
    out = tmp_path / "out"
    assert run(str(workspace), "--out", str(out), "--as-of", "2017", "--model", "drift",
               "--draws", "300").exit_code == 0
    rows = pd.read_csv(out / "probabilities.csv").set_index("target_id")
    assert rows.loc["level", "last_year"] == 2017 and rows.loc["level", "last_value"] == 568.5
    assert rows.loc["share", "note"] == "no data"


def test_bad_input_exits_2_with_one_line_and_writes_nothing(workspace, tmp_path):
    obs = workspace / "data" / "observations.csv"
    obs.write_text(OBS + "湖南,rd_intensity,2018,abc\n", encoding="utf-8")
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["run", str(workspace), "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "observations.csv" in result.output and "row 14" in result.output
    assert not out.exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_as_of_in_the_future_is_refused(workspace):
    result = RUNNER.invoke(app, ["run", str(workspace), "--as-of", "2999", "-q"])
    assert result.exit_code == 2 and "--as-of 2999 is in the future" in result.output


def test_non_empty_out_folder_is_refused(workspace, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = RUNNER.invoke(app, ["run", str(workspace), "--out", str(out), "-q"])
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_console_script_help_and_exit_status(workspace, tmp_path):
    exe = Path(sys.executable).with_name("forecast")
    help_text = subprocess.run([exe, "run", "--help"], capture_output=True, text=True,
                               check=True).stdout
    assert "--as-of" in help_text and "Example" in help_text
    bad = subprocess.run([exe, "run", str(tmp_path / "nowhere"), "-q"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")


def test_report_renders_one_plan_of_a_finished_run(workspace, tmp_path):
    """`forecast report RUN --plan ID` renders from the run's files: the data may change
    afterwards, the report does not (no refit)."""
    out = tmp_path / "out"
    assert run(str(workspace), "--out", str(out), "--model", "drift", "--draws", "300"
               ).exit_code == 0
    (workspace / "data" / "observations.csv").write_text("region,indicator,year,value\n",
                                                          encoding="utf-8")
    result = RUNNER.invoke(app, ["report", str(out), "--plan", "tiny", "--lang", "en"])
    assert result.exit_code == 0, result.output
    # the run wrote no reports, so no language is there to keep: RUN/plan-tiny/
    assert f"report: {out / 'plan-tiny' / 'report.html'}" in result.output
    html = (out / "plan-tiny" / "report.html").read_text(encoding="utf-8")
    rows = pd.read_csv(out / "probabilities.csv")
    headline = html[html.index('<table data-table="headline">'):]
    headline = headline[:headline.index("</table>")]
    assert "tiny plan" in html and headline.count("<tr>") == len(rows) + 1
    p = rows.set_index("target_id").loc["level", "probability"]
    assert f">{p:.2f}<" in headline


def test_many_plans_get_a_national_overview(tmp_path, many_plans_workspace, catalogue):
    """Over 20 plans, summary.md summarises by province, indicator and kind instead of
    listing every target, in the run's language (Chinese by default) throughout."""
    root = many_plans_workspace
    out = tmp_path / "out"
    assert run(str(root), "--out", str(out), "--model", "drift", "--draws", "300"
               ).exit_code == 0
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## 按省份" in summary and "| 湖南 | 24 | 24 |" in summary
    assert "## 最不可能实现的 25 项目标" in summary and "县3规划" not in summary
    name = catalogue["rd_expenditure"].name_zh
    assert f"| {name} | 24 | 24 |" in summary and "By province" not in summary


SCENARIO = """\
scenario: {id: push, title: R&D push}
adjustments:
  - {indicator: rd_expenditure, from_year: 2022, growth_shift: 3}
"""


def test_scenarios_suggestions_and_review_end_to_end(workspace, tmp_path):
    (workspace / "data" / "scenarios").mkdir()
    (workspace / "data" / "scenarios" / "push.yaml").write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    assert run(str(workspace), "--out", str(out), "--draws", "400", "--model", "drift",
               "--lang", "en").exit_code == 0
    rows = pd.read_csv(out / "probabilities.csv")
    assert list(rows["scenario"].unique()) == ["baseline", "push"]
    level = rows[rows["target_id"] == "level"].set_index("scenario")["probability"]
    assert level["push"] > level["baseline"]  # 3 points faster for two years
    suggestions = pd.read_csv(out / "suggestions.csv")
    assert list(suggestions.columns) == ["plan_id", "target_id", "scenario", "confidence",
                                         "achievable_value", "achievable_rate"]
    lvl = suggestions[(suggestions["target_id"] == "level")
                      & (suggestions["scenario"] == "baseline")]["achievable_value"]
    assert lvl.is_monotonic_decreasing  # more confidence, a lower promise
    review = pd.read_csv(out / "review.csv")  # the plan (2021-2023) has begun
    assert {"probability_at_base", "status", "progress_share"} <= set(review.columns)
    # its year (2023) has passed by the calendar year, with data to 2020: awaiting data
    assert set(review["status"]) <= {"on track", "at risk", "off track", "no data",
                                     "awaiting data"}
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "### Scenarios" in summary and "achievable at 80%" in summary
    printed = RUNNER.invoke(app, ["suggest", str(workspace), "--plan", "tiny", "--model",
                                  "drift", "--draws", "400", "-q"])
    assert printed.exit_code == 0, printed.output
    assert "80% confident" in printed.output and "push" in printed.output
    reviewed = RUNNER.invoke(app, ["review", str(workspace), "--plan", "tiny", "--model",
                                   "drift", "--draws", "400", "-q"])
    assert reviewed.exit_code == 0, reviewed.output
    assert "P at base" in reviewed.output
    # both print the plan as a whole, as the run's plan_outcomes.csv has it (same seed)
    from forecast.outputs.plan_line import plan_line

    outcomes = pd.read_csv(out / "plan_outcomes.csv")
    assert list(outcomes["scenario"]) == ["baseline", "push"]
    assert (outcomes["n_assessable"] > 0).all()
    for row in outcomes.to_dict(orient="records"):
        line = f"plan as a whole ({row['scenario']}): {plan_line(row)}"
        assert line in printed.output and line in reviewed.output


@pytest.mark.parametrize("body, message", [
    ("  - {indicator: tech_smes, growth_shift: 2}", "has no data in the workspace"),
    ("  - {indicator: rd_expenditure, from_year: 2040, growth_shift: 2}", "outside the run"),
    ("  - {indicator: nonsense, growth_shift: 2}", "unknown indicator"),
])
def test_a_bad_scenario_is_one_line_exit_2_and_nothing_written(workspace, tmp_path, body,
                                                              message):
    (workspace / "data" / "scenarios").mkdir()
    (workspace / "data" / "scenarios" / "bad.yaml").write_text(
        f"scenario: {{id: bad}}\nadjustments:\n{body}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["run", str(workspace), "--out", str(out), "--model", "drift",
                                 "--draws", "200", "-q"])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "bad.yaml" in result.output
    assert not out.exists()
    unknown = RUNNER.invoke(app, ["run", str(workspace), "--scenario", "nope", "-q"])
    assert unknown.exit_code == 2


def test_a_run_ends_with_one_line_per_plan():
    """Counted by hand: plan a has P 0.9, 0.66 (on track), 0.5 (at risk), 0.1 (off track),
    one target without data, and one already observed and met; plan b's one target is at
    risk. Scenario rows are not counted; more plans than the limit are summed up. With the
    review's rows, a target the review found broken in an observed year is missed, and one
    whose year passed unobserved is awaiting data, whatever its probability, with what its
    probability says (≥ 0.66 likely met, ≥ 0.33 uncertain, else likely missed)."""
    rows = pd.DataFrame({
        "plan_id": ["a"] * 6 + ["b", "a"],
        "target_id": ["t1", "t2", "t3", "t4", "t5", "t6", "u1", "t1"],
        "scenario": ["baseline"] * 7 + ["push"],
        "assessable": [True, True, True, True, False, True, True, True],
        "model": ["trend"] * 5 + ["observed", "trend", "trend"],
        "probability": [0.9, 0.66, 0.5, 0.1, float("nan"), 1.0, 0.33, 0.1],
    })
    assert plan_lines(rows) == [
        "  a: 6 targets, 5 assessed: 2 on track, 1 at risk, 1 off track, 1 met, 0 missed",
        "  b: 1 target, 1 assessed: 0 on track, 1 at risk, 0 off track"]
    review = pd.DataFrame({"plan_id": ["a", "a", "a"], "target_id": ["t1", "t3", "t5"],
                           "scenario": ["baseline"] * 3,
                           "status": ["missed", "awaiting data", "no data"]})
    assert plan_lines(rows, review)[0] == (
        "  a: 6 targets, 5 assessed: 1 on track, 0 at risk, 1 off track, 1 met, 1 missed, "
        "1 awaiting data (by the forecast: 1 uncertain)")  # P 0.5
    waiting = review.assign(target_id=["t1", "t2", "t4"], status=["awaiting data"] * 3)
    assert plan_lines(rows.iloc[[0, 1, 3]], waiting)[0] == (  # P 0.9, 0.66, 0.1
        "  a: 3 targets, 3 assessed: 3 awaiting data (by the forecast: 2 likely met, "
        "1 likely missed)")
    none = rows.assign(assessable=False)
    assert plan_lines(none)[1] == "  b: 1 target, none assessed (the data they need: summary.md)"
    assert plan_lines(rows, limit=1)[-1] == "  ... and 1 more plans (summary.md)"


def test_run_with_plan_runs_only_those_plans(workspace, tmp_path):
    """`--plan ID` (repeatable) assesses those plans only, with the same probabilities as the
    whole run (the `drift` model fits each series alone); an unknown id is refused before any
    work, and nothing is written."""
    other = (workspace / "data" / "plans" / "plan.yaml").read_text(encoding="utf-8")
    (workspace / "data" / "plans" / "other.yaml").write_text(
        other.replace("id: tiny,", "id: other,", 1), encoding="utf-8")
    whole, only = tmp_path / "whole", tmp_path / "only"
    assert run(str(workspace), "--out", str(whole), "--model", "drift").exit_code == 0
    assert run(str(workspace), "--out", str(only), "--model", "drift", "--plan", "tiny"
               ).exit_code == 0
    rows = pd.read_csv(only / "probabilities.csv")
    all_rows = pd.read_csv(whole / "probabilities.csv")
    assert set(rows["plan_id"]) == {"tiny"} and set(all_rows["plan_id"]) == {"tiny", "other"}
    pd.testing.assert_frame_equal(rows, all_rows[all_rows["plan_id"] == "tiny"]
                                  .reset_index(drop=True))
    bad = run(str(workspace), "--out", str(tmp_path / "bad"), "--plan", "nope")
    assert bad.exit_code == 2 and "no plan 'nope'" in bad.output
    assert not (tmp_path / "bad").exists()


COMMANDS = [None, *(c.name or c.callback.__name__ for c in app.registered_commands)]


@pytest.mark.parametrize("command", COMMANDS, ids=[c or "forecast" for c in COMMANDS])
def test_help_wraps_cleanly_at_80_columns(command):
    """Every `--help` at 80 columns: no line wider than the terminal; prose wrapped once, by
    the terminal (a line is broken only where the next word would not fit, not where the
    docstring's source happened to break); examples never broken; option names and their
    metavars never split mid-word."""
    width = 80
    out = RUNNER.invoke(app, [*([command] if command else []), "--help"],
                        env={"COLUMNS": str(width)}, terminal_width=width).output
    lines = out.splitlines()
    assert lines and max(map(cell_len, lines)) <= width  # columns: 汉字 take two
    text = [line for line in lines if not line.startswith(("│", "╭", "╰"))]
    for line, after in pairwise(text):
        prose = line.startswith(" ") and not line.startswith("     ")
        if prose and line.strip() and after.strip() and not after.startswith("     "):
            next_word = after.split()[0]
            assert cell_len(line.rstrip()) + 1 + cell_len(next_word) > width - 2, (line, after)
        if line.startswith("     ") and line.strip() and after.strip():
            assert after.startswith("     "), f"an example broken: {line.strip()!r}"
    panel = [cell for line in lines if line.startswith("│")
             for cell in line.strip("│").split("  ") if cell.strip()]
    assert not [c for c in panel if c.strip().startswith("<") and ">" not in c], \
        "a metavar split over lines"


@pytest.mark.parametrize(("args", "words"), [
    (["run", "--draws", "abc"], "Invalid value for '--draws'"),
    (["run", "--model", "nope"], "'nope' is not one of"),
    (["run", "--nope"], "No such option: --nope"),
    (["runn"], "No such command 'runn'"),
])
def test_a_usage_error_is_one_line_too(args, words):
    """What typer refuses before a command runs is said as the house's one line (exit 2, the
    command's --help named), not typer's boxed usage text: the `forecast` command's main."""
    done = subprocess.run([sys.executable, "-c", "from forecast.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and words in lines[0] and "--help`" in lines[0]
