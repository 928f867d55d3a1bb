"""The own-data check (evaluation.own_data, evaluation.corp): the library measures against
hand computations (CORP's isotonic recalibration and decomposition, the randomised PIT, the
binomial acceptance band), the plans' horizons, and on a workspace whose series follow a
known process (a random walk with drift, checked with that model): coverage inside its band.
Then the wiring: the calibration section in probabilities.json, `--no-check`, and the
report's appendix with the user's data before the bundled corpus."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecast.cli import app
from forecast.evaluation.corp import (
    corp_decomposition,
    corp_reliability,
    randomised_pit_histogram,
)
from forecast.evaluation.own_data import acceptance_band, diagram_blocks, plan_horizons
from forecast.inputs.catalogue import load_catalogue
from forecast.outputs.reports.build import build_report
from forecast.outputs.reports.source import read_run

from builders import BundledRun

RUNNER = CliRunner()


def test_corp_matches_a_hand_computation():
    """Forecasts 0.1 0.2 0.3 0.5 0.7 0.9 with outcomes 0 0 1 0 1 1: pool-adjacent-violators
    pools (0.3, 0.5) to 0.5, so the recalibrated values are 0 0 ½ ½ 1 1; the Brier score
    0.89/6, the recalibrated one 0.5/6, the base rate's ¼."""
    prob = np.array([0.1, 0.2, 0.3, 0.5, 0.7, 0.9])
    outcome = np.array([0, 0, 1, 0, 1, 1])
    diagram = corp_reliability(prob, outcome)
    assert diagram["recalibrated"].tolist() == [0, 0, 0.5, 0.5, 1, 1]
    d = corp_decomposition(prob, outcome)
    assert d["brier"] == pytest.approx(0.89 / 6)
    assert d["miscalibration"] == pytest.approx(0.89 / 6 - 0.5 / 6)
    assert d["discrimination"] == pytest.approx(0.25 - 0.5 / 6)
    assert d["uncertainty"] == pytest.approx(0.25)
    steps = diagram_blocks(diagram)  # three steps: 0 up to 0.2, ½ over 0.3-0.5, 1 from 0.7
    assert [(b["forecast_low"], b["forecast_high"], b["observed"], b["count"])
            for b in steps] == [(0.1, 0.2, 0.0, 2), (0.3, 0.5, 0.5, 2), (0.7, 0.9, 1.0, 2)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=2, max_size=80))
def test_corp_decomposition_adds_up(cases):
    """Brier = MCB - DSC + UNC exactly, with MCB and DSC never negative (the isotonic fit is
    the best monotone recalibration, and the constant base rate is one)."""
    prob = np.array([p for p, _ in cases])
    outcome = np.array([o for _, o in cases], float)
    d = corp_decomposition(prob, outcome)
    assert d["brier"] == pytest.approx(d["miscalibration"] - d["discrimination"]
                                       + d["uncertainty"], abs=1e-12)
    assert d["miscalibration"] >= -1e-12 and d["discrimination"] >= -1e-12


def test_randomised_pit_histogram_by_hand():
    """Three held-out values: PIT uniform on [0, ½], uniform on [½, 1], and exactly 0.15.
    Ten bins: 1/15 in each bin, plus the third value's 1/3 in the second."""
    heights = randomised_pit_histogram([0.0, 0.5, 0.15], [0.5, 1.0, 0.15])
    expected = np.full(10, 1 / 15)
    expected[1] += 1 / 3
    np.testing.assert_allclose(heights, expected, atol=1e-12)


def test_randomised_pit_of_calibrated_counts_is_flat():
    """Counts drawn from the forecast's own Poisson(2.5): the randomised PIT is flat, while
    the mid-point PIT of the same values piles into a few bins."""
    rng = np.random.default_rng(5)
    actual = rng.poisson(2.5, size=4000)
    paths = rng.poisson(2.5, size=(20_000, 1))
    below = np.array([np.mean(paths < y) for y in actual])
    at = np.array([np.mean(paths <= y) for y in actual])
    heights = randomised_pit_histogram(below, at)
    assert np.abs(heights - 0.1).max() < 0.02
    mid, _ = np.histogram((below + at) / 2, bins=10, range=(0, 1))
    assert np.abs(mid / len(actual) - 0.1).max() > 0.05


@pytest.mark.parametrize(("n", "level"), [(10, 0.8), (100, 0.8), (57, 0.95)])
def test_acceptance_band_is_the_binomial_central_range(n, level):
    """The smallest k with P(X <= k) >= 2.5% and the smallest with P(X <= k) >= 97.5%, from
    the binomial probabilities summed by hand."""
    cdf = np.cumsum([math.comb(n, k) * level**k * (1 - level) ** (n - k) for k in range(n + 1)])
    low, high = int(np.argmax(cdf >= 0.025)), int(np.argmax(cdf >= 0.975))
    assert acceptance_band(n, level) == pytest.approx((low / n, high / n))


def test_plan_horizons_are_target_year_minus_base_year(tiny_workspace):
    from forecast.api import open_workspace

    plans = open_workspace(tiny_workspace).inputs.plans
    assert plan_horizons(plans) == [3]  # 2023 - 2020
    assert plan_horizons([]) == [5]


