"""12345 work orders in the agent console: `/workorders` lists those citizens filed in the
chat and lets an agent change status, department and reply. The portal keeps them
(portal/workorders.py); this service calls its staff API with the staff token, naming the
agent as the actor, so the citizen hears of a new status or reply through the notifier."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import yaml
from aiohttp import web

from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from ops.http import BadRequest, error, json_body

STATIC = Path(__file__).parent / "static"
NUMBER_CHARS = 32
EDITABLE = {"status": 16, "department": 64, "reply": 2000}


def portal(request: web.Request) -> PortalClient:
    settings = request.app["settings"]
    return PortalClient(settings.portal_url.rstrip("/"), settings.portal_staff_token)


async def call(request: web.Request, method: str, path: str, payload: dict | None = None, params: dict | None = None) -> web.Response:
    try:
        return web.json_response(await portal(request).call(method, path, payload, params))
    except PortalRejected as exc:
        return error(exc.status, "rejected", str(exc))
    except PortalUnavailable:
        return error(502, "portal_unavailable", "工单系统（政务服务平台）暂时连接不上，请稍后重试。")


async def workorders_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "workorders.html")


async def list_workorders(request: web.Request) -> web.Response:
    status = request.query.get("status", "")
    response = await call(request, "GET", "/staff/work-orders", params={"status": status} if status else None)
    return response


async def departments(request: web.Request) -> web.Response:
    """The categories' usual departments, offered while typing a department."""
    categories = yaml.safe_load((request.app["settings"].data_dir / "hotline" / "categories.yml").read_text(encoding="utf-8"))
    return web.json_response({"departments": sorted({c["department"] for c in categories.values()})})


async def update_workorder(request: web.Request) -> web.Response:
    number = request.match_info["number"]
    if len(number) > NUMBER_CHARS or not number.isalnum():
        raise BadRequest("工单编号不正确。")
    data = await json_body(request)
    changes = {}
    for name, limit in EDITABLE.items():
        value = data.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > limit:
            raise BadRequest(f"字段 {name} 必须是不超过{limit}个字符的字符串。")
        changes[name] = value.strip()
    if not changes:
        raise BadRequest("请至少修改状态、承办部门或答复中的一项。")
    return await call(request, "POST", f"/staff/work-orders/{quote(number)}", {**changes, "actor": request["agent"]})


async def reveal_contact(request: web.Request) -> web.Response:
    """The citizen's phone for the agent who calls back; the portal logs who asked."""
    number = request.match_info["number"]
    if len(number) > NUMBER_CHARS or not number.isalnum():
        raise BadRequest("工单编号不正确。")
    return await call(request, "POST", f"/staff/work-orders/{quote(number)}/contact", {"actor": request["agent"]})
