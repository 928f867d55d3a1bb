"""The pieces a target clause is made of: numbers (digits or Chinese numerals), sentences,
deadlines, the numbers with their units (mentions), and the verb an item states."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import cn2an

from forecast.extract.units import family
from forecast.extract.vocabulary import (
    ACTIVITY,
    ADVERBS,
    ASPIRATIONAL,
    BASE,
    BUILD,
    CLOSE,
    COMPARATOR_RE,
    DEADLINE,
    FALL,
    GROW,
    MENTION,
    NEW,
    OPEN,
    RANGE,
    SENTENCE_BREAK,
    VERBS,
    YEAR,
)


def number(text: str) -> float | None:
    """A number written in digits or Chinese numerals (cn2an), None when it is not one."""
    text = text.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text[0] in "百千":
        text = "一" + text
    try:
        value = cn2an.cn2an(text, "strict")
    except (ValueError, KeyError, TypeError):
        return None
    return float(value)


def quoted(sentence: str, at: int) -> bool:
    """Whether position ``at`` lies inside quotation marks or a book title."""
    depth = 0
    for c in sentence[:at]:
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth = max(0, depth - 1)
    return depth > 0


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of sentences: up to 。！？, a line break or a table cell boundary."""
    start = 0
    for i, c in enumerate(text):
        if c in SENTENCE_BREAK:
            if i > start:
                yield start, i + (c != "\n" and c != "|")
            start = i + 1
    if start < len(text):
        yield start, len(text)





@dataclass(frozen=True)
class Deadline:
    at: int
    year: int
    base_year: int | None
    explicit: bool  # 到/至 2025年, 2025年底, 十四五末: a deadline, not just a date


def find_deadlines(sentence: str) -> list[Deadline]:
    """The deadlines a sentence states, in order: a year range (2021-2025年: due at its end,
    from the year before its start), a year, or a five-year plan (“十四五”末 is 2025)."""
    found: list[Deadline] = []
    bases = {m.start("year") for m in BASE.finditer(sentence)}
    ranges = []
    for m in RANGE.finditer(sentence):
        if not quoted(sentence, m.start()):
            a, b = int(m["a"]), int(m["b"])
            found.append(Deadline(m.start(), b, a - 1, True))
            ranges.append((m.start(), m.end()))
    for m in DEADLINE.finditer(sentence):
        inside_range = any(a <= m.start() < b for a, b in ranges)
        if quoted(sentence, m.start()) or inside_range:
            continue
        if m["year"]:
            if m.start("year") in bases:
                continue
            after = sentence[m.end(): m.end() + 2]
            if after[:1] and after[:1] in "月度":
                continue
            explicit = bool(m["prep"] in ("到", "至", "截至", "截止到", "截止") or m["end"])
            found.append(Deadline(m.start(), int(m["year"]), None, explicit))
        else:
            n = "一二三四五六七八九".index(m["fyp"]) + 1
            found.append(Deadline(m.start(), 2025 + 5 * (10 + n - 14), None, True))
    return sorted(found, key=lambda d: d.at)





@dataclass
class Mention:
    start: int  # of the number (or 百分之)
    num_end: int
    end: int    # after unit and trailing comparator
    value: float
    value_hi: float | None
    unit: str | None
    trail: str
    chinese: bool
    odd: bool


def find_mentions(s: str) -> Iterator[Mention]:
    for m in MENTION.finditer(s):
        raw = m["num"]
        chinese = not raw[0].isdigit()
        unit = m["unit"]
        pct = bool(m["pct"])
        if pct:
            unit = "%"
        after = s[m.end(): m.end() + 1]
        major = chinese and not unit and after == "大" and re.search(
            r"(?:实施|推进|建设|打造|启动|开展|培育|组织)$", s[: m.start()]) is not None
        if chinese and not unit and not major:
            continue
        value = number(raw)
        if value is None:
            continue
        hi = number(m["hi"]) if m["hi"] else None
        if m["dash"] and hi is None:
            continue
        before = s[m.start() - 1] if m.start() > 0 else ""
        if before in "+第" or after == "+" or (before.isascii() and before.isalpha()):
            continue
        if major:  # 实施十大技术攻关项目: ten (major) projects
            yield Mention(m.start(), m.end("num"), m.end() + 1, value, None, "个", "",
                           True, False)
            continue
        if (after == "级" and family(unit) in (None, "money")) or after == "大" \
                or (after == ":" and s[m.end() + 1: m.end() + 2].isdigit()):
            continue
        if not unit and re.match(r"\s*[年月日号期]", s[m.end("num"):]):
            continue
        if chinese and (raw in ("一", "两", "二", "俩", "几", "数") or "十四五" in raw):
            continue
        if re.fullmatch(YEAR, raw) and not unit:
            continue
        yield Mention(m.start(), m.end("num") if not m["hi"] else m.end("hi"), m.end(), value,
                       hi, unit, m["trail"] or "", chinese, bool(m["odd"]))


def strip_words(text: str, words: tuple[str, ...]) -> str:
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, "")
    return text


def core(pre: str) -> str:
    """The noun part of a clause's text: deadlines, adverbs and verbs taken out."""
    core = re.sub(DEADLINE.pattern, "", pre)
    core = strip_words(core, (*ASPIRATIONAL, *ADVERBS, *VERBS, "的", "和", "及", "与", "、", "等",
                         "在", "将", "使", "让", "有", "为", "对", "共", "了"))
    return re.sub(r"[\s,;:、()“”]", "", core)


def own_verb(pre: str) -> str | None:
    """The verb class of an item's own words, or None when it has no verb."""
    tail = pre[-12:]
    if any(w in pre for w in NEW if w != "备案") or strip_words(pre, ADVERBS).startswith("备案"):
        return "new"
    if re.search(rf"(?:{COMPARATOR_RE})$", pre.rstrip()):
        return "reach"
    if any(w in tail for w in (*GROW, *FALL)):
        return "grow"
    if "累计" in pre:
        return "cumulative"
    if any(w in pre for w in ACTIVITY):
        return "activity"
    if any(w in pre for w in BUILD):
        return "build"
    return None