def known_process_workspace(root: Path, make_workspace) -> Path:
    """40 regions whose R&D spending follows a random walk with drift on the log scale
    (drift 0.08, step sd 0.1: the scale of the `drift` model's prior, so the process is the
    one the model assumes), 2010-2023, and a plan with one 2025 target (base 2020). With a
    step sd of 0.06 the prior widens the ranges and the 80% range holds about 87%: the check
    would rightly say so."""
    rng = np.random.default_rng(11)
    lines = ["region,indicator,year,value"]
    for r in range(40):
        level = np.log(100 + 10 * r) + np.cumsum(0.08 + 0.1 * rng.standard_normal(14))
        lines += [f"r{r},rd_expenditure,{2010 + i},{np.exp(v):.2f}" for i, v in enumerate(level)]
    plan = ("plan: {id: p, title: p, region: r0, base_year: 2020}\ntargets:\n"
            "  - {id: a, indicator: rd_expenditure, op: '>=', value: 200, year: 2025, "
            "text: x}\n")
    return make_workspace(root, "\n".join(lines) + "\n", plan)


def test_check_on_a_known_process_covers_within_its_band(tmp_path, make_workspace):
    """The model is the process: its 80% and 95% ranges hold the held-out values as often as
    the binomial band allows, and the section says what was checked."""
    root = known_process_workspace(tmp_path / "ws", make_workspace)
    out = tmp_path / "run"
    result = RUNNER.invoke(app, ["run", str(root), "--model", "drift", "--draws", "1000",
                                 "--out", str(out), "-q", "--no-reports"])
    assert result.exit_code == 0, result.output
    check = json.loads((out / "probabilities.json").read_text(encoding="utf-8"))["calibration"]
    assert check["checked"] and check["model"] == "drift" and check["holdout"] == 5
    overall = check["overall"]
    assert overall["origins"] == [2018]  # 2023 - 5: 40 series x 5 years, enough at once
    assert overall["held_out_values"] == 200 and check["series_checked"] == 40
    for level in ("80", "95"):
        assert overall[f"coverage_{level}"]["inside_band"], overall[f"coverage_{level}"]
    assert overall["brier_skill"] == pytest.approx(0.0, abs=1e-9)  # the baseline is drift too
    assert sum(overall["pit_histogram"]) == pytest.approx(1.0)
    assert overall["verdict"] == "enough"


def test_no_check_skips_it_and_says_so(tmp_path, tiny_workspace):
    out = tmp_path / "run"
    result = RUNNER.invoke(app, ["run", str(tiny_workspace), "--model", "drift", "--draws",
                                 "300", "--out", str(out), "-q", "--no-check"])
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "probabilities.json").read_text(encoding="utf-8"))
    assert payload["calibration"] == {"checked": False, "reason": "--no-check"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "本次运行未做本地数据回测" in html


def test_a_short_series_says_what_the_check_needs(tmp_path, tiny_workspace):
    """Ten years, target three years on: one origin (2017) and three held-out values, too
    few to judge: the appendix says how many there are and what they can show."""
    out = tmp_path / "run"
    result = RUNNER.invoke(app, ["run", str(tiny_workspace), "--model", "drift", "--draws",
                                 "300", "--out", str(out), "-q", "--lang", "en"])
    assert result.exit_code == 0, result.output
    check = json.loads((out / "probabilities.json").read_text(encoding="utf-8"))["calibration"]
    overall = check["overall"]
    assert overall["verdict"] == "few" and overall["origins"] == [2015, 2016, 2017]
    assert overall["held_out_values"] == 9  # three origins, three years each
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "With only 9 held-out values" in html


@pytest.mark.xdist_group("bundled")
def test_bundled_report_shows_the_users_data_before_the_corpus(bundled_run: BundledRun):
    run = read_run(bundled_run.folder)
    assert run.calibration["checked"] and run.calibration["model"] == "auto"
    checked = {k for k, v in run.calibration["indicators"].items() if v["verdict"] != "none"}
    assert {"rd_intensity", "rd_expenditure"} <= checked
    for lang in ("zh", "en"):
        report = build_report(run, lang, load_catalogue())
        calibration = next(s for s in report.sections if s.id == "calibration")
        assert [c.id for c in calibration.children] == ["own-data", "corpus-check"]
        charts = {c.id for b in calibration.children[0].blocks
                  for c in getattr(b, "charts", ())}
        assert charts == {"own-reliability", "own-pit"}
    html = (bundled_run.folder / "report.html").read_text(encoding="utf-8")
    assert html.index("本次运行在本地数据上的回测") < html.index("内置语料上的回测")


def test_plans_without_targets_run_and_report_that_there_is_nothing_to_check(tmp_path,
                                                                            tiny_workspace):
    """A workspace whose only plan has no targets yet: the run, its reports and its check
    all finish, and the check says it had nothing to score (a notebook may give ``out`` as a
    str)."""
    from forecast.api import open_workspace

    (tiny_workspace / "data" / "plans" / "plan.yaml").write_text(
        "plan: {id: empty, title: e, region: 湖南}\ntargets: []\n", encoding="utf-8")
    ws = open_workspace(tiny_workspace)
    done = ws.run(ws.settings(model="drift", draws=200), out=str(tmp_path / "run"))
    check = json.loads((done.folder / "probabilities.json").read_text("utf-8"))["calibration"]
    assert check["series"] == 0 and check["overall"]["verdict"] == "none"
    assert (done.folder / "report.html").exists() and len(done.probabilities) == 0


@pytest.mark.xdist_group("bundled")
def test_a_run_made_before_the_check_is_still_reported(bundled_run: BundledRun, tmp_path):
    """A run folder written before the check existed (no calibration section): its report
    says so where the check would be, and still shows the bundled corpus."""
    import shutil

    folder = Path(shutil.copytree(bundled_run.folder, tmp_path / "run"))
    path = folder / "probabilities.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    del payload["calibration"]
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    report = build_report(read_run(folder), "en", load_catalogue())
    own = next(s for s in report.walk() if s.id == "own-data")
    assert [b.text for b in own.blocks] == [
        "This run was made before the check on the workspace's own data existed."]
    assert next(s for s in report.walk() if s.id == "corpus-check").blocks
