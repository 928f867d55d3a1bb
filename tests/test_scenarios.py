"""Scenario files (inputs.scenarios): what a valid file gives, and one-line errors for bad
ones."""

from __future__ import annotations

import pytest

from forecast.errors import InputError
from forecast.inputs.scenarios import check_against_run, read_scenario


def test_scenario_files_are_checked(tmp_path, catalogue):
    good = tmp_path / "s.yaml"
    good.write_text("scenario: {id: push, title: t}\nadjustments:\n"
                    "  - {indicator: rd_expenditure, from_year: 2024, growth_shift: 2}\n",
                    encoding="utf-8")
    s = read_scenario(good, catalogue)
    assert s.adjustments[0].growth_shift == 2.0
    with pytest.raises(InputError, match="has no data in the workspace"):
        check_against_run([s], {"gdp"}, 2024, 2026)
    with pytest.raises(InputError, match="outside the run's simulated years"):
        check_against_run([s], {"rd_expenditure"}, 2025, 2026)
    bad = tmp_path / "bad.yaml"
    for body, message in [
        ("  - {indicator: nonsense, growth_shift: 2}", "unknown indicator"),
        ("  - {indicator: gdp, shock: -5}", "needs a year"),
        ("  - {indicator: gdp, volatility: 0}", "not positive"),
        ("  - {indicator: gdp, shock: -5, year: 2024, growth_shift: 1}", "gives 2 of"),
    ]:
        bad.write_text(f"scenario: {{id: x}}\nadjustments:\n{body}\n", encoding="utf-8")
        with pytest.raises(InputError, match=message):
            read_scenario(bad, catalogue)


@pytest.mark.parametrize(("body", "message"), [
    ("  - {indicator: gdp, growth_shift: -100}", "growth shift of -100 points"),
    ("  - {indicator: gdp, growth_shift: 1, from_year: 2024.5}", "is not a year"),
    ("  - {indicator: gdp, shock: -5, year: 100000000}", "outside 1949–2100"),
    ("  - {indicator: gdp, volatility: .inf}", "not a finite number"),
    ("  - {indicator: gdp, volatility: '1.5'}", "is not a number"),
])
def test_strict_scenario_values(tmp_path, catalogue, body, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"scenario: {{id: x}}\nadjustments:\n{body}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_scenario(bad, catalogue)
