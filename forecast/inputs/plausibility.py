"""Values out of scale with their series: a fraction typed for a percentage (R&D intensity
0.0148 between 1.35 and 1.55), 万元 typed in an 亿元 row (a factor of 10,000), a jump beyond
anything the indicator's pooled history has seen.

The rule, on the log scale (so a factor is a difference and a slip of ×100 is the same size
at any level):

1. Each positive value is compared with what its neighbours in the same series say it should
   be: the median, over up to ``NEIGHBOURS`` nearest values on each side, of the neighbour
   moved by the indicator's typical yearly change (the pooled median log change) times the
   years between. Its residual ``r`` is log(value) minus that median.
2. What the indicator allows is learnt from the workspace: the ``QUANTILE`` of |r| over every
   value of the indicator in every region (the same statistic, so its distribution is the
   null one), times ``MARGIN``, never less than a factor of ``FLOOR`` and never more than
   ``OUT_OF_SCALE``. An indicator with fewer than ``POOL_MIN`` values from ``POOL_SERIES``
   series has no pooled history to learn from: only a factor beyond ``OUT_OF_SCALE`` counts,
   and no drift is assumed.
3. Within a series the worst value is flagged first and left out before the others are
   compared again (a slip must not make its neighbours look wrong); in a tie (a two-point
   series) the later value, or for a percentage the smaller one (a fraction is always the
   smaller), is the suspect.
4. A flagged value whose factor is near a power of ten (within what the rule allows, and
   within a factor of 3) is named as a unit slip, with the value it probably meant: ×100 a
   fraction typed for a percentage, ×10,000 万元 and 亿元 mixed up, ×10 a misplaced decimal
   point.

On the bundled provincial data (2,667 values) the largest |r| is 0.16 for GDP, 0.38 for R&D
intensity, 1.0 for the basic-research share and 2.5 (Tibet's technology contracts, 0.04 亿元
in 2018 against 0.96 in 2019: real) for technology contract turnover, each at most 1.9 times
the indicator's 99th percentile: a margin of 2.5 flags none of them, and a factor of 30
(|r| 3.4) stays above every real yearly jump while a unit slip (×100, 4.6) is beyond it.

Zeros and negative values are not compared (there is no scale to be out of).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecast.inputs.catalogue import Catalogue

NEIGHBOURS = 2  # values on each side a value is compared with
QUANTILE = 0.99  # of the pooled |r|: what the indicator's history allows
MARGIN = 2.5  # times that quantile: the largest real |r| of the bundled data is 1.9 times it
FLOOR = math.log(1.5)  # never flag a value within a factor of 1.5 of its neighbours
OUT_OF_SCALE = math.log(30)  # always flag a factor beyond 30 (the largest real one is 12.5)
POOL_MIN, POOL_SERIES = 30, 3  # values and series before an indicator's history is trusted
NAMED_WITHIN = math.log(3)  # a factor within 3 of a power of ten is named as a unit slip
LN10 = math.log(10)

FLAG_COLUMNS = ["region", "indicator", "year", "value", "expected", "factor", "suggestion",
                "at"]


def implausible(observations: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The values out of scale with their series (``FLAG_COLUMNS``): ``expected`` is what the
    neighbours say, ``factor`` value / expected, ``suggestion`` the value with a unit slip
    undone (NaN when the factor is not a power of ten), ``at`` the row's index label in
    ``observations``. Pure; the order is region, indicator, year."""
    frame = pd.DataFrame({
        "region": observations["region"].astype(str).to_numpy(),
        "indicator": observations["indicator"].astype(str).to_numpy(),
        "year": observations["year"].to_numpy(int),
        "value": observations["value"].to_numpy(float),
        "at": observations.index.to_numpy(),
    })
    frame = frame[np.isfinite(frame["value"]) & (frame["value"] > 0)]
    frame = frame.sort_values(["region", "indicator", "year"], kind="stable")
    if frame.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    group = (frame["region"] + "\x00" + frame["indicator"]).to_numpy()
    logs, years = np.log(frame["value"].to_numpy()), frame["year"].to_numpy()
    indicators = frame["indicator"].to_numpy()
    drift, allowed = _pooled(group, logs, years, indicators)
    d = np.array([drift[i] for i in indicators])
    resid = _residuals(group, logs, years, d, np.ones(len(logs), bool))
    limit = np.array([allowed[i] for i in indicators])
    suspect = np.unique(group[np.abs(np.nan_to_num(resid)) > limit])
    flags = []
    for g in suspect:  # few: the series with a value beyond what is allowed
        idx = np.flatnonzero(group == g)
        unit = catalogue[indicators[idx[0]]].unit if indicators[idx[0]] in catalogue else ""
        for i, expected in _flag_series(logs[idx], years[idx], d[idx], limit[idx[0]],
                                        unit == "%"):
            row = frame.iloc[idx[i]]
            factor = row["value"] / expected
            flags.append((row["region"], row["indicator"], int(row["year"]), row["value"],
                          expected, factor, _undone(row["value"], factor, limit[idx[0]]),
                          row["at"]))
    return pd.DataFrame(flags, columns=FLAG_COLUMNS)


