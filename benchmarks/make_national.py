"""Build a SYNTHETIC national workspace for measuring the speed and memory of `forecast run`.

What: a workspace folder (data/observations.csv, data/regions.csv, data/plans/*.yaml) with N
synthetic counties nested round-robin in the 31 real provinces, 30 indicators each (by default),
and one plan of 10-20 targets per county. Why: the real data hold a few dozen series; measuring
`forecast run` at 30, 300 and 3,000 regions x 30 indicators (up to ~90,000 series) needs a
workspace of that size whose series look like real ones and whose targets are neither all met
nor all missed.

Everything written is SYNTHETIC and labelled so: region ids `synthetic-county-00001`, names
`合成县00001`, a `note` on every observation ("synthetic: scaled from <province> <indicator>"),
plan titles starting with "[SYNTHETIC]" and a header comment in every plan file. It is never
shipped in data/; write it to a scratch folder.

How: every indicator is driven by a REAL provincial template series of a matching nature, read
from data/observations.csv (shares from rd_intensity or basic_research_share_rd, amounts from
rd_expenditure, gdp or tech_contract_turnover, counts from valid_invention_patents, ratios from
gdp or rd_expenditure; a "down" indicator such as energy_intensity takes a negative power of
its template, so it falls as the template grows). A county's series is its province's template
over 2012-2023 (the national one where the province's has a gap), raised to an indicator's
elasticity, times a county level factor (lognormal), a growth offset exp(g t) with
g ~ N(0, 0.02) and lognormal noise (sd 0.03-0.08 per series). Shares are scaled on the logit
scale so they stay inside 0-100, counts are whole and non-negative, amounts and ratios positive.
Each county's history starts in 2012, 2013 or 2014 and ends in 2023, without gaps.

Targets (base year 2023, years 2024-2026) are of the seed plans' kinds: level (most), growth
(some `each_year`), cagr, cumulative (flows only), change (新增 N for counts, 百分点 for shares);
`<=` for direction-down indicators; some aspirational. Each value is set at a realistic distance
from the series' own trend (the 2023 value extrapolated at its 2018-2023 average growth): a level
is trend x N(1, 0.08), a growth target the trend's growth +- a few points, so that the
probabilities spread over 0-1. Same seed, same bytes (numpy Generator; no Python hash()).

    python benchmarks/make_national.py OUT_DIR --regions 3000 [--indicators 30] [--seed 1]

Stale `synthetic-county-*.yaml` plans in OUT_DIR/data/plans are removed first.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
YEARS = np.arange(2012, 2024)  # template years: every province has them (or the nation stands in)
LAST = int(YEARS[-1])  # 2023, the base year of every target
RECENT = 5  # years over which a series' own recent average growth is measured
NATION = "全国"


@dataclass(frozen=True)
class Spec:
    """How one synthetic indicator is made from a real provincial template."""

    template: str  # real indicator in data/observations.csv whose provincial series is the shape
    typical: float  # median county value in 2023, in the catalogue unit
    elasticity: float  # shape = template ** elasticity (negative: falls as the template grows)
    floor: float = 0.0  # lower bound the value approaches (1 for a ratio of two incomes)
    spread: float = 0.5  # sd of the county level factor (log, or logit for shares)
    tilt: float | None = None  # weight of the province's own level (default by kind)


# The first 30 are the default; --indicators takes the first N (the 11 the issue names first).
SPECS: dict[str, Spec] = {
    "rd_intensity": Spec("rd_intensity", 1.6, 1.0, spread=0.4),
    "rd_expenditure": Spec("rd_expenditure", 6.0, 1.0),
    "gdp": Spec("gdp", 350.0, 1.0),
    "tech_contract_turnover": Spec("tech_contract_turnover", 5.0, 1.0),
    "valid_invention_patents": Spec("valid_invention_patents", 600.0, 1.0),
    "basic_research_share_rd": Spec("basic_research_share_rd", 4.0, 1.0, spread=0.4),
    "hitech_enterprises": Spec("valid_invention_patents", 90.0, 0.9),
    "tech_smes": Spec("valid_invention_patents", 150.0, 1.0),
    "invention_patents_per_10k": Spec("rd_expenditure", 6.0, 1.2),
    "hitech_industry_va_share_gdp": Spec("rd_intensity", 22.0, 0.8, spread=0.4),
    "energy_intensity": Spec("gdp", 0.5, -0.5, spread=0.4),
    "enterprise_rd_personnel_share": Spec("rd_intensity", 6.0, 1.0, spread=0.4),
    "enterprises_with_rd_share": Spec("basic_research_share_rd", 30.0, 1.2, spread=0.4),
    "sci_tech_fiscal_share": Spec("basic_research_share_rd", 3.0, 0.8, spread=0.4),
    "hitech_enterprise_share_above_scale": Spec("rd_intensity", 25.0, 1.5, spread=0.4),
    "tech_contract_turnover_share_gdp": Spec("rd_intensity", 1.5, 1.5, spread=0.4),
    "air_quality_good_rate": Spec("basic_research_share_rd", 85.0, 0.5, spread=0.3, tilt=0.1),
    "hitech_zone_revenue": Spec("gdp", 250.0, 1.3),
    "hitech_industry_va": Spec("gdp", 70.0, 1.2),
    "fiscal_sci_tech_expenditure": Spec("rd_expenditure", 1.5, 0.8),
    "innovation_platforms": Spec("valid_invention_patents", 50.0, 0.5),
    "incubation_carriers": Spec("valid_invention_patents", 12.0, 0.5),
    "incubated_firms": Spec("valid_invention_patents", 120.0, 0.6),
    "high_level_talent_teams": Spec("valid_invention_patents", 15.0, 0.6),
    "little_giant_enterprises": Spec("valid_invention_patents", 12.0, 0.8),
    "new_type_rd_institutions": Spec("valid_invention_patents", 10.0, 0.6),
    "high_value_invention_patents_per_10k": Spec("rd_expenditure", 2.5, 1.3),
    "gdp_per_capita": Spec("gdp", 6.0, 0.9),
    "disposable_income_per_capita": Spec("gdp", 3.0, 0.8),
    "urban_rural_income_ratio": Spec("gdp", 2.2, -0.3, floor=1.0, spread=0.25, tilt=0.1),
    # beyond the default 30
    "hitech_industry_va_share_industry": Spec("rd_intensity", 35.0, 0.8, spread=0.4),
    "hitech_enterprise_revenue_share": Spec("rd_intensity", 40.0, 1.0, spread=0.4),
    "enterprises_with_rd_institution_share": Spec("basic_research_share_rd", 12.0, 1.0,
                                                  spread=0.4),
    "academician_expert_workstations": Spec("valid_invention_patents", 5.0, 0.5),
    "tech_incubators": Spec("valid_invention_patents", 6.0, 0.5),
    "maker_spaces": Spec("valid_invention_patents", 8.0, 0.6),
}

HEADER = """\
# SYNTHETIC PLAN - NOT A REAL DOCUMENT.
# Generated by benchmarks/make_national.py (seed {seed}) to measure the speed and memory of
# `forecast run` at national scale. The county, its data and these targets are invented: each
# series is a real provincial series rescaled with noise, and each target value is the series'
# own 2018-2023 trend extrapolated to the target year times a random factor (levels ~N(1, 0.08),
# growth rates +- a few points), so that the probabilities spread over 0-1.
# Never copy this file into a real workspace's data/plans/.
"""


def load_templates(provinces: list[str]) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Per template indicator: (province, year) array of real values over YEARS and, per province,
    the region the row came from (the province, or the nation where its series has a gap)."""
    obs = pd.read_csv(ROOT / "data" / "observations.csv", usecols=["region", "indicator",
                                                                   "year", "value"])
    obs = obs[obs["year"].isin(YEARS)]
    arrays, sources = {}, {}
    for name in sorted({s.template for s in SPECS.values()}):
        wide = obs[obs["indicator"] == name].pivot(index="region", columns="year", values="value")
        wide = wide.reindex(index=[*provinces, NATION], columns=YEARS).to_numpy(float)
        nation = wide[-1]
        if not (np.isfinite(nation).all() and (nation > 0).all()):
            raise SystemExit(f"the national {name} series lacks a year of {YEARS[0]}-{LAST}")
        usable = np.isfinite(wide[:-1]).all(axis=1) & (wide[:-1] > 0).all(axis=1)
        arrays[name] = np.where(usable[:, None], wide[:-1], nation)
        sources[name] = [p if ok else NATION for p, ok in zip(provinces, usable, strict=True)]
    return arrays, sources


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def county_values(kind: str, spec: Spec, template: np.ndarray, home: np.ndarray,
                  rng: np.random.Generator) -> np.ndarray:
    """(counties, years) synthetic values: the home province's template shape, rescaled."""
    n, t = len(home), (YEARS - LAST)[None, :].astype(float)
    if kind == "share":  # everything on the logit scale: the result stays inside 0-100
        z = logit(template / 100)
        rel = z[:, -1] - np.median(z[:, -1])  # how far the province sits above the median
        tilt = 0.5 if spec.tilt is None else spec.tilt
        base = logit(np.array(spec.typical / 100)) + tilt * rel[:, None]
        shape = spec.elasticity * (z - z[:, -1:])
    else:
        rel = np.log(template[:, -1] / np.median(template[:, -1]))
        tilt = spec.tilt if spec.tilt is not None else 0.5 if kind in ("amount", "count") else 0.3
        base = math.log(spec.typical - spec.floor) + tilt * np.sign(spec.elasticity) * rel[:, None]
        shape = spec.elasticity * np.log(template / template[:, -1:])
    level = rng.normal(0, spec.spread, (n, 1))
    growth = rng.normal(0, 0.02, (n, 1)) * t
    noise = rng.normal(0, 1, (n, len(YEARS))) * rng.uniform(0.03, 0.08, (n, 1))
    z = base[home] + shape[home] + level + growth + noise
    if kind == "share":
        return np.clip(100 / (1 + np.exp(-z)), 0.01, 99.9)
    values = spec.floor + np.exp(z)
    return np.maximum(np.round(values), 0) if kind == "count" else values


