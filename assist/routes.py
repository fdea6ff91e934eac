"""Every URL of the agent-assist service, in one table."""

from __future__ import annotations

from typing import NamedTuple

from aiohttp import web

from assist import dashboard, views, workorders
from ops.http import Handler, metrics


class Route(NamedTuple):
    method: str
    path: str
    handler: Handler
    summary: str
    public: bool = False  # everything else needs a logged-in agent


ROUTES = [
    Route("GET", "/health", views.health, "Liveness", public=True),
    Route("GET", "/metrics", metrics, "Prometheus metrics: requests by route and status, latency", public=True),
    Route("GET", "/login", views.login_page, "The login page", public=True),
    Route("POST", "/login", views.login, "Log in: {name, password} → session cookie", public=True),
    Route("POST", "/logout", views.logout, "Log out"),
    Route("GET", "/", views.console_page, "The agent console"),
    Route("GET", "/api/me", views.me, "The logged-in agent"),
    Route("POST", "/api/assist", views.assist, "Suggestions for the caller's words: {text}"),
    Route("POST", "/api/feedback", views.feedback, "Adopt or reject a suggestion: {assist_id, kind, ref, decision}"),
    Route("GET", "/api/feedback/report", views.feedback_report, "Adoption counts and rates per category and kind"),
    Route("GET", "/api/handoffs", views.list_handoffs, "Conversations handed off by the bot, waiting or being served"),
    Route("GET", "/api/handoffs/{handoff_id}", views.get_handoff, "One handoff with its transcript and replies"),
    Route("POST", "/api/handoffs/{handoff_id}/reply", views.reply_handoff, "Reply into the conversation: {text}"),
    Route("POST", "/api/handoffs/{handoff_id}/close", views.close_handoff, "End the handoff; the bot talks again"),
    Route("GET", "/workorders", workorders.workorders_page, "12345 work orders filed in the chat: list and edit"),
    Route("GET", "/api/workorders", workorders.list_workorders, "Work orders, newest first (?status=), from the portal"),
    Route("GET", "/api/workorders/departments", workorders.departments, "Departments to offer while typing one"),
    Route("POST", "/api/workorders/{number}/contact", workorders.reveal_contact, "The citizen's phone, to call back (logged by the portal)"),
    Route("POST", "/api/workorders/{number}", workorders.update_workorder, "Change status, department or reply: {status?, department?, reply?}"),
    Route("GET", "/dashboard", dashboard.dashboard_page, "The hot-issue dashboard"),
    Route("GET", "/static/echarts.min.js", dashboard.echarts, "ECharts (vendored), for the dashboard"),
    Route("GET", "/api/insight", dashboard.insight_api, "Trends and hot issues: ?from=&to=YYYY-MM-DD&category=&region="),
]


def add_routes(app: web.Application) -> None:
    app["public"] = {route.handler for route in ROUTES if route.public}
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)
