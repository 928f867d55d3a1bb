"""A draft plan from a plan document: its title, region and years, and every target read out
of its text and indicator tables, ready for a planner to review.

The draft is plain data (:class:`Draft`); ``write_draft`` turns it into a ``plans/*.yaml``
file and, for indicator tables, an observations file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecast.errors import InputError
from forecast.extract.documents import Document
from forecast.extract.grammar import ClauseReader, Period, Reading, Skipped
from forecast.extract.matching import Match, Matcher, _bigrams
from forecast.extract.tables import TableRow, read_table, table_span
from forecast.extract.text import Normalised, normalise
from forecast.extract.units import convert, family
from forecast.inputs.catalogue import Catalogue

_PLAN_WORDS = re.compile(r"方案|规划|计划|纲要|意见|通知|要点|措施|办法")
_TITLE_IN_BOOK = re.compile(r"《([^》]{4,80})》")
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|发文日期|成文日期|印发日期|时间|日期)\s*[:]?\s*"
                        r"((?:19|20)\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})")
_RANGE = re.compile(r"((?:19|20)\d\d)\s*[-~—–至到]\s*((?:19|20)\d\d)\s*年")
_SINGLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_PLACE = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:自治州|自治县|地区|省|市|县|区|州|旗|盟))")


@dataclass
class DraftTarget:
    """A target of the draft: what was read, where, and how sure the reading is."""

    reading: Reading
    indicator: str | None
    text: str
    span: tuple[int, int]
    confidence: float
    match: Match | None = None
    history: dict[int, float] = field(default_factory=dict)
    repeats: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        """(value, year, kind, op): what the seeds' benchmark compares."""
        r = self.reading
        return (r.value, r.year, r.kind, r.op)


@dataclass
class Draft:
    """A draft plan: metadata, targets in document order, and the numbers passed over."""

    source: Path
    title: str
    region: str | None
    published: dt.date | None
    period: Period
    targets: list[DraftTarget]
    skipped: list[tuple[Skipped, str]]
    norm: Normalised

    def observations(self) -> pd.DataFrame:
        """The history columns of the document's indicator tables, in catalogue units, as
        observations.csv rows (only rows whose indicator was matched)."""
        rows = []
        for t in self.targets:
            if t.indicator is None or not t.history:
                continue
            for year, value in sorted(t.history.items()):
                rows.append({"region": self.region or "unknown", "indicator": t.indicator,
                             "year": year, "value": value,
                             "source": self.source.name,
                             "note": f"indicator table: {t.text}"})
        return pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "source",
                                           "note"])


# ---- metadata ------------------------------------------------------------------------------


def plan_title(doc: Document) -> str:
    """The plan's title: the first short line that names a plan, without 关于印发《…》的通知."""
    for line in doc.text.split("\n")[:30]:
        line = normalise(line.strip()).text
        if not line or not _PLAN_WORDS.search(line):
            continue
        book = _TITLE_IN_BOOK.search(line)
        if book and (line.startswith("《") or "印发" in line[: book.start()] or len(line) > 80):
            return re.sub(r"\.(docx?|pdf|txt|html?)$", "", " ".join(book.group(1).split()))
        if len(line) <= 80:
            return " ".join(line.split())
    return doc.path.stem


