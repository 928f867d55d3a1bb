"""The report's appendices: the calibration evidence (the run's models on the workspace's own
data, then the reliability of the bundled backtests, with what its curve says), the
diagnostics of the run's fits and series (every value out of bounds flagged, with what it
means) and the run's details (settings, seed, paths, versions). The methodology is
``method``'s."""

from __future__ import annotations

from forecast.models.convergence import convergence_problems
from forecast.outputs.reports.context import Context
from forecast.outputs.reports.i18n import CALIBRATION_TEXT
from forecast.outputs.reports.method import model_name, model_word, series_models
from forecast.outputs.reports.model import (
    Cell,
    Figures,
    Paragraph,
    ReliabilityChart,
    Section,
    Table,
)
from forecast.outputs.reports.own_check import own_data_section
from forecast.outputs.reports.source import calibration_evidence


def calibration(ctx: Context) -> Section:
    """The calibration appendix: what backtests show, then the run's models on the
    workspace's own past years (``own_check``), then the bundled corpus's backtests."""
    t = ctx.t
    return Section("calibration", t("calibration"), 1,
                   tuple(Paragraph(p) for p in CALIBRATION_TEXT[ctx.lang]),
                   (own_data_section(ctx), corpus_section(ctx)))


def corpus_section(ctx: Context) -> Section:
    """The calibration evidence of the bundled corpus: reliability of its backtests, with
    Brier scores and interval coverage."""
    t = ctx.t
    evidence = calibration_evidence()
    tests = evidence.get("backtests", [])
    if not tests:
        return Section("corpus-check", t("corpus_check"), 2, ())
    label = lambda b: b.get("label_zh", b["label"]) if ctx.zh else b["label"]  # noqa: E731
    chart = ReliabilityChart("reliability", t("reliability_chart"), tuple(
        (label(b), tuple((float(d["forecast"]), float(d["observed"]), int(d["count"]))
                           for d in b["reliability_diagram"] if d["count"] > 0))
        for b in tests))
    rows = tuple((Cell(label(b)), Cell(f"{b['events']:,}"), Cell(f"{b['brier']:.3f}"),
                  Cell(f"{b['coverage_80']['rate']:.2f}"),
                  Cell(f"{b['coverage_95']['rate']:.2f}"),
                  Cell(f"{b['coverage_80']['held_out_values']:,}")) for b in tests)
    table = Table((t("backtest"), t("events"), t("brier"), t("coverage_80"),
                   t("coverage_95"), t("held_out")), rows, frozenset({1, 2, 3, 4, 5}),
                  "calibration")
    return Section("corpus-check", t("corpus_check"), 2, (
        Paragraph(evidence_scope(ctx, evidence.get("model", ""))), Figures((chart,)), table,
        *(Paragraph(reading(ctx, label(b), b)) for b in tests)))


def evidence_scope(ctx: Context, model: str) -> str:
    """Which model the evidence scores, and which of the run's series it does not cover."""
    t = ctx.t
    other = {m: n for m, n in series_models(ctx).items() if m not in (model, "observed")}
    text = t("evidence_of", model=model_word(model, ctx.lang))
    if other:
        sep = "、" if ctx.zh else ", "
        text += t("evidence_not_of", n=sum(other.values()),
                  models=sep.join(model_word(m, ctx.lang) for m in other))
    return text


def fit_title(ctx: Context, fit: str) -> str:
    """A pooled fit's indicator by name; a count fit ("tech_smes~counts") says so."""
    indicator, _, counts = fit.partition("~")
    return ctx.name(indicator) + (ctx.t("count_fit") if counts else "")


FLAG = 2  # the tone (colour) of a diagnostic out of bounds
GAP = 0.03  # a mean distance from the diagonal below this is read as lying on it


def reading(ctx: Context, label: str, backtest: dict) -> str:
    """What one backtest's reliability curve and coverage say, in words: above the diagonal
    (targets met more often than stated: cautious), below it (less often: optimistic), or
    on it; and whether the 80% range held fewer actual values than its 95% band allows."""
    t = ctx.t
    points = [d for d in backtest["reliability_diagram"] if d["count"] > 0]
    weight = sum(d["count"] for d in points)
    gap = sum((d["observed"] - d["forecast"]) * d["count"] for d in points) / weight
    key = "curve_on" if abs(gap) < GAP else ("curve_above" if gap > 0 else "curve_below")
    text = t(key, label=label, gap=f"{abs(gap):.2f}")
    cover = backtest["coverage_80"]
    low, high = cover["band_95"]
    if not low <= 0.8 <= high:
        text += t("coverage_narrow" if cover["rate"] < 0.8 else "coverage_wide",
                  rate=f"{cover['rate']:.0%}")
    return text


