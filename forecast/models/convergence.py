"""When a fit has converged: the bounds on its diagnostics, in one place.

The CLI warns by them after a run, the report flags every fit outside them, and the README
promises them for the bundled example.
"""

from __future__ import annotations

R_HAT_MAX = 1.01  # above this the chains disagree: not converged (Vehtari et al. 2021)
ESS_MIN = 400  # bulk or tail effective sample size below this: too few independent draws
# (the bounds the README promises and the report flags)
RETRY_ACCEPT = 0.99  # a fit outside them is drawn again with this target acceptance
RETRY_TUNE = 1000  # and at least this many tuning steps (twice its own)


def convergence_problems(diag: dict) -> list[str]:
    """Which of a fit's diagnostics are out of bounds: "r_hat", "ess", "divergences"."""
    out = []
    if diag.get("r_hat_max", 1.0) > R_HAT_MAX:
        out.append("r_hat")
    if min(diag.get("ess_bulk_min", 1e9), diag.get("ess_tail_min", 1e9)) < ESS_MIN:
        out.append("ess")
    if diag.get("divergences", 0) > 0:
        out.append("divergences")
    return out


def needs_retry(diag: dict) -> bool:
    """Whether a fit is drawn again: its chains disagree, it diverged, or it reached its
    most draws with fewer than ``ESS_MIN`` effective ones (the next attempt may draw twice as
    many: ``fit_jobs.stricter``)."""
    return bool(convergence_problems(diag))
