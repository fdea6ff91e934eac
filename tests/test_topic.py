"""The dialogue-state decision (actions/topic.py) on a table of cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from actions.answer import asked_first, asking_clause, offered_by_ordinal, restates_its_address, strip_field_cues
from actions.topic import Evidence, Thresholds, Topic, decide, marked_new, offers_maybe

T = Thresholds(about_topic=0.5, switch=0.5, topic_rank=3, pick_ratio=0.8, specific=0.6, unknown=3)
ON_ITEM = Topic(code="A", field="materials", query="保安员证怎么办")
CHOICES = Topic(code=None, offered=("A", "B", "C"), query="纳税证明")
ON_THEME = Topic(code="T", query="退伍回家以后要办哪些手续")


def ev(intent: str = "ask_time_limit", field: str | None = "time_limit", content: bool = True, about: float = 0.0,
       elsewhere: float = 0.0, rank: int | None = None, region_changed: bool = False, picked: str | None = None,
       specific: float = 1.4, unknown: int = 0) -> Evidence:
    return Evidence(intent, field, region_changed, content, about, elsewhere, rank, picked, specific, unknown)


CASES = [
    # (what the user says, topic, evidence, move)
    ("多久能拿到: nothing but the field", ON_ITEM, ev(content=False), "refer_back"),
    ("对年龄学历有要求吗: rare words found in the topic's conditions", ON_ITEM, ev("ask_conditions", "conditions", about=0.8), "refer_back"),
    ("游泳馆电话: the topic ranks first for the words", ON_ITEM, ev("ask_phone", "phone", about=0.2, elsewhere=0.0, rank=0), "refer_back"),
    ("你说现在彩礼给多少合适啊，俺丈母娘张嘴就要二十万 (NLU: unsure) on 结婚登记: first among nothing sure, in words of another world",
     ON_ITEM, ev("nlu_fallback", "conditions", about=0.0, elsewhere=0.03, rank=0, specific=0.0, unknown=5), "leave"),
    ("打包办的话能比原来少交多少材料 (NLU: a fact asked) on a theme: the same words, a follow-up", ON_THEME,
     ev("ask_materials", "materials", about=0.0, elsewhere=0.05, rank=0, specific=1.0, unknown=3), "refer_back"),
    ("俺闺女下个月去韩国交流，学校催着要，最快多会儿能拿着 (NLU: unsure) on 护照: words of another world telling a case",
     ON_ITEM, replace(ev("nlu_fallback", "time_limit", about=0.0, elsewhere=0.1, rank=0, specific=1.5, unknown=4), own_case=True), "refer_back"),
    ("交了材料以后多久能拿到证: words fit nothing else", ON_ITEM, ev(about=0.1, elsewhere=0.2), "refer_back"),
    ("另外问下，增驾B2要准备什么: another service, confidently", ON_ITEM, ev("ask_materials", "materials", about=0.1, elsewhere=0.9, rank=None), "new_service"),
    ("另外问下，增驾B2怎么弄: a new service question", ON_ITEM, ev("search_service", None, about=0.0, elsewhere=0.8), "new_service"),
    ("迪士尼门票在哪买: not the topic, not the catalogue", ON_ITEM, ev("search_service", None, about=0.0, elsewhere=0.1), "leave"),
    ("费用怎么算 (NLU: search_service): a field asked beside words that name no service", ON_ITEM,
     ev("search_service", "fee", about=0.0, elsewhere=0.1, specific=0.2), "refer_back"),
    ("the same NLU, a field word, and words that say much: not the topic", ON_ITEM,
     ev("search_service", "fee", about=0.0, elsewhere=0.1, specific=1.4), "leave"),
    ("香港迪士尼的门票在哪买便宜: a place question in words the catalogue never uses", ON_ITEM,
     ev("ask_location", "location", about=0.07, elsewhere=0.16, unknown=4), "leave"),
    ("有咨询电话吗: a generic word fits items named 咨询, but names no service", ON_ITEM,
     ev("ask_phone", "phone", about=0.0, elsewhere=0.98, specific=0.45), "refer_back"),
    ("那结婚登记要带什么材料: one rare word, and retrieval sure of another item", ON_ITEM,
     ev("ask_materials", "materials", about=0.0, elsewhere=0.99, specific=0.83), "new_service"),
    ("那离婚呢 after 结婚登记: reads like 济南的呢 (NLU: inform_region) but names another service, surely", ON_ITEM,
     ev("inform_region", None, about=1.0, elsewhere=0.97, rank=5, specific=0.76), "new_service"),
    ("对年龄学历有要求吗: a fact asked in words of the topic's record, though retrieval is sure of another item", ON_ITEM,
     ev("ask_conditions", "conditions", about=1.0, elsewhere=0.9, rank=None, specific=0.72), "refer_back"),
    ("营业执照丢了怎么补领 on 居民身份证补领: its record holds 遗失 and 补领, but retrieval is sure of an item the words name", ON_ITEM,
     Evidence("search_service", None, False, True, 0.8, 0.99, 1, specific=1.39, names_other=True), "new_service"),
    ("the same, retrieval sure of that item but under `switch`: still the topic", ON_ITEM,
     Evidence("search_service", None, False, True, 0.8, 0.4, 1, specific=1.39, names_other=True), "refer_back"),
    ("the same words naming another item, in a field question saying little: still the topic", ON_ITEM,
     Evidence("ask_materials", "materials", False, True, 0.8, 0.99, 1, specific=0.45, names_other=True), "refer_back"),
    ("那护照呢: no region to narrow by (that would repeat the last answer): the words are the question", ON_ITEM,
     ev("inform_region", None, about=0.0, elsewhere=0.97, specific=0.52), "new_service"),
    ("咁手机上面呢 (NLU: inform_region): a fact's words alone, naming nothing: that fact of the topic", ON_ITEM,
     ev("inform_region", "online", about=0.0, elsewhere=0.09, specific=0.0), "refer_back"),
    ("那公积金的电话呢 (NLU: inform_region): a fact's words, and retrieval fairly sure of another service", ON_ITEM,
     ev("inform_region", "phone", about=0.0, elsewhere=0.98, specific=0.5), "new_service"),
    ("小区说要办狗证，去哪里办 on 社会保障卡补领: a thing no record holds (养犬登记) is no fact of the topic", ON_ITEM,
     replace(ev("ask_location", "location", about=0.0, specific=0.3), names_absent=True), "leave"),
    ("组合贷的话要跑几趟 on 住房公积金个人住房贷款: a thing no record names, but the words rank the topic first", ON_ITEM,
     replace(ev("ask_visits", "visits", about=0.0, rank=0, specific=0.0), names_absent=True), "refer_back"),
    ("需要开亲属关系证明吗 (a paper no record names): materials may name such a thing to bring", ON_ITEM,
     replace(ev("ask_materials", "materials", about=0.0, specific=0.3), names_absent=True), "refer_back"),
    ("厂在番禺，应该是市里那个吧: where the user is, naming no service surely", ON_ITEM,
     replace(ev("nlu_fallback", None, about=0.0, elsewhere=0.3, region_changed=True, specific=0.7), worth_offering=True, narrows=True), "narrow"),
    ("那网上的护照呢: a fact's words beside a service named: the words are the question", ON_ITEM,
     ev("inform_region", "online", about=0.0, elsewhere=0.4, specific=0.9), "new_service"),
    ("我是个体户: a target narrows, whatever item its words fit", ON_ITEM,
     replace(ev("inform_target", None, about=0.0, elsewhere=0.95, specific=0.9), narrows=True), "narrow"),
    ("你们这个机器人是哪家公司做的啊 (NLU: inform_target, no target said): narrows nothing", ON_ITEM,
     ev("inform_target", None, about=0.0, elsewhere=0.0, specific=0.3, unknown=1), "leave"),
    ("那离婚呢 in words retrieval is not sure of: searched all the same, not the last answer again", ON_ITEM,
     ev("inform_region", None, about=0.0, elsewhere=0.4, specific=0.9), "new_service"),
    ("那注销呢 where the topic has no such sibling: not whatever 注销 alone finds", ON_ITEM,
     Evidence("inform_region", None, False, True, 0.0, 0.97, None, specific=0.3, bare_act=True), "leave"),
    ("那补办呢 on 营业执照补领: the topic's own act", ON_ITEM,
     Evidence("inform_region", None, False, True, 1.0, 0.0, 0, specific=0.3, bare_act=True), "refer_back"),
    ("那新办呢 while choices stand, none picked: the choices again", CHOICES,
     Evidence("inform_region", None, False, True, 0.0, 0.9, None, specific=0.9, bare_act=True), "narrow"),
    ("省里的呢: a level, though no region the gazetteer knows", ON_ITEM,
     Evidence("inform_region", None, False, True, 0.0, 0.37, None, specific=1.0, narrows=True), "narrow"),
    ("广州的注销呢: a region named, no sibling: narrowed, not left", ON_ITEM,
     Evidence("inform_region", None, True, True, 0.0, 0.3, None, specific=0.3, bare_act=True, narrows=True), "narrow"),
    ("那港澳通行证呢 while 护照 choices stand: another service, surely named", CHOICES,
     ev("inform_region", None, elsewhere=0.95, specific=0.9), "new_service"),
    ("the topic just below the switch still holds a field question", ON_ITEM, ev("ask_fee", "fee", about=0.0, elsewhere=0.49), "refer_back"),
    ("济南的呢: a region, nothing else", ON_ITEM, ev("inform_region", None, content=False, region_changed=True), "narrow"),
    ("济南今天限号吗 on 退休: a region, no fact asked, words about the place itself: the topic waits", ON_ITEM,
     Evidence("nlu_fallback", None, True, True, 0.0, 0.02, 1, specific=0.0, unknown=1, about_place=0.95, narrows=True), "leave"),
    ("青岛啤酒节什么时候 (NLU: inform_region): the same", ON_ITEM,
     Evidence("inform_region", None, True, True, 0.0, 0.0, None, specific=0.0, unknown=1, about_place=0.9, narrows=True), "leave"),
    ("青岛啤酒节什么时候 as the first message (NLU: inform_region): searched as it is", Topic(),
     Evidence("inform_region", None, True, True, 0.0, 0.0, None, specific=0.0, unknown=1, about_place=0.9, narrows=True), "new_service"),
    ("我在济南上班: a region and where the user is: the topic there", ON_ITEM,
     Evidence("inform_region", None, True, True, 0.0, 0.0, None, specific=0.0, unknown=1, about_place=0.1, narrows=True), "narrow"),
    ("济南的呢 asking a fact, however the words read: the topic there", ON_ITEM,
     Evidence("inform_region", "location", True, True, 0.0, 0.0, None, specific=0.0, about_place=0.9, narrows=True), "narrow"),
    ("我人在烟台可以吗: a place and words that say little: the topic there", ON_ITEM,
     Evidence("nlu_fallback", None, True, True, 0.0, 0.1, None, specific=0.52, unknown=0, narrows=True), "narrow"),
    ("我户口在青岛 on 军人退役: a place and a common word of a part's name (户口 of 退役士兵户口登记): the theme there",
     ON_THEME, Evidence("inform_region", None, True, True, 0.0, 0.0, None, picked="B", specific=0.39, narrows=True), "narrow"),
    ("青岛的户口登记要带什么 on 军人退役: a place and words that name the part", ON_THEME,
     Evidence("ask_materials", "materials", True, True, 0.0, 0.0, None, picked="B", specific=0.9, narrows=True), "pick"),
    ("济南出生医学证明怎么办 on 新生儿出生: a question naming a part beside a place, in words saying little", ON_THEME,
     Evidence("search_service", None, True, True, 0.0, 0.0, None, picked="B", specific=0.49, narrows=True), "pick"),
    ("济南社保卡要带什么 on 新生儿出生: the same, a fact asked", ON_THEME,
     Evidence("ask_materials", "materials", True, True, 0.0, 0.0, None, picked="B", specific=0.45, narrows=True), "pick"),
    ("老年人优待证也能一块给办了不 on 退休: whether the theme covers a part it names, which retrieval is sure of", ON_THEME,
     Evidence("nlu_fallback", None, False, True, 0.37, 0.988, 2, specific=1.46, asks_included=True), "refer_back"),
    ("我家老大是2012年生的，他的也能查吗: the user's case told, then a fact asked in a clause naming nothing", ON_ITEM,
     replace(ev("complain", "conditions", about=0.1, elsewhere=0.06, specific=1.41, unknown=2), asks_in_a_bare_clause=True), "refer_back"),
    ("对了，要是成绩一直显示不出来，打啥电话问: words the catalogue never uses in the told clause, the fact asked alone", ON_ITEM,
     replace(ev("ask_phone", "phone", about=0.11, elsewhere=0.14, rank=1, specific=2.68, unknown=3), asks_in_a_bare_clause=True), "refer_back"),
    ("the same with retrieval finding something worth offering for the words: not the topic", ON_ITEM,
     replace(ev("complain", "conditions", about=0.1, elsewhere=0.3, specific=1.41, unknown=2), asks_in_a_bare_clause=True, worth_offering=True), "leave"),
    ("读大专的也算吗 on 南粤扶残助学: whether the user's case qualifies, however NLU reads it", ON_ITEM,
     replace(ev("complain", "conditions", about=0.0, elsewhere=0.278, specific=1.71), asks_if_case_qualifies=True), "refer_back"),
    ("the same words asked of nothing: the words are searched", ON_ITEM,
     ev("complain", "conditions", about=0.0, elsewhere=0.278, specific=1.71), "leave"),
    ("我家就这一处宅基地，我这情况能办吗 on 乡村建设规划许可证核发: words the catalogue never uses tell the case asked of", ON_ITEM,
     replace(ev("nlu_fallback", "conditions", about=0.0, elsewhere=0.04, rank=8, specific=0.0, unknown=3), asks_if_case_qualifies=True), "refer_back"),
    ("the same words, no case asked: they have left the catalogue's world", ON_ITEM,
     ev("nlu_fallback", "conditions", about=0.0, elsewhere=0.04, rank=8, specific=0.0, unknown=3), "leave"),
    ("公租房我能申请吗, retrieval sure of it: another service, though the user's case is asked", ON_ITEM,
     replace(ev("nlu_fallback", "conditions", about=0.0, elsewhere=0.95, specific=2.0), asks_if_case_qualifies=True), "new_service"),
    ("我是企业: a target", ON_ITEM, replace(ev("inform_target", None, content=False), narrows=True), "narrow"),
    ("车管所在哪: a fact, the topic first for the words among nothing sure", ON_ITEM,
     ev("ask_location", "location", about=0.0, elsewhere=0.0, rank=0, specific=0.7, unknown=1), "refer_back"),
    ("顺便问下闯红灯的罚款在哪交: a new question in words the catalogue does not use; the topic's rank says nothing", ON_ITEM,
     Evidence("ask_location", "location", False, True, 0.0, 0.0, 0, specific=0.7, unknown=3, marked_new=True), "leave"),
    ("我急用，最快多会儿能拿到: words the catalogue never uses, with the user's circumstances, beside a fact asked, naming nothing", ON_ITEM,
     replace(ev("ask_time_limit", "time_limit", elsewhere=0.1, specific=0.0, unknown=3), own_case=True), "refer_back"),
    ("香港迪士尼的门票在哪买便宜, 我想吃火锅，附近哪家火锅店便宜: the same, no circumstances told: another world's question", ON_ITEM,
     ev("ask_location", "location", elsewhere=0.0, specific=0.51, unknown=3), "leave"),
    ("the same words with circumstances, after a marker (顺便问下…): another world's question", ON_ITEM,
     replace(ev("ask_location", "location", elsewhere=0.0, specific=0.0, unknown=4), marked_new=True, own_case=True), "leave"),
    ("the same words naming much (in another world): not the topic", ON_ITEM,
     replace(ev("ask_fee", "fee", elsewhere=0.1, specific=1.9, unknown=3), own_case=True), "leave"),
    ("顺便问下要不要钱: a marker beside a fact asked in words that name nothing", ON_ITEM,
     replace(ev("ask_fee", "fee", elsewhere=0.45, specific=0.5), marked_new=True), "refer_back"),
    ("顺便问一下，我刚买了辆电动自行车，要去哪里上牌: a marker and words that name what the topic's record does not hold", ON_ITEM,
     replace(ev("nlu_fallback", "location", about=0.0, elsewhere=0.11, specific=0.8, unknown=2), marked_new=True), "leave"),
    ("再问一下，有不清楚的地方打那个电话: the same, read by NLU as a follow-up", ON_ITEM,
     replace(ev("ask_phone", "phone", about=0.0, elsewhere=0.09, specific=1.13, unknown=1), marked_new=True), "refer_back"),
    ("另外，孩子是在外地医院生的，要带什么材料: the same, the topic found among the words' items", ON_ITEM,
     replace(ev("nlu_fallback", "materials", about=0.0, elsewhere=0.2, rank=4, specific=1.34, unknown=1), marked_new=True), "refer_back"),
    ("另外问下，增驾B2要准备什么: a marker beside a fact and words that name much", ON_ITEM,
     replace(ev("ask_materials", "materials", elsewhere=0.45, specific=1.4), marked_new=True), "new_service"),
    ("青岛怎么办理营业执照: a region and a new service", ON_ITEM, ev("search_service", None, about=0.0, elsewhere=0.9, region_changed=True), "new_service"),
    ("我要的是个人所得税那个: words pick a choice", CHOICES, ev("search_service", None, picked="B"), "pick"),
    ("那注销呢 on 残疾人证新办: the topic's sibling, though NLU reads a narrowing", ON_ITEM,
     Evidence("inform_region", None, False, True, 0.0, 0.97, None, specific=0.3, sibling="B"), "pick"),
    ("深圳的注销呢: the topic's sibling, in a region named", ON_ITEM,
     Evidence("inform_region", None, True, True, 0.0, 0.97, None, specific=0.3, sibling="B"), "pick"),
    ("需要带什么: a field while choices stand", CHOICES, ev("ask_materials", "materials", content=False), "await_pick"),
    ("a new question while choices stand", CHOICES, ev("search_service", None, elsewhere=0.9), "new_service"),
    ("交了材料以后多久能拿到证: a field in words naming no other service, while choices stand", CHOICES,
     ev(elsewhere=0.4, specific=0.4), "await_pick"),
    ("结婚登记要带什么材料: a field of another service, surely named, while choices stand", CHOICES,
     ev("ask_materials", "materials", elsewhere=0.9, specific=0.93), "new_service"),
    ("我要办的是护照，多久能拿到: a rephrasing in a common word, retrieval sure of an item not offered", CHOICES,
     ev(elsewhere=0.97, specific=0.52), "new_service"),
    ("签注那个要多久: the words' best hit is one of the choices (elsewhere 0), none picked clearly", CHOICES,
     ev(elsewhere=0.0, specific=0.7), "await_pick"),
    ("顺便问下医保卡能在外地用吗: marked as a new question while choices stand, though nothing fits surely", CHOICES,
     Evidence("ask_conditions", "conditions", False, True, 0.0, 0.23, None, specific=2.8, unknown=1, marked_new=True), "new_service"),
    ("另外，要多久: a marker alone, while choices stand: which one?", CHOICES,
     Evidence("ask_time_limit", "time_limit", False, True, 0.0, 0.0, None, specific=0.1, marked_new=True), "await_pick"),
    ("the first question of a conversation asks a fact: searched", Topic(),
     ev("ask_materials", "materials", elsewhere=0.3, specific=0.4), "new_service"),
    ("香港迪士尼的门票在哪买便宜: a place question out of the catalogue's world, while choices stand", CHOICES,
     ev("ask_location", "location", elsewhere=0.16, unknown=4), "new_service"),
    ("那等孩子考上大学了，聚居区的还有助学金可以领吗: much said, no fact, nothing sure: the topic waits (items offered as maybe)", ON_ITEM,
     replace(ev("nlu_fallback", None, about=0.14, elsewhere=0.26, specific=4.2, unknown=2), worth_offering=True), "leave"),
    ("拿到证之后我打算在广州认定高中老师的资格 on 普通话证书: a place beside much said, none of it the topic's, something found: a new question there",
     ON_ITEM, replace(ev("nlu_fallback", "conditions", elsewhere=0.48, region_changed=True, specific=2.9, unknown=1), worth_offering=True), "new_service"),
    ("the same, a word of it in the topic's record: the topic there", ON_ITEM,
     replace(ev("nlu_fallback", "conditions", about=0.2, elsewhere=0.48, region_changed=True, specific=2.9, unknown=1), worth_offering=True), "narrow"),
    ("还有，俺想去香港玩几天，那个通行证在烟台办中不 on 驾驶证换证: the same, said to be a new question: a new question there",
     ON_ITEM, replace(ev("correct_answer", "time_limit", about=0.02, elsewhere=0.19, region_changed=True, specific=2.7, unknown=1),
                      worth_offering=True, marked_new=True), "new_service"),
    ("顺便问下，羊城通卡坏了在哪退卡 on 商标权转让合同公证指引: 羊城 read as 广州, a new question naming nothing of the topic, "
     "nothing found: not the topic there, which waits", ON_ITEM,
     replace(ev("nlu_fallback", "location", elsewhere=0.1, region_changed=True, specific=2.22, unknown=2), marked_new=True), "leave"),
    ("the same, a place asked without a marker: the topic there", ON_ITEM,
     ev("nlu_fallback", "location", elsewhere=0.1, region_changed=True, specific=2.22, unknown=2), "narrow"),
    ("济南趵突泉老年人门票有优惠吗: much said beside a place, about the place itself: the topic waits", ON_ITEM,
     replace(ev("nlu_fallback", None, elsewhere=0.3, region_changed=True, specific=2.5), worth_offering=True, about_place=0.93), "leave"),
    ("天河这边有没有好点的婚宴酒店: much said beside a place, nothing found for it: not a new service", ON_ITEM,
     ev("ask_policy", None, elsewhere=0.05, region_changed=True, specific=2.4), "narrow"),
    ("那我老婆生孩子的生育津贴在哪领 while 公证指引 are offered: much said, none of it the choices', something found: searched", CHOICES,
     replace(ev("ask_location", "location", elsewhere=0.25, specific=2.06, unknown=1), worth_offering=True), "new_service"),
    ("the same words, one of them in a choice's record: which one?", CHOICES,
     replace(ev("ask_location", "location", about=0.3, elsewhere=0.25, specific=2.06, unknown=1), worth_offering=True), "await_pick"),
    ("稳岗返还要是厂子搁青岛平度呢 (NLU: inform_region) on 一次性吸纳就业补贴, after 稳岗返还: the service asked about before, there",
     ON_ITEM, replace(ev("inform_region", None, about=0.3, elsewhere=0.95, region_changed=True), narrows=True, names_other=True, names_earlier=True), "new_service"),
    ("俺单位在济宁，社保也是在济宁交的 (NLU: inform_region) on 退休: another service the words tell of where the user is: the topic there",
     ON_ITEM, replace(ev("inform_region", None, about=0.2, elsewhere=0.92, region_changed=True), narrows=True, names_other=True), "narrow"),
    ("first question of a conversation", Topic(), ev("search_service", None, elsewhere=0.9), "new_service"),
    ("a first question that fits nothing still searches (the answer says none fits)", Topic(), ev("search_service", None), "new_service"),
]


@pytest.mark.parametrize("label,topic,evidence,move", CASES, ids=[c[0] for c in CASES])
def test_decide(label: str, topic: Topic, evidence: Evidence, move: str) -> None:
    assert decide(topic, evidence, T) == move


@pytest.mark.parametrize(
    "label,evidence,offered",
    [
        ("那等孩子考上大学了，聚居区的还有助学金可以领吗: much said, something worth offering",
         replace(ev("nlu_fallback", None, elsewhere=0.26, specific=4.2, unknown=2), worth_offering=True), True),
        ("我最近老失眠头疼，吃点什么药好: much said, nothing worth offering", ev("out_of_scope", None, elsewhere=0.03, specific=4.5), False),
        ("今晚有什么好看的电影上映: little said", replace(ev("nlu_fallback", None, elsewhere=0.3, specific=1.0, unknown=3), worth_offering=True), False),
    ],
)
def test_a_message_that_leaves_offers_items_as_maybe_when_it_says_much(label: str, evidence: Evidence, offered: bool) -> None:
    assert offers_maybe(evidence, replace(T, says_much=2.0)) is offered


def test_thresholds_come_from_the_data_file(tmp_path) -> None:
    path = tmp_path / "thresholds.json"
    path.write_text('{"_about": "x", "about_topic": 0.3, "switch": 0.7}', encoding="utf-8")
    loaded = Thresholds.from_file(path)
    assert (loaded.about_topic, loaded.switch, loaded.topic_rank) == (0.3, 0.7, 3)
    assert decide(ON_ITEM, ev(about=0.35), loaded) == "refer_back"
    assert decide(ON_ITEM, ev("search_service", None, about=0.0, elsewhere=0.6), loaded) == "leave"


@pytest.mark.parametrize(
    "said,act,narrowing",
    [("那注销呢", True, False), ("算了，那注销呢", True, False), ("那身份证呢", False, False), ("注销和变更呢", False, False),
     ("省里的呢", False, True), ("个人的呢", False, True), ("那初中呢", False, False), ("那全省的注销呢", False, False)],
)
def test_what_a_bare_message_says(sd_searcher, said: str, act: bool, narrowing: bool) -> None:
    from actions.answer import bare_act, says_only_narrowing, strip_field_cues

    content = strip_field_cues(said)
    assert (bare_act(sd_searcher, content) is not None, says_only_narrowing(sd_searcher, content)) == (act, narrowing)


@pytest.mark.parametrize(
    "topic,said,sibling",
    [
        ("居民身份证补领", "那换证呢", "居民身份证换领"),  # 换证 reads as 换领
        ("居民身份证换领", "补办要带什么", "居民身份证补领"),  # the field cue left out, 补办 reads as 补领
        ("居民身份证补领", "那补办呢", None),  # the topic's own act
        ("居民身份证补领", "注销和变更呢", None),  # two acts: not one sibling
        ("居民身份证补领", "", None),
        ("居民身份证补领", "那身份证呢", None),  # words beyond an act
        ("居民身份证换领", "那补办在哪办", "居民身份证补领"),  # 办 says doing, not which service
        ("个体工商户设立登记", "那注销呢", None),  # 企业注销登记 carries the act but not the thing
        ("食品经营许可变更", "那新办呢", "食品经营许可（新办）"),  # jieba cuts 新办 as 新 / 办: read from the characters
        ("食品经营许可变更", "那新办理呢", "食品经营许可（新办）"),  # 新办 and 办理 share 办: no stray 理 left
        ("居民身份证换领", "那补办理由呢", None),  # 理由 is a word beyond the act
        ("营业执照补领", "那重新办呢", None),  # 重新 / 办 hold the characters 新办 but say no act
        ("食品经营许可变更", "证件更新办理要多久", None),
        ("食品经营许可（新办）", "变更的话在哪里办理", "食品经营许可变更"),  # the place cue takes 在哪里 whole
    ],
)
def test_a_bare_act_names_the_topics_sibling(sd_searcher, topic: str, said: str, sibling: str | None) -> None:
    from actions.answer import bare_act, sibling_by_act, strip_field_cues
    from retrieval.search import Filters

    item = next(i for _, i in sd_searcher.index.live_items() if i.name == topic)
    code = sibling_by_act(sd_searcher, item, bare_act(sd_searcher, strip_field_cues(said)), Filters())
    assert (sd_searcher.index.items[sd_searcher.index.slot_of(code)].name if code else None) == sibling


@pytest.mark.parametrize(
    ("topic", "act", "offered"),
    [
        ("有限责任公司设立登记", "注销", {"企业注销登记（含简易注销）"}),  # no sibling names the company: offered as maybe
        ("开办劳务公司", "注销", {"企业注销“一件事”", "企业注销登记（含简易注销）"}),
        ("居民身份证补领", "注销", set()),  # 注销 items say nothing of 身份证
        ("居民身份证补领", "变更", set()),  # (供水户名变更's record holds 身份证; its name does not)
        ("开办餐饮店", "补领", set()),
        ("新生儿出生“一件事”", "注销", set()),  # the label's 一件 is no word of the theme's thing
    ],
)
def test_an_act_with_no_sibling_offers_the_items_that_say_it_and_the_thing(sd_searcher, sd_catalogue, topic: str, act: str, offered: set[str]) -> None:
    from actions.answer import act_suggestions
    from retrieval.search import Filters

    item = next(i for i in [*sd_catalogue.items.values(), *map(sd_catalogue.theme_entry, sd_catalogue.themes.values())] if i.name == topic)
    names = {i.name for i in act_suggestions(sd_searcher, item, act, Filters())}
    if offered:
        assert offered <= names and all(act in name for name in names), names
    else:
        assert names == set()


def test_a_themes_label_makes_no_sibling(sd_searcher, sd_catalogue) -> None:
    """"那注销呢" on 退休“一件事” is not about 企业注销“一件事”: the two share only the label."""
    from actions.answer import sibling_by_act
    from retrieval.search import Filters

    retiring = sd_catalogue.theme_entry(next(t for t in sd_catalogue.themes.values() if t.name == "退休“一件事”"))
    assert sibling_by_act(sd_searcher, retiring, "注销", Filters()) is None


@pytest.mark.parametrize(
    "said,picked",
    [
        ("换领那个", "居民身份证换领"),
        ("补领要带什么", "居民身份证补领"),
        ("网上能办吗", None),  # 办 says doing, not which: it used to pick 老年人优待证办理
        ("怎么办理", None),
    ],
)
def test_words_pick_a_choice_only_when_they_name_one(sd_searcher, said: str, picked: str | None) -> None:
    from actions.answer import pick_in_words, strip_field_cues

    offered = tuple(next(i.code for _, i in sd_searcher.index.live_items() if i.name == name) for name in ("老年人优待证办理", "居民身份证补领", "居民身份证换领"))
    code = pick_in_words(sd_searcher, strip_field_cues(said), offered)
    assert (sd_searcher.index.items[sd_searcher.index.slot_of(code)].name if code else None) == picked


def test_words_naming_a_service_outside_the_choices_do_not_pick_one(gd_searcher, gd_catalogue) -> None:
    """"那离婚呢" while 结婚登记 choices stand: 离婚 is in 结婚登记预约's record, so the words
    used to pick it; retrieval is sure of 离婚登记预约, whose name says 离婚, so the message
    names that new service. Words the choice's own name says still pick it."""
    from actions.answer import measure, strip_field_cues
    from actions.topic import thresholds
    from retrieval.search import Filters

    searcher, catalogue = gd_searcher, gd_catalogue
    code = {i.name: i.code for _, i in searcher.index.live_items()}
    offered = tuple(code[name] for name in ("开具婚姻登记记录证明预约", "结婚登记预约", "补领结婚证预约"))
    topic = Topic(offered=offered, field="fee")

    def move(said: str) -> tuple[str, str | None]:
        content = strip_field_cues(said)
        evidence = measure(searcher, catalogue, topic, "inform_region", None, content, searcher.search(content, k=10), Filters())
        return decide(topic, evidence, thresholds()), catalogue.entry(evidence.picked).name if evidence.picked else None

    assert move("那离婚呢") == ("new_service", None)
    assert move("补领结婚证那个呢") == ("pick", "补领结婚证预约")


