"""A message that goes back to a service asked about earlier in the conversation.

"刚才那个查公证处的，一般要等多久" after a second service was asked about refers to the first,
not to the topic now under discussion: its words point back (data/dialogue/return_words.txt)
and the earlier service's record holds them better than the current topic's. The earlier
services are those the conversation has been about (`current_item` as it was set), most recent first.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from rasa_sdk import Tracker

from actions.topic import Topic, dialogue_words, thresholds
from catalogue.model import ServiceItem
from catalogue.store import Catalogue
from retrieval.search import CLAUSE_END, Searcher

# How many services back a return may reach: a conversation rarely goes further back than that.
EARLIER_REACH = 5


@lru_cache(maxsize=1)
def return_pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{line})" for line in dialogue_words("return_words.txt")) or "(?!)")


def without_pointer(content: str) -> str:
    """The words without the pointer's own (its groups, else all of it): "刚才查画家那个" leaves 查画家."""

    def blank(found: re.Match[str]) -> str:
        spans = [found.span(g) for g in range(1, (found.re.groups or 0) + 1) if found.span(g)[0] >= 0]
        if not spans:
            return " "
        start = found.start()
        kept = list(found.group(0))
        for a, b in spans:
            kept[a - start : b - start] = [" "] * (b - a)
        return "".join(kept)

    return return_pattern().sub(blank, content)


def pointer_clause(content: str, pointer: re.Match[str]) -> str:
    """The clause the pointer is in, where the service pointed at is named ("回到刚才水稻管理那个，
    我家老人不会上网…": not the clauses telling the user's case)."""
    starts = [end.end() for end in CLAUSE_END.finditer(content, 0, pointer.start())]
    after = CLAUSE_END.search(content, pointer.end())
    return content[starts[-1] if starts else 0 : after.start() if after else len(content)]


def beside_pointer(content: str) -> str:
    """A message that went back to an earlier service, without the pointer's clause: that clause has
    said which service ("回过头再说说交养老保险那个", "刚才那个居住证的，多长时间能办好", where 居住证 alone
    would name 居住证签注 as much); what else the message says is weighed against it as any follow-up's
    words are ("回到刚才那个，小区停车费咋交" still asks of 停车费)."""
    pointer = return_pattern().search(content)
    if pointer is None:
        return content
    clause = pointer_clause(content, pointer)
    at = content.find(clause)
    return content[:at] + content[at + len(clause) :]


def told_of(tracker: Tracker) -> dict[str, str]:
    """What the user said this session about each service, the latest message left out: a return may
    point back in the user's own words rather than the record's ("回到刚才帮论文找资料那个事" after "我在写
    毕业论文，想找找广东这些年水利方面出了哪些科研成果"). A message goes to the service under discussion
    after its turn; one answered with choices, to the service picked next (clicks are no words), or to each
    choice when another service was asked about instead ("…政府协议出让给我们一块地，规划许可证咋申请" offered two
    units, then "先问问人防防护设备…": "说回拿地那个" may point at them)."""
    told: dict[str, list[str]] = {}
    waiting: list[str] = []  # messages whose service is not settled yet
    current, offered, last_offered = None, None, []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started":
            told, waiting, current, offered, last_offered = {}, [], None, None, []
        elif kind == "slot" and event.get("name") == "current_item":
            current = event.get("value")
        elif kind == "slot" and event.get("name") == "offered_items":
            offered = event.get("value")
            last_offered = offered or last_offered
        elif kind == "user":
            if waiting and isinstance(current, str) and not offered:
                # Choices left for another service: what was said before went to them, the last message to it.
                if last_offered and current not in last_offered:
                    for code in last_offered:
                        told.setdefault(code, []).extend(waiting[:-1])
                    waiting = waiting[-1:]
                told.setdefault(current, []).extend(waiting)
                waiting, last_offered = [], []
            text = event.get("text") or ""
            waiting.append("" if text.startswith("/") else text)
    return {code: " ".join(texts) for code, texts in told.items()}


def told_share(searcher: Searcher, said: str, told: str) -> float:
    """The IDF-weighted share of the pointer's words in what the user told of a service, a word of one
    character counting inside a longer one told ("回到捐画的事" after "…几幅作品捐给省美术馆": 捐 of 捐给, 画 of
    画家), as people shorten what they said themselves."""
    return searcher.coverage_of(said, told, cache=False, inside_words=True)


