"""Write a run's files: probabilities.csv/.json and summary.md, atomically.

Everything is written into a temporary sibling folder and moved into place at the end, so a
failed run leaves no partial run folder. Numbers are rounded to fixed precision so the same
inputs, settings and seed give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import __version__
from forecast.assess import Assessment, Settings
from forecast.catalogue import Catalogue
from forecast.errors import InputError
from forecast.plans import Plan
from forecast.pooling import POOLED_MODELS
from forecast.scenarios import BASELINE
from forecast.targets import likelihood

ROUND = {
    "probability": 4, "probability_se": 4, "statistic_p10": 6, "statistic_p50": 6,
    "statistic_p90": 6, "required_rate": 3, "historical_rate": 3, "base_value": 6,
    "achievable_value": 6, "achievable_rate": 3, "last_value": 6, "progress_share": 4,
    "time_share": 4, "achieved_rate": 3, "probability_at_base": 4, "confidence": 2,
}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_metadata(settings: Settings, inputs: Iterable[Path], workspace: Path,
                 bundled: bool) -> dict:
    """What a reader needs to reproduce the run: inputs' hashes, settings, versions."""
    import scipy
    import statsmodels

    return {
        "tool": "forecast",
        "version": __version__,
        "workspace": "bundled example" if bundled else str(workspace),
        "inputs": {p.relative_to(workspace).as_posix(): file_hash(p) for p in sorted(inputs)},
        "settings": {"model": settings.model, "draws": settings.draws, "seed": settings.seed,
                     **({"pooled": settings.pooled.describe()}
                        if settings.model in POOLED_MODELS else {}),
                     "as_of": settings.as_of},
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__, "scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__, **_pooled_versions(settings)},
    }


def _pooled_versions(settings: Settings) -> dict:
    if settings.model not in POOLED_MODELS:
        return {}
    from importlib.metadata import version

    return {name: version(name) for name in ("pymc", "pytensor", "nutpie", "arviz")}


def tidy_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows rounded to the published precision."""
    out = rows.copy()
    for col, digits in ROUND.items():
        if col in out:
            out[col] = out[col].astype(float).round(digits)
    return out


def _json_value(x: object) -> object:
    if x is None or x is pd.NA:
        return None
    if isinstance(x, float | np.floating):
        return None if math.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


RUN_SPECIFIC = ("cached", "seconds")  # differ between identical runs: terminal only


def diagnostics(assessment: Assessment) -> dict:
    """Per series, data quality, data needed; with the pooled model, the model of each
    indicator and why, and each pooled fit's convergence (r_hat_max, ess_bulk_min,
    divergences)."""
    out = {
        "series": assessment.series,
        "data_quality": assessment.quality.to_dict(orient="records"),
        "data_needed": assessment.data_needed.to_dict(orient="records"),
    }
    if assessment.dependence:
        out["dependence"] = assessment.dependence
    if assessment.models:
        out["models"] = assessment.models
        out["fits"] = {ind: {k: v for k, v in diag.items() if k not in RUN_SPECIFIC}
                       for ind, diag in assessment.fits.items()}
    return out


def _fmt(x: float | None) -> str:
    """A number as a planner reads it: 1,920 / 38.3 / 2.95 / 0.5195."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.4g}"


LARGE_RUN_PLANS = 20  # above this many plans summary.md is a national overview


def plan_meta(plans: list[Plan]) -> list[dict]:
    """What the outputs need to know of each plan (kept in probabilities.json)."""
    return [{"id": p.id, "title": p.title, "region": p.region} for p in plans]


def _header(meta: dict, zh: bool) -> list[str]:
    s = meta["settings"]
    return [
        "# 目标实现概率" if zh else "# Probability that each target is met", "",
        f"{'模型' if zh else 'Model'}: `{s['model']}`, {s['draws']} "
        f"{'条模拟路径' if zh else 'simulated futures'}, seed {s['seed']}"
        + (f", as of {s['as_of']}" if s["as_of"] else "")
        + f". {'数据' if zh else 'Data'}: "
        + ("内置示例" if zh and meta["workspace"] == "bundled example" else meta["workspace"])
        + ".", "",
    ]


