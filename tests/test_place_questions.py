"""The place-question model (actions/place_questions.py) on examples written apart from its
training ones: words beside a place that ask about the place itself, or say where the user is."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.place_questions import place_questions
from actions.topic import thresholds
from retrieval.fields import detect_field

# The first file was written with the word-rule trials and a review's hard narrowings; the
# second by another hand, without sight of the training examples, after the threshold was set.
HELD_OUT = [Path(__file__).parent / "data" / name for name in ("place_questions_heldout.tsv", "place_followups.tsv")]
# The held-out lines name Shandong's cities; for Guangdong's portal, its own in their place.
TO_GUANGDONG = {"济南": "广州", "青岛": "深圳", "烟台": "佛山", "潍坊": "东莞", "济宁": "中山",
                "淄博": "珠海", "历下": "天河", "市南区": "福田区", "崂山区": "南山区", "胶州": "江门"}


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.name)
def test_questions_about_a_place_are_told_from_where_the_user_is(sd_searcher, gd_searcher, path: Path) -> None:
    """Scored as the bot asks: a region named and no fact asked; a field question narrows anyway, so it
    is never read as a question about the place."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for searcher, cities in ((sd_searcher, {}), (gd_searcher, TO_GUANGDONG)):
        model, threshold = place_questions(searcher), thresholds().about_place
        scored = []
        for label, text in rows:
            for city, other in cities.items():
                text = text.replace(city, other)
            if searcher.gazetteer.resolve(text):  # a field question narrows: never a place question
                scored.append((label, text, 0.0 if detect_field(text) else model.probability(model.content(text))))
        told = [(text, p) for label, text, p in scored if label == "tell" and p >= threshold]
        asked = [p >= threshold for label, _, p in scored if label == "place"]
        tells = sum(label == "tell" for label, _, _ in scored)
        assert len(scored) >= 30 and len(told) <= 0.05 * tells, told  # a narrowing read as a place question loses the user's answer
        assert sum(asked) / len(asked) >= 0.85, scored  # measured 18 of 18 and 34 of 37 (2 of 40 narrowings lost), Shandong's cities