def _pooled(group: np.ndarray, logs: np.ndarray, years: np.ndarray, indicators: np.ndarray
            ) -> tuple[dict[str, float], dict[str, float]]:
    """Per indicator, the typical yearly log change (0 without a pooled history) and the
    largest |r| it allows."""
    same = group[1:] == group[:-1]
    step = same & (np.diff(years) == 1)
    changes = pd.Series(np.diff(logs)[step]).groupby(indicators[1:][step]).median()
    series = pd.Series(group).groupby(indicators).nunique()
    counts = pd.Series(indicators).value_counts()
    trusted = {i for i in counts.index if counts[i] >= POOL_MIN and series[i] >= POOL_SERIES}
    drift = {i: float(changes.get(i, 0.0)) if i in trusted else 0.0 for i in counts.index}
    d = np.array([drift[i] for i in indicators])
    resid = np.abs(_residuals(group, logs, years, d, np.ones(len(logs), bool)))
    quantile = pd.Series(resid).groupby(indicators).quantile(QUANTILE)
    allowed = {i: min(max(MARGIN * float(quantile[i]), FLOOR), OUT_OF_SCALE)
               if i in trusted else OUT_OF_SCALE for i in counts.index}
    return drift, allowed


def _residuals(group: np.ndarray, logs: np.ndarray, years: np.ndarray, drift: np.ndarray,
               active: np.ndarray) -> np.ndarray:
    """log value minus the median of what the ``NEIGHBOURS`` nearest active values on each
    side of the same series predict for it (NaN where it has none). Rows sorted by series
    and year; inactive rows are neither compared nor neighbours."""
    pos = np.flatnonzero(active)
    g, lv, yr, d = group[pos], logs[pos], years[pos], drift[pos]
    predictions = np.full((len(pos), 2 * NEIGHBOURS), np.nan)
    offsets = [k for k in range(-NEIGHBOURS, NEIGHBOURS + 1) if k]
    for col, k in enumerate(offsets):
        j = np.arange(len(pos)) + k
        ok = (j >= 0) & (j < len(pos))
        j = np.clip(j, 0, len(pos) - 1)
        ok &= g[j] == g
        predictions[:, col] = np.where(ok, lv[j] + d * (yr - yr[j]), np.nan)
    out = np.full(len(logs), np.nan)
    has = ~np.isnan(predictions).all(axis=1)
    out[pos[has]] = lv[has] - np.nanmedian(predictions[has], axis=1)
    return out


def _flag_series(logs: np.ndarray, years: np.ndarray, drift: np.ndarray, limit: float,
                 percent: bool) -> list[tuple[int, float]]:
    """The positions flagged in one series and the value their neighbours expected: the
    worst first, each left out before the rest are compared again."""
    active = np.ones(len(logs), bool)
    group = np.zeros(len(logs), int)
    flagged = []
    while active.sum() >= 2:
        resid = _residuals(group, logs, years, drift, active)
        size = np.round(np.abs(np.nan_to_num(resid)), 9)
        # the worst; in a tie the smaller value of a percentage, else the later year
        order = sorted(np.flatnonzero(active), key=lambda i: (
            -size[i], not (percent and resid[i] < 0), -years[i]))
        worst = order[0]
        if size[worst] <= limit:
            break
        flagged.append((int(worst), float(np.exp(logs[worst] - resid[worst]))))
        active[worst] = False
    return flagged


def _undone(value: float, factor: float, limit: float) -> float:
    """The value with a unit slip undone: divided by the power of ten nearest its factor,
    when that leaves it within what the rule allows (and a factor of 3); else NaN."""
    power = round(math.log(factor) / LN10)
    if power == 0 or abs(math.log(factor) - power * LN10) > min(limit, NAMED_WITHIN):
        return float("nan")
    return value / 10.0 ** power


def describe(flag: pd.Series | object, unit: str) -> tuple[str, str]:
    """What is wrong with a flagged value and the likely fix, for an error or a note: the
    power of ten named (a fraction for a percentage, 万元 for 亿元, a decimal point)."""
    value, expected, factor = float(flag.value), float(flag.expected), float(flag.factor)
    ratio = f"{_number(factor, 3)} times" if factor >= 1 else f"1/{_number(1 / factor, 3)} of"
    what = f"{_number(value)} is {ratio} what the other years of the series suggest (about " \
           f"{_number(expected, 3)})"
    suggestion = float(flag.suggestion)
    if not math.isfinite(suggestion):
        return (f"{what}: a jump beyond what this indicator's history allows",
                "check the value against its source")
    power = round(math.log10(factor))
    slip = {2: "probably a fraction typed for a percentage" if unit == "%" and power < 0 else
            "a factor of 100: probably a unit slip",
            4: "a factor of 10,000: probably 万元 and 亿元 mixed up" if unit in ("亿元", "万元")
            else "a factor of 10,000: probably a unit slip",
            1: "a factor of 10: probably a misplaced decimal point"}.get(
        abs(power), f"a factor of 10^{abs(power)}: probably a unit slip")
    return (f"{what}: {slip}",
            f"did you mean {_number(suggestion)}? the unit of this row is {unit}")


def _number(x: float, digits: int = 6) -> str:
    """A number as a person would type it, to ``digits`` significant digits: 1.48, 2947.1,
    29471000 (no exponent, no separators)."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    x = float(f"{x:.{digits}g}")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{x:.0f}"


def flag_notes(flags: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The flags as data-quality notes (region, indicator, note), one per value."""
    notes = []
    for flag in flags.itertuples(index=False):
        unit = catalogue[flag.indicator].unit if flag.indicator in catalogue else ""
        what, fix = describe(flag, unit)
        notes.append((flag.region, flag.indicator,
                       f"implausible value in {flag.year}: {what} ({fix})"))
    return pd.DataFrame(notes, columns=["region", "indicator", "note"])
