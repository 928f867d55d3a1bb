"""Which catalogue indicator a clause is about, through the catalogue's names and aliases.

Names and aliases are compared in the same normal form as the plan text (simplified, NFKC, no
spaces). The longest name found nearest the number wins, among indicators whose unit fits the
number's (a % cannot be a count of firms). When no name is found whole, a clause still matches
a name most of whose two-character pieces it contains, with lower confidence; below that the
clause keeps ``indicator: null`` for the planner to fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from forecast.extract.text import normalise
from forecast.extract.units import compatible
from forecast.inputs.catalogue import Catalogue, Indicator

FUZZY_THRESHOLD = 0.75


@dataclass(frozen=True)
class Match:
    """The indicator of a clause, the name that matched it and whether the match was whole."""

    indicator: Indicator
    name: str
    exact: bool
    score: float = 1.0


def _form(name: str) -> str:
    return normalise(name).text.casefold()


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s,;:、()“”《》的和及与等]", "", text)
    return {text[i: i + 2] for i in range(len(text) - 1)}


class Matcher:
    """Finds indicators by name in clause text."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    @cached_property
    def names(self) -> list[tuple[str, Indicator]]:
        out = []
        for ind in self.catalogue:
            for name in {ind.name_zh, *ind.aliases, *ind.aliases_traditional}:
                form = _form(name)
                if len(form) >= 2:
                    out.append((form, ind))
        return sorted(out, key=lambda x: len(x[0]), reverse=True)

    def match(self, before: str, after: str, unit: str | None, kind: str) -> Match | None:
        """The indicator named in ``before`` (the words up to the number) or else ``after``
        (the words following it), whose unit fits ``unit`` and ``kind``: the name nearest
        the number, the longest of those that end there."""
        for text, from_end in ((before.casefold(), True), (after.casefold(), False)):
            best: tuple[int, int, str, Indicator] | None = None
            for form, ind in self.names:
                if not self._fits(ind, unit, kind):
                    continue
                at = text.rfind(form) if from_end else text.find(form)
                if at < 0:
                    continue
                distance = len(text) - (at + len(form)) if from_end else at
                key = (-distance, len(form))  # the head noun ends a Chinese noun phrase
                if best is None or key > best[:2]:
                    best = (*key, form, ind)
            if best is not None:
                return Match(best[3], best[2], True)
        return self._fuzzy(before + after, unit, kind)

    def _fuzzy(self, text: str, unit: str | None, kind: str) -> Match | None:
        grams = _bigrams(text.casefold())
        if not grams:
            return None
        best: Match | None = None
        for form, ind in self.names:
            if not self._fits(ind, unit, kind) or len(form) < 4:
                continue
            own = _bigrams(form)
            if not own:
                continue
            score = len(own & grams) / len(own)
            if score >= FUZZY_THRESHOLD and (best is None or (score, len(form)) >
                                             (best.score, len(best.name))):
                best = Match(ind, form, False, score)
        return best

    @staticmethod
    def _fits(ind: Indicator, unit: str | None, kind: str) -> bool:
        if kind == "qualitative":
            return ind.kind == "binary"
        if ind.kind == "binary":
            return False
        return compatible(unit, ind.unit, kind)
