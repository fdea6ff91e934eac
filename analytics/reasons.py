"""A 差评's reason as one of a few types (答非所问, 流程繁琐, 办理太慢, 态度, 系统故障,
其他) by the phrases in data/ratings/reason_types.yml: a button's reason by its title,
a typed one by the first type with a phrase it contains. Classified when the dashboard
asks, so editing the file re-types every stored reason."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from settings import ROOT

TYPES_FILE = ROOT / "data" / "ratings" / "reason_types.yml"


@lru_cache(maxsize=1)
def reason_types(path: Path = TYPES_FILE) -> tuple[tuple[str, ...], dict[str, str], list[tuple[str, str]], str]:
    """(type names in order, button title → type, (phrase, type) in order, the other type)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = tuple(t["name"] for t in data["types"]) + (data["other"],)
    buttons = {title: t["name"] for t in data["types"] for title in t.get("buttons") or []}
    phrases = [(phrase.lower(), t["name"]) for t in data["types"] for phrase in t.get("phrases") or []]
    return names, buttons, phrases, data["other"]


def reason_type(reason: str) -> str:
    names, buttons, phrases, other = reason_types()
    reason = (reason or "").strip()
    if reason in buttons:
        return buttons[reason]
    lowered = reason.lower()
    return next((name for phrase, name in phrases if phrase in lowered), other)


def count_types(reasons: list[tuple[str, int]]) -> dict[str, int]:
    """{type: ratings} over (reason, ratings) rows, every type present (0 when none)."""
    names = reason_types()[0]
    counts = dict.fromkeys(names, 0)
    for reason, n in reasons:
        counts[reason_type(reason)] += int(n)
    return counts