def plan_tables(rows: pd.DataFrame, plans: list[dict], lang: str = "en",
                catalogue: Catalogue | None = None,
                suggestions: pd.DataFrame | None = None) -> list[str]:
    """A table per plan: probability, likelihood, median and 80% range of the quantity, and
    the value that would be met with 80% probability; then, with scenarios, how each changes
    the probability."""
    zh = lang == "zh"
    head = ("| 目标 | 概率 | 可能性 | 中位数 [80%区间] | 80%把握可达值 | 说明 |" if zh
            else "| target | probability | likelihood | median [80% range] | "
            "achievable at 80% | note |")
    achievable = {}
    if suggestions is not None and len(suggestions):
        at80 = suggestions[(suggestions["scenario"] == BASELINE)
                           & (suggestions["confidence"].round(2) == 0.8)]
        achievable = {(r.plan_id, r.target_id): r.achievable_value
                      for r in at80.itertuples(index=False)}
    base = rows[rows["scenario"] == BASELINE]
    lines: list[str] = []
    for plan in plans:
        sub = base[base["plan_id"] == plan["id"]]
        n_ok = int(sub["assessable"].sum())
        lines += [f"## {plan['title']}", "",
                  f"`{plan['id']}`, {plan['region']}: {len(sub)} "
                  + (f"项目标,{n_ok} 项可评估" if zh else f"targets, {n_ok} assessed"), "",
                  head, "|---|---:|---|---|---:|---|"]
        for r in sub.itertuples(index=False):
            label = f"`{r.target_id}` {_clause(r, catalogue, lang)}"
            if r.assessable:
                lik = likelihood(r.probability, lang)
                rng = (f"{_fmt(r.statistic_p50)} [{_fmt(r.statistic_p10)}, "
                       f"{_fmt(r.statistic_p90)}]")
                at = _fmt(achievable.get((r.plan_id, r.target_id)))
                lines.append(f"| {label} | {r.probability:.2f} | {lik} | {rng} | {at} | "
                             f"{r.note} |")
            else:
                lines.append(f"| {label} | – | – | – | – | {r.note} |")
        lines.append("")
        lines += scenario_table(rows[rows["plan_id"] == plan["id"]], zh)
    return lines


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