def test_choices_that_only_report_progress_are_picked_by_words(gd_searcher) -> None:
    """Lookups of progress are dropped from how-to questions' hits, but not from the choices
    a progress question was offered: "首次办理那个" picks 首次办理普通护照办证进度查询."""
    from actions.answer import pick_in_words

    offered = tuple(hit.item.code for hit in gd_searcher.search("护照办理进度怎么查").hits[:4])
    assert all("进度" in gd_searcher.index.items[gd_searcher.index.slot_of(c)].name for c in offered)
    picked = pick_in_words(gd_searcher, "首次办理那个", offered)
    assert picked and gd_searcher.index.items[gd_searcher.index.slot_of(picked)].name == "首次办理普通护照办证进度查询"


@pytest.mark.parametrize(
    "said,meant",
    [
        ("不是这个，我问的是结婚登记", "结婚登记"),
        ("不对不对，我问的是结婚", "结婚"),
        ("都不是，我想办护照", "我想办护照"),
        ("不是这个我问的是结婚", "结婚"),
        ("不对，我是问能不能委托别人去办", "能不能委托别人去办"),
        ("不是这个服务", None),  # no clause of its own: "换个说法"
        ("不是本人能办吗", None),  # a question that starts with 不是
        ("不对", None),
    ],
)
def test_a_rejection_is_followed_by_what_was_meant_only_in_a_clause_of_its_own(said: str, meant: str | None) -> None:
    from actions.topic import REJECTION

    rest = REJECTION.sub("", said, count=1)
    assert (rest if rest != said else None) == meant


