"""Which items a reply offers: the best hit alone, or the close fits for the user to pick
from, or the theme service that covers them (`close_alternatives`, `theme_covering`)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from catalogue.model import ServiceItem
from catalogue.store import Catalogue
from retrieval.search import SearchResult
from retrieval.text import load_acts, normalise
from settings import get_settings

# A question naming a thing but not what to do with it: items differing only by that
# are offered when they score at least this share of what a close alternative needs.
VAGUE_SHARE = 0.57
MAX_CHOICES = 5


@lru_cache(maxsize=1)
def act_words() -> re.Pattern[str]:
    return load_acts(get_settings().dict_dir)


def close_alternatives(result: SearchResult) -> list[ServiceItem]:
    """The best hit and those nearly as good: when there are several, the user picks.

    A question that names a thing but not what to do with it ("营业执照") also gets the
    items that differ from the best only by that (设立 / 变更 / 注销 / 补领). One that says
    what sets the best apart from each other one ("三类超限…" among 一类 / 二类) gets it alone.
    """
    if not result.confident or not result.hits:
        return []
    acts = act_words()
    top = result.hits[0]
    thing = acts.sub("", top.item.name)
    vague = not acts.search(result.query) and thing != top.item.name
    # Hits are one per service already (retrieval collapses implementations).
    choices = [
        hit.item
        for hit in result.hits
        if hit.score >= result.close_ratio * top.score
        or (vague and hit.score >= VAGUE_SHARE * result.close_ratio * top.score and acts.sub("", hit.item.name) == thing)
    ]
    if len(choices) < 2:
        return choices
    if all(says_what_sets_apart(result.message, top.item.name, other.name) for other in choices[1:]):
        return [top.item]
    # Variants offered ("办理往来港澳通行证个人游签注", "…团队游签注"): the general item their
    # names extend ("办理往来港澳通行证") is a choice too, right after the best — also when it
    # scored among the variants, which may be more than the list shows.
    general = next(
        (hit.item for hit in result.hits[1:]
         if hit.score >= VAGUE_SHARE * result.close_ratio * top.score
         and sum(hit.item.name in c.name for c in choices if c is not hit.item) >= 2),
        None,
    )
    if general is not None:
        choices = [top.item, general, *(c for c in choices[1:] if c is not general)]
    return choices[:MAX_CHOICES]


def says_what_sets_apart(question: str, name: str, other: str) -> bool:
    """Whether the question says `name`'s own part against `other` and not `other`'s own
    part against `name`: "三类超限运输车辆…" among the 一类 / 二类 variants, "实验动物生产许可证
    要注销" beside 实验动物使用许可(注销). The whole message counts, field and place words
    included: "网上…" picks a name's (网上办理) over its (窗口办理)."""
    question, name, other = normalise(question), normalise(name), normalise(other)
    return says_own_part(question, name, other) and not says_own_part(question, other, name)


def says_own_part(question: str, name: str, other: str) -> bool:
    """Whether the question holds the longest run of `name` that `other` lacks (the first,
    if several are as long). A single differing character ("一级" / "二级") counts only with
    a neighbour: alone it is said too often ("一次性")."""
    differing = [
        (start, end) for tag, start, end, _, _ in SequenceMatcher(None, name, other, autojunk=False).get_opcodes()
        if tag in ("replace", "delete")
    ]
    if not differing:
        return False
    start, end = max(differing, key=lambda span: span[1] - span[0])
    if end - start >= 2:
        return name[start:end] in question
    with_neighbour = (name[start - 1:end] if start else "", name[start:end + 1] if end < len(name) else "")
    return any(text in question for text in with_neighbour if text)


def theme_covering(choices: list[ServiceItem], catalogue: Catalogue) -> list[ServiceItem]:
    """Several close fits that one theme service covers ("上户口、办医保这些要办哪些手续"
    fits 出生登记 and 新生儿医保): the theme is the answer. A theme among the fits
    with only its own items beside it likewise."""
    if len(choices) < 2:
        return choices
    for theme in catalogue.themes.values():
        covered = {catalogue.items[c].service_key for c in theme.item_codes if c in catalogue.items}
        if all(c.code == theme.id or c.service_key in covered for c in choices):
            return [catalogue.theme_entry(theme)]
    return choices
