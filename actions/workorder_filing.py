"""Filing a summarised 12345 work order with the portal (through the applications' outbox,
so a portal that is down loses nothing), and its status: the conversation's work orders,
or one named by its number and the phone it was filed with."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import knowledge, outbox, vault
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable, keep_delivering, submit_or_queue
from actions.workorder import ASKED, reset

NUMBER = re.compile(r"WO\d{14}", re.IGNORECASE)
# Words that ask about a work order rather than an application ("我反映的问题…", "投诉有结果了吗").
ABOUT_WORK_ORDERS = re.compile(r"反映|投诉|举报|工单|诉求|建议|求助|12345")


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