def test_a_thin_rejection_corrects_the_last_question(gd_searcher, gd_catalogue) -> None:
    """"不是这个，我问的是认定" after the choices for "想考个教师资格证，怎么报名": 认定 alone
    finds 高新技术企业认定 and the like; joined with the last question it finds 教师资格认定,
    and the choices just shown are not offered again."""
    from actions.answer import strip_field_cues
    from actions.choices import close_alternatives
    from actions.rejection import what_was_meant

    last = strip_field_cues("想考个教师资格证，怎么报名")  # as the bot searches and keeps it (资格 asks conditions)
    offered = tuple(item.code for item in close_alternatives(gd_searcher.search(last), gd_searcher))  # the choices it shows
    assert len(offered) > 1 and not any("认定" in gd_catalogue.entry(code).name for code in offered)
    meant = what_was_meant(gd_searcher, gd_catalogue, Topic(offered=offered, query=last), "不是这个，我问的是认定")
    names = [hit.item.name for hit in meant.result.hits[:2]]
    assert all("教师资格认定" in name for name in names), names
    assert not set(offered) & {hit.item.code for hit in meant.result.hits}
    sure = what_was_meant(gd_searcher, gd_catalogue, Topic(offered=offered, query=last), "不是这个，我问的是结婚登记预约")
    assert sure.query == "结婚登记预约" and sure.result.best.item.name == "结婚登记预约"  # says enough alone
    assert what_was_meant(gd_searcher, gd_catalogue, Topic(offered=offered, query=last), "不是这个服务") is None


