"""Complaints, reports, suggestions, requests for help: the catalogue's service when it has
a sure one for it (投诉律师 → 司法行政业务投诉接收), else a 12345 work order filed in the
conversation (actions/workorder.py)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import confident_reply, send
from actions.workorder import start
from actions.workorder_filing import status_reply

# Asking how an earlier complaint went, not making a new one.
STATUS_QUESTION = re.compile(r"(结果|进度|怎么样了|处理了没|处理得|有人管了没|回复了|答复了|办到哪)")


class ActionComplaint(Action):
    def name(self) -> str:
        return "action_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.active_loop.get("name"):  # inside another form: say where complaints go, keep filling
            dispatcher.utter_message(response="utter_complain")
            return []
        if STATUS_QUESTION.search(tracker.latest_message.get("text") or ""):  # "我的投诉有结果了吗" read as a complaint
            status = await status_reply(tracker, only_filed=True)
            if status:
                dispatcher.utter_message(text=status)
                return []
        reply, events = confident_reply(tracker)
        if reply:
            send(dispatcher, reply)
            dispatcher.utter_message(response="utter_complain")
            return events
        return start(tracker, dispatcher)
