"""What the terminal shows: plain-text tables with aligned columns (`forecast suggest`,
`forecast review`) and Markdown or CSV tables (`forecast runs`, `forecast compare`)."""

from __future__ import annotations

import math

import pandas as pd

from forecast.cli.options import echo  # noqa: F401 (every command's one printer)
from forecast.outputs.plan_line import plan_line
from forecast.outputs.safe_text import (
    markdown_text,
    neutralise_formulas,
    terminal_line,
)
from forecast.outputs.standing import OUTLOOKS, UNDECIDED, plan_standing
from forecast.outputs.wording import OP_SYMBOLS, fmt_number, fmt_rate, progress_text


def text_table(header: list[str], body: list[list[str]], right: set[int]) -> list[str]:
    """A plain-text table with aligned columns (for the terminal): each cell one clean line,
    so an id with a line break or an escape sequence cannot break or forge a row."""
    header = [terminal_line(c) for c in header]
    body = [[terminal_line(c) for c in row] for row in body]
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    fmt = lambda r: "  ".join(  # noqa: E731
        str(c).rjust(w) if i in right else str(c).ljust(w)
        for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
    return [fmt(header), "  ".join("-" * w for w in widths), *map(fmt, body)]


def suggestions_text(suggestions: pd.DataFrame, rows: pd.DataFrame, plan_id: str) -> str:
    """What each target of a plan could be with 50/80/90% confidence, per scenario: the
    table `forecast suggest` prints. In brackets: the average annual growth from the latest
    observation that the value implies."""
    sub = suggestions[suggestions["plan_id"] == plan_id]
    stated = rows[rows["plan_id"] == plan_id].set_index(["target_id", "scenario"])
    body = []
    for (target_id, scenario), g in sub.groupby(["target_id", "scenario"], sort=False):
        r = stated.loc[(target_id, scenario)]
        op = OP_SYMBOLS.get(r["op"], r["op"])
        cells = [f"{fmt_number(v)} ({fmt_rate(g_rate)})" for v, g_rate in
                 zip(g["achievable_value"], g["achievable_rate"], strict=True)]
        pct = "%" if r["kind"] in ("growth", "cagr", "relative") else ""
        when = (f"{r['base_year']}–{r['year']}" if r["kind"] in ("cagr", "cumulative")
                else f"in {r['year']}")
        body.append([target_id, scenario, f"{r['kind']} {op} {fmt_number(r['value'])}{pct} {when}",
                     f"{r['probability']:.2f}", *cells])
    if not body:
        return f"no assessable targets in plan {plan_id}"
    header = ["target", "scenario", "stated target", "P(stated)",
              *(f"{int(q * 100)}% confident" for q in sorted(sub["confidence"].unique()))]
    return "\n".join(text_table(header, body, {3, 4, 5, 6}))


def plan_outcome_text(outcomes: pd.DataFrame, plan_id: str) -> str:
    """The plan as a whole under each scenario, a line each (``plan_line``; empty where no
    target of the plan could be assessed)."""
    lines = [f"plan as a whole ({r['scenario']}): {text}"
             for r in outcomes[outcomes["plan_id"] == plan_id].to_dict(orient="records")
             if (text := plan_line(r))]
    return "\n".join(lines)


def review_text(review: pd.DataFrame, plan_id: str) -> str:
    """Where a plan stands: the table `forecast review` prints (one line per target and
    scenario; targets without data are counted, not listed)."""
    sub = review[review["plan_id"] == plan_id]
    known = sub[sub["status"] != "no data"]
    body = []
    for r in known.itertuples(index=False):
        base = f"{fmt_number(r.base_value)} ({r.base_year})"
        last = f"{fmt_number(r.last_value)} ({r.last_year})"
        share = progress_text(r.progress_share, r.time_share)
        body.append([r.target_id, r.scenario, base, last, share, fmt_rate(r.required_rate),
                     fmt_rate(r.achieved_rate), f"{r.probability_at_base:.2f}",
                     f"{r.probability:.2f}", r.status])
    header = ["target", "scenario", "base", "latest", "distance / time", "required",
              "achieved", "P at base", "P now", "status"]
    lines = text_table(header, body, {4, 5, 6, 7, 8}) if body else [
        f"no target of plan {plan_id} has data to review"]
    missing = sub[sub["status"] == "no data"]["target_id"].nunique()
    if missing:
        lines.append(f"({missing} more targets have no data: see review.csv and the "
                     "data-needed table of summary.md)")
    return "\n".join(lines)


def frame_text(table: pd.DataFrame, fmt: str) -> str:
    """A table as CSV (for scripts and spreadsheets: formulas neutralised) or a Markdown
    table (for documents: each cell one escaped line)."""
    if fmt == "csv":
        return neutralise_formulas(table).to_csv(index=False, lineterminator="\n").rstrip("\n")
    def cell(v: object) -> str:
        if isinstance(v, float):
            return "–" if math.isnan(v) else f"{v:.3f}"
        missing = v is None or v is pd.NA or (isinstance(v, str) and v.lower() == "nan")
        return "–" if missing else markdown_text(v)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in table.itertuples(index=False)]
    return "\n".join(lines)


