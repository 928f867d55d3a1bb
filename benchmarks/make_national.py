"""Build a SYNTHETIC national workspace for measuring `forecast run` at scale.

The data are synthetic and labelled so everywhere (region names, notes, plan titles); they are
never shipped in data/. Counties are nested in the 31 real provinces; each county's series is
its province's REAL series of a template indicator (from data/observations.csv) rescaled by a
county-specific level, a growth offset and noise, so the series have the shapes real ones have.
Counts are whole and non-negative, shares stay inside 0-100 (the scaling is done on the logit
scale). Each county gets one plan of 10-20 targets of the seed plans' kinds, set at realistic
distances from the county's own trend so that probabilities spread over 0-1.

    python benchmarks/make_national.py OUT_DIR --regions 3000 [--seed 1]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
YEARS = np.arange(2012, 2024)  # the template years: every bundled provincial series has them
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# indicator -> (kind, template indicator, typical county value, direction down?)
INDICATORS: dict[str, tuple[str, str, float, bool]] = {
    "rd_intensity": ("share", "rd_intensity", 1.5, False),
    "basic_research_share_rd": ("share", "basic_research_share_rd", 5.0, False),
    "enterprise_rd_personnel_share": ("share", "rd_intensity", 6.0, False),
    "enterprises_with_rd_share": ("share", "rd_intensity", 25.0, False),
    "sci_tech_fiscal_share": ("share", "basic_research_share_rd", 3.0, False),
    "hitech_enterprise_share_above_scale": ("share", "rd_intensity", 30.0, False),
    "hitech_industry_va_share_gdp": ("share", "rd_intensity", 20.0, False),
    "hitech_industry_va_share_industry": ("share", "basic_research_share_rd", 35.0, False),
    "tech_contract_turnover_share_gdp": ("share", "rd_intensity", 2.0, False),
    "air_quality_good_rate": ("share", "basic_research_share_rd", 85.0, False),
    "rd_expenditure": ("amount", "rd_expenditure", 8.0, False),
    "gdp": ("amount", "gdp", 400.0, False),
    "tech_contract_turnover": ("amount", "tech_contract_turnover", 10.0, False),
    "hitech_zone_revenue": ("amount", "gdp", 300.0, False),
    "hitech_industry_va": ("amount", "gdp", 80.0, False),
    "fiscal_sci_tech_expenditure": ("amount", "rd_expenditure", 2.0, False),
    "valid_invention_patents": ("count", "valid_invention_patents", 800.0, False),
    "hitech_enterprises": ("count", "valid_invention_patents", 120.0, False),
    "tech_smes": ("count", "valid_invention_patents", 200.0, False),
    "innovation_platforms": ("count", "valid_invention_patents", 60.0, False),
    "incubation_carriers": ("count", "valid_invention_patents", 15.0, False),
    "incubated_firms": ("count", "valid_invention_patents", 150.0, False),
    "high_level_talent_teams": ("count", "valid_invention_patents", 20.0, False),
    "little_giant_enterprises": ("count", "valid_invention_patents", 10.0, False),
    "sci_tech_achievements_registered": ("count", "valid_invention_patents", 60.0, False),
    "invention_patents_per_10k": ("ratio", "valid_invention_patents", 8.0, False),
    "gdp_per_capita": ("ratio", "gdp", 6.0, False),
    "disposable_income_per_capita": ("ratio", "gdp", 3.0, False),
    "energy_intensity": ("ratio", "gdp", 0.5, True),
    "urban_rural_income_ratio": ("ratio", "gdp", 2.2, True),
}


def templates() -> tuple[list[str], dict[str, np.ndarray]]:
    """Provinces and, per template indicator, an array (province, year) of real values."""
    obs = pd.read_csv(ROOT / "data" / "observations.csv")
    regions = pd.read_csv(ROOT / "data" / "regions.csv")
    provinces = sorted(regions.loc[regions["level"] == "province", "region"])
    obs = obs[obs["region"].isin(provinces) & obs["year"].isin(YEARS)]
    out = {}
    for ind in {t for _, t, _, _ in INDICATORS.values()}:
        wide = obs[obs["indicator"] == ind].pivot(index="region", columns="year", values="value")
        out[ind] = wide.reindex(index=provinces, columns=YEARS).to_numpy(float)
    return provinces, out


def county_series(kind: str, template: np.ndarray, typical: float, down: bool,
                  rng: np.random.Generator) -> np.ndarray:
    """(n_counties, years) synthetic values from each county's province template row."""
    n, t = template.shape[0], np.arange(len(YEARS))
    level = rng.normal(0, 0.5, (n, 1))
    growth = rng.normal(0, 0.02, (n, 1)) * t
    noise = rng.normal(0, rng.uniform(0.03, 0.08, (n, 1)), (n, len(YEARS)))
    if kind == "share":
        z = np.log(template / (100 - template))
        z = z - np.nanmedian(z[:, -1]) + np.log(typical / (100 - typical))
        return 100 / (1 + np.exp(-(z + level + growth + noise)))
    base = template / np.nanmedian(template[:, -1])
    if down:  # falls as the template grows, e.g. energy use per unit of GDP
        base = base[:, :1] ** 2 / base
    values = typical * base * np.exp(level + growth + noise)
    if kind == "ratio" and typical > 1 and down:  # a ratio bounded below by 1
        values = 1 + (typical - 1) * base * np.exp(0.3 * (level + growth + noise))
    return np.round(values) if kind == "count" else values


