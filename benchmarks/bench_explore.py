"""What `forecast explore` costs and how fast it answers: its start, its updates measured in
the browser, and the size and write time of the paths it needs.

The bundled example is copied to a temporary workspace and run once (every report, the
paths kept). Then:

- start: `forecast explore RUN --port 0` is launched ``--starts`` times as a user launches
  it (a new process), timed from the launch to the page's first 200 answer;
- updates: in Chromium (Playwright), the growth-shift slider of R&D spending is moved
  ``--updates`` times and a target-value control typed into as often; each update is timed
  by the page itself (window.exploreTimings: from the change to the new page drawn);
- paths: paths.parquet's size and the seconds its writer took (``timings`` "paths"), and the
  cached run's total with and without them (`--no-paths`), side by side.

With ``--national N`` a synthetic national workspace of N counties (``make_national``) is run
with ``--model drift`` (the paths' size depends on how many series, draws and years there
are, not on the model; drift spares an hour of pooled fits), without the check and the
reports, once with the paths and once without.

    .venv/bin/python benchmarks/bench_explore.py
    .venv/bin/python benchmarks/bench_explore.py --national 3000 --national-only
    .venv/bin/python benchmarks/bench_explore.py --run reports/<run-id>   # start, updates
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import forecast
from forecast.api import example

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_national import temporary_workspace

PLAN = "fyp14-rd-intensity"


def run(root: Path, out: Path, paths: bool, **options) -> dict:
    ws = forecast.open_workspace(root)
    done = ws.run(ws.settings(**{k: v for k, v in options.items() if k == "model"}), out=out,
                  paths=paths, timings=True,
                  **{k: v for k, v in options.items() if k != "model"})
    return done.timings.as_dict()


@contextmanager
def explorer(folder: Path) -> Iterator[str]:
    """`forecast explore FOLDER --port 0` as a user launches it; its address once it prints
    it; stopped afterwards."""
    process = subprocess.Popen([sys.executable, "-m", "forecast.cli", "explore", str(folder),
                                "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        found = next((m for line in process.stdout
                      if (m := re.search(r"http://127\.0\.0\.1:\d+/", line))), None)
        if found is None:
            raise RuntimeError("forecast explore printed no address")
        yield found.group(0)
    finally:
        process.terminate()
        process.wait()


def start_seconds(folder: Path) -> float:
    """Seconds from launching `forecast explore` to the page's first answer."""
    started = time.perf_counter()
    with explorer(folder) as address:
        with urllib.request.urlopen(address + f"?plan={PLAN}") as response:
            response.read()
        return time.perf_counter() - started


def browser_updates(folder: Path, n: int) -> tuple[list[float], list[float]]:
    """Milliseconds of ``n`` slider updates and ``n`` target-value updates, as the page
    measured them."""
    from playwright.sync_api import sync_playwright

    with explorer(folder) as address:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1300, "height": 1300})
            page.goto(address + f"?plan={PLAN}&lang=en")
            slider = page.locator('fieldset[data-indicator="rd_expenditure"] '
                                  '[data-key="growth_shift"]')
            done = 0
            for k in range(n):
                slider.evaluate("(el, v) => { el.value = String(v); el.dispatchEvent("
                                "new Event('input', {bubbles: true})); }", (k % 9) - 4 or 0.5)
                done += 1
                page.locator(f"body[data-updated='{done}']").wait_for(state="attached")
            box = page.locator('input[data-target="rd-intensity-beijing"]')
            stated = float(box.get_attribute("data-stated"))
            for k in range(n):
                box.fill(f"{stated + 0.05 * ((k % 7) - 3 or 1):.2f}")
                done += 1
                page.locator(f"body[data-updated='{done}']").wait_for(state="attached")
            timings = page.evaluate("window.exploreTimings")
            browser.close()
        return timings[:n], timings[n:]


def describe(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10)
    return f"median {statistics.median(ms):.0f} ms, p90 {q[-1]:.0f} ms, max {max(ms):.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=4, help="cached runs of each variant")
    ap.add_argument("--updates", type=int, default=40)
    ap.add_argument("--national", type=int, default=0, help="counties of a national run")
    ap.add_argument("--national-only", action="store_true",
                    help="only the national run (with --national)")
    ap.add_argument("--run", type=Path, help="measure the start and the updates on this "
                    "finished run of the bundled example, without running it again")
    args = ap.parse_args()
    if args.run:
        return measure_app(args.run, args.starts, args.updates)
    with tempfile.TemporaryDirectory() as tmp:
        if args.national_only:
            return national(args.national)
        root = Path(tmp) / "ws"
        example(root)
        first = run(root, Path(tmp) / "first", paths=True)
        size = (Path(tmp) / "first" / "paths.parquet").stat().st_size
        print(f"bundled run: paths.parquet {size / 1e6:.2f} MB, written in "
              f"{first['paths']:.2f} s of the run's {first['total']:.1f} s")
        with_paths, without = [], []
        for k in range(args.repeats):  # cached runs, alternating, each first in turn
            for paths in ((True, False) if k % 2 else (False, True)):
                total = run(root, Path(tmp) / f"{paths}{k}", paths=paths, reports=False,
                            check=False)["total"]
                (with_paths if paths else without).append(total)
        a, b = statistics.median(with_paths), statistics.median(without)
        print(f"cached bundled run (no reports, no check), median of {args.repeats}: {a:.2f} s "
              f"with the paths, {b:.2f} s without: {a / b - 1:+.0%}")
        measure_app(Path(tmp) / "first", args.starts, args.updates)
    if args.national:
        national(args.national)


def measure_app(folder: Path, starts: int, updates: int) -> None:
    """The explorer's start and its updates in the browser, on a finished run."""
    seconds = [start_seconds(folder) for _ in range(starts)]
    print(f"start (launch to first page), {starts} launches: median "
          f"{statistics.median(seconds):.2f} s, max {max(seconds):.2f} s (limit 3 s)")
    slider, typed = browser_updates(folder, updates)
    print(f"updates in the browser, growth-shift slider x{len(slider)}: "
          f"{describe(slider)} (limit: median 200 ms)")
    print(f"updates in the browser, target-value control x{len(typed)}: {describe(typed)}")


def national(regions: int) -> None:
    """Paths' size and write time, and the run with and without them, for ``regions``
    synthetic counties."""
    if regions:
        with temporary_workspace(regions) as root:
            out = root / "reports"
            kept = run(root, out / "paths", paths=True, model="drift", reports=False,
                       check=False, workers=2)
            size = (out / "paths" / "paths.parquet").stat().st_size
            skipped = run(root, out / "no-paths", paths=False, model="drift", reports=False,
                          check=False, workers=2)
            print(f"national {regions} regions (drift, 2 workers): paths.parquet "
                  f"{size / 1e9:.2f} GB written in {kept['paths']:.1f} s; run "
                  f"{kept['total']:.1f} s with the paths, {skipped['total']:.1f} s without "
                  f"({kept['total'] / skipped['total'] - 1:+.0%})")


if __name__ == "__main__":
    main()
