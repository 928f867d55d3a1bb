"""A target's display name in Chinese or English, and the units and value forms it uses.

Reports and summary.md name a target by a short phrase a planner reads, never by its file id:
the ``name`` (Chinese) or ``name_en`` (English) the plan file gives, else one made from the
indicator's catalogue name, the kind of target, its value and its year, e.g.
"研发经费投入强度 ≥ 3.5%(2025年)" / "R&D intensity ≥ 3.5% (2025)". One function makes it
(``target_name``) so every table and chart names a target the same way.
"""

from __future__ import annotations

import math

from forecast.inputs.catalogue import Catalogue

# English forms of the catalogue's Chinese units ("" where a bare number reads best)
UNITS_EN = {
    "%": "%", "个": "", "家": "firms", "亿元": "100 million yuan",
    "万元/人": "10,000 yuan per person",
    "件": "items", "件/万人": "per 10,000 people", "人": "people", "人次": "person-times",
    "位": "rank", "倍": "times", "台(套)": "sets", "名": "people", "吨标准煤/万元":
    "tonnes of standard coal per 10,000 yuan", "场": "events", "平方米": "m²", "有/无": "yes/no",
    "条": "chains", "项": "items", "次": "times", "个百分点": "percentage points",
}
OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "between": "∈"}
_KIND_WORDS = {  # (zh, en) after the indicator's name
    "level": ("", ""), "growth": ("增速", " growth"),
    "cagr": ("年均增速", " average annual growth"),
    "cumulative": ("累计", " cumulative"), "change": ("增量", " increase"),
    "relative": ("增速差", " growth gap"),
}


