"""猜你要办 in conversation: "我还需要办什么", "猜你要办", and the widget's `/ask_suggestions`
when a returning user opens it.

- A known user — this sender submitted applications (the outbox keeps them per sender,
  across sessions), or gave a credit code or ID number in the message — gets the portal's
  suggestions for that profile (`GET /profiles/{id}/suggestions`: next steps after their
  applications from life-event chains, theme services, eligible policies), each with its
  reason. If the portal is away, the same `policies.advice.suggestions` runs here on the
  items this sender applied for.
- Anyone else gets the most asked items: the analytics store's `top_items` measure (the
  store the action server already writes ratings to), for the user's region when it has
  asked items there, kept to the user's target (个人/企业).

Each suggestion is a button whose payload asks about it in words, so it works as a
numbered choice on WeChat too.

A message that names the life event it asks about ("我刚退伍回济宁，要办哪些事" reads like
"我接下来还要办哪些事") is a new service question instead (`life_event_reply`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from sqlalchemy.exc import SQLAlchemyError
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import answer_about, answered, answered_of_the_theme, asks_a_field_of_the_topic, general_reply, reply_for, send, without_rejected
from actions.choices import content_words, theme_asked
from actions.context import knowledge, outbox, user_texts, vault
from actions.replies import sure_of_nothing
from actions.topic import marked_new, thresholds
from channels.privacy import masked_numbers
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from analytics.measures import Filters, measure
from analytics.service_state import analytics_engine
from policies.advice import suggestions
from retrieval.fields import cues_a_field
from retrieval.search import Filters as SearchFilters

log = logging.getLogger(__name__)
LIMIT = 5


def profile_keys(tracker: Tracker) -> list[str]:
    """ID numbers / credit codes this sender is known by: those said in this conversation,
    latest first ("我们公司代码…", then "还需要办什么"), then their applications'."""
    keys: list[str] = []
    masked = [m for text in reversed(user_texts(tracker)) for m in masked_numbers(text)]
    for raw in (vault().get(tracker.sender_id, m) for m in dict.fromkeys(masked)):
        if raw and raw not in keys:
            keys.append(raw)
    for application, _ in reversed(outbox().of_sender(tracker.sender_id)):
        key = (application.get("profile") or {}).get("key")
        if key and key not in keys:
            keys.append(key)
    return keys


def applied_codes(tracker: Tracker) -> list[str]:
    return [a["item_code"] for a, _ in reversed(outbox().of_sender(tracker.sender_id)) if a.get("item_code")]


async def for_known_user(tracker: Tracker) -> list[dict[str, Any]]:
    """The portal's 猜你要办 for this sender's profiles; computed here when the portal is away."""
    client = PortalClient.from_settings()
    found: list[dict[str, Any]] = []
    try:
        for key in profile_keys(tracker):
            try:
                profile = await client.call("POST", "/profiles/lookup", {"key": key})
            except PortalRejected:  # no profile under that number yet
                continue
            found += (await client.call("GET", f"/profiles/{profile['profile_id']}/suggestions"))["suggestions"]
    except (PortalUnavailable, PortalRejected) as exc:
        log.info("suggestions in-process (portal: %s)", exc)
        found = []
    if not found:  # portal away, or applications without a profile: the chains on what was applied for
        _, catalogue = knowledge()
        done = [catalogue.items[c] for c in dict.fromkeys(applied_codes(tracker)) if c in catalogue.items]
        found = suggestions(done, catalogue.items.values(), catalogue.themes.values(), region=tracker.get_slot("region"))
    unique: dict[str, dict[str, Any]] = {}
    for s in found:
        unique.setdefault(s["name"], s)
    return list(unique.values())[:LIMIT]


async def most_asked(tracker: Tracker) -> list[dict[str, Any]]:
    """The most asked items (analytics store), the user's region first, fit for their target."""
    _, catalogue = knowledge()
    code = tracker.get_slot("region")
    places = [r.name for r in catalogue.gazetteer.chain(code)] if code else []  # county, city, province
    target = tracker.get_slot("target") or ""
    top: list[tuple[str, dict[str, Any]]] = []
    try:
        engine = await analytics_engine()
        for place in [*places, ""]:
            top += [(place, row) for row in (await measure(engine, Filters(region=place), top=20))["top_items"]]
            if len({row["code"] for _, row in top}) >= 2 * LIMIT:
                break
    except (SQLAlchemyError, OSError) as exc:  # the store is optional here: no list rather than a failure
        log.warning("most asked items unavailable: %s", exc)
        return []
    out: dict[str, dict[str, Any]] = {}
    for place, row in top:
        item = catalogue.items.get(row["code"])
        if item is None or item.name in out:
            continue
        if (target == "自然人" and not item.for_citizens) or (target and target != "自然人" and not item.for_enterprises):
            continue
        out[item.name] = {"kind": "item", "code": item.code, "name": item.name, "reason": f"{place}近期{row['count']}人次咨询"}
    return list(out.values())[:LIMIT]


