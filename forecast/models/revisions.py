"""How much a preliminary figure moves when the final one is published: a measurement-error
term per indicator, learned from the years a workspace has both (``inputs.vintages``).

In the spirit of bayesTFR's per-source bias and variance: on the indicator's model scale (log
for amounts, logit for shares) the revision final − preliminary of a year is a draw from a
normal distribution with a bias and a spread of its own. With n revisions of mean m and
standard deviation s, the next one is Student-t with n − 1 degrees of freedom, centred on m,
scaled s·√(1 + 1/n) (the textbook predictive of a normal sample with unknown mean and
variance). A series whose latest year is still preliminary then starts its futures from a
level that may yet move by such a revision: every path is shifted by one draw. Fewer than
``MIN_REVISIONS`` revisions of an indicator teach nothing, and its futures are not widened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.inputs.catalogue import Catalogue
from forecast.models.transforms import transform_for

MIN_REVISIONS = 3


@dataclass(frozen=True)
class RevisionError:
    """The predictive distribution of a preliminary figure's revision on the model scale."""

    bias: float
    scale: float  # s * sqrt(1 + 1/n)
    df: int  # n - 1
    revisions: int  # n

    def draw(self, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        return self.bias + self.scale * rng.standard_t(self.df, size=n_paths)

    def note(self) -> str:
        return (f"latest year preliminary: futures widened by the revisions of {self.revisions} "
                f"earlier preliminary figures (model scale: bias {self.bias:+.4f}, "
                f"sd {self.scale:.4f})")


def revisions_on_model_scale(pairs: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Each pair's revision final − first on its indicator's model scale (``revision``)."""
    out = []
    for row in pairs.itertuples(index=False):
        both = np.array([row.first, row.final], dtype=float)
        z = transform_for(catalogue[row.indicator], both).continuous().forward(both)
        out.append(float(z[1] - z[0]))
    return pairs.assign(revision=np.array(out, dtype=float))


def learn_revisions(pairs: pd.DataFrame, catalogue: Catalogue) -> dict[str, RevisionError]:
    """Per indicator with at least ``MIN_REVISIONS`` revisions, its revision error."""
    if pairs.empty:
        return {}
    scaled = revisions_on_model_scale(pairs, catalogue)
    out = {}
    for indicator, r in scaled.groupby("indicator")["revision"]:
        n = len(r)
        if n < MIN_REVISIONS:
            continue
        s = float(r.std(ddof=1))
        out[str(indicator)] = RevisionError(float(r.mean()), s * float(np.sqrt(1 + 1 / n)),
                                            n - 1, n)
    return out