def sig(x: float, digits: int = 3) -> float:
    """x rounded to `digits` significant figures, as a plan would state it."""
    if x == 0 or not math.isfinite(x):
        return 0.0
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def fmt(x: float) -> str:
    """A number as a plan writes it: no trailing .0, no exponent."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


class PlanWriter:
    """Turns a county's series into one plan file of 10-20 targets near its own trend."""

    def __init__(self, indicators: list[str], catalogue: dict[str, dict], seed: int) -> None:
        self.indicators = indicators
        self.catalogue = catalogue
        self.kind = [catalogue[i]["kind"] for i in indicators]
        self.flow = [bool(catalogue[i]["flow"]) for i in indicators]
        self.down = [catalogue[i]["direction"] == "down" for i in indicators]
        self.header = HEADER.format(seed=seed)
        self.seed = seed

    def write(self, county: str, number: str, last: np.ndarray, trend: np.ndarray,
              rng: np.random.Generator, path: Path) -> int:
        """Plan of one county; ``last`` (indicators,) 2023 values, ``trend`` (indicators, 4) the
        trend for 2023..2026. Returns the number of targets."""
        n_ind = len(self.indicators)
        n = int(rng.integers(10, 21))
        chosen = np.sort(rng.choice(n_ind, size=n, replace=n > n_ind))
        u_kind, u_year, u_asp, u_each, u_exceed = rng.random((5, n))
        z = rng.standard_normal(n)
        lines = [
            self.header + "plan:",
            f"  id: {county}-2025",
            f"  title: {q(f'[SYNTHETIC] 合成县{number}科技创新发展目标(2024-2026年)')}",
            f"  region: {county}",
            "  period: [2024, 2026]",
            f"  base_year: {LAST}",
            f"  source: {q(f'benchmarks/make_national.py --seed {self.seed} (SYNTHETIC)')}",
            f"  note: {q('SYNTHETIC benchmark plan; region, data and targets are invented.')}",
            "targets:",
        ]
        for k in range(n):
            lines += self._target(k, int(chosen[k]), last, trend, float(u_kind[k]),
                                  float(u_year[k]), bool(u_asp[k] < 0.15),
                                  bool(u_each[k] < 0.3), bool(u_exceed[k] < 0.08), float(z[k]))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return n

    def _target(self, k: int, i: int, last: np.ndarray, trend: np.ndarray, u_kind: float,
                u_year: float, aspirational: bool, each: bool, exceed: bool,
                z: float) -> list[str]:
        ind, kind_of, down = self.indicators[i], self.kind[i], self.down[i]
        entry = self.catalogue[ind]
        name, unit = entry["name_zh"], entry["unit"]
        x0, path = float(last[i]), trend[i]
        can_change = kind_of in ("count", "share")
        # no growth targets on a count too small for a growth rate to mean anything
        can_grow = x0 > 0 and (kind_of != "count" or x0 >= 10)
        if u_kind < 0.55:
            kind = "level"
        elif u_kind < 0.67:
            kind = "growth" if can_grow else "level"
        elif u_kind < 0.79:
            kind = "cagr" if can_grow else "level"
        elif u_kind < 0.89:
            kind = "cumulative" if self.flow[i] else "change" if can_change else "level"
        else:
            kind = "change" if can_change else "cumulative" if self.flow[i] else "level"
        good = -1.0 if down else 1.0  # the direction in which a target is more ambitious
        op = "<=" if down else ">="
        wording = None
        each_year = False
        if kind == "level":
            year = 2024 if u_year < 0.25 else 2025 if u_year < 0.8 else 2026
            value = path[year - LAST] * (1 + 0.08 * z + good * 0.04 * aspirational)
            if kind_of == "share":
                value = min(max(value, 0.05), 99.5)
            value = max(round(value), 1) if kind_of == "count" else sig(value)
            if entry.get("bounds") and entry["bounds"][0] is not None:
                value = max(value, float(entry["bounds"][0]) + 0.01)
            if exceed and not down:
                op, wording = ">", "exceed"
                clause = f"{name}突破{fmt(value)}{unit}"
            elif down:
                clause = f"{name}降到{fmt(value)}{unit}"
            else:
                clause = f"{name}达到{fmt(value)}{unit}"
        elif kind in ("growth", "cagr"):
            rate = 100 * (path[1] / path[0] - 1)  # the trend's own annual growth
            if kind == "growth" and each:
                year, each_year = (2025 if u_year < 0.6 else 2026), True
            elif kind == "growth":
                year = 2024 if u_year < 0.5 else 2025
            else:
                year = 2025 if u_year < 0.6 else 2026
            spread = 2.5 if kind == "growth" else 1.5
            value = round(rate + spread * z + good * 1.0 * aspirational, 1)
            unit = "%"
            pct = fmt(abs(value))
            avg = "年均" if kind == "cagr" else "每年" if each_year else ""
            if down:
                clause = (f"{name}{avg}下降{pct}%" if value < 0 else
                          f"{name}{avg}增幅不超过{pct}%")
            else:
                clause = (f"{name}{avg}增长{pct}%" if value >= 0 else
                          f"{name}{avg}降幅控制在{pct}%以内")
        elif kind == "cumulative":
            year = 2025 if u_year < 0.6 else 2026
            total = float(path[1:year - LAST + 1].sum())
            value = sig(total * (1 + 0.05 * z + 0.03 * aspirational), 4)
            clause = f"{LAST + 1}-{year}年累计{name}达到{fmt(value)}{unit}"
        else:  # change
            year = 2025 if u_year < 0.7 else 2026
            delta = path[year - LAST] - x0
            target = delta + 0.3 * abs(delta) * z + 0.1 * abs(delta) * aspirational
            if kind_of == "count":
                value = max(round(target), 1)
                clause = f"新增{name}{fmt(value)}{unit}"
            else:
                value = max(round(target, 2), 0.01)
                clause = f"{name}提高{fmt(value)}个百分点"
        prefix = "力争" if aspirational else ""
        out = [
            f"  - id: t{k + 1:02d}-{ind.replace('_', '-')}-{kind}",
            f"    indicator: {ind}",
            f"    kind: {kind}",
            f"    op: {q(op)}",
            f"    value: {fmt(value)}",
            f"    unit: {q(unit)}",
            f"    year: {year}",
            f"    base_year: {LAST}",
        ]
        if each_year:
            out.append("    each_year: true")
        if aspirational:
            out.append("    aspirational: true")
        if wording:
            out.append(f"    wording: {wording}")
        out.append(f"    text: {q(f'合成指标:{prefix}{clause}')}")
        return out