def life_event_reply(tracker: Tracker) -> tuple[dict[str, Any] | None, list[EventType]]:
    """The answer to words that ask what a life event needs, when some theme service answers
    them (`theme_asked`: retrieval sure, asked in so many words, the theme's parts among the
    hits): searched where the user is, as a new question whatever was discussed before — the
    theme, or that place's own items when its units offer no theme ("…回济南…" with 济宁's
    theme), or the theme's general facts, said to be such, when they offer nothing sure
    ("…回青岛…"). None for anything else."""
    searcher, catalogue = knowledge()
    text = tracker.latest_message.get("text") or ""
    content = catalogue.gazetteer.without_regions(text)
    if not content.strip() or content.startswith("/"):  # the widget's /ask_suggestions on opening
        return None, []
    rejected = tracker.get_slot("rejected_items") or ()
    anywhere = without_rejected(searcher.search(content, k=10, said=text), catalogue, rejected)
    themes = theme_asked(anywhere, catalogue, searcher)
    if not themes:
        return None, []
    region = catalogue.gazetteer.resolve(text)
    region_code = region.code if region else tracker.get_slot("region")
    where = [SlotSet("region", region.code)] if region else []
    found = without_rejected(searcher.search(content, SearchFilters(region_code=region_code), k=10, said=text), catalogue, rejected) if region_code else anywhere
    reply, events = reply_for(found, None, catalogue)
    if sure_of_nothing(reply):  # nothing sure there
        reply = general_reply(themes[0], None, region_code, catalogue)[0] if region_code else answer_about(themes[0], None, None, catalogue)[0]
        events = [SlotSet("current_item", themes[0].code), SlotSet("offered_items", None)]
    return reply, [*where, *events, SlotSet("last_query", content), SlotSet("last_field", None)]


# Asking what to do, not about one service: "另外，孩子上学还有什么要办的" is for suggestions, though
# retrieval is sure of 生育登记 for its words.
WHAT_TO_DO = re.compile(r"(办|做)(什么|啥|哪些)|(什么|啥|哪些)[^，。？?]{0,4}(要|该|得|需要)[^，。？?]{0,2}(办|做)|推荐")


def asks_anew(tracker: Tracker) -> bool:
    """Whether the message starts a new question about a service retrieval is sure of: "还有个事，
    上次借的书快到期了还没看完，可以续借吗" (NLU: ask_suggestions, from 还有) asks about 图书续借, not
    what others do. Only after a word that starts a new question (data/dialogue/new_topic_markers.txt):
    retrieval is sure of something for "猜你要办" or "常办的事项推荐一下" too."""
    searcher, catalogue = knowledge()
    text = tracker.latest_message.get("text") or ""
    content = catalogue.gazetteer.without_regions(text)
    if not marked_new(text) or WHAT_TO_DO.search(text) or not content_words(searcher, content):
        return False
    return searcher.search(content, k=10, said=text).best is not None


DOING = re.compile(r"办|申请|手续|事项|业务|领|补贴")
# Asking how a thing is done, which no request for suggestions does: "还有，拿到证明后我还得做个
# 学历公证寄给国外的学校，这个怎么办？" (NLU: ask_suggestions, from 还有) asks about 学历公证. Not
# what comes next ("营业执照拿到了，下一步还需要啥手续？", "还有什么别的事项需要办理吗？怎么办理？").
# ("一次性的补助金，这个咋领", "还有开票的事，数电发票的额度怎么确定", NLU: ask_suggestions)
ASKS_HOW = re.compile(r"(怎么|咋|如何|怎样|点样)(办|申请|领|申领|弄|确定|核定|认定|计算|算|开|交|缴|查|操作|调整|变更|登记)")
WHAT_NEXT = re.compile(r"下一步|接下来|然后")
# What else there is to do or get, or what others do ("还有啥能领的补贴，咋领", "大家一般都咋弄的"): a
# request for suggestions however it asks how.
WHAT_ELSE = re.compile(r"还有(啥|什么|别的|哪些)|(啥|什么|哪些)[^，。？?]{0,4}(要|该|得|需要|能|可以)[^，。？?]{0,2}(弄|领|申领)|(办|弄|领|申领)[些点]?(啥|什么|哪些)|(大家|别人|人家|其他人)[^，。？?]{0,6}(咋|怎么)")


