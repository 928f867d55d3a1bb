"""Plan text made comparable: one normalised string whose every character knows where it
came from in the document.

Matching works on simplified characters (OpenCC t2s), half-width digits and punctuation (NFKC)
and without the stray spaces of copied web pages and PDFs; the draft quotes the document as
written. ``Normalised.origin`` maps each normalised character back to the original, so a
clause found in the normalised text is cited by its span in the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_OR_PUNCT = re.compile(rf"[{CJK}\u3000-\u303f\uff00-\uffef,.;:!?()%“”‘’《》、]")
# page markers of documents copied from paging viewers ("...建立应用示\n21、范场景3个"):
# a line that breaks mid-sentence and resumes after "N、"
_PAGE_MARKER = re.compile(rf"\n\s*\d{{1,3}}、(?=[{CJK}])")
_ENDS_SENTENCE = set("。;:!?|")
# scanned documents read the digits 1 and 0 as letters ("遴选IOO家以上")
_OCR_DIGITS = re.compile(
    r"(?<![A-Za-z0-9])(?=[0-9IlO]{2,})[0-9IlO]*[IlO][0-9IlO]*(?=[家个项件人名户所台套条场次位])")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters converted to simplified, character for character."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_t2s().convert(c) or c for c in text)


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, its index in the original."""

    text: str
    origin: tuple[int, ...]
    original: str
    repaired: tuple[tuple[int, int], ...] = ()  # spans (normalised) whose digits were OCR-repaired

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalised characters ``start:end``."""
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        """The original text of normalised characters ``start:end``, as written."""
        a, b = self.span(start, end)
        return " ".join(self.original[a:b].split())


def normalise(original: str) -> Normalised:
    """NFKC, simplified characters, no spaces around CJK text, no page markers, OCR digits.

    Each step keeps or drops characters one at a time (a character that NFKC expands keeps
    its first form only when that is a single character), so positions stay traceable.
    """
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(original):
        n = unicodedata.normalize("NFKC", c)
        if c in "\r\t\u3000\xa0":
            n = " "
        if len(n) != 1:
            n = c if len(n) == 0 else n
        for k in n:
            chars.append(k)
            origin.append(i)
    text = simplified("".join(chars))
    keep = _keep_mask(text)
    text = "".join(c for c, k in zip(text, keep, strict=True) if k)
    origin = [o for o, k in zip(origin, keep, strict=True) if k]
    repaired: list[tuple[int, int]] = []

    def repair(m: re.Match[str]) -> str:
        repaired.append((m.start(), m.end()))
        return m.group().replace("I", "1").replace("l", "1").replace("O", "0")

    text = _OCR_DIGITS.sub(repair, text)
    return Normalised(text, tuple(origin), original, tuple(repaired))


def _keep_mask(text: str) -> list[bool]:
    keep = [True] * len(text)
    for m in _PAGE_MARKER.finditer(text):
        k = m.start() - 1  # the last character before the marker that is not a space
        while k >= 0 and text[k] == " ":
            k -= 1
        if k >= 0 and text[k] not in _ENDS_SENTENCE:  # no copy of the text per marker
            for i in range(m.start(), m.end()):
                keep[i] = False
    n = len(text)
    i = 0
    while i < n:
        if text[i] == " ":
            j = i
            while j < n and text[j] == " ":
                j += 1
            left = text[i - 1] if i > 0 else "\n"
            right = text[j] if j < n else "\n"
            if left == "\n" or right == "\n" or _CJK_OR_PUNCT.match(left) \
                    or _CJK_OR_PUNCT.match(right):
                for k in range(i, j):
                    keep[k] = False
            i = j
        else:
            i += 1
    return keep
