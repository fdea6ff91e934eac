"""A rejection that says what was meant ("不是这个，我问的是结婚") is a question about that.

NLU reads a short rejection as `deny`, whose reply used to be "换个说法" even when the user
had just said it. The words after the rejection are searched as a new question: the last
fact asked carries over ("要多久", then "不是这个，我问的是结婚" asks how long 结婚登记
takes), and the rejected item is never the answer again. A bare "不是" still asks for other
words."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import reply_for, send, strip_field_cues
from actions.context import knowledge
from actions.topic import Topic
from retrieval.fields import detect_field
from retrieval.search import Filters

REJECTION = re.compile(r"^\s*(不是这个|不是这些|不是这样|不是|不对|错了|搞错了)[，,。.!！\s]*(我(要|想)?(问|说|办|找|要办|想办|要找)的是)?")


class ActionDeny(Action):
    def name(self) -> str:
        return "action_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        meant = REJECTION.sub("", text, count=1)
        searcher, catalogue = knowledge()
        content = catalogue.gazetteer.without_regions(strip_field_cues(meant))
        if meant != text and searcher.index.lexicon.tokens(content):
            topic = Topic.of(tracker)
            field = detect_field(meant) or topic.field
            result = searcher.search(content, Filters(region_code=topic.region, target=topic.target), k=10, said=meant)
            rejected = catalogue.entry(topic.code)
            if rejected is not None:
                if result.best is not None and result.best.item.service_key == rejected.service_key:
                    result = replace(result, hits=[])  # the words found what was rejected: no answer
                result = replace(result, hits=[h for h in result.hits if h.item.service_key != rejected.service_key])
            reply, events = reply_for(result, field, catalogue)
            if reply is not None:
                send(dispatcher, reply)
                return events + [SlotSet("last_query", meant), SlotSet("last_field", field)]
        dispatcher.utter_message(response="utter_deny")
        return []
