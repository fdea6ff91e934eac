"""What the conversation is about, and what a new message does to it.

Per message the state is the topic (the item or theme service under discussion), the
region, the target, the last field asked and the choices offered. A message either
refers back to the topic ("多久能拿到"), names a new service ("另外问下，增驾B2要怎么弄"),
narrows the last question by region or target ("济南的呢"), picks one of the offered
choices ("我要的是个人所得税那个") or the topic's sibling by an act alone ("那注销呢" on
残疾人证新办) — or must pick first ("要带什么" while choices stand) —
or leaves the topic ("迪士尼门票在哪买") — answered or
not, a message that leaves keeps the topic, so the next follow-up still refers to it.

The decision is a clear rule over evidence measured on the message's own words (`Evidence`)
with its thresholds in `data/dialogue/thresholds.json`; `decide` is pure, so the table of
cases in tests/test_topic.py pins it down.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from rasa_sdk import Tracker

from settings import get_settings

Move = Literal["refer_back", "new_service", "narrow", "pick", "await_pick", "leave"]

FIELD_INTENTS = frozenset(
    {"ask_materials", "ask_time_limit", "ask_location", "ask_phone", "ask_fee", "ask_online", "ask_visits", "ask_conditions"}
)
# "济南的呢" and the elliptical "那离婚呢" alike: NLU reads both as this intent.
REGION_INTENT = "inform_region"
TARGET_INTENT = "inform_target"
# What was meant, said after a rejection: "我问的是", "我是说", "我是想问下" (not the 说 of 说明).
MEANT = r"我(?:要|想)?(?:问|说|办|找|要办|想办|要找)的是|我是(?:想|要)?[问说](?:一?下)?(?![明题过])|我(?:想|要)问一?下"
# One rejection or several ("不对不对"), then a separator or MEANT: what follows is a clause
# (actions/rejection.py answers it).
REJECTION = re.compile(rf"^\s*都?(?:不是这个|不是这些|不是这样|不是|不对|错了|搞错了)+[的啊呀吧]?(?:[，,。.!！\s]+(?:{MEANT})?|{MEANT})")


@dataclass(frozen=True)
class Topic:
    """The conversation's state, as its slots hold it."""

    code: str | None = None  # the item or theme service under discussion
    region: str | None = None
    target: str | None = None
    field: str | None = None  # the last field asked for
    query: str | None = None  # the words of the last service question
    offered: tuple[str, ...] = ()  # the choices just offered

    @classmethod
    def of(cls, tracker: Tracker) -> "Topic":
        return cls(
            code=tracker.get_slot("current_item"),
            region=tracker.get_slot("region"),
            target=tracker.get_slot("target"),
            field=tracker.get_slot("last_field"),
            query=tracker.get_slot("last_query"),
            offered=tuple(tracker.get_slot("offered_items") or ()),
        )


