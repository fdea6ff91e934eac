"""Guided applications: one Rasa form (`application_form`) whose questions depend on what
is applied for (data/forms.yml), a summary and confirmation, then submission through the
portal client's outbox.

Personal numbers never enter slots raw: the channel masked them and put the raw values
in the vault; slots hold the masked form, submission takes the raw ones back.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import knowledge, latest_said, outbox, vault
from actions.forms.interruptions import question_in_form
from actions.forms.specs import (
    check_answer, form_slots, identity_slot, kind_for, label, profile_field, profile_kind, sensitive, shown, slot_value, spec_of,
    validator_for,
)
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable, keep_delivering, submit_or_queue
from actions import workorder, workorder_filing
from actions.answer import ActionAnswer, answer_if_sure, apply_tokens, asks_a_field_of_the_topic, confident_reply, names_other_than, offered_at, outnamed, parse_ordinal, region_said, send
from actions.choices import content_words, pick_in_words
from actions.replies import (
    choices_gone_message,
    item_message,
    no_match_message,
    theme_steps_message,
    what_to_apply_message,
    which_to_apply_message,
)
from catalogue.model import ServiceItem
from retrieval.fields import ASKS_HOW_TO_DO, QUESTION, detect_field
from retrieval.search import Filters, clauses_of


# The user asking for the application itself ("帮我申请一下，需要本人到场吗", "我现在就想网上申请，可以吗").
WANTS_TO_APPLY = re.compile(r"[帮给替]我|我(就|现在|今天)?(就)?(想|要)")
# ...in words NLU may not read as applying: the bot asked to hand it in or do it now, for the user or
# someone else ("你现在就帮俺把申请递上去", "先帮他把补照的申请办了", "那就现在给她续上", "这就开始弄", "你这就把
# 补执照的手续给俺在网上走起来", "先把这个一链办的申请替我提交上去", "那帮我在网上申请换张新卡吧").
FOR_SOMEONE = r"(帮|替|给)(我|俺|咱|他|她)(们|妈|爸|爹|娘|闺女|儿子|媳妇|老婆|老公|孩子)?(一块儿?|一起|一并|都)?"  # (all together: "帮俺一块申请了吧")
ONLINE = r"(在?(网上|线上|手机上)|在线)?"
HANDED_IN = r"(递上去|交上去|提交(上去)?|报上(去|(?![来名]))|走起来|弄起来|办起来|开起来|申请起来|搞起来|整起来|填起来|办了|办上|弄上|填上|整上|申请了|申请上|补上|续上)(?![了的])"  # (not "申请了的那个")
BOT_ASKED_TO_APPLY = re.compile(
    rf"{FOR_SOMEONE}{ONLINE}(把|将)[^，,。？?！!]{{0,12}}?{ONLINE}{HANDED_IN}"
    rf"|(把|将)[^，,。？?！!]{{1,12}}?{FOR_SOMEONE}{ONLINE}{HANDED_IN}"
    # ...or for no one named, when it ends the clause as a request ("那就把新生儿这几样一块申请了吧")
    rf"|(把|将)[^，,。？?！!]{{1,12}}?{ONLINE}{HANDED_IN}(吧|呗)$"
    rf"|{FOR_SOMEONE}{ONLINE}(申请|申领|办理?|报个?名)(?P<what>[^，,。？?！!吗么呢]{{0,6}})(吧|呗)$"
    rf"|(现在|这就|马上|立马)就?({FOR_SOMEONE})?(开始)?(办|弄|申请|续|补)上?(吧|啊|呀)?(?=[，,。！!\s]|$)"
    # the application or its 手续 got going, in Shandong words ("帮俺把手续整起来")
    rf"|{FOR_SOMEONE}{ONLINE}(把|将)(这个|那个)?(申请|手续)给?(搞|整)起来"
    # handed in, the thing left unsaid ("给我报上去", "帮俺报上吧")
    rf"|{FOR_SOMEONE}{ONLINE}(递上去|交上去|提交上去|报上去?)(吧|呗|啊|呀)?$"
    # its form begun ("那就开始填开办劳务公司的申请", "这就开始在线填新生儿出生的申请表")
    rf"|(开始|这就|现在就)({FOR_SOMEONE})?{ONLINE}填(写)?[^，,。？?！!]{{0,12}}?(申请表?|表格?)(吧|呗|啊|呀)?$"
    # its procedure gone through ("你直接帮俺走补办的申请", "帮我走一下续签的流程")
    rf"|{FOR_SOMEONE}{ONLINE}走(一?下|个)?[^，,。？?！!]{{0,6}}(申请|手续|流程)(吧|呗|啊|呀)?$"
)
# ...said to the bot: only such words before it in its clause ("那你先帮他…", "那俺现在就办", "你直接帮俺…", "顺道帮她…"; not
# "社区说帮我把申请递上去", reported, nor "你别现在就给我申请", refused), after what it is about, if named ("社保卡那个你直接帮俺…").
TO_THE_BOT = re.compile(r"(?:[^，,。？?！!]{1,8}?[那这]个)?(?:[那就你您我俺咱们先麻烦请现在马上立马赶紧快点这再好行中嗯吧啊呀哈直接干脆也]|这会儿|待会儿|要不|不然|顺道|顺便|顺手|一并"
                        r"|[在搁](这儿?|这里|这边|此))*")  # (here: "就在这儿帮俺…")
# ...and neither asked nor weighed against another time or place ("现在办，还是等过完年再办"; not "还是说回刚才…", nor
# a place kept: "还是按章丘来，帮俺把签注申请弄上吧", "中，还是搁钢城办，你直接帮俺把申请填上").
# (nor whether it was done: "你帮我把证办了没", "…交上去未")
NOT_APPLYING = re.compile(r"还是(?!说回|回到刚才|说到|按|搁)|[吗么呢没未咩？?]有?\s*$|了不\s*$")
# ...nor taken back or given up in its clause ("帮我申请的事算了吧"; not "算了不说了，你现在就给俺申请吧").
GIVEN_UP = re.compile(r"取消|撤销|撤回|算了|没用|不了")


def asks_to_apply(text: str) -> bool:
    """Whether the words ask the bot to apply now (`BOT_ASKED_TO_APPLY`), said to it (`TO_THE_BOT`), and
    neither ask nor cue a fact elsewhere ("我朋友帮我把材料交上去了，多久有结果" asks the time; the 手续 of
    "帮俺把申领手续递上去" is what is handed in)."""
    if NOT_APPLYING.search(text):
        return False
    for clause in clauses_of(text):
        found = BOT_ASKED_TO_APPLY.search(clause)
        if found and TO_THE_BOT.fullmatch(clause[: found.start()]) and not GIVEN_UP.search(clause):
            # (what is applied for is read too: "帮我申请要收费吧" asks the fee)
            return detect_field(text.replace(found.group(0), "，" + (found.group("what") or ""))) is None
    return False


async def applied_if_asked(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType] | None:
    """Applying asked for in words NLU did not read so ("那就补，你现在就帮俺把申请递上去", nlu_fallback; "你直接帮俺
    走补办的申请", complain; "…你直接替俺闺女把这一套申请开起来", ask_progress): what is under discussion is
    applied for, as "我现在就申请" would. None when the words ask no such thing."""
    said = latest_said(tracker)
    if not (tracker.get_slot("current_item") and asks_to_apply(said)):
        return None
    named = named_instead(tracker, said)
    if named is not None:  # ("…营业职照也泡烂了，你直接帮俺走补办的申请" on 发票领用)
        events = [SlotSet("current_item", named.code), SlotSet("offered_items", None), *begin_application(dispatcher, named)]
    else:
        events = await ActionStartApplication().run(dispatcher, tracker, domain)
    # Where it is applied for, if the words say ("中，还是搁钢城办，你直接帮俺把申请填上" after 栖霞 was asked about):
    # the form's questions about the service are answered there.
    region = region_said(knowledge()[1].gazetteer, said)
    events = ([SlotSet("region", region.code)] if region else []) + events
    started = any(e.get("name") == "application_kind" for e in events)  # (else it answered, or asked which)
    return events + [FollowupAction("application_form")] if started else events


def named_instead(tracker: Tracker, said: str) -> ServiceItem | None:
    """The service the words name rather than the one under discussion: search is sure of it and the
    topic's record holds none of the words ("俺娘的社报卡也找不着了，顺道帮她把卡补上" on a disability
    allowance; not "把签注给俺报上" on 居住证签注, where search is surer of 往来港澳通行证及签注签发), or they name
    it rather than the topic ("社保卡那个你直接帮俺申请了吧" on 人才引进落户, whose materials mention a card)."""
    searcher, catalogue = knowledge()
    topic = catalogue.entry(tracker.get_slot("current_item"))
    best = searcher.search(said, Filters(region_code=tracker.get_slot("region"))).best
    if (best is None or kind_for(best.item) is None) and tracker.get_slot("region"):
        # Nothing with a guided application sure in the region: the words weighed against the whole catalogue
        # ("那就开始填开办劳务公司的申请" in 泗水, where no unit implements that theme, whose form applies there too).
        anywhere = searcher.search(said, Filters()).best
        best = anywhere if anywhere is not None and kind_for(anywhere.item) is not None else best
    if topic is None or best is None or best.item.service_key == topic.service_key:
        return None
    return best.item if searcher.coverage(said, topic) == 0 or names_other_than(searcher, said, best.item, topic) else None


class ActionStartApplication(Action):
    def name(self) -> str:
        return "action_start_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        _, catalogue = knowledge()
        item = catalogue.entry(tracker.get_slot("current_item"))
        events: list[EventType] = []
        clicked = any(tracker.get_latest_entity_values("ordinal"))  # a choice of which_to_apply_message, maybe an old one
        said = latest_said(tracker)
        if item is not None and not clicked and not WANTS_TO_APPLY.search(said) and asks_a_field_of_the_topic(tracker) and QUESTION.search(said):
            # A question about the service, not a request to apply: "她下个月就要过去报到，现在办来得及吗"
            # (start_application 0.54) asks the time limit, when that answer names it surely; "那我现在
            # 就申请" cues no field, and "帮我申请吧，大概多久能好？" asks to apply first.
            answered_events = answer_if_sure(dispatcher, tracker)
            if answered_events is not None:
                return answered_events
        named = named_instead(tracker, said) if item is not None and not clicked else None
        if named is not None:  # ("社保卡那个你就直接帮我申请了吧" on 人才引进落户, NLU: start_application)
            item, events = named, [SlotSet("current_item", named.code), SlotSet("offered_items", None)]
        if item is None or clicked:
            item, events, reply = what_to_apply_for(tracker)
            if item is None:  # asked which, or answered what the words name: no form now (nor a paused one's next question)
                send(dispatcher, reply)
                return events + [FollowupAction("action_listen")]
        return events + begin_application(dispatcher, item)


def begin_application(dispatcher: CollectingDispatcher, item: ServiceItem) -> list[EventType]:
    """The item's guided form started, or, when it has none, where it is applied for."""
    catalogue = knowledge()[1]
    kind = kind_for(item)
    if kind is None:  # no guided form for it: say where it is applied for
        theme = catalogue.themes.get(item.code)
        send(dispatcher, theme_steps_message(theme) if theme else item_message(item, "online"))
        return [FollowupAction("action_listen")]
    spec = spec_of(kind)
    theme = catalogue.themes.get(item.code)
    if theme:  # a theme service applies for its covered item that the form names
        covered = catalogue.theme_items(theme)
        item = next((i for i in covered if i.name in spec["items"]), covered[0] if covered else item)
    dispatcher.utter_message(
        text=f"好的，开始为您在线办理【{spec['title']}】，最多需要回答{len(spec['slots'])}个问题（您的档案里有的会自动填好）。"
        "填错了可以说“刚才电话填错了”，想先暂停可以说“稍后再办”，随时可以说“取消申请”。"
    )
    return [SlotSet("application_kind", kind), SlotSet("application_item", item.code)]


