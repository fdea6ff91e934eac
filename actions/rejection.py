"""A rejection that says what was meant ("不是这个，我问的是结婚登记") is a question about that.

NLU reads a short rejection as `deny`, whose reply used to be "换个说法" even when the user
had just said it. When the rejection is followed by a clause of its own (after a comma, or
"我问的是…"), that clause is searched as a new question: the last fact asked carries over
("要多久", then "不是这个，我问的是结婚登记" asks how long 结婚登记 takes; a clause too thin
to search alone, "…我问的是认定", corrects the last question), a region it names
filters (and is kept), and neither the rejected item nor the choices just offered (but one
the words name) are answered or offered again in the reply. Anything else ("不对",
"不是这个服务", "不是本人能办吗") still asks for other words."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import pick_in_words, reply_for, send, strip_field_cues
from actions.context import knowledge
from actions.topic import Topic, thresholds
from catalogue.store import Catalogue
from retrieval.fields import detect_field
from retrieval.search import Filters, Searcher, SearchResult

# One rejection or several ("不对不对"), then a separator or "我问的是": what follows is a clause.
REJECTION = re.compile(
    r"^\s*都?(?:不是这个|不是这些|不是这样|不是|不对|错了|搞错了)+[的啊呀吧]?"
    r"(?:[，,。.!！\s]+(?:我(?:要|想)?(?:问|说|办|找|要办|想办|要找)的是)?|我(?:要|想)?(?:问|说|办|找|要办|想办|要找)的是)"
)


class ActionDeny(Action):
    def name(self) -> str:
        return "action_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        searcher, catalogue = knowledge()
        topic = Topic.of(tracker)
        meant = what_was_meant(searcher, catalogue, topic, text)
        if meant is not None:
            reply, events = reply_for(meant.result, meant.field, catalogue)
            if reply is not None:
                send(dispatcher, reply)
                regional = [SlotSet("region", meant.region)] if meant.region else []
                return regional + events + [SlotSet("last_query", meant.query), SlotSet("last_field", meant.field)]
        dispatcher.utter_message(response="utter_deny")
        return []


@dataclass(frozen=True)
class Meant:
    result: SearchResult  # what the clause finds, without what was rejected
    query: str  # the words searched (the next "济南的呢" searches them again)
    field: str | None  # the fact asked, or the last one
    region: str | None  # the region the clause names


def what_was_meant(searcher: Searcher, catalogue: Catalogue, topic: Topic, text: str) -> Meant | None:
    """The search for the clause after a rejection, or None when there is no such clause."""
    clause = REJECTION.sub("", text, count=1)
    asked = strip_field_cues(clause)
    content = catalogue.gazetteer.without_regions(asked)
    if clause == text or not searcher.index.lexicon.tokens(content):
        return None
    specific, unknown = searcher.word_profile(content)
    if specific < thresholds().specific and not unknown and topic.query:
        # Words the catalogue uses widely ("…我问的是认定" after 教师资格 choices) are too little to
        # search alone: they correct the last question. (A word it never uses alone, "结婚" among
        # items that say 结婚登记, is searched as it is.)
        content = asked = f"{topic.query} {content}"
    region = catalogue.gazetteer.resolve(clause)
    result = searcher.search(content, Filters(region_code=region.code if region else topic.region, target=topic.target), k=10, said=clause)
    # The choices just shown were rejected too, unless the words name one of them.
    named = pick_in_words(searcher, content, topic.offered) if topic.offered else None
    shown = [code for code in topic.offered if code != named]
    rejected = {i.service_key for i in map(catalogue.entry, (topic.code, *shown)) if i is not None}
    found_rejected = result.best is not None and result.best.item.service_key in rejected  # then no answer
    result = replace(result, hits=[] if found_rejected else [h for h in result.hits if h.item.service_key not in rejected])
    return Meant(result, asked, detect_field(clause) or topic.field, region.code if region else None)
