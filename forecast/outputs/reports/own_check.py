"""The calibration appendix's first part: how the run's models did on the workspace's own past
years (probabilities.json's ``calibration``, ``evaluation.own_data``). What was checked and
how much it can show; per indicator the Brier score with its skill against a random walk, the
80%/95% coverage with its acceptance band, and the CORP decomposition; the CORP reliability
diagram and the randomised PIT histogram; and in words, which indicators' ranges were too
narrow or too wide."""

from __future__ import annotations

from forecast.outputs.reports.context import Context
from forecast.outputs.reports.method import model_word
from forecast.outputs.reports.model import (
    Cell,
    Figures,
    Paragraph,
    PitChart,
    ReliabilityChart,
    Section,
    Table,
)

FLAG = 2  # the tone (colour) of a figure outside its band, or a skill below the walk's


def own_data_section(ctx: Context) -> Section:
    """The own-data check as a part of the calibration appendix."""
    t = ctx.t
    check = ctx.run.calibration
    if not check:
        return Section("own-data", t("own_check"), 2, (Paragraph(t("check_absent")),))
    if not check.get("checked"):
        return Section("own-data", t("own_check"), 2, (Paragraph(t("check_skipped")),))
    overall = check["overall"]
    if overall["verdict"] == "none":
        return Section("own-data", t("own_check"), 2, (Paragraph(t("check_none", series=check[
            "series"], need=check["min_train"] + 1, train=check["min_train"])),))
    sep = "、" if ctx.zh else ", "
    blocks: list = [Paragraph(t(
        "check_what", model=model_word(check["model"], ctx.lang),
        origins=sep.join(ctx.year(o) for o in overall["origins"]), horizon=check["holdout"],
        checked=check["series_checked"], series=check["series"],
        values=f"{overall['held_out_values']:,}", events=f"{overall['events']:,}"))]
    if overall["verdict"] == "few":
        low, high = overall["coverage_80"]["band_95"]
        blocks.append(Paragraph(t("check_few", n=overall["held_out_values"], low=f"{low:.2f}",
                                  high=f"{high:.2f}")))
    checked = {ind: f for ind, f in check["indicators"].items() if f["verdict"] != "none"}
    blocks.append(_table(ctx, checked, overall))
    blocks.append(Paragraph(t("check_band_note")))
    blocks.append(Figures((
        ReliabilityChart("own-reliability", t("own_reliability"), (
            (t("your_data"), tuple(point for b in overall["reliability_diagram"]
                                   for point in _step(b))),)),
        PitChart("own-pit", t("own_pit"), tuple(overall["pit_histogram"])))))
    blocks += [Paragraph(text) for text in _readings(ctx, checked, overall)]
    return Section("own-data", t("own_check"), 2, tuple(blocks))


def _step(block: dict) -> tuple[tuple[float, float, int], ...]:
    """A CORP block as the two ends of its flat step (the chart joins the steps)."""
    ends = {block["forecast_low"], block["forecast_high"]}
    return tuple((x, block["observed"], block["count"]) for x in sorted(ends))


def _coverage(figures: dict, level: str) -> Cell:
    c = figures[f"coverage_{level}"]
    low, high = c["band_95"]
    return Cell(f"{c['rate']:.2f} ({low:.2f}–{high:.2f})", None if c["inside_band"] else FLAG)


def _row(name: str, f: dict) -> tuple[Cell, ...]:
    skill = f.get("brier_skill")
    return (Cell(name), Cell(f"{f['held_out_values']:,}"), Cell(f"{f['brier']:.3f}"),
            Cell("–" if skill is None else f"{skill:+.2f}",
                 FLAG if skill is not None and skill < 0 else None),
            _coverage(f, "80"), _coverage(f, "95"), Cell(f"{f['miscalibration']:.3f}"),
            Cell(f"{f['discrimination']:.3f}"), Cell(f"{f['uncertainty']:.3f}"))


def _table(ctx: Context, checked: dict[str, dict], overall: dict) -> Table:
    t = ctx.t
    rows = [_row(ctx.name(ind), f) for ind, f in checked.items()]
    if len(checked) > 1:
        rows.append(_row(t("all_indicators"), overall))
    return Table((t("indicator"), t("values"), t("brier"), t("skill_rw"), t("coverage_80"),
                  t("coverage_95"), t("mcb"), t("dsc"), t("unc")), tuple(rows),
                 frozenset(range(1, 9)), "own-data")


def _readings(ctx: Context, checked: dict[str, dict], overall: dict) -> list[str]:
    """Which indicators' 80% ranges held too few or too many actual values, and the skill
    against the random walk over all."""
    t = ctx.t
    out = []
    for ind, f in checked.items():
        c = f["coverage_80"]
        if not c["inside_band"]:
            low, high = c["band_95"]
            out.append(t("check_outside", name=ctx.name(ind), rate=f"{c['rate']:.0%}",
                         low=f"{low:.2f}", high=f"{high:.2f}",
                         width=t("narrow" if c["rate"] < low else "wide")))
    if not out:
        out.append(t("check_all_inside"))
    skill = overall.get("brier_skill")
    if skill is not None:
        out.append(t("check_skill_better" if skill >= 0 else "check_skill_worse",
                     pct=f"{abs(skill):.0%}"))
    return out
