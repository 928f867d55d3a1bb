"""Random streams: one ``numpy.random.Generator`` per unit of work, from the run's seed.

A stream is keyed by the seed and a stable hash of text parts (region, indicator, model,
origin...), so what a series or a fit draws does not depend on row order, on which other
series are in the run, or on which worker computes it. Fits and simulations both draw from
here, which is why it sits below every stage of the pipeline.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stable_key(*parts: str) -> int:
    """A 128-bit integer from text parts, the same on every machine and Python process."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:16], "little")


def rng_for(seed: int, *key: str) -> np.random.Generator:
    """The random stream of one unit of work (e.g. region, indicator, model)."""
    return np.random.default_rng(np.random.SeedSequence([seed, stable_key(*key)]))
