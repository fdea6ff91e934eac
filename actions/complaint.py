"""Complaints, reports, suggestions, requests for help: the catalogue's service when it has
a sure one for it (投诉律师 → 司法行政业务投诉接收), else a 12345 work order filed in the
conversation (actions/workorder.py). When items come close without being sure, the message
may be a service question NLU read as a complaint ("个人家里报装用电怎么申请"): they are
offered first, beside a button that files the work order. A question during a service's
conversation is answered as a follow-up when that finds a service; so is a message asking how
to get a service done, which otherwise gets close items or "not found" with the button. An aside
during a service's conversation that no item answers gets the button, not the form: the next
follow-up still goes to the service."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import answer_if_sure, asks_a_field_of_the_topic, reply_for, send
from actions.context import knowledge, user_texts
from actions.replies import FILE_BUTTON, FILE_PAYLOAD, aside_message, no_match_message
from actions.returning import return_pattern
from actions.workorder import start
from actions.workorder_filing import status_reply
from retrieval.fields import ASKED_TO_BE_TOLD, ASKS_HOW_TO_DO, QUESTION, asks, asks_or_wants
from retrieval.search import Filters, clauses_of

NONE_OF_THEM = {**FILE_BUTTON, "title": "都不是，登记12345工单"}
# Asking how an earlier complaint went, not making a new one.
STATUS_QUESTION = re.compile(r"(结果|进度|怎么样了|处理了没|处理得|有人管了没|回复了|答复了|办到哪)")
# Words that make a message a complaint whatever else it asks ("这个窗口态度太差了，能投诉吗").
COMPLAINT_WORDS = re.compile(r"投诉|举报|反映|曝光|不作为|态度.{0,2}(差|恶劣|不好)|刁难|乱收费|红包|推诿|谁管|有人管|管不管|管管")


class ActionComplaint(Action):
    def name(self) -> str:
        return "action_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.active_loop.get("name"):  # inside another form: say where complaints go, keep filling
            dispatcher.utter_message(response="utter_complain")
            return []
        from actions.forms.application import applied_if_asked  # (that module builds on the answers this one uses)

        if (applying := await applied_if_asked(dispatcher, tracker, domain)) is not None:  # ("…营业执照泡烂了，你直接帮俺走补办的申请")
            return applying
        if STATUS_QUESTION.search(tracker.latest_message.get("text") or ""):  # "我的投诉有结果了吗" read as a complaint
            status = await status_reply(tracker, only_filed=True)
            if status:
                dispatcher.utter_message(text=status)
                return []
        text = (tracker.latest_message.get("text") or "").strip()
        if text == FILE_PAYLOAD:  # the button under close items or "not found": the message before it says what happened
            return start(tracker, dispatcher, said=said_before(tracker))
        complains = bool(COMPLAINT_WORDS.search(text))
        # (a field asked to be told is one too, "具体地址发我一下"; not one told, "网上系统一直登不上去")
        asked = QUESTION.search(text) or (asks_a_field_of_the_topic(tracker) and ASKED_TO_BE_TOLD.search(text))
        follow_up = bool(tracker.get_slot("current_item") and asked) and not complains
        asks_how = bool(ASKS_HOW_TO_DO.search(text)) and not complains
        # Going back to a service asked about earlier ("回到刚才那个补执照的事儿", complain 0.6) asks about it,
        # in those words alone or asking; not a story told after them ("回到刚才那个事，窗口让我跑了三趟").
        alone = len(clauses_of(text)) == 1
        points_back = bool(return_pattern().search(text)) and not complains and (alone or asks(text))
        if follow_up or asks_how or points_back:
            # A question during a service's conversation that NLU reads as a complaint may be a
            # follow-up ("房子买在老家威海，也能提吗" on 公积金提取, complain 0.51, started a work
            # order), and a story read as one may ask how to get a service done ("…取水许可证明年三月
            # 到期，想接着用，该办什么手续？", complain 0.56): answered so when that answers with a
            # service surely; else the follow-up is the complaint it reads as, asked as a question
            # ("办了一个月还没下来，是不是卡住了"), and the how-to question gets close items or "not
            # found", each with the button that files, rather than the form at once.
            events = answer_if_sure(dispatcher, tracker)
            if events is not None:
                return events
        searcher, catalogue = knowledge()
        # The region the message names, else the conversation's ("大专毕业来青岛上班了，想把户口迁
        # 过来", NLU: complain 0.78, got 人才引进落户's general facts, not 青岛's); kept for the
        # follow-ups about what is answered (a complaint's place is where its unit is, too).
        named = catalogue.gazetteer.resolve(text)
        region_code = named.code if named else tracker.get_slot("region")
        result = searcher.search(text, Filters(region_code=region_code))
        reply, events = reply_for(result, None, catalogue)
        if named and reply is not None:
            events = [SlotSet("region", named.code), *events]
        topic = catalogue.entry(tracker.get_slot("current_item") or "")
        if reply is None and asks_how:
            send(dispatcher, no_match_message())
            return []
        if topic is not None and not complains and (reply is None or not (result.confident or asks_or_wants(text))):
            # An aside during a service's conversation that no item answers ("这两天降温降得贼狠，冻得俺直
            # 哆嗦", complain 0.91: the form's place question took the next follow-up as its answer), or
            # a remark items only come close to ("今天广州又下暴雨，地铁站门口全是水", complain 0.97): no
            # items; the button files it if it was a complaint; the topic stays.
            send(dispatcher, aside_message(topic))
            return []
        if reply is None:
            return start(tracker, dispatcher)
        if not result.confident:  # close items, none sure: offered beside the button that files
            reply["buttons"].insert(len(reply["buttons"]) - 1, NONE_OF_THEM)  # before the handoff button
            # The service under discussion stays, as for any message that leaves it: "今天广州又下暴雨，
            # 地铁站门口全是水" (complain 0.97) on 医师资格证书换发 got 水电站 items as maybe, and the
            # next "材料交上去以后，几个工作日能换好" was asked to pick one of them.
            events = [e for e in events if not (e.get("name") == "current_item" and e.get("value") is None)]
        send(dispatcher, reply)
        if result.confident and complains:
            # (Where complaints go follows a service only for words that complain: "我妈下个月要去上海
            # 住院，医保想在那边直接报销，咋办", complain 0.5, asks for 异地就医备案 alone.)
            dispatcher.utter_message(response="utter_complain")
        return events


def said_before(tracker: Tracker) -> str:
    """The user's message before the latest one."""
    said = user_texts(tracker)
    return said[-2] if len(said) >= 2 else ""