def test_a_bare_act_finds_the_sibling_when_the_topic_itself_comes_first(gd_searcher, gd_catalogue) -> None:
    """On 《残疾人证》挂失补办 the thing searched keeps 挂失, so the topic ranks first for
    "残疾人证 挂失 新办"; the sibling is the best hit after it."""
    from actions.answer import bare_act, sibling_by_act
    from retrieval.search import Filters

    item = next(i for i in gd_catalogue.items.values() if "残疾人证" in i.name and i.name.endswith("挂失补办"))
    code = sibling_by_act(gd_searcher, item, bare_act(gd_searcher, "那新办呢"), Filters())
    assert code and gd_catalogue.entry(code).name.endswith("新办证申请")


def test_a_place_outside_the_province_alone_is_answered_unless_it_names_a_variant(gd_searcher, gd_catalogue) -> None:
    """"那台湾呢" after 办理往来港澳通行证 asks about 往来台湾通行证, a service; after 结婚登记预约
    it names a place the portal does not serve."""
    from actions.answer import place_reply

    def code(name: str) -> str:
        return next(i.code for i in gd_catalogue.items.values() if i.name == name)

    assert place_reply(gd_searcher, gd_catalogue, "那台湾呢", Topic(code=code("办理往来港澳通行证"))) is None
    outside = place_reply(gd_searcher, gd_catalogue, "那台湾呢", Topic(code=code("结婚登记预约")))
    assert outside and "广东省" in outside["text"] and "【结婚登记预约】" in outside["text"]
    assert place_reply(gd_searcher, gd_catalogue, "那台湾呢", Topic()) is None  # items are named after it
    area = place_reply(gd_searcher, gd_catalogue, "粤东西北的呢", Topic())
    assert area and "汕头市" in area["text"] and "湛江市" in area["text"] and "韶关市" in area["text"]
    assert place_reply(gd_searcher, gd_catalogue, "那北京的结婚登记呢", Topic()) is None  # words of its own: searched


