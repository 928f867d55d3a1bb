"""The explorer's two charts as SVG text, drawn on the server in a few milliseconds: the fan
chart of a series (history, median, 50/80/95% bands, the targets at their years, the
baseline's median when a scenario moves it) and the curve of P(met) against a target's value
(the stated value, the value tried and the 50/80/90% achievable values marked).

Presentation attributes only (no ``style``), so the page's Content-Security-Policy needs no
inline styles; every text is escaped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from forecast.outputs.names import fmt_value

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36
BAND_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6")  # 95%, 80%, 50%
MEDIAN, HISTORY, TARGET, BASE, CURVE = "#08519c", "#252525", "#d94801", "#737373", "#08519c"


@dataclass(frozen=True)
class Scale:
    lo: float
    hi: float
    start: float  # pixels
    end: float

    def __call__(self, v: float) -> float:
        if self.hi == self.lo:
            return (self.start + self.end) / 2
        return self.start + (v - self.lo) / (self.hi - self.lo) * (self.end - self.start)


def _padded(values: list[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    pad = (hi - lo) * 0.06 or abs(hi) * 0.05 or 1.0
    return lo - pad, hi + pad


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    step = (hi - lo) / n
    if step <= 0:
        return [lo]
    magnitude = 10 ** math.floor(math.log10(step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= step)
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step) + 1)]


def _line(points: list[tuple[float, float]], colour: str, width: float = 2,
          dash: str | None = None) -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<polyline points="{path}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}"{extra}/>')


def _axes(x: Scale, y: Scale, x_ticks: list[float], x_label, y_ticks: list[float]) -> list[str]:
    out = [f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
           f'y2="{HEIGHT - BOTTOM}" stroke="#999"/>']
    for t in y_ticks:
        out.append(f'<line x1="{LEFT}" y1="{y(t):.1f}" x2="{WIDTH - RIGHT}" y2="{y(t):.1f}" '
                   f'stroke="#eee"/><text x="{LEFT - 6}" y="{y(t) + 4:.1f}" font-size="11" '
                   f'text-anchor="end" fill="#555">{escape(fmt_value(t))}</text>')
    for t in x_ticks:
        out.append(f'<text x="{x(t):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
                   f'text-anchor="middle" fill="#555">{escape(x_label(t))}</text>')
    return out


def _svg(parts: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-label="{escape(label)}">' + "".join(parts) + "</svg>")


def fan_chart(fan: dict, targets: list[tuple[int, float, str]], label: str,
              baseline: dict | None = None) -> str:
    """SVG of a series' fan (``series_diagnostics``) with ``targets`` as (year, value,
    label) markers; ``baseline``: the baseline's fan, whose median is drawn dashed."""
    history = {int(k): v for k, v in fan["history"].items()}
    future = {int(k): v for k, v in fan["fan"].items()}
    levels = list(fan["fan_levels"])
    years = sorted(history)[-12:] + sorted(future)
    years += [y for y, _, _ in targets if y not in years]
    x = Scale(min(years), max(years), LEFT + 8, WIDTH - RIGHT - 8)
    values = [history[y] for y in years if y in history]
    values += [v for q in future.values() for v in (q[0], q[-1])]
    values += [v for _, v, _ in targets]
    if baseline:
        values += [q[levels.index(0.5)] for q in baseline["fan"].values()]
    y = Scale(*_padded(values), HEIGHT - BOTTOM, TOP)
    parts = _axes(x, y, _ticks(min(years), max(years), 6), lambda t: f"{t:.0f}",
                  _ticks(y.lo, y.hi))
    last = max(history) if history else None
    anchor = [(last, history[last])] if last is not None else []
    for (lo_q, hi_q), colour in zip(((0.025, 0.975), (0.1, 0.9), (0.25, 0.75)), BAND_COLOURS,
                                    strict=True):
        if lo_q not in levels or not future:
            continue
        i, j = levels.index(lo_q), levels.index(hi_q)
        upper = anchor + [(yr, future[yr][j]) for yr in sorted(future)]
        lower = [(yr, future[yr][i]) for yr in sorted(future, reverse=True)] + anchor
        points = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in upper + lower)
        parts.append(f'<polygon points="{points}" fill="{colour}" stroke="none"/>')
    if baseline and baseline["fan"]:
        m = levels.index(0.5)
        parts.append(_line([(x(a), y(b)) for a, b in anchor + [
            (int(k), q[m]) for k, q in sorted(baseline["fan"].items())]], BASE, 1.5, "5 4"))
    if future:
        m = levels.index(0.5)
        parts.append(_line([(x(a), y(b)) for a, b in anchor + [
            (yr, future[yr][m]) for yr in sorted(future)]], MEDIAN, 2))
    hist = sorted(history)
    parts.append(_line([(x(a), y(history[a])) for a in hist if a >= x.lo], HISTORY, 1.5))
    parts += [f'<circle cx="{x(a):.1f}" cy="{y(history[a]):.1f}" r="2.5" fill="{HISTORY}"/>'
              for a in hist if a >= x.lo]
    for year, value, text in targets:
        parts.append(f'<g><title>{escape(text)}</title><path d="M{x(year):.1f},'
                     f'{y(value) - 6:.1f} l6,6 l-6,6 l-6,-6 z" fill="{TARGET}"/></g>')
    return _svg(parts, label)


def curve_chart(curve: list[tuple[float, float]], stated: float | None,
                tried: tuple[float, float] | None, achievable: list[tuple[str, float]],
                label: str) -> str:
    """SVG of P(met) against the target's value, with the stated value (grey), the value
    tried and its P(met) (an orange dot) and the achievable values (``(label, value)``)
    marked."""
    if not curve:
        return ""
    xs = [v for v, _ in curve]
    x = Scale(min(xs), max(xs), LEFT + 8, WIDTH - RIGHT - 8)
    y = Scale(0.0, 1.0, HEIGHT - BOTTOM, TOP)
    parts = _axes(x, y, _ticks(x.lo, x.hi, 6), fmt_value, [0, 0.25, 0.5, 0.75, 1])
    for name, value in achievable:
        if value is not None and math.isfinite(value) and x.lo <= value <= x.hi:
            parts.append(f'<line x1="{x(value):.1f}" y1="{TOP}" x2="{x(value):.1f}" '
                         f'y2="{HEIGHT - BOTTOM}" stroke="{MEDIAN}" stroke-dasharray="2 3"/>'
                         f'<text x="{x(value) + 3:.1f}" y="{TOP + 10}" font-size="10" '
                         f'fill="{MEDIAN}">{escape(name)}</text>')
    if stated is not None and math.isfinite(stated):
        parts.append(f'<line x1="{x(stated):.1f}" y1="{TOP}" x2="{x(stated):.1f}" '
                     f'y2="{HEIGHT - BOTTOM}" stroke="{BASE}" stroke-width="1.5"/>')
    parts.append(_line([(x(v), y(p)) for v, p in curve], CURVE, 2))
    if tried is not None and math.isfinite(tried[0]):
        value, p = tried
        parts.append(f'<circle cx="{x(value):.1f}" cy="{y(p):.1f}" r="5" fill="{TARGET}" '
                     f'data-value="{value!r}" data-p="{p!r}"/>')
    return _svg(parts, label)
