"""The reports, rendered by the real renderers: Chromium for report.html, WeasyPrint and
poppler for report.pdf (Word and Excel: test_reports_docx.py, test_reports_xlsx.py)."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inputs.catalogue import load_catalogue
from forecast.outputs.reports.build import build_report
from forecast.outputs.reports.i18n import _WORDS
from forecast.outputs.reports.model import FanChart
from forecast.outputs.reports.plan_section import implied_level
from forecast.outputs.reports.source import read_run

from builders import BUNDLED, BundledRun

pytestmark = pytest.mark.xdist_group(BUNDLED)
RUNNER = CliRunner()
XIANGTAN = "湘潭市推进国家创新型城市建设2023年工作实施方案"


def need(program: str) -> str:
    """The path of a system program the test drives. .ci/run installs it; on a machine
    without it the test is skipped, except under CI (FORECAST_CI=1), where it fails."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} not installed (apt-get install {program})"
        if os.environ.get("FORECAST_CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def run_copy(bundled_run: BundledRun, tmp_path: Path) -> Path:
    """A copy of the shared bundled run's folder, for the tests that write into it."""
    return Path(shutil.copytree(bundled_run.folder, tmp_path / "run"))


def test_run_writes_the_four_reports(bundled_run: BundledRun):
    for name in ("report.html", "report.pdf", "report.docx", "tables.xlsx"):
        assert (bundled_run.folder / name).stat().st_size > 10_000, name
    assert not [p for p in bundled_run.folder.parent.iterdir() if p.name.startswith(".")]


def test_html_renders_in_chromium(bundled_run: BundledRun, tmp_path):
    """No console errors, every chart drawn and non-empty, the Chinese title in the embedded
    font; a full-page screenshot under the test's folder."""
    from playwright.sync_api import sync_playwright

    chromium = need("chromium")
    report = build_report(read_run(bundled_run.folder), "zh", load_catalogue())
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((bundled_run.folder / "report.html").as_uri())
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready")
        figures = page.query_selector_all("figure[data-chart]")
        assert len(figures) == len(report.charts()) > 10
        for fig in figures:
            box = fig.query_selector("svg").bounding_box()
            assert box["width"] > 200 and box["height"] > 100
            assert len(fig.query_selector_all("svg path")) > 20  # axes, bands, glyphs
        fans = [c for c in report.charts() if isinstance(c, FanChart)]
        assert page.locator("figure[data-chart=FanChart]").count() == len(fans) > 5
        assert XIANGTAN in page.inner_text("body")
        loaded = page.evaluate("[...document.fonts].filter(f => f.family.includes('Noto Sans "
                               "CJK SC') && f.status === 'loaded').length")
        assert loaded >= 1
        assert page.evaluate(f"document.fonts.check('16px \"Noto Sans CJK SC\"', '{XIANGTAN}')")
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert not errors, errors
    assert Image.open(shot).size[1] > 5000


def test_embedded_font_has_every_character_the_page_shows(bundled_run: BundledRun):
    """No tofu: the font subset in the HTML maps every character outside the charts (which
    are outlines), Chinese included."""
    html = (bundled_run.folder / "report.html").read_text(encoding="utf-8")
    fonts = re.findall(r"url\(data:font/woff;base64,([^)]+)\)", html)
    assert len(fonts) == 2  # regular and bold
    text = re.sub(r"<[^>]+>", "", re.sub(r"<(svg|style).*?</\1>", "", html, flags=re.S))
    needed = {ord(c) for c in text if not c.isspace()}
    for data in fonts:
        cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
        assert needed - set(cmap) == set()
    assert {ord(c) for c in XIANGTAN} <= needed


def test_pdf_has_cjk_font_pages_and_text(bundled_run: BundledRun, tmp_path):
    pdffonts, pdftoppm = need("pdffonts"), need("pdftoppm")
    pdf = bundled_run.folder / "report.pdf"
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line.split()[0]]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk)  # the emb column
    subprocess.run([pdftoppm, "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert len(pages) == int(re.search(r"Pages:\s+(\d+)", info).group(1)) > 5
    for number, page in enumerate(pages, start=1):
        ink = np.asarray(Image.open(page).convert("L")) < 200
        # a page holds a chart (ink) or text besides its folio (a page may end a section
        # with a few lines)
        words = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf),
                                "-"], capture_output=True, text=True, check=True).stdout
        words = re.sub(r"[—-]\s*\d+\s*[—-]", "", words).strip()
        assert ink.mean() > 0.005 or len(words) > 20, f"{page.name} is blank"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert XIANGTAN in text.replace("\n", "")
    assert "目录" in text and "附录:概率校准" in text