@dataclass(frozen=True)
class Evidence:
    """What the message's own words say, measured by retrieval (actions/answer.py)."""

    intent: str
    field: str | None  # the fact asked for, if any
    region_changed: bool  # the message names a region other than the topic's
    content: bool  # words beyond the field, region and filler ones
    # How much of the content the topic's record covers (IDF-weighted); with no topic but
    # choices offered, the choice's record that covers most.
    about_topic: float
    elsewhere: float  # retrieval's confidence in the content's best hit, unless that is the topic (else a choice offered)
    elsewhere_rank_of_topic: int | None = None  # the topic's rank among the content's hits
    picked: str | None = None  # the offered choice the words clearly name
    specific: float = 0.0  # the content's words the catalogue knows, in rare words' worth ("咨询": 0.45)
    unknown: int = 0  # the content's words the catalogue never uses ("迪士尼", "门票")
    # How likely the words beside a place ask about the place itself ("今天限号吗" of
    # "济南今天限号吗"), not where the user is ("我在上班"): actions/place_questions.py.
    about_place: float = 0.0
    marked_new: bool = False  # starts like a new question ("另外问下…", data/dialogue/new_topic_markers.txt)
    sibling: str | None = None  # the topic's sibling a bare act names ("那注销呢" on 残疾人证新办)
    # The message names a region (the topic's own or another), a target, or only words of
    # level or place ("省里的呢", data/dialogue/narrowing_words.txt): it narrows, whatever else.
    narrows: bool = False
    bare_act: bool = False  # the words are one act alone ("那注销呢"), whether or not the topic has that sibling
    # The best hit, not the topic, is named by a word the topic's record lacks, its name says
    # more of the words than the topic's, and they say `name_said` of its name ("营业执照丢了
    # 怎么补领" on 居民身份证补领, whose record holds 遗失 and 补领 but not 营业执照).
    names_other: bool = False
    # The words' best hit is a service this conversation was about before the topic, and they name it (`names_other`).
    names_earlier: bool = False
    # Retrieval finds something worth offering as "maybe" for the words (its best hit is not the topic).
    worth_offering: bool = False
    # The user tells their circumstances ("我急用", "行动不便": data/dialogue/own_case_words.txt):
    # words the catalogue never uses may tell their own case rather than another world's question.
    own_case: bool = False
    # Whether the theme under discussion covers a part the message names ("那一次性经济补助也在这里头吗"):
    # the theme answers, not the part.
    asks_included: bool = False
    # The fact is asked in a last clause of its own that names nothing, after clauses telling the
    # user's case ("我家老大是2012年生的，他的也能查吗" on 出生医学证明信息查询): asked of the topic.
    asks_in_a_bare_clause: bool = False
    # The message ends asking whether the case it tells qualifies ("读大专的也算吗", complain to NLU;
    # "她是大专学历能报不"): the conditions of the topic, unless retrieval is sure of another service.
    asks_if_case_qualifies: bool = False
    # A word of the topic's name right after "this" or "that" and a measure word ("喺边度睇得到呢个名单" on
    # …医疗机构名单查询, "这个备案要多久"): the topic, unless the words name another item or start anew.
    says_this_topic: bool = False
    # The words name a thing to apply for that no record holds by any of its names ("小区说要办狗证，去
    # 哪里办": 养犬登记; `Searcher.absent_things`).
    names_absent: bool = False
    # A word of the topic's name is among the words (two characters or more, not one of doing), and they say
    # no word of the best hit's name that the topic's does not ("提存手续应该去边度办先啱" on 担保性提存（公证）指引,
    # 清偿性提存 first): a fact asked in them is the topic's, whatever NLU read (search_service there).
    names_topic: bool = False

    def as_log(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    # At or above: the message is about the topic (its rare words are in the topic's record).
    about_topic: float = 0.5
    # At or above (and not about the topic): the message names another service.
    switch: float = 0.5
    # The topic ranked this high or better among the content's hits: still about it.
    topic_rank: int = 3
    # Words pick one offered choice when the next choice scores below this share of it.
    pick_ratio: float = 0.8
    # A new service needs words that say this much (rare words' worth): "有咨询电话吗" names none.
    specific: float = 0.6
    # A message marked as a new question names a new service with this much confidence.
    switch_marked: float = 0.3
    # Words name another item than the topic when they say at least this much of its name
    # (IDF-weighted): 营业执照补领 all of it, 出国朝觐报名审核 a third ("报名审核要几天").
    # Read by `measure` (actions/answer.py) for the evidence, so bot.fit_topic does not tune it.
    name_said: float = 0.5
    # Words naming another item (`names_other`) leave the topic for it when retrieval is this
    # sure of it: less than `switch`, since the words themselves say which.
    switch_named: float = 0.5
    # This many words the catalogue never uses, about neither the topic nor anything else:
    # the question has left the catalogue's world ("香港迪士尼的门票在哪买便宜").
    unknown: int = 3
    # Words worth this much (several rare words) that leave the topic, with something worth
    # offering for them: those items are offered as "maybe" (the topic stays), not "not found".
    # Read by the action (`offers_maybe`), not by `decide`.
    says_much: float = 2.0
    # At or above, a region named with no fact asked is a question about that place, not the
    # topic there ("济南今天限号吗"). Read on held-out examples (README, Conversations).
    about_place: float = 0.7
    # A thing no record holds (`Evidence.names_absent`) is still asked of the topic when retrieval ranks the
    # topic this high for the words. Read by `decide`, not among bot.fit_topic's grid.
    absent_topic_rank: int = 3

    @classmethod
    def from_file(cls, path: Path) -> "Thresholds":
        if not path.exists():
            return cls()
        values = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: v for k, v in values.items() if not k.startswith("_")})


