"""Messages the user did not ask for: a status change, an agent's reply.

They are appended to the conversation as bot events through Rasa's HTTP API, with
`output_channel=latest` and `execute_side_effects=true`, so Rasa sends them through the
output channel of the user's last message (socket.io room, WeChat customer-service API)
and the tracker records them. The REST channel cannot push: there they only reach the
tracker, and the user sees them on the next turn's history.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import aiohttp

from settings import get_settings

log = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=5)


class PushFailed(Exception):
    pass


async def push_message(
    sender_id: str, text: str, custom: dict[str, Any] | None = None, rasa_url: str | None = None, token: str | None = None
) -> None:
    """Send `text` to `sender_id` on the channel they last wrote from."""
    event: dict[str, Any] = {"event": "bot", "text": text}
    if custom:
        event["data"] = {"custom": custom}
    await append_events(sender_id, [event], rasa_url, token)


async def resume_conversation(
    sender_id: str, rasa_url: str | None = None, token: str | None = None, then: list[dict[str, Any]] | None = None
) -> None:
    """Hand a paused conversation (human handoff) back to the bot (ConversationResumed),
    followed by the events `then` (the rating question, analytics/evaluation.py).

    A paused conversation never ran action_listen after the handoff action; without one,
    Rasa's rule policy matches no rule on the next message (“谢谢” fell to the fallback)."""
    events = [{"event": "resume"}, {"event": "action", "name": "action_listen"}, *(then or [])]
    await append_events(sender_id, events, rasa_url, token)


async def conversation_events(sender_id: str, rasa_url: str | None = None, token: str | None = None) -> list[dict[str, Any]]:
    """The conversation's events, as Rasa's tracker API gives them ([] for a new one)."""
    settings = get_settings()
    url = f"{(rasa_url or settings.rasa_url).rstrip('/')}/conversations/{quote(sender_id, safe='')}/tracker"
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.get(url, params={"token": token or settings.rasa_token}) as response:
                if response.status >= 300:
                    raise PushFailed(f"Rasa answered {response.status}: {(await response.text())[:200]}")
                return (await response.json()).get("events") or []
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise PushFailed(f"Rasa unreachable at {url}: {exc}") from exc


async def append_events(sender_id: str, events: list[dict[str, Any]], rasa_url: str | None = None, token: str | None = None) -> None:
    settings = get_settings()
    url = f"{(rasa_url or settings.rasa_url).rstrip('/')}/conversations/{quote(sender_id, safe='')}/tracker/events"
    # Rasa's HTTP API answers only with its token (`rasa run --auth-token`, bot/run.py).
    params = {"output_channel": "latest", "execute_side_effects": "true", "token": token or settings.rasa_token}
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.post(url, params=params, json=events) as response:
                if response.status >= 300:
                    raise PushFailed(f"Rasa answered {response.status}: {(await response.text())[:200]}")
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise PushFailed(f"Rasa unreachable at {url}: {exc}") from exc
