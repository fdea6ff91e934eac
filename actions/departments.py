"""Which unit the user means by the department they name: "我们项目归空港经济区管委会管" on
建设工程规划类许可证核发, which both 广州市规划和自然资源局 and 广州空港经济区管理委员会 implement in
广州 — the region cannot tell them apart, the department's own words can."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable

from catalogue.model import ServiceItem
from catalogue.store import Catalogue

# How departments are called for short ("空港经济区管委会").
SHORT_FORMS = (("管理委员会", "管委会"), ("委员会", "委"))
# A pair of characters naming a department only when few departments' names hold it: 管理, 广州,
# 公安 name none of them alone.
RARE_IN_DEPARTMENTS = 3

_called: dict[int, dict[str, set[str]]] = {}
_rarity: dict[int, Counter[str]] = {}


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def called(department: str) -> set[str]:
    """The character pairs of a department's name and of its short forms."""
    name = unicodedata.normalize("NFKC", department)
    forms = [name, *(name.replace(long, short) for long, short in SHORT_FORMS if long in name)]
    return set().union(*map(bigrams, forms))


def departments(catalogue: Catalogue) -> dict[str, set[str]]:
    """Every department's character pairs (once per catalogue)."""
    if id(catalogue) not in _called:
        _called[id(catalogue)] = {name: called(name) for name in {item.department for item in catalogue.items.values()}}
    return _called[id(catalogue)]


def departments_holding(catalogue: Catalogue) -> Counter[str]:
    """In how many departments' names each character pair is."""
    if id(catalogue) not in _rarity:
        _rarity[id(catalogue)] = Counter(pair for pairs in departments(catalogue).values() for pair in pairs)
    return _rarity[id(catalogue)]


def best_named(catalogue: Catalogue, said_pairs: set[str]) -> set[str]:
    """The departments the words share the most character pairs with: "珠江水产研究所" names that
    institute, not 广东省生态环境技术研究所 by its 研究所."""
    shared = {name: len(pairs & said_pairs) for name, pairs in departments(catalogue).items()}
    most = max(shared.values(), default=0)
    return {name for name, n in shared.items() if n == most} if most else set()


def named_unit(catalogue: Catalogue, said: str, entries: Iterable[ServiceItem]) -> ServiceItem | None:
    """The one implementation of `entries` whose department the words name in pairs of characters
    no other candidate's department or service name holds, and few departments do, and which they
    name better than any other department; None when none or several are named so."""
    candidates = {i.code: i for entry in entries for i in catalogue.implementations(entry)}
    if len({i.department for i in candidates.values()}) < 2:
        return None
    holding = departments_holding(catalogue)
    said_pairs = bigrams(unicodedata.normalize("NFKC", said))
    best = best_named(catalogue, said_pairs)
    named = []
    for item in (i for i in candidates.values() if i.department in best):
        others = set().union(*(called(o.department) | bigrams(o.name) for o in candidates.values() if o.department != item.department))
        own = called(item.department) - others - bigrams(item.name)
        if any(holding[pair] <= RARE_IN_DEPARTMENTS for pair in own & said_pairs):
            named.append(item)
    return named[0] if len(named) == 1 else None
