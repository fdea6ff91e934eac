"""Rasa's REST channel, with personal numbers masked before anything stores or logs them.

Configured as `channels.rest.MaskedRestInput` in bot/credentials.yml; its name stays
`rest`, so the endpoint stays /webhooks/rest/webhook. The raw numbers go to the vault,
where a form's actions can take them back. A body that is not `{"sender": str,
"message": str}` gets a 400 with a Chinese message (Rasa's own channel would fail with
a 500); messages pass the rate and length limits of channels/intake.py. A message that
fails (action server or Redis down) is answered with channels/failures.py's BUSY, not an
empty list.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.intake import intake, limiter_from_settings
from channels.failures import tell_failures
from channels.privacy import mask_and_collect
from channels.vault import Vault

MALFORMED = "抱歉，没能读懂这条消息：请以 JSON 发送 {\"sender\": \"会话编号\", \"message\": \"您的问题\"}。"
MAX_SENDER_CHARS = 128


def malformed(request: Request) -> Optional[HTTPResponse]:
    """A 400 for a body Rasa's channel cannot take, else None."""
    try:
        data = json.loads(request.body or b"")
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; deep nesting recurses
        data = None
    sender = data.get("sender") if isinstance(data, dict) else None
    ok = (
        isinstance(data, dict)
        and isinstance(sender, str)
        and 0 < len(sender) <= MAX_SENDER_CHARS
        and sender.isprintable()
        and isinstance(data.get("message"), str)
        and isinstance(data.get("metadata", {}), dict)
        and isinstance(data.get("input_channel", ""), str)
    )
    return None if ok else response.json([{"text": MALFORMED}], status=400)


class MaskedRestInput(RestInput):
    def __init__(self) -> None:
        self.vault = Vault()
        self.limiter = limiter_from_settings()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "MaskedRestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(intake(self.name(), tell_failures(on_new_message), self.limiter))

        @blueprint.middleware("request")
        async def check(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and request.path.rstrip("/").endswith(f"/{self.name()}/webhook"):
                return malformed(request)
            return None

        return blueprint

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # not whatever the client claims

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = super()._extract_message(req)
        if not isinstance(message, str):
            return None
        masked, pairs = mask_and_collect(message)
        sender = req.json.get("sender") if isinstance(req.json, dict) else None
        if pairs and isinstance(sender, str):
            self.vault.put(sender, pairs)
        return masked