def asks_of_another_world(tracker: Tracker) -> bool:
    """Whether a request for suggestions is for something the catalogue's world does not hold,
    in as many words it never uses as make a follow-up leave the topic (actions/topic.py): "他还
    一直问我广州哪里的早茶最正宗，有推荐吗" (早茶, 正宗) is no request for what others apply for."""
    searcher, catalogue = knowledge()
    text = tracker.latest_message.get("text") or ""
    if DOING.search(text):  # "家里老人瘫痪在床好几年了，有什么可以申请的推荐下" asks what to apply for
        return False
    _, unknown = searcher.word_profile(catalogue.gazetteer.without_regions(text))
    return unknown >= thresholds().unknown


def entry_code(s: dict[str, Any]) -> str | None:
    """The catalogue entry of an item or theme suggestion (policies are none)."""
    return s.get("code") if s["kind"] == "item" else s.get("id") if s["kind"] == "theme" else None


def buttons_for(shown: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[str]]:
    """A button per suggestion and the entries offered: items and themes are picked like any
    offered choice (`/choose_option`, the `offered_items` slot), so the answer is about that
    very entry; a policy button asks about it in words."""
    buttons, offered = [], []
    for s in shown:
        code = entry_code(s)
        if code:
            offered.append(code)
            buttons.append({"title": s["name"], "payload": f'/choose_option{{"ordinal":"{len(offered)}"}}'})
        else:
            buttons.append({"title": s["name"], "payload": f"《{s['name']}》这个政策怎么申请"})
    return buttons, offered


class ActionSuggest(Action):
    def name(self) -> str:
        return "action_suggest"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reply, events = life_event_reply(tracker)
        if reply is not None:
            send(dispatcher, reply)
            return events
        # A question about a service, or a fact of the one under discussion ("都得交点啥"), read as a
        # request for suggestions.
        said = tracker.latest_message.get("text") or ""
        if (theme_events := answered_of_the_theme(dispatcher, tracker)) is not None:
            return theme_events
        asks_how = bool(ASKS_HOW.search(said)) and not WHAT_TO_DO.search(said) and not WHAT_NEXT.search(said) and not WHAT_ELSE.search(said)
        # (Choices standing, a fact of theirs: "申请表之外还要附上哪些文件" asks which one's, not what others do.)
        of_the_choices = bool(tracker.get_slot("offered_items")) and cues_a_field(said)
        if asks_how or asks_anew(tracker) or asks_a_field_of_the_topic(tracker) or of_the_choices or asks_of_another_world(tracker):
            return answered(dispatcher, tracker)
        known = await for_known_user(tracker) if profile_keys(tracker) or applied_codes(tracker) else []
        if known:
            lines = ["【猜你要办】"]
            for n, s in enumerate(known, 1):  # one reason over the suggestions it leads to
                if n == 1 or s["reason"] != known[n - 2]["reason"]:
                    lines.append(s["reason"] + "：")
                lines.append(f"{n}. {s['name']}")
            shown, kind = known, "personal"
        else:
            shown, kind = await most_asked(tracker), "most_asked"
            if not shown:
                dispatcher.utter_message(text="暂时还没有为您推荐的事项。告诉我您想办什么事，例如“孩子出生要办哪些手续”，我来帮您查。")
                return []
            lines = ["【大家都在办】近期咨询最多的事项："] + [f"{n}. {s['name']}（{s['reason']}）" for n, s in enumerate(shown, 1)]
        lines.append("点击想了解的事项，或直接告诉我您要办什么。")
        buttons, offered = buttons_for(shown)
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons, json_message={"suggestions": {"kind": kind, "items": shown}})
        # a pick is answered about the entry as a whole, not the field asked last
        return [SlotSet("offered_items", offered or None), SlotSet("last_field", None)]
