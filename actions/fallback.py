"""When the dialogue policies are unsure what to do next."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import answer_if_sure
from retrieval.fields import ASKS_FOR_A_RECOMMENDATION, asks_how_or_a_fact

# Asked for something no office gives, though its words name a service ("推荐几部关于退休生活的电影",
# "帮我推荐个代理记账公司，公司注册用的").
# A story to be told, a purchase to weigh; not a contribution grade to choose ("灵活就业社保按哪档交划算").
NOT_FROM_AN_OFFICE = re.compile(rf"{ASKS_FOR_A_RECOMMENDATION.pattern}|电影|电视剧|小说|笑话|(讲|说|来).{{0,4}}故事|(买|卖|投资|理财).{{0,8}}划算")


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]


class ActionOutOfScope(Action):
    """A message NLU reads as outside government services: answered as a question when the
    catalogue answers it surely ("印花税已经在网上缴了，还想要一张印花税票销售凭证，怎么开" read as
    out_of_scope 0.67, while retrieval is sure of 转开印花税票销售凭证) when it asks how to do it or
    a fact of it, else said to be out of scope. The topic stays either way for the next follow-up."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        asks = asks_how_or_a_fact(text) and not NOT_FROM_AN_OFFICE.search(text)
        events = answer_if_sure(dispatcher, tracker) if asks else None
        if events is not None:
            return events
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