PLAN_LINES = 20  # plans listed one per line at the end of `forecast run`; more are summed up


def plan_lines(rows: pd.DataFrame, review: pd.DataFrame | None = None,
               limit: int = PLAN_LINES) -> list[str]:
    """One line per plan, as `forecast run` ends: its targets, how many are assessed, and of
    those how many are on track (P ≥ 0.66), at risk (0.33–0.66) or off track (< 0.33), under
    the baseline; targets whose year is already observed count as met or missed, and those
    whose year passed without data as awaiting data, with what the forecast says of them
    (``outputs.standing``, with the review's rows when given)."""
    lines = []
    for r in plan_standing(rows, review).to_dict(orient="records"):
        counts = [] if r["awaiting data"] and not any(r[s] for s in UNDECIDED) else \
            [f"{r[s]} {s}" for s in UNDECIDED]
        if r["met"] or r["missed"]:
            counts += [f"{r['met']} met", f"{r['missed']} missed"]
        if r["awaiting data"]:
            outlook = ", ".join(f"{r[o]} {o}" for o in OUTLOOKS.values() if r[o])
            counts.append(f"{r['awaiting data']} awaiting data (by the forecast: {outlook})")
        n = r["targets"]
        head = f"  {r['plan_id']}: {n} target{'s' * (n != 1)}, "
        lines.append(head + (f"{r['assessed']} assessed: " + ", ".join(counts) if r["assessed"]
                             else "none assessed (the data they need: summary.md)"))
    if len(lines) > limit:
        lines = [*lines[:limit], f"  ... and {len(lines) - limit} more plans (summary.md)"]
    return lines


CAUTIONS_SHOWN = 10  # low-confidence targets listed one a line; more are counted


def caution_lines(rows: pd.DataFrame, quality: pd.DataFrame) -> list[str]:
    """The baseline targets whose probability is low confidence, with the reason, and how
    many values were flagged as implausible (the data-quality notes hold which)."""
    base = rows[rows["scenario"] == "baseline"]
    low = base[base.get("low_confidence", pd.Series("", index=base.index)).fillna("") != ""]
    lines = [f"  low confidence: {r.plan_id}/{r.target_id} (P {r.probability:.2f}): "
             f"{r.low_confidence}" for r in low.head(CAUTIONS_SHOWN).itertuples(index=False)]
    if len(low) > CAUTIONS_SHOWN:
        lines.append(f"  ... and {len(low) - CAUTIONS_SHOWN} more low-confidence targets "
                     "(column low_confidence of probabilities.csv)")
    notes = quality["note"] if "note" in quality else pd.Series([], dtype=str)
    flagged = int(notes.str.startswith("implausible value").sum())
    if flagged:
        lines.append(f"  {flagged} implausible value{'s' * (flagged > 1)} flagged in the "
                     "data-quality notes (probabilities.json); --strict refuses them")
    return lines
