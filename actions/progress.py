"""Application progress ("我的申请到哪一步了"): needs the receipt number first."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


class ActionApplicationProgress(Action):
    def name(self) -> str:
        return "action_application_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        receipt = tracker.get_slot("receipt_number")
        if not receipt:
            dispatcher.utter_message(response="utter_ask_receipt_number")
            return []
        dispatcher.utter_message(
            text=f"受理编号 {receipt} 的办理进度，可在省政务服务网“我的办件”或“爱山东”App中查询，也可拨打受理部门咨询电话。"
        )
        return []