def earlier_topics(tracker: Tracker, current: str | None) -> list[str]:
    """The services this session was about before the current one, most recent first, less those
    the user rejected; and the choices offered, when none was taken ("规划许可证咋申请" offered two units, then
    another service was asked about: "说回拿地那个，空港经济区管委会的窗口在哪" may point at them). Each topic
    set or list offered is one step back."""
    left_out = {current, *(tracker.get_slot("rejected_items") or ())}
    seen: list[str] = []
    steps = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "slot" or event.get("name") not in ("current_item", "offered_items"):
            continue
        value = event.get("value")
        codes = [code for code in (value if isinstance(value, list) else [value]) if isinstance(code, str) and code not in left_out and code not in seen]
        if codes:
            seen.extend(codes)
            steps += 1
            if steps == EARLIER_REACH:
                break
    return seen


def returned_to(searcher: Searcher, catalogue: Catalogue, tracker: Tracker, topic: Topic, content: str) -> Topic:
    """The topic the message refers to: an earlier service it points back at (`return_pattern`),
    else the current topic. Of the earlier services, the one whose record holds the most of the
    pointer's clause (the fact's cue and the pointer's own words left out), if it holds as much as
    a follow-up's words are held by their topic (`Thresholds.about_topic`) and more than the current
    topic's does ("刚才那个查公证处的" after 留学申请资格评估); "刚才那个要多久" names nothing, and
    "之前那个窗口说要复印件" names the current topic's window, not another service: both stay."""
    pointer = return_pattern().search(content)
    if pointer is None:
        return topic
    # The clause as it is ("回头说那个卡": 卡), or its known words ("补执照的事儿": 营业执照), the more held.
    said = without_pointer(pointer_clause(content, pointer))
    # (A word of doing may be all that is known, and it counts: "刚才查画家那个", 画家 unknown, points at
    # the lookup, 艺术家查询.)
    known = " ".join(searcher.known_words(said))

    told = told_of(tracker)

    def share(entry: ServiceItem) -> tuple[float, float]:  # (no words: 0)
        """How much of the clause the record (or what the user told of it) holds; then, to tell a tie,
        how much its name or what the user told of it holds: "还是说回规划那个证" on 建筑工程施工许可证核发,
        whose record asks for the 规划许可证 as a paper, points at 建设工程规划许可证核发, which it names."""
        told_words = told_share(searcher, said, " ".join(told.get(unit.code, "") for unit in catalogue.implementations(entry)))
        named = max(searcher.coverage_of(said, entry.name), told_words)
        return max(searcher.coverage(said, entry), searcher.coverage(known, entry), told_words), named

    # The current service's other units (the general one clicked, then the county's) are no earlier
    # service, and what was said of any unit was said of its service; an earlier service is its latest unit.
    current = catalogue.entry(topic.code)
    same = {i.code: i for i in catalogue.implementations(current)} if current else {}
    now = max(map(share, same.values()), default=(0.0, 0.0))
    latest_units: dict[tuple[str, str], ServiceItem] = {}
    for code in earlier_topics(tracker, topic.code):
        if code not in same and (entry := catalogue.entry(code)) is not None:
            latest_units.setdefault(entry.service_key, entry)
    shares = {entry.code: share(entry) for entry in latest_units.values()}
    best = max(shares, key=shares.get, default=None)  # (the most recent on a tie)
    if best is None or shares[best][0] < thresholds().about_topic or shares[best] <= now:
        return topic
    # Of a theme, the part the words point at, if one holds them ("还是说回刚才那个消防检查" after 开办餐饮店;
    # "医保接续这个，一般几天能办妥" after 军人退役“一件事”, whose record holds the words as well): the part, or
    # the current service itself.
    theme = catalogue.themes.get(best)
    scored = [(share(part), part) for part in catalogue.theme_items(theme)] if theme else []
    part_share, part = max(scored, key=lambda pair: pair[0], default=((0.0, 0.0), None))  # (each part's share once)
    if part is not None and part_share[0] >= thresholds().about_topic:
        if current is not None and part.service_key == current.service_key:
            return topic
        best = part.code
    return replace(topic, code=best, offered=())  # (choices standing are left with the topic left)
