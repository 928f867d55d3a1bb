"""What scenarios cost: `forecast run` with 0 and with 3 scenarios, whole process, median wall time.

Scenarios transform the baseline's simulated paths (no re-simulation, no refit), so 3 scenarios
should cost less than 2x the baseline alone. Two workspaces are measured:

- the bundled example, copied twice into a temp folder (data/ and models/calibration.json and
  models/posteriors/, so the pooled fits are cached): once without data/scenarios/ (0 scenarios),
  once with the three bundled ones (rd-push, downturn, volatile). Timed with the default model
  (`auto`, pooled fits read from the cache) and with `--model trend` (no MCMC at all: the
  simulation side alone).
- a 300-region SYNTHETIC workspace from benchmarks/make_national.py (30 indicators, ~4,500
  targets), with three scenario files written for its indicators: a growth shift on
  rd_expenditure from 2025, a shock on gdp in 2025 and a "*" volatility of 1.5. Models
  (`--national-models`): `trend` (no fits) and `bayes-approx` (`--model bayes --inference
  approx`: every indicator pooled by the fast approximation, ~6 min of fits on 2 cores) by
  default; `auto` too if asked, but its cold fits are impractical at this size (NUTS on the
  300-county count panels: one of them, high_level_talent_teams~counts, had not finished after
  35 minutes). For a pooled model the first run on the 0-scenario copy fits the pooled models
  (not timed) and caches them in its models/posteriors/, which the 3-scenario copy then gets.
  `--national-dir DIR` builds the workspace in DIR and keeps it, so the next invocation skips
  the fits.

Every variant gets one untimed warm-up run first (fills that copy's posterior cache and the
file cache, and the review's base-year runs of the bundled example). Then each timed repeat runs
`forecast run WS --out DIR --quiet` as a fresh process for both variants, interleaved (order
alternating) so machine noise hits both alike. The table goes to stdout and to --out.

    python benchmarks/bench_scenarios.py [--repeats 5] [--national-repeats 3] [--regions 300]
                                         [--national-models trend,bayes-approx] [--national-dir DIR]
                                         [--out /tmp/scenario_figures.md]
    python benchmarks/bench_scenarios.py --quick   # smoke test: 1 repeat, bundled example only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from forecast.config import CALIBRATION_FILE, CHECKOUT_ROOT, EXAMPLE_DATA

EXE = Path(sys.executable).with_name("forecast")
ROOT = Path(__file__).resolve().parents[1]

# Three scenarios for the synthetic workspace (its indicators; simulated years 2024-2026).
NATIONAL_SCENARIOS = {
    "push.yaml": """\
scenario:
  id: push
  title: "[SYNTHETIC] R&D push from 2025"
adjustments:
  - indicator: rd_expenditure
    from_year: 2025
    growth_shift: 2.0
""",
    "shock.yaml": """\
scenario:
  id: shock
  title: "[SYNTHETIC] GDP shock in 2025"
adjustments:
  - indicator: gdp
    year: 2025
    shock: -5.0
""",
    "volatile.yaml": """\
scenario:
  id: volatile
  title: "[SYNTHETIC] 1.5x volatility"
adjustments:
  - indicator: "*"
    volatility: 1.5