def dialogue_words(name: str) -> tuple[str, ...]:
    """The lines of `data/dialogue/<name>`, comments left out (none if it is missing)."""
    path = get_settings().data_dir / "dialogue" / name
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def new_topic_markers() -> tuple[str, ...]:
    return dialogue_words("new_topic_markers.txt")


@lru_cache(maxsize=1)
def marker_pattern() -> re.Pattern[str]:
    """A new-question marker with the asking words after it ("另外问一下", "顺便问下", "顺便问一句")."""
    markers = "|".join(re.escape(m) for m in new_topic_markers()) or "(?!)"
    return re.compile(rf"(?:{markers})(?:问|想问)?(?:一下|一句|下|个)?")


# Words that start a new question only where the message starts, and not before a confirmation:
# elsewhere 对了 confirms ("你说对了，就是这个", "对了对了，就是这个") or is part of a word (核对了,
# 不对了, 对了解), and 还有， lists ("要带身份证，还有，户口本复印件"). "哦对了，…" starts one, and so does
# Cantonese 仲有， (还有，).
OPENING_MARKER = re.compile(
    r"^\s*(?:[哦噢哎诶欸啊嗯呃]+[，,、!！\s]*)?(?:对了|(?:还|仲)有[，,])(?!解)"
    r"(?![，,\s]*(?:对了|对的|对头|就是|是的|没错|正是|就这|谢谢|吗|没))"
)


def marked_new(text: str) -> bool:
    """Whether words start a new question ("另外问下…", data/dialogue/new_topic_markers.txt;
    "对了，…" at the start, OPENING_MARKER)."""
    return marker_pattern().search(text) is not None or OPENING_MARKER.match(text) is not None


def without_marker(content: str) -> str:
    """The words without the new-question marker, which says a question starts, not what it is
    about ("顺便问下，要去几次": 顺便 and 问下, read as 咨询, would name a new service)."""
    return marker_pattern().sub(" ", OPENING_MARKER.sub(" ", content, count=1))


@lru_cache(maxsize=1)
def own_case_words() -> tuple[str, ...]:
    return dialogue_words("own_case_words.txt")


@lru_cache(maxsize=1)
def step_words() -> tuple[str, ...]:
    return dialogue_words("step_words.txt")


@lru_cache(maxsize=1)
def narrowing_words() -> tuple[str, ...]:
    return dialogue_words("narrowing_words.txt")


@lru_cache(maxsize=1)
def thresholds() -> Thresholds:
    return Thresholds.from_file(get_settings().data_dir / "dialogue" / "thresholds.json")


def offers_maybe(evidence: Evidence, t: Thresholds) -> bool:
    """Whether a message that leaves the topic says enough, and retrieval finds enough for it,
    to offer items as "maybe" ("那等孩子考上大学了，我们这种聚居区出来的还有助学金可以领吗" on
    少数民族高考考生资格确认; not "我最近老失眠头疼，吃点什么药好", which finds nothing worth it)."""
    return evidence.specific >= t.says_much and evidence.worth_offering


def says_much_else(evidence: Evidence, t: Thresholds) -> bool:
    """Words worth much that share none with what is under discussion start a new question,
    whatever fact or place they mention ("拿到证之后我打算在广州认定高中老师的资格" on
    普通话水平测试等级证书核发; "那我老婆生孩子的生育津贴在哪领" while 公证指引 are offered),
    when retrieval finds something for them (not "天河这边有没有好点的婚宴酒店推荐")."""
    return offers_maybe(evidence, t) and evidence.about_topic == 0


def place_without_fact(evidence: Evidence) -> bool:
    """A region named and no fact asked but the hours, which a place has too: "临沂批发市场几点
    开门" asks about the market, "泰山区的大厅几点下班" about the topic there (the place-question
    model tells them apart)."""
    return evidence.region_changed and evidence.field in (None, "hours")


