"""Preliminary and final figures: the optional vintage column, the revision error learned from
it (recovered from a simulation with a known truth), the futures it widens, and nothing
changed where no figure is preliminary."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.inputs.observations import read_observations
from forecast.inputs.vintages import preliminary_years, revision_pairs
from forecast.models.revisions import MIN_REVISIONS, RevisionError, learn_revisions
from forecast.models.transforms import transform_for
from forecast.simulation.simulate import SeriesRequest, simulate_future

from builders import HUNAN_RD


def _obs(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "observations.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_latest_vintage_is_used_and_the_first_kept(tmp_path, catalogue):
    path = _obs(tmp_path, "region,indicator,year,value,vintage\n"
                "A,gdp,2019,100,final\nA,gdp,2020,104,preliminary\nA,gdp,2020,105,最终\n"
                "A,gdp,2021,110,初步\nA,gdp,2021,111,2023-03-01\nA,gdp,2022,115,preliminary\n"
                "B,gdp,2020,50,\nB,gdp,2021,52,2022-02-28\nB,gdp,2021,53,2022-09-30\n"
                "B,gdp,2022,55,2023-02-28\nB,gdp,2018,49,2019-09-30\n")
    obs = read_observations(path, catalogue)
    assert obs[["region", "year", "value"]].astype({"region": str}).values.tolist() == [
        ["A", 2019, 100.0], ["A", 2020, 105.0], ["A", 2021, 111.0], ["A", 2022, 115.0],
        ["B", 2018, 49.0], ["B", 2020, 50.0], ["B", 2021, 53.0], ["B", 2022, 55.0]]
    pairs = revision_pairs(obs)
    assert pairs[["region", "year", "first", "final"]].values.tolist() == [
        ["A", 2020, 104.0, 105.0], ["A", 2021, 110.0, 111.0], ["B", 2021, 52.0, 53.0]]
    # A 2022 is labelled preliminary; B 2022 is a last year with one dated figure while
    # gdp's earlier years were revised; B 2018 has one dated figure but is not the last year
    assert preliminary_years(obs) == {("A", "gdp", 2022), ("B", "gdp", 2022)}


def test_without_the_column_the_frame_is_as_before(tmp_path, catalogue):
    text = "region,indicator,year,value\nA,gdp,2020,1\nA,gdp,2021,2\n"
    obs = read_observations(_obs(tmp_path, text), catalogue)
    assert list(obs.columns) == ["region", "indicator", "year", "value"]
    assert revision_pairs(obs).empty and preliminary_years(obs) == frozenset()


@pytest.mark.parametrize(("rows", "message"), [
    ("A,gdp,2020,1,soon\n", "row 2, column 'vintage'"),
    ("A,gdp,2020,1,2020-13-01\n", "row 2, column 'vintage'"),
    ("A,gdp,2020,1,final\nA,gdp,2020,2,最终\n", "duplicate region/indicator/year/vintage"),
    ("A,gdp,2020,1,\nA,gdp,2020,2,final\n", "duplicate region/indicator/year/vintage"),
])
def test_bad_vintages_name_the_row_and_the_fix(tmp_path, catalogue, rows, message):
    path = _obs(tmp_path, "region,indicator,year,value,vintage\n" + rows)
    with pytest.raises(InputError) as err:
        read_observations(path, catalogue)
    assert message in str(err.value) and "observations.csv" in str(err.value)


def test_the_revision_error_is_recovered_from_a_simulation(catalogue):
    """Revisions drawn with a known bias and spread on the log scale: the learned bias and
    standard deviation match, and the predictive scale is s·√(1 + 1/n)."""
    rng = np.random.default_rng(21)
    n, bias, sd = 400, 0.012, 0.02
    first = rng.uniform(50, 500, n)
    final = first * np.exp(bias + sd * rng.standard_normal(n))
    pairs = pd.DataFrame({"region": [f"r{i}" for i in range(n)], "indicator": "gdp",
                          "year": 2020, "first": first, "final": final})
    error = learn_revisions(pairs, catalogue)["gdp"]
    assert error.bias == pytest.approx(bias, abs=3 * sd / np.sqrt(n))
    assert error.scale / np.sqrt(1 + 1 / n) == pytest.approx(sd, rel=0.1)
    # exactly the sample's: GDP is on the log scale, so a revision is log(final / first)
    r = np.log(final / first)
    assert error.bias == pytest.approx(r.mean(), rel=1e-12)
    assert error.scale == pytest.approx(r.std(ddof=1) * np.sqrt(1 + 1 / n), rel=1e-12)
    assert error.df == n - 1 and error.revisions == n
    few = learn_revisions(pairs.head(MIN_REVISIONS - 1), catalogue)
    assert few == {}


def test_a_preliminary_latest_year_shifts_every_path_by_one_revision(catalogue):
    """The paths with the revision minus those without are, path by path, draws of the
    revision's Student-t (the model's own stream is untouched)."""
    indicator = catalogue["rd_expenditure"]
    years, values = np.arange(2011, 2021), np.array(HUNAN_RD)
    error = RevisionError(bias=0.01, scale=0.03, df=6, revisions=7)
    plain = SeriesRequest("湖南", indicator, years, values, 2023)
    revised = SeriesRequest("湖南", indicator, years, values, 2023, revision=error)
    a = simulate_future(plain, "trend", 3, 4000, 7)
    b = simulate_future(revised, "trend", 3, 4000, 7)
    shift = b.z - a.z
    np.testing.assert_allclose(shift, shift[:, :1] * np.ones((1, 3)), atol=1e-12)
    assert stats.kstest((shift[:, 0] - 0.01) / 0.03, stats.t(6).cdf).pvalue > 0.01
    assert error.note() in b.notes and error.note() not in a.notes
    assert np.std(b.z[:, 0]) > np.std(a.z[:, 0])
    transform = transform_for(indicator, values)
    np.testing.assert_allclose(b.values, transform.inverse(b.z))


def _run(workspace: Path, out: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(workspace), "--out", str(out), "--draws", "300",
                                      "--no-reports", "--no-check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


PLAN = """\
plan: {id: tiny, title: tiny plan, region: 湖南}
targets:
  - {id: level, indicator: rd_expenditure, op: '>=', value: 1300, year: 2023, base_year: 2020,
     text: x}
