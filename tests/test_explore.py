"""`forecast explore` and the paths it replays: paths.parquet keeps a run whole (a replay of
every plan under every scenario gives the run's own probabilities and plan outcomes), the
P(met) curve counts what ``is_met`` says, scenario files are saved validated and never over
another; and the app itself in a real browser (Playwright driving Debian's Chromium): the
page loads clean, a growth shift of R&D spending moves an intensity target to the library's
value, a target-value control moves along the curve, a saved scenario rerun by `forecast run`
gives the page's probabilities, and bad requests get a 4xx."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecast.assessment.replay import Replay, curve
from forecast.cli import app
from forecast.errors import InputError
from forecast.inputs.catalogue import load_catalogue
from forecast.inputs.plans import Target
from forecast.inputs.scenarios import Adjustment, Scenario, read_scenario, read_scenarios
from forecast.outputs.paths_file import read_paths
from forecast.targets.engine import is_met, probability

from builders import BUNDLED, BUNDLED_ARGS, BundledRun

pytestmark = pytest.mark.xdist_group(BUNDLED)
PLAN = "fyp14-rd-intensity"


def replay_of(folder: Path) -> Replay:
    stored = read_paths(folder / "paths.parquet")
    return Replay(stored.run, stored.series)


def test_a_replay_of_the_stored_paths_is_the_run_itself(bundled_run: BundledRun):
    """Every plan under the baseline and every scenario, replayed on paths.parquet: the same
    probabilities, achievable values and plan outcomes as the run wrote."""
    replay = replay_of(bundled_run.folder)
    probs = pd.read_csv(bundled_run.folder / "probabilities.csv")
    outcomes = pd.read_csv(bundled_run.folder / "plan_outcomes.csv")
    suggestions = pd.read_csv(bundled_run.folder / "suggestions.csv")
    scenarios = {s.id: s for s in read_scenarios(bundled_run.workspace / "data" / "scenarios",
                                                 load_catalogue())}
    assert scenarios and replay.plans()
    for plan in replay.plans():
        for sid in ("baseline", *scenarios):
            got = replay.plan(plan, scenarios.get(sid))
            want = probs[(probs.plan_id == plan) & (probs.scenario == sid)]
            mine = np.array([t.row["probability"] for t in got.targets], dtype=float)
            assert np.allclose(np.nan_to_num(mine, nan=-1),
                               np.nan_to_num(want["probability"].to_numpy(float), nan=-1),
                               atol=5e-5), (plan, sid)  # probabilities.csv keeps 4 decimals
            achieved = [a["achievable_value"] for t in got.targets for a in t.achievable]
            written = suggestions[(suggestions.plan_id == plan) & (suggestions.scenario == sid)]
            assert np.allclose(achieved, written["achievable_value"].to_numpy(float),
                               rtol=1e-4, equal_nan=True), (plan, sid)
            row = outcomes[(outcomes.plan_id == plan) & (outcomes.scenario == sid)]
            if got.outcome:
                for column in ("n_assessable", "expected_met", "p_all_met", "met_p10"):
                    mine = got.outcome[column]
                    assert (math.nan if mine is None else float(mine)) == pytest.approx(
                        float(row[column].iloc[0]), abs=1e-4, nan_ok=True), (plan, sid)


def test_paths_parquet_is_a_plain_table_of_every_simulated_path(bundled_run: BundledRun):
    table = pd.read_parquet(bundled_run.folder / "paths.parquet")
    assert list(table.columns) == ["region", "indicator", "path", "first_year", "values"]
    draws = int(bundled_run.args[bundled_run.args.index("--draws") + 1])
    sizes = table.groupby(["region", "indicator"]).size()
    assert (sizes == draws).all() and len(sizes) >= 10
    replay = replay_of(bundled_run.folder)
    region, indicator = sizes.index[0]
    rows = table[(table.region == region) & (table.indicator == indicator)]
    res = replay.series[(region, indicator)]
    start = int(rows["first_year"].iloc[0]) - res.paths.first_year
    assert np.array_equal(np.vstack(rows["values"].to_numpy()), res.paths.values[:, start:])
    # the observed years are the history, on every path
    assert np.array_equal(res.paths.values[:, :start], np.repeat(res.history.values, draws, 0))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.floats(-50, 50), st.just(math.nan)), min_size=1,
                       max_size=40),
       op=st.sampled_from([">=", ">", "<=", "<"]), value=st.floats(-60, 60))
def test_the_curve_counts_what_is_met_says(values, op, value):
    """At every point of the curve, P(met) is the share of paths ``is_met`` accepts with the
    target set to that value (a path without a quantity meets nothing); the target's own
    value is a point of the curve."""
    binding = np.array(values, dtype=float)
    target = Target("p", "t", "r", "i", "level", "", op=op, value=value, year=2025)
    points = curve(target, binding)
    if not np.isfinite(binding).any():
        assert points == []
        return
    for v, p in points:
        assert p == probability(is_met(replace(target, value=v), binding[:, None]))[0]
    assert value in [v for v, _ in points]


def test_no_paths_skips_the_file_and_the_explorer_says_it_needs_them(tmp_path: Path,
                                                                       make_workspace):
    ws = make_workspace(tmp_path / "ws", "region,indicator,year,value\n" + "".join(
        f"a,rd_expenditure,{2015 + i},{100 * 1.1 ** i:.2f}\n" for i in range(8)),
        "plan:\n  id: p\n  title: t\n  region: a\n  period: [2021, 2025]\ntargets:\n"
        "  - id: t1\n    indicator: rd_expenditure\n    kind: level\n    op: '>='\n"
        "    value: 250\n    year: 2025\n    text: x\n")
    result = CliRunner().invoke(app, ["run", str(ws), "--model", "drift", "--no-paths",
                                      "--no-reports", "--no-check", "-q", "--out",
                                      str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "run" / "paths.parquet").exists()
    assert not list(tmp_path.glob(".*"))  # no scratch file left beside the run
    said = CliRunner().invoke(app, ["explore", str(tmp_path / "run"), "--port", "0"])
    assert said.exit_code == 2
    assert "--no-paths" in said.output and "Traceback" not in said.output


def test_a_saved_scenario_reads_back_as_the_page_had_it_and_never_overwrites(tmp_path: Path):
    from forecast.explore.saving import ScenarioExists, save_scenario

    catalogue = load_catalogue()
    scenario = Scenario("meeting-1", "会上提出", "", (
        Adjustment("rd_expenditure", growth_shift=0.1 + 0.2, from_year=2024),
        Adjustment("gdp", shock=-3.3, year=2025), Adjustment("*", volatility=1.15)))
    path = save_scenario(tmp_path, scenario, catalogue, "run-x")
    assert path == tmp_path / "data" / "scenarios" / "meeting-1.yaml"
    again = read_scenario(path, catalogue)
    assert again.adjustments == scenario.adjustments  # 0.30000000000000004 kept to the bit
    before = path.read_bytes()
    with pytest.raises(ScenarioExists):
        save_scenario(tmp_path, scenario, catalogue)
    (path.parent / "other-name.yaml").write_text(
        "scenario:\n  id: meeting-2\nadjustments:\n  - indicator: gdp\n    shock: 1\n"
        "    year: 2025\n", encoding="utf-8")
    with pytest.raises(ScenarioExists):  # the id is taken by a file of another name
        save_scenario(tmp_path, replace(scenario, id="meeting-2"), catalogue)
    with pytest.raises(InputError):
        save_scenario(tmp_path, replace(scenario, id="../escape"), catalogue)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["meeting-1.yaml", "other-name.yaml"]


# ---- the app, served by `forecast explore`, in a real browser ----------------------------

@pytest.fixture(scope="module")
def served(bundled_run: BundledRun, tmp_path_factory: pytest.TempPathFactory):
    """`forecast explore` on a copy of the bundled run and its workspace (so that saved
    scenarios go into the copy), on a free port; yields (address, workspace, run folder)."""
    root = tmp_path_factory.mktemp("explore")
    workspace, folder = root / "workspace", root / "run"
    shutil.copytree(bundled_run.workspace, workspace)
    shutil.copytree(bundled_run.folder, folder)
    meta = folder / "probabilities.json"
    payload = json.loads(meta.read_text(encoding="utf-8"))
    payload["run"]["workspace"] = str(workspace)
    meta.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "forecast.cli", "explore", str(folder), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    address = None
    for line in process.stdout:  # "open http://127.0.0.1:PORT/ (Ctrl-C stops)"
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if found:
            address = found.group(0)
            break
    assert address, "forecast explore printed no address"
    try:
        yield address, workspace, folder
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    from test_reports import need

    chromium = need("chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


def open_page(browser, address: str, query: str = ""):
    page = browser.new_page(viewport={"width": 1300, "height": 1300})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(address + query)
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    return page, errors


def updated(page, n: int) -> None:
    page.locator(f"body[data-updated='{n}']").wait_for(state="attached", timeout=15_000)


def slide(page, indicator: str, key: str, value: float) -> None:
    page.locator(f'fieldset[data-indicator="{indicator}"] [data-key="{key}"]').evaluate(
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', "
        "{bubbles: true})); }", value)


def shown(page) -> dict[str, float]:
    cells = page.locator("tr[data-id]")
    out = {}
    for i in range(cells.count()):
        row = cells.nth(i)
        p = row.locator("td.p").get_attribute("data-p")
        if p:
            out[row.get_attribute("data-id")] = float(p)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_loads_clean_and_lists_the_plans_targets(served, browser, lang, tmp_path):
    address, _, folder = served
    page, errors = open_page(browser, address, f"?plan={PLAN}&lang={lang}")
    replay = replay_of(folder)
    ids = [t.id for _, t in replay.plan_targets(PLAN)]
    assert [page.locator("tr[data-id]").nth(i).get_attribute("data-id")
            for i in range(page.locator("tr[data-id]").count())] == ids
    assert page.locator("#fan svg polygon").count() == 3  # the 95/80/50% bands
    assert page.locator("#curve svg polyline").count() >= 1
    assert ("预计" if lang == "zh" else "Expected") in page.locator("#outcome").inner_text()
    page.screenshot(path=str(tmp_path / f"explore-{lang}.png"), full_page=True)
    assert (tmp_path / f"explore-{lang}.png").stat().st_size > 20_000
    assert errors == []
    page.close()


def test_a_growth_shift_of_rd_spending_moves_intensity_to_the_librarys_value(served,
                                                                            browser):
    address, _, folder = served
    page, errors = open_page(browser, address, f"?plan={PLAN}&lang=en")
    before = shown(page)
    first = int(page.locator('fieldset[data-indicator="rd_expenditure"] '
                             '[data-key="from_year"] option').first.get_attribute("value"))
    slide(page, "rd_expenditure", "growth_shift", 2)
    updated(page, 1)
    after = shown(page)
    scenario = Scenario("explore", "explore", "", (
        Adjustment("rd_expenditure", growth_shift=2.0, from_year=first),))
    library = {t.target.id: t.row["probability"]
               for t in replay_of(folder).plan(PLAN, scenario).targets}
    intensity = [tid for tid in after if tid.startswith("rd-intensity")]
    assert intensity
    for tid in intensity:
        assert round(after[tid], 3) == round(library[tid], 3)
    assert any(after[t] > before[t] for t in intensity)  # more R&D spending, higher intensity
    assert errors == []
    page.close()


def test_a_target_value_control_moves_the_probability_along_the_curve(served, browser):
    address, _, folder = served
    page, errors = open_page(browser, address, f"?plan={PLAN}&lang=en")
    tid = "rd-intensity-beijing"
    page.locator(f'tr[data-id="{tid}"] input[type=radio]').check()
    updated(page, 1)
    stated = float(page.locator(f'input[data-target="{tid}"]').get_attribute("data-stated"))
    tried = round(stated + 0.2, 2)
    page.locator(f'input[data-target="{tid}"]').fill(str(tried))
    updated(page, 2)
    replay = replay_of(folder)
    got = next(t for t in replay.plan(PLAN, None, {tid: tried}).targets if t.target.id == tid)
    assert shown(page)[tid] == pytest.approx(got.row["probability"], abs=1e-12)
    assert shown(page)[tid] < replay.plan(PLAN).targets[
        [t.target.id for t in replay.plan(PLAN).targets].index(tid)].row["probability"]
    dot = page.locator("#curve svg circle")
    assert float(dot.get_attribute("data-value")) == tried
    assert float(dot.get_attribute("data-p")) == pytest.approx(got.row["probability"])
    assert (tried, got.row["probability"]) in got.curve  # the point is on the curve
    assert errors == []
    page.close()


def test_save_as_scenario_then_forecast_run_gives_the_pages_probabilities(served, browser,
                                                                         tmp_path):
    address, workspace, _ = served
    page, errors = open_page(browser, address, f"?plan={PLAN}&lang=en")
    slide(page, "rd_expenditure", "growth_shift", 1.5)
    updated(page, 1)
    slide(page, "gdp", "shock", -4)
    updated(page, 2)
    slide(page, "rd_expenditure", "volatility", 1.25)
    updated(page, 3)
    on_page = shown(page)
    page.fill("#save-id", "meeting-push")
    page.click("#save")
    page.locator("#save-result[data-ok='1']").wait_for(timeout=15_000)
    assert "meeting-push.yaml" in page.locator("#save-result").inner_text()
    saved = workspace / "data" / "scenarios" / "meeting-push.yaml"
    assert saved.is_file()
    out = tmp_path / "rerun"
    result = CliRunner().invoke(app, ["run", str(workspace), "--scenario", "meeting-push",
                                      *BUNDLED_ARGS, "--no-reports", "--no-check",
                                      "--no-paths", "-q", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    probs = pd.read_csv(out / "probabilities.csv")
    rows = probs[(probs.plan_id == PLAN) & (probs.scenario == "meeting-push")]
    written = dict(zip(rows.target_id, rows.probability, strict=True))
    assert on_page and {t: round(p, 4) for t, p in on_page.items()} == {
        t: written[t] for t in on_page}
    assert errors == []
    page.close()


def post(address: str, path: str, body: bytes, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(address.rstrip("/") + path, data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def get(address: str, path: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(address.rstrip("/") + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_bad_requests_get_a_4xx_with_a_one_line_error_never_a_traceback(served):
    address, workspace, _ = served
    ok = {"plan": PLAN, "lang": "en"}
    cases = [
        ("/api/view", b"{not json", {}, 422),
        ("/api/view", json.dumps({**ok, "extra": 1}).encode(), {}, 422),
        ("/api/view", json.dumps({**ok, "plan": "no-such-plan"}).encode(), {}, 404),
        ("/api/view", json.dumps({**ok, "values": {"no-such-target": 1}}).encode(), {}, 422),
        ("/api/view", b'{"plan": "%s", "values": {"rd-intensity-beijing": NaN}}'
         % PLAN.encode(), {}, 422),
        ("/api/view", json.dumps({**ok, "adjustments": [
            {"indicator": "rd_expenditure", "growth_shift": 1, "shock": 2, "year": 2025}]
        }).encode(), {}, 422),  # two changes in one adjustment
        ("/api/view", json.dumps({**ok, "adjustments": [
            {"indicator": "rd_expenditure", "growth_shift": 1, "from_year": 1990}]
        }).encode(), {}, 422),  # a year the run does not simulate
        ("/api/view", json.dumps({**ok, "adjustments": [
            {"indicator": "no_such_indicator", "volatility": 2}]}).encode(), {}, 422),
        ("/api/view", json.dumps({**ok, "region": "nowhere", "indicator": "gdp"}).encode(),
         {}, 422),
        ("/api/scenario", json.dumps({"plan": PLAN, "id": "../../escape", "adjustments": [
            {"indicator": "gdp", "volatility": 2}]}).encode(), {}, 422),
        ("/api/scenario", json.dumps({"plan": PLAN, "id": "x", "adjustments": []}).encode(),
         {}, 422),
        ("/api/view", json.dumps(ok).encode(), {"Origin": "http://evil.example"}, 403),
        ("/api/view", json.dumps(ok).encode(), {"Host": "evil.example"}, 400),
        ("/api/view", json.dumps({**ok, "selected": "x" * 2_000_000}).encode(), {}, 413),
    ]
    for path, body, headers, status in cases:
        code, text = post(address, path, body, headers)
        assert code == status, (path, body, code, text)
        assert "Traceback" not in text and "\n" not in text.strip()
    for path, status in [("/static/..%2F..%2Fpaths.parquet", 404), ("/static/x.js", 404),
                         ("/?plan=no-such-plan", 404), ("/?lang=fr", 422)]:
        code, text = get(address, path)
        assert code == status, (path, code)
        assert "Traceback" not in text
    code, _ = get(address, "/", {"Host": "attacker.example"})
    assert code == 400  # no DNS rebinding
    assert not list((workspace / "data" / "scenarios").glob("*escape*"))
    assert not (workspace.parent / "escape.yaml").exists()
