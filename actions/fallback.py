"""When the dialogue policies are unsure what to do next."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import answer_if_sure


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]


class ActionOutOfScope(Action):
    """A message NLU reads as outside government services: answered as a question when the
    catalogue answers it surely ("印花税已经在网上缴了，还想要一张印花税票销售凭证，怎么开" read as
    out_of_scope 0.67, while retrieval is sure of 转开印花税票销售凭证), else said to be out of scope.
    The topic stays either way for the next follow-up."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events = answer_if_sure(dispatcher, tracker)
        if events is not None:
            return events
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