def evidence_on(searcher, catalogue, topic: str, said: str, intent: str = "search_service") -> Evidence:
    from actions.answer import measure, strip_field_cues
    from retrieval.search import Filters

    item = next((i for i in catalogue.items.values() if i.name == topic), None)
    item = item or next(catalogue.entry(code) for code, theme in catalogue.themes.items() if theme.name == topic)
    content = strip_field_cues(said)
    probe = searcher.search(content, Filters(), k=10, said=said)
    return measure(searcher, catalogue, Topic(code=item.code), intent, None, content, probe, Filters())


def test_words_naming_another_item_than_the_topic(sd_searcher, sd_catalogue, gd_searcher, gd_catalogue) -> None:
    """"营业执照丢了怎么补领" on 居民身份证补领 says 营业执照, which its record lacks and all of
    营业执照补领's name says; "报名审核要几天" on 执业药师 says 审核 of 出国朝觐报名审核, but a
    third of that name: a step of the topic's own process."""
    assert evidence_on(sd_searcher, sd_catalogue, "居民身份证补领", "营业执照丢了怎么补领").names_other
    topic = next(i.name for i in gd_catalogue.items.values() if i.name.startswith("执业药师") and "报名" in i.name)
    step = evidence_on(gd_searcher, gd_catalogue, topic, "报名审核要几天", "ask_time_limit")
    assert step.elsewhere > 0 and not step.names_other  # retrieval sure of another item, which the words do not name


def test_a_step_of_any_process_is_weighed_as_the_topics_own(gd_searcher, gd_catalogue) -> None:
    """"报名后多久审核完" on 勘察设计注册工程师考试报名, whose record never says 审核, asks how long its
    own review takes, not about 出国朝觐报名审核 (data/dialogue/step_words.txt)."""
    from actions.topic import thresholds

    step = evidence_on(gd_searcher, gd_catalogue, "勘察设计注册工程师考试报名", "报名后多久审核完", "ask_time_limit")
    assert step.about_topic >= thresholds().about_topic and step.elsewhere_rank_of_topic is None
    assert decide(Topic(code="x"), replace(step, field="time_limit"), thresholds()) == "refer_back"
    # Step words alone are weighed as they are, and a record holding the step holds them.
    assert evidence_on(gd_searcher, gd_catalogue, "勘察设计注册工程师考试报名", "审核", "ask_time_limit").about_topic == 0.0
    own_step = evidence_on(gd_searcher, gd_catalogue, "公司律师执业审核", "审核通过了然后呢", "nlu_fallback")
    assert own_step.about_topic > 0 == evidence_on(gd_searcher, gd_catalogue, "公司律师执业审核", "通过了然后呢", "nlu_fallback").about_topic


def test_the_office_of_the_topics_own_thing_names_no_other_item(gd_searcher, gd_catalogue) -> None:
    """"公证处在哪" on 学位公证指引: 公证处 is the office of the 公证 its record holds, though in the
    catalogue's words 公证机构信息查询's name says 公证处 (and its pair 证处); the Cantonese "喺边度"
    is one cue, leaving no 度 to be searched."""
    from actions.answer import strip_field_cues

    on_degree = evidence_on(gd_searcher, gd_catalogue, "学位公证指引", "公证处在哪", "ask_location")
    assert on_degree.about_topic == 1.0 and not on_degree.names_other
    assert strip_field_cues("喺边度睇得到呢个名单").strip() == "睇得到呢个名单"
    # By the topic's name, not its record: 人民调解组织信息查询's materials may say 公证, not its office.
    assert evidence_on(gd_searcher, gd_catalogue, "人民调解组织信息查询", "查下公证处的信息").names_other


