"""A question asked in the middle of a form ("要带什么材料？") is answered, not taken
as the answer to the form's question."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.answer import FIELD_OF_INTENT, answer_about, implementation_for, names_an_origin, offered_at, parse_ordinal, read_words, region_said, reply_for, sure_of_another
from actions.choices import close_alternatives
from actions.context import knowledge
from actions.replies import item_message
from actions.topic import thresholds
from catalogue.model import ServiceItem
from catalogue.store import Catalogue
from retrieval.fields import ASKS_HOW_TO_DO, Field, asks_a_fact, detect_field, fact_asked, field_asked, field_cued, strip_field_cues
from retrieval.search import Filters, Searcher

QUESTION_INTENTS = {*FIELD_OF_INTENT, "search_service", "ask_policy"}
MIN_CONFIDENCE = 0.8
# Form answers (names, numbers, addresses, dates) do not read like questions; these do.
QUESTION_WORDS = re.compile(r"[?？]|吗\s*$|怎么|什么|咋|啥|多久|多长|哪里|哪儿|哪个|哪些|哪几|多少|能不能|可不可以|要不要|是否|是不是|需要带|几天|几次|几点")

# A question's closing particle (not 呢 or 嘛, which end statements too: "材料俺都准备好了呢", nor 不
# asking approval of what was just said: "…放门卫那行不"), and a number as long as a phone's, which a
# form's answer holds ("13912345678行不").
CLOSING_ASK = re.compile(r"(?:[吗么]|(?<![行以中成好])不|不咧)[\s？?!！。~～]*$|[？?]\s*$")
# Asking whether, anywhere in the words ("续的时候能不能直接在手机上点一点就完"): no form's answer does.
ASKS_WHETHER = re.compile(r"能不能|可不可以|能否|是否|是不是|要不要|行不行|可以不|得唔得|可唔可以|使唔使|([\u4e00-\u9fff])[不唔]\1")  # (X不X: "礼拜六开不开门")
ANSWER_DIGITS = re.compile(r"\d{7,}")
# A fact of the service restated to be confirmed ("签注这个人不用到场吧"), or asked in a question's words ("俺这证从递
# 上去到拿到手，前后得多少日子"): of those no form's answer tells (an answer may well say an address, a phone or a paper:
# "地址就写公司的吧").
CONFIRMING = re.compile(r"(吧|是吧|对吧|对不对|系咪)[\s？?。！!~～]*$")
FIELDS_NO_ANSWER_TELLS = {"visits", "time_limit", "fee", "online", "conditions"}
# Which one or how much, asked of any fact ("有事想问问，派遣许可那边打哪个号码"): no form's answer asks that, unless it
# talks of what to fill in ("电话填哪个", "地址写哪里").
WHICH_ASKED = re.compile(r"哪|多少|几|什么|啥")
FORM_TALK = re.compile(r"填|写|输入|录入|改|用哪")
# How to get something done, which no form's answer asks ("…想退回来咋弄"; NLU: nlu_fallback 0.45).
ASKS_HOW = re.compile(rf"(怎么|怎样|如何|咋|点样)(弄|办|整|搞|处理)|{ASKS_HOW_TO_DO.pattern}")

UNANSWERED = {"text": "这个问题我暂时答不上来，您可以在申请完成后再问我，或拨打12345咨询。"}
# The form waits for its own answer, so the city is asked for after it.
PLACE_AFTER_FORM = "申请完成后告诉我您所在的城市或区县，我再告诉您当地的办理地点、电话和办公时间；也可拨打12345政务服务便民热线咨询。"


def question_in_form(tracker: Tracker, facts: bool = False) -> dict[str, Any] | None:
    """The reply to the latest message if it is a question rather than an answer. `facts`: a
    fact asked alone is a question whatever NLU made of it (the application form, whose
    answers are never times: a work order's "周末吧？" may say when it happened)."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    text = message.get("text") or ""
    clicked = choice_clicked(tracker)
    if clicked is not None:
        return clicked
    # A fact named beside the words of what it is of ("签注那个窗口周六开不开门", "派出所户籍窗口几点下班").
    fact_named = fact_asked(text) if facts else None
    words_field = (field_cued(text) or fact_named) if facts else None
    untold_field = words_field in FIELDS_NO_ANSWER_TELLS
    confirming = untold_field and CONFIRMING.search(text)
    which_asked = words_field is not None and WHICH_ASKED.search(text) and not FORM_TALK.search(text)
    asked_in_words = (untold_field or which_asked) and QUESTION_WORDS.search(text)
    if not (QUESTION_WORDS.search(text) or CLOSING_ASK.search(text) or confirming or (facts and asks_a_fact(text))):  # ("礼拜六能办不")
        return None
    searcher, catalogue = knowledge()
    # A fact no intent is taught for, asked alone ("周末能办吗", "能找人代办吗"; NLU: ask_online
    # 0.46, ask_time_limit 0.5): a question about what is being applied for. So is a fact's cue in
    # words that end as a question ("青岛那边有个电话能先问问不"; NLU: inform_region), or that ask whether.
    words = read_words(searcher, catalogue, text)
    fact = words.field if facts and words.fact_alone and asks_a_fact(text) else None
    # The fact named is the one asked when the words cue no field ("领证的网点礼拜天上班不").
    asked_fact = fact_named if not words.field else None
    cued = (words.field or asked_fact) if facts and (CLOSING_ASK.search(text) or ASKS_WHETHER.search(text) or confirming or asked_in_words) and not ANSWER_DIGITS.search(text) else None
    asked_how = facts and ASKS_HOW.search(text) and not ANSWER_DIGITS.search(text)
    if fact is None and cued is None and not asked_how and (intent.get("name") not in QUESTION_INTENTS or (intent.get("confidence") or 0) < MIN_CONFIDENCE):
        return None
    # (NLU's field unless the words cue only another: "…从申请到拿到，总共要多少日子", NLU: ask_fee)
    field = fact or (asked_fact and cued) or field_asked(FIELD_OF_INTENT.get(intent.get("name") or ""), text) or cued or detect_field(text)
    applying_for = catalogue.items.get(tracker.get_slot("application_item") or "")
    # "要带什么材料" names no other item: it is about what is being applied for, in the region the
    # question names ("还是说回俺自己芝罘那个，窗口几点开门" while applying in 市中区), else the conversation's
    # (not someone's origin: "我是临沂人，这边窗口几点开门").
    named = None if names_an_origin(catalogue.gazetteer, text) else region_said(catalogue.gazetteer, text)
    region_code = named.code if named else tracker.get_slot("region")
    asked = strip_field_cues(text) if field else text
    # Words that name something (not 先, 不 of "那边有个电话能先问问不"; the region is the form's).
    says_something = searcher.worth(searcher.known_words(catalogue.gazetteer.without_regions(asked))) >= thresholds().specific
    applying_for = part_named(searcher, catalogue, tracker.get_slot("current_item"), asked, applying_for)
    # (So is one asked in words, unless they surely name another service: "续的时候能不能直接在手机上点一点就完".)
    # (Sure in the region asked of: "签注办下来要等几天" is 居住证签注 in 潍坊, though 往来港澳通行证及签注签发 province-wide.)
    if field and applying_for and (fact or not says_something or (cued and not sure_of_another(searcher, asked, applying_for, Filters(region_code=region_code)))):
        return about_application(applying_for, field, region_code, catalogue)
    if not says_something:  # "去哪儿办" of nothing the form knows: "去 办" would find anything
        return UNANSWERED
    result = searcher.search(asked, Filters(region_code=region_code))
    if applying_for and applying_for in close_alternatives(result, searcher):  # "办居住证要带什么材料"
        return about_application(applying_for, field, region_code, catalogue)
    reply, _ = reply_for(result, field, catalogue, with_units=False) if result.confident else (None, [])  # (no choices to click in a form)
    return reply or UNANSWERED


def part_named(searcher: Searcher, catalogue: Catalogue, topic: str | None, asked: str, applying_for: ServiceItem | None) -> ServiceItem | None:
    """Of a theme applied for, the part the words name more than the one its form applies for ("孩子上医保，得交钱不"
    while applying for 新生儿出生“一件事”, whose form is the 出生医学证明's); else what the form applies for."""
    theme = catalogue.themes.get(topic or "")
    if theme is None or applying_for is None:
        return applying_for
    def held(part: ServiceItem) -> tuple[float, float]:  # by its name first: 出生登记's record asks for the 出生医学证明
        return searcher.coverage_of(asked, part.name), searcher.coverage(asked, part)

    named = max(catalogue.theme_items(theme), key=held, default=applying_for)
    return named if held(named) > held(applying_for) else applying_for


def about_application(item: ServiceItem, field: Field | None, region_code: str | None, catalogue: Catalogue) -> dict[str, Any]:
    """The answer about what is being applied for, as outside a form (`answer_about`): with no
    region known, one county's place, phone or hours is not shown as the user's."""
    if region_code is None:
        shown, where_unknown = implementation_for(item, None, catalogue)
        return item_message(shown, field, where_unknown, PLACE_AFTER_FORM)
    return answer_about(item, field, region_code, catalogue)[0]


def choice_clicked(tracker: Tracker) -> dict[str, Any] | None:
    """The reply to a click on one of the choices a question asked in the form got last turn ("这要办啥
    卫生方面的许可" → 公共场所卫生许可 or 药品批发企业许可): that item, not the click read as the form's answer."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    number = parse_ordinal(list(tracker.get_latest_entity_values("ordinal")), "") if intent == "choose_option" else None
    picked = offered_at(last_turn_choices(tracker), number)
    catalogue = knowledge()[1]
    item = catalogue.entry(picked) if picked else None
    return answer_about(item, None, tracker.get_slot("region"), catalogue)[0] if item else None


def last_turn_choices(tracker: Tracker) -> list[str]:
    """The codes of the choices (buttons) the bot's replies to the message before the latest offered."""
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif users == 1 and event.get("event") == "bot":
            data = event.get("data") or {}
            items = (data.get("custom") or {}).get("items")
            if data.get("buttons") and items:
                return [card["code"] for card in items]
    return []