def test_without_pango_the_run_writes_the_other_reports(tmp_path):
    """With Pango really unloadable (an empty file mounted over the library, in a mount
    namespace of the run's own), report.pdf is skipped with one line saying what to install
    and the three other reports are written."""
    library = Path("/lib/x86_64-linux-gnu/libpango-1.0.so.0").resolve()
    if os.geteuid() != 0 or not shutil.which("unshare") or not library.exists():
        pytest.skip("needs root, unshare and Debian's libpango (as under .ci/run)")
    out = tmp_path / "run"
    forecast = Path(sys.executable).with_name("forecast")
    proc = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f"mount --bind /dev/null {library} && "
         f"{forecast} run --model trend --draws 200 --scenario downturn --out {out} -q"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} >= {"report.html", "report.docx", "tables.xlsx"}
    assert not (out / "report.pdf").exists()
    warning = [line for line in proc.stderr.splitlines() if "report.pdf" in line]
    assert len(warning) == 1 and "apt-get install libpango" in warning[0]
    assert "WeasyPrint could not import" not in proc.stdout + proc.stderr


def test_english_report_of_one_plan_without_refit(run_copy):
    result = RUNNER.invoke(app, ["report", str(run_copy), "--plan", "xiangtan-2023",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    folder = run_copy / "en" / "plan-xiangtan-2023"  # beside the run's Chinese reports
    assert {p.name for p in folder.iterdir()} == {"report.html", "report.pdf", "report.docx",
                                                   "tables.xlsx"}
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Targets at a glance" in html and "目标一览" not in html
    assert "very likely" in html or "likely" in html
    # the conclusions, the plan, the method and three appendices (calibration, diagnostics,
    # run details)
    assert html.count("<section class=\"level1\"") == 6
    rows = pd.read_csv(run_copy / "probabilities.csv")
    n = int(((rows["plan_id"] == "xiangtan-2023") & (rows["scenario"] == "baseline")).sum())
    headline = re.search(r'<table data-table="headline">.*?</table>', html, flags=re.S).group(0)
    assert headline.count("<tr>") == n + 1


def test_a_report_in_another_language_never_replaces_the_runs_own(run_copy):
    """`forecast report RUN --lang en` on a Chinese run writes RUN/en/ and leaves every
    Chinese report as it was, byte for byte; `--lang zh` renders the Chinese ones in place."""
    own = {f: (run_copy / f).read_bytes() for f in ("report.html", "report.docx",
                                                     "tables.xlsx")}
    result = RUNNER.invoke(app, ["report", str(run_copy), "--lang", "en"])
    assert result.exit_code == 0, result.output
    english = (run_copy / "en" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english
    assert {f: (run_copy / f).read_bytes() for f in own} == own
    again = RUNNER.invoke(app, ["report", str(run_copy), "--lang", "zh"])
    assert again.exit_code == 0, again.output
    assert not (run_copy / "zh").exists()
    assert '<html lang="zh-CN">' in (run_copy / "report.html").read_text(encoding="utf-8")


def test_report_refuses_bad_input_and_writes_nothing(run_copy, tmp_path):
    before = sorted(p.name for p in run_copy.iterdir())
    bad = RUNNER.invoke(app, ["report", str(run_copy), "--plan", "nope"])
    assert bad.exit_code == 2 and "no plan 'nope'" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    assert sorted(p.name for p in run_copy.iterdir()) == before
    missing = RUNNER.invoke(app, ["report", str(tmp_path)])
    assert missing.exit_code == 2 and "not a run folder" in missing.output


def test_chinese_report_says_everything_in_chinese(bundled_run: BundledRun):
    html = (bundled_run.folder / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html)
    assert headings and all(re.search(r"[\u4e00-\u9fff]", h) for h in headings)
    for zh, en in _WORDS.values():
        assert zh and en
    shown = re.sub(r"<[^>]+>", "", re.sub(r"<(svg|style).*?</\1>", "", html, flags=re.S))
    for english in ("Targets at a glance", "Probability", "likely", "Scenarios compared",
                    "no data", "short series"):
        assert english not in shown, english
    # years are whole (not 2020.0); cells run together without their tags, so a number
    # must not start inside another ("0.49" then "17.0" is no year)
    assert not re.search(r"(?<![\d.])\d{4}\.0\b", shown)


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("level", 3.0, 3.0),
    ("change", 5.0, 105.0),  # base 100 + 5
    ("cagr", 10.0, 100 * 1.1 ** 3),  # base 100, three years at 10%
    ("growth", 10.0, 120 * 1.1),  # on the observed year before: 120
])
def test_fan_chart_marks_the_level_a_target_implies(kind, value, expected):
    r = pd.Series(dict(kind=kind, value=value, value_hi=np.nan, op=">=", year=2024,
                       base_year=2021, base_value=100.0, each_year=False))
    r = type("Row", (), r.to_dict())
    assert implied_level(r, {2022: 110.0, 2023: 120.0}) == pytest.approx(expected)


def test_more_than_twenty_plans_report_the_national_overview(tmp_path, many_plans_workspace):
    root = many_plans_workspace
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["run", str(root), "--model", "drift", "--draws", "300",
                                 "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    report = build_report(read_run(out), "zh", load_catalogue())
    assert [s.id for s in report.sections[:2]] == ["conclusions", "overview"]
    rows = pd.read_csv(out / "probabilities.csv")
    base = rows[rows["scenario"] == "baseline"]
    totals = (f"{base['plan_id'].nunique()} 个规划共 {len(base)} 项目标,"
              f"其中 {int(base['assessable'].sum())} 项可评估")
    assert totals in report.sections[0].blocks[1].text  # the first page: totals, no plans
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "按省份" in html and "最不可能实现的 25 项目标" in html
    assert "县3规划" not in html.split("least-likely")[0]  # no per-plan sections
    one = RUNNER.invoke(app, ["report", str(out), "--plan", "c3-plan"])
    assert one.exit_code == 0, one.output
    assert "县3规划" in (out / "plan-c3-plan" / "report.html").read_text(encoding="utf-8")


def test_every_report_states_the_plan_as_a_whole(bundled_run: BundledRun):
    """Each plan's line (plan_outcomes.csv in words) under its title, in the HTML, the PDF
    and the Word file."""
    import docx

    from forecast.outputs.plan_line import plan_line

    outcomes = pd.read_csv(bundled_run.folder / "plan_outcomes.csv")
    lines = [plan_line(r, "zh") for r in outcomes[outcomes["scenario"] == "baseline"]
             .to_dict(orient="records")]
    lines = [line for line in lines if line]
    assert lines  # the bundled plans with data
    html = (bundled_run.folder / "report.html").read_text(encoding="utf-8")
    pdf = subprocess.run(["pdftotext", str(bundled_run.folder / "report.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    word = "\n".join(p.text for p in docx.Document(bundled_run.folder / "report.docx")
                     .paragraphs)
    assert html.count('data-chart="CountChart"') == len(lines)  # how many met, as bars
    for line in lines:
        assert line in html and line in word
        assert line.replace(" ", "")[:20] in pdf.replace(" ", "").replace("\n", "")