def test_this_with_a_word_of_the_topics_name_points_at_the_topic(gd_searcher, gd_catalogue) -> None:
    """"喺边度睇得到呢个名单" (NLU: inform_region, no region) on …医疗机构名单查询 is about it, though its
    words find 水利建设投标人名单查询 too; "在这报名" is a place, "他那本" someone else's, "另外…" a new
    question."""
    topic = "广东省经许可开展产前诊断和辅助生殖技术服务的医疗机构名单查询"
    this_list = evidence_on(gd_searcher, gd_catalogue, topic, "喺边度睇得到呢个名单", "inform_region")
    assert this_list.says_this_topic and decide(Topic(code="x"), replace(this_list, field="location"), Thresholds()) == "refer_back"
    exams = next(i.name for i in gd_catalogue.items.values() if "报名" in i.name)
    assert not evidence_on(gd_searcher, gd_catalogue, exams, "想考个中级经济师，也是在这报名吗").says_this_topic
    pointed = Evidence("inform_region", "location", False, True, 0.2, 0.36, None, specific=0.69, says_this_topic=True)
    assert decide(Topic(code="x"), pointed, Thresholds()) == "refer_back"
    assert decide(Topic(code="x"), replace(pointed, says_this_topic=False), Thresholds()) == "new_service"
    assert decide(Topic(code="x"), replace(pointed, marked_new=True), Thresholds()) == "new_service"
    assert decide(Topic(code="x"), replace(pointed, names_other=True), Thresholds()) == "new_service"


@pytest.mark.parametrize(
    "said, points",
    [("这个在网上查的到不，不想专门过去", True), ("这事得上啥地方办", True), ("那这个要交钱不", True),
     ("拿到证之后我打算在广州认定高中老师的资格，这个怎么申请", False),  # "this" is what the words named before it
     ("这边有没有停车的地方", False)],  # (这边: a place)
)
def test_this_alone_first_points_at_the_topic(gd_searcher, gd_catalogue, said: str, points: bool) -> None:
    """"This" standing alone first, its question straight after, is the service under discussion whatever
    else the words say (session 58: "…不想专门过去" had been left as another world's question)."""
    topic = next(i.name for i in gd_catalogue.items.values() if i.name.startswith("水利建设项目标段"))
    assert evidence_on(gd_searcher, gd_catalogue, topic, said, "ask_online").says_this_topic is points


@pytest.mark.parametrize("said, points", [("那个展周末有没有开", True), ("这个展下个月还在吗", True), ("这个展览馆在哪", False)])
def test_this_with_the_character_ending_the_topics_name_points_at_it(gd_searcher, gd_catalogue, said: str, points: bool) -> None:
    """"这个展" of an exhibition named …作品展 points at it as "这个名单" does at a list (session 65), but not when the
    character starts a longer word (展览馆)."""
    from retrieval.search import name_stem

    topic = next(i.name for i in gd_catalogue.items.values() if name_stem(i.name).endswith("展") and "漆玉" not in i.name)
    assert evidence_on(gd_searcher, gd_catalogue, topic, said, "ask_online").says_this_topic is points


def test_words_of_doing_alone_name_no_service(gd_searcher, gd_catalogue) -> None:
    """"要到哪个地方报名" on 开展林业种苗法治学习教育 names no other service by 报名, which 一物一证在线报名's
    name holds: a follow-up about where to sign up for the topic (session 58)."""
    evidence = evidence_on(gd_searcher, gd_catalogue, "开展林业种苗法治学习教育", "要到哪个地方报名", "nlu_fallback")
    assert evidence.specific < Thresholds().specific
    assert decide(Topic(code="x"), replace(evidence, field="location"), Thresholds()) == "refer_back"


@pytest.mark.parametrize(
    "theme, said",
    [("新生儿出生“一件事”", "俺媳妇单位上的生育津贴也在这里头不咧"), ("开办餐饮店", "消防检查也算在里头不"),
     ("退休“一件事”", "俺那公积金能一块儿提出来不"), ("二手房转移登记及水电气过户“一件事”", "契税是在这里头一块交不"),
     ("企业注销“一件事”", "能一并注销社保登记吗"), ("开办餐饮店", "能一起领发票吗")],  # (the part inside the asking words)
)
def test_a_part_asked_whether_a_theme_covers_it_is_named_by_the_words_around_the_asking(sd_searcher, sd_catalogue, theme, said) -> None:
    """The words asking whether it is included (在这里头, 一块儿提) say nothing of which part, and
    weighed with them the part's name was under the share a pick needs."""
    evidence = evidence_on(sd_searcher, sd_catalogue, theme, said, "nlu_fallback")
    assert evidence.asks_included and evidence.picked in sd_catalogue.themes[next(c for c, t in sd_catalogue.themes.items() if t.name == theme)].item_codes


def test_a_long_word_names_another_item_by_a_word_of_its_name_inside_it(sd_searcher, sd_catalogue) -> None:
    """"劳务派遣公司" says 劳务 of 开办劳务公司 (the search reads a long word with its character
    pairs, and so a name's): on the 开办餐饮店 or 企业注销 theme the words name that theme, though
    no whole word of the message is in its name but 公司 (企业), which 企业注销's name has too."""
    on_restaurant = evidence_on(sd_searcher, sd_catalogue, "开办餐饮店", "劳务派遣公司开办要跑几个部门", "ask_visits")
    on_closing = evidence_on(sd_searcher, sd_catalogue, "企业注销“一件事”", "我朋友想开个劳务派遣公司，要准备多少材料", "ask_materials")
    assert on_restaurant.names_other and on_closing.names_other


def test_a_fact_without_an_intent_is_asked_only_by_words_that_say_nothing_else(sd_searcher, sd_catalogue) -> None:
    """A follow-up asks the hours or 代办/异地/邮寄/加急 of the topic; a question about a service
    whose words hold such a word is searched as it is, and another field's cue wins."""
    from actions.answer import fact_asked, strip_field_cues

    def fact(text: str) -> str | None:
        found = fact_asked(sd_searcher, text, sd_catalogue.gazetteer.without_regions(strip_field_cues(text)))
        return found[0] if found else None

    follow_ups = ["周末能办吗", "中午去有人吗", "济南周末能办吗", "周六能办不，俺俩平常都上班", "周末可以办吗", "能找人代办吗", "家属可以代办吗", "可以异地办吗",
                  "外地人能办吗", "能邮寄吗", "结果能寄回来吗", "可以加急吗"]
    assert [fact(t) for t in follow_ups] == ["hours"] * 5 + ["proxy"] * 2 + ["remote"] * 2 + ["mail"] * 2 + ["expedite"]
    searched = ["公司关门了怎么注销", "周末想做点志愿服务，怎么找附近的志愿者组织", "护照急用怎么办", "低保申请可以代办吗",
                "身份证能跨省补办吗", "连续工作时间满15年能办退休吗", "节假日加班工资怎么算", "我想开门诊部需要什么条件",
                "晚上能网上办吗", "我在济南上班", "周末需要什么条件", "快点告诉我", "我想找人问问"]
    assert [fact(t) for t in searched] == [None] * len(searched)


def test_words_naming_another_item_leave_the_topic_when_retrieval_is_less_sure_than_switch() -> None:
    """Named (`names_other`), another item needs retrieval only `switch_named` sure: "那开个饭店要跑
    几趟" on 退休“一件事” finds 开办餐饮店 at 0.77. Not named, the same sureness is not enough to
    leave a topic for a fact asked."""
    t = Thresholds(about_topic=0.4, switch=0.9, switch_named=0.5, specific=0.6)
    named = Evidence("ask_visits", "visits", False, True, 0.0, 0.77, None, specific=0.78, names_other=True)
    assert decide(ON_THEME, named, t) == "new_service"
    assert decide(ON_THEME, replace(named, names_other=False), t) == "refer_back"
    assert decide(ON_THEME, replace(named, elsewhere=0.3), t) == "refer_back"  # named, but retrieval unsure


