"""What to tell one applicant: eligible policies, near misses, the questions that decide
the rest, and 猜你要办 suggestions from life-event chains. Used by the portal API and the bot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from catalogue.model import ServiceItem, ThemeService
from policies.book import PolicyBook, PolicyMatch
from policies.explain import fact_label, fact_question
from policies.model import Profile
from settings import get_settings


class BadProfile(ValueError):
    """A profile that does not fit the vocabulary; the message is Chinese and names the field."""


def parse_profile(data: Any) -> Profile:
    if not isinstance(data, dict):
        raise BadProfile("档案应为 JSON 对象。")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        fields = "、".join(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})) or "档案"
        raise BadProfile(f"档案字段有误：{fields}（{exc.errors()[0]['msg']}）") from None


@dataclass
class Advice:
    eligible: list[PolicyMatch]
    unknown: list[PolicyMatch]
    near_misses: list[PolicyMatch]  # not eligible for one unmet condition only
    questions: list[dict[str, Any]]  # missing facts, the most deciding first

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": [m.as_dict() for m in self.eligible],
            "unknown": [m.as_dict() for m in self.unknown],
            "near_misses": [m.as_dict() for m in self.near_misses],
            "questions": self.questions,
        }


def advise(book: PolicyBook, profile: Profile, as_of: dt.date | None = None) -> Advice:
    matches = book.match(profile, as_of)
    questions = [
        {"fact": fact, "label": fact_label(fact), "question": fact_question(fact), "decides": count}
        for fact, count in book.deciding_facts(matches)
    ]
    return Advice(
        eligible=[m for m in matches if m.result == "eligible"],
        unknown=[m for m in matches if m.result == "unknown"],
        # one unmet condition, and one the applicant could change (not who or where they are)
        near_misses=[m for m in matches if m.result == "not_eligible" and len(m.unmet) == 1
                     and m.unmet[0].condition not in ("applicant_kind", "region")],
        questions=questions,
    )


# --------------------------------------------------------------------------- 猜你要办
@lru_cache(maxsize=1)
def life_events(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or get_settings().data_dir / "policies" / "life_events.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["chains"]


def suggestions(
    done: Iterable[ServiceItem],
    items: Iterable[ServiceItem],
    themes: Iterable[ThemeService],
    eligible: Iterable[PolicyMatch] = (),
    region: str | None = None,
    limit: int = 8,
) -> list[dict[str, Any]]:
    """Next steps after what the applicant did (life-event chains), then eligible policies,
    each with its reason."""
    done = list(done)
    done_codes = {i.code for i in done}
    done_names = {i.name for i in done}
    items = list(items)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in done:
        for chain in life_events():
            if not any(w in item.name for w in chain["after"]):
                continue
            for word in chain["next"]:
                candidates = [i for i in items if word in i.name and i.code not in done_codes and i.name not in done_names]
                if region:  # the applicant's own place first, then the province's
                    candidates.sort(key=lambda i: (i.region_code != region, i.region_code[:4] != region[:4]))
                if candidates and candidates[0].name not in seen:
                    seen.add(candidates[0].name)
                    out.append({"kind": "item", "code": candidates[0].code, "name": candidates[0].name,
                                "reason": f"因为您刚办理了“{item.name}”（{chain['event']}），通常接着要办"})
            for theme in themes:
                if theme.id in chain.get("themes", []) and theme.id not in seen:
                    seen.add(theme.id)
                    out.append({"kind": "theme", "id": theme.id, "name": theme.name,
                                "reason": f"因为您刚办理了“{item.name}”，可以一次办好{theme.name}"})
    for match in eligible:
        p = match.policy
        met = "、".join(c.reason.split("，")[0] for c in match.conditions[:3])
        out.append({"kind": "policy", "id": p.id, "name": p.title,
                    "reason": f"因为您符合条件（{met}）" + ("，免申即享" if p.application_mode == "免申即享" else "")})
    return out[:limit]
