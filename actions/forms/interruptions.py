"""A question asked in the middle of a form ("要带什么材料？") is answered, not taken
as the answer to the form's question."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.answer import FIELD_OF_INTENT, reply_for, strip_field_cues
from actions.choices import close_alternatives
from actions.context import knowledge
from actions.replies import item_message
from retrieval.fields import detect_field
from retrieval.search import Filters

QUESTION_INTENTS = {*FIELD_OF_INTENT, "search_service", "ask_policy"}
MIN_CONFIDENCE = 0.8
# Form answers (names, numbers, addresses, dates) do not read like questions; these do.
QUESTION_WORDS = re.compile(r"[?？]|吗\s*$|怎么|什么|多久|多长时间|哪里|哪儿|能不能|可不可以|要不要|是否|需要带|几天|几次")

UNANSWERED = {"text": "这个问题我暂时答不上来，您可以在申请完成后再问我，或拨打12345咨询。"}


def question_in_form(tracker: Tracker) -> dict[str, Any] | None:
    """The reply to the latest message if it is a question rather than an answer."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    text = message.get("text") or ""
    if intent.get("name") not in QUESTION_INTENTS or (intent.get("confidence") or 0) < MIN_CONFIDENCE:
        return None
    if not QUESTION_WORDS.search(text):
        return None
    searcher, catalogue = knowledge()
    field = FIELD_OF_INTENT.get(intent["name"]) or detect_field(text)
    applying_for = catalogue.items.get(tracker.get_slot("application_item") or "")
    # "要带什么材料" names no other item: it is about what is being applied for.
    if field and applying_for and not searcher.index.lexicon.tokens(strip_field_cues(text)):
        return item_message(applying_for, field)
    result = searcher.search(strip_field_cues(text) if field else text, Filters(region_code=tracker.get_slot("region")))
    if applying_for and applying_for in close_alternatives(result):  # "办居住证要带什么材料"
        return item_message(applying_for, field)
    reply, _ = reply_for(result, field, catalogue, with_units=False) if result.confident else (None, [])  # (no choices to click in a form)
    return reply or UNANSWERED
