"""The grammar of numeric targets in Chinese plan text.

A target clause names an indicator, a verb that says what kind of change is wanted, a number
with its unit, a comparator and a deadline: 到2025年，高新技术企业数量达到400家以上. This module
reads such clauses out of normalised text (see ``text.py``) into :class:`Reading` rows, and
keeps a :class:`Skipped` row, with its reason, for every number that looks like a target but is
not one (a budget, an area, a subsidy, a fact about the past, a count of the plan's own tasks).

The rules follow docs/plan-encoding.md. They are written for the grammar, not for any one
document: a rule earns its place when it reads a construction that plans use generally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from forecast.extract.phrases import (
    Deadline,
    Mention,
    core,
    find_deadlines,
    find_mentions,
    own_verb,
    quoted,
    sentences,
)
from forecast.extract.units import NOT_TARGET_FAMILIES, family
from forecast.extract.vocabulary import (
    ASPIRATIONAL,
    BASE,
    BINDING,
    BUDGET,
    CLAUSE_BREAK,
    COMPARATOR_RE,
    COMPARATORS,
    PLAN_STRUCTURE,
    POST_END,
    PROGRAMME_NAME,
    SUBSIDY_RULE,
)


@dataclass
class Reading:
    """One target as read from a clause (positions in the normalised text)."""

    start: int
    end: int
    value: float | None
    unit: str | None
    kind: str
    op: str | None
    year: int | None
    base_year: int | None
    value_hi: float | None = None
    aspirational: bool = False
    binding: bool = False  # 约束性: the plan names the indicator binding
    each_year: bool = False
    wording: str | None = None
    subject: str = ""
    post: str = ""
    other_subject: str = ""
    notes: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    verb: str = ""           # the verb class that set the kind: new, build, activity, reach, ...
    inherited: bool = False  # the kind came from the item before (no verb of its own)
    rank: bool = False
    source: str = "text"     # text or table
    flow_hint: bool = False  # an activity verb over a multi-year period: a sum over years
    op_stated: bool = False  # a comparator was written (else >= by default)
    other_indicator: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A number that is not a target, and why (shown by ``--explain``)."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Period:
    """The plan's years: targets without a deadline are due at ``end``; changes and sums
    run from ``base_year``."""

    start: int
    end: int
    base_year: int
    published: int | None = None


class ClauseReader:
    """Reads every sentence of a normalised text into target readings and skipped numbers."""

    def __init__(self, period: Period):
        self.period = period

    def read(self, text: str, skip: list[tuple[int, int]] = ()) -> tuple[list[Reading],
                                                                          list[Skipped]]:
        readings: list[Reading] = []
        skipped: list[Skipped] = []
        for a, b in sentences(text):
            if any(a >= s0 and b <= s1 for s0, s1 in skip):
                continue
            r, k = self._sentence(text[a:b], a)
            readings += r
            skipped += k
        return readings, skipped

    # -- one sentence -----------------------------------------------------------------------

    def _sentence(self, s: str, offset: int) -> tuple[list[Reading], list[Skipped]]:
        readings: list[Reading] = []
        skipped: list[Skipped] = []
        deadlines = find_deadlines(s)
        base_m = BASE.search(s)
        subsidy_rule = s.lstrip().startswith("对") and SUBSIDY_RULE.search(s) is not None

        relative = self._relative(s)
        if relative is not None:
            relative.start += offset
            relative.end += offset
            self._date(relative, deadlines, s, 0)
            return [relative], []

        items = list(find_mentions(s))
        zero = [(m.start(), m.end()) for m in re.finditer(r"零的突破", s)]

        prev: Reading | None = None
        seg_start = 0
        for m in sorted([*items, *zero],
                        key=lambda x: x.start if isinstance(x, Mention) else x[0]):
            if isinstance(m, tuple):  # 零的突破: the first one ever, i.e. more than zero
                start = max(s.rfind(c, 0, m[0]) for c in ",;:") + 1
                r = Reading(offset + start, offset + m[1], 0.0, "个", "level", ">", None, None,
                            subject=s[start:m[0]], verb="reach", op_stated=True)
                r.notes.append("零的突破 (a first one) read as > 0")
                self._date(r, deadlines, s, m[0])
                r.aspirational = any(w in s[: m[0]] for w in ASPIRATIONAL)
                r.binding = BINDING in s[: m[0]]
                readings.append(r)
                prev = r
                seg_start = m[1]
                continue
            clause_start = max(s.rfind(c, 0, m.start) for c in CLAUSE_BREAK) + 1
            start = max(clause_start, seg_start)
            pre = s[start: m.start]
            post_end = self._post_end(s, m.end)
            post = s[m.end: post_end]
            reason = self._not_a_target(s, m, pre, post, subsidy_rule)
            if reason:
                skipped.append(Skipped(offset + start, offset + max(m.end, post_end), reason))
                seg_start = m.end
                continue
            if m.unit is None and not re.search(rf"(?:{COMPARATOR_RE})$", pre):
                seg_start = m.end
                continue
            if m.chinese and PROGRAMME_NAME.search(post):
                seg_start = m.end
                continue
            noun = core(pre)
            attach = bool(post) and (len(noun) <= 1 or own_verb(post) is None)
            r = self._reading(s, m, pre, post if attach else "", prev, start)
            if len(noun) <= 1 and not core(post) and prev is not None \
                    and own_verb(pre) in (None, "grow", "reach"):
                r.subject = prev.subject + pre
                r.notes.append("the indicator of the clause before")
            quote_end = post_end if attach else m.end
            r.start, r.end = offset + start, offset + quote_end
            r.post = post
            self._date(r, deadlines, s, m.start)
            if r.year is None:
                skipped.append(Skipped(r.start, r.end, "a fact about the past"))
                seg_start = quote_end
                continue
            if base_m and base_m.start() < m.start:
                r.base_year = int(base_m["year"])
                r.notes.append(f"base year {r.base_year} as stated (比{r.base_year}年)")
            r.aspirational = any(w in s[: m.start] for w in ASPIRATIONAL)
            r.binding = BINDING in s[: m.start]
            if re.search(r"已(?:经)?(?:达到|达|突破|超过|有|建成|累计)", pre):
                skipped.append(Skipped(r.start, r.end, "a fact about the past (已)"))
                seg_start = quote_end
                continue
            readings.append(r)
            prev = r
            seg_start = quote_end
        return readings, skipped

    @staticmethod
    def _post_end(s: str, at: int) -> int:
        """Where the words after a number end: the next delimiter, 其中, or the next number."""
        found = POST_END.search(s, at)
        end = found.start() if found else len(s)
        while end > at and s[end - 1] in "和及与并、":
            end -= 1
        return end

    @staticmethod
    def _not_a_target(s: str, m: Mention, pre: str, post: str, subsidy_rule: bool) -> str | None:
        if quoted(s, m.start):
            return "inside quotation marks or a title"
        fam = family(m.unit)
        if fam in NOT_TARGET_FAMILIES:
            return "an area, not a target"
        clause_start = max(s.rfind(c, 0, m.start) for c in CLAUSE_BREAK) + 1
        ends = [e for e in (s.find(c, m.end) for c in ",;:。") if e >= 0]
        clause = s[clause_start: min(ends, default=len(s))]
        if fam in ("money", "usd") and BUDGET.search(clause):
            return "a budget, subsidy or award"
        if subsidy_rule:
            return "a condition or amount of a subsidy"
        if PLAN_STRUCTURE.match(post):
            return "counts the plan's own tasks or indicators"
        return None

    # -- kind, comparator, value ------------------------------------------------------------

    def _reading(self, s: str, m: Mention, pre: str, post: str, prev: Reading | None,
                 start: int) -> Reading:
        unit = m.unit
        value = m.value
        value_hi = m.value_hi
        op = ">="
        wording = None
        notes: list[str] = []
        pre_s = pre.rstrip()
        comp = re.search(rf"(?:{COMPARATOR_RE})$", pre_s)
        stated = bool(comp) or bool(m.trail) or m.odd or value_hi is not None
        if comp:
            op = COMPARATORS[comp.group()]
            if op == ">":
                wording = "exceed"
        if m.trail in ("以上", "余", "多") or m.odd:
            op = ">=" if op not in (">",) else op
        elif m.trail in ("以下", "以内"):
            op = "<="
        elif m.trail in ("左右", "上下") or re.search(r"(约|大约|近)$", pre_s):
            wording = "about"
            notes.append(f"{m.trail or '约'} (about) read as a floor")
        if value_hi is not None:
            op = "between"
        window = pre_s[-10:]
        fam = family(unit)
        verb = own_verb(pre)
        inherited = False
        kind = "level"
        each_year = "每年" in pre or "年增长率" in pre
        rank = unit in ("位", "名") and re.search(r"排名|排位|位次|全国|全省|前列", s[: m.start]) \
            is not None and re.search(r"人才|专家|博士|院士|人员|特派员", pre) is None
        annual = re.search(r"(年均|年平均|平均每年|每年平均|年复合)(?:增长|增加|提高|提升|递增|"
                           r"增速|增幅)(?:率)?(?:达到|达|为|保持在|在)?$", window)
        grow = re.search(r"(?:增长|增加|提高|提升|递增|增幅|增速|增长率|上升)(?:率)?(?:达到|达|为|"
                         r"保持在|在|了)?$", window)
        fall = re.search(r"(?:下降|降低|减少|缩减|压减|压降)(?:率)?(?:达到|达|了)?$", window)
        if rank:
            if grow or re.search(r"(提升|提高|前进|上升)$", window):
                kind, value, op = "change", -value, "<="
                notes.append("a rank: moving up N places is a change of -N")
            else:
                op = "<=" if op in (">=", ">") else op
                notes.append("a rank: lower is better")
            verb = "rank"
        elif fam == "percent" and annual:
            kind, verb = "cagr", "grow"
        elif fam == "points" and (annual or "每年" in pre):
            kind, verb, each_year = "change", "grow", True
        elif fam == "percent" and grow:
            kind, verb = "growth", "grow"
        elif fam in ("percent", "points") and fall:
            kind = "growth" if fam == "percent" else "change"
            value, op, verb = -value, "<=", "grow"
            notes.append("a fall of X is a change of -X")
        elif fam == "points":
            kind, verb = "change", "grow"
        elif verb == "new" or (each_year and verb == "build"):
            kind = "change"
        elif verb is None and prev is not None and not comp and prev.source == "text":
            kind, verb, inherited = prev.kind, prev.verb, True
            each_year = each_year or prev.each_year
            if kind in ("growth", "cagr") and fam != "percent":
                kind = "level"
            if prev.rank:
                kind = "level"
        if "累计" in pre and kind == "level":
            kind, verb = "cumulative", "cumulative"
        if fam in ("points",):
            unit = "%"
        if kind in ("growth", "cagr") and fam != "percent":
            kind = "level"
        if comp and comp.group() == "突破" and post and kind == "level":
            # 突破5项关键技术: the verb "achieve breakthroughs", not "exceed"
            op, wording, verb = (">=" if m.trail not in ("以下", "以内") else op), None, "activity"
            comp = None
        flow_hint = verb == "activity" and not comp and kind == "level"
        if each_year and kind not in ("change", "growth"):
            each_year = False
        subject = pre if core(pre) else (post or pre)
        r = Reading(0, 0, value, unit, kind, op, None, None, value_hi=value_hi,
                    wording=wording, subject=subject, notes=notes, verb=verb or "",
                    inherited=inherited, rank=rank, each_year=each_year, flow_hint=flow_hint,
                    op_stated=stated or rank or kind != "level")
        if m.chinese:
            r.notes.append(f"{s[m.start:m.num_end]} read as {value:g}")
        if value_hi is not None:
            r.notes.append(f"a range {value:g}-{value_hi:g}")
        return r

    def _date(self, r: Reading, deadlines: list[Deadline], s: str, at: int) -> None:
        """Deadline and base year of a reading: the nearest deadline before it in the sentence
        (else after it), else the plan's end year. A bare year before the plan started is a
        fact about the past (the reading's year stays None)."""
        before = [d for d in deadlines if d.at < at]
        chosen = before[-1] if before else (deadlines[0] if deadlines else None)
        p = self.period
        if chosen is None:
            r.year, r.base_year = p.end, p.base_year
            r.doubts.append("no deadline in the sentence: the plan's end year")
            return
        if chosen.year <= p.base_year:
            return  # 2022年全市高新技术企业达到776家, 截至2022年底…: a fact about the past
        if not chosen.explicit:
            r.doubts.append(f"the year {chosen.year} read as the deadline")
        r.year = chosen.year
        r.base_year = chosen.base_year if chosen.base_year is not None else p.base_year
        if r.year <= r.base_year:
            r.base_year = r.year - 1

    # -- relative targets -------------------------------------------------------------------

    _REL = re.compile(r"(?P<left>[^,;:。]*?)(?:的)?(?:增长幅度|增幅|增速|增长速度|增长率)"
                      r"(?P<cmp>不低于|高于|快于|超过|不少于)(?P<right>[^,;:。]*?)(?:的)?"
                      r"(?:增长幅度|增幅|增速|增长速度|增长率)")

    def _relative(self, s: str) -> Reading | None:
        """X的增幅不低于Y的增幅: growth of one indicator against another's (kind relative)."""
        m = self._REL.search(s)
        if not m:
            return None
        op = ">=" if m["cmp"] in ("不低于", "不少于") else ">"
        r = Reading(m.start(), m.end(), 0.0, "%", "relative", op, None, None, each_year=True,
                    subject=m["left"], other_subject=m["right"], verb="relative")
        r.notes.append("growth of one indicator minus the growth of the other, in "
                       "percentage points, every year")
        r.aspirational = any(w in s[: m.start()] for w in ASPIRATIONAL)
        r.binding = BINDING in s[: m.start()]
        return r
