"""Rasa's /health and Prometheus /metrics, served as one more input channel.

Rasa 3.6 (open source) has neither; its server only mounts what channels bring, so this
"channel" takes no messages and brings the two routes, at the root (its URL prefix is
"/"). /metrics holds what channels/intake.py counts (messages by channel and outcome,
handling time) and the process's own (CPU, memory, open files). /health is public
and says whether the model is loaded, unlike /status, which needs the API token.
Listed in bot/credentials.yml as `channels.metrics.MetricsInput`.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class MetricsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "metrics"

    def url_prefix(self) -> Text:
        return "/"  # Rasa joins it to /webhooks/: the routes below sit at the root

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("tongban_metrics", __name__)

        @bp.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            ready = bool(agent and agent.is_ready())
            return response.json({"status": "ok" if ready else "loading"}, status=200 if ready else 503)

        @bp.route("/metrics", methods=["GET"])
        async def metrics(_: Request) -> HTTPResponse:
            return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

        return bp
