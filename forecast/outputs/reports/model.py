"""The report model: plain data saying what each section of a report shows.

``build.build_report`` makes it once from a finished run and hands it to every writer (HTML,
PDF, Word, Excel), so the four formats show the same numbers in the same order. Charts are
described here as data (``FanChart``, ``ProbabilityChart``...); ``charts`` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forecast.targets.likelihood import CLASS_NAMES, likelihood


@dataclass(frozen=True)
class Cell:
    text: str
    tone: int | None = None  # likelihood class 0 (exceptionally unlikely) .. 6 (virtually certain)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: frozenset[int] = frozenset()  # right-aligned columns
    name: str = ""  # what the rows are, e.g. "headline" (tests and writers may look for it)


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class FanChart:
    """History, median and 50/80/95% bands of one series; targets marked as levels."""

    id: str
    title: str
    unit: str
    history: tuple[tuple[int, float], ...]
    levels: tuple[float, ...]
    fan: tuple[tuple[int, tuple[float, ...]], ...]
    targets: tuple[tuple[int, float], ...]  # (year, level the target implies)
    target_years: tuple[int, ...]  # years of targets that imply no single level
    base_year: int | None
    count: bool = False  # whole numbers (firms, platforms): the value axis ticks integers


@dataclass(frozen=True)
class ProbabilityChart:
    """One dot per target: its probability, coloured and shaped by likelihood class."""

    id: str
    title: str
    items: tuple[tuple[str, float, int], ...]  # (label, probability, tone)


@dataclass(frozen=True)
class ClassChart:
    """How many targets fall in each likelihood class."""

    id: str
    title: str
    items: tuple[tuple[str, int, int], ...]  # (class label, count, tone)


@dataclass(frozen=True)
class ReliabilityChart:
    """Stated probability against the share of targets met, per backtest."""

    id: str
    title: str
    panels: tuple[tuple[str, tuple[tuple[float, float, int], ...]], ...]


@dataclass(frozen=True)
class CountChart:
    """The plan as a whole: the probability that exactly k of its targets are met."""

    id: str
    title: str
    probabilities: tuple[float, ...]  # k = 0 ... the number of targets assessed
    expected: float


@dataclass(frozen=True)
class PitChart:
    """The randomised PIT histogram of held-out values: flat when the forecasts are
    calibrated."""

    id: str
    title: str
    heights: tuple[float, ...]  # the share of held-out values in each of equal bins


Chart = FanChart | ProbabilityChart | ClassChart | ReliabilityChart | CountChart | PitChart


@dataclass(frozen=True)
class Figures:
    charts: tuple[Chart, ...]


Block = Paragraph | Table | Figures


@dataclass(frozen=True)
class Section:
    id: str  # the anchor, unique in the report
    title: str
    level: int  # 1 a plan or appendix, 2 a part of it
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Report:
    lang: str
    title: str
    facts: tuple[tuple[str, str], ...]  # (label, value) shown under the title
    sections: tuple[Section, ...]
    labels: dict[str, str] = field(default_factory=dict)  # words the writers need

    def walk(self):
        """Every section, depth first."""
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.children))

    def charts(self) -> list[Chart]:
        return [c for s in self.walk() for b in s.blocks if isinstance(b, Figures)
                for c in b.charts]


def tone(p: float) -> int:
    """The likelihood class of ``p`` as 0..6 (for colour and marker shape)."""
    return CLASS_NAMES.index(likelihood(p))
