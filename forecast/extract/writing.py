"""The draft as files a planner reviews: a ``plans/*.yaml`` in the plan format of
docs/plan-encoding.md, an observations CSV from indicator tables, and the ``--explain`` lines.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from forecast import files
from forecast.errors import InputError
from forecast.extract.draft import Draft, DraftTarget
from forecast.inputs.catalogue import Catalogue
from forecast.inputs.plans import parse_plan

_HEADER = """\
# Draft read by `forecast extract` from {source}{today}.
# Review every target against the document before moving this file into data/plans/:
#  - `text` is the clause as written and `span` its characters in the document's text;
#  - `confidence` is lower where the reading had to assume something (see `note`);
#  - `indicator: null` means no catalogue indicator matched: pick one (`forecast indicators`)
#    or add it to data/indicators.yaml; a run refuses the file until every target has one.
"""


def _number(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else float(f"{x:.10g}")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "plan"


def target_dict(t: DraftTarget) -> dict[str, Any]:
    """One target in the plan format, with the review fields confidence and span."""
    r = t.reading
    out: dict[str, Any] = {"id": "", "indicator": t.indicator, "kind": r.kind}
    if r.kind != "qualitative":
        out["op"] = r.op
        out["value"] = _number(r.value)
        if r.op == "between":
            out["value_hi"] = _number(r.value_hi)
    out["unit"] = r.unit
    out["year"] = r.year
    out["base_year"] = r.base_year
    for key in ("aspirational", "binding", "each_year"):
        if getattr(r, key):
            out[key] = True
    if r.wording:
        out["wording"] = r.wording
    if r.kind == "relative":
        out["other_indicator"] = r.other_indicator
    out["text"] = t.text
    out["confidence"] = t.confidence
    out["span"] = list(t.span)
    notes = list(r.notes)
    if t.repeats:
        notes.append("repeated as " + "; ".join(t.repeats))
    if t.indicator is None:
        notes.append("no catalogue indicator matched")
    elif t.match is not None and not t.match.exact:
        notes.append(f"indicator matched loosely (by {t.match.name})")
    if notes:
        out["note"] = "; ".join(notes)
    return out


def draft_document(draft: Draft, plan_id: str | None = None) -> dict[str, Any]:
    """The draft as the mapping a plan file holds."""
    p = draft.period
    plan: dict[str, Any] = {
        "id": plan_id or "draft-" + _slug(draft.source.stem),
        "title": draft.title,
        "region": draft.region,
    }
    if draft.published:
        plan["published"] = draft.published
    plan["period"] = [p.start, p.end]
    plan["base_year"] = p.base_year
    plan["source"] = draft.source.name
    notes = []
    if draft.region is None:
        notes.append("the region was not found in the document: fill in region")
    if notes:
        plan["note"] = "; ".join(notes)
    targets = [target_dict(t) for t in draft.targets]
    seen: dict[str, int] = {}
    for i, t in enumerate(targets, 1):
        base = t["indicator"].replace("_", "-") if t["indicator"] else f"target-{i}"
        if t["indicator"] and t["kind"] not in ("level", "qualitative"):
            base += f"-{t['kind']}"
        seen[base] = seen.get(base, 0) + 1
        t["id"] = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return {"plan": plan, "targets": targets}


def draft_yaml(draft: Draft, plan_id: str | None = None, today: dt.date | None = None) -> str:
    """The draft plan file's text; its header says ``today`` when given (the interface
    passes the date it was made)."""
    doc = draft_document(draft, plan_id)
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100,
                          default_flow_style=None)
    head = _HEADER.format(source=draft.source.name,
                          today=f" on {today.isoformat()}" if today else "")
    return head + body


def check_draft(text: str, catalogue: Catalogue, source: Path | str = "draft") -> None:
    """Validate a draft with the plan reader, as a run would once indicators are filled in;
    errors name ``source`` (the document it was read from).

    Targets still without an indicator are left out of the check; everything else must pass.
    """
    doc = yaml.safe_load(text)
    doc["targets"] = [t for t in doc["targets"] if t.get("indicator")
                      and (t["kind"] != "relative" or t.get("other_indicator"))]
    doc["plan"]["region"] = doc["plan"]["region"] or "unknown"
    parse_plan(doc, catalogue, Path(source))


def write_text(path: Path, text: str, force: bool = False) -> None:
    """Write a file whole or not at all; an existing file is kept unless ``force``."""
    if path.exists() and not force:
        raise InputError("the file exists", file=path,
                         fix="choose another --out / --observations, or add --force")
    files.write_text(path, text)


def explain(draft: Draft) -> list[str]:
    """Each clause next to what was read from it, then the numbers passed over and why."""
    lines = [f"{draft.source.name}: {draft.title}",
             f"  region {draft.region or '? (not found)'}, period {draft.period.start}-"
             f"{draft.period.end}, base year {draft.period.base_year}", ""]
    for t in draft.targets:
        lines.append(f"[{t.span[0]}:{t.span[1]}] {t.text}")
        lines.append("    -> " + describe(t))
    if draft.skipped:
        lines += ["", "Not targets:"]
        for s, quote in draft.skipped:
            lines.append(f"[{draft.norm.span(s.start, s.end)[0]}] {quote}  ({s.reason})")
    return lines


def describe(t: DraftTarget) -> str:
    """What was read from a clause, in one line."""
    r = t.reading
    what = t.indicator or "indicator ?"
    if r.kind == "qualitative":
        body = f"{what} qualitative, by {r.year}"
    else:
        value = f"{_number(r.value)}" + (f"-{_number(r.value_hi)}" if r.op == "between" else "")
        span = f"{r.base_year}->{r.year}" if r.kind in ("change", "cagr", "cumulative") \
            else f"by {r.year}"
        other = f" vs {r.other_indicator or '?'}" if r.kind == "relative" else ""
        body = f"{what} {r.kind}{other} {r.op} {value} {r.unit or ''}".rstrip() + f", {span}"
    flags = [f for f, on in (("aspirational", r.aspirational), ("binding", r.binding),
                             ("each year", r.each_year),
                             (r.wording or "", bool(r.wording))) if on]
    return body + "".join(f", {f}" for f in flags) + f"  (confidence {t.confidence:.2f})"