def plan_for(county: str, series: dict[str, tuple[np.ndarray, np.ndarray]], catalogue: dict,
             rng: np.random.Generator) -> dict:
    """10-20 targets of the seed kinds around the county's own trend."""
    chosen = rng.choice(sorted(series), size=int(rng.integers(10, 21)), replace=False)
    targets = []
    for k, ind in enumerate(map(str, chosen)):
        _, values = series[ind]
        kind_of, _, _, down = INDICATORS[ind]
        last, n = float(values[-1]), len(values)
        rate = float((values[-1] / values[0]) ** (1 / (n - 1)) - 1) if values[0] > 0 else 0.0
        year = int(rng.choice([2024, 2025, 2026]))
        h = year - 2023
        trend = last * (1 + rate) ** h
        roll = rng.random()
        flow = catalogue[ind]["flow"]
        unit = catalogue[ind]["unit"]
        t = {"id": f"t{k + 1:02d}-{ind.replace('_', '-')}", "indicator": ind, "year": year,
             "base_year": 2023}
        if roll < 0.5 or kind_of == "ratio":
            value = trend * rng.normal(1.0, 0.08)
            if kind_of == "share":
                value = min(max(value, 0.1), 99.0)
            t.update(kind="level", op="<=" if down else ">=", unit=unit,
                     value=round(float(value), 0 if kind_of == "count" else 3))
        elif roll < 0.65:
            t.update(kind="growth", op=">=", unit="%",
                     value=round(100 * rate + float(rng.normal(0, 3)), 1))
            if rng.random() < 0.3:
                t["each_year"] = True
        elif roll < 0.8:
            t.update(kind="cagr", op=">=", unit="%", year=max(year, 2025),
                     value=round(100 * rate + float(rng.normal(0, 2)), 1))
        elif flow:
            total = sum(last * (1 + rate) ** j for j in range(1, h + 1))
            t.update(kind="cumulative", op=">=", unit=unit,
                     value=round(float(total * rng.normal(1.0, 0.05)), 2))
        else:
            change = (trend - last) * rng.normal(1.0, 0.3)
            t.update(kind="change", op=">=", unit=unit,
                     value=round(float(change), 0 if kind_of == "count" else 2))
        if rng.random() < 0.2:
            t["aspirational"] = True
        t["text"] = f"合成目标:{catalogue[ind]['name_zh']} ({t['kind']} {t['op']} {t['value']})"
        targets.append(t)
    return {"plan": {"id": f"{county}-2025", "title": f"[SYNTHETIC] {county} 创新发展目标",
                     "region": county, "period": [2024, 2026], "base_year": 2023,
                     "source": "benchmarks/make_national.py (synthetic)"},
            "targets": targets}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--regions", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    provinces, tmpl = templates()
    catalogue = {e["id"]: e for e in yaml.load(
        (ROOT / "forecast" / "data" / "indicators.yaml").read_text(encoding="utf-8"),
        Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))}
    counties = [f"synthetic-county-{i:05d}" for i in range(1, args.regions + 1)]
    home = np.arange(args.regions) % len(provinces)  # round-robin over the provinces
    first = rng.integers(0, 3, args.regions)  # histories start in 2012, 2013 or 2014
    frames, per_county = [], [{} for _ in counties]
    for ind, (kind, template, typical, down) in INDICATORS.items():
        values = county_series(kind, tmpl[template][home], typical, down, rng)
        # start after any year the province's template lacks (e.g. Tibet's contracts)
        gap_end = np.where(np.isnan(values), np.arange(len(YEARS)) + 1, 0).max(axis=1)
        start = np.maximum(first, gap_end)
        mask = np.arange(len(YEARS))[None, :] >= start[:, None]
        rows, cols = np.nonzero(mask)
        frames.append(pd.DataFrame({
            "region": np.array(counties)[rows], "indicator": ind, "year": YEARS[cols],
            "value": np.round(values[rows, cols], 6),
            "note": "synthetic: scaled from " + np.array(provinces)[home[rows]] + f" {template}",
        }))
        for i in range(args.regions):
            per_county[i][ind] = (YEARS[start[i]:], values[i, start[i]:])
    data = args.out / "data"
    (data / "plans").mkdir(parents=True, exist_ok=True)
    obs = pd.concat(frames, ignore_index=True).sort_values(["region", "indicator", "year"])
    obs.to_csv(data / "observations.csv", index=False)
    regions = pd.DataFrame(
        [("全国", "全国", "China (national)", "nation", "")]
        + [(p, p, p, "province", "全国") for p in provinces]
        + [(c, f"合成县{c[-5:]}", f"Synthetic county {c[-5:]}", "county", provinces[h])
           for c, h in zip(counties, home, strict=True)],
        columns=["region", "name_zh", "name_en", "level", "parent"])
    regions.to_csv(data / "regions.csv", index=False)
    n_targets = 0
    for county, series in zip(counties, per_county, strict=True):
        plan = plan_for(county, series, catalogue, rng)
        n_targets += len(plan["targets"])
        text = "# SYNTHETIC plan for measuring forecast at national scale; not a real plan.\n"
        text += yaml.dump(plan, Dumper=Dumper, allow_unicode=True, sort_keys=False)
        (data / "plans" / f"{county}.yaml").write_text(text, encoding="utf-8")
    print(f"{args.regions} synthetic regions, {args.regions * len(INDICATORS)} series, "
          f"{len(obs)} observations, {n_targets} targets in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
