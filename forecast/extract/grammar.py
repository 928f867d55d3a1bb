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
from collections.abc import Iterator
from dataclasses import dataclass, field

import cn2an

from forecast.extract.units import NOT_TARGET_FAMILIES, UNIT_PATTERN, family

# ---- words ---------------------------------------------------------------------------------

ASPIRATIONAL = ("力争", "争取", "努力", "力求", "争创")
# comparators written right before the number, longest first within each group
_GE = ("不低于", "不少于", "不小于", "提高到", "提升到", "提高至", "提升至", "增加到", "增加至",
       "增长到", "增长至", "保持在", "稳定在", "达到", "增至", "升至", "达")
_GT = ("突破", "超过", "高于", "多于", "大于", "超")
_LE = ("控制在", "控制到", "下降到", "下降至", "降低到", "降低至", "减少到", "减少至", "缩小到",
       "缩小至", "缩减到", "压减到", "压减至", "压缩到", "降到", "降至", "不高于", "不超过",
       "不大于", "以内")
_LT = ("低于", "少于", "小于")
COMPARATORS = {**{w: ">=" for w in _GE}, **{w: ">" for w in _GT}, **{w: "<=" for w in _LE},
               **{w: "<" for w in _LT}}
_COMPARATOR_RE = "|".join(sorted(COMPARATORS, key=len, reverse=True))
# verbs that make a clause its own item (an enumerated item without one shares the verb of
# the item before it: 新增高新技术企业20家、专精特新中小企业10家)
BUILD = ("建设", "建立", "建成", "打造", "组建", "创建", "培育", "设立", "布局", "争创", "认定",
         "获批", "引育", "搭建", "入库", "入规", "上市", "挂牌", "备案", "拥有", "保持", "实现",
         "评定", "遴选", "支持", "扶持", "推动", "推进", "建")
ACTIVITY = ("突破", "攻克", "培训", "获得", "形成", "开发", "研发", "审定", "登记", "选派", "转化",
            "引进", "招引", "举办", "开展", "完成", "发布", "带动", "孵化", "推广", "实施", "申请",
            "授权", "签订", "签约", "服务", "制定", "承担", "攻关", "新认定", "派驻", "吸引",
            "引导", "组织", "培养", "输送", "落地")
# 新增 N of a stock is its change; 备案 N (newly filed) adds N to a registered stock
NEW = ("新增", "新建", "新设立", "新设", "新入驻", "净增", "新组建", "新培育", "备案")
_GROW = ("增长", "增加", "提高", "提升", "递增", "增幅", "增速", "上升")
_FALL = ("下降", "降低", "减少", "缩减", "压减", "压降")
VERBS = tuple(sorted({*BUILD, *ACTIVITY, *NEW, *_GROW, *_FALL, *COMPARATORS},
                     key=len, reverse=True))
ADVERBS = ("全市", "全县", "全区", "全省", "全年", "每年", "年均", "累计", "精准", "积极", "努力",
           "大力", "进一步", "持续", "力争", "争取", "确保", "计划", "共", "总计", "合计", "再",
           "重点", "探索", "加快", "逐步", "不断", "深入", "全面", "其中", "当年", "年内", "以上",
           "分别", "各")
# a money amount with one of these in its clause is spending, not an outcome
_BUDGET = re.compile(r"总投资|投资额|投资|资金|预算|拨付|安排|补助|补贴|奖励|奖补|资助|经费补助|"
                     r"一次性|给予|配套|贴息|担保|注册资本|融资")
_SUBSIDY_RULE = re.compile(r"给予|补助|补贴|奖励|奖补|资助|帮助争取|予以")
# what a count of the plan's own structure looks like: 26项重点指标, 15项工程, 20条措施
_PLAN_STRUCTURE = re.compile(r"^(?:重点|主要|具体)?(?:指标|任务|措施|工程|行动|举措|方面|环节|领域|"
                             r"板块|专项行动|政策|条款|要求|目标)")
# names of programmes written with numerals: 百名博士进百企行动, 千企万人工程
_PROGRAMME_NAME = re.compile(r"(?:行动|工程|计划|活动|战略|机制|模式|体系)$")
CN_DIGITS = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"\d+(?:,\d{{3}})*(?:\.\d+)?|[{CN_DIGITS}]+"
_MENTION = re.compile(
    rf"(?P<pct>百分之)?(?P<num>{_NUMBER})"
    rf"(?:\s*(?P<dash>[-~—–至到])\s*(?P<hi>{_NUMBER}))?"
    rf"(?P<odd>余|多)?(?P<unit>{UNIT_PATTERN})?"
    r"(?P<trail>以上|以下|以内|左右|上下|余|多)?")
_YEAR = r"(?:19|20)\d\d"
_DEADLINE = re.compile(
    rf"(?P<prep>到|至|截至|截止到|截止|在|于|从)?(?P<year>{_YEAR})\s*(?:年(?P<end>底|末|前|内)?)"
    rf"(?![\d月])|(?P<fprep>到|至)?“?十(?P<fyp>[一二三四五六七八九])五”?(?P<fend>末|期末|期间|时期|时)?")
