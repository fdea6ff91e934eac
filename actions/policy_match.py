"""Policy matching in conversation: "我们公司能享受哪些政策", "我刚毕业在济南找工作，有什么补贴".

The bot starts from the profile it has (the portal's 一企一档/一人一档, when a credit code
or ID number was given) and the facts the message volunteers, asks only the missing fact
that decides the most policies, one at a time and at most five (`policy_form`), then lists
the eligible policies with benefit, 免申即享 and citation, says what near misses lack, and
explains "为什么我不符合". Matching runs on the portal (POST /policies/match, which also
knows policies staff published); if the portal is away, on the sample file in-process.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import knowledge, vault
from actions.forms.interruptions import QUESTION_WORDS, UNANSWERED, question_in_form
from channels.privacy import masked_numbers
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from policies.advice import BadProfile, advise, parse_profile
from policies.answers import read_answer, read_mentions
from policies.book import load_book

log = logging.getLogger(__name__)
MAX_QUESTIONS = 5
FIRST_PERSON = re.compile(r"我|咱|本公司|本单位|本企业")
POLICY_WORDS = re.compile(r"政策|补贴|补助|扶持|优惠|奖励|奖补|贴息|享受|申领|能领|可以领")
WHY = re.compile(r"为什么|为啥|怎么就|凭什么|原因")
# How to apply for a thing the message names ("听说有张人才卡能享受各种待遇，怎么申请"), asking
# not which: a service question, not one about which policies the asker fits.
HOW_TO = re.compile(r"(怎么|怎样|如何|咋)(申请|申领|办理|领|弄|报)|去哪(里|儿)?(申请|办理|领)")
WHICH = re.compile(r"哪些|哪种|哪类|什么|啥|有没有|能不能|可不可以|是否")
NOT_FIT = re.compile(r"不符合|不能享受|享受不了|不能申请|申请不了|不行|不够|没资格|不满足")
STOP = re.compile(r"^(取消|不问了|算了|不用了|停|结束)")
UNSUBSCRIBE = re.compile(r"退订|取消|不要|不用|别再|停止|关闭")
ASKS_MEANING = re.compile(r"什么(算|是|叫)|怎么(算|界定|认定)|什么意思|指什么|指的是|包括哪些|哪些算|算不算")
# Question words in statements: "没什么失信记录", "刚成立没多久", "什么都没有".
STATED = re.compile(r"没有?(什么|多久)|什么都|不算什么")
NOT_NOW = {"text": "这个问题我暂时答不上来，可以在匹配完成后再问我，或拨打12345咨询。"}


def wants_matching(text: str) -> bool:
    """"我们公司能享受哪些政策": a question about the asker's own eligibility (not how to
    apply for one thing)."""
    how_to = HOW_TO.search(text) and not WHICH.search(text)
    return bool(FIRST_PERSON.search(text) and POLICY_WORDS.search(text)) and not WHY.search(text) and not how_to


def asks_why(text: str) -> bool:
    return bool(WHY.search(text) and NOT_FIT.search(text))


# --------------------------------------------------------------------------- matching
async def advice_for(facts: dict[str, Any]) -> dict[str, Any]:
    """The portal's advice for these facts; the sample file's, in-process, if it is away."""
    try:
        return await PortalClient.from_settings().call("POST", "/policies/match", {"profile": facts})
    except (PortalUnavailable, PortalRejected) as exc:
        log.info("policy match in-process (portal: %s)", exc)
        return advise(load_book(), parse_profile(facts)).as_dict()


def interview(tracker: Tracker) -> dict[str, Any]:
    return dict(tracker.get_slot("policy_interview") or {"facts": {}, "count": 0, "skipped": []})


def open_questions(advice: dict[str, Any], state: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for q in advice["questions"] if q["fact"] not in state["skipped"]]


async def stored_facts(tracker: Tracker) -> tuple[dict[str, Any], str | None]:
    """The portal profile's facts, when the message holds a (masked) credit code or ID number."""
    text = tracker.latest_message.get("text") or ""
    raw = vault().find(tracker.sender_id, text)
    if not raw:
        return {}, None
    try:
        profile = await PortalClient.from_settings().call("POST", "/profiles/lookup", {"key": raw})
    except (PortalUnavailable, PortalRejected):
        return {}, raw
    return dict(profile["data"].get("facts") or {}), raw


