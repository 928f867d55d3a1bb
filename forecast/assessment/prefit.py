"""Every fit a run needs, before any simulation: the run's own and those of its review's look
back at each base year.

Made in one stage, the fits of one model structure share one compiled model and different
structures compile and sample side by side (``models.fit_groups``); the run and its review
then find them all in the ``Fitted`` this returns. Without this stage the review fitted its
look back only after the run had simulated, one fit after another.
"""

from __future__ import annotations

from collections.abc import Callable

from forecast.assessment.review import look_back_runs, reviewed_plans
from forecast.assessment.run import planned_fits
from forecast.assessment.settings import Settings
from forecast.inputs.workspace import Inputs
from forecast.models.fit_jobs import Fitted, fit_requests


def fit_all(inputs: Inputs, settings: Settings, executor=None,
            on_fit: Callable[[str, dict, bool, int], None] | None = None,
            review: bool = True) -> Fitted:
    """The fits of a run of ``inputs`` with ``settings`` and, with ``review``, of its
    review's look back: from the cache where it has them, else sampled (on ``executor``,
    else grouped by structure on ``settings.fit_workers`` processes)."""
    requests = planned_fits(inputs, settings)
    if review:
        for sub_inputs, sub_settings in look_back_runs(inputs, settings,
                                                       reviewed_plans(inputs, settings)):
            requests += planned_fits(sub_inputs, sub_settings)
    if not requests:
        return {}
    return fit_requests(requests, settings.pooled, settings.seed, executor, settings.cache_dir,
                        on_fit, workers=settings.fit_workers)