"""


def test_final_only_vintages_change_nothing_and_a_preliminary_year_widens(tmp_path,
                                                                           make_workspace):
    """The same observations with a vintage column that names every figure final give the
    same files, byte for byte, as without it (run id and date aside); a preliminary latest
    year with five revised years before it widens the 2023 distribution."""
    base = "region,indicator,year,value\n" + "".join(
        f"湖南,rd_expenditure,{2011 + i},{v}\n" for i, v in enumerate(HUNAN_RD))
    final = "region,indicator,year,value,vintage\n" + "".join(
        f"湖南,rd_expenditure,{2011 + i},{v},final\n" for i, v in enumerate(HUNAN_RD))
    prelim = final + "".join(  # 2015-2019 first published 1-2% lower; 2020 still preliminary
        f"湖南,rd_expenditure,{2015 + i},{HUNAN_RD[4 + i] * f},preliminary\n"
        for i, f in enumerate((0.99, 0.98, 0.985, 0.99, 0.975)))
    prelim = prelim.replace(f"2020,{HUNAN_RD[-1]},final", f"2020,{HUNAN_RD[-1]},preliminary")
    runs = {}
    for name, text in (("base", base), ("final", final), ("prelim", prelim)):
        ws = make_workspace(tmp_path / name, text, PLAN)
        _run(ws, tmp_path / f"{name}-run")
        runs[name] = tmp_path / f"{name}-run"
    same = ["probabilities.csv", "probabilities.parquet", "plan_outcomes.csv", "paths.parquet",
            "review.csv", "suggestions.csv"]  # probabilities.json: the input files' hashes
    match, mismatch, errors = filecmp.cmpfiles(runs["base"], runs["final"], same, shallow=False)
    assert mismatch == [] and errors == [] and sorted(match) == sorted(same)
    p = {k: pd.read_csv(v / "probabilities.csv").iloc[0] for k, v in runs.items()}
    width = {k: r["statistic_p90"] - r["statistic_p10"] for k, r in p.items()}
    assert width["prelim"] > width["base"]
    assert "latest year preliminary" in (runs["prelim"] / "probabilities.json").read_text("utf-8")
    assert "latest year preliminary" not in (runs["base"] / "probabilities.json").read_text()


def test_excel_date_cells_and_empty_cells_are_read(tmp_path, catalogue):
    """A date typed into Excel arrives with a time of day; an empty vintage is final."""
    import datetime

    frame = pd.DataFrame({"region": ["A", "A", "A", "B"], "indicator": ["gdp"] * 4,
                          "year": [2020, 2020, 2021, 2021], "value": [1.0, 1.1, 1.2, 5.0],
                          "vintage": [datetime.datetime(2021, 2, 28),
                                      datetime.datetime(2021, 9, 30), " Preliminary ", None]})
    frame.to_excel(tmp_path / "observations.xlsx", index=False)
    obs = read_observations(tmp_path / "observations.xlsx", catalogue)
    assert obs["value"].tolist() == [1.1, 1.2, 5.0]
    assert obs["first_value"].iloc[0] == 1.0
    assert obs["preliminary"].tolist() == [False, True, False]
