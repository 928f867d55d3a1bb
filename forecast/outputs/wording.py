"""How numbers and targets read in words: the same in summary.md, the reports and the
terminal (a planner's number format, the comparison symbols, a target as a clause)."""

from __future__ import annotations

import math

from forecast.inputs.catalogue import Catalogue
from forecast.outputs.names import OP_SYMBOLS, derived_name, fmt_interval, fmt_value

fmt_number = fmt_value  # a number as a planner reads it: 1,920 / 38.3 / 2.95 / 0.5195
__all__ = ["OP_SYMBOLS", "clause", "fmt_interval", "fmt_number", "fmt_rate", "fmt_share",
           "progress_text"]


def fmt_rate(x: float) -> str:
    """A growth rate, signed, to a tenth of a point ("+3.0%"); a rate that rounds to zero is
    "+0.0%", never "-0.0%"; "–" where there is none."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{round(x, 1) + 0.0:+.1f}%"


def fmt_share(x: float | None) -> str:
    """A share of the way as a percentage (60%), or "–" where there is none."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{round(x, 2) + 0.0:.0%}"


def progress_text(progress_share: float | None, time_share: float | None) -> str:
    """The review's "distance / time": 60% / 40%, – / 40% (no distance to cover), – / –."""
    return f"{fmt_share(progress_share)} / {fmt_share(time_share)}"


def aspirational_mark(lang: str) -> str:
    """How a target the plan only strives for (力争) is marked."""
    return "(力争)" if lang == "zh" else " (aspirational)"


def clause(r, catalogue: Catalogue | None, lang: str) -> str:
    """The target in words, as the tool reads it: indicator name, comparison, value, unit and
    years, and whether the plan only strives for it."""
    star = aspirational_mark(lang) if getattr(r, "aspirational", False) is True else ""
    return derived_name(r, catalogue, lang) + star