def what_to_apply_for(tracker: Tracker) -> tuple[ServiceItem | None, list[EventType], dict[str, Any]]:
    """With nothing under discussion, what "我现在就申请…" applies for: one of the choices
    standing that its words name ("那我现在就申请居住证签注"), else those choices again
    ("我现在就申请" is no search for 申请); a service its words name beyond them is answered,
    to be confirmed; no words at all ask what. Returns the item, or None with the reply."""
    searcher, catalogue = knowledge()
    text = catalogue.gazetteer.without_regions(tracker.latest_message.get("text") or "")
    names_something = bool(content_words(searcher, text) - apply_tokens(searcher))
    offered = tuple(c for c in tracker.get_slot("offered_items") or () if catalogue.entry(c))
    number = parse_ordinal(list(tracker.get_latest_entity_values("ordinal")), "")
    if number is not None:  # a choice clicked (or on WeChat, its number typed)
        picked = offered_at(offered, number)
        if picked is None:
            return None, [], choices_gone_message()  # an old message's button: which was meant is gone
        return catalogue.entry(picked), [SlotSet("current_item", picked), SlotSet("offered_items", None)], {}
    if offered and names_something:
        probe = searcher.search(text, Filters(region_code=tracker.get_slot("region")))
        picked = pick_in_words(searcher, text, offered)
        if picked and not outnamed(searcher, text, probe, catalogue.entry(picked), offered):
            return catalogue.entry(picked), [SlotSet("current_item", picked), SlotSet("offered_items", None)], {}
        offered_services = {catalogue.entry(c).service_key for c in offered}
        if probe.best is None or probe.best.item.service_key in offered_services:
            names_something = False  # words naming no service apart from the choices
    if offered and not names_something:
        return None, [], which_to_apply_message([catalogue.entry(c) for c in offered])
    if not names_something:
        return None, [], what_to_apply_message()
    reply, events = confident_reply(tracker)
    if reply is None:
        return None, [], no_match_message()
    reply = {**reply, "text": reply.get("text", "") + "\n\n确认是这个事项的话，说“我要申请”即可开始办理。"}
    return None, events, reply


class ValidateApplicationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_application_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[str]:
        spec = spec_of(tracker.get_slot("application_kind"))
        return list(spec["slots"]) if spec else []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)  # leaves the validated slots on `tracker`
        kind = tracker.get_slot("application_kind") or ""
        spec = spec_of(kind)
        answered = sum(tracker.get_slot(slot) is not None for slot in spec["slots"]) if spec else 0
        if spec and answered < len(spec["slots"]):  # before the next question: how far along (widget progress bar)
            progress = {"kind": kind, "title": spec["title"], "answered": answered, "total": len(spec["slots"])}
            dispatcher.utter_message(json_message={"form": progress})
        return events


def _make_slot_validator(slot: str):
    async def validate_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = question_in_form(tracker, facts=True)
        if answer is not None:  # a question, not an answer: reply, then ask again
            dispatcher.utter_message(**answer)
            dispatcher.utter_message(text="我们继续填写申请：")
            return {slot: None}
        checked, problem = check_answer(tracker.sender_id, slot, value if isinstance(value, str) else "")
        if problem:
            dispatcher.utter_message(text=problem)
            return {slot: None}
        filled = {slot: shown(slot, checked)}
        spec = spec_of(tracker.get_slot("application_kind"))
        if spec and slot == identity_slot(spec):
            unanswered = [s for s in spec["slots"] if s != slot and not tracker.get_slot(s)]
            filled.update(await prefill(tracker.sender_id, unanswered, slot, checked, dispatcher))
        return filled

    return validate_slot


