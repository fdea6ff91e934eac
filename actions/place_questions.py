"""Whether words beside a place ask about the place itself or say where the user is.

"济南今天限号吗" on 退休“一件事” names a region as "我在济南上班" does, and both say little
the catalogue knows; word rules failed to tell them apart (README, Conversations, sessions
20-21). A logistic model over the sentence embedding of the words left once the place is
taken out does: it is fitted at start on authored examples of both
(`data/dialogue/place_questions.tsv`, a `{city}` in each) and measured on others
(tests/data/place_questions_heldout.tsv).
"""

from __future__ import annotations

import random
from functools import lru_cache

from sklearn.linear_model import LogisticRegression

from actions.topic import dialogue_words
from retrieval.fields import strip_field_cues
from retrieval.search import Searcher
from retrieval.text import normalise

# The examples' {city} is filled with one of the portal's cities (drawn with this seed) and
# taken out again before embedding, as the bot reads a message.
SEED = 7
REGULARISATION = 10.0  # (C; README, Conversations, session 21)


class PlaceQuestions:
    def __init__(self, searcher: Searcher) -> None:
        self.gazetteer = searcher.gazetteer
        self.embedder = searcher.index.embedders[0]
        rng = random.Random(SEED)
        cities = [r.name for r in self.gazetteer.regions.values() if r.level == "市"] or [self.gazetteer.province.name]
        texts, labels = [], []
        for line in dialogue_words("place_questions.tsv"):
            label, _, example = line.partition("\t")
            if label not in ("place", "tell") or "{city}" not in example:
                raise ValueError(f"data/dialogue/place_questions.tsv: not `place|tell<TAB>…{{city}}…`: {line!r}")
            texts.append(normalise(self.content(example.replace("{city}", rng.choice(cities)))))
            labels.append(label == "place")
        self.model = LogisticRegression(C=REGULARISATION, max_iter=2000, class_weight="balanced")
        self.model.fit(self.embedder.encode_queries(texts), labels)

    def content(self, text: str) -> str:
        """The words as `action_answer` measures them: no place, no field cue."""
        return self.gazetteer.without_regions(strip_field_cues(text))

    def probability(self, content: str) -> float:
        """How likely the words (place and field cues already out) ask about the place itself."""
        if not content.strip():
            return 0.0
        return float(self.model.predict_proba(self.embedder.encode_queries([normalise(content)]))[0, 1])


@lru_cache(maxsize=2)
def place_questions(searcher: Searcher) -> PlaceQuestions:
    return PlaceQuestions(searcher)
