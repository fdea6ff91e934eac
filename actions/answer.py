"""Answer service questions: find the item by retrieval over the user's own words.

NLU says what kind of question it is (which field, a region, a choice); retrieval says
which item. Slots keep the current item, region and target so follow-ups work:
"那要多久？" (same item, new field), "青岛的呢？" (same question, new region), "第二个".
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import knowledge
from actions.replies import choice_message, item_message, no_match_message, suggestion_message
from catalogue.model import ServiceItem
from catalogue.store import Catalogue
from retrieval.fields import FIELD_CUES, Field, detect_field
from retrieval.search import Filters, SearchResult
from retrieval.text import load_acts
from settings import get_settings

log = logging.getLogger(__name__)

FIELD_OF_INTENT: dict[str, Field] = {
    "ask_materials": "materials",
    "ask_time_limit": "time_limit",
    "ask_location": "location",
    "ask_phone": "phone",
    "ask_fee": "fee",
    "ask_online": "online",
    "ask_visits": "visits",
    "ask_conditions": "conditions",
}
FOLLOW_UP_INTENTS = {"inform_region", "inform_target"}
TARGET_OF_ENTITY = {"自然人": "自然人", "法人": "法人"}
# Other hits whose fused score is this close to the best one are offered as choices
# (chosen on both Guangdong dev sets, as the bot's hit rate against single answers).
AMBIGUITY_RATIO = 0.87
VAGUE_RATIO = 0.5
MAX_CHOICES = 5
SUGGESTIONS = 3
CHINESE_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@lru_cache(maxsize=1)
def act_words() -> re.Pattern[str]:
    return load_acts(get_settings().dict_dir)


def close_alternatives(result: SearchResult) -> list[ServiceItem]:
    """The best hit and those nearly as good: when there are several, the user picks.

    A question that names a thing but not what to do with it ("营业执照") also gets the
    items that differ from the best only by that (设立 / 变更 / 注销 / 补领).
    """
    if not result.confident or not result.hits:
        return []
    acts = act_words()
    top = result.hits[0]
    thing = acts.sub("", top.item.name)
    vague = not acts.search(result.query) and thing != top.item.name
    # Hits are one per service already (retrieval collapses implementations).
    return [
        hit.item
        for hit in result.hits
        if hit.score >= AMBIGUITY_RATIO * top.score
        or (vague and hit.score >= VAGUE_RATIO * top.score and acts.sub("", hit.item.name) == thing)
    ][:MAX_CHOICES]


def strip_field_cues(text: str) -> str:
    for _, cue in FIELD_CUES:
        text = cue.sub(" ", text)
    return text


def send(dispatcher: CollectingDispatcher, message: dict[str, Any]) -> None:
    dispatcher.utter_message(**message)


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        searcher, catalogue = knowledge()
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        text = message.get("text") or ""
        events: list[EventType] = []

        region = catalogue.gazetteer.resolve(text)
        region_code = region.code if region else tracker.get_slot("region")
        if region and region.code != tracker.get_slot("region"):
            events.append(SlotSet("region", region.code))
        target = tracker.get_slot("target")
        for value in tracker.get_latest_entity_values("target"):
            if value in TARGET_OF_ENTITY:
                target = TARGET_OF_ENTITY[value]
                events.append(SlotSet("target", target))

        if intent in FOLLOW_UP_INTENTS:  # same question, new region or target
            query = tracker.get_slot("last_query") or ""
            field = tracker.get_slot("last_field")
        else:
            query = text
            field = FIELD_OF_INTENT.get(intent) or detect_field(text)
        current = catalogue.items.get(tracker.get_slot("current_item") or "")

        # A field question with nothing left once the field words go refers back.
        names_something = bool(searcher.index.lexicon.tokens(strip_field_cues(query)))
        if not names_something and intent not in FOLLOW_UP_INTENTS:
            if current:
                send(dispatcher, item_message(current, field))
                return events + [SlotSet("last_field", field)]
            if tracker.get_slot("offered_items"):
                dispatcher.utter_message(text="请先从上面的事项中选择一个（回复序号即可），我再告诉您。")
                return events + [SlotSet("last_field", field)]
        if not query:
            send(dispatcher, no_match_message())
            return events

        # The field words say which fact, not which item: searching without them helps
        # ("家里要挪电表，打什么电话" is not about items named 电话).
        search_text = strip_field_cues(query) if field and names_something else query
        result = searcher.search(search_text, Filters(region_code=region_code, target=target), k=10)
        events += [SlotSet("last_query", query), SlotSet("last_field", field)]
        reply, reply_events = reply_for(result, field, catalogue)
        if reply is None and current and field and intent in FIELD_OF_INTENT:  # "那电话呢"
            reply, reply_events = item_message(current, field), []
        send(dispatcher, reply or no_match_message())
        return events + reply_events


def confident_reply(tracker: Tracker) -> tuple[dict[str, Any] | None, list[EventType]]:
    """For actions of other intents: the catalogue's answer to the message, if it has a sure one."""
    searcher, catalogue = knowledge()
    result = searcher.search(tracker.latest_message.get("text") or "", Filters(region_code=tracker.get_slot("region")))
    return reply_for(result, None, catalogue) if result.confident else (None, [])


def reply_for(result: SearchResult, field: Field | None, catalogue: Catalogue) -> tuple[dict[str, Any] | None, list[EventType]]:
    """The reply a search result deserves: an item, choices, suggestions, or None."""
    choices = close_alternatives(result)
    if len(choices) == 1:
        reply = item_message(choices[0], field)
        if not result.region_code and len(catalogue.implementations(choices[0])) > 1:
            reply["text"] += "\n各地均可办理此事项，告诉我您所在的城市或区县，可为您提供当地的办理地点和电话。"
        return reply, [SlotSet("current_item", choices[0].code), SlotSet("offered_items", None)]
    if choices:
        return choice_message(choices), [SlotSet("offered_items", [i.code for i in choices])]
    if result.suggestible and result.hits:
        maybe = [hit.item for hit in result.hits[:SUGGESTIONS]]
        return suggestion_message(maybe), [SlotSet("offered_items", [i.code for i in maybe])]
    return None, []


def parse_ordinal(values: list[str], text: str) -> int | None:
    for value in [*values, text]:
        if "最后" in value:
            return -1
        match = re.search(r"\d+", value)
        if match:
            return int(match.group())
        for char, number in CHINESE_ORDINALS.items():
            if char in value:
                return number
    return None


class ActionChooseOption(Action):
    def name(self) -> str:
        return "action_choose_option"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        _, catalogue = knowledge()
        offered = [c for c in tracker.get_slot("offered_items") or [] if c in catalogue.items]
        number = parse_ordinal(list(tracker.get_latest_entity_values("ordinal")), tracker.latest_message.get("text") or "")
        if not offered:
            dispatcher.utter_message(text="请先告诉我您要办什么事，我找到相关事项后您再选择。")
            return []
        if number is None or not (number == -1 or 1 <= number <= len(offered)):
            dispatcher.utter_message(text=f"请回复1到{len(offered)}之间的序号，选择您要办的事项。")
            return []
        item = catalogue.items[offered[number - 1] if number > 0 else offered[-1]]
        send(dispatcher, item_message(item, tracker.get_slot("last_field")))
        return [SlotSet("current_item", item.code), SlotSet("offered_items", None)]
