"""Second stage of search: re-order the fused candidates by a small learned model.

Fusion adds up ranks and scores without looking at the pair (question, item) as a whole.
The reranker does: for each of the top `DEPTH` fused candidates it reads how every signal
placed it, how much of the question the item's name and record hold (IDF-weighted), how
much of the name the question says, and whether the question and the name agree on what
is done (设立 / 注销 / 补领 …). A logistic model over those features gives each candidate
the probability that it is what was asked for.

`python -m retrieval.train_rerank FILE` fits the weights on authored training questions
(`data/retrieval/rerank_train.jsonl`, over items no evaluation set uses) and writes them
to `data/retrieval/reranker.json`; without that file search keeps the fused order.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from catalogue.model import ServiceItem
from catalogue.store import THEME_TYPE

DEPTH = 30  # fused candidates re-scored; deeper ones keep their fused order below them


@dataclass(frozen=True)
class QuestionView:
    """What the features need of the question, computed once per search."""

    words: frozenset[str]  # content tokens (synonyms canonical)
    acts: frozenset[str]  # act words it says (注销, 补领 …)
    region_chain: frozenset[str]  # the region it names and the regions above it; empty if none
    bigrams: frozenset[str]  # its character bigrams


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def distinct_bigrams(names: list[frozenset[str]], neighbours: int = 5) -> list[frozenset[str]]:
    """Per candidate, the bigrams of its name that none of the other leading candidates'
    names has: what tells siblings apart (发往台湾 / 发往广东, 新建 / 延期)."""
    out = []
    for i, own in enumerate(names):
        others = frozenset().union(*(n for j, n in enumerate(names[:neighbours]) if j != i))
        out.append(own - others)
    return out


def _share(words: frozenset[str] | set[str], found: set[str] | frozenset[str], idf: Callable[[str], float]) -> float:
    """The IDF-weighted share of `words` found in `found`: rare words count most."""
    total = sum(idf(w) for w in words)
    return sum(idf(w) for w in words if w in found) / total if total else 0.0


def pair_features(
    question: QuestionView,
    item: ServiceItem,
    name_words: set[str],
    record_words: set[str],
    name_bigrams: frozenset[str],
    distinct: frozenset[str],
    placed: dict[str, tuple[float, int]],
    signal_names: list[str],
    idf: Callable[[str], float],
    acts: re.Pattern[str] | None,
) -> dict[str, float]:
    """`placed`: per signal that found the item, its min-max-normalised score and rank
    (0-based); signals are listed in `signal_names` so a miss is a 0, not a gap."""
    out: dict[str, float] = {}
    for name in signal_names:
        score, rank = placed.get(name, (0.0, -1))
        out[f"{name}:score"] = score
        out[f"{name}:rank"] = 1.0 / (2 + rank) if rank >= 0 else 0.0
    out["name_cover"] = _share(question.words, name_words, idf)
    out["record_cover"] = _share(question.words, record_words, idf)
    out["name_said"] = _share(frozenset(name_words), set(question.words), idf)
    out["bigrams_said"] = len(name_bigrams & question.bigrams) / (len(name_bigrams) or 1)
    out["bigrams_cover"] = len(name_bigrams & question.bigrams) / (len(question.bigrams) or 1)
    out["distinct_said"] = len(distinct & question.bigrams) / (len(distinct) or 1)
    out["distinct_hits"] = min(len(distinct & question.bigrams), 5) / 5
    item_acts = set(acts.findall(item.name)) if acts else set()
    out["act_agrees"] = float(bool(item_acts & question.acts))
    out["act_differs"] = float(bool(question.acts) and bool(item_acts) and not item_acts & question.acts)
    local = item.level != "省"
    out["local_item"] = float(local)
    out["region_agrees"] = float(local and item.region_code in question.region_chain)
    out["theme"] = float(item.type == THEME_TYPE)
    return out


@dataclass
class Reranker:
    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    means: dict[str, float] = field(default_factory=dict)  # standardisation the weights expect
    scales: dict[str, float] = field(default_factory=dict)
    # Hits whose probability is at least this share of the best one's are offered as
    # choices beside it (fitted with the weights, `retrieval.train_rerank`).
    choice_ratio: float = 0.5

    @classmethod
    def from_file(cls, path: Path) -> "Reranker | None":
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["means"], data["scales"], data.get("choice_ratio", 0.5))

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(
            w * (values.get(name, 0.0) - self.means.get(name, 0.0)) / (self.scales.get(name) or 1.0)
            for name, w in self.weights.items()
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
