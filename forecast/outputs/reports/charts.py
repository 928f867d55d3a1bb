"""Draw the report model's charts with matplotlib, as SVG (HTML, PDF) and PNG (Word).

Colours keep their order in grey print and for colour-blind readers: likelihood classes run
from dark brown (exceptionally unlikely) to pale yellow (virtually certain) with steadily
rising lightness, and each class also has its own marker shape; the fan's bands are one blue
at three lightnesses. Text is Noto Sans CJK SC (``fonts``), drawn as outlines in the SVG.
"""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from forecast.outputs.reports.fonts import register_with_matplotlib
from forecast.outputs.reports.model import (
    Chart,
    ClassChart,
    CountChart,
    FanChart,
    PitChart,
    ProbabilityChart,
    ReliabilityChart,
)
from forecast.targets.likelihood import ABOUT_AS_LIKELY, LIKELY

# likelihood class 0..6 -> colour (YlOrBr, lightness rising) and marker
TONES = ("#712806", "#a33904", "#d85a09", "#fb9225", "#fec857", "#feeba2", "#fffbd2")
DARK_TONES = frozenset({0, 1, 2})  # white text on these
MARKERS = ("X", "v", "v", "o", "^", "^", "P")
INK = "#222222"
BLUE = ("#c6dbef", "#6baed6", "#2171b5")  # 95%, 80%, 50% bands
MEDIAN = "#08306b"
TARGET = "#d95f02"
DPI = 150


def _style() -> None:
    register_with_matplotlib()
    plt.rcParams.update({"font.size": 8.5, "axes.edgecolor": "#888888", "axes.linewidth": 0.6,
                         "xtick.color": "#444444", "ytick.color": "#444444",
                         "axes.titlesize": 9.5, "axes.titleweight": "bold",
                         "svg.hashsalt": "forecast", "figure.dpi": DPI})


def _fan(c: FanChart, labels: dict[str, str]) -> Figure:
    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    hy = [y for y, _ in c.history]
    hv = [v for _, v in c.history]
    fy = [y for y, _ in c.fan]
    q = list(zip(*[qs for _, qs in c.fan], strict=True))  # one tuple per level
    level = {round(lv, 3): i for i, lv in enumerate(c.levels)}
    join_y, join_v = hy[-1], hv[-1]  # bands start at the last observation
    xs = [join_y, *fy]
    for (lo, hi), colour, pct in (((0.025, 0.975), BLUE[0], 95), ((0.1, 0.9), BLUE[1], 80),
                                  ((0.25, 0.75), BLUE[2], 50)):
        if lo in level and hi in level:
            ax.fill_between(xs, [join_v, *q[level[lo]]], [join_v, *q[level[hi]]],
                            color=colour, lw=0, label=labels[f"band{pct}"])
    ax.plot(xs, [join_v, *q[level[0.5]]], color=MEDIAN, lw=1.6, label=labels["median"])
    ax.plot(hy, hv, color=INK, lw=1.3, marker="o", ms=2.6, label=labels["history"])
    if c.targets:
        ax.plot([y for y, _ in c.targets], [v for _, v in c.targets], ls="none", marker="D",
                ms=6, mfc=TARGET, mec=INK, mew=0.7, label=labels["target"], zorder=5)
    for y in c.target_years:
        ax.axvline(y, color=TARGET, lw=1.0, ls=":")
    if c.base_year is not None:
        ax.axvline(c.base_year, color="#555555", lw=0.9, ls="--", label=labels["base_year"])
    ax.set_title(f"{c.title} ({c.unit})" if c.unit else c.title, loc="left")
    years = [*hy, *fy, *(y for y, _ in c.targets), *c.target_years]
    span = max(years) - min(years)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=min(span, 8)))
    if c.count:  # a count has no half firms: whole-number ticks on the value axis
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.grid(alpha=0.25, lw=0.5)
    # below the axes, so it never hides a line or a band
    ax.legend(fontsize=7.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1),
              ncol=4, handlelength=1.6, columnspacing=1.0)
    ax.margins(x=0.03)
    # fixed margins (fits tick labels up to 7 characters): tight_layout would draw every fan
    # chart once more just to measure it
    fig.subplots_adjust(left=0.14, right=0.97, top=0.9, bottom=0.22)
    return fig


