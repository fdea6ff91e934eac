"""HTTP handlers of the policy central kitchen: list, publish (staff), match, suggestions,
push subscriptions and the pushes the notifier delivers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from catalogue.importers import ImportResult
from policies.advice import BadProfile, advise, parse_profile, suggestions
from policies.book import PolicyBook, load_book, policy_file
from policies.extract import extract
from policies.importer import import_policy_rows
from policies.matcher import ProfileFrame
from policies.model import PolicyRecord, Profile
from portal.policy_store import PolicyDesk, as_json
from portal.store import NotFound
from portal.views import object_field, portal, require, text_field
from ops.http import BadRequest, json_body

def desk(request: web.Request) -> PolicyDesk:
    return request.app["policy_desk"]


async def rebuild_book(app: web.Application) -> PolicyBook:
    """The deployment's file of policies, overlaid by those staff published (same id wins)."""
    records = {p.id: p for p in load_book(policy_file(app["settings"])).policies}
    records.update({p.id: p for p in await app["policy_desk"].published()})
    app["policy_book"] = PolicyBook(list(records.values()), app["settings"])
    return app["policy_book"]


def _date(value: str | None, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} 应为日期（YYYY-MM-DD）。")


async def list_policies(request: web.Request) -> web.Response:
    """Policies in force (?on=DATE, default today); ?all=1 lists expired ones too."""
    book: PolicyBook = request.app["policy_book"]
    on = _date(request.query.get("on"), "on") or dt.date.today()
    shown = book.policies if request.query.get("all") == "1" else book.current(on)
    return web.json_response({"on": on.isoformat(), "total": len(shown),
                              "policies": [as_json(p) | {"in_force": p.in_force(on)} for p in shown]})


async def publish_policies(request: web.Request) -> web.Response:
    """Import one policy or {"policies": [...]}; bad rows are reported, good ones published
    and pushed once to every opted-in profile they fit. A record without conditions gets
    them proposed from its text (marked so for review)."""
    require(request, "staff")
    data = await json_body(request)
    rows = data.get("policies", [data]) if "policies" in data else [data]
    if not isinstance(rows, list) or not rows:
        raise BadRequest("policies 应为非空的政策列表。")
    proposed: list[str] = []

    def with_conditions(number: int, row: Any) -> tuple[int, Any]:
        if isinstance(row, dict) and "conditions" not in row and isinstance(row.get("text"), str):
            row = {**row, "conditions": extract(row["text"], str(row.get("issuer", "")), str(row.get("title", ""))).present()}
            proposed.append(str(row.get("id")))
        return number, row

    result: ImportResult[PolicyRecord] = import_policy_rows(with_conditions(n, r) for n, r in enumerate(rows, 1))
    actor = text_field(data, "actor", required=False, limit=64) or "staff"
    await desk(request).publish(result.records, actor)
    book = await rebuild_book(request.app)
    pushed = await push_to_audience(request.app, book, [r.id for r in result.records])
    return web.json_response({
        "imported": [r.id for r in result.records],
        "conditions_proposed": [i for i in proposed if i in {r.id for r in result.records}],
        "errors": [{"row": e.row, "reason": e.reason} for e in result.errors],
        "pushed": pushed,
    }, status=201 if result.records else 400)


async def push_to_audience(app: web.Application, book: PolicyBook, policy_ids: list[str]) -> dict[str, int]:
    """Queue pushes of each policy (if in force today) to the opted-in profiles it fits."""
    subscribers = await app["policy_desk"].subscribers()
    profiles, kept = [], []
    for who in subscribers:
        try:
            profiles.append(Profile.model_validate(who["facts"]))
            kept.append(who)
        except ValueError:  # facts that no longer validate: no push rather than a wrong one
            continue
    counts: dict[str, int] = {}
    if not profiles:
        return {i: 0 for i in policy_ids}
    frame = ProfileFrame.from_profiles(profiles, dt.date.today())
    for policy_id in policy_ids:
        policy = book.by_id[policy_id]
        audience = [kept[j] for j in book.audience(policy_id, frame)] if policy.in_force(dt.date.today()) else []
        counts[policy_id] = await app["policy_desk"].queue_pushes(policy, audience)
    return counts


async def _profile_of(request: web.Request, data: dict[str, Any]) -> tuple[Profile, dict[str, Any] | None]:
    """The profile given inline ("profile"), or a stored one by its ID number or credit
    code ("profile_key", never in a URL) or its opaque id ("profile_id")."""
    if "profile" in data:
        return parse_profile(object_field(data, "profile")), None
    if "profile_key" in data:
        stored = await portal(request).profile(text_field(data, "profile_key", limit=64))
    elif "profile_id" in data:
        stored = await portal(request).profile_by_id(text_field(data, "profile_id", limit=64))
    else:
        raise BadRequest("请提供 profile（档案内容）、profile_key（身份证号或统一社会信用代码）或 profile_id。")
    facts = stored["data"].get("facts")
    if not facts:
        raise BadRequest("该档案还没有政策匹配所需的信息（facts）。")
    return parse_profile(facts), stored


async def match_policies(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)
    try:
        profile, _ = await _profile_of(request, data)
    except BadProfile as exc:
        raise BadRequest(str(exc))
    as_of = _date(data.get("as_of") if isinstance(data.get("as_of"), str) else None, "as_of")
    return web.json_response(advise(request.app["policy_book"], profile, as_of).as_dict())


async def profile_suggestions(request: web.Request) -> web.Response:
    """猜你要办 for a stored profile: next steps after its applications, eligible policies."""
    require(request, "service")
    stored = await portal(request).profile_by_id(request.match_info["profile_id"])
    catalogue = request.app["catalogue"]
    done = [catalogue.items[h["item_code"]] for h in stored["history"] if h["item_code"] in catalogue.items]
    eligible, facts = [], stored["data"].get("facts")
    if facts:
        try:
            eligible = advise(request.app["policy_book"], parse_profile(facts)).eligible
        except BadProfile:
            eligible = []
    region = (facts or {}).get("region")
    found = suggestions(done, catalogue.items.values(), catalogue.themes.values(), eligible, region)
    return web.json_response({"profile_id": request.match_info["profile_id"], "suggestions": found})


async def subscribe(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)
    opted_in = data.get("opted_in", True)
    if not isinstance(opted_in, bool):
        raise BadRequest("opted_in 应为 true 或 false。")
    await desk(request).subscribe(text_field(data, "key", limit=64), text_field(data, "sender_id", limit=128),
                                  text_field(data, "channel", required=False, limit=32), opted_in)
    return web.json_response({"opted_in": opted_in})


async def opt_out(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)
    return web.json_response({"opted_out": await desk(request).opt_out(text_field(data, "sender_id", limit=128))})


async def undelivered_pushes(request: web.Request) -> web.Response:
    require(request, "service")
    return web.json_response({"pushes": await desk(request).undelivered()})


async def push_delivered(request: web.Request) -> web.Response:
    require(request, "service")
    try:
        push_id = int(request.match_info["push_id"])
    except ValueError:
        raise BadRequest("推送编号必须是整数。")
    await desk(request).mark_delivered(push_id)
    return web.json_response({"delivered": True})


async def push_counts(request: web.Request) -> web.Response:
    """Staff see how many were pushed for a policy."""
    require(request, "staff")
    policy_id = request.match_info["policy_id"]
    if policy_id not in request.app["policy_book"].by_id:
        raise NotFound(policy_id)
    return web.json_response({"policy_id": policy_id, **await desk(request).counts(policy_id)})
