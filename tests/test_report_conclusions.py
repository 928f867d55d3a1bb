"""The report's first page (主要结论) and its cover: per plan, the count of targets by
standing and which ones, the data cut-off, the date and the issuing office; settings, seed and
paths only in the appendix."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inputs.office import read_office
from forecast.outputs.reports.build import build_report
from forecast.outputs.reports.html import render_html
from forecast.outputs.reports.model import Paragraph, Table
from forecast.outputs.reports.source import read_run, run_catalogue

from builders import BUNDLED, BundledRun

RUNNER = CliRunner()


def report(folder: Path, lang: str, **meta):
    run = read_run(folder)
    if meta:
        run = replace(run, meta={**run.meta, **meta})
    return build_report(run, lang, run_catalogue(run))


def hand_standing(rows: pd.DataFrame, review: pd.DataFrame) -> dict[str, Counter]:
    """Each plan's targets counted by standing, by the README's rule worked here: the
    review's status where it has one, else met/missed (observed, P ≥ 0.5) or by P: ≥ 0.66 on
    track, ≥ 0.33 at risk, else off track. "attention" counts those at risk, off track or
    missed, and those awaiting data with P < 0.66."""
    base = rows[rows["scenario"] == "baseline"]
    rb = review[review["scenario"] == "baseline"] if len(review) else review
    said = {(p, t): s for p, t, s in zip(rb.get("plan_id", []), rb.get("target_id", []),
                                         rb.get("status", []), strict=True)}
    out: dict[str, Counter] = {}
    for r in base.itertuples(index=False):
        counts = out.setdefault(r.plan_id, Counter())
        if not r.assessable or pd.isna(r.probability):
            continue
        s = said.get((r.plan_id, r.target_id))
        if s in (None, "no data"):
            s = ("met" if r.probability >= 0.5 else "missed") if r.model == "observed" else \
                "on track" if r.probability >= 0.66 else \
                "at risk" if r.probability >= 0.33 else "off track"
        counts[s] += 1
        if s in ("at risk", "off track", "missed") or (
                s == "awaiting data" and r.probability < 0.66):
            counts["attention"] += 1
    return out


WORDS = {"zh": {"on track": "进展顺利", "at risk": "存在风险", "off track": "进度滞后",
                "met": "已实现", "missed": "未实现", "awaiting data": "待数据"},
         "en": {s: s for s in ("on track", "at risk", "off track", "met", "missed",
                               "awaiting data")}}


@pytest.mark.xdist_group(BUNDLED)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_page_counts_each_plans_targets_by_standing(bundled_run: BundledRun, lang):
    run = read_run(bundled_run.folder)
    rep = report(bundled_run.folder, lang)
    first = rep.sections[0]
    assert first.id == "conclusions" and first.title == ("主要结论" if lang == "zh"
                                                         else "Main conclusions")
    expected = hand_standing(run.rows, run.review)
    table = next(b for b in first.blocks if isinstance(b, Table) and b.name == "standing")
    standings = [c.lower() for c in table.columns[3:]]
    by_title = {row[0].text: [c.text for c in row[1:]] for row in table.rows}
    for plan in run.plans:
        base = run.rows[(run.rows["plan_id"] == plan["id"]) & (run.rows["scenario"] == "baseline")]
        n, k = len(base), int(base["assessable"].sum())
        counts = expected[plan["id"]]
        shown = [str(n), str(k)] + [str(counts[s]) for s in WORDS[lang]
                                     if WORDS[lang][s].lower() in standings]
        assert by_title[plan["title"]] == shown
        assert sum(counts[s] for s in WORDS[lang]) == k
    parts = {part.title: part for part in first.children}
    assert set(parts) == {p["title"] for p in run.plans
                          if expected[p["id"]].total() > 0}  # a part per assessed plan
    for plan in run.plans:
        if plan["title"] not in parts:
            assert plan["title"] in " ".join(b.text for b in first.blocks
                                              if isinstance(b, Paragraph))
            continue
        head = parts[plan["title"]].blocks[0].text
        for standing, c in expected[plan["id"]].items():
            if standing != "attention":
                said = (f"{WORDS[lang][standing]} {c} 项" if lang == "zh"
                        else f"{c} {standing}")
                assert said in head, (said, head)
        attention = expected[plan["id"]]["attention"]
        text = " ".join(b.text for b in parts[plan["title"]].blocks)
        if attention:
            assert (f"需要关注({attention} 项" if lang == "zh" else
                    f"Needing attention ({attention}:") in text
        else:
            assert ("没有需要特别关注的目标" if lang == "zh" else "No target needs") in text


@pytest.mark.xdist_group(BUNDLED)
def test_the_first_page_gives_the_data_cut_off(bundled_run: BundledRun):
    """The data cut-off is the last observed year of the series the plan reads."""
    run = read_run(bundled_run.folder)
    rep = report(bundled_run.folder, "zh")
    xiangtan = next(c for c in rep.sections[0].children if "湘潭" in c.title)
    text = " ".join(b.text for b in xiangtan.blocks)
    plan_rows = run.rows[(run.rows["plan_id"] == "xiangtan-2023")
                         & (run.rows["scenario"] == "baseline") & run.rows["assessable"]]
    last = {int(run.diagnostics["series"][f"{r.region}|{r.indicator}"]["last_year"])
            for r in plan_rows.itertuples(index=False)}
    assert len(last) == 1  # Xiangtan's series all end in one year
    assert f"所用数据截至:{last.pop()}年({plan_rows['indicator'].nunique()} 项指标)" in text


@pytest.mark.xdist_group(BUNDLED)
def test_the_cover_shows_office_date_and_cut_off_not_settings_or_paths(bundled_run):
    rep = report(bundled_run.folder, "zh", office="湘潭市科学技术局", date="2026-12-04")
    facts = dict(rep.facts)
    assert facts["编制单位"] == "湘潭市科学技术局" and facts["日期"] == "2026年12月4日"
    years = [int(v["last_year"]) for v in read_run(bundled_run.folder).diagnostics["series"]
             .values()]
    assert facts["数据截至"] == f"{max(years)}年"
    assert not {"模型", "随机种子", "模拟路径", "数据"} & set(facts)
    assert not any(str(bundled_run.workspace) in v for v in facts.values())
    details = next(s for s in rep.sections if s.id == "run-details")
    table = next(b for b in details.blocks if isinstance(b, Table))
    shown = {row[0].text: row[1].text for row in table.rows}
    assert shown["随机种子"] == "20231" and shown["模拟路径"] == "400"
    assert shown["数据"] == str(bundled_run.workspace)
    english = dict(report(bundled_run.folder, "en", office="湘潭市科学技术局",
                          office_en="Xiangtan Bureau of Science and Technology",
                          date="2026-12-04").facts)
    assert english["Issued by"] == "Xiangtan Bureau of Science and Technology"
    assert english["Date"] == "4 December 2026"


def test_the_office_is_read_from_workspace_yaml(tmp_path):
    path = tmp_path / "workspace.yaml"
    assert read_office(path).zh is None  # optional
    path.write_text("office: 湘潭市\n  科学技术局\noffice_en: Xiangtan\n", encoding="utf-8")
    office = read_office(path)
    assert (office.zh, office.en) == ("湘潭市 科学技术局", "Xiangtan")
    assert office.name("en") == "Xiangtan" and office.as_meta() == {
        "office": "湘潭市 科学技术局", "office_en": "Xiangtan"}


@pytest.mark.parametrize("text, message", [
    ("ofice: 湘潭市科学技术局\n", "unknown key 'ofice'"),
    ("office: [a, b]\n", "office"),
    ("- office\n", "must be a mapping"),
    ("office: " + "局" * 201 + "\n", "201 characters"),
])
def test_a_bad_workspace_yaml_is_one_line_and_nothing_is_written(tiny_workspace, tmp_path,
                                                                  text, message):
    (tiny_workspace / "data" / "workspace.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    result = RUNNER.invoke(app, ["run", str(tiny_workspace), "--out", str(out), "--model",
                                 "trend", "--draws", "200", "-q", "--no-reports"])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "workspace.yaml" in result.output and message in result.output
    assert not out.exists()


def test_the_office_reaches_the_run_and_its_report(tiny_workspace, tmp_path):
    (tiny_workspace / "data" / "workspace.yaml").write_text(
        "office: 某县科技局\n", encoding="utf-8")
    out = tmp_path / "run"
    result = RUNNER.invoke(app, ["run", str(tiny_workspace), "--out", str(out), "--model",
                                 "trend", "--draws", "200", "-q", "--no-reports"])
    assert result.exit_code == 0, result.output
    run = read_run(out)
    assert run.meta["office"] == "某县科技局"
    assert "data/workspace.yaml" in run.meta["inputs"]  # its hash is recorded too
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", run.meta["date"])
    assert dict(report(out, "zh").facts)["编制单位"] == "某县科技局"
    hostile = '<script>alert(1)</script><a href="javascript:x">=cmd|x</a>'
    html = render_html(report(out, "zh", office=hostile))
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    shutil.rmtree(out)
