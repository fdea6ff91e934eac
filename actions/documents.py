"""Document questions (政务公开): the passage that answers, cited; and follow-ups about
the document under discussion ("这个文件什么时候发的", "文号是多少", "还有效吗").

A message may be a service question as well: a sure catalogue answer comes first (items
first, then documents). The document under discussion is the slot `current_document`.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import confident_reply, send
from documents.answer import NOT_FOUND, answer, card, citation, date_cn, reply_text
from documents.index import DocumentIndex
from documents.service import open_documents

log = logging.getLogger(__name__)

# What a follow-up asks about the document, by its words (first match wins).
FIELD_WORDS = [
    ("status", r"有效|废止|失效|还能用|过期|现行"),
    ("doc_number", r"文号|几号文|编号"),
    ("issuer", r"谁发|哪个部门|哪个单位|发文机关|发布单位|印发单位|什么部门|哪家"),
    ("url", r"链接|原文|网址|全文|在哪看|哪里看"),
    ("date", r"什么时候|何时|哪天|哪一天|日期|时间|哪年|几月"),
]


@lru_cache(maxsize=1)
def documents() -> DocumentIndex:
    index = open_documents()
    log.info("loaded %d documents, %d passages", len(index), index.passage_count)
    return index


def field_asked(text: str) -> str | None:
    return next((field for field, words in FIELD_WORDS if re.search(words, text)), None)


def field_reply(document, field: str | None) -> str:
    name = citation(document)
    facts = {
        "date": f"{name}的发布日期是{date_cn(document.date)}。" if document.date else f"{name}没有载明发布日期。",
        "doc_number": f"{name}的文号是{document.doc_number}。" if document.doc_number else f"{name}没有文号（或原文未载明）。",
        "issuer": f"{name}由{document.issuer}发布。" if document.issuer else f"{name}未载明发文机关。",
        "url": f"{name}的原文链接：{document.url}" if document.url else f"{name}暂无在线原文链接。",
        "status": (
            f"{name}已废止或失效，不再作为现行政策依据。"
            if document.status == "repealed"
            else f"{name}目前未标注废止或失效，仍为现行文件；具体以发文机关公布为准。"
        ),
    }
    if field in facts:
        return facts[field]
    return "\n".join(facts[f] for f in ("issuer", "doc_number", "date", "status", "url"))


class ActionAnswerDocument(Action):
    def name(self) -> str:
        return "action_answer_document"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        events: list[EventType] = []
        item_reply, item_events = confident_reply(tracker)  # items first, when the catalogue is sure
        if item_reply is not None:
            send(dispatcher, item_reply)
            events += item_events
        result = answer(documents(), text)
        if not result.found:
            if item_reply is None:
                dispatcher.utter_message(text=NOT_FOUND)
            return events
        cards = [card(result.best, result.sentence)] + [card(h) for h in result.hits[1:]]
        dispatcher.utter_message(text=reply_text(result), json_message={"documents": cards})
        return events + [SlotSet("current_document", result.best.document.docid)]


class ActionDocumentField(Action):
    def name(self) -> str:
        return "action_document_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        docid = tracker.get_slot("current_document")
        document = documents().documents.get(docid) if docid else None
        if document is None:  # no document under discussion: maybe a service question ("批准文号在哪查")
            item_reply, item_events = confident_reply(tracker)
            if item_reply is not None:
                send(dispatcher, item_reply)
                return item_events
            dispatcher.utter_message(text="请先告诉我您想了解哪份文件或哪方面的政策，例如“济南公积金租房提取每月能提多少”。")
            return []
        text = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(text=field_reply(document, field_asked(text)), json_message={"documents": [card_of(document)]})
        return []


def card_of(document) -> dict:
    return {
        "docid": document.docid, "title": document.title, "issuer": document.issuer, "doc_number": document.doc_number,
        "date": document.date, "url": document.url, "status": document.status, "in_force": document.status == "in_force",
    }
