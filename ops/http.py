"""What every aiohttp service of ours (portal, agent assist) answers alike: JSON errors in
Chinese, JSON bodies read defensively, Prometheus metrics and an access log by route
template (never the raw path, which may hold receipt numbers), `/metrics`."""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any, Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 64 * 1024


class BadRequest(ValueError):
    pass


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


async def json_body(request: web.Request, max_body: int = MAX_BODY) -> dict[str, Any]:
    if request.content_length and request.content_length > max_body:
        raise BadRequest("请求内容过大。")
    try:
        data = await request.json()
    except (ValueError, RecursionError):  # bad JSON or encoding, or nesting too deep
        raise BadRequest("请求内容不是合法的 JSON。")
    if not isinstance(data, dict):
        raise BadRequest("请求内容应为 JSON 对象。")
    return data


@lru_cache(maxsize=None)  # one set of metrics per service and process
def _metrics(service: str) -> tuple[Counter, Histogram]:
    return (
        Counter(f"tongban_{service}_requests_total", f"HTTP requests answered by the {service} service", ["method", "route", "status"]),
        Histogram(f"tongban_{service}_request_seconds", f"Time to answer a {service} request", ["method", "route"]),
    )


def measured(service: str) -> Handler:
    """A middleware that counts and times each request, and writes the access log."""
    requests, latency = _metrics(service)
    access_log = logging.getLogger(f"{service}.access")

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
            requests.labels(request.method, route, str(status)).inc()
            latency.labels(request.method, route).observe(seconds)
            # The path without its query string; bodies are never logged.
            access_log.info("%s %s %s %.1f ms", request.method, request.path, status, seconds * 1000,
                            extra={"route": route, "status": status})

    return measure


async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})