for _slot in form_slots():
    setattr(ValidateApplicationForm, f"validate_{_slot}", _make_slot_validator(_slot))


async def prefill(sender_id: str, slots: list[str], identity: str, key: str, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """Answers to `slots` that the applicant's profile holds (一人一档/一企一档), so they are not asked."""
    try:
        profile = (await PortalClient.from_settings().call("POST", "/profiles/lookup", {"key": key}))["data"]
    except (PortalUnavailable, PortalRejected):  # no profile yet, or the portal is away: just ask
        return {}
    filled: dict[str, Any] = {}
    for slot in slots:
        value = profile.get(profile_field(slot, identity) or "")
        if isinstance(value, str) and value and not validator_for(slot)(value)[1]:
            filled[slot] = slot_value(sender_id, slot, value)
    if filled:
        dispatcher.utter_message(
            text="已从您的档案中自动填好：" + "、".join(f"{label(s)}（{v}）" for s, v in filled.items())
            + "。如有变化，可以说“" + label(next(iter(filled))) + "填错了”。"
        )
    return filled


def answers(tracker: Tracker, spec: dict[str, Any]) -> dict[str, str]:
    return {slot: tracker.get_slot(slot) for slot in spec["slots"]}


def raw_answers(tracker: Tracker, spec: dict[str, Any]) -> dict[str, str]:
    """The answers with personal numbers taken back from the vault."""
    return {slot: (vault().get(tracker.sender_id, v) or v) if sensitive(slot) and v else v for slot, v in answers(tracker, spec).items()}


def applicant_of(spec: dict[str, Any], raw: dict[str, str]) -> dict[str, str | None]:
    """Who applies: the person the form's identity question named, else the contact."""
    identity = identity_slot(spec) or ""
    role = identity.removesuffix("_id_number") if identity.endswith("_id_number") else "applicant"
    return {
        "name": raw.get(f"{role}_name") or raw.get("applicant_name"),
        "id_number": raw.get(f"{role}_id_number"),
        "phone": raw.get(f"{role}_phone") or raw.get("applicant_phone"),
    }


def profile_of(spec: dict[str, Any], raw: dict[str, str]) -> dict[str, Any] | None:
    """What this application teaches the applicant's profile."""
    identity = identity_slot(spec)
    if identity is None or not raw.get(identity):
        return None
    data = {field: raw[slot] for slot in spec["slots"] if raw.get(slot) and (field := profile_field(slot, identity))}
    return {"kind": profile_kind(identity), "key": raw[identity], "data": data}


class ActionConfirmApplication(Action):
    def name(self) -> str:
        return "action_confirm_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spec = spec_of(tracker.get_slot("application_kind"))
        if spec is None:
            return []
        lines = [f"请核对【{spec['title']}】申请信息："]
        lines += [f"{label(slot)}：{value}" for slot, value in answers(tracker, spec).items()]
        if spec.get("fields"):
            lines.append(f"确认后将一次生成{len(spec['fields'])}项填报信息，同时提交给相关部门。")
        buttons = [
            {"title": "确认提交", "payload": "/confirm_submission"},
            {"title": "取消申请", "payload": "/cancel_application"},
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []


def reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*form_slots(), "application_kind", "application_item", "requested_slot")]


