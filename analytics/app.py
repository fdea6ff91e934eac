"""The dashboard, the rectification-ticket page and their JSON API (`python -m analytics`,
ANALYTICS_URL's port, 8092 by default). Pages are public; the API needs the departments'
staff token (PORTAL_STAFF_TOKEN) as `Authorization: Bearer …`, like the portal's /staff.

In the background it projects new broker events every second, tells citizens the outcome
of closed tickets through Rasa (channels/push.py), and keeps the live figures of today
in /metrics."""

from __future__ import annotations

import asyncio
import csv
import hmac
import io
import logging
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from aiohttp import web
from prometheus_client import Counter, Gauge

from analytics import evaluation
from analytics.export import xlsx_bytes, summary_rows
from analytics.measures import Filters, measure
from analytics.projection import Projector
from analytics.store import LEVELS, create_tables, engine_for
from channels.push import PushFailed, push_message
from ops.http import BadRequest, error, json_body, measured, metrics
from ops.logs import configure_logging
from settings import Settings, get_settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
PROJECTED = Counter("tongban_analytics_events_projected_total", "Broker events projected into the analytics store")
NOTIFIED = Counter("tongban_analytics_ticket_notices_total", "Ticket outcomes told to citizens", ["outcome"])
TODAY = Gauge("tongban_analytics_today", "Today's figures (China Standard Time)", ["figure"])
TODAY_RATINGS = Gauge("tongban_analytics_today_ratings", "Today's ratings by level", ["level"])
LIVE_FIGURES = ("conversations", "questions", "handoffs", "no_match_questions", "self_service", "tickets_open", "tickets_overdue")


def parse_day(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"日期格式应为 YYYY-MM-DD：{value[:20]}")


def filters_of(request: web.Request) -> Filters:
    q = request.query
    return Filters(
        start=parse_day(q.get("from", "")), end=parse_day(q.get("to", "")), region=q.get("region", "")[:64],
        department=q.get("department", "")[:255], item_code=q.get("item", "")[:64], channel=q.get("channel", "")[:32],
    )


@web.middleware
async def guard(request: web.Request, handler):
    """The API needs the staff token; bad input is a 400 in Chinese, never a 500."""
    if request.path.startswith("/api/"):
        expected = request.app["settings"].portal_staff_token
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return error(401, "unauthorized", "需要部门访问令牌。")
    try:
        return await handler(request)
    except BadRequest as exc:
        return error(400, "bad_request", str(exc))


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / request.app["pages"][request.path])


async def api_measures(request: web.Request) -> web.Response:
    await request.app["projector"].catch_up()
    return web.json_response(await measure(request.app["engine"], filters_of(request), evaluation.today_cst()))


async def api_gaps(request: web.Request) -> web.Response:
    from analytics.gaps import gap_report  # loads an embedder: only when asked

    await request.app["projector"].catch_up()
    return web.json_response(await gap_report(request.app["engine"], filters_of(request)))


async def export(request: web.Request) -> web.Response:
    await request.app["projector"].catch_up()
    figures = await measure(request.app["engine"], filters_of(request), evaluation.today_cst())
    if request.match_info["format"] == "xlsx":
        return web.Response(
            body=xlsx_bytes(figures), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="tongban-measures.xlsx"'},
        )
    out = io.StringIO()
    csv.writer(out).writerows(summary_rows(figures))
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8",  # BOM: Excel reads UTF-8
        headers={"Content-Disposition": 'attachment; filename="tongban-measures.csv"'},
    )


async def api_tickets(request: web.Request) -> web.Response:
    rows = await evaluation.list_tickets(request.app["engine"], request.query.get("state", ""), request.query.get("department", ""))
    return web.json_response({"tickets": rows, "states": list(evaluation.STATES)})


async def api_move_ticket(request: web.Request) -> web.Response:
    body = await json_body(request)
    try:
        ticket_id = int(request.match_info["ticket_id"])
        ticket = await evaluation.move(request.app["engine"], ticket_id, str(body.get("state") or ""), str(body.get("note") or ""))
    except (ValueError, OverflowError) as exc:
        return error(400, "bad_move", str(exc) if isinstance(exc, evaluation.BadMove) else "工单号应为数字。")
    except LookupError:
        return error(404, "not_found", "没有这个工单。")
    request.app["wake"].set()  # tell the citizen now, not at the next round
    return web.json_response({"id": ticket["id"], "state": ticket["state"]})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def background(app: web.Application) -> None:
    """Project events, tell citizens ticket outcomes, refresh today's gauges."""
    engine, projector = app["engine"], app["projector"]
    while True:
        try:
            PROJECTED.inc(await projector.catch_up())
            for ticket in await evaluation.unnotified(engine):
                try:
                    await push_message(ticket["sender_id"], evaluation.outcome_message(ticket), {"ticket": {"id": ticket["id"], "state": ticket["state"]}})
                except PushFailed as exc:
                    NOTIFIED.labels("failed").inc()
                    log.warning("ticket %s: the citizen could not be told yet: %s", ticket["id"], exc)
                    continue
                await evaluation.mark_notified(engine, ticket["id"])
                NOTIFIED.labels("sent").inc()
            today = evaluation.today_cst()
            figures = await measure(engine, Filters(start=today, end=today), today)
            for name in LIVE_FIGURES:
                TODAY.labels(name).set(figures[name])
            for level in LEVELS:
                TODAY_RATINGS.labels(level).set(figures["ratings"][level])
        except asyncio.CancelledError:
            raise
        except Exception:  # the store unreachable for a moment: try again next round
            log.exception("analytics round failed")
        try:
            await asyncio.wait_for(app["wake"].wait(), timeout=1)
        except TimeoutError:
            pass
        app["wake"].clear()


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or get_settings()
    if not settings.portal_staff_token:
        raise SystemExit("PORTAL_STAFF_TOKEN must be set (python -m portal.keys makes one)")
    app = web.Application(middlewares=[measured("analytics"), guard])
    app["settings"] = settings
    app["pages"] = {"/": "dashboard.html", "/tickets": "tickets.html"}

    async def start(app: web.Application) -> None:
        app["engine"] = engine_for(settings)
        await create_tables(app["engine"])
        app["projector"] = Projector(app["engine"])
        app["wake"] = asyncio.Event()
        app["task"] = asyncio.create_task(background(app))

    async def stop(app: web.Application) -> None:
        app["task"].cancel()
        await asyncio.gather(app["task"], return_exceptions=True)
        await app["engine"].dispose()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/", page)
    app.router.add_get("/tickets", page)
    app.router.add_static("/static", STATIC)
    app.router.add_get("/api/measures", api_measures)
    app.router.add_get("/api/gaps", api_gaps)
    app.router.add_get("/api/export.{format:csv|xlsx}", export)
    app.router.add_get("/api/tickets", api_tickets)
    app.router.add_post("/api/tickets/{ticket_id}", api_move_ticket)
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    return app


def main() -> None:
    configure_logging("analytics")
    settings = get_settings()
    url = urlparse(settings.analytics_url)
    web.run_app(create_app(settings), host=url.hostname or "127.0.0.1", port=url.port or 8092, access_log=None)
