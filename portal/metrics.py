"""The portal's Prometheus metrics and access log: requests by route template (never the
raw path, which holds receipt numbers) and status, and their latency."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

from portal.views import Handler

access_log = logging.getLogger("portal.access")
REQUESTS = Counter("tongban_portal_requests_total", "HTTP requests answered by the portal", ["method", "route", "status"])
LATENCY = Histogram("tongban_portal_request_seconds", "Time to answer a portal request", ["method", "route"])


@web.middleware
async def measure(request: web.Request, handler: Handler) -> web.StreamResponse:
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "(unmatched)"
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        seconds = time.perf_counter() - started
        REQUESTS.labels(request.method, route, str(status)).inc()
        LATENCY.labels(request.method, route).observe(seconds)
        # The path without its query string; bodies are never logged.
        access_log.info("%s %s %s %.1f ms", request.method, request.path, status, seconds * 1000,
                        extra={"route": route, "status": status})


async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