def test_a_place_beside_words_that_say_little_narrows_a_theme_rather_than_picking_a_part(sd_searcher, sd_catalogue) -> None:
    """On 退休“一件事”, "我户口在济南" says 户口, which 老年人优待证办理's record holds, and "我人在
    烟台可以吗" 人, of 离退休提取住房公积金's: the theme in that city, not that part; "医保待遇怎么
    核定" names the 医保 part, and so does "养老金怎么领" the pension's (a word of its name split
    otherwise: 基本养老金申领)."""
    from actions.answer import measure, strip_field_cues
    from actions.topic import decide, thresholds
    from retrieval.search import Filters

    def move(said: str) -> tuple[str, str | None]:
        region = sd_catalogue.gazetteer.resolve(said)
        content = sd_catalogue.gazetteer.without_regions(strip_field_cues(said))
        probe = sd_searcher.search(content, Filters(), k=10, said=said)
        topic = Topic(code="theme-tuixiu")
        evidence = measure(sd_searcher, sd_catalogue, topic, "inform_region", None, content, probe, Filters())
        evidence = replace(evidence, region_changed=region is not None, narrows=evidence.narrows or region is not None)  # as action_answer does
        picked = sd_catalogue.entry(evidence.picked).name if evidence.picked else None
        return decide(topic, evidence, thresholds()), picked

    assert move("我户口在济南")[0] == "narrow"
    assert move("我人在烟台可以吗")[0] == "narrow"
    assert move("医保待遇怎么核定") == ("pick", "职工基本医疗保险退休人员待遇核定（缴费年限核定）")
    assert move("养老金怎么领")[0] == "pick"


@pytest.mark.parametrize(
    ("said", "picked"),
    [
        ("第一个要多久", "a"),
        ("第2项在哪办", "b"),
        ("第 三 个怎么收费", "c"),
        ("第四个", None),  # beyond the list
        ("第一次办要带什么", None),  # says no choice
        ("第一个孩子出生要办什么", None),  # says more than a place in the list
        ("第3个工作日能拿到吗", None),
        ("要多久", None),
    ],
)
def test_a_choice_named_by_its_place_in_the_list(sd_searcher, said: str, picked: str | None) -> None:
    content = strip_field_cues(said)
    assert offered_by_ordinal(sd_searcher, content, ("a", "b", "c")) == picked
    assert offered_by_ordinal(sd_searcher, content, ()) is None


@pytest.mark.parametrize(
    "said,region",
    [
        ("户口还在老家临沂，在这边能换吗", None),  # a place of origin set against "here"
        ("户籍在烟台，在本地能办理吗", None),
        ("我户口在青岛，在济南这边能办吗", "济南市"),  # here is named
        ("我户口在青岛", "青岛市"),  # a place of origin alone still says where
        ("我老家在济南这边", "济南市"),
        ("我现在在青岛市南区上班", "市南区"),
        ("户口在临沂我现在在青岛这边能换吗", "青岛市"),  # no comma: the place here is not eaten
        ("户口迁到青岛了，这边能办吗", "青岛市"),  # moved here
        ("户籍在烟台，当地派出所能办吗", "烟台市"),  # 当地 points back to it
        ("户口在临沂，我们这种情况能办吗", "临沂市"),  # 我们这种 is no "here"
        ("我户口在青岛，这里面要什么材料", "青岛市"),
    ],
)
def test_a_place_of_origin_set_against_here_is_not_where_the_user_is(said: str, region: str | None) -> None:
    from actions.answer import region_said
    from catalogue.store import load_catalogue
    from settings import get_settings

    found = region_said(load_catalogue(get_settings()).gazetteer, said)
    assert (found.name if found else None) == region


@pytest.mark.parametrize(
    "intent, said, narrows",
    [
        ("inform_target", "我是低保户", True),
        ("inform_target", "本人是退役军人", True),
        ("inform_target", "我们是小微企业", True),
        ("inform_target", "家里是低保户", True),
        ("inform_target", "你们这个机器人是哪家公司做的啊", False),  # 公司 read as a target
        ("inform_target", "我想问下你们是哪家公司做的", False),
        ("search_service", "我是低保户，能申请什么", False),  # not NLU's inform_target: weighed as words
    ],
)
def test_inform_target_narrows_when_the_user_says_who_they_are(intent: str, said: str, narrows: bool) -> None:
    from actions.answer import tells_who_they_are

    assert tells_who_they_are(intent, said) is narrows


@pytest.mark.parametrize(
    "said, included",
    [
        ("那一次性经济补助也在这里头吗", True),
        ("老年人优待证也能一块给办了不", True),
        ("那过户的时候公积金能顺带提出来不", True),
        ("社保卡也包括在里面吗", True),
        ("其中老年人优待证要带什么材料", False),  # 其中: of these
        ("老年人优待证的材料包括什么", False),
        ("出生登记在派出所里面哪个窗口", False),
        ("我顺带问问公积金提取要多久", False),
        ("帮我把公积金提取也一起办了吧", False),  # a request to apply
        ("公积金那个单位户也是一块儿给销了是吧", True),  # 销 of 注销, asked with 是吧
        ("那你把公积金也一块给销了吧", False),
        ("俺那公积金能一块儿提出来不", True),
        ("契税是在这里头一块交不", True),
        ("燃气也跟着过户了不", True),  # along with it (sd helper5: the part was answered instead of the theme)
        ("医保也跟着一块儿参上是吧", True),
        ("他跟着我过来的", False),
    ],
)
def test_words_asking_whether_a_theme_covers_a_part(said, included) -> None:
    from actions.answer import ASKS_INCLUDED

    assert bool(ASKS_INCLUDED.search(said)) == included


@pytest.mark.parametrize(
    "said, marked",
    [
        ("对了，俺儿想考个教师资格证，在哪儿报名？", True),  # (sd helper4: 对了 was no marker)
        ("对了，办下来需要多少时间？", True),  # (a fact in words that name nothing still asks the topic: decide)
        ("另外问下，增驾B2要怎么弄", True),
        ("对的，就是这个", False),
        ("哦对了，身份证补办要几天", True),
        ("你说对了，就是这个", False),  # a confirmation (the review of b5dcffe)
        ("对了对了，就是这个", False),
        ("我核对了一遍，材料都齐了，多久能批下来", False),  # part of a word
        ("要带身份证，还有，户口本复印件", False),  # a list
        ("仲有，南粤古驿道嘅展览去边度睇", True),  # (session 59: Cantonese 还有，)
        ("要带什么材料", False),
    ],
)
def test_words_that_start_a_new_question(said: str, marked: bool) -> None:
    assert marked_new(said) is marked


@pytest.mark.parametrize(
    "topic, said, lookup",
    [
        ("办理往来台湾通行证商务签注", "对了，交了以后怎么查办到哪一步了", "往来台湾通行证商务签注办证进度查询"),
        ("办理往来港澳通行证", "办好了没有怎么查", "往来港澳通行证"),  # (首次, 补发, 换发 …: which, asked)
        ("办理往来港澳通行证", "我的身份证办到哪一步了", None),  # another service named
        ("办理往来港澳通行证", "我反映的那个事办到哪一步了", None),  # a complaint's progress: 12345's
        ("补领结婚证预约", "交了以后怎么查办到哪一步了", None),  # no lookup holds 结婚证
    ],
)
def test_progress_asked_of_the_service_under_discussion_is_its_own_lookup(gd_searcher, gd_catalogue, topic, said, lookup) -> None:
    """"怎么查办到哪一步了" after a service, naming none, is answered with the catalogue's progress
    lookup of that service (h12_05 of data/eval/gd_dialogues_helper12.jsonl got the receipt-number
    form, then asked for the number at every follow-up), the service itself not offered beside it."""
    from actions.answer import progress_lookup_of

    item = next(i for i in gd_catalogue.items.values() if i.name == topic)
    found = progress_lookup_of(gd_searcher, item, said, None)
    assert (lookup in found.hits[0].item.name) if lookup else found is None, found and found.hits[0].item.name
    assert found is None or all("进度" in hit.item.name for hit in found.hits)


@pytest.mark.parametrize(
    ("said", "first"),
    [
        ("交上去几天能批下来？下个月有个应急通信演练，怕赶不上", True),  # the user's case told after
        ("电话多少？上班的地方物业费涨了，想投诉物业", False),  # a later clause wants something else done
        ("我们两个老人家腿脚不好，前前后后要去几次", True),  # (the clause that asks, after the case told)
        ("物业费涨了，想投诉物业，电话多少", False),  # (an earlier one wants it)
        ("下礼拜孩子开学，得交多少钱，学费咋交", False),  # (another clause asks)
    ],
)
def test_a_fact_asked_in_a_clause_naming_nothing(gd_searcher, said: str, first: bool) -> None:
    assert asked_first(gd_searcher, said) is first