def _wrap(label: str, width: int = 44) -> str:
    """A target's name in at most two lines of about ``width`` columns (a CJK character counts
    two), the rest cut with "…": the names are sentences, the chart's margin is not."""
    lines, line, cols = [], "", 0
    for ch in label:
        w = 2 if ord(ch) > 0x2E7F else 1
        if cols + w > width:
            lines.append(line)
            line, cols = "", 0
        line, cols = line + ch, cols + w
    lines.append(line)
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def _probabilities(c: ProbabilityChart, labels: dict[str, str]) -> Figure:
    n = len(c.items)
    fig, ax = plt.subplots(figsize=(7.2, 0.9 + 0.36 * n))
    ys = list(range(n))[::-1]
    for y, (_, p, tone) in zip(ys, c.items, strict=True):
        ax.plot([0, p], [y, y], color="#cccccc", lw=0.8, zorder=1)
        ax.plot(p, y, marker=MARKERS[tone], ms=7, mfc=TONES[tone], mec=INK, mew=0.7, zorder=2)
    ax.set_yticks(ys, [_wrap(label) for label, _, _ in c.items], fontsize=7)
    for x in (ABOUT_AS_LIKELY, LIKELY):
        ax.axvline(x, color="#999999", lw=0.6, ls="--")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(labels["prob_axis"])
    ax.grid(axis="x", alpha=0.25, lw=0.5)
    fig.tight_layout()
    return fig


def _classes(c: ClassChart, labels: dict[str, str]) -> Figure:
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    xs = range(len(c.items))
    bars = ax.bar(xs, [n for _, n, _ in c.items], color=[TONES[t] for _, _, t in c.items],
                  edgecolor=INK, lw=0.6)
    ax.bar_label(bars, fmt="{:,.0f}", fontsize=7)
    ax.set_xticks(list(xs), [label for label, _, _ in c.items], fontsize=7, rotation=20,
                  ha="right")
    ax.set_ylabel(labels["count_axis"])
    ax.grid(axis="y", alpha=0.25, lw=0.5)
    fig.tight_layout()
    return fig


def _reliability(c: ReliabilityChart, labels: dict[str, str]) -> Figure:
    fig, ax = plt.subplots(figsize=(4.6, 4.0))
    ax.plot([0, 1], [0, 1], color="#888888", lw=1, ls="--", label=labels["perfect"])
    for (label, points), marker, colour in zip(c.panels, ("o", "s", "^"),
                                               (MEDIAN, TARGET, INK), strict=False):
        ax.plot([p[0] for p in points], [p[1] for p in points], marker=marker, color=colour,
                lw=1.3, ms=4.5, label=label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(labels["stated_prob"])
    ax.set_ylabel(labels["observed_share"])
    ax.set_aspect("equal")
    ax.grid(alpha=0.25, lw=0.5)
    ax.legend(fontsize=6.5, frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


def _count(c: CountChart, labels: dict[str, str]) -> Figure:
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    ks = range(len(c.probabilities))
    ax.bar(ks, c.probabilities, color=MEDIAN, edgecolor=INK, lw=0.5, width=0.8)
    ax.axvline(c.expected, color=TARGET, lw=1.2, ls="--", label=labels["expected_met"])
    ax.set_xlabel(labels["targets_met_axis"])
    ax.set_ylabel(labels["share_of_futures"])
    ax.set_xlim(-0.6, len(c.probabilities) - 0.4)
    ax.grid(axis="y", alpha=0.25, lw=0.5)
    ax.legend(fontsize=6.5, frameon=False, loc="upper left")
    fig.tight_layout()
    return fig


def _pit(c: PitChart, labels: dict[str, str]) -> Figure:
    fig, ax = plt.subplots(figsize=(5.2, 2.4))
    k = len(c.heights)
    ax.bar([(i + 0.5) / k for i in range(k)], c.heights, width=0.9 / k, color=MEDIAN,
           edgecolor=INK, lw=0.5)
    ax.axhline(1 / k, color=TARGET, lw=1.2, ls="--", label=labels["pit_flat"])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.35 * max(*c.heights, 1 / k))  # room above the bars for the legend
    ax.set_xlabel(labels["pit_axis"])
    ax.set_ylabel(labels["share_of_values"])
    ax.grid(axis="y", alpha=0.25, lw=0.5)
    ax.legend(fontsize=6.5, frameon=False, loc="upper right")
    fig.tight_layout()
    return fig


_DRAW = {FanChart: _fan, ProbabilityChart: _probabilities, ClassChart: _classes,
         ReliabilityChart: _reliability, CountChart: _count, PitChart: _pit}


def figure(chart: Chart, labels: dict[str, str]) -> Figure:
    _style()
    return _DRAW[type(chart)](chart, labels)


@lru_cache(maxsize=512)
def _rendered(chart: Chart, labels: tuple[tuple[str, str], ...], fmt: str) -> bytes:
    """The chart saved as ``fmt`` (each process of ``write_reports`` draws one format)."""
    fig = figure(chart, dict(labels))
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return buf.getvalue()


def svg(chart: Chart, labels: dict[str, str]) -> str:
    """The chart as an SVG document (text as outlines), without the XML prologue."""
    text = _rendered(chart, tuple(sorted(labels.items())), "svg").decode("utf-8")
    return text[text.index("<svg"):]


def png(chart: Chart, labels: dict[str, str]) -> bytes:
    return _rendered(chart, tuple(sorted(labels.items())), "png")
