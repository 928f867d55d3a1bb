"""Rebuild data/observations.csv, regions.csv and calibration/ from data/external/.

Every value is copied from a public file listed in data/PROVENANCE.md; the only derived
column is `gdp`, implied by R&D expenditure and R&D intensity (gdp = 100 * rd / intensity),
and it says so in its `note`. Run from the project root: `make data`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT / "data" / "external"
OUT = ROOT / "data"

# Xiangtan's 2021 and 2022 values, table 附件1 of seed 003 (rows 1-26, in table order).
XIANGTAN_TABLE = [
    ("rd_intensity", 2.53, 2.95),
    ("basic_research_share_rd", 3.3, 5.48),
    ("enterprise_rd_personnel_share", 7.37, 8.12),
    ("high_level_talent_teams", 39, 59),
    ("innovation_platforms", 249, 284),
    ("hitech_zone_revenue", 1450, 1800),
    ("gdp_per_capita", 9.3, 9.9702),
    ("key_disciplines", 28, 30),
    ("industry_tech_alliances", 6, 7),
    ("sci_tech_awards", 32, 44),
    ("hitech_industry_va_share_gdp", 38.3, 40.44),
    ("hitech_enterprises", 644, 776),
    ("hitech_enterprise_share_above_scale", 48.84, 58.95),
    ("hitech_enterprise_revenue_share", 53.13, 81.87),
    ("invention_patents_per_10k", 16.87, 20.18),
    ("tech_contract_turnover_share_gdp", 6.28, 11.29),
    ("incubation_carriers", 87, 100),
    ("incubated_firms", 836, 937),
    ("tech_smes", 725, 1221),
    ("air_quality_good_rate", 78, 81.4),
    ("energy_intensity", 0.56, 0.5379),
    ("urban_rural_income_ratio", 1.79, 1.75),
    ("disposable_income_per_capita", 3.72, 3.9354),
    ("sci_tech_fiscal_share", 4.8, 5.98),
    ("innovation_policy_issued", 1, 1),
    ("sci_tech_management_team", 1, 1),
]
SEED_003 = "seed 003 (湘潭市2023年工作实施方案), 附件1 table"


def province_rows() -> pd.DataFrame:
    """R&D intensity, R&D expenditure, implied GDP, technology contracts, invention patents."""
    rd = pd.read_csv(EXTERNAL / "cn_province_rd_intensity_long.csv")
    bulletin = "全国科技经费投入统计公报 附表2 (techme RDIntense)"
    parts = [
        rd.assign(indicator="rd_intensity", value=rd["rd_intensity_pct"], source=bulletin, note=""),
        rd.assign(
            indicator="rd_expenditure",
            value=rd["rd_expenditure_100m_yuan"],
            source=bulletin,
            note="",
        ),
        rd.assign(
            indicator="gdp",
            value=(100 * rd["rd_expenditure_100m_yuan"] / rd["rd_intensity_pct"]).round(1),
            source=bulletin,
            note="derived: 100 * rd_expenditure / rd_intensity (both rounded in the source)",
        ),
    ]
    act = pd.read_csv(EXTERNAL / "cn_province_rd_expenditure_by_activity_long.csv")
    parts.append(
        act.assign(
            indicator="basic_research_share_rd",
            value=(100 * act["basic_research_10k_yuan"] / act["total_10k_yuan"]).round(2),
            source="China Statistical Yearbook on S&T, R&D expenditure by activity "
            "(techme RDActivity)",
            note="derived: 100 * basic research / total R&D expenditure",
        )
    )
    tc = pd.read_csv(EXTERNAL / "cn_province_tech_contracts_long.csv")
    tc = tc.dropna(subset=["output_turnover_10k_yuan"])
    parts.append(
        tc.assign(
            indicator="tech_contract_turnover",
            value=(tc["output_turnover_10k_yuan"] / 1e4).round(2),
            source="China Statistical Yearbook on S&T, technology market by seller region "
            "(techme MarketPush)",
            note="万元 / 10000 = 亿元",
        )
    )
    pat = pd.read_csv(EXTERNAL / "cn_province_valid_patents_long.csv")
    parts.append(
        pat.assign(
            indicator="valid_invention_patents",
            value=pat["valid_invention_patents"],
            source="China Statistical Yearbook on S&T, valid domestic patents "
            "(techme RDPatentValid)",
            note="",
        )
    )
    out = pd.concat(parts, ignore_index=True)
    return out.rename(columns={"province_cn": "region"})[
        ["region", "indicator", "year", "value", "source", "note"]
    ]


def xiangtan_rows() -> pd.DataFrame:
    rows = []
    for indicator, v2021, v2022 in XIANGTAN_TABLE:
        note = "有 (yes) encoded as 1" if indicator in {
            "innovation_policy_issued", "sci_tech_management_team"
        } else ""
        rows += [
            ("湘潭市", indicator, 2021, v2021, SEED_003, note),
            ("湘潭市", indicator, 2022, v2022, SEED_003, note),
        ]
    return pd.DataFrame(rows, columns=["region", "indicator", "year", "value", "source", "note"])


def regions() -> pd.DataFrame:
    rd = pd.read_csv(EXTERNAL / "cn_province_rd_intensity_long.csv")
    prov = rd[["province_cn", "province_en"]].drop_duplicates().sort_values("province_cn")
    rows = [("全国", "全国", "China (national)", "nation", "")]
    rows += [
        (cn, cn, en, "province", "全国") for cn, en in prov.itertuples(index=False) if cn != "全国"
    ]
    rows += [
        ("湘潭市", "湘潭市", "Xiangtan", "city", "湖南"),
        ("沅江市", "沅江市", "Yuanjiang", "county", "湖南"),
        ("萍乡市", "萍乡市", "Pingxiang", "city", "江西"),
        ("镇康县", "镇康县", "Zhenkang County", "county", "云南"),
        ("湘潭智造谷", "湘潭智造谷", "Xiangtan Intelligent Manufacturing Valley", "park", "湘潭市"),
        ("湘潭高新区", "湘潭高新区", "Xiangtan National High-tech Zone", "park", "湘潭市"),
        ("unnamed-city-001", "(未具名城市)", "Unnamed city of seed 001", "city", ""),
    ]
    return pd.DataFrame(rows, columns=["region", "name_zh", "name_en", "level", "parent"])


def calibration_corpus() -> dict[str, pd.DataFrame]:
    """Series that `forecast calibrate` learns from, in the observations format.

    Tourism yearly (Tcomp, 518 series, whole series: the held-out years of the benchmarks are
    never in it) and World Bank R&D % of GDP by economy (aggregates dropped).
    """
    long = pd.read_csv(EXTERNAL / "tourism_yearly_long.csv")
    meta = pd.read_csv(EXTERNAL / "tourism_yearly_meta.csv")[["series_id", "start_year"]]
    long = long.merge(meta, on="series_id")
    tourism = pd.DataFrame({
        "region": long["series_id"], "indicator": "tourism_yearly",
        "year": long["start_year"] + long["t"] - 1, "value": long["value"],
        "source": "Tourism forecasting competition 2010, yearly (Tcomp 1.0.1)", "note": "",
    })
    wb = pd.read_csv(EXTERNAL / "wb_rd_gdp_long.csv")
    wb = wb[wb["is_aggregate"] == 0]
    world = pd.DataFrame({
        "region": wb["iso3"], "indicator": "wb_rd_intensity", "year": wb["year"],
        "value": wb["value"].round(5),
        "source": "World Bank WDI GB.XPD.RSDV.GD.ZS (UNESCO UIS)", "note": wb["country"],
    })
    return {"tourism_yearly.csv": tourism, "wb_rd_intensity.csv": world}


def main() -> int:
    if not EXTERNAL.is_dir():
        print(f"error: {EXTERNAL} not found; it holds the public source files", file=sys.stderr)
        return 2
    obs = pd.concat([province_rows(), xiangtan_rows()], ignore_index=True)
    obs["year"] = obs["year"].astype(int)
    obs = obs.sort_values(["region", "indicator", "year"], kind="stable")
    OUT.mkdir(exist_ok=True)
    obs.to_csv(OUT / "observations.csv", index=False, float_format="%.10g")
    regions().to_csv(OUT / "regions.csv", index=False)
    (OUT / "calibration").mkdir(exist_ok=True)
    for name, frame in calibration_corpus().items():
        frame.sort_values(["region", "year"], kind="stable").to_csv(
            OUT / "calibration" / name, index=False, float_format="%.10g")
    print(f"wrote {len(obs)} observations and {len(regions())} regions to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
