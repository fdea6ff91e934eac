"""Thin HTTP handlers of the agent-assist service: check the request, call the assistant,
the store or the handoff queue, answer JSON. Failures are `{"error", "message"}` with a
4xx code and a Chinese message; nothing a client sends makes a 5xx."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Callable

from aiohttp import web
from aiohttp_session import get_session, new_session

from actions.handoff_queue import Handoff, HandoffQueue
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable
from assist.store import DECISIONS, KINDS, AssistStore, UnknownSuggestion
from assist.suggest import Assistant
from channels.privacy import mask_and_collect, mask_pii
from analytics.evaluation import offer_events
from channels.push import PushFailed, push_message, resume_conversation
from ops.http import BadRequest, Handler, error, json_body

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
MAX_TEXT = 8000  # characters of a caller's words; a long letter is ~4,000
MAX_REPLY = 2000


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as exc:
        return error(400, "bad_request", str(exc))
    except web.HTTPRequestEntityTooLarge:
        return error(413, "too_large", "请求内容过大。")
    except web.HTTPNotFound:
        return error(404, "not_found", "没有这个地址。")
    except web.HTTPMethodNotAllowed:
        return error(405, "method_not_allowed", "不支持这种请求方式。")


@web.middleware
async def require_agent(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Everything but the login page, logging in, health and metrics needs a logged-in agent."""
    if handler in request.app["public"]:
        return await handler(request)
    session = await get_session(request)
    if not session.get("agent"):
        if request.path.startswith("/api/") or request.method != "GET":
            return error(401, "unauthorized", "请先登录坐席账号。")
        raise web.HTTPFound("/login")
    request["agent"] = session["agent"]
    return await handler(request)


def text_field(data: dict[str, Any], name: str, limit: int, choices: tuple[str, ...] | None = None) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"字段 {name} 必须是非空字符串。")
    if len(value) > limit:
        raise BadRequest(f"字段 {name} 不能超过{limit}个字符。")
    if choices and value not in choices:
        raise BadRequest(f"字段 {name} 只能是：{'、'.join(choices)}。")
    return value.strip()


def store(request: web.Request) -> AssistStore:
    return request.app["store"]


def queue(request: web.Request) -> HandoffQueue:
    return request.app["queue"]


async def off_loop(request: web.Request, function: Callable[..., Any], *args: Any) -> Any:
    """CPU work (models) and SQLite calls run in the app's worker thread, not the event loop."""
    return await asyncio.get_running_loop().run_in_executor(request.app["worker"], function, *args)


# ---- pages, login ---------------------------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def login_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "login.html")


async def console_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "console.html")


async def login(request: web.Request) -> web.Response:
    data = await json_body(request)
    name, password = text_field(data, "name", 64), text_field(data, "password", 256)
    if not await off_loop(request, store(request).verify_agent, name, password):
        log.info("failed login for agent %r", mask_pii(name))
        return error(401, "bad_credentials", "用户名或密码错误。")
    session = await new_session(request)  # a fresh session id on every login
    session["agent"] = name
    return web.json_response({"agent": name})


async def logout(request: web.Request) -> web.Response:
    (await get_session(request)).invalidate()
    return web.json_response({"status": "logged_out"})


async def me(request: web.Request) -> web.Response:
    return web.json_response({"agent": request["agent"]})


# ---- assist and feedback --------------------------------------------------------------------


def suggestion_refs(result: dict[str, Any]) -> dict[str, list[str]]:
    """What the agent may adopt or reject, by kind: the refs the feedback must name."""
    return {
        "category": [result["category"]["name"]],
        "department": [result["department"]["name"]],
        "item": [i["code"] for i in result["items"]],
        "policy": [p["id"] for p in result["policies"]],
        "reply": ["draft"],
    }


async def caller_policies(request: web.Request, numbers: list[str]) -> dict[str, Any] | None:
    """Policies the caller's enterprise or person qualifies for, with reasons, when the words
    hold a credit code or ID number whose portal profile (一企一档/一人一档) has its facts."""
    for number in numbers:
        if len(number) != 18:  # phones are not profile keys
            continue
        try:
            advice = await PortalClient.from_settings(request.app["settings"]).call("POST", "/policies/match", {"profile_key": number})
        except (PortalUnavailable, PortalRejected):
            continue
        return {key: [{"id": p["id"], "title": p["title"], "benefit": p["benefit"], "application_mode": p["application_mode"],
                       "citation": "，".join(x for x in (p["issuer"], p.get("doc_number"), p.get("source_url")) if x),
                       "reasons": [c["reason"] for c in p["conditions"] if c["status"] != "met" or key == "eligible"]}
                      for p in advice[key][:6]] for key in ("eligible", "near_misses")}
    return None


