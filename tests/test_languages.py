"""Chinese throughout, English throughout (issue 28): the Chinese report (HTML and Word) and
summary.md show no English word and no file id, the English report no Chinese character,
except in quoted plan text (the target as written, plan titles) and a small, explicit list of
names that are the same in both languages."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.outputs.history import _data_change

from builders import BUNDLED, BundledRun

pytestmark = pytest.mark.xdist_group(BUNDLED)

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_&'./\-]*")  # an ASCII word, id or file name
# ASCII a Chinese report may show: abbreviations Chinese text uses as they are, the names of
# the models and of the diagnostics (appendix), and the run's file names
ALLOWED = {"R&D", "GDP", "IPCC", "MCMC", "Brier", "CORP", "PIT", "R-hat", "ESS", "SHA-256",
           "M3", "probability_se", "SVG", "PDF", "Word",
           "Excel", "HTML", "CSV", "auto", "trend", "drift", "bayes", "counts", "pooled",
           "ets", "arima", "ar1", "theta", "rw", "seed", "Noto", "Sans", "CJK", "SC"}
FILE = re.compile(r"^[\w.\-/]+\.(csv|json|parquet|md|xlsx|html|pdf|docx|yaml|sqlite)$")
HASH = re.compile(r"[0-9a-f]{8,}")  # an input file's SHA-256 prefix (appendix: run details)


def quoted(folder: Path) -> list[str]:
    """The plan text a report quotes (targets as written, plan titles), longest first."""
    run = json.loads((folder / "probabilities.json").read_text(encoding="utf-8"))
    texts = {r["text"] for r in run["rows"] if r.get("text")}
    texts |= {p["title"] for p in run["run"]["plans"]}
    return sorted(texts, key=len, reverse=True)


def html_text(path: Path) -> str:
    """What a page shows: its text, without markup, styles, scripts and charts' outlines."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(svg|style|script|head)\b.*?</\1>", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def docx_text(path: Path) -> str:
    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def unquoted(text: str, quotes: list[str]) -> str:
    for q in quotes:
        text = text.replace(q, " ")
    return text


def foreign_words(text: str, ids: set[str], names: set[str] = frozenset()) -> list[str]:
    """The ASCII words of a Chinese text that are neither allowed (``names``: the software and
    run id the run-details appendix names) nor file names, and every id of the run (targets,
    indicators, plans) it shows."""
    found = []
    for w in WORD.findall(text):
        w = w.rstrip(".-'/")
        fine = w in ALLOWED or w in names or FILE.match(w) or HASH.fullmatch(w) or len(w) == 1
        if w in ids or not fine:
            found.append(w)
    return sorted(set(found))


def software(folder: Path) -> set[str]:
    """The names shown as they are: the packages and the run's id (run-details appendix) and
    the workspace's folder (the report's facts)."""
    run = json.loads((folder / "probabilities.json").read_text(encoding="utf-8"))["run"]
    return {"forecast", *run.get("versions", {}), *WORD.findall(run.get("id", "")),
            *(w.rstrip(".-'/") for w in WORD.findall(run.get("workspace", "")))}


def run_ids(folder: Path) -> set[str]:
    run = json.loads((folder / "probabilities.json").read_text(encoding="utf-8"))
    ids = {r[k] for r in run["rows"] for k in ("target_id", "indicator", "plan_id")}
    return ids | {sc["id"] for sc in run["run"].get("scenarios", [])}


@pytest.fixture(scope="module")
def english(bundled_run: BundledRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled run's reports in English (`forecast report RUN --lang en`), in a copy."""
    folder = Path(shutil.copytree(bundled_run.folder, tmp_path_factory.mktemp("en") / "run"))
    result = CliRunner().invoke(app, ["report", str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("name", ["report.html", "report.docx", "summary.md"])
def test_the_chinese_outputs_hold_no_english_and_no_ids(bundled_run: BundledRun, name):
    folder = bundled_run.folder
    path = folder / name
    text = {"report.html": html_text, "report.docx": docx_text,
            "summary.md": lambda p: p.read_text(encoding="utf-8")}[name](path)
    text = unquoted(text, quoted(folder))
    assert foreign_words(text, run_ids(folder), software(folder)) == []


@pytest.mark.parametrize("name", ["report.html", "report.docx"])
def test_the_english_report_holds_no_chinese_outside_quoted_plan_text(english: Path, name):
    path = english / "en" / name
    text = html_text(path) if name.endswith(".html") else docx_text(path)
    left = unquoted(text, quoted(english))
    lines = sorted({line.strip() for line in left.splitlines() if CJK.search(line)})
    assert lines == []


def test_tables_and_charts_name_targets_not_ids(bundled_run: BundledRun, english: Path):
    for page in (html_text(bundled_run.folder / "report.html"),
                 html_text(english / "en" / "report.html")):
        assert "hitech-enterprise-share-above-scale" not in page
        assert "rd-expenditure-cagr-guangdong" not in page
        assert not re.search(r"\d\[|\[\d[\d,.]*, ", page)  # no "[1,675, 2,697]" ranges
        assert "nan" not in WORD.findall(page)
    zh = html_text(bundled_run.folder / "report.html")
    assert "年均增速 ≥ 10%(2020–2025年)" in zh
    assert not re.search(r"(\d{4})–\1年", zh)  # a one-year span names its year once
    en = html_text(english / "en" / "report.html")
    assert "(aspirational)" in en and "(力争)" not in en


def test_compare_never_says_nan():
    said = _data_change({"2020": 1.0, "2021": float("nan")}, {"2020": 2.0, "2021": 3.0})
    assert "nan" not in said and "2021: – -> 3" in said
    assert _data_change({"2020": float("nan")}, {"2020": None}) == ""
