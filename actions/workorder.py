"""12345 work orders from the conversation: a complaint, report, suggestion or request for
help that no service item answers is filed through one Rasa form (`workorder_form`) —
what happened, where (resolved against the gazetteer), when, a contact phone — then a
summary with the classifier's category and department, and “确认提交” files it with the
portal, which gives its number. “我反映的问题处理得怎么样了” shows its status
(actions/progress.py asks here first); department replies are pushed by the notifier.

The phone is masked by the channel like every personal number; its raw value comes from
the vault only when the work order is filed, and the portal keeps it encrypted.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import knowledge, outbox, vault
from actions.forms.interruptions import UNANSWERED, question_in_form
from actions.forms.validators import VALIDATORS
from actions.hotline import classify
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable, keep_delivering, submit_or_queue
from channels.privacy import mask_pii
from settings import get_settings

ASKED = ("workorder_what", "workorder_where", "workorder_when", "workorder_phone")
DERIVED = ("workorder_region", "workorder_category", "workorder_department")
NUMBER = re.compile(r"WO\d{14}", re.IGNORECASE)
# Words that ask about a work order rather than an application ("我反映的问题…", "投诉有结果了吗").
ABOUT_WORK_ORDERS = re.compile(r"反映|投诉|举报|工单|诉求|建议|求助|12345")
PUNCTUATION = re.compile(r"[\s，。！？、,.!?；;：:“”\"'（）()…~～]+")


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    return yaml.safe_load((get_settings().data_dir / "hotline" / "workorder.yml").read_text(encoding="utf-8"))


def label(slot: str) -> str:
    return words()["slots"][slot]["label"]


def substance(text: str) -> str:
    """What is left of a message without the words that only announce a complaint."""
    rest = PUNCTUATION.sub("", text)
    for word in sorted(words()["opening_words"], key=len, reverse=True):
        rest = rest.replace(word, "")
    return rest


def says_what_happened(text: str) -> bool:
    return len(substance(text)) >= words()["min_what_chars"]


def in_progress(tracker: Tracker) -> bool:
    return any(tracker.get_slot(s) for s in ASKED) or str(tracker.get_slot("requested_slot") or "").startswith("workorder_")


def ready(tracker: Tracker) -> bool:
    """Every question answered: the summary was shown, “确认提交” files it."""
    return all(tracker.get_slot(s) for s in ASKED)


def reset() -> list[EventType]:
    return [SlotSet(s, None) for s in (*ASKED, *DERIVED, "requested_slot")]


def start(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
    """Open the form; a message that already says what happened answers its first question."""
    dispatcher.utter_message(
        text="这个问题我可以帮您登记为12345工单，转相关部门办理。需要确认发生的地点、时间和您的联系电话；"
        "说错了可以说“地点说错了”，随时可以说“取消”。"
    )
    text = tracker.latest_message.get("text") or ""
    first = [SlotSet("workorder_what", text.strip())] if says_what_happened(text) else []
    # Only answers left from an earlier work order are cleared: the form validates every
    # slot event this action leaves, and an empty one would be re-asked at once.
    stale = [SlotSet(s, None) for s in (*ASKED, *DERIVED) if tracker.get_slot(s) is not None]
    return [*stale, *first, FollowupAction("workorder_form")]


def answered_question(tracker: Tracker, dispatcher: CollectingDispatcher) -> bool:
    """A service question asked instead of an answer ("办居住证要带什么材料？") is answered,
    and the form's question asked again; one the catalogue cannot answer is taken as an answer."""
    reply = question_in_form(tracker)
    if reply is None or reply is UNANSWERED:
        return False
    dispatcher.utter_message(**reply)
    dispatcher.utter_message(text="我们继续登记工单：")
    return True


