"""12345 work orders from the conversation: a complaint, report, suggestion or request for
help that no service item answers is asked through one Rasa form (`workorder_form`) —
what happened, where (resolved against the gazetteer), when, a contact phone — then a
summary with the classifier's category and department. “确认提交” files it and
“我反映的问题处理得怎么样了” shows its status (actions/workorder_filing.py); department
replies are pushed by the notifier.

The phone is masked by the channel like every personal number; its raw value comes from
the vault only when the work order is filed, and the portal keeps it encrypted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import asks_a_field_of_the_topic, surely_answered
from actions.context import knowledge, vault
from actions.forms.interruptions import QUESTION_WORDS, UNANSWERED, question_in_form
from actions.forms.validators import VALIDATORS
from actions.hotline import classify
from actions.replies import ASK_PLACE
from actions.topic import FIELD_INTENTS
from catalogue.gazetteer import Gazetteer
from channels.privacy import mask_pii
from retrieval.fields import QUESTION
from settings import get_settings

ASKED = ("workorder_what", "workorder_where", "workorder_when", "workorder_phone")
DERIVED = ("workorder_region", "workorder_category", "workorder_department")
# A question in place of the place: asking words and no word of an address ("在我家楼下呢",
# "幸福小区3号楼，要写门牌号吗？" are places).
ASKS_WHERE_OR_WHAT = re.compile(r"哪|什么|啥|几|怎么|多少|多长|多久|多会儿")
ADDRESS_WORDS = re.compile(r"路|街|号|小区|楼|村|门口|交界|旁边|巷|广场|大厦|院|对面|附近")
QUESTION_IN_PLACE = "这个问题我暂时答不上来，工单登记完成后可以再问我；不想登记了可以说“取消”。"
CITY_AFTER_FORM = "工单登记完成后告诉我您所在的城市或区县，我再告诉您当地的办理地点和电话。"
CLAUSES = re.compile(r"[，,。！!？?；;\s]+")
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


def start(tracker: Tracker, dispatcher: CollectingDispatcher, said: str | None = None) -> list[EventType]:
    """Open the form; a message that already says what happened (the latest, or `said`)
    answers its first question."""
    dispatcher.utter_message(
        text="这个问题我可以帮您登记为12345工单，转相关部门办理。需要确认发生的地点、时间和您的联系电话；"
        "说错了可以说“地点说错了”，随时可以说“取消”。"
    )
    text = said if said is not None else tracker.latest_message.get("text") or ""
    first = [SlotSet("workorder_what", text.strip())] if says_what_happened(text) else []
    # Only answers left from an earlier work order are cleared: the form validates every
    # slot event this action leaves, and an empty one would be re-asked at once.
    stale = [SlotSet(s, None) for s in (*ASKED, *DERIVED) if tracker.get_slot(s) is not None]
    return [*stale, *first, FollowupAction("workorder_form")]


def answered_question(tracker: Tracker, dispatcher: CollectingDispatcher, answer_like: bool) -> dict[str, Any] | None:
    """A service question asked instead of an answer ("办居住证要带什么材料？") is answered,
    and the form's question asked again; one the catalogue cannot answer is taken as an answer.
    Returns the slots the answer sets, or None for an answer. `answer_like`: the message reads as
    an answer to the question asked (it names a region, a time, a number)."""
    slots = answered_follow_up(tracker, dispatcher, answer_like)
    if slots is None:
        reply = question_in_form(tracker)
        if reply is None or reply is UNANSWERED:
            return None
        dispatcher.utter_message(**reply)
        slots = {}
    dispatcher.utter_message(text="我们继续登记工单：")
    return slots


# "在那办" (那 typed for 哪) asks where, though it holds no asking word: no place said is that alone.
WHERE_TYPED_AS_THERE = re.compile(r"^[在去到]那(里|儿)?(办|交|递)[吗呢啊呀]?$")


def answered_follow_up(tracker: Tracker, dispatcher: CollectingDispatcher, answer_like: bool) -> dict[str, Any] | None:
    """A fact asked of the service under discussion ("去边度办", "交咗资料之后几耐先攞到" after an
    aside NLU read as a complaint, "台湾夜市有咩必食推介", opened the form) is answered as outside
    the form, when that answer names a service surely and offers nothing to click; its slots are
    returned. Not a message that reads as an answer unless it ends as a question ("不记得是哪个窗口
    了，历下区政务服务大厅", "前几天晚上"), nor one that asks in no way ("就在大厅门口")."""
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    ends_as_question = bool(QUESTION.search(text))
    asks = ends_as_question or intent in FIELD_INTENTS or bool(QUESTION_WORDS.search(text)) or bool(WHERE_TYPED_AS_THERE.search(text))
    if not asks or (answer_like and not ends_as_question) or not asks_a_field_of_the_topic(tracker):
        return None
    sure = surely_answered(tracker)
    if sure is None or any(m.get("buttons") for m in sure[0]):  # (choices to click would answer the form's question)
        return None
    messages, events = sure
    # The form waits for its own answer, so the user's city is asked for after it.
    dispatcher.messages.extend({**m, "text": m["text"].replace(ASK_PLACE, CITY_AFTER_FORM)} if m.get("text") else m for m in messages)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# How long or when, asked ("什么时候能拿到", "办好要几天"): its 时 and 天 tell no time it happened
# ("前几天晚上", "大概几天前" do).
ASKS_WHEN = re.compile(r"什么时候|啥时候|几时|多长时间|多久|(?<!前)几[天日](?!前)|几个月(?!前)|几点")


def names_a_place(gazetteer: Gazetteer, text: str) -> bool:
    """A clause naming a region without asking where ("不记得是哪个窗口了，历下区政务服务中心大厅"; not
    "济南在哪办")."""
    return any(gazetteer.resolve(clause) is not None and "哪" not in clause and not QUESTION_WORDS.search(clause) for clause in CLAUSES.split(text))


def says_a_time(text: str) -> bool:
    return bool(re.search(r"\d", text)) or any(w in text for w in words()["time_words"])


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
        if value is None:  # cleared (a correction, a new work order), not answered
            return {"workorder_where": None}
        text = str(value or "").strip()
        gazetteer = knowledge()[1].gazetteer
        asked = answered_question(tracker, dispatcher, answer_like=names_a_place(gazetteer, text))
        if asked is not None:  # a question instead of an answer
            return {**asked, "workorder_where": None}
        if ASKS_WHERE_OR_WHAT.search(text) and not ADDRESS_WORDS.search(text) and not names_a_place(gazetteer, text):
            # A question the catalogue cannot answer here names no place either: "要是得去现场，在
            # 哪个窗口？" was taken as the place, the user's city being known from before.
            dispatcher.utter_message(text=QUESTION_IN_PLACE)
            return {"workorder_where": None}
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
        if value is None:
            return {"workorder_when": None}
        text = str(value or "").strip()
        asked = answered_question(tracker, dispatcher, answer_like=says_a_time(ASKS_WHEN.sub(" ", text)))
        if asked is not None:
            return {**asked, "workorder_when": None}
        if len(text) > 60 or not says_a_time(text):
            dispatcher.utter_message(text="没有听出时间。")
            return {"workorder_when": None}
        return {"workorder_when": text}

    async def validate_workorder_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {"workorder_phone": None}
        text = str(value or "")
        asked = answered_question(tracker, dispatcher, answer_like=bool(re.search(r"\d{3}", text)))
        if asked is not None:
            return {**asked, "workorder_phone": None}
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


def correction(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """“地点说错了”: that answer is cleared and asked again, in the form or at the summary."""
    text = tracker.latest_message.get("text") or ""
    answered = [s for s in ASKED if tracker.get_slot(s)]
    entity = next(tracker.get_latest_entity_values("form_field"), None)  # a button names the slot
    # else the longest label or alias in the words: "地点有问题" is about 地点, not 问题
    mentions = [(len(w), s) for s in answered for w in (label(s), *words()["slots"][s]["aliases"]) if w in text]
    slot = entity if entity in answered else (max(mentions)[1] if mentions else None)
    if slot is None:
        buttons = [{"title": label(s), "payload": f"/correct_answer{{\"form_field\":\"{s}\"}}"} for s in answered]
        dispatcher.utter_message(text="请问要修改哪一项？", buttons=buttons)
        return []
    dispatcher.utter_message(text=f"好的，请重新提供{label(slot)}。")
    restart = [] if tracker.active_loop.get("name") == "workorder_form" else [ActiveLoop("workorder_form")]
    return [SlotSet(slot, None), SlotSet("requested_slot", None), *restart, FollowupAction("workorder_form")]
