"""The mid-term review (assessment.review): the status classes, the probability at the base
year from that year's data, and the review as a pure function of inputs, settings and seed."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np

from forecast.api import open_workspace
from forecast.assessment.review import review, status
from forecast.assessment.run import assess
from forecast.assessment.settings import Settings
from forecast.outputs.tables import tidy_rows

from builders import (
    HUNAN_RD,
    RD,
    province_targets,
    provincial_inputs,
    provincial_observations,
)


def test_status_follows_the_likelihood_classes():
    assert [status(p, False) for p in (0.9, 0.66, 0.5, 0.33, 0.1)] == \
        ["on track", "on track", "at risk", "at risk", "off track"]
    assert status(1.0, True) == "met" and status(0.0, True) == "missed"


def test_a_broken_or_unobserved_past_target_says_so():
    """An each-year target an observed year broke is missed whatever its probability says;
    one whose year has passed unobserved awaits its data instead of looking on track."""
    assert status(0.9, False, broken=True) == "missed"
    assert status(0.9, False, awaiting=True) == "awaiting data"
    assert status(0.2, True, awaiting=False) == "missed"
    assert status(float("nan"), False, awaiting=True) == "no data"


def test_review_gives_the_probability_at_the_base_year_from_that_years_data(catalogue):
    obs = provincial_observations(["广东", "湖南"])
    targets = {r: (replace(province_targets(r)[0], base_year=2020, value=4.0),)
               for r in ("广东", "湖南")}
    inputs = provincial_inputs(catalogue, targets, obs)
    settings = Settings(model="trend", draws=500, derived=RD)
    now = assess(inputs, settings)
    table = review(inputs, settings, now)
    assert list(table["scenario"]) == ["baseline", "baseline"]
    back = assess(inputs, replace(settings, as_of=2020)).rows  # what was known in 2020
    np.testing.assert_array_equal(table["probability_at_base"], back["probability"])
    np.testing.assert_array_equal(table["probability"], now.rows["probability"])
    gd = obs[(obs["region"] == "广东") & (obs["indicator"] == "rd_intensity")].set_index("year")
    row = table.iloc[0]
    assert row["base_value"] == gd.loc[2020, "value"] and row["last_value"] == gd.loc[2023,
                                                                                      "value"]
    assert math.isclose(row["progress_share"], (gd.loc[2023, "value"] - gd.loc[2020, "value"])
                        / (4.0 - gd.loc[2020, "value"]))
    assert math.isclose(row["time_share"], 3 / 6)


REVIEWED_PLAN = """\
plan: {id: tiny, title: tiny plan, region: 湖南, base_year: 2020, period: [2021, 2025]}
targets:
  - {id: level, indicator: rd_expenditure, op: '>=', value: 1300, year: 2025, base_year: 2020,
     text: x}
  - {id: growth, indicator: rd_expenditure, kind: cagr, op: '>=', value: 12, year: 2025,
     base_year: 2020, text: x}
"""


def _calendar(monkeypatch, year: int, month: int, day: int) -> None:
    """Make the clock say ``year-month-day`` to every reader of datetime.date.today and
    datetime.datetime.now."""
    class Today(dt.date):
        @classmethod
        def today(cls):
            return cls(year, month, day)

    class Now(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(year, month, day, 9, 30, tzinfo=tz)

        @classmethod
        def today(cls):
            return cls(year, month, day, 9, 30)

    monkeypatch.setattr(dt, "date", Today)
    monkeypatch.setattr(dt, "datetime", Now)


def _review_bytes(root, settings=None) -> bytes:
    ws = open_workspace(root)
    settings = settings or ws.settings(model="drift", draws=500)
    frame = tidy_rows(ws.review_plan("tiny", settings))
    return frame.to_csv(index=False, lineterminator="\n").encode()


def test_a_fixed_date_gives_the_same_review_bytes(tmp_path, make_workspace, monkeypatch):
    """review.csv is a pure function of inputs, settings and seed: only the interface reads
    the calendar, turning it into the settings' review year. Two days of one year give the
    same bytes; settings with a fixed review year give the same bytes on any day, also after
    1 January, when the calendar year changes which plans count as begun."""
    obs = "region,indicator,year,value\n" + "".join(
        f"湖南,rd_expenditure,{2011 + i},{v}\n" for i, v in enumerate(HUNAN_RD))
    root = make_workspace(tmp_path / "ws", obs, REVIEWED_PLAN)
    _calendar(monkeypatch, 2023, 1, 2)
    january = _review_bytes(root)
    _calendar(monkeypatch, 2023, 12, 30)
    december = _review_bytes(root)
    assert january == december and january.count(b"\n") == 3  # the header, two targets
    fixed = open_workspace(root).settings(model="drift", draws=500)
    assert fixed.review_year == 2023
    _calendar(monkeypatch, 2020, 6, 1)  # a calendar before the plan began (2021)
    assert open_workspace(root).settings().review_year == 2020
    assert _review_bytes(root).count(b"\n") == 1  # its own year: not begun, a header alone
    assert _review_bytes(root, fixed) == january  # the settings' year: as in 2023