def asks_about_place(evidence: Evidence, t: Thresholds) -> bool:
    """A region named, no fact asked, and words that ask about the place itself."""
    return place_without_fact(evidence) and evidence.about_place >= t.about_place


def asks_only_a_fact(evidence: Evidence, t: Thresholds) -> bool:
    """A fact asked in words that name no service ("顺便问下要不要钱", "我急用，最快多会儿能拿到")."""
    return bool(evidence.field) and evidence.specific < t.specific


def marked_elsewhere(evidence: Evidence, t: Thresholds) -> bool:
    """A question said to be new ("顺便问一下") in words that name something the topic's record
    does not hold, whose search does not find the topic, telling no case of the user's, and which
    NLU does not read as a follow-up: "顺便问一下，我刚买了辆电动自行车，要去哪里上牌" (nlu_fallback)
    on 港澳通行证进度查询 asks no fact of it, however unsure retrieval is of anything else; "再问一
    下，有不清楚的地方打那个电话" (ask_phone) and "另外，孩子是在外地医院生的，要带什么材料" on 出生
    登记 (the topic found fifth) do."""
    named_elsewhere = evidence.specific >= t.specific and evidence.about_topic == 0 and evidence.elsewhere_rank_of_topic is None
    return evidence.marked_new and named_elsewhere and not evidence.own_case and evidence.intent not in FIELD_INTENTS


def tells_own_case(evidence: Evidence, t: Thresholds) -> bool:
    """Words the catalogue never uses, beside words telling the user's circumstances and a fact
    asked in words that name no service, tell their own case ("我急用，最快多会儿能拿到", "我行动不便，
    叫我儿子帮我去办的话要带哪些东西"), not another world's question ("我想吃火锅，附近哪家火锅店便宜",
    "香港迪士尼的门票在哪买便宜", "顺便问下…")."""
    return asks_only_a_fact(evidence, t) and evidence.own_case and not evidence.marked_new


def told_then_asked(evidence: Evidence) -> bool:
    """A fact asked in a clause that names nothing, beside clauses telling the user's case
    (`Evidence.asks_in_a_bare_clause`), with nothing else worth offering for the words."""
    return evidence.asks_in_a_bare_clause and not evidence.worth_offering and not evidence.marked_new


