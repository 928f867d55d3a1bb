"""How a low-confidence probability is shown wherever a probability is: its likelihood word
marked, and the reason first in its note. The reasons are the assessment's
(``assessment.confidence``, the ``low_confidence`` column); a run written before that column
existed has none."""

from __future__ import annotations

LOW_NOTE = "low confidence: "
MARK = {"zh": "(低置信度)", "en": " (low confidence)"}


def low_reason(row: object) -> str:
    """The row's low-confidence reason, '' when it has none (or the column is missing or
    empty after a CSV round trip)."""
    reason = getattr(row, "low_confidence", "")
    return reason if isinstance(reason, str) else ""


def marked_likelihood(word: str, row: object, lang: str) -> str:
    """The likelihood word, marked low confidence where the row is: 几乎确定 alone never
    stands for a probability the data cannot support."""
    return word + MARK["zh" if lang == "zh" else "en"] if low_reason(row) else word


def marked_note(note: object, row: object) -> str:
    """The note with each low-confidence reason first ('low confidence: <reason>'), as the
    '; '-separated parts that the reports translate one by one."""
    note = note if isinstance(note, str) else ""
    reasons = [LOW_NOTE + r for r in low_reason(row).split("; ") if r]
    return "; ".join([*reasons, *([note] if note else [])])
