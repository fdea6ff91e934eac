"""Thin HTTP handlers: parse and check the request, call the store, answer JSON.

Every failure is a JSON body `{"error": "...", "message": "<中文说明>"}` with a 4xx code.
"""

from __future__ import annotations

import hmac
import html
import json
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from ops.http import BadRequest, Handler, error, json_body
from portal.store import Conflict, NotFound, Portal
from settings import ROOT


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except NotFound:
        return error(404, "not_found", "未找到对应的记录，请核对编号和身份信息。")
    except Conflict as exc:
        return error(409, "conflict", str(exc))
    except BadRequest as exc:
        return error(400, "bad_request", str(exc))


def portal(request: web.Request) -> Portal:
    return request.app["portal"]


def require(request: web.Request, token_name: str) -> None:
    expected = request.app["tokens"][token_name]
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise web.HTTPUnauthorized(
            text=json.dumps({"error": "unauthorized", "message": "缺少或错误的访问令牌。"}), content_type="application/json"
        )


def text_field(data: dict[str, Any], name: str, required: bool = True, limit: int = 256) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadRequest(f"字段 {name} 必须是长度不超过{limit}的非空字符串。")
    return value.strip()


def object_field(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise BadRequest(f"字段 {name} 必须是 JSON 对象。")
    return value


# ---- catalogue ---------------------------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def list_items(request: web.Request) -> web.Response:
    catalogue = request.app["catalogue"]
    region = request.query.get("region")
    found = [i for i in catalogue.items.values() if not region or i.region_code == region]
    offset_text = request.query.get("offset", "0")
    offset = int(offset_text) if offset_text.isdigit() else 0
    page = found[offset : offset + 100]
    return web.json_response({"total": len(found), "items": [i.model_dump() for i in page]})


async def get_item(request: web.Request) -> web.Response:
    item = request.app["catalogue"].items.get(request.match_info["code"])
    if item is None:
        raise NotFound(request.match_info["code"])
    return web.json_response(item.model_dump())


async def list_themes(request: web.Request) -> web.Response:
    return web.json_response({"themes": [t.model_dump() for t in request.app["catalogue"].themes.values()]})


async def get_theme(request: web.Request) -> web.Response:
    theme = request.app["catalogue"].themes.get(request.match_info["theme_id"])
    if theme is None:
        raise NotFound(request.match_info["theme_id"])
    return web.json_response(theme.model_dump())


# ---- applications (service token) ------------------------------------------------------------


async def create_application(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)
    item_code = text_field(data, "item_code", limit=64)
    if item_code not in request.app["catalogue"].items:
        raise BadRequest(f"事项编码 {item_code} 不存在。")
    created = await portal(request).create_draft(
        idempotency_key=text_field(data, "idempotency_key", limit=128),
        item_code=item_code,
        applicant={k: str(v) for k, v in object_field(data, "applicant").items() if v is not None},
        fields=object_field(data, "fields"),
        theme_id=text_field(data, "theme_id", required=False, limit=64),
        channel=text_field(data, "channel", required=False, limit=32),
        sender_id=text_field(data, "sender_id", required=False, limit=128),
        paused=data.get("paused") is True,
    )
    return web.json_response(created, status=201)


async def claim_paused(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)  # POST: ID numbers and phones stay out of URLs and access logs
    claimed = await portal(request).claim_paused(text_field(data, "id_number", limit=32), text_field(data, "phone", limit=32))
    return web.json_response(claimed)


async def get_application(request: web.Request) -> web.Response:
    require(request, "service")
    return web.json_response(await portal(request).get(request.match_info["application_id"]))


async def update_application(request: web.Request) -> web.Response:
    require(request, "service")
    fields = object_field(await json_body(request), "fields")
    return web.json_response(await portal(request).update_fields(request.match_info["application_id"], fields))


async def attach_material(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)
    updated = await portal(request).attach_material(
        request.match_info["application_id"], text_field(data, "name"), text_field(data, "reference", limit=1024)
    )
    return web.json_response(updated, status=201)


async def submit_application(request: web.Request) -> web.Response:
    require(request, "service")
    return web.json_response(await portal(request).submit(request.match_info["application_id"]))


async def progress(request: web.Request) -> web.Response:
    require(request, "service")
    # POST: the applicant's ID number or phone stays out of URLs and access logs
    applicant = (await json_body(request)).get("applicant")
    if not isinstance(applicant, str) or not applicant.strip() or len(applicant) > 32:
        raise BadRequest("查询进度需要提供申请人身份证号或手机号。")
    return web.json_response(await portal(request).progress(request.match_info["receipt_number"], applicant))


async def save_profile(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)
    kind = text_field(data, "kind", limit=16)
    if kind not in ("person", "enterprise"):
        raise BadRequest("kind 必须是 person 或 enterprise。")
    await portal(request).save_profile(kind, text_field(data, "key", limit=64), object_field(data, "data"))
    return web.json_response({"saved": True})


async def get_profile(request: web.Request) -> web.Response:
    require(request, "service")
    data = await json_body(request)  # POST: the key is an ID number, kept out of URLs and access logs
    return web.json_response(await portal(request).profile(text_field(data, "key", limit=64)))


async def undelivered_notifications(request: web.Request) -> web.Response:
    require(request, "service")
    return web.json_response({"notifications": await portal(request).undelivered()})


async def notification_delivered(request: web.Request) -> web.Response:
    require(request, "service")
    try:
        notification_id = int(request.match_info["notification_id"])
    except ValueError:
        raise BadRequest("通知编号必须是整数。")
    await portal(request).mark_delivered(notification_id)
    return web.json_response({"delivered": True})


# ---- staff (staff token) -------------------------------------------------------------------

STAFF_PAGE = Path(__file__).parent / "static" / "staff.html"


async def staff_page(request: web.Request) -> web.FileResponse:
    """The page itself is public; every action it takes needs the staff token."""
    return web.FileResponse(STAFF_PAGE)



# ---- web chat widget (channels/web): the demo page and the widget's files ------------------

WIDGET_DIR = ROOT / "channels" / "web"
SERVER_ATTRIBUTE = re.compile(r'data-server="[^"]*"')


async def demo_page(request: web.Request) -> web.Response:
    """A portal-like page hosting the widget, pointed at this deployment's Rasa."""
    page = (WIDGET_DIR / "demo.html").read_text(encoding="utf-8")
    server = html.escape(request.app["settings"].rasa_url.rstrip("/"), quote=True)
    return web.Response(text=SERVER_ATTRIBUTE.sub(f'data-server="{server}"', page, count=1), content_type="text/html")


async def widget_file(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    if name not in {p.name for p in WIDGET_DIR.iterdir() if p.suffix in (".js", ".css", ".html", ".LICENSE")}:
        raise web.HTTPNotFound(text=json.dumps({"error": "not_found", "message": "没有这个文件。"}), content_type="application/json")
    return web.FileResponse(WIDGET_DIR / name, headers={"Cache-Control": "no-cache"})


async def move_application(request: web.Request) -> web.Response:
    require(request, "staff")
    data = await json_body(request)
    moved = await portal(request).move(
        request.match_info["receipt_number"],
        text_field(data, "status", limit=16),
        text_field(data, "note", required=False, limit=500),
        actor=text_field(data, "actor", required=False, limit=64) or "staff",
    )
    return web.json_response(moved)
