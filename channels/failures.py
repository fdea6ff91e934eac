"""Never silence: when a message cannot be handled, the user is told the service is busy.

Rasa 3.6 swallows a failed custom action (action server down, timing out or answering
500): `MessageProcessor._run_action` logs the exception, drops the action's events and
carries on, so the user gets nothing. A failing tracker or lock store (Redis down) raises
out of `Agent.handle_message`, and the REST channel answers an empty list. Each Tongban
input channel wraps Rasa's `on_new_message` with `tell_failures`: it runs the message
with a marker in a context variable, a log handler on Rasa's processor notes failed
actions against that marker (handlers run in the failing coroutine's context), and after
the message the user gets BUSY once, on the channel they wrote from.

After a failed action, what Rasa kept of the message is undone: Rasa fills a form's slot
from the message before the form's validation action runs, so when that action fails the
answer would stay in its slot unvalidated. `undo_slots` sets each slot the message
changed back to its value before it, through Rasa's HTTP API (RASA_URL; any Rasa server
sharing the tracker store). (A `rewind` event cannot do this inside a form: Rasa folds a
form's turns together, so it would revert to before the form.) A half-filled form keeps
its earlier answers, and sending the message again once the service is back continues
where it stopped.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from urllib.parse import quote

import aiohttp

from settings import get_settings

if TYPE_CHECKING:  # the tests read BUSY from Python 3.11, without Rasa
    from rasa.core.channels.channel import UserMessage

log = logging.getLogger(__name__)
BUSY = "服务暂时繁忙，请稍后再试。"
# The logger of rasa/core/processor.py, which reports a failed action with its exception.
PROCESSOR_LOGGER = "rasa.core.processor"

_failures: ContextVar[list[str] | None] = ContextVar("tongban_failures", default=None)


class _FailedActions(logging.Handler):
    """Notes, for the message being handled in this context, each exception Rasa logged."""

    def emit(self, record: logging.LogRecord) -> None:
        failures = _failures.get()
        if failures is not None and record.exc_info:
            failures.append(record.getMessage())


_handler = _FailedActions(logging.ERROR)
_processor_log = logging.getLogger(PROCESSOR_LOGGER)
if _handler not in _processor_log.handlers:
    _processor_log.addHandler(_handler)


async def undo_slots(sender_id: str) -> None:
    """Set the slots that the user's latest message changed back to their values before it."""
    settings = get_settings()
    url = f"{settings.rasa_url.rstrip('/')}/conversations/{quote(sender_id, safe='')}/tracker"
    token = {"token": settings.rasa_token}  # Rasa's HTTP API needs it (bot/serve.py)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5), raise_for_status=True) as session:
        async with session.get(url, params={"include_events": "AFTER_RESTART", **token}) as response:
            events = (await response.json())["events"]
        users = [i for i, e in enumerate(events) if e["event"] == "user"]
        if not users:
            return
        before: dict[str, Any] = {}
        for event in events[: users[-1]]:
            if event["event"] == "slot":
                before[event["name"]] = event["value"]
            elif event["event"] == "session_started":
                before = {}  # Rasa sets carried-over slots again after it
        changed = dict.fromkeys(e["name"] for e in events[users[-1] :] if e["event"] == "slot")
        if changed:
            undo = [{"event": "slot", "name": name, "value": before.get(name)} for name in changed]
            async with session.post(f"{url}/events", params=token, json=undo):
                pass


def tell_failures(on_new_message: Callable[["UserMessage"], Awaitable[Any]]) -> Callable[["UserMessage"], Awaitable[None]]:
    """`on_new_message`, telling the user BUSY when an action or a store failed."""

    async def handle(message: "UserMessage") -> None:
        failed_actions: list[str] = []
        token = _failures.set(failed_actions)
        store_failed = False
        try:
            await on_new_message(message)
        except Exception:  # tracker or lock store unreachable: nothing was stored
            log.exception("message from %s could not be handled", message.sender_id)
            store_failed = True
        finally:
            _failures.reset(token)
        if not (failed_actions or store_failed):
            return
        log.warning("telling %s the service is busy (%d failed action(s))", message.sender_id, len(failed_actions))
        if failed_actions and not store_failed:
            try:
                await undo_slots(message.sender_id)
            except Exception:
                log.exception("could not undo the slots of the failed message of %s", message.sender_id)
        if message.output_channel is not None:
            try:
                await message.output_channel.send_text_message(message.sender_id, BUSY)
            except Exception:
                log.exception("could not tell %s the service is busy", message.sender_id)

    return handle