def trend_paths(kind: str, values: np.ndarray) -> np.ndarray:
    """(counties, 4): the 2023 value and its extrapolation to 2024-2026 at the series' own
    average growth over the last RECENT years (on the logit scale for shares)."""
    h = np.arange(4)[None, :]
    if kind == "share":
        z = logit(np.clip(values, 0.01, 99.9) / 100)
        slope = (z[:, -1] - z[:, -1 - RECENT]) / RECENT
        return 100 / (1 + np.exp(-(z[:, -1:] + slope[:, None] * h)))
    v = np.maximum(values, 0.5)  # a count at 0 grows from 1/2, not from nothing
    rate = np.log(v[:, -1] / v[:, -1 - RECENT]) / RECENT
    return values[:, -1:] * np.exp(rate[:, None] * h)


@contextmanager
def temporary_workspace(regions: int) -> Iterator[Path]:
    """A SYNTHETIC national workspace of ``regions`` counties (30 indicators, seed 1) in a
    temporary folder, removed afterwards: what a benchmark measures on."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, __file__, tmp, "--regions", str(regions)], check=True,
                       capture_output=True)
        yield Path(tmp)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="workspace folder to write (data/ inside it)")
    ap.add_argument("--regions", type=int, default=300, help="number of synthetic counties")
    ap.add_argument("--indicators", type=int, default=30,
                    help=f"indicators per county (1-{len(SPECS)})")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not 1 <= args.indicators <= len(SPECS):
        ap.error(f"--indicators must be between 1 and {len(SPECS)}")
    if args.regions < 1:
        ap.error("--regions must be at least 1")
    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)

    real_regions = pd.read_csv(ROOT / "data" / "regions.csv")
    prov = real_regions[real_regions["level"] == "province"].sort_values("region")
    provinces = prov["region"].tolist()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    catalogue = {e["id"]: e for e in yaml.load(
        (ROOT / "forecast" / "data" / "indicators.yaml").read_text(encoding="utf-8"),
        Loader=loader)}
    indicators = list(SPECS)[:args.indicators]
    for ind in indicators:
        if catalogue[ind]["kind"] not in ("share", "amount", "count", "ratio"):
            raise SystemExit(f"{ind} is not a numeric indicator")
    templates, sources = load_templates(provinces)

    n = args.regions
    counties = np.array([f"synthetic-county-{i:05d}" for i in range(1, n + 1)])
    home = np.arange(n) % len(provinces)  # round-robin over the 31 provinces
    start = rng.integers(0, 3, n)  # first observed year: 2012, 2013 or 2014

    order = sorted(indicators)  # observations.csv is sorted by region, indicator, year
    cube = np.empty((len(order), n, len(YEARS)))
    notes = np.empty((len(order), len(provinces)), dtype=object)
    for ind in indicators:  # drawn in SPECS order, so --indicators N keeps the first draws
        spec = SPECS[ind]
        j = order.index(ind)
        cube[j] = county_values(catalogue[ind]["kind"], spec, templates[spec.template], home,
                                rng)
        notes[j] = [f"synthetic: scaled from {s} {spec.template}" for s in sources[spec.template]]
    decimals = [0 if catalogue[i]["kind"] == "count" else 4 for i in order]
    cube = np.stack([np.round(c, d) for c, d in zip(cube, decimals, strict=True)])

    # rows in (county, indicator, year) order: already sorted, no gaps after a county's start
    observed = np.broadcast_to(np.arange(len(YEARS))[None, None, :] >= start[None, :, None],
                               cube.shape).transpose(1, 0, 2)
    c_idx, i_idx, y_idx = np.nonzero(observed)
    note_names, note_of = np.unique(notes.ravel().astype(str), return_inverse=True)
    note_codes = note_of[i_idx * len(provinces) + home[c_idx]]
    obs = pd.DataFrame({  # categoricals: a million rows of a few thousand distinct strings
        "region": pd.Categorical.from_codes(c_idx, counties),
        "indicator": pd.Categorical.from_codes(i_idx, order),
        "year": YEARS[y_idx],
        "value": cube.transpose(1, 0, 2)[c_idx, i_idx, y_idx],
        "source": "SYNTHETIC",
        "note": pd.Categorical.from_codes(note_codes, note_names),
    })
    data = args.out / "data"
    plans_dir = data / "plans"
    plans_dir.mkdir(parents=True, exist_ok=True)
    for stale in plans_dir.glob("synthetic-county-*.yaml"):
        stale.unlink()
    obs.to_csv(data / "observations.csv", index=False, float_format="%.10g")

    regions = pd.DataFrame({
        "region": [NATION, *provinces, *counties],
        "name_zh": [NATION, *prov["name_zh"], *(f"合成县{c[-5:]}" for c in counties)],
        "name_en": ["China (national)", *prov["name_en"],
                    *(f"Synthetic county {c[-5:]}" for c in counties)],
        "level": ["nation", *["province"] * len(provinces), *["county"] * n],
        "parent": ["", *[NATION] * len(provinces), *np.array(provinces)[home]],
    })
    regions.to_csv(data / "regions.csv", index=False)

    # targets, from each series' own trend, in plan (SPECS) order of indicators
    pos = [order.index(i) for i in indicators]
    last = cube[pos, :, -1].T  # (counties, indicators)
    trend = np.stack([trend_paths(catalogue[ind]["kind"], cube[j])
                      for ind, j in zip(indicators, pos, strict=True)], axis=1)
    writer = PlanWriter(indicators, catalogue, args.seed)
    n_targets = 0
    for c in range(n):
        county = str(counties[c])
        n_targets += writer.write(county, county[-5:], last[c], trend[c], rng,
                                  plans_dir / f"{county}.yaml")
    secs = time.perf_counter() - t0
    print(f"SYNTHETIC workspace {args.out}: {len(regions)} regions ({n} counties), "
          f"{n * len(indicators)} series, {len(obs)} observations, {n_targets} targets "
          f"in {n} plans, {secs:.1f} s")


if __name__ == "__main__":
    main()