def fmt_value(x: float | None) -> str:
    """A target value or statistic as a planner reads it: 1,920 / 38.3 / 2.95 / 0.5195."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.4g}"


def stated(x: float) -> str:
    """A value as the plan states it, no digit added or lost: 3.5, 0.5195, 1,675."""
    x = float(x)
    return f"{x:,.0f}" if x.is_integer() else f"{x:g}"


def fmt_interval(lo: float | None, hi: float | None) -> str:
    """A range, the one form every output writes: "1,675 – 2,697" (spaced en dash, so that
    neither a thousands separator nor a minus sign is mistaken for the range's bounds)."""
    return f"{fmt_value(lo)} – {fmt_value(hi)}"


def is_count(ind) -> bool:
    """Whether an indicator counts things (firms, platforms): its values are whole numbers."""
    return ind is not None and getattr(ind, "kind", "") == "count"


def fmt_statistic(x: float | None, count: bool) -> str:
    """A simulated statistic (median, 10% or 90% point): whole for a count, since half a
    firm is no level a count can reach."""
    if count and x is not None and not (isinstance(x, float) and math.isnan(x)):
        return fmt_value(float(round(x)))
    return fmt_value(x)


def median_text(p50: float | None, p10: float | None, p90: float | None, count: bool) -> str:
    """A median and its 80% range, "1,980 (1,675 – 2,697)"; whole numbers for a count."""
    def whole(x: float | None) -> float | None:
        ok = count and x is not None and not (isinstance(x, float) and math.isnan(x))
        return float(round(x)) if ok else x

    return f"{fmt_statistic(p50, count)} ({fmt_interval(whole(p10), whole(p90))})"


def unit_text(unit: str | None, lang: str) -> str:
    """A unit as the output's language writes it (亿元 / 100 million yuan)."""
    unit = unit or ""
    return unit if lang == "zh" else UNITS_EN.get(unit, unit)


def with_unit(value: str, unit: str, lang: str) -> str:
    """A value and its unit: 400家 / 3.5% / 400 firms / 5个百分点 / 5 percentage points."""
    unit = unit_text(unit, lang)
    if not unit or unit == "%" or lang == "zh":
        return f"{value}{unit}"
    return f"{value} {unit}"


def target_unit(r, ind) -> str:
    """The unit of a target's value: % for rates, percentage points for the change of a share
    or a gap between two growth rates, else the indicator's unit."""
    if r.kind in ("growth", "cagr"):
        return "%"
    if r.kind == "relative" or (r.kind == "change" and ind is not None and ind.unit == "%"):
        return "个百分点"
    return ind.unit if ind is not None else (getattr(r, "unit", None) or "")


def year_span(first: int, last: int, lang: str, every: bool = False) -> str:
    """Years as a target states them: 2025 / 2021–2025 / every year 2021–2025; a span of one
    year is that year, never "2023–2023"."""
    span = str(last) if first >= last else f"{first}–{last}"
    if lang == "zh":
        return f"{span}年每年" if every and first < last else f"{span}年"
    return f"every year {span}" if every and first < last else span


def target_years(r, lang: str) -> str:
    """The years a target is about: its year, or the span it covers."""
    year, base = int(r.year), getattr(r, "base_year", None)
    has_base = base is not None and not (isinstance(base, float) and math.isnan(base))
    if getattr(r, "each_year", False) and has_base:
        return year_span(int(base) + 1, year, lang, every=True)
    if r.kind in ("cagr", "cumulative", "change") and has_base:
        return year_span(int(base), year, lang)
    return year_span(year, year, lang)


def indicator_name(ind_id: str, catalogue: Catalogue | None, lang: str) -> str:
    if catalogue is not None and ind_id in catalogue:
        ind = catalogue[ind_id]
        return ind.name_zh if lang == "zh" else ind.name_en
    return ind_id


def target_value(r, catalogue: Catalogue | None, lang: str) -> str:
    """The comparison and value with its unit: "≥ 3.5%", "≥ 400家", "≥ 5 percentage points",
    "∈ 2.5 – 3%" for a range."""
    ind = catalogue[r.indicator] if catalogue is not None and r.indicator in catalogue else None
    unit = target_unit(r, ind)
    if r.op == "between":
        value = with_unit(f"{stated(r.value)} – {stated(r.value_hi)}", unit, lang)
    else:
        value = with_unit(stated(r.value), unit, lang)
    return f"{OP_SYMBOLS.get(r.op, r.op)} {value}"


def explicit_name(r, lang: str, names: dict | None = None) -> str | None:
    """The name the plan file gives the target in ``lang``, if any (``names``: the run's
    ``{target_id: {"zh": ..., "en": ...}}`` for rows that do not carry them)."""
    if names is not None:
        tid = getattr(r, "target_id", None) or getattr(r, "id", None)
        given = names.get(tid, {}).get(lang)
        if given:
            return given
    given = getattr(r, "name" if lang == "zh" else "name_en", None)
    return given if isinstance(given, str) and given else None


def target_name(r, catalogue: Catalogue | None, lang: str, names: dict | None = None,
                region: str | None = None) -> str:
    """A target's display name in ``lang``: the plan's own, else made from the indicator's
    name, the kind, the value and the years ("研发经费投入强度 ≥ 3.5%(2025年)"); ``region``
    (a region other than the plan's, named in ``lang``) goes before a made name
    ("广东:研发经费投入强度 ≥ 3.5%(2025年)")."""
    given = explicit_name(r, lang, names)
    if given:
        return given
    made = derived_name(r, catalogue, lang)
    return made if not region else (f"{region}:{made}" if lang == "zh" else f"{region}: {made}")


def derived_name(r, catalogue: Catalogue | None, lang: str) -> str:
    """The name made from the indicator's catalogue name, the kind, the value and the years."""
    zh = lang == "zh"
    name = indicator_name(r.indicator, catalogue, lang)
    if r.kind == "qualitative" or r.op in (None, "") or r.value is None or (
            isinstance(r.value, float) and math.isnan(r.value)):
        return f"{name}(定性)" if zh else f"{name} (qualitative)"
    kind = _KIND_WORDS.get(r.kind, ("", ""))[0 if zh else 1]
    other = getattr(r, "other_indicator", None)
    if r.kind == "relative" and isinstance(other, str) and other:
        other_name = indicator_name(other, catalogue, lang)
        kind = f"增速与{other_name}增速之差" if zh else f" growth minus {other_name} growth"
    when = target_years(r, lang)
    if zh:
        return f"{name}{kind} {target_value(r, catalogue, lang)}({when})"
    return f"{name}{kind} {target_value(r, catalogue, lang)} ({when})"
