"""Rasa's REST channel, with personal numbers masked before anything stores or logs them.

Configured as `channels.rest.MaskedRestInput` in bot/credentials.yml; its name stays
`rest`, so the endpoint stays /webhooks/rest/webhook. The raw numbers go to the vault,
where a form's actions can take them back. A message that fails (action server or Redis
down) is answered with channels/failures.py's BUSY, not an empty list.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from channels.failures import tell_failures
from channels.privacy import mask_and_collect
from channels.vault import Vault


class MaskedRestInput(RestInput):
    def __init__(self) -> None:
        self.vault = Vault()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "MaskedRestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(tell_failures(on_new_message))

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = super()._extract_message(req)
        if not isinstance(message, str):
            return None
        masked, pairs = mask_and_collect(message)
        sender = req.json.get("sender") if isinstance(req.json, dict) else None
        if pairs and isinstance(sender, str):
            self.vault.put(sender, pairs)
        return masked
