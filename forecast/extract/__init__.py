"""Read the targets out of a plan document into a draft plan file (`forecast extract`).

documents.py   txt (UTF-8 or GBK), docx, pdf and html read into text and tables
text.py        the normal form (NFKC, simplified characters) with offsets back to the original
vocabulary.py  the words of the target grammar: comparators, verbs, adverbs, patterns
phrases.py     numbers, sentences, deadlines, number mentions, an item's verb
grammar.py     the clause reader: target readings, and the numbers that are not targets
units.py       units converted to the catalogue's
matching.py    a clause's indicator, by catalogue names and aliases
tables.py      indicator tables: targets and history
draft.py       the draft plan from a document
writing.py     the draft as YAML, its check by the plan reader, --explain
agreement.py   precision and recall against a hand-encoded plan
"""

from __future__ import annotations

from pathlib import Path

from forecast.extract.documents import Document, read_document
from forecast.extract.draft import Draft, DraftTarget, build_draft
from forecast.inputs.catalogue import Catalogue, load_catalogue

__all__ = ["Document", "Draft", "DraftTarget", "extract_plan", "read_document"]


def extract_plan(path: Path | str, catalogue: Catalogue | None = None,
                 regions: list[str] | None = None, this_year: int | None = None) -> Draft:
    """The draft plan of the document at ``path`` (txt, docx, pdf or html). ``this_year``
    (the calendar year, which the interface passes) is the plan's year when neither the
    document nor its date says one."""
    doc = read_document(Path(path))
    return build_draft(doc, catalogue or load_catalogue(), regions or [], this_year)