def plan_published(text: str) -> dt.date | None:
    m = _PUBLISHED.search(normalise(text[:3000]).text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _is_place(name: str) -> bool:
    """Whether a word ending in 市/县/区… is a place name, not 科技强市 or 创新型城市."""
    return re.search(r"科技|建设|创新|发展|工作|行动|强[市省县区]|关于|城市|全[市县区省]|各|"
                     r"本|我|该|所在|园区|新区|示范|试验|实验|先行|[市县区]级", name) is None


def plan_region(title: str, text: str, regions: list[str]) -> str | None:
    """The region the plan is for: a workspace region named in the title, else a place name
    that starts the title, else the place the page says the plan comes from."""
    head = normalise(title).text
    known = sorted(regions, key=len, reverse=True)
    for r in known:
        if r and r in head:
            return r
    m = _PLACE.match(head)
    if m and _is_place(m.group(1)):
        return m.group(1)
    top = normalise(text[:600]).text
    src = re.search(r"(?:信息来源|来源|发布机构|发文机关)\s*:\s*"
                    r"([\u4e00-\u9fff]{2,8}?(?:省|市|县|区))", top)
    if src:
        return src.group(1)
    for r in known:
        if r and r in top:
            return r
    return None


def plan_period(title: str, text: str, published: dt.date | None, deadlines: list[int],
                this_year: int | None) -> Period:
    """The plan's years: a range or a year in the title, else a range in the opening
    paragraphs (根据…行动方案(2021-2025年)), else the deadlines the text states, else the year
    it was published, else ``this_year``."""
    head = normalise(title).text
    opening = normalise(text[:1500]).text
    pub = published.year if published else None
    for source in (head, opening):
        m = _RANGE.search(source)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            return Period(a, b, a - 1, pub)
        if source is head:
            m = _SINGLE_YEAR.search(source)
            if m:
                y = int(m.group(1))
                return Period(y, y, y - 1, pub)
    if deadlines:
        end = Counter(deadlines).most_common(1)[0][0]
        start = min([d for d in deadlines if d <= end] + ([pub] if pub and pub <= end else []))
        return Period(start, end, start - 1, pub)
    year = pub or this_year
    if year is None:
        raise InputError("the document states no year and no date", fix="write the plan's "
                         "years in its title, e.g. …(2023-2025年)")
    return Period(year, year, year - 1, pub)


def _deadline_years(norm: Normalised) -> list[int]:
    years = []
    pattern = r"(?:到|至)((?:19|20)\d\d)年|(?<![\d《])((?:19|20)\d\d)年(?![\d月度])"
    for m in re.finditer(pattern, norm.text):
        years.append(int(m.group(1) or m.group(2)))
    return years


# ---- assembly ------------------------------------------------------------------------------


def build_draft(doc: Document, catalogue: Catalogue, regions: list[str],
                this_year: int | None = None) -> Draft:
    """Read ``doc`` into a draft plan."""
    norm = normalise(doc.text)
    title = plan_title(doc)
    published = plan_published(doc.text)
    period = plan_period(title, doc.text, published, _deadline_years(norm), this_year)
    region = plan_region(title, doc.text, regions)
    matcher = Matcher(catalogue)

    table_rows: list[TableRow] = []
    spans = []
    for table in doc.tables:
        rows = read_table(table, norm, period.base_year)
        if rows:
            table_rows += rows
            spans.append(table_span(table, norm))
    readings, skipped = ClauseReader(period).read(norm.text, spans)

    targets: list[DraftTarget] = []
    for row in table_rows:
        targets.append(_target(row.reading, matcher, catalogue, norm, period, row.history))
    for r in readings:
        targets.append(_target(r, matcher, catalogue, norm, period, {}))
    targets = _merge_repeats(targets)
    targets.sort(key=lambda t: t.span)
    return Draft(doc.path, title, region, published, period, targets,
                 [(s, norm.quote(s.start, s.end)) for s in skipped], norm)


def _target(r: Reading, matcher: Matcher, catalogue: Catalogue, norm: Normalised,
            period: Period, history: dict[int, float]) -> DraftTarget:
    before = r.subject
    after = r.post
    match = matcher.match(before, after, r.unit, r.kind)
    if r.kind == "relative":
        match = matcher.match(r.subject, "", "%", "growth")  # the growth of any indicator
        other = matcher.match(r.other_subject, "", "%", "growth")
        r.other_indicator = other.indicator.id if other else None
    indicator = match.indicator if match else None
    multi_year = r.year is not None and r.base_year is not None and r.year - r.base_year > 1
    if r.kind == "level" and multi_year and r.flow_hint and (indicator is None or indicator.flow):
        r.kind = "cumulative"
        r.notes.append(f"a count of activities over {r.base_year + 1}-{r.year}: summed")
    if r.kind == "cumulative" and indicator is not None and not indicator.flow:
        r.kind = "level"
        r.notes.append(f"{indicator.id} is a stock: read as its level")
    if indicator is not None:
        if r.source == "table" and indicator.lower_is_better and r.op == ">=":
            r.op = "<="
        if not r.rank and r.kind == "level" and indicator.lower_is_better \
                and not r.op_stated:
            r.op = "<="
            r.notes.append(f"{indicator.id} is better lower: read as a ceiling")
        if r.value is not None and r.kind not in ("growth", "cagr", "relative"):
            new = convert(r.value, r.unit, indicator.unit, r.kind)
            new_hi = None if r.value_hi is None else convert(r.value_hi, r.unit,
                                                             indicator.unit, r.kind)
            if r.unit and r.unit != indicator.unit and family(r.unit) != "points":
                r.notes.append(f"{r.value:g}{r.unit} recorded in the catalogue unit "
                               f"{indicator.unit}")
            if history and r.unit:
                history = {y: convert(v, r.unit, indicator.unit, r.kind)
                           for y, v in history.items()}
            r.value, r.value_hi = new, new_hi
            r.unit = indicator.unit
    span = norm.span(r.start, r.end)
    text = norm.quote(r.start, r.end).strip(" ,;:、。|")
    confidence = _confidence(r, match, norm)
    return DraftTarget(r, indicator.id if indicator else None, text, span, confidence, match,
                       history)


def _confidence(r: Reading, match: Match | None, norm: Normalised) -> float:
    """How sure the reading is, from what had to be assumed. Each doubt lowers it; the
    figures in BENCHMARKS.md show how often readings at each level were right on the seeds."""
    c = 0.95
    if match is None:
        c -= 0.25
    elif not match.exact:
        c -= 0.15
    if r.inherited:
        c -= 0.1
    if r.doubts:
        c -= 0.05 * len(r.doubts)
    if r.unit is None and r.kind != "qualitative":
        c -= 0.15
    if r.kind == "cumulative" and r.verb != "cumulative":
        c -= 0.1
    if any(a < r.end and b > r.start for a, b in norm.repaired):
        c -= 0.15
        r.notes.append("digits read from a scan (letters I/O taken as 1/0)")
    if r.source == "table":
        c += 0.02
    return round(max(0.05, min(0.99, c)), 2)


def _similar(a: str, b: str) -> bool:
    """Whether two clauses name the same thing: most two-character pieces shared."""
    ga, gb = _bigrams(a), _bigrams(b)
    return bool(ga and gb) and len(ga & gb) / min(len(ga), len(gb)) >= 0.5


def _merge_repeats(targets: list[DraftTarget]) -> list[DraftTarget]:
    """One target per stated goal: text that repeats a table row, or an earlier clause, with
    the same value, year, kind and indicator, is cited in its note instead (and adds 力争)."""
    kept: list[DraftTarget] = []
    for t in sorted(targets, key=lambda t: (t.reading.source != "table", t.span)):
        r = t.reading
        twin = None
        for k in kept:
            q = k.reading
            same = (q.value == r.value and q.year == r.year and q.kind == r.kind
                    and q.op == r.op and family(q.unit) == family(r.unit))
            if k.indicator and t.indicator:
                related = k.indicator == t.indicator
            elif q.source == "table":
                related = True
            else:
                related = k.indicator is None and t.indicator is None \
                    and _similar(k.reading.subject, r.subject)
            if same and related and r.kind != "qualitative":
                twin = k
                break
        if twin is None:
            kept.append(t)
            continue
        twin.repeats.append(t.text)
        if r.aspirational and not twin.reading.aspirational:
            twin.reading.aspirational = True
        if r.binding:  # the table's 属性 column, or the sentence, said 约束性
            twin.reading.binding = True
        if twin.indicator is None and t.indicator is not None:
            twin.indicator, twin.match = t.indicator, t.match
    return kept
