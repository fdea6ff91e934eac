"""Guided applications: one Rasa form (`application_form`) whose questions depend on what
is applied for (data/forms.yml), a summary and confirmation, then submission through the
portal client's outbox.

Personal numbers never enter slots raw: the channel masked them and put the raw values
in the vault; slots hold the masked form, submission takes the raw ones back.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import knowledge, outbox, vault
from actions.forms.validators import VALIDATORS
from actions.portal_client import PortalClient, keep_delivering, submit_or_queue
from actions.replies import item_message
from catalogue.model import ServiceItem
from channels.privacy import mask_pii
from settings import get_settings

LABELS = {
    "applicant_name": "姓名", "applicant_id_number": "身份证号", "applicant_phone": "手机号",
    "residence_address": "居住地址", "residence_start_date": "开始居住日期", "mailing_address": "邮寄地址",
    "company_name": "企业名称", "registered_capital_amount": "注册资本（元）", "business_address": "经营场所",
    "business_scope": "经营范围", "shareholders": "股东及出资",
    "baby_name": "新生儿姓名", "baby_birth_date": "出生日期", "mother_name": "母亲姓名", "mother_id_number": "母亲身份证号",
    "father_name": "父亲姓名", "father_id_number": "父亲身份证号", "hukou_address": "户口登记地址",
    "company_credit_code": "统一社会信用代码", "reissue_reason": "补领原因",
}  # fmt: skip
FORM_SLOTS = tuple(LABELS)
# Masked by the channel; their raw values are in the vault, never in slots.
SENSITIVE_SUFFIXES = ("_id_number", "_phone", "_credit_code")


@lru_cache(maxsize=1)
def form_specs() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((get_settings().data_dir / "forms.yml").read_text(encoding="utf-8"))


def kind_for(item: ServiceItem) -> str | None:
    return next((kind for kind, spec in form_specs().items() if item.name in spec["items"]), None)


def sensitive(slot: str) -> bool:
    return slot.endswith(SENSITIVE_SUFFIXES)


def validator_for(slot: str):
    """By the slot's name: *_id_number, *_phone, *_credit_code, *_date, *_amount, a person's *_name."""
    suffixes = {"_id_number": "id_number", "_phone": "mobile", "_credit_code": "credit_code", "_date": "date", "_amount": "amount"}
    for suffix, name in suffixes.items():
        if slot.endswith(suffix):
            return VALIDATORS[name]
    return VALIDATORS["name"] if slot.endswith("_name") and slot != "company_name" else VALIDATORS["text"]


class ActionStartApplication(Action):
    def name(self) -> str:
        return "action_start_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        _, catalogue = knowledge()
        item = catalogue.items.get(tracker.get_slot("current_item") or "")
        if item is None:
            dispatcher.utter_message(text="请先告诉我您要办理的事项，比如“我要办居住证”，找到事项后再开始申请。")
            return []
        kind = kind_for(item)
        if kind is None:  # no guided form for it: say where it is applied for
            message = item_message(item, "online")
            dispatcher.utter_message(text=message["text"], json_message=message["json_message"])
            return []
        spec = form_specs()[kind]
        dispatcher.utter_message(
            text=f"好的，开始为您在线办理【{spec['title']}】，需要回答{len(spec['slots'])}个问题。随时可以说“取消申请”。"
        )
        return [SlotSet("application_kind", kind), SlotSet("application_item", item.code)]


class ValidateApplicationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_application_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[str]:
        spec = form_specs().get(tracker.get_slot("application_kind") or "")
        return list(spec["slots"]) if spec else []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)  # leaves the validated slots on `tracker`
        kind = tracker.get_slot("application_kind") or ""
        spec = form_specs().get(kind)
        answered = sum(tracker.get_slot(slot) is not None for slot in spec["slots"]) if spec else 0
        if spec and answered < len(spec["slots"]):  # before the next question: how far along (widget progress bar)
            progress = {"kind": kind, "title": spec["title"], "answered": answered, "total": len(spec["slots"])}
            dispatcher.utter_message(json_message={"form": progress})
        return events


def _make_slot_validator(slot: str):
    validate = validator_for(slot)

    async def validate_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = value if isinstance(value, str) else ""
        raw = vault().get(tracker.sender_id, text) if sensitive(slot) else None
        checked, problem = validate(raw or text)
        if problem:
            dispatcher.utter_message(text=problem)
            return {slot: None}
        return {slot: mask_pii(checked) if sensitive(slot) else checked}

    return validate_slot


for _slot in FORM_SLOTS:
    setattr(ValidateApplicationForm, f"validate_{_slot}", _make_slot_validator(_slot))


def answers(tracker: Tracker, spec: dict[str, Any]) -> dict[str, str]:
    return {slot: tracker.get_slot(slot) for slot in spec["slots"]}


class ActionConfirmApplication(Action):
    def name(self) -> str:
        return "action_confirm_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spec = form_specs().get(tracker.get_slot("application_kind") or "")
        if spec is None:
            return []
        lines = [f"请核对【{spec['title']}】申请信息："]
        lines += [f"{LABELS[slot]}：{value}" for slot, value in answers(tracker, spec).items()]
        if spec.get("fields"):
            lines.append(f"确认后将一次生成{len(spec['fields'])}项填报信息，同时提交给相关部门。")
        buttons = [
            {"title": "确认提交", "payload": "/confirm_submission"},
            {"title": "取消申请", "payload": "/cancel_application"},
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []


def reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "application_kind", "application_item", "requested_slot")]


class ActionSubmitApplication(Action):
    def name(self) -> str:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spec = form_specs().get(tracker.get_slot("application_kind") or "")
        if spec is None:
            dispatcher.utter_message(text="当前没有待提交的申请。")
            return []
        raw = {slot: (vault().get(tracker.sender_id, v) or v) if sensitive(slot) else v for slot, v in answers(tracker, spec).items()}
        fields = raw
        if spec.get("fields"):  # a merged theme: the portal's fields from the few answers
            fields = {name: source[1:] if source.startswith("=") else raw[source] for name, source in spec["fields"].items()}
        item_code = tracker.get_slot("application_item")
        digest = hashlib.sha256(json.dumps([tracker.sender_id, item_code, fields], ensure_ascii=False, sort_keys=True).encode())
        application = {
            "idempotency_key": digest.hexdigest()[:40],  # same answers, same application
            "item_code": item_code,
            "applicant": {k: raw.get(f"applicant_{k}") for k in ("name", "id_number", "phone")},
            "fields": fields,
            "channel": tracker.get_latest_input_channel(),
            "sender_id": tracker.sender_id,
        }
        client = PortalClient.from_settings()
        result = await submit_or_queue(client, outbox(), application)
        if result is None:
            keep_delivering(client, outbox())
            dispatcher.utter_message(
                text="政务服务平台暂时连接不上。您的申请已妥善保存，平台恢复后会自动提交，无需重复提交；"
                "稍后问我“我的申请到哪一步了”即可看到受理编号。"
            )
        else:
            dispatcher.utter_message(
                text=f"申请已提交，受理编号：{result['receipt_number']}。可随时问我“我的申请到哪一步了”查询进度。",
                json_message={"application": {"receipt_number": result["receipt_number"], "status": result["status"]}},
            )
        vault().forget(tracker.sender_id)
        return reset()


class ActionCancelApplication(Action):
    def name(self) -> str:
        return "action_cancel_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text="已取消本次申请，填写的信息不会提交。需要时可以随时重新开始。")
        vault().forget(tracker.sender_id)
        return reset()