def test_a_qualified_item_yields_to_the_general_service_nearer_the_region_when_it_does_the_same(gd_catalogue) -> None:
    """"学校打算开喺广州嘅" after the province's 技工学校的设立审批(省属技工学校设立审批): 广州's 技工学校的设立审批;
    not after (省属技工学校终止办学), which closes a school the general record sets up."""
    from actions.answer import local_implementations

    by_name = {item.name: item for item in gd_catalogue.items.values()}
    setting_up = by_name["技工学校的设立审批(省属技工学校设立审批)"]
    closing = by_name["技工学校的设立审批(省属技工学校终止办学)"]
    assert [i.region_code for i in local_implementations(setting_up, "440100", gd_catalogue)] == ["440100"]
    assert local_implementations(setting_up, "440100", gd_catalogue)[0].name == "技工学校的设立审批"
    assert local_implementations(closing, "440100", gd_catalogue) == [closing]  # its own province unit
    assert local_implementations(setting_up, None, gd_catalogue) == [setting_up]


@pytest.mark.parametrize(
    ("said", "one_part"),
    [("单说办残疾证那一项，咋弄", True), ("只问上户口这一项", True), ("光办残疾证这一项行不", True), ("这几项都要办吗", False), ("残疾证怎么办", False)],
)
def test_one_part_of_a_theme_asked_alone(said: str, one_part: bool) -> None:
    from actions.choices import ONE_PART_ASKED

    assert bool(ONE_PART_ASKED.search(said)) is one_part


def test_the_clause_asking_a_fact_is_weighed_alone_where_it_names_something(sd_searcher) -> None:
    """"注册资本有啥要求不，俺们手头钱不算多" on 劳务派遣经营许可: 注册资本 is in its record, the case told
    is in words no record uses; the asking clause alone is measured against the topic."""
    assert asking_clause(sd_searcher, "注册资本有啥要求不，俺们手头钱不算多").split() == ["注册资本有啥", "不"]
    assert asking_clause(sd_searcher, "要带啥材料，俺下个月出差") == ""  # (the clause names nothing)
    assert asking_clause(sd_searcher, "注册资本有啥要求不") == ""  # (one clause: the message is that clause)


def test_the_asking_clause_is_the_topics_unless_it_names_the_service_search_is_sure_of(sd_searcher, sd_catalogue) -> None:
    """The clause that asks holds 注册资本 of 劳务派遣经营许可's record; "换领身份证" on 居民身份证补领 names
    居民身份证换领, which search is sure of, though the topic's record holds its words too."""
    from actions.answer import measure
    from actions.topic import thresholds
    from retrieval.search import Filters

    def about(topic: str, said: str, field: str) -> float:
        item = next(i for i in sd_catalogue.items.values() if i.name == topic)
        content = strip_field_cues(said)
        probe = sd_searcher.search(content, Filters(), k=10, said=said)
        return measure(sd_searcher, sd_catalogue, Topic(code=item.code), "nlu_fallback", field, content, probe, Filters(), said=said).about_topic

    assert about("劳务派遣经营许可", "注册资本有啥要求不，俺们手头钱不算多", "conditions") >= thresholds().about_topic
    assert about("居民身份证补领", "换领身份证要带啥，俺的快到期了", "materials") < thresholds().about_topic


def test_words_telling_a_heap_of_errands_beside_one_service_asked_ask_that_service(sd_searcher) -> None:
    """"…一大摊事" tells the situation in a clause that asks nothing; the clause beside it asks of one
    service retrieval is sure of. "…一家一家跑太折腾了，有没有省事的法子" asks for the several."""
    from actions.choices import told_beside_a_service_asked
    from retrieval.search import Filters

    for said, told in [
        ("孩子出生以后一大摊事，出生医学证明在哪开", True),
        ("俺在胶州的小厂子不干了，税务、社保、公积金都得销户，一家一家跑太折腾了，有没有省事的法子", False),
    ]:
        assert told_beside_a_service_asked(said, sd_searcher.search(said, Filters(), k=10, said=said), sd_searcher) is told, said


@pytest.mark.parametrize(
    ("said", "how"),
    [
        ("听说还有一次性的补助金，这个咋领", True),
        ("这个补贴咋申领", True),
        ("还有啥能领的补贴，咋领", False),  # what else there is: suggestions (the review of session 53)
        ("大家一般都咋弄的", False),
    ],
)
def test_asking_how_to_get_one_thing_is_no_request_for_suggestions(said: str, how: bool) -> None:
    from actions.suggestions import ASKS_HOW, WHAT_ELSE

    assert (bool(ASKS_HOW.search(said)) and not WHAT_ELSE.search(said)) is how


def test_the_topics_own_address_restated_points_at_it(sd_catalogue) -> None:
    """"是去福寿东街6396号那栋吧" restates where 潍坊's 建设工程规划许可证核发 is handled (session 64); a road alone, or
    another address, does not."""
    permit = sd_catalogue.entry("11370700868975023X2370112001001")
    assert "福寿东街6396号" in permit.location
    assert restates_its_address("想当面问问的话，是去福寿东街6396号那栋吧", permit)
    assert not restates_its_address("是去福寿东街那边吧", permit)  # (too short to be its address)
    assert not restates_its_address("是去和平路34号2楼吧", permit)


def test_a_word_of_the_topics_name_that_no_closer_hit_outnames_keeps_a_fact_on_it(gd_searcher, gd_catalogue) -> None:
    """"提存嘅手续去边个地方搞" on 担保性提存（公证）指引 (NLU: search_service) says 提存 of its name, and nothing of
    清偿性提存, which search ranks first, that the topic's name lacks: the place of the topic, not "not found"
    (session 66). "学历公证要多久" says 学历, which the topic's name lacks."""
    from actions.topic import thresholds

    topic = next(i.name for i in gd_catalogue.items.values() if i.name.startswith("担保性提存"))
    own = evidence_on(gd_searcher, gd_catalogue, topic, "提存嘅手续去边个地方搞")
    assert own.names_topic and decide(Topic(code="x"), replace(own, field="location"), thresholds()) == "refer_back"
    assert decide(Topic(code="x"), replace(own, field="location", names_topic=False), thresholds()) == "leave"
    assert not evidence_on(gd_searcher, gd_catalogue, topic, "学历公证要多久").names_topic


def test_a_name_said_without_its_bracketed_variant_names_another_item(sd_searcher, sd_catalogue) -> None:
    """"危化品经营许可咋办" on 道路普通货物运输经营许可 says all of 危险化学品经营许可 but nothing of its bracket
    (不带储存设施), which citizens rarely say: that item is named (session 66)."""
    from actions.topic import thresholds

    named = evidence_on(sd_searcher, sd_catalogue, "道路普通货物运输经营许可", "开油漆店要办危化品经营许可，咋办")
    assert named.names_other and decide(Topic(code="x"), named, thresholds()) == "new_service"
    # Named, it is left for when search is fairly sure of it ("俺在单位上班，生完能领生育津…" at 0.49 on 生育登记).
    assert decide(Topic(code="x"), replace(named, elsewhere=0.45), thresholds()) == "new_service"


@pytest.mark.parametrize(
    "said, asks",
    [("那个备案咋弄", True), ("补贴上哪领", True), ("招了人能领补助不", True), ("有高龄津贴没", True), ("这个也得登记吧", True),
     ("今晚有什么好看的电影上映", False), ("机器人是哪家公司做的", False), ("我等了好久也没等来回话", False)],
)
def test_a_clause_asking_how_to_get_something(said: str, asks: bool) -> None:
    """What a clause must ask for a word of a found service's name in it to offer that service as "maybe" when the
    words leave the topic (actions/answer.py `ASKS_HOW_TO_GET`, session 66)."""
    from actions.answer import ASKS_HOW_TO_GET

    assert bool(ASKS_HOW_TO_GET.search(said)) is asks
