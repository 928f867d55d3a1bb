"""The IPCC's calibrated language for probabilities: the one place that owns its classes and
their bounds (AR5/AR6 likelihood scale). Statuses, report colours and summary tables read the
bounds from here."""

from __future__ import annotations

LIKELY = 0.66  # lower bound of "likely": a review's "on track", a summary's "share likely"
ABOUT_AS_LIKELY = 0.33  # lower bound of "about as likely as not": below it, "off track"
LIKELIHOOD_CLASSES = (  # IPCC AR5/AR6 calibrated language, lower bounds of probability
    (0.99, "virtually certain", "几乎确定"),
    (0.90, "very likely", "很可能"),
    (LIKELY, "likely", "可能"),
    (ABOUT_AS_LIKELY, "about as likely as not", "或许可能"),
    (0.10, "unlikely", "不太可能"),
    (0.01, "very unlikely", "很不可能"),
    (0.0, "exceptionally unlikely", "极不可能"),
)
# the classes from least to most likely, and their lower bounds (report colours, markers)
CLASS_NAMES = tuple(en for _, en, _ in reversed(LIKELIHOOD_CLASSES))
CLASS_BOUNDS = tuple(bound for bound, _, _ in reversed(LIKELIHOOD_CLASSES))


def likelihood(p: float, lang: str = "en") -> str:
    """The IPCC calibrated-language class of a probability."""
    for bound, en, zh in LIKELIHOOD_CLASSES:
        if p >= bound:
            return zh if lang == "zh" else en
    raise ValueError(p)
