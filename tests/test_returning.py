"""Which words point back at a service asked about earlier (actions/returning.py)."""

from __future__ import annotations

import re

import pytest

from actions.returning import earlier_topics, pointer_clause, return_pattern, without_pointer


@pytest.mark.parametrize(
    "said, clause",
    [
        ("回到刚才水稻管理那个，我家老人不会上网，窗口在哪", "回到  水稻管理  "),  # (the clause naming it, not the case told)
        ("对了，刚才查画家那个，有没有电话", "  查画家  "),
        ("刚才那个查公证处的，要多久", "    查公证处的"),
        ("回头说那个钱，得交啥", " 那个钱"),
        ("头先问嘅公证处喺边", "    公证处喺边"),
        ("我刚刚交了材料，多久能拿到", None),  # (a word of time alone points at nothing)
        ("上一个月交的社保断了", None),
    ],
)
def test_a_pointer_back_and_the_words_naming_what_it_points_at(said, clause) -> None:
    pointer = return_pattern().search(said)
    assert (without_pointer(pointer_clause(said, pointer)) if pointer else None) == clause


class Tracker:
    def __init__(self, events: list[dict], rejected: list[str] = ()) -> None:
        self.events, self.rejected = events, list(rejected)

    def get_slot(self, name: str):
        return self.rejected if name == "rejected_items" else None


def topic_set(code: str | None) -> dict:
    return {"event": "slot", "name": "current_item", "value": code}


def test_the_earlier_topics_are_this_sessions_most_recent_first_less_those_rejected() -> None:
    events = [topic_set("A"), {"event": "session_started"}, topic_set("B"), topic_set("C"), topic_set(None), topic_set("B"), topic_set("D"), topic_set("E")]
    assert earlier_topics(Tracker(events), "E") == ["D", "B", "C"]
    assert earlier_topics(Tracker(events, rejected=["D"]), "E") == ["B", "C"]
    assert re.search(return_pattern(), "之前那个窗口说要复印件")  # (points, but at a window: `returned_to` weighs the words)