async def assist(request: web.Request) -> web.Response:
    text = text_field(await json_body(request), "text", MAX_TEXT)
    masked, found = mask_and_collect(text)  # the raw numbers go no further than this line
    assistant: Assistant = request.app["assistant"]
    started = time.perf_counter()
    result = await off_loop(request, assistant.assist, masked)
    computed = time.perf_counter()
    assist_id = await off_loop(request, store(request).record_assist, request["agent"], result["category"]["name"], suggestion_refs(result))
    result["caller_policies"] = await caller_policies(request, [raw for _, raw in found])
    response = web.json_response({"id": assist_id, "masked_text": masked, "masked": [m for m, _ in found], **result})
    # Where the time went, for the console and the latency bench (W3C Server-Timing).
    response.headers["Server-Timing"] = f"suggest;dur={1000 * (computed - started):.1f}, store;dur={1000 * (time.perf_counter() - computed):.1f}"
    return response


async def feedback(request: web.Request) -> web.Response:
    data = await json_body(request)
    assist_id = text_field(data, "assist_id", 64)
    kind = text_field(data, "kind", 16, KINDS)
    ref = text_field(data, "ref", 256)
    decision = text_field(data, "decision", 16, DECISIONS)
    try:
        await off_loop(request, store(request).record_feedback, assist_id, kind, ref, decision, request["agent"])
    except UnknownSuggestion:
        return error(404, "not_found", "没有找到这条建议，请刷新后重试。")
    return web.json_response({"status": "recorded"}, status=201)


async def feedback_report(request: web.Request) -> web.Response:
    return web.json_response(await off_loop(request, store(request).report))


# ---- human handoff queue --------------------------------------------------------------------


def handoff_json(handoff: Handoff, replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out = {
        "id": handoff.id,
        "sender_id": handoff.sender_id,
        "channel": handoff.channel,
        "status": handoff.status,
        "created_at": handoff.created_at,
        # The channel masked these already; masking again is idempotent and costs nothing.
        "transcript": [{"from": t.get("from", ""), "text": mask_pii(t.get("text", ""))} for t in handoff.transcript],
    }
    if replies is not None:
        out["replies"] = replies
    return out


async def find_handoff(request: web.Request) -> Handoff:
    text = request.match_info["handoff_id"]
    handoff = await off_loop(request, queue(request).get, int(text)) if text.isdigit() and len(text) < 12 else None
    if handoff is None:
        raise web.HTTPNotFound()
    return handoff


async def list_handoffs(request: web.Request) -> web.Response:
    handoffs = await off_loop(request, queue(request).open)
    return web.json_response({"handoffs": [handoff_json(h) for h in handoffs]})


async def get_handoff(request: web.Request) -> web.Response:
    handoff = await find_handoff(request)
    return web.json_response(handoff_json(handoff, await off_loop(request, queue(request).replies, handoff.id)))


async def reply_handoff(request: web.Request) -> web.Response:
    handoff = await find_handoff(request)
    if handoff.status == "closed":
        return error(409, "closed", "该会话已结束，不能再回复。")
    text = mask_pii(text_field(await json_body(request), "text", MAX_REPLY)) or ""
    try:
        settings = request.app["settings"]
        await push_message(handoff.sender_id, text, {"agent_reply": {"handoff": handoff.id}}, settings.rasa_url, settings.rasa_token)
    except PushFailed as exc:
        log.warning("agent reply to handoff %d not delivered: %s", handoff.id, exc)
        return error(502, "push_failed", "消息未能送达对话（机器人服务暂不可用），请稍后重试。")
    await off_loop(request, queue(request).add_reply, handoff.id, request["agent"], text)
    return web.json_response({"status": "sent", "text": text}, status=201)


async def close_handoff(request: web.Request) -> web.Response:
    """The agent is done: the conversation goes back to the bot (ConversationResumed)."""
    handoff = await find_handoff(request)
    try:
        settings = request.app["settings"]
        # back to the bot, which asks the citizen to rate the agent's service (好差评)
        await resume_conversation(handoff.sender_id, settings.rasa_url, settings.rasa_token, offer_events(f"handoff:{handoff.id}"))
    except PushFailed as exc:
        log.warning("handoff %d not resumed: %s", handoff.id, exc)
        return error(502, "push_failed", "未能把会话交还机器人（机器人服务暂不可用），请稍后重试。")
    await off_loop(request, queue(request).set_status, handoff.id, "closed")
    return web.json_response({"status": "closed"})
