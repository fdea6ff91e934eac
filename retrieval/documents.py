"""How a catalogue item is seen by each retrieval method.

Two views: the item's names (what people call it) and its full record (names,
department, targets, materials, conditions), which carries the words of situations.
"""

from __future__ import annotations

from catalogue.model import ServiceItem

CONDITIONS_CHARS = 160  # conditions are long legal text; their opening says what it is for


def name_text(item: ServiceItem) -> str:
    names = [item.name]
    if item.basic_name and item.basic_name not in item.name:
        names.append(item.basic_name)
    return "；".join(names)


def full_text(item: ServiceItem) -> str:
    parts = [
        name_text(item),
        item.department,
        item.type,
        "、".join(item.themes),
        "、".join(item.targets),
        "材料：" + "、".join(item.materials) if item.materials else "",
        (item.conditions or "")[:CONDITIONS_CHARS],
    ]
    return "。".join(p for p in parts if p)


def bm25_text(item: ServiceItem) -> str:
    # The name counts three times: a word of the name says more than one of the conditions.
    return "。".join([name_text(item)] * 3 + [full_text(item)])


def record_text(item: ServiceItem) -> str:
    """Everything the catalogue says of an item: what a follow-up question may refer to."""
    facts = [item.conditions, item.location, item.fee, item.phone, item.hours, item.legal_basis, item.region_name]
    return "。".join([full_text(item), *(f for f in facts if f)])
