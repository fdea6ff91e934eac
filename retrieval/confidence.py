"""Is the best hit a real answer? A small logistic model over absolute evidence.

Fused scores are relative (they rank, they do not judge), so the decision uses absolute
features of the best hit: its raw dense similarities and how much of the query it covers.
`python -m retrieval.calibrate` fits the weights on answerable queries (the dev set) and
unanswerable ones (`data/retrieval/no_match_queries.txt`) and writes them to
`data/retrieval/confidence.json`. Between its two thresholds, hits are only suggestions.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.search import Hit


def features(
    hits: list["Hit"], signals: dict[str, dict[int, float]], query_words: int, uncovered_region: bool = False, reranked: bool = False
) -> dict[str, float]:
    """`uncovered_region`: the question names a region where the catalogue holds no unit
    (a Shenzhen question to a catalogue of the province and Guangzhou): a provincial item
    that shares its words is then rarely what is asked for."""
    best = hits[0]
    out = {name: value for name, value in best.signals.items() if "/" in name}
    for name in signals:  # a dense signal that missed the best hit gives no evidence for it
        if "/" in name:
            out.setdefault(name, min(signals[name].values(), default=0.0))
    out["coverage"] = len(best.matched) / max(query_words, 1)
    out["uncovered_region"] = float(uncovered_region)
    if reranked:  # the reranker's probability that the best hit is what was asked for
        out["reranked"] = best.score
    return out


@dataclass
class Confidence:
    weights: dict[str, float] = field(default_factory=lambda: {"coverage": 4.0})
    bias: float = -2.0
    threshold: float = 0.5  # at or above: the best hit is the answer
    # At or above (and below `threshold`): not an answer, but worth offering as "maybe".
    suggest_threshold: float = 0.1

    @classmethod
    def from_file(cls, path: Path) -> "Confidence":
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["threshold"], data.get("suggest_threshold", data["threshold"]))

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(w * values.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
