"""Ratings (好差评) in the conversation: offered after an answer the user closes with thanks
or goodbye, after a submitted application and after a handoff — once per topic, never
while a form is open — as five buttons (numbered choices on WeChat), then a reason.
The records and rectification tickets live in analytics/evaluation.py."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import content_words
from actions.context import bot_payloads, knowledge
from analytics import evaluation
from analytics.service_state import analytics_engine
from analytics.store import BAD_LEVELS, LEVELS
from retrieval.fields import detect_field

log = logging.getLogger(__name__)

# Asking to rate ("我想评价一下", "我要给个差评"): the rating words, and words of what is rated
# ("这次服务", "刚才的回答"); NLU reads such messages as searches.
# "评价" alone is also a service's word (环境影响评价), so it must be asked for ("我想评价一下").
RATING_WORDS = re.compile(r"好差评|差评|好评|打分|打个分|(想|(?<!需)要|给|来|做|写)[^，。？?！!]{0,6}评价|评价一下")
# What is rated, and verdicts ("答非所问，差评", "给五星好评"), are no service.
RATED_WORDS = re.compile(r"这次|本次|刚才|服务|回答|答复|你们|客服|答非所问|太慢|不好|[一二三四五1-5]星|不?满意|非常")
REASONS_BAD = ("答复不准确", "没找到要办的事项", "材料或流程太复杂", "办理时间太长", "工作人员服务不好", "其他")
REASONS_GOOD = ("答复准确清楚", "办理方便快捷", "服务态度好", "其他")


def entity(tracker: Tracker, name: str) -> str:
    return next((str(e.get("value") or "") for e in tracker.latest_message.get("entities", []) if e.get("entity") == name), "")


def latest_topic(tracker: Tracker) -> tuple[str, str, str]:
    """(topic, kind, item code) of what the conversation last served: a submitted
    application, a handoff, or one item's answer; empty when there is none."""
    application_item = ""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "application_item" and event.get("value") and not application_item:
            application_item = str(event["value"])
    for custom in bot_payloads(tracker):
        if custom.get("workorder"):  # just filed: nothing served yet to rate (the reply comes later)
            return "", "", ""
        if (custom.get("application") or {}).get("receipt_number"):
            return f"application:{custom['application']['receipt_number']}", "application", application_item
        if (custom.get("handoff") or {}).get("ticket") is not None:
            return f"handoff:{custom['handoff']['ticket']}", "handoff", ""
        found = custom.get("items") or []
        if len(found) == 1 and found[0].get("code"):
            return f"item:{found[0]['code']}", "item", str(found[0]["code"])
    return "", "", ""


def asks_to_rate(text: str) -> bool:
    """A rating asked for, not a search: rating words and nothing else of substance
    ("环境影响评价怎么办" names a service)."""
    if not RATING_WORDS.search(text) or detect_field(text):  # "评价需要多长时间": a service question
        return False
    return not content_words(knowledge()[0], RATED_WORDS.sub(" ", RATING_WORDS.sub(" ", text)))


def item_facts(code: str) -> dict[str, str]:
    item = knowledge()[1].items.get(code) if code else None
    if item is None:
        return {"item_code": code}
    return {"item_code": item.code, "item_name": item.name, "department": item.department, "region": item.region_name}


class ActionOfferRating(Action):
    def name(self) -> str:
        return "action_offer_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.active_loop.get("name"):
            return []  # never in the middle of a form
        topic = latest_topic(tracker)[0]
        offered = tracker.get_slot("rating_topic") == topic  # "谢谢" then "没有了，再见": once is enough
        if not topic or offered or await evaluation.has_rated(await analytics_engine(), tracker.sender_id, topic):
            return []
        dispatcher.utter_message(**evaluation.offer_message(topic))
        return [SlotSet("rating_topic", topic)]


class ActionRate(Action):
    def name(self) -> str:
        return "action_rate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.active_loop.get("name"):
            dispatcher.utter_message(text="请先完成当前的填写，办完后再评价。")
            return []
        level, offered = entity(tracker, "rating"), tracker.get_slot("rating_topic")
        served, _, served_code = latest_topic(tracker)  # (one pass over the events)
        # A level answers the rating offered; asking to rate ("我想评价一下") is about what was
        # served last, not an offer left unanswered topics ago.
        topic = (offered or served) if level in LEVELS else (served or offered)
        if not topic:
            dispatcher.utter_message(text="目前没有需要评价的服务。咨询或办理后可以对我们的服务作出评价。")
            return []
        if level not in LEVELS:
            if await evaluation.has_rated(await analytics_engine(), tracker.sender_id, topic):
                dispatcher.utter_message(text="您已经评价过这项服务了，感谢您的反馈！")
                return []
            dispatcher.utter_message(**evaluation.offer_message(topic))
            return [SlotSet("rating_topic", topic)]
        kind = topic.split(":", 1)[0]
        code = served_code if served == topic else (topic.split(":", 1)[1] if kind == "item" else "")
        try:
            ticket = await evaluation.rate(
                await analytics_engine(), tracker.sender_id, tracker.get_latest_input_channel() or "", topic, kind, level, item_facts(code),
            )
        except evaluation.AlreadyRated:
            dispatcher.utter_message(text="您已经评价过这项服务了，感谢您的反馈！")
            return []
        lines = [f"感谢您的评价：{level}。"]
        if ticket:
            due = ticket["due"]
            lines.append(
                f"很抱歉给您带来不好的体验。您的差评已转{ticket['department'] or '承办部门'}整改（工单号 {ticket['id']}），"
                f"将在{due.year}年{due.month}月{due.day}日前（5个工作日内）办结，结果会在这里告诉您。"
            )
        reasons = REASONS_BAD if level in BAD_LEVELS else REASONS_GOOD
        lines.append("能说说主要原因吗？")
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[{"title": r, "payload": f'/rating_reason{{"reason":"{r}"}}'} for r in reasons],
            json_message={"rated": {"topic": topic, "level": level, "ticket": ticket["id"] if ticket else None}},
        )
        return [SlotSet("rating_topic", topic)]


class ActionRatingReason(Action):
    def name(self) -> str:
        return "action_rating_reason"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reason, topic = entity(tracker, "reason"), tracker.get_slot("rating_topic")
        if not topic and not reason:
            # No rating asked a reason and none was clicked: words NLU took for one ("我出家快十年了，还没参加过省里的培训")
            # are a message like any other.
            from actions.answer import ActionAnswer  # (that module builds on this one)

            return await ActionAnswer().run(dispatcher, tracker, domain)
        if not reason or not topic or not await evaluation.add_reason(await analytics_engine(), tracker.sender_id, topic, reason):
            dispatcher.utter_message(text="目前没有需要补充原因的评价。")
            return []
        dispatcher.utter_message(text="收到，感谢您的反馈，我们会持续改进服务。还有其他问题可以随时问我。")
        return [SlotSet("rating_topic", None)]
