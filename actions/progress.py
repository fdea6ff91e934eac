"""Application progress ("我的申请到哪一步了").

Applications made in this conversation are shown with their live timelines. Otherwise
the progress form asks for the receipt number (受理编号) and, as the applicant check, the
applicant's ID number or phone. A question that names a catalogue service
("身份证办好没有能在哪查") is answered with that service's item: many items are
themselves progress lookups; so is one naming no service while one is under discussion, with
that service's lookup if the catalogue has one (`actions.answer.topic_progress_lookup`).
A question that NLU took for a progress question without being sure, or that is given instead
of the receipt number, is answered as the question it is (`asks_something_else`); the number is
not asked for again and again.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_if_sure, answered, asks_a_field_of_the_topic, confident_reply, send, topic_progress_lookup
from actions.context import outbox, vault
from actions.forms.specs import spec_of
from actions.forms.validators import VALIDATORS
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from actions.workorder_filing import status_reply
from channels.privacy import mask_pii
from retrieval.fields import asks_a_fact, cues_a_field

RECEIPT_NUMBER = re.compile(r"SD\d{14}")


def timeline_text(receipt: str, timeline: list[dict[str, Any]]) -> str:
    return f"受理编号 {receipt}：" + " → ".join(f"{e['status']}（{e['at'][:10]}）" for e in timeline)


# Whether something has happened yet, at the end, asks about an application ("我的申请批下来了吗",
# "审核通过了没", "办好咗未"), not how long the service takes ("审核通过了以后多久拿到证").
DONE_YET = re.compile(r"(了|咗)(吗|么|嘛|没有?|未|冇)\s*[？?]?\s*$|没有?\s*[？?]?\s*$")
# Words that speak of a number or of an application's state: a message saying one is about progress.
# (找 / 查 / 号: where the number is, "我没有那个号，在哪找")
OF_AN_APPLICATION = re.compile(r"号|进度|进展|哪一步|到哪|结果|状态|审核|审批|批下来|通过|办好|处理(得|了|好)|回复|答复|回音|申请|提交|交咗|消息|找|查")
# Below this NLU confidence an ask_progress that says none of those words is read as the question it may be.
SURE_OF_PROGRESS = 0.6


def asks_something_else(tracker: Tracker) -> bool:
    """Whether a message NLU took for a progress question (or gave when the progress form asked
    for the receipt number) asks about a service instead: "佛山顺德嘅车管所喺边度，我要过去处理啲嘢"
    (ask_progress 0.47) wants the place, not a receipt number asked for on every turn after."""
    text = tracker.latest_message.get("text") or ""
    if re.search(r"\d", text) or OF_AN_APPLICATION.search(text) or DONE_YET.search(text):
        return False
    return cues_a_field(text) or asks_a_fact(text)


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
        return timeline_text(receipt, timeline)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        from actions.forms.application import applied_if_asked  # (that module builds on the answers this one uses)

        if (applying := await applied_if_asked(dispatcher, tracker, domain)) is not None:  # ("…替俺闺女把这一套申请开起来")
            return applying
        work_orders = await status_reply(tracker)  # "我反映的问题处理得怎么样了": 12345 work orders
        if work_orders:
            dispatcher.utter_message(text=work_orders)
            return []
        if tracker.get_slot("receipt_number"):  # a number was given: look it up
            return [FollowupAction("progress_form")]
        mine = [(a, r) for a, r in outbox().of_sender(tracker.sender_id) if "work_order" not in a]  # work orders: above
        lines = ["您在本次对话中提交的申请："] if mine else []
        for application, result in mine:  # applications made in this conversation: their live timelines
            lines.append(await self.describe(application, result))
        begun = spec_of(tracker.get_slot("application_kind"))
        if begun is not None:  # begun here, not submitted: nothing to look up yet
            lines.append(unsubmitted_line(begun, tracker))
        if lines:
            dispatcher.utter_message(text="\n".join(lines))
            return []
        text = tracker.latest_message.get("text") or ""
        if asks_a_field_of_the_topic(tracker) and not DONE_YET.search(text):  # "批下来几耐" on a service discussed: its time limit
            events = answered(dispatcher, tracker)
        else:
            reply, events = confident_reply(tracker)
            if not reply:
                reply, events = topic_progress_lookup(tracker)
            if not reply:
                unsure = (tracker.latest_message.get("intent") or {}).get("confidence", 1.0) < SURE_OF_PROGRESS
                if not (unsure and asks_something_else(tracker)):
                    return [FollowupAction("progress_form")]
                return answered(dispatcher, tracker)  # the question it is, answered
            send(dispatcher, reply)
        dispatcher.utter_message(text="如果要查询您已提交申请的办理进度，请告诉我受理编号。")
        return events


def unsubmitted_line(spec: dict[str, Any], tracker: Tracker) -> str:
    """An application begun in this conversation: paused with questions open, or filled in
    and waiting at its summary for "确认提交"."""
    if all(tracker.get_slot(slot) is not None for slot in spec["slots"]):
        state = "已填写完毕、尚未提交，核对无误请说“确认提交”。"
    else:
        state = "已暂停、尚未提交，说“继续办理”即可接着填写。"
    return f"您的【{spec['title']}】申请{state}查询已提交申请的进度，请告诉我受理编号。"


class ValidateProgressForm(FormValidationAction):
    def name(self) -> str:
        return "validate_progress_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("requested_slot") == "receipt_number" and asks_something_else(tracker):
            # A question instead of the number ("有冇电话问"): the user has none to give. Answered surely with a
            # service, the form is left (`action_show_progress`, which the form's end leads to, then has
            # nothing to show); else the number is asked for again.
            events = answer_if_sure(dispatcher, tracker)
            if events is not None:
                return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("receipt_number", None), *events]
        return await super().run(dispatcher, tracker, domain)

    async def validate_receipt_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        found = RECEIPT_NUMBER.search(re.sub(r"\s", "", str(value or "")).upper())
        if not found:
            dispatcher.utter_message(text="受理编号是SD开头加14位数字，例如SD20260101000123，可在提交成功的通知里找到。")
            return {"receipt_number": None}
        return {"receipt_number": found.group()}

    async def validate_progress_applicant(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        raw = vault().find(tracker.sender_id, text) or text
        for check in (VALIDATORS["id_number"], VALIDATORS["mobile"]):
            checked, problem = check(raw)
            if not problem:
                return {"progress_applicant": mask_pii(checked)}
        dispatcher.utter_message(text="请提供申请时填写的18位身份证号或11位手机号，用于核对是否本人查询。")
        return {"progress_applicant": None}


class ActionShowProgress(Action):
    """After the progress form: the timeline, if the applicant check passes."""

    def name(self) -> str:
        return "action_show_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        receipt = tracker.get_slot("receipt_number") or ""
        if not receipt:  # the form left for a question, answered already
            return []
        masked = tracker.get_slot("progress_applicant") or ""
        applicant = vault().get(tracker.sender_id, masked) or masked
        try:
            found = await PortalClient.from_settings().progress(receipt, applicant)
            dispatcher.utter_message(text=timeline_text(receipt, found["timeline"]))
        except PortalRejected:  # unknown number or wrong applicant: the same answer, no probing
            dispatcher.utter_message(text=f"没有查到受理编号 {receipt} 下与该身份证号或手机号相符的申请，请核对后再试。")
        except PortalUnavailable:
            dispatcher.utter_message(text="政务服务平台暂时连接不上，请稍后再查询。")
        return [SlotSet("receipt_number", None), SlotSet("progress_applicant", None)]
