"""Pause a form and resume it later, in this conversation or from another channel.

Paused answers stay in this conversation's slots; when the applicant has said who they
are (ID number and phone), they are also kept by the portal as a paused application, so
"继续办理" on any channel finds them after the same two numbers are given again.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answered, asks_a_field_of_the_topic
from actions.context import latest_said, vault
from actions.forms.application import applicant_of, applied_if_asked, raw_answers, reset
from actions.forms.specs import check_answer, shown, slot_value, spec_of
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from retrieval.fields import ASKS_HOW_TO_DO, QUESTION, cues_a_field

RESUME_SLOTS = ("resume_id_number", "resume_phone")


# Words about keeping a form for later: "能先暂停吗", "我先不填了行吗", "明天再继续可以吗" with no
# form are still about pausing.
PAUSING = re.compile(r"暂停|暂存|保存|存着|存一下|[再接]着?填|继续|先不|不[填弄办]了|等(一)?下|等会|待会|稍等|回头|晚点|迟啲|等阵|下次|明天|改天|先放|先停|停一下|歇会|歇一下")


# Words about an application begun before ("昨天填到一半的表还能接着弄吗", "接着办之前那个申请"): with
# them, "继续" asks for the paused answers, whatever else the message asks.
RESUMING = re.compile(r"申请|表|填|一半|没(填|办|弄)完|接[着住](办|弄|填|来)|暂存|保存|找回|继续")
# Words that tell of an application begun at all ("接着办", "上回填了一半"); without them, applying asked for
# is a new application.
BEGUN_BEFORE = re.compile(r"继续|接[着住]|恢复|上次|上回|之前|以前|昨天|前天|暂存|保存|存着|草稿|一半|没(填|办|弄)完|找回|还能")


def asks_something(text: str) -> bool:
    """Whether a message asks a question other than to stop for now ("我晚点再填", "能先暂停吗")."""
    return bool(QUESTION.search(text) or ASKS_HOW_TO_DO.search(text)) and not PAUSING.search(text)


class ActionPauseApplication(Action):
    def name(self) -> str:
        return "action_pause_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        kind = tracker.get_slot("application_kind")
        spec = spec_of(kind)
        if spec is None:
            # No form to pause: a question NLU took for pausing is answered as one, not told there is
            # nothing to pause: a fact of the service under discussion ("再哪办") or any question
            # ("电表要先拆掉，建好再装，先拆表这个怎么申请？", from its 先…再…).
            if asks_a_field_of_the_topic(tracker) or asks_something(latest_said(tracker)):
                return answered(dispatcher, tracker)
            dispatcher.utter_message(text="当前没有正在填写的申请。")
            return []
        raw = raw_answers(tracker, spec)
        applicant = applicant_of(spec, raw)
        here = f"已暂停【{spec['title']}】的填写，已填内容保留。在这里说“继续办理”即可接着填。"
        if not (applicant["id_number"] and applicant["phone"]):
            dispatcher.utter_message(text=here + "（提供身份证号和手机号后，还可以在其他渠道接着办。）")
            return [SlotSet("requested_slot", None)]
        paused = {
            "idempotency_key": f"paused-{uuid.uuid4().hex}",
            "item_code": tracker.get_slot("application_item"),
            "paused": True,
            "applicant": applicant,
            "fields": {"form": kind, "answers": {s: v for s, v in raw.items() if v}},
            "channel": tracker.get_latest_input_channel(),
            "sender_id": tracker.sender_id,
        }
        try:
            await PortalClient.from_settings().call("POST", "/applications", paused)
        except (PortalUnavailable, PortalRejected):
            dispatcher.utter_message(text=here + "（政务服务平台暂时连接不上，暂存只在本次对话中有效。）")
            return [SlotSet("requested_slot", None)]
        dispatcher.utter_message(
            text=here + "在网页、微信等其他渠道说“继续办理”，验证身份证号和手机号后也能接着填。"
        )
        return [SlotSet("requested_slot", None)]


class ActionResumeApplication(Action):
    def name(self) -> str:
        return "action_resume_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # A receipt number half-given to the progress form ("继续办理" left it) is not kept for later.
        progress_left = [SlotSet(s, None) for s in ("receipt_number", "progress_applicant") if tracker.get_slot(s)]
        spec = spec_of(tracker.get_slot("application_kind"))
        if spec is not None:  # paused in this conversation
            dispatcher.utter_message(text=f"好的，继续填写【{spec['title']}】。")
            return [*progress_left, FollowupAction("application_form")]
        said = latest_said(tracker)
        # Applying asked for in words that tell of no application begun before ("中，先帮俺把补营业执照的申请填上",
        # from 填): the service under discussion applied for, as "我现在就申请" would.
        if not BEGUN_BEFORE.search(said) and (applying := await applied_if_asked(dispatcher, tracker, domain)) is not None:
            return [*progress_left, *applying]
        if (asks_something(said) or (cues_a_field(said) and not PAUSING.search(said))) and not RESUMING.search(said):
            # No form paused here, and a question NLU took for resuming one ("接着说续社保那事儿，俺得提前
            # 备好啥东西", from 接着): answered, not a check of identity the user never asked for.
            return [*progress_left, *answered(dispatcher, tracker)]
        dispatcher.utter_message(text="为了找到您暂存的申请，需要先核对身份。")
        return [*progress_left, FollowupAction("resume_form")]


class ValidateResumeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_resume_form"

    def _check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        checked, problem = check_answer(tracker.sender_id, slot, value if isinstance(value, str) else "")
        if problem:
            dispatcher.utter_message(text=problem)
            return {slot: None}
        return {slot: shown(slot, checked)}

    async def validate_resume_id_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._check("resume_id_number", value, dispatcher, tracker)

    async def validate_resume_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._check("resume_phone", value, dispatcher, tracker)


class ActionRestoreApplication(Action):
    """After the resume form: take the paused answers from the portal and carry on."""

    def name(self) -> str:
        return "action_restore_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        numbers = {s: vault().get(tracker.sender_id, tracker.get_slot(s) or "") or "" for s in RESUME_SLOTS}
        clear = [SlotSet(s, None) for s in RESUME_SLOTS]
        try:
            paused = await PortalClient.from_settings().call(
                "POST", "/paused-applications/claim", {"id_number": numbers["resume_id_number"], "phone": numbers["resume_phone"]}
            )
        except PortalRejected:
            dispatcher.utter_message(text="没有找到与这个身份证号和手机号相符的暂存申请。可以重新开始办理，比如说“我要办居住证”。")
            return clear
        except PortalUnavailable:
            dispatcher.utter_message(text="政务服务平台暂时连接不上，请稍后再说“继续办理”。")
            return clear
        kind = paused["fields"].get("form")
        spec = spec_of(kind)
        if spec is None:
            dispatcher.utter_message(text="暂存的申请已无法继续（表单已更新），请重新开始办理。")
            return clear
        restored: list[EventType] = [*reset(), SlotSet("application_kind", kind), SlotSet("application_item", paused["item_code"])]
        for slot, value in paused["fields"].get("answers", {}).items():
            if slot in spec["slots"] and isinstance(value, str):
                restored.append(SlotSet(slot, slot_value(tracker.sender_id, slot, value)))
        answered = len(paused["fields"].get("answers", {}))
        dispatcher.utter_message(text=f"找到了您暂存的【{spec['title']}】申请（已填{answered}项），我们接着填。")
        return [*clear, *restored, FollowupAction("application_form")]
