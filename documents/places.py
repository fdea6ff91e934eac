"""Places a question names ("铁岭市", "四川省", "上海"): a document that never mentions
them is unlikely to answer it, however well its words match otherwise."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from retrieval.text import Lexicon, normalise

# A jieba word ending in an administrative suffix is a place name; its stem is what
# documents write ("铁岭市" → "铁岭"). 自治区/自治州 stems are not places on their own.
SUFFIXED = re.compile(r"^([\u4e00-\u9fff]{2,8}?)(?:省|市|区|县|州|盟|旗|镇)$")
NOT_PLACES = frozenset({"自治", "城区", "社区", "园区", "景区", "辖区", "地区", "新区", "市区", "本市", "全市", "全省", "各省", "各市", "全区", "本省", "本区", "小区", "开发区", "保税区", "疫区"})


@lru_cache(maxsize=4)
def provinces(dict_dir: Path) -> tuple[str, ...]:
    path = dict_dir / "provinces.txt"
    if not path.exists():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=4)
def question_words(dict_dir: Path) -> frozenset[str]:
    path = dict_dir / "question_words.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def places_in(question: str, lexicon: Lexicon, known: tuple[str, ...]) -> set[str]:
    text = normalise(question)
    found = set()
    for word in lexicon.tokenizer.lcut(text, HMM=False):
        match = SUFFIXED.match(word)
        if match and word not in NOT_PLACES and match.group(1) not in NOT_PLACES:
            found.add(match.group(1))
    found.update(p for p in known if p in text)
    return {p for p in found if not any(p != other and p in other for other in found)}