class ValidateWorkorderForm(FormValidationAction):
    """Each answer checked; a rejected one gets a word on what was wrong, and the form asks
    its question again (utter_ask_<slot>, with an example)."""

    def name(self) -> str:
        return "validate_workorder_form"

    async def validate_workorder_what(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None:  # cleared (a correction, a new work order), not answered
            return {"workorder_what": None}
        text = str(value or "").strip()
        if not says_what_happened(text) or len(text) > 500:
            dispatcher.utter_message(text="还没听明白发生了什么事（请在500字以内说清楚）。")
            return {"workorder_what": None}
        return {"workorder_what": text}

    async def validate_workorder_where(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None or answered_question(tracker, dispatcher):  # cleared, or a question instead of an answer
            return {"workorder_where": None}
        text = str(value or "").strip()
        gazetteer = knowledge()[1].gazetteer
        if gazetteer.names_outside(text):
            dispatcher.utter_message(text="本热线受理本省范围内的诉求，外省的问题请联系当地的12345热线。")
            return {"workorder_where": None}
        region = gazetteer.resolve(text) or gazetteer.get(tracker.get_slot("region"))
        if region is None:
            dispatcher.utter_message(text="没有听出是哪个市或区县。")
            return {"workorder_where": None}
        if len(PUNCTUATION.sub("", gazetteer.without_regions(text))) < 2 or len(text) > 100:
            dispatcher.utter_message(text=f"只说“{region.name}”还不够具体，需要小区、街道、路口或门牌号。")
            return {"workorder_where": None}
        return {"workorder_where": text, "workorder_region": region.code}

    async def validate_workorder_when(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None or answered_question(tracker, dispatcher):  # cleared, or a question instead of an answer
            return {"workorder_when": None}
        text = str(value or "").strip()
        if len(text) > 60 or not (re.search(r"\d", text) or any(w in text for w in words()["time_words"])):
            dispatcher.utter_message(text="没有听出时间。")
            return {"workorder_when": None}
        return {"workorder_when": text}

    async def validate_workorder_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None or answered_question(tracker, dispatcher):  # cleared, or a question instead of an answer
            return {"workorder_phone": None}
        text = str(value or "")
        raw = vault().find(tracker.sender_id, text) or text
        checked, problem = VALIDATORS["mobile"](raw)
        if problem:
            dispatcher.utter_message(text="这不是有效的手机号码。")
            return {"workorder_phone": None}
        return {"workorder_phone": mask_pii(checked)}


class ActionConfirmWorkorder(Action):
    """After the form: what will be filed, with its category and department, to confirm."""

    def name(self) -> str:
        return "action_confirm_workorder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        region = knowledge()[1].gazetteer.get(tracker.get_slot("workorder_region"))
        what, where = tracker.get_slot("workorder_what") or "", tracker.get_slot("workorder_where") or ""
        category, department = await classify(f"{what} {where}", [])
        if region and department and not department.startswith(region.name):
            department = region.name + department  # the category's usual bureau, of the place's region
        lines = ["请核对要登记的12345工单："]
        lines += [f"{label(s)}：{tracker.get_slot(s)}" for s in ASKED]
        lines.append(f"问题分类：{category}；拟转交：{department}。" if category else "提交后由12345坐席分类并转交承办部门。")
        buttons = [{"title": "确认提交", "payload": "/confirm_submission"}, {"title": "取消", "payload": "/cancel_application"}]
        draft = {"category": category, "department": department, "region": region.name if region else None}
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons, json_message={"workorder_draft": draft})
        return [SlotSet("workorder_category", category), SlotSet("workorder_department", department)]


async def submit(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """“确认提交” of a summarised work order (action_submit_application hands it here)."""
    masked = tracker.get_slot("workorder_phone") or ""
    phone = vault().get(tracker.sender_id, masked)
    if not phone:  # the vault keeps numbers 30 minutes: ask again rather than file without one
        dispatcher.utter_message(text="为保护隐私，您的电话号码只保存30分钟，已经过期，请重新输入联系电话。")
        return [SlotSet("workorder_phone", None), SlotSet("requested_slot", None), ActiveLoop("workorder_form"), FollowupAction("workorder_form")]
    region = knowledge()[1].gazetteer.get(tracker.get_slot("workorder_region"))
    answers = {s: tracker.get_slot(s) for s in ASKED}
    key = hashlib.sha256(json.dumps([tracker.sender_id, answers], ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:40]
    order = {
        "idempotency_key": key,  # a retried “确认提交” files nothing twice
        "content": answers["workorder_what"], "place": answers["workorder_where"], "happened": answers["workorder_when"],
        "contact": phone, "contact_masked": masked,
        "category": tracker.get_slot("workorder_category"), "department": tracker.get_slot("workorder_department"),
        "region_code": region.code if region else None, "region_name": region.name if region else None,
        "channel": tracker.get_latest_input_channel(), "sender_id": tracker.sender_id,
    }
    client, queue = PortalClient.from_settings(), outbox()
    try:  # through the applications' outbox: on disk first, delivered once the portal is back
        filed = await submit_or_queue(client, queue, {"idempotency_key": key, "sender_id": tracker.sender_id, "work_order": order})
    except PortalRejected as exc:
        queue.done(key, {"rejected": exc.status, "message": str(exc)})
        dispatcher.utter_message(text=f"工单未能登记：{exc}。请修改后再试，或拨打12345热线。")
        return []
    vault().forget(tracker.sender_id)
    if filed is None:
        keep_delivering(client, queue)
        dispatcher.utter_message(
            text="12345工单系统暂时连接不上。您的工单已妥善保存，恢复后会自动登记，无需重复提交；"
            "稍后问我“我反映的问题处理得怎么样了”即可看到工单编号。"
        )
        return reset()
    dispatcher.utter_message(
        text=f"已为您登记12345工单，工单编号：{filed['number']}。将转交{filed['department'] or '承办部门'}办理，"
        "办理结果会在这里通知您；也可以随时问我“我反映的问题处理得怎么样了”。",
        json_message={"workorder": {"number": filed["number"], "status": filed["status"]}},
    )
    return reset()


def correction(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """“地点说错了”: that answer is cleared and asked again, in the form or at the summary."""
    text = tracker.latest_message.get("text") or ""
    answered = [s for s in ASKED if tracker.get_slot(s)]
    named = [s for s in answered for w in (label(s), *words()["slots"][s]["aliases"]) if w in text]
    if not named:
        buttons = [{"title": label(s), "payload": f"/correct_answer{{\"form_field\":\"{s}\"}}"} for s in answered]
        entity = next(tracker.get_latest_entity_values("form_field"), None)
        if entity not in answered:
            dispatcher.utter_message(text="请问要修改哪一项？", buttons=buttons)
            return []
        named = [entity]
    dispatcher.utter_message(text=f"好的，请重新提供{label(named[0])}。")
    restart = [] if tracker.active_loop.get("name") == "workorder_form" else [ActiveLoop("workorder_form")]
    return [SlotSet(named[0], None), SlotSet("requested_slot", None), *restart, FollowupAction("workorder_form")]


def status_line(order: dict[str, Any]) -> str:
    line = f"工单 {order['number']}（{order['content'][:20]}）：{order['status']}，承办部门：{order['department'] or '待分派'}"
    return line + (f"。答复：{order['reply']}" if order.get("reply") else "")


async def status_reply(tracker: Tracker, only_filed: bool = False) -> str | None:
    """The status of the conversation's work orders, or of one named by number and phone;
    None when the question is about something else (an application). `only_filed`: None
    unless the conversation has filed some (a complaint that merely mentions 进度)."""
    text = tracker.latest_message.get("text") or ""
    number = NUMBER.search(text)
    if tracker.get_slot("receipt_number") and not number:
        return None  # an application's receipt number (SD…)
    about = ABOUT_WORK_ORDERS.search(text)
    client = PortalClient.from_settings()
    queued = outbox().of_sender(tracker.sender_id)
    applications = [a for a, _ in queued if "work_order" not in a]
    waiting = sum(1 for a, result in queued if "work_order" in a and result is None)
    waiting_line = [f"{waiting}件工单正在等待12345系统恢复后自动登记（已妥善保存）。"] if waiting else []
    try:
        if number:
            phone = vault().find(tracker.sender_id, text)
            if not phone:
                return f"为保护隐私，请在同一句话里告诉我工单编号和登记的联系电话，例如“{number.group().upper()} 13812345678”。"
            found = await client.call("POST", "/work-orders/lookup", {"number": number.group().upper(), "contact": phone})
            return status_line(found["work_orders"][0])
        mine = (await client.call("POST", "/work-orders/lookup", {"sender_id": tracker.sender_id}))["work_orders"]
    except PortalRejected:
        return "没有查到与该工单编号和联系电话相符的工单，请核对后再试。"
    except PortalUnavailable:
        if waiting_line:
            return waiting_line[0]
        return "12345工单系统暂时连接不上，请稍后再查询。" if about else None
    # "我的进度" with work orders and no application here is about them too
    if (mine or waiting) and (about or ("申请" not in text and not applications)):
        return "\n".join(["您在本次对话中登记的工单：", *(status_line(o) for o in mine), *waiting_line])
    if about and not mine and not only_filed:
        return "本次对话中还没有登记工单。请告诉我工单编号（WO开头）和登记时的联系电话，例如“WO20260101000123 13812345678”。"
    return None