_RANGE = re.compile(rf"(?P<a>{_YEAR})\s*[-~—–至到]\s*(?P<b>{_YEAR})\s*年")
_BASE = re.compile(rf"(?:比|较|相比|对比|在)(?P<year>{_YEAR})年(?:末|底)?(?:基础上)?")
_OPEN = "“‘《〔【「『"
_CLOSE = "”’》〕】」』"
_CLAUSE_BREAK = set(",;:")
_POST_END = re.compile(rf"[,;:、。]|其中|以及|[和及与](?=\d)|\d|[{CN_DIGITS}]+(?:{UNIT_PATTERN})")
_SENTENCE_BREAK = set("。!?\n|")


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


# ---- numbers -------------------------------------------------------------------------------


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


def _quoted(sentence: str, at: int) -> bool:
    """Whether position ``at`` lies inside quotation marks or a book title."""
    depth = 0
    for c in sentence[:at]:
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
    return depth > 0


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of sentences: up to 。！？, a line break or a table cell boundary."""
    start = 0
    for i, c in enumerate(text):
        if c in _SENTENCE_BREAK:
            if i > start:
                yield start, i + (c != "\n" and c != "|")
            start = i + 1
    if start < len(text):
        yield start, len(text)


# ---- deadlines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Deadline:
    at: int
    year: int
    base_year: int | None
    explicit: bool  # 到/至 2025年, 2025年底, 十四五末: a deadline, not just a date


def _deadlines(sentence: str) -> list[_Deadline]:
    """The deadlines a sentence states, in order: a year range (2021-2025年: due at its end,
    from the year before its start), a year, or a five-year plan (“十四五”末 is 2025)."""
    found: list[_Deadline] = []
    bases = {m.start("year") for m in _BASE.finditer(sentence)}
    ranges = []
    for m in _RANGE.finditer(sentence):
        if not _quoted(sentence, m.start()):
            a, b = int(m["a"]), int(m["b"])
            found.append(_Deadline(m.start(), b, a - 1, True))
            ranges.append((m.start(), m.end()))
    for m in _DEADLINE.finditer(sentence):
        inside_range = any(a <= m.start() < b for a, b in ranges)
        if _quoted(sentence, m.start()) or inside_range:
            continue
        if m["year"]:
            if m.start("year") in bases:
                continue
            after = sentence[m.end(): m.end() + 2]
            if after[:1] and after[:1] in "月度":
                continue
            explicit = bool(m["prep"] in ("到", "至", "截至", "截止到", "截止") or m["end"])
            found.append(_Deadline(m.start(), int(m["year"]), None, explicit))
        else:
            n = "一二三四五六七八九".index(m["fyp"]) + 1
            found.append(_Deadline(m.start(), 2025 + 5 * (10 + n - 14), None, True))
    return sorted(found, key=lambda d: d.at)


# ---- the clause reader ---------------------------------------------------------------------


@dataclass
class _Mention:
    start: int  # of the number (or 百分之)
    num_end: int
    end: int    # after unit and trailing comparator
    value: float
    value_hi: float | None
    unit: str | None
    trail: str
    chinese: bool
    odd: bool


def _mentions(s: str) -> Iterator[_Mention]:
    for m in _MENTION.finditer(s):
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
            yield _Mention(m.start(), m.end("num"), m.end() + 1, value, None, "个", "",
                           True, False)
            continue
        if (after == "级" and family(unit) in (None, "money")) or after == "大" \
                or (after == ":" and s[m.end() + 1: m.end() + 2].isdigit()):
            continue
        if not unit and re.match(r"\s*[年月日号期]", s[m.end("num"):]):
            continue
        if chinese and (raw in ("一", "两", "二", "俩", "几", "数") or "十四五" in raw):
            continue
        if re.fullmatch(_YEAR, raw) and not unit:
            continue
        yield _Mention(m.start(), m.end("num") if not m["hi"] else m.end("hi"), m.end(), value,
                       hi, unit, m["trail"] or "", chinese, bool(m["odd"]))


def _strip(text: str, words: tuple[str, ...]) -> str:
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, "")
    return text


def _core(pre: str) -> str:
    """The noun part of a clause's text: deadlines, adverbs and verbs taken out."""
    core = re.sub(_DEADLINE.pattern, "", pre)
    core = _strip(core, (*ASPIRATIONAL, *ADVERBS, *VERBS, "的", "和", "及", "与", "、", "等",
                         "在", "将", "使", "让", "有", "为", "对", "共", "了"))
    return re.sub(r"[\s,;:、()“”]", "", core)