async def start_matching(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Begin: profile + volunteered facts; ask if something decides, else answer at once."""
    _, catalogue = knowledge()
    text = tracker.latest_message.get("text") or ""
    state = interview(tracker) if tracker.get_slot("policy_interview") else {"facts": {}, "count": 0, "skipped": []}
    facts, key = await stored_facts(tracker)
    if facts:
        dispatcher.utter_message(text="已根据您的档案（一企一档/一人一档）为您匹配政策。")
    mentioned = read_mentions(text, catalogue.gazetteer)
    if "region" not in mentioned and tracker.get_slot("region") and not facts.get("region"):
        mentioned["region"] = tracker.get_slot("region")
    state["facts"] = {**state["facts"], **mentioned, **facts}
    state.update(count=0, skipped=[], profile_key=bool(key))
    state.pop("asked", None)
    state.pop("asked_back", None)  # a question asked back in an earlier interview allows none now
    if key:  # kept masked in the slot; the raw number stays in the vault
        state["key_masked"] = next(iter(masked_numbers(text)), None)
    if "kind" not in state["facts"]:
        return [SlotSet("policy_interview", state), SlotSet("policy_answer", None), FollowupAction("policy_form")]
    advice = await advice_for(state["facts"])
    if open_questions(advice, state):
        return [SlotSet("policy_interview", state), SlotSet("policy_answer", None), FollowupAction("policy_form")]
    # Answered at once, inside this action: a followup action would leave Rasa's rules
    # without a next step (and its fallback would undo the turn).
    return await show_results(dispatcher, tracker, state)


class ActionAskPolicyAnswer(Action):
    """The form's question: the missing fact deciding the most policies still open."""

    def name(self) -> str:
        return "action_ask_policy_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        state = interview(tracker)
        if "kind" not in state["facts"]:
            fact, question = "kind", "请问您是以企业、个体工商户、社会组织还是个人身份咨询？"
        else:
            questions = open_questions(await advice_for(state["facts"]), state)
            if not questions:  # nothing left to ask: the validation will finish the form
                return []
            fact, question = questions[0]["fact"], questions[0]["question"]
        state["asked"] = fact
        n = state["count"] + 1
        dispatcher.utter_message(text=f"（{n}/{MAX_QUESTIONS}）{question}可以回答“不知道”跳过。")
        return [SlotSet("policy_interview", state)]


class ValidatePolicyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_policy_form"

    async def validate_policy_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        _, catalogue = knowledge()
        state = interview(tracker)
        text = value if isinstance(value, str) else ""
        fact = state.get("asked")
        if fact is None:  # the form fills its slot from the message that started it: not an answer
            return {"policy_answer": None}
        if STOP.search(text.strip()):
            return {"policy_answer": "done", "policy_interview": state}
        read = read_answer(fact, text, catalogue.gazetteer)
        if asks_back(text, read) and state.get("asked_back") != fact:
            answer_instead(tracker, dispatcher)
            state["asked_back"] = fact  # once: a second one is taken as the answer it is, or skipped
            return {"policy_answer": None, "policy_interview": state}  # the same question again, not counted
        state["count"] += 1
        if read is None:
            dispatcher.utter_message(text="抱歉，没能看懂这个回答，这一项先跳过。")
            state["skipped"].append(fact)
        elif read[0] == "skip":
            state["skipped"].append(fact)
        else:
            state["facts"][read[0]] = read[1]
        try:
            parse_profile(state["facts"])
        except BadProfile:  # an answer the vocabulary cannot hold: forget it rather than fail
            state["facts"].pop(read[0] if read else fact, None)
            state["skipped"].append(fact)
        if state["count"] < MAX_QUESTIONS and ("kind" not in state["facts"] or open_questions(await advice_for(state["facts"]), state)):
            if "kind" in state["skipped"]:
                return {"policy_answer": "done", "policy_interview": state}
            return {"policy_answer": None, "policy_interview": state}
        return {"policy_answer": "done", "policy_interview": state}


def asks_back(text: str, read: tuple[str, Any] | None) -> bool:
    """A question instead of an answer: one asking what the question means, even where its
    words read as an answer ("什么算严重失信" is no 严重失信 record), or one that reads as no
    answer ("什么是高新技术企业？"). "什么都没有" and "济南？" are answers."""
    if read is not None and read[0] == "skip":  # "不知道什么是高新技术企业": cannot say
        return False
    return bool(ASKS_MEANING.search(text)) or (read is None and bool(QUESTION_WORDS.search(STATED.sub("", text))))


def answer_instead(tracker: Tracker, dispatcher: CollectingDispatcher) -> None:
    """The question is answered if the catalogue can, with one item (choices to click would
    be read as the next answer: "2" as two employees), else said to be beyond the interview."""
    reply = question_in_form(tracker)
    sure = reply is not None and reply is not UNANSWERED and not reply.get("buttons")
    dispatcher.utter_message(**(reply if sure else NOT_NOW))
    dispatcher.utter_message(text="我们继续：")


# --------------------------------------------------------------------------- answers
def _cite(p: dict[str, Any]) -> str:
    parts = [p["issuer"], p.get("doc_number"), p.get("source_url")]
    return "，".join(x for x in parts if x) + ("；示例政策" if p.get("sample") else "")


class ActionPolicyResults(Action):
    def name(self) -> str:
        return "action_policy_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await show_results(dispatcher, tracker, interview(tracker))


async def show_results(dispatcher: CollectingDispatcher, tracker: Tracker, state: dict[str, Any]) -> list[EventType]:
    """The eligible policies, what undecided ones need, near misses: at the form's end,
    or at once when nothing needs asking."""
    if "kind" not in state["facts"]:
        dispatcher.utter_message(text="不知道您是企业还是个人，暂时没法匹配政策。可以说“我们公司能享受哪些政策”或“我个人能领哪些补贴”再试。")
        return [SlotSet("policy_answer", None)]
    advice = await advice_for(state["facts"])
    lines: list[str] = []
    if advice["eligible"]:
        lines.append(f"根据您提供的情况，您可以享受以下{len(advice['eligible'])}项政策：")
        for n, p in enumerate(advice["eligible"][:8], 1):
            mode = "【免申即享，无需申请】" if p["application_mode"] == "免申即享" else "【依申请】"
            lines.append(f"{n}. 《{p['title']}》{mode}：{p['benefit']}（{_cite(p)}）")
    else:
        lines.append("根据您提供的情况，暂未找到完全符合的政策。")
    if advice["unknown"]:
        lines.append("还需确认信息才能判断的：")
        for p in advice["unknown"][:3]:
            missing = "、".join(dict.fromkeys(c["reason"] for c in p["conditions"] if c["status"] == "unknown"))
            lines.append(f"· 《{p['title']}》：{missing}")
    if advice["near_misses"]:
        lines.append("差一点符合的：")
        for p in advice["near_misses"][:3]:
            unmet = "；".join(c["reason"] for c in p["conditions"] if c["status"] == "unmet")
            lines.append(f"· 《{p['title']}》：{unmet}")
    lines.append("想了解不符合的原因可以问“为什么我不符合”；发送“订阅政策推送”，有新政策适合您时第一时间通知。")
    dispatcher.utter_message(text="\n".join(lines), json_message={"policies": [
        {"id": p["id"], "title": p["title"], "issuer": p["issuer"], "doc_number": p.get("doc_number"),
         "url": p.get("source_url"), "application_mode": p["application_mode"], "result": p["result"]}
        for p in advice["eligible"]]})
    await remember_facts(tracker, state)
    return [SlotSet("policy_answer", None), SlotSet("policy_interview", state)]


async def remember_facts(tracker: Tracker, state: dict[str, Any]) -> None:
    """What the user told us updates their profile (一企一档/一人一档): the portal's, when a
    credit code or ID number was given, else this conversation's own profile."""
    key = (vault().get(tracker.sender_id, state["key_masked"]) if state.get("key_masked") else None) or f"会话:{tracker.sender_id}"
    kind = "person" if state["facts"].get("kind") == "个人" else "enterprise"
    try:
        await PortalClient.from_settings().call("PUT", "/profiles", {"kind": kind, "key": key, "data": {"facts": state["facts"]}})
    except (PortalUnavailable, PortalRejected) as exc:
        log.info("facts not kept in the profile: %s", exc)


async def explain_why(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """"为什么我不符合": every unmet or undecided condition of the policy named, else of the
    near misses and undecided ones."""
    state = interview(tracker)
    if "kind" not in state["facts"]:
        dispatcher.utter_message(text="还不了解您的情况。先说“我们公司能享受哪些政策”或“我能领哪些补贴”，我帮您逐条核对。")
        return []
    advice = await advice_for(state["facts"])
    text = tracker.latest_message.get("text") or ""
    candidates = advice["near_misses"] + advice["unknown"]
    named = [p for p in candidates if _names(text, p["title"])]
    if not named:
        try:
            everything = (await PortalClient.from_settings().call("POST", "/policies/match", {"profile": state["facts"]}))
        except (PortalUnavailable, PortalRejected):
            everything = advice
        named = [p for p in everything["near_misses"] + everything["unknown"] if _names(text, p["title"])]
    shown = named or candidates[:3]
    if not shown:
        dispatcher.utter_message(text="按您提供的情况，没有只差一两项的政策；可以说出具体政策名称，我逐条说明。")
        return []
    lines = []
    for p in shown:
        reasons = [f"{'✗' if c['status'] == 'unmet' else '？'} {c['reason']}" for c in p["conditions"] if c["status"] != "met"]
        lines.append(f"《{p['title']}》（{_cite(p)}）：\n" + "\n".join(reasons))
    dispatcher.utter_message(text="\n".join(lines))
    return []


def _names(text: str, title: str) -> bool:
    """The message names the policy: a 4-character stretch of its title appears in it."""
    core = re.sub(r"（示例.*?）|关于|实施办法|办法|通知|的", "", title)
    return any(core[i : i + 4] in text for i in range(max(0, len(core) - 3)))


class ActionPolicyPush(Action):
    """"订阅政策推送" / "退订政策推送"."""

    def name(self) -> str:
        return "action_policy_push"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        client = PortalClient.from_settings()
        try:
            if UNSUBSCRIBE.search(text):
                await client.call("POST", "/policy-subscriptions/opt-out", {"sender_id": tracker.sender_id})
                dispatcher.utter_message(text="已退订政策推送，今后不再向您推送新政策。想再订阅时发送“订阅政策推送”。")
                return []
            state = interview(tracker)
            if "kind" not in state["facts"]:
                if tracker.active_loop_name == "policy_form":
                    dispatcher.utter_message(text="请先回答完下面的问题，了解您的情况后再发送“订阅政策推送”即可订阅。")
                else:
                    dispatcher.utter_message(text="订阅前需要先了解您的情况：请说“我们公司能享受哪些政策”或“我能领哪些补贴”。")
                return []
            await remember_facts(tracker, state)
            key = (vault().get(tracker.sender_id, state["key_masked"]) if state.get("key_masked") else None) or f"会话:{tracker.sender_id}"
            await client.call("POST", "/policy-subscriptions", {"key": key, "sender_id": tracker.sender_id,
                                                                "channel": tracker.get_latest_input_channel(), "opted_in": True})
        except (PortalUnavailable, PortalRejected):
            dispatcher.utter_message(text="服务暂时繁忙，订阅没有成功，请稍后再试。")
            return []
        dispatcher.utter_message(text="已订阅政策推送：有适合您的新政策发布时会通知您。随时发送“退订政策推送”即可退订。")
        return []

