"""How numbers and targets read in words: the same in summary.md, the reports and the
terminal (a planner's number format, the comparison symbols, a target as a clause)."""

from __future__ import annotations

import math

from forecast.inputs.catalogue import Catalogue


def fmt_number(x: float | None) -> str:
    """A number as a planner reads it: 1,920 / 38.3 / 2.95 / 0.5195."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.4g}"


def fmt_rate(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.1f}%"


def fmt_share(x: float | None) -> str:
    """A share of the way as a percentage (60%), or "–" where there is none."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{round(x, 2) + 0.0:.0%}"


def progress_text(progress_share: float | None, time_share: float | None) -> str:
    """The review's "distance / time": 60% / 40%, – / 40% (no distance to cover), – / –."""
    return f"{fmt_share(progress_share)} / {fmt_share(time_share)}"


OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "between": "∈"}


KIND_WORDS = {  # how each kind reads after the indicator's name, in English and Chinese
    "level": ("", ""), "growth": (" growth (%)", "增速(%)"), "cagr": (" average growth (%)",
    "年均增速(%)"), "cumulative": (" cumulative", "累计"), "change": (" increase", "增量"),
    "relative": (" growth minus growth of the other (pp)", "增速差(百分点)"),
}


def clause(r, catalogue: Catalogue | None, lang: str) -> str:
    """The target in words: indicator name, comparison, value, unit and year."""
    zh = lang == "zh"
    ind = catalogue[r.indicator] if catalogue is not None and r.indicator in catalogue else None
    name = (ind.name_zh if zh else ind.name_en) if ind else r.indicator
    if r.kind == "qualitative":
        return f"{name} ({'定性' if zh else 'qualitative'})"
    op = OP_SYMBOLS.get(r.op, r.op)
    value = f"[{r.value:g}, {r.value_hi:g}]" if r.op == "between" else f"{r.value:g}"
    unit = "" if r.kind in ("growth", "cagr", "relative") or ind is None else ind.unit
    unit = unit if unit in ("", "%") else f" {unit}"
    kind = KIND_WORDS[r.kind][1 if zh else 0]
    if r.each_year:
        when = (f"{r.base_year + 1}–{r.year}年每年" if zh
                else f"every year {r.base_year + 1}–{r.year}")
    elif r.kind in ("cagr", "cumulative"):
        when = f"{r.base_year}–{r.year}年" if zh else f"{r.base_year}–{r.year}"
    else:
        when = f"{r.year}年" if zh else f"in {r.year}"
    star = " (力争)" if r.aspirational else ""
    return f"{name}{kind} {op} {value}{unit}, {when}{star}"
