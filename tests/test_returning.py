"""Which words point back at a service asked about earlier (actions/returning.py)."""

from __future__ import annotations

import re

import pytest

from actions.returning import beside_pointer, earlier_topics, pointer_clause, return_pattern, told_of, told_share, without_pointer


@pytest.mark.parametrize(
    "said, clause",
    [
        ("回到刚才水稻管理那个，我家老人不会上网，窗口在哪", "    水稻管理  "),  # (the clause naming it, not the case told)
        ("回到我爸那个死亡公证，能不能网上先提交", "  我爸  死亡公证"),
        ("回过头再说说交养老保险那个", "   再说说交养老保险  "),
        ("对了，刚才查画家那个，有没有电话", "  查画家  "),
        ("刚才那个查公证处的，要多久", "    查公证处的"),
        ("回头说那个钱，得交啥", " 那个钱"),
        ("头先问嘅公证处喺边", "    公证处喺边"),
        ("我刚刚交了材料，多久能拿到", None),  # (a word of time alone points at nothing)
        ("上一个月交的社保断了", None),
        ("对了，听说回来头一件事得先去报到", None),  # (说回 of 听说回来)
        ("回到家以后要带啥", None),
        ("我回到老家那个村里，要开个证明去哪开", None),  # (back to a place)
        ("回到屋企嗰个楼梯灯坏咗", None),
        ("讲返头先个足球赛，网上睇唔睇到", "  足球赛"),  # (Cantonese: 讲返, 头先个)
        ("讲返嚟你听，我阿妈话要去香港", None),  # (讲返嚟: telling again)
        ("我讲返俾你听，个窗口好恶", None),
        ("头先嗰阵我打过电话", None),  # (a time)
        ("头先个人资料填错咗", None),  # (个人)
        ("窗口叫我返转头问社区", None),  # (sent back)
        ("回到捐画的事，就是说一次都不用去美术馆是吧", "  捐画的事"),  # (back to a matter: session 58)
        ("回到家的事还没说完", None),
        ("返去讲跳舞团嗰个，有冇电话可以问", " 跳舞团嗰个"),  # (Cantonese 返去讲: session 59)
        ("窗口叫我返去问社区", None),
        ("我今晚返去讲俾佢听", None),
        ("返返去细路训练嗰单，查完要等几耐先有回复？", "   细路训练  "),  # (session 60)
        ("返去屋企嗰阵再讲", None),
        ("回到水保方案报批，审下来要多少个工作日", "  水保方案报批"),  # (a matter in a clause of its own)
        ("回到广州以后，社保怎么转", None),  # (when it happened)
        ("拖欠货款要投诉那个，网上就能直接提交对吧", "拖欠货款要投诉  "),  # (the matter named first, then pointed at)
        ("落户那边，去派出所得跑几趟", "落户  "),
        ("水利那家检测公司的事，打哪个电话能问到", "水利那家检测公司  "),
        ("我想问一下，这个证要多久", None),
        ("残疾证那个 就中了吧", "残疾证   就中了吧"),  # (straight before its question, the cue taken out: session 62)
        ("危化品那个许可，寿光这边啥", "危化品  许可"),  # (the kind of thing said after the pointer)
        ("我那个朋友想问问", None),
        ("锅炉登记那头，厂在淄博博山", "锅炉登记  "),  # (那头, 那摊子: session 64)
        ("澡堂那摊子搁济宁曲阜，得够啥条件", "澡堂   搁济宁曲阜"),
        ("那头的人说要带身份证", None),
        ("返返嚟讲稀有金属嗰间研究所嘅机构资料，系咪网上就睇得到", " 稀有金属嗰间研究所嘅机构资料"),  # (Cantonese 返返嚟讲)
        ("窗口叫我返嚟问", None),  # (sent back)
        ("还是说回改地址那个，公司是在青岛胶州登记的，都得交些啥", "还是 改地址那个"),  # (说回 the pointer)
    ],
)
def test_a_pointer_back_and_the_words_naming_what_it_points_at(said, clause) -> None:
    pointer = return_pattern().search(said)
    assert (without_pointer(pointer_clause(said, pointer)) if pointer else None) == clause


class Tracker:
    def __init__(self, events: list[dict], rejected: list[str] = ()) -> None:
        self.events, self.rejected = events, list(rejected)

    def get_slot(self, name: str):
        return self.rejected if name == "rejected_items" else None


def topic_set(code: str | None) -> dict:
    return {"event": "slot", "name": "current_item", "value": code}


def test_the_earlier_topics_are_this_sessions_most_recent_first_less_those_rejected() -> None:
    events = [topic_set("A"), {"event": "session_started"}, topic_set("B"), topic_set("C"), topic_set(None), topic_set("B"), topic_set("D"), topic_set("E")]
    assert earlier_topics(Tracker(events), "E") == ["D", "B", "C"]
    assert earlier_topics(Tracker(events, rejected=["D"]), "E") == ["B", "C"]
    assert re.search(return_pattern(), "之前那个窗口说要复印件")  # (points, but at a window: `returned_to` weighs the words)