class ActionSubmitApplication(Action):
    def name(self) -> str:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        spec = spec_of(tracker.get_slot("application_kind"))
        if spec is None and workorder.ready(tracker):  # a summarised 12345 work order
            return await workorder_filing.submit(dispatcher, tracker)
        if spec is None:
            dispatcher.utter_message(text="当前没有待提交的申请。")
            return []
        raw = raw_answers(tracker, spec)
        fields = raw
        if spec.get("fields"):  # a merged theme: the portal's fields from the few answers
            fields = {name: source[1:] if source.startswith("=") else raw[source] for name, source in spec["fields"].items()}
        item_code = tracker.get_slot("application_item")
        digest = hashlib.sha256(json.dumps([tracker.sender_id, item_code, fields], ensure_ascii=False, sort_keys=True).encode())
        application = {
            "idempotency_key": digest.hexdigest()[:40],  # same answers, same application
            "item_code": item_code,
            "applicant": applicant_of(spec, raw),
            "fields": fields,
            "channel": tracker.get_latest_input_channel(),
            "sender_id": tracker.sender_id,
            "profile": profile_of(spec, raw),
        }
        client = PortalClient.from_settings()
        result = await submit_or_queue(client, outbox(), application)
        if result is None:
            keep_delivering(client, outbox())
            dispatcher.utter_message(
                text="政务服务平台暂时连接不上。您的申请已妥善保存，平台恢复后会自动提交，无需重复提交；"
                "稍后问我“我的申请到哪一步了”即可看到受理编号。"
            )
        else:
            dispatcher.utter_message(
                text=f"申请已提交，受理编号：{result['receipt_number']}。可随时问我“我的申请到哪一步了”查询进度。",
                json_message={"application": {"receipt_number": result["receipt_number"], "status": result["status"]}},
            )
        vault().forget(tracker.sender_id)
        return reset()


# Withdrawing an application, however asked ("刚提交的申请想撤回，怎么办理"): a cancel, not a service question.
WITHDRAWING = re.compile(r"撤回|撤销|取消")
# Giving something up in any words ("算了不办了", "不投诉了", "停止申请"); with none of them, and nothing to cancel,
# the message is a question NLU took for a cancel ("俺自己那张卡磨得读不出来了，能换不", from 不).
GIVING_UP = re.compile(rf"{WITHDRAWING.pattern}|算了|停止|不(想|要|用)?(办|申请|弄|登记|反映|投诉|提交|填|要)了|不要了|不用了|不办|不弄")


class ActionCancelApplication(Action):
    def name(self) -> str:
        return "action_cancel_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not (tracker.get_slot("application_kind") or tracker.active_loop.get("name") or workorder.in_progress(tracker)):
            # Nothing to cancel: a question NLU took for "取消" ("…想申请中国绿卡") is answered if it can be;
            # one asking how to get a service done ("孩他爹前年走了…想申请个低饱，咋申请": cancel, from 走了)
            # as any service question, "maybe" items or "not found" included.
            said = latest_said(tracker)
            gives_up = said.startswith("/") or GIVING_UP.search(said)  # (a button's payload: the 取消 of an old message)
            if (ASKS_HOW_TO_DO.search(said) and not WITHDRAWING.search(said)) or not gives_up:
                return await ActionAnswer().run(dispatcher, tracker, domain)
            reply, events = confident_reply(tracker)
            if reply:
                send(dispatcher, reply)
                return events
            dispatcher.utter_message(text="目前没有正在办理的申请或工单，无需取消。您可以直接说要办的事情。")
            return []
        if workorder.in_progress(tracker) and not tracker.get_slot("application_kind"):
            dispatcher.utter_message(text="已取消本次工单登记，填写的信息不会提交。需要时可以随时再说。")
        else:
            dispatcher.utter_message(text="已取消本次申请，填写的信息不会提交。需要时可以随时重新开始。")
        vault().forget(tracker.sender_id)
        return reset() + workorder.reset()
