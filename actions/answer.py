"""Answer service questions: find the item by retrieval over the user's own words.

NLU says what kind of question it is (which field, a region, a choice); retrieval says
which item. Slots keep the current item, region and target so follow-ups work:
"那要多久？" (same item, new field), "青岛的呢？" (same question, new region), "第二个".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate
from typing import Any, Iterable, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import MAX_CHOICES, NOT_THIS_THEME, ONE_PART_ASKED, THEME_CALLED, act_words, close_alternatives, content_words, pick_in_words, says_several, several_cues, theme_asked, theme_called_among, theme_covering
from actions.context import bot_payloads, knowledge, latest_said
from actions.departments import named_unit, names_department_of
from actions.forms.specs import kind_for
from actions.place_questions import place_questions
from actions.rating import ActionRate, asks_to_rate
from actions.returning import beside_pointer, earlier_topics, returned_to
from actions.replies import (
    LOCAL_FIELDS,
    PICK_FIRST,
    UNREADABLE,
    VARIES,
    acknowledged_message,
    answers_with_a_service,
    area_message,
    aside_message,
    choice_message,
    fact_of_each,
    item_message,
    no_match_message,
    outside_message,
    rejected_again_message,
    suggestion_message,
    sure_of_nothing,
    theme_message,
    which_service_message,
)
from actions.topic import (
    FIELD_INTENTS, REGION_INTENT, REJECTION, TARGET_INTENT, Evidence, Topic, decide, dialogue_words, marked_new, narrowing_words, own_case_words, step_words, without_marker,
    offers_maybe, place_without_fact, thresholds,
)
from catalogue.gazetteer import Gazetteer, Region
from catalogue.model import LEVELS, ServiceItem
from catalogue.store import THEME_LABEL, THEME_TYPE, Catalogue
from retrieval.documents import record_text
from retrieval.fields import AGE_SAID, ASKS_FOR_A_RECOMMENDATION, OTHERS, PREMISE, QUESTION, Field, asks_a_fact_last, asks_how_or_a_fact, asks_if_case_qualifies, asks_or_cues_a_field, asks_or_wants, asks_times_allowed, confirmed_fact, cues_a_field, detect_fact, fact_ending, field_answer, field_asked, field_cued, last_clause, only_tells, other_field_asked, strip_field_cues, without_fact
from retrieval.search import CLAUSE_END, PROGRESS_LOOKUP, Filters, Searcher, SearchResult, asks_progress, clauses_of, name_stem, of_its_office
from retrieval.text import normalise

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
INTENT_OF_FIELD = {field: intent for intent, field in FIELD_OF_INTENT.items()}
TARGET_OF_ENTITY = {"自然人": "自然人", "法人": "法人"}
# The user saying who they are ("我是低保户", "本人是退役军人", "家里是低保户").
SAYS_WHO_I_AM = re.compile(r"(我|俺|咱|本人)(们|家)?(是|属于|作为|算)|家里是")
SUGGESTIONS = 3
# Whether a theme service covers a service named: "也在这里头吗", "也包括在里面吗", "也能一块给办了不",
# "能顺带提出来不", "公积金那个单位户也是一块儿给销了是吧" (not "一块给办了吧": a request to apply);
# not "其中老年人优待证要带什么材料", "材料包括哪些", "我顺带问问…" (a review, session 37).
ASKED_AT_THE_END = r"[^，,。？?]*([吗不么][？?]?|[是对]吧[？?]?|[？?])$"  # (the clause goes on to ask)
ASKS_INCLUDED = re.compile(r"(在|算|属于)(这|那)?(里头|里面|其中|当中)|(包括|包含)在?(里面|里头|内|进去)"
                           rf"|一(块|起|并)儿?给?(办|弄|申请|销|注销|提|交|领){ASKED_AT_THE_END}|顺带(办|弄|申请|提|领)"
                           # "along with it": "燃气也跟着过户了不", "医保也跟着一块儿参上是吧"
                           rf"|也跟着{ASKED_AT_THE_END}")
UNITS_HEADING = "这个事项在当地有多个办理单位，请问您在哪个区县办理？"
ORDINAL_CHOICE = re.compile(r"第\s*([一二两三四五六七八九十]|\d{1,2})\s*[个项条种]")
# A choice by its number and nothing else ("2", "第二个", "最后一个").
BARE_ORDINAL = re.compile(r"\s*(选|要)?\s*(第?\s*([一二两三四五六七八九十]|\d{1,2})\s*[个项条种]?|最后一?[个项条种]?)\s*(吧。?|[。.！!])?\s*")
# A number that is part of an address: of a road's door, or a window, floor or room.
ADDRESS_NUMBER = re.compile(r"(?:路|街|道|巷|里)\d+|\d+(?:[、和至到-]\d+)*号(?:窗口|楼|大厦|大楼|院|之|房|室)|\d+(?:楼|层|室)")
CHINESE_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


OFFICE_NAMED = re.compile(r"大厅|窗口|办事处|服务中心|中心")


def fact_asked(searcher: Searcher, text: str, content: str) -> tuple[Field, str] | None:
    """A fact NLU has no intent for (retrieval.fields.FACT_CUES: the office hours, 代办, 异地, 邮寄,
    加急) asked of the item under discussion, with the content left to search (none): only when
    the message cues no other field ("晚上能网上办吗" asks about applying online) and, the fact's
    words taken out, says no word of two characters or more ("我走不开，让我媳妇去办行吗": 走, 开);
    otherwise its words are searched ("营业执照周末能办吗": `fact_of_the_named`). (An NLU intent
    for the hours, tried, moved other borderline messages' intents: "另外问下…增驾个B2，要怎么弄"
    became confirm_submission; README, Conversations.)"""
    found = detect_fact(content)
    # (An office whose hours are asked is not asked where it is: "市北那边的大厅礼拜六开门不".)
    if cues_a_field(OFFICE_NAMED.sub(" ", text) if found and found[0] == "hours" else text):
        return None
    if found is None or any(len(word) > 1 for word in content_words(searcher, found[1])):
        return None
    return found[0], ""


@dataclass(frozen=True)
class Words:
    """A message read for the search: the field it asks and its own words, without the field
    asked for and the region named (the region filters; its name in the words would pull
    items that merely mention it)."""

    field: Field | None
    asked: str  # without the field's cue words (the next "济南的呢" searches them again)
    content: str  # and without regions, or a fact's words: what is searched
    place_words: str  # what the place-question model reads (it was taught on words with a fact's cue in them)
    fact_alone: bool  # a fact asked with nothing else to search ("周末能办吗")


def read_words(searcher: Searcher, catalogue: Catalogue, text: str, intent: str = "") -> Words:
    """The message's words, and the field it asks: a fact asked alone, else NLU's field intent,
    else the field its words cue."""
    field = field_asked(FIELD_OF_INTENT.get(intent), text)
    if field == "visits" and asks_times_allowed(text):  # "只能转一次" (NLU: ask_visits) asks a limit
        field = "conditions"
    asked = strip_field_cues(text)
    content = catalogue.gazetteer.without_regions(asked)
    fact = fact_asked(searcher, text, content)  # "周末能办吗" (NLU: ask_online), "可以找人代办吗"
    if fact is not None:
        return Words(fact[0], asked, fact[1], content, True)
    without_age = AGE_SAID.sub(" ", content)
    if field is None and without_age != content and not content_words(searcher, without_age):
        # An age said alone ("他今年72岁"; NLU: choose_option, nlu_fallback or search_service by
        # wording) asks whether it qualifies: the conditions, of what is under discussion.
        return Words("conditions", asked, without_age, content, False)
    return Words(field, asked, content, content, False)


def search_words(searcher: Searcher, words: Words, text: str, filters: Filters) -> tuple[Words, SearchResult]:
    """The search on the message's words; a fact its last clause asks of a service it names is
    that service's fact, searched without the fact's words ("结婚登记能找人代办吗", NLU:
    ask_time_limit: 结婚登记, without 找人代办)."""
    probe = searcher.search(words.content, filters, k=10, said=text)
    named = None if words.fact_alone else fact_of_the_named(text, probe)
    if named is None:
        return words, probe
    fact = named[0]
    words = replace(words, field=fact, content=without_fact(words.content, fact), asked=without_fact(words.asked, fact))
    return words, searcher.search(words.content, filters, k=10, said=text)


def search_words_for(searcher: Searcher, words: Words, text: str, filters: Filters, target_named: bool) -> tuple[Words, SearchResult, Filters]:
    """`search_words` with the conversation's filters; a target told for an earlier question
    ("我们公司想请外国专家": 法人) does not bind one it finds nothing sure for and its words find
    more without it ("我们老板的中国绿卡快到期了": a person's). (Not one it is sure of: "医保参保
    登记" stays 单位职工's.) The filters returned are those searched by."""
    found_words, probe = search_words(searcher, words, text, filters)
    if not filters.target or target_named or probe.best is not None:
        return found_words, probe, filters
    untargeted = replace(filters, target=None)
    loose_words, loose = search_words(searcher, words, text, untargeted)
    return (loose_words, loose, untargeted) if loose.confidence > probe.confidence else (found_words, probe, filters)


def fact_of_the_named(text: str, found: SearchResult) -> tuple[Field, str] | None:
    """A fact the message ends by asking of the service it names ("结婚登记能代办吗"), and the
    words that ask it; not when they are part of the name of what its words find first
    ("低保申请可以代办吗": 最低生活保障申请代办; 跨省 of 三类超限运输车辆跨省行驶公路审批) or the
    message cues a field as well."""
    asked = fact_ending(text)
    if asked is None or not found.hits or cues_a_field(text):
        return None
    return None if asked[1] in found.hits[0].item.name else asked


def field_in_words(searcher: Searcher, catalogue: Catalogue, text: str) -> Field | None:
    """The fact or field words ask with no intent to go by (a rejection's clause "我问的是周末
    能不能办"): a fact asked alone (`fact_asked`), else the field they cue."""
    return read_words(searcher, catalogue, text).field


def send(dispatcher: CollectingDispatcher, message: dict[str, Any]) -> None:
    dispatcher.utter_message(**message)


class ActionAnswer(Action):
    """Answer a service question: decide what the message does to the conversation
    (actions/topic.py), then answer about the topic, a new service, or say none fits."""

    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if asks_to_rate(tracker.latest_message.get("text") or ""):  # "我想评价一下": the levels, for what was served
            return await ActionRate().run(dispatcher, tracker, domain)
        from actions.forms.application import applied_if_asked  # (that module builds on this one)

        applying = await applied_if_asked(dispatcher, tracker, domain)
        return applying if applying is not None else answered(dispatcher, tracker)

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        searcher, catalogue = knowledge()
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        text = latest_said(tracker)
        topic = Topic.of(tracker)
        events: list[EventType] = []
        if not any(ch.isalnum() for ch in text):  # "😀😀", "？？？": the topic and choices stay for the next message
            dispatcher.utter_message(text=UNREADABLE)
            return events
        if REJECTION.match(text):  # too long for NLU to read as a rejection ("不是这个，我问的是…")
            from actions.rejection import answer_rejection  # (that module builds on this one)

            return answer_rejection(dispatcher, tracker)
        if ASKS_FOR_A_RECOMMENDATION.search(text) and not asks_how_or_a_fact(text):
            # "办完想去拍个结婚纪念照，广州哪家影楼好": not the services its words come near (结婚登记
            # offered as maybe); the topic stays for the next follow-up.
            dispatcher.utter_message(response="utter_out_of_scope")
            return events

        region = region_said(catalogue.gazetteer, text)
        if topic.code and region is None and acknowledged(text):
            send(dispatcher, acknowledged_message(catalogue.entry(topic.code)))  # the topic and its choices stay
            return events
        intent = intent_of_where(searcher, catalogue, text, region, intent, topic.code)
        if intent in ("ask_suggestions", "ask_progress", "choose_option") and (cued := field_cued(text)) is not None and (item := catalogue.entry(topic.code)):
            # A fact of the topic asked in words NLU took for a request for suggestions, from 还要 / 还得 ("除了方案
            # 报告书，还要附上什么", "图纸之外还得带齐哪些申报文件"), for an application's progress ("从受理到拿证一共
            # 几个工作日") or, with no choices standing, for a pick by a number ("是去平安大厦10楼吧"), which their actions
            # sent here: that field's question, to be weighed as one. (Not when search is sure the words name another
            # service: "还有我老婆想考CPA，在哪报名啊".)
            if not sure_of_another(searcher, strip_field_cues(text), item):
                intent = INTENT_OF_FIELD[cued]
        region_code = region.code if region else topic.region
        if region and region.code != topic.region:
            events.append(SlotSet("region", region.code))
        target = topic.target
        for value in tracker.get_latest_entity_values("target"):
            if value in TARGET_OF_ENTITY:
                target = TARGET_OF_ENTITY[value]
                events.append(SlotSet("target", target))
        from actions.documents import answer_from_documents, asks_amount, last_document_question  # (that module builds on this one)

        if asks_amount(text):  # "每月能提多少", read by NLU as the time limit: a document's cap
            return events + answer_from_documents(dispatcher, tracker, items_first=False)
        asked_of_documents = last_document_question(tracker) if region is not None and intent == REGION_INTENT else None
        if asked_of_documents and not content_words(searcher, catalogue.gazetteer.without_regions(text)):
            # "青岛的呢" after a document's answer: that question, asked of the region now named.
            again = region.name + "".join(catalogue.gazetteer.without_regions(asked_of_documents).split())
            return events + answer_from_documents(dispatcher, tracker, items_first=False, question=again)
        filters = Filters(region_code=region_code, target=target)
        words = read_words(searcher, catalogue, text, intent)
        if region is None and (intent == REGION_INTENT or words.field in LOCAL_FIELDS):  # facts that differ from place to place
            # "那香港呢", "北京在哪办", "珠三角的呢": a place the portal does not serve, or a
            # part of the province too wide to say where, and nothing else to search. The
            # topic stays for the next question. (Not "去香港要办什么", a service question, nor
            # "我在上海，要带什么材料": the materials are the same wherever the user is.)
            reply = place_reply(searcher, catalogue, words.content, topic)
            if reply is not None:
                send(dispatcher, reply)
                return events
        target_named = any(value in TARGET_OF_ENTITY for value in tracker.get_latest_entity_values("target"))
        words, probe, filters = search_words_for(searcher, words, text, filters, target_named)
        field, content, asked = words.field, words.content, words.asked
        # A confirmation of what was said ("那就是说领执照不花钱对吧") asks that fact of what is under discussion.
        confirmed = confirmed_fact(text)
        field = field or confirmed
        back = returned_to(searcher, catalogue, tracker, topic, content)  # ("刚才那个查公证处的，要多久")
        went_back = back.code != topic.code
        if went_back:
            topic, content = back, beside_pointer(content)
            # The pointer's clause names the service, not the fact: "再说回看北江洪水预警的那个系统，用它要跑几趟" asks the
            # visits, though 系统 is an online cue.
            field = field_asked(FIELD_OF_INTENT.get(intent), beside_pointer(text)) or field
        theme_called = theme_of_a_part_called(searcher, catalogue, topic, text, filters)
        if theme_called is not None:  # "退休要办的那几样，能一起弄了不" on a part of 退休“一件事”: that theme
            reply, shown = answer_about(catalogue.entry(theme_called), field, region_code, catalogue)
            send(dispatcher, reply)
            return events + [SlotSet("current_item", shown.code), SlotSet("offered_items", None), SlotSet("last_field", field)]
        weighed = probe
        if region is not None and probe.best is None and not searcher.uncovered(region):
            # Nothing sure in the region named: the words are weighed against the whole
            # catalogue, as the answer will be (`general_answer`: what holds everywhere).
            # "烟台劳务派遣公司开办要跑几个部门" names 开办劳务公司, which only 济南 implements.
            weighed = searcher.search(content, replace(filters, region_code=None), k=10, said=text)
        evidence = measure(searcher, catalogue, topic, intent, field, content, weighed, filters, said=text)
        earlier_named = earlier_service_named(searcher, catalogue, tracker, topic, content, weighed, evidence.about_topic)
        evidence = replace(
            evidence,
            # The pointer's clause named the earlier service, as "这个名单" names the topic: the rest of the
            # words ("说回刚才保险监管那个信息查询，提交后几天给答复"; NLU: correct_answer) ask of it. So does a
            # confirmation, of the topic.
            says_this_topic=evidence.says_this_topic or went_back or confirmed is not None,
            names_other=evidence.names_other or earlier_named is not None,
            names_earlier=earlier_named is not None,
            region_changed=bool(region and region.code != topic.region),
            narrows=evidence.narrows or bool(region) or target_named or tells_who_they_are(intent, text),
        )
        evidence = with_place_question(evidence, searcher, words.place_words)
        move = decide(topic, evidence, thresholds())
        log.info("move %s %s", move, evidence.as_log())
        if move == "new_service" and evidence.names_earlier:
            # A service asked about before, named again ("安全许可是不是还得交一笔审查费" on 排污许可, after 危险化学品生产企业
            # 安全生产许可): gone back to, as "说回…" would, though search finds others close to it for the words.
            topic, move = replace(topic, code=earlier_named), "refer_back"
        if move in ("refer_back", "await_pick") and field and only_tells(text) and confirmed is None and not AGE_SAID.search(text):
            # A remark with a fact's word, asking nothing ("她们学校就业办的电话一上午都占线"): not that fact of the
            # topic. As any aside: the work order a click away, and the topic and its choices stay. (An age told
            # asks whether it qualifies: "我妈都七十多岁了"; so does what was said, restated: "意思是…都不必去现场咯".)
            return aside(dispatcher, catalogue.entry(topic.code), events)

        if move == "pick":  # a choice offered, or the topic's sibling: the question, asked or the last one, about it
            field = field or topic.field
            reply, item = answer_about(catalogue.entry(evidence.picked or evidence.sibling), field, region_code, catalogue)
            send(dispatcher, reply)
            return events + [SlotSet("current_item", item.code), SlotSet("offered_items", None), SlotSet("last_field", field)]
        if move == "await_pick":  # a fact of the choices offered: each one's, unless they were only "maybe"
            offered = [entry for code in topic.offered if (entry := catalogue.entry(code)) is not None]
            surely = offered and field and not offered_as_maybe(tracker)
            send(dispatcher, fact_of_each(offered, field, region_code is not None) if surely else {"text": PICK_FIRST})
            return events + [SlotSet("last_field", field)]
        if not field and intent == REGION_INTENT:  # "那离婚呢", "那补办呢": the last question, about what it names
            field = topic.field
        if move == "refer_back":
            units = units_to_choose(catalogue.entry(topic.code), field, region_code, catalogue)
            if units:
                reply, unit_events = units_choice(units)
                send(dispatcher, reply)
                return events + [SlotSet("last_field", field)] + unit_events
            reply, item = answer_about(catalogue.entry(topic.code), field, region_code, catalogue)
            send(dispatcher, reply)
            return events + [SlotSet("last_field", field), SlotSet("current_item", item.code), SlotSet("offered_items", None)]
        if move == "narrow":  # the last question again, for the region or target now given
            # ...unless this message asks a field itself: "人在广州，材料交到哪里" asks the place, in 广州.
            topic = replace(topic, field=field or topic.field)
            return events + [SlotSet("last_field", topic.field)] + narrow(dispatcher, topic, filters, catalogue, searcher)
        if move == "leave":  # not about the topic, and nothing else fits: the topic stays, and its region
            if searcher.progress_words is not None and asks_progress(searcher.progress_words, text):
                # "对了，交了材料以后怎么查办到哪一步了" (nlu_fallback), naming nothing: the topic's progress lookup
                reply, found_events = topic_progress_lookup(tracker, field)
                if reply is not None:
                    send(dispatcher, reply)
                    return events + found_events
            called = theme_called_among(weighed, searcher)
            if called is not None:  # "…那个一件事咋办": the theme the hits hold, however unsure of the words
                reply, shown = answer_about(called, field, region_code, catalogue)
                send(dispatcher, reply)
                return events + [SlotSet("current_item", shown.code), SlotSet("offered_items", None), SlotSet("last_field", field)]
            act = bare_act(searcher, content) if evidence.bare_act else None
            topic_item = catalogue.entry(topic.code) if act else None
            maybe = act_suggestions(searcher, topic_item, act, filters) if topic_item else []
            # Much said, something found for it, not surely, and asked or wanted: a remark ("最近实验室
            # 搬到黄埔，通勤每天两个小时，人都快废了。" on 实验动物使用许可) gets no items.
            # A clause asking how to get something that says a word of the name of search's first hit gets them too, though
            # the words say little ("他上个月住院花了好几万，有临时救助不" on 残疾人证一件事: 临时救助 of 临时救助对象认定及给付);
            # not a word outside that clause ("退休了想去水库钓鱼，钓鱼证搁哪办": 退休 of 退休“一件事”), nor one asking what
            # is on or who made it ("今晚有什么好看的电影上映": 电影 of 科普电影查询).
            asking = next((clause for clause in clauses_of(text) if ASKS_HOW_TO_GET.search(clause)), None)
            names_found = bool(weighed.hits and asking) and evidence.worth_offering and says_a_name_word(searcher, asking, weighed.hits[0].item)
            if not maybe and (offers_maybe(evidence, thresholds()) or names_found) and asks_or_wants(text) and not evidence.names_absent:
                maybe = [hit.item for hit in weighed.hits[:SUGGESTIONS]]
            # "那注销呢" with no sibling of the topic: items with that act; or what the words found:
            # labelled as maybe, and the topic stays for the next follow-up.
            if maybe:
                send(dispatcher, suggestion_message(maybe))
                return events + [SlotSet("offered_items", [i.code for i in maybe]), SlotSet("last_field", field or topic.field)]
            # A remark that neither asks nor wants anything ("最近单位搬到高新区，通勤每天两个小时，人
            # 都快废了。") gets what an aside NLU reads as a complaint gets (actions/complaint.py): the
            # work order a click away and the service named, however sure NLU was of either.
            return aside(dispatcher, None if asks_or_wants(text) else catalogue.entry(topic.code), events)
        rejected = tracker.get_slot("rejected_items") or ()
        found = without_rejected(probe, catalogue, rejected)
        if not found.confident and searcher.absent_things(content, beside=[hit.item.name for hit in found.hits]):
            # A thing no record holds ("想把住房公积金取出来装修房子" in Guangdong's catalogue), none of whose words
            # saying which the names come close with hold ("单身证明" does: 开具婚姻登记记录证明预约): what comes
            # close is no "maybe" for it, only "not found" with 12345.
            found = replace(found, hits=[])
        says_something = bool(content_words(searcher, content))
        # Words of doing alone find only "maybe" items ("咩情况先可以申请？" with nothing under
        # discussion offered 最低生活保障业务申请预约 for 申请): which service is asked instead.
        reply, reply_events = reply_for(found, field, catalogue) if says_something else (None, [])
        if region is not None and says_something and sure_of_nothing(reply):
            # Nothing sure in the region named: a service only other places implement is
            # answered with what holds everywhere, rather than "not found" or "maybe" items.
            reply, reply_events = general_answer(searcher, catalogue, content, text, filters, field, rejected) or (reply, reply_events)
        if topic.code and evidence.marked_new and sure_of_nothing(reply):
            # Nothing sure for a question said to be an aside ("另外…积分入学在哪报名" got "maybe"
            # items, then "那不限行这个多久能批下来" asked which of them): as after a question off the
            # topic, the topic stays for the next follow-up. (Not without the marker: "要带什么材料"
            # after an unsure new question asks which of its items.)
            reply_events = [e for e in reply_events if e.get("name") != "current_item"]
        if reply is not None:
            send(dispatcher, reply)
        elif not says_something:
            send(dispatcher, which_service_message())  # "要多久" with no service under discussion
        elif rejected and probe.best is not None and not found.hits:  # still sure of what was rejected
            send(dispatcher, rejected_again_message(probe.best.item))
        else:
            send(dispatcher, no_match_message())
        # An elliptical "那X呢" that found nothing leaves the last question as it was: the next
        # "天河区的呢" narrows that one, not "市里的呢"; so does a question with no words of its own.
        kept = [] if reply is None and (intent == REGION_INTENT or not says_something) else [SlotSet("last_query", asked)]
        return events + kept + [SlotSet("last_field", field)] + reply_events


# "Here", where the user is now ("在这边能换吗"; not 这里面, 我们这种, 本地人: 当地 points back
# to the place just named), and what names a place as where the user comes from, just before
# its name ("户口还在老家临沂", "户籍是菏泽的"; not "户口迁到青岛", where the user has moved).
HERE = re.compile(r"这边|这里(?!面)|这儿|本地(?![人户])|我们这(?![种样个])")
ORIGIN_BEFORE = re.compile(r"(?:老家|(?:户口|户籍|原籍)[还都也]?(?:在|是)(?:老家)?)[是在]?$")
# ...and a person said to be from there ("我是临沂人", "我老公是烟台的"): whose origin, not where asked.
PERSON_FROM = re.compile(r"(?:[我俺他她]|老公|老婆|媳妇|爱人|对象)们?(?:是|係|系)$")
FROM_AFTER = re.compile(r"人|的(?![窗大中政])")


def aside(dispatcher: CollectingDispatcher, remarked_on: ServiceItem | None, events: list[EventType]) -> list[EventType]:
    """The reply to words off the topic: the work order a click away, naming the service remarked on (else
    "not found"); the topic and its choices stay, and so does the region ("济南今天限号吗" says nothing of
    where the user is)."""
    send(dispatcher, aside_message(remarked_on) if remarked_on is not None else no_match_message())
    return [e for e in events if e.get("name") != "region"]


# An answer taken, and what the user will do next told ("好的，我先去把合同要过来", "行，我跟老板说一声"): nothing asked,
# wanted of the bot or said of who or where the user is.
ACKNOWLEDGING = re.compile(r"^(好的?|行|嗯|中|ok|明白了?|知道了|了解了?|收到|晓得了|懂了|谢谢|多谢|唔该晒?|好嘅)[啦了哈呀啊]?[，,。！!\s]+", re.IGNORECASE)
TO_BE_DONE_BY_THE_BOT = re.compile(r"申请|办|报名|预约|提交|帮|转人工|人工")


def acknowledged(text: str) -> bool:
    """Whether a message takes the answer and only tells what the user will do next (`ACKNOWLEDGING`)."""
    told = ACKNOWLEDGING.sub("", text, count=1)
    return told != text and only_tells(told) and not TO_BE_DONE_BY_THE_BOT.search(told) and not SAYS_WHO_I_AM.search(told)


def tells_who_they_are(intent: str, text: str) -> bool:
    """NLU's inform_target where the user says who they are: it narrows even when the target is
    none the catalogue names ("我是低保户"); without that ("你们这个机器人是哪家公司做的啊": 公司,
    "我想问下你们是哪家公司做的") inform_target narrows nothing (actions/topic.py)."""
    return intent == TARGET_INTENT and SAYS_WHO_I_AM.search(text) is not None


def names_an_origin(gazetteer: Gazetteer, text: str) -> bool:
    """Whether a region the message names is someone's origin ("我是临沂人，这边窗口几点开门")."""
    return any(
        ORIGIN_BEFORE.search(text[:start]) or (PERSON_FROM.search(text[:start]) and FROM_AFTER.match(text, end))
        for start, end, _ in gazetteer.mentions(text)
    )


def offered_as_maybe(tracker: Tracker) -> bool:
    """Whether the items last offered were only "maybe" (`suggestion_message`): a fact of each
    of those would answer about services the user likely did not mean."""
    return next((bool(custom.get("suggested")) for custom in bot_payloads(tracker) if custom.get("items")), False)


def region_said(gazetteer: Gazetteer, text: str) -> Region | None:
    """The region the message names as where the user is or asks about; not a place of origin
    set against "here": "户口还在老家临沂，在这边能换吗" on 居民身份证换领 in 青岛市南区 asks
    about 青岛 (a place of origin alone, "我户口在青岛", still says where)."""
    rest = text
    for start, end, _ in reversed(gazetteer.mentions(text)):
        if ORIGIN_BEFORE.search(text[:start]) and not HERE.match(text, end):  # ("老家在济南这边": here)
            rest = rest[:start] + " " + rest[end:]
    return gazetteer.resolve(rest if rest != text and HERE.search(rest) else text)


# A statement that ends by saying where: "我在临沂", "我们在济宁任城", "公司注册在济南历下".
ENDS_WHERE = re.compile(r"在[的呢啊吧了。！!，,\s]*$")


def intent_of_where(searcher: Searcher, catalogue: Catalogue, text: str, region: Region | None, intent: str, topic_code: str | None) -> str:
    """The intent to read a message by: a statement that only tells where the user (or the
    business) is narrows, whatever NLU read ("公司注册在济南历下" after 营业执照补领: 公司注册 is no
    question about 设立登记). Not when it asks a field ("要准备啥，我在青岛"), its words name a
    service ("社保卡补办在济南", worth ≥ `specific`), or the topic is a theme, whose parts a place
    may pick ("出生医学证明在青岛" on 新生儿出生)."""
    if region is None or intent in FIELD_INTENTS or (topic_code or "") in catalogue.themes:
        return intent
    rest = catalogue.gazetteer.without_regions(text)
    telling = ENDS_WHERE.search(rest) is not None and not cues_a_field(rest) and searcher.word_profile(rest)[0] < thresholds().specific
    return REGION_INTENT if telling else intent


def place_reply(searcher: Searcher, catalogue: Catalogue, content: str, topic: Topic) -> dict[str, Any] | None:
    """The reply to words that name only a place the answer cannot be given for: outside
    the province, or a part of it spanning several cities (None for anything else)."""
    gazetteer = catalogue.gazetteer
    area, place = gazetteer.area(content), gazetteer.outside_place(content)
    named = area[0] if area else place
    if named is None or not says_only_narrowing(searcher, content.replace(named, " "), or_nothing=True):
        return None
    if names_a_variant(searcher, catalogue, named, topic):  # "那台湾呢" after 往来港澳通行证: 往来台湾通行证
        return None
    item = catalogue.entry(topic.code)
    if area:
        return area_message(*area, item)
    return outside_message(named, gazetteer.province.name, item)


def names_a_variant(searcher: Searcher, catalogue: Catalogue, place: str, topic: Topic) -> bool:
    """Whether the place names a variant of what is being discussed: searched with the topic's
    name (or the last question), the best hit is named after the place ("那台湾呢" after
    往来港澳通行证: 往来台湾通行证). With nothing discussed, any item named after it will do."""
    item = catalogue.entry(topic.code)
    discussed = item.name if item is not None else topic.query
    if not discussed:
        return any(place in other.name for other in catalogue.items.values())
    best = searcher.search(f"{discussed} {place}", Filters(), k=1).best
    return best is not None and place in best.item.name


def units_to_choose(item: ServiceItem | None, field: Field | None, region_code: str | None, catalogue: Catalogue) -> list[ServiceItem]:
    """The units inside the region to choose from when a place or phone is asked and several
    implement the item there ("济南" for 历下区's and 市中区's 营业执照补领); none otherwise."""
    region = catalogue.gazetteer.get(region_code)
    if item is None or field not in LOCAL_FIELDS or region is None or region.level == "省" or item.code in catalogue.themes:
        return []  # (the whole province: its city is asked for first)
    local = local_implementations(item, region_code, catalogue)
    return local if len(local) > 1 else []


def units_choice(units: list[ServiceItem]) -> tuple[dict[str, Any], list[EventType]]:
    """A list of one service's units to choose from; the topic is what holds everywhere meanwhile
    ("要多久" still answers it), and a number picks a unit (ActionChooseOption)."""
    return choice_message(units, UNITS_HEADING), [SlotSet("offered_items", [i.code for i in units]), SlotSet("current_item", most_general(units).code)]


def general_reply(item: ServiceItem, field: Field | None, region_code: str | None, catalogue: Catalogue) -> tuple[dict[str, Any], ServiceItem]:
    """What holds everywhere about `item`, said to be that: the region has no unit for it
    (and the implementation shown, as `answer_about`). A theme's parts the region does
    have are shown there; no other county's place is."""
    region = catalogue.gazetteer.get(region_code)
    where = region.name if region else "该地区"
    reply, shown = answer_about(item, field, region_code, catalogue, lacking_said=item.name)
    reply["text"] = f"目录中没有{where}的【{item.name}】实施信息，以下是通用信息：\n" + reply["text"]
    return reply, shown


# A region's parts, by its level: where several units inside it do a service, which one is the user's.
PART_OF = {"省": "市", "市": "区县", "县": "乡镇（街道）"}


def place_unknown_in(region: Region, lacking: Sequence[str] = (), several: bool = False) -> str:
    """What to say of the place and phone when the region is known but no one unit is the
    user's (services with `several` units in it, or none: `lacking`): asking for the city
    again ("请告诉我您所在的城市或区县") reads as not heard."""
    if several and not lacking:
        part = PART_OF.get(region.level, "区县")
        return f"{region.name}有多个办理单位，请告诉我您在{region.name}的哪个{part}，我告诉您当地的办理地点和电话。"
    said = f"目录中没有{region.name}办理【{'、'.join(lacking)}】的单位信息，" if lacking else ""
    return said + "办理地点和电话可拨打12345政务服务便民热线咨询。"


def narrow(dispatcher: CollectingDispatcher, topic: Topic, filters: Filters, catalogue: Catalogue, searcher: Searcher) -> list[EventType]:
    """The last question (`topic.field` of the topic) again, for the region or target now given."""
    item = catalogue.entry(topic.code)
    if item is None:  # no topic yet: search the last question again, narrowed
        result = searcher.search(topic.query or "", filters, k=10)
        reply, reply_events = reply_for(result, topic.field, catalogue)
        send(dispatcher, reply or no_match_message())
        return reply_events
    local = local_implementations(item, filters.region_code, catalogue)
    if len(local) > 1:
        reply, unit_events = units_choice(local)
        send(dispatcher, reply)
        return unit_events
    if not local:
        send(dispatcher, general_reply(item, topic.field, filters.region_code, catalogue)[0])
        return []
    reply, _ = answer_about(local[0], topic.field, filters.region_code, catalogue)
    send(dispatcher, reply)
    return [SlotSet("current_item", local[0].code)]


def measure(
    searcher: Searcher, catalogue: Catalogue, topic: Topic, intent: str, field: str | None, content: str, probe: SearchResult, filters: Filters,
    said: str = "",
) -> Evidence:
    """The evidence `decide` weighs, from the message's content and a search on it (`said`: the
    whole message, whose ending may ask whether the user's case qualifies)."""
    item = catalogue.entry(topic.code)
    codes = [hit.item.code for hit in probe.hits]
    # What the conversation is about: the topic and its implementations, or else the choices offered.
    around = {i.code for i in catalogue.implementations(item)} | {item.code} if item else set(topic.offered)
    rank = next((n for n, code in enumerate(codes) if code in around), None)
    # Whose record the words are measured against: the topic's, else each choice offered.
    around_items = [item] if item else [entry for code in topic.offered if (entry := catalogue.entry(code)) is not None]
    elsewhere = probe.confidence if probe.hits and rank != 0 else 0.0
    # What the words may pick: the choices just offered, or the items of the theme under
    # discussion ("税务那块的清税在哪办" while on 企业注销“一件事”).
    theme = catalogue.themes.get(topic.code or "")
    pickable = topic.offered or (tuple(c for c in theme.item_codes if c in catalogue.items) if theme else ())
    picked = pick_in_words(searcher, content, pickable) if pickable and content.strip() else None
    # Whether the theme covers a part is asked in words that say nothing of which part, and they can
    # weigh the part's name down below a pick ("生育津贴也在这里头不咧", "公积金能一块儿提出来不"):
    # then the part is picked by the rest (not first: "能一起办优待证吗" names it inside them).
    included = ASKS_INCLUDED.search(content) if theme and not topic.offered and field is None else None
    if included and picked is None and (naming_part := ASKS_INCLUDED.sub(" ", content)).strip():
        picked = pick_in_words(searcher, naming_part, pickable)
    asks_included = bool(picked and included)
    if picked is None and theme and ONE_PART_ASKED.search(content):  # "单说办残疾证那一项": the part its words find first
        picked = next((hit.item.code for hit in probe.hits if hit.item.code in pickable), None)
    if picked is None and theme and not topic.offered and not included:  # ("养老保险…也算在里头不": the whole)
        picked = part_retrieval_leads(searcher, catalogue, probe, topic.code, pickable, content, said or content)
    if picked and outnamed(searcher, content, probe, catalogue.entry(picked), pickable):
        picked = None
    picked = picked or offered_by_ordinal(searcher, content, live_offered(topic.offered, catalogue))
    # A unit of the service named by its department ("归空港经济区管委会管"): another is picked, the topic's
    # own is pointed at ("我要看省农业农村厅发布的那一份" on 主业与品牌查询 of 广东省农业农村厅).
    naming = named_unit(catalogue, said or content, around_items) if picked is None else None
    unit = naming[0] if naming and not sure_of_other_than_named(searcher, probe, around_items, content, naming[1], filters) else None
    picked = unit.code if unit is not None and unit is not item else picked
    if picked is None and item is None and topic.offered:
        # The words, searched afresh, offer one of the choices alone, though they say more than
        # its name ("我跟朋友合伙想开个劳务派遣公司，得跑几个部门" among 开办餐饮店 / 开办劳务公司):
        # the user has said which. (Words as close to several as before offer several again.)
        alone = choices_for(probe, catalogue)
        offered = {entry.service_key: code for code in topic.offered if (entry := catalogue.entry(code)) is not None}
        picked = offered.get(alone[0].service_key) if len(alone) == 1 else None
    act = bare_act(searcher, content) if content.strip() else None
    sibling = sibling_by_act(searcher, item, act, filters) if item is not None and picked is None and act else None
    # What the words name, not how they start: 问下 of "顺便问下" is 咨询, which many records hold.
    unmarked = without_marker(content)
    naming = searcher.index.lexicon.tokens(unmarked)
    # (Words of doing alone name no service: "要到哪个地方报名" on 开展林业种苗法治学习教育 asks where to sign up
    # for it, not for 一物一证在线报名.)
    specific = searcher.worth([word for word in naming if word not in searcher.doing_words])
    _, unknown = searcher.word_profile(content)  # (顺便 counts: the thresholds were fitted with it)
    other = probe.best.item if probe.best is not None and rank != 0 else None
    own_case = any(word in content for word in own_case_words())
    # How much of the words the topic's record holds, or of those naming no step an office takes with any
    # application (`without_steps`), or of the clause that asks (`asking_clause`), the most of the three:
    # "报名后多久审核完" on 勘察设计注册工程师考试报名, whose record never says 审核, names no other service's
    # step; "审核被退回咗" on 公司律师执业审核 holds its own.
    stepless = without_steps(searcher, unmarked)
    asking = asking_clause(searcher, catalogue.gazetteer.without_regions(said)) if field else ""
    if asking and item is not None and other is not None and names_more(searcher, asking, other.name, item.name):
        asking = ""  # (the clause names the service search is sure of: "换领身份证要带啥，俺的快到期了" on 居民身份证补领)

    def held_by(entry: ServiceItem) -> float:
        return max(searcher.coverage(unmarked, entry), searcher.coverage(stepless, entry), asked_of(searcher, asking, entry))

    return Evidence(
        intent=intent,
        field=field,
        region_changed=False,
        content=bool(naming),
        about_topic=round(max(map(held_by, around_items), default=0.0), 3),
        elsewhere=elsewhere,
        elsewhere_rank_of_topic=rank,
        picked=picked,
        sibling=sibling if sibling and catalogue.entry(sibling) else None,  # an index older than the catalogue may name a removed item
        bare_act=act is not None,
        narrows=says_only_narrowing(searcher, content),
        names_other=item is not None and other is not None and names_other_than(searcher, content, other, item),
        specific=specific,
        unknown=unknown,
        marked_new=marked_new(content),
        worth_offering=probe.suggestible and bool(probe.hits) and rank != 0,
        own_case=own_case,
        asks_included=asks_included,
        asks_in_a_bare_clause=field is not None and asked_in_a_bare_clause(searcher, content, told_own_case=own_case, said=said),
        asks_if_case_qualifies=field == "conditions" and asks_if_case_qualifies(said),
        says_this_topic=item is not None and (says_this(searcher, content, item) or unit is item or (field == "location" and restates_its_address(said or content, item)) or names_department_of(catalogue, said or content, item) or (theme is not None and calls_the_theme(searcher, catalogue, theme.id, said or content, filters))),
        names_absent=bool(searcher.absent_things(content, beside=[record_text(entry) for entry in around_items])),
        names_topic=item is not None and names_the_topic(searcher, content, item, probe.hits[0].item if probe.hits and rank != 0 else None),
    )


# How to get or do something, or whether there is such a thing to get ("她的居民医保咋参上", "补驾照咋弄", "孩子的出生证明上哪开",
# "招人能领点补贴不", "有临时救助不").
ASKS_HOW_TO_GET = re.compile(
    r"(咋|怎么|怎样|如何|点样)(个|样)?(办|弄|整|搞|申请|申领|领|参保?|交|转|开|补|换|备案|登记|接)"
    r"|(去|上|到|搁|在)哪(儿|里)?(办|开|领|申请|备案|登记|交)"
    r"|(能|可以)(领|申请|办|报)[^，,。？?！!]{0,6}(不|吗|么|没)[？?]?$|(得|要|需要)(办|备案|登记|申请)[^，,。？?！!]{0,4}(不|吗|么|吧)[？?]?$"
    r"|有[^，,。？?！!]{1,8}(不|没|吗|么)[？?]?$"
)


def says_a_name_word(searcher: Searcher, content: str, item: ServiceItem) -> bool:
    """Whether the words hold a word of the item's name of two characters or more, not one of doing."""
    return any(len(word) >= 2 for word in set(searcher.index.lexicon.tokens(content)) & searcher.name_words(item) - searcher.doing_words)


def names_the_topic(searcher: Searcher, content: str, topic: ServiceItem, best: ServiceItem | None) -> bool:
    """Whether the words hold a word of the topic's name and none of the best hit's name that the topic's lacks
    (`Evidence.names_topic`)."""
    said, named = set(searcher.index.lexicon.tokens(content)), searcher.name_words(topic)
    return says_a_name_word(searcher, content, topic) and (best is None or not (said & searcher.name_words(best)) - named)


def earlier_found(catalogue: Catalogue, tracker: Tracker, topic: Topic, found: SearchResult) -> str | None:
    """The entry this conversation was about before the current topic, most recent first, of the service search
    is sure of; None when it is none of them."""
    if found.best is None or topic.code is None:
        return None
    current = catalogue.entry(topic.code)
    for code in earlier_topics(tracker, topic.code):
        entry = catalogue.entry(code)
        if entry is not None and entry.service_key == found.best.item.service_key and (current is None or entry.service_key != current.service_key):
            return code
    return None


def earlier_service_named(
    searcher: Searcher, catalogue: Catalogue, tracker: Tracker, topic: Topic, content: str, found: SearchResult, about_topic: float
) -> str | None:
    """The entry of a service asked about before the topic that the words name, search's best hit for them: none of them
    in the topic's record ("落户口得本人跑一趟吧" on 退役军人优待证 after 退役士兵户口登记), or its name saying more of
    them than the topic's name and department do ("规划许可要是在潍坊安丘办呢" on 特种设备使用登记, whose record holds
    许可; not "要去农业农村厅当面问，地址在哪" on 种畜禽管理实施办法 of that department, after …农业农村厅法治政府建设报告
    查询). Gone back to without a pointer. None when they name none."""
    earlier = earlier_found(catalogue, tracker, topic, found)
    if earlier is None:
        return None
    current = catalogue.entry(topic.code)
    said_of_topic = f"{current.name} {current.department}" if current is not None else ""
    return earlier if about_topic == 0 or names_more(searcher, content, found.best.item.name, said_of_topic) else None


def sure_of_other_than_named(searcher: Searcher, probe: SearchResult, entries: list[ServiceItem], content: str, run: str, filters: Filters) -> bool:
    """Whether retrieval is sure of a service other than those of `entries` by more than the
    department's name the words say (`run`): the words without it still find, surely, another service
    among those they found ("我们给珠江水产研究所供过货，想查下…供货企业项目业绩"; "教育厅的教师资格证怎么认定",
    高级中学 for 高等学校教师资格认定); "我要看省农业农村厅发布的那一份" finds …农业农村厅法治政府建设报告查询
    by the department's name alone (without it, 省作协期刊查询 at 0.32, which the words did not find)."""
    if probe.best is None or probe.best.item.service_key in {entry.service_key for entry in entries}:
        return False
    rest = content.replace(run, " ")
    if rest == content:  # (the run said otherwise than in the searched words: no telling)
        return True
    again = searcher.search(rest, filters) if rest.strip() else None
    # (Variants of the service are no other: 建设工程规划许可's 社会投资类 beside its 政府投资类. Nor what the rest
    # finds neither first, as the whole words did, nor surely: "管委会那边审批" of "空港管委会那边审批要多久" finds
    # 融资担保公司设立审批 at 0.51, the whole words 建设项目环境影响报告书审批.)
    basics = {entry.basic_code for entry in entries if entry.basic_code}
    found = {hit.item.service_key for hit in probe.hits if hit.item.basic_code not in basics}
    if again is None or again.best is None or again.best.item.service_key not in found:
        return False
    return again.best.item.service_key == probe.best.item.service_key or again.confidence >= thresholds().switch


# A part asked of in words, not only told (几 of 好几年, 边 of 那边 ask nothing; nor a fact's cue: "…医保断了好几个月").
ASKED_OF_A_PART = re.compile(r"咋|怎么|怎样|如何|点样|点搞|啥|什么|哪")
# How far down retrieval's hits a theme's part may lead the theme's other entries and still be asked of.
PART_RANK = 3


def part_retrieval_leads(
    searcher: Searcher, catalogue: Catalogue, probe: SearchResult, theme_code: str, parts: tuple[str, ...], content: str, said: str
) -> str | None:
    """The theme's part retrieval is sure of for words told in a story rather than the part's name,
    among its first hits, nearly as good as the first and above the theme itself, asked:
    "公积金里还攒着好几万，退了能一把都提出来不" on 退休“一件事” (离退休提取住房公积金, second behind 购买自住
    住房提取). Not words about the whole ("这一件事都管哪几样", "都得带啥": a fact's cue alone), nor what is
    told ("…在劳务公司干，说这行不好干", "隔壁家孩子出生证明丢了，后来补了"). (Unsure retrieval picks no part:
    with the theme among its first hits too, theme questions of materials and trips lost 6 turns.)"""
    if not probe.confident or not probe.hits or says_several(said) or THEME_CALLED.search(said):
        return None
    if not content_words(searcher, content) or not (QUESTION.search(said) or ASKED_OF_A_PART.search(said)):
        return None
    code_of = {entry.service_key: code for code in parts if (entry := catalogue.entry(code))}
    for hit in probe.hits[:PART_RANK]:
        if hit.item.code == theme_code or hit.score < thresholds().pick_ratio * probe.hits[0].score:
            return None
        if hit.item.service_key in code_of:
            return code_of[hit.item.service_key]
    return None


def asking_clause(searcher: Searcher, said: str) -> str:
    """The words of the one clause of several that cues a fact, its cue left out, when they name
    something (rare words' worth `Thresholds.specific`): "注册资本有啥要求不，俺们手头钱不算多" on 劳务派遣
    经营许可 asks of 注册资本, which its record holds, though the case told beside it is in words no
    record uses (`asked_of` weighs the clause). Empty otherwise."""
    clauses = clauses_of(said)
    asking = [clause for clause in clauses if cues_a_field(clause)]
    if len(clauses) < 2 or len(asking) != 1:
        return ""
    words = strip_field_cues(asking[0])
    return words if searcher.worth(searcher.index.lexicon.tokens(words)) >= thresholds().specific else ""


def asked_of(searcher: Searcher, asking: str, entry: ServiceItem) -> float:
    """How much of the asking clause's words the entry's record holds, where that says the clause asks
    about it (`Thresholds.about_topic`); else nothing (a share of a clause is no share of the message)."""
    share = searcher.coverage(asking, entry) if asking else 0.0
    return share if share >= thresholds().about_topic else 0.0


def without_steps(searcher: Searcher, content: str) -> str:
    """The words without those naming a step an office takes with any application (审核, 受理…;
    data/dialogue/step_words.txt); empty when nothing else is said."""
    return " ".join(word for word in searcher.index.lexicon.tokens(content) if word not in step_words())


def sure_of_another(searcher: Searcher, words: str, item: ServiceItem, filters: Filters = Filters()) -> bool:
    """Whether search is sure of a service other than `item` for the words (where `filters` say)."""
    other = searcher.search(words, filters, k=1).best
    return other is not None and other.item.service_key != item.service_key


# "This" or "that" pointing at a thing (Cantonese 呢个 / 嗰个), not someone else's ("他那本军队驾照"
# is the friend's, another variant) nor a place ("也是在这报名吗").
THIS = re.compile(r"(?<![他她])(?:这|那|呢|嗰)(?:个|项|份)")


# "This" standing alone as what the message is about, its question straight after ("这个在网上查的到不，不想
# 专门过去", "这事得上啥地方办"): the service under discussion, whatever else the words say. (First: after
# words naming something, "this" is that: "拿到证之后我打算在广州认定高中老师的资格，这个怎么申请".)
THIS_ALONE = re.compile(r"^\s*(?:那|那么)?(?:这|呢|嗰)(?:个|项|事|件事)?"
                        r"(?=在|能|可以|可唔可以|要|得|需要|是不是|有没有|有冇|怎么|咋|点样|多|去|一般|大概|的话|还|也|都|喺)")


def says_this(searcher: Searcher, content: str, item: ServiceItem) -> bool:
    """Whether the words point at the item by a word of its name ("这个名单" of 医疗机构名单查询,
    "呢个备案"): two characters or more, not a word of doing ("这个办理" points at nothing); or by
    "this" alone (`THIS_ALONE`)."""
    if THIS_ALONE.search(content):
        return True
    words = [word for word in searcher.name_words(item) - searcher.doing_words if len(word) >= 2]
    after_this = [content[found.end():] for found in THIS.finditer(content)]
    return any(any(map(after.startswith, words)) or says_its_head(searcher, after, item) for after in after_this)


def says_its_head(searcher: Searcher, after_this: str, item: ServiceItem) -> bool:
    """Whether the words after "this" start with the character that ends the item's name, standing alone ("这个展
    的信息" of 查询…漆玉作品展: what the name is, as 证 of a licence), not the start of a longer word ("这个证明")."""
    head = name_stem(item.name)[-1:]
    return bool(head) and "\u4e00" <= head <= "\u9fff" and after_this.startswith(head) and not (len(after_this) > 1 and searcher.index.lexicon.is_word(after_this[:2]))


# How long a run of an address restated must be, with a mark of one, to be the topic's own address.
ADDRESS_RUN = 5
ADDRESS_MARK = re.compile(r"[路街道号楼厦层]")


def restates_its_address(said: str, item: ServiceItem) -> bool:
    """Whether the words restate an address the item's own place holds ("去荔湾区中山七路341号那栋吧" of
    林业有害生物防治技术咨询, at 广州市荔湾区中山七路341号之1): the place of the topic asked to be confirmed,
    whatever else its other words ("上门咨询") find."""
    if not item.location:
        return False
    match = SequenceMatcher(None, said, item.location, autojunk=False).find_longest_match()
    return match.size >= ADDRESS_RUN and ADDRESS_MARK.search(said[match.a:match.a + match.size]) is not None


# A clause that refers back to what was told: "他的也能查吗", or a person told of as the subject asked of
# ("我们组长想翻翻规范原文，他要跑几趟").
REFERS_BACK = re.compile(r"[也还这那它]|[他她]们?的|^\s*[他她佢](?:们|哋)?")
# Someone else wanting the same done ("我隔壁果园的老陈也想申请一份，多久能拿到"): a case told, asked of the topic.
ALSO_WANTED = re.compile(r"(也|同样)(想|要|打算|准备|得)(申请|办|领|查|报|弄|搞|做)")


# Another clause saying what the user wants done asks about that ("电话多少？上班的地方物业费涨了，想投诉物业").
WANTS_DONE = re.compile(r"投诉|举报|反映")  # (not 想问 / 想申请: "在哪办？老人腿脚不好，想申请上门办")


def asked_first(searcher: Searcher, said: str) -> bool:
    """Whether the message's first clause to ask a fact asks it in words that name no service (one
    word the catalogue never writes may be among them: 上去 of "交上去几天能批下来", 前前后后 of "我们两个
    老人家腿脚不好，前前后后要去几次"), and no other clause asks anything or wants something done."""
    clauses = clauses_of(said.strip())
    asking = next((n for n, clause in enumerate(clauses) if cues_a_field(clause)), None)
    if asking is None:
        return False
    # (Nor another clause asking something: "得交多少钱，学费咋交" asks of 学费.)
    others = clauses[:asking] + clauses[asking + 1 :]
    if WANTS_DONE.search("".join(others)) or any(map(asks_or_cues_a_field, others)):
        return False
    worth, unknown = searcher.word_profile(strip_field_cues(clauses[asking]))
    return worth < thresholds().specific and unknown <= 1


def asked_in_a_bare_clause(searcher: Searcher, content: str, told_own_case: bool = False, said: str = "") -> bool:
    """Whether the words (the field's cue taken out) end with a clause that names no service, in
    the catalogue's words, after clauses that tell the user's case: the fact was asked of the topic
    ("我家老大是2012年生的，他的也能查吗": 查 alone names none; "要是成绩一直显示不出来，打啥电话问").
    Or the whole message (`said`) asks the fact in such a clause, and the others tell the user's case
    in so many words ("交上去几天能批下来？下个月有个演练，怕赶不上", "我们两个老人家腿脚不好，前前后后要去几次")."""
    # (A clause the cue was all of is left empty: "打啥电话问" of "…，打啥电话问？".)
    clauses = CLAUSE_END.split(re.sub(r"[\s？?！!。]+$", "", content))
    if len(clauses) < 2:
        return False
    if told_own_case and asked_first(searcher, said):
        return True
    last, unknown = searcher.word_profile(without_marker(clauses[-1]))  # ("附近哪家火锅店便宜" names much: 火锅店)
    if last >= thresholds().specific or unknown:
        return False
    # What the clauses before tell is the user's case when the question refers back to it ("他的也
    # 能办吗"), they set a premise ("要是成绩一直显示不出来，") or tell circumstances in so many words
    # (`told_own_case`: "老人行动不便，必须到场吗"); not "我家楼下的路灯坏了，打啥电话问" or "我想给阿爷
    # 装个无障碍扶手，要几多钱" (a review), which ask about what they tell.
    told = "，".join(clauses[:-1]) + "，"
    return told_own_case or bool(REFERS_BACK.search(clauses[-1]) or PREMISE.search(told) or ALSO_WANTED.search(told))


def offered_by_ordinal(searcher: Searcher, content: str, offered: tuple[str, ...]) -> str | None:
    """The choice a question names by its place in the list, with nothing else said beside
    the fact asked (`content` is without it): "第一个要多久", "第2项在哪办" — not "第一个孩子
    出生要办什么" or "第3个工作日能拿到吗". A bare "第一个" is NLU's choose_option."""
    match = ORDINAL_CHOICE.search(content)
    if not match or not offered or content_words(searcher, content[:match.start()] + " " + content[match.end():]):
        return None
    number = parse_ordinal([match.group(1)], "") or 0
    return offered[number - 1] if 1 <= number <= len(offered) else None


def with_place_question(evidence: Evidence, searcher: Searcher, content: str) -> Evidence:
    """The evidence with `about_place` measured, where `decide` reads it: a region named and no
    fact asked but the hours (~0.8 ms: one more sentence encoding)."""
    if not place_without_fact(evidence):
        return evidence
    return replace(evidence, about_place=round(place_questions(searcher).probability(content), 3))


NAMED_OTHER_CHARS = 4  # (a shorter name is a word of others': 护照, 签注)


def names_other_than(searcher: Searcher, content: str, other: ServiceItem, topic: ServiceItem) -> bool:
    """Whether the words name `other` rather than the topic: a word of theirs is in `other`'s
    name and nowhere in the topic's record, its name says more of them than the topic's, and
    they say at least `name_said` of its name ("报名审核要几天" on 执业药师资格考试报名 says 审核
    of 出国朝觐报名审核, but not 出国朝觐: a step of the topic's own process). The words are
    read as the search reads them, long ones with their character pairs, as a name's are:
    "劳务派遣公司" says 劳务 of 开办劳务公司."""
    said = frozenset(searcher.index.lexicon.search_tokens(content))
    in_other = said & searcher.words_of(other.name)
    record, named = searcher.words_of(record_text(topic)), searcher.words_of(topic.name)
    # The office of what the topic's name is about, and its character pairs, are no other's words:
    # "公证处在哪" on 学位公证指引, though 公证机构信息查询's name says 公证处 in the catalogue's words.
    # (By the name: 公证 in a record's materials, "经公证的…", makes no 公证处 the topic's.)
    offices = [word for word in said if of_its_office(word, named)]
    own = {word for word in in_other - searcher.doing_words - record if not any(word in office for office in offices)}
    # Or its whole name said, which the topic's name does not hold ("人力资源服务许可又是干啥的" on 劳务派遣经营许可,
    # whose record holds each of its words).
    stem = name_stem(other.name)
    if len(stem) >= NAMED_OTHER_CHARS and stem in content and stem not in topic.name:
        return True
    return (
        bool(own)
        and searcher.worth(in_other) > searcher.worth(said & named)
        # (of its name or of the name without its bracketed variant, which words rarely say: "危化品经营许可" names
        # 危险化学品经营许可（不带储存设施）)
        and max(searcher.coverage_of(name, content, cache=False) for name in {other.name, stem}) >= thresholds().name_said
    )


def names_more(searcher: Searcher, content: str, name: str, than: str) -> bool:
    """Whether `name` says more of the words (IDF-weighted) than `than` does."""
    return searcher.coverage_of(content, name) > searcher.coverage_of(content, than)


def outnamed(searcher: Searcher, content: str, probe: SearchResult, picked: ServiceItem | None, pickable: tuple[str, ...]) -> bool:
    """Whether the words name a service outside the choices more than the choice they
    picked: "那离婚呢" among 结婚登记 choices finds 离婚 in 结婚登记预约's record, but retrieval
    is sure of 离婚登记预约, whose name says it. ("个人所得税那个" among 纳税证明 choices
    keeps its pick: that choice's name says 个人所得税 as well.)"""
    best = probe.best  # only when retrieval is sure
    if picked is None or best is None or best.item.code in pickable:
        return False
    return names_more(searcher, content, best.item.name, picked.name)


def act_hits(searcher: Searcher, item: ServiceItem, act: str, filters: Filters) -> tuple[str, SearchResult]:
    """The topic's thing (its name's words without acts) and a search for it with `act`."""
    acts, lexicon = act_words(), searcher.index.lexicon
    name = item.name.replace(THEME_LABEL, "")  # 退休“一件事” is about 退休, not 一件 (企业注销“一件事”)
    thing = " ".join(t for t in lexicon.tokens(acts.sub(" ", name)) if not acts.fullmatch(t))
    return thing, searcher.search(f"{thing} {act}", replace(filters, codes=None), k=5)


def sibling_by_act(searcher: Searcher, item: ServiceItem, act: str | None, filters: Filters) -> str | None:
    """The topic's sibling a bare act names: "那注销呢" or "注销要带什么" while on
    《残疾人证》新办证申请 asks about 《残疾人证》注销. Siblings are separate services (no
    basic item joins them), so retrieval finds one: the topic's thing with the act the words
    say alone (`bare_act`), not the topic's own ("补领要多久" on 居民身份证补领 asks about it).
    The best hit other than the topic must carry that act and hold the topic's thing (else it
    is another thing with that act: 企业注销 for 个体工商户设立)."""
    if act is None or act in acts_of(searcher, item.name):
        return None
    thing, result = act_hits(searcher, item, act, filters)
    # The topic itself may come first: its thing keeps words of its own act ("挂失" of 挂失补办).
    best = next((hit for hit in result.hits if hit.item.service_key != item.service_key), None) if result.confident else None
    if best is None or act not in acts_of(searcher, best.item.name):
        return None
    return best.item.code if searcher.coverage(thing, best.item) >= thresholds().about_topic else None


def act_suggestions(searcher: Searcher, item: ServiceItem, act: str, filters: Filters) -> list[ServiceItem]:
    """For an act the topic has no sibling for ("那注销呢" on 有限责任公司设立登记, whose thing
    企业注销登记 does not name): the items with that act that its thing finds, to offer as
    "可能相关" rather than nothing."""
    thing, result = act_hits(searcher, item, act, filters)
    # The search is sure of the topic itself, so each offer's name must say some of the thing,
    # not only the act ("那注销呢" on 居民身份证补领 is no question about 企业注销登记; its
    # record's words are too many: 供水户名变更's materials hold 身份证).
    words = set(thing.split()) - searcher.doing_words
    lexicon = searcher.index.lexicon
    return [
        hit.item for hit in result.hits
        if hit.item.service_key != item.service_key and act in acts_of(searcher, hit.item.name)
        and words & set(lexicon.tokens(hit.item.name))
    ][:SUGGESTIONS]


def says_only_narrowing(searcher: Searcher, content: str, or_nothing: bool = False) -> bool:
    """Whether the words are only of level, place or who asks ("省里", "个人": data/dialogue/narrowing_words.txt)
    — or, `or_nothing`, no words at all beyond doing ones."""
    words = content_words(searcher, content)
    return (bool(words) or or_nothing) and words <= narrowing_tokens(searcher)


@lru_cache(maxsize=2)
def narrowing_tokens(searcher: Searcher) -> frozenset[str]:
    """The narrowing words as the searcher's lexicon reads them (once per searcher, not per message)."""
    return frozenset(searcher.index.lexicon.tokens(" ".join(narrowing_words())))


@lru_cache(maxsize=2)
def apply_tokens(searcher: Searcher) -> frozenset[str]:
    """The words that ask to start applying (data/dialogue/apply_words.txt) as the lexicon
    reads them ("在线办理" as 网上办理), once per searcher."""
    return frozenset(searcher.index.lexicon.tokens(" ".join(dialogue_words("apply_words.txt"))))


def bare_act(searcher: Searcher, content: str) -> str | None:
    """The act the words say when they say one act alone (`data/dict/acts.txt`; synonyms
    read as their group's word: 补办 as 补领, 换证 as 换领, even 换 alone), words of doing
    aside ("那注销在哪办")."""
    acts = act_words()
    # The acts are read from the characters as well as the words: jieba cuts "新办" as 新 / 办.
    said = acts_of(searcher, content)
    others = {t for t in searcher.index.lexicon.tokens(without_acts(searcher, content)) if not acts.fullmatch(t)} - searcher.doing_words
    return said.pop() if len(said) == 1 and not others else None


def without_acts(searcher: Searcher, text: str) -> str:
    """`text` with its acts blanked out, and the words jieba cuts across them: "新办理" is cut
    新 / 办理, whose stray 理 would read as a word of its own. An act counts only where a word
    starts ("重新办" holds the characters 新办 but says no act; "补办理由" keeps 理由), and a
    word holding an act and more keeps the rest ("新办企业": 企业)."""
    text = normalise(text)
    words = searcher.index.lexicon.tokenizer.lcut(text, HMM=False)
    starts = set(accumulate(map(len, words), initial=0))
    spans = [m.span() for m in act_words().finditer(text) if m.start() in starts]
    pieces, start = [], 0
    for word in words:
        end = start + len(word)
        act = next(((s, e) for s, e in spans if s < end and start < e), None)
        if act is None:
            pieces.append(word)
        else:  # the act's own word, a word it spills into ("办理" of 新办理), or one holding it
            pieces.append(" " if act[0] < start or end <= act[1] else act_words().sub(" ", word))
        start = end
    return "".join(pieces)


def acts_of(searcher: Searcher, name: str) -> set[str]:
    """The acts a name says, as the question's words read them (synonyms by their group's
    word), whether jieba cuts them out ("变更") or not ("设立登记")."""
    lexicon = searcher.index.lexicon
    acts = act_words()
    return {t for t in lexicon.tokens(name) if acts.fullmatch(t)} | {lexicon.canonical.get(a, a) for a in acts.findall(normalise(name))}


def local_implementations(item: ServiceItem, region_code: str | None, catalogue: Catalogue) -> list[ServiceItem]:
    """The implementations of `item` (or of the general service it qualifies) nearest
    `region_code`: the region's own or its ancestors' (the most local first), else those of
    units inside the region."""
    implementations = catalogue.implementations(item)
    if not region_code:
        return [most_general(implementations)]
    chain = catalogue.gazetteer.chain_codes(region_code)
    general = general_to_yield_to(item, catalogue)
    above = [i for i in [*implementations, *general] if i.region_code in chain]
    if above:  # (of units in one region, the one the conversation is on: two departments may implement it)
        return [min(above, key=lambda i: (chain.index(i.region_code), i.code != item.code))]
    inside = [i for i in implementations if region_code in catalogue.gazetteer.chain_codes(i.region_code)]
    return (inside or [i for i in general if region_code in catalogue.gazetteer.chain_codes(i.region_code)])[:MAX_CHOICES]


def general_to_yield_to(item: ServiceItem, catalogue: Catalogue) -> list[ServiceItem]:
    """The general service whose units nearer a region a qualified item's yield to ("学校打算开喺广州" after
    the province's 技工学校的设立审批(省属技工学校设立审批) is 广州's 技工学校的设立审批; the item's own first on
    a tie), when the qualifier does what the general name says (设立 there; not (省属技工学校终止办学),
    nor 乡村建设规划许可证核发's (…延期使用))."""
    general = catalogue.general_service(item)
    if not general:
        return []
    searcher = knowledge()[0]
    return general if acts_of(searcher, item.name[len(general[0].name):]) == acts_of(searcher, general[0].name) else []


def most_general(items: list[ServiceItem]) -> ServiceItem:
    return min(items, key=lambda i: LEVELS.index(i.level))


def implementation_to_show(item: ServiceItem, region_code: str | None, catalogue: Catalogue) -> tuple[ServiceItem, bool]:
    """Which implementation answers when no region is known, and whether its place is
    unknown: a province-wide unit's facts hold for everyone; otherwise no one county's
    implementation is the user's, so only what holds everywhere is said."""
    implementations = catalogue.implementations(item)
    if region_code or len({i.region_code for i in implementations}) < 2:
        return item, False
    general = most_general(implementations)
    return general, general.level != "省"


def unit_region(item: ServiceItem, region_code: str | None, catalogue: Catalogue) -> str | None:
    """The unit's own region when it lies inside the region known and that is not the whole
    province (a unit the user chose: "2" among 济南's district units is that district), else
    the region known."""
    region = catalogue.gazetteer.get(region_code)
    inside = region is not None and region.level != "省" and region_code != item.region_code and region_code in catalogue.gazetteer.chain_codes(item.region_code)
    return item.region_code if inside else region_code


def implementation_for(item: ServiceItem, region_code: str | None, catalogue: Catalogue) -> tuple[ServiceItem, bool]:
    """The implementation an answer shows: the region's own unit when the region is known (or
    the one unit inside it); with several inside it, none there, or no region known, what
    holds everywhere (and whether its place is unknown)."""
    local = local_implementations(item, region_code, catalogue) if region_code else []
    if len(local) > 1:  # several units inside the region ("济南" for 历下区's and 市中区's): none is the user's
        return most_general(local), True
    if not local and region_code:  # no unit there or above: another county's place is not the user's
        return most_general(catalogue.implementations(item)), True
    return (local[0], False) if local else implementation_to_show(item, region_code, catalogue)


def answer_about(
    item: ServiceItem, field: Field | None, region_code: str | None, catalogue: Catalogue, lacking_said: str | None = None
) -> tuple[dict[str, Any], ServiceItem]:
    """The answer about an item (its implementation for the region, which is returned too:
    the conversation is about that one now) or a theme service. (`lacking_said`: the reply
    already says the region lacks this service.)"""
    theme = catalogue.themes.get(item.code)
    region = catalogue.gazetteer.get(region_code)
    if theme is not None:
        # The theme's own units where they lie inside the region (开办餐饮店 is 市南区's: asked in
        # 青岛, its parts are those; their unit's name says where).
        looked_up = [(part, unit_region(part, region_code, catalogue)) for part in catalogue.theme_items(theme)]
        parts = [implementation_for(part, at, catalogue) for part, at in looked_up]
        ask = place_in_region(region, looked_up, catalogue, True, lacking_said) if region and any(unknown for _, unknown in parts) else ""
        return theme_message(theme, item, field, kind_for(item), parts, ask), item
    shown, where_unknown = implementation_for(item, region_code, catalogue)
    ask = place_in_region(region, [(item, region_code)], catalogue, False, lacking_said) if region and where_unknown else ""
    only_unit_at = place_name(shown, catalogue) if region is None and not where_unknown and shown.level != "省" else ""
    return item_message(shown, field, where_unknown, ask, only_unit_at), shown


def place_name(item: ServiceItem, catalogue: Catalogue) -> str:
    """Where an item's unit is, city first ("青岛市胶州市大屯村"; a village's own name alone says little)."""
    names = [region.name for region in reversed(catalogue.gazetteer.chain(item.region_code)) if region.level != "省"]
    return "".join(names if item.region_name in names else [*names, item.region_name])


def place_in_region(
    region: Region, looked_up: list[tuple[ServiceItem, str | None]], catalogue: Catalogue, theme: bool, lacking_said: str | None
) -> str:
    """`place_unknown_in` for the services of an answer, each with the region its unit is sought
    in: the region is known, so it is not asked for again."""
    units = [(service, len(local_implementations(service, at, catalogue))) for service, at in looked_up]
    lacking = [service.name for service, count in units if not count and service.name != lacking_said]
    # A theme's district is no way on: narrowing a theme looks for the theme's own units.
    several = not theme and any(count > 1 for _, count in units)
    return place_unknown_in(region, lacking, several)


def without_rejected(result: SearchResult, catalogue: Catalogue, rejected: Iterable[str | None]) -> SearchResult:
    """`result` without the services the user rejected; none at all when retrieval is sure
    of one of them (the words still mean it: answering the next best would be a guess)."""
    keys = {i.service_key for i in map(catalogue.entry, rejected) if i is not None}
    if not keys:
        return result
    found_rejected = result.best is not None and result.best.item.service_key in keys
    kept = [] if found_rejected else [h for h in result.hits if h.item.service_key not in keys]
    return replace(result, hits=kept, left_out=frozenset(keys))


def asks_a_field_of_the_topic(tracker: Tracker) -> bool:
    """Whether a message NLU took for something else asks a fact of the service under
    discussion: "要不要亲自过去" (deny, from 不要), "都得交点啥" (ask_suggestions, from 都).
    Not a rejection in so many words ("不是，我问的是在哪里办"), which says what was meant."""
    text = latest_said(tracker)
    return bool(tracker.get_slot("current_item")) and cues_a_field(text) and not REJECTION.search(text)


def asks_a_fact_of_the_topic(tracker: Tracker) -> bool:
    """Whether a message NLU took for something else asks, in its last clause, a fact no intent
    asks (the office hours, 代办, 异地…) of the service under discussion: "礼拜六开门不" (deny, from
    its closing 不). Only where that reading is wanted (`ActionDeny`): other actions take the
    facts their own way (a work order's "窗口周六都不开门…" is what happened)."""
    said = latest_said(tracker)
    return bool(tracker.get_slot("current_item")) and asks_a_fact_last(said) and not REJECTION.search(last_clause(said))


def answered(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The message answered as a question (`action_answer`), whichever action NLU chose."""
    events = ActionAnswer().answer(dispatcher, tracker)
    answer_the_other_fact(dispatcher, latest_said(tracker))
    return events + rejections_done(tracker, events)


def answer_the_other_fact(dispatcher: CollectingDispatcher, said: str) -> None:
    """A second fact asked beside the one answered ("要多久，收费吗", "在哪办？电话多少"): the same item's
    answer to it too, in the same message. (Not where the answer asks the region: it holds no place.)"""
    message = dispatcher.messages[-1] if dispatcher.messages else {}
    payload = message.get("custom") or {}
    field, shown = payload.get("field"), payload.get("items") or []
    other = other_field_asked(said, field) if field and len(shown) == 1 else None
    item = knowledge()[1].entry(shown[0]["code"]) if other else None
    if item is None or item.type == THEME_TYPE or (other in LOCAL_FIELDS and VARIES in (message.get("text") or "")):
        return
    message["text"] += "\n" + field_answer(item, other)


# Doing several things together, as a theme does ("这么合着办", "要是一块儿办", "一下子全办了"; not 社保那一块).
TOGETHER = re.compile(r"一起|(?<![那这])一块儿?|一并|合着|合起来|合在一起|并在一起|并到一块|并成|合成|打包|一揽子|一回|一次办|一下子")
# Doing it together with a person is no theme ("想跟老公一起去办"), and one service asked of as a whole is
# not several: a together-word calls a part's theme only beside words of several things ("那几样", "这一
# 摊子事", "这俩", "都", "全", "连养老带医保", "那一整套", "办证连带领补贴").
WITH_A_PERSON = re.compile(rf"[跟和同与带](我|你|他|她|俺|咱|{OTHERS}|孩子|朋友|同学|伙计)们?[^，,。？?]{{0,3}}(一起|一块儿?|一齐)")
SEVERAL_THINGS = re.compile(r"都|全|这些|那些|这几|那几|几样|几项|这俩|那俩|两样|一摊|一串|一大?堆|一揽子|一整套|[这那]一套|连[^，,。？?]{0,6}带")


# Cues for several that one service may answer too ("这是个啥手续", "办啥证"), and ordinals, which are no
# 一次办 (第一次办营业执照).
ONE_SERVICE_CUE = re.compile(r"手续|事|证")
ORDINAL = re.compile(r"第一(次|回)")


def calls_the_theme(searcher: Searcher, catalogue: Catalogue, theme_code: str, said: str, filters: Filters) -> bool:
    """Whether the words call the theme under discussion by what it is or does, or ask of the several
    it holds, and name no other service: "走这个一条龙的话，比原来少跑几个部门", "这个一块儿办的，前后总共要交
    几样材料", "里头一共牵扯几个部门" (words the catalogue never writes, which alone would leave the topic);
    not "想和老公一起把公积金提出来买房", "卫生许可证和健康证一块儿办要多久" (the rest of the words, searched, find
    a service other than the theme and its parts as surely as a new service needs, `switch`)."""
    said = ORDINAL.sub(" ", said)
    cues = [cue for cue in several_cues() if cue in said and not ONE_SERVICE_CUE.search(cue)]
    if not (THEME_CALLED.search(said) or TOGETHER.search(said) or cues) or NOT_THIS_THEME.search(said):
        return False
    rest = TOGETHER.sub(" ", THEME_CALLED.sub(" ", strip_field_cues(said)))
    for cue in cues:
        rest = rest.replace(cue, " ")
    found = searcher.search(rest, filters, k=1) if content_words(searcher, rest) else None
    if found is None or found.best is None or found.confidence < thresholds().switch:  # (as sure as a new service needs)
        return True
    return found.best.item.code == theme_code or found.best.item.service_key in catalogue.theme_parts(catalogue.themes[theme_code])


def theme_of_a_part_called(searcher: Searcher, catalogue: Catalogue, topic: Topic, said: str, filters: Filters) -> str | None:
    """The theme that holds the service under discussion (or the choices offered), when the words ask
    for its several things together and name no service outside it: "退伍回来这一摊子事，能不能一回都给办利索了"
    on 退役士兵户口登记, "退休要办的那几样，能一起弄了不" on 职工医保退休待遇核定 (not "跑一回就行吗", "跟老公一起去办").
    Of several themes holding it, the one the words are closest to."""
    asked = WITH_A_PERSON.sub(" ", ORDINAL.sub(" ", said))  # (what is done together with a person is not several)
    calls = THEME_CALLED.search(asked) or (TOGETHER.search(asked) and SEVERAL_THINGS.search(asked))
    if topic.code in catalogue.themes or not calls or NOT_THIS_THEME.search(asked):
        return None
    keys = {entry.service_key for code in ([topic.code] if topic.code else topic.offered) if (entry := catalogue.items.get(code or ""))}
    holding = [theme for theme in catalogue.themes.values() if keys & catalogue.theme_parts(theme)]
    if not holding:
        return None
    theme = max(holding, key=lambda t: (len(keys & catalogue.theme_parts(t)), searcher.coverage(said, catalogue.theme_entry(t))))
    return theme.id if calls_the_theme(searcher, catalogue, theme.id, asked, filters) else None


def answered_of_the_theme(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """A theme under discussion pointed at by what it is called, whichever action NLU chose: "这个一链办
    里头都包括哪几个事项" (ask_suggestions), "这一链办背后是几个单位在管" (ask_document_field). The
    theme's answer holds its parts, departments, trips and materials (the field asked, if one is).
    None when no theme is meant, or the words name another service or theme surely ("那开饭店的一链办呢",
    "一件事里头社保注销单独办咋办")."""
    searcher, catalogue = knowledge()
    code, said = tracker.get_slot("current_item"), latest_said(tracker)
    if code not in catalogue.themes or not THEME_CALLED.search(said) or NOT_THIS_THEME.search(said):
        return None
    if sure_of_another(searcher, strip_field_cues(THEME_CALLED.sub(" ", said)), catalogue.entry(code)):
        return None
    field = field_in_words(searcher, catalogue, said)
    reply, shown = answer_about(catalogue.entry(code), field, tracker.get_slot("region"), catalogue)
    send(dispatcher, reply)
    return [SlotSet("current_item", shown.code), SlotSet("offered_items", None), SlotSet("last_field", field)]


def surely_answered(tracker: Tracker) -> tuple[list[dict[str, Any]], list[EventType]] | None:
    """The messages and events of `answered`, if that answer names a service surely (not "not
    found", not items offered as maybe): for a message another action took that may be a question."""
    trial = CollectingDispatcher()
    events = answered(trial, tracker)
    return (trial.messages, events) if answers_with_a_service(trial.messages) else None


def answer_if_sure(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """`surely_answered`, sent: its events, or None (nothing sent) when the answer is not sure."""
    sure = surely_answered(tracker)
    if sure is None:
        return None
    dispatcher.messages.extend(sure[0])
    return sure[1]


def rejections_done(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """Rejected items stop being left out once an answer shows an item (the user has moved on):
    the slot is cleared, whichever way the answer was reached."""
    shown = any(e.get("event") == "slot" and e.get("name") in ("current_item", "offered_items") and e.get("value") for e in events)
    return [SlotSet("rejected_items", None)] if shown and tracker.get_slot("rejected_items") else []


def confident_reply(tracker: Tracker) -> tuple[dict[str, Any] | None, list[EventType]]:
    """For actions of other intents: the catalogue's answer to the message, if it has a sure
    one, for the region the message names, as `ActionAnswer` reads it ("淄博稳岗返还按多少
    比例返还" is not asked for its city; a service 淄博 has no unit for gets what holds everywhere)."""
    searcher, catalogue = knowledge()
    text = tracker.latest_message.get("text") or ""
    region = region_said(catalogue.gazetteer, text)
    filters = Filters(region_code=region.code if region else tracker.get_slot("region"))
    content = catalogue.gazetteer.without_regions(text)  # (a place of origin too: `region_said`)
    result = searcher.search(content, filters, said=text)
    if result.confident:
        reply, events = reply_for(result, None, catalogue)
    else:
        rejected = tracker.get_slot("rejected_items") or ()
        reply, events = (general_answer(searcher, catalogue, content, text, filters, None, rejected) if region else None) or (None, [])
    if reply is not None and region and region.code != tracker.get_slot("region"):
        events = [SlotSet("region", region.code), *events]
    return reply, events


# Progress asked of a complaint or a work order: 12345's, never a service's lookup.
ABOUT_A_COMPLAINT = re.compile(r"投诉|举报|反映|工单|诉求|12345")


def topic_progress_lookup(tracker: Tracker, field: Field | None = None) -> tuple[dict[str, Any] | None, list[EventType]]:
    """The catalogue's own progress lookup for the service under discussion (`progress_lookup_of`),
    when one is: the current item, else the leading choice offered (not "maybe" items). With the
    field the message asks, if it asks one ("手机上面睇唔睇到进度": the lookup's online link)."""
    searcher, catalogue = knowledge()
    code = tracker.get_slot("current_item")
    if code is None and not offered_as_maybe(tracker):
        code = next(iter(tracker.get_slot("offered_items") or ()), None)
    topic = catalogue.entry(code or "")
    found = progress_lookup_of(searcher, topic, latest_said(tracker), tracker.get_slot("region")) if topic else None
    return reply_for(found, field, catalogue) if found else (None, [])


def progress_lookup_of(searcher: Searcher, topic: ServiceItem, said: str, region_code: str | None) -> SearchResult | None:
    """The progress lookups for `topic`, asked with no other service named ("对了，交了以后怎么查办到
    哪一步了" after 办理往来台湾通行证商务签注: its 办证进度查询), rather than the receipt number of
    an application never made here. The first lookup's record must hold the thing the service is
    about, the longest word of its name (往来台湾通行证; not 签注 alone: 往来港澳通行证签注's lookup
    is no answer for 居住证签注). A message that surely names a service of its own ("我的身份证办到
    哪一步了" on 港澳通行证) or asks about a complaint ("我反映的事到哪一步了") gets none."""
    if ABOUT_A_COMPLAINT.search(said) or searcher.search(said, k=1).confident:  # (a service of its own)
        return None
    result = searcher.search(f"{topic.name} {said}", Filters(region_code=region_code), said=said)
    # Progress was asked: the service itself, scoring higher or close, is no answer beside its lookup.
    lookups = [hit for hit in result.hits if PROGRESS_LOOKUP in hit.item.name]
    if not lookups or searcher.thing_of(topic) not in searcher.words_of(record_text(lookups[0].item)):
        return None
    return replace(result, hits=lookups)


def general_answer(
    searcher: Searcher, catalogue: Catalogue, content: str, said: str, filters: Filters, field: Field | None, rejected: Iterable[str]
) -> tuple[dict[str, Any], list[EventType]] | None:
    """The service the words surely name when no unit of the region named implements it, though
    other places' do ("我想在济南开个饭店" while only 青岛's 开办餐饮店 is catalogued): what holds
    everywhere, said to be that, as when the region comes later (`narrow`). None when the
    catalogue does not work in that region at all (深圳 in Guangdong's: "not found" stays), when
    the words fit several services, or when the region has the service after all."""
    if searcher.uncovered(catalogue.gazetteer.get(filters.region_code)):
        return None
    anywhere = without_rejected(searcher.search(content, replace(filters, region_code=None), k=10, said=said), catalogue, rejected)
    choices = choices_for(anywhere, catalogue)
    if len(choices) != 1 or local_implementations(choices[0], filters.region_code, catalogue):
        return None
    reply, shown = general_reply(choices[0], field, filters.region_code, catalogue)
    return reply, [SlotSet("current_item", shown.code), SlotSet("offered_items", None)]


def choices_for(result: SearchResult, catalogue: Catalogue) -> list[ServiceItem]:
    """The items a search result offers: one is the answer, several the user picks from. One part
    asked alone ("单说办残疾证那一项，咋弄") is no theme's."""
    searcher = knowledge()[0]
    if ONE_PART_ASKED.search(result.message):
        close = close_alternatives(result, searcher)
        return [c for c in close if c.type != THEME_TYPE] or close
    return theme_asked(result, catalogue, searcher) or theme_covering(close_alternatives(result, searcher), catalogue, result.message, searcher)


def reply_for(
    result: SearchResult, field: Field | None, catalogue: Catalogue, with_units: bool = True
) -> tuple[dict[str, Any] | None, list[EventType]]:
    """The reply a search result deserves: an item or theme, choices, suggestions, or None.
    Choices leave no topic: until one is picked, the conversation is about none of them.
    (A place asked with the city known lists its districts' units, `with_units`: not where
    a reply's choices cannot be clicked, inside a form.)"""
    choices = choices_for(result, catalogue)
    units = units_to_choose(choices[0], field, result.region_code, catalogue) if len(choices) == 1 and with_units else []
    if units:  # "济南营业执照补领在哪办": which district's unit?
        return units_choice(units)
    if len(choices) == 1:
        reply, shown = answer_about(choices[0], field, result.region_code, catalogue)
        return reply, [SlotSet("current_item", shown.code), SlotSet("offered_items", None)]
    if choices:  # each shown as the implementation a click will answer with
        shown = [implementation_to_show(c, result.region_code, catalogue)[0] for c in choices]
        return choice_message(shown), [SlotSet("offered_items", [i.code for i in shown]), SlotSet("current_item", None)]
    if result.suggestible and result.hits:
        maybe = [hit.item for hit in result.hits[:SUGGESTIONS]]
        return suggestion_message(maybe), [SlotSet("offered_items", [i.code for i in maybe]), SlotSet("current_item", None)]
    return None, []


def live_offered(offered: Iterable[str], catalogue: Catalogue) -> tuple[str, ...]:
    """The choices offered that the catalogue still holds (an item may leave it mid-conversation),
    numbered as the user reads them."""
    return tuple(code for code in offered if catalogue.entry(code))


def offered_at(offered: Sequence[str], number: int | None) -> str | None:
    """The code offered at a choice's number (from 1; -1 is the last), None when no such choice stands."""
    if number is None or not offered or not (number == -1 or 1 <= number <= len(offered)):
        return None
    return offered[number - 1] if number > 0 else offered[-1]


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
        searcher, catalogue = knowledge()
        offered = live_offered(tracker.get_slot("offered_items") or (), catalogue)
        text = tracker.latest_message.get("text") or ""
        number = parse_ordinal(list(tracker.get_latest_entity_values("ordinal")), text)
        if offered and ADDRESS_NUMBER.search(text) and not ORDINAL_CHOICE.search(text):
            # A number of an address, restated or asked ("系咪去下塘西路5号…2、3号窗口"): no choice picked, a question.
            return answered(dispatcher, tracker)
        if not offered and tracker.get_slot("current_item") and not BARE_ORDINAL.fullmatch(text):
            # Nothing to pick from, a service under discussion: a follow-up read as a number
            # ("他今年72岁" on 老年人优待证办理). A number alone ("2") picks nothing, as before.
            return answered(dispatcher, tracker)
        if not offered:  # nothing to pick from ("2019年…名单" read as a number): a question
            reply, events = confident_reply(tracker)
            send(dispatcher, reply or no_match_message())
            return events
        picked = offered_at(offered, number)
        if picked is None:
            dispatcher.utter_message(text=f"请回复1到{len(offered)}之间的序号，选择您要办的事项。")
            return []
        item = catalogue.entry(picked)
        # Among units of one service (narrow's "哪个区县"), the one chosen is the user's place.
        one_service = len({catalogue.entry(code).service_key for code in offered}) == 1
        where = unit_region(item, tracker.get_slot("region"), catalogue) if one_service else tracker.get_slot("region")
        # "第1个要多久", "第2个能代办吗": the fact this message asks, else the one asked before the list.
        field = field_in_words(searcher, catalogue, text) or tracker.get_slot("last_field")
        reply, item = answer_about(item, field, where, catalogue)
        send(dispatcher, reply)
        events = [SlotSet("current_item", item.code), SlotSet("offered_items", None), SlotSet("last_field", field)]
        events += [SlotSet("region", where)] if where != tracker.get_slot("region") else []
        return events + rejections_done(tracker, events)
