"""Complaints and suggestions: 12345 takes them, unless the catalogue has a service for it
(投诉律师 → 司法行政业务投诉接收), which is then the answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import confident_reply, send


class ActionComplaint(Action):
    def name(self) -> str:
        return "action_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reply, events = confident_reply(tracker)
        if reply:
            send(dispatcher, reply)
        dispatcher.utter_message(response="utter_complain")
        return events
