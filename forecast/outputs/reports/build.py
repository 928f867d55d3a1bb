"""Build the report model from a finished run: what each section shows, in one language.

First the conclusions (主要结论); then per plan for up to ``LARGE_RUN_PLANS`` plans, else
the national overview; then the methodology, the calibration appendix, the diagnostics and
the run's details. Pure: a run's tables in, a
``Report`` out.
"""

from __future__ import annotations

from forecast.inputs.catalogue import Catalogue
from forecast.outputs.reports.appendix import calibration, diagnostics, run_details
from forecast.outputs.reports.conclusions import conclusions
from forecast.outputs.reports.context import Context
from forecast.outputs.reports.method import methodology
from forecast.outputs.reports.model import Report
from forecast.outputs.reports.overview import overview_sections
from forecast.outputs.reports.plan_section import implied_level, plan_section
from forecast.outputs.reports.source import RunOutputs
from forecast.outputs.summary import LARGE_RUN_PLANS

__all__ = ["build_report", "implied_level"]


def build_report(run: RunOutputs, lang: str, catalogue: Catalogue) -> Report:
    """The report of a finished run: the conclusions, then per plan for up to
    ``LARGE_RUN_PLANS`` plans, else the national overview; then the methodology, the
    calibration appendix, the diagnostics and the run's details."""
    b = Context(run, lang, catalogue)
    plans = run.plans
    overview = len(plans) > LARGE_RUN_PLANS
    if overview:
        sections = overview_sections(b)
        title = b.t("overview_title")
    else:
        sections = [plan_section(b, p, k) for k, p in enumerate(plans, 1)]
        title = plans[0]["title"] if len(plans) == 1 else b.t("report_title")
    sections = [conclusions(b, plans), *sections, methodology(b), calibration(b),
                diagnostics(b, None if overview else {p["id"] for p in plans}), run_details(b)]
    labels = {k: b.t(k) for k in ("contents", "toc_hint", "history", "median", "target",
                                  "base_year", "prob_axis", "stated_prob", "observed_share",
                                  "perfect", "count_axis", "expected_met",
                                  "targets_met_axis", "share_of_futures", "pit_flat",
                                  "pit_axis", "share_of_values")}
    labels.update({f"band{p}": b.t("band", p=p) for p in (50, 80, 95)})
    return Report(lang, title, b.facts(), tuple(sections), labels)
