"""Units written in plans, and how a stated value converts to an indicator's catalogue unit.

Each unit belongs to a family (money, count, percent, …) and has a factor to the family's
base, so 30亿元 and 300000万元 are the same amount, and 2户 of a 家 indicator is 2家. Areas are
a family of their own because plans state them for buildings and fields, never as targets of
an innovation indicator (docs/plan-encoding.md).
"""

from __future__ import annotations

from dataclasses import dataclass

_COUNT = ("家", "个", "项", "件", "户", "所", "座", "台(套)", "台套", "台", "套", "条", "场次",
          "场", "家次", "人次", "次", "人", "名", "位", "支", "篇", "种", "款", "部", "门",
          "本", "期", "届", "株")


@dataclass(frozen=True)
class Unit:
    """A unit as written, its family and its factor to the family's base unit."""

    text: str
    family: str
    factor: float = 1.0


def _table() -> dict[str, Unit]:
    units = [
        Unit("个百分点", "points"), Unit("百分点", "points"), Unit("%", "percent"),
        Unit("‰", "percent", 0.1),
        Unit("万亿元", "money", 1e8), Unit("亿美元", "usd", 1e4), Unit("万美元", "usd", 1),
        Unit("亿元", "money", 1e4), Unit("千万元", "money", 1e3), Unit("百万元", "money", 1e2),
        Unit("万元", "money", 1), Unit("千元", "money", 0.1), Unit("元", "money", 1e-4),
        Unit("亿", "money", 1e4),
        Unit("件/万人", "per10k"), Unit("万元/人", "money_per_person"),
        Unit("元/人", "money_per_person", 1e-4),
        Unit("吨标准煤/万元", "energy_intensity"), Unit("吨标煤/万元", "energy_intensity"),
        Unit("倍", "times"),
        Unit("万平方米", "area", 1e4), Unit("平方公里", "area", 1e6), Unit("平方米", "area"),
        Unit("万亩", "area", 666.67e4), Unit("亩", "area", 666.67), Unit("公顷", "area", 1e4),
        Unit("万吨", "mass", 1e4), Unit("吨", "mass"),
    ]
    for c in _COUNT:
        units.append(Unit(c, "count"))
        units.append(Unit("万" + c, "count", 1e4))
    units.append(Unit("有/无", "binary"))
    return {u.text: u for u in units}


UNITS = _table()
# longest first, so 个百分点 wins over 个 and 万元 over 元
UNIT_PATTERN = "|".join(sorted((u.replace("(", r"\(").replace(")", r"\)").replace("/", "/")
                                for u in UNITS), key=len, reverse=True))
# units that never mark a target of an innovation plan
NOT_TARGET_FAMILIES = {"area"}


def family(unit: str | None) -> str | None:
    """The family of a unit as written (None for an unknown or missing unit)."""
    if not unit:
        return None
    u = UNITS.get(unit)
    return u.family if u else None


def compatible(stated: str | None, catalogue_unit: str, kind: str) -> bool:
    """Whether a value stated in ``stated`` can be a ``kind`` target of an indicator whose
    catalogue unit is ``catalogue_unit``."""
    if kind in ("growth", "cagr", "relative"):
        return family(stated) == "percent"
    fam = family(stated)
    target = family(catalogue_unit)
    if fam is None:
        return target in (None, "times")
    if fam == "points":
        return target == "percent"
    if fam == "count" and target == "per10k":
        return True  # 万人发明专利拥有量达到21.5件
    return fam == target


def convert(value: float, stated: str | None, catalogue_unit: str, kind: str) -> float:
    """``value`` in ``stated`` units expressed in the catalogue unit (growth rates unchanged)."""
    if kind in ("growth", "cagr", "relative") or not stated:
        return value
    a, b = UNITS.get(stated), UNITS.get(catalogue_unit)
    if a is None or b is None or a.family == "points" or b.family == "per10k":
        return value
    return _tidy(value * a.factor / b.factor)


def _tidy(x: float) -> float:
    """Round away binary noise (30 * 1e4 / 1e4), keeping 12 significant digits."""
    return float(f"{x:.12g}")
