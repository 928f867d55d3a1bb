"""Which scenarios change a plan's probabilities, and why the others do not, in words.

A scenario adjusts some indicators from some year on; a plan whose targets it cannot reach
(other indicators, target years before it starts, years already observed) gets exactly the
baseline's probabilities. Rather than a column of +0.00, summary.md and the reports leave such
a scenario out and say why in one sentence (``unchanged_note``).
"""

from __future__ import annotations

import pandas as pd

from forecast.inputs.catalogue import Catalogue
from forecast.inputs.scenarios import BASELINE
from forecast.outputs.names import indicator_name

_WHAT = {"growth_shift": ("增速", "growth of"), "shock": ("水平", "level of"),
         "volatility": ("波动", "volatility of")}


def split_scenarios(wide: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The scenario columns of ``wide`` (``tables.scenario_probabilities``) that move some
    target's probability, and those that leave every one exactly at the baseline's."""
    moved, unchanged = [], []
    for s in wide.columns[1:]:
        same = ((wide[s] - wide[BASELINE]).abs() < 1e-12) | (wide[s].isna() & wide[BASELINE].isna())
        (unchanged if bool(same.all()) else moved).append(s)
    return moved, unchanged


def _adjusts(sc: dict, catalogue: Catalogue | None, lang: str) -> str:
    """What a scenario adjusts, from when: "研发经费支出增速(自2024年起)"."""
    zh = lang == "zh"
    parts = []
    for a in sc.get("adjusts", []):
        name = (("所有指标" if zh else "every indicator") if a["indicator"] == "*"
                else indicator_name(a["indicator"], catalogue, lang))
        what = _WHAT.get(a.get("what"), ("", ""))[0 if zh else 1]
        text = f"{name}{what}" if zh else f"{what} {name}".strip()
        if a.get("from") is not None:
            text += f"(自{a['from']}年起)" if zh else f" from {a['from']}"
        parts.append(text)
    return ("、" if zh else ", ").join(parts)


def unchanged_note(scenarios: list[dict], unchanged: list[str], target_years: list[int],
                   observed: bool, title, catalogue: Catalogue | None, lang: str) -> str:
    """Why ``unchanged`` scenarios are left out: what each adjusts and from when, and the
    reason this plan's targets are untouched (years before the start, years observed)."""
    zh = lang == "zh"
    by_id = {sc["id"]: sc for sc in scenarios}
    said = [f"“{title(s)}”" + (f"调整{_adjusts(by_id[s], catalogue, lang)}" if zh
                                else f" adjusts the {_adjusts(by_id[s], catalogue, lang)}")
            for s in unchanged if s in by_id]
    starts = [a["from"] for s in unchanged if s in by_id for a in by_id[s].get("adjusts", [])
              if a.get("from") is not None]
    if starts and target_years and max(target_years) < min(starts):
        why = (f"本规划目标年份({max(target_years)}年)早于情景起始年份"
               if zh else f"this plan's target years (to {max(target_years)}) come before "
               "the scenarios start")
    elif observed:
        why = "本规划目标年份已有观测值" if zh else "this plan's target years are already observed"
    else:
        why = ("这些调整不涉及本规划目标所用的指标" if zh
               else "these adjustments do not bear on this plan's targets")
    if zh:
        return ";".join(said) + f"。{why},各目标在这些情景下的概率与基准相同,故不列出。"
    return ("; ".join(said) + f". {why[0].upper()}{why[1:]}, so its targets' probabilities "
            "under these scenarios equal the baseline's and are not listed.")


def scenario_title(sc: dict, lang: str) -> str:
    """A scenario's title in ``lang``: ``title_en`` in English where the file gives one, else
    the matching half of a "中文 / English" title."""
    if lang != "zh" and sc.get("title_en"):
        return sc["title_en"]
    parts = [p.strip() for p in (sc.get("title") or sc["id"]).split(" / ")]
    return parts[0] if lang == "zh" or len(parts) == 1 else parts[-1]


def scenario_description(sc: dict, lang: str) -> str:
    """A scenario's description in ``lang`` ('' where it has none)."""
    if lang != "zh" and sc.get("description_en"):
        return sc["description_en"]
    return sc.get("description") or ""
