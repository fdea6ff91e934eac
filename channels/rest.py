"""Rasa's REST channel, with personal numbers masked before anything stores them.

Configured as `channels.rest.MaskedRestInput` in bot/credentials.yml; its name stays
`rest`, so the endpoint stays /webhooks/rest/webhook.
"""

from __future__ import annotations

from typing import Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from channels.privacy import mask_pii


class MaskedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = super()._extract_message(req)
        return mask_pii(message) if isinstance(message, str) else None
