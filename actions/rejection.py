"""A rejection that says what was meant ("不是这个，我问的是结婚登记") is a question about that.

NLU reads a short rejection as `deny`, whose reply used to be "换个说法" even when the user
had just said it. When the rejection is followed by a clause of its own (after a comma, or
"我问的是…"), that clause is searched as a new question: the last fact asked carries over
("要多久", then "不是这个，我问的是结婚登记" asks how long 结婚登记 takes; a clause too thin
to search alone, "…我问的是认定", corrects the last question), a region it names
filters (and is kept), and neither the rejected item nor the choices just offered (but one
the words name) are answered or offered again in the reply. A clause that names only a
fact or a place ("不是，我问的是要多久", "不对，我说的是广州的") asks it of the item under
discussion, and a clause naming a place other than the conversation's rejects the place,
not the service ("不对，我说的是青岛的结婚登记要多久"). Anything else ("不对", "不是这个服务",
"不是本人能办吗") still asks for other words, and what was shown (the item, or the choices)
goes to the slot `rejected_items`: no longer the topic, and left out of the next search until
an answer shows an item (actions/answer.py). A rejection too long for NLU to read as one
(over the small-talk guard's 15 characters) reaches `action_answer`, which hands it here
(`answer_rejection`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import (
    answer_about,
    answered,
    asks_a_fact_of_the_topic,
    asks_a_field_of_the_topic,
    content_words,
    field_in_words,
    narrow,
    pick_in_words,
    read_words,
    reply_for,
    search_words,
    send,
    units_choice,
    units_to_choose,
    without_rejected,
)
from actions.context import knowledge
from actions.topic import REJECTION, Topic, thresholds
from catalogue.store import Catalogue
from retrieval.search import Filters, Searcher, SearchResult


class ActionDeny(Action):
    def name(self) -> str:
        return "action_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if asks_a_field_of_the_topic(tracker) or asks_a_fact_of_the_topic(tracker):  # "要不要亲自过去", "礼拜六开门不": follow-ups
            return answered(dispatcher, tracker)
        return answer_rejection(dispatcher, tracker)


def answer_rejection(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Answer what a rejection says was meant; with nothing to answer, ask for other words."""
    text = tracker.latest_message.get("text") or ""
    searcher, catalogue = knowledge()
    topic = Topic.of(tracker)
    meant = what_was_meant(searcher, catalogue, topic, text)
    reply, events = reply_for(meant.result, meant.field, catalogue) if meant is not None else (None, [])
    if reply is not None:
        send(dispatcher, reply)
        regional = [SlotSet("region", meant.region)] if meant.region else []
        return regional + events + [SlotSet("last_query", meant.query), SlotSet("last_field", meant.field), SlotSet("rejected_items", None)]
    clause = clause_after(text)
    # After a bare "不对" the item shown is no topic, but "不是，我问的是在哪里办" says the
    # fact was wrong, not the item: it is asked of that item again.
    rejected_before = tracker.get_slot("rejected_items") or []
    recalled = replace(topic, code=topic.code or (rejected_before[0] if len(rejected_before) == 1 else None))
    events = fact_or_place_meant(dispatcher, searcher, catalogue, recalled, clause) if clause is not None else None
    if events is not None and rejected_before:
        events.append(SlotSet("rejected_items", None))
    if events is None:
        dispatcher.utter_message(response="utter_deny")
        # What was shown is no longer what the conversation is about ("要多久" now asks which
        # service), and the user's next words are not answered with it again.
        rejected = [code for code in (topic.code, *topic.offered) if code]
        events = [SlotSet("rejected_items", rejected), SlotSet("current_item", None), SlotSet("offered_items", None)] if rejected else []
    return events


def clause_after(text: str) -> str | None:
    """The clause that follows a rejection ("不是这个，我问的是结婚登记": 结婚登记), if any."""
    clause = REJECTION.sub("", text, count=1)
    return clause if clause != text else None


def fact_or_place_meant(dispatcher: CollectingDispatcher, searcher: Searcher, catalogue: Catalogue, topic: Topic, clause: str) -> list[EventType] | None:
    """"不是，我问的是要多久" / "不对，我说的是广州的": the item under discussion, asked that
    fact or answered for that place."""
    item = catalogue.entry(topic.code)
    field, region = field_in_words(searcher, catalogue, clause), catalogue.gazetteer.resolve(clause)
    if item is None or not (field or region):
        return None
    if region:  # the last question, or the fact this clause asks, there
        asked = replace(topic, field=field or topic.field)
        events = narrow(dispatcher, asked, Filters(region_code=region.code, target=topic.target), catalogue, searcher)
        return [SlotSet("region", region.code), SlotSet("last_field", asked.field), *events]
    units = units_to_choose(item, field, topic.region, catalogue)
    if units:  # the place asked, with the city known: which district's unit?
        reply, unit_events = units_choice(units)
        send(dispatcher, reply)
        return [SlotSet("last_field", field), *unit_events]
    reply, shown = answer_about(item, field, topic.region, catalogue)
    send(dispatcher, reply)
    return [SlotSet("current_item", shown.code), SlotSet("last_field", field)]


@dataclass(frozen=True)
class Meant:
    result: SearchResult  # what the clause finds, without what was rejected
    query: str  # the words searched (the next "济南的呢" searches them again)
    field: str | None  # the fact asked, or the last one
    region: str | None  # the region the clause names


def what_was_meant(searcher: Searcher, catalogue: Catalogue, topic: Topic, text: str) -> Meant | None:
    """The search for the clause after a rejection, or None when there is no such clause."""
    clause = clause_after(text)
    if clause is None:
        return None
    words = read_words(searcher, catalogue, clause)
    if not content_words(searcher, words.content):
        return None  # a clause that names no service ("…我问的是在哪里办", "…我问的是能不能找人代办")
    specific, unknown = searcher.word_profile(words.content)
    if specific < thresholds().specific and not unknown and topic.query:
        # Words the catalogue uses widely ("…我问的是认定" after 教师资格 choices) are too little to
        # search alone: they correct the last question. (A word it never uses alone, "结婚" among
        # items that say 结婚登记, is searched as it is.)
        joined = f"{topic.query} {words.content}"
        words = replace(words, content=joined, asked=joined)
    region = catalogue.gazetteer.resolve(clause)
    filters = Filters(region_code=region.code if region else topic.region, target=topic.target)
    # ("…我问的是结婚登记能找人代办吗": 结婚登记, asked whether 找人代办 will do)
    words, result = search_words(searcher, words, clause, filters)
    content, asked = words.content, words.asked
    # The choices just shown were rejected too, unless the words name one of them.
    named = pick_in_words(searcher, content, topic.offered) if topic.offered else None
    shown = [code for code in topic.offered if code != named]
    # A place other than the conversation's rejects the place, not the service ("不对，我说的是青岛的…").
    elsewhere = region is not None and region.code != topic.region
    result = without_rejected(result, catalogue, (None if elsewhere else topic.code, *shown))
    return Meant(result, asked, words.field or topic.field, region.code if region else None)
