"""Draw the README's picture of `forecast explore` (docs/explore.png) from a finished run of
the bundled example: the app started on a free port, the 14th-plan provinces' plan in
Chinese, R&D spending growing 2 points a year faster, in headless Chromium.

    python scripts/explore_screenshot.py reports/<run-id>

Needs Debian's chromium (what `.ci/run` installs for the tests) and the `explore` extra.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PLAN = "fyp14-rd-intensity"


def main() -> None:
    run = Path(sys.argv[1])
    server = subprocess.Popen([sys.executable, "-m", "forecast.cli", "explore", str(run),
                               "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        address = next(m.group(0) for line in server.stdout
                       if (m := re.search(r"http://127\.0\.0\.1:\d+/", line)))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1250})
            page.goto(address + f"?plan={PLAN}&lang=zh")
            page.evaluate("document.fonts.ready")
            page.locator('fieldset[data-indicator="rd_expenditure"] [data-key="growth_shift"]'
                         ).evaluate("(el) => { el.value = '2'; el.dispatchEvent(new Event("
                                    "'input', {bubbles: true})); }")
            page.locator("body[data-updated='1']").wait_for(state="attached")
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(ROOT / "docs" / "explore.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"wrote {ROOT / 'docs' / 'explore.png'}")


if __name__ == "__main__":
    main()