def diagnostics(ctx: Context, plan_ids: set[str] | None) -> Section:
    """What auto chose and why, the pooled fits' convergence, the pairs of dependent indicators
    and (for plan reports) each series' data."""
    t = ctx.t
    d = ctx.run.diagnostics
    blocks: list = []
    if d.get("models"):
        blocks.append(Table((t("indicator"), t("model_choice"), t("why")), tuple(
            (Cell(ctx.name(ind)), Cell(model_name(m["model"], ctx.lang)),
             Cell(ctx.note(m["reason"])))
            for ind, m in d["models"].items()), name="models"))
    if d.get("fits"):
        flagged = {ind: convergence_problems(f) for ind, f in d["fits"].items()}
        blocks.append(Paragraph(t("fits_flagged", n=sum(map(bool, flagged.values())),
                                  total=len(flagged)) if any(flagged.values()) else
                                t("fits_fine", total=len(flagged))))
        blocks.append(Table((t("fit_table"), t("r_hat"), t("ess"), t("divergences"),
                             t("verdict")), tuple(
            (Cell(fit_title(ctx, ind)),
             Cell(f"{f['r_hat_max']:.3f}", FLAG if "r_hat" in flagged[ind] else None),
             Cell(f"{f['ess_bulk_min']:.0f}", FLAG if "ess" in flagged[ind] else None),
             Cell(str(f["divergences"]), FLAG if "divergences" in flagged[ind] else None),
             Cell(("；" if ctx.zh else "; ").join(t(f"flag_{k}") for k in flagged[ind])
                  or t("fit_ok"))) for ind, f in d["fits"].items()),
            frozenset({1, 2, 3}), "fits"))
    else:
        blocks.append(Paragraph(t("no_fits")))
    dep = {k: v for k, v in d.get("dependence", {}).items() if v.get("pairs")}
    if dep:
        blocks.append(Table((t("pair"), t("correlation"), t("points")), tuple(
            (Cell(" ~ ".join(ctx.name(i) for i in k.split("~"))), Cell(f"{v['rho']:+.2f}"),
             Cell(str(v["pairs"]))) for k, v in dep.items()), frozenset({1, 2}),
            "dependence"))
    if plan_ids is not None:
        keys = {f"{r.region}|{r.indicator}" for r in ctx.base.itertuples(index=False)
                if r.plan_id in plan_ids}
        series = [(k, v) for k, v in ctx.series.items() if k in keys]
        if series:
            blocks.append(Table((t("series"), t("points"), t("years"), t("model"),
                                 t("note")), tuple(
                (Cell(f"{ctx.region(k.split('|')[0])} · {ctx.name(k.split('|')[1])}"),
                 Cell(str(v["points"])), Cell(f"{v['first_year']}–{v['last_year']}"),
                 Cell(model_name(v["model"], ctx.lang)), Cell(ctx.note("; ".join(v["notes"]))))
                for k, v in series), frozenset({1}), "series"))
    return Section("diagnostics", t("diagnostics"), 1, tuple(blocks))


INPUTS_LISTED = 40  # input files listed with their hashes; more are counted


def run_details(ctx: Context) -> Section:
    """What reproduces the run: its id, model, futures, seed, cut-off, workspace, the
    software versions and each input file's SHA-256 (first 12 digits)."""
    t, m = ctx.t, ctx.run.meta
    s = m.get("settings", {})
    workspace = m.get("workspace")
    facts = [(t("run_id"), str(m.get("id", "–"))), (t("model"), str(s.get("model", "–"))),
             (t("futures"), f"{s.get('draws', 0):,}"), (t("seed"), str(s.get("seed", "–"))),
             (t("as_of"), ctx.year(s["as_of"]) if s.get("as_of") else t("all_years")),
             (t("data"), t("bundled") if workspace == "bundled example" else str(workspace)),
             (t("versions"), ", ".join(f"{k} {v}" for k, v in
                                       {"forecast": m.get("version", "–"),
                                        **m.get("versions", {})}.items()))]
    blocks: list = [Table((t("item"), t("detail_value")), tuple(
        (Cell(k), Cell(v)) for k, v in facts), name="run_details")]
    inputs = list(m.get("inputs", {}).items())
    if inputs:
        blocks.append(Table((t("input_file"), t("sha256")), tuple(
            (Cell(name), Cell(digest[:12])) for name, digest in inputs[:INPUTS_LISTED]),
            name="inputs"))
        if len(inputs) > INPUTS_LISTED:
            blocks.append(Paragraph(t("more_inputs", n=len(inputs) - INPUTS_LISTED)))
    return Section("run-details", t("run_details"), 1, tuple(blocks))
