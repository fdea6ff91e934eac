"""Policy search: the same hybrid method over a portal's policies (a few hundred at most).

Policies are few, so the index is built in memory at start-up from cached embeddings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import bm25s

from catalogue.model import Policy
from retrieval.embedders import CachedEmbedder
from retrieval.search import fuse
from retrieval.text import Lexicon, has_han, normalise


def policy_text(policy: Policy) -> str:
    subjects = policy.subjects
    return "。".join(
        p
        for p in [
            policy.title,
            policy.title,
            policy.issuer,
            "、".join(subjects.target + subjects.enterprise_types + subjects.industries + subjects.sizes),
            policy.benefits,
            policy.conditions[:200],
        ]
        if p
    )


@dataclass
class PolicyHit:
    policy: Policy
    score: float


class PolicySearcher:
    def __init__(self, policies: list[Policy], embedders: list[CachedEmbedder], lexicon: Lexicon) -> None:
        self.policies = policies
        self.embedders = embedders
        self.lexicon = lexicon
        texts = [policy_text(p) for p in policies]
        self.vectors = {e.name: e.encode_passages(texts) for e in embedders} if policies else {}
        self.bm25 = bm25s.BM25()
        if policies:  # a catalogue may have none (the Guangdong export): search finds nothing
            self.bm25.index([lexicon.tokens(t) or ["<empty>"] for t in texts], show_progress=False)

    def search(self, query: str, region_codes: set[str] | None = None, k: int = 3, on: dt.date | None = None) -> list[PolicyHit]:
        """The best `k` policies in force `on` (today): an expired one is never offered."""
        day = (on or dt.date.today()).isoformat()
        text = normalise(query)
        if not self.policies or not has_han(text):
            return []
        signals: dict[str, dict[int, float]] = {}
        scores = self.bm25.get_scores(self.lexicon.search_tokens(text))
        signals["bm25"] = {i: float(s) for i, s in enumerate(scores) if s > 0}
        for embedder in self.embedders:
            sims = self.vectors[embedder.name] @ embedder.encode_queries([text[:160]])[0]
            signals[f"{embedder.name}/full"] = {i: float(s) for i, s in enumerate(sims)}
        fused = fuse(signals, {"bm25": 1.0})
        ranked = sorted(fused, key=fused.get, reverse=True)
        hits = []
        for i in ranked:
            policy = self.policies[i]
            if (policy.valid_to and policy.valid_to < day) or (policy.valid_from and policy.valid_from > day):
                continue
            regions = set(policy.subjects.regions)
            if region_codes and regions and not regions & region_codes:
                continue
            if not signals["bm25"].get(i):  # no shared word at all: not about this
                continue
            hits.append(PolicyHit(self.policies[i], round(fused[i], 4)))
            if len(hits) == k:
                break
        return hits

