"""Application progress ("我的申请到哪一步了"): needs the receipt number first.

A question that names a catalogue service ("身份证办好没有能在哪查") is answered with
that service's item: many items are themselves progress lookups.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import confident_reply, send
from actions.context import outbox
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable


class ActionApplicationProgress(Action):
    def name(self) -> str:
        return "action_application_progress"

    @staticmethod
    async def describe(application: dict[str, Any], result: dict[str, Any] | None) -> str:
        if not result or not result.get("receipt_number"):
            return "一件申请正在等待政务服务平台恢复后自动提交（已妥善保存）。"
        receipt = result["receipt_number"]
        applicant = application["applicant"].get("phone") or application["applicant"].get("id_number") or ""
        try:
            timeline = (await PortalClient.from_settings().progress(receipt, applicant))["timeline"]
        except (PortalUnavailable, PortalRejected):
            return f"受理编号 {receipt}：{result['status']}（平台暂时无法连接，显示的是提交时的状态）"
        return f"受理编号 {receipt}：" + " → ".join(f"{e['status']}（{e['at'][:10]}）" for e in timeline)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        receipt = tracker.get_slot("receipt_number")
        if receipt:
            dispatcher.utter_message(
                text=f"受理编号 {receipt} 的办理进度，可在省政务服务网“我的办件”或“爱山东”App中查询，也可拨打受理部门咨询电话。"
            )
            return []
        mine = outbox().of_sender(tracker.sender_id)
        if mine:  # applications made in this conversation: their live timelines
            lines = ["您在本次对话中提交的申请："]
            for application, result in mine:
                lines.append(await self.describe(application, result))
            dispatcher.utter_message(text="\n".join(lines))
            return []
        reply, events = confident_reply(tracker)
        if reply:
            send(dispatcher, reply)
            dispatcher.utter_message(text="如果要查询您已提交申请的办理进度，请告诉我受理编号。")
            return events
        dispatcher.utter_message(response="utter_ask_receipt_number")
        return []