def decide(topic: Topic, evidence: Evidence, t: Thresholds) -> Move:
    """What the message does to the conversation (see the module's docstring)."""
    # A place the user tells, beside words that say little, narrows a theme rather than picking
    # one of its parts ("我户口在青岛" on 军人退役“一件事”: 户口 of 退役士兵户口登记; "我人在烟台
    # 可以吗" on 退休: 人 of 离退休提取住房公积金's record). A question naming a part is a pick
    # ("济南出生医学证明怎么办" on 新生儿出生), and so are words that say more.
    if evidence.asks_included:
        return "refer_back"
    tells_place = place_without_fact(evidence) and evidence.intent in {REGION_INTENT, "nlu_fallback"}
    weak_part = evidence.picked and not topic.offered and tells_place and evidence.specific < t.specific
    if (evidence.picked and not weak_part) or evidence.sibling:  # a choice offered or a theme's item named, or the topic's sibling
        return "pick"
    # "这个名单" on …名单查询 points at the topic, unless the words name another item ("那个驾驶证换证呢" on
    # 驾驶证补证) or start a new question.
    if evidence.says_this_topic and topic.code and not evidence.names_other and not evidence.marked_new:
        return "refer_back"
    # A thing no record holds, asked of in words the topic's record does not hold ("小区说要办狗证，去哪里办"
    # on 社会保障卡补领): no fact of the topic answers it, and the topic stays for the next question. (Not
    # materials or conditions, which may name such a thing as a paper to bring or to have first; nor words
    # for which retrieval puts the topic among the first few, a colloquial name of it or of its kind:
    # "组合贷的话要跑几趟" on 住房公积金个人住房贷款.)
    near = evidence.elsewhere_rank_of_topic is not None and evidence.elsewhere_rank_of_topic < t.absent_topic_rank
    if evidence.names_absent and topic.code and evidence.about_topic < t.about_topic and evidence.field not in ("materials", "conditions") and not near:
        return "leave"
    # Another service, named: in words that say enough, or in a question about a service
    # rather than a fact, or after "另外…"; and retrieval is sure of it.
    # (A marker beside a fact asked in words that name nothing asks it of the topic: "顺便问下要不要钱".)
    marked = evidence.marked_new and not asks_only_a_fact(evidence, t)
    names_service = evidence.specific >= t.specific or evidence.intent == "search_service" or marked
    # NLU's inform_target narrows only with a target said (`Evidence.narrows`): "你们这个机器人是
    # 哪家公司做的啊" (公司) repeated the last answer; its words are weighed like any other message's.
    narrowing = evidence.intent == REGION_INTENT or (evidence.intent == TARGET_INTENT and evidence.narrows)
    # A service asked about before, named beside a place ("规划许可要是在潍坊安丘办呢" on 特种设备使用登记, after 建设工程
    # 规划许可证核发): that service there. (Not another service the words tell of where the user is: "俺单位在济宁，社保也是
    # 在济宁交的" on 退休 narrows it, though 单位社会保险登记 is found at 0.92.)
    if evidence.region_changed and names_service and evidence.names_earlier and evidence.elsewhere >= t.switch_named:
        return "new_service"
    if narrowing or (evidence.region_changed and not evidence.content):
        # "那注销呢" reads like "济南的呢" (NLU: inform_region) but names no region. An act alone
        # is about the topic's thing, and the topic has no such sibling (it would have been
        # picked): on 律师事务所名称预核准 it gets none rather than whichever item 注销 alone finds.
        unnarrowed = evidence.intent == REGION_INTENT and evidence.content and not evidence.narrows
        if unnarrowed and evidence.bare_act:
            if not topic.code:  # while choices stand, none of which the act picked: shown again
                return "narrow" if topic.query else "new_service"
            on_topic = evidence.about_topic >= t.about_topic or evidence.elsewhere_rank_of_topic == 0
            return "refer_back" if on_topic else "leave"  # ("那补办呢" on 营业执照补领 asks about it)
        # "那离婚呢" after 结婚登记: its words name a service retrieval is sure of, whose best hit
        # is neither the topic nor a choice standing (the topic's rank and record do not hold it
        # here): the last question, about that service. A target said ("我是个体户") narrows.
        if evidence.intent == REGION_INTENT and not evidence.region_changed and names_service and evidence.elsewhere >= t.switch:
            return "new_service"
        # "咁手机上面呢" (a fact's words alone, naming no service): that fact of the topic; not when retrieval
        # is fairly sure of another service ("那公积金的电话呢" on 社会保障卡补领, 0.98).
        if unnarrowed and evidence.field and topic.code and evidence.specific < t.specific and evidence.elsewhere < t.switch_named:
            return "refer_back"
        # "那初中呢": no region or target to narrow by, so narrowing would only repeat the last
        # answer; the words are the question.
        if unnarrowed:
            return "new_service"
        if (topic.query or topic.code) and asks_about_place(evidence, t):  # "青岛啤酒节什么时候" (NLU: inform_region)
            return "leave"  # (with nothing discussed, the message is searched as it is)
        return "narrow" if (topic.query or topic.code) else "new_service"
    if not topic.code:
        # Choices offered and a question about a fact of one of them ("要多久", "交了材料以后
        # 多久能拿到证"): which one? Unless retrieval is sure of an item outside the choices
        # (another service, or the user's own rephrasing: "我要办的是护照，多久能拿到"), the
        # words leave the catalogue's world ("香港迪士尼的门票在哪买") or say they start a new
        # question ("顺便问下医保卡能在外地用吗"): those are searched as they are.
        # (A marker needs words that say something: "另外，要多久" still asks which choice.)
        # (Words the catalogue never uses after the question, telling the user's case, do not:
        # "多久能拿到？下个月要去外地出差，怕赶不上".)
        searched_as_is = evidence.content and (
            evidence.elsewhere >= t.switch
            or (evidence.unknown >= t.unknown and not told_then_asked(evidence))
            or (evidence.marked_new and evidence.specific >= t.specific)
            or says_much_else(evidence, t)
        )
        if topic.offered and evidence.field and not searched_as_is:
            return "await_pick"
        return "new_service"
    if not evidence.content:
        return "refer_back"
    if names_service and evidence.names_other and evidence.elsewhere >= t.switch_named:
        return "new_service"  # however much of the words the topic's record holds
    # The topic ranked first for the words counts when they ask a fact or share a word with
    # its record: "最近济南房价是涨还是跌" on 二手房过户 ranks it first among nothing sure. Not
    # when the message says it starts a new question in words the catalogue does not use
    # ("顺便问下闯红灯的罚款在哪交" on 驾驶证补证): it is first among nothing.
    # Nor when NLU reads no question about a fact and the words are of another world, none of them the
    # topic's, and they tell no case of the user's ("你说现在彩礼给多少合适啊，俺丈母娘张嘴就要二十万" on
    # 结婚登记: the embeddings put marriage first among nothing sure; not "打包办的话能比原来少交多少材料" on a
    # theme, NLU: a fact asked, nor "俺闺女下个月去韩国交流，学校催着要，最快多会儿能拿着" on 护照, a case told).
    new_and_unknown = evidence.marked_new and evidence.unknown >= t.unknown
    tells_a_case = evidence.own_case or evidence.asks_in_a_bare_clause
    unknown_only = evidence.unknown >= t.unknown and evidence.about_topic == 0 and evidence.intent not in FIELD_INTENTS and not tells_a_case
    ranks_topic = evidence.elsewhere_rank_of_topic is not None and evidence.elsewhere_rank_of_topic < t.topic_rank and not (new_and_unknown or unknown_only)
    if evidence.about_topic >= t.about_topic or (ranks_topic and (evidence.field or evidence.about_topic > 0)):
        return "refer_back"  # (in the region the message names, if it names one)
    if names_service and (evidence.elsewhere >= t.switch or (evidence.marked_new and evidence.elsewhere >= t.switch_marked)):
        return "new_service"
    # (Words the catalogue never uses, in a clause before the question, tell the user's case, and so do
    # those a message asking whether its case qualifies tells: "我家就这一处宅基地，我这情况能办吗".)
    case_asked = evidence.asks_if_case_qualifies and evidence.elsewhere < t.switch and not evidence.marked_new
    if evidence.unknown >= t.unknown and not tells_own_case(evidence, t) and not told_then_asked(evidence) and not case_asked:
        return "leave"
    if evidence.region_changed:  # "厂在番禺，应该是市里那个吧": the topic, where the user is
        if asks_about_place(evidence, t):  # ...unless "济南今天限号吗"
            return "leave"
        # A question said to be new, naming much, in a region of its own ("还有，俺想去香港玩几天，那个
        # 通行证在烟台办中不？" on 驾驶证换证 in 临沂) is searched there, though a word of it is in the
        # topic's record (about_topic 0.02).
        marked_and_much = evidence.marked_new and evidence.specific >= t.specific and offers_maybe(evidence, t)
        if says_much_else(evidence, t) or marked_and_much:
            return "new_service"  # (or a new question there)
        # ...and one said to be new, naming nothing of the topic, is not the topic there ("顺便问下，羊城通卡坏了在哪退卡",
        # 羊城 being 广州).
        return "leave" if marked_elsewhere(evidence, t) else "narrow"
    # Nothing else fits either: a question about a fact of the topic stays on it; anything
    # else is a question the catalogue cannot answer, and the topic waits for the next one.
    # (NLU unsure, "nlu_fallback", but the field's words are there: a follow-up too; and so is a
    # field asked beside words that name no service, whatever NLU read: "费用怎么算" is
    # search_service to it.)
    # So is a fact asked in a clause of its own after the user's case told, when retrieval finds
    # nothing worth offering for the words ("我家老大是2012年生的，他的也能查吗", NLU: complain).
    refers = (
        evidence.intent in FIELD_INTENTS | {"nlu_fallback"} or evidence.specific < t.specific or told_then_asked(evidence)
        or evidence.asks_if_case_qualifies or (evidence.names_topic and not evidence.names_other)
    )
    return "refer_back" if evidence.field and refers and not marked_elsewhere(evidence, t) else "leave"
