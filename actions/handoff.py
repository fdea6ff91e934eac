"""Hand the conversation to a human: pause the bot and queue it with its transcript."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_queue import HandoffQueue

TRANSCRIPT_EVENTS = {"user": "user", "bot": "bot"}


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    return [
        {"from": TRANSCRIPT_EVENTS[e["event"]], "text": e.get("text") or ""}
        for e in tracker.events
        if e.get("event") in TRANSCRIPT_EVENTS and e.get("text")
    ]


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        channel = tracker.get_latest_input_channel()
        ticket = HandoffQueue().add(tracker.sender_id, channel, transcript(tracker))
        dispatcher.utter_message(
            text=f"已为您转接人工客服（排队号 {ticket}），请稍候，工作人员会在这里回复您。",
            json_message={"handoff": {"ticket": ticket}},
        )
        return [ConversationPaused()]
