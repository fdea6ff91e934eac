"""Why a profile meets a policy or not, one Chinese sentence per condition.

The words are data (data/policies/reasons.yml): "研发投入占比需≥3%，贵单位为2.1%".
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from policies.extract import vocabulary
from policies.matcher import STATUS_NAMES
from policies.model import Conditions, Profile
from settings import get_settings

HUKOU_NEED = {"本市": "本市户籍", "本省": "本省户籍（含本市）", "不限": "不限户籍"}


@lru_cache(maxsize=1)
def reasons(path: Path | None = None) -> dict[str, Any]:
    path = path or get_settings().data_dir / "policies" / "reasons.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fact_of(condition: str) -> str:
    """The profile fact a condition reads (its `unknown` means that fact is missing)."""
    return reasons()["conditions"][condition]["fact"]


def fact_question(fact: str) -> str:
    return reasons()["facts"][fact]["ask"]


def fact_label(fact: str) -> str:
    return reasons()["facts"][fact]["label"]


def _number(value: float | int | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _join(values: Any) -> str:
    return "、".join(str(v) for v in values) if isinstance(values, (list, tuple)) else str(values)


def reason(
    condition: str,
    status: int,
    conditions: Conditions,
    profile: Profile,
    as_of: dt.date,
    region_name: Callable[[str], str] = str,
) -> str:
    """One sentence for `condition` in `status` (0 met, 1 unknown, 2 unmet)."""
    spec = reasons()["conditions"][condition]
    need_value = getattr(conditions, condition)
    fact = spec["fact"]
    industries = vocabulary()["industries"]
    have_value: Any = getattr(profile, fact, None)
    need = _join(need_value)
    need_next = ""
    if condition == "region":
        need = "、".join(region_name(c) for c in need_value)
        have = region_name(profile.region) if profile.region else "—"
    elif condition == "industry":
        need = "、".join(industries[c]["name"] for c in need_value)
        have = industries[profile.industry]["name"] if profile.industry else "—"
    elif condition.startswith("established_years"):
        have = _number(profile.years_established(as_of))
        need_next = _number(need_value + 1)
    elif condition == "certifications_any":
        have = _join(have_value) if have_value else "暂无相关资质"
    elif condition == "hukou":
        need = HUKOU_NEED[need_value]
        have = f"{have_value}户籍" if have_value else "—"
    elif condition == "exclusions":
        have = _join([f for f in need_value if getattr(profile.flags, f) is True])
    elif isinstance(have_value, (list, tuple)):
        have = _join(have_value) or "无"
    elif isinstance(have_value, (int, float)):
        have = _number(have_value)
    else:
        have = str(have_value) if have_value is not None else "—"
    if isinstance(need_value, (int, float)) and condition not in ("hukou",):
        need = _number(need_value)
    who = "您" if profile.kind in ("个人", "个体工商户") and fact in {
        "age", "hukou", "education", "employment_status", "graduated_year"} or profile.kind == "个人" else "贵单位"
    key = STATUS_NAMES[status]
    if key == "unmet" and have_value == [] and "unmet_none" in spec:
        key = "unmet_none"
    template = spec.get(key)
    if template is None:  # unknown without a sentence of its own: the fact is missing
        return reasons()["unknown"].format(label=fact_label(fact))
    return template.format(need=need, have=have, who=who, need_next=need_next)