""",
}


# model name in the table -> options of `forecast run`
MODEL_ARGS = {"auto": [], "trend": ["--model", "trend"],
              "bayes-approx": ["--model", "bayes", "--inference", "approx"]}


def run_once(ws: Path, workdir: Path, model: str) -> tuple[float, dict]:
    """Wall seconds of one `forecast run` on ``ws`` as a fresh process, and what it did."""
    out = workdir / f"run-{time.perf_counter_ns()}"
    extra = MODEL_ARGS[model]
    start = time.perf_counter()
    proc = subprocess.run([str(EXE), "run", str(ws), "--out", str(out), "--quiet", *extra],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"forecast run {ws} failed:\n{proc.stderr[-2000:]}")
    info = json.loads((out / "probabilities.json").read_text(encoding="utf-8"))
    diag = info["diagnostics"]
    scenarios = {r["scenario"] for r in info["rows"]}
    what = {"series": len(diag.get("series", {})), "fits": len(diag.get("fits", {})),
            "rows": len(info["rows"]), "scenarios": len(scenarios) - 1}
    shutil.rmtree(out)
    return elapsed, what


def interleaved(variants: dict[str, Path], workdir: Path, model: str,
                repeats: int) -> dict[str, dict]:
    """One untimed warm-up per variant, then ``repeats`` timed runs of each, interleaved."""
    result = {}
    for label, ws in variants.items():
        secs, what = run_once(ws, workdir, model)
        result[label] = {"warmup": secs, "times": [], **what}
    labels = list(variants)
    for k in range(repeats):
        for label in labels if k % 2 == 0 else labels[::-1]:
            result[label]["times"].append(run_once(variants[label], workdir, model)[0])
    return result


def bundled_copies(workdir: Path) -> dict[str, Path]:
    """The bundled example twice: without and with its scenarios, models cached."""
    copies = {}
    for label, keep in (("0 scenarios", False), ("3 scenarios", True)):
        ws = workdir / f"bundled-{label[0]}"
        ignore = None if keep else shutil.ignore_patterns("scenarios")
        shutil.copytree(EXAMPLE_DATA, ws / "data", ignore=ignore)
        (ws / "models").mkdir()
        shutil.copy(CALIBRATION_FILE, ws / "models")
        shutil.copytree(CHECKOUT_ROOT / "models" / "posteriors", ws / "models" / "posteriors")
        if keep:
            n = len(list((ws / "data" / "scenarios").glob("*.yaml")))
            if n != 3:
                raise SystemExit(f"expected 3 bundled scenarios, found {n}")
        copies[label] = ws
    return copies


def national_copies(where: Path, regions: int) -> dict[str, Path]:
    """The synthetic workspace without and with three scenarios (SYNTHETIC data; same seed,
    same bytes, so pooled fits cached in a kept ``where`` stay valid)."""
    ws0, ws3 = where / "national-0", where / "national-3"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_national.py"), str(ws0),
                    "--regions", str(regions)], check=True, capture_output=True)
    shutil.rmtree(ws0 / "data" / "scenarios", ignore_errors=True)
    shutil.rmtree(ws3 / "data", ignore_errors=True)
    shutil.copytree(ws0 / "data", ws3 / "data")
    (ws3 / "data" / "scenarios").mkdir()
    for name, text in NATIONAL_SCENARIOS.items():
        (ws3 / "data" / "scenarios" / name).write_text(text, encoding="utf-8")
    return {"0 scenarios": ws0, "3 scenarios": ws3}


def fit_once(variants: dict[str, Path], workdir: Path, model: str) -> float:
    """Seconds of a first run on the 0-scenario copy (it fits and caches the pooled models,
    or finds them cached); the 3-scenario copy then gets the same models/."""
    ws0, ws3 = variants["0 scenarios"], variants["3 scenarios"]
    first, _ = run_once(ws0, workdir, model)
    if (ws0 / "models").is_dir():
        shutil.rmtree(ws3 / "models", ignore_errors=True)
        shutil.copytree(ws0 / "models", ws3 / "models")
    return first


def table_rows(name: str, result: dict[str, dict]) -> list[str]:
    base = statistics.median(result["0 scenarios"]["times"])
    rows = []
    for r in result.values():
        med = statistics.median(r["times"])
        rows.append(f"| {name} | {r['scenarios']} | {r['series']:,} | {r['fits']} | "
                    f"{r['rows']:,} | {med:.2f} | {min(r['times']):.2f} | "
                    f"{max(r['times']):.2f} | {r['warmup']:.2f} | {med / base:.2f} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per bundled variant")
    ap.add_argument("--national-repeats", type=int, default=3,
                    help="timed runs per variant of the synthetic workspace")
    ap.add_argument("--regions", type=int, default=300, help="synthetic workspace size")
    ap.add_argument("--national-models", default="trend,bayes-approx",
                    help=f"comma-separated, of {', '.join(MODEL_ARGS)}")
    ap.add_argument("--national-dir", type=Path, default=None,
                    help="build and keep the synthetic workspace here (its pooled fits are "
                    "reused by the next invocation); default: a temp folder")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 1 repeat, bundled example only")
    ap.add_argument("--out", type=Path, default=Path("/tmp/scenario_figures.md"),
                    help="markdown file the table is written to")
    args = ap.parse_args()
    unknown = set(args.national_models.split(",")) - set(MODEL_ARGS)
    if unknown:
        ap.error(f"--national-models: unknown {', '.join(sorted(unknown))}")
    if args.quick:
        args.repeats = 1
    t0 = time.perf_counter()
    sections: list[tuple[str, dict[str, dict]]] = []
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        copies = bundled_copies(workdir)
        sections.append(("bundled, auto", interleaved(copies, workdir, "auto", args.repeats)))
        sections.append(("bundled, trend", interleaved(copies, workdir, "trend", args.repeats)))
        if not args.quick:
            where = args.national_dir or workdir
            where.mkdir(parents=True, exist_ok=True)
            variants = national_copies(where, args.regions)
            cache = "kept in --national-dir" if args.national_dir else "in a fresh folder"
            for model in args.national_models.split(","):
                if model != "trend":
                    first = fit_once(variants, workdir, model)
                    notes.append(f"- {args.regions} regions, {model}: the first run (pooled "
                                 f"fits, cache {cache}) took {first:.0f} s and is not timed; "
                                 "the 3-scenario copy shares its models/posteriors/, and only "
                                 "warm runs are timed.")
                sections.append((f"{args.regions} regions, {model}",
                                 interleaved(variants, workdir, model, args.national_repeats)))
    total = time.perf_counter() - t0
    lines = [
        f"`forecast run WS --out DIR --quiet`, whole process, median of {args.repeats} runs "
        + ("(bundled only, --quick)" if args.quick else
           f"(bundled) and {args.national_repeats} runs (synthetic)")
        + f", both variants interleaved; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"benchmark total {total / 60:.1f} min.",
        "",
        "| workspace, model | scenarios | series | pooled fits | rows | median s | min s | "
        "max s | warm-up s | × 0 scenarios |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in sections:
        lines += table_rows(name, result)
    lines.append("")
    for name, result in sections:
        ratio = (statistics.median(result["3 scenarios"]["times"])
                 / statistics.median(result["0 scenarios"]["times"]))
        verdict = "meets" if ratio < 2 else "MISSES"
        lines.append(f"- {name}: 3 scenarios / 0 scenarios = {ratio:.2f} ({verdict} the < 2× aim)")
    lines += notes
    lines.append("- series: series simulated (with scenarios, the components of derived "
                 "indicators are simulated too); rows: rows of probabilities.csv (targets × "
                 "(1 + scenarios)); warm-up: the untimed first run of that copy.")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
