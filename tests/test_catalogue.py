"""The bundled catalogue: required ids, complete entries, aliases in both scripts."""

from __future__ import annotations

import opencc
import pytest
import yaml

from forecast.config import PACKAGE_DIR

SPEC_IDS = {
    "rd_intensity": "%", "rd_expenditure": "亿元", "gdp": "亿元",
    "tech_contract_turnover": "亿元", "valid_invention_patents": "件",
    "invention_patents_per_10k": "件/万人", "high_value_invention_patents_per_10k": "件/万人",
    "hitech_enterprises": "家", "tech_smes": "家", "hitech_industry_va_share_gdp": "%",
    "energy_intensity": "吨标准煤/万元",
}


@pytest.mark.parametrize(("ind_id", "unit"), sorted(SPEC_IDS.items()))
def test_spec_ids_exist_with_their_units(catalogue, ind_id, unit):
    assert catalogue[ind_id].unit == unit


def test_spec_kinds_and_directions(catalogue):
    assert catalogue["tech_contract_turnover"].flow
    assert not catalogue["hitech_enterprises"].flow
    assert catalogue["energy_intensity"].direction == "down"
    assert catalogue["rd_intensity"].kind == "share"
    assert (catalogue["rd_intensity"].lower, catalogue["rd_intensity"].upper) == (0, 100)


def test_every_entry_has_names_and_aliases(catalogue):
    for ind in catalogue:
        assert ind.id == ind.id.lower() and " " not in ind.id
        assert ind.name_zh and ind.name_en and ind.unit
        assert ind.aliases, ind.id


def test_traditional_aliases_are_the_opencc_forms():
    """The generated catalogue is in step with its authored source (scripts/build_catalogue.py)."""
    authored = yaml.safe_load((PACKAGE_DIR / "data" / "indicators_simplified.yaml").read_text())
    generated = {e["id"]: e for e in
                 yaml.safe_load((PACKAGE_DIR / "data" / "indicators.yaml").read_text())}
    to_trad = opencc.OpenCC("s2t")
    assert set(generated) == {e["id"] for e in authored}
    for entry in authored:
        expected = {to_trad.convert(a) for a in [entry["name_zh"], *entry["aliases"]]}
        expected -= {entry["name_zh"], *entry["aliases"]}
        assert set(generated[entry["id"]]["aliases_traditional"]) == expected, entry["id"]


def test_lookup_by_traditional_wording_of_seed_003(catalogue):
    # seed 003 writes 占 where OpenCC writes 佔; lookup normalises both to simplified
    assert catalogue.lookup("全社會R&D經費支出占GDP比重").id == "rd_intensity"
    assert catalogue.lookup("單位地區生產總值能耗").id == "energy_intensity"
    assert catalogue.lookup("Gross domestic product").id == "gdp"
    assert catalogue.lookup("no such thing") is None


def test_workspace_overrides_are_strict(tmp_path, catalogue):
    """A partial override keeps the bundled fields it does not give; bounds given as a list
    override both; 'false' in quotes, a text bound or a reversed pair is a one-line error."""
    from forecast.errors import InputError

    path = tmp_path / "indicators.yaml"
    path.write_text("- {id: gdp, unit: 万元, bounds: [1, 9]}\n", encoding="utf-8")
    gdp = catalogue.with_overrides(path)["gdp"]
    assert (gdp.unit, gdp.lower, gdp.upper, gdp.kind) == ("万元", 1.0, 9.0, catalogue["gdp"].kind)
    for body, words in (("- {id: gdp, flow: 'false'}", "not true or false"),
                        ("- {id: gdp, lower: abc}", "not a number"),
                        ("- {id: gdp, bounds: [9, 1]}", "not below"),
                        ("- {id: ../x, name_zh: x, name_en: x, unit: x, kind: count, "
                         "flow: false, direction: up}", "not a safe id")):
        path.write_text(body + "\n", encoding="utf-8")
        with pytest.raises(InputError, match=words) as info:
            catalogue.with_overrides(path)
        assert str(path) in str(info.value)


def test_every_bundled_id_is_safe(catalogue):
    from forecast.inputs.values import is_safe_id

    assert all(is_safe_id(i) for i in catalogue.ids)
