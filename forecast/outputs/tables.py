"""The tables a run's outputs share: rows rounded to the published precision, probabilities
by scenario side by side, their distribution over provinces, indicators and kinds, and the
regions whose data are short. summary.md, the reports and the workbook all read these."""

from __future__ import annotations

import pandas as pd

from forecast.inputs.scenarios import BASELINE
from forecast.inputs.series import SHORT_SERIES
from forecast.targets.likelihood import ABOUT_AS_LIKELY, LIKELY

ROUND = {
    "probability": 4, "probability_se": 4, "statistic_p10": 6, "statistic_p50": 6,
    "statistic_p90": 6, "required_rate": 3, "historical_rate": 3, "base_value": 6,
    "achievable_value": 6, "achievable_rate": 3, "last_value": 6, "progress_share": 4,
    "time_share": 4, "achieved_rate": 3, "probability_at_base": 4, "confidence": 2,
}


def tidy_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows rounded to the published precision."""
    out = rows.copy()
    for col, digits in ROUND.items():
        if col in out:
            out[col] = out[col].astype(float).round(digits)
    return out


def scenario_probabilities(rows: pd.DataFrame, index: list[str] | str = "target_id"
                           ) -> pd.DataFrame:
    """Each assessable target's probability under every scenario, a column each: the
    baseline first, then the scenarios in the order of the rows (empty when no target is
    assessable)."""
    ok = rows[rows["assessable"].astype(bool)] if len(rows) else rows
    if ok.empty:
        return pd.DataFrame()
    scenarios = [s for s in dict.fromkeys(ok["scenario"]) if s != BASELINE]
    wide = ok.pivot_table(index=index, columns="scenario", values="probability", sort=False,
                          aggfunc="first")
    return wide.reindex(columns=[BASELINE, *scenarios]).rename_axis(columns=None)


def distribution_table(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by`` (province, indicator, kind): targets, assessed, mean probability
    and the shares likely (≥ 0.66) and unlikely (< 0.33); NaN where none is assessed."""
    ok = rows[rows["assessable"]]
    grouped = ok.groupby(by)["probability"]
    return pd.DataFrame({"targets": rows.groupby(by).size(),
                         "assessed": ok.groupby(by).size(),
                         "mean": grouped.mean(),
                         "likely": grouped.apply(lambda p: (p >= LIKELY).mean()),
                         "unlikely": grouped.apply(lambda p: (p < ABOUT_AS_LIKELY).mean())})


def short_data_table(series: dict[str, dict], data_needed: pd.DataFrame) -> pd.DataFrame:
    """Per region: its series with fewer than ``SHORT_SERIES`` points (``short``) and with no data
    (``none``), most first."""
    points = pd.DataFrame([(k.split("|")[0], v["points"]) for k, v in series.items()],
                          columns=["region", "points"])
    short = points[points["points"] < SHORT_SERIES].groupby("region").size()
    lacking = data_needed.groupby("region").size() if len(data_needed) \
        else pd.Series(dtype=int)
    table = pd.DataFrame({"short": short, "none": lacking}).fillna(0).astype(int)
    return table.sort_values(["short", "none"], ascending=False)