def test_the_words_a_record_can_hold_name_what_a_pointer_points_at(sd_searcher) -> None:
    """事儿 no record holds, and 补 stands for 补领, which records write whole: left out, 营业执照 names
    the service pointed at."""
    assert " ".join(sd_searcher.known_words("  补执照的事儿")) == "营业执照"
    assert " ".join(sd_searcher.known_words("   再说说交养老保险  ")) == "基本养老保险"


def test_once_gone_back_the_message_is_weighed_without_the_pointers_clause() -> None:
    assert beside_pointer("回过头再说说交养老保险那个") == ""
    assert beside_pointer("刚才那个居住证的，多长时间能办好") == "，多长时间能办好"
    assert beside_pointer("回到刚才那个，小区停车费咋交") == "，小区停车费咋交"
    assert beside_pointer("补执照要多久") == "补执照要多久"


def said(text: str) -> dict:
    return {"event": "user", "text": text}


def test_what_was_said_of_each_service_is_the_messages_its_turns_settled_on() -> None:
    """A message belongs to the service under discussion after its turn; one answered with choices to
    the one picked next, the click no words; the latest message to none (it is the one weighed)."""
    offered = {"event": "slot", "name": "offered_items", "value": ["B", "C"]}
    cleared = {"event": "slot", "name": "offered_items", "value": None}
    events = [said("写论文想找科研成果"), topic_set("A"), said("网上能查吗"), topic_set("A"),
              said("家门口河边要建工程"), offered, said("/choose_option"), topic_set("B"), cleared,
              said("地址是哪里"), said("回到刚才帮论文找资料那个事")]
    assert told_of(Tracker(events)) == {"A": "写论文想找科研成果 网上能查吗", "B": "家门口河边要建工程  地址是哪里"}


def test_what_was_said_before_choices_left_for_another_service_goes_to_each_choice() -> None:
    """"…协议出让给我们一块地，规划许可证咋申请" offered two units; "先问问人防设备维护…" was asked instead: the first
    message is told of both units (a return may say "拿地那个"), the second of 人防 (session 60)."""
    offered = {"event": "slot", "name": "offered_items", "value": ["B", "C"]}
    cleared = {"event": "slot", "name": "offered_items", "value": None}
    events = [said("政府协议出让给我们一块地"), offered, said("先问问人防设备维护"), topic_set("D"), cleared,
              said("热线给一个"), topic_set("D"), said("说回拿地那个")]
    assert told_of(Tracker(events)) == {"B": "政府协议出让给我们一块地", "C": "政府协议出让给我们一块地", "D": "先问问人防设备维护 热线给一个"}


def test_a_pointers_one_character_words_count_inside_the_words_told(gd_searcher) -> None:
    """"回到捐画的事": 捐 and 画 are read as words of one character, which the user told inside 捐给 and 画家; the
    second service's words hold neither (session 58)."""
    first = "我父亲是画家，想把他的几幅作品捐给省美术馆 我爸本人不方便出门，能在网上办吗"
    second = "顺便问问美术馆的广州三年展有没有专题介绍 三年展专题那边的咨询号码是多少"
    assert told_share(gd_searcher, "  捐画的事", first) == 1.0
    assert told_share(gd_searcher, "  捐画的事", second) == 0.0
    assert told_share(gd_searcher, "", first) == 0.0


def test_choices_offered_and_none_taken_are_earlier_topics_too() -> None:
    """"说回拿地那个…" may point at the two units a question was offered before another service was asked about."""
    offered = {"event": "slot", "name": "offered_items", "value": ["P1", "P2"]}
    events = [topic_set("A"), offered, topic_set(None), topic_set("N")]
    assert earlier_topics(Tracker(events), "N") == ["P1", "P2", "A"]


def test_the_earlier_entry_of_the_service_search_is_sure_of(sd_searcher, sd_catalogue) -> None:
    """A service asked about before and named again without a pointer is gone back to by the entry the
    conversation had for it (actions/answer.py `earlier_found`), not another of search's close hits."""
    from actions.answer import earlier_found
    from actions.topic import Topic

    safety, sewage = "1137000021795589492370126002001", "1137070075738756BG2370113001001"
    found = sd_searcher.search("危险化学品生产企业安全生产许可证")
    assert found.best is not None and found.best.item.code == safety
    tracker = Tracker([topic_set(safety), topic_set(sewage)])
    assert earlier_found(sd_catalogue, tracker, Topic(code=sewage), found) == safety
    assert earlier_found(sd_catalogue, tracker, Topic(code=safety), found) is None  # (the topic itself: no return)