def scenario_table(rows: pd.DataFrame, zh: bool) -> list[str]:
    """Probability of each assessed target per scenario, and its change from the baseline."""
    wide = scenario_probabilities(rows)
    if wide.shape[1] < 2:  # no assessable target, or no scenario
        return []
    scenarios = list(wide.columns[1:])
    lines = ["### 情景比较" if zh else "### Scenarios", "",
             ("每个情景下的概率(括号内为相对基准情景的变化)。" if zh else
              "Probability under each scenario (in brackets: the change from the baseline)."),
             "", "| " + " | ".join([("目标" if zh else "target"), BASELINE, *scenarios]) + " |",
             "|---|" + "---:|" * (1 + len(scenarios))]
    for target_id, r in wide.iterrows():
        base = r[BASELINE]
        cells = [f"{r[s]:.2f} ({round(r[s] - base, 2) + 0.0:+.2f})" for s in scenarios]
        lines.append(f"| `{target_id}` | {base:.2f} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def data_needed_table(needed: pd.DataFrame, zh: bool) -> list[str]:
    if not len(needed):
        return []
    lines = ["## 需补充的数据" if zh else "## Data that would let more targets be assessed",
             "", "| region | indicator | unit | status | targets | years needed |",
             "|---|---|---|---|---:|---|"]
    for r in needed.itertuples(index=False):
        lines.append(f"| {r.region} | {r.indicator} ({r.name_zh}) | {r.unit} | {r.status} | "
                     f"{r.targets} | {r.years_needed} |")
    return [*lines, ""]


def summary_markdown(rows: pd.DataFrame, plans: list[dict], assessment: Assessment,
                     meta: dict, lang: str = "en", catalogue: Catalogue | None = None) -> str:
    """Per plan tables for a few plans; for many, the national overview."""
    zh = lang == "zh"
    lines = _header(meta, zh)
    if meta.get("scenarios"):
        lines += ["情景:" if zh else "Scenarios besides the baseline:", ""]
        lines += [f"- `{sc['id']}` {sc['title']}: {sc['description']}".rstrip(": ")
                  for sc in meta["scenarios"]]
        lines.append("")
    if len(plans) > LARGE_RUN_PLANS:
        lines += national_overview(rows[rows["scenario"] == BASELINE], assessment,
                                   meta.get("provinces", {}))
    else:
        lines += plan_tables(rows, plans, lang, catalogue, assessment.suggestions)
        lines += data_needed_table(assessment.data_needed, zh)
    return "\n".join(lines)


def distribution_table(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by`` (province, indicator, kind): targets, assessed, mean probability
    and the shares likely (≥ 0.66) and unlikely (< 0.33); NaN where none is assessed."""
    ok = rows[rows["assessable"]]
    grouped = ok.groupby(by)["probability"]
    return pd.DataFrame({"targets": rows.groupby(by).size(),
                         "assessed": ok.groupby(by).size(),
                         "mean": grouped.mean(),
                         "likely": grouped.apply(lambda p: (p >= 0.66).mean()),
                         "unlikely": grouped.apply(lambda p: (p < 0.33).mean())})


def short_data_table(series: dict[str, dict], data_needed: pd.DataFrame) -> pd.DataFrame:
    """Per region: its series with fewer than 5 points (``short``) and with no data
    (``none``), most first."""
    points = pd.DataFrame([(k.split("|")[0], v["points"]) for k, v in series.items()],
                          columns=["region", "points"])
    short = points[points["points"] < 5].groupby("region").size()
    lacking = data_needed.groupby("region").size() if len(data_needed) \
        else pd.Series(dtype=int)
    table = pd.DataFrame({"short": short, "none": lacking}).fillna(0).astype(int)
    return table.sort_values(["short", "none"], ascending=False)


def _distribution(rows: pd.DataFrame, by: str) -> list[str]:
    table = distribution_table(rows, by).fillna(0)
    lines = [f"| {by} | targets | assessed | mean probability | share likely (≥0.66) | "
             "share unlikely (<0.33) |", "|---|---:|---:|---:|---:|---:|"]
    for key, r in table.iterrows():
        lines.append(f"| {key} | {int(r['targets'])} | {int(r['assessed'])} | "
                     f"{r['mean']:.2f} | {r['likely']:.2f} | {r['unlikely']:.2f} |")
    return [*lines, ""]


def national_overview(rows: pd.DataFrame, assessment: Assessment,
                      provinces: dict[str, str], least: int = 25) -> list[str]:
    """For runs over many regions: how probabilities are distributed by province, indicator
    and kind of target; the targets least likely to be met; where data are too short."""
    rows = rows.assign(province=rows["region"].map(lambda r: provinces.get(r, r)))
    ok = rows[rows["assessable"]]
    lines = [f"{len(rows):,} targets in {rows['plan_id'].nunique():,} plans of "
             f"{rows['region'].nunique():,} regions: {len(ok):,} assessed. One plan's full "
             "table: `forecast report RUN --plan ID`.", ""]
    for by in ("province", "indicator", "kind"):
        lines += [f"## By {by}", "", *_distribution(rows, by)]
    worst = ok.sort_values(["probability", "plan_id", "target_id"]).head(least)
    lines += [f"## The {least} targets least likely to be met", "",
              "| plan | target | region | indicator | kind | value | year | probability |",
              "|---|---|---|---|---|---:|---:|---:|"]
    for r in worst.itertuples(index=False):
        lines.append(f"| {r.plan_id} | {r.target_id} | {r.region} | {r.indicator} | {r.kind} | "
                     f"{r.value:g} | {r.year} | {r.probability:.3f} |")
    table = short_data_table(assessment.series, assessment.data_needed)
    lines += ["", "## Regions whose data are too short", "",
              f"{len(table):,} regions have series with fewer than 5 points or no data "
              "(the 25 with most are listed; all are in probabilities.json).", "",
              "| region | short series (< 5 points) | series with no data |", "|---|---:|---:|"]
    for region, r in table.head(25).iterrows():
        lines.append(f"| {region} | {r.iloc[0]} | {r.iloc[1]} |")
    return [*lines, ""]


OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "between": "∈"}
KIND_WORDS = {  # how each kind reads after the indicator's name, in English and Chinese
    "level": ("", ""), "growth": (" growth (%)", "增速(%)"), "cagr": (" average growth (%)",
    "年均增速(%)"), "cumulative": (" cumulative", "累计"), "change": (" increase", "增量"),
    "relative": (" growth minus growth of the other (pp)", "增速差(百分点)"),
}


def _clause(r, catalogue: Catalogue | None, lang: str) -> str:
    """The target in words: indicator name, comparison, value, unit and year."""
    zh = lang == "zh"
    ind = catalogue[r.indicator] if catalogue is not None and r.indicator in catalogue else None
    name = (ind.name_zh if zh else ind.name_en) if ind else r.indicator
    if r.kind == "qualitative":
        return f"{name} ({'定性' if zh else 'qualitative'})"
    op = OP_SYMBOLS.get(r.op, r.op)
    value = f"[{r.value:g}, {r.value_hi:g}]" if r.op == "between" else f"{r.value:g}"
    unit = "" if r.kind in ("growth", "cagr", "relative") or ind is None else ind.unit
    unit = unit if unit in ("", "%") else f" {unit}"
    kind = KIND_WORDS[r.kind][1 if zh else 0]
    if r.each_year:
        when = (f"{r.base_year + 1}–{r.year}年每年" if zh
                else f"every year {r.base_year + 1}–{r.year}")
    elif r.kind in ("cagr", "cumulative"):
        when = f"{r.base_year}–{r.year}年" if zh else f"{r.base_year}–{r.year}"
    else:
        when = f"{r.year}年" if zh else f"in {r.year}"
    star = " (力争)" if r.aspirational else ""
    return f"{name}{kind} {op} {value}{unit}, {when}{star}"


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A temporary sibling of ``out`` to write into; moved into place only on success."""
    prepare_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a run folder is shared like any other
    try:
        yield tmp
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def prepare_out_dir(out: Path) -> None:
    """Refuse an --out folder that already holds files (nothing is overwritten)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("output folder exists and is not empty", file=out,
                         fix="choose a new --out folder or remove this one")


def write_run(out: Path, assessment: Assessment, plans: list[Plan], meta: dict,
              lang: str = "en", catalogue: Catalogue | None = None,
              review: pd.DataFrame | None = None,
              finish: Callable[[Path], object] | None = None) -> Path:
    """Write the run's files into ``out`` atomically and return it: probabilities (csv,
    parquet, json), suggestions.csv, review.csv (when given) and summary.md. ``finish``
    (the reports) runs on the written folder before it is moved into place, so a failure
    there leaves no run folder either."""
    rows = tidy_rows(assessment.rows)
    plans_meta = plan_meta(plans)
    meta = {**meta, "plans": plans_meta}
    with atomic_folder(out) as tmp:
        rows.to_csv(tmp / "probabilities.csv", index=False, lineterminator="\n")
        rows.to_parquet(tmp / "probabilities.parquet", index=False)
        tidy_rows(assessment.suggestions).to_csv(tmp / "suggestions.csv", index=False,
                                                 lineterminator="\n")
        if review is not None:
            tidy_rows(review).to_csv(tmp / "review.csv", index=False, lineterminator="\n")
        payload = {
            "run": meta,
            "rows": [{k: _json_value(v) for k, v in rec.items()}
                     for rec in rows.to_dict(orient="records")],
            "diagnostics": diagnostics(assessment),
        }
        with (tmp / "probabilities.json").open("w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1, default=_json_value)
            fh.write("\n")
        (tmp / "summary.md").write_text(
            summary_markdown(rows, plans_meta, assessment, meta, lang, catalogue),
            encoding="utf-8")
        if finish is not None:
            finish(tmp)
    return out


def write_backtest(out: Path, result, summary: dict) -> Path:
    """metrics.csv and summary.json of a backtest, written atomically into ``out``."""
    with atomic_folder(out) as tmp:
        result.metrics.round(6).to_csv(tmp / "metrics.csv", index=False, lineterminator="\n")
        (tmp / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=1, default=_json_value) + "\n",
            encoding="utf-8")
    return out


def _table(header: list[str], body: list[list[str]], right: set[int]) -> list[str]:
    """A plain-text table with aligned columns (for the terminal)."""
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    fmt = lambda r: "  ".join(  # noqa: E731
        str(c).rjust(w) if i in right else str(c).ljust(w)
        for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
    return [fmt(header), "  ".join("-" * w for w in widths), *map(fmt, body)]


def _rate(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.1f}%"


def suggestions_text(suggestions: pd.DataFrame, rows: pd.DataFrame, plan_id: str) -> str:
    """What each target of a plan could be with 50/80/90% confidence, per scenario: the
    table `forecast suggest` prints. In brackets: the average annual growth from the latest
    observation that the value implies."""
    sub = suggestions[suggestions["plan_id"] == plan_id]
    stated = rows[rows["plan_id"] == plan_id].set_index(["target_id", "scenario"])
    body = []
    for (target_id, scenario), g in sub.groupby(["target_id", "scenario"], sort=False):
        r = stated.loc[(target_id, scenario)]
        op = OP_SYMBOLS.get(r["op"], r["op"])
        cells = [f"{_fmt(v)} ({_rate(g_rate)})" for v, g_rate in
                 zip(g["achievable_value"], g["achievable_rate"], strict=True)]
        pct = "%" if r["kind"] in ("growth", "cagr", "relative") else ""
        when = (f"{r['base_year']}–{r['year']}" if r["kind"] in ("cagr", "cumulative")
                else f"in {r['year']}")
        body.append([target_id, scenario, f"{r['kind']} {op} {_fmt(r['value'])}{pct} {when}",
                     f"{r['probability']:.2f}", *cells])
    if not body:
        return f"no assessable targets in plan {plan_id}"
    header = ["target", "scenario", "stated target", "P(stated)",
              *(f"{int(q * 100)}% confident" for q in sorted(sub["confidence"].unique()))]
    return "\n".join(_table(header, body, {3, 4, 5, 6}))


def review_text(review: pd.DataFrame, plan_id: str) -> str:
    """Where a plan stands: the table `forecast review` prints (one line per target and
    scenario; targets without data are counted, not listed)."""
    sub = review[review["plan_id"] == plan_id]
    known = sub[sub["status"] != "no data"]
    body = []
    for r in known.itertuples(index=False):
        base = f"{_fmt(r.base_value)} ({r.base_year})"
        last = f"{_fmt(r.last_value)} ({r.last_year})"
        share = (f"{r.progress_share + 0:.0%} / {r.time_share:.0%}"
                 if not math.isnan(r.progress_share) else f"– / {r.time_share:.0%}")
        body.append([r.target_id, r.scenario, base, last, share, _rate(r.required_rate),
                     _rate(r.achieved_rate), f"{r.probability_at_base:.2f}",
                     f"{r.probability:.2f}", r.status])
    header = ["target", "scenario", "base", "latest", "distance / time", "required",
              "achieved", "P at base", "P now", "status"]
    lines = _table(header, body, {4, 5, 6, 7, 8}) if body else [
        f"no target of plan {plan_id} has data to review"]
    missing = sub[sub["status"] == "no data"]["target_id"].nunique()
    if missing:
        lines.append(f"({missing} more targets have no data: see review.csv and the "
                     "data-needed table of summary.md)")
    return "\n".join(lines)
