"""The action server's Prometheus metrics: custom action calls by action and status, and
their latency, served at /metrics beside rasa_sdk's /health (actions/server.py)."""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sanic import Request, Sanic, response

RUNS = Counter("tongban_actions_runs_total", "Custom action calls from Rasa", ["action", "status"])
LATENCY = Histogram("tongban_actions_run_seconds", "Time to run a custom action", ["action"])


def add_metrics(app: Sanic) -> None:
    @app.on_request
    async def started(request: Request) -> None:
        request.ctx.started = time.perf_counter()

    @app.on_response
    async def finished(request: Request, answer: response.HTTPResponse) -> None:
        if request.path != "/webhook" or not hasattr(request.ctx, "started"):
            return
        body = request.json if request.body else None
        action = str(body.get("next_action") or "") if isinstance(body, dict) else ""
        action = action[:64] or "(none)"
        RUNS.labels(action, str(answer.status)).inc()
        LATENCY.labels(action).observe(time.perf_counter() - request.ctx.started)

    @app.get("/metrics")
    async def metrics(_: Request) -> response.HTTPResponse:
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)