def _own_verb(pre: str) -> str | None:
    """The verb class of an item's own words, or None when it has no verb."""
    tail = pre[-12:]
    if any(w in pre for w in NEW if w != "备案") or _strip(pre, ADVERBS).startswith("备案"):
        return "new"
    if re.search(rf"(?:{_COMPARATOR_RE})$", pre.rstrip()):
        return "reach"
    if any(w in tail for w in (*_GROW, *_FALL)):
        return "grow"
    if "累计" in pre:
        return "cumulative"
    if any(w in pre for w in ACTIVITY):
        return "activity"
    if any(w in pre for w in BUILD):
        return "build"
    return None


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
        deadlines = _deadlines(s)
        base_m = _BASE.search(s)
        subsidy_rule = s.lstrip().startswith("对") and _SUBSIDY_RULE.search(s) is not None

        relative = self._relative(s)
        if relative is not None:
            relative.start += offset
            relative.end += offset
            self._date(relative, deadlines, s, 0)
            return [relative], []

        items = list(_mentions(s))
        zero = [(m.start(), m.end()) for m in re.finditer(r"零的突破", s)]

        prev: Reading | None = None
        seg_start = 0
        for m in sorted([*items, *zero],
                        key=lambda x: x.start if isinstance(x, _Mention) else x[0]):
            if isinstance(m, tuple):  # 零的突破: the first one ever, i.e. more than zero
                start = max(s.rfind(c, 0, m[0]) for c in ",;:") + 1
                r = Reading(offset + start, offset + m[1], 0.0, "个", "level", ">", None, None,
                            subject=s[start:m[0]], verb="reach", op_stated=True)
                r.notes.append("零的突破 (a first one) read as > 0")
                self._date(r, deadlines, s, m[0])
                r.aspirational = any(w in s[: m[0]] for w in ASPIRATIONAL)
                readings.append(r)
                prev = r
                seg_start = m[1]
                continue
            clause_start = max(s.rfind(c, 0, m.start) for c in _CLAUSE_BREAK) + 1
            start = max(clause_start, seg_start)
            pre = s[start: m.start]
            post_end = self._post_end(s, m.end)
            post = s[m.end: post_end]
            reason = self._not_a_target(s, m, pre, post, subsidy_rule)
            if reason:
                skipped.append(Skipped(offset + start, offset + max(m.end, post_end), reason))
                seg_start = m.end
                continue
            if m.unit is None and not re.search(rf"(?:{_COMPARATOR_RE})$", pre):
                seg_start = m.end
                continue
            if m.chinese and _PROGRAMME_NAME.search(post):
                seg_start = m.end
                continue
            noun = _core(pre)
            attach = bool(post) and (len(noun) <= 1 or _own_verb(post) is None)
            r = self._reading(s, m, pre, post if attach else "", prev, start)
            if len(noun) <= 1 and not _core(post) and prev is not None \
                    and _own_verb(pre) in (None, "grow", "reach"):
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
        found = _POST_END.search(s, at)
        end = found.start() if found else len(s)
        while end > at and s[end - 1] in "和及与并、":
            end -= 1
        return end

    @staticmethod
    def _not_a_target(s: str, m: _Mention, pre: str, post: str, subsidy_rule: bool) -> str | None:
        if _quoted(s, m.start):
            return "inside quotation marks or a title"
        fam = family(m.unit)
        if fam in NOT_TARGET_FAMILIES:
            return "an area, not a target"
        clause_start = max(s.rfind(c, 0, m.start) for c in _CLAUSE_BREAK) + 1
        ends = [e for e in (s.find(c, m.end) for c in ",;:。") if e >= 0]
        clause = s[clause_start: min(ends, default=len(s))]
        if fam in ("money", "usd") and _BUDGET.search(clause):
            return "a budget, subsidy or award"
        if subsidy_rule:
            return "a condition or amount of a subsidy"
        if _PLAN_STRUCTURE.match(post):
            return "counts the plan's own tasks or indicators"
        return None

    # -- kind, comparator, value ------------------------------------------------------------

    def _reading(self, s: str, m: _Mention, pre: str, post: str, prev: Reading | None,
                 start: int) -> Reading:
        unit = m.unit
        value = m.value
        value_hi = m.value_hi
        op = ">="
        wording = None
        notes: list[str] = []
        pre_s = pre.rstrip()
        comp = re.search(rf"(?:{_COMPARATOR_RE})$", pre_s)
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
        verb = _own_verb(pre)
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
        subject = pre if _core(pre) else (post or pre)
        r = Reading(0, 0, value, unit, kind, op, None, None, value_hi=value_hi,
                    wording=wording, subject=subject, notes=notes, verb=verb or "",
                    inherited=inherited, rank=rank, each_year=each_year, flow_hint=flow_hint,
                    op_stated=stated or rank or kind != "level")
        if m.chinese:
            r.notes.append(f"{s[m.start:m.num_end]} read as {value:g}")
        if value_hi is not None:
            r.notes.append(f"a range {value:g}-{value_hi:g}")
        return r

    def _date(self, r: Reading, deadlines: list[_Deadline], s: str, at: int) -> None:
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
        return r

