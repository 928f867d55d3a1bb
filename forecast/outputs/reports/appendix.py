"""The report's appendices: the methodology, the calibration evidence (reliability of the
bundled backtests) and the diagnostics of the run's fits and series."""

from __future__ import annotations

from forecast.outputs.reports.context import Context
from forecast.outputs.reports.i18n import CALIBRATION_TEXT, METHODOLOGY, note
from forecast.outputs.reports.model import (
    Cell,
    Figures,
    Paragraph,
    ReliabilityChart,
    Section,
    Table,
)
from forecast.outputs.reports.source import calibration_evidence


def methodology(ctx: Context) -> Section:
    """The methodology in words."""
    return Section("methodology", ctx.t("methodology"), 1,
                   tuple(Paragraph(p) for p in METHODOLOGY[ctx.lang]))


def calibration(ctx: Context) -> Section:
    """The calibration evidence: reliability of the bundled backtests, with Brier scores and
    interval coverage."""
    t = ctx.t
    evidence = calibration_evidence()
    tests = evidence.get("backtests", [])
    if not tests:
        return Section("calibration", t("calibration"), 1, ())
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
    return Section("calibration", t("calibration"), 1, (
        *(Paragraph(p) for p in CALIBRATION_TEXT[ctx.lang]),
        Paragraph(t("evidence_model")), Figures((chart,)), table))


def diagnostics(ctx: Context, plan_ids: set[str] | None) -> Section:
    """What auto chose and why, the pooled fits' convergence, the pairs of dependent indicators
    and (for plan reports) each series' data."""
    t = ctx.t
    d = ctx.run.diagnostics
    blocks: list = []
    if d.get("models"):
        blocks.append(Table((t("indicator"), t("model_choice"), t("why")), tuple(
            (Cell(ctx.name(ind)), Cell(m["model"]), Cell(m["reason"]))
            for ind, m in d["models"].items()), name="models"))
    if d.get("fits"):
        blocks.append(Table((t("fit_table"), t("r_hat"), t("ess"), t("divergences")), tuple(
            (Cell(ind), Cell(f"{f['r_hat_max']:.3f}"), Cell(f"{f['ess_bulk_min']:.0f}"),
             Cell(str(f["divergences"]))) for ind, f in d["fits"].items()),
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
                (Cell(f"{k.split('|')[0]} · {ctx.name(k.split('|')[1])}"),
                 Cell(str(v["points"])), Cell(f"{v['first_year']}–{v['last_year']}"),
                 Cell(v["model"]), Cell(note("; ".join(v["notes"]), ctx.lang)))
                for k, v in series), frozenset({1}), "series"))
    return Section("diagnostics", t("diagnostics"), 1, tuple(blocks))
