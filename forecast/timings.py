"""Where a run's seconds went: the breakdown `forecast run --timings` prints and writes into
probabilities.json's diagnostics (``timings``), and the benchmarks read.

Stages are wall-clock seconds of the run's steps. ``compile``, ``tune`` and ``draw`` are
summed over the fits made (not those read from the cache); fits of different model
structures run side by side, so these sums can exceed the wall-clock seconds of ``fits``.
Sampling time is split between tuning and drawing by the gradient evaluations of each.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

STAGES = ("load", "fits", "compile", "tune", "draw", "simulate", "paths", "review look-back",
          "own-data check", "reports", "history")
FIT_PARTS = {"compile": "compile_seconds", "tune": "tune_seconds", "draw": "draw_seconds"}
# parts of another stage's seconds: shown indented under it, not added to the total
PARTS = (*FIT_PARTS, "paths")  # paths: writing paths.parquet, within simulate


class Timings:
    """Seconds per stage, in the order of ``STAGES``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.fits = {"fitted": 0, "cached": 0}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}")
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def add_fits(self, diagnostics: Iterable[dict]) -> None:
        """The compile, tune and draw seconds of the fits made (cached ones took none)."""
        for diag in diagnostics:
            if diag.get("cached"):
                self.fits["cached"] += 1
                continue
            self.fits["fitted"] += 1
            for stage, key in FIT_PARTS.items():
                self.add(stage, float(diag.get(key, 0.0)))

    def as_dict(self) -> dict:
        """Stage -> seconds (rounded to 0.01), ``total`` (the stages that are not parts of
        another: ``fits``' and ``simulate``'s), and how many fits were made and read from the
        cache."""
        stages = {s: round(self.seconds[s], 2) for s in STAGES if s in self.seconds}
        total = sum(v for s, v in self.seconds.items() if s not in PARTS)
        return {**stages, "total": round(total, 2), "fits_made": self.fits["fitted"],
                "fits_cached": self.fits["cached"]}

    def lines(self) -> list[str]:
        """The breakdown as the terminal shows it."""
        d = self.as_dict()
        out = ["timings (seconds):"]
        for stage in STAGES:
            if stage in d:
                indent = "    " if stage in PARTS else "  "
                note = ""
                if stage == "fits":
                    note = f"  ({d['fits_made']} fitted, {d['fits_cached']} from the cache)"
                elif stage in FIT_PARTS:
                    note = "  (summed over fits)"
                elif stage == "paths":
                    note = "  (writing paths.parquet, within simulate)"
                out.append(f"{indent}{stage:<{20 - len(indent)}}{d[stage]:>8.1f}{note}")
        out.append(f"  {'total':<18}{d['total']:>8.1f}")
        return out
