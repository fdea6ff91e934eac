"""Policy questions ("小微企业有哪些优惠政策"): the portal's policies that fit, with sources."""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import reply_for, send
from actions.context import knowledge
from actions.policy_match import asks_why, explain_why, start_matching, wants_matching
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from policies.book import searchable_policies
from policies.model import PolicyRecord
from retrieval.policies import PolicySearcher
from retrieval.search import Filters

log = logging.getLogger(__name__)
_built: tuple[str, PolicySearcher] | None = None  # (the portal's listing it was built from, the search)


def policy_searcher(listing: list[dict[str, Any]] | None = None) -> PolicySearcher:
    """The catalogue's policies and the policy central kitchen's (policies/), with those in
    the portal's `listing` (`GET /policies?all=1`: its file and what staff published), in
    one search; built again only when the listing changed."""
    global _built
    version = json.dumps(listing or [], sort_keys=True, ensure_ascii=False)
    if _built is None or _built[0] != version:
        searcher, catalogue = knowledge()
        policies = searchable_policies(catalogue.policies.values(), published=published_records(listing or []))
        _built = (version, PolicySearcher(policies, searcher.index.embedders, searcher.index.lexicon))
    return _built[1]


def published_records(listing: list[dict[str, Any]]) -> list[PolicyRecord]:
    try:
        return [PolicyRecord.model_validate({k: v for k, v in p.items() if k != "in_force"}) for p in listing]
    except (ValidationError, AttributeError) as exc:
        log.warning("portal policies unreadable (%s): searching the file's", exc)
        return []


async def portal_listing() -> list[dict[str, Any]]:
    """The portal's policies now; none when the portal is away — the file's are searched then."""
    try:
        listing = (await PortalClient.from_settings().call("GET", "/policies", params={"all": "1"}))["policies"]
    except (PortalUnavailable, PortalRejected, KeyError, TypeError) as exc:
        log.warning("portal policies unavailable (%s): searching the file's", exc)
        return []
    return listing if isinstance(listing, list) else []


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if asks_why(text):  # "为什么我不符合": about the last matching
            return await explain_why(dispatcher, tracker)
        if wants_matching(text):  # "我们公司能享受哪些政策": to the policy central kitchen
            return await start_matching(dispatcher, tracker)
        # A question NLU takes for a policy one may be a service one ("听说退役士兵可以报名
        # 读大专"): when the catalogue is sure of an item, that answer comes first.
        searcher, catalogue = knowledge()
        region = tracker.get_slot("region")
        result = searcher.search(text, Filters(region_code=region))
        item_reply, events = reply_for(result, None, catalogue) if result.confident else (None, [])
        if item_reply is not None:
            send(dispatcher, item_reply)
        regions = set(catalogue.gazetteer.chain_codes(region)) if region else None
        hits = policy_searcher(await portal_listing()).search(tracker.latest_message.get("text") or "", regions)
        if not hits:
            if item_reply is None:  # no policy, no sure item: items that may be meant, else say so
                item_reply, events = reply_for(result, None, catalogue)
                send(dispatcher, item_reply or {
                    "text": "暂未找到与您情况相符的政策。可以告诉我更具体的情况（如企业类型、行业、所在城市），或拨打12345咨询。"
                })
            return events
        lines = ["为您找到以下相关政策："]
        for n, hit in enumerate(hits, 1):
            policy = hit.policy
            valid = f"，有效期至{policy.valid_to}" if policy.valid_to else ""
            number = f"，{policy.doc_number}" if policy.doc_number else ""
            lines.append(f"{n}. 《{policy.title}》（{policy.issuer}{number}，{policy.date or '日期未载明'}{valid}）")
            lines.append(f"   支持内容：{policy.benefits}")
            if policy.url:
                lines.append(f"   来源：{policy.url}")
        payload = [{"id": h.policy.id, "title": h.policy.title, "url": h.policy.url, "issuer": h.policy.issuer,
                    "doc_number": h.policy.doc_number} for h in hits]
        dispatcher.utter_message(text="\n".join(lines), json_message={"policies": payload})
        return events
