"""HTTP handlers of 12345 work orders: the action server files and looks them up (service
token); the agent console and departments list and move them (staff token)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from aiohttp import web

from channels.privacy import MOBILE
from ops.http import BadRequest, json_body
from portal.views import require, text_field
from portal.workorders import STATUSES, WorkOrders


log = logging.getLogger(__name__)
MAX_LIMIT = 5000  # work orders a page at most


def desk(request: web.Request) -> WorkOrders:
    return request.app["work_orders"]


def contact_field(data: dict) -> str:
    phone = "".join(str(data.get("contact") or "").split()).replace("-", "").removeprefix("+86")
    if not MOBILE.fullmatch(phone):
        raise BadRequest("联系电话必须是11位手机号码。")
    return phone


async def file_work_order(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)
    order = {
        "idempotency_key": text_field(data, "idempotency_key", limit=128),
        "content": text_field(data, "content", limit=2000),
        "place": text_field(data, "place", limit=256),
        "happened": text_field(data, "happened", limit=128),
        "contact_masked": text_field(data, "contact_masked", limit=32),
        "category": text_field(data, "category", required=False, limit=32),
        "department": text_field(data, "department", required=False, limit=64),
        "region_code": text_field(data, "region_code", required=False, limit=12),
        "region_name": text_field(data, "region_name", required=False, limit=64),
        "channel": text_field(data, "channel", required=False, limit=32),
        "sender_id": text_field(data, "sender_id", required=False, limit=128),
    }
    return web.json_response(await desk(request).file(order, contact_field(data)), status=201)


async def look_up_work_orders(request: web.Request) -> web.Response:
    """A conversation's work orders ({sender_id}), or one by {number, contact}: in the body,
    so the phone stays out of URLs and access logs."""
    require(request, "service")
    data = await json_body(request)
    if data.get("sender_id") is not None:
        return web.json_response({"work_orders": await desk(request).of_conversation(text_field(data, "sender_id", limit=128))})
    found = await desk(request).find(text_field(data, "number", limit=32).upper(), contact_field(data))
    return web.json_response({"work_orders": [found]})


async def list_work_orders(request: web.Request) -> web.Response:
    require(request, "staff")
    status = request.query.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status 只能是：{'、'.join(STATUSES)}。")
    try:
        since = datetime.fromisoformat(request.query["since"]) if request.query.get("since") else None
        limit = min(int(request.query.get("limit") or 200), MAX_LIMIT)
    except ValueError:
        raise BadRequest("since 应为 ISO 时间（如 2026-11-29T08:00:00+00:00），limit 应为整数。") from None
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    listing = await desk(request).listing(status, limit=max(limit, 1), since=since)
    return web.json_response({"work_orders": listing, "statuses": list(STATUSES)})


async def update_work_order(request: web.Request) -> web.Response:
    require(request, "staff")
    data = await json_body(request)
    updated = await desk(request).update(
        request.match_info["number"],
        actor=text_field(data, "actor", required=False, limit=64) or "staff",
        status=text_field(data, "status", required=False, limit=16),
        department=text_field(data, "department", required=False, limit=64),
        reply=text_field(data, "reply", required=False, limit=2000),
    )
    return web.json_response(updated)


async def reveal_contact(request: web.Request) -> web.Response:
    """The citizen's phone, to call back: each reveal is logged with who asked (in a POST
    body, so the number never sits in a URL; the log line names the work order, not it)."""
    require(request, "staff")
    data = await json_body(request)
    actor = text_field(data, "actor", required=False, limit=64) or "staff"
    phone = await desk(request).contact(request.match_info["number"])
    log.info("contact of work order %s revealed to %s", request.match_info["number"], actor)
    return web.json_response({"contact": phone})
