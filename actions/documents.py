"""Document questions (政务公开): the passage that answers, cited; and follow-ups about
the document under discussion ("这个文件什么时候发的", "文号是多少", "还有效吗").

A message may be a service question as well: a sure catalogue answer comes first (items
first, then documents). The document under discussion is the slot `current_document`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import answered, answered_of_the_theme, asks_a_field_of_the_topic, confident_reply, says_this, send, sure_of_another
from actions.choices import content_words
from actions.context import bot_payloads, knowledge
from catalogue.gazetteer import Region
from documents.answer import NOT_FOUND, answer, card, citation, date_cn, reply_text
from documents.index import DocumentIndex
from documents.model import Document
from documents.service import open_documents
from retrieval.fields import AMOUNT_GIVEN, FIELD_CUES, detect_field, strip_field_cues
from retrieval.search import Filters

log = logging.getLogger(__name__)

# What a follow-up asks about the document, by its words (first match wins).
FIELD_WORDS = [
    ("status", r"有效|废止|失效|还能用|过期|现行"),
    ("doc_number", r"文号|几号文|编号"),
    ("issuer", r"谁发|哪个部门|哪个单位|发文机关|发布单位|印发单位|什么部门|哪家"),
    ("url", r"链接|原文|网址|全文|在哪看|哪里看"),
    ("date", r"什么时候|何时|哪天|哪一天|日期|时间|哪年|几月"),
]


# How much one can get ("每月能提多少", "最高能贷多少", "报销比例是多少"): a cap, a rate or a
# standard, which documents state. An item's facts say what one pays and how long it takes, so
# NLU's reading of these as a fee or time-limit question would answer the wrong fact. (Money
# asked otherwise, "招一个人给多少钱", is a subsidy's conditions: retrieval.fields.AMOUNT_GIVEN.)
# Not what one pays ("补办身份证多少钱", "收费标准"), nor how many times, pieces or hours
# ("可以补办多少次", "能发多少张", "能提前多少小时"), nor a how-to ("发票额度怎么调整").
GOT = re.compile(r"(能|可以?)(提|领|补|贷|报销|返|发|拿)[^，。？！?!]{0,3}多少(?!次|个|张|份|项|件|人|家|天|小时|材料)")
RATE = re.compile(r"(额度|上限|(报销|返还|补贴)(比例|标准))(是|有|为)?(多少|几)")
PAID = re.compile(r"收费|工本费|(交|缴|花|付)多少")
# Words that ask for a document, not what it is about.
DOCUMENT_WORDS = re.compile(r"文件|规定|政策|通知|办法|条例|原文|条款|依据|出台|印发|发布|发的|相关|具体")


def says_document_words(text: str) -> bool:
    """Whether the words ask for a document (`DOCUMENT_WORDS`) other than inside a field's cue, where 文件
    is a paper to bring ("申请的时候得附上哪些文件"); 出台 is one though a cue ends in its 出 ("什么时候出台的")."""
    cues = [found.span() for _, cue in FIELD_CUES for found in cue.finditer(text)]
    return any(not any(start <= word.start() and word.end() <= end for start, end in cues) for word in DOCUMENT_WORDS.finditer(text))


def asks_amount(text: str) -> bool:
    field = detect_field(AMOUNT_GIVEN.sub(" ", text))  # (the words of an amount given cue the conditions)
    got = bool(GOT.search(text)) and field in (None, "fee") and not PAID.search(text)  # "能领多少钱" holds a fee's words
    rate = bool(RATE.search(text)) and field is None
    return got or rate


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
        if asks_the_topic(tracker):
            return answered(dispatcher, tracker)
        return answer_from_documents(dispatcher, tracker, items_first=not asks_amount(text))  # (no item holds an amount)


def asks_the_topic(tracker: Tracker) -> bool:
    """A field of the service under discussion asked in words NLU took for a document's ("小程序里有没有",
    "号码发我呗"): nothing else to search (not "住房补贴申请条件"), no document's words ("这个是哪个部门发的"),
    no amount (which documents hold)."""
    text = tracker.latest_message.get("text") or ""
    if not asks_a_field_of_the_topic(tracker) or says_document_words(text) or asks_amount(text):
        return False
    # (A word of the topic's own name names it, "这个文号在网上能查到吧" on …广告批准文号查询, unless the
    # words are surely another item's: "一级注册消防工程师注册网上能办吗" on …考试报名.)
    searcher, catalogue = knowledge()
    item, words = catalogue.entry(tracker.get_slot("current_item")), strip_field_cues(text)
    own = item is not None and not sure_of_another(searcher, words, item)
    return not names_a_subject(words, besides=searcher.words_of(item.name) if own else ())


def of_the_service_under_discussion(tracker: Tracker) -> bool:
    """Whether words NLU took for a document follow-up, with no document under discussion, are the
    service's under discussion to weigh: they ask for no document ("这台中继台还是前任经理在的时候装的",
    a remark), or point at the service by a word of its name ("这份公报一般要多少个工作日才发布出来" on
    海洋灾害公报查询, whose 发布 is a document's word). The answer action decides what they do to it."""
    searcher, catalogue = knowledge()
    item = catalogue.entry(tracker.get_slot("current_item"))
    if item is None:
        return False
    text = tracker.latest_message.get("text") or ""
    return not says_document_words(text) or says_this(searcher, text, item)


def answer_from_documents(
    dispatcher: CollectingDispatcher, tracker: Tracker, items_first: bool = True, question: str | None = None
) -> list[EventType]:
    """The catalogue's sure answer first (`items_first`), then the passage that answers
    `question` (the message, unless given). How much one can get is asked of documents alone: no
    item holds it, and the catalogue's being "sure" of 发票领用 for "每月能领多少" would move the
    conversation off its item."""
    text = question or tracker.latest_message.get("text") or ""
    events: list[EventType] = []
    item_reply, item_events = confident_reply(tracker) if items_first else (None, [])
    if item_reply is not None:
        send(dispatcher, item_reply)
        events += item_events
    # A question about the item under discussion is searched with its words: one naming
    # nothing of its own ("这个有文件规定吗" on 跨省异地就医备案) at once, any other ("每月能提多少"
    # after "租房提取公积金怎么办理") when its own words find nothing.
    own = answer(documents(), text) if names_a_subject(text) else None
    result = own
    if own is None or not own.found:
        about = topic_words(tracker) if item_reply is None else ""
        if about:
            result = answer(documents(), f"{about} {text}")
        elif own is None:  # nothing under discussion either: the words as they are
            result = answer(documents(), text)
    if not result.found:
        if item_reply is None:
            dispatcher.utter_message(text=NOT_FOUND)
        return events
    region = tracker.get_slot("region")
    note = elsewhere_note(result.best.document, text, region)
    if note and not places_asked(text):
        # Where the user said they are ("我在青岛" earlier): that place's own document, if one
        # answers, before another place's. Searched only on a mismatch, as the place's name
        # would weigh in every search.
        place = places_asked("", region)[0][0].name
        local = answer(documents(), place + result.question)
        if local.found and not elsewhere_note(local.best.document, text, region):
            result, note = local, ""
    cards = [card(result.best, result.sentence)] + [card(h) for h in result.hits[1:]]
    reply = "\n".join(line for line in (note, reply_text(result)) if line)
    # The words searched go with the cards (the item's beside "每月能提多少"): "青岛的呢" next
    # searches them again for 青岛 (`last_document_question`).
    dispatcher.utter_message(text=reply, json_message={"documents": cards, "question": result.question})
    return events + [SlotSet("current_document", result.best.document.docid)]


def elsewhere_note(document: Document, question: str, region_code: str | None = None) -> str:
    """What to say first when the question asks of a city or county and the document is another
    place's ("青岛公积金租房提取每月能提多少" answered by 济南's 提取管理办法, as if 青岛's cap). The
    places asked are those the question names (each of "济南和青岛"), else the region the
    conversation has (`region_code`: "我在青岛" said earlier). The document's place is its
    issuer's, else its title's ("山东省人社厅关于公布济南等16市…" is the province's); nothing is said
    where the document names no place of the province or holds every place asked (a
    province-wide document for 青岛; a district's for its city is still noted)."""
    gazetteer = knowledge()[1].gazetteer
    held = gazetteer.resolve(document.issuer) or gazetteer.resolve(document.title)
    if held is None:
        return ""
    missing = [full_name(places[0]) for places in places_asked(question, region_code) if not any(held.code in gazetteer.chain_codes(p.code) for p in places)]
    if not missing:
        return ""
    asked = "、".join(missing)
    return f"没有找到{asked}的相关文件。以下是{held.name}的规定，只适用于{held.name}，供参考；{asked}的情况可拨打12345咨询。"


def full_name(region: Region) -> str:
    """A county with its city ("青岛市市南区"): several cities have a 市中区."""
    chain = knowledge()[1].gazetteer.chain(region.code)
    return region.name if region.level in ("省", "市") or len(chain) < 2 else chain[1].name + region.name


def places_asked(question: str, region_code: str | None = None) -> list[list[Region]]:
    """Each place the question names, as the regions of its name (several counties are called
    市中区), leaving out a place another one lies in ("青岛市南区" asks of 市南区 alone); else
    the conversation's region."""
    gazetteer = knowledge()[1].gazetteer
    named = [gazetteer.find(name) for name in dict.fromkeys(name for _, _, name in gazetteer.mentions(question))]

    def holds_another(places: list[Region]) -> bool:
        return any(p.code != o.code and p.code in gazetteer.chain_codes(o.code) for others in named for o in others for p in places)

    asked = [places for places in named if not holds_another(places)]
    if asked or not region_code:
        return asked
    region = gazetteer.get(region_code) or next(iter(gazetteer.chain(region_code)), None)
    return [[region]] if region is not None else []


# A reply naming services or policies ends what a place alone may refer back to.
OTHER_ANSWERS = ("items", "themes", "policies", "suggestions", "form", "application", "workorder")


def last_document_question(tracker: Tracker) -> str | None:
    """The words the last document answer searched, unless another kind of answer came since
    (a follow-up about the document, "这个文件什么时候发的", is still about it)."""
    for custom in bot_payloads(tracker):
        if custom.get("question") and custom.get("documents"):
            return custom["question"]
        if any(custom.get(key) for key in OTHER_ANSWERS):
            return None
    return None


def names_a_subject(text: str, besides: Collection[str] = ()) -> bool:
    """Whether the words say what they ask about, beyond asking for a document (and beyond the words
    `besides`): "这个有文件规定吗", "文件里是怎么规定的" do not."""
    searcher = knowledge()[0]
    return any(len(word) > 1 and word not in besides for word in content_words(searcher, DOCUMENT_WORDS.sub(" ", text)))


def topic_words(tracker: Tracker) -> str:
    """The words the item under discussion goes by: the user's own question that found it, as
    documents word it too (租房, where the item's name says 租赁住房), or else its name (the
    question may have found choices, or another item since)."""
    searcher, catalogue = knowledge()
    item = catalogue.entry(tracker.get_slot("current_item"))
    if item is None:
        return ""
    said = tracker.get_slot("last_query") or ""
    best = searcher.search(said, Filters(region_code=tracker.get_slot("region"))).best if said.strip() else None
    return said if best is not None and best.item.service_key == item.service_key else item.name


class ActionDocumentField(Action):
    def name(self) -> str:
        return "action_document_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        docid = tracker.get_slot("current_document")
        document = documents().documents.get(docid) if docid else None
        if document is None and asks_the_topic(tracker):
            return answered(dispatcher, tracker)
        if document is None and (theme_events := answered_of_the_theme(dispatcher, tracker)) is not None:
            return theme_events
        if document is None:  # no document under discussion: maybe a service question ("批准文号在哪查")
            item_reply, item_events = confident_reply(tracker)
            if item_reply is not None:
                send(dispatcher, item_reply)
                return item_events
            if of_the_service_under_discussion(tracker):
                return answered(dispatcher, tracker)
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
