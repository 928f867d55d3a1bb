"""Draw the README's pictures of the reports from a finished run of the bundled example:
docs/report-html.png (report.html in headless Chromium, at Xiangtan's fan charts),
docs/report-conclusions.png (the PDF's first page of conclusions, 主要结论) and
docs/report-pdf.png (the 公文 page with Xiangtan's targets at a glance), by pdftoppm.

    python scripts/report_screenshots.py reports/<run-id>

Needs Debian's chromium and poppler-utils (what `.ci/run` installs for the tests).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PLAN_TITLE = "湘潭市推进国家创新型城市建设2023年工作实施方案"


def html_shot(run: Path, out: Path) -> None:
    html = (run / "report.html").read_text(encoding="utf-8")
    k = re.search(rf'<section class="level1" id="(plan-\d+)">\s*<h1>{PLAN_TITLE}', html).group(1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 820})
        page.goto((run / "report.html").as_uri())
        page.evaluate("document.fonts.ready")
        page.evaluate(f"document.getElementById('{k.replace('plan-', 'p')}-fans')"
                      ".scrollIntoView()")
        page.screenshot(path=str(out))
        browser.close()


def pdf_page(run: Path, title: str, out: Path) -> None:
    """The page of report.pdf where the part titled ``title`` begins (its 公文-numbered
    heading, 一、 or 五、, not a mention in the contents or on the first page)."""
    pdf = run / "report.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    heading = re.compile(rf"(^|\n)[一二三四五六七八九十]+、{re.escape(title)}")
    number = next(i for i, text in enumerate(pages, 1)
                  if heading.search(text.replace(" ", "")) and "目录" not in text)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", str(number), "-l", str(number),
                        str(pdf), f"{tmp}/page"], check=True)
        shutil.move(next(Path(tmp).glob("page-*.png")), out)


def main() -> None:
    run = Path(sys.argv[1])
    html_shot(run, ROOT / "docs" / "report-html.png")
    pdf_page(run, "主要结论", ROOT / "docs" / "report-conclusions.png")
    pdf_page(run, PLAN_TITLE, ROOT / "docs" / "report-pdf.png")
    print("wrote docs/report-html.png, docs/report-conclusions.png, docs/report-pdf.png")


if __name__ == "__main__":
    main()
