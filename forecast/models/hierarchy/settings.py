"""How the hierarchical models (pooled and counts) are fitted: sampler, chains, draws, and
when the fast approximation takes over. Validated when made, so a notebook gets the same
one-line error as the command line."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from forecast.errors import InputError

SAMPLERS = ("nutpie", "pymc")
METHODS = ("auto", "nuts", "approx")


@dataclass(frozen=True)
class PooledSettings:
    """How the pooled model is fitted. Defaults give R-hat <= 1.01 and no divergences on the
    bundled example (BENCHMARKS.md)."""

    sampler: str = "nutpie"
    chains: int = 4
    draws: int = 1000  # per chain at most: drawing stops once the fit has converged
    tune: int = 400  # nutpie adapts its mass matrix fast; a fit that has not converged is
    #                  drawn again with more (``convergence.RETRY_TUNE``)
    target_accept: float = 0.95  # small steps: a lone region's shock-size funnel diverges at 0.9
    # a fit that ends with R-hat above 1.01, a divergence or an ESS below 400 is drawn again
    # this many times, with smaller steps, longer tuning and up to twice the draws
    # (``fit_jobs.stricter``); 0 keeps the first attempt
    retries: int = 1
    # AR(1) of yearly changes around the drift: better on the provincial backtests' learning
    # years and on the scored ones (BENCHMARKS.md)
    persistence: bool = True
    # the drift is estimated from each region's last `window` yearly changes alone (None: all
    # years, the default: on the World Bank panel a window of 8 won the learning years and lost
    # the scored ones; benchmarks/bench_pooled_window.py)
    window: int | None = None
    method: str = "auto"  # "nuts", "approx" (large panels), or "auto": approx above large_panel
    large_panel: int = 400  # nodes above which `auto` uses the fast approximation

    def __post_init__(self) -> None:
        if self.sampler not in SAMPLERS:
            raise InputError(f"unknown sampler {self.sampler!r}", column="--sampler",
                             fix=f"use one of {', '.join(SAMPLERS)}")
        if self.method not in METHODS:
            raise InputError(f"unknown inference {self.method!r}", column="--inference",
                             fix="use auto, nuts or approx")
        for name, least in (("chains", 1), ("draws", 1), ("tune", 0), ("large_panel", 1),
                            ("retries", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise InputError(f"PooledSettings.{name} is {value!r}", column=name,
                                 fix=f"give a whole number of at least {least}")
        if self.window is not None and (isinstance(self.window, bool)
                                        or not isinstance(self.window, int) or self.window < 2):
            raise InputError(f"a drift window of {self.window!r} yearly changes",
                             column="--drift-window", fix="give a whole number of at least 2, "
                             "or 0 for all years (None in PooledSettings)")
        if not 0 < self.target_accept < 1:
            raise InputError(f"PooledSettings.target_accept is {self.target_accept!r}",
                             column="target_accept", fix="give a number between 0 and 1")

    def uses_approx(self, n_nodes: int) -> bool:
        return self.method == "approx" or (self.method == "auto" and n_nodes > self.large_panel)

    def describe(self) -> dict:
        """The settings as a fit's key and attributes record them (a window of all years is
        left out, so fits made before the window existed keep their keys)."""
        out = asdict(self)
        if self.window is None:
            out.pop("window")
        return out
